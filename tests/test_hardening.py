"""Hostile input and failure: terminal safety on stdout, XML bombs, huge entries, full disks,
unusable data directories, and refreshes killed at random moments."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from briefing_tui.cli import main
from briefing_tui.library import Library
from briefing_tui.paths import Locations
from briefing_tui.store.cache import Cache
from briefing_tui.store.db import StoreError
from briefing_tui.store.state import StateStore
from briefing_tui.text import MAX_LABEL_CHARS
from briefing_tui.ui import rendering
from tests.feedserver import FeedServer, Issue, rss_feed

ESC = "\x1b"
HOSTILE_TITLE = (
    "Evil \x1b[31mred\x1b[0m \x1b]8;;https://evil.example/\x07link\x1b]8;;\x07 "
    "\u202ereversed\u202c \x9b2J [bold]not bold[/bold] [@click=app.quit]quit[/]"
)


def hostile_feed() -> bytes:
    title = HOSTILE_TITLE.replace("&", "&amp;").replace("<", "&lt;")
    body = (
        "<h2>Story &#27;[2J with escape</h2><p>Hostile Daily: lead with \x1b]0;pwned\x07 an OSC title.</p>"
        "<p><strong>Unpacked:</strong></p><ul><li>bullet [link=https://evil.example]click[/link]</li></ul>"
        "<p><strong>Bottom line:</strong> bottom \u2066isolate\u2069 line.</p>"
        '<p><a href="javascript:alert(1)">bad link</a> <a href="https://ok.example/">good link</a></p>'
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Hostile Daily</title><item><title>{title}</title><guid>h1</guid>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
    ).encode("utf-8", "surrogatepass")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_terminal_safe(text: str) -> None:
    for bad in (ESC, "\x9b", "\x07", "\u202e", "\u2066", "\u2069"):
        assert bad not in text, f"{bad!r} reached the output"


def test_cli_output_never_carries_escape_sequences_and_keeps_markup_literal(tmp_path, capsys):
    path = tmp_path / "hostile.xml"
    path.write_bytes(hostile_feed())
    assert run(capsys, "import", str(path))[0] == 0
    outputs = []
    for args in (("list",), ("list", "--json"), ("search", "escape"), ("search", "bullet", "--json"),
                 ("parse", str(path)), ("parse", str(path), "--json"), ("export", "markdown")):
        code, out, err = run(capsys, *args)
        assert code == 0, (args, err)
        assert_terminal_safe(out + err)
        outputs.append(out)
    listing = outputs[0]
    assert "[bold]not bold[/bold]" in listing and "[@click=app.quit]" in listing
    parsed = json.loads(outputs[5])[0]
    story = parsed["stories"][0]
    urls = [link["url"] for link in story["links"]]
    assert "https://ok.example/" in urls
    assert not any(url.lower().startswith("javascript") for url in urls)
    assert story["unpacked"] == ["bullet [link=https://evil.example]click[/link]"]


def test_billion_laughs_is_not_expanded(tmp_path, capsys):
    entities = "".join(
        f'<!ENTITY l{n} "{("&l%d;" % (n - 1)) * 10}">' for n in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lollollollol">{entities}]>'
        '<rss version="2.0"><channel><title>Bomb</title><item><title>t &l9;</title>'
        "<description>&l9;</description></item></channel></rss>"
    )
    path = tmp_path / "bomb.xml"
    path.write_text(bomb)
    code, out, err = run(capsys, "parse", str(path), "--json")
    assert len(out) < 100_000  # 10^9 "lol"s were not produced
    code, out, err = run(capsys, "import", str(path))
    assert "Traceback" not in err


def test_external_entities_are_not_resolved(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>X</title><item><title>leak &x;</title>'
        "<description>body &x; end</description></item></channel></rss>"
    )
    path = tmp_path / "xxe.xml"
    path.write_text(xxe)
    opml = tmp_path / "subs.opml"
    opml.write_text(
        f'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<opml version="2.0"><body><outline text="&x;" xmlUrl="https://a.example/feed"/></body></opml>'
    )
    code, out, err = run(capsys, "parse", str(path), "--json")
    assert "TOP-SECRET" not in out + err
    run(capsys, "import", str(opml))
    code, out, err = run(capsys, "feeds", "--json")
    assert "TOP-SECRET" not in out + err


def test_huge_title_is_cut_to_a_label_and_ten_megabyte_entry_kept_whole(tmp_path):
    title = "Headline " * 25_000  # 225,000 characters
    paragraph = "<p>" + "word " * 200 + "</p>"
    body = "<h2>Big story</h2><p>Big Daily: the lead.</p><p><strong>Bottom line:</strong> short.</p>" + paragraph * (10_000_000 // len(paragraph))
    feed = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Big Daily</title><item><title>{title}</title><guid>big</guid>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
    )
    path = tmp_path / "big.xml"
    path.write_text(feed)
    library = Library(Locations.resolve())
    try:
        report = library.import_paths([str(path)])
        assert report.new == 1
        issue = library.issues()[0]
        view = library.open_issue(issue.id)
        stored_text = json.dumps(view.briefing.to_dict())
        # A title is a label: stored cut to the label limit, its start kept; the text is whole.
        assert view.briefing.title.startswith("Headline Headline")
        assert len(view.briefing.title) <= MAX_LABEL_CHARS
        assert len(stored_text) > 9_000_000
        # What the reader draws is cut to a bounded size.
        console = Console(width=100, file=io.StringIO(), record=True)
        assert len(view.briefing.stories) == 1
        for story in view.briefing.stories:
            console.print(rendering.headline_row(story, False, False))
            console.print(rendering.story_document(story, view))
        assert 0 < len(console.export_text()) < 2_000_000
    finally:
        library.close()


def test_a_full_disk_gives_a_clear_error_and_writes_nothing(tmp_path):
    store = StateStore.open(tmp_path / "state.sqlite3")
    store.mark_read([("s-kept", "i-1")])
    pages = store.writer.execute("PRAGMA page_count").fetchone()[0]
    store.writer.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: a full disk
    many = [(f"s-{n:06d}-{'x' * 200}", "i-1") for n in range(5000)]
    with pytest.raises(StoreError) as caught:
        store.mark_read(many)
    assert "no space left" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert store.read_ids() == {"s-kept"}  # nothing half-written
    store.close()


def test_an_unusable_data_dir_gives_one_line_and_no_traceback(tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    code, out, err = run(capsys, "--data-dir", str(blocker), "list")
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(blocker) in err


def test_unusable_data_dir_in_a_subprocess_exits_cleanly(tmp_path):
    blocker = tmp_path / "blocked"
    blocker.write_text("x")
    env = dict(os.environ, BRIEFING_TUI_DATA_DIR=str(blocker))
    result = subprocess.run(
        [sys.executable, "-m", "briefing_tui", "feeds"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.timeout(240)
def test_refresh_killed_at_random_moments_never_damages_cache_or_loses_marks(tmp_path):
    server = FeedServer()
    try:
        for number in range(24):
            body = rss_feed([Issue(number * 10 + k, stories=4) for k in range(8)], title=f"Feed {number}")
            server.slow(f"/feed{number}.xml", 0.02 * (number % 5), body)
        env = dict(os.environ)
        locations = Locations.resolve()
        library = Library(locations)
        for number in range(24):
            library.add_feed(server.url(f"/feed{number}.xml"))
        library.refresh(urls=[server.url("/feed0.xml")])
        item_ids = library.cache.item_ids()
        library.close()
        assert len(item_ids) >= 20
        rng = random.Random(20261121)
        marked: list[str] = []
        for attempt in range(20):
            item = item_ids[attempt]
            state = StateStore.open(locations.state_db)
            state.mark_read([(item, None)])
            state.close()
            marked.append(item)
            process = subprocess.Popen(
                [sys.executable, "-m", "briefing_tui", "refresh", "--plain"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(0.3, 1.6))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            cache = Cache.open(locations.cache_db)
            assert cache.recovered_from is None, f"attempt {attempt}: cache had to be rebuilt"
            cache.conn.execute("SELECT count(*) FROM issues").fetchone()
            assert cache.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            cache.close()
            state = StateStore.open(locations.state_db)
            assert state.recovered_from is None
            assert set(marked) <= state.read_ids(), f"attempt {attempt}: a mark was lost"
            state.close()
    finally:
        server.close()


def test_sqlite_files_reject_being_opened_as_something_else(tmp_path):
    """A cache that is really some other file is moved aside, never written into."""
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 100)
    cache = Cache.open(path)
    assert cache.recovered_from is not None and cache.recovered_from.read_bytes().startswith(b"PK")
    assert isinstance(cache.conn, sqlite3.Connection)
    cache.close()
    assert Path(cache.recovered_from).exists()


def test_parse_workers_end_when_the_program_is_killed(tmp_path):
    script = (
        "import os, signal\n"
        "from briefing_tui.ingest import parse_pool\n"
        "pool = parse_pool(2)\n"
        "print(sum(pool.map(abs, range(-50, 0))), flush=True)\n"
        "print(' '.join(str(pid) for pid in pool._processes), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    lines = result.stdout.split("\n")
    assert lines[0] == "1275"
    workers = [int(pid) for pid in lines[1].split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 30
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists() and _not_zombie(pid)]
        time.sleep(0.1)
    assert alive == []


def _not_zombie(pid: int) -> bool:
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]
    except OSError:
        return False


def test_a_tls_failure_is_one_clear_error_and_the_other_feeds_still_refresh(tmp_path):
    server = FeedServer()
    try:
        server.feed("/good.xml", rss_feed([Issue(1)]))
        plain = server.url("/good.xml")
        tls = plain.replace("http://", "https://")  # TLS spoken to a plain-HTTP port
        library = Library(Locations.resolve())
        try:
            library.add_feed(plain)
            library.add_feed(tls)
            report = library.refresh()
            by_url = {outcome.url: outcome for outcome in report.outcomes}
            assert by_url[plain].status == "updated" and by_url[plain].new == 1
            assert by_url[tls].status == "error"
            assert by_url[tls].error.startswith("TLS error") and "\n" not in by_url[tls].error
            assert {feed.url: feed.last_error for feed in library.feeds()}[tls] == by_url[tls].error
        finally:
            library.close()
    finally:
        server.close()


def test_plain_rss_is_read_like_feedparser_reads_it():
    from briefing_tui import feeds

    data = rss_feed([Issue(n, stories=2) for n in range(4)] + [Issue(9, guid=None, has_link=False)])
    fast = feeds._plain_rss(data, "http://127.0.0.1/feed.xml")
    assert fast is not None and len(fast.entries) == 5
    original = feeds._plain_rss
    feeds._plain_rss = lambda _data, _url: None
    try:
        assert fast == feeds.parse_feed(data, url="http://127.0.0.1/feed.xml")
    finally:
        feeds._plain_rss = original
