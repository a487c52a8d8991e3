"""Refuse XML documents that declare entities, before any XML parser sees them.

An entity declared in the document type (``<!ENTITY e "...30 KB...">``) and referenced
thousands of times turns a small feed or OPML file into gigabytes of text. Feeds and
subscription lists never need their own entities, so a document that declares one is refused
outright, whatever parser would read it next (expat through ElementTree, feedparser's strict
and loose parsers).

The check walks the prolog the way an XML parser does (declaration, comments, processing
instructions, the document type) rather than looking at a fixed number of leading bytes, so a
long comment or processing instruction in front of the document type does not hide it.
"""

from __future__ import annotations

import codecs
import re

_SPACE = re.compile(rb"[ \t\r\n]*")
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
#: Runs of bytes with no meaning to the scan, skipped in one step.
_DOCTYPE_RUN = re.compile(rb"[^\"'\[>]+")
_SUBSET_RUN = re.compile(rb"[^\"'\]<]*")

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE_PREFIXES = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)


class EntityDeclarationError(ValueError):
    """The document declares XML entities."""

    def __init__(self) -> None:
        super().__init__("refused: the document declares XML entities (a feed never needs them)")


def _as_utf8(data: bytes) -> bytes:
    """UTF-16 and UTF-32 documents re-encoded as UTF-8, so the byte patterns below apply."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace").encode("utf-8")
    for prefix, encoding in _WIDE_PREFIXES:
        if data.startswith(prefix):
            return data.decode(encoding, "replace").encode("utf-8")
    return data


def _after_literal(data: bytes, position: int) -> int:
    """The index just past the quoted literal that opens at ``position`` (the end when unclosed)."""
    close = data.find(data[position : position + 1], position + 1)
    return len(data) if close < 0 else close + 1


def _doctype_end(data: bytes, start: int) -> int:
    """The index just past the document type declaration that starts at ``start``.

    Quoted literals and the internal subset (``[...]``) may both hold ``>``; -1 when unclosed.
    """
    position = start + len(b"<!DOCTYPE")
    length = len(data)
    while position < length:
        byte = data[position]
        if byte in b"\"'":
            position = _after_literal(data, position)
        elif byte == ord("["):
            close = _subset_end(data, position + 1)
            if close < 0:
                return -1
            position = close + 1
        elif byte == ord(">"):
            return position + 1
        else:
            position = _DOCTYPE_RUN.match(data, position).end()
    return -1


def _subset_end(data: bytes, position: int) -> int:
    """The index of the ``]`` that closes an internal subset, skipping literals and comments."""
    length = len(data)
    while position < length:
        byte = data[position]
        if byte in b"\"'":
            position = _after_literal(data, position)
        elif data.startswith(b"<!--", position):
            close = data.find(b"-->", position + 4)
            if close < 0:
                return -1
            position = close + 3
        elif byte == ord("]"):
            return position
        else:
            position = _SUBSET_RUN.match(data, position + 1).end()
    return -1


def _prolog_length(data: bytes) -> int:
    position = 3 if data.startswith(codecs.BOM_UTF8) else 0
    length = len(data)
    while position < length:
        position = _SPACE.match(data, position).end()
        if data.startswith(b"<?", position):
            close = data.find(b"?>", position + 2)
            position = length if close < 0 else close + 2
        elif data.startswith(b"<!--", position):
            close = data.find(b"-->", position + 4)
            position = length if close < 0 else close + 3
        elif _DOCTYPE.match(data, position):
            close = _doctype_end(data, position)
            position = length if close < 0 else close
        else:
            break
    return position


def refuse_entity_declarations(data: bytes) -> None:
    """Raise EntityDeclarationError when the XML document ``data`` declares an entity.

    The head searched is the prolog as an XML parser reads it, or, when longer, everything up
    to the first thing that looks like an element: a lenient parser (feedparser's loose mode)
    takes its declarations from there even after stray text that ends a strict prolog.
    """
    data = _as_utf8(data)
    first_element = _FIRST_ELEMENT.search(data)
    head = max(_prolog_length(data), first_element.start() if first_element else len(data))
    if _ENTITY.search(data, 0, head):
        raise EntityDeclarationError()


__all__ = ["EntityDeclarationError", "refuse_entity_declarations"]
