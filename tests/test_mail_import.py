"""Newsletters by e-mail: .eml files, mboxes and Maildirs, each message one issue.

Every message here is built with the standard library's ``email`` package and written with
``mailbox``, then read through the real command line or the real Library, as a user would.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import json
import mailbox
import tracemalloc
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from briefing_tui.cli import main
from briefing_tui.library import Library
from briefing_tui.paths import Locations

DAY = datetime(2026, 5, 12, 7, 30, tzinfo=timezone.utc)
SIGNAL = Address("Signal Weekly", "news", "signal.example.com")
SIGNAL_ID = "<issue-42.7f3a@signal.example.com>"

#: (title, lead, bottom line) of each story of the house newsletter.
STORIES = (
    (
        "Arizona Fab Ships a Month Early",
        "The Arizona fab shipped its first wafers to paying customers a month ahead of plan.",
        "Onshore capacity is real now, not a slide in a deck.",
    ),
    (
        "Open Weights Get a License",
        "A new license lets research labs publish model weights with use limits attached.",
        "Lawyers will read this one more closely than engineers.",
    ),
    (
        "Robots Learn to Fold Fitted Sheets",
        "An Oslo startup showed a two-armed robot folding fitted sheets in 61% of its trials.",
        "The hardest chore in the house is finally a benchmark.",
    ),
)
SHORTLIST = (
    ("GPU rental prices fell 18% in April.", "https://example.com/gpu-prices"),
    ("A compiler for analog chips shipped its first release.", "https://example.com/analog"),
)
STORY_TITLES = [title for title, _lead, _bottom in STORIES]
#: Stories with accents, for the tests of character sets.
FRENCH_STORIES = (
    (
        "Crème Brûlée Robots Open in Zürich",
        "A café in Zürich lets a robot torch the crème brûlée at every table.",
        "Déjà vu for anyone who saw the 2019 demo, but this one ships.",
    ),
) + STORIES[1:]


# -- building messages -----------------------------------------------------------------------


def html_body(
    masthead: str = "Signal Weekly · Issue 42",
    stories=STORIES,
    *,
    web: str | None = "https://signal.example.com/web/42",
    canonical: str | None = None,
    logo: str | None = None,
) -> str:
    """A newsletter's HTML part: story headings, paragraphs, a bottom line each, a shortlist."""
    head = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    parts = [f"<html><head><meta charset=\"utf-8\">{head}</head><body>"]
    if logo:
        parts.append(f'<p><img src="cid:{logo}" alt="" width="120"></p>')
    if web:
        parts.append(f'<p><a href="{web}">View in browser</a></p>')
    parts.append(f"<p>{masthead}</p>")
    for title, lead, bottom in stories:
        parts.append(f"<h2>{title}</h2>\n<p>{lead}</p>\n<p><strong>Bottom line:</strong> {bottom}</p>")
    items = "".join(f'<li><a href="{url}">{text}</a></li>' for text, url in SHORTLIST)
    parts.append(f"<h2>Shortlist</h2>\n<ul>{items}</ul>")
    parts.append('<p><a href="https://signal.example.com/unsubscribe?u=ada">Unsubscribe</a></p></body></html>')
    return "\n".join(parts) + "\n"


def text_body(masthead: str = "Signal Weekly · Issue 42", stories=STORIES, *, footer: str = "") -> str:
    """The plain-text version of a newsletter."""
    lines = [masthead, ""]
    for title, lead, bottom in stories:
        lines += [title.upper(), "", lead, "", f"Bottom line: {bottom}", ""]
    lines += ["Shortlist", ""] + [f"- {text} {url}" for text, url in SHORTLIST] + [""]
    return "\n".join(lines) + footer


def newsletter(
    subject: str = "Résumé: fabs, weights and folded sheets",
    *,
    sender: Address | str = SIGNAL,
    message_id: str | None = SIGNAL_ID,
    date: datetime = DAY,
    html: str | None = None,
    text: str | None = None,
    **headers: str,
) -> EmailMessage:
    """A newsletter e-mail: text and HTML alternatives by default, or just the one given."""
    if html is None and text is None:
        html, text = html_body(), text_body()
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = Address("Ada Reader", "ada", "reader.example.org")
    message["Date"] = format_datetime(date)
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    return message


def with_raw_headers(message: EmailMessage, **headers: str) -> bytes:
    """The message's bytes with header lines written exactly as given (already RFC 2047 encoded)."""
    for name in headers:
        del message[name.replace("_", "-")]
    lines = "".join(f"{name.replace('_', '-')}: {value}\n" for name, value in headers.items())
    return lines.encode("ascii") + bytes(message)


def write_eml(path: Path, message: EmailMessage | bytes) -> Path:
    path.write_bytes(message if isinstance(message, bytes) else bytes(message))
    return path


def write_mbox(path: Path, *messages: EmailMessage | bytes) -> Path:
    box = mailbox.mbox(path)
    try:
        for message in messages:
            box.add(message)
        box.flush()
    finally:
        box.close()
    return path


def write_maildir(path: Path, *messages: EmailMessage | bytes, seen: bool = False) -> Path:
    """A Maildir holding ``messages`` as given (in cur/ and marked seen with ``seen``, else in new/)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(path, create=True)
    try:
        for message in messages:
            key = box.add(message)
            if seen:
                (path / "new" / key).rename(path / "cur" / f"{key}:2,S")
    finally:
        box.close()
    return path


def delivered(message: EmailMessage) -> bytes:
    """The message as a mail server stores it: transport headers above the sender's own."""
    return (
        b"Return-Path: <bounce-42@signal.example.com>\n"
        b"Delivered-To: ada@reader.example.org\n"
        b"Received: from mx.signal.example.com (mx.signal.example.com [192.0.2.7])\n"
        b"\tby mail.reader.example.org with ESMTPS id 4Xy; Tue, 12 May 2026 07:30:04 +0000\n"
    ) + bytes(message)


