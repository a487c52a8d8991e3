"""Newsletters by e-mail: one RFC 5322 message is one issue.

Messages come from .eml files, mbox files, Maildir folders and IMAP folders (see
:mod:`briefing_tui.imap`). Before the ``email`` package sees a message, a streaming pass
(:class:`Skimmer`) keeps its headers and the text parts a reader shows and drops the bodies of
every other part (images, attachments), so a 50 MB attachment costs a scan, not 50 MB.

The message's Message-ID is the issue's identity (:data:`MAIL_SCOPE`): the same message from an
.eml file, an mbox, a Maildir or IMAP is one issue, and its read marks stay.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from briefing_tui.text import cap_label, clean_text, safe_url, unwrap_redirect

#: Issues from mail share one key space (the Message-ID), whatever brought the message in.
MAIL_SCOPE = "mail"
MESSAGE_SUFFIXES = frozenset({".eml"})
MBOX_SUFFIXES = frozenset({".mbox", ".mbx"})
#: Longest line piece read at once: a body with no line breaks is read in pieces of this size.
_LINE_PIECE = 64 * 1024
#: The text parts a reader shows; every other leaf part keeps its headers but loses its body.
_TEXT_TYPES = frozenset({"text/plain", "text/html"})
#: Header names that say a file is an e-mail message when they open it.
_MAIL_HEADERS = frozenset(
    "from to cc subject date message-id mime-version received return-path delivered-to reply-to"
    " list-id list-unsubscribe x-mailer content-type dkim-signature arc-seal authentication-results"
    " x-original-to envelope-to sender".split()
)
_HEADER_LINE = re.compile(rb"^([!-9;-~]+):")
_FROM_LINE_DATE = re.compile(rb"\b\d{1,2}:\d{2}(?::\d{2})?\b.*\b\d{4}\b|\b\d{4}-\d{2}-\d{2}")
_QUOTED_FROM = re.compile(rb"^>+From ")
_CID_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?\s*cid:[^>]*>", re.IGNORECASE)
_CID_PLACEHOLDER = re.compile(r"\[cid:[^\]\n]{0,300}\]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]{1,40})", re.IGNORECASE)
_INVISIBLE = re.compile(r"<(script|style|head|title)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.IGNORECASE | re.DOTALL)
_ANGLE_ID = re.compile(r"<([^<>\s]{1,2000})>")
_PLAIN_WEB_LINK = re.compile(r"(https?://[^\s<>()\[\]\"']+)")


class MailError(ValueError):
    """A message that cannot be read as an issue: one line for the user."""


@dataclass(frozen=True, slots=True)
class MailMessage:
    """What a reader needs of one message."""

    key: str  # "mid:<Message-ID>", or a content hash when there is none
    subject: str | None
    source: str | None
    date: str | None  # the Date header's day, YYYY-MM-DD
    published: str | None  # the Date header, ISO 8601
    url: str | None
    text: str
    content_type: str  # "text/html" or "text/plain"
    sender: str | None  # the sender's address


# -- skimming --------------------------------------------------------------------------------


class Skimmer:
    """Reads a message line by line and keeps what a reader shows.

    Headers (of the message and of every part) are kept; the bodies of text/plain and text/html
    parts are kept up to ``limit`` bytes in all; every other body (images, attachments, the
    epilogue of a multipart) is dropped as it streams past.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._out: list[bytes] = []
        self._size = 0
        self._boundaries: list[bytes] = []
        self._header: list[bytes] = []
        self._in_headers = True
        self._keep = True
        self._in_text = False  # inside the body of a kept text part
        #: The kept text went over ``limit`` and the rest of it was dropped.
        self.over_limit = False
        self.lines = 0

    def feed(self, line: bytes) -> None:
        self.lines += 1
        boundary = self._boundary_at(line)
        if self._in_headers and boundary is None:
            self._header.append(line)
            self._emit(line)
            if not line.strip(b"\r\n") or len(self._header) > 4000:
                self._end_headers()
            return
        if boundary is not None:
            if self._in_headers:  # a part with headers and no body: its blank line never came
                self._emit(b"\n")
                self._end_headers()
            depth, closing = boundary
            self._emit(line)
            if closing:  # this multipart ends; its epilogue is dropped
                del self._boundaries[depth:]
                self._keep = self._in_text = False
            else:  # the next part of this multipart
                del self._boundaries[depth + 1 :]
                self._in_headers, self._header, self._in_text = True, [], False
            return
        if self._keep:
            self._emit(line)

    def _boundary_at(self, line: bytes) -> tuple[int, bool] | None:
        """(depth, closing) when ``line`` is a boundary of an open multipart."""
        if not self._boundaries or not line.startswith(b"--"):
            return None
        marker = line.rstrip(b"\r\n\t ")
        for depth in range(len(self._boundaries) - 1, -1, -1):
            boundary = self._boundaries[depth]
            if marker == boundary:
                return depth, False
            if marker == boundary + b"--":
                return depth, True
        return None

    def _emit(self, line: bytes) -> None:
        if self.over_limit:
            return
        self._size += len(line)
        if self._size > self.limit:
            self.over_limit = True
            return
        self._out.append(line)

    def _end_headers(self) -> None:
        self._in_headers = False
        try:
            headers = BytesHeaderParser(policy=compat32).parsebytes(b"".join(self._header))
            content_type = headers.get_content_type()
            boundary = headers.get_boundary() if content_type.startswith("multipart/") else None
            disposition = headers.get_content_disposition()
        except Exception:  # noqa: BLE001 - a header the email package cannot read: a plain part
            content_type, boundary, disposition = "text/plain", None, None
        self._header = []
        if content_type.startswith("multipart/"):
            if boundary:
                self._boundaries.append(b"--" + boundary.strip().encode("utf-8", "surrogateescape"))
            self._keep, self._in_text = True, False  # the preamble: a line or two
        elif content_type == "message/rfc822":
            self._in_headers = True  # a forwarded message: its own headers follow
        else:
            self._keep = content_type in _TEXT_TYPES and disposition != "attachment"
            self._in_text = self._keep

    def finish(self, partial: bool = False) -> tuple[bytes, bool]:
        """The kept message, and whether its text is cut short.

        A multipart that ends inside a text part was cut; with ``partial`` (the data stops
        where the message does not), only an end inside a dropped part (an attachment) is whole.
        """
        unfinished = bool(self._boundaries)
        if partial:
            cut = not (unfinished and not self._keep and not self._in_headers)
        else:
            cut = unfinished and self._in_text
        return b"".join(self._out), cut


