"""Text hygiene: escape sequences, control characters, bidi overrides, entities, unsafe links,
literal markup, and input sizes that must not slow the parser down."""

from __future__ import annotations

import json
import time

import pytest

from briefing_tui.parser import ParseError, parse_document
from briefing_tui.text import MAX_LABEL_CHARS, clean_text, safe_url
from tests.conftest import FIXTURES

_FORBIDDEN = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"] + [chr(c) for c in range(0x7F, 0xA0)] + [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b",
]


def all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)


def assert_clean(briefing):
    for text in all_strings(briefing.to_dict()):
        bad = [c for c in text if c in _FORBIDDEN]
        assert not bad, (text, bad)
        assert "\n" not in text


def test_hostile_text_document():
    briefing = parse_document((FIXTURES / "hostile.txt").read_bytes(), filename="hostile.txt")
    assert_clean(briefing)
    assert briefing.title == "Red Alert Weekly: terminals under attack"
    assert briefing.subtitle == "A test of what the reader shows. Click me if you dare."  # OSC 8 link text kept
    assert briefing.source == "Red Alert"
    assert briefing.date == "2026-06-01"
    escapes, bidi = briefing.stories
    assert escapes.title == "Escape Codes in Titles"
    assert escapes.lead == "Titles can carry clear-screen codes and [31m encoded escapes."
    assert escapes.unpacked == (
        "A C1 control can act like ESC[ on some terminals.",
        # Console markup is text like any other: escaping it is the front end's job.
        "Rich markup like [bold]this[/bold] and [link=https://evil.example.com]that[/link] must stay literal.",
    )
    assert escapes.bottom_line == "Strip the bytes, keep the words."
    assert bidi.lead == "The file invoicegpj.exe looks like a picture when reordered."
    assert bidi.unpacked == ("Zerowidth and isolate characters hide text too.",)
    assert [(r.publisher, r.title) for r in briefing.references] == [("Red Alert Lab", "Terminal escapes considered harmful")]


