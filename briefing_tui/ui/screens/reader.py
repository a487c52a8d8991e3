"""The main screen: issues and sections on the left, the selected part of the issue on the right.

The screen holds the reader's state (the open issue, its section, the list's filters) as typed
reactives bound into the panes; the panes draw it and post what the user chose. Everything
that reads or writes SQLite runs in a worker thread.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import platformdirs
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from briefing_tui.config import Config
from briefing_tui.library import ISSUE_ORDERS, AddResult, FeedInfo, IssueSummary, IssueView, Library, StoreError
from briefing_tui.model import Link, ShortlistItem, Story
from briefing_tui.session import Session
from briefing_tui.ui import rendering
from briefing_tui.ui.browser import open_url
from briefing_tui.ui.messages import IssueLoaded, IssuesListed, Listing, RefreshFinished, RefreshProgress, SampleImported, ThreadsPlaced
from briefing_tui.ui.widgets.issue_list import PAGE, IssueList
from briefing_tui.ui.widgets.item_list import Item, ItemList, item_of, links_of, section_title
from briefing_tui.ui.widgets.section_list import SectionList
from briefing_tui.ui.widgets.story_view import StoryView
from briefing_tui.ui.widgets.thread_list import ThreadList
from briefing_tui.ui.writes import StateWriter

if TYPE_CHECKING:
    from briefing_tui.library import ThreadMember
    from briefing_tui.ui.screens.search import SearchJump


#: Sections where a search hit is inside a story: the hit opens the story.
_STORY_SECTIONS = ("headlines", "lead", "body")

#: Seconds after the last move before where the reader is gets saved.
SESSION_SAVE_DELAY = 1.0

#: Something to do once an issue is on screen.
Then = Callable[[], None]


class Place(NamedTuple):
    """A place in the reader: an issue, its section, and the story open there (if any)."""

    issue_id: str
    section: str
    item_id: str | None


class ReaderScreen(Screen):
    HELP_GROUP = "Reader"
    #: Each binding is the one declaration of its action: the footer, the help screen and the
    #: command palette (description, tooltip as the palette's help) are made from these.
    BINDINGS = [
        Binding("1", "section('headlines')", "Show Headlines", show=False, id="section.headlines", tooltip="One row per story"),
        Binding("2", "section('unpacked')", "Show Unpacked", show=False, id="section.unpacked", tooltip="Every story's bullets"),
        Binding("3", "section('bottom_line')", "Show Bottom line", show=False, id="section.bottom_line", tooltip="The whole issue in thirty seconds"),
        Binding("4", "section('shortlist')", "Show Shortlist", show=False, id="section.shortlist", tooltip="The quick items"),
        Binding("5", "section('references')", "Show References", show=False, id="section.references", tooltip="Publishers, titles and links"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key the reader knows"),
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Leave briefing-tui"),
        Binding("n", "step_unread(1)", "Next unread", id="next_unread", tooltip="Open the next unread story, across issues (wraps around)"),
        Binding("p", "step_unread(-1)", "Previous unread", show=False, id="previous_unread", tooltip="Open the previous unread story (wraps around)"),
        Binding("right_square_bracket", "step_issue(1)", "Next issue", show=False, id="next_issue", tooltip="Move to the next issue"),
        Binding("left_square_bracket", "step_issue(-1)", "Previous issue", show=False, id="previous_issue", tooltip="Move to the previous issue"),
        Binding("slash", "search", "Search", id="search", tooltip="Full-text search across every cached issue"),
        Binding("asterisk", "starred", "Starred", show=False, id="starred", tooltip="Every starred story and quick item, newest first"),
        Binding("t", "thread", "Show thread", show=False, id="thread", tooltip="Who else covered the story under the cursor"),
        Binding("T", "today", "Today", id="today", tooltip="The day's issues thread by thread, with each source's bottom line"),
        Binding("m", "toggle_read", "Read/unread", id="toggle_read", tooltip="Mark the item under the cursor (or the issue) read or unread"),
        Binding("M", "mark_issue_read", "Mark issue read", show=False, id="mark_issue_read", tooltip="Mark every story of this issue read"),
        Binding("A", "mark_listed_read", "Mark all read", show=False, id="mark_all_read", tooltip="Mark every issue in the list read (with a source filter: that source's)"),
        Binding("u", "toggle_unread_only", "Unread only", show=False, id="unread_only", tooltip="Show only issues with unread stories"),
        Binding("S", "cycle_order", "Sort issues", show=False, id="sort", tooltip="Order the issue list: newest first, unread first, or grouped by newsletter"),
        Binding("s", "toggle_star", "Star", show=False, id="star", tooltip="Star or unstar the item under the cursor"),
        Binding("o", "open_link", "Open link", show=False, id="open_link", tooltip="Open the link under the cursor in the browser"),
        Binding("O", "open_issue_page", "Open issue's web page", show=False, id="open_issue_page", tooltip="Open the web version of the open issue"),
        Binding("z", "toggle_sidebar", "Hide or show the sidebar", show=False, id="toggle_sidebar", tooltip="Give the whole width to the story (newsboat-style reading on narrow terminals)"),
        Binding("w", "read_issue", "Read whole issue", show=False, id="read_issue", tooltip="The whole issue in one scroll: intro, every story, shortlist, references"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch every subscription in the background"),
        Binding("a", "add_feed", "Add feed", show=False, id="add_feed", tooltip="Subscribe to an RSS, Atom or JSON feed (or a web page that names one), or an IMAP folder"),
        Binding("F", "feeds", "Feeds", id="feeds", tooltip="Every feed with its unread count and last error: refresh, rename, remove, mark read"),
        Binding("e", "export_issue", "Export issue as Markdown", show=False, id="export_issue", tooltip="Save the open issue as Markdown to your downloads (in a browser: download it)"),
        Binding("escape,backspace", "back", "Back", show=False, id="back", tooltip="Close the story (or go back to the story a thread jump came from), or go back to the issue list"),
    ]

    #: The open issue with the reader's marks; replaced (never changed) when a mark changes.
    view: reactive[IssueView | None] = reactive(None, always_update=True, init=False)
    #: The open section of the issue ("headlines", ..., "intro", "section:N").
    section: reactive[str] = reactive("headlines", init=False, always_update=True)
    unread_only: reactive[bool] = reactive(False, init=False)
    source_filter: reactive[str | None] = reactive(None, init=False)
    #: The issue list's order: "newest", "unread" (issues with unread stories first), "source".
    order: reactive[str] = reactive("newest", init=False)

    def __init__(
        self,
        library: Library,
        config: Config | None = None,
        session: Session | None = None,
        first_listing: IssuesListed | None = None,
    ) -> None:
        super().__init__()
        #: The issue list as the app read it on opening the library (see :func:`list_issues`).
        self.first_listing = first_listing
        self.library = library
        self.config = config or Config()
        self.mark_read_on_open = self.config.mark_read_on_open
        #: Where the reader was left last time: opened again at start.
        self.resume = session or Session()
        self.refreshing = False
        self._save_timer: Timer | None = None
        #: The section the reader last chose: each issue opens on it when it has content there.
        self._wanted_section = "headlines"
        #: The search that last led somewhere: `/` starts from it again.
        self.last_query = ""
        #: Bumped by every listing of the issues: an older listing that finishes late is dropped.
        self._listing = 0
        self.writer = StateWriter(self, self._write_failed)
        #: Jumps Esc can undo, newest last: (the issue and item a jump opened, how to go back).
        #: A jump to another source of a story's thread goes back to the story; one from
        #: Today, to that day's Today.
        self._trail: list[tuple[tuple[str, str | None], Then]] = []
        #: Read items of each issue before m marked it all read: m again gives them back.
        self._read_before: dict[str, frozenset[str]] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Vertical(id="sidebar"):
            yield IssueList(id="issues")
            yield SectionList(id="sections").data_bind(ReaderScreen.view, ReaderScreen.section)
            yield Static(id="status")
        with Vertical(id="content"):
            yield Static(id="empty")
            yield ItemList(id="items").data_bind(ReaderScreen.view, ReaderScreen.section)
        # The story pane and the footer are mounted after the first frame (_mount_rest): the
        # first screen is the issue list and the open issue's headlines.

    # -- start-up --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one(SectionList).display = False
        self.call_after_refresh(self._mount_rest)
        self.query_one(IssueList).focus()
        resume = self.resume
        # Set without watchers: the one listing below uses them.
        self.set_reactive(ReaderScreen.unread_only, resume.unread_only)
        self.set_reactive(ReaderScreen.source_filter, resume.source_filter)
        self.set_reactive(ReaderScreen.order, resume.order if resume.order in ISSUE_ORDERS else "newest")
        self.set_reactive(ReaderScreen.section, resume.section)
        self._wanted_section = resume.section
        self._listing += 1
        first = self.first_listing
        if first is not None and first.listing == self.listing:
            # read while the app opened the library, before the first frame: the list paints at once
            first.token, first.then = self._listing, self._started
            self.on_issues_listed(first)
        else:
            self.reload_issues(keep=resume.issue_id, then=self._started)
        for notice in self.library.notices:
            self.app.notify(notice, severity="warning", timeout=15, markup=False)
        if self.config.refresh_minutes:
            self.set_interval(self.config.refresh_minutes * 60, self._timed_refresh, name="timed refresh")

    async def _mount_rest(self) -> None:
        """After the first frame: the footer, and the story pane, so the first story opens at once."""
        await self.mount(Footer())
        # A footer lists keys when the screen announces its bindings, which it did at start-up.
        self.refresh_bindings()
        self.story_pane  # noqa: B018 - mounted now, ready when the first story opens

    def _hide_story(self) -> None:
        if self.story_open:
            self.story_pane.display = False

    @property
    def story_pane(self) -> StoryView:
        """The pane a story (or the whole issue) is read in; mounted, hidden, on first use."""
        try:
            return self.query_one("#story", StoryView)
        except NoMatches:
            pane = StoryView(id="story")
            pane.display = False
            self.query_one("#content").mount(pane)
            return pane

    def session_now(self, theme: str | None) -> Session:
        """Where the reader is now, to open there next time."""
        return Session(
            issue_id=self.view.id if self.view else None,
            section=self.section,
            source_filter=self.source_filter,
            unread_only=self.unread_only,
            order=self.order,
            theme=theme,
        )

    def _timed_refresh(self) -> None:
        if not self.refreshing:
            self.action_refresh()

    def _started(self, listed: IssuesListed) -> None:
        if self.config.refresh_on_start and listed.subscribed:
            self.action_refresh()
        if listed.count:
            # The issue list is the first screen; the open issue's rows follow a frame later.
            self.call_after_refresh(self.open_current_issue)
        elif not listed.subscribed:
            self.show_empty(Text("Loading…", style="dim"))
            self.import_sample()
        else:
            self.show_empty(Text("Nothing cached yet. Press r to fetch your feeds.", style="dim"))
        self.index_and_thread()

    @work(thread=True, exclusive=True, group="background")
    def index_and_thread(self) -> None:
        """Phase two of a refresh, in the background: parse and index what a refresh stored raw
        (newest first; an issue opened meanwhile is parsed at once), then group new issues (and
        any stored before threads existed) into threads."""
        worker = get_current_worker()
        status = self.query_one("#status", Static)
        indexed = 0
        try:
            pending = self.library.pending_index()
            if pending:
                def progress(done: int, total: int) -> None:
                    self._from_thread(status.update, Text(f"Indexing {done}/{total} new issues…", style="dim"))

                self._from_thread(status.update, Text(f"Indexing {pending} new issues…", style="dim"))
                report = self.library.index_pending(progress, cancelled=lambda: worker.is_cancelled)
                indexed = report.indexed
                for problem in report.unparsed[:3]:
                    self._from_thread(self.app.notify, problem, severity="warning", markup=False)
                if report.error:
                    self._from_thread(self.app.notify, f"Indexing stopped: {report.error}", severity="error", markup=False)
                self.post_message(ThreadsPlaced(indexed))
            threads = self.library.pending_threads()
            if threads and not worker.is_cancelled:
                self._from_thread(status.update, Text(f"Finding stories other sources covered ({threads} issues)…", style="dim"))
                self.library.update_threads()
        except StoreError as error:
            self._from_thread(self.app.notify, f"Could not index new issues: {error}", severity="warning", markup=False)
        self.post_message(ThreadsPlaced(0))

    def _from_thread(self, callback, *args, **kwargs) -> None:
        try:
            self.app.call_from_thread(callback, *args, **kwargs)
        except RuntimeError:
            pass  # the reader has closed meanwhile

    def on_threads_placed(self, message: ThreadsPlaced) -> None:
        if not self.refreshing:
            self.query_one("#status", Static).update("")
        if message.indexed:  # counts are known now: the list shows them
            self.reload_issues(keep=self.view.id if self.view else None)
        if self.view is not None and not self.story_open:
            self.load_issue(self.view.id)

    @work(thread=True, exclusive=True, group="import")
    def import_sample(self) -> None:
        from briefing_tui.samples import sample_paths

        report = self.library.import_paths([str(path) for path in sample_paths()])
        self.post_message(SampleImported(report))

    def on_sample_imported(self, message: SampleImported) -> None:
        self.reload_issues(then=lambda listed: self._sample_shown(listed, message))

    def _sample_shown(self, listed: IssuesListed, message: SampleImported) -> None:
        if not listed.count:
            self.show_empty(
                Text("No issues yet. Press a to add a feed (or run: briefing-tui add URL), then r to refresh.", style="dim")
            )
            return
        self.open_current_issue()
        self.app.notify(
            ("A sample briefing is" if message.report.new == 1 else "Sample briefings are")
            + " loaded. Press a to add a feed (or run: briefing-tui add URL), then r to refresh.",
            title="Welcome to briefing-tui",
            timeout=12,
            markup=False,
        )

    # -- issue list ------------------------------------------------------------------------------
    def reload_issues(self, keep: str | None = None, then: Callable[[IssuesListed], None] | None = None) -> None:
        """List the issues again (filters changed, new issues, marks that change what is listed),
        keeping the cursor on ``keep`` when it is still listed."""
        self._listing += 1
        self._list_issues(self._listing, self.listing, keep, then)

    @property
    def listing(self) -> Listing:
        return Listing(self.unread_only, self.source_filter, self.order)

    @work(thread=True, exclusive=True, group="list-issues")
    def _list_issues(self, token: int, listing: Listing, keep: str | None, then) -> None:
        try:
            listed = list_issues(self.library, listing, keep)
        except StoreError as error:
            self._from_thread(self.app.notify, f"Could not list the issues: {error}", severity="error", markup=False)
            return
        listed.token, listed.then = token, then
        self.post_message(listed)

    def on_issues_listed(self, listed: IssuesListed) -> None:
        if listed.token != self._listing:
            return
        filters = listed.listing.filters
        self.query_one(IssueList).load(
            listed.count,
            lambda offset, limit: self.library.issues(offset=offset, limit=limit, **filters),
            position=listed.position or 0,
            pages=listed.pages,
        )
        self._title_list(listed.count)
        if listed.then is not None:
            listed.then(listed)

    def _title_list(self, count: int) -> None:
        parts = [f"Issues {count}"]
        if self.unread_only:
            parts.append("unread")
        if self.order != "newest":
            parts.append("unread first" if self.order == "unread" else "by newsletter")
        if self.source_filter:
            parts.append(rendering.shown(self.source_filter, 20))
        # Content, not a str: a source name is shown as written, never read as markup.
        self.query_one(IssueList).border_title = Content(" · ".join(parts))

    def open_current_issue(self, then: Then | None = None) -> None:
        issue = self.query_one(IssueList).current
        if issue is not None:
            self.load_issue(issue.id, then)

    @on(IssueList.Highlighted)
    def issue_highlighted(self, event: IssueList.Highlighted) -> None:
        if self.view is None or event.issue.id != self.view.id:
            self.load_issue(event.issue.id)

    @on(IssueList.Selected)
    def issue_selected(self, event: IssueList.Selected) -> None:
        if self.view is not None and self.view.id == event.issue.id:
            self.show_section(self.section, focus=True)
        else:
            self.load_issue(event.issue.id, lambda: self.show_section(self.section, focus=True))

    @work(thread=True, exclusive=True, group="load-issue")
    def load_issue(self, issue_id: str, then: Then | None = None) -> None:
        try:
            view = self.library.open_issue(issue_id)
        except Exception as error:  # noqa: BLE001 - a damaged cache row must not end the reader
            self._from_thread(self.app.notify, f"Could not open this issue: {error}", severity="error", markup=False)
            return
        self.post_message(IssueLoaded(view, then))

    def on_issue_loaded(self, message: IssueLoaded) -> None:
        view = message.view
        if view is None:
            return
        briefing = view.briefing
        self.title = rendering.shown(briefing.title, 200)
        self.sub_title = " · ".join(part for part in (rendering.shown(briefing.source, 80), briefing.date) if part)
        self.query_one("#empty", Static).display = False
        same = self.view is not None and self.view.id == view.id
        entries = {entry.key: entry for entry in rendering.section_entries(briefing, view.read)}
        with self.app.batch_update():
            if not same:
                # the section last chosen, where this issue has something in it; else its first
                # section with content (an article: its intro)
                wanted = entries.get(self._wanted_section)
                if wanted is not None and wanted.count:
                    self.section = self._wanted_section
                else:
                    self.section = next((key for key, entry in entries.items() if entry.count), "headlines")
            elif self.section not in entries:
                self.section = "headlines"
            self.view = view
            if message.then is not None:
                message.then()
            elif not same or not self.story_open:
                self.show_section(self.section)

    # -- sections --------------------------------------------------------------------------------
    def show_section(self, key: str, *, focus: bool = False, select: Item | None = None) -> None:
        if self.view is None:
            return
        keys = self.query_one(SectionList).keys
        self.section = key if key in keys else "headlines"
        items = self.query_one(ItemList)
        self._hide_story()
        items.display = True
        if select is not None:
            items.select_item(select)
        if focus:
            items.focus()

    @on(SectionList.Chosen)
    def section_chosen(self, event: SectionList.Chosen) -> None:
        self.show_section(event.key, focus=event.focus)
        self._wanted_section = self.section

    def action_section(self, key: str) -> None:
        self.show_section(key, focus=True)
        self._wanted_section = self.section

    # -- stories ---------------------------------------------------------------------------------
    def _story(self, story_id: str) -> Story | None:
        if self.view is None:
            return None
        return next((story for story in self.view.briefing.stories if story.id == story_id), None)

    @on(ItemList.StoryChosen)
    def story_chosen(self, event: ItemList.StoryChosen) -> None:
        self.open_story(event.story)

    def open_story(self, story: Story) -> None:
        view = self.view
        if view is None:
            return
        if self.mark_read_on_open and not story.sponsored and story.id not in view.read:
            self._set_read([story.id], True)
        items = self.query_one(ItemList)
        items.select_item(story)
        items.display = False
        pane = self.story_pane
        pane.display = True
        pane.border_title = section_title(self.view, self.section) + " › story"
        pane.show_story(story, self.view)
        pane.focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display
        if not sidebar.display and isinstance(self.focused, (IssueList, SectionList)):
            content = self.story_pane if self.story_open else self.query_one(ItemList)
            content.focus()

    def action_read_issue(self) -> None:
        view = self.view
        if view is None:
            return
        self.query_one(ItemList).display = False
        pane = self.story_pane
        pane.display = True
        pane.border_title = Content("Whole issue")
        pane.show_issue(view)
        pane.focus()

    def action_open_issue_page(self) -> None:
        if self.view is not None and self.view.briefing.url:
            open_url(self.app, self.view.briefing.url)
        elif self.view is not None:
            self.app.notify("This issue has no web version.", markup=False)

    @property
    def story_open(self) -> bool:
        try:
            return self.query_one("#story", StoryView).display
        except NoMatches:
            return False

    def current_item(self) -> Item | None:
        """The story, quick item or reference under the cursor (the open story, when one is)."""
        if self.story_open:
            return self.story_pane.story
        return item_of(self.query_one(ItemList).current_option)

    def _place(self) -> Place | None:
        """Where the reader is: the issue, its section and the open story (or article)."""
        if self.view is None:
            return None
        story = self.story_pane.story if self.story_open else None
        return Place(self.view.id, self.section, story.id if story is not None else None)

    def _jumped(self, member: ThreadMember, back: Then) -> None:
        """Open ``member``; Esc on it runs ``back``."""
        self._trail.append(((member.issue_id, member.item_id), back))
        del self._trail[:-50]
        self.open_member(member)

    def action_back(self) -> None:
        if self._trail:
            went, back = self._trail.pop()
            here = self._place()
            if here is not None and (here.issue_id, here.item_id) == went:
                back()
                return
            self._trail.clear()  # the reader has moved on since the jump
        if self.story_open:
            self.show_section(self.section, focus=True, select=self.current_item())
        elif isinstance(self.focused, (ItemList, SectionList)):
            self.query_one("#sidebar").display = True  # the issue list is where Esc goes
            self.query_one(IssueList).focus()
        elif self.source_filter or self.unread_only:  # in the issue list: back to every issue
            self.set_reactive(ReaderScreen.unread_only, False)
            self.source_filter = None
            self.app.notify("Showing all issues.", markup=False)

    # -- marks -----------------------------------------------------------------------------------
    def _set_read(self, item_ids: list[str], read: bool) -> None:
        view = self.view
        assert view is not None
        if read:
            self.writer.save("Read mark", lambda: self.library.mark_read(item_ids, view.id), then=self._saved)
            marks = view.read | set(item_ids)
        else:
            self.writer.save("Unread mark", lambda: self.library.mark_unread(item_ids), then=self._saved)
            marks = view.read - set(item_ids)
        self.view = dataclasses.replace(view, read=frozenset(marks))

    def _saved(self, _result: object = None) -> None:
        """Marks are stored: the issue list's unread counts (read from the store) follow. With
        only unread issues listed (or unread ones first), the list is made again, so its count
        and its order stay true."""
        if self.unread_only or self.order == "unread":
            self.reload_issues(keep=self.view.id if self.view else None)
        else:
            self.query_one(IssueList).invalidate()

    def action_toggle_read(self) -> None:
        if isinstance(self.focused, IssueList):
            issue = self.query_one(IssueList).current
            if issue is not None:
                self._toggle_issue_read(issue)
            return
        if self.view is None:
            return
        item = self.current_item()
        if isinstance(item, Story) and item.sponsored:
            self.app.notify("Sponsored blocks carry no read mark.", markup=False)
        elif isinstance(item, (Story, ShortlistItem)):
            self._set_read([item.id], item.id not in self.view.read)

    def _toggle_issue_read(self, issue: IssueSummary) -> None:
        """m on an issue row: all read; on a read one, back to the marks it had before the last
        m (a partly read issue stays partly read), else all unread."""
        library, issue_id = self.library, issue.id
        if issue.unread is None or issue.unread > 0:

            def mark_all() -> frozenset[str]:
                before = library.issue_read_ids(issue_id)
                library.mark_issue_read(issue_id)
                return before

            def remember(before: frozenset[str]) -> None:
                self._read_before[issue_id] = before
                self._marks_changed(issue_id)

            self.writer.save("Read marks", mark_all, then=remember)
            return
        before = self._read_before.pop(issue_id, frozenset())

        def restore() -> int:
            count = library.mark_issue_unread(issue_id)
            library.mark_read(before, issue_id)
            return count

        self.writer.save("Read marks", restore, then=lambda _count: self._marks_changed(issue_id))

    def _marks_changed(self, issue_id: str) -> None:
        """Marks of ``issue_id`` were written in bulk: read them back if it is open."""
        self._saved()
        if self.view is not None and self.view.id == issue_id:
            self._reload_marks(issue_id)

    @work(thread=True, exclusive=True, group="reload-marks")
    def _reload_marks(self, issue_id: str) -> None:
        try:
            fresh = self.library.open_issue(issue_id)
        except StoreError as error:
            self._from_thread(self.app.notify, f"Cannot read the read state: {error}", severity="error", markup=False)
            return
        if fresh is not None:
            self.app.call_from_thread(self._marks_read_back, fresh)

    def _marks_read_back(self, fresh: IssueView) -> None:
        if self.view is not None and self.view.id == fresh.id:
            self.view = dataclasses.replace(self.view, read=fresh.read, starred=fresh.starred)

    def _write_failed(self, what: str, error: str) -> None:
        self.app.notify(f"{what} not saved: {error}", title="Read state", severity="error", markup=False, timeout=8)
        if self.view is not None:
            self._reload_marks(self.view.id)

    def action_mark_issue_read(self) -> None:
        issue_id = self.view.id if self.view else None
        if isinstance(self.focused, IssueList) and self.query_one(IssueList).current:
            issue_id = self.query_one(IssueList).current.id
        if issue_id is None:
            return

        def done(count: int) -> None:
            self._marks_changed(issue_id)
            self.app.notify(f"Marked {count} item{'s' if count != 1 else ''} read.", markup=False)

        self.writer.save("Read marks", lambda: self.library.mark_issue_read(issue_id), then=done)

    def action_mark_listed_read(self) -> None:
        from briefing_tui.ui.screens.dialogs import ConfirmScreen
        source = self.source_filter
        whose = f"from {rendering.shown(source, 40)} " if source else ""
        self.app.push_screen(
            ConfirmScreen(f"Mark every issue {whose}read?"),
            lambda yes: self._mark_listed_read(source) if yes else None,
        )

    def _mark_listed_read(self, source: str | None) -> None:
        def done(count: int) -> None:
            self._saved()
            if self.view is not None:
                self._reload_marks(self.view.id)
            self.app.notify(f"Marked {count} item{'s' if count != 1 else ''} read.", markup=False)

        self.writer.save("Read marks", lambda: self.library.mark_listed_read(source=source), then=done)

    def action_toggle_star(self) -> None:
        view = self.view
        item = self.current_item()
        if view is None or not isinstance(item, (Story, ShortlistItem)):
            return
        starred = item.id not in view.starred
        self.writer.save("Star", lambda: self.library.set_starred(item.id, view.id, starred))
        marks = view.starred | {item.id} if starred else view.starred - {item.id}
        self.view = dataclasses.replace(view, starred=frozenset(marks))
        self.app.notify("Starred." if starred else "Star removed.", markup=False)

    def watch_view(self, view: IssueView | None) -> None:
        """A mark changed the open story: draw it again where the reader is in it."""
        pane = self.story_pane
        if view is not None and pane.display:
            pane.update_story(view)
        self._remember()

    def watch_section(self) -> None:
        self._remember()

    def _remember(self) -> None:
        """Save where the reader is a moment after it changes (not only at a clean exit: a
        closed terminal ends the program without one)."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SESSION_SAVE_DELAY, self.app.save_session)

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self.app.notify("Showing issues with unread stories." if self.unread_only else "Showing all issues.", markup=False)

    def watch_unread_only(self) -> None:
        self.reload_issues(keep=self.view.id if self.view else None)
        self._remember()

    def action_cycle_order(self) -> None:
        self.order = ISSUE_ORDERS[(ISSUE_ORDERS.index(self.order) + 1) % len(ISSUE_ORDERS)]
        names = {"newest": "newest first", "unread": "unread first", "source": "grouped by newsletter"}
        self.app.notify(f"Issues {names[self.order]}.", markup=False)

    def watch_order(self) -> None:
        self.reload_issues(keep=self.view.id if self.view else None)
        self._remember()

    def set_source_filter(self, source: str | None) -> None:
        self.source_filter = source

    def watch_source_filter(self) -> None:
        self.reload_issues(keep=self.view.id if self.view else None, then=lambda _listed: self.open_current_issue())
        self._remember()

    # -- moving between stories and issues ------------------------------------------------------
    def _unread_story(self, first: bool) -> Story | None:
        if self.view is None:
            return None
        stories = [s for s in self.view.briefing.stories if not s.sponsored and s.id not in self.view.read]
        if not stories:
            return None
        return stories[0] if first else stories[-1]

    def action_step_unread(self, step: int) -> None:
        view = self.view
        if view is not None:
            stories = list(view.briefing.stories)
            current = self.current_item()
            if isinstance(current, Story) and current in stories:
                position = stories.index(current)
                if not self.story_open:
                    position -= step  # the row under the cursor has not been opened: it comes first
            else:
                position = -1 if step > 0 else len(stories)
            index = position + step
            while 0 <= index < len(stories):
                if not stories[index].sponsored and stories[index].id not in view.read:
                    if not self.story_open:
                        self.show_section("headlines")
                    self.open_story(stories[index])
                    return
                index += step
        self._next_unread_issue(view.id if view else None, step, self.listing)

    @work(thread=True, exclusive=True, group="next-unread")
    def _next_unread_issue(self, issue_id: str | None, step: int, listing: Listing) -> None:
        try:
            found = self.library.next_unread_issue(issue_id, step, **listing.filters)
        except StoreError as error:
            self._from_thread(self.app.notify, f"Could not read the issue list: {error}", severity="error", markup=False)
            return
        self.app.call_from_thread(self._step_to_issue, found, step)

    def _step_to_issue(self, found: tuple[int, IssueSummary, bool] | None, step: int) -> None:
        if found is None:
            self.app.notify("No more unread stories.", markup=False)
            return
        position, issue, wrapped = found
        if wrapped:
            self.app.notify(f"Continued from the {'top' if step > 0 else 'bottom'} of the list.", markup=False)
        self.query_one(IssueList).set_cursor(position, announce=False)
        self.load_issue(issue.id, lambda: self._open_unread(first=step > 0))

    def _open_unread(self, first: bool) -> None:
        story = self._unread_story(first)
        self.show_section("headlines")
        if story is not None:
            self.open_story(story)

    def action_step_issue(self, step: int) -> None:
        issues = self.query_one(IssueList)
        issues.set_cursor(issues.cursor + step)

    # -- links -----------------------------------------------------------------------------------
    def _links_here(self) -> list[Link]:
        if self.view is None:
            return []
        if self.story_open:
            story = self.story_pane.story
            if story is None:  # the whole issue: every link it numbers, then its web page
                return rendering.issue_links(self.view.briefing)
            return list(story.links)
        return links_of(self.query_one(ItemList).current_option)

    def action_open_link(self) -> None:
        self.follow(self._links_here(), self.current_item())

    @on(ItemList.LinksChosen)
    def links_chosen(self, event: ItemList.LinksChosen) -> None:
        self.follow(event.links, event.item)

    def follow(self, links: list[Link], item: Item | None) -> None:
        """Open a link of ``item`` (a picker when it has several; the issue's web page when it
        has none); a quick item is read once its link is followed, as a story is once opened."""
        from briefing_tui.ui.screens.dialogs import LinkPickerScreen
        if not links and self.view is not None and self.view.briefing.url:
            links = [Link(self.view.briefing.title, self.view.briefing.url)]
        if not links:
            self.app.notify("No link here.", markup=False)
            return
        view = self.view
        if self.mark_read_on_open and isinstance(item, ShortlistItem) and view and item.id not in view.read:
            self._set_read([item.id], True)
        if len(links) == 1:
            open_url(self.app, links[0].url)
        else:
            self.app.push_screen(LinkPickerScreen(links), lambda url: open_url(self.app, url) if url else None)

    # -- search, threads, today ------------------------------------------------------------------
    def action_search(self) -> None:
        from briefing_tui.ui.screens.search import SearchScreen
        self.app.push_screen(SearchScreen(self.library, self.last_query), self.jump_from_search)

    def action_starred(self) -> None:
        from briefing_tui.ui.screens.search import SearchScreen
        self.app.push_screen(SearchScreen(self.library, "is:starred"), self.jump_from_search)

    def jump_from_search(self, jump: SearchJump | None) -> None:
        if jump is not None:
            self.last_query = jump.query
            self.go_to(jump.issue_id, lambda: self.jump_to(jump.section, jump.item_id))

    def go_to(self, issue_id: str, then: Then) -> None:
        """Open another issue, dropping the list's filters when they hide it."""
        self._go_to(issue_id, then, self.listing)

    @work(thread=True, exclusive=True, group="go-to")
    def _go_to(self, issue_id: str, then: Then, listing: Listing) -> None:
        try:
            filtered = listing.unread_only or listing.source
            hidden = filtered and self.library.position_of(issue_id, **listing.filters) is None
        except StoreError:
            hidden = True
        self.app.call_from_thread(self._went_to, issue_id, then, bool(hidden))

    def _went_to(self, issue_id: str, then: Then, hidden: bool) -> None:
        if hidden:  # both filters change, for one listing (set_reactive runs no watcher)
            self.set_reactive(ReaderScreen.unread_only, False)
            self.set_reactive(ReaderScreen.source_filter, None)
        self.reload_issues(keep=issue_id)
        self.load_issue(issue_id, then)

    def open_member(self, member: ThreadMember | None) -> None:
        """Open a piece of a thread: a story of another issue, or a whole issue."""
        if member is None:
            return
        if member.item_id:
            item_id = member.item_id
            self.go_to(member.issue_id, lambda: self.jump_to("headlines", item_id))
        else:
            self.go_to(member.issue_id, lambda: self.show_section("intro", focus=True))

    def _return_to(self, place: Place) -> None:
        if place.item_id:
            item_id = place.item_id
            self.go_to(place.issue_id, lambda: self.jump_to(place.section, item_id))
        else:
            self.go_to(place.issue_id, lambda: self.show_section(place.section, focus=True))

    def open_member_from_here(self, member: ThreadMember | None) -> None:
        """Open another piece of this story's thread; Esc there comes back here."""
        here = self._place()
        if member is not None and here is not None:
            self._jumped(member, lambda: self._return_to(here))

    @on(ThreadList.MemberChosen)
    def thread_member_chosen(self, event: ThreadList.MemberChosen) -> None:
        self.open_member_from_here(event.member)

    def action_thread(self) -> None:
        """Show who else covered the story under the cursor (or this article)."""
        from briefing_tui.ui.screens.dialogs import ThreadScreen
        view = self.view
        if view is None:
            return
        if not self.story_open:
            item = self.current_item()
            if isinstance(item, Story):
                self.open_story(item)
            elif not view.briefing.stories and "" in view.threads:
                self.app.push_screen(ThreadScreen(view.threads[""], (view.id, None)), self.open_member_from_here)
                return
        pane = self.story_pane
        if self.story_open and pane.thread_list.display:
            pane.thread_list.focus()
            self.call_after_refresh(pane.scroll_to_widget, pane.thread_list, animate=False)
        else:
            self.app.notify("No other issue covered this.", markup=False)

    def action_today(self, day: str | None = None, at: ThreadMember | None = None) -> None:
        from briefing_tui.ui.screens.today import TodayScreen
        self.app.push_screen(TodayScreen(self.library, day, at), self._open_from_today)

    def _open_from_today(self, member: ThreadMember | None) -> None:
        """Open what Today chose; Esc there goes back to that day's Today, on its row."""
        if member is not None:
            self._jumped(member, lambda: self._back_to_today(member))

    def _back_to_today(self, member: ThreadMember) -> None:
        if self.story_open:
            self.show_section(self.section, select=self.current_item())
        self.action_today(member.day, member)

    def jump_to(self, section: str, item_id: str) -> None:
        """Show the item a search hit (or a thread member) named, in its section."""
        story = self._story(item_id)
        if story is not None and section in _STORY_SECTIONS:
            self.show_section("headlines")
            self.open_story(story)
            return
        self.show_section(section, focus=True)
        self.query_one(ItemList).select_item_id(item_id)

    # -- refresh and feeds ----------------------------------------------------------------------
    def action_refresh(self) -> None:
        if self.refreshing:
            self.app.notify("A refresh is already running.", markup=False)
            return
        self.refreshing = True
        self.query_one("#status", Static).update(Text("Refreshing…", style="dim"))
        self.refresh_feeds()

    @work(thread=True, exclusive=True, group="refresh")
    def refresh_feeds(self, urls: list[str] | None = None) -> None:
        try:
            if urls is None and not self.library.subscriptions():
                self._from_thread(self.app.notify, "No feeds yet: press a to add one.", markup=False)
                self.post_message(RefreshFinished(None))
                return
            report = self.library.refresh(
                urls=urls,
                progress=lambda outcome, done, total: self.post_message(RefreshProgress(outcome, done, total)),
                thread=False,
                index=False,  # indexed in the background once the new issues are listed
            )
        except Exception as error:  # noqa: BLE001 - shown to the user, the reader keeps running
            self.post_message(RefreshFinished(None, str(error)))
            return
        self.post_message(RefreshFinished(report))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.query_one("#status", Static).update(Text(f"Refreshing {message.done}/{message.total} feeds…", style="dim"))

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.refreshing = False
        self.query_one("#status", Static).update("")
        if message.report is None:
            if message.error is not None:
                self.app.notify(f"Refresh failed: {message.error}", severity="error", markup=False)
            return
        report = message.report
        self.reload_issues(keep=self.view.id if self.view else None, then=self._refreshed)
        failed = report.failed
        text = f"Refreshed {report.summary()}."
        if failed:
            first = failed[0]
            text += f"\n{first.title or first.url}: {first.error}"
            if len(failed) > 1:
                text += f"\n(and {len(failed) - 1} more; press F for the feeds)"
        self.app.notify(text, severity="warning" if failed else "information", timeout=8, markup=False)

    def _refreshed(self, _listed: IssuesListed) -> None:
        self.index_and_thread()
        if self.view is None:
            self.open_current_issue()

    def action_add_feed(self) -> None:
        from briefing_tui.ui.screens.dialogs import AddFeedScreen
        self.app.push_screen(AddFeedScreen(self.library), self._feed_added)

    def _feed_added(self, added: AddResult | None) -> None:
        from briefing_tui.ui.screens.feeds import added_message
        if added is None:
            return
        self.app.notify(added_message(added), markup=False)
        if added.added:
            self.reload_issues(keep=self.view.id if self.view else None, then=self._refreshed)

    def action_feeds(self) -> None:
        from briefing_tui.ui.screens.feeds import FeedsScreen
        self.app.push_screen(FeedsScreen(self.library), self._feeds_closed)

    def _feeds_closed(self, feed: FeedInfo | None) -> None:
        """Back from the feeds: show the chosen feed's issues, or the list as it now is."""
        if feed is not None:
            self.source_filter = feed.title or feed.url
        else:
            self.reload_issues(keep=self.view.id if self.view else None, then=self._refreshed)

    def action_export_issue(self) -> None:
        if self.view is None:
            self.app.notify("No issue is open.", severity="warning", markup=False)
            return
        self._export_issue(self.view.id, self.view.briefing.title, self.app.is_web)

    @work(thread=True, group="export")
    def _export_issue(self, issue_id: str, title: str, web: bool) -> None:
        text = self.library.issue_markdown(issue_id)
        if text is None:
            self._from_thread(self.app.notify, "That issue is no longer cached.", severity="warning", markup=False)
            return
        name = _file_name(title) + ".md"
        if web:
            # served to a browser: the browser downloads it, nothing is written on the server
            self.app.call_from_thread(self.app.deliver_text, io.StringIO(text), save_filename=name, mime_type="text/markdown")
            return
        try:
            path = _new_file(Path(platformdirs.user_downloads_dir()), name, text)
        except OSError as error:
            message = f"Could not save the issue: {error.strerror or error}"
            self._from_thread(self.app.notify, message, severity="error", markup=False)
            return
        self._from_thread(self.app.notify, f"Saved {path}", markup=False)

    def action_help(self) -> None:
        from briefing_tui.ui.screens.help import HelpScreen
        self.app.push_screen(HelpScreen())

    def show_empty(self, message: Text) -> None:
        empty = self.query_one("#empty", Static)
        empty.update(message)
        empty.display = True
        self.query_one(ItemList).display = False
        self._hide_story()


def list_issues(library: Library, listing: Listing, keep: str | None = None) -> IssuesListed:
    """Count the issues ``listing`` shows and read the page ``keep`` is on (the first page
    without it). Reads SQLite: run it in a worker, or while the app opens the library."""
    filters = listing.filters
    count = library.count_issues(unread_only=listing.unread_only, source=listing.source)
    position = library.position_of(keep, **filters) if keep else None
    page = (position or 0) // PAGE
    pages = {page: library.issues(offset=page * PAGE, limit=PAGE, **filters)}
    subscribed = bool(count) or bool(library.subscriptions())
    return IssuesListed(0, listing, count, position, pages, subscribed, None)


def _file_name(title: str) -> str:
    """A file name from an issue's title: letters, digits and dashes, at most 80 characters."""
    slug = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-_").lower()[:80].strip("-")
    return slug or "issue"


def _new_file(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to a new file in ``folder`` (name, then name-2, name-3 ...); never overwrites."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    for number in range(1, 1000):
        path = folder / (name if number == 1 else f"{stem}-{number}{suffix}")
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder}/{name}")
