"""Markdown read from markdown-it-py's token stream: comments, tables, linked headings, raw HTML,
bare URLs, and the line-per-paragraph habits of converted e-mails."""

from __future__ import annotations

import json
import time

from briefing_tui.parser import parse_document
from briefing_tui.parser.blocks import Block, Kind
from briefing_tui.parser.markdown_format import markdown_blocks


def shape(blocks: list[Block]) -> list[tuple[str, int, str]]:
    return [(b.kind.value, b.level, b.text) for b in blocks]


def everything(blocks: list[Block]) -> str:
    """Every string the blocks hand on: text, labels and links."""
    parts = []
    for b in blocks:
        parts += [b.text, b.strong_label or "", b.lead_strong or ""]
        parts += [part for link in b.links for part in (link.text, link.url)]
    return "\n".join(parts)


# -- HTML comments ---------------------------------------------------------------------------------
COMMENTS = """\
# Harbour Notes

<!-- editor note: swap the lead photo before sending -->

The ferry timetable changes on Monday. <!-- check the date --> Boats run every twenty minutes.

<!--
Submission guide for contributors:
* [Title of the page](https://example.com/guide)
-->

- Night buses return <!-- confirm with the depot --> next week
- The bridge reopens

Closing words. <!-- a note that
runs over two lines --> See you soon.

Last line <!-- a note

that runs over a blank line --> of the issue.

<!-- unterminated note at the end
that never closes
"""


def test_html_comments_are_never_text():
    blocks = markdown_blocks(COMMENTS)
    assert shape(blocks) == [
        ("heading", 1, "Harbour Notes"),
        ("paragraph", 0, "The ferry timetable changes on Monday. Boats run every twenty minutes."),
        ("item", 0, "Night buses return next week"),
        ("item", 0, "The bridge reopens"),
        ("paragraph", 0, "Closing words. See you soon."),
        ("paragraph", 0, "Last line of the issue."),
    ]
    text = everything(blocks)
    for word in ("editor", "check", "Submission", "guide", "depot", "two lines", "blank", "unterminated", "<!--", "-->"):
        assert word not in text


def test_a_comment_and_text_on_one_line_keep_the_text():
    blocks = markdown_blocks("# T\n\n<!-- hidden --> Visible after the comment.\n")
    assert shape(blocks)[1:] == [("paragraph", 0, "Visible after the comment.")]


# -- tables ----------------------------------------------------------------------------------------
TABLE = """\
## Tide table

| Harbour | High tide | Source |
|:--------|:---------:|-------:|
| North pier | 06:12 | [Port office](https://port.example.com/tides) |
| South basin <br> (inner) | 06:40 | |
| | | |

After the table.
"""


def test_table_rows_become_paragraphs_of_cells():
    blocks = markdown_blocks(TABLE)
    assert shape(blocks) == [
        ("heading", 2, "Tide table"),
        ("paragraph", 0, "Harbour · High tide · Source"),
        ("paragraph", 0, "North pier · 06:12 · Port office"),
        ("paragraph", 0, "South basin (inner) · 06:40"),
        ("paragraph", 0, "After the table."),
    ]
    assert [(link.text, link.url) for link in blocks[2].links] == [("Port office", "https://port.example.com/tides")]
    assert "|" not in everything(blocks) and "---" not in everything(blocks)


# -- headings written as links ---------------------------------------------------------------------
LINKED_HEADINGS = """\
### 

[### Lanterns return to the old canal (3 minute read)](https://canal.example.com/lanterns?utm_source=x&amp;id=4)

Volunteers relit forty lanterns along the towpath.

[## Market hall gets a new roof (Sponsor)](https://roof.example.com/)
The roofers finished two weeks early.

[#### ](https://empty.example.com/)

[#hashtag](https://tag.example.com/) stays a link.
"""


def test_a_link_whose_text_is_a_heading_is_a_heading():
    blocks = markdown_blocks(LINKED_HEADINGS)
    assert shape(blocks) == [
        ("heading", 3, "Lanterns return to the old canal (3 minute read)"),
        ("paragraph", 0, "Volunteers relit forty lanterns along the towpath."),
        ("heading", 2, "Market hall gets a new roof (Sponsor)"),
        ("paragraph", 0, "The roofers finished two weeks early."),
        ("paragraph", 0, "#hashtag stays a link."),
    ]
    lanterns, _, roof, _, hashtag = blocks
    assert [(l.text, l.url) for l in lanterns.links] == [
        ("Lanterns return to the old canal (3 minute read)", "https://canal.example.com/lanterns?utm_source=x&id=4")
    ]
    assert [l.url for l in roof.links] == ["https://roof.example.com/"]
    assert [l.url for l in hashtag.links] == ["https://tag.example.com/"]
    assert "###" not in everything(blocks) and "empty.example.com" not in everything(blocks)


