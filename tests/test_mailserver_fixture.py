"""The Dovecot fixture works as the IMAP tests expect, checked with nothing but imaplib."""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import ssl
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

from tests.mailserver import CuttingProxy, Dovecot

FOLDER = "Newsletters"


def newsletter(number: int, filler: int = 0) -> bytes:
    message = EmailMessage()
    message["From"] = "Quokka Daily <daily@news.example.com>"
    message["To"] = "reader@example.com"
    message["Subject"] = f"Briefing number {number}"
    message["Message-ID"] = f"<briefing-{number}@news.example.com>"
    message["Date"] = format_datetime(datetime(2026, 3, number % 28 + 1, 8, 0, tzinfo=timezone.utc))
    lines = [f"Good morning. Here is briefing {number}."]
    lines += [f"Filler line {i} about zephyrine chips and torvane benchmarks." for i in range(filler)]
    message.set_content("\n".join(lines) + "\n")
    return message.as_bytes()


def trusting(server: Dovecot) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(server.ca_file))


def peek_all(imap: imaplib.IMAP4, folder: str) -> dict[int, bytes]:
    typ, _ = imap.select(f'"{folder}"')
    assert typ == "OK"
    typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
    assert typ == "OK"
    return {
        int(re.search(rb"UID (\d+)", item[0]).group(1)): item[1] for item in data if isinstance(item, tuple)
    }


def test_login_on_the_plain_port(dovecot):
    imap = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    try:
        assert imap.welcome.startswith(b"* OK [CAPABILITY ")
        assert {"STARTTLS", "AUTH=PLAIN", "IMAP4REV1"} <= set(imap.capabilities)
        assert "LOGINDISABLED" not in imap.capabilities
        typ, _ = imap.login(dovecot.user, dovecot.password)
        assert typ == "OK"
        assert imap.sock.getpeername()[1] == dovecot.port
    finally:
        imap.logout()


def test_wrong_password_is_refused(dovecot):
    imap = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login(dovecot.user, "not-the-password")
    finally:
        imap.logout()


def test_starttls_with_the_ca_file(dovecot):
    imap = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    try:
        imap.starttls(ssl_context=trusting(dovecot))
        assert isinstance(imap.sock, ssl.SSLSocket)
        assert imap.sock.version() in {"TLSv1.2", "TLSv1.3"}
        assert "STARTTLS" not in imap.capabilities
        typ, _ = imap.login(dovecot.user, dovecot.password)
        assert typ == "OK"
    finally:
        imap.logout()


def test_implicit_tls_port_with_the_ca_file(dovecot):
    imap = imaplib.IMAP4_SSL(dovecot.host, dovecot.tls_port, ssl_context=trusting(dovecot), timeout=10)
    try:
        assert imap.sock.getpeercert()["subjectAltName"] == (("IP Address", "127.0.0.1"), ("DNS", "localhost"))
        typ, _ = imap.login(dovecot.user, dovecot.password)
        assert typ == "OK"
    finally:
        imap.logout()
    localhost = imaplib.IMAP4_SSL("localhost", dovecot.tls_port, ssl_context=trusting(dovecot), timeout=10)
    localhost.logout()


def test_tls_without_the_ca_file_fails_verification(dovecot):
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL(dovecot.host, dovecot.tls_port, ssl_context=ssl.create_default_context(), timeout=10)
    imap = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):
        imap.starttls(ssl_context=ssl.create_default_context())
    with contextlib.suppress(OSError):  # the failed handshake already closed the socket
        imap.shutdown()


def test_plain_server_offers_no_starttls(dovecot_plain):
    assert dovecot_plain.tls_port is None and dovecot_plain.ca_file is None
    assert not dovecot_plain.starttls
    imap = imaplib.IMAP4(dovecot_plain.host, dovecot_plain.port, timeout=10)
    try:
        assert "STARTTLS" not in imap.capabilities
        with pytest.raises(imaplib.IMAP4.error, match="TLS not supported"):
            imap.starttls(ssl_context=ssl.create_default_context())
        typ, _ = imap.login(dovecot_plain.user, dovecot_plain.password)
        assert typ == "OK"
    finally:
        imap.logout()


