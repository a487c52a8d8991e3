"""The cache and read-state files: schema versions, damaged files moved aside and rebuilt."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from briefing_tui.cli import main
from briefing_tui.library import Library
from briefing_tui.paths import Locations
from briefing_tui.store import cache as cache_module
from briefing_tui.store import state as state_module
from tests.conftest import FIXTURES

BRIEFING = FIXTURES / "text_briefing.txt"
CORRUPT_NAME = re.compile(r"^(cache|state)\.sqlite3\.corrupt-\d{8}-\d{6}(-\d+)?$")


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def many_briefings(directory: Path, count: int) -> list[str]:
    """Small distinct newsletter files (enough to give the databases several pages)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = directory / f"issue-{number:04d}.txt"
        path.write_text(
            f"Weekly wrap number {number}\n"
            f"From The Test Sheet newsletter — March {number % 28 + 1}, 2026\n"
            f"Gadget {number} ships\n"
            f"The Test Sheet: Acme said gadget {number} ships next week to {number * 7} stores.\n"
            "The details:\n"
            f"- It costs {number} dollars.\n"
            "- It weighs a kilo.\n"
            f"Why it matters: Gadget {number} is the cheapest yet.\n"
        )
        paths.append(str(path))
    return paths


def locations() -> Locations:
    return Locations.resolve()


def test_both_databases_carry_their_schema_version(capsys):
    assert cli(capsys, "import", str(BRIEFING))[0] == 0
    for path, migrations in (
        (locations().cache_db, cache_module._MIGRATIONS),
        (locations().state_db, state_module._MIGRATIONS),
    ):
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations) >= 1
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        finally:
            conn.close()


