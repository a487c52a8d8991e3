"""The other pieces of a story's thread, under the story: who else covered it (Enter opens one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing_tui.library import ThreadView
from briefing_tui.ui import rendering
from briefing_tui.ui.widgets.titles import DisplayTitles

if TYPE_CHECKING:
    from briefing_tui.library import ThreadMember


class MemberOption(Option):
    """One piece of a thread: a story of another issue, or a whole article."""

    def __init__(self, member: ThreadMember, read: bool) -> None:
        super().__init__(rendering.member_row(member, read))
        self.member = member


class ThreadList(DisplayTitles, OptionList):
    """Enter on a row posts :class:`MemberChosen`."""

    HELP_GROUP = "Other sources of a story"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="thread.down"),
        Binding("k", "cursor_up", "Up", show=False, id="thread.up"),
    ]

    class MemberChosen(Message):
        def __init__(self, member: ThreadMember) -> None:
            super().__init__()
            self.member = member

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if isinstance(event.option, MemberOption):
            self.post_message(self.MemberChosen(event.option.member))

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
