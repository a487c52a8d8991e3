"""Storage faults: a full disk, a file another program keeps locked, damaged pages and a damaged
schema. Each is one line in the CLI or a notification in the reader; the reader stays usable and
no stored mark is lost."""

from __future__ import annotations

import asyncio
import json
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing_tui.library import Library, StoreError
from tests.feedserver import FeedServer, Issue, rss_feed
from tests.test_store import cli, locations, many_briefings
from tests.ui_support import import_fixtures, new_app, read_ids, settle

SIZE = (100, 30)


def _fill(library: Library) -> None:
    """Make the read state's file unable to grow, and fill what room it has: a full disk."""
    writer = library.state.writer
    pages = writer.execute("PRAGMA page_count").fetchone()[0]
    writer.execute(f"PRAGMA max_page_count = {pages}")
    for padding in (300, 40, 0):  # big rows first, then smaller ones into what room is left
        for number in range(100_000):
            try:
                library.state.mark_read([(f"filler-{padding}-{number:06d}{'x' * padding}", None)])
            except StoreError:
                break
        else:
            raise AssertionError("the state file never filled up")


async def test_a_full_disk_under_the_read_state_is_a_notification_not_a_crash():
    ids = import_fixtures()
    library = Library(locations())
    library.mark_read([ids.older_stories[0]], ids.older)
    library.close()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _fill(app.library)
        await pilot.press("enter", "enter")  # opening a story marks it read: the write fails
        await settle(pilot)
        assert any("Read mark not saved" in m and "no space left" in m for m in app.messages("error"))
        await pilot.press("escape", "j", "m", "escape", "j")  # still usable
        await settle(pilot)
        assert app.is_running
        screen = app.screen
        assert ids.newer_stories[0] not in screen.view.read  # shown as it is stored: unread
    marks = read_ids()
    assert ids.older_stories[0] in marks and ids.newer_stories[0] not in marks  # nothing lost


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(120)
"""


@pytest.mark.timeout(120)
async def test_a_read_state_locked_by_another_program_never_freezes_the_reader():
    import_fixtures()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        locker = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(locations().state_db)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert locker.stdout.readline().strip() == "locked"
            started = time.perf_counter()
            await pilot.press("enter", "enter", "escape", "j", "k")
            await pilot.pause()
            # The keys were handled while the write waited: the reader did not freeze.
            assert time.perf_counter() - started < 3
            for _ in range(200):
                if app.messages("error"):
                    break
                await asyncio.sleep(0.1)
            assert any("Read mark not saved" in m and "locked" in m for m in app.messages("error"))
            assert app.is_running
        finally:
            locker.kill()
            locker.wait()
        await pilot.press("enter")  # the lock is gone: opening a story stores its mark again
        await settle(pilot)
    assert read_ids()


@pytest.mark.timeout(120)
def test_a_file_size_limit_under_the_cache_during_refresh_is_one_line_per_feed(tmp_path):
    server = FeedServer()
    try:
        big = [Issue(number, edit=" Some words about chips and cables." * 3000) for number in range(30)]
        server.feed("/big.xml", rss_feed(big))
        server.feed("/small.xml", rss_feed([Issue(1)]))
        library = Library(locations())
        library.add_feed(server.url("/big.xml"))
        library.add_feed(server.url("/small.xml"))
        library.close()
        limit = 400 * 1024

        def limited() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        result = subprocess.run(
            [sys.executable, "-m", "briefing_tui", "refresh", "--plain"],
            capture_output=True, text=True, preexec_fn=limited, timeout=100,
        )
    finally:
        server.close()
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output and "cannot rollback" not in output
    assert "FAIL" in result.stdout and ("disk I/O error" in output or "no space left" in output)


def _damage_middle_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page, "the database should span several pages"
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = b"\xde\xad\xbe\xef" * (page // 4)
    path.write_bytes(bytes(data))


def test_a_partly_damaged_read_state_is_found_at_open_and_what_can_be_read_is_kept(tmp_path, capsys):
    files = many_briefings(tmp_path / "in", 5)
    assert cli(capsys, "import", *files)[0] == 0
    assert cli(capsys, "add", "https://feeds.example.com/a.xml", "--no-check")[0] == 0
    kept = [f"s-{number:012x}" for number in range(3000)]
    library = Library(locations())
    library.mark_read(kept)
    library.close()
    _damage_middle_page(locations().state_db)

    code, out, err = cli(capsys, "export", "json")

    assert code == 0, err
    [line] = err.splitlines()
    assert line.startswith("briefing-tui: read-state database was damaged; it was moved to ")
    assert "that could still be read" in line
    exported = json.loads(out)
    marks = {mark["item_id"] if isinstance(mark, dict) else mark for mark in exported["read"]}
    # Every mark outside the one damaged page is kept; the subscription too.
    assert len(marks & set(kept)) > 2000
    assert [feed["url"] for feed in exported["subscriptions"]] == ["https://feeds.example.com/a.xml"]


@pytest.mark.parametrize(
    "damage",
    ["DROP TABLE items", "ALTER TABLE items DROP COLUMN kind", "DROP TABLE search", "DROP TABLE feeds"],
)
def test_a_damaged_cache_schema_is_rebuilt_not_a_traceback(tmp_path, capsys, damage):
    files = many_briefings(tmp_path / "in", 5)
    assert cli(capsys, "import", *files)[0] == 0
    conn = sqlite3.connect(locations().cache_db)
    conn.execute(damage)
    conn.commit()
    conn.close()

    code, out, err = cli(capsys, "list", "--json")

    assert code == 0 and "Traceback" not in err
    assert err.startswith("briefing-tui: cache was damaged; it was moved to ")
    assert json.loads(out) == []
    assert cli(capsys, "import", *files)[0] == 0
    assert len(json.loads(cli(capsys, "list", "--json")[1])) == 5
