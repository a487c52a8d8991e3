"""The reader's newer behaviours driven through Textual's Pilot: the whole issue in one scroll
(w), the issue's web page (O), the session kept between starts, the theme, refreshing at start,
mark all read (A), next unread going round the list, the unread-only list count, ctrl+l, the
layout at small and large sizes, and the command palette."""

from __future__ import annotations

import json
import re
import webbrowser
from pathlib import Path

import pytest
from textual.widgets import Static

from briefing_tui.config import Config
from briefing_tui.library import Library
from briefing_tui.ui.screens.dialogs import ConfirmScreen
from briefing_tui.ui.screens.reader import ReaderScreen
from briefing_tui.ui.widgets.issue_list import IssueList
from briefing_tui.ui.widgets.item_list import ItemList
from briefing_tui.ui.widgets.section_list import SectionList
from briefing_tui.ui.widgets.story_view import StoryView
from tests.feedserver import Issue, rss_feed
from tests.ui_support import (
    NEWER_TITLE,
    OLDER_TITLE,
    UI_FIXTURES,
    highlighted_id,
    import_files,
    import_fixtures,
    locations,
    new_app,
    press_settled,
    read_ids,
    screen_text,
    settle,
    subscribe,
    write_config,
)

SIZE = (100, 30)
ORCHARD = UI_FIXTURES / "orchard_0602.md"
ORCHARD_TITLE = "The Orchard Dispatch: a seed vault audit and a rail line that hums"


def parts(app):
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return (
        screen,
        screen.query_one(IssueList),
        screen.query_one(SectionList),
        screen.query_one(ItemList),
        screen.query_one(StoryView),
    )


def widget_text(app, widget) -> list[str]:
    """The lines of the screen inside ``widget``'s region (its border included), as drawn."""
    region = widget.region
    lines = screen_text(app).split("\n")
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


def issue_item_ids(title: str) -> set[str]:
    """Every story and quick item id of the cached issue called ``title``."""
    library = Library(locations())
    try:
        summary = next(s for s in library.issues() if s.title == title)
        view = library.open_issue(summary.id)
        assert view is not None
        return {s.id for s in view.briefing.stories} | {i.id for i in view.briefing.shortlist}
    finally:
        library.close()


def mark_read(item_ids) -> None:
    library = Library(locations())
    try:
        library.mark_read(list(item_ids))
    finally:
        library.close()


@pytest.fixture
def opened(monkeypatch):
    """URLs handed to the browser (never a real one: a graphical browser is assumed, faked)."""
    urls: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: urls.append(url) or True)
    monkeypatch.setattr("briefing_tui.ui.browser.terminal_browser", lambda url: None)
    return urls




async def read_whole_pane(pilot, story: StoryView) -> str:
    """Page through the story pane from its top to its end; every line seen, in order."""
    app = pilot.app
    await pilot.press("g")
    await pilot.pause()
    seen = [screen_text(app)]
    for _ in range(200):
        if story.scroll_y >= story.max_scroll_y:
            break
        await pilot.press("space")
        await pilot.pause()
        seen.append(screen_text(app))
    assert story.scroll_y == story.max_scroll_y
    return "\n".join(seen)


# -- 1. w: the whole issue in one scroll -----------------------------------------------------------


