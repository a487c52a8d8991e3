"""Turning fetched bytes and local files into parsed issues, ready for the cache.

The functions here are pure (no database) and picklable, so CPU-bound parsing can run in a
process pool while the event loop keeps fetching.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import stat
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

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
    #: None for an entry read but not parsed yet (phase one of a refresh).
    briefing: Briefing | None
    #: The key space ``key`` belongs to when it is wider than one origin: an e-mail's
    #: Message-ID names the same issue whether it came from a file, an mbox or IMAP.
    scope: str | None = None


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


def parse_feed_payload(origin: str, body: bytes, url: str | None = None, *, parse: bool = True) -> ParsedPayload:
    """Parse a feed document into issues. Never raises: failures land in ``error``/``skipped``.

    With ``parse`` False the entries are read but not parsed (their ``briefing`` is None): a
    refresh stores them raw and indexes them later (:func:`reparse` with their hints).
    """
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
        if not parse:
            payload.issues.append(ParsedIssue(entry.key, entry.content, entry.content_type, hints, None))
            continue
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


def open_local_file(path: Path) -> BinaryIO:
    """A regular file opened for reading; anything else raises LocalFileError.

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
    handle = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise LocalFileError("not a regular file")
    return handle


def read_local_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_local_file`)."""
    with open_local_file(path) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise LocalFileError(error.strerror or str(error)) from error
    if len(data) > limit:
        raise LocalFileError(f"larger than the {limit // (1024 * 1024)} MiB limit for one file")
    return data


def read_mail_file(path: Path) -> tuple[str | None, BinaryIO | None]:
    """("message" or "mbox", the open file) when ``path`` is an e-mail file, else (None, None).

    Mail is read as a stream (a message may carry attachments far over the file limit).
    """
    from briefing_tui.mail import MBOX_SUFFIXES, MESSAGE_SUFFIXES, mail_kind

    handle = open_local_file(path)
    try:
        head = handle.read(16384)
        kind = mail_kind(path, head)
        if kind in ("message", "mbox"):
            handle.seek(0)
            return kind, handle
    except OSError as error:
        handle.close()
        raise LocalFileError(error.strerror or str(error)) from error
    handle.close()
    if path.suffix.lower() in MESSAGE_SUFFIXES | MBOX_SUFFIXES:
        raise LocalFileError("not an e-mail message")
    return None, None


def mail_payloads(
    path: Path,
    limit: int = MAX_FILE_BYTES,
    batch: int = 100,
    opened: tuple[str | None, BinaryIO | None] | None = None,
) -> Iterator[ParsedPayload]:
    """The messages of an .eml file or an mbox as payloads of up to ``batch`` issues, streamed.

    ``opened`` is what :func:`read_mail_file` gave for ``path`` when the caller already asked.

    A message that cannot be read is reported in ``skipped`` ("message 3: ...") and the others
    still come; a file that is not mail, or an .eml that cannot be read, is the payload's error.
    """
    from briefing_tui.mail import MailError, file_lines, mbox_messages
    from briefing_tui.parser import ParseError

    try:
        kind, handle = opened or read_mail_file(path)
    except LocalFileError as error:
        yield ParsedPayload(origin="import", error=str(error))
        return
    if handle is None:
        yield ParsedPayload(origin="import", error="not an e-mail message")
        return
    in_maildir = path.parent.name in ("cur", "new")
    with handle:
        if kind == "message":
            payload = ParsedPayload(origin="import")
            try:
                payload.issues.append(mail_issue(file_lines(handle), limit))
            except OSError as error:
                payload.error = error.strerror or str(error)
            except (MailError, ParseError) as error:
                # a stray file in a Maildir is one of its entries, as a bad entry of a feed
                if in_maildir:
                    payload.skipped.append(str(error))
                else:
                    payload.error = str(error)
            yield payload
            return
        payload = ParsedPayload(origin="import")
        found = 0
        try:
            for number, lines in mbox_messages(handle):
                if lines is None:
                    payload.skipped.append("text before the first \"From \" line is not a message")
                    continue
                found += 1
                try:
                    payload.issues.append(mail_issue(lines, limit, number - 1))
                except (MailError, ParseError) as error:
                    payload.skipped.append(f"message {number}: {error}")
                if len(payload.issues) >= batch:
                    yield payload
                    payload = ParsedPayload(origin="import")
        except OSError as error:
            yield payload  # the messages read before the failure are kept
            payload = ParsedPayload(origin="import", error=f"read failed after {found} messages: {error.strerror or error}")
        if not found and not payload.error:
            payload.error = "no messages in this mbox"
        yield payload


def mail_issue(lines, limit: int, position: int = 0, partial: bool = False) -> ParsedIssue:
    """One e-mail message as an issue; MailError or ParseError (one line) when it cannot be read."""
    from briefing_tui.mail import MailError, message_issue
    from briefing_tui.parser import ParseError

    try:
        return message_issue(lines, limit, position, partial)
    except (MailError, ParseError):
        raise
    except Exception as error:  # noqa: BLE001 - one message must not stop the others
        raise MailError(f"cannot read the message ({error.__class__.__name__})") from error


def parse_local_file(path_text: str) -> ParsedPayload:
    """Parse a local newsletter, feed or OPML file. Never raises."""
    path = Path(path_text)
    payload = ParsedPayload(origin="import")
    try:
        kind, handle = read_mail_file(path)
    except LocalFileError:
        handle = None  # reported below, as for any file
    if handle is not None:
        merged = ParsedPayload(origin="import")
        for part in mail_payloads(path, opened=(kind, handle)):
            merged.issues.extend(part.issues)
            merged.skipped.extend(part.skipped)
            merged.error = merged.error or part.error
        return merged
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
    """Parse a document with what its container said of it (``hints``, as stored with the issue).

    With ``title_is_final`` the container's title is the issue's title whatever the document
    says (an e-mail's Subject).
    """
    briefing = parse_document(
        raw,
        content_type=content_type,
        filename=hints.get("filename"),
        title=hints.get("title"),
        source=hints.get("source"),
        date=hints.get("date"),
        url=hints.get("url"),
    )
    if hints.get("title_is_final") and hints.get("title"):
        briefing = replace(briefing, title=hints["title"])
    return briefing


#: A markup tag, dropped from the text of an entry that could not be parsed.
_TAG = re.compile(r"<[^>]{0,2000}>")


def shell_briefing(hints: dict) -> Briefing:
    """What an entry stored unparsed shows until it is indexed: its title, source, date, link."""
    title = cap_label(clean_text(hints.get("title"))) or "(untitled)"
    return Briefing(
        title=title,
        source=cap_label(clean_text(hints.get("source"))) or None,
        date=hints.get("date"),
        url=hints.get("url"),
    )


def index_entry(raw: str, content_type: str | None, hints: dict) -> tuple[Briefing, str | None]:
    """Parse an entry stored raw (phase two of a refresh): (briefing, None), or, when it cannot
    be parsed, (its text as the issue's intro, why) so that nothing is dropped."""
    try:
        return reparse(raw or hints.get("title") or "", content_type, hints), None
    except Exception as error:  # noqa: BLE001 - one bad entry must not stop the others
        reason = str(error) if isinstance(error, ParseError) else f"parser failed ({error.__class__.__name__})"
    shell = shell_briefing(hints)
    text = clean_text(_TAG.sub(" ", raw or ""), multiline=True)
    paragraphs = tuple(part.strip() for part in text.split("\n\n") if part.strip())[:200]
    return replace(shell, intro=paragraphs), reason


def index_entries(entries: list[tuple[str, str | None, dict]]) -> list[tuple[Briefing, str | None]]:
    """:func:`index_entry` for each (raw, content type, hints): one call per pool task."""
    return [index_entry(*entry) for entry in entries]
