"""Read marks are the user's own data: they survive a lost cache, changed feeds, two running
copies and a killed process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefing_tui.cli import main
from briefing_tui.config import Config, FetchConfig
from briefing_tui.library import Library
from briefing_tui.paths import Locations
from tests.feedserver import Issue, rss_feed

ROOT = Path(__file__).resolve().parents[1]



def open_library() -> Library:
    return Library(Locations.resolve(), Config(fetch=FetchConfig(timeout=5, total_timeout=10)))


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def unread_by_title(capsys) -> dict[str, int]:
    code, out, _err = cli(capsys, "list", "--json")
    assert code == 0
    listed = json.loads(out)
    titles = [issue["title"] for issue in listed]
    assert len(titles) == len(set(titles)), "an issue is listed twice"
    return {issue["title"]: issue["unread_stories"] for issue in listed}


def issues(*numbers: int, guid: bool = True, link: bool = True, edit: str = "") -> list[Issue]:
    """Feed entries; ``edit`` goes into the first issue only."""
    return [
        Issue(number, guid=f"quokka-{number}" if guid else None, edit=edit if index == 0 else "", has_link=link)
        for index, number in enumerate(numbers)
    ]


# -- the cache is disposable ---------------------------------------------------------------------


def test_marks_apply_again_after_the_cache_dir_is_deleted_and_the_feed_refetched(server, capsys):
    server.feed("/rss", rss_feed(issues(1, 2)))
    cli(capsys, "add", server.url("/rss"), "--title", "Quokka")
    assert cli(capsys, "refresh")[0] == 0
    library = open_library()
    first, second = sorted(library.issues(), key=lambda issue: issue.title)
    view = library.open_issue(first.id)
    library.mark_read([view.briefing.stories[0].id, view.briefing.shortlist[0].id])
    library.close()
    cli(capsys, "mark-read", "--issue", second.id)
    before = unread_by_title(capsys)
    assert before == {"Briefing number 1": 2, "Briefing number 2": 0}

    shutil.rmtree(Locations.resolve().cache_dir)
    code, out, _err = cli(capsys, "refresh")

    assert code == 0 and "2 new" in out  # no stored ETag any more: a full fetch
    assert unread_by_title(capsys) == before
    library = open_library()
    view = library.open_issue(next(i.id for i in library.issues(source="Quokka") if i.title == "Briefing number 1"))
    assert view.read == {view.briefing.stories[0].id, view.briefing.shortlist[0].id}
    library.close()


# -- feeds change under us -----------------------------------------------------------------------


@pytest.mark.parametrize("identity", ["guid", "link"])
def test_an_edited_entry_updates_in_place_and_keeps_its_marks(server, capsys, identity):
    route = server.feed("/rss", rss_feed(issues(1, 2, guid=identity == "guid")))
    cli(capsys, "add", server.url("/rss"))
    cli(capsys, "refresh")
    library = open_library()
    summaries = {issue.title: issue.id for issue in library.issues()}
    view = library.open_issue(summaries["Briefing number 1"])
    library.mark_read([story.id for story in view.briefing.stories[:2]])
    library.close()

    # a typo fixed in a bullet, and a new issue on top
    route.set(rss_feed(issues(1, 2, 3, guid=identity == "guid", edit="(Corrected figure.)")))
    code, out, _err = cli(capsys, "refresh")

    assert code == 0
    assert "1 new, 1 updated" in out
    assert unread_by_title(capsys) == {"Briefing number 1": 1, "Briefing number 2": 3, "Briefing number 3": 3}
    library = open_library()
    assert {issue.title: issue.id for issue in library.issues()}.items() >= summaries.items()
    view = library.open_issue(summaries["Briefing number 1"])
    assert view.briefing.stories[0].unpacked[0].endswith("(Corrected figure.)")
    assert len(view.read) == 2
    assert [hit.issue_id for hit in library.search("corrected")] == [summaries["Briefing number 1"]]
    library.close()


def test_entries_without_guid_or_link_are_not_duplicated_by_a_refetch(server, capsys):
    route = server.feed("/rss", rss_feed(issues(1, 2, guid=False, link=False)))
    cli(capsys, "add", server.url("/rss"))
    cli(capsys, "refresh")
    route.set(rss_feed(issues(1, 2, guid=False, link=False)))  # same content, new ETag: a full fetch

    code, out, _err = cli(capsys, "refresh")

    assert code == 0 and "0 new, 0 updated" in out
    assert unread_by_title(capsys) == {"Briefing number 1": 3, "Briefing number 2": 3}


def test_reimporting_the_same_feed_file_changes_nothing(tmp_path, capsys):
    path = tmp_path / "quokka.xml"
    path.write_bytes(rss_feed(issues(1, 2)))
    assert cli(capsys, "import", str(path))[1] == "imported: 2 new, 0 updated, 0 unchanged\n"
    cli(capsys, "mark-read", "--all")

    path.write_bytes(rss_feed(issues(1, 2, 3)))
    assert cli(capsys, "import", str(path))[1] == "imported: 1 new, 0 updated, 2 unchanged\n"
    assert unread_by_title(capsys) == {"Briefing number 1": 0, "Briefing number 2": 0, "Briefing number 3": 3}


# -- more than one copy, and killed copies -------------------------------------------------------

MARKER = textwrap.dedent(
    """
    import os, sys, time
    from briefing_tui.library import Library
    from briefing_tui.paths import Locations

    name, count, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    library = Library(Locations.resolve())
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.002)
    for number in range(count):
        item = f"s-{name}-{number:04d}"
        library.mark_read([item])
        print(item, flush=True)
    if name.startswith("unmark"):
        library.mark_unread([f"s-{name}-{number:04d}" for number in range(0, count, 2)])
    print("done", flush=True)
    time.sleep(60 if name.startswith("linger") else 0)
    """
)


def spawn(name: str, count: int, go: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", MARKER, name, str(count), str(go)],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "ready\n", process.stderr.read()
    return process


def stored_marks() -> set[str]:
    conn = sqlite3.connect(Locations.resolve().state_db)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT item_id FROM marks")}
    finally:
        conn.close()


def test_two_running_copies_never_lose_each_others_marks(tmp_path):
    Library(Locations.resolve()).close()  # create the state file before the race
    go = tmp_path / "go"
    first, second = spawn("alpha", 500, go), spawn("unmark-beta", 500, go)
    go.touch()

    for process in (first, second):
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert out.splitlines()[-1] == "done"

    marks = stored_marks()
    assert {item for item in marks if item.startswith("s-alpha-")} == {f"s-alpha-{n:04d}" for n in range(500)}
    assert {item for item in marks if item.startswith("s-unmark-beta-")} == {
        f"s-unmark-beta-{n:04d}" for n in range(1, 500, 2)
    }
    assert len(marks) == 750


def test_a_copy_killed_with_sigkill_keeps_every_mark_it_reported(tmp_path, capsys):
    go = tmp_path / "go"
    go.touch()
    process = spawn("linger", 5000, go)
    reported = []
    while len(reported) < 300:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        reported.append(line.strip())
    process.send_signal(signal.SIGKILL)  # in the middle of marking the next ones
    process.wait(timeout=10)

    marks = stored_marks()
    assert set(reported) <= marks
    # the next run opens the file without calling it damaged
    code, _out, err = cli(capsys, "list")
    assert (code, err) == (0, "")


def test_a_cli_copy_killed_right_after_marking_keeps_the_marks(tmp_path, capsys):
    path = tmp_path / "quokka.xml"
    path.write_bytes(rss_feed(issues(1, 2)))
    cli(capsys, "import", str(path))
    ids = [issue["id"] for issue in json.loads(cli(capsys, "list", "--json")[1])]
    # mark from a separate process, which is killed as soon as it says it is done
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom briefing_tui.cli import main\n"
         "code = main(sys.argv[1:])\nprint('exit', code, flush=True)\ntime.sleep(60)",
         "mark-read", "--issue", ids[0]],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout.readline() == "marked 5 items read\n"
    assert process.stdout.readline() == "exit 0\n"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    assert len(stored_marks()) == 5
    listed = {issue["id"]: issue["unread_stories"] for issue in json.loads(cli(capsys, "list", "--json")[1])}
    assert listed == {ids[0]: 0, ids[1]: 3}


def test_a_long_running_copy_sees_marks_made_by_another(tmp_path, capsys):
    path = tmp_path / "quokka.xml"
    path.write_bytes(rss_feed(issues(1)))
    cli(capsys, "import", str(path))
    reader = open_library()  # like the reader, open the whole time
    try:
        [summary] = reader.issues()
        assert summary.unread == 3
        result = subprocess.run(
            [sys.executable, "-m", "briefing_tui", "mark-read", "--issue", summary.id],
            cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert reader.issues()[0].unread == 0
        assert len(reader.open_issue(summary.id).read) == 5
        # and the other way round
        reader.mark_unread([reader.open_issue(summary.id).briefing.stories[0].id])
    finally:
        reader.close()
    assert unread_by_title(capsys) == {"Briefing number 1": 1}


def test_unsubscribing_drops_cached_issues_but_keeps_marks(server, capsys):
    server.feed("/rss", rss_feed(issues(1, 2)))
    cli(capsys, "add", server.url("/rss"))
    cli(capsys, "refresh")
    cli(capsys, "mark-read", "--all")

    assert cli(capsys, "remove", server.url("/rss"))[0] == 0
    assert unread_by_title(capsys) == {}
    cli(capsys, "add", server.url("/rss"))
    code, out, _err = cli(capsys, "refresh")

    assert code == 0 and "2 new" in out
    assert unread_by_title(capsys) == {"Briefing number 1": 0, "Briefing number 2": 0}


def test_programs_opening_a_new_data_dir_at_once_all_start(tmp_path):
    """Two copies started together on an empty directory (a served tab and a script): both work."""
    import subprocess
    import sys

    for attempt in range(4):
        env = dict(os.environ, BRIEFING_TUI_DATA_DIR=str(tmp_path / f"data{attempt}"),
                   BRIEFING_TUI_CACHE_DIR=str(tmp_path / f"cache{attempt}"))
        runs = [
            subprocess.Popen([sys.executable, "-m", "briefing_tui", "feeds", "--json"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        for run in runs:
            _out, err = run.communicate(timeout=60)
            assert run.returncode == 0, err


def _open_and_close(path: str) -> str:
    from briefing_tui.store.db import StoreError, connect

    try:
        connect(Path(path)).close()
    except StoreError as error:
        return str(error)
    return "ok"


def test_many_programs_opening_one_new_file_at_once_never_see_it_locked(tmp_path):
    """Switching a new file to WAL is answered "locked" at once while another copy does it: wait."""
    import multiprocessing

    paths = [str(tmp_path / f"new{n}.sqlite3") for n in range(60)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        failures = [
            answer
            for path in paths
            for answer in pool.map(_open_and_close, [path] * 4, chunksize=1)
            if answer != "ok"
        ]
    assert failures == []
