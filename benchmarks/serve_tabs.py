"""Memory of the served reader: one reader process per browser tab.

    python benchmarks/serve_tabs.py [--tabs 20] [--chromium /usr/bin/chromium] [--json OUT]

Starts ``briefing-tui serve`` on a free loopback port with fresh data, cache and config
directories, opens ``--tabs`` tabs in a headless Chromium (playwright), waits until every tab
has its reader process, and reports the resident memory (VmRSS) of each reader process, their
total, the server's own, and whether every reader ended once the tabs closed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _descendants(root: int) -> list[tuple[int, list[bytes]]]:
    parents, commands = {}, {}
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
    found = []
    for pid, command in commands.items():
        parent = pid
        while parent > 1:
            parent = parents.get(parent, 0)
            if parent == root:
                found.append((pid, command))
                break
    return found


def _readers(server: int) -> list[int]:
    return [pid for pid, command in _descendants(server) if b"briefing_tui" in command and b"read" in command]


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=20)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="briefing-serve-") as temp, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        env = dict(os.environ, XDG_DATA_HOME=f"{temp}/data", XDG_CACHE_HOME=f"{temp}/cache",
                   XDG_CONFIG_HOME=f"{temp}/config", HOME=temp)
        server = subprocess.Popen([sys.executable, "-m", "briefing_tui", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        url = f"http://127.0.0.1:{port}/"
        try:
            _wait(lambda: _answers(url), 20, "the server")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                context = browser.new_context(viewport={"width": 1200, "height": 800})
                pages = []
                started = time.perf_counter()
                for _ in range(args.tabs):
                    page = context.new_page()
                    page.goto(url)
                    pages.append(page)
                _wait(lambda: len(_readers(server.pid)) >= args.tabs, 120, f"{args.tabs} readers")
                ready_s = time.perf_counter() - started
                time.sleep(3)  # every reader past its first screen
                readers = _readers(server.pid)
                per_tab = [_rss_mb(pid) for pid in readers]
                server_mb = _rss_mb(server.pid)
                for page in pages:
                    page.close()
                try:
                    _wait(lambda: not _readers(server.pid), 30, "the readers to end")
                    ended = True
                except RuntimeError:
                    ended = False
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    result = {
        "tabs": args.tabs,
        "readers": len(per_tab),
        "reader_rss_mb": {"median": round(statistics.median(per_tab), 1), "max": round(max(per_tab), 1)},
        "total_rss_mb": round(sum(per_tab) + server_mb, 1),
        "server_rss_mb": round(server_mb, 1),
        "all_tabs_ready_s": round(ready_s, 1),
        "readers_ended_after_close": ended,
    }
    print(f"{args.tabs} tabs: {len(per_tab)} reader processes, median {result['reader_rss_mb']['median']} MB"
          f" (max {result['reader_rss_mb']['max']}) each, server {result['server_rss_mb']} MB,"
          f" total {result['total_rss_mb']} MB; all ready in {result['all_tabs_ready_s']} s;"
          f" readers ended after closing: {ended}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
