"""Building the model's items from blocks: stable ids, shortlist items and references."""

from __future__ import annotations

import hashlib
from collections import Counter

from briefing_tui.model import Link, Reference, ShortlistItem
from briefing_tui.parser.blocks import Block, Kind
from briefing_tui.parser.header import norm

BULLET_PREFIX = "- "
#: How many words of a text go into its id: enough to tell items apart, few enough that a
#: corrected typo late in a paragraph keeps the id.
ID_WORDS = 12
_REF_SEPARATORS = (" — ", " – ", " -- ", " | ", " - ", ": ")


def stable_id(prefix: str, *parts: str) -> str:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=6).hexdigest()
    return f"{prefix}-{digest}"


class IdMaker:
    """Ids from an item's own words; repeats of the same words get a counter."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seen: Counter[str] = Counter()

    def __call__(self, *parts: str) -> str:
        key = "\x1f".join(parts)
        self.seen[key] += 1
        count = self.seen[key]
        return stable_id(self.prefix, key, str(count) if count > 1 else "")


def first_words(text: str | None, count: int = ID_WORDS) -> str:
    return " ".join(norm(text or "")[:2000].split()[:count])


def as_line(block: Block) -> str:
    """A block as one line of a body: list items keep a bullet."""
    return BULLET_PREFIX + block.text if block.kind is Kind.ITEM else block.text


def unique_links(links: list[Link]) -> tuple[Link, ...]:
    found: dict[str, Link] = {}
    for link in links:
        found.setdefault(link.url, link)
    return tuple(found.values())


def shortlist_items(entries: list[tuple[Block, str | None]]) -> tuple[ShortlistItem, ...]:
    """Shortlist items from (block, heading it stood under) pairs, in page order."""
    make_id = IdMaker("q")
    return tuple(
        ShortlistItem(
            id=make_id(first_words(block.text, 20)),
            text=block.text,
            url=block.links[0].url if block.links else None,
            group=group,
        )
        for block, group in entries
    )


def reference(block: Block) -> Reference:
    """"Publisher — Title" (or with " -- ", " | ", ": "), its URL if it has one."""
    text = block.text
    url = block.links[0].url if block.links else None
    if url and url in text and text.strip() != url:
        text = text.replace(url, "").strip(" -—–|:()[]<>") or text
    for separator in _REF_SEPARATORS:
        if separator in text:
            publisher, title = text.split(separator, 1)
            publisher, title = publisher.strip(), title.strip()
            if publisher and title and len(publisher.split()) <= 8:
                return Reference(title=title, publisher=publisher, url=url)
    return Reference(title=text, publisher=None, url=url)
