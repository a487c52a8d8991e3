"""Two-phase refresh: entries are stored raw as they arrive (listed and openable at once), then
parsed and indexed. Against the real HTTP server on 127.0.0.1 and real SQLite files."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from briefing_tui.cli import main
from briefing_tui.library import Library
from briefing_tui.paths import Locations
from tests.feedserver import FeedServer, Issue, rss_feed
from tests.ui_support import new_app, screen_text, settle


@pytest.fixture
def server():
    server = FeedServer()
    server.feed("/daily.xml", rss_feed([Issue(1), Issue(2), Issue(3, word="quillwort")], title="Quokka Daily"))
    yield server
    server.close()


def open_library() -> Library:
    return Library(Locations.resolve())


def stored_raw(server: FeedServer) -> None:
    """A refresh that stopped after its first phase (or ran with --no-index)."""
    library = open_library()
    try:
        library.add_feed(server.url("/daily.xml"))
        report = library.refresh(index=False, thread=False)
        assert report.new == 3 and report.index is None
    finally:
        library.close()


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_phase_one_lists_every_new_issue_and_opening_one_parses_it(server):
    stored_raw(server)
    library = open_library()
    try:
        assert library.pending_index() == 3
        issues = library.issues()
        assert {issue.title for issue in issues} == {"Briefing number 1", "Briefing number 2", "Briefing number 3"}
        assert all(not issue.indexed and issue.unread is None for issue in issues)
        # unread-only never hides an issue whose stories are not counted yet
        assert library.count_issues(unread_only=True) == 3
        assert library.search("quillwort") == []  # not indexed yet
        first = issues[0]
        view = library.open_issue(first.id)
        assert view is not None and len(view.briefing.stories) == 3
        assert library.pending_index() == 2
        assert library.issue_summary(first.id).unread == 3
    finally:
        library.close()


def test_phase_two_indexes_what_is_pending_and_search_finds_it(server):
    stored_raw(server)
    library = open_library()
    try:
        seen = []
        report = library.index_pending(lambda done, total: seen.append((done, total)))
        assert report.indexed == 3 and report.unparsed == [] and seen[-1] == (3, 3)
        assert library.pending_index() == 0
        assert all(issue.indexed and issue.unread == 3 for issue in library.issues())
        hits = library.search("quillwort")
        assert hits and {hit.section for hit in hits} <= {"headlines", "lead", "body", "unpacked", "bottom_line"}
        assert library.update_threads() == 3
    finally:
        library.close()


def test_an_entry_that_cannot_be_parsed_is_kept_as_text_with_a_notice(server, monkeypatch):
    import briefing_tui.ingest as ingest

    real = ingest.reparse

    def failing(raw, content_type, hints):
        if hints.get("title") == "Briefing number 2":
            raise RuntimeError("boom")
        return real(raw, content_type, hints)

    monkeypatch.setattr(ingest, "reparse", failing)
    stored_raw(server)
    library = open_library()
    try:
        report = library.index_pending()
        assert report.indexed == 3
        assert len(report.unparsed) == 1 and "Briefing number 2" in report.unparsed[0] and "shown as text" in report.unparsed[0]
        broken = next(issue for issue in library.issues() if issue.title == "Briefing number 2")
        view = library.open_issue(broken.id)
        assert view.briefing.stories == () and any("Here is briefing 2" in paragraph for paragraph in view.briefing.intro)
    finally:
        library.close()


def test_refresh_no_index_then_any_reading_command_sees_everything(server, capsys):
    assert cli(capsys, "add", "--no-check", server.url("/daily.xml"))[0] == 0
    code, out, _err = cli(capsys, "refresh", "--no-index", "--plain")
    assert code == 0 and "3 new issues" in out
    library = open_library()
    try:
        assert library.pending_index() == 3
    finally:
        library.close()
    code, out, _err = cli(capsys, "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [issue["unread_stories"] for issue in listed] == [3, 3, 3]
    code, out, _err = cli(capsys, "search", "quillwort", "--json")
    assert code == 0 and json.loads(out)


def test_refresh_indexes_after_its_summary_so_a_script_can_search_at_once(server, capsys):
    assert cli(capsys, "add", "--no-check", server.url("/daily.xml"))[0] == 0
    code, out, _err = cli(capsys, "refresh", "--plain")
    assert code == 0 and out.splitlines()[-1] == "refreshed 1 feed, 3 new issues"
    library = open_library()
    try:
        assert library.pending_index() == 0 and library.search("quillwort")
    finally:
        library.close()


async def test_the_reader_indexes_what_a_stopped_refresh_left_and_then_shows_counts(server):
    with ThreadPoolExecutor(1) as pool:  # the test's event loop is running: refresh in a thread
        pool.submit(stored_raw, server).result()
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Briefing number 3" in text
        assert "3/3" in text and "new" not in text.split("Issues", 1)[1].split("╯", 1)[0]
    library = open_library()
    try:
        assert library.pending_index() == 0 and library.search("quillwort")
    finally:
        library.close()


def test_many_pending_issues_are_parsed_in_worker_processes_each_into_its_own_issue():
    """Past the pool threshold, parsing runs in worker processes a batch ahead of storing: every
    issue must still get its own stories."""
    from briefing_tui.library import INDEX_BATCH, INDEX_POOL_THRESHOLD

    count = max(INDEX_POOL_THRESHOLD, INDEX_BATCH) + 15
    server = FeedServer()
    try:
        server.feed("/many.xml", rss_feed([Issue(n, guid=f"many-{n}", stories=2) for n in range(count)], title="Many"))
        library = open_library()
        try:
            library.add_feed(server.url("/many.xml"))
            library.refresh(index=False, thread=False)
            assert library.pending_index() == count
            assert library.index_pending().indexed == count
            for issue in library.issues():
                number = issue.title.rsplit(" ", 1)[1]
                stories = library.open_issue(issue.id).briefing.stories
                assert [story.title for story in stories] == [
                    f"Story {n} of issue {number} about zephyrine chips" for n in range(2)
                ], issue.title
        finally:
            library.close()
    finally:
        server.close()