def test_append_then_peek_leaves_flags_alone(dovecot):
    messages = {number: newsletter(number) for number in (1, 2, 3)}
    uids = [dovecot.append(FOLDER, messages[1]), dovecot.append(FOLDER, messages[2])]
    uids.append(dovecot.append(FOLDER, messages[3], flags="\\Flagged"))
    assert uids == [1, 2, 3]
    assert dovecot.flags(FOLDER) == {1: set(), 2: set(), 3: {"\\Flagged"}}

    with dovecot.connect() as imap:
        fetched = peek_all(imap, FOLDER)
    assert sorted(fetched) == uids
    for uid, number in zip(uids, (1, 2, 3)):
        assert fetched[uid].replace(b"\r\n", b"\n") == messages[number]
        parsed = BytesParser(policy=policy.default).parsebytes(fetched[uid])
        assert parsed["Subject"] == f"Briefing number {number}"
    assert dovecot.flags(FOLDER) == {1: set(), 2: set(), 3: {"\\Flagged"}}
    stored = [path for sub in ("cur", "new") for path in (dovecot.maildir / f".{FOLDER}" / sub).iterdir()]
    assert len(stored) == 3

    # a fetch without PEEK does mark a message read, and flags() sees it
    with dovecot.connect() as imap:
        imap.select(FOLDER)
        imap.uid("FETCH", "2", "(BODY[])")
    assert dovecot.flags(FOLDER)[2] == {"\\Seen"}


def test_flags_of_an_empty_folder(dovecot):
    dovecot.create(FOLDER)
    assert dovecot.flags(FOLDER) == {}
    assert dovecot.flags("INBOX") == {}


def test_uidvalidity_changes_when_the_folder_is_recreated(dovecot):
    dovecot.append(FOLDER, newsletter(1))
    before = dovecot.uidvalidity(FOLDER)
    after = dovecot.recreate_folder(FOLDER)
    assert after != before
    assert dovecot.flags(FOLDER) == {}
    assert dovecot.append(FOLDER, newsletter(2)) == 1

    dovecot.delete_folder(FOLDER)
    with dovecot.connect() as imap:
        typ, _ = imap.status(FOLDER, "(UIDVALIDITY)")
    assert typ == "NO"


def test_expunge_removes_one_message(dovecot):
    for number in (1, 2):
        dovecot.append(FOLDER, newsletter(number))
    dovecot.expunge(FOLDER, 1)
    assert dovecot.flags(FOLDER) == {2: set()}


def test_cutting_proxy_drops_a_large_fetch(dovecot):
    uid = dovecot.append(FOLDER, newsletter(7, filler=5000))  # about 300 KB
    with CuttingProxy((dovecot.host, dovecot.port), cut_after=50_000) as proxy:
        imap = imaplib.IMAP4(proxy.host, proxy.port, timeout=10)
        imap.login(dovecot.user, dovecot.password)
        imap.select(FOLDER)
        with pytest.raises((imaplib.IMAP4.abort, OSError)):
            imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
        imap.shutdown()
        assert proxy.connections == 1
        assert proxy.cuts == 1
    assert dovecot.flags(FOLDER) == {uid: set()}


def test_cutting_proxy_with_reset(dovecot):
    uid = dovecot.append(FOLDER, newsletter(8, filler=5000))
    with CuttingProxy((dovecot.host, dovecot.port), cut_after=50_000, reset=True) as proxy:
        imap = imaplib.IMAP4(proxy.host, proxy.port, timeout=10)
        imap.login(dovecot.user, dovecot.password)
        imap.select(FOLDER)
        with pytest.raises((imaplib.IMAP4.abort, OSError)):
            imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
        imap.shutdown()


def test_cutting_proxy_without_a_limit_forwards_everything(dovecot):
    message = newsletter(9, filler=5000)
    uid = dovecot.append(FOLDER, message)
    with CuttingProxy((dovecot.host, dovecot.port), cut_after=None) as proxy:
        imap = imaplib.IMAP4(proxy.host, proxy.port, timeout=10)
        imap.login(dovecot.user, dovecot.password)
        fetched = peek_all(imap, FOLDER)
        imap.logout()
        assert proxy.cuts == 0
    assert fetched[uid].replace(b"\r\n", b"\n") == message


def test_stop_ends_the_server(dovecot):
    pid = dovecot._process.pid
    dovecot.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # (its port is not checked: once free, another test's server may already listen there)
    dovecot.stop()
