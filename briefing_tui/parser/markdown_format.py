"""Reading Markdown into blocks, from markdown-it-py's CommonMark token stream.

markdown-it-py finds the block structure (headings, paragraphs, lists, quotes, code, tables,
raw HTML) and the inline markup (links, emphasis, code spans, inline HTML); this module turns
its tokens into the flat list of blocks the structure engine reads.

Newsletters converted from e-mail often put one paragraph per line with no blank line
between them. CommonMark joins such lines into one paragraph with soft breaks; when a whole
document is written that way every line is read as a paragraph of its own, and in any document
a line that opens with a bold label ("**Why it matters:** ...") starts a new paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefing_tui.model import Link
from briefing_tui.parser.blocks import Block, Kind, make_block, split_bullet
from briefing_tui.parser.html_format import html_blocks
from briefing_tui.parser.images import Picture, PictureTrail
from briefing_tui.text import safe_url

#: Containers (quotes, lists) nested deeper than this are read with their markers removed.
_MAX_NESTING = 100


def _markdown_it(max_nesting: int) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": max_nesting}).enable(["table", "strikethrough"])
    # Every link destination becomes a link token, whatever its scheme: safe_url decides later
    # which ones are kept, and an unsafe link still shows its text instead of its raw Markdown.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    # Destinations stay as written (markdown-it would percent-encode them and punycode hosts).
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    return md


#: Block structure only: the inline content of each block is parsed on demand by _INLINE.
_MD = _markdown_it(_MAX_NESTING).disable(["inline", "text_join"], ignoreInvalid=True)
#: Inline content keeps CommonMark's usual depth limit: how far the search for a link's end
#: recurses grows with it, and unbalanced brackets would otherwise cost seconds.
_INLINE = _markdown_it(20)

#: A heading written as a link's text: "[### A title (3 minute read)](https://...)".
_LINKED_HEADING = re.compile(r"^\s*(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.S)
_BREAK_TAG = re.compile(r"^<br\s*/?>$", re.I)
_HIDING_TAG = re.compile(r"^<(/?)(script|style)\b", re.I)
_COMMENT = re.compile(r"<!--(?:-?>|.*?-->|.*\Z)", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.S | re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|br|center|dd|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul)\b[^<>]*>",
    re.I,
)
#: A bold run with spaces before its closing marker ("**Why it matters: **The ..."), which
#: CommonMark does not close but e-mail converters write all the time.
_LOOSE_BOLD = (
    re.compile(r"\*\*(?=[^\s*])([^*\n]*?[^\s*\\])([ \t]+)\*\*"),
    re.compile(r"(?<![A-Za-z0-9_])__(?=[^\s_])([^_\n]*?[^\s_\\])([ \t]+)__"),
)
#: Emphasis markers CommonMark left unpaired: dropped from the text, as they are no words.
_STRAY_MARKER = re.compile(
    r"\*\*+|__+|~~+|(?<!\S)_(?!\S)|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)|(?<=\S)_(?!\w)"
)
_CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)))+[ \t]*", re.M)


def _one_paragraph_per_line(text: str) -> bool:
    """Is the document written one paragraph per line, with (almost) no blank lines?"""
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    filled = sum(1 for line in lines if line)
    if filled < 4:
        return False
    leading = next((index for index, line in enumerate(lines) if line), 0)
    blank = len(lines) - filled - leading
    return blank < filled * 0.15


# -- inline content ---------------------------------------------------------------------------------
@dataclass(slots=True)
class _Line:
    """A run of inline content between two line breaks."""

    #: (text, bold run): the run is 0 outside bold text, else the number of the bold run.
    pieces: list[tuple[str, int]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    #: Every link's text, kept or not (a link whose scheme is unsafe keeps only its text).
    anchors: list[str] = field(default_factory=list)
    #: Starts after a soft break (one that CommonMark would join).
    soft: bool = False

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def extend(self, other: _Line) -> None:
        self.pieces.extend(other.pieces)
        self.links.extend(other.links)
        self.anchors.extend(other.anchors)


_TRANSPARENT = frozenset({"em_open", "em_close", "s_open", "s_close"})


def _inline_lines(children: Sequence[Token], pictures: PictureTrail | None = None) -> list[_Line]:
    """Split an inline token's children into lines at every soft and hard break; pictures go to
    ``pictures``."""
    lines = [_Line()]
    spans: list[str] = []  # all text so far, for the text of links
    open_links: list[tuple[str | None, int]] = []  # (safe url, where its text starts in spans)
    bold = run = runs = 0
    hidden = 0  # inside inline <script> or <style>
    # Text runs up to the next token that matters, so that stray markers are seen in context.
    pending: list[str] = []

    def add(text: str) -> None:
        if text and not hidden:
            lines[-1].pieces.append((text, run))
            spans.append(text)

    def flush() -> None:
        if pending:
            text = "".join(pending)
            pending.clear()
            if "*" in text or "_" in text or "~" in text:
                text = _STRAY_MARKER.sub("", text)
            add(text.replace("<!--", "") if "<!--" in text else text)  # a comment never closed

    for token in children:
        kind = token.type
        if kind == "text":
            pending.append(token.content)
            continue
        if kind in _TRANSPARENT:
            continue
        flush()
        if kind == "code_inline" or kind == "text_special":  # text_special: "\*", "&amp;"
            add(token.content)
        elif kind == "softbreak":
            if open_links or hidden:
                add(" ")  # a link's text is never split
            else:
                lines.append(_Line(soft=True))
                add(" ")
        elif kind == "hardbreak":
            lines.append(_Line())
        elif kind == "strong_open":
            if not bold:
                runs += 1
                run = runs
            bold += 1
        elif kind == "strong_close":
            bold = max(0, bold - 1)
            if not bold:
                run = 0
        elif kind == "link_open":
            open_links.append((safe_url(token.attrs.get("href")), len(spans)))  # type: ignore[arg-type]
        elif kind == "link_close" and open_links:
            url, start = open_links.pop()
            label = " ".join("".join(spans[start:]).split())
            lines[-1].anchors.append(label)
            if url:
                lines[-1].links.append(Link(text=label or url, url=url))
        elif kind == "html_inline":
            tag = token.content
            hiding = _HIDING_TAG.match(tag)
            if hiding:
                hidden = max(0, hidden - 1) if hiding.group(1) else hidden + 1
            elif _BREAK_TAG.match(tag) and not hidden:
                lines.append(_Line())
        elif kind == "image" and pictures is not None and not hidden:
            # An image adds no text: a described one is kept apart, with the text after it.
            src = token.attrs.get("src")
            pictures.see(token.content, safe_url(str(src)) if src else None)
    flush()
    return lines


#: More unmatched "[" than this in one paragraph: read its brackets as plain text.
_MAX_OPEN_BRACKETS = 1000


def _close_bold(match: re.Match[str]) -> str:
    marker = match.group(0)[:2]
    return marker + match.group(1) + marker + match.group(2)


def _children(token: Token, env: dict) -> list[Token]:
    """The inline tokens of a block's content."""
    content = token.content
    if not content:
        return []
    if " **" in content or " __" in content or "\t**" in content or "\t__" in content:
        # Bold runs that close after a space ("**Why it matters: **The ...") are read as bold.
        for pattern in _LOOSE_BOLD:
            content = pattern.sub(_close_bold, content)
    if content.count("[") - content.count("]") > _MAX_OPEN_BRACKETS:
        content = content.replace("[", "\\[")
    tokens: list[Token] = []
    _INLINE.inline.parse(content, _INLINE, env, tokens)
    return tokens


