"""`o` with a text-mode browser: the reader hands over the terminal and takes it back."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
import webbrowser

import pytest

from briefing_tui.ui.browser import terminal_browser


def _browser(monkeypatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("BROWSER", raising=False)
    else:
        monkeypatch.setenv("BROWSER", value)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("w3m", ["w3m", "https://example.com/a"]),
        ("lynx", ["lynx", "https://example.com/a"]),
        ("w3m -N %s", ["w3m", "-N", "https://example.com/a"]),
        ("/usr/bin/elinks", ["/usr/bin/elinks", "https://example.com/a"]),
    ],
)
def test_text_browsers_run_in_the_terminal(monkeypatch, value, expected):
    _browser(monkeypatch, value)
    assert terminal_browser("https://example.com/a") == expected


def test_a_graphical_browser_is_left_to_webbrowser(monkeypatch):
    _browser(monkeypatch, "firefox")
    assert terminal_browser("https://example.com/a") is None


def _wait_for(session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never showed; the screen was:\n{screen}")


def _open_the_link(session: str) -> None:
    """Open the one issue's story, then its link (o)."""
    _wait_for(session, "Issues 1")
    subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
    _wait_for(session, "A story with a link")
    subprocess.run(["tmux", "send-keys", "-t", session, "o"], check=True)


def _reader_in_tmux(tmp_path, url: str) -> str:
    """The reader with BROWSER=w3m in a new 80x24 tmux session, its one issue's story linking
    to ``url``; the session's name."""
    issue = tmp_path / "letter.md"
    issue.write_text(
        "# Link Letter: one story\n\nFrom Link Letter newsletter — March 2, 2026\n\nHello there.\n\n"
        f"## A story with a link\n\nThe lead names [the source]({url}).\n\n"
        "**Why it matters:** Links open and the reader comes back.\n",
        encoding="utf-8",
    )
    env = dict(os.environ, BROWSER="w3m", TERM="xterm-256color")
    subprocess.run([sys.executable, "-m", "briefing_tui", "import", str(issue)], env=env, check=True, capture_output=True)
    session = f"bt-{uuid.uuid4().hex[:8]}"
    command = " ".join(
        f"{name}={env[name]}" for name in ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "BRIEFING_TUI_DATA_DIR",
                                           "BRIEFING_TUI_CACHE_DIR", "BRIEFING_TUI_CONFIG_DIR", "BROWSER")
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", f"env {command} {sys.executable} -m briefing_tui"],
        check=True,
    )
    return session


def test_w3m_round_trip_leaves_the_reader_intact(tmp_path, isolated_dirs):
    if not shutil.which("tmux") or not shutil.which("w3m"):
        pytest.skip("needs tmux and w3m (apt install tmux w3m; .ci/run installs them)")
    (tmp_path / "page.html").write_text("<html><body><h1>Hello from the page</h1></body></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    session = _reader_in_tmux(tmp_path, f"http://127.0.0.1:{server.server_port}/page.html")
    try:
        _open_the_link(session)
        page = _wait_for(session, "Hello from the page")
        assert "Issues 1" not in page  # w3m has the whole screen, nothing of the reader over it
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        _wait_for(session, "exit w3m")
        subprocess.run(["tmux", "send-keys", "-t", session, "y"], check=True)
        back = _wait_for(session, "Issues 1")
        assert "A story with a link" in back and "Hello from the page" not in back
        # keys reach the reader again: T opens Today
        subprocess.run(["tmux", "send-keys", "-t", session, "T"], check=True)
        _wait_for(session, "Today · 2026-03-02")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        server.shutdown()


def test_a_browser_that_cannot_load_the_page_is_reported(tmp_path, isolated_dirs):
    if not shutil.which("tmux") or not shutil.which("w3m"):
        pytest.skip("needs tmux and w3m (apt install tmux w3m; .ci/run installs them)")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: w3m says it cannot load the page and leaves
    session = _reader_in_tmux(tmp_path, f"http://127.0.0.1:{port}/page.html")
    try:
        _open_the_link(session)
        back = _wait_for(session, "exited with status")
        assert "w3m exited with status" in back and "A story with a link" in back
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
