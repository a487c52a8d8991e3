"""The main screen: issues and sections on the left, the selected part of the issue on the right."""

from __future__ import annotations

import dataclasses
import io
import re
import shlex
import subprocess
import threading
import webbrowser
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from briefing_tui.library import IssueView, Library, StoreError, ThreadMember
from briefing_tui.model import Link, Story
from briefing_tui.samples import sample_paths
from briefing_tui.text import is_openable, truncate
from briefing_tui.ui import rendering
from briefing_tui.ui.messages import IssueLoaded, RefreshFinished, RefreshProgress, SampleImported, ThreadsPlaced
from briefing_tui.ui.screens.dialogs import AddFeedScreen, LinkPickerScreen, ThreadScreen
from briefing_tui.ui.screens.help import HelpScreen
from briefing_tui.ui.screens.search import SearchJump, SearchScreen
from briefing_tui.ui.screens.today import TodayScreen
from briefing_tui.ui.widgets.issue_list import IssueList
from briefing_tui.ui.widgets.item_list import ItemList, LinkOption, ParagraphOption
from briefing_tui.ui.widgets.section_list import SectionList
from briefing_tui.ui.widgets.story_view import StoryView
from briefing_tui.ui.widgets.thread_list import MemberOption

#: Where a search hit in each section lands.
_STORY_SECTIONS = ("headlines", "lead", "body")


