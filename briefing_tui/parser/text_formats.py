"""Reading plain text and Markdown into blocks."""

from __future__ import annotations

import re

from briefing_tui.model import Link
from briefing_tui.parser.blocks import Block, Kind, make_block, split_bullet
from briefing_tui.text import safe_url

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_RULE = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*[\"')])?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_INLINE_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[([^\]]*)\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_STRONG_LABEL = re.compile(r"^\s*(?:\*\*|__)([^*_]+?)(?:(:)\s*(?:\*\*|__)|(?:\*\*|__)\s*(:))\s*")
_ALL_STRONG = re.compile(r"^\s*(?:\*\*|__)([^*_].*?)(?:\*\*|__)\s*$")
_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)|(?<=\S)_(?!\w)|~~)")
_CODE = re.compile(r"`+([^`]*)`+")
_BLOCKQUOTE = re.compile(r"^\s{0,3}>\s?")


def _looks_line_oriented(lines: list[str]) -> bool:
    """True when paragraphs are one per line (few blank lines), as in the seed briefings."""
    non_blank = [line for line in lines if line.strip()]
    if len(non_blank) < 4:
        return True
    blanks = len(lines) - len(non_blank)
    return blanks < len(non_blank) * 0.15


def _group_paragraphs(lines: list[str], markdown: bool) -> list[tuple[str, str, int]]:
    """Group lines into (kind, text, level) tuples, following Markdown's block rules loosely."""
    line_mode = _looks_line_oriented(lines)
    out: list[tuple[str, str, int]] = []
    para: list[str] = []
    item: list[str] | None = None
    in_fence = False

    def flush() -> None:
        nonlocal para, item
        if item is not None:
            out.append(("item", " ".join(item), 0))
            item = None
        if para:
            out.append(("para", " ".join(para), 0))
            para = []

    for index, raw in enumerate(lines):
        line = raw.rstrip()
        if markdown and _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            if line.strip():
                out.append(("para", line.strip(), 0))
            continue
        if not line.strip():
            flush()
            continue
        if markdown:
            if _REF_DEF.match(line):
                flush()
                continue
            heading = _ATX.match(line)
            if heading:
                flush()
                out.append(("heading", heading.group(2), len(heading.group(1))))
                continue
            setext = _SETEXT.match(line)
            if setext and para and not line_mode and item is None:
                text = " ".join(para)
                para = []
                out.append(("heading", text, 1 if setext.group(1)[0] == "=" else 2))
                continue
            if _RULE.match(line):
                flush()
                continue
            line = _BLOCKQUOTE.sub("", line)
        is_item, rest = split_bullet(line)
        if is_item:
            flush()
            item = [rest.strip()]
            continue
        if item is not None and raw[:1] in (" ", "\t") and not line_mode:
            item.append(line.strip())
            continue
        if line_mode:
            flush()
            out.append(("para", line.strip(), 0))
        else:
            if item is not None:
                flush()
            para.append(line.strip())
        del index
    flush()
    return out


def _inline_markdown(text: str, refs: dict[str, str]) -> tuple[str, list[Link], str | None, bool]:
    """Strip inline Markdown; return (text, links, strong label, whole block bold)."""
    links: list[Link] = []

    def keep_link(label: str, target: str) -> str:
        url = safe_url(target)
        if url:
            links.append(Link(text=label.strip() or url, url=url))
        return label

    text = _IMAGE.sub("", text)
    text = _INLINE_LINK.sub(lambda m: keep_link(m.group(1), m.group(2)), text)
    text = _REF_LINK.sub(
        lambda m: keep_link(m.group(1), refs.get((m.group(2) or m.group(1)).lower(), "")), text
    )
    text = _AUTOLINK.sub(lambda m: keep_link(m.group(1), m.group(1)), text)
    text = _HTML_TAG.sub("", text)
    text = _CODE.sub(lambda m: m.group(1), text)
    label = None
    strong = _STRONG_LABEL.match(text)
    if strong:
        label = strong.group(1).strip() + ":"
    all_strong = bool(_ALL_STRONG.match(text)) and "**" not in text.strip()[2:-2]
    text = _EMPHASIS.sub("", text)
    return text, links, label, all_strong


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text document."""
    blocks = []
    for kind, raw, _level in _group_paragraphs(text.split("\n"), markdown=False):
        block = make_block(Kind.ITEM if kind == "item" else Kind.PARAGRAPH, raw)
        if block:
            blocks.append(block)
    return blocks


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown document."""
    lines = text.split("\n")
    refs = {}
    for line in lines:
        match = _REF_DEF.match(line)
        if match:
            refs[match.group(1).lower()] = match.group(2)
    blocks = []
    for kind, raw, level in _group_paragraphs(lines, markdown=True):
        plain, links, label, all_strong = _inline_markdown(raw, refs)
        block_kind = {"heading": Kind.HEADING, "item": Kind.ITEM}.get(kind, Kind.PARAGRAPH)
        block = make_block(
            block_kind, plain, level=level, links=links, strong_label=label, all_strong=all_strong
        )
        if block:
            blocks.append(block)
    return blocks
