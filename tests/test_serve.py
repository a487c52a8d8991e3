"""``briefing-tui serve`` in a real Chromium, driven by playwright.

The served page draws the reader on a canvas (xterm.js), so what the reader shows is checked
through screenshots and what it did through the stored data (``briefing-tui list --json``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from briefing_tui.paths import Locations
from tests.feedserver import FeedServer, Issue, rss_feed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SAMPLE_ISSUE = "The Sample Sheet: how to read a briefing in this reader"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _briefing(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "briefing_tui", *argv], capture_output=True, text=True, timeout=60, **kwargs
    )


def _issues() -> dict[str, dict]:
    done = _briefing("list", "--json")
    assert done.returncode == 0, done.stderr
    return {issue["title"]: issue for issue in json.loads(done.stdout)}


def _readers(server: subprocess.Popen) -> list[int]:
    """The reader processes the server started (one per open tab), however deep below it."""
    parents: dict[int, int] = {}
    commands: dict[int, list[bytes]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("PPid:"):
                parents[int(entry.name)] = int(line.split()[1])

    def below_server(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == server.pid:
                return True
        return False

    return [
        pid for pid, command in commands.items()
        if b"briefing_tui" in command and b"read" in command and below_server(pid)
    ]  # fmt: skip


def _wait(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian package chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def served():
    """``briefing-tui serve`` on a free loopback port, stories not marked read on opening."""
    config = Locations.resolve().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[reader]\nmark_read_on_open = false\n")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "briefing_tui", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        _wait(answers, what="the server")
        server.url = url  # type: ignore[attr-defined]
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def open_reader(context, served, *, sample: bool = True):
    """A tab with the reader drawn and taking keys."""
    before = len(_readers(served))
    page = context.new_page()
    page.goto(served.url)
    page.wait_for_selector(".textual-terminal.-connected", timeout=20000)
    _wait(lambda: len(_readers(served)) > before, what="the tab's reader process")
    if sample:
        _wait(lambda: SAMPLE_ISSUE in _issues(), what="the reader to load its sample briefing")
    page.focus("textarea.xterm-helper-textarea")
    time.sleep(1.5)  # the reader's first frames
    return page


def test_the_served_reader_takes_keys_and_its_marks_are_the_terminals(browser, served, tmp_path):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = open_reader(context, served)
    first = page.screenshot(path=str(tmp_path / "headlines.png"))
    page.keyboard.press("3")
    time.sleep(1.0)
    bottom_lines = page.screenshot(path=str(tmp_path / "bottom-lines.png"))
    assert bottom_lines != first  # the right pane now shows the bottom lines
    assert _issues()[SAMPLE_ISSUE]["unread_stories"] == 3
    for key in ("1", "Enter", "Enter"):  # Headlines, into the stories, open the first one
        page.keyboard.press(key)
        time.sleep(0.4)
    page.keyboard.press("m")
    _wait(lambda: _issues()[SAMPLE_ISSUE]["unread_stories"] == 2, what="the mark to be stored")
    page.close()
    context.close()
    # the mark is the terminal's: the CLI sees it
    assert _issues()[SAMPLE_ISSUE]["unread_stories"] == 2


def test_o_opens_the_link_in_the_readers_browser(browser, served):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    outside: list[str] = []

    def stub(route):  # no network here: every page outside the server is a stub
        outside.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>the story's page</p>")

    context.route(lambda url: not url.startswith(served.url), stub)
    page = open_reader(context, served)
    for key in ("1", "Enter", "Enter"):
        page.keyboard.press(key)
        time.sleep(0.4)
    with context.expect_page(timeout=15000) as opened:
        page.keyboard.press("o")
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.startswith("https://") and not tab.url.startswith(served.url)
    assert tab.url in outside
    context.close()


def test_closing_a_tab_ends_its_reader_and_the_server_stays(browser, served):
    context = browser.new_context()
    first = open_reader(context, served)
    second = open_reader(context, served)
    _wait(lambda: len(_readers(served)) == 2, what="two reader processes")
    first.close()
    _wait(lambda: len(_readers(served)) == 1, what="the closed tab's reader to end")
    second.close()
    _wait(lambda: len(_readers(served)) == 0, what="every reader to end")
    assert served.poll() is None
    third = open_reader(context, served)
    assert third.is_visible(".textual-terminal")
    context.close()


def test_the_server_survives_a_tab_closed_mid_refresh(browser, served):
    feeds = FeedServer()
    try:
        feeds.slow("/slow.xml", 3.0, rss_feed([Issue(1), Issue(2)]))
        assert _briefing("add", feeds.url("/slow.xml")).returncode == 0
        context = browser.new_context()
        page = open_reader(context, served, sample=False)
        page.keyboard.press("r")
        time.sleep(0.5)  # the refresh is waiting for the slow feed
        page.close()
        _wait(lambda: len(_readers(served)) == 0, what="the reader to end")
        assert served.poll() is None
        with urllib.request.urlopen(served.url, timeout=5) as response:
            assert response.status == 200
        again = open_reader(context, served, sample=False)
        again.keyboard.press("r")
        _wait(lambda: len(_issues()) == 2, timeout=30, what="the refresh in a new tab")
        context.close()
    finally:
        feeds.close()


def test_a_port_in_use_is_one_line_and_exit_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _briefing("serve", "--port", str(port))
    assert done.returncode == 1
    assert done.stderr.strip() == f"briefing-tui: cannot listen on 127.0.0.1:{port}: the port is in use"


def test_serving_to_the_network_warns_that_there_is_no_login():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "briefing_tui", "serve", "--host", "0.0.0.0", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait(lambda: _connects(port), what="the server")
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=10)
    assert "warning: serving on 0.0.0.0" in err and "no login" in err


def _connects(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_export_in_the_browser_is_a_download(browser, served):
    context = browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
    page = open_reader(context, served)
    page.keyboard.press("Control+p")
    time.sleep(0.8)
    page.keyboard.type("Export issue as Markdown")
    time.sleep(0.8)
    with page.expect_download(timeout=15000) as download:
        page.keyboard.press("Enter")
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".md")
    assert SAMPLE_ISSUE in saved and "A Harbour City Runs Its Trams on a Shared Battery" in saved
    # nothing was written on the server's side
    assert not list(Path(os.environ["HOME"]).rglob("*.md"))
    context.close()


async def test_export_in_the_terminal_saves_a_new_file_in_downloads():
    import platformdirs

    from tests.test_ui_pilot import SIZE, parts
    from tests.ui_support import import_fixtures, new_app, settle

    import_fixtures()
    downloads = Path(platformdirs.user_downloads_dir())
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = parts(app)[0]
        for _ in range(2):  # twice: the second export never overwrites the first
            await reader.run_action("export_issue")
            await app.workers.wait_for_complete()
            await settle(pilot)
    first = downloads / "the-lattice-letter-an-undersea-cable-fix-and-a-compiler-that-explains-itself.md"
    assert sorted(downloads.glob("*.md")) == [first.with_name(first.stem + "-2.md"), first]
    assert reader.view.briefing.title in first.read_text(encoding="utf-8")
    assert any(message.startswith("Saved ") for message in app.messages())
