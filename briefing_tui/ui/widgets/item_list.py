"""The rows of the selected section: stories, bullets, bottom lines, shortlist items, references,
or the paragraphs and links of the intro or of a named section."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from rich.console import RenderableType
from rich.padding import Padding
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing_tui.model import Link
from briefing_tui.ui.widgets.titles import DisplayTitles


class ParagraphOption(Option):
    """A paragraph of the intro or of a named section, with every link of that part."""

    def __init__(self, prompt: RenderableType, id: str, paragraph: str, links: tuple[Link, ...] = ()) -> None:
        super().__init__(prompt, id=id)
        self.paragraph = paragraph
        self.links = links


class LinkOption(Option):
    """One link of the intro or of a named section."""

    def __init__(self, prompt: RenderableType, id: str, link: Link) -> None:
        super().__init__(prompt, id=id)
        self.link = link


class SpacedOptionList(OptionList):
    """An OptionList with a blank line under every option.

    Textual 8.2 draws a bottom padding set on ``.option-list--option`` but leaves it out of the
    option's height, so the line never shows; the padding is part of the prompt instead. The
    padded row is a copy of the option given, so an Option subclass keeps its class and what it carries.
    """

    def add_options(self, new_options: Iterable) -> SpacedOptionList:
        spaced = []
        for option in new_options:
            if isinstance(option, Option):
                prompt = option.prompt
                option = copy.copy(option)
                option._set_prompt(Padding(prompt, (0, 0, 1, 0)))
            spaced.append(option)
        return super().add_options(spaced)


class ItemList(DisplayTitles, SpacedOptionList):
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
    def current_option(self) -> Option | None:
        index = self.highlighted
        if index is None or not 0 <= index < self.option_count:
            return None
        return self.get_option_at_index(index)

    @property
    def current_id(self) -> str | None:
        option = self.current_option
        return option.id if option is not None else None

    def select_id(self, option_id: str) -> bool:
        try:
            index = self.get_option_index(option_id)
        except Exception:  # noqa: BLE001 - OptionDoesNotExist
            return False
        self.highlighted = index
        return True
