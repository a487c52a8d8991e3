"""The list of cached issues: a virtual list that draws only the rows on screen.

Rows are fetched from the library a page at a time, so the first screen costs the same with
a hundred issues or fifty thousand.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from briefing_tui.library import IssueSummary
from briefing_tui.ui.rendering import shown
from briefing_tui.ui.widgets.titles import DisplayTitles

PAGE = 100
ROW_HEIGHT = 2

PageLoader = Callable[[int, int], list[IssueSummary]]


class IssueList(DisplayTitles, ScrollView, can_focus=True):
    """Issues newest first: title on one line, source, date and unread count on the next."""

    HELP_GROUP = "Issue list"

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="issues.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="issues.up"),
        Binding("home,g", "first", "Top", show=False, id="issues.top"),
        Binding("end,G", "last", "Bottom", show=False, id="issues.bottom"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="issues.page_down"),
        Binding("pageup,b", "page_up", "Page up", show=False, id="issues.page_up"),
        Binding("enter", "select", "Open", id="issues.open"),
    ]

    COMPONENT_CLASSES = {
        "issue-list--cursor",
        "issue-list--cursor-blurred",
        "issue-list--unread",
        "issue-list--read",
        "issue-list--meta",
        "issue-list--count",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, issue: IssueSummary) -> None:
            super().__init__()
            self.issue = issue

    class Selected(Message):
        def __init__(self, issue: IssueSummary) -> None:
            super().__init__()
            self.issue = issue

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._loader: PageLoader | None = None
        self._count = 0
        self._pages: dict[int, list[IssueSummary]] = {}
        #: Pages being fetched, and pages shown from before the last change (fetched again).
        self._fetching: set[int] = set()
        self._stale: set[int] = set()
        #: Bumped by every load(): a page fetched for an older list is dropped.
        self._generation = 0
        #: The cursor moved onto a row not fetched yet: announce it when it arrives.
        self._announce = False

    # -- data ------------------------------------------------------------------------------------
    def load(
        self, count: int, loader: PageLoader, *, position: int = 0, pages: dict[int, list[IssueSummary]] | None = None
    ) -> None:
        """Show ``count`` issues fetched through ``loader(offset, limit)``, a page at a time in a
        worker thread; ``pages`` are the ones already fetched (the cursor's, for the first frame)."""
        self._loader = loader
        self._count = count
        self._generation += 1
        self._pages = dict(pages or {})
        self._fetching.clear()
        self._stale.clear()
        self.virtual_size = Size(0, count * ROW_HEIGHT)
        self.set_cursor(min(max(position, 0), max(count - 1, 0)), announce=False)
        # before the first layout the pane has no height to scroll in: scroll once it has
        self.call_after_refresh(self.scroll_to_region_of, self.cursor)
        self.refresh()

    def invalidate(self) -> None:
        """Unread counts changed: fetch the rows again, showing the old ones meanwhile."""
        self._stale = set(self._pages)
        self.refresh()

    @property
    def count(self) -> int:
        return self._count

    def row(self, index: int) -> IssueSummary | None:
        """The issue at ``index``, if its page is here (else it is fetched and drawn when it comes)."""
        if not 0 <= index < self._count or self._loader is None:
            return None
        page = index // PAGE
        rows = self._pages.get(page)
        if rows is None or page in self._stale:
            self._fetch(page)
        if rows is None:
            return None
        offset = index - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def _fetch(self, page: int) -> None:
        if page in self._fetching or self._loader is None:
            return
        self._fetching.add(page)
        loader, generation = self._loader, self._generation
        self.run_worker(lambda: self._fetch_page(loader, generation, page), thread=True, group="issue-pages")

    def _fetch_page(self, loader: PageLoader, generation: int, page: int) -> None:
        """In a worker thread: read one page and hand it to the widget."""
        try:
            rows = loader(page * PAGE, PAGE)
        except Exception as error:  # noqa: BLE001 - a cache that fails to read must not end the reader
            self.app.call_from_thread(
                self.app.notify, f"Could not read the issue list: {error}", severity="error", markup=False
            )
            rows = []
        try:
            self.app.call_from_thread(self._arrived, generation, page, rows)
        except RuntimeError:
            pass  # the reader has closed meanwhile

    def _arrived(self, generation: int, page: int, rows: list[IssueSummary]) -> None:
        if generation != self._generation:
            return
        self._fetching.discard(page)
        self._stale.discard(page)
        self._pages[page] = rows
        self.refresh()
        if self._announce and self.cursor // PAGE == page:
            self._announce = False
            issue = self.row(self.cursor)
            if issue is not None:
                self.post_message(self.Highlighted(issue))

    @property
    def current(self) -> IssueSummary | None:
        return self.row(self.cursor)

    # -- cursor ----------------------------------------------------------------------------------
    def set_cursor(self, index: int, *, announce: bool = True) -> None:
        if self._count == 0:
            self.cursor = 0
            return
        index = min(max(index, 0), self._count - 1)
        self.cursor = index
        self.scroll_to_region_of(index)
        self._announce = False
        if announce:
            issue = self.row(index)
            if issue is not None:
                self.post_message(self.Highlighted(issue))
            else:
                self._announce = True

    def scroll_to_region_of(self, index: int) -> None:
        top = index * ROW_HEIGHT
        height = self.scrollable_content_region.height or self.size.height
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False)
        elif top + ROW_HEIGHT > self.scroll_offset.y + height:
            # whole rows at the top: the first row shown is never cut in half
            wanted = -(-(top + ROW_HEIGHT - height) // ROW_HEIGHT) * ROW_HEIGHT
            self.scroll_to(y=min(wanted, top), animate=False)

    def watch_cursor(self) -> None:
        self.refresh()

    def action_cursor_down(self) -> None:
        self.set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.set_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self.set_cursor(0)

    def action_last(self) -> None:
        self.set_cursor(self._count - 1)

    def _page_rows(self) -> int:
        return max(1, (self.scrollable_content_region.height or self.size.height) // ROW_HEIGHT)

    def action_page_down(self) -> None:
        self.set_cursor(self.cursor + self._page_rows())

    def action_page_up(self) -> None:
        self.set_cursor(self.cursor - self._page_rows())

    def action_select(self) -> None:
        issue = self.current
        if issue is not None:
            self.post_message(self.Selected(issue))

    async def _on_click(self, event) -> None:
        index = (event.y + self.scroll_offset.y) // ROW_HEIGHT
        if 0 <= index < self._count:
            self.set_cursor(index)
            if event.chain >= 2:
                self.action_select()

    # -- drawing ---------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        line = self.scroll_offset.y + y
        index, part = divmod(line, ROW_HEIGHT)
        base = self.rich_style
        issue = self.row(index)
        if issue is None:
            return Strip.blank(width, base)
        if part == 0:
            text = self._title_line(issue, width)
        else:
            text = self._meta_line(issue, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        if index == self.cursor:
            # The cursor's background goes under the text in place of the pane's: a style
            # applied to a strip only fills in what its segments leave unset.
            name = "issue-list--cursor" if self.has_focus else "issue-list--cursor-blurred"
            base = base + self.get_component_rich_style(name)
        strip = Strip(list(text.render(self.app.console)), width).apply_style(base)
        return strip.crop_extend(0, width, base)

    def _text_style(self, name: str) -> Style:
        """A component's colour and text style without its background (the row's own, or the
        cursor's, is laid under the whole line)."""
        style = self.get_component_rich_style(name)
        return Style(color=style.color, bold=style.bold, dim=style.dim, italic=style.italic)

    def _title_line(self, issue: IssueSummary, width: int) -> Text:
        unread = issue.unread is None or issue.unread > 0
        style = self._text_style("issue-list--unread" if unread else "issue-list--read")
        marker = "● " if unread else "  "
        text = Text(marker, style=style)
        text.append(shown(issue.title, 300), style=style)
        return text

    def _meta_line(self, issue: IssueSummary, width: int) -> Text:
        meta = self._text_style("issue-list--meta")
        count_style = self._text_style("issue-list--count")
        counter = ""
        if not issue.indexed and issue.unread is None:
            counter = "new"  # stored, not indexed yet: its stories are counted once it is
        elif issue.stories:
            counter = f"{issue.unread}/{issue.stories}" if issue.unread else "read"
        # The count and the date always show; a long source name gives way to them. Widths in
        # cells: a source in wide characters takes twice its length.
        source = shown(issue.source, 60)
        tail = shown(issue.date, 40)
        room = width - 2 - cell_len(counter) - (1 if counter else 0)
        room -= cell_len(tail) + 3 if source and tail else cell_len(tail)
        if source and cell_len(source) > room:
            if room >= 4:
                cut = Text(source)
                cut.truncate(room, overflow="ellipsis")
                source = cut.plain
            else:
                source = ""
        parts = [part for part in (source, tail) if part]
        text = Text("  " + " · ".join(parts), style=meta)
        if counter:
            text.truncate(max(width - cell_len(counter) - 1, 0), overflow="ellipsis")
            text.append(" " * (width - text.cell_len - cell_len(counter)))
            text.append(counter, style=count_style if issue.unread or issue.unread is None else meta)
        return text

    def on_resize(self) -> None:
        self.virtual_size = Size(0, self._count * ROW_HEIGHT)
        self.call_after_refresh(self.scroll_to_region_of, self.cursor)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
