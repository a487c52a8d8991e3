"""An IMAP folder as a source of newsletters, read with the standard library's imaplib.

imaplib is enough for what a reader does (log in, EXAMINE a folder, UID SEARCH, UID FETCH)
and brings no dependency; every request it sends here is read-only: the folder is opened with
EXAMINE and bodies are fetched with BODY.PEEK, so no message is ever marked seen, moved or
deleted. A refresh fetches only the messages added since the last one (UIDVALIDITY + UID).

The password is never stored: it comes from the BRIEFING_TUI_IMAP_PASSWORD environment variable
or from the subscription's password command (run through the shell, like mbsync's PassCmd).
"""

from __future__ import annotations

import imaplib
import ipaddress
import os
import re
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from briefing_tui.text import clean_text, truncate

PASSWORD_ENV = "BRIEFING_TUI_IMAP_PASSWORD"
DEFAULT_PORTS = {"imaps": 993, "imap": 143}
#: Messages fetched in one request at most (fewer when they are large: see :func:`_batches`).
BATCH = 50
#: Bytes asked for in one request at most: what a dropped connection can cost to fetch again.
BATCH_BYTES = 4 * 1024 * 1024
#: How long a password command may run.
PASSWORD_COMMAND_TIMEOUT_S = 60


class ImapError(Exception):
    """A mailbox that cannot be read: one line for the user."""


