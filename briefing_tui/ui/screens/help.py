"""Every key the reader knows, with the binding id a [keys] config table can rebind."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from briefing_tui.ui.keys import describe_bindings


class HelpScreen(ModalScreen[None]):
    HELP_GROUP = "Dialogs"
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll('down')", "Scroll help down", show=False, id="help.down"),
        Binding("k,up", "scroll('up')", "Scroll help up", show=False, id="help.up"),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
        table.add_column(Text("Keys"), no_wrap=True)
        table.add_column(Text("Action"))
        table.add_column(Text("Id (for [keys] in config.toml)"), style="dim", no_wrap=True)
        for group, rows in describe_bindings(self.app):
            # the group's name stands over the actions: a long name never widens the keys column
            table.add_row("", Text(group, style="bold underline"), "")
            for keys, description, binding_id in rows:
                table.add_row(Text(keys), Text(description), Text(binding_id))
        with VerticalScroll(id="help-body"):
            yield Static(Text("briefing-tui keys  (Esc closes · ctrl+p runs any command by name)", style="bold"))
            yield Static(table)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_down()
        else:
            body.scroll_up()