def three_senders() -> list[EmailMessage]:
    """Signal Weekly, and one issue each from three other senders: named, a list, a bare address."""
    ledger = newsletter(
        "Café Ledger: the week in payments",
        sender=Address("Café Ledger", "letters", "ledger.example.com"),
        message_id="<cl-301@ledger.example.com>",
        html=html_body("Café Ledger · Issue 301", STORIES[:2]),
    )
    chips = newsletter(
        "Chip Letter #88",
        sender="editor@chipletter.example.com",
        message_id="<cl-88@chipletter.example.com>",
        text=text_body("Chip Letter · Issue 88", STORIES[1:]),
        List_Id="Chip Letter <chipletter.list.example.com>",
    )
    bare = newsletter(
        "Weekend reading",
        sender="digest@plainlist.example.net",
        message_id="<wr-7@plainlist.example.net>",
        html=html_body("Weekend reading", STORIES[2:]),
    )
    return [newsletter(), ledger, chips, bare]


def numbered_issues(count: int) -> list[EmailMessage]:
    """``count`` weekly issues, from three senders in turn."""
    senders = [SIGNAL, Address("Café Ledger", "letters", "ledger.example.com"), "digest@plainlist.example.net"]
    return [
        newsletter(
            f"Issue {number}: the week in chips",
            sender=senders[number % 3],
            message_id=f"<issue-{number}@letters.example.com>",
            date=DAY - timedelta(days=7 * number),
            html=html_body(f"Issue {number}", STORIES[: 1 + number % 3]),
        )
        for number in range(count)
    ]


# -- running the program -------------------------------------------------------------------------


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def ok(capsys, *argv) -> str:
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    return out


def parsed(capsys, path: Path):
    return json.loads(ok(capsys, "parse", path, "--json"))


def listed(capsys, *extra) -> list[dict]:
    return json.loads(ok(capsys, "list", "--json", *extra))


def imported(capsys, *paths) -> str:
    """The import's report line; the import must succeed without a word on stderr."""
    code, out, err = cli(capsys, "import", *paths)
    assert code == 0 and err == "", err
    return out.strip()


def open_library() -> Library:
    return Library(Locations.resolve())


def only_issue(library: Library):
    [summary] = library.issues()
    return library.open_issue(summary.id)


def stored_bytes() -> bytes:
    """Everything the program keeps on disk: the cache and the read state, every file of them."""
    locations = Locations.resolve()
    return b"".join(
        path.read_bytes()
        for folder in (locations.cache_dir, locations.data_dir)
        if folder.exists()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    )


def error_lines(err: str) -> list[str]:
    lines = err.splitlines()
    assert all(line.startswith("briefing-tui: ") for line in lines), err
    return lines


# -- what a message turns into -------------------------------------------------------------------


def test_a_multipart_newsletter_is_one_issue_with_its_stories(tmp_path, capsys):
    """Subject is the title, the sender the source, the Date header the day, the HTML the body."""
    issue = parsed(capsys, write_eml(tmp_path / "signal.eml", newsletter()))
    assert issue["title"] == "Résumé: fabs, weights and folded sheets"
    assert issue["source"] == "Signal Weekly"
    assert issue["date"] == "2026-05-12"
    assert issue["url"] == "https://signal.example.com/web/42"
    assert [story["title"] for story in issue["stories"]] == STORY_TITLES
    assert [story["bottom_line"] for story in issue["stories"]] == [bottom for _t, _l, bottom in STORIES]
    assert [item["url"] for item in issue["shortlist"]] == [url for _text, url in SHORTLIST]


def test_the_date_is_the_day_the_date_header_names(tmp_path, capsys):
    """A message sent late in the evening in California is dated that evening's day."""
    late = datetime(2026, 5, 12, 23, 10, tzinfo=timezone(timedelta(hours=-7)))
    issue = parsed(capsys, write_eml(tmp_path / "late.eml", newsletter(date=late)))
    assert issue["date"] == "2026-05-12"


def test_an_html_only_message_is_read_from_its_html(tmp_path, capsys):
    """No plain-text part: the HTML gives the stories, rel=canonical the link."""
    message = newsletter(html=html_body(web=None, canonical="https://signal.example.com/p/42"))
    issue = parsed(capsys, write_eml(tmp_path / "html.eml", message))
    assert [story["title"] for story in issue["stories"]] == STORY_TITLES
    assert issue["url"] == "https://signal.example.com/p/42"


def test_a_text_only_message_is_read_from_its_plain_text(tmp_path, capsys):
    """No HTML part: the plain text gives the stories, List-Post the link."""
    message = newsletter(text=text_body(), List_Post="<https://signal.example.com/archive/42>")
    issue = parsed(capsys, write_eml(tmp_path / "text.eml", message))
    assert issue["title"] == "Résumé: fabs, weights and folded sheets"
    assert [story["title"].lower() for story in issue["stories"]] == [title.lower() for title in STORY_TITLES]
    assert [story["bottom_line"] for story in issue["stories"]] == [bottom for _t, _l, bottom in STORIES]
    assert issue["url"] == "https://signal.example.com/archive/42"


@pytest.mark.parametrize(
    "html",
    ["", "<html><body></body></html>\n", '<html><body><img src="cid:flyer@signal.example.com"></body></html>\n'],
    ids=["empty", "no-text", "image-only"],
)
def test_an_html_part_without_text_falls_back_to_the_plain_text(tmp_path, capsys, html):
    """An HTML alternative with nothing to read: the plain-text alternative is the issue."""
    issue = parsed(capsys, write_eml(tmp_path / "alternative.eml", newsletter(text=text_body(), html=html)))
    assert [story["title"].lower() for story in issue["stories"]] == [title.lower() for title in STORY_TITLES]


