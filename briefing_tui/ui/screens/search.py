"""Search across every cached issue, results as you type."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from briefing_tui.library import Library, QueryError, SearchCancelled, SearchHit
from briefing_tui.ui.rendering import search_row
from briefing_tui.ui.widgets.item_list import SpacedOptionList

#: Wait this long after a keystroke before searching: not at all, as a keystroke stops the
#: search still running for the text before it within milliseconds.
DEBOUNCE = 0.0
#: The most hits a search returns.
LIMIT = 100
#: The fewest hits laid out at a time. A page is a screenful of rows (three lines or more each)
#: and two more: every row costs a layout of its text, so the list starts with one page and the
#: others join as the cursor or the scroll comes near its end.
MIN_PAGE = 8


@dataclass(frozen=True, slots=True)
class SearchJump:
    issue_id: str
    item_id: str
    section: str
    #: The query that found the hit, for the next search to start from.
    query: str = ""


class SearchResults(Message):
    def __init__(self, generation: int, query: str, hits: list[SearchHit] | None, error: str | None) -> None:
        super().__init__()
        self.generation = generation
        self.query = query
        self.hits = hits
        self.error = error


class SearchScreen(ModalScreen[SearchJump | None]):
    HELP_GROUP = "Search"
    BINDINGS = [
        Binding("escape", "dismiss_search", "Back", id="search.back"),
        Binding("down", "results_down", "Next result", show=False, id="search.down"),
        Binding("up", "results_up", "Previous result", show=False, id="search.up"),
        Binding("enter", "jump", "Jump", id="search.jump"),
    ]

    def __init__(self, library: Library, query: str = "") -> None:
        super().__init__()
        self.library = library
        self.initial = query
        self.generation = 0
        self.hits: list[SearchHit] = []
        #: How many of the hits are in the list.
        self.shown = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(
                value=self.initial,
                placeholder='search all issues — words, "phrase", prefix*, section:bottomline, source:NAME, is:unread, is:starred',
                id="search-input",
            )
            yield Static(id="search-status")
            yield SpacedOptionList(id="search-results")

    def on_mount(self) -> None:
        results = self.query_one("#search-results", OptionList)
        results.can_focus = False
        self.watch(results, "scroll_y", self._scrolled, init=False)
        if self.initial:
            self.start_search()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        # The search running now is for an older text: stop it rather than wait for it.
        self.workers.cancel_group(self, "search")
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if DEBOUNCE > 0:
            self._timer = self.set_timer(DEBOUNCE, self.start_search)
        else:
            self.start_search()

    def start_search(self) -> None:
        self.generation += 1
        self.run_search(self.generation, self.query_one("#search-input", Input).value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, generation: int, query: str) -> None:
        worker = get_current_worker()
        hits, error = None, None
        if query.strip():
            try:
                hits = self.library.search(query, limit=LIMIT, cancelled=lambda: worker.is_cancelled, partial=True)
            except SearchCancelled:
                return  # a newer query replaced this one, or the search screen closed
            except QueryError as problem:
                error = str(problem)
        else:
            hits = []
        if not worker.is_cancelled:
            self.post_message(SearchResults(generation, query, hits, error))

    def on_search_results(self, message: SearchResults) -> None:
        if message.generation != self.generation or message.query != self.query_one("#search-input", Input).value:
            return  # results of a query typed over since
        status = self.query_one("#search-status", Static)
        results = self.query_one("#search-results", OptionList)
        if message.error:
            status.update(Text(message.error, style="bold"))
            return
        self.hits = message.hits or []
        self.shown = min(len(self.hits), self.page_size())
        results.set_options(self._options(0, self.shown))
        if self.hits:
            results.highlighted = 0
        if not message.query.strip():
            status.update(Text("type to search every cached issue", style="dim"))
        else:
            count = len(self.hits)
            status.update(Text(f"{count}{'+' if count >= LIMIT else ''} result{'s' if count != 1 else ''} · Enter jumps, Esc goes back", style="dim"))

    def _options(self, start: int, end: int) -> list[Option]:
        return [Option(search_row(hit), id=str(number)) for number, hit in enumerate(self.hits[start:end], start)]

    def page_size(self) -> int:
        return max(MIN_PAGE, self.query_one("#search-results", OptionList).size.height // 3 + 2)

    def show_more(self) -> None:
        """Put the next page of hits in the list."""
        if self.shown < len(self.hits):
            end = min(len(self.hits), self.shown + self.page_size())
            self.query_one("#search-results", OptionList).add_options(self._options(self.shown, end))
            self.shown = end

    def _scrolled(self, scroll_y: float) -> None:
        results = self.query_one("#search-results", OptionList)
        if scroll_y >= results.max_scroll_y - results.scrollable_content_region.height:
            self.show_more()

    def action_results_down(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if results.highlighted is not None and results.highlighted >= self.shown - 2:
            self.show_more()
        results.action_cursor_down()

    def action_results_up(self) -> None:
        self.query_one("#search-results", OptionList).action_cursor_up()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_jump()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        results = self.query_one("#search-results", OptionList)
        index = results.highlighted
        if index is None or not 0 <= index < len(self.hits):
            return
        hit = self.hits[index]
        self.dismiss(SearchJump(hit.issue_id, hit.item_id, hit.section, self.query_one("#search-input", Input).value))

    def action_dismiss_search(self) -> None:
        self.dismiss(None)

    def on_unmount(self) -> None:
        # A search still running stops now rather than holding the library until it ends.
        self.workers.cancel_group(self, "search")
