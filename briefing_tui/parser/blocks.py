"""The common intermediate form: a document as a flat list of blocks.

Each syntax (plain text, Markdown, HTML) is read into the same sequence of headings,
paragraphs and list items; :mod:`briefing_tui.parser.structure` then finds the briefing's
shape in that sequence once, for all syntaxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from briefing_tui.model import Link
from briefing_tui.text import clean_text, safe_url, truncate, unwrap_redirect


class Kind(Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    ITEM = "item"


@dataclass(slots=True)
class Block:
    kind: Kind
    text: str
    #: Heading level 1-6. Plain-text lines have no markup, so they never are headings.
    level: int = 0
    links: list[Link] = field(default_factory=list)
    #: Text of a bold run that opens the block and ends with a colon ("**Why it matters:**").
    strong_label: str | None = None
    #: The whole block is bold (e-mail layouts use bold paragraphs as headings).
    all_strong: bool = False
    #: A thematic break (a rule, "***", <hr>) stands right before the block.
    after_break: bool = False
    #: Text of a bold run that opens the block ("**[Title](url)** - commentary").
    lead_strong: str | None = None

    @property
    def is_heading(self) -> bool:
        return self.kind is Kind.HEADING


_BULLET = re.compile(r"^\s*(?:[-*+•·▪◦‣●○■□➤➢►▶→–—]|\d{1,3}[.)])\s+(?=\S)")
_URL_IN_TEXT = re.compile(r"(?:https?://|mailto:)[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")


def split_bullet(line: str) -> tuple[bool, str]:
    """(True, rest) when ``line`` starts with a list marker, else (False, line)."""
    match = _BULLET.match(line)
    if match:
        return True, line[match.end() :]
    return False, line


def bare_links(text: str) -> list[Link]:
    """Links for URLs written out in plain text."""
    links = []
    for match in _URL_IN_TEXT.finditer(text):
        url = safe_url(match.group(0))
        if url:
            url = unwrap_redirect(url)
            links.append(Link(text=url, url=url))
    return links


def make_block(
    kind: Kind,
    raw: str,
    *,
    level: int = 0,
    links: list[Link] | None = None,
    strong_label: str | None = None,
    all_strong: bool = False,
    after_break: bool = False,
    lead_strong: str | None = None,
    decode_entities: bool = True,
) -> Block | None:
    """Build a cleaned block; None when nothing visible is left."""
    text = clean_text(raw, decode_entities=decode_entities)
    if not text:
        return None
    found: list[Link] = []
    known: set[str] = set()
    for link in links or []:
        url = unwrap_redirect(link.url)
        if url not in known:
            known.add(url)
            label = clean_text(link.text, decode_entities=decode_entities)
            if label == link.url:
                label = url
            found.append(Link(text=truncate(label, 300) or url, url=url))
    for link in bare_links(text):
        if link.url not in known:
            known.add(link.url)
            found.append(link)
    label = clean_text(strong_label, decode_entities=decode_entities) if strong_label else None
    return Block(
        kind,
        text,
        level=level,
        links=found,
        strong_label=label or None,
        all_strong=all_strong,
        after_break=after_break,
        lead_strong=clean_text(lead_strong, decode_entities=decode_entities) or None if lead_strong else None,
    )


def is_ornament(text: str) -> bool:
    """A line of emoji or symbols with no letters or digits ("🚀", "⚡"): a section's icon.
    Arrows ("↓", "→") point at what follows or end a part; they are never an icon."""
    return (
        0 < len(text) <= 12
        and not any(c.isalnum() for c in text)
        and any(ord(c) >= 0x2190 and not 0x2190 <= ord(c) <= 0x21FF and not 0x2B00 <= ord(c) <= 0x2B0F for c in text)
    )


def fold_ornaments(blocks: list[Block]) -> list[Block]:
    """Put an icon that stands on a line of its own in front of the heading under it."""
    out: list[Block] = []
    pending: Block | None = None
    for block in blocks:
        if pending is not None:
            if block.kind is not Kind.ITEM:
                block.text = f"{pending.text} {block.text}"
                block.links = pending.links + block.links
                block.after_break = block.after_break or pending.after_break
            else:
                out.append(pending)
            pending = None
        if block.kind is not Kind.ITEM and is_ornament(block.text):
            pending = block
            continue
        out.append(block)
    if pending is not None:
        out.append(pending)
    return out
