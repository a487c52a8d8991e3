"""The briefing parser: one entry point from a document to a :class:`~briefing_tui.model.Briefing`.

>>> from briefing_tui.parser import parse_document
>>> briefing = parse_document(open("issue.md", "rb").read(), filename="issue.md")
"""

from __future__ import annotations

import codecs
import re
from dataclasses import replace
from pathlib import PurePath

from briefing_tui.model import Briefing
from briefing_tui.parser.dates import parse_timestamp
from briefing_tui.parser.html_format import html_blocks
from briefing_tui.parser.images import Picture, place_pictures
from briefing_tui.parser.markdown_format import markdown_document
from briefing_tui.parser.metadata import Metadata, read_metadata
from briefing_tui.parser.structure import Hints, build_briefing
from briefing_tui.parser.text_formats import text_blocks
from briefing_tui.text import MAX_LABEL_CHARS, cap_label


class ParseError(ValueError):
    """The document cannot be read as a briefing (binary, empty, undecodable)."""


_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|body|table|div|p|h[1-6]|ul|br|td|span|a\s)\b", re.I)
_MD_SNIFF = re.compile(r"^\s{0,3}#{1,6}\s|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\n]+\)|^\s{0,3}[-*]\s", re.M)
_KINDS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
}


def decode(data: bytes | str) -> str:
    """Decode a document: BOM, then UTF-8, then Windows-1252. Binary data raises ParseError."""
    if isinstance(data, str):
        text = data
    else:
        if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ParseError("binary data, not a text document")
        for bom, encoding in (
            (codecs.BOM_UTF8, "utf-8-sig"),
            (codecs.BOM_UTF16_LE, "utf-16"),
            (codecs.BOM_UTF16_BE, "utf-16"),
        ):
            if data.startswith(bom):
                try:
                    text = data.decode(encoding)
                    break
                except UnicodeDecodeError as error:
                    raise ParseError(f"cannot decode as {encoding}") from error
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
    sample = text[:8192]
    if sample and len(_BINARY_CONTROLS.findall(sample)) > len(sample) * 0.1:
        raise ParseError("binary data, not a text document")
    return text


def detect_kind(text: str, content_type: str | None = None, filename: str | None = None) -> str:
    """'html', 'markdown' or 'text', from the content type, then the file name, then the content."""
    if content_type:
        lowered = content_type.lower()
        if "html" in lowered:
            return "html"
        if "markdown" in lowered:
            return "markdown"
    if filename:
        kind = _KINDS.get(PurePath(filename).suffix.lower())
        if kind:
            return kind
    head = text[:4096]
    if _HTML_SNIFF.search(head):
        return "html"
    if _MD_SNIFF.search(head):
        return "markdown"
    return "text"


def parse_document(
    data: bytes | str,
    *,
    content_type: str | None = None,
    filename: str | None = None,
    title: str | None = None,
    source: str | None = None,
    date: str | None = None,
    url: str | None = None,
) -> Briefing:
    """Parse one newsletter issue (plain text, Markdown or HTML) into a Briefing.

    ``title``, ``source``, ``date`` and ``url`` are hints from the container (a feed entry's
    title, the feed's name, its publication date): the document's own statements win.
    Raises :class:`ParseError` for binary or empty input.
    """
    text = decode(data)
    if not text.strip():
        raise ParseError("empty document")
    title, source = cap_label(title), cap_label(source)
    kind = detect_kind(text, content_type, filename)
    doc_title = doc_date = None
    masthead: tuple[str, ...] = ()
    shared_site: str | None = None
    meta = Metadata()
    pictures: list[Picture] = []
    if kind != "html":
        meta, text = read_metadata(text)
        if meta.title or meta.source or meta.date:
            # Front matter may hide an HTML body ("---/title: .../---" over an e-mail's markup).
            kind = detect_kind(text, content_type, None) if kind == "text" else kind
    if kind == "html":
        document = html_blocks(text, base_url=url)
        subject, site = _shared_subject(document.share_subjects)
        blocks, doc_title = document.blocks, (document.title or "").strip() or subject
        shared_site = site
        masthead = tuple(document.masthead_alts)
        doc_date = parse_timestamp(document.date)
        pictures = document.pictures
    elif kind == "markdown":
        blocks, pictures = markdown_document(text)
    else:
        blocks = text_blocks(text)
    if not blocks and not title:
        raise ParseError("no visible text in the document")
    hints = Hints(
        title=meta.title or title,
        source=meta.source or source or shared_site,
        date=meta.date or date,
        url=url or meta.url,
        fallback_date=meta.fallback_date,
        filename=filename,
        masthead=masthead,
    )
    briefing = build_briefing(blocks, hints, doc_title=doc_title, doc_date=doc_date)
    return capped_labels(place_pictures(briefing, pictures))


def capped_labels(briefing: Briefing) -> Briefing:
    """The briefing with every title and name cut to the label limit.

    A heading or a first line can run for megabytes in a hostile document; the text itself is
    kept in the stored raw content, only the label shown in lists and title bars is cut.
    """
    limit = MAX_LABEL_CHARS
    if all(
        len(text or "") <= limit
        for text in (
            briefing.title, briefing.subtitle, briefing.source,
            *(part for story in briefing.stories for part in (story.title, story.kicker)),
            *(section.title for section in briefing.sections),
            *(part for ref in briefing.references for part in (ref.title, ref.publisher)),
            *(item.group for item in briefing.shortlist),
        )
    ):
        return briefing
    return replace(
        briefing,
        title=cap_label(briefing.title),
        subtitle=cap_label(briefing.subtitle),
        source=cap_label(briefing.source),
        stories=tuple(
            replace(story, title=cap_label(story.title), kicker=cap_label(story.kicker)) for story in briefing.stories
        ),
        sections=tuple(replace(section, title=cap_label(section.title)) for section in briefing.sections),
        references=tuple(
            replace(ref, title=cap_label(ref.title), publisher=cap_label(ref.publisher)) for ref in briefing.references
        ),
        shortlist=tuple(replace(item, group=cap_label(item.group)) for item in briefing.shortlist),
    )


def _shared_subject(subjects: list[str]) -> tuple[str | None, str | None]:
    """(subject, site) as the issue's "share by e-mail" links carry them ("Ceasefires ... | Semafor")."""
    if not subjects:
        return None, None
    subject, _, site = subjects[0].rpartition(" | ")
    if not subject:
        return subjects[0].strip() or None, None
    site = site.strip()
    return subject.strip() or None, site if site and len(site.split()) <= 4 else None


__all__ = ["ParseError", "parse_document", "capped_labels", "detect_kind", "decode"]