def test_the_list_post_link_comes_before_the_canonical_link(tmp_path, capsys):
    """Without a "View in browser" link, the List-Post web address names the issue, then rel=canonical."""
    message = newsletter(
        html=html_body(web=None, canonical="https://signal.example.com/canonical/42"),
        List_Post="<https://signal.example.com/archive/42>",
    )
    issue = parsed(capsys, write_eml(tmp_path / "both.eml", message))
    assert issue["url"] == "https://signal.example.com/archive/42"


def test_a_mailto_list_post_is_not_the_issue_link(tmp_path, capsys):
    """Only a web address in List-Post links the issue."""
    message = newsletter(text=text_body(), List_Post="<mailto:signal@lists.example.com>")
    issue = parsed(capsys, write_eml(tmp_path / "mailto.eml", message))
    assert issue["url"] is None


@pytest.mark.parametrize("encoding", ["quoted-printable", "base64"])
def test_encoded_bodies_are_decoded(tmp_path, capsys, encoding):
    """A quoted-printable or base64 HTML body reads as its text."""
    message = EmailMessage()
    message["Subject"] = "Signal Weekly: Résumé of the chip week"
    message["From"] = SIGNAL
    message["Date"] = format_datetime(DAY)
    message["Message-ID"] = SIGNAL_ID
    message.set_content(html_body("Signal Weekly · Résumé · Café edition"), subtype="html", cte=encoding)
    raw = bytes(message)
    assert f"Content-Transfer-Encoding: {encoding}".encode() in raw
    assert "Café".encode() not in raw
    issue = parsed(capsys, write_eml(tmp_path / f"{encoding}.eml", raw))
    assert [story["title"] for story in issue["stories"]] == STORY_TITLES
    assert "Café edition" in json.dumps(issue, ensure_ascii=False)


@pytest.mark.parametrize("subtype", ["plain", "html"])
def test_an_iso_8859_1_body_is_read_in_its_declared_charset(tmp_path, capsys, subtype):
    """Accents in an ISO-8859-1 body come out as written."""
    body = (
        text_body(stories=FRENCH_STORIES)
        if subtype == "plain"
        else html_body(stories=FRENCH_STORIES).replace(' charset="utf-8"', "")
    )
    message = EmailMessage()
    message["Subject"] = "Signal Weekly"
    message["From"] = SIGNAL
    message["Date"] = format_datetime(DAY)
    message.set_content(body, subtype=subtype, charset="iso-8859-1", cte="8bit")
    raw = bytes(message)
    assert "crème brûlée".encode("latin-1") in raw and b'charset="iso-8859-1"' in raw
    issue = parsed(capsys, write_eml(tmp_path / f"latin1-{subtype}.eml", raw))
    [story, *_others] = issue["stories"]
    assert story["title"].lower() == "crème brûlée robots open in zürich"
    assert story["lead"] == FRENCH_STORIES[0][1]
    assert story["bottom_line"] == FRENCH_STORIES[0][2]
    assert "\ufffd" not in json.dumps(issue, ensure_ascii=False)


@pytest.mark.parametrize(
    "charset, encoding",
    [("utf-8", "q"), ("utf-8", "b"), ("iso-8859-1", "q"), ("iso-8859-1", "b")],
    ids=["utf-8-q", "utf-8-b", "latin-1-q", "latin-1-b"],
)
def test_rfc_2047_subjects_and_sender_names_are_decoded(tmp_path, capsys, charset, encoding):
    """Encoded words (Q and B, UTF-8 and ISO-8859-1) in Subject and From read as text."""
    def encoded(text: str) -> str:
        data = text.encode(charset)
        if encoding == "b":
            return f"=?{charset}?b?{base64.b64encode(data).decode()}?="
        return Header(text, charset).encode()

    raw = with_raw_headers(
        newsletter(),
        Subject=encoded("Résumé: the chip week in Zürich"),
        From=f"{encoded('Café Ledger')} <letters@ledger.example.com>",
    )
    assert "Résumé".encode(charset) not in raw
    path = write_eml(tmp_path / "encoded.eml", raw)
    issue = parsed(capsys, path)
    assert issue["title"] == "Résumé: the chip week in Zürich"
    assert issue["source"] == "Café Ledger"
    imported(capsys, path)
    [row] = listed(capsys)
    assert (row["title"], row["source"]) == ("Résumé: the chip week in Zürich", "Café Ledger")


@pytest.mark.parametrize("charset", ["utf-8", "cp1252"])
def test_raw_8_bit_subjects_and_sender_names_are_decoded(tmp_path, capsys, charset):
    """Headers written in raw UTF-8 (RFC 6532) or raw Latin-1 by a careless mailer read as text."""
    raw = (
        bytes(newsletter("placeholder", sender="letters@ledger.example.com"))
        .replace(b"Subject: placeholder\n", "Subject: Résumé: the chip week in Zürich\n".encode(charset))
        .replace(b"From: letters@", "From: Café Ledger <letters@".encode(charset))
        .replace(b"@ledger.example.com\n", b"@ledger.example.com>\n")
    )
    assert "Café Ledger".encode(charset) in raw and "Résumé".encode(charset) in raw
    issue = parsed(capsys, write_eml(tmp_path / "raw-8bit.eml", raw))
    assert (issue["title"], issue["source"]) == ("Résumé: the chip week in Zürich", "Café Ledger")


@pytest.mark.parametrize(
    "sender, list_id, source",
    [
        (SIGNAL, "Chips List <chips.list.example.com>", "Signal Weekly"),
        ("news@signal.example.com", "Chip Letter <chipletter.list.example.com>", "Chip Letter"),
        ("news@signal.example.com", None, "news@signal.example.com"),
    ],
    ids=["display-name", "list-id-name", "address"],
)
def test_the_source_is_the_sender_name_else_the_list_name_else_the_address(tmp_path, capsys, sender, list_id, source):
    """The source is the sender's name, else the List-Id name, else the address."""
    extra = {"List_Id": list_id} if list_id else {}
    issue = parsed(capsys, write_eml(tmp_path / "source.eml", newsletter(sender=sender, **extra)))
    assert issue["source"] == source