def skim(lines: Iterable[bytes], limit: int, partial: bool = False) -> tuple[bytes, bool, bool]:
    """(kept bytes, text cut short, text over ``limit``) of one message."""
    skimmer = Skimmer(limit)
    for line in lines:
        skimmer.feed(line)
    data, cut = skimmer.finish(partial)
    return data, cut, skimmer.over_limit


def file_lines(handle: BinaryIO) -> Iterator[bytes]:
    """The lines of a binary file, a line longer than 64 KiB in pieces (a one-line attachment)."""
    while True:
        line = handle.readline(_LINE_PIECE)
        if not line:
            return
        yield line


def _split_lines(data: bytes) -> Iterator[bytes]:
    start = 0
    size = len(data)
    while start < size:
        end = data.find(b"\n", start, start + _LINE_PIECE)
        end = start + _LINE_PIECE if end < 0 else end + 1
        yield data[start:end]
        start = end


# -- reading a message ----------------------------------------------------------------------


def _from_8bit(text: str) -> str:
    """Header text with raw 8-bit bytes (kept by the parser as surrogates) decoded."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _raw_header(message: Message, name: str) -> str | None:
    """A header's value as it came (raw 8-bit bytes kept as surrogates); None if absent.

    ``Message.get`` would turn 8-bit bytes into replacement characters before we could decode them.
    """
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None


def _header(message: Message, name: str) -> str | None:
    """A header's text, with RFC 2047 encoded words and raw 8-bit bytes decoded; None if absent."""
    value = _raw_header(message, name)
    if value is None:
        return None
    return _decode_words(value)


