"""Reading plain text (and e-mails' text parts) into blocks."""

from __future__ import annotations

import re

from briefing_tui.model import Link
from briefing_tui.parser.blocks import Block, Kind, make_block, split_bullet
from briefing_tui.text import safe_url


def _wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped plain-text document was wrapped at, or None if it is not wrapped.

    Newsletters sent as plain text come either one paragraph per line (long lines, no wrapping)
    or wrapped at a fixed width (72-80 columns) with blank lines between paragraphs. A document
    counts as wrapped when its lines stay under ~120 columns and, wherever a line is followed by
    another, the next line's first word would not have fitted on it.
    """
    widths = [len(line.rstrip()) for line in lines if line.strip()]
    if len(widths) < 3:
        return None
    # The width shows on lines that continue below; a line standing alone (a long title, a URL)
    # may run past it.
    inner = [
        len(line.rstrip())
        for line, following in zip(lines, lines[1:])
        if line.strip() and following.strip() and not split_bullet(following)[0] and "://" not in line
    ]
    width = max(inner) if len(inner) >= 3 else max(widths)
    if not 40 <= width <= 120:
        return None
    pairs = breaks = 0
    for line, following in zip(lines, lines[1:]):
        if not line.strip() or not following.strip() or split_bullet(following)[0]:
            continue
        pairs += 1
        # A break inside a sentence: the line was full and the sentence goes on below it.
        if _overflows(line, following, width) and (
            following.lstrip()[:1].islower() or line.rstrip()[-1:] not in ".!?:"
        ):
            breaks += 1
    if breaks >= 2 and breaks >= pairs * 0.4:
        return width
    return None


def _overflows(line: str, following: str, width: int) -> bool:
    """Would the first word of ``following`` have made ``line`` longer than ``width``?"""
    words = following.split(None, 1)
    return bool(words) and len(line.rstrip()) + 1 + len(words[0]) > width - 1


def _continues_target(previous: str, line: str) -> bool:
    """The text after a link target goes on: "( https://... )" / " — A huge release"."""
    return bool(_TARGET_END.search(previous)) and (
        (line[:1] == " " and line[1:2] != " ") or line.lstrip()[:1] in ("—", "–")
    )


#: A plain-text separator line: "***", "* * *", "-----", "=====", "~~~~", "___".
_TEXT_RULE = re.compile(r"^\s*(?:([-=*_~#+.·•])\s*)\1(?:\s*\1)+\s*$")
#: Kind of the marker _group_paragraphs puts where a thematic break was.
BREAK = "break"


def _group_paragraphs(lines: list[str]) -> list[tuple[str, str, int]]:
    """Group plain-text lines into (kind, text, level) tuples: paragraphs, items and breaks.

    Lines join when the document is hard-wrapped (the next line's first word would not have
    fitted), when a line ends in one space (format=flowed), after a comma or semicolon, and when a
    link target ("( https://... )") or the text after it continues them; otherwise every line is
    a paragraph of its own.
    """
    width = _wrap_width(lines)
    out: list[tuple[str, str, int]] = []
    para: list[str] = []
    item: list[str] | None = None
    previous = ""

    def flush() -> None:
        nonlocal para, item
        if item is not None:
            out.append(("item", " ".join(item), 0))
            item = None
        if para:
            out.append(("para", " ".join(para), 0))
            para = []

    def joins(line: str) -> bool:
        """Does ``line`` continue the paragraph or item before it?"""
        if _TARGET_LINE.match(line) or previous.endswith(" ") and not previous.endswith("  "):
            # "( https://... )" on a line of its own is the target of the words above it; a
            # line ending in one space was broken by the sender's wrapping (format=flowed).
            return True
        if _continues_target(previous, line) or previous.rstrip()[-1:] in (",", ";"):
            return True
        return width is not None and _overflows(previous, line, width)

    for raw in lines:
        raw = raw.rstrip("\r")
        line = raw.rstrip()
        if not line.strip():
            flush()
            previous = ""
            continue
        if _TEXT_RULE.match(line):
            flush()
            out.append((BREAK, "", 0))
            previous = ""
            continue
        is_item, rest = split_bullet(line)
        if is_item and (para or item) and _continues_target(previous, line):
            is_item = False
        if is_item:
            flush()
            item = [rest.strip()]
        elif item is not None and joins(line):
            item.append(line.strip())
        elif para and joins(line):
            para.append(line.strip())
        else:
            flush()
            para.append(line.strip())
        previous = raw.rstrip("\n")
    flush()
    return out


#: A footnote's target at the end of a plain-text e-mail: "[3] https://example.com/story".
_NOTE_DEF = re.compile(r"^\s*\[(\d{1,4})\]:?\s+((?:https?|mailto):\S+)\s*$")
_NOTE_MARK = re.compile(r"\s?\[(\d{1,4})\]")


def _footnotes(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Split off the numbered link list plain-text e-mails end with, when the text cites it.

    Returns the lines without the cited definitions and {number: url}.
    """
    defs = {}
    for line in lines:
        match = _NOTE_DEF.match(line)
        if match:
            defs.setdefault(match.group(1), match.group(2))
    if not defs:
        return lines, {}
    cited = set()
    for line in lines:
        if not _NOTE_DEF.match(line):
            cited.update(n for n in _NOTE_MARK.findall(line) if n in defs)
    if not cited:
        return lines, {}
    kept = []
    for line in lines:
        match = _NOTE_DEF.match(line)
        if match and match.group(1) in cited:
            continue
        kept.append(line)
    return kept, {n: defs[n] for n in cited}