def test_linked_headings_make_stories():
    text = "# Canal Digest\n\n## Around town\n\n" + LINKED_HEADINGS
    briefing = parse_document(text, filename="digest.md")
    blob = json.dumps(briefing.to_dict(), ensure_ascii=False)
    assert "###" not in blob
    assert "Lanterns return to the old canal (3 minute read)" in blob
    assert "https://canal.example.com/lanterns?utm_source=x&id=4" in blob


# -- raw HTML --------------------------------------------------------------------------------------
RAW_HTML = """\
# Workshop notes

Tickets are <sup>almost</sup> gone, <span style="color:red">book today</span>.<br>Doors open at nine.

<div align="center">
<p>The <b>keynote</b> moves to <a href="https://hall.example.com/b">hall B</a>.</p>
<script>trackVisitor("zqxscript")</script>
<style>.zqxstyle { color: red }</style>
</div>

<img src="https://cdn.example.com/banner.png" alt="zqxbanner">
**Bring** a laptop and
a charger.

Inline <script>zqxinline()</script>scripts never show.
"""


def test_raw_html_tags_go_and_their_text_stays():
    blocks = markdown_blocks(RAW_HTML)
    assert shape(blocks) == [
        ("heading", 1, "Workshop notes"),
        ("paragraph", 0, "Tickets are almost gone, book today."),
        ("paragraph", 0, "Doors open at nine."),
        ("paragraph", 0, "The keynote moves to hall B."),
        ("paragraph", 0, "Bring a laptop and a charger."),
        ("paragraph", 0, "Inline scripts never show."),
    ]
    assert [l.url for l in blocks[3].links] == ["https://hall.example.com/b"]
    assert blocks[4].lead_strong == "Bring"
    text = everything(blocks)
    for gone in ("zqx", "<", ">", "color", "banner", "**"):
        assert gone not in text


# -- links -----------------------------------------------------------------------------------------
LINKS = """\
# Links

Read the report at https://report.example.com/2026/harbour and write to <mailto:desk@example.com>.

See [the minutes][minutes], the [agenda], <https://auto.example.com/x> and ![a photo of the pier](https://img.example.com/p.jpg).

Avoid [this one](javascript:alert(1)) but keep [that one](https://ok.example.com/path(1)).

[minutes]: https://council.example.com/minutes "Minutes"
[agenda]: <https://council.example.com/agenda>
"""


def test_bare_reference_and_autolinks_become_links():
    first, second, third = markdown_blocks(LINKS)[1:]
    assert first.text == "Read the report at https://report.example.com/2026/harbour and write to mailto:desk@example.com."
    assert [l.url for l in first.links] == ["mailto:desk@example.com", "https://report.example.com/2026/harbour"]
    assert second.text == "See the minutes, the agenda, https://auto.example.com/x and ."
    assert [(l.text, l.url) for l in second.links] == [
        ("the minutes", "https://council.example.com/minutes"),
        ("agenda", "https://council.example.com/agenda"),
        ("https://auto.example.com/x", "https://auto.example.com/x"),
    ]
    assert "photo" not in everything([second])  # an image's description is not text
    assert third.text == "Avoid this one but keep that one."
    assert [l.url for l in third.links] == ["https://ok.example.com/path(1)"]
    assert "javascript" not in everything([third])


# -- documents that open with a rule ---------------------------------------------------------------
def test_a_document_that_opens_with_a_rule_does_not_crash():
    for text in ("---", "---\n", "---\n---\n", "---\ntitle: Pier news\n---\n\n# Pier news\n\nBody text.\n", "---\n# Only\n"):
        blocks = markdown_blocks(text)
        assert all(b.text for b in blocks)
    blocks = markdown_blocks("---\n\n# Pier news\n\nBody text.\n")
    assert shape(blocks) == [("heading", 1, "Pier news"), ("paragraph", 0, "Body text.")]
    assert blocks[0].after_break