def _drop_prefix(pieces: list[tuple[str, int]], count: int) -> list[tuple[str, int]]:
    """``pieces`` without their first ``count`` characters."""
    out = []
    for text, run in pieces:
        if count >= len(text):
            count -= len(text)
            continue
        out.append((text[count:], run))
        count = 0
    return out


@dataclass(slots=True)
class _Emphasis:
    strong_label: str | None = None
    all_strong: bool = False
    lead_strong: str | None = None


def _emphasis(pieces: list[tuple[str, int]]) -> _Emphasis:
    """What the bold text at the start of a line says: a label, a bold line, a bold lead."""
    visible = [(text, run) for text, run in pieces if text.strip()]
    if not visible or not visible[0][1]:
        return _Emphasis()
    first = visible[0][1]
    lead = "".join(text for text, run in pieces if run == first).strip()
    label = None
    if lead.endswith(":"):
        label = lead
    elif lead and _after_run(pieces, first).lstrip().startswith(":"):
        label = lead + ":"
    return _Emphasis(
        strong_label=label,
        all_strong=all(run == first for _, run in visible),
        lead_strong=lead if 2 <= len(lead) <= 300 else None,
    )


def _after_run(pieces: list[tuple[str, int]], run: int) -> str:
    """The text that follows bold run ``run``."""
    for index in range(len(pieces) - 1, -1, -1):
        if pieces[index][1] == run:
            return "".join(text for text, _ in pieces[index + 1 :])
    return ""


