"""The reader driven through its keys with Textual's Pilot, asserting what the user sees."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Header

from briefing_tui.ui.screens.help import HelpScreen
from briefing_tui.ui.screens.reader import ReaderScreen
from briefing_tui.ui.widgets.issue_list import IssueList
from briefing_tui.ui.widgets.item_list import ItemList
from briefing_tui.ui.widgets.section_list import SectionList
from briefing_tui.ui.widgets.story_view import StoryView
from tests.ui_support import (
    subscribe,
    locations,
    static_text,
    NEWER_TITLE,
    OLDER_TITLE,
    highlighted_id,
    import_fixtures,
    new_app,
    option_ids,
    read_ids,
    screen_text,
    settle,
    starred_ids,
)

SIZE = (100, 30)


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


async def test_start_shows_the_newest_issue_headlines():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, sections, items, story = parts(app)
        assert screen.title == NEWER_TITLE
        assert screen.sub_title == "The Lattice Letter · 2026-05-11"
        assert issues.has_focus
        assert issues.count == 2 and issues.cursor == 0
        assert issues.border_title == "Issues 2"
        assert items.display and not story.display
        assert items.border_title == "Headlines"
        assert option_ids(items) == ["intro"] + [f"story:{sid}" for sid in ids.newer_stories]
        assert highlighted_id(items) == f"story:{ids.newer_stories[0]}"
        assert highlighted_id(sections) == "headlines"
        text = screen_text(app)
        assert "Robot Crews Fix an Undersea Cable" in text
        assert "2026-05-11 2/2" in text  # the unread count of the newest issue
        assert "2026-05-04 3/3" in text  # the sponsored story does not count
        assert screen.query_one(Header) and screen.query_one(Footer)


# -- moving around -------------------------------------------------------------------------------


async def test_issue_list_moves_with_j_k_and_arrows():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, _sections, _items, _story = parts(app)
        await pilot.press("j")
        await settle(pilot)
        assert issues.cursor == 1 and screen.title == OLDER_TITLE
        await pilot.press("k")
        await settle(pilot)
        assert issues.cursor == 0 and screen.title == NEWER_TITLE
        await pilot.press("down")
        await settle(pilot)
        assert issues.cursor == 1 and screen.title == OLDER_TITLE
        await pilot.press("up")
        await settle(pilot)
        assert issues.cursor == 0 and screen.title == NEWER_TITLE
        await pilot.press("k")  # already at the top
        await settle(pilot)
        assert issues.cursor == 0


def _row_backgrounds(issues: IssueList, row: int) -> set:
    """Background colours of every cell of both lines of an issue row, as drawn."""
    top = row * 2 - issues.scroll_offset.y
    return {segment.style.bgcolor for y in (top, top + 1) for segment in issues.render_line(y) if segment.text}


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord", "gruvbox"])
async def test_the_selected_issue_row_is_marked_in_every_theme(theme):
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = theme
        await pilot.pause()
        _screen, issues, _sections, items, _story = parts(app)
        for cursor in (0, 1):
            issues.set_cursor(cursor)
            await settle(pilot)
            selected, other = _row_backgrounds(issues, cursor), _row_backgrounds(issues, 1 - cursor)
            # one background across the whole selected row (title and meta line), not the others'
            assert len(selected) == 1 and not selected & other, (selected, other)
        focused = _row_backgrounds(issues, 1)
        items.focus()
        await pilot.pause()
        blurred = _row_backgrounds(issues, 1)
        assert len(blurred) == 1 and blurred != focused and not blurred & _row_backgrounds(issues, 0)


async def test_enter_opens_issue_then_story_and_escape_backspace_go_back():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, _sections, items, story = parts(app)
        await pilot.press("enter")
        await settle(pilot)
        assert items.has_focus
        await pilot.press("j")
        assert highlighted_id(items) == f"story:{ids.newer_stories[1]}"
        await pilot.press("k")
        assert highlighted_id(items) == f"story:{ids.newer_stories[0]}"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert story.display and story.has_focus and not items.display
        assert story.story_id == ids.newer_stories[1]
        assert "A Compiler That Explains Its Optimisations" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert items.display and items.has_focus and not story.display
        assert highlighted_id(items) == f"story:{ids.newer_stories[1]}"
        await pilot.press("backspace")
        await settle(pilot)
        assert issues.has_focus
        # Back from a story with backspace, too.
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert story.display
        await pilot.press("backspace")
        await settle(pilot)
        assert items.has_focus and not story.display


async def test_tab_and_shift_tab_move_between_panes():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, sections, items, story = parts(app)
        assert issues.has_focus
        await pilot.press("tab")
        assert sections.has_focus
        await pilot.press("tab")
        assert items.has_focus
        await pilot.press("shift+tab")
        assert sections.has_focus
        await pilot.press("shift+tab")
        assert issues.has_focus
        # With a story open, tab reaches the story too.
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert story.has_focus
        await pilot.press("shift+tab")
        assert sections.has_focus
        await pilot.press("tab")
        assert story.has_focus


async def test_number_keys_jump_to_sections():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")  # the older issue has every kind of row
        await settle(pilot)
        _screen, _issues, sections, items, _story = parts(app)
        expected = {
            "2": ("unpacked", "Unpacked", [f"story:{sid}" for sid in ids.older_stories]),
            "3": ("bottom_line", "Bottom line", [f"story:{sid}" for sid in ids.older_stories]),
            "4": ("shortlist", "Shortlist", [f"short:{qid}" for qid in ids.older_shortlist]),
            "5": ("references", "References", ["ref:0", "ref:1", "ref:2"]),
            "1": (
                "headlines",
                "Headlines",
                ["intro"]
                + [f"story:{sid}" for sid in (ids.older_stories[0], ids.older_stories[1], ids.sponsored, ids.older_stories[2])],
            ),
        }
        for key, (section, label, rows) in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert highlighted_id(sections) == section, key
            assert items.border_title == label
            assert option_ids(items) == rows
            assert items.has_focus
        await pilot.press("3")
        await pilot.pause()
        assert "Last year's hardware is getting cheap enough for hobby" in screen_text(app)
        await pilot.press("4")
        await pilot.pause()
        assert "Harbourline published a dataset" in screen_text(app)


async def test_sections_pane_selects_with_j_k():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, _issues, sections, items, _story = parts(app)
        await pilot.press("tab")
        assert sections.has_focus
        await pilot.press("j")
        await pilot.pause()
        assert highlighted_id(sections) == "unpacked" and items.border_title == "Unpacked"
        await pilot.press("j", "k")
        await pilot.pause()
        assert highlighted_id(sections) == "unpacked"
        await pilot.press("enter")
        await pilot.pause()
        assert items.has_focus


async def test_brackets_move_between_issues():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, _sections, _items, _story = parts(app)
        await pilot.press("enter")  # works from the rows too
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert issues.cursor == 1 and screen.title == OLDER_TITLE
        await pilot.press("right_square_bracket")  # no further issue
        await settle(pilot)
        assert issues.cursor == 1 and screen.title == OLDER_TITLE
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert issues.cursor == 0 and screen.title == NEWER_TITLE


def write_many_issues(directory, count: int) -> list:
    paths = []
    for number in range(count):
        day = number % 28 + 1
        month = number // 28 + 1
        path = directory / f"issue_{number:02d}.txt"
        path.write_text(
            f"Pocket Digest number {number}\n"
            f"From Pocket Digest newsletter — {['January', 'February', 'March'][month - 1]} {day}, 2026\n"
            f"In today's Pocket Digest:\n- First story of {number}\n- Second story of {number}\n"
            f"First Story of {number}\n"
            f"Pocket Digest: The first story of digest {number} is about quokkas.\n"
            f"Bottom line: Quokkas number {number}.\n"
            f"Second Story of {number}\n"
            f"Pocket Digest: The second story of digest {number} is about wombats.\n"
            f"Bottom line: Wombats number {number}.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


async def test_g_G_space_b_in_the_issue_list(tmp_path):
    from tests.ui_support import import_files

    import_files(*write_many_issues(tmp_path, 30))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, _sections, _items, _story = parts(app)
        assert issues.count == 30
        await pilot.press("G")
        await settle(pilot)
        assert issues.cursor == 29
        assert screen.title == "Pocket Digest number 0"  # the oldest
        assert "Pocket Digest number 0" in screen_text(app)  # scrolled into view
        await pilot.press("g")
        await settle(pilot)
        assert issues.cursor == 0 and screen.title == "Pocket Digest number 29"
        await pilot.press("space")
        await settle(pilot)
        page = issues.cursor
        assert page > 1
        await pilot.press("space")
        await settle(pilot)
        assert issues.cursor == 2 * page
        await pilot.press("b")
        await settle(pilot)
        assert issues.cursor == page
        await pilot.press("end")
        await settle(pilot)
        assert issues.cursor == 29
        await pilot.press("home")
        await settle(pilot)
        assert issues.cursor == 0


async def test_g_G_space_b_in_rows_and_story():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=(70, 14)) as pilot:
        await settle(pilot)
        _screen, _issues, _sections, items, story = parts(app)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("2")  # Unpacked: three tall rows
        await pilot.pause()
        assert items.has_focus
        await pilot.press("G")
        assert highlighted_id(items) == f"story:{ids.older_stories[2]}"
        await pilot.press("g")
        assert highlighted_id(items) == f"story:{ids.older_stories[0]}"
        await pilot.press("space")
        assert items.highlighted > 0
        await pilot.press("b")
        assert items.highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
        assert story.has_focus and story.max_scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert story.scroll_y == story.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert story.scroll_y == 0
        await pilot.press("space")
        await pilot.pause()
        assert story.scroll_y > 0
        await pilot.press("b")
        await pilot.pause()
        assert story.scroll_y == 0
        await pilot.press("j")
        await pilot.pause()
        assert story.scroll_y == 1
        await pilot.press("k")
        await pilot.pause()
        assert story.scroll_y == 0


# -- read marks, stars, unread only ---------------------------------------------------------------


async def test_opening_a_story_marks_it_read_everywhere_at_once():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, sections, items, _story = parts(app)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert ids.newer_stories[0] in read_ids()  # stored at once, not at exit
        assert issues.row(0).unread == 1
        text = screen_text(app)
        assert "2026-05-11 1/2" in text
        assert "1 Headlines 1/2" in text
        await pilot.press("escape")
        await pilot.pause()
        # The read row is dimmed: no unread dot before it, the other keeps its dot.
        text = screen_text(app)
        assert "●  Robot Crews Fix an Undersea Cable" not in text
        assert "   Robot Crews Fix an Undersea Cable" in text
        assert "●  A Compiler That Explains Its Optimisations" in text
        del sections, items


async def test_m_toggles_read_on_the_row_under_the_cursor():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, _sections, items, _story = parts(app)
        await pilot.press("enter", "j", "m")
        await settle(pilot)
        assert highlighted_id(items) == f"story:{ids.newer_stories[1]}"  # the cursor stays
        assert read_ids() == {ids.newer_stories[1]}
        assert issues.row(0).unread == 1
        assert "1 Headlines 1/2" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert read_ids() == set()
        assert issues.row(0).unread == 2
        assert "1 Headlines 2/2" in screen_text(app)
        # In the story view, m marks the open story.
        await pilot.press("enter")
        await settle(pilot)
        assert read_ids() == {ids.newer_stories[1]}
        await pilot.press("m")
        await settle(pilot)
        assert read_ids() == set()
        # Shortlist items carry marks too (they do not count as stories).
        await pilot.press("escape", "4", "m")
        await settle(pilot)
        assert len(read_ids()) == 1 and next(iter(read_ids())).startswith("q-")
        assert "4 Shortlist 1/2" in screen_text(app)


async def test_m_on_the_issue_list_toggles_the_whole_issue():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, _sections, _items, _story = parts(app)
        assert issues.has_focus
        await pilot.press("m")
        await settle(pilot)
        assert set(ids.newer_stories) <= read_ids()
        assert issues.row(0).unread == 0
        text = screen_text(app)
        assert "2026-05-11 read" in text
        assert "1 Headlines 2" in text
        await pilot.press("m")
        await settle(pilot)
        assert read_ids() == set()
        assert issues.row(0).unread == 2


async def test_m_twice_on_a_partly_read_issue_gives_back_its_marks():
    from briefing_tui.library import Library

    ids = import_fixtures()
    library = Library(locations())
    library.mark_read([ids.newer_stories[0]])
    library.close()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, _sections, _items, _story = parts(app)
        assert issues.row(0).unread == 1
        await pilot.press("m")
        await settle(pilot)
        assert set(ids.newer_stories) <= read_ids() and issues.row(0).unread == 0
        await pilot.press("m")  # a slip undone: the one story read before is still read
        await settle(pilot)
        assert read_ids() == {ids.newer_stories[0]} and issues.row(0).unread == 1
        # Read through one story at a time, the issue has no marks to give back: m makes it unread.
        library = Library(locations())
        library.mark_read(ids.newer_stories)
        library.close()
        await pilot.press("j", "k")
        await settle(pilot)
        issues.invalidate()
        await settle(pilot)
        assert issues.row(0).unread == 0
        await pilot.press("m")
        await settle(pilot)
        assert read_ids() == set() and issues.row(0).unread == 2


async def test_sponsored_story_has_no_read_mark_and_is_not_counted():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, _sections, items, _story = parts(app)
        assert issues.row(1).unread == 3 and issues.row(1).stories == 3
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert items.select_item_id(ids.sponsored)
        await pilot.press("m")
        await pilot.pause()
        assert "Sponsored blocks carry no read mark." in app.messages()
        assert read_ids() == set()
        await pilot.press("enter")  # opening it does not mark it either
        await settle(pilot)
        assert read_ids() == set()
        assert issues.row(1).unread == 3


async def test_shift_m_marks_the_whole_issue_read():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, _sections, _items, _story = parts(app)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("enter", "M")
        await pilot.pause()
        assert "Marked 6 items read." in app.messages()  # three stories and three shortlist items
        assert set(ids.older_stories) | set(ids.older_shortlist) <= read_ids()
        assert ids.sponsored not in read_ids()
        assert issues.row(1).unread == 0
        text = screen_text(app)
        assert "2026-05-04 read" in text
        assert "1 Headlines 3" in text and "4 Shortlist 3" in text


async def test_u_shows_only_issues_with_unread_stories():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, _sections, _items, _story = parts(app)
        await pilot.press("M")  # the newest issue is all read now
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "Showing issues with unread stories." in app.messages()
        assert issues.count == 1 and issues.row(0).title == OLDER_TITLE
        assert issues.border_title == "Issues 1 · unread"
        await pilot.press("u")
        await settle(pilot)
        assert "Showing all issues." in app.messages()
        assert issues.count == 2 and issues.border_title == "Issues 2"
        assert screen.title in (NEWER_TITLE, OLDER_TITLE)


async def test_s_stars_and_unstars():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "s")
        await settle(pilot)
        assert starred_ids() == {ids.newer_stories[0]}
        assert "Starred." in app.messages()
        assert "●★ Robot Crews Fix an Undersea Cable" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert "Robot Crews Fix an Undersea Cable  ★" in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        assert starred_ids() == set()
        assert "Star removed." in app.messages()
        assert "Robot Crews Fix an Undersea Cable  ★" not in screen_text(app)


async def test_read_marks_survive_a_restart():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("escape", "s", "q")
        await pilot.pause()
    assert app.return_code == 0

    again = new_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, sections, _items, _story = parts(again)
        assert issues.row(0).unread == 1
        assert "1 Headlines 1/2" in screen_text(again)
        assert "  ★ Robot Crews Fix an Undersea Cable" in screen_text(again)
        assert ids.newer_stories[0] in again.screen.view.read
        del sections


async def test_mark_read_on_open_false_leaves_stories_unread():
    from tests.ui_support import write_config

    ids = import_fixtures()
    write_config("[reader]\nmark_read_on_open = false\n")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _screen, issues, _sections, _items, story = parts(app)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert story.display and story.story_id == ids.newer_stories[0]
        assert read_ids() == set()
        assert issues.row(0).unread == 2
        await pilot.press("m")  # marking by hand still works
        await settle(pilot)
        assert read_ids() == {ids.newer_stories[0]}


# -- next / previous unread ------------------------------------------------------------------------


async def test_n_walks_unread_stories_across_issues_skipping_sponsored():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, _sections, _items, story = parts(app)
        opened = []
        for _ in range(5):
            await pilot.press("n")
            await settle(pilot)
            assert story.display
            opened.append(story.story_id)
        assert opened == ids.newer_stories + ids.older_stories
        assert issues.cursor == 1 and screen.title == OLDER_TITLE
        await pilot.press("n")
        await settle(pilot)
        assert "No more unread stories." in app.messages()
        assert read_ids() >= set(opened)
        assert issues.row(0).unread == 0 and issues.row(1).unread == 0


async def test_p_walks_back_through_unread_stories():
    from tests.ui_support import write_config

    ids = import_fixtures()
    write_config("[reader]\nmark_read_on_open = false\n")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, issues, _sections, _items, story = parts(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("enter", "G", "enter")  # the last story of the older issue
        await settle(pilot)
        assert story.story_id == ids.older_stories[2]
        await pilot.press("p")
        await settle(pilot)
        assert story.story_id == ids.older_stories[1]  # the sponsored block in between is skipped
        await pilot.press("p")
        await settle(pilot)
        assert story.story_id == ids.older_stories[0]
        await pilot.press("p")  # into the newer issue, at its last unread story
        await settle(pilot)
        assert issues.cursor == 0 and screen.title == NEWER_TITLE
        assert story.story_id == ids.newer_stories[1]
        await pilot.press("p")
        await settle(pilot)
        assert story.story_id == ids.newer_stories[0]
        assert not any("bottom" in message for message in app.messages())
        await pilot.press("p")  # round the top of the list, to the last unread story of all
        await settle(pilot)
        assert issues.cursor == 1 and screen.title == OLDER_TITLE
        assert story.story_id == ids.older_stories[2]
        assert "Continued from the bottom of the list." in app.messages()
        assert "No more unread stories." not in app.messages()


# -- search ----------------------------------------------------------------------------------------


def reverse_text(app) -> list[str]:
    """Runs of text drawn in reverse video on the active screen (the search highlight)."""
    runs = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.style is not None and segment.style.reverse and segment.text.strip():
                runs.append(segment.text)
    return runs


async def open_search(pilot, query: str):
    from briefing_tui.ui.screens.search import SearchScreen

    await pilot.press("slash")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SearchScreen)
    await pilot.press(*query)
    await settle(pilot)
    return pilot.app.screen


async def test_search_shows_results_as_you_type_and_enter_jumps_to_the_item():
    from textual.widgets import Input, OptionList

    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, sections, items, story = parts(app)
        search = await open_search(pilot, "con")
        assert search.query_one(Input).has_focus
        await pilot.press("e")  # "cone": results follow the typing
        await settle(pilot)
        results = search.query_one("#search-results", OptionList)
        assert results.option_count == 2
        text = screen_text(app)
        assert "2 results · Enter jumps, Esc goes back" in text
        assert "References" in text and "Lead" in text  # the section column
        assert OLDER_TITLE[:40] in text  # the issue
        assert "Cone" in reverse_text(app)  # the match, highlighted
        # The first hit is a story lead (a story ranks above a reference): it opens the story.
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is reader
        assert issues.cursor == 1 and reader.title == OLDER_TITLE
        assert story.display and story.has_focus
        assert story.story_id == ids.older_stories[1]
        # The second hit is a reference: it is shown in the References section.
        await open_search(pilot, "cone")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert highlighted_id(sections) == "references"
        assert highlighted_id(items) == "ref:1" and items.has_focus


async def test_search_escape_returns_where_you_were():
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, sections, items, story = parts(app)
        await pilot.press("enter", "j", "3")
        await pilot.pause()
        before = (issues.cursor, highlighted_id(sections), highlighted_id(items), reader.title)
        await open_search(pilot, "graphene")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is reader and len(app.screen_stack) == 2
        assert (issues.cursor, highlighted_id(sections), highlighted_id(items), reader.title) == before
        assert items.has_focus and not story.display
        del ids


async def search_for(pilot, query: str):
    """Open search with ``query`` in the box (set at once) and wait for its results."""
    from textual.widgets import Input

    from briefing_tui.ui.screens.search import SearchScreen

    await pilot.press("slash")
    await pilot.pause()
    search = pilot.app.screen
    assert isinstance(search, SearchScreen)
    search.query_one(Input).value = query
    search.start_search()
    await settle(pilot)
    return search


async def test_search_filters_and_errors():
    from textual.widgets import OptionList

    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, _issues, sections, items, _story = parts(app)

        async def hits(query: str) -> list:
            search = await search_for(pilot, query)
            found = list(search.hits)
            assert search.query_one("#search-results", OptionList).option_count == len(found)
            await pilot.press("escape")
            await pilot.pause()
            return found

        bottom = await hits("section:bottomline hobby")
        assert [(h.section, h.item_id) for h in bottom] == [("bottom_line", ids.older_stories[2])]
        assert {h.issue_id for h in await hits("graph*")} == {ids.older}
        assert [h.item_id for h in await hits('"fibre link"')] == [ids.newer_stories[0]]
        assert await hits('"link fibre"') == []
        assert len(await hits("source:lattice fibre")) == 1
        assert await hits("source:nowhere fibre") == []
        assert len(await hits("is:unread fibre")) == 1
        reader.library.mark_issue_read(ids.newer)
        assert await hits("is:unread fibre") == []

        # Enter on a bottom-line hit shows that row in the Bottom line section.
        await search_for(pilot, "section:bottomline hobby")
        await pilot.press("enter")
        await settle(pilot)
        assert highlighted_id(sections) == "bottom_line"
        assert highlighted_id(items) == f"story:{ids.older_stories[2]}"

        # A query the language rejects says so instead of failing.
        search = await search_for(pilot, "section:nosuch")
        status = str(search.query_one("#search-status").render())
        assert status and "result" not in status
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader


# -- links -----------------------------------------------------------------------------------------


async def test_o_opens_links_through_webbrowser(monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    # a graphical browser: this machine's w3m or lynx would otherwise take the terminal
    monkeypatch.setattr("briefing_tui.ui.browser.terminal_browser", lambda url: None)
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, _issues, _sections, items, story = parts(app)
        await pilot.press("enter", "enter")  # a story with one link
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://baltic.example.com/repair"]
        assert "Opening https://baltic.example.com/repair" in app.messages()
        await pilot.press("escape", "j", "o")  # a story without links, an issue without a URL
        await settle(pilot)
        assert "No link here." in app.messages() and len(opened) == 1

        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("enter", "enter")  # two links: a picker
        await settle(pilot)
        from briefing_tui.ui.screens.dialogs import LinkPickerScreen

        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LinkPickerScreen)
        assert "https://press.example.com/graphene" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader and len(opened) == 1
        await pilot.press("o", "j", "enter")
        await settle(pilot)
        assert opened[-1] == "https://press.example.com/graphene"
        assert story.story_id == ids.older_stories[0]

        await pilot.press("escape", "4", "o")  # a shortlist item with a link
        await settle(pilot)
        assert opened[-1] == "https://marlin.example.com"
        await pilot.press("5", "enter")  # Enter on a reference opens it
        await settle(pilot)
        assert opened[-1] == "https://strata.example.com/news/turin"
        assert items.has_focus


async def test_o_refuses_urls_that_are_not_http(monkeypatch):
    import webbrowser

    from briefing_tui.model import Link
    from briefing_tui.ui.screens.dialogs import LinkPickerScreen

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    # a graphical browser: this machine's w3m or lynx would otherwise take the terminal
    monkeypatch.setattr("briefing_tui.ui.browser.terminal_browser", lambda url: None)
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from briefing_tui.ui.browser import open_url

        for url in ("javascript:alert(1)", "file:///etc/passwd", "JAVASCRIPT:alert(1)", "data:text/html,x"):
            open_url(app, url)
        links = [Link("script", "javascript:app.quit()"), Link("ok", "https://ok.example.com/")]
        app.push_screen(LinkPickerScreen(links), lambda url: open_url(app, url) if url else None)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert opened == []
        refused = app.messages("warning")
        assert len(refused) == 5
        assert all("only http, https and mailto links open" in message for message in refused)
        assert app.is_running


async def test_o_honours_the_browser_variable(monkeypatch, tmp_path):
    import webbrowser

    log = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{log}"\n')
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter", "o")
        await settle(pilot)
    assert log.read_text() == "https://baltic.example.com/repair\n"


async def test_o_on_a_named_section_offers_its_links_in_the_picker(monkeypatch):
    import webbrowser

    from briefing_tui.ui.screens.dialogs import LinkPickerScreen
    from briefing_tui.ui.widgets.item_list import LinkOption, ParagraphOption
    from tests.ui_support import UI_FIXTURES, import_files

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    # a graphical browser: this machine's w3m or lynx would otherwise take the terminal
    monkeypatch.setattr("briefing_tui.ui.browser.terminal_browser", lambda url: None)
    import_files(UI_FIXTURES / "orchard_0602.md")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, _issues, sections, items, _story = parts(app)
        await pilot.press("tab", "G")  # the last section: "What to watch"
        await settle(pilot)
        assert highlighted_id(sections) == "section:0" and items.border_title == "What to watch"
        assert option_ids(items) == ["para:0", "para:1", "links", "link:0", "link:1"]
        paragraph = items.get_option_at_index(0)
        assert isinstance(paragraph, ParagraphOption) and paragraph.paragraph.startswith("- The vault opens")
        assert [link.url for link in paragraph.links] == [
            "https://vault.example.org/drawers",
            "https://rail.example.net/draft-rules",
        ]
        text = screen_text(app)
        assert "Links (o opens)" in text
        assert "1. drawer list" in text and "https://vault.example.org/drawers" in text
        assert "2. draft rules" in text and "https://rail.example.net/draft-rules" in text

        # On a paragraph: both links of the section, in the picker.
        assert highlighted_id(items) == "para:0"
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LinkPickerScreen)
        picker = screen_text(app)
        assert "drawer list" in picker and "https://vault.example.org/drawers" in picker
        assert "draft rules" in picker and "https://rail.example.net/draft-rules" in picker
        assert [link.url for link in app.screen.links] == [link.url for link in paragraph.links]
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.screen is reader and opened == ["https://rail.example.net/draft-rules"]

        # On a link row: that link, without a picker; Enter opens it too.
        await pilot.press("tab", "G")
        await settle(pilot)
        assert items.has_focus and highlighted_id(items) == "link:1"
        assert isinstance(items.current_option, LinkOption)
        await pilot.press("o")
        await settle(pilot)
        assert app.screen is reader and opened[-1] == "https://rail.example.net/draft-rules"
        await pilot.press("k", "enter")
        await settle(pilot)
        assert highlighted_id(items) == "link:0" and opened[-1] == "https://vault.example.org/drawers"
        assert len(opened) == 3 and not app.messages("warning")


async def test_o_on_the_intro_opens_its_only_link(monkeypatch):
    import webbrowser

    from tests.ui_support import UI_FIXTURES, import_files

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    # a graphical browser: this machine's w3m or lynx would otherwise take the terminal
    monkeypatch.setattr("briefing_tui.ui.browser.terminal_browser", lambda url: None)
    import_files(UI_FIXTURES / "orchard_0602.md")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, _issues, sections, items, _story = parts(app)
        await pilot.press("tab", "G", "k")
        await settle(pilot)
        assert highlighted_id(sections) == "intro" and items.border_title == "Intro"
        assert option_ids(items) == ["para:0", "links", "link:0"]
        text = screen_text(app)
        assert "Good morning." in text and "https://orchard.example.com/log" in text
        await pilot.press("o")
        await settle(pilot)
        assert app.screen is reader
        assert opened == ["https://orchard.example.com/log"]
        assert "Opening https://orchard.example.com/log" in app.messages()


# -- refresh and feeds -----------------------------------------------------------------------------


import threading  # noqa: E402

from tests.feedserver import Issue, rss_feed  # noqa: E402




async def test_r_refreshes_feeds_and_shows_new_issues(server):
    server.feed("/daily.xml", rss_feed([Issue(1), Issue(2)]))
    import_fixtures()
    subscribe(server.url("/daily.xml"))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        assert issues.count == 2
        await pilot.press("r")
        await settle(pilot)
        assert "Refreshed 1 feed, 2 new issues." in app.messages("information")
        assert issues.count == 4 and issues.border_title == "Issues 4"
        titles = [issues.row(index).title for index in range(4)]
        assert "Briefing number 1" in titles and "Briefing number 2" in titles
        assert reader.title == NEWER_TITLE  # the open issue stays open
        await pilot.press("r")
        await settle(pilot)
        assert "Refreshed 1 feed, 0 new issues, 1 unchanged." in app.messages()


async def test_a_failing_feed_gives_a_warning_and_the_others_still_arrive(server):
    server.feed("/daily.xml", rss_feed([Issue(1)]))
    server.status("/broken.xml", 500)
    subscribe(server.url("/daily.xml"), server.url("/broken.xml"))
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _reader, issues, _sections, _items, _story = parts(app)
        await pilot.press("r")
        await settle(pilot)
        warnings = app.messages("warning")
        assert len(warnings) == 1
        assert warnings[0].startswith("Refreshed 2 feeds, 1 new issue, 1 failed.")
        assert server.url("/broken.xml") in warnings[0] and "500" in warnings[0]
        assert issues.count == 3
        assert "Traceback" not in screen_text(app)


async def test_the_reader_stays_usable_during_a_refresh(server):
    gate = threading.Event()
    body = rss_feed([Issue(7)])

    def gated(handler):
        gate.wait(30)
        handler.reply(200, body, "application/rss+xml")

    server.feed("/fast.xml", rss_feed([Issue(1)]))
    server.routes["/slow.xml"] = gated
    subscribe(server.url("/fast.xml"), server.url("/slow.xml"))
    import_fixtures()
    app = new_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            reader, issues, _sections, _items, story = parts(app)
            status = reader.query_one("#status")
            await pilot.press("r")
            for _ in range(200):  # until the fast feed is in (a bounded wait, not a timing check)
                if "1/2" in str(status.render()):
                    break
                await pilot.pause(0.05)
            assert "Refreshing 1/2 feeds" in str(status.render())
            await pilot.press("r")
            assert "A refresh is already running." in app.messages()
            await pilot.press("j")
            for _ in range(200):
                if reader.title == OLDER_TITLE:
                    break
                await pilot.pause(0.05)
            assert reader.title == OLDER_TITLE
            await pilot.press("enter", "enter")
            for _ in range(200):
                if story.display:
                    break
                await pilot.pause(0.05)
            assert story.display
            gate.set()
            await settle(pilot)
            assert str(status.render()).strip() == ""
            assert "Refreshed 2 feeds, 2 new issues." in app.messages()
            assert issues.count == 4
            assert reader.title == OLDER_TITLE and story.display  # the reader was not disturbed
    finally:
        gate.set()


async def test_r_without_feeds_says_how_to_add_one():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "No feeds yet: press a to add one." in app.messages()


async def test_a_opens_the_add_feed_dialog_and_fetches_the_feed(server):
    from briefing_tui.ui.screens.dialogs import AddFeedScreen
    from tests.ui_support import locations

    server.feed("/new.xml", rss_feed([Issue(3)], title="Quokka Daily"))
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddFeedScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader and reader.library.subscriptions() == []

        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter")  # empty: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, AddFeedScreen)
        await pilot.press(*"ftp://x")
        await pilot.press("enter")
        await settle(pilot)
        # the dialog stays, says why, and keeps the address for a fix
        assert isinstance(app.screen, AddFeedScreen)
        assert "not an http(s) or imap(s) URL" in static_text(app.screen.query_one("#add-status"))
        assert app.screen.query_one("#feed-url").value == "ftp://x"

        url = server.url("/new.xml")
        app.screen.query_one("#feed-url").value = url
        await pilot.press("tab", *"Quokka", "enter")
        await settle(pilot)
        assert app.screen is reader
        assert [(s.url, s.title) for s in reader.library.subscriptions()] == [(url, "Quokka")]
        assert "Subscribed to Quokka." in app.messages()  # fetched once: checked and stored
        assert issues.count == 3
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#feed-url").value = url
        await pilot.press("enter")
        await settle(pilot)
        assert "Already subscribed to Quokka." in app.messages()
        del locations


# -- help, quit, command palette -------------------------------------------------------------------


async def test_question_mark_shows_every_key_and_escape_closes_it():
    from textual.containers import VerticalScroll

    from briefing_tui.ui.keys import known_binding_ids

    import_fixtures()
    app = new_app()
    async with app.run_test(size=(110, 150)) as pilot:
        await settle(pilot)
        reader = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y == 0
        seen = screen_text(app)
        for binding_id in known_binding_ids():
            assert binding_id in seen, binding_id
        for keys in ("1 ", "n ", "] ", "/ ", "esc ⌫", "? ", "ctrl+p", "tab shift+tab"):
            assert keys in seen, keys
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is reader
        await pilot.resize_terminal(100, 30)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0
        await pilot.press("j", "j")
        await pilot.pause()
        assert body.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is reader


async def test_q_quits():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_every_reader_binding_is_a_palette_command_with_its_key():
    """The palette is made from the bindings: each action is there by its name, with its key,
    and a rebound key shows as rebound."""
    from briefing_tui.ui.commands import palette_commands

    from tests.ui_support import write_config

    write_config('[keys]\nstar = "S"\n')
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {action: (name, help_text) for name, help_text, action in palette_commands(app, app.screen)}
    for binding in ReaderScreen.BINDINGS:
        if binding.action == "app.quit":  # Textual's own palette has Quit
            continue
        assert binding.action in commands, binding.action
        assert commands[binding.action][0] == binding.description
        assert hasattr(ReaderScreen, "action_" + binding.action.split("(")[0]), binding.action
    assert commands["toggle_star"][1].endswith("(S)")
    assert commands["search"][1].endswith("(/)")


async def test_command_palette_runs_reader_actions():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, sections, items, _story = parts(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"bottom")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is reader
        assert highlighted_id(sections) == "bottom_line" and items.border_title == "Bottom line"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"next iss")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert issues.cursor == 1 and reader.title == OLDER_TITLE
        # One "Filter by source" command per source in the cache.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"by source: the lat")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert reader.source_filter == "The Lattice Letter"
        assert issues.count == 2 and issues.border_title == "Issues 2 · The Lattice Letter"


# -- start-up: first run, config, keys, errors -----------------------------------------------------


async def test_first_run_imports_the_sample_and_says_how_to_add_feeds():
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, items, _story = parts(app)
        from briefing_tui.samples import sample_paths

        assert issues.count == len(sample_paths()) >= 1
        assert reader.title == issues.row(0).title
        assert items.display and items.option_count > 1
        welcome = [m for m, _s, title in app.sent if title == "Welcome to briefing-tui"]
        assert welcome and "Press a to add a feed" in welcome[0]
    again = new_app()  # the second start does not import it again
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not [m for m, _s, title in again.sent if title == "Welcome to briefing-tui"]
        assert again.screen.query_one(IssueList).count == issues.count


async def test_first_run_without_a_sample_still_says_how_to_add_feeds(monkeypatch):
    monkeypatch.setattr("briefing_tui.samples.sample_paths", lambda: [])
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Loading" not in text
        assert "press a to add a feed" in text.lower()


async def test_keys_table_rebinds_actions():
    from tests.ui_support import write_config

    ids = import_fixtures()
    write_config('[keys]\nnext_unread = "x"\n"section.bottom_line" = "b,f3"\nno_such_action = "z"\n')
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _reader, _issues, sections, _items, story = parts(app)
        warnings = app.messages("warning")
        assert len(warnings) == 2 and "no_such_action" in warnings[1]
        # b pages up in the issue list, the rows and the story: the rebinding says so
        assert "key 'b' for section.bottom_line is also the key of issues.page_up, items.page_up, story.page_up" in warnings[0]
        await pilot.press("n")
        await settle(pilot)
        assert not story.display
        await pilot.press("x")
        await settle(pilot)
        assert story.display and story.story_id == ids.newer_stories[0]
        await pilot.press("f3")
        await pilot.pause()
        assert highlighted_id(sections) == "bottom_line"
        assert "x Next unread" in screen_text(app)  # the footer follows the keymap too
        await pilot.press("question_mark")
        await pilot.pause()
        import re

        text = screen_text(app)
        assert re.search(r"│ x +Next unread +next_unread ", text)
        assert re.search(r"│ b f3 +Show Bottom line +section.bottom_line ", text)


async def test_invalid_config_warns_and_the_reader_still_runs():
    from tests.ui_support import write_config

    import_fixtures()
    write_config("[reader\nmark_read_on_open = ")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, _story = parts(app)
        warnings = app.messages("warning")
        assert len(warnings) == 1
        assert "not valid TOML" in warnings[0] and warnings[0].endswith("using defaults")
        assert issues.count == 2 and reader.title == NEWER_TITLE
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert reader.query_one(StoryView).display


async def test_a_database_that_cannot_be_opened_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    from briefing_tui.ui.screens.dialogs import ErrorScreen

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("BRIEFING_TUI_CACHE_DIR", str(blocker))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        text = screen_text(app)
        assert "briefing-tui cannot start" in text and "Traceback" not in text
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


# -- hostile text ----------------------------------------------------------------------------------

HOSTILE_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>[bold red]Evil[/] Feed</title><link>https://evil.example.com/</link><description>x</description>
<item>
<title>[@click=app.quit]Click me[/] and [bold red]x[/] &#27;[31mred&#27;[0m &#27;]8;;https://evil.example.com/&#27;\\osc link&#27;]8;;&#27;\\ end</title>
<link>https://evil.example.com/1</link><guid>evil-1</guid><pubDate>Mon, 02 Mar 2026 08:00:00 GMT</pubDate>
<description>&lt;h2&gt;[@click=app.quit]Story[/] &#27;[31mtitle&lt;/h2&gt;&lt;p&gt;Lead with [bold]markup[/bold] and &#27;[2J escape.&lt;/p&gt;&lt;p&gt;&lt;strong&gt;Bottom line:&lt;/strong&gt; [link=https://evil.example.com]stay[/link] literal.&lt;/p&gt;</description>
</item></channel></rss>
"""