@dataclass(frozen=True, slots=True)
class MailboxAddress:
    """``imaps://USER@HOST[:PORT]/FOLDER`` (or ``imap://`` with STARTTLS)."""

    scheme: str
    user: str
    host: str
    port: int
    folder: str

    @classmethod
    def parse(cls, url: str) -> MailboxAddress:
        text = url.strip()
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as error:
            raise ValueError(f"not a mailbox address ({error})") from None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise ValueError("a mailbox address starts with imaps:// or imap://")
        if not parts.hostname:
            raise ValueError("the mailbox address has no server: imaps://USER@HOST/FOLDER")
        if not parts.username:
            raise ValueError("the mailbox address has no user name: imaps://USER@HOST/FOLDER")
        if parts.password is not None:
            raise ValueError(
                "a password in the address would be stored: give --password-command or set " + PASSWORD_ENV
            )
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        if parts.query or parts.fragment:
            raise ValueError("the mailbox address has a query or fragment; the folder goes in the path")
        for value in (parts.username, parts.hostname, folder):
            if any(ord(char) < 32 or ord(char) == 127 for char in unquote(value)):
                raise ValueError("the mailbox address holds control characters")
        return cls(scheme, unquote(parts.username), parts.hostname.lower(), port or DEFAULT_PORTS[scheme], folder)

    @property
    def url(self) -> str:
        """The address as stored and shown (the default port left out)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{quote(self.user, safe='')}@{host}{port}/{quote(self.folder, safe='/')}"

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def is_mailbox_url(url: str) -> bool:
    return url.strip().lower().startswith(("imap://", "imaps://"))


def get_password(address: MailboxAddress, password_command: str | None) -> str:
    """The password: from the environment, else from the password command's first line."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not password_command:
        raise ImapError(
            f"no password: add the folder with --password-command \"CMD\" or set {PASSWORD_ENV}"
        )
    try:
        done = subprocess.run(
            password_command,
            shell=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PASSWORD_COMMAND_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImapError(f"the password command did not finish in {PASSWORD_COMMAND_TIMEOUT_S} s") from None
    except OSError as error:
        raise ImapError(f"the password command could not run: {error.strerror or error}") from None
    if done.returncode != 0:
        said = clean_text(done.stderr.decode("utf-8", "replace"))
        raise ImapError(
            f"the password command failed (exit {done.returncode})" + (f": {truncate(said, 160)}" if said else "")
        )
    first = done.stdout.decode("utf-8", "replace").split("\n", 1)[0].rstrip("\r")
    if not first:
        raise ImapError("the password command printed nothing")
    return first


def _utf7(folder: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3)."""
    out, pending = [], []

    def flush() -> None:
        if pending:
            import base64

            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in folder:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _said(error: BaseException) -> str:
    """What the server or the network said, as one clean line."""
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = clean_text(str(text)) or error.__class__.__name__
    return truncate(text, 200)


@dataclass(slots=True)
class FetchedMessage:
    uid: int
    data: bytes
    size: int  # the message's whole size on the server (data may be cut at the limit)


@dataclass(slots=True)
class MailboxFetch:
    uidvalidity: int | None = None
    #: The highest UID read so far (every message up to it was fetched).
    last_uid: int = 0
    messages: list[FetchedMessage] = field(default_factory=list)
    #: The folder's UIDVALIDITY changed: every message was fetched again.
    reset: bool = False
    error: str | None = None


class _Connection:
    def __init__(self, address: MailboxAddress, timeout: float, ca_file: str | None):
        self.address = address
        try:
            context = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
        except (OSError, ssl.SSLError) as error:
            raise ImapError(f"cannot read the CA file {ca_file}: {_said(error)}") from None
        try:
            if address.scheme == "imaps":
                self.imap = imaplib.IMAP4_SSL(address.host, address.port, ssl_context=context, timeout=timeout)
            else:
                self.imap = imaplib.IMAP4(address.host, address.port, timeout=timeout)
                if "STARTTLS" in self.imap.capabilities:
                    self.imap.starttls(context)
                elif not address.is_loopback:
                    self.close()
                    raise ImapError(
                        "the server offers no STARTTLS: use imaps:// (IMAP without TLS is only used on this computer)"
                    )
        except ssl.SSLCertVerificationError as error:
            raise ImapError(
                f"the server's certificate is not trusted ({_said(error)}); give its CA with --ca-file"
            ) from None
        except (ssl.SSLError, imaplib.IMAP4.error) as error:
            raise ImapError(f"TLS with {address.host} failed: {_said(error)}") from None
        except socket.timeout:
            raise ImapError(f"{address.host}:{address.port} did not answer in {timeout:g} s") from None
        except OSError as error:
            raise ImapError(f"cannot connect to {address.host}:{address.port}: {error.strerror or _said(error)}") from None

    def close(self) -> None:
        imap = getattr(self, "imap", None)
        if imap is None:
            return
        try:
            if imap.state in ("AUTH", "SELECTED"):
                imap.logout()
            else:
                imap.shutdown()
        except (imaplib.IMAP4.error, OSError):
            try:
                imap.shutdown()
            except OSError:
                pass


_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


def _fetch_rows(data: list) -> Iterator[tuple[bytes, bytes | None]]:
    """(the response's words, its literal) for each message of a FETCH answer."""
    index = 0
    while index < len(data):
        item = data[index]
        if isinstance(item, tuple):
            head, literal = item[0], item[1]
            tail = data[index + 1] if index + 1 < len(data) and isinstance(data[index + 1], bytes) else b""
            yield head + b" " + tail, literal
            index += 2 if tail else 1
        else:
            if isinstance(item, bytes):
                yield item, None
            index += 1


def _batches(sizes: list[tuple[int, int]], limit: int) -> Iterator[list[int]]:
    """UIDs in groups of at most BATCH messages and BATCH_BYTES (a larger message goes alone).

    ``limit`` is the most fetched of one message.
    """
    group: list[int] = []
    total = 0
    for uid, size in sizes:
        size = min(size, limit)
        if group and (len(group) >= BATCH or total + size > BATCH_BYTES):
            yield group
            group, total = [], 0
        group.append(uid)
        total += size
    if group:
        yield group


def fetch_mailbox(
    address: MailboxAddress,
    password: str,
    *,
    uidvalidity: int | None,
    last_uid: int,
    limit: int,
    timeout: float,
    total_timeout: float,
    ca_file: str | None = None,
    on_message: Callable[[FetchedMessage], None] | None = None,
) -> MailboxFetch:
    """The messages of a folder newer than ``last_uid``, read-only. Never raises for the network:

    failures land in ``error``; the messages fetched before a failure are returned with it
    (``last_uid`` is the highest of them), so nothing is fetched twice and nothing is lost.
    Each message is at most ``limit`` bytes (the rest is not fetched).
    """
    result = MailboxFetch(uidvalidity=uidvalidity, last_uid=last_uid)
    started = time.monotonic()
    connection: _Connection | None = None
    try:
        connection = _Connection(address, timeout, ca_file)
        imap = connection.imap
        try:
            imap.login(address.user, password)
        except imaplib.IMAP4.error as error:
            raise ImapError(f"login failed for {address.user}: {_said(error)}") from None
        status, answer = imap.select(_quoted(_utf7(address.folder)), readonly=True)
        if status != "OK":
            said = _said(imaplib.IMAP4.error(answer[0] if answer else b""))
            raise ImapError(f"no folder {address.folder!r} on {address.host} ({said})")
        validity = imap.response("UIDVALIDITY")[1]
        current = int(validity[0]) if validity and validity[0] and validity[0].isdigit() else None
        if current is not None and uidvalidity is not None and current != uidvalidity:
            result.reset, result.last_uid = True, 0  # the folder was rebuilt: its UIDs mean other messages
        result.uidvalidity = current
        status, answer = imap.uid("SEARCH", f"UID {result.last_uid + 1}:*")
        if status != "OK":
            raise ImapError(f"the server refused to list the folder: {_said(imaplib.IMAP4.error(answer[0]))}")
        uids = sorted(int(uid) for uid in (answer[0] or b"").split() if uid.isdigit() and int(uid) > result.last_uid)
        if not uids:
            return result
        sizes: list[tuple[int, int]] = []
        for start in range(0, len(uids), 500):
            chunk = ",".join(str(uid) for uid in uids[start : start + 500])
            status, answer = imap.uid("FETCH", chunk, "(UID RFC822.SIZE)")
            for words, _literal in _fetch_rows(answer if status == "OK" else []):
                uid, size = _UID.search(words), _SIZE.search(words)
                if uid and size:
                    sizes.append((int(uid.group(1)), int(size.group(1))))
        sizes.sort()
        for group in _batches(sizes, limit):
            if time.monotonic() - started > total_timeout:
                raise ImapError(f"stopped after {total_timeout:g} s; the rest comes with the next refresh")
            status, answer = imap.uid("FETCH", ",".join(map(str, group)), f"(UID RFC822.SIZE BODY.PEEK[]<0.{limit}>)")
            if status != "OK":
                raise ImapError(f"the server refused to send messages: {_said(imaplib.IMAP4.error(answer[0]))}")
            got: dict[int, FetchedMessage] = {}
            for words, literal in _fetch_rows(answer):
                uid, size = _UID.search(words), _SIZE.search(words)
                if uid and literal is not None:
                    got[int(uid.group(1))] = FetchedMessage(
                        int(uid.group(1)), literal, int(size.group(1)) if size else len(literal)
                    )
            for uid in group:  # in UID order; a message deleted meanwhile is simply not there
                message = got.get(uid)
                if message is not None:
                    result.messages.append(message)
                    if on_message:
                        on_message(message)
                result.last_uid = max(result.last_uid, uid)
    except ImapError as error:
        result.error = str(error)
    except imaplib.IMAP4.abort as error:
        result.error = f"the server closed the connection: {_said(error)}"
    except imaplib.IMAP4.error as error:
        result.error = f"the server refused: {_said(error)}"
    except socket.timeout:
        result.error = f"{address.host} stopped answering for {timeout:g} s"
    except (OSError, EOFError) as error:
        result.error = f"the connection to {address.host} failed: {_said(error)}"
    finally:
        if connection is not None:
            connection.close()
    return result


__all__ = [
    "PASSWORD_ENV",
    "FetchedMessage",
    "ImapError",
    "MailboxAddress",
    "MailboxFetch",
    "fetch_mailbox",
    "get_password",
    "is_mailbox_url",
]