def _opens_with_label(line: _Line) -> bool:
    return _emphasis(line.pieces).strong_label is not None


def _linked_heading(line: _Line) -> re.Match[str] | None:
    """The heading a line consists of, when it is a single link whose text is a heading."""
    if len(line.anchors) != 1:
        return None
    text = " ".join(line.text.split())
    if text != line.anchors[0]:
        return None
    return _LINKED_HEADING.match(text)


def _starts_item(line: _Line) -> bool:
    return split_bullet(line.text)[0]


# -- blocks -----------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, env: dict, line_mode: bool, depth: int = 0) -> None:
        self.env = env
        self.line_mode = line_mode
        self.depth = depth
        self.blocks: list[Block] = []
        self.after_break = False
        #: One entry per open list item: True until the item's first paragraph is read.
        self.items: list[bool] = []
        #: Cells of the table row being read, or None outside table rows.
        self.row: list[_Line] | None = None
        self.pictures = PictureTrail()

    def add(self, block: Block | None) -> None:
        if block is None:
            return
        if self.after_break:
            block.after_break = True
            self.after_break = False
        self.blocks.append(block)
        self.pictures.block_added(block.text)

    def emit(self, kind: Kind, line: _Line, level: int = 0) -> None:
        pieces = line.pieces
        if kind is Kind.PARAGRAPH:
            # A line that opens with a bullet CommonMark does not know ("• ", "2. " inside a
            # paragraph) is a list item all the same.
            is_item, rest = split_bullet(line.text)
            if is_item:
                kind = Kind.ITEM
                pieces = _drop_prefix(pieces, len(line.text) - len(rest))
        emphasis = _emphasis(pieces)
        self.add(
            make_block(
                kind,
                "".join(text for text, _ in pieces),
                level=level,
                links=line.links,
                strong_label=emphasis.strong_label,
                all_strong=emphasis.all_strong,
                lead_strong=emphasis.lead_strong,
                decode_entities=False,
            )
        )

    def emit_line(self, kind: Kind, line: _Line) -> None:
        """A paragraph's or an item's line, or a heading when it is a single linked heading."""
        heading = _linked_heading(line)
        if heading is None:
            self.emit(kind, line)
            return
        title = heading.group(2) or ""
        url = line.links[0].url if line.links else None
        self.add(
            make_block(
                Kind.HEADING,
                title,
                level=len(heading.group(1)),
                links=[Link(text=title, url=url)] if url and title.strip() else [],
                decode_entities=False,
            )
        )

    # -- token handlers ---------------------------------------------------------------------------
    def paragraph(self, token: Token) -> None:
        first = Kind.PARAGRAPH
        if self.items and self.items[-1]:
            first = Kind.ITEM
            self.items[-1] = False
        groups: list[_Line] = []
        for line in _inline_lines(_children(token, self.env), self.pictures):
            if groups and line.soft and self._joins(groups[-1], line):
                groups[-1].extend(line)
            else:
                groups.append(line)
        for index, line in enumerate(groups):
            self.emit_line(first if index == 0 else Kind.PARAGRAPH, line)

    def _joins(self, previous: _Line, line: _Line) -> bool:
        """Does ``line`` (after a soft break) continue the paragraph ``previous`` is in?"""
        if self.line_mode or _opens_with_label(line) or _starts_item(line):
            return False
        return _linked_heading(line) is None and _linked_heading(previous) is None

    def heading(self, token: Token, inline: Token, level: int) -> None:
        lines = _inline_lines(_children(inline, self.env), self.pictures)
        if token.markup in ("-", "=") and self.line_mode:
            # A paragraph per line: "---" under a line is a separator, not an underline.
            underline = token.markup == "-"
            for line in lines[:-1] if not underline else lines:
                self.emit(Kind.PARAGRAPH, line)
            if underline:
                self.after_break = True
                return
            lines = lines[-1:]
        whole = _Line()
        for line in lines:
            whole.extend(line)
        self.emit(Kind.HEADING, whole, level)

    def code(self, token: Token) -> None:
        for text in token.content.split("\n"):
            if text.strip():
                self.add(make_block(Kind.PARAGRAPH, text, decode_entities=False))

    def html(self, token: Token) -> None:
        source = _SCRIPT.sub("", _COMMENT.sub("", token.content))
        if not source.strip():
            return
        rows = [row.strip() for row in source.split("\n") if row.strip()]
        if self.depth or all(row.startswith("<") for row in rows):
            document = html_blocks(source)
            for block in document.blocks:
                self.add(block)
            self.pictures.pictures.extend(document.pictures)
            return
        # Markdown between tags ("<div align=center>" over a few lines of text) is read as such.
        text = _TAG.sub("", _BLOCK_TAG.sub("\n\n", source))
        inner = _Reader(self.env, self.line_mode, self.depth + 1)
        inner.after_break = self.after_break
        inner.pictures = self.pictures
        inner.read(_MD.parse(text, self.env))
        if inner.blocks:
            self.after_break = False
        self.after_break = self.after_break or inner.after_break
        self.blocks.extend(inner.blocks)

    def end_row(self) -> None:
        cells, self.row = self.row or [], None
        texts = [" ".join(cell.text.split()) for cell in cells]
        links = [link for cell in cells for link in cell.links]
        self.add(make_block(Kind.PARAGRAPH, " · ".join(t for t in texts if t), links=links, decode_entities=False))

    def read(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "inline":
                if self.row is not None:
                    cell = _Line()
                    for line in _inline_lines(_children(token, self.env), self.pictures):
                        cell.extend(line)
                        cell.pieces.append((" ", 0))
                    self.row.append(cell)
                else:
                    self.paragraph(token)
            elif kind == "heading_open":
                if index + 1 < len(tokens) and tokens[index + 1].type == "inline":
                    index += 1
                    self.heading(token, tokens[index], int(token.tag[1:]))
            elif kind == "list_item_open":
                self.items.append(True)
            elif kind == "list_item_close":
                if self.items:
                    self.items.pop()
            elif kind in ("fence", "code_block"):
                self.code(token)
                self._settle_item()
            elif kind == "html_block":
                self.html(token)
                self._settle_item()
            elif kind == "hr":
                self.after_break = True
            elif kind == "table_open":
                self._settle_item()
            elif kind == "tr_open":
                self.row = []
            elif kind == "tr_close":
                self.end_row()
            index += 1

    def _settle_item(self) -> None:
        if self.items:
            self.items[-1] = False


def _without_comments(text: str) -> str:
    """``text`` without its HTML comments, wherever they start and however many lines they span.

    CommonMark only sees a comment that opens a line or stays within one paragraph; one that
    starts after some text and runs over a blank line would come out as text.
    """
    if "<!--" not in text:
        return text
    out = []
    position = 0
    while True:
        start = text.find("<!--", position)
        if start < 0:
            break
        # "<!-->" and "<!--->" are complete (empty) comments.
        if text.startswith(">", start + 4):
            end = start + 5
        elif text.startswith("->", start + 4):
            end = start + 6
        else:
            close = text.find("-->", start + 4)
            if close < 0:
                break  # never closed: CommonMark's rules decide
            end = close + 3
        out.append(text[position:start])
        position = end
    out.append(text[position:])
    return "".join(out)


def _flatten(text: str) -> str:
    """``text`` without quote and list markers at the start of its lines."""
    return _CONTAINER_PREFIX.sub("", text)


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown document."""
    return markdown_document(text)[0]


def markdown_document(text: str) -> tuple[list[Block], list[Picture]]:
    """Blocks of a Markdown document, and its pictures worth a line."""
    source = _without_comments(text)
    env: dict = {}
    tokens = _MD.parse(source, env)
    if any(token.level >= _MAX_NESTING - 2 for token in tokens):
        # markdown-it drops whatever is nested deeper than maxNesting: read such a document flat.
        env = {}
        tokens = _MD.parse(_flatten(source), env)
    reader = _Reader(env, _one_paragraph_per_line(text))
    reader.read(tokens)
    return reader.blocks, reader.pictures.pictures


__all__ = ["markdown_blocks", "markdown_document"]