# -- attachments and inline images ------------------------------------------------------------

PDF = b"%PDF-1.7\n" + b"".join(b"%% q2 earnings table row %05d\n" % row for row in range(400)) + b"%%EOF\n"
PDF_BASE64 = base64.b64encode(PDF)[:60]
LOGO = b"\x89PNG\r\n\x1a\n" + hashlib.sha256(b"signal logo").digest() * 64


def with_attachments(message: EmailMessage) -> EmailMessage:
    """``message`` as multipart/mixed: its text in a multipart/related with a cid: logo, and a PDF."""
    html = message.get_body(("html",))
    html.add_related(LOGO, "image", "png", cid="<logo.2026@signal.example.com>", filename="signal-logo.png")
    message.add_attachment(PDF, "application", "pdf", filename="q2-earnings-summary.pdf")
    return message


def test_attachments_and_inline_images_never_reach_the_issue(tmp_path, capsys):
    """The stories are there; the PDF's name, its base64, the logo and every "cid:" are not."""
    text = text_body(footer="[cid:logo.2026@signal.example.com]\n")
    message = with_attachments(newsletter(html=html_body(logo="logo.2026@signal.example.com"), text=text))
    raw = bytes(message)
    assert b"q2-earnings-summary.pdf" in raw and PDF_BASE64 in raw and raw.count(b"cid:") >= 2
    path = write_eml(tmp_path / "mixed.eml", raw)
    shown = ok(capsys, "parse", path)
    issue = parsed(capsys, path)
    assert [story["title"] for story in issue["stories"]] == STORY_TITLES
    assert imported(capsys, path).startswith("imported: 1 new")
    exported = ok(capsys, "export", "json")
    everything = stored_bytes()
    for seen in (shown.encode(), json.dumps(issue).encode(), exported.encode(), everything):
        assert b"q2-earnings-summary" not in seen
        assert b"signal-logo" not in seen
        assert PDF_BASE64[:40] not in seen
        assert b"cid:" not in seen.lower()
    assert b"Arizona Fab Ships a Month Early" in everything


def test_a_cid_placeholder_in_a_text_only_message_is_not_shown(tmp_path, capsys):
    """Outlook's "[cid:...]" image placeholders in plain text are left out."""
    text = "[cid:image001.png@01DAB2C3.4D5E6F70]\n" + text_body()
    issue = parsed(capsys, write_eml(tmp_path / "outlook.eml", newsletter(text=text)))
    assert "cid:" not in json.dumps(issue).lower()
    assert [story["title"].lower() for story in issue["stories"]] == [title.lower() for title in STORY_TITLES]


def test_cid_references_of_every_kind_stay_out_of_what_is_shown(tmp_path, capsys):
    """Background images, VML, srcset and links to cid: parts show nothing; the link text stays."""
    html = html_body().replace(
        "<h2>Shortlist</h2>",
        '<table background="cid:bg@signal"><tr><td style="background-image:url(\'cid:bg2@signal\')">'
        '<img alt="Chart: GPU prices" src="cid:chart@signal"><IMG SRC = cid:dot@signal></td></tr></table>\n'
        '<p>See <a href="cid:table@signal">the full price table</a> in the attachment.</p>\n'
        '<!--[if mso]><v:image src="cid:vml@signal" /><![endif]-->\n<h2>Shortlist</h2>',
    )
    path = write_eml(tmp_path / "cid.eml", newsletter(html=html))
    shown = ok(capsys, "parse", path) + json.dumps(parsed(capsys, path))
    imported(capsys, path)
    shown += ok(capsys, "export", "json") + ok(capsys, "export", "markdown")
    assert "cid:" not in shown.lower()
    assert "the full price table" in shown


# -- identity ------------------------------------------------------------------------------------


def test_the_same_message_from_eml_mbox_and_maildir_is_one_issue_and_keeps_its_read_marks(tmp_path, capsys):
    """Message-ID names the issue: every copy is the same issue, unchanged, and its read story stays read."""
    message = newsletter()
    eml = write_eml(tmp_path / "signal.eml", message)
    assert imported(capsys, eml) == "imported: 1 new, 0 updated, 0 unchanged"
    [row] = listed(capsys)
    library = open_library()
    try:
        first_story = library.open_issue(row["id"]).briefing.stories[0]
    finally:
        library.close()
    assert ok(capsys, "mark-read", first_story.id).startswith("marked 1 item")

    mbox = write_mbox(tmp_path / "archive.mbox", message)
    maildir = write_maildir(tmp_path / "Mail" / "Newsletters", delivered(message), seen=True)
    assert imported(capsys, mbox) == "imported: 0 new, 0 updated, 1 unchanged"
    assert imported(capsys, maildir) == "imported: 0 new, 0 updated, 1 unchanged"
    assert imported(capsys, eml) == "imported: 0 new, 0 updated, 1 unchanged"

    [after] = listed(capsys)
    assert after["id"] == row["id"]
    assert after["unread_stories"] == after["stories"] - 1
    library = open_library()
    try:
        view = library.open_issue(row["id"])
        assert first_story.id in view.read
        assert view.briefing.title == "Résumé: fabs, weights and folded sheets"
    finally:
        library.close()


def test_marks_made_through_the_library_survive_a_reimport_from_maildir(tmp_path):
    """Marks made in the Library stay when the delivered copy is imported from a Maildir."""
    message = newsletter()
    library = open_library()
    try:
        report = library.import_paths([str(write_eml(tmp_path / "signal.eml", message))])
        assert (report.new, report.errors) == (1, [])
        view = only_issue(library)
        story_ids = [story.id for story in view.briefing.stories]
        assert library.mark_read(story_ids[:2]) == 2
        report = library.import_paths([str(write_maildir(tmp_path / "Maildir", delivered(message)))])
        assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
        view = only_issue(library)
        assert view.read == frozenset(story_ids[:2])
    finally:
        library.close()