async def test_w_shows_the_whole_issue_and_escape_goes_back_to_the_rows():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        reader, _issues, sections, items, story = parts(app)
        await pilot.press("j")  # the older issue: every kind of section
        await settle(pilot)
        await pilot.press("4")  # in the Shortlist rows
        await settle(pilot)
        assert items.has_focus and highlighted_id(sections) == "shortlist"
        await pilot.press("w")
        await settle(pilot)
        assert story.display and story.has_focus and not items.display
        assert str(story.border_title) == "Whole issue"
        assert story.story is None and story.whole_issue
        text = await read_whole_pane(pilot, story)
        for expected in (
            OLDER_TITLE,
            "The Lattice Letter · 2026-05-04",
            "Good morning. Three stories and a handful of quick hits",  # the intro
            "Graphene Sensors Reach the Factory Floor",
            "Pinecone Labs Ships a Planner That Fits in 2 GB",
            "A Quiet Price Cut on Rented GPUs",
            "Tidewater",  # the sponsored block is part of the issue as sent
            "The sensors read vibration at 40 kHz",  # a story's Unpacked bullet
            "Marlin",  # the shortlist
            "Harbourline published a dataset of 2,000 annotated ship engine sounds.",
            "Cloud Pricing Watch",  # the references
            "Introducing Cone-P",
        ):
            assert expected in text, expected
        # The intro comes first and the references last, stories in the issue's order.
        assert text.index("Good morning. Three stories") < text.index("Graphene Sensors Reach")
        assert text.index("Graphene Sensors Reach") < text.index("Pinecone Labs Ships") < text.index("A Quiet Price Cut on")
        assert text.index("A Quiet Price Cut on") < text.index("Harbourline published") < text.index("Cloud Pricing Watch")
        # Nothing was marked read by reading the whole issue this way, nothing else changed.
        assert reader.section == "shortlist" and read_ids() == set()

        await pilot.press("escape")
        await settle(pilot)
        assert items.display and items.has_focus and not story.display
        assert highlighted_id(sections) == "shortlist" and items.border_title == "Shortlist"
        assert f"short:{ids.older_shortlist[0]}" in [items.get_option_at_index(n).id for n in range(items.option_count)]


async def test_o_in_the_whole_issue_offers_every_link_it_numbers(opened):
    from briefing_tui.ui.screens.dialogs import LinkPickerScreen

    import_fixtures()
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader, _issues, _sections, _items, story = parts(app)
        await press_settled(pilot, "j", "w")  # the older issue: stories with links, a shortlist, references
        briefing = reader.view.briefing
        story_links = [link for s in briefing.stories for link in s.links]
        assert len(story_links) >= 3
        # The stories' link lists are numbered through the issue, as the picker numbers them.
        text = await read_whole_pane(pilot, story)
        for number, link in enumerate(story_links, 1):
            assert re.search(rf"\b{number}\.\s+{re.escape(link.text[:20])}", text), (number, link.text)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, LinkPickerScreen)
        urls = [link.url for link in app.screen.links]
        assert urls[: len(story_links)] == [link.url for link in story_links]
        assert "https://marlin.example.com" in urls  # a quick item's link
        assert "https://strata.example.com/news/turin" in urls  # a reference's
        await pilot.press("3")
        await settle(pilot)
        assert opened == [story_links[2].url] and app.screen is reader


async def test_keys_typed_faster_than_a_redraw_each_scroll_a_line():
    """A held j sends keys faster than an animated scroll ends: each must still move a line."""
    import_fixtures()
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _reader, _issues, _sections, _items, story = parts(app)
        await press_settled(pilot, "j", "w")
        assert story.max_scroll_y > 12
        await pilot.press(*["j"] * 10)  # no pause between the keys
        await settle(pilot)
        assert story.scroll_y == 10
        await pilot.press(*["k"] * 4)
        await settle(pilot)
        assert story.scroll_y == 6
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        body = app.screen.query_one("#help-body")
        await pilot.press(*["j"] * 7)
        await settle(pilot)
        assert body.scroll_y == 7
        await pilot.press("G")
        await settle(pilot)
        assert body.scroll_y == body.max_scroll_y > 7
        await pilot.press("g")
        await settle(pilot)
        assert body.scroll_y == 0


async def test_w_shows_the_scroll_position_on_the_bottom_border():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _reader, _issues, _sections, _items, story = parts(app)
        await press_settled(pilot, "j", "w")
        assert story.max_scroll_y > 0  # the document is taller than the pane
        assert story.scroll_y == 0 and story.border_subtitle in (None, "0%")
        await pilot.press("space")
        await pilot.pause()
        position = story.border_subtitle
        assert position is not None and re.fullmatch(r"\d+%", position), position
        assert 0 < int(position[:-1]) < 100
        assert int(position[:-1]) == round(100 * story.scroll_y / story.max_scroll_y)
        bottom_border = widget_text(app, story)[-1]
        assert position in bottom_border
        await pilot.press("G")
        await pilot.pause()
        assert story.scroll_y == story.max_scroll_y and story.border_subtitle == "100%"
        assert "100%" in widget_text(app, story)[-1]
        await pilot.press("g")
        await pilot.pause()
        assert story.border_subtitle == "0%"


