"""Reading HTML (including e-mail markup with nested layout tables) into blocks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from briefing_tui.model import Link
from briefing_tui.parser.blocks import Block, Kind, make_block
from briefing_tui.text import safe_url

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul caption".split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: Content that is never shown: scripts, styles, metadata, embedded objects and media.
_SKIP_TAGS = frozenset(
    "script style head noscript template svg math iframe object embed canvas audio video "
    "select option textarea xml".split()
)
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_STRONG_TAGS = frozenset({"b", "strong"})
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?:max-)?height\s*:\s*0(?:px)?\s*(?:;|$)[^\"]*overflow\s*:\s*hidden|font-size\s*:\s*0(?:px)?\s*(?:;|$)",
    re.IGNORECASE,
)
_MAX_DEPTH = 2000


@dataclass
class _Buffer:
    pieces: list[tuple[str, bool]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    #: Characters in ``pieces`` so far (kept so links can note where they start in O(1)).
    length: int = 0

    def add(self, text: str, strong: bool) -> None:
        self.pieces.append((text, strong))
        self.length += len(text)

    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def text_from(self, start: int) -> str:
        """The buffer's text from character ``start`` on, reading only the pieces needed."""
        out: list[str] = []
        position = self.length
        for text, _ in reversed(self.pieces):
            if position <= start:
                break
            position -= len(text)
            out.append(text[max(0, start - position) :])
        return "".join(reversed(out))


@dataclass
class HtmlDocument:
    blocks: list[Block]
    title: str | None = None
    date: str | None = None


