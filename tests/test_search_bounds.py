"""Search stays bounded on hostile text: snippets read a window of each row, and a search can be
cancelled (a newer query replaces it, or the reader closes) without waiting for it to end."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from briefing_tui.library import Library, SearchCancelled
from briefing_tui.paths import Locations
from briefing_tui.store import snippets
from briefing_tui.store.query import SearchQuery
from briefing_tui.store.snippets import Highlighter
from tests.ui_support import import_files, new_app, settle

#: An entry of 400 KB repeating one word: 80,000 matches in one row.
REPEATED = "chip " * 80_000


@pytest.fixture
def repeated_library(tmp_path):
    """A library holding five entries of 400 KB that repeat one word."""
    path = tmp_path / "words.xml"
    _repeated_feed(path, 5)
    import_files(path)
    library = Library(Locations.resolve())
    yield library
    library.close()


def _repeated_feed(path, entries: int) -> None:
    items = "".join(
        f"<item><title>Entry {number}</title><guid>e{number}</guid><link>http://example.com/{number}</link>"
        f"<description>&lt;p&gt;{REPEATED}&lt;/p&gt;</description></item>"
        for number in range(entries)
    )
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Words</title>{items}</channel></rss>')


def test_a_snippet_of_a_huge_row_is_short_and_marks_the_match():
    (covered, count), text = Highlighter(SearchQuery.parse("chip")).snippet(REPEATED)
    assert covered == 1 and count == snippets.SNIPPET_TOKENS
    assert text.startswith("\x02chip\x03") and text.endswith("…") and len(text) < 300


def test_a_match_deep_in_a_long_row_is_found_and_shown_with_ellipses():
    text = "filler words here. " * 20_000 + "The zephyrine cable was repaired. " + "more filler. " * 20_000
    (covered, count), snippet = Highlighter(SearchQuery.parse("zephyrine")).snippet(text)
    assert (covered, count) == (1, 1)
    assert "\x02zephyrine\x03 cable was repaired" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")


@pytest.mark.timeout(120)
def test_searching_rows_that_repeat_one_word_takes_moments(repeated_library):
    started = time.perf_counter()
    hits = repeated_library.search("chip")
    # This took minutes: each snippet compared every match with every other one.
    assert time.perf_counter() - started < 10
    assert len(hits) == 5 and all("\x02chip\x03" in hit.snippet for hit in hits)


def test_a_cancelled_search_stops_and_says_so(repeated_library):
    with pytest.raises(SearchCancelled):
        repeated_library.search("chip", cancelled=lambda: True)
    polls = []

    def cancel_after_sql() -> bool:
        polls.append(1)
        return len(polls) > 1

    with pytest.raises(SearchCancelled):
        repeated_library.search("chip", cancelled=cancel_after_sql)
    # The library is free again at once, and an uncancelled search still works.
    assert len(repeated_library.search("chip")) == 5


@pytest.mark.parametrize("query", ["c", "C", "!", "*", '"', "c*", '"c', "-c", "_", "é", "x_c"])
def test_one_letter_or_punctuation_being_typed_is_no_prefix(repeated_library, query):
    # Every word here is "chip": a one-letter prefix would match them all (and on a big cache
    # read the index entry of every word that starts with the letter).
    assert repeated_library.search(query, partial=True) == []
    assert repeated_library.search(query) == []
    assert len(repeated_library.search("ch", partial=True)) == 5


@pytest.mark.timeout(120)
def test_filters_alone_on_huge_rows_stay_bounded(repeated_library):
    started = time.perf_counter()
    hits = repeated_library.search("source:words", limit=3)
    assert time.perf_counter() - started < 10
    # each entry is an article (no stories): one hit, its snippet the start of its text
    assert [hit.title for hit in hits] == ["Entry 0", "Entry 1", "Entry 2"]
    assert all(hit.item_id == "" and len(hit.snippet) < 300 and hit.snippet.startswith("chip chip") for hit in hits)
    assert len(repeated_library.search("source:words")) == 5
    with pytest.raises(SearchCancelled):
        repeated_library.search("source:words", cancelled=lambda: True)


@pytest.mark.timeout(120)
async def test_closing_the_reader_during_a_slow_search_does_not_wait_for_it(repeated_library, monkeypatch):
    started_snippet = threading.Event()
    slow = Highlighter.snippet

    def slow_snippet(self, text, size=snippets.SNIPPET_TOKENS):
        started_snippet.set()
        time.sleep(1.0)  # a row that takes a second: five rows of seven columns is 35 s
        return slow(self, text, size)

    monkeypatch.setattr(Highlighter, "snippet", slow_snippet)
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"chip")
        for _ in range(100):
            if started_snippet.is_set():
                break
            await asyncio.sleep(0.05)
        assert started_snippet.is_set()
        await pilot.press("escape")
        closed = time.perf_counter()
        await app.workers.wait_for_complete()
        assert time.perf_counter() - closed < 5