async def test_a_story_that_fits_shows_no_position_after_the_whole_issue():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        _reader, _issues, _sections, items, story = parts(app)
        await press_settled(pilot, "j", "w")
        assert story.max_scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert story.border_subtitle == "100%"
        await pilot.press("escape", "1")
        await settle(pilot)
        await pilot.press("G", "enter")  # the last story: short, it fits at 200x50
        await settle(pilot)
        assert story.display and story.story_id == ids.older_stories[-1]
        assert story.max_scroll_y == 0
        assert story.border_subtitle is None
        assert "%" not in widget_text(app, story)[-1]


def test_w_snapshot_80x24(snap_compare):
    import_fixtures()

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in ("j", "w", "space"):
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=(80, 24), run_before=run_before)


# -- 2. O: the issue's web page ------------------------------------------------------------------

WEB_ISSUE = """---
title: The Web Edition Weekly, issue 7
url: https://web.example.com/issues/7
source: Web Edition Weekly
date: 2026-06-20
---
# The Web Edition Weekly, issue 7

Hello from the web edition.

## A Story With No Links

**Web:** A lead without any link in it.

**Bottom line:** Nothing to follow here.
"""


async def test_shift_o_opens_the_issue_web_page_or_says_there_is_none(tmp_path, opened):
    page = tmp_path / "web_edition.md"
    page.write_text(WEB_ISSUE, encoding="utf-8")
    import_fixtures()
    import_files(page)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, story = parts(app)
        assert reader.title == "The Web Edition Weekly, issue 7"
        await pilot.press("O")
        await settle(pilot)
        assert opened == ["https://web.example.com/issues/7"]
        assert "Opening https://web.example.com/issues/7" in app.messages()
        # From inside a story, too: O is the issue's page, not the story's links.
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert story.display
        await pilot.press("O")
        await settle(pilot)
        assert opened == ["https://web.example.com/issues/7"] * 2
        # The whole issue shows its address, and o there opens it.
        await pilot.press("w")
        await settle(pilot)
        assert "https://web.example.com/issues/7" in screen_text(app)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://web.example.com/issues/7"] * 3

        await pilot.press("escape", "backspace")
        await settle(pilot)
        assert issues.has_focus
        await pilot.press("j")  # a fixture issue: no web version
        await settle(pilot)
        assert reader.title == NEWER_TITLE
        await pilot.press("O")
        await settle(pilot)
        assert "This issue has no web version." in app.messages()
        assert len(opened) == 3 and app.is_running


async def test_shift_o_opens_a_feed_item_link(server, opened):
    server.feed("/daily.xml", rss_feed([Issue(4)]))
    subscribe(server.url("/daily.xml"))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        assert issues.count == 1 and reader.title == "Briefing number 4"
        await pilot.press("O")
        await settle(pilot)
        assert opened == ["https://news.example.com/issues/4"]


# -- 3. the session: where the reader was, and the theme -------------------------------------------


async def quit_app(pilot) -> None:
    await pilot.press("q")
    await pilot.pause()
    assert not pilot.app.is_running




async def test_quit_and_start_again_opens_the_same_issue_section_and_unread_filter():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert reader.title == OLDER_TITLE and reader.section == "shortlist" and reader.unread_only
        await quit_app(pilot)
    saved = json.loads(locations().session_file.read_text(encoding="utf-8"))
    assert saved["issue_id"] == ids.older and saved["section"] == "shortlist" and saved["unread_only"] is True

    again = new_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, sections, items, _story = parts(again)
        assert reader.title == OLDER_TITLE
        assert issues.cursor == 1 and issues.current.id == ids.older
        assert reader.unread_only and str(issues.border_title) == "Issues 2 · unread"
        assert reader.section == "shortlist" and highlighted_id(sections) == "shortlist"
        assert items.display and items.border_title == "Shortlist"
        assert "Harbourline published" in screen_text(again)
        assert not again.messages("warning") and not again.messages("error")


async def test_quit_and_start_again_keeps_the_source_filter():
    import_fixtures()
    import_files(ORCHARD)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        assert issues.count == 3
        reader.set_source_filter("The Orchard Dispatch")
        await settle(pilot)
        assert issues.count == 1 and reader.title == ORCHARD_TITLE
        await quit_app(pilot)

    again = new_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(again)
        assert reader.source_filter == "The Orchard Dispatch" and not reader.unread_only
        assert issues.count == 1 and str(issues.border_title) == "Issues 1 · The Orchard Dispatch"
        assert reader.title == ORCHARD_TITLE