class _BlockReader(HTMLParser):
    def __init__(self, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.title_parts: list[str] | None = None
        self.doc_title: str | None = None
        self.time_values: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        self.open_tags: Counter[str] = Counter()  # how many of each tag are on the stack
        self.hidden = 0
        self.strong = 0
        self.buffer = _Buffer()
        self.link_stack: list[tuple[str | None, int]] = []
        #: A thematic break (<hr>) was seen since the last block.
        self.pending_break = False
        #: Open table rows: [index of the row's first block, cells, holds a table of its own].
        self.rows: list[list[int]] = []

    # -- state helpers -------------------------------------------------------------------------
    def _context(self) -> tuple[Kind, int]:
        for tag, _ in reversed(self.stack):
            if tag in _HEADINGS:
                return Kind.HEADING, _HEADINGS[tag]
            if tag == "li":
                return Kind.ITEM, 0
            if tag in ("td", "th", "p", "div", "blockquote", "table"):
                break
        return Kind.PARAGRAPH, 0

    def _flush(self) -> None:
        if not self.buffer.pieces:
            return
        buffer, self.buffer = self.buffer, _Buffer()
        # Links still open at a block boundary keep their place in the next buffer.
        if self.link_stack:
            self.link_stack = [(href, 0) for href, _ in self.link_stack]
        raw = buffer.text()
        if not raw.strip():
            return
        kind, level = self._context()
        label = None
        lead_strong = []
        for text, strong in buffer.pieces:
            if not text.strip() and not lead_strong:
                continue
            if not strong:
                if lead_strong and text.lstrip().startswith(":"):
                    lead_strong.append(":")
                break
            lead_strong.append(text)
        candidate = "".join(lead_strong).strip()
        if candidate.endswith(":") and len(candidate) < 80:
            label = candidate
        all_strong = all(strong for text, strong in buffer.pieces if text.strip())
        block = make_block(
            kind,
            raw,
            level=level,
            links=buffer.links,
            strong_label=label,
            all_strong=all_strong,
            after_break=self.pending_break,
            lead_strong=candidate if candidate and not all_strong else None,
            decode_entities=False,
        )
        if block:
            self.blocks.append(block)
            self.pending_break = False

    def _end_row(self) -> None:
        """Join the cells of a data-table row ("Nasdaq | 17,402 | +0.6%") into one line.

        Layout rows (cells holding tables or several paragraphs) are left alone.
        """
        start, cells, nested = self.rows.pop()
        if self.rows and nested:
            self.rows[-1][2] = 1
        # Checked before looking at the blocks, so layout rows around a whole issue cost nothing.
        if nested or not 2 <= cells <= 12 or len(self.blocks) - start != cells:
            return
        blocks = self.blocks[start:]
        if any(b.kind is not Kind.PARAGRAPH or len(b.text) > 80 or b.strong_label for b in blocks):
            return
        links = [link for b in blocks for link in b.links]
        merged = make_block(
            Kind.PARAGRAPH,
            " · ".join(b.text for b in blocks),
            links=links,
            all_strong=all(b.all_strong for b in blocks),
            after_break=blocks[0].after_break,
            decode_entities=False,
        )
        if merged:
            self.blocks[start:] = [merged]

    # -- HTMLParser callbacks -------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title" and self.doc_title is None:
            self.title_parts = []
            return
        if tag == "base" and attributes.get("href"):
            self.base_url = safe_url(attributes["href"]) or self.base_url
        if tag == "time" and attributes.get("datetime"):
            self.time_values.append(attributes["datetime"])
        if tag in _VOID_TAGS:
            if tag in ("br", "hr") and not self.hidden:
                self._flush()
                if tag == "hr":
                    self.pending_break = True
            return
        hides = (
            tag in _SKIP_TAGS
            or "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or bool(_HIDDEN_STYLE.search(attributes.get("style", "")))
        )
        if tag in _BLOCK_TAGS and not self.hidden:
            self._flush()
        if len(self.stack) >= _MAX_DEPTH:
            return
        self.stack.append((tag, hides))
        self.open_tags[tag] += 1
        if hides:
            self.hidden += 1
        if tag in _STRONG_TAGS:
            self.strong += 1
        if tag == "a":
            href = safe_url(attributes.get("href"), self.base_url)
            self.link_stack.append((href, self.buffer.length))
        elif tag == "tr":
            self.rows.append([len(self.blocks), 0, 0])
        elif tag in ("td", "th") and self.rows:
            self.rows[-1][1] += 1
        elif tag == "table" and self.rows:
            self.rows[-1][2] = 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title_parts is not None:
            self.doc_title = "".join(self.title_parts)
            self.title_parts = None
            return
        if tag in _VOID_TAGS or not self.open_tags[tag]:
            return
        if tag in _BLOCK_TAGS and not self.hidden:
            self._flush()
        while self.stack:
            open_tag, hides = self.stack.pop()
            self.open_tags[open_tag] -= 1
            if hides:
                self.hidden -= 1
            if open_tag in _STRONG_TAGS:
                self.strong = max(0, self.strong - 1)
            if open_tag == "tr" and self.rows:
                self._end_row()
            if open_tag == "a" and self.link_stack:
                href, start = self.link_stack.pop()
                text = self.buffer.text_from(start).strip()[:500]
                if href and not self.hidden:
                    self.buffer.links.append(Link(text=" ".join(text.split()) or href, url=href))
            if open_tag == tag:
                break
        if tag in _BLOCK_TAGS and not self.hidden:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.title_parts is not None:
            self.title_parts.append(data)
            return
        if self.hidden:
            return
        self.buffer.add(data, self.strong > 0)

    def close(self) -> None:
        # An unfinished tag or declaration at the end ("<![CDATA[<script>...") would otherwise
        # come out as text; browsers treat it as a bogus comment up to the next ">", and so do we.
        pending = self.rawdata
        if pending.lstrip().startswith("<"):
            cut = pending.find(">")
            self.rawdata = pending[cut + 1 :] if cut >= 0 else ""
        super().close()
        while self.link_stack:
            href, start = self.link_stack.pop()
            if href:
                text = self.buffer.text_from(start).strip()[:500]
                self.buffer.links.append(Link(text=" ".join(text.split()) or href, url=href))
        self._flush()


def html_blocks(text: str, base_url: str | None = None) -> HtmlDocument:
    """Blocks of an HTML document, with its <title> and first <time datetime> if present."""
    reader = _BlockReader(base_url)
    reader.feed(text)
    reader.close()
    return HtmlDocument(
        blocks=reader.blocks,
        title=reader.doc_title,
        date=reader.time_values[0] if reader.time_values else None,
    )
