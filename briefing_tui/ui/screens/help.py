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
        Binding("g,home", "scroll('home')", "Top of the help", show=False, id="help.top"),
        Binding("G,end", "scroll('end')", "End of the help", show=False, id="help.bottom"),
        Binding("space,pagedown", "scroll('page_down')", "Help page down", show=False, id="help.page_down"),
        Binding("b,pageup", "scroll('page_up')", "Help page up", show=False, id="help.page_up"),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
        table.add_column(Text("Keys"), no_wrap=True)
        table.add_column(Text("Action"))
        table.add_column(Text("Id (for [keys] in config.toml)"), style="dim", no_wrap=True)
        for group, rows in describe_bindings(self.app):
            # the group's name stands over the actions: a long name never widens the keys column
            table.add_row("", Text.assemble((group, "bold underline")), "")
            for keys, description, binding_id in rows:
                table.add_row(Text(keys), Text(description), Text(binding_id))
        with VerticalScroll(id="help-body"):
            yield Static(Text("briefing-tui keys  (Esc closes · ctrl+p runs any command by name)", style="bold"))
            yield Static(table)

    def action_scroll(self, direction: str) -> None:
        # Not animated: keys that come faster than an animation (a held j) each move.
        body = self.query_one("#help-body", VerticalScroll)
        if direction in ("down", "up"):
            body.scroll_relative(y=1 if direction == "down" else -1, animate=False)
        elif direction in ("home", "end"):
            (body.scroll_home if direction == "home" else body.scroll_end)(animate=False)
        else:
            (body.scroll_page_down if direction == "page_down" else body.scroll_page_up)(animate=False)
