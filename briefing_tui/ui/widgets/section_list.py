"""The open issue's sections with their counts: Headlines, Unpacked, Bottom line, Shortlist,
References, then any named sections."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from briefing_tui.library import IssueView
from briefing_tui.ui.rendering import FIXED_SECTIONS, section_entries, section_label


class SectionList(OptionList):
    """One row per section of the open issue (its unread count beside it).

    ``view`` and ``section`` are bound to the reader's state; moving the cursor posts
    :class:`Chosen` (Enter with ``focus`` set: the reader moves into the rows).
    """

    HELP_GROUP = "Sections"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="sections.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sections.up"),
        Binding("g", "first", "Top", show=False, id="sections.top"),
        Binding("G", "last", "Bottom", show=False, id="sections.bottom"),
    ]

    view: reactive[IssueView | None] = reactive(None, always_update=True, init=False)
    section: reactive[str] = reactive("headlines", init=False)

    class Chosen(Message):
        def __init__(self, key: str, focus: bool) -> None:
            super().__init__()
            self.key = key
            self.focus = focus

    def watch_view(self, view: IssueView | None) -> None:
        self.display = view is not None
        if view is None:
            return
        options = []
        for entry in section_entries(view.briefing, view.read):
            number = FIXED_SECTIONS.index(entry.key) + 1 if entry.key in FIXED_SECTIONS else None
            options.append(Option(section_label(entry, number), id=entry.key))
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
        self.watch_section(self.section)

    def watch_section(self, section: str) -> None:
        try:
            index = self.get_option_index(section)
        except OptionDoesNotExist:
            return
        with self.prevent(OptionList.OptionHighlighted):
            self.highlighted = index

    @property
    def keys(self) -> set[str]:
        return {self.get_option_at_index(n).id or "" for n in range(self.option_count)}

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id and event.option.id != self.section:
            self.post_message(self.Chosen(event.option.id, focus=False))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(event.option.id, focus=True))