# -- block structure -------------------------------------------------------------------------------
STRUCTURE = """\
Pier Weekly
===========

Three stories this week.

Ferries
-------

- Timetable changes on Monday
  and on Tuesday too.
  - Early boat at 05:40
  - Late boat at 23:10
- Fares stay the same

1. First point
2. Second point

> Quoted from the harbour master.
>
> A second quoted paragraph.

```text
line one of the notice
line two of the notice
```

    indented code line

***

After the rule.
"""


def test_block_structure():
    blocks = markdown_blocks(STRUCTURE)
    assert shape(blocks) == [
        ("heading", 1, "Pier Weekly"),
        ("paragraph", 0, "Three stories this week."),
        ("heading", 2, "Ferries"),
        ("item", 0, "Timetable changes on Monday and on Tuesday too."),
        ("item", 0, "Early boat at 05:40"),
        ("item", 0, "Late boat at 23:10"),
        ("item", 0, "Fares stay the same"),
        ("item", 0, "First point"),
        ("item", 0, "Second point"),
        ("paragraph", 0, "Quoted from the harbour master."),
        ("paragraph", 0, "A second quoted paragraph."),
        ("paragraph", 0, "line one of the notice"),
        ("paragraph", 0, "line two of the notice"),
        ("paragraph", 0, "indented code line"),
        ("paragraph", 0, "After the rule."),
    ]
    assert [b.after_break for b in blocks].count(True) == 1 and blocks[-1].after_break


# -- bold labels and converted e-mails -------------------------------------------------------------
LABELS = """\
## Story

**The Pier:** A new café opened at the end of the pier.
**Why it matters:** It is the first one in ten years.

**All bold line**

**Lead words** and the rest of the sentence.

**Label** : with the colon outside.

**Loose label: **with a space before the closing marker.

A paragraph that was
wrapped by its editor.
"""


def test_bold_labels_start_paragraphs_and_are_reported():
    blocks = markdown_blocks(LABELS)
    assert [(b.text, b.strong_label, b.all_strong, b.lead_strong) for b in blocks[1:]] == [
        ("The Pier: A new café opened at the end of the pier.", "The Pier:", False, "The Pier:"),
        ("Why it matters: It is the first one in ten years.", "Why it matters:", False, "Why it matters:"),
        ("All bold line", None, True, "All bold line"),
        ("Lead words and the rest of the sentence.", None, False, "Lead words"),
        ("Label : with the colon outside.", "Label:", False, "Label"),
        ("Loose label: with a space before the closing marker.", "Loose label:", False, "Loose label:"),
        ("A paragraph that was wrapped by its editor.", None, False, None),
    ]


LINE_PER_PARAGRAPH = """\
# Morning Pier
Good morning from the harbour.
**Today:** three short notes.
The ferry is on time.
• Bring a coat
• Bring an umbrella
2. The fish market opens late
Visit [the market](https://market.example.com) after ten.
"""


def test_a_document_written_one_paragraph_per_line_keeps_its_lines_apart():
    blocks = markdown_blocks(LINE_PER_PARAGRAPH)
    assert shape(blocks) == [
        ("heading", 1, "Morning Pier"),
        ("paragraph", 0, "Good morning from the harbour."),
        ("paragraph", 0, "Today: three short notes."),
        ("paragraph", 0, "The ferry is on time."),
        ("item", 0, "Bring a coat"),
        ("item", 0, "Bring an umbrella"),
        ("item", 0, "The fish market opens late"),
        ("paragraph", 0, "Visit the market after ten."),
    ]
    assert blocks[2].strong_label == "Today:"
    assert [l.url for l in blocks[-1].links] == ["https://market.example.com"]


def test_stray_emphasis_markers_are_not_text():
    blocks = markdown_blocks("**Half open bold and *half em\n\nsnake_case stays, 5 * 3 stays, \\*escaped\\* stays\n")
    assert [b.text for b in blocks] == ["Half open bold and half em", "snake_case stays, 5 * 3 stays, *escaped* stays"]


# -- robustness ------------------------------------------------------------------------------------
def test_deep_nesting_keeps_every_word():
    for marker in (">", "> ", "- ", "1. "):
        blocks = markdown_blocks(marker * 150 + "deepword\n\nafterword\n")
        words = " ".join(b.text for b in blocks)
        assert "deepword" in words and "afterword" in words


def test_unbalanced_brackets_stay_fast():
    for text in ("[" * 100_000, "![x" * 50_000):
        start = time.perf_counter()
        blocks = markdown_blocks("# T\n\n" + text)
        assert time.perf_counter() - start < 5
        assert blocks[0].kind is Kind.HEADING
