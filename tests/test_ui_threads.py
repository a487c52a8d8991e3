"""Story threads in the reader, driven with Textual's Pilot: the "+N sources" on headline rows,
the "Also covered by" list under an open story (t), the thread of an article issue (a modal),
read marks across a thread, and the Today screen (T).

The data is the invented issues of tests/fixtures/threads/ (12-16 Feb 2026); labels.json says
which event each piece reports, so the expected thread sizes come from it, not from the code.
Update the snapshot baselines with
``pytest tests/test_ui_threads.py --snapshot-update -p no:xdist -o addopts=""`` and look at the
SVGs before keeping them.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static
from textual.widgets.option_list import Option

from briefing_tui.library import Library
from briefing_tui.ui.screens.dialogs import ThreadScreen
from briefing_tui.ui.screens.reader import ReaderScreen
from briefing_tui.ui.screens.today import DigestList, DigestOption, TodayScreen
from briefing_tui.ui.widgets.issue_list import IssueList
from briefing_tui.ui.widgets.item_list import ItemList
from briefing_tui.ui.widgets.story_view import StoryView
from briefing_tui.ui.widgets.thread_list import MemberOption, ThreadList
from tests.ui_support import (
    highlighted_id,
    import_files,
    locations,
    new_app,
    option_ids,
    read_ids,
    screen_text,
    settle,
)

SIZE = (100, 30)
SIZES = {"100x30": (100, 30), "80x24": (80, 24)}

THREADS = Path(__file__).resolve().parent / "fixtures" / "threads"
ISSUE_FILES = sorted(path for path in THREADS.iterdir() if path.suffix in (".md", ".txt"))
LABELS = json.loads((THREADS / "labels.json").read_text(encoding="utf-8"))["pieces"]

# Issue titles, as the reader's title bar shows them.
CIRCUIT_13 = "OpenAI's Spark Runs on a Wafer"  # 2026-02-13_circuit-sheet.txt
TENSOR_14 = "Morning Tensor: Fast code, later phones"  # 2026-02-14_morning-tensor.md
TENSOR_16 = "Morning Tensor: Alibaba's cloud finds another gear"  # 2026-02-16_morning-tensor.md
HARBOR_14 = "Ads, Memory and Missing Founders"  # 2026-02-14_byte-harbor.txt
DEVWIRE_13 = "Codex-Spark makes the coding agent feel like autocomplete again"  # an article
KERNEL_16 = "Microsoft pulls Windows 11 update after PCs get stuck in BitLocker recovery"  # an article, alone
LEDGER_12 = "OpenAI makes Cerebras a production supplier, widening its bet beyond Nvidia"  # an article

# Story titles.
SPARK_CIRCUIT = "OpenAI Ships Codex-Spark on Cerebras Silicon"
SPARK_TENSOR = "1 big thing: OpenAI's speed play runs through Cerebras"
GALAXY_CIRCUIT = "Samsung Sets February 25 for Galaxy S26 Unpacked"
GALAXY_TENSOR = "2. Galaxy S26 gets a date"
TESSELLATE = "5. Tessellate Games closes its Montreal studio"  # in no thread

#: Who else reported Codex-Spark, in the order the thread lists them (oldest first), as seen from
#: the Circuit Sheet's story.
SPARK_OTHERS_FROM_CIRCUIT = ["Ledger Street", "The Kernel Post", "DevWire", "Morning Tensor"]


#: When the fixture issues were "fetched". Issues of one day are ordered by fetch time (to the
#: second), then by id: pinned, the order does not depend on whether an import crosses a second.
FETCHED_AT = "2026-02-17T07:00:00+00:00"


@pytest.fixture(autouse=True)
def pinned_fetch_time(monkeypatch):
    monkeypatch.setattr("briefing_tui.store.cache.now_iso", lambda: FETCHED_AT)


@dataclass(frozen=True)
class Catalogue:
    """Ids of the fixture issues and stories (content hashes, looked up through the Library)."""

    issues: dict[str, str]  # issue title -> issue id
    stories: dict[tuple[str, str], str]  # (issue title, story title) -> story id
    sponsored: set[str]  # ids of the sponsored blocks

    def story(self, issue: str, title: str) -> str:
        return self.stories[(issue, title)]


def import_threads() -> Catalogue:
    import_files(*ISSUE_FILES)
    library = Library(locations())
    try:
        issues: dict[str, str] = {}
        stories: dict[tuple[str, str], str] = {}
        sponsored: set[str] = set()
        for summary in library.issues():
            view = library.open_issue(summary.id)
            assert view is not None
            issues[summary.title] = summary.id
            for story in view.briefing.stories:
                if story.sponsored:
                    sponsored.add(story.id)
                else:
                    stories[(summary.title, story.title)] = story.id
        assert len(issues) == len(ISSUE_FILES) == 13
        return Catalogue(issues, stories, sponsored)
    finally:
        library.close()


def event_sizes() -> Counter:
    """event -> how many pieces (stories or story-less articles) report it, from labels.json."""
    return Counter(piece["event"] for piece in LABELS)


def labelled_event(file_name: str, story: str | None) -> str:
    return next(p["event"] for p in LABELS if p["file"] == file_name and p["story"] == story)


def row_text(option: Option) -> str:
    """An option's prompt as plain text on one line (wide enough that nothing wraps)."""
    console = Console(width=300, file=io.StringIO(), color_system=None, record=True)
    console.print(option.prompt)
    return re.sub(r"\s+", " ", console.export_text()).strip()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def reader_parts(app) -> tuple[ReaderScreen, IssueList, ItemList, StoryView, ThreadList]:
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    story = screen.query_one(StoryView)
    return screen, screen.query_one(IssueList), screen.query_one(ItemList), story, story.thread_list


