"""The Textual application: opens the library and shows the reader."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from briefing_tui.config import Config, ConfigError, load_config
from briefing_tui.library import ISSUE_ORDERS, Library, StoreError
from briefing_tui.paths import Locations
from briefing_tui.session import Session, load_session, save_session
from briefing_tui.ui.commands import ReaderCommands
from briefing_tui.ui.keys import keymap_conflicts, known_binding_ids
from briefing_tui.ui.messages import Listing
from briefing_tui.ui.screens.reader import ReaderScreen, list_issues


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
    HELP_GROUP = "Everywhere"
    BINDINGS = [Binding("ctrl+l", "redraw", "Redraw the screen", show=False, id="redraw")]

    def __init__(self, locations: Locations, config: Config | None = None, *, config_error: str | None = None):
        super().__init__()
        self.locations = locations
        self.config = config or Config()
        self.config_error = config_error
        self.library: Library | None = None
        #: The reader's screen, kept to save where it was when the app closes (its screens are
        #: gone from the stack by then).
        self.reader: ReaderScreen | None = None
        self.keymap_overrides: dict[str, str] = {}
        #: Where the reader was when it last closed (the open issue, section, filters, theme).
        self.session = load_session(locations.session_file)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own palette entries, less those the reader has its own way to do (help is
        ?) or that mean nothing to a reader (maximize a pane, SVG screenshots)."""
        for command in super().get_system_commands(screen):
            if command.title in ("Theme", "Quit"):
                yield command

    def on_mount(self) -> None:
        # The reader opens once Textual's start-up is over: a screen pushed during it can have
        # its first full frame drawn inside start-up's batched update, which drops it, and
        # would then show bit by bit as its parts change.
        self.call_later(self._open_reader)

    def _open_reader(self) -> None:
        self._apply_keymap()
        self._apply_theme()
        try:
            self.library = Library(self.locations, self.config)
        except StoreError as error:
            from briefing_tui.ui.screens.dialogs import ErrorScreen

            self.push_screen(ErrorScreen(str(error)))
            return
        # The first page of the issue list is read here, with the library's opening and before
        # the first frame (nothing can be typed yet), so that the list paints with the screen.
        session = self.session
        listing = Listing(session.unread_only, session.source_filter, session.order if session.order in ISSUE_ORDERS else "newest")
        try:
            first = list_issues(self.library, listing, session.issue_id)
        except StoreError:
            first = None  # the reader lists them again in a worker, and says what failed
        self.reader = ReaderScreen(self.library, self.config, session, first)
        self.push_screen(self.reader)
        if self.config_error:
            self.notify(self.config_error + "; using defaults", severity="warning", timeout=15, markup=False)

    def _apply_theme(self) -> None:
        """The config's theme, else the one chosen last time; an unknown name is one warning."""
        name = self.config.theme or self.session.theme
        if not name:
            return
        if name in self.available_themes:
            self.theme = name
        elif self.config.theme:
            self.notify(
                f"{self.locations.config_file}: unknown theme {name!r} (ctrl+p, then 'theme', lists them)",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def action_redraw(self) -> None:
        """Draw the whole screen again (after another program wrote over it)."""
        self.refresh(layout=True, repaint=True)
        self.screen.refresh(layout=True, repaint=True)

    def save_session(self) -> None:
        """Remember where the reader is, for the next start; a failure to write is one line."""
        reader = self.reader
        session = reader.session_now(self.theme) if reader is not None else Session(theme=self.theme)
        try:
            save_session(self.locations.session_file, session)
        except OSError as error:
            print(f"briefing-tui: could not save {self.locations.session_file}: {error.strerror or error}", file=sys.stderr)

    def _apply_keymap(self) -> None:
        if not self.config.keys:
            return
        known = known_binding_ids()
        unknown = sorted(set(self.config.keys) - known)
        self.keymap_overrides = {key: value for key, value in self.config.keys.items() if key in known}
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        for conflict in keymap_conflicts(self.keymap_overrides):
            self.notify(f"{self.locations.config_file}: {conflict}", severity="warning", timeout=15, markup=False)
        if unknown:
            self.notify(
                f"{self.locations.config_file}: unknown key binding id(s) {', '.join(unknown)} (see ? for ids)",
                severity="warning",
                timeout=15,
                markup=False,
            )

    def on_unmount(self) -> None:
        if self.library is not None:
            self.save_session()
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
