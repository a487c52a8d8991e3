"""Properties of the parser on arbitrary input: it never raises (except ParseError for empty or
binary input) and it keeps every visible word somewhere in its output."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing_tui.parser import ParseError, parse_document
from briefing_tui.parser.labels import LABELS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
#: Words that may become structure (labels, "From X newsletter", "PLUS:", sponsor lines) or
#: dates, and so legitimately leave the text: the property is about every other word.
_STRUCTURAL = {
    word for texts in LABELS.values() for text in texts for word in re.findall(r"[a-z]+", text)
} | set(_MONTHS) | {
    "from", "newsletter", "plus", "by", "published", "posted", "updated", "sent", "on", "at",
    "today", "todays", "in", "issue", "the", "s", "together", "with", "presented", "sponsored",
    "sponsor", "footer", "untitled", "unsubscribe",
}

# Content words: letters only, so that they cannot form dates, URLs or markup by themselves.
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=9).filter(
    lambda w: w.lower() not in _STRUCTURAL
)
words = st.lists(word, min_size=1, max_size=12).map(" ".join)


def output_of(briefing) -> str:
    return json.dumps(briefing.to_dict(), ensure_ascii=False)


def assert_words_kept(visible: list[str], briefing) -> None:
    out = output_of(briefing)
    found = set(re.findall(r"[A-Za-z]+", out))
    missing = [w for w in visible if w not in found]
    assert not missing, (missing, out[:2000])


def parse_or_parse_error(text: str, visible: list[str] | None = None, **options):
    """The briefing, or None when the input has no visible words and ParseError says so."""
    try:
        return parse_document(text, **options)
    except ParseError:
        assert not visible, "ParseError on a document with visible words"
        return None


# -- arbitrary text -----------------------------------------------------------------------------
@SETTINGS
@given(st.text(max_size=400))
def test_never_raises_on_arbitrary_text(text):
    for options in ({}, {"filename": "a.txt"}, {"filename": "a.md"}, {"content_type": "text/html"}):
        try:
            parse_document(text, **options)
        except ParseError:
            pass


@SETTINGS
@given(st.binary(max_size=400))
def test_never_raises_on_arbitrary_bytes(data):
    try:
        parse_document(data)
    except ParseError:
        pass


_separators = st.sampled_from([" ", "\n", "\n\n", ": ", "\n- ", "\n* ", "\n1. ", ". ", " -- ", " — ", "\t", ", "])


@st.composite
def plain_documents(draw):
    parts = draw(st.lists(st.tuples(words, _separators), min_size=1, max_size=25))
    return "".join(text + sep for text, sep in parts), [w for text, _ in parts for w in text.split()]


@SETTINGS
@given(plain_documents())
def test_plain_text_keeps_every_word(document):
    text, visible = document
    briefing = parse_or_parse_error(text, visible, filename="letter.txt")
    if briefing is not None:
        assert_words_kept(visible, briefing)


# -- Markdown-ish -----------------------------------------------------------------------------------
@st.composite
def markdown_documents(draw):
    visible: list[str] = []
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 20))):
        text = draw(words)
        visible.extend(text.split())
        shape = draw(st.integers(0, 11))
        lines.append(
            [
                "# {t}",
                "## {t}",
                "###### {t}",
                "{t}",
                "- {t}",
                "* {t}",
                "1. {t}",
                "**{t}:** {t2}",
                "**{t}**",
                "[{t}](https://example.com/x)",
                "> {t}",
                "_{t}_ and `{t2}`",
            ][shape].format(t=text, t2=text.upper())
        )
        if shape in (7, 11):
            visible.extend(text.upper().split())
        lines.append(draw(st.sampled_from(["", "", "---"])))
    return "\n".join(lines), visible


@SETTINGS
@given(markdown_documents())
def test_markdown_keeps_every_word(document):
    text, visible = document
    briefing = parse_or_parse_error(text, visible, filename="letter.md")
    if briefing is not None:
        assert_words_kept(visible, briefing)


# -- HTML-ish -------------------------------------------------------------------------------------
@st.composite
def html_documents(draw):
    visible: list[str] = []
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 20))):
        text = draw(words)
        shape = draw(st.integers(0, 12))
        template = [
            "<h1>{t}</h1>",
            "<h2>{t}</h2>",
            "<h6>{t}</h6>",
            "<p>{t}</p>",
            "<p><strong>{t}:</strong> {t}</p>",
            "<ul><li>{t}</li><li>{t}</li></ul>",
            "<table><tr><td><div>{t}</div></td></tr></table>",
            "<p><a href='https://example.com/{n}'>{t}</a></p>",
            "<p><a href='javascript:void(0)'>{t}</a></p>",
            "<div>{t}<br>{t}</div>",
            "<script>var {t} = 1;</script>",
            "<style>.{t} {{ color: red }}</style>",
            "<p>{t} &amp; {t}</p>",
        ][shape]
        parts.append(template.format(t=text, n=len(parts)))
        if shape not in (10, 11):  # script and style words are not visible
            visible.extend(text.split())
    return "<html><body><table><tr><td>" + "".join(parts) + "</td></tr></table></body></html>", visible


@SETTINGS
@given(html_documents())
def test_html_keeps_every_visible_word(document):
    html, visible = document
    briefing = parse_or_parse_error(html, visible, content_type="text/html")
    if briefing is not None:
        assert_words_kept(visible, briefing)


@FEWER
@given(html_documents(), st.text(max_size=60))
def test_html_with_garbage_never_raises(document, garbage):
    html, _ = document
    for cut in (len(html) // 3, len(html) // 2):
        try:
            parse_document(html[:cut] + garbage + html[cut:], content_type="text/html")
        except ParseError:
            pass


@FEWER
@given(html_documents())
def test_script_and_style_words_never_show(document):
    html, visible = document
    marker = "Zqxjscript"
    html = html.replace("<body>", f"<body><script>{marker}()</script><style>.{marker}{{}}</style>")
    briefing = parse_or_parse_error(html, content_type="text/html")
    if briefing is not None:
        assert marker not in output_of(briefing)


@FEWER
@given(plain_documents())
def test_ids_are_stable_across_parses(document):
    text, _ = document
    first = parse_or_parse_error(text, filename="a.txt")
    if first is not None:
        second = parse_document(text, filename="a.txt")
        assert first.item_ids == second.item_ids
        assert first.to_dict() == second.to_dict()
