"""Small modal dialogs: adding a feed, picking one of a story's links, an article's thread."""

from __future__ import annotations

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from briefing_tui.library import AddResult, Library, StoreError, ThreadMember, ThreadView
from briefing_tui.model import Link
from briefing_tui.text import truncate
from briefing_tui.ui.rendering import link_row, shown
from briefing_tui.ui.widgets.thread_list import ThreadList


class AddFeedScreen(ModalScreen[AddResult | None]):
    """Subscribe: the address is fetched once (in a worker) and checked; a failure is shown
    here, with the address kept for a fix. Dismissed with what subscribing did, or None."""

    HELP_GROUP = "Dialogs"
    BINDINGS = [Binding("escape", "cancel", "Cancel adding a feed", id="add_feed.cancel")]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Add a feed (RSS, Atom or JSON Feed), a web page that names one, or an IMAP folder", style="bold"))
            yield Input(placeholder="https://example.com/feed.xml", id="feed-url")
            yield Input(placeholder="name (optional)", id="feed-title")
            yield Static(Text("Enter adds and fetches it · Esc cancels", style="dim"), id="add-status")
            yield Static(
                Text(
                    "IMAP: imaps://user@host/Folder, password from BRIEFING_TUI_IMAP_PASSWORD"
                    " (or add it with the command line's --password-command)",
                    style="dim",
                )
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        url = self.query_one("#feed-url", Input).value.strip()
        if not url:
            self.query_one("#feed-url", Input).focus()
            return
        title = self.query_one("#feed-title", Input).value.strip() or None
        self._status(Text(f"Checking {truncate(url, 60)}…", style="dim"))
        self._subscribe(url, title)

    @work(thread=True, exclusive=True, group="add-feed")
    def _subscribe(self, url: str, title: str | None) -> None:
        try:
            result = self.library.subscribe(url, title, store=True)
        except (ValueError, StoreError) as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self.dismiss, result)

    def _failed(self, error: str) -> None:
        self._status(Text(error, style="bold red"))
        self.query_one("#feed-url", Input).focus()

    def _status(self, text: Text) -> None:
        self.query_one("#add-status", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinkPickerScreen(ModalScreen[str | None]):
    """Choose which of a story's links to open."""

    HELP_GROUP = "Dialogs"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel opening a link", id="links.cancel"),
        Binding("j", "down", "Next link", show=False, id="links.down"),
        Binding("k", "up", "Previous link", show=False, id="links.up"),
    ]

    def __init__(self, links: list[Link]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            title = Text("Open which link?", style="bold")
            title.append("  1–9 or Enter opens one, Esc cancels" if len(self.links) > 1 else "", style="dim")
            yield Static(title)
            options = []
            width = len(str(len(self.links)))
            for number, link in enumerate(self.links):
                options.append(Option(link_row(number + 1, link, width + 2), id=str(number)))
            yield OptionList(*options, id="link-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.links[event.option_index].url)

    def on_key(self, event: events.Key) -> None:
        """A digit opens the link of that number, as the story's numbered link list shows it."""
        if event.character and event.character in "123456789":
            event.stop()
            number = int(event.character)
            if number <= len(self.links):
                self.dismiss(self.links[number - 1].url)
            else:
                self.app.bell()

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ErrorScreen(ModalScreen[None]):
    """A problem that stops the reader from working (e.g. the database cannot be opened)."""

    HELP_GROUP = "Dialogs"
    BINDINGS = [Binding("q,escape", "app.quit", "Quit (start-up error)", id="error.quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("briefing-tui cannot start", style="bold"))
            yield Static(Text(self.message))
            yield Static(Text("q quits", style="dim"))


class ThreadScreen(ModalScreen[ThreadMember | None]):
    """The other pieces of a thread, for an issue read as one article (stories show theirs inline)."""

    HELP_GROUP = "Dialogs"
    BINDINGS = [Binding("escape,t", "cancel", "Close the thread", id="thread.close")]

    def __init__(self, view: ThreadView, here: tuple[str, str | None]) -> None:
        super().__init__()
        self.view = view
        self.here = here

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(shown(self.view.thread.title, 200), style="bold"))
            yield ThreadList(id="thread-list")
            yield Static(Text("Enter opens it · Esc closes", style="dim"))

    def on_mount(self) -> None:
        self.query_one(ThreadList).show_thread(self.view, self.here)
        self.query_one(ThreadList).focus()

    def on_thread_list_member_chosen(self, event: ThreadList.MemberChosen) -> None:
        event.stop()
        self.dismiss(event.member)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question (y or Enter: yes; n or Esc: no)."""

    HELP_GROUP = "Dialogs"
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question, style="bold"))
            yield Static(Text("y yes · n no", style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class InputScreen(ModalScreen[str | None]):
    """One line of text (Enter: done, with the text; Esc: None)."""

    HELP_GROUP = "Dialogs"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="input.cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question, style="bold"))
            yield Input(value=self.value, id="answer")
            yield Static(Text("Enter · Esc cancels", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
