"""The rows of the selected section: stories, bullets, bottom lines, shortlist items, references,
or the paragraphs and links of the intro or of a named section."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from rich.console import RenderableType
from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing_tui.library import IssueView
from briefing_tui.model import Link, Reference, ShortlistItem, Story
from briefing_tui.ui import rendering
from briefing_tui.ui.widgets.titles import DisplayTitles


class StoryOption(Option):
    """A story: its headline, its bullets or its bottom line, by section."""

    def __init__(self, prompt: RenderableType, story: Story) -> None:
        super().__init__(prompt, id=f"story:{story.id}")
        self.story = story


class ShortOption(Option):
    """A quick item of the Shortlist."""

    def __init__(self, prompt: RenderableType, item: ShortlistItem) -> None:
        super().__init__(prompt, id=f"short:{item.id}")
        self.item = item


class ReferenceOption(Option):
    """An entry of the References list (the n-th, from 0)."""

    def __init__(self, prompt: RenderableType, reference: Reference, number: int) -> None:
        super().__init__(prompt, id=f"ref:{number}")
        self.reference = reference
        self.number = number


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


#: An item a row can carry: the thing marks, stars and links are about.
Item = Story | ShortlistItem | Reference


def item_of(option: Option | None) -> Item | None:
    """The story, quick item or reference a row carries (None for paragraphs and headings)."""
    if isinstance(option, StoryOption):
        return option.story
    if isinstance(option, ShortOption):
        return option.item
    if isinstance(option, ReferenceOption):
        return option.reference
    return None


def item_id_of(option: Option | None) -> str | None:
    """The id the parser gave the row's item (references are "r-1", "r-2", ... in order)."""
    if isinstance(option, ReferenceOption):
        return f"r-{option.number + 1}"
    item = item_of(option)
    return item.id if isinstance(item, (Story, ShortlistItem)) else None


def links_of(option: Option | None) -> list[Link]:
    """The links a row offers to ``o``."""
    if isinstance(option, LinkOption):
        return [option.link]
    if isinstance(option, ParagraphOption):
        return list(option.links)
    item = item_of(option)
    if isinstance(item, Story):
        return list(item.links)
    if isinstance(item, ShortlistItem) and item.url:
        return [Link(item.text, item.url)]
    if isinstance(item, Reference) and item.url:
        return [Link(item.title, item.url)]
    return []


def section_options(view: IssueView, key: str) -> list[Option]:
    """The rows of section ``key`` of the open issue, each carrying what it shows."""
    briefing = view.briefing
    read, starred = view.read, view.starred
    options: list[Option] = []
    if key == "headlines":
        intro = rendering.intro_row(briefing)
        if intro is not None:
            options.append(Option(intro, id="intro", disabled=True))
        for story in briefing.stories:
            thread = view.threads.get(story.id)
            coverage = thread.coverage((view.id, story.id)) if thread else (0, 0)
            row = rendering.headline_row(story, story.id in read, story.id in starred, coverage)
            options.append(StoryOption(row, story))
    elif key == "unpacked":
        options.extend(
            StoryOption(rendering.unpacked_row(story, story.id in read, story.id in starred), story)
            for story in briefing.stories
            if story.unpacked
        )
    elif key == "bottom_line":
        options.extend(
            StoryOption(rendering.bottom_line_row(story, story.id in read, story.id in starred), story)
            for story in briefing.stories
            if story.bottom_line
        )
    elif key == "shortlist":
        # Headings only where the issue split its quick items under several ("Tools", "Reads").
        grouped = len({item.group for item in briefing.shortlist}) > 1
        group: str | None = None
        for number, item in enumerate(briefing.shortlist):
            if grouped and item.group and item.group != group:
                options.append(Option(rendering.group_heading(item.group), id=f"group:{number}", disabled=True))
            group = item.group
            row = rendering.shortlist_row(item.text, item.url, item.id in read, item.id in starred)
            options.append(ShortOption(row, item))
    elif key == "references":
        options.extend(
            ReferenceOption(rendering.reference_row(ref.publisher, ref.title, ref.url), ref, number)
            for number, ref in enumerate(briefing.references)
        )
    elif key == "intro" or key.startswith("section:"):
        if key == "intro":
            body, links = briefing.intro, briefing.intro_links
        else:
            number = int(key.split(":")[1])
            section = briefing.sections[number] if number < len(briefing.sections) else None
            body, links = (section.body, section.links) if section else ((), ())
        for number, paragraph in enumerate(body[: rendering.BODY_LIMIT]):
            options.append(ParagraphOption(rendering.paragraph_row(paragraph), f"para:{number}", paragraph, links))
        if links:
            options.append(Option(rendering.links_heading(), id="links", disabled=True))
            kept = links[: rendering.LINK_LIMIT]
            width = len(str(len(kept))) + 2
            for number, link in enumerate(kept):
                options.append(LinkOption(rendering.link_row(number + 1, link, width), f"link:{number}", link))
    if not options:
        options.append(Option(Text("Nothing here in this issue.", style="dim italic"), id="none", disabled=True))
    return options


