"""Hostile feeds, round two: one bad feed or entry never stops the others, in any code path."""

from __future__ import annotations

import json
import os

import pytest

from briefing_tui.cli import main
from briefing_tui.ingest import ParsedIssue, ParsedPayload
from briefing_tui.library import Library
from briefing_tui.parser import parse_document
from briefing_tui.paths import Locations
from tests.feedserver import FeedServer, Issue, rss_feed

#: A JSON Feed whose strings carry lone surrogates, as "\ud800" escapes in the JSON text.
SURROGATE_FEED = (
    b'{"version":"https://jsonfeed.org/version/1.1","title":"Sur\\ud800rogate",'
    b'"items":[{"id":"1","title":"x\\ud800y","content_text":"Hello \\udc00 world, more text here."},'
    b'{"id":"2\\udfff","title":"fine","content_text":"All good here."}]}'
)


def test_parse_and_import_of_a_json_feed_with_lone_surrogates(tmp_path, capsys):
    path = tmp_path / "feed.json"
    path.write_bytes(SURROGATE_FEED)
    assert main(["parse", str(path), "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert [issue["title"] for issue in parsed] == ["x\ufffdy", "fine"]
    assert main(["import", str(path)]) == 0
    assert "2 new" in capsys.readouterr().out
    library = Library(Locations.resolve())
    try:
        assert sorted(summary.title for summary in library.issues()) == ["fine", "x\ufffdy"]
    finally:
        library.close()


def test_a_json_feed_with_lone_surrogates_does_not_stop_the_refresh(tmp_path):
    server = FeedServer()
    try:
        server.feed("/bad.json", SURROGATE_FEED, "application/feed+json")
        server.feed("/good.xml", rss_feed([Issue(1), Issue(2)]))
        bad, good = server.url("/bad.json"), server.url("/good.xml")
        library = Library(Locations.resolve())
        try:
            library.add_feed(bad)
            library.add_feed(good)
            report = library.refresh()
            by_url = {outcome.url: outcome for outcome in report.outcomes}
            assert by_url[bad].status == "updated" and by_url[bad].new == 2
            assert by_url[good].status == "updated" and by_url[good].new == 2
            assert library.count_issues() == 4
        finally:
            library.close()
    finally:
        server.close()


def test_an_entry_that_cannot_be_stored_is_undone_alone_and_reported(tmp_path):
    """A storage failure that belongs to one entry (text SQLite cannot take) skips that entry only."""
    good = parse_document(b"# Good issue\n\nSome text about chips.", filename="good.md")
    payload = ParsedPayload(
        origin="file:///letters",
        issues=[
            ParsedIssue(key="bad", raw="raw \ud800 text", content_type="text/markdown", hints={}, briefing=good),
            ParsedIssue(key="good", raw="# Good issue", content_type="text/markdown", hints={}, briefing=good),
        ],
    )
    library = Library(Locations.resolve())
    try:
        from briefing_tui.library import ImportReport

        report = ImportReport()
        library._store_imports([("letters.md", payload)], report, None)
        assert report.new == 1
        assert report.skipped == [report.skipped[0]] and report.skipped[0].startswith("'bad' not stored")
        assert [summary.title for summary in library.issues()] == ["Good issue"]
    finally:
        library.close()


def test_a_redirect_to_mailto_or_javascript_fails_that_feed_only(tmp_path):
    server = FeedServer()
    try:
        server.routes["/mail"] = lambda h: h.reply(302, b"", None, {"Location": "mailto:x@example.com"})
        server.routes["/script"] = lambda h: h.reply(301, b"", None, {"Location": "javascript:alert(1)"})
        server.feed("/good.xml", rss_feed([Issue(1)]))
        urls = [server.url(path) for path in ("/mail", "/script", "/good.xml")]
        library = Library(Locations.resolve())
        try:
            for url in urls:
                library.add_feed(url)
            report = library.refresh()
            by_url = {outcome.url: outcome for outcome in report.outcomes}
            assert by_url[urls[0]].status == "error"
            assert by_url[urls[0]].error == "redirected to a mailto: address, not a web page"
            assert by_url[urls[1]].error == "redirected to a javascript: address, not a web page"
            assert by_url[urls[2]].status == "updated" and by_url[urls[2]].new == 1
            errors = {feed.url: feed.last_error for feed in library.feeds()}
            assert errors[urls[0]] == by_url[urls[0]].error
        finally:
            library.close()
    finally:
        server.close()


def test_refresh_from_the_cli_reports_a_bad_redirect_in_one_line(tmp_path, capsys):
    server = FeedServer()
    try:
        server.routes["/mail"] = lambda h: h.reply(302, b"", None, {"Location": "mailto:x@example.com"})
        server.feed("/good.xml", rss_feed([Issue(1)]))
        library = Library(Locations.resolve())
        try:
            library.add_feed(server.url("/mail"))
            library.add_feed(server.url("/good.xml"))
        finally:
            library.close()
        code = main(["refresh"])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        assert "redirected to a mailto: address" in captured.out + captured.err
        assert code != 0  # one feed failed; the good one was still stored
        assert "1 new" in captured.out + captured.err
    finally:
        server.close()


def test_a_percent_sign_in_the_data_dir_keeps_unread_counts_right(tmp_path, monkeypatch):
    """The read-state file is attached through a URI: "%41" in its path must stay "%41"."""
    data = tmp_path / "d%41ta"
    monkeypatch.setenv("BRIEFING_TUI_DATA_DIR", str(data))
    path = tmp_path / "letter.md"
    path.write_text(
        "# Letter\n\n## Chips\n\nChips got cheaper.\n\n**Why it matters:** Cheaper models.\n\n"
        "## Cables\n\nA cable was fixed.\n\n**Why it matters:** Fewer outages.\n"
    )
    library = Library(Locations.resolve())
    try:
        library.import_paths([str(path)])
        (summary,) = library.issues()
        view = library.open_issue(summary.id)
        library.mark_read([view.briefing.stories[0].id], summary.id)
    finally:
        library.close()
    library = Library(Locations.resolve())
    try:
        (summary,) = library.issues()
        assert (summary.unread, summary.stories) == (1, 2)
    finally:
        library.close()


def test_import_and_parse_read_only_regular_files(tmp_path, capsys):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "real.md").write_text("# Real letter\n\nSome text about chips and cables.\n")
    # Neither a FIFO (which would block) nor a device (which never ends) is read.
    assert main(["import", str(fifo), str(folder)]) == 1
    captured = capsys.readouterr()
    assert f"{fifo}: not a regular file" in captured.err
    assert "zero.md: not a regular file" in captured.err
    assert "1 new" in captured.out
    assert main(["parse", str(fifo)]) != 0
    assert "not a regular file" in capsys.readouterr().err


def test_a_file_over_the_size_limit_is_refused_in_one_line(tmp_path, capsys):
    from briefing_tui import ingest

    big = tmp_path / "big.md"
    big.write_bytes(b"# Big\n\n" + b"word " * 1000)
    assert ingest.parse_local_file(str(big)).error is None
    with pytest.raises(ingest.LocalFileError, match="larger than"):
        ingest.read_local_file(big, limit=1024)


def test_file_names_with_escape_sequences_are_printed_clean(tmp_path, capsys):
    name = tmp_path / "evil\x1b]52;c;cHduZWQ=\x07\x1b[2J.md"
    name.write_bytes(b"")  # empty: a clear error that names the file
    assert main(["import", str(name)]) == 1
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err + captured.out and "\x07" not in captured.err
    assert "evil" in captured.err


BAD_URL_FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://[::1</link>
<item><title>One</title><link>http://[::1</link><description>First entry text here.</description></item>
<item><title>Two</title><link>http://example.com/2</link>
<description>Second &lt;a href="http://[::1"&gt;x&lt;/a&gt; entry, with a port &lt;a href="http://h:99999999/"&gt;y&lt;/a&gt;.</description></item>
</channel></rss>"""


def test_a_bad_url_drops_that_url_never_its_entry_or_feed(tmp_path, capsys):
    path = tmp_path / "bad.xml"
    path.write_bytes(BAD_URL_FEED)
    assert main(["parse", str(path), "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert [issue["title"] for issue in parsed] == ["One", "Two"]
    assert parsed[0]["url"] is None and parsed[1]["url"] == "http://example.com/2"
    server = FeedServer()
    try:
        server.feed("/bad.xml", BAD_URL_FEED)
        library = Library(Locations.resolve())
        try:
            library.add_feed(server.url("/bad.xml"))
            (outcome,) = library.refresh().outcomes
            assert outcome.status == "updated" and outcome.new == 2 and not outcome.skipped
        finally:
            library.close()
    finally:
        server.close()


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("mailto:a@example.com?attach=/etc/passwd", "mailto:a@example.com"),
        ("mailto:a@example.com?subject=Hi&attach=~/.ssh/id_rsa&body=Yo", "mailto:a@example.com?subject=Hi&body=Yo"),
        ("mailto:a@example.com?BCC=x@evil.example", "mailto:a@example.com"),
        ("mailto:tips@example.com", "mailto:tips@example.com"),
    ],
)
def test_mailto_links_keep_only_address_subject_and_body(href, kept):
    briefing = parse_document(f'<p>Write to <a href="{href}">us</a> today.</p>'.encode(), filename="x.html")
    links = [link.url for link in briefing.intro_links] + [
        link.url for section in briefing.sections for link in section.links
    ]
    assert kept in links
    if href != kept:
        assert href not in links
