"""The search screen on its own, pushed over a small app: what it finds while a query is typed,
what its rows show, and what it hands back when Enter jumps to a hit."""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from textual.app import App
from textual.widgets import Input, OptionList

from briefing_tui.library import Library, SearchHit
from briefing_tui.ui.app import styles_dir
from briefing_tui.ui.screens import search as search_module
from briefing_tui.ui.screens.search import SearchJump, SearchScreen
from tests.ui_support import NEWER_TITLE, OLDER_TITLE, import_fixtures, locations, screen_text, settle

SIZE = (100, 30)


class SearchApp(App):
    """Nothing but the search screen, and what it returned when it closed."""

    CSS_PATH = [styles_dir() / "app.tcss"]

    def __init__(self, library, query: str = "") -> None:
        super().__init__()
        self.library = library
        self.query_text = query
        self.returned: list[SearchJump | None] = []

    def on_mount(self) -> None:
        self.push_screen(SearchScreen(self.library, query=self.query_text), self.returned.append)


@pytest.fixture
def library():
    ids = import_fixtures()
    library = Library(locations())
    library.ids = ids
    yield library
    library.close()


def reverse_text(app) -> list[str]:
    """Runs of text drawn in reverse video (the highlighted matches)."""
    runs = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.style is not None and segment.style.reverse and segment.text.strip():
                runs.append(segment.text.strip())
    return runs


def bold_text(app) -> str:
    """The text drawn in bold on the active screen, run after run."""
    runs = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.style is not None and segment.style.bold and segment.text.strip():
                runs.append(segment.text)
    return "".join(runs)


def status(app) -> str:
    return str(app.screen.query_one("#search-status").render())


def rows(app) -> int:
    return app.screen.query_one("#search-results", OptionList).option_count


async def test_the_word_being_typed_matches_as_a_prefix_until_a_space_ends_it(library):
    app = SearchApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"tidew")
        await settle(pilot)
        assert rows(app) == 1 and "1 result" in status(app)
        assert "Tidewater" in reverse_text(app)
        # A finished word matches whole: no word is "tidew".
        await pilot.press("space")
        await settle(pilot)
        assert rows(app) == 0 and "0 results" in status(app)
        # The next word is a prefix in its turn, the finished one still counts.
        await pilot.press(*"gra")
        await settle(pilot)
        assert rows(app) == 0
        for _ in range(len("tidew gra")):
            await pilot.press("backspace")
        await pilot.press(*"grap")
        await settle(pilot)
        assert app.screen.query_one(Input).value == "grap"
        assert {hit.issue_id for hit in app.screen.hits} == {library.ids.older}
        assert "Graphene" in reverse_text(app)
        # An unfinished phrase: its last word is a prefix too.
        app.screen.query_one(Input).value = '"graphene sens'
        await settle(pilot)
        assert app.screen.hits and all("\x02" in hit.snippet for hit in app.screen.hits)
        assert "Graphene sensors" in reverse_text(app) or "graphene sensors" in reverse_text(app)


async def test_a_prefix_needs_two_letters_and_punctuation_is_no_error(library):
    app = SearchApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        box = app.screen.query_one(Input)
        for query in ["g", "G", "!", "*", '"', '"g', "-", "g*", "_g", "gr"]:
            box.value = query
            await settle(pilot)
            if query == "gr":
                assert rows(app) > 0 and "Graphene" in reverse_text(app)
            else:
                # One letter is a whole word, not every word that starts with it ("graphene", "GPU"...).
                assert rows(app) == 0 and "0 results" in status(app), query


async def test_rows_show_the_story_title_and_the_issue(library):
    app = SearchApp(library, query="hobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [hit] = app.screen.hits
        assert hit.section == "bottom_line" and hit.item_id == library.ids.older_stories[2]
        story = library.open_issue(library.ids.older).briefing.stories
        title = next(s.title for s in story if s.id == hit.item_id)
        text = screen_text(app)
        assert title in text  # the story, not only the issue
        assert OLDER_TITLE[:40] in text
        assert "hobby" in " ".join(reverse_text(app)).lower()


async def test_shortlist_and_reference_rows_show_the_item(library):
    app = SearchApp(library, query="marlin")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [hit] = app.screen.hits
        assert hit.section == "shortlist"
        text = screen_text(app)
        # the item's text is the row's title (once, with the match highlighted), then the issue
        assert "Marlin raised $8M to build open-source chip layout tools." in bold_text(app)
        assert "Marlin" in reverse_text(app)
        assert text.count("open-source chip layout tools") == 1
        assert OLDER_TITLE[:40] in text and OLDER_TITLE[:40] not in bold_text(app)
        app.screen.query_one(Input).value = "section:references turin"
        await settle(pilot)
        [hit] = app.screen.hits
        assert hit.item_id == "r-1"
        assert "Strata Devices — Turin shipment" in bold_text(app)


async def test_a_query_given_to_the_screen_runs_at_once_and_the_jump_carries_it(library):
    app = SearchApp(library, query="cone")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        search = app.screen
        assert isinstance(search, SearchScreen)
        assert search.query_one(Input).value == "cone" and search.query_one(Input).has_focus
        assert rows(app) == 2 and "2 results" in status(app)
        first = search.hits[1]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.returned == [SearchJump(first.issue_id, first.item_id, first.section, "cone")]


async def test_the_given_query_is_replaced_by_typing_or_edited_after_end(library):
    app = SearchApp(library, query="cone")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"gra")  # the given query is selected: typing starts a new one
        await settle(pilot)
        assert app.screen.query_one(Input).value == "gra"
        assert {hit.issue_id for hit in app.screen.hits} == {library.ids.older}
        await pilot.press("escape")
        await settle(pilot)
        assert app.returned == [None]
    app = SearchApp(library, query="gra")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end", *"phene")  # End keeps it, to go on typing
        await settle(pilot)
        assert app.screen.query_one(Input).value == "graphene"
        hit = app.screen.hits[0]
        await pilot.press("enter")
        await settle(pilot)
        [jump] = app.returned
        assert jump.query == "graphene" and (jump.issue_id, jump.item_id) == (hit.issue_id, hit.item_id)