def member_sources(thread_list: ThreadList) -> list[str | None]:
    members = [thread_list.get_option_at_index(i) for i in range(thread_list.option_count)]
    assert all(isinstance(option, MemberOption) for option in members)
    return [option.member.source for option in members]


async def go_to_issue(pilot, title: str) -> None:
    """Move the issue list's cursor to ``title`` with j/k, then Enter (the issue's rows get the focus)."""
    screen, issues, items, _story, _thread = reader_parts(pilot.app)
    target = next(index for index in range(issues.count) if issues.row(index).title == title)
    issues.focus()
    await pilot.pause()
    while issues.cursor != target:
        await pilot.press("j" if issues.cursor < target else "k")
        await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert screen.title == title
    assert items.has_focus


async def highlight_story(pilot, story_id: str) -> None:
    """Move the Headlines rows' cursor to a story with j."""
    _screen, _issues, items, _story, _thread = reader_parts(pilot.app)
    assert items.has_focus
    for _ in range(items.option_count):
        if highlighted_id(items) == f"story:{story_id}":
            return
        await pilot.press("j")
        await pilot.pause()
    assert highlighted_id(items) == f"story:{story_id}"


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


# -- headline rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "issue_title, file_name",
    [(CIRCUIT_13, "2026-02-13_circuit-sheet.txt"), (TENSOR_14, "2026-02-14_morning-tensor.md")],
)
async def test_headline_rows_count_the_other_pieces_of_their_thread(issue_title, file_name):
    cat = import_threads()
    sizes = event_sizes()
    assert sizes["codex-spark-cerebras"] == 5
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, issue_title)
        _screen, _issues, items, _story, _thread = reader_parts(app)
        assert items.border_title == "Headlines"
        checked = 0
        for option_id in option_ids(items):
            if not option_id or not option_id.startswith("story:"):
                continue
            option = items.get_option(option_id)
            text = row_text(option)
            story_id = option_id.split(":", 1)[1]
            if story_id in cat.sponsored:
                assert "+" not in text, text  # a sponsored block is in no thread
                continue
            title = next(t for (issue, t), sid in cat.stories.items() if issue == issue_title and sid == story_id)
            others = sizes[labelled_event(file_name, title)] - 1
            if others:
                assert f"{title} +{others} source{'s' if others != 1 else ''}" in text, text
            else:
                assert "+" not in text.replace(title, ""), text
            checked += 1
        assert checked == (4 if issue_title == CIRCUIT_13 else 5)
        if issue_title == CIRCUIT_13:  # on screen too (the pane wraps the word "sources")
            assert "OpenAI Ships Codex-Spark on Cerebras Silicon  +4" in screen_text(app)