@pytest.mark.parametrize(
    "content",
    [
        None,  # no file
        b"",
        b"{not json",
        b"[1, 2, 3]",
        b'"a string"',
        b'{"issue_id": 5, "section": ["x"], "unread_only": "yes", "source_filter": 7, "theme": 1}',
        b'{"issue_id": "no-such-issue", "section": "no-such-section", "theme": "no-such-theme"}',
        b"\xff\xfe\x00garbage",
    ],
    ids=["missing", "empty", "broken-json", "list", "string", "wrong-types", "unknown-values", "not-utf8"],
)
async def test_a_missing_or_damaged_session_file_starts_normally(content):
    import_fixtures()
    path = locations().session_file
    if content is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, sections, items, _story = parts(app)
        assert reader.title == NEWER_TITLE and issues.cursor == 0 and issues.count == 2
        assert not reader.unread_only and reader.source_filter is None
        assert reader.section == "headlines" and highlighted_id(sections) == "headlines"
        assert items.display and items.border_title == "Headlines"
        assert str(issues.border_title) == "Issues 2"
        assert app.theme == "textual-dark"
        assert not app.messages("warning") and not app.messages("error")
        await quit_app(pilot)
    # The damaged file is replaced by a good one on the way out.
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["section"] == "headlines" and saved["unread_only"] is False and saved["theme"] == "textual-dark"


def write_session(**fields) -> None:
    path = locations().session_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fields), encoding="utf-8")


async def test_a_session_file_opens_its_issue_with_its_filters_and_theme():
    """The reading side of the session on its own: a session.json as the reader writes it."""
    ids = import_fixtures()
    import_files(ORCHARD)
    write_session(issue_id=ids.older, section="headlines", source_filter="Lattice", unread_only=True, theme="nord")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        assert reader.title == OLDER_TITLE and issues.current.id == ids.older and issues.cursor == 1
        assert reader.unread_only and reader.source_filter == "Lattice"
        assert issues.count == 2 and str(issues.border_title) == "Issues 2 · unread · Lattice"
        assert ORCHARD_TITLE[:20] not in "\n".join(widget_text(app, issues))
        assert app.theme == "nord"


async def test_a_session_file_opens_its_section():
    ids = import_fixtures()
    write_session(issue_id=ids.older, section="shortlist")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, _issues, sections, items, _story = parts(app)
        assert reader.title == OLDER_TITLE and reader.section == "shortlist"
        assert highlighted_id(sections) == "shortlist"
        assert items.display and items.border_title == "Shortlist"
        assert "Harbourline published" in screen_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert items.border_title == "Headlines"
        await pilot.press("4")
        await settle(pilot)
        assert items.border_title == "Shortlist" and highlighted_id(sections) == "shortlist"


async def test_a_chosen_theme_is_remembered():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme != "nord"
        app.theme = "nord"
        await pilot.pause()
        await quit_app(pilot)
    again = new_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
        assert not again.messages("warning")


async def test_the_config_theme_wins_over_the_remembered_one():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
        await quit_app(pilot)
    write_config('[reader]\ntheme = "gruvbox"\n')
    again = new_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "gruvbox"
        assert not again.messages("warning")


async def test_an_unknown_theme_in_the_config_is_one_warning_and_the_reader_runs():
    import_fixtures()
    write_config('[reader]\ntheme = "no-such-theme"\n')
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, story = parts(app)
        warnings = app.messages("warning")
        assert len(warnings) == 1, warnings
        assert "unknown theme 'no-such-theme'" in warnings[0]
        assert str(locations().config_file) in warnings[0]
        assert app.theme == "textual-dark"
        assert issues.count == 2 and reader.title == NEWER_TITLE
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert story.display and "Robot Crews Fix an Undersea Cable" in screen_text(app)


# -- 4. refresh at start, and every N minutes ------------------------------------------------------


