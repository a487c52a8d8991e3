"""An IMAP folder as a subscription, against a real Dovecot server on 127.0.0.1.

Every test drives the real command line (add, refresh, feeds, list, read, remove) against the
server started by the ``dovecot`` fixture (tests/mailserver.py), filled by IMAP APPEND.
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from briefing_tui.cli import main
from briefing_tui.paths import Locations
from tests.mailserver import CuttingProxy

FOLDER = "Newsletters"
DAY = datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc)


def newsletter(
    number: int,
    sender: str = "Chip Brief <editor@chipbrief.example>",
    *,
    message_id: str | None = "default",
    attachment: bytes | None = None,
) -> bytes:
    """An invented HTML newsletter with a plain-text alternative, as e-mail builders send them."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "reader@example.org"
    message["Subject"] = f"Chip Brief #{number}: wafers, memory and a quiet launch"
    message["Date"] = format_datetime(DAY + timedelta(days=number))
    if message_id == "default":
        message_id = f"<issue-{number}.{sender.split('@')[-1].rstrip('>')}@mail.example>"
    if message_id:
        message["Message-ID"] = message_id
    message["List-Id"] = "Chip Brief <chipbrief.list.example>"
    stories = [
        (f"Wafer plant {number} opens in Dresden", "The plant makes 300 mm wafers.", "Capacity is the story."),
        (f"Memory prices rise for week {number}", "Contract prices rose 7%.", "Buy early."),
    ]
    text = "\n\n".join(f"{title}\n\n{lead}\n\nBottom line: {bottom}" for title, lead, bottom in stories)
    message.set_content(text)
    html = "".join(
        f"<h2>{title}</h2><p>{lead}</p><p><strong>Bottom line:</strong> {bottom}</p>"
        for title, lead, bottom in stories
    )
    message.add_alternative(
        f'<html><body><p><a href="https://chipbrief.example/issues/{number}">View in browser</a></p>'
        f"<h1>Chip Brief #{number}</h1>{html}</body></html>",
        subtype="html",
    )
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="slides.pdf")
    return bytes(message)


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def issues(capsys) -> list[dict]:
    code, out, err = cli(capsys, "list", "--json")
    assert code == 0, err
    return json.loads(out)


def subscribe(capsys, server, monkeypatch, *, scheme="imaps", port=None, folder=FOLDER, ca=True) -> str:
    port = port or (server.tls_port if scheme == "imaps" else server.port)
    url = f"{scheme}://{server.user}@{server.host}:{port}/{folder}"
    extra = ["--ca-file", server.ca_file] if ca and server.ca_file else []
    monkeypatch.setenv("BRIEFING_TUI_IMAP_PASSWORD", server.password)
    code, out, err = cli(capsys, "add", url, *extra)
    assert code == 0, err
    return url


def test_a_folder_is_fetched_over_tls_read_only_and_incrementally(capsys, monkeypatch, dovecot):
    for number in (1, 2, 3):
        dovecot.append(FOLDER, newsletter(number))
    subscribe(capsys, dovecot, monkeypatch)

    code, out, err = cli(capsys, "refresh", "--plain")
    assert code == 0, err
    assert "3 new" in out
    listed = issues(capsys)
    assert sorted(issue["title"] for issue in listed) == [
        f"Chip Brief #{n}: wafers, memory and a quiet launch" for n in (1, 2, 3)
    ]
    assert {issue["source"] for issue in listed} == {"Chip Brief"}
    assert {issue["date"] for issue in listed} == {"2026-11-21", "2026-11-22", "2026-11-23"}
    # read-only: nothing was marked seen on the server
    assert all("\\Seen" not in flags for flags in dovecot.flags(FOLDER).values())

    dovecot.append(FOLDER, newsletter(4))
    code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 0 and "1 new" in out
    assert len(issues(capsys)) == 4


def test_a_refresh_fetches_only_what_is_new(capsys, monkeypatch, dovecot):
    for number in (1, 2, 3):
        dovecot.append(FOLDER, newsletter(number, attachment=b"%PDF" * 100_000))
    with CuttingProxy((dovecot.host, dovecot.port), cut_after=None) as proxy:
        subscribe(capsys, dovecot, monkeypatch, scheme="imap", port=proxy.port)
        assert cli(capsys, "refresh", "--plain")[0] == 0
        first = proxy.to_client
        assert first > 3 * 400_000  # three messages of 0.5 MB came
        code, out, _ = cli(capsys, "refresh", "--plain")
        assert code == 0 and "0 new" in out
        assert proxy.to_client - first < 20_000  # nothing but the greeting and the folder's state
    assert len(issues(capsys)) == 3


