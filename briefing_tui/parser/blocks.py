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
from briefing_tui.text import clean_text, safe_url, truncate


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
    decode_entities: bool = True,
) -> Block | None:
    """Build a cleaned block; None when nothing visible is left."""
    text = clean_text(raw, decode_entities=decode_entities)
    if not text:
        return None
    found: list[Link] = []
    known: set[str] = set()
    for link in links or []:
        if link.url not in known:
            known.add(link.url)
            label = clean_text(link.text, decode_entities=decode_entities)
            found.append(Link(text=truncate(label, 300) or link.url, url=link.url))
    for link in bare_links(text):
        if link.url not in known:
            known.add(link.url)
            found.append(link)
    label = clean_text(strong_label, decode_entities=decode_entities) if strong_label else None
    return Block(kind, text, level=level, links=found, strong_label=label or None, all_strong=all_strong)