def test_a_newer_schema_is_refused_with_one_line(capsys):
    assert cli(capsys, "import", str(BRIEFING))[0] == 0
    conn = sqlite3.connect(locations().state_db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()

    code, out, err = cli(capsys, "list")

    assert code == 1
    assert err.count("\n") == 1 and "newer than this briefing-tui understands" in err
    assert err.startswith(f"briefing-tui: {locations().state_db}: schema version 99 ")
    # the user's file is left exactly where it was
    assert not list(locations().data_dir.glob("*.corrupt-*"))


def _garbage(path: Path) -> bytes:
    data = b"this is not a database at all \x00\xff" * 300
    path.write_bytes(data)
    return data


def _truncated(path: Path, keep: float) -> bytes:
    data = path.read_bytes()
    assert len(data) > 8192, "the database should span several pages"
    cut = data[: int(len(data) * keep)]
    path.write_bytes(cut)
    return cut


@pytest.mark.parametrize("damage", ["garbage", "truncated-mid-page", "truncated-on-a-page"])
def test_a_damaged_cache_is_moved_aside_and_rebuilt(tmp_path, capsys, damage):
    files = many_briefings(tmp_path / "in", 40)
    assert cli(capsys, "import", *files)[0] == 0
    assert cli(capsys, "mark-read", "--all")[0] == 0
    cache_db = locations().cache_db
    assert not cache_db.with_name(cache_db.name + "-wal").exists()  # every copy closed cleanly
    if damage == "garbage":
        content = _garbage(cache_db)
    elif damage == "truncated-mid-page":
        content = _truncated(cache_db, 0.5) + b"x" * 100
        cache_db.write_bytes(content)
    else:
        data = cache_db.read_bytes()
        content = data[: (len(data) // 2) // 4096 * 4096]
        cache_db.write_bytes(content)

    code, out, err = cli(capsys, "list", "--json")

    assert code == 0
    assert json.loads(out) == []
    [line] = err.splitlines()
    assert line.startswith("briefing-tui: cache was damaged; it was moved to ")
    moved = Path(line.split("moved to ", 1)[1].split(" and ")[0])
    assert CORRUPT_NAME.match(moved.name) and moved.parent == cache_db.parent
    assert moved.read_bytes() == content
    conn = sqlite3.connect(cache_db)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()

    # rebuilt by the next import, and the read marks (kept elsewhere) still apply
    code, out, err = cli(capsys, "import", *files)
    assert (code, err) == (0, "")
    assert "40 new" in out
    code, out, _err = cli(capsys, "list", "--json")
    listed = json.loads(out)
    assert len(listed) == 40 and all(issue["unread_stories"] == 0 for issue in listed)
    code, out, _err = cli(capsys, "search", "cheapest", "--json")
    assert len(json.loads(out)) == 40


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_read_state_is_moved_aside_with_a_timestamp_and_the_user_is_told(tmp_path, capsys, damage):
    files = many_briefings(tmp_path / "in", 5)
    assert cli(capsys, "import", *files)[0] == 0
    assert cli(capsys, "add", "https://feeds.example.com/a.xml", "--no-check")[0] == 0
    library = Library(locations())
    library.mark_read([f"s-{number:012x}" for number in range(3000)])  # a state file of many pages
    library.close()
    state_db = locations().state_db
    assert not state_db.with_name("state.sqlite3-wal").exists()  # every copy closed cleanly
    content = _garbage(state_db) if damage == "garbage" else _truncated(state_db, 0.4)

    code, out, err = cli(capsys, "list", "--json")

    assert code == 0
    assert len(json.loads(out)) == 5
    [line] = err.splitlines()
    assert line.startswith("briefing-tui: read-state database was damaged; it was moved to ")
    moved = Path(line.split("moved to ", 1)[1].split(" and ")[0])
    assert moved.parent == state_db.parent and CORRUPT_NAME.match(moved.name)
    assert moved.read_bytes() == content  # nothing of the user's file was thrown away

    # the program goes on with a fresh state, and says nothing more on the next run
    assert cli(capsys, "mark-read", "--all") == (0, "marked 5 items read\n", "")
    code, out, err = cli(capsys, "list", "--json")
    assert (code, err) == (0, "")
    assert all(issue["unread_stories"] == 0 for issue in json.loads(out))
    moved_files = [path for path in state_db.parent.glob("state.sqlite3.corrupt-*") if CORRUPT_NAME.match(path.name)]
    assert moved_files == [moved]


def test_an_unreadable_state_directory_is_one_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("BRIEFING_TUI_DATA_DIR", str(blocker / "data"))

    code, _out, err = cli(capsys, "list")

    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("briefing-tui: ")


def test_deleting_the_cache_dir_loses_no_subscription_or_mark(tmp_path, capsys):
    files = many_briefings(tmp_path / "in", 3)
    cli(capsys, "import", *files)
    cli(capsys, "add", "https://feeds.example.com/a.xml", "--no-check", "--title", "A feed")
    issue = json.loads(cli(capsys, "list", "--json")[1])[0]["id"]
    cli(capsys, "mark-read", "--issue", issue)

    import shutil

    shutil.rmtree(locations().cache_dir)
    code, out, err = cli(capsys, "feeds", "--json")
    assert (code, err) == (0, "")
    assert [(feed["url"], feed["title"]) for feed in json.loads(out)] == [("https://feeds.example.com/a.xml", "A feed")]
    cli(capsys, "import", *files)
    listed = {entry["id"]: entry["unread_stories"] for entry in json.loads(cli(capsys, "list", "--json")[1])}
    assert listed.pop(issue) == 0
    assert list(listed.values()) == [1, 1]


def test_section_and_intro_links_survive_the_cache_file(tmp_path):
    from briefing_tui.model import Briefing, Link, Section, Story
    from briefing_tui.store.cache import Cache

    briefing = Briefing(
        title="The Orchard Dispatch",
        source="The Orchard Dispatch",
        date="2026-06-02",
        intro=("Good morning. The audit notes are on our field log.",),
        intro_links=(Link("our field log", "https://orchard.example.com/log"),),
        stories=(
            Story(id="s-1", title="A seed vault passes its audit", links=(Link("ledger", "https://vault.example.org/ledger"),)),
        ),
        sections=(
            Section(
                title="What to watch",
                body=("- The drawer list goes public.", "- A hearing on rail noise rules."),
                links=(
                    Link("drawer list", "https://vault.example.org/drawers"),
                    Link("draft rules", "https://rail.example.net/draft-rules"),
                ),
            ),
            Section(title="Footer", body=("Unsubscribe",)),
        ),
    )
    path = tmp_path / "cache" / "cache.sqlite3"
    path.parent.mkdir()
    cache = Cache.open(path)
    try:
        with cache.transaction():
            issue_id, status = cache.store_issue(
                origin="file", key="orchard", raw="raw text", content_type="text/markdown", hints={}, briefing=briefing
            )
        assert status == "new"
    finally:
        cache.close()
    assert path.is_file() and path.stat().st_size > 0

    reopened = Cache.open(path)
    try:
        back = reopened.issue(issue_id)
        assert back == briefing
        assert back.intro_links == (Link("our field log", "https://orchard.example.com/log"),)
        assert [link.url for link in back.sections[0].links] == [
            "https://vault.example.org/drawers",
            "https://rail.example.net/draft-rules",
        ]
        assert back.sections[1].links == ()
        assert [b for _id, _origin, b in reopened.all_briefings()] == [briefing]
    finally:
        reopened.close()
