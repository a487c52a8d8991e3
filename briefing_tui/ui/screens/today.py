"""The day in one screen: every issue of a day, thread by thread, with each source's bottom line."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from briefing_tui.library import Digest, DigestRow, Library, ThreadMember
from briefing_tui.ui import rendering
from briefing_tui.ui.widgets.item_list import SpacedOptionList


class DigestOption(Option):
    def __init__(self, row: DigestRow) -> None:
        super().__init__(rendering.digest_row(row))
        self.row = row


class DigestLoaded(Message):
    def __init__(self, digest: Digest | None, error: str | None = None) -> None:
        super().__init__()
        self.digest = digest
        self.error = error


class DigestList(SpacedOptionList):
    HELP_GROUP = "Today"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="today.down"),
        Binding("k", "cursor_up", "Up", show=False, id="today.up"),
    ]


class TodayScreen(Screen[ThreadMember | None]):
    """Dismissed with the piece to open (its first unread member), or None. Opened again on the
    day of a piece it opened (``at``), the cursor is on that piece's row."""

    HELP_GROUP = "Today"
    BINDINGS = [
        Binding("left_square_bracket", "step_day(-1)", "Day before", id="today.previous_day"),
        Binding("right_square_bracket", "step_day(1)", "Day after", id="today.next_day"),
        Binding("escape,T", "close", "Back", id="today.back"),
    ]

    def __init__(self, library: Library, day: str | None = None, at: ThreadMember | None = None) -> None:
        super().__init__()
        self.library = library
        self.day = day
        self.digest: Digest | None = None
        self._at = at

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static("Loading…", id="today-status")
        yield DigestList(id="today-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Today"
        self.load(self.day, 0)

    @work(thread=True, exclusive=True, group="digest")
    def load(self, day: str | None, step: int) -> None:
        try:
            if step:
                day = self.library.digest_day(day, step)
                if day is None:
                    self.post_message(DigestLoaded(None, "No issues " + ("before" if step < 0 else "after") + " this day."))
                    return
            digest = self.library.digest(day)
        except Exception as error:  # noqa: BLE001 - a damaged cache row must not end the reader
            self.post_message(DigestLoaded(None, f"Could not build the digest: {error}"))
            return
        self.post_message(DigestLoaded(digest))

    def on_digest_loaded(self, message: DigestLoaded) -> None:
        if message.digest is None:
            self.notify(message.error or "", markup=False)
            if self.digest is None:
                self.query_one("#today-status", Static).update(Text(message.error or ""))
            return
        digest = self.digest = message.digest
        self.day = digest.day
        self.title = f"Today · {digest.day}" if digest.day else "Today"
        status = self.query_one("#today-status", Static)
        rows = self.query_one(DigestList)
        rows.clear_options()
        if digest.day is None:
            status.update(Text("No issues yet."))
            return
        stories = len(digest.rows)
        status.update(
            Text(
                f"{digest.issues} issue{'s' if digest.issues != 1 else ''} · {stories} stor{'ies' if stories != 1 else 'y'}"
                f" · {digest.unread} unread · [ ] other days · Enter reads"
            )
        )
        rows.add_options(DigestOption(row) for row in digest.rows)
        if digest.rows:
            rows.highlighted = self._row_of(self._at, digest.rows)
        self._at = None  # another day starts at its top
        rows.focus()

    @staticmethod
    def _row_of(member: ThreadMember | None, rows: list[DigestRow]) -> int:
        """The row holding ``member`` (the thread's rows reorder as stories are read), else 0."""
        if member is not None:
            piece = (member.issue_id, member.item_id)
            for index, row in enumerate(rows):
                if any((other.issue_id, other.item_id) == piece for other in row.members):
                    return index
        return 0

    def action_step_day(self, step: int) -> None:
        if self.day is not None:
            self.load(self.day, step)

    def action_close(self) -> None:
        self.dismiss(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option, DigestOption):
            self.dismiss(event.option.row.first_unread)