def test_a_message_without_message_id_is_one_issue_from_every_copy(tmp_path, capsys):
    """No Message-ID: the sender's own headers and the text name it, not the file it came in."""
    message = newsletter(message_id=None, text=text_body(), html=html_body())
    assert "Message-ID" not in message
    eml = write_eml(tmp_path / "nomid.eml", message)
    mbox = write_mbox(tmp_path / "nomid.mbox", newsletter(subject="Another issue", message_id=None), message)
    maildir = write_maildir(tmp_path / "Maildir", delivered(message))
    assert imported(capsys, eml) == "imported: 1 new, 0 updated, 0 unchanged"
    assert imported(capsys, mbox) == "imported: 1 new, 0 updated, 1 unchanged"
    assert imported(capsys, maildir) == "imported: 0 new, 0 updated, 1 unchanged"
    titles = sorted(row["title"] for row in listed(capsys))
    assert titles == ["Another issue", "Résumé: fabs, weights and folded sheets"]


def test_a_text_only_message_without_message_id_is_one_issue_from_eml_and_mbox(tmp_path, capsys):
    """A plain-text message, where the mbox adds a blank line after the body."""
    message = newsletter(message_id=None, text=text_body())
    assert imported(capsys, write_eml(tmp_path / "plain.eml", message)) == "imported: 1 new, 0 updated, 0 unchanged"
    mbox = write_mbox(tmp_path / "plain.mbox", message)
    assert imported(capsys, mbox) == "imported: 0 new, 0 updated, 1 unchanged"
    assert len(listed(capsys)) == 1


def test_crlf_and_lf_copies_of_a_message_are_one_issue(tmp_path, capsys):
    """A message saved with CRLF line ends and its LF copy in an mbox: the same issue, unchanged."""
    messages = three_senders()
    eml = tmp_path / "saved.eml"
    eml.write_bytes(messages[0].as_bytes(policy=email.policy.SMTP))
    assert b"\r\n" in eml.read_bytes()
    assert imported(capsys, eml) == "imported: 1 new, 0 updated, 0 unchanged"
    mbox = write_mbox(tmp_path / "letters.mbox", *messages)
    assert imported(capsys, mbox) == "imported: 3 new, 0 updated, 1 unchanged"
    crlf = tmp_path / "crlf.mbox"
    crlf.write_bytes(mbox.read_bytes().replace(b"\n", b"\r\n"))
    assert imported(capsys, crlf) == "imported: 0 new, 0 updated, 4 unchanged"
    assert len(listed(capsys)) == 4


def test_two_issues_of_one_newsletter_are_two_issues(tmp_path, capsys):
    """Two Message-IDs from one sender: two issues, newest first."""
    first = newsletter()
    second = newsletter(
        "Signal Weekly: the memory wall",
        message_id="<issue-43.8b1c@signal.example.com>",
        date=DAY + timedelta(days=7),
        html=html_body("Signal Weekly · Issue 43", STORIES[1:]),
    )
    assert imported(capsys, write_mbox(tmp_path / "signal.mbox", first, second)).startswith("imported: 2 new")
    rows = listed(capsys)
    assert [(row["title"], row["date"]) for row in rows] == [
        ("Signal Weekly: the memory wall", "2026-05-19"),
        ("Résumé: fabs, weights and folded sheets", "2026-05-12"),
    ]


# -- sources -------------------------------------------------------------------------------------


def test_a_maildir_with_several_senders_gives_one_source_each(tmp_path, capsys):
    """Each sender is a source, and --source picks its issues."""
    maildir = write_maildir(tmp_path / "Maildir", *three_senders())
    assert imported(capsys, maildir) == "imported: 4 new, 0 updated, 0 unchanged"
    rows = listed(capsys)
    assert sorted(row["source"] for row in rows) == [
        "Café Ledger", "Chip Letter", "Signal Weekly", "digest@plainlist.example.net"
    ]
    [ledger] = listed(capsys, "--source", "Café Ledger")
    assert ledger["title"] == "Café Ledger: the week in payments"
    assert ledger["stories"] == 2
    [chips] = listed(capsys, "--source", "Chip Letter")
    assert chips["title"] == "Chip Letter #88"
    assert [row["title"] for row in listed(capsys, "--source", "plainlist")] == ["Weekend reading"]
    library = open_library()
    try:
        assert sorted(name for name, _count in library.sources()) == sorted(row["source"] for row in rows)
    finally:
        library.close()


# -- many messages -----------------------------------------------------------------------------


def test_a_large_maildir_is_imported_whole(tmp_path, capsys):
    """Enough messages to be parsed by the pool of worker processes."""
    maildir = write_maildir(tmp_path / "Maildir", *numbered_issues(70))
    assert imported(capsys, maildir) == "imported: 70 new, 0 updated, 0 unchanged"
    rows = listed(capsys)
    assert len(rows) == 70
    assert sorted({row["source"] for row in rows}) == ["Café Ledger", "Signal Weekly", "digest@plainlist.example.net"]
    assert len(listed(capsys, "--source", "Café Ledger")) == 23
    assert sum(row["stories"] for row in rows) == sum(1 + number % 3 for number in range(70))


def test_a_large_mbox_is_imported_whole(tmp_path, capsys):
    """An mbox is stored a batch at a time: every batch arrives."""
    mbox = write_mbox(tmp_path / "archive.mbox", *numbered_issues(230))
    assert imported(capsys, mbox) == "imported: 230 new, 0 updated, 0 unchanged"
    assert len(listed(capsys)) == 230
    assert imported(capsys, mbox) == "imported: 0 new, 0 updated, 230 unchanged"


# -- parse: one message, an mbox, a Maildir ------------------------------------------------------