class ReaderScreen(Screen):
    BINDINGS = [
        Binding("1", "section('headlines')", "Headlines", show=False, id="section.headlines"),
        Binding("2", "section('unpacked')", "Unpacked", show=False, id="section.unpacked"),
        Binding("3", "section('bottom_line')", "Bottom line", show=False, id="section.bottom_line"),
        Binding("4", "section('shortlist')", "Shortlist", show=False, id="section.shortlist"),
        Binding("5", "section('references')", "References", show=False, id="section.references"),
        Binding("n", "step_unread(1)", "Next unread", id="next_unread"),
        Binding("p", "step_unread(-1)", "Previous unread", show=False, id="previous_unread"),
        Binding("right_square_bracket", "step_issue(1)", "Next issue", show=False, id="next_issue"),
        Binding("left_square_bracket", "step_issue(-1)", "Previous issue", show=False, id="previous_issue"),
        Binding("slash", "search", "Search", id="search"),
        Binding("t", "thread", "Thread", show=False, id="thread"),
        Binding("T", "today", "Today", id="today"),
        Binding("m", "toggle_read", "Read/unread", id="toggle_read"),
        Binding("M", "mark_issue_read", "Mark issue read", show=False, id="mark_issue_read"),
        Binding("u", "toggle_unread_only", "Unread only", show=False, id="unread_only"),
        Binding("s", "toggle_star", "Star", show=False, id="star"),
        Binding("o", "open_link", "Open link", show=False, id="open_link"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("a", "add_feed", "Add feed", show=False, id="add_feed"),
        Binding("escape,backspace", "back", "Back", id="back"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self, library: Library, *, mark_read_on_open: bool = True) -> None:
        super().__init__()
        self.library = library
        self.mark_read_on_open = mark_read_on_open
        self.view: IssueView | None = None
        self.section = "headlines"
        self.unread_only = False
        self.source_filter: str | None = None
        self.refreshing = False
        #: Writes to the read state, in the order they were made: (what, write, then on success).
        self._writes: deque[tuple[str, Callable[[], Any], Callable[[Any], None] | None]] = deque()
        self._write_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Vertical(id="sidebar"):
            yield IssueList(id="issues")
            yield SectionList(id="sections")
            yield Static(id="status")
        with Vertical(id="content"):
            yield Static(id="empty")
            yield ItemList(id="items")
            yield StoryView(id="story")
        yield Footer()

    # -- start-up --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#story", StoryView).display = False
        self.query_one("#sections", SectionList).display = False
        self.reload_issues()
        issues = self.query_one(IssueList)
        issues.focus()
        if issues.count == 0:
            self.show_empty(Text("Loading…", style="dim"))
            if not self.library.subscriptions():
                self.import_sample()
            else:
                self.show_empty(
                    Text("Nothing cached yet. Press r to fetch your feeds.", style="dim")
                )
        else:
            # The issue list is the first screen; the open issue's rows follow a frame later.
            self.call_after_refresh(self.open_current_issue)
        for notice in self.library.notices:
            self.app.notify(notice, severity="warning", timeout=15, markup=False)
        self.call_after_refresh(self.place_pending_threads)

    @work(thread=True, exclusive=True, group="threads")
    def place_pending_threads(self) -> None:
        """Group issues stored before threads existed (or by a program that stopped first)."""
        try:
            pending = self.library.pending_threads()
            if not pending:
                return
            status = self.query_one("#status", Static)
            self.app.call_from_thread(status.update, Text(f"Finding stories other sources covered ({pending} issues)…", style="dim"))
            self.library.update_threads()
        except StoreError as error:
            self.app.call_from_thread(self.app.notify, f"Could not group stories into threads: {error}", severity="warning", markup=False)
            return
        self.post_message(ThreadsPlaced())

    def on_threads_placed(self, _message: ThreadsPlaced) -> None:
        if not self.refreshing:
            self.query_one("#status", Static).update("")
        if self.view is not None and not self.story_open:
            self.load_issue(self.view.id)

    @work(thread=True, exclusive=True, group="import")
    def import_sample(self) -> None:
        report = self.library.import_paths([str(path) for path in sample_paths()])
        self.post_message(SampleImported(report))

    def on_sample_imported(self, message: SampleImported) -> None:
        self.reload_issues()
        if self.query_one(IssueList).count == 0:
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
    def reload_issues(self, keep: str | None = None) -> None:
        issues = self.query_one(IssueList)
        unread, source = self.unread_only, self.source_filter
        count = self.library.count_issues(unread_only=unread, source=source)
        position = None
        if keep is not None:
            position = self.library.position_of(keep, unread_only=unread, source=source)
        issues.load(
            count,
            lambda offset, limit: self.library.issues(offset=offset, limit=limit, unread_only=unread, source=source),
            position=position if position is not None else 0,
        )
        issues.border_title = self._list_title(count)

    def _list_title(self, count: int) -> Content:
        parts = [f"Issues {count}"]
        if self.unread_only:
            parts.append("unread")
        if self.source_filter:
            parts.append(rendering.shown(self.source_filter, 20))
        # Content, not a str: a source name is shown as written, never read as markup.
        return Content(" · ".join(parts))

    def open_current_issue(self, then: tuple[str, str | None] | None = None) -> None:
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
            self.load_issue(event.issue.id, ("focus", None))

    @work(thread=True, exclusive=True, group="load-issue")
    def load_issue(self, issue_id: str, then: tuple[str, str | None] | None = None) -> None:
        try:
            view = self.library.open_issue(issue_id)
        except Exception as error:  # noqa: BLE001 - a damaged cache row must not end the reader
            self.app.call_from_thread(
                self.app.notify, f"Could not open this issue: {error}", severity="error", markup=False
            )
            return
        self.post_message(IssueLoaded(view, then))

    def on_issue_loaded(self, message: IssueLoaded) -> None:
        view = message.view
        if view is None:
            return
        self.view = view
        briefing = view.briefing
        self.title = rendering.shown(briefing.title, 200)
        self.sub_title = " · ".join(part for part in (rendering.shown(briefing.source, 80), briefing.date) if part)
        self.query_one("#empty", Static).display = False
        sections = self.query_one(SectionList)
        sections.display = True
        known = {entry.key for entry in rendering.section_entries(briefing, view.read)}
        if self.section not in known:
            self.section = "headlines"
        then = message.then
        if then and then[0] == "jump":
            self.jump_to(then[1] or "")
        elif then and then[0] == "section":
            self.show_section(then[1] if then[1] in known else "headlines", focus=True)
        elif then and then[0] in ("first_unread", "last_unread"):
            story = self._unread_story(then[0] == "first_unread")
            if story is not None:
                self.show_section("headlines")
                self.open_story(story.id)
            else:
                self.show_section(self.section)
        else:
            self.show_section(self.section, focus=bool(then and then[0] == "focus"))

    # -- sections --------------------------------------------------------------------------------
    def update_sections(self) -> None:
        if self.view is None:
            return
        entries = rendering.section_entries(self.view.briefing, self.view.read)
        self.query_one(SectionList).show_entries(entries, self.section)

    def show_section(self, key: str, *, focus: bool = False, select: str | None = None) -> None:
        if self.view is None:
            return
        self.section = key
        self.update_sections()
        items = self.query_one(ItemList)
        story = self.query_one(StoryView)
        story.display = False
        items.display = True
        options = self.section_options(key)
        items.set_options(options)
        items.border_title = self._section_title(key)
        target = None
        if select is not None:
            for index, option in enumerate(options):
                if option.id == select:
                    target = index
                    break
        if target is None:
            target = next((index for index, option in enumerate(options) if not option.disabled), None)
        if target is not None:
            items.highlighted = target
            if select is not None:
                self.call_after_refresh(items.scroll_to_highlight, top=True)
            else:
                items.scroll_home(animate=False)
        if focus:
            items.focus()

    def _section_title(self, key: str) -> Content:
        if key.startswith("section:") and self.view is not None:
            return Content(rendering.shown(self.view.briefing.sections[int(key.split(":")[1])].title, 60))
        return Content(rendering.SECTION_LABELS.get(key, key))

    def section_options(self, key: str) -> list[Option]:
        view = self.view
        assert view is not None
        briefing = view.briefing
        read, starred = view.read, view.starred
        options: list[Option] = []
        if key == "headlines":
            intro = rendering.intro_row(briefing)
            if intro is not None:
                options.append(Option(intro, id="intro", disabled=True))
            for story in briefing.stories:
                thread = view.threads.get(story.id)
                coverage = thread.coverage((view.id, story.id)) if thread else (0, 0)
                options.append(
                    Option(rendering.headline_row(story, story.id in read, story.id in starred, coverage), id=f"story:{story.id}")
                )
        elif key == "unpacked":
            for story in briefing.stories:
                if story.unpacked:
                    options.append(
                        Option(rendering.unpacked_row(story, story.id in read, story.id in starred), id=f"story:{story.id}")
                    )
        elif key == "bottom_line":
            for story in briefing.stories:
                if story.bottom_line:
                    options.append(
                        Option(rendering.bottom_line_row(story, story.id in read, story.id in starred), id=f"story:{story.id}")
                    )
        elif key == "shortlist":
            # Headings only where the issue split its quick items under several ("Tools", "Reads").
            grouped = len({item.group for item in briefing.shortlist}) > 1
            group: str | None = None
            for number, item in enumerate(briefing.shortlist):
                if grouped and item.group and item.group != group:
                    options.append(Option(rendering.group_heading(item.group), id=f"group:{number}", disabled=True))
                group = item.group
                options.append(
                    Option(rendering.shortlist_row(item.text, item.url, item.id in read, item.id in starred), id=f"short:{item.id}")
                )
        elif key == "references":
            for number, ref in enumerate(briefing.references):
                options.append(Option(rendering.reference_row(ref.publisher, ref.title, ref.url), id=f"ref:{number}"))
        elif key == "intro" or key.startswith("section:"):
            if key == "intro":
                body, links = briefing.intro, briefing.intro_links
            else:
                section = briefing.sections[int(key.split(":")[1])]
                body, links = section.body, section.links
            for number, paragraph in enumerate(body[: rendering.BODY_LIMIT]):
                options.append(ParagraphOption(rendering.paragraph_row(paragraph), f"para:{number}", paragraph, links))
            if links:
                options.append(Option(rendering.links_heading(), id="links", disabled=True))
                shown = links[: rendering.LINK_LIMIT]
                width = len(str(len(shown))) + 2
                for number, link in enumerate(shown):
                    options.append(LinkOption(rendering.link_row(number + 1, link, width), f"link:{number}", link))
        if not options:
            options.append(Option(Text("Nothing here in this issue.", style="dim italic"), id="none", disabled=True))
        return options

    @on(OptionList.OptionHighlighted, "#sections")
    def section_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.section:
            self.show_section(event.option.id)

    @on(OptionList.OptionSelected, "#sections")
    def section_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.show_section(event.option.id, focus=True)

    @on(OptionList.OptionSelected, "#items")
    def item_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("story:"):
            self.open_story(option_id.split(":", 1)[1])
        elif option_id.startswith(("short:", "ref:")):
            self.action_open_link()
        elif isinstance(event.option, LinkOption):
            self.open_url(event.option.link.url)

    def action_section(self, key: str) -> None:
        if self.view is not None:
            self.show_section(key, focus=True)

    # -- stories ---------------------------------------------------------------------------------
    def _story(self, story_id: str) -> Story | None:
        if self.view is None:
            return None
        return next((story for story in self.view.briefing.stories if story.id == story_id), None)

    def open_story(self, story_id: str) -> None:
        story = self._story(story_id)
        if story is None or self.view is None:
            return
        if self.mark_read_on_open and not story.sponsored and story.id not in self.view.read:
            self._set_read([story.id], True)
        items = self.query_one(ItemList)
        items.select_id(f"story:{story_id}")
        items.display = False
        view = self.query_one(StoryView)
        view.display = True
        view.border_title = self._section_title(self.section) + " › story"
        view.show(rendering.story_document(story, self.view), story_id, self.view.threads.get(story_id), (self.view.id, story_id))
        view.focus()

    @property
    def story_open(self) -> bool:
        return self.query_one(StoryView).display

    def current_item(self) -> str | None:
        """Option-style id of the item under the cursor: "story:ID", "short:ID", "ref:N", "para:N", "link:N"."""
        if self.story_open:
            story_id = self.query_one(StoryView).story_id
            return f"story:{story_id}" if story_id else None
        return self.query_one(ItemList).current_id

    def action_back(self) -> None:
        focused = self.focused
        if self.story_open:
            self.show_section(self.section, focus=True, select=self.current_item())
        elif isinstance(focused, (ItemList, SectionList)):
            self.query_one(IssueList).focus()

    # -- marks -----------------------------------------------------------------------------------
    def _set_read(self, item_ids: list[str], read: bool) -> None:
        assert self.view is not None
        if read:
            self.save_state(
                "Read mark", lambda issue_id=self.view.id: self.library.mark_read(item_ids, issue_id), then=self._saved
            )
            marks = self.view.read | set(item_ids)
        else:
            self.save_state("Unread mark", lambda: self.library.mark_unread(item_ids), then=self._saved)
            marks = self.view.read - set(item_ids)
        self.view = dataclasses.replace(self.view, read=frozenset(marks))
        self.after_marks()

    def after_marks(self) -> None:
        """Show changed marks everywhere: rows, section counts, the issue list."""
        self.query_one(IssueList).invalidate()
        if self.view is None:
            return
        self.update_sections()
        if not self.story_open:
            items = self.query_one(ItemList)
            highlighted = items.highlighted
            items.set_options(self.section_options(self.section))
            if highlighted is not None and highlighted < items.option_count:
                items.highlighted = highlighted

    def action_toggle_read(self) -> None:
        if isinstance(self.focused, IssueList):
            issue = self.query_one(IssueList).current
            if issue is None:
                return
            write = self.library.mark_issue_read if issue.unread > 0 else self.library.mark_issue_unread
            self.save_state(
                "Read marks", lambda: write(issue.id), then=lambda _count: self._reload_view_marks(issue.id)
            )
            return
        if self.view is None:
            return
        item = self.current_item()
        if not item or not item.startswith(("story:", "short:")):
            return
        item_id = item.split(":", 1)[1]
        story = self._story(item_id)
        if story is not None and story.sponsored:
            self.app.notify("Sponsored blocks carry no read mark.", markup=False)
            return
        self._set_read([item_id], item_id not in self.view.read)

    def _reload_view_marks(self, issue_id: str) -> None:
        if self.view is not None and self.view.id == issue_id:
            try:
                fresh = self.library.open_issue(issue_id)
            except StoreError as error:
                self.app.notify(f"Cannot read the read state: {error}", severity="error", markup=False)
                fresh = None
            if fresh is not None:
                self.view = dataclasses.replace(self.view, read=fresh.read, starred=fresh.starred)
        self.after_marks()

    # -- writes to the read state ----------------------------------------------------------------
    def save_state(self, what: str, write: Callable[[], Any], then: Callable[[Any], None] | None = None) -> None:
        """Write to the read state off the UI thread, in order; ``then`` runs on success.

        A full disk or a file another program keeps locked must not freeze or crash the reader:
        a write that fails is reported, and the marks shown are read back from the store.
        """
        self._writes.append((what, write, then))
        self._drain_writes()

    @work(thread=True, group="state-writes")
    def _drain_writes(self) -> None:
        with self._write_lock:
            while self._writes:
                what, write, then = self._writes.popleft()
                try:
                    result = write()
                except StoreError as error:
                    self._from_thread(self._write_failed, what, str(error))
                else:
                    if then is not None:
                        self._from_thread(then, result)

    def _saved(self, _result: object) -> None:
        """A mark is stored: the issue list's unread counts (read from the store) follow."""
        self.query_one(IssueList).invalidate()

    def _from_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:
            pass  # the reader has closed meanwhile

    def _write_failed(self, what: str, error: str) -> None:
        self.app.notify(f"{what} not saved: {error}", title="Read state", severity="error", markup=False, timeout=8)
        if self.view is not None:
            self._reload_view_marks(self.view.id)

    def action_mark_issue_read(self) -> None:
        issue_id = self.view.id if self.view else None
        if isinstance(self.focused, IssueList) and self.query_one(IssueList).current:
            issue_id = self.query_one(IssueList).current.id
        if issue_id is None:
            return
        def done(count: int) -> None:
            self._reload_view_marks(issue_id)
            self.app.notify(f"Marked {count} item{'s' if count != 1 else ''} read.", markup=False)

        self.save_state("Read marks", lambda: self.library.mark_issue_read(issue_id), then=done)

    def action_toggle_star(self) -> None:
        if self.view is None:
            return
        item = self.current_item()
        if not item or not item.startswith(("story:", "short:")):
            return
        item_id = item.split(":", 1)[1]
        starred = item_id not in self.view.starred
        self.save_state("Star", lambda issue_id=self.view.id: self.library.set_starred(item_id, issue_id, starred))
        marks = self.view.starred | {item_id} if starred else self.view.starred - {item_id}
        self.view = dataclasses.replace(self.view, starred=frozenset(marks))
        if self.story_open:
            story = self._story(item_id)
            if story is not None:
                self.query_one(StoryView).update_document(rendering.story_document(story, self.view))
        self.after_marks()
        self.app.notify("Starred." if starred else "Star removed.", markup=False)

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self.reload_issues(keep=self.view.id if self.view else None)
        self.app.notify("Showing issues with unread stories." if self.unread_only else "Showing all issues.", markup=False)

    def set_source_filter(self, source: str | None) -> None:
        self.source_filter = source
        self.reload_issues(keep=self.view.id if self.view else None)
        self.open_current_issue()

    # -- moving between stories and issues ------------------------------------------------------
    def _unread_story(self, first: bool) -> Story | None:
        if self.view is None:
            return None
        stories = [s for s in self.view.briefing.stories if not s.sponsored and s.id not in self.view.read]
        if not stories:
            return None
        return stories[0] if first else stories[-1]

    def action_step_unread(self, step: int) -> None:
        if self.view is not None:
            stories = list(self.view.briefing.stories)
            current = self.current_item() or ""
            ids = [s.id for s in stories]
            if current.startswith("story:") and current[6:] in ids:
                position = ids.index(current[6:])
                if not self.story_open:
                    position -= step  # the row under the cursor has not been opened: it comes first
            else:
                position = -1 if step > 0 else len(ids)
            index = position + step
            while 0 <= index < len(stories):
                if not stories[index].sponsored and stories[index].id not in self.view.read:
                    if not self.story_open:
                        self.show_section("headlines")
                    self.open_story(stories[index].id)
                    return
                index += step
        issues = self.query_one(IssueList)
        index = issues.cursor + step
        while 0 <= index < issues.count:
            row = issues.row(index)
            if row is not None and row.unread > 0 and (self.view is None or row.id != self.view.id):
                issues.set_cursor(index, announce=False)
                self.load_issue(row.id, ("first_unread" if step > 0 else "last_unread", None))
                return
            index += step
        self.app.notify("No more unread stories.", markup=False)

    def action_step_issue(self, step: int) -> None:
        issues = self.query_one(IssueList)
        issues.set_cursor(issues.cursor + step)

    # -- links -----------------------------------------------------------------------------------
    def _links_here(self) -> list[Link]:
        if self.view is None:
            return []
        if not self.story_open:
            # Rows of the intro or of a named section: a link row opens its link, a paragraph
            # offers every link of its part.
            option = self.query_one(ItemList).current_option
            if isinstance(option, LinkOption):
                return [option.link]
            if isinstance(option, ParagraphOption):
                return list(option.links)
        item = self.current_item() or ""
        kind, _, value = item.partition(":")
        briefing = self.view.briefing
        if kind == "story":
            story = self._story(value)
            return list(story.links) if story else []
        if kind == "short":
            item_obj = next((i for i in briefing.shortlist if i.id == value), None)
            return [Link(item_obj.text, item_obj.url)] if item_obj and item_obj.url else []
        if kind == "ref":
            ref = briefing.references[int(value)]
            return [Link(ref.title, ref.url)] if ref.url else []
        return []

    def action_open_link(self) -> None:
        links = self._links_here()
        if not links and self.view is not None and self.view.briefing.url:
            links = [Link(self.view.briefing.title, self.view.briefing.url)]
        if not links:
            self.app.notify("No link here.", markup=False)
            return
        # a quick item is read by following its link, as a story is by opening it
        item = self.current_item() or ""
        if self.mark_read_on_open and item.startswith("short:") and self.view and item[6:] not in self.view.read:
            self._set_read([item[6:]], True)
        if len(links) == 1:
            self.open_url(links[0].url)
        else:
            self.app.push_screen(LinkPickerScreen(links), lambda url: self.open_url(url) if url else None)

    def open_url(self, url: str) -> None:
        if not is_openable(url):
            self.app.notify(f"Not opening {truncate(url, 80)}: only http, https and mailto links open.",
                            severity="warning", markup=False)
            return
        if self.app.is_web:
            # served to a browser: the link opens in the reader's browser, not on the server
            self.app.open_url(url, new_tab=True)
        else:
            command = terminal_browser(url)
            if command is not None:
                self._run_in_terminal(command)
                return
            self._open_in_browser(url)
        self.app.notify(f"Opening {truncate(url, 80)}", markup=False)

    def _run_in_terminal(self, command: list[str]) -> None:
        """Hand the terminal to a text-mode browser (w3m, lynx) and take it back when it exits,
        as newsboat does; a browser that cannot start is one line."""
        try:
            with self.app.suspend():
                subprocess.run(command, check=False)
        except (OSError, SuspendNotSupported) as error:
            self.app.notify(f"Could not run {command[0]}: {error}", severity="error", markup=False)
        self.app.refresh(layout=True)

    @work(thread=True, group="browser")
    def _open_in_browser(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except Exception as error:  # noqa: BLE001 - a broken $BROWSER must not crash the reader
            self.app.call_from_thread(self.app.notify, f"Could not open the browser: {error}", severity="error", markup=False)
            return
        if not opened:
            self.app.call_from_thread(self.app.notify, "No browser found; set $BROWSER.", severity="warning", markup=False)

    # -- search ----------------------------------------------------------------------------------
    def action_search(self) -> None:
        self.app.push_screen(SearchScreen(self.library), self.jump_from_search)

    def jump_from_search(self, jump: SearchJump | None) -> None:
        if jump is not None:
            self.go_to(jump.issue_id, ("jump", f"{jump.section}\x1f{jump.item_id}"))

    def go_to(self, issue_id: str, then: tuple[str, str | None]) -> None:
        """Open another issue, dropping the list's filters when they hide it."""
        if self.unread_only or self.source_filter:
            if self.library.position_of(issue_id, unread_only=self.unread_only, source=self.source_filter) is None:
                self.unread_only, self.source_filter = False, None
        self.reload_issues(keep=issue_id)
        self.load_issue(issue_id, then)

    def open_member(self, member: ThreadMember | None) -> None:
        """Open a piece of a thread: a story of another issue, or a whole issue."""
        if member is None:
            return
        if member.item_id:
            self.go_to(member.issue_id, ("jump", f"headlines\x1f{member.item_id}"))
        else:
            self.go_to(member.issue_id, ("section", "intro"))

    @on(OptionList.OptionSelected, "#story-thread")
    def thread_member_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if isinstance(event.option, MemberOption):
            self.open_member(event.option.member)

    def action_thread(self) -> None:
        """Show who else covered the story under the cursor (or this article)."""
        if self.view is None:
            return
        if not self.story_open:
            item = self.current_item() or ""
            if item.startswith("story:"):
                self.open_story(item.split(":", 1)[1])
            elif not self.view.briefing.stories and "" in self.view.threads:
                self.app.push_screen(ThreadScreen(self.view.threads[""], (self.view.id, None)), self.open_member)
                return
        story = self.query_one(StoryView)
        if self.story_open and story.thread_list.display:
            story.thread_list.focus()
            self.call_after_refresh(story.scroll_to_widget, story.thread_list, animate=False)
        else:
            self.app.notify("No other issue covered this.", markup=False)

    def action_today(self) -> None:
        self.app.push_screen(TodayScreen(self.library), self.open_member)

    def jump_to(self, spec: str) -> None:
        section, _, item_id = spec.partition("\x1f")
        if item_id.startswith("s-") and section in _STORY_SECTIONS:
            self.show_section("headlines")
            self.open_story(item_id)
        elif item_id.startswith("s-"):
            self.show_section(section, focus=True, select=f"story:{item_id}")
        elif item_id.startswith("q-"):
            self.show_section("shortlist", focus=True, select=f"short:{item_id}")
        elif item_id.startswith("r-"):
            self.show_section("references", focus=True, select=f"ref:{int(item_id[2:]) - 1}")
        else:
            self.show_section("headlines", focus=True)

    # -- refresh and feeds ----------------------------------------------------------------------
    def action_refresh(self) -> None:
        if self.refreshing:
            self.app.notify("A refresh is already running.", markup=False)
            return
        if not self.library.subscriptions():
            self.app.notify("No feeds yet: press a to add one.", markup=False)
            return
        self.refreshing = True
        self.query_one("#status", Static).update(Text("Refreshing…", style="dim"))
        self.refresh_feeds()

    @work(thread=True, exclusive=True, group="refresh")
    def refresh_feeds(self, urls: list[str] | None = None) -> None:
        try:
            report = self.library.refresh(
                urls=urls,
                progress=lambda outcome, done, total: self.post_message(RefreshProgress(outcome, done, total)),
                thread=False,
            )
        except Exception as error:  # noqa: BLE001 - shown to the user, the reader keeps running
            self.post_message(RefreshFinished(None, str(error)))
            return
        self.post_message(RefreshFinished(report))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.query_one("#status", Static).update(
            Text(f"Refreshing {message.done}/{message.total} feeds…", style="dim")
        )

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.refreshing = False
        status = self.query_one("#status", Static)
        status.update("")
        if message.report is None:
            self.app.notify(f"Refresh failed: {message.error}", severity="error", markup=False)
            return
        report = message.report
        keep = self.view.id if self.view else None
        self.reload_issues(keep=keep)
        self.place_pending_threads()
        if self.view is None:
            self.open_current_issue()
        failed = report.failed
        text = f"Refreshed {report.summary()}."
        if failed:
            first = failed[0]
            text += f"\n{first.title or first.url}: {first.error}"
            if len(failed) > 1:
                text += f"\n(and {len(failed) - 1} more; see briefing-tui feeds)"
        self.app.notify(text, severity="warning" if failed else "information", timeout=8, markup=False)

    def action_add_feed(self) -> None:
        self.app.push_screen(AddFeedScreen(), self.add_feed)

    def add_feed(self, result: tuple[str, str | None] | None) -> None:
        if result is None:
            return
        url, title = result
        try:
            added = self.library.add_feed(url, title)
        except ValueError as error:
            self.app.notify(str(error), severity="error", markup=False)
            return
        if not added:
            self.app.notify("Already subscribed.", markup=False)
            return
        self.app.notify(f"Added {truncate(url, 80)}; fetching it now.", markup=False)
        if not self.refreshing:
            self.refreshing = True
            self.refresh_feeds([url])

    def action_export_issue(self) -> None:
        if self.view is None:
            self.app.notify("No issue is open.", severity="warning", markup=False)
            return
        self._export_issue(self.view.id, self.app.is_web)

    @work(thread=True, group="export")
    def _export_issue(self, issue_id: str, web: bool) -> None:
        text = self.library.issue_markdown(issue_id)
        if text is None:
            self.app.call_from_thread(self.app.notify, "That issue is no longer cached.", severity="warning", markup=False)
            return
        name = _file_name(self.view.briefing.title if self.view else "issue") + ".md"
        if web:
            # served to a browser: the browser downloads it, nothing is written on the server
            self.app.call_from_thread(
                self.app.deliver_text, io.StringIO(text), save_filename=name, mime_type="text/markdown"
            )
            return
        try:
            path = _new_file(Path(platformdirs.user_downloads_dir()), name, text)
        except OSError as error:
            message = f"Could not save the issue: {error.strerror or error}"
            self.app.call_from_thread(self.app.notify, message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.app.notify, f"Saved {path}", markup=False)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def show_empty(self, message: Text) -> None:
        empty = self.query_one("#empty", Static)
        empty.update(message)
        empty.display = True
        self.query_one(ItemList).display = False
        self.query_one(StoryView).display = False


#: Browsers that draw in the terminal: run in the foreground with the reader suspended.
TEXT_BROWSERS = frozenset({"w3m", "lynx", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl"})


def terminal_browser(url: str) -> list[str] | None:
    """The command line of the browser webbrowser would use, when it is a text-mode one
    ($BROWSER naming w3m, or no graphical browser and w3m/lynx installed); else None."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return None
    try:
        parts = shlex.split(getattr(browser, "name", "") or "")
    except ValueError:
        return None
    if not parts or Path(parts[0]).name not in TEXT_BROWSERS or getattr(browser, "background", False):
        return None
    if any("%s" in part for part in parts):  # BROWSER="w3m -N %s"
        return [part.replace("%s", url) for part in parts]
    return parts + [arg.replace("%s", url) for arg in getattr(browser, "args", None) or ["%s"]]


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