async def test_filters_alone_list_the_starred_items_newest_issue_first(library):
    ids = library.ids
    library.set_starred(ids.older_stories[0], ids.older, True)
    library.set_starred(ids.older_shortlist[0], ids.older, True)
    library.set_starred(ids.newer_stories[1], ids.newer, True)
    app = SearchApp(library, query="is:starred")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        hits = app.screen.hits
        assert [hit.item_id for hit in hits] == [ids.newer_stories[1], ids.older_stories[0], ids.older_shortlist[0]]
        assert [hit.issue_title for hit in hits] == [NEWER_TITLE, OLDER_TITLE, OLDER_TITLE]
        assert "3 results" in status(app)
        newer = library.open_issue(ids.newer).briefing.stories
        assert next(s.title for s in newer if s.id == ids.newer_stories[1]) in screen_text(app)
        # Filters combine, and with words they narrow a search as before.
        app.screen.query_one(Input).value = "is:starred section:shortlist"
        await settle(pilot)
        assert [hit.item_id for hit in app.screen.hits] == [ids.older_shortlist[0]]
        library.mark_issue_read(ids.older)
        app.screen.query_one(Input).value = "is:starred is:unread"
        await settle(pilot)
        assert [hit.item_id for hit in app.screen.hits] == [ids.newer_stories[1]]
        await pilot.press("enter")
        await settle(pilot)
        assert app.returned == [SearchJump(ids.newer, ids.newer_stories[1], "headlines", "is:starred is:unread")]


class SlowFirstLibrary:
    """Searches that answer at once, except the first: it waits until the test lets it go (and
    does not notice being cancelled), as a search over a big cache would."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.answered = threading.Event()
        self.calls: list[str] = []

    def search(self, text: str, **_options) -> list[SearchHit]:
        self.calls.append(text)
        if len(self.calls) == 1:
            self.started.set()
            self.release.wait(10)
            self.answered.set()
        return [SearchHit("i-1", "s-1", "lead", f"found \x02{text}\x03", f"Issue for {text}", None, None)]


async def test_results_of_an_older_query_never_replace_the_newer_ones(monkeypatch):
    monkeypatch.setattr(search_module, "DEBOUNCE", 0.3)
    library = SlowFirstLibrary()
    app = SearchApp(library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press(*"old")
            for _ in range(100):
                if library.started.is_set():
                    break
                await asyncio.sleep(0.02)
            assert library.started.is_set()
            await pilot.press(*"er")  # "older" while "old" is still being searched
            library.release.set()  # "old" ends before "older" starts
            for _ in range(100):
                if library.answered.is_set():
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)
            await pilot.pause()
            assert library.calls == ["old"]
            assert not re.search(r"Issue for old\b", screen_text(app))
            await settle(pilot)
            await asyncio.sleep(0.4)
            await settle(pilot)
            assert "Issue for older" in screen_text(app) and not re.search(r"Issue for old\b", screen_text(app))
            assert [hit.issue_title for hit in app.screen.hits] == ["Issue for older"]
            assert library.calls[-1] == "older"
    finally:
        library.release.set()


async def test_the_reader_starts_the_next_search_from_the_one_that_jumped_and_star_lists_starred():
    """In the real reader: `/` after a jump shows the query again; `*` lists the starred items."""
    from tests.ui_support import new_app

    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"graphene", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, SearchScreen)
        await pilot.press("slash")
        await settle(pilot)
        assert app.screen.query_one(Input).value == "graphene"
        assert rows(app) > 0
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")  # star what the jump opened
        await settle(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(Input).value == "is:starred"
        assert rows(app) == 1