def section_title(view: IssueView | None, key: str) -> Content:
    """The pane title of section ``key``: its label, or a named section's own heading."""
    if key.startswith("section:") and view is not None:
        number = int(key.split(":")[1])
        if number < len(view.briefing.sections):
            return Content(rendering.shown(view.briefing.sections[number].title, 60))
    return Content(rendering.SECTION_LABELS.get(key, key))


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
    """The rows of one section of the open issue.

    ``view`` and ``section`` are bound to the reader's state: the rows follow them (a new mark
    redraws the rows where the cursor is; another section starts at its first row). Choosing a
    row posts :class:`StoryChosen` or :class:`LinksChosen`.
    """

    HELP_GROUP = "Section rows"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="items.down"),
        Binding("k", "cursor_up", "Up", show=False, id="items.up"),
        Binding("g", "first", "Top", show=False, id="items.top"),
        Binding("G", "last", "Bottom", show=False, id="items.bottom"),
        Binding("space", "page_down", "Page down", show=False, id="items.page_down"),
        Binding("b", "page_up", "Page up", show=False, id="items.page_up"),
    ]

    view: reactive[IssueView | None] = reactive(None, always_update=True, init=False)
    section: reactive[str] = reactive("headlines", init=False)

    class StoryChosen(Message):
        """Enter on a story row: open the story."""

        def __init__(self, story: Story) -> None:
            super().__init__()
            self.story = story

    class LinksChosen(Message):
        """Enter on a quick item, a reference or a link: follow it (``item`` is what was chosen)."""

        def __init__(self, links: list[Link], item: Item | None) -> None:
            super().__init__()
            self.links = links
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[str | None, str] | None = None

    def watch_view(self) -> None:
        self._rebuild()

    def watch_section(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        view = self.view
        if view is None:
            return
        shown = (view.id, self.section)
        keep = self.highlighted if shown == self._shown else None
        self._shown = shown
        options = section_options(view, self.section)
        self.set_options(options)
        self.border_title = section_title(view, self.section)
        if keep is not None and keep < self.option_count:
            self.highlighted = keep
        else:
            self.highlighted = next((n for n, option in enumerate(options) if not option.disabled), None)
            # from the top, the intro row above the first story included (moving the cursor
            # onto that story would scroll it to the pane's top edge)
            self.call_after_refresh(self.scroll_home, animate=False, immediate=True)

    def select_item(self, item: Item | None) -> bool:
        """Put the cursor on the row that carries ``item``."""
        return item is not None and self._select(lambda option: item_of(option) == item)

    def select_item_id(self, item_id: str) -> bool:
        """Put the cursor on the row of the item with ``item_id`` (a search hit's, a thread's)."""
        return self._select(lambda option: item_id_of(option) == item_id)

    def _select(self, wanted: Callable[[Option], bool]) -> bool:
        for index in range(self.option_count):
            if wanted(self.get_option_at_index(index)):
                self.highlighted = index
                self.call_after_refresh(self.scroll_to_highlight, top=True)
                return True
        return False

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option = event.option
        if isinstance(option, StoryOption):
            self.post_message(self.StoryChosen(option.story))
        elif isinstance(option, (ShortOption, ReferenceOption, LinkOption)):
            self.post_message(self.LinksChosen(links_of(option), item_of(option)))

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