def test_an_issue_from_mail_has_its_stories_and_web_link(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1))
    subscribe(capsys, dovecot, monkeypatch)
    assert cli(capsys, "refresh", "--plain")[0] == 0
    (issue,) = issues(capsys)
    code, out, _ = cli(capsys, "export", "json")
    exported = json.loads(out)["issues"][0]
    titles = [story["title"] for story in exported["stories"]]
    assert "Wafer plant 1 opens in Dresden" in titles
    assert "Memory prices rise for week 1" in titles
    assert exported["url"] == "https://chipbrief.example/issues/1"
    assert issue["id"] == exported["id"]


def test_many_senders_in_one_folder_are_many_sources(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1))
    dovecot.append(FOLDER, newsletter(1, "Cloud Notes <hello@cloudnotes.example>"))
    dovecot.append(FOLDER, newsletter(1, "<digest@bare.example>"))
    subscribe(capsys, dovecot, monkeypatch)
    assert cli(capsys, "refresh", "--plain")[0] == 0
    # no display name: the List-Id's name, as the sender calls its list
    assert sorted(issue["source"] for issue in issues(capsys)) == ["Chip Brief", "Chip Brief", "Cloud Notes"]
    code, out, _ = cli(capsys, "list", "--json", "--source", "Cloud Notes")
    assert [issue["source"] for issue in json.loads(out)] == ["Cloud Notes"]


def test_starttls_and_plain_imap_on_loopback(capsys, monkeypatch, dovecot, dovecot_plain):
    dovecot.append(FOLDER, newsletter(1))
    dovecot_plain.append(FOLDER, newsletter(2, "Cloud Notes <hello@cloudnotes.example>"))
    subscribe(capsys, dovecot, monkeypatch, scheme="imap")  # STARTTLS, certificate checked
    subscribe(capsys, dovecot_plain, monkeypatch, scheme="imap", ca=False)  # no STARTTLS: loopback only
    code, out, err = cli(capsys, "refresh", "--plain")
    assert code == 0, out + err
    assert sorted(issue["source"] for issue in issues(capsys)) == ["Chip Brief", "Cloud Notes"]


def test_a_certificate_that_is_not_trusted_fails_that_folder_in_one_line(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1))
    subscribe(capsys, dovecot, monkeypatch, ca=False)
    code, out, err = cli(capsys, "refresh", "--plain")
    assert code == 1
    assert "certificate is not trusted" in out and "--ca-file" in out
    assert issues(capsys) == []


def test_the_password_comes_from_a_command_and_is_never_stored(capsys, monkeypatch, dovecot, tmp_path):
    dovecot.append(FOLDER, newsletter(1))
    secret = tmp_path / "secret"
    secret.write_text(dovecot.password + "\n")
    url = f"imaps://{dovecot.user}@{dovecot.host}:{dovecot.tls_port}/{FOLDER}"
    monkeypatch.delenv("BRIEFING_TUI_IMAP_PASSWORD", raising=False)
    code, _, err = cli(capsys, "add", url, "--password-command", f"cat {secret}", "--ca-file", dovecot.ca_file)
    assert code == 0, err
    code, out, err = cli(capsys, "refresh", "--plain")
    assert code == 0, out + err
    assert len(issues(capsys)) == 1
    state = Locations.resolve().state_db
    for path in state.parent.glob(state.name + "*"):
        assert dovecot.password.encode() not in path.read_bytes()
    stored = sqlite3.connect(state).execute("SELECT options FROM subscriptions").fetchone()[0]
    assert f"cat {secret}" in json.loads(stored)["password_command"]


def test_no_password_a_failing_command_and_a_wrong_password_are_one_line_each(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1))
    url = f"imaps://{dovecot.user}@{dovecot.host}:{dovecot.tls_port}/{FOLDER}"
    monkeypatch.delenv("BRIEFING_TUI_IMAP_PASSWORD", raising=False)
    assert cli(capsys, "add", url, "--ca-file", dovecot.ca_file)[0] == 0
    code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 1 and "no password" in out and "BRIEFING_TUI_IMAP_PASSWORD" in out

    assert cli(capsys, "add", url, "--password-command", "echo nope >&2; exit 3")[0] == 0
    code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 1 and "password command failed (exit 3): nope" in out

    monkeypatch.setenv("BRIEFING_TUI_IMAP_PASSWORD", "wrong-password")
    code, out, err = cli(capsys, "refresh", "--plain")
    assert code == 1 and "login failed" in out
    code, out, _ = cli(capsys, "feeds")
    assert "login failed" in out
    assert issues(capsys) == []


def test_a_folder_that_does_not_exist_is_one_line(capsys, monkeypatch, dovecot):
    dovecot.create("Other")
    subscribe(capsys, dovecot, monkeypatch, folder="Missing")
    code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 1
    failures = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert len(failures) == 1 and "no folder 'Missing'" in failures[0]