@pytest.mark.parametrize("on_start", [True, False])
async def test_refresh_on_start_fetches_the_feeds_without_pressing_r(server, on_start):
    server.feed("/daily.xml", rss_feed([Issue(9)]))
    import_fixtures()
    subscribe(server.url("/daily.xml"))
    write_config(f"[reader]\nrefresh_on_start = {'true' if on_start else 'false'}\n")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        if on_start:
            assert len(server.requests_for("/daily.xml")) == 1
            assert "Refreshed 1 feed, 1 new issue." in app.messages()
            assert issues.count == 3 and str(issues.border_title) == "Issues 3"
            titles = [issues.row(n).title for n in range(3)]
            assert "Briefing number 9" in titles
            assert "Briefing number 9" in "\n".join(widget_text(app, issues))
        else:
            assert server.requests_for("/daily.xml") == []
            assert issues.count == 2
        assert reader.title == NEWER_TITLE  # the issue that opened first stays open
        assert not app.messages("warning") and not app.messages("error")


def _timed_refresh_timers(reader) -> list:
    return [timer for timer in reader._timers if timer.name == "timed refresh"]


@pytest.mark.parametrize("value", ["-5", '"ten"', "true", "99999", "nan"])
async def test_bad_refresh_minutes_is_a_config_warning_and_the_defaults(value):
    import_fixtures()
    write_config(f"[reader]\nrefresh_minutes = {value}\ntheme = \"nord\"\n")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        warnings = app.messages("warning")
        assert len(warnings) == 1, warnings
        assert "reader.refresh_minutes" in warnings[0] and warnings[0].endswith("using defaults")
        assert app.config == Config()
        assert app.theme == "textual-dark"  # the whole file is set aside, as the warning says
        assert _timed_refresh_timers(reader) == []
        assert issues.count == 2 and reader.title == NEWER_TITLE


async def test_good_refresh_minutes_starts_a_timer():
    """The counterpart of the test above: a valid value does set up the timed refresh."""
    import_fixtures()
    write_config("[reader]\nrefresh_minutes = 15\n")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = app.screen
        assert not app.messages("warning")
        timers = _timed_refresh_timers(reader)
        assert len(timers) == 1 and timers[0]._interval == 15 * 60


# -- 5. A: mark all read --------------------------------------------------------------------------


def issue_meta_lines(app, issues: IssueList) -> list[str]:
    return [line for line in widget_text(app, issues) if re.search(r"20\d\d-\d\d-\d\d", line)]


async def test_shift_a_asks_then_marks_every_listed_issue_read():
    ids = import_fixtures()
    import_files(ORCHARD)
    everything = issue_item_ids(NEWER_TITLE) | issue_item_ids(OLDER_TITLE) | issue_item_ids(ORCHARD_TITLE)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, items, _story = parts(app)
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark every issue read?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is reader
        assert read_ids() == set()
        assert [issues.row(n).unread for n in range(3)] == [2, 2, 3]

        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is reader
        assert read_ids() >= everything - {ids.sponsored}
        assert [issues.row(n).unread for n in range(3)] == [0, 0, 0]
        metas = issue_meta_lines(app, issues)
        assert len(metas) == 3 and all(line.rstrip("│ ").endswith("read") for line in metas), metas
        assert any(re.fullmatch(r"Marked \d+ items read\.", m) for m in app.messages())
        # The open issue (the newest: the Orchard's) has the marks at once.
        assert reader.title == ORCHARD_TITLE
        assert reader.view is not None and issue_item_ids(ORCHARD_TITLE) <= reader.view.read


async def test_shift_a_with_a_source_filter_marks_only_that_source():
    import_fixtures()
    import_files(ORCHARD)
    orchard = issue_item_ids(ORCHARD_TITLE)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        reader.set_source_filter("The Orchard Dispatch")
        await settle(pilot)
        assert issues.count == 1
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark every issue from The Orchard Dispatch read?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert read_ids() == orchard
        assert issues.row(0).unread == 0
        reader.set_source_filter(None)
        await settle(pilot)
        assert issues.count == 3
        unread = {issues.row(n).title: issues.row(n).unread for n in range(3)}
        assert unread == {NEWER_TITLE: 2, OLDER_TITLE: 3, ORCHARD_TITLE: 0}


async def test_shift_a_with_unread_only_leaves_an_empty_list_that_says_so():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        await pilot.press("u")
        await settle(pilot)
        assert str(issues.border_title) == "Issues 2 · unread"
        await pilot.press("A", "y")
        await settle(pilot)
        assert issues.count == 0
        assert str(issues.border_title) == "Issues 0 · unread"
        assert OLDER_TITLE[:20] not in "\n".join(widget_text(app, issues))
        assert app.is_running