def _decode_words(value: str) -> str:
    value = _from_8bit(value)
    try:
        value = str(make_header(decode_header(value)))
    except Exception:  # noqa: BLE001 - a malformed encoded word stays as written
        pass
    return _from_8bit(value)


def _charset_text(payload: bytes, charset: str | None, html: bool) -> str:
    """Decode a part's bytes: its charset when it fits, else UTF-8, else Windows-1252."""
    if html and not charset:
        found = _META_CHARSET.search(payload[:4096])
        charset = found.group(1).decode("ascii", "replace") if found else None
    label = (charset or "").strip().strip("\"'").lower()
    if label in ("", "us-ascii", "ascii", "unknown-8bit", "x-unknown"):
        label = "utf-8"
    elif label in ("iso-8859-1", "latin-1", "latin1", "l1", "iso8859-1"):
        label = "cp1252"  # as browsers read it: the C1 range holds Windows-1252's quotes and dashes
    try:
        codecs.lookup(label)
    except LookupError:
        label = "utf-8"
    for candidate in dict.fromkeys((label, "utf-8")):
        try:
            return payload.decode(candidate)
        except UnicodeDecodeError:
            continue
    return payload.decode("cp1252" if label == "utf-8" else label, "replace")


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding: the text as it came
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    text = _charset_text(payload, part.get_content_charset(), part.get_content_type() == "text/html")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _visible(html: str) -> bool:
    """The HTML shows some text (not only images, styles and empty tags)."""
    return bool(_INVISIBLE.sub(" ", html).replace("&nbsp;", " ").strip())


def _body(message: Message) -> tuple[str, str] | None:
    """(text, content type) of the message: its first HTML part with visible text, else its
    plain text parts."""
    plain: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type == "text/html":
            html = _CID_IMAGE.sub("", _part_text(part))
            if _visible(html):
                return html, "text/html"
        elif content_type == "text/plain":
            plain.append(_CID_PLACEHOLDER.sub("", _part_text(part)))
    text = "\n\n".join(piece for piece in plain if piece.strip())
    return (text, "text/plain") if text else None


def _issue_link(message: Message, text: str, content_type: str) -> str | None:
    """Where the issue lives on the web: its "View in browser" link, else the List-Post web
    address, else the page's canonical address."""
    if content_type != "text/html":
        return _plain_web_link(text) or _list_post(message)
    from selectolax.lexbor import LexborHTMLParser

    from briefing_tui.parser.metadata import WEB_VERSION_LINK

    tree = LexborHTMLParser(text)
    for anchor in tree.css("a[href]"):
        label = " ".join(anchor.text(deep=True).split())
        if label and len(label) < 120 and WEB_VERSION_LINK.match(label):
            url = _web_url(anchor.attributes.get("href"))
            if url:
                return url
    listed = _list_post(message)
    if listed:
        return listed
    for selector, attribute in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        url = _web_url(node.attributes.get(attribute) if node else None)
        if url:
            return url
    return None


def _plain_web_link(text: str) -> str | None:
    """The "View in browser: https://..." line of a plain-text message."""
    from briefing_tui.parser.metadata import WEB_VERSION_LINK

    for line in text.split("\n", 400)[:400]:
        stripped = line.strip(" \t*_-[(<")
        if WEB_VERSION_LINK.match(stripped):
            found = _PLAIN_WEB_LINK.search(stripped)
            url = _web_url(found.group(1)) if found else None
            if url:
                return url
    return None


def _web_url(value: str | None) -> str | None:
    url = safe_url(value.strip()) if value else None
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    return unwrap_redirect(url)


def _list_post(message: Message) -> str | None:
    value = _header(message, "List-Post") or ""
    for found in _ANGLE_ID.finditer(value):
        url = _web_url(found.group(1))
        if url:
            return url
    return None


