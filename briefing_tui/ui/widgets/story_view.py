"""One story, whole: kicker, title, lead, Unpacked bullets, Bottom line, body and links, then
the other sources that covered it (its thread)."""

from __future__ import annotations

from rich.console import RenderableType
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from briefing_tui.library import ThreadView
from briefing_tui.ui.widgets.thread_list import ThreadList
from briefing_tui.ui.widgets.titles import DisplayTitles


class StoryView(DisplayTitles, VerticalScroll):
    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, id="story.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="story.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="story.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="story.bottom"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="story.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="story.page_up"),
    ]

    story_id: str | None = None

    def compose(self):
        yield Static(id="story-body")
        yield ThreadList(id="story-thread")

    def show(self, renderable: RenderableType, story_id: str, thread: ThreadView | None, here: tuple[str, str | None]) -> None:
        self.story_id = story_id
        self.query_one("#story-body", Static).update(renderable)
        self.query_one(ThreadList).show_thread(thread, here)
        self.scroll_home(animate=False)

    def update_document(self, renderable: RenderableType) -> None:
        """Draw the open story again (a mark changed), where the reader is in it."""
        self.query_one("#story-body", Static).update(renderable)

    @property
    def thread_list(self) -> ThreadList:
        return self.query_one(ThreadList)