async def test_a_story_in_no_thread_shows_no_count():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, TENSOR_14)
        _screen, _issues, items, _story, _thread = reader_parts(app)
        lone = row_text(items.get_option(f"story:{cat.story(TENSOR_14, TESSELLATE)}"))
        assert lone.startswith(f"● {TESSELLATE}") and "source" not in lone and "+" not in lone
        spark = row_text(items.get_option(f"story:{cat.story(TENSOR_14, SPARK_TENSOR)}"))
        assert f"{SPARK_TENSOR} +4 sources" in spark
        galaxy = row_text(items.get_option(f"story:{cat.story(TENSOR_14, GALAXY_TENSOR)}"))
        assert f"{GALAXY_TENSOR} +1 source" in galaxy and "+1 sources" not in galaxy
        lines = {line for line in screen_text(app).splitlines() if "Tessellate" in line or "Galaxy S26 gets" in line}
        assert any("Tessellate" in line and "+" not in line for line in lines), lines
        assert any("Galaxy S26 gets a date  +1 source" in line for line in lines), lines


# -- the thread under an open story ---------------------------------------------------------------


async def test_open_story_lists_the_other_sources_and_t_focuses_them():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, CIRCUIT_13)
        screen, issues, items, story, thread = reader_parts(app)
        spark = cat.story(CIRCUIT_13, SPARK_CIRCUIT)
        assert highlighted_id(items) == f"story:{spark}"
        await press(pilot, "enter")
        assert story.display and story.story_id == spark and story.has_focus
        assert thread.display
        assert thread.border_title == "Also covered by 4 other sources"
        assert member_sources(thread) == SPARK_OTHERS_FROM_CIRCUIT  # not the Circuit Sheet itself
        assert thread.border_subtitle is None  # nothing of the thread is read yet
        assert not thread.has_focus

        await press(pilot, "t")
        assert thread.has_focus and thread.highlighted == 0
        text = flat(screen_text(app))
        assert "Also covered by 4 other sources" in text  # scrolled into view
        for source in SPARK_OTHERS_FROM_CIRCUIT:
            assert source in text
        assert "Codex-Spark makes the coding agent" in text  # DevWire's title

        # The last member is a story of the Morning Tensor of the next day: Enter opens it there.
        await press(pilot, "j", "j", "j")
        assert thread.highlighted == 3
        await press(pilot, "enter")
        assert screen.title == TENSOR_14
        assert screen.sub_title == "Morning Tensor · 2026-02-14"
        assert issues.current.id == cat.issues[TENSOR_14]
        assert story.display and not items.display
        assert story.story_id == cat.story(TENSOR_14, SPARK_TENSOR)
        text = flat(screen_text(app))
        assert SPARK_TENSOR in text and "Morning Tensor · 2026-02-14" in text
        # Its own thread lists the Circuit Sheet now, and no longer the Morning Tensor.
        assert member_sources(thread) == ["Ledger Street", "The Kernel Post", "DevWire", "The Circuit Sheet"]

        # Esc goes back to the story the jump came from, in its issue; Esc again closes that story.
        await press(pilot, "escape")
        assert screen.title == CIRCUIT_13 and issues.current.id == cat.issues[CIRCUIT_13]
        assert story.display and story.story_id == spark
        await press(pilot, "escape")
        assert not story.display and items.display and items.has_focus
        assert highlighted_id(items) == f"story:{spark}"


async def test_enter_on_an_article_member_opens_that_issue():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, CIRCUIT_13)
        screen, issues, items, story, thread = reader_parts(app)
        await press(pilot, "t")  # on the row: opens the story, then focuses its thread
        assert story.display and story.story_id == cat.story(CIRCUIT_13, SPARK_CIRCUIT)
        assert thread.has_focus and thread.highlighted == 0
        first = thread.get_option_at_index(0)
        assert first.member.source == "Ledger Street" and first.member.item_id is None
        await press(pilot, "enter")
        assert screen.title == LEDGER_12
        assert screen.sub_title == "Ledger Street · 2026-02-12"
        assert issues.current.id == cat.issues[LEDGER_12]
        assert not story.display and items.display and items.has_focus
        assert items.border_title == "Intro"
        assert "Cerebras" in screen_text(app)
        await press(pilot, "escape")  # back to the story the article was opened from
        assert screen.title == CIRCUIT_13
        assert story.display and story.story_id == cat.story(CIRCUIT_13, SPARK_CIRCUIT)


# -- read marks across a thread -------------------------------------------------------------------