def _resolve_notes(raw: str, notes: dict[str, str]) -> tuple[str, list[Link]]:
    """Remove cited footnote marks from ``raw``, returning the links they stood for."""
    found: list[str] = []

    def replace(match: re.Match) -> str:
        number = match.group(1)
        if number not in notes:
            return match.group(0)
        found.append(notes[number])
        return ""

    text = _NOTE_MARK.sub(replace, raw)
    if not found:
        return raw, []
    label = " ".join(text.split())
    links = []
    for url in found:
        safe = safe_url(url)
        if safe:
            # A short line is the link's own text (a headline); in a paragraph, the URL is.
            links.append(Link(text=label if len(label) <= 150 else safe, url=safe))
    return text, links


#: A link target written after its words in an e-mail's text part: "words ( https://x )",
#: "words (https://x)", "words [https://x]", "words <https://x>".
_TARGET = re.compile(r"[ \t]*(?:\(\s*|\[\s*|<)((?:https?|mailto):[^\s()\[\]<>]+)\s*[)\]>]")
_TARGET_END = re.compile(r"(?:https?|mailto):\S+\s*[)\]>][.,;]?\s*$")
_TARGET_LINE = re.compile(r"^\s*(?:\(\s*|\[\s*|<)(?:https?|mailto):\S+\s*[)\]>]")
#: Where the words of a link can start, looking back from its target: after a sentence,
#: a dash or a colon, or an earlier target.
_CLAUSE_BREAK = re.compile(r"[.!?:;]\s|\s[—–]\s|\s-\s")
_SENTENCE_BREAK = re.compile(r"[.!?]\s")
#: Longest run of words before a target that is taken as its text.
_LINK_WORDS = 12


def _clause_start(text: str) -> int:
    """Where the last clause of ``text`` starts: after its last sentence end, colon or spaced
    dash, else 0 (one linear scan)."""
    start = 0
    for match in _CLAUSE_BREAK.finditer(text):
        start = match.end()
    return start


def _targets(raw: str) -> tuple[str, list[Link], str | None]:
    """Move written-out link targets out of the text and onto the words before them.

    Returns (text, links, lead link text): the lead link text is the linked words when the block
    opens with them ("TINYGO 0.41 ( https://... ) — A huge release"), as a link digest's title.
    """
    links: list[Link] = []
    out: list[str] = []
    position = 0
    lead: str | None = None
    written = False  # any text before the current target
    for match in _TARGET.finditer(raw):
        url = safe_url(match.group(1))
        before = raw[position : match.start()]
        opening = not links and not written
        out.append(before)
        written = written or bool(before.strip())
        position = match.end()
        if not url:
            out.append(match.group(0))
            written = True
            continue
        # The link's words: back to the start of the clause, the last target, or a few words.
        start: int | None = _clause_start(before)
        if opening and len(before.split()) <= 20 and not _SENTENCE_BREAK.search(before):
            start = None  # a block that opens with linked words: all of them ("TINYGO 0.41: ...")
        words = before[start or 0 :].split()
        label = " ".join(words if start is None and opening else words[-_LINK_WORDS:]).strip(" ,;:—–-(")
        links.append(Link(text=label or url, url=url))
        if lead is None and opening and label and before.strip() == label:
            lead = label
    out.append(raw[position:])
    text = "".join(out)
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    return text, links, lead


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text document."""
    lines, notes = _footnotes(text.split("\n"))
    blocks = []
    after_break = False
    for kind, raw, _level in _group_paragraphs(lines):
        if kind == BREAK:
            after_break = True
            continue
        links: list[Link] = []
        if notes:
            raw, links = _resolve_notes(raw, notes)
        raw, found, lead = _targets(raw)
        links.extend(found)
        block = make_block(
            Kind.ITEM if kind == "item" else Kind.PARAGRAPH,
            raw,
            links=links,
            after_break=after_break,
            lead_strong=lead,
        )
        if block is None and found:
            # A target alone on its line ("( https://sponsor.example )") still keeps its link.
            block = make_block(Kind.PARAGRAPH, found[0].url, links=found, after_break=after_break)
        if block:
            blocks.append(block)
            after_break = False
    return blocks