def _identity(message: Message, body: str) -> str:
    raw = _header(message, "Message-ID") or ""
    found = _ANGLE_ID.search(raw)
    message_id = (found.group(1) if found else raw).strip()
    message_id = "".join(ch for ch in message_id if ch.isprintable() and not ch.isspace())
    if message_id:
        if len(message_id) <= 500:
            return "mid:" + message_id
        return "mid-sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    # No Message-ID: what the sender wrote identifies it (not the transport headers, which
    # differ between a copy in an mbox and the same message over IMAP).
    parts = [_header(message, name) or "" for name in ("From", "Date", "Subject")] + [body]
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


def _sender(message: Message) -> tuple[str | None, str | None]:
    """(display name or list name or address, address) of the message's sender."""
    name, address = _name_and_address(_raw_header(message, "From") or "")
    address = clean_text(address) or None
    if not name:  # the list's own name ("Chip Brief <chips.list.example>"), not its bare id
        name, _list_id = _name_and_address(_raw_header(message, "List-Id") or "")
    return cap_label(name or address) or None, address


_NAME_ADDR = re.compile(r"^(.*?)\s*<([^<>]*)>\s*$", re.DOTALL)


def _name_and_address(raw: str) -> tuple[str, str]:
    """(display name, address) of a "Name <address>" header, encoded words decoded.

    The usual shape is split by hand: a name with brackets or colons in it (which the address
    grammar reads as a domain literal or a group) stays whole.
    """
    raw = _from_8bit(raw).strip()
    found = _NAME_ADDR.match(raw)
    name, address = (found.group(1), found.group(2)) if found else parseaddr(raw)
    name = clean_text(_decode_words(name)).strip("\"' ") if name else ""
    return name, address.strip()


def read_message(data: bytes | Iterable[bytes], limit: int, partial: bool = False) -> MailMessage:
    """Read one message (its bytes, or its lines). Raises MailError with one line.

    ``partial``: the data is the message's first ``limit`` bytes only (a large message fetched
    over IMAP); it is read when what is missing is an attachment.
    """
    lines = _split_lines(data) if isinstance(data, (bytes, bytearray)) else data
    kept, cut, over = skim(lines, limit, partial)
    if not kept.strip():
        raise MailError("empty message")
    if over or (partial and cut):
        raise MailError(f"its text is larger than the {_size(limit)} limit")
    message = BytesParser(policy=compat32).parsebytes(kept)
    if not any(message.get(name) for name in ("From", "Subject", "Date", "Message-ID", "Content-Type")):
        raise MailError("not an e-mail message (no From, Subject, Date or Message-ID header)")
    if cut:
        raise MailError("the message is cut off inside its text (truncated)")
    body = _body(message)
    if body is None or not body[0].strip():
        raise MailError("the message has no text (no text/html or text/plain part with content)")
    text, content_type = body
    # the same message from an mbox (where a blank line ends it) and from a file is the same text
    text = text.strip("\n") + "\n"
    subject = cap_label(clean_text(_header(message, "Subject"))) or None
    date = published = None
    stamp = _header(message, "Date")
    if stamp:
        try:
            when = parsedate_to_datetime(stamp)
            date, published = when.date().isoformat(), when.isoformat()
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    source, sender = _sender(message)
    return MailMessage(
        key=_identity(message, text),
        subject=subject,
        source=source,
        date=date,
        published=published,
        url=_issue_link(message, text, content_type),
        text=text,
        content_type=content_type,
        sender=sender,
    )


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def message_issue(data: bytes | Iterable[bytes], limit: int, position: int = 0, partial: bool = False):
    """One message as a parsed issue (ParsedIssue). Raises MailError or ParseError."""
    from briefing_tui.ingest import ParsedIssue, reparse

    mail = read_message(data, limit, partial)
    hints: dict = {
        "title": mail.subject,
        "source": mail.source,
        "date": mail.date,
        "url": mail.url,
        "published": mail.published,
        "position": position,
        "sender": mail.sender,
    }
    if mail.subject:
        hints["title_is_final"] = True  # a mail client's name for the message is its Subject
    briefing = reparse(mail.text, mail.content_type, hints)
    return ParsedIssue(mail.key, mail.text, mail.content_type, hints, briefing, scope=MAIL_SCOPE)


