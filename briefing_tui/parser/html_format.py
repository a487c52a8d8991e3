"""Reading HTML (including e-mail markup with nested layout tables) into blocks.

The document is parsed by Lexbor (through selectolax) into a tree the way a browser would build
it; the tree is then walked once, depth first, with an explicit stack, turning runs of inline
text into blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate
from urllib.parse import parse_qsl, unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode

from briefing_tui.model import Link
from briefing_tui.parser.blocks import Block, Kind, make_block
from briefing_tui.parser.images import Picture, PictureTrail
from briefing_tui.text import clean_text, safe_url

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul caption".split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: Tags that end the search for an enclosing heading or list item.
_CONTEXT_BREAKS = frozenset(("td", "th", "p", "div", "blockquote", "table"))
#: Content that is never shown: scripts, styles, metadata, embedded objects and media.
_SKIP_TAGS = frozenset(
    "script style head noscript template svg math iframe object embed canvas audio video "
    "select option textarea xml".split()
)
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_STRONG_TAGS = frozenset({"b", "strong"})
#: Tags whose start and end matter beyond the text in them.
_MARKED_TAGS = frozenset({"a", "b", "strong", "tr", "td", "th", "table", "time"})
#: Styles that hide an element and everything in it.
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?:max-)?height\s*:\s*0(?:px)?\s*(?:;|$)[^\"]*overflow\s*:\s*hidden",
    re.IGNORECASE,
)
#: The font size an element sets (the last declaration wins).
_FONT_SIZE = re.compile(r"font-size\s*:\s*([^;]*)")
_ZERO_SIZE = re.compile(r"(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%)?\s*(?:!\s*important)?")
#: Elements nested deeper than this are flattened before parsing (see :func:`_limit_depth`).
_MAX_DEPTH = 2000
#: Below this many tags a document cannot nest deep enough to slow the tree builder down.
_DEPTH_CHECK_TAGS = 5000
#: Tags that count for nesting depth: everything but void elements and elements whose start
#: closes an open one of their kind (p, li, td...), which never nest by themselves.
_NESTING_TAG = re.compile(
    r"<(/?)(?!(?:area|base|br|col|colgroup|dd|dt|embed|hr|img|input|li|link|meta|option|optgroup|p|param"
    r"|rb|rp|rt|source|tbody|td|tfoot|th|thead|tr|track|wbr)[\s/>])[a-z]",
    re.IGNORECASE,
)
_TAG = re.compile(r"<(/?)([a-z][^\s/<>]*)[^<>]*>", re.IGNORECASE)
_TAG_NAME = re.compile(r"<([a-zA-Z][^\s/>]*)")
#: Character references to C0 controls and DEL ("&#x1b;"), which decode to nothing: an escape
#: character written as a reference must not turn the text after it into an escape sequence.
_CONTROL_REFERENCE = re.compile(
    r"&#(?:[xX]0*(?:[1-8bBeEfF]|1[0-9a-fA-F]|7[fF])(?![0-9a-fA-F])|0*(?:[1-8]|11|1[4-9]|2[0-9]|3[01]|127)(?![0-9]));?"
)
#: What a mailto: link's address part may hold when it names no recipient.
_NO_RECIPIENT = re.compile(r"[\s,;]*")


class _Buffer:
    """The text read since the last block, in pieces, each marked bold or not."""

    __slots__ = ("pieces", "links", "length", "blank")

    def __init__(self) -> None:
        #: The text from the first piece that is more than white space on.
        self.pieces: list[tuple[str, bool]] = []
        #: Links that ended in the buffer: (their text, href, base URL), resolved with the block.
        self.links: list[tuple[str, str, str | None]] = []
        #: Characters in ``pieces`` so far (kept so links can note where they start in O(1)).
        self.length = 0
        #: White space came before any text (it is not kept: a block starts with its text).
        self.blank = False

    def add(self, text: str, strong: bool) -> None:
        if self.pieces or not text.isspace():
            self.pieces.append((text, strong))
            self.length += len(text)
        else:
            self.blank = True

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
    #: Content of the <meta> tags, by lower-cased name or property ("og:site_name", "author").
    meta: dict[str, str] = field(default_factory=dict)
    #: Subjects of "share by e-mail" links (mailto: with a subject and no recipient), in order.
    share_subjects: list[str] = field(default_factory=list)
    #: Alt texts of the images before the first text of the document (a masthead logo); lines
    #: that are nothing but a link ("View in browser") do not count as text.
    masthead_alts: list[str] = field(default_factory=list)
    #: Pictures worth a line (see :mod:`briefing_tui.parser.images`), each with its anchor.
    pictures: list[Picture] = field(default_factory=list)


def _hides(tag: str, attributes: dict[str, str | None]) -> bool:
    """The element and everything in it are never shown."""
    if tag in _SKIP_TAGS or "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    style = attributes.get("style")
    if not style:
        return False
    style = style.lower()
    return ("none" in style or "hidden" in style) and _HIDDEN_STYLE.search(style) is not None


def _font_size_is_zero(style: str) -> bool | None:
    """True when ``style`` (lower case) sets a zero font size, False for another, None for none."""
    sizes = _FONT_SIZE.findall(style)
    if not sizes:
        return None
    return _ZERO_SIZE.fullmatch(sizes[-1].strip()) is not None


def _is_link_line(block: Block) -> bool:
    """The block is made of link text alone ("Is this email difficult to read? View in browser")."""
    linked = sum(len(link.text) for link in block.links if link.text != link.url)
    return linked > 0 and linked >= len(block.text) - 2


def _mailto_share(href: str) -> tuple[bool, str | None]:
    """(no recipient, subject) of a mailto: URL; (False, None) for anything else."""
    href = href.strip()
    if href[:7].lower() != "mailto:":
        return False, None
    address, _, query = href[7:].partition("?")
    if not _NO_RECIPIENT.fullmatch(unquote(address)):
        return False, None
    for name, value in parse_qsl(query.partition("#")[0]):
        if name.lower() == "subject":
            return True, clean_text(value) or None
    return True, None


def _limit_depth(text: str) -> str:
    """Flatten elements nested deeper than ``_MAX_DEPTH``.

    A tree builder checks the open elements at every block start tag, so a document of 100,000
    nested <div>s would take minutes. Start and end tags past the limit are dropped (block ones
    become <br>, which still ends a line); everything between them is kept.
    """
    if text.count("<") < _DEPTH_CHECK_TAGS:
        return text
    steps = {"": 1, "/": -1}
    if max(accumulate(map(steps.__getitem__, _NESTING_TAG.findall(text))), default=0) <= _MAX_DEPTH:
        return text
    out: list[str] = []
    depth = 0
    position = 0
    for match in _TAG.finditer(text):
        closing, name = match.group(1), match.group(2).lower()
        if not _NESTING_TAG.match(match.group(0)) or name in _SKIP_TAGS:
            continue
        if closing:
            depth -= 1
            drop = depth >= _MAX_DEPTH
        else:
            drop = depth >= _MAX_DEPTH
            depth += 1
        if drop:
            out.append(text[position : match.start()])
            out.append("<br>" if name in _BLOCK_TAGS else "")
            position = match.end()
    out.append(text[position:])
    return "".join(out)


def _close_self_closed(text: str) -> str:
    """End non-void elements written as self-closing ("<div/>", "<title/>") where they start.

    A browser takes the slash for noise and keeps the element open, so a "<title/>" would take
    the whole document for its text.
    """
    pieces: list[str] = []
    start = 0  # where the text not yet copied starts
    scanned = 0  # where the previous "/>" ended
    end = text.find("/>")
    while end >= 0:
        opening = text.rfind("<", scanned, end)
        if opening >= 0 and text.find(">", opening, end) < 0:
            match = _TAG_NAME.match(text, opening)
            if match and match.group(1).lower() not in _VOID_TAGS:
                pieces.append(text[start:end])
                pieces.append(f"></{match.group(1)}>")
                start = end + 2
        scanned = end + 2
        end = text.find("/>", scanned)
    if not pieces:
        return text
    pieces.append(text[start:])
    return "".join(pieces)


def _parse(text: str) -> LexborHTMLParser:
    # With scripting on, <noscript> holds raw text, as in a browser that runs scripts, so markup
    # in it cannot close the elements around it.
    return LexborHTMLParser(text, scripting=True)


class _BlockReader:
    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.doc_title: str | None = None
        self.date: str | None = None
        self.meta: dict[str, str] = {}
        self.share_subjects: list[str] = []
        self.masthead_alts: list[str] = []
        self.pictures = PictureTrail()
        #: No text has been read yet but for lines that are links only ("View in browser"):
        #: images seen now make the masthead.
        self.masthead_open = True
        #: Tags of the open elements, outermost first.
        self.tags: list[str] = []
        self.hidden = 0
        self.strong = 0
        self.buffer = _Buffer()
        #: Open links: (href, base URL, where their text starts in the buffer).
        self.link_stack: list[tuple[str | None, str | None, int]] = []
        #: safe_url() of each (href, base URL) seen: a link often repeats in an e-mail.
        self.urls: dict[tuple[str, str | None], str | None] = {}
        #: A thematic break (<hr>) was seen since the last block.
        self.pending_break = False
        #: Open table rows: [index of the row's first block, cells, holds a table of its own].
        self.rows: list[list[int]] = []

    # -- state helpers -------------------------------------------------------------------------
    def _context(self) -> tuple[Kind, int]:
        for tag in reversed(self.tags):
            if tag in _HEADINGS:
                return Kind.HEADING, _HEADINGS[tag]
            if tag == "li":
                return Kind.ITEM, 0
            if tag in _CONTEXT_BREAKS:
                break
        return Kind.PARAGRAPH, 0

    def _flush(self) -> None:
        buffer = self.buffer
        if not buffer.pieces:
            # Nothing but white space: links that ended in it (around images) go with it. With
            # nothing at all they wait for the next block.
            if buffer.blank:
                buffer.blank = False
                buffer.links = []
            return
        self.buffer = _Buffer()
        # Links still open at a block boundary keep their place in the next buffer.
        if self.link_stack:
            self.link_stack = [(href, base, 0) for href, base, _ in self.link_stack]
        raw = buffer.text()
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
            links=self._links(buffer.links),
            strong_label=label,
            all_strong=all_strong,
            after_break=self.pending_break,
            lead_strong=candidate if candidate and not all_strong else None,
            decode_entities=False,
        )
        if block:
            self.blocks.append(block)
            self.pictures.block_added(block.text)
            self.pending_break = False
            if self.masthead_open and not _is_link_line(block):
                self.masthead_open = False

    def _links(self, pending: list[tuple[str, str, str | None]]) -> list[Link]:
        links = []
        urls = self.urls
        for text, href, base in pending:
            key = (href, base)
            url = urls[key] if key in urls else urls.setdefault(key, safe_url(href, base))
            if url:
                links.append(Link(text=text or url, url=url))
        return links

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

    # -- elements --------------------------------------------------------------------------------
    def _void(self, tag: str, attributes: dict[str, str | None]) -> None:
        if tag == "br" or tag == "hr":
            if not self.hidden:
                self._flush()
                if tag == "hr":
                    self.pending_break = True
        elif tag == "img":
            if self.hidden or _hides(tag, attributes):
                return
            if self.masthead_open and not self.buffer.pieces:
                alt = clean_text(attributes.get("alt"), decode_entities=False)
                if alt:
                    self.masthead_alts.append(alt)
            else:
                src = attributes.get("src")
                self.pictures.see(
                    attributes.get("alt"),
                    safe_url(src, self.base_url) if src else None,
                    attributes.get("width"),
                    attributes.get("height"),
                )
        elif tag == "meta":
            content = clean_text(attributes.get("content"), decode_entities=False)
            if content:
                for key in (attributes.get("name"), attributes.get("property")):
                    if key and key.strip():
                        self.meta.setdefault(key.strip().lower(), content)
        elif tag == "base":
            href = attributes.get("href")
            if href:
                self.base_url = safe_url(href) or self.base_url

    def _open(self, tag: str, attributes: dict[str, str | None]) -> None:
        """Note what the tags that matter beyond their text (links, bold, rows) start."""
        if tag in _STRONG_TAGS:
            self.strong += 1
        elif tag == "a":
            href = attributes.get("href")
            if href and "mailto:" in href[:16].lower():
                share, subject = _mailto_share(href)
                if share:
                    # A "share by e-mail" button: its subject is worth knowing, the link is not.
                    href = None
                    if subject:
                        self.share_subjects.append(subject)
            self.link_stack.append((href, self.base_url, self.buffer.length))
        elif tag == "tr":
            self.rows.append([len(self.blocks), 0, 0])
        elif tag == "td" or tag == "th":
            if self.rows:
                self.rows[-1][1] += 1
        elif tag == "table":
            if self.rows:
                self.rows[-1][2] = 1
        elif tag == "time":
            if self.date is None:
                self.date = attributes.get("datetime") or None

    def _close(self, tag: str) -> None:
        if tag in _STRONG_TAGS:
            self.strong -= 1
        elif tag == "tr":
            if self.rows:
                self._end_row()
        elif tag == "a" and self.link_stack:
            href, base, start = self.link_stack.pop()
            if href and not self.hidden:
                text = self.buffer.text_from(start).strip()[:500]
                self.buffer.links.append((" ".join(text.split()), href, base))

    # -- the walk --------------------------------------------------------------------------------
    def read(self, root: LexborNode) -> None:
        """Walk the tree under (and including) ``root`` in document order, without recursion."""
        tags = self.tags
        block_tags, marked_tags, void_tags, skip_tags = _BLOCK_TAGS, _MARKED_TAGS, _VOID_TAGS, _SKIP_TAGS
        # The open elements: (node, tag, it hides its content, the zero_font of its parent).
        frames: list[tuple] = []
        #: Text here is set in a zero font size.
        zero_font = False
        node = root
        while True:
            tag = node.tag
            #: ``node`` is an element without children, opened and still to be closed.
            empty = False
            if tag == "-text":
                if not self.hidden and not zero_font:
                    data = node.text_content
                    if data:
                        self.buffer.add(data, self.strong > 0)
            elif not tag or tag[0] == "-" or tag[0] == "!":  # a comment, the doctype, "<?...>"
                pass
            else:
                attributes = node.attributes
                if tag in void_tags:
                    self._void(tag, attributes)
                elif tag == "title" and self.doc_title is None:
                    self.doc_title = node.text(deep=True)
                else:
                    # Inside hidden content nothing shows, whatever an element says of itself.
                    hides = False
                    zero = None
                    style = attributes.get("style")
                    if style:
                        style = style.lower()
                        if not self.hidden and ("none" in style or "hidden" in style):
                            hides = _HIDDEN_STYLE.search(style) is not None
                        # A zero font size hides the element's own text and that of inline
                        # elements in it. E-mail layouts set it on wrappers only to close the
                        # gaps between columns: block elements inside, and elements with a size
                        # of their own, show again.
                        if "font-size" in style:
                            zero = _font_size_is_zero(style)
                    if not hides and not self.hidden:
                        hides = tag in skip_tags or "hidden" in attributes or attributes.get("aria-hidden") == "true"
                    if zero is None:
                        zero = zero_font and tag not in block_tags
                    if tag in block_tags and not self.hidden:
                        self._flush()
                    tags.append(tag)
                    if hides:
                        self.hidden += 1
                    if tag in marked_tags:
                        self._open(tag, attributes)
                    frames.append((node, tag, hides, zero_font))
                    zero_font = zero
                    child = node.first_child
                    if child is not None:
                        node = child
                        continue
                    empty = True
            # Done with this node: on to its next sibling, or up to close its parent.
            while True:
                if empty:
                    empty = False  # closed right below, then on to its sibling
                else:
                    if not frames:
                        self._flush()
                        return
                    sibling = node.next
                    if sibling is not None:
                        node = sibling
                        break
                node, tag, hides, zero_font = frames.pop()
                block = tag in block_tags
                if block and not self.hidden:
                    self._flush()
                tags.pop()
                if hides:
                    self.hidden -= 1
                if tag in marked_tags:
                    self._close(tag)
                if block and not self.hidden:
                    self._flush()


def html_blocks(text: str, base_url: str | None = None) -> HtmlDocument:
    """Blocks of an HTML document, with its <title>, first <time datetime> and <meta> tags."""
    text = _limit_depth(text)
    if "&#" in text:
        text = _CONTROL_REFERENCE.sub("", text)
    if "/>" in text:
        text = _close_self_closed(text)
    reader = _BlockReader(base_url)
    reader.read(_parse(text).root)
    return HtmlDocument(
        blocks=reader.blocks,
        title=reader.doc_title,
        date=reader.date,
        meta=reader.meta,
        share_subjects=reader.share_subjects,
        masthead_alts=reader.masthead_alts,
        pictures=reader.pictures.pictures,
    )
