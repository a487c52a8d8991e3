"""Following a link from the reader: a text-mode browser gets the terminal (the reader is
suspended and redrawn when it exits, as newsboat does); a graphical one opens beside it; a
reader served to a web browser opens the link in a new tab there."""

from __future__ import annotations

import subprocess
from pathlib import Path

from textual.app import App, SuspendNotSupported

from briefing_tui.text import is_openable, truncate

#: Browsers that draw in the terminal: run in the foreground with the reader suspended.
TEXT_BROWSERS = frozenset({"w3m", "lynx", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl"})


def terminal_browser(url: str) -> list[str] | None:
    """The command line of the browser webbrowser would use, when it is a text-mode one
    ($BROWSER naming w3m, or no graphical browser and w3m/lynx installed); else None."""
    import shlex
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return None
    try:
        parts = shlex.split(getattr(browser, "name", "") or "")
    except ValueError:
        return None
    if not parts or Path(parts[0]).name not in TEXT_BROWSERS or getattr(browser, "background", False):
        return None
    if any("%s" in part for part in parts):  # BROWSER="w3m -N %s"
        return [part.replace("%s", url) for part in parts]
    return parts + [arg.replace("%s", url) for arg in getattr(browser, "args", None) or ["%s"]]


def open_url(app: App, url: str) -> None:
    """Open ``url`` for the reader's user; only http, https and mailto links open."""
    if not is_openable(url):
        app.notify(f"Not opening {truncate(url, 80)}: only http, https and mailto links open.",
                   severity="warning", markup=False)
        return
    if app.is_web:
        app.open_url(url, new_tab=True)
    else:
        command = terminal_browser(url)
        if command is not None:
            _run_in_terminal(app, command)
            return
        app.run_worker(lambda: _open_in_browser(app, url), thread=True, group="browser")
    app.notify(f"Opening {truncate(url, 80)}", markup=False)


def _run_in_terminal(app: App, command: list[str]) -> None:
    """Hand the terminal to a text-mode browser and take it back when it exits; a browser
    that cannot start is one line."""
    try:
        with app.suspend():
            result = subprocess.run(command, check=False)
    except (OSError, SuspendNotSupported) as error:
        app.notify(f"Could not run {command[0]}: {error}", severity="error", markup=False)
    else:
        if result.returncode:  # w3m that cannot load the page says so and leaves at once
            app.notify(
                f"{Path(command[0]).name} exited with status {result.returncode}: the page may not have loaded.",
                severity="warning",
                markup=False,
            )
    app.refresh(layout=True)


def _open_in_browser(app: App, url: str) -> None:
    """In a worker thread: webbrowser.open can block while it starts a browser."""
    import webbrowser

    try:
        opened = webbrowser.open(url)
    except Exception as error:  # noqa: BLE001 - a broken $BROWSER must not crash the reader
        app.call_from_thread(app.notify, f"Could not open the browser: {error}", severity="error", markup=False)
        return
    if not opened:
        app.call_from_thread(app.notify, "No browser found; set $BROWSER.", severity="warning", markup=False)