def test_parse_prints_every_message_of_an_mbox(tmp_path, capsys):
    """parse on an mbox prints each message as an issue."""
    mbox = write_mbox(tmp_path / "letters.mbox", *three_senders())
    out = ok(capsys, "parse", mbox)
    for title in ("Résumé: fabs, weights and folded sheets", "Café Ledger: the week in payments", "Chip Letter #88"):
        assert out.count(title) == 1
    assert "Weekend reading" in out
    assert out.count("Story ") == 3 + 2 + 2 + 1


def test_parse_json_gives_a_list_for_an_mbox_and_a_maildir_and_an_object_for_an_eml(tmp_path, capsys):
    """parse --json: an mbox or a Maildir is a list, an .eml an object."""
    messages = three_senders()
    mbox = parsed(capsys, write_mbox(tmp_path / "letters.mbox", *messages))
    maildir = parsed(capsys, write_maildir(tmp_path / "Maildir", *messages))
    eml = parsed(capsys, write_eml(tmp_path / "one.eml", messages[1]))
    assert isinstance(mbox, list) and len(mbox) == 4
    assert isinstance(maildir, list) and sorted(i["title"] for i in maildir) == sorted(i["title"] for i in mbox)
    assert isinstance(eml, dict) and eml["title"] == "Café Ledger: the week in payments"


def test_parse_json_of_a_one_message_mbox_or_maildir_is_still_a_list(tmp_path, capsys):
    """A list however many messages the mbox or Maildir holds."""
    assert len(parsed(capsys, write_mbox(tmp_path / "one.mbox", newsletter()))) == 1
    assert len(parsed(capsys, write_maildir(tmp_path / "Maildir", newsletter()))) == 1


# -- bad input -----------------------------------------------------------------------------------


def test_a_truncated_message_in_a_maildir_is_skipped_and_the_others_imported(tmp_path, capsys):
    """A message cut inside its HTML: one skipped line, the others imported, exit 0."""
    good = three_senders()[:2]
    whole = bytes(newsletter("Cut short", message_id="<cut@signal.example.com>"))
    cut = whole[: whole.index(b"Open Weights Get a License")]
    assert b"text/html" in cut
    maildir = write_maildir(tmp_path / "Maildir", *good, cut)
    code, out, err = cli(capsys, "import", maildir)
    assert code == 0
    assert out.strip() == "imported: 2 new, 0 updated, 0 unchanged"
    [line] = error_lines(err)
    assert "skipped" in line and "truncated" in line
    assert sorted(row["title"] for row in listed(capsys)) == [
        "Café Ledger: the week in payments", "Résumé: fabs, weights and folded sheets"
    ]
    code, out, err = cli(capsys, "parse", maildir, "--json")
    assert code == 0 and len(json.loads(out)) == 2
    [line] = error_lines(err)
    assert "truncated" in line


def test_a_truncated_eml_fails_with_one_line(tmp_path, capsys):
    """A single .eml cut inside its text fails alone: exit 1, one line."""
    whole = bytes(newsletter())
    path = write_eml(tmp_path / "cut.eml", whole[: whole.index(b"Open Weights Get a License")])
    for command in ("parse", "import"):
        code, _out, err = cli(capsys, command, path)
        assert code == 1
        [line] = error_lines(err)
        assert "truncated" in line and "cut.eml" in line


def test_a_message_cut_inside_its_attachment_keeps_its_text(tmp_path, capsys):
    """What is missing is only the attachment: the newsletter is read."""
    whole = bytes(with_attachments(newsletter()))
    path = write_eml(tmp_path / "cut-attachment.eml", whole[: whole.index(PDF_BASE64) + 500])
    issue = parsed(capsys, path)
    assert [story["title"] for story in issue["stories"]] == STORY_TITLES


def test_a_message_with_no_body_is_skipped_in_an_mbox(tmp_path, capsys):
    """A headers-only message in an mbox: one skipped line naming it, the others imported."""
    empty = EmailMessage()
    empty["Subject"] = "Nothing to see"
    empty["From"] = SIGNAL
    empty["Message-ID"] = "<empty@signal.example.com>"
    mbox = write_mbox(tmp_path / "letters.mbox", newsletter(), empty, three_senders()[1])
    code, out, err = cli(capsys, "import", mbox)
    assert code == 0
    assert out.strip() == "imported: 2 new, 0 updated, 0 unchanged"
    [line] = error_lines(err)
    assert "skipped" in line and "message 2" in line and "no text" in line
    assert len(listed(capsys)) == 2


def test_an_eml_with_no_body_fails_with_one_line(tmp_path, capsys):
    """A headers-only .eml: exit 1, one line, nothing stored."""
    empty = EmailMessage()
    empty["Subject"] = "Nothing to see"
    empty["From"] = SIGNAL
    path = write_eml(tmp_path / "empty-body.eml", empty)
    code, out, err = cli(capsys, "import", path)
    assert code == 1
    assert "1 failed" in out
    [line] = error_lines(err)
    assert "empty-body.eml" in line and "no text" in line
    assert listed(capsys) == []


def test_text_before_the_first_message_of_an_mbox_is_reported_and_the_messages_imported(tmp_path, capsys):
    """Garbage above the first "From " line: one skipped line, every message imported."""
    body = write_mbox(tmp_path / "tmp.mbox", *three_senders()[:2]).read_bytes()
    path = tmp_path / "letters.mbox"
    path.write_bytes(b"=== exported by MailTool 3.1, do not edit ===\n\x00\x01 garbage\n" + body)
    code, out, err = cli(capsys, "import", path)
    assert code == 0
    assert out.strip() == "imported: 2 new, 0 updated, 0 unchanged"
    [line] = error_lines(err)
    assert "skipped" in line and "before the first" in line
    code, out, err = cli(capsys, "parse", path, "--json")
    assert code == 0 and len(json.loads(out)) == 2
    assert len(error_lines(err)) == 1