async def test_hostile_feed_text_is_shown_literally_and_cannot_run_actions(tmp_path):
    from tests.ui_support import import_files

    feed = tmp_path / "hostile.xml"
    feed.write_text(HOSTILE_RSS, encoding="utf-8")
    import_files(feed)
    app = new_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        reader, issues, _sections, _items, story = parts(app)
        title = issues.row(0).title
        assert "[@click=app.quit]Click me[/]" in title and "\x1b" not in title
        text = screen_text(app)
        assert "\x1b" not in text
        header = text.splitlines()[0]
        assert "[@click=app.quit]Click me[/] and [bold red]x[/]" in header
        list_line = next(line for line in text.splitlines() if "● [@click" in line)
        assert "[@click=app.quit]Click me[/] and" in list_line
        # Clicking where the "link" is must not quit.
        await pilot.click(IssueList, offset=(4, 1))
        await pilot.click(reader.query_one("Header"), offset=(40, 0))
        await settle(pilot)
        assert app.is_running and app.return_code is None
        await pilot.press("enter", "n")
        await settle(pilot)
        assert story.display
        text = screen_text(app)
        assert "\x1b" not in text
        assert "[@click=app.quit]Story[/]" in text
        assert "[bold]markup[/bold]" in text
        assert "[link=https://evil.example.com]stay[/link]" in text
        await pilot.click(StoryView, offset=(6, 1))
        await settle(pilot)
        assert app.is_running
        # Search rows show the same text literally.
        await search_for(pilot, "click")
        text = screen_text(app)
        assert "[@click=app.quit]Click me[/] and [bold red]x[/]" in text and "\x1b" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_a_damaged_cache_row_gives_a_message_not_a_traceback():
    import sqlite3

    from tests.ui_support import locations

    ids = import_fixtures()
    with sqlite3.connect(locations().cache_db) as conn:
        conn.execute("UPDATE issues SET briefing = '{\"title\": ' WHERE id = ?", (ids.newer,))
    conn.close()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        errors = app.messages("error")
        assert errors and errors[0].startswith("Could not open this issue")
        reader, issues, _sections, _items, _story = parts(app)
        await pilot.press("j")  # the other issue still opens
        await settle(pilot)
        assert reader.title == OLDER_TITLE
        assert app.is_running


