"""One story, whole: kicker, title, lead, Unpacked bullets, Bottom line, body and links."""

from __future__ import annotations

from rich.console import RenderableType
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

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

    def compose(self):
        yield Static(id="story-body")

    def show(self, renderable: RenderableType, story_id: str) -> None:
        self.story_id = story_id
        self.query_one("#story-body", Static).update(renderable)
        self.scroll_home(animate=False)

    story_id: str | None = None