async def test_reading_one_member_shows_in_the_others_but_marks_only_itself():
    cat = import_threads()
    galaxy_a = cat.story(CIRCUIT_13, GALAXY_CIRCUIT)
    galaxy_b = cat.story(TENSOR_14, GALAXY_TENSOR)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, CIRCUIT_13)
        screen, _issues, _items, story, thread = reader_parts(app)
        await highlight_story(pilot, galaxy_a)
        await press(pilot, "enter")
        assert story.story_id == galaxy_a
        assert read_ids() == {galaxy_a}  # reading A did not mark B
        assert member_sources(thread) == ["Morning Tensor"]
        assert thread.border_title == "Also covered by 1 other source"
        assert thread.border_subtitle is None
        assert " · read" not in row_text(thread.get_option_at_index(0))

        await press(pilot, "t", "enter")
        assert screen.title == TENSOR_14 and story.story_id == galaxy_b
        assert member_sources(thread) == ["The Circuit Sheet"]
        assert str(thread.border_subtitle) == "already read in The Circuit Sheet"
        row = row_text(thread.get_option_at_index(0))
        assert row.startswith("· The Circuit Sheet · 2026-02-13 · read"), row
        text = flat(screen_text(app))
        assert "already read in The Circuit Sheet" in text
        assert read_ids() == {galaxy_a, galaxy_b}  # B is read now because it was opened

        # Marking B unread again leaves A read.
        await press(pilot, "m")
        assert read_ids() == {galaxy_a}

        # Back to A through the thread: B is shown unread there.
        await press(pilot, "t", "enter")
        assert screen.title == CIRCUIT_13 and story.story_id == galaxy_a
        assert thread.border_subtitle is None
        assert " · read" not in row_text(thread.get_option_at_index(0))
        assert read_ids() == {galaxy_a}


# -- one source covering the event twice ----------------------------------------------------------


def devwire_follow_up(folder: Path) -> Path:
    """A second DevWire article on Codex-Spark, a day later (same source, another issue)."""
    text = (THREADS / "2026-02-13_devwire.md").read_text(encoding="utf-8")
    text = text.replace("# Codex-Spark makes the coding agent feel like autocomplete again", "# A day with Codex-Spark", 1)
    path = folder / "2026-02-14_devwire-follow-up.md"
    path.write_text(text.replace("February 13, 2026", "February 14, 2026", 1), encoding="utf-8")
    return path


async def test_headline_count_agrees_with_the_thread_list_when_a_source_repeats(tmp_path):
    import_threads()
    import_files(devwire_follow_up(tmp_path))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, CIRCUIT_13)
        _screen, _issues, items, _story, thread = reader_parts(app)
        row = row_text(items.get_option_at_index(items.highlighted))
        await press(pilot, "t")
        assert sorted(member_sources(thread)) == ["DevWire", "DevWire", "Ledger Street", "Morning Tensor", "The Kernel Post"]
        assert thread.border_title == "Also covered by 4 other sources"
        assert f"{SPARK_CIRCUIT} +4 sources" in row, row


async def test_thread_list_does_not_count_the_pieces_own_source(tmp_path):
    import_threads()
    import_files(devwire_follow_up(tmp_path))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, DEVWIRE_13)
        await press(pilot, "t")
        listing = app.screen.query_one("#thread-list", ThreadList)
        assert "DevWire" in member_sources(listing)  # the follow-up is listed ...
        assert listing.border_title == "Also covered by 4 other sources"  # ... but is no other source


# -- t where no other issue covered it ------------------------------------------------------------


async def test_t_on_a_story_in_no_thread_says_so():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, TENSOR_14)
        _screen, _issues, items, story, thread = reader_parts(app)
        lone = cat.story(TENSOR_14, TESSELLATE)
        await highlight_story(pilot, lone)
        await press(pilot, "t")
        assert app.messages() == ["No other issue covered this."]
        assert story.display and story.story_id == lone  # opened, with no thread under it
        assert not thread.display and not thread.has_focus
        await press(pilot, "t")  # and again from inside the open story
        assert app.messages() == ["No other issue covered this."] * 2
        assert story.has_focus


async def test_t_on_an_article_in_no_thread_says_so():
    import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, _issues, _items, _story, _thread = reader_parts(app)
        assert screen.title == KERNEL_16  # the newest issue: an article nobody else covered
        await press(pilot, "t")
        assert app.screen is screen
        assert app.messages() == ["No other issue covered this."]


# -- an article's thread (modal) ------------------------------------------------------------------