def test_a_server_that_refuses_connections_is_one_line(capsys, monkeypatch, dovecot):
    subscribe(capsys, dovecot, monkeypatch)
    dovecot.stop()
    code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 1 and "cannot connect to 127.0.0.1" in out


def test_a_connection_dropped_mid_fetch_keeps_what_came_and_fetches_the_rest_later(capsys, monkeypatch, dovecot):
    # messages of ~1.2 MB each: the folder is fetched in several requests
    padding = b"x" * 1_200_000
    for number in range(1, 9):
        dovecot.append(FOLDER, newsletter(number, attachment=padding))
    monkeypatch.setenv("BRIEFING_TUI_IMAP_PASSWORD", dovecot.password)
    with CuttingProxy((dovecot.host, dovecot.port), cut_after=7_000_000) as proxy:
        url = f"imap://{dovecot.user}@{dovecot.host}:{proxy.port}/{FOLDER}"
        assert cli(capsys, "add", url, "--ca-file", dovecot.ca_file)[0] == 0
        code, out, err = cli(capsys, "refresh", "--plain")
        assert code == 1
        assert "closed the connection" in out or "connection to 127.0.0.1 failed" in out
        first = len(issues(capsys))
        assert 0 < first < 8  # the messages that came in whole are kept
        code, out, err = cli(capsys, "refresh", "--plain")
    stored = issues(capsys)
    assert len(stored) > first and len({issue["id"] for issue in stored}) == len(stored)
    # the rest, through a connection that is not cut
    monkeypatch.setenv("BRIEFING_TUI_IMAP_PASSWORD", dovecot.password)
    assert cli(capsys, "remove", url)[0] == 0
    subscribe(capsys, dovecot, monkeypatch, scheme="imap")
    assert cli(capsys, "refresh", "--plain")[0] == 0
    assert len(issues(capsys)) == 8


def test_a_new_uidvalidity_fetches_again_without_duplicates_or_lost_marks(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1))
    subscribe(capsys, dovecot, monkeypatch)
    assert cli(capsys, "refresh", "--plain")[0] == 0
    (issue,) = issues(capsys)
    assert cli(capsys, "mark-read", "--issue", issue["id"])[0] == 0
    assert issues(capsys)[0]["unread_stories"] == 0

    dovecot.recreate_folder(FOLDER)  # the server's folder was rebuilt: its UIDs start again
    dovecot.append(FOLDER, newsletter(1))
    dovecot.append(FOLDER, newsletter(2))
    code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 0 and "1 new" in out
    listed = {item["title"][:13]: item for item in issues(capsys)}
    assert set(listed) == {"Chip Brief #1", "Chip Brief #2"}
    assert listed["Chip Brief #1"]["unread_stories"] == 0


def test_a_message_imported_from_a_file_and_then_fetched_is_one_issue(capsys, monkeypatch, dovecot, tmp_path):
    message = newsletter(1)
    (tmp_path / "issue.eml").write_bytes(message)
    assert cli(capsys, "import", tmp_path / "issue.eml")[0] == 0
    (issue,) = issues(capsys)
    assert cli(capsys, "mark-read", "--issue", issue["id"])[0] == 0
    dovecot.append(FOLDER, message)
    url = subscribe(capsys, dovecot, monkeypatch)
    assert cli(capsys, "refresh", "--plain")[0] == 0
    (again,) = issues(capsys)
    assert again["id"] == issue["id"] and again["unread_stories"] == 0
    # it now belongs to the folder: counted in its unread and removed with it
    code, out, _ = cli(capsys, "feeds", "--json")
    assert json.loads(out)[0]["url"] == url
    assert cli(capsys, "remove", url)[0] == 0
    assert issues(capsys) == []


def test_a_message_without_message_id_is_not_fetched_twice(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1, message_id=None))
    subscribe(capsys, dovecot, monkeypatch)
    assert cli(capsys, "refresh", "--plain")[0] == 0
    dovecot.recreate_folder(FOLDER)
    dovecot.append(FOLDER, newsletter(1, message_id=None))
    code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 0 and "0 new" in out
    assert len(issues(capsys)) == 1


def test_a_fifty_megabyte_attachment_is_not_fetched(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1, attachment=b"\x00" * (50 * 1024 * 1024)))
    dovecot.append(FOLDER, newsletter(2))
    subscribe(capsys, dovecot, monkeypatch)
    tracemalloc.start()
    try:
        code, out, err = cli(capsys, "refresh", "--plain")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0, out + err
    titles = sorted(issue["title"][:13] for issue in issues(capsys))
    assert titles == ["Chip Brief #1", "Chip Brief #2"]
    # at most the 10 MiB fetch limit of the message is read, never its 68 MB of base64
    assert peak < 40 * 1024 * 1024, peak


