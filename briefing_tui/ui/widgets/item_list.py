"""The rows of the selected section: stories, bullets, bottom lines, shortlist items or references."""

from __future__ import annotations

from collections.abc import Iterable

from rich.padding import Padding
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class SpacedOptionList(OptionList):
    """An OptionList with a blank line under every option.

    Textual 8.2 draws a bottom padding set on ``.option-list--option`` but leaves it out of the
    option's height, so the line never shows; the padding is part of the prompt instead.
    """

    def add_options(self, new_options: Iterable) -> SpacedOptionList:
        spaced = []
        for option in new_options:
            if isinstance(option, Option):
                option = Option(Padding(option.prompt, (0, 0, 1, 0)), id=option.id, disabled=option.disabled)
            spaced.append(option)
        return super().add_options(spaced)


class ItemList(SpacedOptionList):
    """An OptionList with the reader's keys. Option ids name the item ("story:ID", ...)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="items.down"),
        Binding("k", "cursor_up", "Up", show=False, id="items.up"),
        Binding("g", "first", "Top", show=False, id="items.top"),
        Binding("G", "last", "Bottom", show=False, id="items.bottom"),
        Binding("space", "page_down", "Page down", show=False, id="items.page_down"),
        Binding("b", "page_up", "Page up", show=False, id="items.page_up"),
    ]

    def action_page_down(self) -> None:
        before = self.highlighted
        super().action_page_down()
        if self.highlighted == before:  # a row taller than the pane: go on to the next one
            self.action_cursor_down()

    def action_page_up(self) -> None:
        before = self.highlighted
        super().action_page_up()
        if self.highlighted == before:
            self.action_cursor_up()

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