# -- 6. n goes round the list ----------------------------------------------------------------------


async def test_n_goes_round_to_the_top_then_says_when_nothing_is_unread():
    ids = import_fixtures()
    # In the last issue only its last story is unread; both stories of the first are unread.
    mark_read(ids.older_stories[:-1])
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, story = parts(app)
        await pilot.press("j")
        await settle(pilot)
        assert reader.title == OLDER_TITLE
        await pilot.press("n")
        await settle(pilot)
        assert story.display and story.story_id == ids.older_stories[-1]
        assert not any(m.startswith("Continued") for m in app.messages())
        await pilot.press("n")
        await settle(pilot)
        assert "Continued from the top of the list." in app.messages()
        assert issues.cursor == 0 and reader.title == NEWER_TITLE
        assert story.display and story.story_id == ids.newer_stories[0]
        await pilot.press("n")
        await settle(pilot)
        assert story.story_id == ids.newer_stories[1]
        assert app.messages().count("Continued from the top of the list.") == 1
        await pilot.press("n")
        await settle(pilot)
        assert app.messages()[-1] == "No more unread stories."
        assert story.display and story.story_id == ids.newer_stories[1] and issues.cursor == 0


async def test_n_forward_into_the_next_issue_does_not_say_continued():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _reader, issues, _sections, _items, story = parts(app)
        await pilot.press("n", "n", "n")
        await settle(pilot)
        assert issues.cursor == 1 and story.story_id == ids.older_stories[0]
        assert not any(m.startswith("Continued") for m in app.messages())


async def test_n_with_unread_only_into_the_next_issue_does_not_say_continued():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _reader, issues, _sections, _items, story = parts(app)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("n", "n")  # both stories of the first issue: it leaves the list
        await settle(pilot)
        assert issues.count == 1
        await pilot.press("n")  # on to the next issue, forwards
        await settle(pilot)
        assert story.story_id == ids.older_stories[0]
        assert not any(m.startswith("Continued") for m in app.messages()), app.messages()


