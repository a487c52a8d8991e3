"""The open issue's sections with their counts: Headlines, Unpacked, Bottom line, Shortlist,
References, then any named sections."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing_tui.ui.rendering import FIXED_SECTIONS, SectionEntry, section_label


class SectionList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="sections.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sections.up"),
        Binding("g", "first", "Top", show=False, id="sections.top"),
        Binding("G", "last", "Bottom", show=False, id="sections.bottom"),
    ]

    def show_entries(self, entries: list[SectionEntry], current: str | None) -> None:
        options = []
        for entry in entries:
            number = FIXED_SECTIONS.index(entry.key) + 1 if entry.key in FIXED_SECTIONS else None
            options.append(Option(section_label(entry, number), id=entry.key))
        self.set_options(options)
        if current is not None:
            self.select_key(current)

    def select_key(self, key: str) -> None:
        try:
            index = self.get_option_index(key)
        except Exception:  # noqa: BLE001 - OptionDoesNotExist
            return
        with self.prevent(OptionList.OptionHighlighted):
            self.highlighted = index

    @property
    def current_key(self) -> str | None:
        if self.highlighted is None or not 0 <= self.highlighted < self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id
