"""The floor for the first-screen measurement: a Textual app with a header, a footer and one word.

The benchmark launches it in the same pseudo-terminal as the reader and waits for READYWORD.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

WORD = "Quillbarrow"


class BareApp(App):
    TITLE = "bare"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(WORD)
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