# -- files, mboxes and Maildirs ------------------------------------------------------------


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def maildir_files(path: Path) -> list[Path]:
    """The messages of a Maildir (new/ and cur/, oldest name first); stray files elsewhere are not looked at."""
    files: list[Path] = []
    for folder in ("new", "cur"):
        try:
            names = sorted(os.listdir(path / folder))
        except OSError:
            continue
        files.extend(path / folder / name for name in names if not name.startswith("."))
    return files


def looks_like_message(head: bytes) -> bool:
    """The first bytes of a file are the header block of an e-mail message."""
    known = 0
    for number, line in enumerate(head.splitlines()[:200]):
        if not line.strip():
            return known >= 2 and number > 1
        if line[:1] in (b" ", b"\t") and number:
            continue  # a folded header line
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        known += match.group(1).decode("ascii").lower() in _MAIL_HEADERS
    return known >= 2


def looks_like_mbox(head: bytes) -> bool:
    first, _, rest = head.partition(b"\n")
    return first.startswith(b"From ") and looks_like_message(rest)


def mail_kind(path: Path, head: bytes | None = None) -> str | None:
    """"maildir", "mbox" or "message" when ``path`` holds mail, else None."""
    from briefing_tui.feeds import FEED_SUFFIXES
    from briefing_tui.ingest import NEWSLETTER_SUFFIXES, OPML_SUFFIXES

    if path.is_dir():
        return "maildir" if is_maildir(path) else None
    suffix = path.suffix.lower()
    in_maildir = path.parent.name in ("cur", "new") and is_maildir(path.parent.parent)
    if not in_maildir and suffix in NEWSLETTER_SUFFIXES | FEED_SUFFIXES | OPML_SUFFIXES:
        # a newsletter that opens with "From:" and "Subject:" lines is still a newsletter file
        return None
    if suffix in MBOX_SUFFIXES:
        return "mbox"
    if head is None:
        head = _head(path)
    if head is not None and looks_like_mbox(head):
        return "mbox"  # also an mbox saved as .eml
    if suffix in MESSAGE_SUFFIXES or in_maildir:
        return "message"
    if head is not None and looks_like_message(head):
        return "message"
    return None


def _head(path: Path) -> bytes | None:
    """The first bytes of a regular file; None for anything else (a FIFO is never waited on)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(16384)
        except OSError:
            return None


def _is_separator(line: bytes, previous_blank: bool) -> bool:
    return line.startswith(b"From ") and (previous_blank or bool(_FROM_LINE_DATE.search(line)))


def mbox_messages(handle: BinaryIO) -> Iterator[tuple[int, Iterator[bytes] | None]]:
    """(number, lines) of each message of an mbox, streamed; lines None for text before the first.

    A message starts at a "From " line at the top of the file or after a blank line (or one
    that carries the envelope's date); ">From " lines in a body lose one ">" (mboxrd).
    Lines a caller leaves unread are skipped when the next message is asked for.
    """
    lines = file_lines(handle)
    first = next(lines, None)
    if first is None:
        return
    state: dict[str, bytes | None] = {"next": first}

    def body() -> Iterator[bytes]:
        previous_blank = False
        for line in lines:
            if _is_separator(line, previous_blank):
                state["next"] = line
                return
            previous_blank = not line.strip(b"\r\n")
            yield line[1:] if _QUOTED_FROM.match(line) else line
        state["next"] = None

    number = 0
    if not first.startswith(b"From "):
        # Text before the first "From " line: a message of its own when it starts with headers.
        def leading() -> Iterator[bytes]:
            yield first
            yield from body()

        message = leading()
        number += 1
        yield number, message if _HEADER_LINE.match(first) else None
        for _line in message:  # what the caller left unread
            pass
    while state["next"] is not None:
        state["next"] = None
        number += 1
        message = body()
        yield number, message
        for _line in message:
            pass


__all__ = [
    "MAIL_SCOPE",
    "MailError",
    "MailMessage",
    "is_maildir",
    "looks_like_mbox",
    "looks_like_message",
    "mail_kind",
    "maildir_files",
    "mbox_messages",
    "message_issue",
    "read_message",
]