async def test_n_with_nothing_unread_says_so():
    ids = import_fixtures()
    mark_read(ids.newer_stories + ids.older_stories)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, items, story = parts(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.messages() == ["No more unread stories."]
        assert not story.display and items.display and issues.cursor == 0 and reader.title == NEWER_TITLE


# -- 7. unread only: the count matches the rows ------------------------------------------------------


def listed_titles(app, issues: IssueList) -> list[str]:
    """Titles drawn in the issue list: every line inside its border but the meta lines (a date)."""
    inside = [line[1:-1].strip() for line in widget_text(app, issues)[1:-1]]
    return [line for line in inside if line and not re.search(r"20\d\d-\d\d-\d\d", line)]


async def test_unread_only_count_follows_the_rows_as_issues_are_read():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, story = parts(app)
        await pilot.press("u")
        await settle(pilot)
        assert issues.count == 2 and str(issues.border_title) == "Issues 2 · unread"
        assert "Showing issues with unread stories." in app.messages()
        await pilot.press("enter", "enter", "n")  # both stories of the newer issue
        await settle(pilot)
        assert read_ids() >= set(ids.newer_stories)
        assert issues.count == 1 and str(issues.border_title) == "Issues 1 · unread"
        assert issues.row(0).title == OLDER_TITLE
        drawn = listed_titles(app, issues)
        assert len(drawn) == 1 and drawn[0].lstrip("● ").startswith(OLDER_TITLE[:25]), drawn
        # The story being read stays open.
        assert story.display and story.story_id == ids.newer_stories[1]
        await pilot.press("n", "n", "n")  # every story of the older issue
        await settle(pilot)
        assert read_ids() >= set(ids.older_stories)
        assert issues.count == 0 and str(issues.border_title) == "Issues 0 · unread"
        assert listed_titles(app, issues) == []
        await pilot.press("u")
        await settle(pilot)
        assert issues.count == 2 and str(issues.border_title) == "Issues 2"
        assert len(listed_titles(app, issues)) == 2


async def test_unread_only_count_follows_shift_m():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert issues.count == 1 and str(issues.border_title) == "Issues 1 · unread"
        assert len(listed_titles(app, issues)) == 1


# -- 8. ctrl+l -------------------------------------------------------------------------------------


def full_screen_updates(app) -> list:
    """Records each update the app sends to the terminal that covers the whole screen (a redraw;
    a Textual internal, watched because a redraw is not otherwise visible in a test)."""
    from textual._compositor import LayoutUpdate
    from textual.geometry import Region

    full: list = []
    display = app._display

    def recording(screen, update):
        if isinstance(update, LayoutUpdate) and update.region == Region(0, 0, *app.size):
            full.append(update)
        return display(screen, update)

    app._display = recording
    return full


async def test_ctrl_l_redraws_without_changing_anything():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, story = parts(app)
        await pilot.press("j", "enter", "enter", "space")
        await settle(pilot)
        redraws = full_screen_updates(app)
        await pilot.pause()
        assert redraws == []  # nothing redraws the whole screen on its own
        before = screen_text(app)
        state = (reader.view.id, reader.section, story.story_id, story.scroll_y, app.focused, issues.cursor)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert len(redraws) == 1  # every cell of the terminal was sent again
        assert app.is_running and app.screen is reader
        assert screen_text(app) == before
        assert (reader.view.id, reader.section, story.story_id, story.scroll_y, app.focused, issues.cursor) == state
        assert state[2] == ids.older_stories[0]
        assert read_ids() == {ids.older_stories[0]}
        # on the issue list, too
        await pilot.press("escape", "backspace")
        await settle(pilot)
        redraws.clear()
        before = screen_text(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert len(redraws) == 1
        assert screen_text(app) == before and issues.has_focus


# -- 9. layout -------------------------------------------------------------------------------------

TINY = """---
title: Tiny {number:02d}
source: Tiny Weekly
date: 2026-01-{number:02d}
---
# Tiny {number:02d}

Hello from tiny issue {number}.

## Tiny story {number}

**Tiny:** A short lead for issue {number}.

**Bottom line:** Small is fine.
"""


def import_tiny_issues(folder: Path, count: int) -> None:
    paths = []
    for number in range(1, count + 1):
        path = folder / f"tiny_{number:02d}.md"
        path.write_text(TINY.format(number=number), encoding="utf-8")
        paths.append(path)
    import_files(*paths)


async def test_the_last_issue_is_fully_visible_and_nothing_scrolls_sideways(tmp_path):
    import_tiny_issues(tmp_path, 25)
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        assert issues.count == 25 and issues.max_scroll_y > 0  # the list scrolls
        assert reader.title == "Tiny 25"
        await pilot.press("G")
        await settle(pilot)
        assert issues.cursor == 24 and reader.title == "Tiny 01"
        assert not issues.show_horizontal_scrollbar
        lines = widget_text(app, issues)
        inside = [line[1:-1] for line in lines[1:-1]]  # within the border
        # The last row's two lines are the last two lines inside the border.
        assert "Tiny 01" in inside[-2], inside
        assert "Tiny Weekly · 2026-01-01" in inside[-1], inside
        assert "Tiny 01" in screen_text(app)
        # No horizontal scrollbar: the bottom border is a plain border line.
        assert set(lines[-1][1:-1]) <= set("─╰╯ "), lines[-1]
        # Back to the top: the first issue is there again.
        await pilot.press("g")
        await settle(pilot)
        assert "Tiny 25" in widget_text(app, issues)[1]


async def test_the_sidebar_grows_with_the_terminal_and_the_story_stays_readable():
    import_fixtures()
    widths = {}
    for size in ((80, 24), (200, 50)):
        app = new_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            reader, _issues, _sections, _items, story = parts(app)
            widths[size] = reader.query_one("#sidebar").region.width
            await pilot.press("j", "enter", "enter")
            await settle(pilot)
            assert story.display
            body = reader.query_one("#story-body", Static)
            if size == (200, 50):
                assert body.region.width <= 100
                assert story.region.width > 100  # the pane is wider: the limit is what holds it
                longest = max(len(line.rstrip()) for line in widget_text(app, body))
                assert longest <= 100
    assert widths[(80, 24)] >= 38
    assert widths[(200, 50)] > widths[(80, 24)]
    assert widths[(200, 50)] <= 60


# -- 10. the command palette -------------------------------------------------------------------


async def palette_run(pilot, query: str, expected: str) -> None:
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await settle(pilot)
    assert expected in screen_text(app)
    await pilot.press("enter")
    await settle(pilot)


async def test_command_palette_reads_the_whole_issue_and_marks_all_read():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, items, story = parts(app)
        await palette_run(pilot, "read whole issue", "Read whole issue")
        assert app.screen is reader
        assert story.display and str(story.border_title) == "Whole issue" and story.whole_issue
        assert "Robot Crews Fix an Undersea Cable" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert items.display

        await palette_run(pilot, "mark all read", "Mark all read")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is reader
        assert read_ids() >= set(ids.newer_stories + ids.older_stories)
        assert [issues.row(n).unread for n in range(2)] == [0, 0]


# -- pictures --------------------------------------------------------------------------------------

PICTURE_ISSUE = """<html><head><title>The Circuit Sheet: a new fab</title></head><body>
<p>Good morning.</p>
<h2>Chipmaker opens a plant in Ohio</h2>
<img src="https://cdn.example.com/plant.jpg" alt="Workers outside the new fab near Columbus" width="560">
<p>The company said the plant will employ 3,000 people by 2028, <a href="https://news.example.com/fab">the filing says</a>.</p>
<p><b>Bottom line:</b> The Midwest gets its largest chip plant.</p>
<p>The site took four years to build.</p>
<h2>Weather app adds radar</h2>
<p>The app now shows radar, updated every five minutes.</p>
<p><b>Bottom line:</b> Radar comes to the free tier.</p>
</body></html>"""


async def test_a_picture_shows_as_a_placeholder_and_its_link_is_in_the_link_list(tmp_path, opened):
    path = tmp_path / "fab.html"
    path.write_text(PICTURE_ISSUE, encoding="utf-8")
    import_files(path)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _issues, _sections, items, story = parts(app)
        await pilot.press("enter")  # the issue's rows: the intro's, then the stories
        await settle(pilot)
        while not (highlighted_id(items) or "").startswith("story:"):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        assert story.display and story.story.title == "Chipmaker opens a plant in Ohio"
        text = screen_text(app)
        assert "[image: Workers outside the new fab near Columbus]" in text
        assert text.index("[image: Workers") < text.index("The site took four years")
        # The story's link list numbers the article's link and the picture's.
        assert "image: Workers outside the new fab near Columbus" in text.split("Links (o opens)")[1]
        await pilot.press("o")
        await settle(pilot)
        picker = screen_text(app)
        assert "https://news.example.com/fab" in picker and "https://cdn.example.com/plant.jpg" in picker
        assert "1. the filing says" in picker and "2. image: Workers outside" in picker
        await pilot.press("3")  # no third link: nothing opens, the picker stays
        await settle(pilot)
        assert opened == [] and app.screen is not screen
        await pilot.press("2")  # the number of the story's link list opens that link
        await settle(pilot)
        assert opened == ["https://cdn.example.com/plant.jpg"]
        assert app.screen is screen


async def test_a_long_section_name_stays_on_one_sidebar_row_with_its_count(tmp_path):
    path = tmp_path / "letter.md"
    path.write_text(
        "# The Morning Letter\n\nGood morning, readers.\n\n"
        "## Get the most interesting stories in startups, tech and programming every morning\n\n"
        "First paragraph of the long section.\n\nSecond paragraph of the long section.\n",
        encoding="utf-8",
    )
    import_files(path)
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _reader, _issues, sections, _items, _story = parts(app)
        await pilot.press("enter")
        await settle(pilot)
        lines = widget_text(app, sections)
        row = [line for line in lines if "Get the most" in line]
        assert len(row) == 1, lines
        assert "…" in row[0] and re.search(r"… 2\s*│$", row[0]), row[0]
        assert not any("every morning" in line for line in lines)


async def test_z_gives_the_story_the_whole_width_and_esc_brings_the_list_back():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reader, issues, _sections, items, story = parts(app)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert story.display and story.size.width < 45
        await pilot.press("z")
        await settle(pilot)
        sidebar = reader.query_one("#sidebar")
        assert not sidebar.display and story.size.width >= 74 and story.has_focus
        await pilot.press("escape")  # the story closes, the sidebar stays hidden
        await settle(pilot)
        assert items.display and items.has_focus and not sidebar.display
        await pilot.press("escape")  # back to the issue list: it shows again
        await settle(pilot)
        assert sidebar.display and issues.has_focus
        await pilot.press("z", "z")  # from the list: hidden, the rows get the focus; shown again
        await settle(pilot)
        assert sidebar.display