def test_hostile_html_document():
    html = (
        "<html><body><h1>\x1b[1mLoud\x1b[0m &#x1b;[2J title</h1>"
        "<h2>Story &#8238;txt.exe</h2>"
        "<p><strong>Why it matters:</strong> Bells\x07 and \x9b31m C1 and &#x202E;override &amp; [red]markup[/red].</p>"
        "<p onclick=\"alert(1)\"><a href=\"java&#x09;script:alert(1)\">tabbed scheme</a> "
        "<a href=\" JAVASCRIPT:alert(2)\">upper scheme</a> <a href=\"data:text/html;base64,PHNjcmlwdD4=\">data</a> "
        "<a href=\"https://ok.example.com/a?b=1&amp;c=2\">fine</a></p>"
        "<script>document.write('gone')</script><style>p{color:red}</style>"
        "<noscript>also gone</noscript><template><p>template gone</p></template>"
        "<p style=\"display:none\">hidden gone</p><p hidden>attr hidden gone</p>"
        "<img src=\"https://t.example.com/p.gif\" width=\"1\" height=\"1\">"
        "</body></html>"
    )
    briefing = parse_document(html, content_type="text/html")
    assert_clean(briefing)
    blob = json.dumps(briefing.to_dict(), ensure_ascii=False)
    for gone in ("gone", "color:red", "alert", "javascript", "JAVASCRIPT", "data:", "p.gif"):
        assert gone not in blob
    assert briefing.title == "Loud [2J title"
    story = briefing.stories[0] if briefing.stories else None
    section = briefing.sections[0] if briefing.sections else None
    assert (story.title if story else section.title) == "Story txt.exe"
    assert "Bells and C1 and override & [red]markup[/red]." in blob
    assert "tabbed scheme upper scheme data fine" in blob
    assert "https://ok.example.com/a?b=1&c=2" in blob


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[31mred\x1b[0m b", "ared b"),
        ("\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1b]0;window title\x07after", "after"),
        ("keep \x1b]unterminated osc but\nthe rest", "keep unterminated osc but the rest"),
        ("\x1b]8;;https://x.example\x07text\x1b]8;;\x07", "text"),
        ("\x9b2Jc1 csi", "c1 csi"),
        ("x\x00y\x08z\x7f\x85w", "xyzw"),
        ("&lt;b&gt; &amp;amp; &nbsp;&#169; &#x1F600;", "<b> &amp; © 😀"),
        ("bidi \u202eevil\u202c and \u2066iso\u2069", "bidi evil and iso"),
        ("  lots \t of\n\n  space  ", "lots of space"),
        ("[bold red]kept[/]", "[bold red]kept[/]"),
        ("e\u0301", "é"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_unterminated_c1_osc_does_not_swallow_the_document():
    text = "start \x9d" + "word " * 1000 + "end"
    cleaned = clean_text(text)
    assert cleaned.endswith("end") and cleaned.count("word") >= 999


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("http://example.com", "http://example.com"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("//cdn.example.com/x", "https://cdn.example.com/x"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,hi", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("ftp://example.com/file", None),
        ("https://exa\x1b[31mmple.com", "https://example.com"),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url, safe):
    assert safe_url(url) == safe


def test_binary_and_empty_input_raise_parse_error():
    for data in (b"", b"   \n\t ", b"\x00\x01\x02binary\x00" * 100, bytes(range(256)) * 40):
        with pytest.raises(ParseError):
            parse_document(data)


def test_legacy_encodings_decode():
    briefing = parse_document("Caf\u00e9 news\n\u201cQuoted\u201d line.\n".encode("cp1252"), filename="a.txt")
    assert briefing.title == "Café news"
    assert briefing.intro == ("“Quoted” line.",)
    briefing = parse_document("\ufeffTitle with BOM\nBody.\n".encode("utf-8"), filename="a.txt")
    assert briefing.title == "Title with BOM"


# -- size -------------------------------------------------------------------------------------
def _timed(data, **options):
    start = time.perf_counter()
    briefing = parse_document(data, **options)
    return briefing, time.perf_counter() - start


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["text", "markdown", "html"])
def test_ten_megabyte_entry_parses_in_seconds(kind):
    sentence = "Some words of a long paragraph about chips and models, with a link. "
    if kind == "html":
        unit = "<tr><td><h2>Story heading</h2><p><b>Why it matters:</b> " + sentence * 6 + (
            "<a href='https://example.com/x'>link</a></p><ul><li>One point.</li></ul></td></tr>\n"
        )
        data, options = "<html><body><table>" + unit * (10_000_000 // len(unit)) + "</table></body></html>", {
            "content_type": "text/html"
        }
    elif kind == "markdown":
        unit = "## Story heading\n\n**Why it matters:** " + sentence * 6 + "[link](https://example.com/x)\n\n- One point.\n\n"
        data, options = "# Big\n\n" + unit * (10_000_000 // len(unit)), {"filename": "big.md"}
    else:
        unit = "Story Heading\nThe Paper: " + sentence * 6 + "\nBottom line: Short.\n"
        data, options = "Big\n" + unit * (10_000_000 // len(unit)), {"filename": "big.txt"}
    briefing, seconds = _timed(data, **options)
    assert len(briefing.stories) + len(briefing.sections) > 1000
    assert seconds < 60, seconds


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("data", "options"),
    [
        ("Word " * 40_000 + "\nBody line.\n", {"filename": "a.txt"}),
        ("# " + "Word " * 40_000 + "\n\nBody.\n", {"filename": "a.md"}),
        ("<title>" + "Word " * 40_000 + "</title><h1>" + "Word " * 40_000 + "</h1><p>x</p>", {"content_type": "text/html"}),
        ("Body.\n", {"filename": "a.txt", "title": "Word " * 40_000}),
    ],
    ids=["text", "markdown", "html", "hint"],
)
def test_two_hundred_thousand_character_title(data, options):
    briefing, seconds = _timed(data, **options)
    # A plain first line that long is kept in the body; a heading or a hint is cut to the label
    # limit, so lists, title bars and the cache never carry megabyte labels.
    assert len(briefing.title) <= MAX_LABEL_CHARS
    assert briefing.title.startswith("Word Word")
    assert briefing.title.endswith("…") or len(briefing.intro[0]) >= 199_999
    assert seconds < 10, seconds


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("data", "options"),
    [
        ("# T\n\n" + "[" * 200_000, {"filename": "a.md"}),
        ("# T\n\n" + "![x" * 100_000, {"filename": "a.md"}),
        ("# T\n\n" + "[a](" * 100_000, {"filename": "a.md"}),
        ("# T\n\n" + "<a" * 100_000, {"filename": "a.md"}),
        ("# T\n\n" + "**" * 100_000, {"filename": "a.md"}),
        ("<p>" + "<a href='https://x.example'>x</a> " * 50_000 + "</p>", {"content_type": "text/html"}),
        ("<div>" * 100_000 + "deep" + "</div>" * 100_000, {"content_type": "text/html"}),
        ("T\n" + "some words \x1b]" * 50_000 + "tail", {"filename": "a.txt"}),
        ("T\nIn this issue:\n" + "".join(f"- Headline {i} about topic{i}\n" for i in range(5000))
         + "".join(f"Headline {i} about topic{i}\nBody {i}.\nBottom line: ok.\n" for i in range(5000)), {"filename": "a.txt"}),
    ],
    ids=["brackets", "images", "open-links", "open-tags", "stars", "many-links", "deep-nesting", "osc", "many-headlines"],
)
def test_pathological_inputs_stay_fast(data, options):
    briefing, seconds = _timed(data, **options)
    assert briefing.title
    assert seconds < 10, seconds
