"""The other pieces of a story's thread, under the story: who else covered it (Enter opens one)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing_tui.library import ThreadMember, ThreadView
from briefing_tui.ui import rendering
from briefing_tui.ui.widgets.titles import DisplayTitles


class MemberOption(Option):
    """One piece of a thread: a story of another issue, or a whole article."""

    def __init__(self, member: ThreadMember, read: bool) -> None:
        super().__init__(rendering.member_row(member, read))
        self.member = member


class ThreadList(DisplayTitles, OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="thread.down"),
        Binding("k", "cursor_up", "Up", show=False, id="thread.up"),
    ]

    def show_thread(self, view: ThreadView | None, here: tuple[str, str | None]) -> None:
        """List ``view``'s members except the piece at ``here`` (issue id, item id)."""
        self.clear_options()
        others = view.others(here) if view else []
        self.display = bool(others)
        if not others:
            return
        self.add_options(MemberOption(member, member.item_id in view.read) for member in others)
        self.border_title = rendering.coverage_label(*view.coverage(here), long=True)
        read_in = list(dict.fromkeys(m.source or "another issue" for m in others if m.item_id in view.read))
        self.border_subtitle = rendering.shown("already read in " + ", ".join(read_in), 120) if read_in else None
        self.highlighted = 0