async def test_t_on_an_article_in_a_thread_opens_the_thread_dialog():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, DEVWIRE_13)
        reader, issues, _items, story, _thread = reader_parts(app)
        await press(pilot, "t")
        dialog = app.screen
        assert isinstance(dialog, ThreadScreen)
        listing = dialog.query_one("#thread-list", ThreadList)
        assert listing.has_focus and listing.highlighted == 0
        assert member_sources(listing) == ["Ledger Street", "The Kernel Post", "The Circuit Sheet", "Morning Tensor"]
        assert listing.border_title == "Also covered by 4 other sources"
        text = flat(screen_text(app))
        assert SPARK_CIRCUIT in text and "Enter opens it · Esc closes" in text
        assert app.messages() == []

        await press(pilot, "escape")  # closes it, the article stays
        assert app.screen is reader and reader.title == DEVWIRE_13

        await press(pilot, "t")
        assert isinstance(app.screen, ThreadScreen)
        await press(pilot, "j", "j", "enter")  # the Circuit Sheet's story
        assert app.screen is reader
        assert reader.title == CIRCUIT_13 and issues.current.id == cat.issues[CIRCUIT_13]
        assert story.display and story.story_id == cat.story(CIRCUIT_13, SPARK_CIRCUIT)
        assert SPARK_CIRCUIT in flat(screen_text(app))


# -- Today ----------------------------------------------------------------------------------------


def digest_rows(app) -> list[DigestOption]:
    rows = app.screen.query_one(DigestList)
    options = [rows.get_option_at_index(i) for i in range(rows.option_count)]
    assert all(isinstance(option, DigestOption) for option in options)
    return options


def status_line(app) -> str:
    return str(app.screen.query_one("#today-status", Static).render())


async def test_today_walks_the_days_and_enter_reads_a_story():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, issues, _items, story, _thread = reader_parts(app)
        await press(pilot, "T")
        today = app.screen
        assert isinstance(today, TodayScreen)
        assert today.title == "Today · 2026-02-16"  # the newest day with unread stories
        assert status_line(app) == "2 issues · 5 stories · 4 unread · [ ] other days · Enter reads"
        assert "Today · 2026-02-16" in screen_text(app)
        assert len(digest_rows(app)) == 5

        await press(pilot, "left_square_bracket")
        assert today.title == "Today · 2026-02-15" and "Today · 2026-02-15" in screen_text(app)
        await press(pilot, "right_square_bracket")
        assert today.title == "Today · 2026-02-16"
        await press(pilot, "right_square_bracket")  # nothing after the newest day
        assert today.title == "Today · 2026-02-16"
        assert "No issues after this day." in app.messages()

        await press(pilot, "left_square_bracket", "left_square_bracket")
        assert today.title == "Today · 2026-02-14"
        assert status_line(app).startswith("3 issues · 10 stories · 9 unread · ")
        rows = digest_rows(app)
        members = [member for row in rows for member in row.row.members]
        # Sponsored blocks are not pieces: no row, no member, no text of theirs.
        assert not {m.item_id for m in members} & cat.sponsored
        assert all(row.row.title != "Sponsored" for row in rows)
        assert "Quarry" not in flat(screen_text(app))
        # Every story of the day's issues is in one row, once.
        day_stories = {sid for (issue, _t), sid in cat.stories.items() if issue in (HARBOR_14, TENSOR_14)}
        assert {m.item_id for m in members if m.item_id} == day_stories
        # The day's biggest story first: Codex-Spark, covered by five sources over three days
        # (one of them today), ahead of stories two sources covered.
        first = rows[0].row
        assert first.title == SPARK_TENSOR and [m.source for m in first.members] == ["Morning Tensor"]
        assert len({m.source for m in first.elsewhere}) == 4
        assert "Morning Tensor · 1 unread · also" in row_text(rows[0])

        await press(pilot, "enter")
        assert app.screen is reader
        assert reader.title == TENSOR_14 and issues.current.id == cat.issues[TENSOR_14]
        assert story.display and story.story_id == cat.story(TENSOR_14, SPARK_TENSOR)
        assert SPARK_TENSOR in flat(screen_text(app))
        assert cat.story(TENSOR_14, SPARK_TENSOR) in read_ids()

        # Esc on the story Today opened goes back to that day's Today; Esc there, to the reader.
        await press(pilot, "escape")
        assert isinstance(app.screen, TodayScreen) and app.screen.title == "Today · 2026-02-14"
        await press(pilot, "escape")
        assert app.screen is reader and not story.display
        await press(pilot, "enter")  # the story again, from its row: Esc now only closes it
        assert story.display and story.story_id == cat.story(TENSOR_14, SPARK_TENSOR)

        # T again, then Escape: back in the reader where it was.
        await press(pilot, "T")
        assert isinstance(app.screen, TodayScreen) and app.screen.title == "Today · 2026-02-16"
        await press(pilot, "escape")
        assert app.screen is reader
        assert story.display and story.story_id == cat.story(TENSOR_14, SPARK_TENSOR)


