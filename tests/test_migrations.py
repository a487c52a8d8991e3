"""Cache schema migrations, and the order issues are listed in."""

from __future__ import annotations

import dataclasses
import sqlite3

from briefing_tui.library import Library
from briefing_tui.paths import Locations
from briefing_tui.store import cache as cache_module
from briefing_tui.store.cache import Cache
from briefing_tui.store.query import SearchQuery
from tests.feedserver import Issue, rss_feed


def test_a_version_1_cache_is_migrated_and_keeps_its_issues(tmp_path):
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(cache_module._MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO issues (id, origin, key, title, sort_date, stories, shortlist, fetched_at, raw, raw_hash,"
        " hints, briefing, parser_version) VALUES ('i-old', 'o', 'k', 'Old issue', '2026-01-01', 0, 0,"
        " '2026-01-01T00:00:00+00:00', '', '', '{}', '{\"title\": \"Old issue\"}', 1)"
    )
    conn.commit()
    conn.close()
    cache = Cache.open(path)
    assert cache.conn.execute("PRAGMA user_version").fetchone()[0] == len(cache_module._MIGRATIONS)
    assert cache.recovered_from is None
    assert [issue.title for issue in cache.issues()] == ["Old issue"]
    cache.close()


def test_issues_of_one_day_keep_the_feeds_order(tmp_path):
    issues = [Issue(number) for number in (7, 3, 9, 1, 5)]  # all published at the same moment
    path = tmp_path / "feed.xml"
    path.write_bytes(rss_feed(issues))
    library = Library(Locations.resolve())
    try:
        library.import_paths([str(path)])
        assert [issue.title for issue in library.issues()] == [issue.title for issue in issues]
    finally:
        library.close()


def test_the_search_index_survives_the_prefix_index_migration(tmp_path):
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(cache_module._MIGRATIONS[0] + cache_module._MIGRATIONS[1] + "\nPRAGMA user_version = 2;")
    conn.execute(
        "INSERT INTO issues (id, origin, key, title, sort_date, stories, shortlist, fetched_at, raw, raw_hash,"
        " hints, briefing, parser_version) VALUES ('i-old', 'o', 'k', 'Old issue', '2026-01-01', 1, 0,"
        " '2026-01-01T00:00:00+00:00', '', '', '{}', '{\"title\": \"Old issue\"}', 1)"
    )
    conn.execute(
        "INSERT INTO search (rowid, headlines, lead, unpacked, bottom_line, body, shortlist, refs, issue_id, item_id)"
        " VALUES (41, 'Computing news', '', '', 'compilers got faster', '', '', '', 'i-old', 's-1')"
    )
    conn.commit()
    conn.close()
    cache = Cache.open(path)
    try:
        hits = cache.search(SearchQuery.parse("comp*"))
        assert [(hit.issue_id, hit.item_id) for hit in hits] == [("i-old", "s-1")]
        assert cache.conn.execute("SELECT rowid FROM search").fetchall() == [(41,)]
        hits = cache.search(SearchQuery.parse("section:bottomline compilers"))
        assert [hit.section for hit in hits] == ["bottom_line"]
    finally:
        cache.close()


def test_a_version_3_cache_keeps_its_feed_state_and_gains_the_redirect_note(tmp_path):
    path = tmp_path / "cache.sqlite3"
    url = "https://quokka.example.com/feed.xml"
    conn = sqlite3.connect(path)
    conn.executescript("".join(cache_module._MIGRATIONS[:3]) + "\nPRAGMA user_version = 3;")
    conn.execute(
        "INSERT INTO feeds (url, title, etag, last_modified, last_success) VALUES"
        " (?, 'Quokka Daily', '\"v1\"', 'Mon, 02 Mar 2026 08:00:00 GMT', '2026-03-02T08:00:00+00:00')",
        (url,),
    )
    conn.commit()
    conn.close()
    cache = Cache.open(path)
    try:
        assert cache.recovered_from is None
        state = cache.feed_state(url)
        assert (state.title, state.etag, state.last_success) == ("Quokka Daily", '"v1"', "2026-03-02T08:00:00+00:00")
        assert state.redirected_to is None
        cache.save_feed_state(dataclasses.replace(state, redirected_to="https://elsewhere.example/feed.xml"))
        assert cache.feed_state(url).redirected_to == "https://elsewhere.example/feed.xml"
    finally:
        cache.close()


def test_a_version_7_cache_moves_the_issue_rows_headline_list_out_of_the_title_column(tmp_path):
    """An issue's own search row carried its list of headlines where stories carry their title:
    a word of one headline ranked the issue above the story. The migration moves the list."""
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("".join(cache_module._MIGRATIONS[:7]) + "\nPRAGMA user_version = 7;")
    conn.execute(
        "INSERT INTO search (headlines, lead, unpacked, bottom_line, body, shortlist, refs, issue_id, item_id)"
        " VALUES ('Quillwort sensors ship', '', '', '', 'Good morning.', '', '', 'i-1', '')"
    )
    conn.execute(
        "INSERT INTO search (headlines, lead, unpacked, bottom_line, body, shortlist, refs, issue_id, item_id)"
        " VALUES ('Quillwort sensors ship', 'A lead.', '', '', '', '', '', 'i-1', 's-1')"
    )
    conn.commit()
    conn.close()
    cache = Cache.open(path)
    try:
        rows = dict(cache.conn.execute("SELECT item_id, headlines || '|' || body FROM search").fetchall())
        assert rows[""] == "|Good morning.\nQuillwort sensors ship"  # still found, as body text
        assert rows["s-1"] == "Quillwort sensors ship|"  # a story keeps its title
    finally:
        cache.close()
