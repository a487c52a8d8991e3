"""Turning fetched bytes and local files into parsed issues, ready for the cache.

The functions here are pure (no database) and picklable, so CPU-bound parsing can run in a
process pool while the event loop keeps fetching.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import stat
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from briefing_tui.feeds import FeedError, looks_like_feed, parse_feed
from briefing_tui.model import Briefing
from briefing_tui.parser import ParseError, decode, parse_document
from briefing_tui.text import cap_label, clean_text, feed_url, truncate
from briefing_tui.xmlguard import refuse_entity_declarations

NEWSLETTER_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml"})
OPML_SUFFIXES = frozenset({".opml"})


@dataclass(frozen=True, slots=True)
class ParsedIssue:
    key: str
    raw: str
    content_type: str | None
    hints: dict
    briefing: Briefing


@dataclass(slots=True)
class ParsedPayload:
    """What one document (a feed or a newsletter file) turned into."""

    origin: str
    feed_title: str | None = None
    issues: list[ParsedIssue] = field(default_factory=list)
    subscriptions: list[tuple[str, str | None]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # entries that could not be parsed, with why
    error: str | None = None


def _die_with_parent(parent: int) -> None:
    """Parse-worker initializer: end with the program, even when it is killed (Linux).

    Pool workers otherwise wait for work forever once their parent dies without shutting the
    pool down (SIGKILL, a crash), leaving stray processes behind.
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def parse_pool(workers: int | None = None) -> ProcessPoolExecutor | None:
    """A process pool for CPU-bound parsing, or None where one brings nothing (one core)."""
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers < 2:
        return None
    try:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
    except (OSError, ValueError):
        return None


def content_key(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def parse_feed_payload(origin: str, body: bytes, url: str | None = None) -> ParsedPayload:
    """Parse a feed document into issues. Never raises: failures land in ``error``/``skipped``."""
    payload = ParsedPayload(origin=origin)
    try:
        feed = parse_feed(body, url=url)
    except FeedError as error:
        payload.error = str(error)
        return payload
    except Exception as error:  # noqa: BLE001 - one bad feed must not stop the others
        payload.error = f"unreadable feed ({error.__class__.__name__})"
        return payload
    payload.feed_title = feed.title
    for position, entry in enumerate(feed.entries):
        hints = {
            "title": entry.title,
            "source": feed.title,
            "date": entry.date,
            "url": entry.link,
            "published": entry.published,
            "position": position,
        }
        try:
            briefing = entry.to_briefing(feed.title)
        except ParseError as error:
            payload.skipped.append(f"{entry.title or entry.key}: {error}")
            continue
        except Exception as error:  # noqa: BLE001
            payload.skipped.append(f"{entry.title or entry.key}: parser failed ({error.__class__.__name__})")
            continue
        payload.issues.append(ParsedIssue(entry.key, entry.content, entry.content_type, hints, briefing))
    return payload


def parse_opml(data: bytes) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(url, title) of every feed outline in an OPML document, and the outlines refused.

    Only http and https feeds are subscriptions; a mailto: or file: "feed" is reported.
    """
    refuse_entity_declarations(data)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise ValueError(f"not valid OPML ({error})") from error
    if root.tag.lower() != "opml":
        raise ValueError("not an OPML document")
    found: list[tuple[str, str | None]] = []
    refused: list[str] = []
    for outline in root.iter("outline"):
        raw = outline.get("xmlUrl") or outline.get("xmlurl")
        if not raw:
            continue
        url = feed_url(raw)
        if url:
            found.append((url, cap_label(clean_text(outline.get("title") or outline.get("text"))) or None))
        else:
            refused.append(f"{truncate(clean_text(raw[:400]), 120)}: not an http(s) feed URL")
    return found, refused


def is_opml(data: bytes, path: Path) -> bool:
    return path.suffix.lower() in OPML_SUFFIXES or b"<opml" in data[:1024].lower()


#: Largest local file read (a newsletter, a feed export or an OPML list).
MAX_FILE_BYTES = 64 * 1024 * 1024


class LocalFileError(Exception):
    """A local path that cannot be read as a document: one line for the user."""


def read_local_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Devices (/dev/zero), FIFOs and sockets are refused before anything is read: a FIFO would
    block forever and a device never ends. The file is opened without blocking and checked again
    once open, so a path swapped for a FIFO in between is refused too.
    """
    try:
        if stat.S_ISDIR(os.stat(path).st_mode):
            raise LocalFileError("is a directory")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise LocalFileError(error.strerror or str(error)) from error
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise LocalFileError("not a regular file")
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise LocalFileError(error.strerror or str(error)) from error
    if len(data) > limit:
        raise LocalFileError(f"larger than the {limit // (1024 * 1024)} MiB limit for one file")
    return data


def parse_local_file(path_text: str) -> ParsedPayload:
    """Parse a local newsletter, feed or OPML file. Never raises."""
    path = Path(path_text)
    payload = ParsedPayload(origin="import")
    try:
        data = read_local_file(path)
    except LocalFileError as error:
        payload.error = (
            "a directory with no newsletter (.txt .md .html), feed or OPML files in it"
            if str(error) == "is a directory"
            else str(error)
        )
        return payload
    try:
        if is_opml(data, path):
            payload.subscriptions, payload.skipped = parse_opml(data)
            return payload
        if looks_like_feed(data, path.name):
            resolved = str(path.resolve())
            result = parse_feed_payload("import:" + resolved, data)
            if result.error:
                result.error = f"not a readable feed: {result.error}"
            return result
        text = decode(data)
        briefing = parse_document(text, filename=path.name)
    except (ParseError, ValueError) as error:
        payload.error = str(error)
        return payload
    except Exception as error:  # noqa: BLE001
        payload.error = f"cannot parse ({error.__class__.__name__})"
        return payload
    suffix = path.suffix.lower()
    content_type = {".md": "text/markdown", ".markdown": "text/markdown", ".html": "text/html", ".htm": "text/html"}.get(
        suffix, "text/plain"
    )
    hints = {"title": None, "source": None, "date": None, "url": None, "filename": path.name}
    payload.issues.append(ParsedIssue(content_key(text), text, content_type, hints, briefing))
    return payload


def reparse(raw: str, content_type: str | None, hints: dict) -> Briefing:
    """Parse stored raw content again (after a parser upgrade)."""
    return parse_document(
        raw,
        content_type=content_type,
        filename=hints.get("filename"),
        title=hints.get("title"),
        source=hints.get("source"),
        date=hints.get("date"),
        url=hints.get("url"),
    )