async def test_back_from_a_story_today_opened_the_cursor_is_on_its_row():
    import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "T", "left_square_bracket", "left_square_bracket")
        assert app.screen.title == "Today · 2026-02-14"
        await press(pilot, "j", "j", "j")
        rows = app.screen.query_one(DigestList)
        assert rows.highlighted == 3
        opened = digest_rows(app)[3].row.first_unread
        await press(pilot, "enter")
        assert not isinstance(app.screen, TodayScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, TodayScreen) and app.screen.title == "Today · 2026-02-14"
        rows = app.screen.query_one(DigestList)
        here = digest_rows(app)[rows.highlighted].row
        assert (opened.issue_id, opened.item_id) in {(m.issue_id, m.item_id) for m in here.members}
        assert rows.highlighted != 0
        # another day starts at its top
        await press(pilot, "right_square_bracket")
        assert app.screen.title == "Today · 2026-02-15" and app.screen.query_one(DigestList).highlighted == 0


async def test_today_groups_a_days_thread_and_opens_its_first_unread_member():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader, _issues, _items, story, _thread = reader_parts(app)
        await press(pilot, "T", "left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert app.screen.title == "Today · 2026-02-13"
        rows = digest_rows(app)
        first = rows[0]
        # DevWire's article and the Circuit Sheet's story report Codex-Spark: one row, two sources.
        assert [m.source for m in first.row.members] == ["DevWire", "The Circuit Sheet"]
        assert first.row.title == SPARK_CIRCUIT
        text = row_text(first)
        assert "DevWire, The Circuit Sheet · 1 unread" in text
        # and who covered it on other days
        assert "also Ledger Street (02-12), The Kernel Post (02-12), Morning Tensor (02-14)" in text
        assert "The Circuit Sheet: The speed is the demo" in text  # its bottom line
        assert sum(1 for row in rows if any(m.source == "DevWire" for m in row.row.members)) == 1
        await press(pilot, "enter")  # the article carries no read mark: the story is the first unread
        assert app.screen is reader and reader.title == CIRCUIT_13
        assert story.display and story.story_id == cat.story(CIRCUIT_13, SPARK_CIRCUIT)


async def test_today_starts_on_the_newest_day_with_unread_stories():
    import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, TENSOR_16)
        await press(pilot, "M")  # the only stories of 16 Feb (the other issue is an article)
        assert any(message.startswith("Marked ") for message in app.messages())
        await press(pilot, "T")
        assert app.screen.title == "Today · 2026-02-15"


async def test_today_and_show_thread_are_palette_commands():
    cat = import_threads()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to_issue(pilot, CIRCUIT_13)
        reader, _issues, _items, story, thread = reader_parts(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"show thread")
        await settle(pilot)
        await press(pilot, "enter")
        assert app.screen is reader
        assert story.display and story.story_id == cat.story(CIRCUIT_13, SPARK_CIRCUIT)
        assert thread.has_focus
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"today")
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, TodayScreen) and app.screen.title == "Today · 2026-02-16"


# -- snapshots ------------------------------------------------------------------------------------


def keys_then(*keys: str, issue: str | None = None):
    async def run_before(pilot) -> None:
        await settle(pilot)
        if issue is not None:
            await go_to_issue(pilot, issue)
        await press(pilot, *keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_today_snapshot(snap_compare, size):
    import_threads()
    run_before = keys_then("T", "left_square_bracket", "left_square_bracket")
    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_story_thread_snapshot(snap_compare, size):
    import_threads()
    run_before = keys_then("enter", "t", issue=CIRCUIT_13)
    assert snap_compare(new_app(), terminal_size=size, run_before=run_before)
