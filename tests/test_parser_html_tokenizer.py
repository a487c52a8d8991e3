"""The HTML tokenizer: what it reads from the tree besides blocks, and what it shows or hides."""

from __future__ import annotations

import time

from briefing_tui.parser.blocks import Kind
from briefing_tui.parser.html_format import html_blocks


def texts(html: str) -> list[str]:
    return [block.text for block in html_blocks(html).blocks]


def test_a_zero_font_size_wrapper_keeps_the_text_of_its_columns():
    # MJML-style columns: font-size:0 on the wrappers closes the gaps between inline blocks, and
    # the content inside sets its own size again.
    html = """
    <html><body>
    <div style="margin:0 auto;max-width:600px">
      <table role="presentation"><tbody><tr>
        <td style="direction:ltr;font-size:0px;padding:20px 0;text-align:center;">
          <div class="mj-column-per-50" style="font-size:0px;text-align:left;display:inline-block;width:100%;">
            <table role="presentation"><tbody><tr>
              <td style="font-size:0px;padding:10px 25px;word-break:break-word;">
                <div style="font-family:Helvetica;font-size:16px;line-height:1.4;color:#222;">
                  Harbor cranes now unload <b>twice as fast</b> with the new scheduler.
                </div>
              </td>
            </tr></tbody></table>
          </div>
          <div class="mj-column-per-50" style="font-size:0;display:inline-block;">
            <p>Second column keeps its words too.</p>
            <span>spacer between columns</span>
          </div>
        </td>
      </tr></tbody></table>
    </div>
    </body></html>
    """
    assert texts(html) == [
        "Harbor cranes now unload twice as fast with the new scheduler.",
        "Second column keeps its words too.",
    ]


def test_hidden_preheaders_stay_hidden():
    html = """
    <html><body>
    <div style="display:none;max-height:0;overflow:hidden;font-size:1px;">Preheader: open me now &#8204; &#8204;</div>
    <div style="max-height:0px; overflow:hidden; mso-hide:all">Second preheader <span style="font-size:14px">still hidden</span></div>
    <span style="visibility:hidden">Invisible words</span>
    <p aria-hidden="true">Aria hidden</p>
    <p hidden>Attribute hidden</p>
    <div style="font-size:0">Zero-size words <span>and inline ones</span></div>
    <p>The visible paragraph.</p>
    </body></html>
    """
    assert texts(html) == ["The visible paragraph."]


def test_meta_tags_share_subjects_and_masthead_alts():
    html = """
    <html><head>
      <title>Tidewater Brief #12</title>
      <meta property="og:site_name" content="Tidewater Brief">
      <meta property="OG:Title" content="Ports, pilots &amp; permits">
      <meta name="author" content="Ines Varga">
      <meta name="description" content="Three stories from the coast.">
      <meta name="twitter:title" content="Ports, pilots and permits">
      <meta name="application-name" content="Tidewater">
      <meta property="article:published_time" content="2026-03-04T06:00:00Z">
      <meta name="viewport" content="">
    </head><body>
      <p><a href="https://tidewater.example/view">View this email in your browser</a></p>
      <img src="https://tidewater.example/pixel.gif" width="1" height="1" alt="">
      <a href="https://tidewater.example/"><img src="https://tidewater.example/logo.png" alt="  Tidewater   Brief. "></a>
      <img src="https://tidewater.example/logo-dark.png" alt="Tidewater dark" style="display:none">
      <h1>Ports reopen after the storm</h1>
      <img src="https://tidewater.example/photo.jpg" alt="A crane at dawn">
      <p>Crews cleared the channel overnight.
        <a href="mailto:?subject=Ports%20reopen%20after%20the%20storm&amp;body=https%3A%2F%2Ftidewater.example%2F1">Share</a>
        <a href="mailto:?Subject=Pilots+return+%E2%80%94+finally">Forward</a>
        <a href="mailto:?body=no-subject-here">Mail</a>
      </p>
    </body></html>
    """
    document = html_blocks(html)
    assert document.title == "Tidewater Brief #12"
    assert document.meta == {
        "og:site_name": "Tidewater Brief",
        "og:title": "Ports, pilots & permits",
        "author": "Ines Varga",
        "description": "Three stories from the coast.",
        "twitter:title": "Ports, pilots and permits",
        "application-name": "Tidewater",
        "article:published_time": "2026-03-04T06:00:00Z",
    }
    assert document.share_subjects == ["Ports reopen after the storm", "Pilots return — finally"]
    # Only images above the first text; a line that is only a link does not count as text.
    assert document.masthead_alts == ["Tidewater Brief."]


def test_a_share_by_mail_link_is_not_kept_as_a_link():
    html = (
        "<p>Crews cleared the channel. "
        "<a href='mailto:?subject=Ports%20reopen&body=https%3A%2F%2Ftidewater.example%2F1'>Share by e-mail</a> "
        "<a href='mailto:news@tidewater.example'>Write to us</a> "
        "<a href='https://tidewater.example/1'>Read more</a></p>"
    )
    (block,) = html_blocks(html).blocks
    assert block.text == "Crews cleared the channel. Share by e-mail Write to us Read more"
    assert [(link.text, link.url) for link in block.links] == [
        ("Write to us", "mailto:news@tidewater.example"),
        ("Read more", "https://tidewater.example/1"),
    ]


def test_a_hundred_thousand_nested_divs_do_not_crash():
    html = "<html><body>" + "<div>" * 100_000 + "deep words" + "</div>" * 100_000 + "<p>after</p></body></html>"
    started = time.perf_counter()
    assert texts(html) == ["deep words", "after"]
    assert time.perf_counter() - started < 10


def test_deep_unclosed_inline_tags_do_not_crash():
    html = "<p>start " + "".join(f"<b id='b{i}'><span>" for i in range(60_000)) + "end</p>"
    started = time.perf_counter()
    blocks = html_blocks(html).blocks
    assert blocks and blocks[0].text.startswith("start") and blocks[-1].text.endswith("end")
    assert time.perf_counter() - started < 10


def test_a_data_table_row_of_three_short_cells_is_one_line():
    html = """
    <table>
      <tr><th>Index</th><th>Close</th><th>Change</th></tr>
      <tr><td>Harbor 50</td><td>1,204.5</td><td>+0.8%</td></tr>
      <tr><td><table><tr><td>Layout cell</td></tr></table></td><td>beside it</td></tr>
    </table>
    """
    blocks = html_blocks(html).blocks
    assert [(block.kind, block.text) for block in blocks] == [
        (Kind.PARAGRAPH, "Index · Close · Change"),
        (Kind.PARAGRAPH, "Harbor 50 · 1,204.5 · +0.8%"),
        (Kind.PARAGRAPH, "Layout cell"),
        (Kind.PARAGRAPH, "beside it"),
    ]


def test_markup_that_would_swallow_the_document_does_not():
    # A self-closed <title/> or <script/> is empty, not the start of one running to the end;
    # markup inside <noscript> cannot close the paragraph around it.
    html = (
        "<html><head><title/><script src='x.js'/></head><body>"
        "<p>Kept <noscript><p>no script</p></noscript>here.</p>"
        "<p>&#x1b;[2J escaped &#27;controls</p></body></html>"
    )
    document = html_blocks(html)
    assert [block.text for block in document.blocks] == ["Kept here.", "[2J escaped controls"]
    assert document.title == ""