async def test_a_damaged_read_state_file_is_reported_in_the_app():
    from tests.ui_support import locations

    import_fixtures()
    locations().state_db.write_bytes(b"this is not a database" * 100)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warnings = app.messages("warning")
        assert any("read-state database was damaged" in message for message in warnings)
        assert parts(app)[1].count == 2


def test_every_binding_has_an_id_the_keys_table_accepts():
    from textual.binding import Binding

    from briefing_tui.ui.keys import known_binding_ids
    from briefing_tui.ui.screens.dialogs import AddFeedScreen, ErrorScreen, LinkPickerScreen
    from briefing_tui.ui.screens.search import SearchScreen

    owners = (ReaderScreen, IssueList, SectionList, ItemList, StoryView, SearchScreen, HelpScreen,
              AddFeedScreen, LinkPickerScreen, ErrorScreen)
    ids = [binding.id for owner in owners for binding in owner.BINDINGS if isinstance(binding, Binding)]
    assert all(ids) and len(ids) == len(set(ids))
    assert set(ids) <= known_binding_ids()


async def test_bindings_outside_the_reader_can_be_rebound_and_are_on_the_help_screen():
    from tests.ui_support import write_config

    import_fixtures()
    write_config('[keys]\n"sections.down" = "x"\n"search.jump" = "ctrl+o,enter"\n')
    app = new_app()
    async with app.run_test(size=(110, 150)) as pilot:
        await settle(pilot)
        assert app.messages("warning") == []
        _reader, _issues, sections, _items, _story = parts(app)
        await pilot.press("tab", "x")
        await pilot.pause()
        assert highlighted_id(sections) == "unpacked"
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for binding_id in ("sections.down", "search.jump", "help.close", "add_feed.cancel", "links.down"):
            assert binding_id in text
        assert "scroll(" not in text  # every row has a description


