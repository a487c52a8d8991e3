"""Story threads: the same event across issues and sources, grouped without wrong merges."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from benchmarks.threads import LABELLED, evaluate, fill, labelled_pieces
from briefing_tui.cli import main
from briefing_tui.library import Library
from briefing_tui.model import Briefing, Story
from briefing_tui.paths import Locations
from briefing_tui.threads import MAX_TERMS, pieces
from tests.conftest import seed

HELDOUT = LABELLED / "heldout"


def open_library() -> Library:
    return Library(Locations.resolve())


def groups(library: Library) -> dict[tuple[str, str | None], int | None]:
    """(issue id, item id) -> thread number, for every piece."""
    return {
        (issue_id, item_id or None): thread
        for issue_id, item_id, thread in library.cache.conn.execute("SELECT issue_id, item_id, thread FROM pieces")
    }


def partition(library: Library) -> set[frozenset]:
    """The threads as sets of (issue title, piece title): independent of thread numbers."""
    rows = library.cache.conn.execute(
        "SELECT p.thread, i.title, p.title FROM pieces p JOIN issues i ON i.id = p.issue_id WHERE p.thread IS NOT NULL"
    ).fetchall()
    by_thread: dict[int, set] = {}
    for thread, issue_title, title in rows:
        by_thread.setdefault(thread, set()).add((issue_title, title))
    return {frozenset(members) for members in by_thread.values() if len(members) > 1}


def import_files(library: Library, *paths: Path) -> None:
    report = library.import_paths([str(path) for path in paths])
    assert not report.errors, report.errors


def labelled_files(folder: Path = LABELLED) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.suffix in (".md", ".txt"))


# -- quality on the labelled sets ----------------------------------------------------------------
def test_labelled_set_has_no_false_merge_and_finds_the_same_events():
    library = open_library()
    try:
        result = evaluate(library, labelled_pieces(library, seeds=None))
    finally:
        library.close()
    assert result["false_merges"] == []
    assert result["precision"] == 1.0
    assert result["recall"] >= 0.9, result["missed"]


def test_held_out_set_has_no_false_merge():
    if not (HELDOUT / "labels.json").exists():
        pytest.skip("no held-out set")
    library = open_library()
    try:
        result = evaluate(library, labelled_pieces(library, HELDOUT, seeds=None))
    finally:
        library.close()
    assert result["false_merges"] == []
    assert result["recall"] >= 0.6, result["missed"]


def test_the_five_codex_spark_pieces_are_one_thread():
    story_issue, deep_dive = seed("000_a41b6af92fea7aee.txt"), seed("001_d05d712821ba8928.txt")
    outlets = [LABELLED / name for name in ("2026-02-12_kernel-post.md", "2026-02-12_ledger-street.txt", "2026-02-13_devwire.md")]
    library = open_library()
    try:
        import_files(library, story_issue, deep_dive, *outlets)
        threads = library.threads(min_sources=1)
        assert len(threads) == 1
        members = threads[0].members
        assert len(members) == 5
        assert {m.source for m in members} == {"The Bit Baker", "The Kernel Post", "Ledger Street", "DevWire"}
        story = next(m for m in members if m.item_id is not None)
        assert story.title == "OpenAI's Codex-Spark Hits 1,000 Tokens Per Second on Cerebras Chips"
        # the other stories of that issue (HBM4, xAI, China's labs) are in no thread
        issue = library.open_issue(story.issue_id)
        assert set(issue.threads) == {story.item_id}
    finally:
        library.close()


def test_one_company_on_one_day_is_two_threads_when_the_events_differ():
    library = open_library()
    try:
        import_files(library, *labelled_files())
        by_title = {
            title: thread
            for title, thread in library.cache.conn.execute("SELECT title, thread FROM pieces")
        }
        codex = [t for title, t in by_title.items() if "Codex" in title]
        ads = [t for title, t in by_title.items() if "ads" in title.lower() or "advert" in title.lower()]
        assert codex and ads
        assert not set(codex) & set(ads) - {None}
    finally:
        library.close()


# -- incremental ---------------------------------------------------------------------------------
def test_adding_an_issue_places_only_that_issue():
    library = open_library()
    try:
        files = labelled_files()
        import_files(library, *files[:-1])
        before = groups(library)
        import_files(library, files[-1])
        after = groups(library)
        moved = [piece for piece, thread in before.items() if thread is not None and after[piece] != thread]
        assert moved == [], "a piece already in a thread moved"
        assert library.pending_threads() == 0
        assert len(after) > len(before)
    finally:
        library.close()


def test_a_corrected_issue_keeps_its_place_in_the_thread():
    from briefing_tui.cli import read_document

    source = LABELLED / "2026-02-13_circuit-sheet.txt"
    briefing = read_document(source)[0]
    library = open_library()
    try:
        import_files(library, *[p for p in labelled_files() if p != source])
        _store(library, briefing, key="circuit")
        first = partition(library)
        codex = next(s for s in briefing.stories if "Codex" in s.title)
        corrected = Story(codex.id, codex.title, lead=(codex.lead or "") + " (Corrected: the chip is the WSE-3.)",
                          unpacked=codex.unpacked, bottom_line=codex.bottom_line)
        stories = tuple(corrected if s.id == codex.id else s for s in briefing.stories)
        _store(library, Briefing(briefing.title, source=briefing.source, date=briefing.date, stories=stories), key="circuit")
        assert partition(library) == first
        count = library.cache.conn.execute("SELECT count(*) FROM pieces").fetchone()[0]
        assert count == len(groups(library))
    finally:
        library.close()


def test_threads_come_back_when_the_cache_is_rebuilt():
    library = open_library()
    try:
        import_files(library, *labelled_files())
        first = partition(library)
        assert first
        # a cache from before threads existed, or one whose pieces were lost, is threaded again
        with library.cache.transaction() as conn:
            conn.execute("DELETE FROM pieces")
            conn.execute("DELETE FROM term_counts")
            conn.execute("UPDATE issues SET threaded = 0")
        assert library.pending_threads() == len(library.issues())
        library.threads()
        assert partition(library) == first
    finally:
        library.close()


# -- read marks ----------------------------------------------------------------------------------
def test_reading_one_member_never_marks_the_others_but_says_where_it_was_read():
    library = open_library()
    try:
        import_files(library, *labelled_files())
        thread = next(t for t in library.threads() if sum(m.item_id is not None for m in t.members) >= 2)
        first, second = [m for m in thread.members if m.item_id is not None][:2]
        library.mark_read([first.item_id], first.issue_id)
        view = library.open_issue(second.issue_id)
        assert second.item_id not in view.read
        assert first.item_id in view.threads[second.item_id].read
    finally:
        library.close()


# -- bad input -----------------------------------------------------------------------------------
def _issue(title: str, day: str, source: str, *stories: Story) -> Briefing:
    return Briefing(title=title, source=source, date=day, stories=stories)


def _store(library: Library, *briefings: Briefing, key: str | None = None) -> None:
    """Store issues as a subscription would (``key`` names the issue across updates)."""
    with library.cache.transaction():
        for number, briefing in enumerate(briefings):
            library.cache.store_issue(
                origin="test", key=key or f"{briefing.title}/{number}", raw=json.dumps(briefing.to_dict()),
                content_type="text/plain", hints={}, briefing=briefing,
            )
    library.update_threads()


def test_stories_without_text_are_never_merged():
    library = open_library()
    try:
        _store(
            library,
            _issue("One", "2026-03-01", "A", Story("s-1", "Update")),
            _issue("Two", "2026-03-01", "B", Story("s-2", "Update")),
            _issue("Three", "2026-03-01", "C", Story("s-3", "")),
            _issue("Four", "2026-03-01", "D", Story("s-4", "")),
        )
        assert library.threads(min_sources=1) == []
    finally:
        library.close()


def test_a_huge_issue_is_read_only_in_part():
    words = ("wafer", "chip", "Cerebras", "latency", "tokens", "model", "OpenAI", "memory") * 25_000
    article = Briefing(title="A very long essay", source="Longform", date="2026-03-01", intro=(" ".join(words),))
    (_item, _title, terms), = pieces(article)
    assert 0 < len(terms) <= MAX_TERMS
    library = open_library()
    try:
        _store(library, article, _issue("Short", "2026-03-01", "B", Story("s-1", "Cerebras wafer latency")))
        assert library.pending_threads() == 0
    finally:
        library.close()


def test_five_hundred_issues_of_one_day_are_placed_without_false_merges():
    library = open_library()
    try:
        fill(library, 500, 500, date(2026, 3, 1))
        same = Story(
            "s-planted-a", "Quantix unveils a 400-qubit photonic processor in Toronto",
            lead="Quantix Labs showed a 400-qubit photonic processor, Aurora-7, at its Toronto lab on Sunday.",
            bottom_line="Aurora-7 puts photonic qubits ahead of trapped ions for the first time.",
        )
        retold = Story(
            "s-planted-b", "Aurora-7: Quantix's photonic chip reaches 400 qubits",
            lead="Toronto startup Quantix Labs says Aurora-7, its photonic processor, runs 400 qubits.",
            bottom_line="If Aurora-7 holds up, photonic qubits lead trapped ions.",
        )
        _store(library, _issue("Planted A", "2026-03-01", "A", same), _issue("Planted B", "2026-03-01", "B", retold))
        assert library.pending_threads() == 0
        threads = library.threads(min_sources=1)
        planted = [t for t in threads if {m.item_id for m in t.members} == {"s-planted-a", "s-planted-b"}]
        assert len(planted) == 1
        # random stories that share only common words and company names stay apart
        assert all(len(t.members) <= 3 for t in threads)
    finally:
        library.close()


def test_a_story_repeated_in_one_issue_joins_its_thread_once():
    story = Story(
        "s-rep", "Helix Robotics recalls 12,000 warehouse arms after a gripper fault",
        lead="Helix Robotics is recalling 12,000 HX-4 warehouse arms after a gripper fault injured two workers.",
        bottom_line="The HX-4 recall is the largest in warehouse robotics so far.",
    )
    repeated = _issue("Repeats", "2026-03-02", "A", story, story, story)
    other = _issue("Other", "2026-03-02", "B", Story(
        "s-other", "Helix pulls 12,000 HX-4 robot arms over gripper fault",
        lead="Helix Robotics recalled 12,000 HX-4 arms; a gripper fault hurt two workers.",
    ))
    library = open_library()
    try:
        _store(library, repeated, other)
        threads = library.threads(min_sources=1)
        assert len(threads) == 1
        assert sorted(m.source for m in threads[0].members) == ["A", "B"]
    finally:
        library.close()


def _helix(number: int, source: str) -> Briefing:
    """One of three reports of the same recall, by ``source``."""
    variants = (
        ("Helix Robotics recalls 12,000 warehouse arms after a gripper fault",
         "Helix Robotics is recalling 12,000 HX-4 warehouse arms after a gripper fault injured two workers."),
        ("Helix pulls 12,000 HX-4 robot arms over gripper fault",
         "Helix Robotics recalled 12,000 HX-4 arms; a gripper fault hurt two workers."),
        ("Gripper fault: Helix Robotics takes back 12,000 HX-4 arms",
         "After a gripper fault injured two warehouse workers, Helix Robotics is taking back 12,000 HX-4 arms."),
    )
    title, lead = variants[number]
    return _issue(f"{source} daily", "2026-03-02", source, Story(f"s-{source}", title, lead=lead))


def _put(library: Library, briefing: Briefing) -> None:
    """Store an issue without placing it in threads."""
    with library.cache.transaction():
        library.cache.store_issue(
            origin="test", key=briefing.title, raw=json.dumps(briefing.to_dict()),
            content_type="text/plain", hints={}, briefing=briefing,
        )


def _sources(library: Library) -> list[list[str]]:
    return sorted(sorted(member.source for member in thread.members) for thread in library.threads(min_sources=1))


def test_an_issue_changed_while_threading_runs_rejoins_its_thread():
    from briefing_tui.store.threads import Threader

    library = open_library()
    try:
        _put(library, _helix(0, "A"))
        _put(library, _helix(1, "B"))
        threader = Threader(library.cache.conn, library.cache.transaction)
        assert threader.step() == 2
        assert _sources(library) == [["A", "B"]]
        corrected = _helix(0, "A")
        story = corrected.stories[0]
        _put(library, replace(corrected, stories=(replace(story, lead=story.lead + " (Corrected: three workers.)"),)))
        assert threader.step() == 1  # the same run goes on: its window still holds A's old piece
        assert _sources(library) == [["A", "B"]]
        assert library.cache.conn.execute("SELECT count(*) FROM pieces").fetchone()[0] == 2
    finally:
        library.close()


def test_threading_sees_what_another_program_placed_meanwhile():
    from briefing_tui.store.threads import Threader

    first = open_library()
    second = open_library()
    try:
        _put(first, _helix(0, "A"))
        threader = Threader(first.cache.conn, first.cache.transaction)
        assert threader.step() == 1
        _store(second, _helix(1, "B"))  # another program threads B with A
        _put(first, _helix(2, "C"))
        assert threader.step() == 1
        assert _sources(first) == [["A", "B", "C"]]
    finally:
        second.close()
        first.close()


def _unplace(library: Library) -> None:
    """Forget every thread, as a cache made before threads existed."""
    with library.cache.transaction():
        library.cache.conn.execute("DELETE FROM pieces")
        library.cache.conn.execute("DELETE FROM term_counts")
        library.cache.conn.execute("UPDATE issues SET threaded = 0")


@pytest.fixture
def pool():
    """The process pool threading reads pieces in (as update_threads makes it)."""
    from briefing_tui.ingest import parse_pool

    pool = parse_pool(2)
    if pool is None:
        pytest.skip("one core: threading reads pieces in this process")
    yield pool
    pool.shutdown()


def test_pieces_read_in_worker_processes_give_the_same_threads(monkeypatch, pool):
    """Many issues to thread: their pieces are read in a process pool, a chunk ahead."""
    from briefing_tui.store import threads as store_threads

    library = open_library()
    try:
        import_files(library, *labelled_files())
        expected = partition(library)
        assert expected
        _unplace(library)
        monkeypatch.setattr(store_threads, "CHUNK", 7)  # many chunks, each read ahead of its placing
        monkeypatch.setattr(store_threads, "AHEAD_TASK", 3)
        submitted = []
        real_submit = pool.submit
        monkeypatch.setattr(pool, "submit", lambda *args: submitted.append(args) or real_submit(*args))
        threader = store_threads.Threader(library.cache.conn, library.cache.transaction, pool)
        while threader.step():
            pass
        assert len(submitted) > 2
        assert partition(library) == expected
    finally:
        library.close()


def test_pieces_read_ahead_are_not_used_when_the_issue_changed_since(monkeypatch, pool):
    from briefing_tui.store import threads as store_threads

    library = open_library()
    try:
        _put(library, _helix(0, "A"))
        _put(library, _helix(1, "B"))
        monkeypatch.setattr(store_threads, "CHUNK", 1)
        threader = store_threads.Threader(library.cache.conn, library.cache.transaction, pool)
        assert threader.step() == 1  # the other issue's pieces are being read meanwhile
        (source,) = library.cache.conn.execute("SELECT source FROM issues WHERE threaded = 0").fetchone()
        changed = _helix(0 if source == "A" else 1, source)
        story = changed.stories[0]
        _put(library, replace(changed, stories=(replace(story, lead=story.lead + " Regulators in Zanzibar opened an inquiry."),)))
        assert threader.step() == 1
        terms = library.cache.conn.execute(
            "SELECT p.terms FROM pieces p JOIN issues i ON i.id = p.issue_id WHERE i.source = ?", (source,)
        ).fetchone()[0]
        assert "zanzibar" in terms
        assert _sources(library) == [["A", "B"]]
    finally:
        library.close()


# -- command line --------------------------------------------------------------------------------
def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_threads_command_lists_threads_as_json(capsys):
    assert cli(capsys, "import", *labelled_files())[0] == 0
    code, out, _err = cli(capsys, "threads", "--json")
    assert code == 0
    threads = json.loads(out)
    assert threads, "no threads found in the labelled set"
    for thread in threads:
        assert set(thread) == {"id", "title", "members"}
        assert len({m["source"] for m in thread["members"]}) >= 2
        for member in thread["members"]:
            assert set(member) == {"issue_id", "item_id", "title", "source", "date"}
    codex = next(t for t in threads if "Codex" in t["title"])
    assert len(codex["members"]) == 5
    assert sum(m["item_id"] is None for m in codex["members"]) == 3  # the three articles
    # newest first; --since and --min-sources narrow the list
    last_days = [max(m["date"] for m in t["members"]) for t in threads]
    assert last_days == sorted(last_days, reverse=True)
    code, out, _err = cli(capsys, "threads", "--json", "--min-sources", "4")
    assert [t["title"] for t in json.loads(out)] == [codex["title"]]
    code, out, _err = cli(capsys, "threads", "--json", "--since", "2026-02-16")
    assert all(max(m["date"] for m in t["members"]) >= "2026-02-16" for t in json.loads(out))
    code, out, _err = cli(capsys, "threads")
    assert code == 0 and "Codex" in out and "5 sources" in out


def test_digest_command_groups_the_day_by_thread(capsys):
    cli(capsys, "import", *labelled_files())
    code, out, _err = cli(capsys, "digest", "--date", "2026-02-14", "--format", "json")
    assert code == 0
    digest = json.loads(out)
    assert digest["date"] == "2026-02-14"
    titles = [row["title"] for row in digest["rows"]]
    assert all("sponsor" not in title.lower() for title in titles)
    # rows covered by most sources (on any day) first
    sources = [len({m["source"] for m in row["members"] + row["other_days"]}) for row in digest["rows"]]
    assert sources == sorted(sources, reverse=True)
    assert sum(row["unread"] for row in digest["rows"]) > 0
    assert any(row["bottom_lines"] for row in digest["rows"])
    # a thread's coverage on other days is named on its row
    codex = next(row for row in digest["rows"] if any("Codex" in m["title"] for m in row["other_days"]))
    assert {m["date"] for m in codex["other_days"]} == {"2026-02-12", "2026-02-13"}
    assert len(codex["other_days"]) == 4
    assert all(m["date"] == "2026-02-14" for m in codex["members"])
    code, out, _err = cli(capsys, "digest", "--date", "2026-02-14")
    assert out.startswith("# Digest for 2026-02-14")
    assert "Also: " in out
    # the default day is the newest day with unread stories
    code, out, _err = cli(capsys, "mark-read", "--all")
    code, out, _err = cli(capsys, "digest", "--format", "json")
    assert json.loads(out)["date"] == "2026-02-16"


def test_a_day_read_through_moves_its_threads_below_the_unread_ones():
    library = open_library()
    import_files(library, *labelled_files())
    rows = library.digest("2026-02-14").rows
    assert len(rows) > 2 and all(row.unread for row in rows if any(m.item_id for m in row.members))
    top = rows[0]
    library.mark_read(top.unread_ids)
    after = library.digest("2026-02-14").rows
    # the thread just read through goes below every row still to read, the others keep their order
    assert after[-1].title == top.title and after[-1].unread == 0
    assert [row.title for row in after[:-1]] == [row.title for row in rows[1:]]
    library.close()


def test_bad_dates_are_one_line_errors(capsys):
    code, _out, err = cli(capsys, "digest", "--date", "14/02/2026")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "YYYY-MM-DD" in err
    code, _out, err = cli(capsys, "threads", "--since", "soon")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_empty_library_has_no_threads_and_an_empty_digest(capsys):
    code, out, _err = cli(capsys, "threads")
    assert code == 0 and out.strip() == "no threads"
    code, out, _err = cli(capsys, "digest", "--format", "json")
    assert json.loads(out) == {"date": None, "issues": 0, "rows": []}


def test_synthetic_days_give_the_same_threads_in_any_import_order():
    rng = random.Random(7)
    files = labelled_files()
    first = open_library()
    try:
        import_files(first, *files)
        expected = partition(first)
    finally:
        first.close()
    shuffled = files[:]
    rng.shuffle(shuffled)
    import shutil

    shutil.rmtree(Locations.resolve().cache_dir)
    second = open_library()
    try:
        for path in shuffled:
            import_files(second, path)
        assert partition(second) == expected
    finally:
        second.close()


def test_real_digests_a_day_apart_keep_different_slack_stories_apart():
    """Two real link digests: "Vercel Agent comes to Slack" and "Slack launches Slack Code"
    share Slack, agents and teams, and are different events."""
    from tests.conftest import CORPORA

    folder = CORPORA / "newsletters"
    files = [folder / "tldr-ai_2026-08-20.md", folder / "tldr-tech_2026-08-21.md"]
    if not all(path.exists() for path in files):
        pytest.skip("../shared/corpora is not present")
    library = open_library()
    try:
        import_files(library, *files)
        titles = {title: thread for title, thread in library.cache.conn.execute("SELECT title, thread FROM pieces")}
        vercel = next(t for title, t in titles.items() if title.startswith("Vercel Agent comes to Slack"))
        slack_code = next(t for title, t in titles.items() if title.startswith("Slack launches Slack Code"))
        assert vercel is None or vercel != slack_code
    finally:
        library.close()