def test_a_message_whose_text_is_over_the_limit_is_skipped_in_one_line(capsys, monkeypatch, dovecot, tmp_path):
    config = Locations.resolve().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[fetch]\nmax_bytes = 65536\n")
    big = EmailMessage()
    big["From"] = "Long Read <long@read.example>"
    big["Subject"] = "A very long essay"
    big["Message-ID"] = "<long@read.example>"
    big.set_content("<html><body>" + "<p>words and more words</p>" * 20000 + "</body></html>", subtype="html")
    dovecot.append(FOLDER, bytes(big))
    dovecot.append(FOLDER, newsletter(1))
    subscribe(capsys, dovecot, monkeypatch)
    code, out, err = cli(capsys, "refresh", "--plain")
    assert code == 0, out + err
    assert "1 new" in out
    assert "larger than the 64 KiB limit" in err
    assert [issue["title"][:13] for issue in issues(capsys)] == ["Chip Brief #1"]


def test_the_folder_is_listed_in_feeds_with_its_unread_count(capsys, monkeypatch, dovecot):
    dovecot.append(FOLDER, newsletter(1))
    url = subscribe(capsys, dovecot, monkeypatch)
    assert cli(capsys, "refresh", "--plain")[0] == 0
    code, out, _ = cli(capsys, "feeds", "--json")
    (feed,) = json.loads(out)
    assert feed["url"] == url and feed["unread_stories"] == 2 and feed["last_error"] is None
    assert FOLDER in feed["title"]


@pytest.mark.parametrize(
    "address, message",
    [
        ("imaps://mail.example.org/INBOX", "no user name"),
        ("imaps://me:hunter2@mail.example.org/INBOX", "password in the address"),
        ("imaps://me@/INBOX", "no server"),
        ("imaps://me@mail.example.org:99999/INBOX", "not a mailbox address"),
    ],
)
def test_a_bad_mailbox_address_is_refused_in_one_line(capsys, address, message):
    code, out, err = cli(capsys, "add", address)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1
    assert "hunter2" not in out + err


def _outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_imap_without_starttls_is_refused_away_from_this_computer(capsys, monkeypatch, dovecot_plain):
    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no address but loopback")
    dovecot_plain.append(FOLDER, newsletter(1))
    with CuttingProxy((dovecot_plain.host, dovecot_plain.port), None, listen=outside) as proxy:
        monkeypatch.setenv("BRIEFING_TUI_IMAP_PASSWORD", dovecot_plain.password)
        assert cli(capsys, "add", f"imap://{dovecot_plain.user}@{outside}:{proxy.port}/{FOLDER}")[0] == 0
        code, out, _ = cli(capsys, "refresh", "--plain")
    assert code == 1 and "offers no STARTTLS" in out
    assert issues(capsys) == []


async def test_the_reader_refreshes_an_imap_folder_and_shows_its_issues(monkeypatch, dovecot):
    from tests.test_ui_pilot import SIZE, parts
    from tests.ui_support import new_app, settle

    dovecot.append(FOLDER, newsletter(1))
    dovecot.append(FOLDER, newsletter(2, "Cloud Notes <hello@cloudnotes.example>"))
    monkeypatch.setenv("BRIEFING_TUI_IMAP_PASSWORD", dovecot.password)
    url = f"imaps://{dovecot.user}@{dovecot.host}:{dovecot.tls_port}/{FOLDER}"
    assert main(["add", url, "--ca-file", str(dovecot.ca_file)]) == 0
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues_pane, _sections, _items, _story = parts(app)
        await pilot.press("r")
        for _ in range(50):
            await settle(pilot)
            if issues_pane.count >= 2:
                break
        assert "Refreshed 1 feed, 2 new issues." in app.messages("information")
        rows = [issues_pane.row(index) for index in range(issues_pane.count)]
        mail = {row.title: row for row in rows if row.title.startswith("Chip Brief #")}
        assert set(mail) == {
            "Chip Brief #1: wafers, memory and a quiet launch",
            "Chip Brief #2: wafers, memory and a quiet launch",
        }


def test_opml_export_lists_feeds_but_not_imap_folders(capsys, monkeypatch, dovecot):
    subscribe(capsys, dovecot, monkeypatch)
    assert cli(capsys, "add", "https://feeds.example.org/daily.xml", "--no-check")[0] == 0
    code, out, _ = cli(capsys, "export", "opml")
    assert code == 0
    assert "https://feeds.example.org/daily.xml" in out and "imaps://" not in out