def test_an_mbox_that_starts_without_a_from_line_loses_no_message(tmp_path, capsys):
    """An mbox whose first "From " line is missing: its first message is still read."""
    body = write_mbox(tmp_path / "tmp.mbox", *three_senders()[:3]).read_bytes()
    assert body.startswith(b"From ")
    path = tmp_path / "letters.mbox"
    path.write_bytes(body.split(b"\n", 1)[1])
    assert imported(capsys, path) == "imported: 3 new, 0 updated, 0 unchanged"


def test_a_body_line_starting_with_from_survives_the_mbox(tmp_path, capsys):
    """mailbox.mbox writes it as ">From "; the issue shows it as written."""
    text = text_body(footer="\nFrom the archive: our first issue covered the 2016 chip shortage.\n")
    message = newsletter(text=text)
    mbox = write_mbox(tmp_path / "letters.mbox", message, three_senders()[1])
    assert b"\n>From the archive" in mbox.read_bytes()
    assert imported(capsys, mbox) == "imported: 2 new, 0 updated, 0 unchanged"
    exported = ok(capsys, "export", "json")
    assert "From the archive: our first issue" in exported
    assert ">From" not in exported
    assert ok(capsys, "search", '"first issue covered"', "--json").count('"issue_id"') == 1


def test_an_mbox_without_a_suffix_is_recognised(tmp_path, capsys):
    """A mail client's "Inbox" file: no suffix, "From " lines between the messages."""
    inbox = write_mbox(tmp_path / "Inbox", *three_senders())
    assert len(parsed(capsys, inbox)) == 4
    assert imported(capsys, inbox) == "imported: 4 new, 0 updated, 0 unchanged"


def test_an_empty_mbox_fails_with_one_line(tmp_path, capsys):
    """An empty .mbox: exit 1, one line."""
    path = tmp_path / "empty.mbox"
    path.write_bytes(b"")
    code, out, err = cli(capsys, "import", path)
    assert code == 1 and "1 failed" in out
    [line] = error_lines(err)
    assert "empty.mbox" in line and "no messages" in line


def test_the_folders_of_a_maildir_tree_are_imported(tmp_path, capsys):
    """A Dovecot Maildir++ tree: the inbox at the root, folders in dot-directories under it."""
    signal, ledger, chips, bare = three_senders()
    root = write_maildir(tmp_path / "Maildir", signal)
    write_maildir(root / ".Newsletters", ledger, chips, seen=True)
    write_maildir(root / ".Newsletters.Archive", bare)
    (root / ".Newsletters" / "maildirfolder").write_bytes(b"")
    (root / ".Newsletters" / "dovecot-uidlist").write_text("3 V1715500000 N3\n")
    assert imported(capsys, root) == "imported: 4 new, 0 updated, 0 unchanged"
    assert len(listed(capsys)) == 4


def test_stray_files_in_a_maildir(tmp_path, capsys):
    """Server files at the root, hidden files and tmp/ are not looked at; a stray file in cur/ is one skipped entry."""
    maildir = write_maildir(tmp_path / "Maildir", *three_senders()[:2])
    (maildir / "dovecot-uidlist").write_text("3 V1715500000 N3 G0c2d1e\n1 :1715500000.M1P1.host\n")
    (maildir / "dovecot.index").write_bytes(b"\x07\x02\x00\x00" + bytes(range(256)) * 8)
    (maildir / "dovecot.index.log").write_bytes(bytes(range(256)) * 4)
    (maildir / "subscriptions").write_text("Newsletters\n")
    (maildir / "cur" / "notes.txt").write_text("remember to sort the newsletters into folders\nand the receipts\n")
    (maildir / "cur" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(64))
    (maildir / "tmp" / "1715500000.M9P9.host").write_bytes(bytes(newsletter("Still arriving"))[:300])
    code, out, err = cli(capsys, "import", maildir)
    assert code == 0
    assert out.strip() == "imported: 2 new, 0 updated, 0 unchanged"
    [line] = error_lines(err)
    assert "skipped" in line and "notes.txt" in line and "not an e-mail message" in line
    assert "dovecot" not in err
    assert len(listed(capsys)) == 2


@pytest.mark.parametrize(
    "content",
    [
        b"Shopping list\n- milk\n- coffee beans\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"",
        b"<html><body><p>Saved web page, not a message.</p></body></html>\n",
    ],
    ids=["text", "binary", "empty", "html"],
)
def test_an_eml_that_is_not_a_message_fails_with_one_line(tmp_path, capsys, content):
    """An .eml that is not a message: exit 1, one line, no traceback."""
    path = write_eml(tmp_path / "not-mail.eml", content)
    for command in ("parse", "import"):
        code, _out, err = cli(capsys, command, path)
        assert code == 1
        [line] = error_lines(err)
        assert "not-mail.eml" in line
    assert listed(capsys) == []


def test_an_empty_part_without_a_blank_line_does_not_hide_the_next_part(tmp_path, capsys):
    """An empty attachment written as headers only, straight into the next boundary."""
    raw = (
        b"From: Signal Weekly <news@signal.example.com>\n"
        b"Subject: Empty part first\n"
        b"Date: Tue, 12 May 2026 07:30:00 +0000\n"
        b"Message-ID: <empty-part@signal.example.com>\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="letter"\n'
        b"\n"
        b"--letter\n"
        b'Content-Type: application/octet-stream; name="empty.bin"\n'
        b'Content-Disposition: attachment; filename="empty.bin"\n'
        b"--letter\n"
        b"Content-Type: text/html; charset=utf-8\n"
        b"\n" + html_body().encode() + b"--letter--\n"
    )
    assert email.message_from_bytes(raw, policy=email.policy.default).get_body(("html",)) is not None
    issue = parsed(capsys, write_eml(tmp_path / "empty-part.eml", raw))
    assert [story["title"] for story in issue["stories"]] == STORY_TITLES


