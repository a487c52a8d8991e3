"""The Textual application: opens the library and shows the reader."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from textual.app import App

from briefing_tui.config import Config, ConfigError, load_config
from briefing_tui.library import Library, StoreError
from briefing_tui.paths import Locations
from briefing_tui.ui.commands import ReaderCommands
from briefing_tui.ui.keys import known_binding_ids
from briefing_tui.ui.screens.dialogs import ErrorScreen
from briefing_tui.ui.screens.reader import ReaderScreen


def styles_dir() -> Path:
    """The .tcss files: inside the package when installed from a wheel, else the checkout's styles/."""
    packaged = Path(__file__).resolve().parent.parent / "styles"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "styles"


class BriefingApp(App):
    TITLE = "briefing-tui"
    CSS_PATH = [styles_dir() / "app.tcss"]
    COMMANDS = App.COMMANDS | {ReaderCommands}

    def __init__(self, locations: Locations, config: Config | None = None, *, config_error: str | None = None):
        super().__init__()
        self.locations = locations
        self.config = config or Config()
        self.config_error = config_error
        self.library: Library | None = None
        self.keymap_overrides: dict[str, str] = {}

    def on_mount(self) -> None:
        self._apply_keymap()
        try:
            self.library = Library(self.locations, self.config)
        except StoreError as error:
            self.push_screen(ErrorScreen(str(error)))
            return
        self.push_screen(ReaderScreen(self.library, mark_read_on_open=self.config.mark_read_on_open))
        if self.config_error:
            self.notify(self.config_error + "; using defaults", severity="warning", timeout=15, markup=False)

    def _apply_keymap(self) -> None:
        known = known_binding_ids()
        unknown = sorted(set(self.config.keys) - known)
        self.keymap_overrides = {key: value for key, value in self.config.keys.items() if key in known}
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        if unknown:
            self.notify(
                f"{self.locations.config_file}: unknown key binding id(s) {', '.join(unknown)} (see ? for ids)",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def on_unmount(self) -> None:
        if self.library is not None:
            self.library.close()


def make_app(locations: Locations) -> BriefingApp:
    try:
        config, error = load_config(locations.config_file), None
    except ConfigError as problem:
        config, error = Config(), str(problem)
    return BriefingApp(locations, config, config_error=error)


def served() -> bool:
    """The reader runs for a browser (``briefing-tui serve``): textual-serve gave it a web driver."""
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")


def run_reader(locations: Locations) -> int:
    """Run the reader in this terminal (or for the browser that served it); returns the exit status."""
    if not served() and (not sys.stdout.isatty() or not sys.stdin.isatty()):
        print("briefing-tui: the reader needs a terminal; see 'briefing-tui --help' for commands", file=sys.stderr)
        return 2
    make_app(locations).run()
    return 0
