"""The rows of the selected section: stories, bullets, bottom lines, shortlist items or references."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class ItemList(OptionList):
    """An OptionList with the reader's keys. Option ids name the item ("story:ID", ...)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="items.down"),
        Binding("k", "cursor_up", "Up", show=False, id="items.up"),
        Binding("g", "first", "Top", show=False, id="items.top"),
        Binding("G", "last", "Bottom", show=False, id="items.bottom"),
        Binding("space", "page_down", "Page down", show=False, id="items.page_down"),
        Binding("b", "page_up", "Page up", show=False, id="items.page_up"),
    ]

    @property
    def current_id(self) -> str | None:
        index = self.highlighted
        if index is None or not 0 <= index < self.option_count:
            return None
        return self.get_option_at_index(index).id

    def select_id(self, option_id: str) -> bool:
        try:
            index = self.get_option_index(option_id)
        except Exception:  # noqa: BLE001 - OptionDoesNotExist
            return False
        self.highlighted = index
        return True
