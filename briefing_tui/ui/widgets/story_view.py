"""One story, whole: kicker, title, lead, Unpacked bullets, Bottom line, body and links, then
the other sources that covered it (its thread); or the whole issue in one scroll."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from briefing_tui.library import IssueView
from briefing_tui.model import Story
from briefing_tui.ui import rendering
from briefing_tui.ui.widgets.thread_list import ThreadList
from briefing_tui.ui.widgets.titles import DisplayTitles


class StoryView(DisplayTitles, VerticalScroll):
    HELP_GROUP = "Story"
    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, id="story.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="story.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="story.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="story.bottom"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="story.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="story.page_up"),
    ]

    #: The story shown (None before the first one).
    story: Story | None = None

    def compose(self):
        yield Static(id="story-body")
        yield ThreadList(id="story-thread")

    #: The whole issue is shown (``w``), not one story.
    whole_issue = False

    # Scrolls are not animated: keys that come faster than an animation (a held j) each move.
    def action_scroll_down(self) -> None:
        self.scroll_relative(y=1, animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_relative(y=-1, animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def on_mount(self) -> None:
        self.watch(self, "scroll_y", self._show_position, init=False)
        self.watch(self, "virtual_size", self._show_position, init=False)

    def _show_position(self) -> None:
        """How far down the reader is, on the bottom border ("42%"), when it does not all fit."""
        height = self.max_scroll_y
        self.border_subtitle = f"{round(100 * self.scroll_y / height)}%" if height > 0 else None

    def show_issue(self, view: IssueView) -> None:
        """Show the whole open issue, top to bottom, in one scroll."""
        self.story, self.whole_issue = None, True
        self.query_one("#story-body", Static).update(rendering.issue_document(view))
        self.query_one(ThreadList).show_thread(None, (view.id, None))
        self.scroll_home(animate=False)

    def show_story(self, story: Story, view: IssueView) -> None:
        """Show ``story`` of the open issue from its top, with the other sources that covered it."""
        self.story, self.whole_issue = story, False
        self.query_one("#story-body", Static).update(rendering.story_document(story, view))
        self.query_one(ThreadList).show_thread(view.threads.get(story.id), (view.id, story.id))
        self.scroll_home(animate=False)

    def update_story(self, view: IssueView) -> None:
        """Draw the open story again (a mark changed), where the reader is in it."""
        body = self.query_one("#story-body", Static)
        if self.whole_issue:
            body.update(rendering.issue_document(view))
        elif self.story is not None:
            body.update(rendering.story_document(self.story, view))

    @property
    def story_id(self) -> str | None:
        return self.story.id if self.story is not None else None

    @property
    def thread_list(self) -> ThreadList:
        return self.query_one(ThreadList)