async def test_shortlist_shows_the_headings_its_items_stood_under(tmp_path, monkeypatch):
    import webbrowser

    from tests.ui_support import import_files

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    # a graphical browser: this machine's w3m or lynx would otherwise take the terminal
    monkeypatch.setattr("briefing_tui.ui.browser.terminal_browser", lambda url: None)
    issue = tmp_path / "gearbox_212.md"
    issue.write_text(
        "# Gearbox Weekly #212\n\n## The new linker is here\n\n"
        "Why it matters: builds of the largest test project take a third of the time.\n\n"
        "## Cool bits\n\n- [Sprocket 2.0](https://sprocket.example/2) ships incremental builds.\n"
        "- [A pipe organ in a spreadsheet](https://organ.example)\n\n"
        "## Releases\n\n- [cog 1.4](https://cog.example/1.4)\n- [axle 0.9](https://axle.example/0.9)\n",
        encoding="utf-8",
    )
    import_files(issue)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _reader, _issues, _sections, items, _story = parts(app)
        await pilot.press("4")
        await settle(pilot)
        ids = option_ids(items)
        assert [i for i in ids if i.startswith("group:")] == ["group:0", "group:2"]
        assert [i.split(":")[0] for i in ids] == ["group", "short", "short", "group", "short", "short"]
        text = screen_text(app)
        assert text.index("Cool bits") < text.index("Sprocket 2.0") < text.index("Releases") < text.index("cog 1.4")
        # The headings are not rows: the cursor goes from the last "Cool bits" item to the first release.
        items.focus()
        await pilot.press("g", "j", "j", "o")
        await settle(pilot)
        assert opened == ["https://cog.example/1.4"]


async def test_following_a_quick_items_link_marks_it_read(monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setattr("briefing_tui.ui.browser.terminal_browser", lambda url: None)
    ids = import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        first, second = ids.older_shortlist[:2]
        await pilot.press("o")
        await settle(pilot)
        assert len(opened) == 1
        assert first in read_ids() and second not in read_ids()


async def test_the_palette_offers_no_textual_commands_a_reader_has_no_use_for():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles == ["Theme", "Quit"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"screensh")
        await settle(pilot)
        assert "Screenshot" not in screen_text(app)
        await pilot.press("escape")


async def test_the_footer_lists_the_keys_before_any_key_is_pressed():
    """The footer is mounted after the first frame; it must still show the keys at once."""
    from textual.widgets import Footer

    import_fixtures()
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        shown = " ".join(str(key.description) for key in footer.children)
        assert "Help" in shown and "Quit" in shown