SAVED_TEXT = """From: Jack Clark from Import AI <jack@importai.example>
Date: March 3, 2026
Subject: Robots learn to fold laundry

ROBOTS FOLD LAUNDRY AT 90% SUCCESS

A home robot startup in Oslo claims a 90% success rate on towels and shirts.

Bottom line: Household chores are where robotics demos usually fall apart.
"""


@pytest.mark.parametrize("name", ["saved.txt", "saved.md"])
def test_a_newsletter_file_with_mail_header_lines_is_still_a_newsletter_file(tmp_path, capsys, name):
    """As documented for text files: the header lines give the title, the publication and the date."""
    path = tmp_path / name
    path.write_text(SAVED_TEXT, encoding="utf-8")
    issue = parsed(capsys, path)
    assert (issue["title"], issue["source"], issue["date"]) == (
        "Robots learn to fold laundry", "Import AI", "2026-03-03"
    )


def test_a_bad_eml_among_good_files_fails_alone(tmp_path, capsys):
    """One bad file among good ones: reported, the rest imported, exit 1."""
    good = write_eml(tmp_path / "good.eml", newsletter())
    bad = write_eml(tmp_path / "bad.eml", b"just some words\n")
    code, out, err = cli(capsys, "import", bad, good)
    assert code == 1
    assert out.strip() == "imported: 1 new, 0 updated, 0 unchanged, 1 failed"
    [line] = error_lines(err)
    assert "bad.eml" in line
    assert len(listed(capsys)) == 1


# -- a 50 MB attachment ----------------------------------------------------------------------

ATTACHMENT_BYTES = 50 * 1024 * 1024
#: Highest traced memory allowed while importing the message with the 50 MB attachment
#: (about 1.3 MB is used: the attachment streams past a line at a time).
MEMORY_BOUND = 8 * 1024 * 1024
#: What the attachment is made of, repeated: 6 KiB of bytes, 8 KiB of base64.
ATTACHMENT_CHUNK = hashlib.sha512(b"weights").digest() * 96


def write_big_message(handle, *, line_length: int | None = 76) -> None:
    """A newsletter with a 50 MB base64 attachment, streamed to ``handle`` a block at a time.

    ``line_length`` None writes the base64 as one line, as some mailers do.
    """
    placeholder = b"PLACEHOLDER-ATTACHMENT"
    message = newsletter("Signal Weekly: the big data issue", message_id="<big-50mb@signal.example.com>")
    message.add_attachment(placeholder, "application", "octet-stream", filename="training-set-sample.bin")
    head, tail = bytes(message).split(base64.b64encode(placeholder), 1)
    handle.write(head)
    block = base64.b64encode(ATTACHMENT_CHUNK)
    if line_length:
        block = b"".join(block[start : start + line_length] + b"\n" for start in range(0, len(block), line_length))
    for _chunk in range(ATTACHMENT_BYTES // len(ATTACHMENT_CHUNK)):
        handle.write(block)
    handle.write(tail)


def import_measured(library: Library, path: Path):
    """The import report of ``path`` and the peak memory traced while importing it."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        report = library.import_paths([str(path)])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return report, peak


@pytest.mark.parametrize(
    "container, line_length",
    [
        ("eml", 76),
        ("mbox", 76),
        ("eml", None),
        ("mbox", None),
    ],
    ids=["eml", "mbox", "eml-one-line", "mbox-one-line"],
)
def test_a_50_mb_attachment_is_skipped_in_bounded_memory(tmp_path, container, line_length):
    """The newsletter is imported, the attachment left out, and memory stays far below its size."""
    path = tmp_path / f"big.{container}"
    with path.open("wb") as handle:
        if container == "mbox":
            handle.write(b"From news@signal.example.com Tue May 12 07:30:00 2026\n")
        write_big_message(handle, line_length=line_length)
        if container == "mbox":
            handle.write(b"\n")
    assert path.stat().st_size > ATTACHMENT_BYTES * 4 // 3
    library = open_library()
    try:
        # the parser's modules load on the first import: not what is measured
        warm = library.import_paths([str(write_eml(tmp_path / "warm-up.eml", three_senders()[1]))])
        assert warm.new == 1
        report, peak = import_measured(library, path)
        assert (report.new, report.errors, report.skipped) == (1, [], [])
        [summary] = library.issues(source="Signal Weekly")
        view = library.open_issue(summary.id)
        assert summary.title == "Signal Weekly: the big data issue"
        assert [story.title for story in view.briefing.stories] == STORY_TITLES
    finally:
        library.close()
        path.unlink()
    assert peak < MEMORY_BOUND, f"peak traced memory {peak / 1e6:.1f} MB"
    everything = stored_bytes()
    assert b"training-set-sample" not in everything
    assert base64.b64encode(ATTACHMENT_CHUNK)[:40] not in everything


# -- hostile headers -------------------------------------------------------------------------------


def test_escape_sequences_and_markup_in_headers_never_reach_the_output(tmp_path, capsys):
    """A sender that puts terminal escapes, controls and markup in its headers gets plain text."""
    raw = with_raw_headers(
        newsletter(html=html_body(web="javascript:alert(1)"), text=None),
        Subject="=?utf-8?q?Chips_=1B]8;;file:///etc/passwd=07week=1B]8;;=07_=1B[31m[bold]red[/]?=",
        From="=?utf-8?q?Evil=1B[2J_[link=3Dfile:/x]Sender=07?= <news@signal.example.com>",
        List_Post="<javascript:alert(2)>",
    )
    issue = parsed(capsys, write_eml(tmp_path / "hostile.eml", raw))
    imported(capsys, tmp_path / "hostile.eml")
    [row] = listed(capsys)
    for shown in (issue["title"], issue["source"], row["title"], row["source"]):
        assert "\x1b" not in shown and "\x07" not in shown
    assert row["title"] == "Chips week [bold]red[/]"  # markup is kept as the text it is
    assert row["source"] == "Evil [link=file:/x]Sender"
    assert issue["url"] is None  # neither javascript: link is the issue's link
