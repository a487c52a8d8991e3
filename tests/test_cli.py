"""The command line, run in-process through ``main`` and, where the process matters, as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from briefing_tui.cli import build_parser, main
from tests.conftest import FIXTURES
from tests.feedserver import Issue, atom_feed, json_feed, rss_feed

ROOT = Path(__file__).resolve().parents[1]
TEXT = FIXTURES / "text_briefing.txt"
MARKDOWN = FIXTURES / "markdown_briefing.md"
HTML = FIXTURES / "html_email.html"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def ok(capsys, *argv: str) -> str:
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    return out


def listed(capsys, *extra: str) -> list[dict]:
    return json.loads(ok(capsys, "list", "--json", *extra))


def run(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "briefing_tui", *argv],
        cwd=ROOT,
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def commands() -> list[str]:
    parser = build_parser()
    [subparsers] = [action for action in parser._actions if action.dest == "command"]
    return sorted(subparsers.choices)


# -- help and usage ------------------------------------------------------------------------------


def test_the_command_set_is_complete():
    assert set(commands()) >= {
        "add", "remove", "feeds", "refresh", "import", "list", "search", "mark-read", "mark-unread", "export", "paths",
        "parse", "read",
    }


@pytest.mark.parametrize("command", [[], *[[name] for name in commands()]], ids=lambda c: c[0] if c else "top")
def test_every_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: briefing-tui") and err == ""


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("briefing-tui ")


USAGE_ERRORS = [
    ["frobnicate"],
    ["add"],
    ["remove"],
    ["import"],
    ["parse"],
    ["search"],
    ["export"],
    ["export", "pdf"],
    ["list", "--bogus"],
    ["feeds", "extra"],
    ["refresh", "--jobs", "0"],
    ["refresh", "--jobs", "many"],
    ["search", "chips", "--section", "nowhere"],
    ["search", "is:bogus"],
    ["search", "section:nowhere chips"],
    ["search", "chips", "--limit", "-3"],
    ["mark-read"],
    ["mark-unread"],
    ["mark-unread", "--all"],
    ["--data-dir"],
]


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=" ".join)
def test_usage_errors_exit_2_with_one_line(capsys, argv):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and err.endswith("\n")
    assert err.startswith("briefing-tui")


def test_a_usage_error_in_a_real_process_is_one_line():
    result = run("refresh", "--jobs", "zero")
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1


# -- bad input -----------------------------------------------------------------------------------


def bad_inputs(tmp_path: Path) -> dict[str, Path]:
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    binary_feed = tmp_path / "binary.xml"
    binary_feed.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    empty_feed = tmp_path / "empty.rss"
    empty_feed.write_bytes(b"  \n")
    not_json_feed = tmp_path / "data.json"
    not_json_feed.write_text('{"a": [1, 2, 3]}')
    broken_opml = tmp_path / "subs.opml"
    broken_opml.write_text("<opml><body><outline text='x'")
    directory = tmp_path / "a-directory"
    directory.mkdir()
    return {
        "binary": binary,
        "binary-feed": binary_feed,
        "empty": empty,
        "empty-feed": empty_feed,
        "json-not-a-feed": not_json_feed,
        "broken-opml": broken_opml,
        "missing": tmp_path / "missing.txt",
        "directory": directory,
    }


@pytest.mark.parametrize(
    "kind", ["binary", "binary-feed", "empty", "empty-feed", "json-not-a-feed", "missing", "directory"]
)
def test_parse_of_bad_input_is_one_line_and_exit_1(tmp_path, capsys, kind):
    path = bad_inputs(tmp_path)[kind]
    code, out, err = cli(capsys, "parse", path)
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"briefing-tui: {path}: ")


@pytest.mark.parametrize(
    "kind", ["binary", "binary-feed", "empty", "empty-feed", "json-not-a-feed", "broken-opml", "missing", "directory"]
)
def test_import_of_bad_input_is_one_line_and_exit_1(tmp_path, capsys, kind):
    path = bad_inputs(tmp_path)[kind]
    code, out, err = cli(capsys, "import", path)
    assert code == 1
    assert out.startswith("imported: 0 new") and out.rstrip().endswith("1 failed")
    [line] = err.splitlines()
    assert line.startswith(f"briefing-tui: {path}: ")


def test_bad_files_among_good_ones_do_not_stop_the_import(tmp_path, capsys):
    bad = bad_inputs(tmp_path)
    feed = tmp_path / "quokka.atom"
    feed.write_bytes(atom_feed([Issue(1, guid="a-1"), Issue(2, guid="a-2")]))
    paths = [bad["binary"], TEXT, bad["missing"], MARKDOWN, bad["empty"], feed, HTML, bad["broken-opml"]]

    code, out, err = cli(capsys, "import", *paths)

    assert code == 1
    assert out == "imported: 5 new, 0 updated, 0 unchanged, 4 failed\n"
    assert len(err.splitlines()) == 4
    assert len(listed(capsys)) == 5


def test_bad_input_in_real_processes_never_shows_a_traceback(tmp_path):
    bad = bad_inputs(tmp_path)
    for argv in (
        ["parse", bad["binary"]],
        ["import", bad["directory"], bad["binary-feed"], bad["missing"]],
        ["mark-read", "--issue", "i-nothing"],
        ["remove", "https://nowhere.example.com/feed"],
    ):
        result = run(*map(str, argv))
        assert result.returncode == 1, (argv, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert all(line.startswith("briefing-tui: ") for line in result.stderr.splitlines())


# -- import --------------------------------------------------------------------------------------


def small_issues(directory: Path, count: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = directory / f"n{number:05d}.md"
        path.write_text(
            f"# Weekly wrap {number}\n\n"
            f"## Widget {number} ships\n\n"
            f"**The Test Sheet:** Acme said widget {number} ships to {number + 3} stores next week.\n\n"
            f"- It costs {number} dollars.\n- It is blue.\n\n"
            f"**Bottom line:** Widget {number} is the cheapest yet.\n"
        )
        paths.append(path)
    return paths


def test_importing_2000_files_in_one_call_and_again_creates_no_duplicates(tmp_path, capsys):
    paths = small_issues(tmp_path / "many", 2000)

    assert ok(capsys, "import", *paths) == "imported: 2000 new, 0 updated, 0 unchanged\n"
    assert ok(capsys, "import", *paths) == "imported: 0 new, 0 updated, 2000 unchanged\n"

    issues = listed(capsys)
    assert len(issues) == 2000 and len({issue["id"] for issue in issues}) == 2000
    assert all(issue["stories"] >= 1 for issue in issues)


def test_importing_a_directory_takes_the_files_in_it(tmp_path, capsys):
    small_issues(tmp_path / "folder" / "sub", 3)
    (tmp_path / "folder" / "notes.pdf").write_bytes(b"%PDF-1.4 not a newsletter")

    assert ok(capsys, "import", tmp_path / "folder") == "imported: 3 new, 0 updated, 0 unchanged\n"


def test_importing_feed_files_of_every_kind(tmp_path, capsys):
    folder = tmp_path / "feeds"
    folder.mkdir()
    for name, body in (
        ("a.rss", rss_feed([Issue(1, guid="r-1")], "RSS One")),
        ("b.atom", atom_feed([Issue(2, guid="t-2")], "Atom Two")),
        ("c.json", json_feed([Issue(3, guid="j-3")], "JSON Three")),
    ):
        (folder / name).write_bytes(body)

    assert ok(capsys, "import", *sorted(folder.iterdir())) == "imported: 3 new, 0 updated, 0 unchanged\n"
    assert sorted(issue["source"] for issue in listed(capsys)) == ["Atom Two", "JSON Three", "RSS One"]


# -- reading, marking, searching -----------------------------------------------------------------


def test_list_json_shape_and_filters(capsys):
    ok(capsys, "import", TEXT, MARKDOWN)

    issues = listed(capsys)

    assert len(issues) == 2
    for issue in issues:
        assert set(issue) == {"id", "title", "source", "date", "stories", "unread_stories"}
        assert issue["id"].startswith("i-") and issue["stories"] == issue["unread_stories"] > 0
    assert [issue["source"] for issue in listed(capsys, "--source", "circuit")] == ["The Circuit Sheet"]
    assert listed(capsys, "--source", "%") == []
    assert "The Circuit Sheet" in ok(capsys, "list")


def test_search_json_shape_and_sections(capsys):
    ok(capsys, "import", TEXT)

    hits = json.loads(ok(capsys, "search", "bandwidth", "--json"))

    assert hits
    sections = {"headlines", "unpacked", "bottom_line", "shortlist", "references", "lead", "body"}
    issue_id = listed(capsys)[0]["id"]
    for hit in hits:
        assert {"issue_id", "item_id", "section", "snippet"} <= set(hit)
        assert hit["section"] in sections
        assert hit["issue_id"] == issue_id
        assert "bandwidth" in hit["snippet"].lower()
    # the story matches in its lead, an Unpacked bullet and its Bottom line: each can be asked for
    for section, alias in (("lead", "lead"), ("unpacked", "details"), ("bottom_line", "bottom-line")):
        only = json.loads(ok(capsys, "search", "bandwidth", "--section", alias, "--json"))
        assert [hit["section"] for hit in only] == [section]
        assert only[0]["item_id"] == hits[0]["item_id"]
        assert json.loads(ok(capsys, "search", f"section:{alias} bandwidth", "--json")) == only
    assert json.loads(ok(capsys, "search", "seawater", "--json"))[0]["section"] == "shortlist"
    assert json.loads(ok(capsys, "search", "seawater", "--json"))[0]["item_id"].startswith("q-")
    assert json.loads(ok(capsys, "search", "zzzznothing", "--json")) == []
    assert ok(capsys, "search", "zzzznothing") == "no matches\n"


def test_search_hits_name_the_story_and_the_item(capsys):
    ok(capsys, "import", TEXT)
    parsed = json.loads(ok(capsys, "parse", TEXT, "--json"))
    story = next(story for story in parsed["stories"] if "bandwidth" in (story["lead"] or ""))

    [lead] = json.loads(ok(capsys, "search", "bandwidth", "--section", "lead", "--json"))
    assert lead["title"] == story["title"] and lead["issue_title"] == parsed["title"]
    [short] = json.loads(ok(capsys, "search", "seawater", "--json"))
    assert short["title"] == next(item["text"] for item in parsed["shortlist"] if "seawater" in item["text"])
    out = ok(capsys, "search", "bandwidth", "--section", "lead")
    assert out.splitlines()[0].endswith(story["title"]) and parsed["title"] in out


def test_search_of_filters_alone_lists_the_items_newest_issue_first(capsys):
    from briefing_tui.library import Library
    from briefing_tui.paths import Locations

    ok(capsys, "import", TEXT, MARKDOWN)
    circuit = json.loads(ok(capsys, "parse", TEXT, "--json"))
    wafer = json.loads(ok(capsys, "parse", MARKDOWN, "--json"))
    newer, older = listed(capsys)  # the Wafer, then the Circuit Sheet

    def ids(*query: str) -> list[str]:
        return [hit["item_id"] for hit in json.loads(ok(capsys, "search", *query, "--json"))]

    editorial = [story["id"] for story in circuit["stories"] if not story["sponsored"]]
    shortlist = [item["id"] for item in circuit["shortlist"]]
    assert ids("source:circuit") == editorial + shortlist  # in the issue's order
    assert ids("source:circuit", "--limit", "2") == editorial[:2]
    assert ids("section:shortlist source:circuit") == ids("source:circuit", "--section", "shortlist") == shortlist
    assert ids("is:starred") == []
    assert ok(capsys, "search", "is:starred") == "no matches\n"

    library = Library(Locations.resolve())
    try:
        library.set_starred(editorial[1], older["id"], True)
        library.set_starred(wafer["stories"][0]["id"], newer["id"], True)
    finally:
        library.close()
    hits = json.loads(ok(capsys, "search", "is:starred", "--json"))
    assert [(hit["issue_id"], hit["item_id"]) for hit in hits] == [
        (newer["id"], wafer["stories"][0]["id"]),
        (older["id"], editorial[1]),
    ]
    titles = {story["id"]: story["title"] for story in wafer["stories"] + circuit["stories"]}
    assert all(hit["title"].endswith(titles[hit["item_id"]]) for hit in hits)  # after a kicker, if any
    assert ids("is:starred source:circuit") == [editorial[1]]
    ok(capsys, "mark-read", "--issue", older["id"])
    assert ids("is:unread source:circuit") == []
    assert ids("is:unread") == ids("source:wafer")
    # Punctuation alone is no filter: still nothing, as before.
    assert ids("!!!") == [] and ids("*") == []


@pytest.mark.parametrize("query", ['"unterminated', "NEAR(", "*", "AND OR NOT", '""', "^", "{x}", "a:b:c", "source:"])
def test_odd_search_queries_are_not_errors(capsys, query):
    ok(capsys, "import", TEXT)
    assert isinstance(json.loads(ok(capsys, "search", query, "--json")), list)


def test_marking_changes_unread_counts(capsys):
    ok(capsys, "import", TEXT, MARKDOWN)
    circuit, wafer = (
        next(issue for issue in listed(capsys) if issue["source"] == name) for name in ("The Circuit Sheet", "The Wafer")
    )
    parsed = json.loads(ok(capsys, "parse", TEXT, "--json"))
    story_ids = [story["id"] for story in parsed["stories"] if not story["sponsored"]]
    shortlist_ids = [item["id"] for item in parsed["shortlist"]]

    assert ok(capsys, "mark-read", story_ids[0], story_ids[1]) == "marked 2 items read\n"
    assert {i["id"]: i["unread_stories"] for i in listed(capsys)} == {circuit["id"]: 1, wafer["id"]: 3}
    assert ok(capsys, "mark-read", story_ids[0], shortlist_ids[0]) == "marked 1 items read\n"
    assert ok(capsys, "mark-unread", story_ids[1]) == "marked 1 items unread\n"
    assert {i["id"]: i["unread_stories"] for i in listed(capsys)} == {circuit["id"]: 2, wafer["id"]: 3}
    assert [i["id"] for i in listed(capsys, "--unread")] == [i["id"] for i in listed(capsys)]

    code, out, err = cli(capsys, "mark-read", story_ids[2], "s-doesnotexist")
    assert (code, out) == (1, "marked 1 items read\n")
    assert err == "briefing-tui: unknown item ids: s-doesnotexist\n"

    ok(capsys, "mark-read", "--issue", wafer["id"])
    assert {i["id"]: i["unread_stories"] for i in listed(capsys)} == {circuit["id"]: 1, wafer["id"]: 0}
    assert [i["id"] for i in listed(capsys, "--unread")] == [circuit["id"]]
    ok(capsys, "mark-unread", "--issue", wafer["id"])
    assert {i["id"]: i["unread_stories"] for i in listed(capsys)} == {circuit["id"]: 1, wafer["id"]: 3}

    ok(capsys, "mark-read", "--all")
    assert all(issue["unread_stories"] == 0 for issue in listed(capsys))
    assert listed(capsys, "--unread") == []
    hits = json.loads(ok(capsys, "search", "bandwidth is:unread", "--json"))
    assert hits == []

    code, _out, err = cli(capsys, "mark-read", "--issue", "i-000000000000")
    assert code == 1 and len(err.splitlines()) == 1


# -- subscriptions and export --------------------------------------------------------------------

FEEDS = [
    ("https://quokka.example.com/feed.xml", "Quokka Daily"),
    ("https://example.org/rss?a=1&b=2", 'Ampersands & "quotes" <and> \'apostrophes\''),
    ("http://例え.example/フィード.atom", "Überblick – Ünïcödé 日本"),
    ("https://untitled.example.net/atom", None),
]


def subscribe(capsys) -> None:
    for url, title in FEEDS:
        ok(capsys, "add", url, "--no-check", *(["--title", title] if title else []))


def subscriptions(capsys, *flags: str) -> list[tuple[str, str | None]]:
    return [(feed["url"], feed["title"]) for feed in json.loads(ok(capsys, "feeds", "--json", *flags))]


def test_add_remove_and_feeds(capsys):
    subscribe(capsys)
    assert ok(capsys, "add", FEEDS[0][0]) == f"already subscribed: {FEEDS[0][0]}\n"
    feeds = json.loads(ok(capsys, "feeds", "--json"))
    assert [feed["number"] for feed in feeds] == [1, 2, 3, 4]
    assert feeds[0]["last_success"] is None and feeds[0]["last_error"] is None and feeds[0]["unread_stories"] == 0
    assert "never fetched" in ok(capsys, "feeds")

    assert ok(capsys, "remove", "2") == f"removed {FEEDS[1][0]}\n"
    assert ok(capsys, "remove", FEEDS[3][0]) == f"removed {FEEDS[3][0]}\n"
    assert [url for url, _title in subscriptions(capsys)] == [FEEDS[0][0], FEEDS[2][0]]
    code, _out, err = cli(capsys, "remove", "9")
    assert code == 1 and len(err.splitlines()) == 1
    for bad in ("not a url", "ftp://example.com/feed", "javascript:alert(1)", ""):
        code, _out, err = cli(capsys, "add", bad)
        assert code == 1 and len(err.splitlines()) == 1, bad


def test_opml_export_then_import_into_fresh_dirs_gives_the_same_subscriptions(tmp_path, capsys):
    subscribe(capsys)
    target = tmp_path / "out" / "subs.opml"
    target.parent.mkdir()
    before = subscriptions(capsys)

    code, out, err = cli(capsys, "export", "opml", "--output", target)

    assert (code, out) == (0, "")
    assert err == f"wrote {target}\n"
    root = ElementTree.parse(target).getroot()
    assert root.tag == "opml" and len(root.findall(".//outline")) == len(FEEDS)
    fresh = [f"--data-dir={tmp_path / 'd2'}", f"--cache-dir={tmp_path / 'c2'}", f"--config-dir={tmp_path / 'k2'}"]
    assert ok(capsys, "import", target, *fresh) == "imported: 0 new, 0 updated, 0 unchanged, 4 subscriptions added\n"
    after = subscriptions(capsys, *fresh)
    # a feed without a title is exported under its URL; everything else comes back as it was
    assert after == [(url, title or url) for url, title in before]
    assert ok(capsys, "import", target, *fresh) == "imported: 0 new, 0 updated, 0 unchanged\n"
    assert subscriptions(capsys, *fresh) == after


def test_export_json_and_markdown_to_a_file(tmp_path, capsys):
    subscribe(capsys)
    ok(capsys, "import", TEXT, MARKDOWN)
    issue = next(issue for issue in listed(capsys) if issue["source"] == "The Circuit Sheet")
    ok(capsys, "mark-read", "--issue", issue["id"])

    json_path, markdown_path = tmp_path / "all.json", tmp_path / "all.md"
    cli(capsys, "export", "json", "-o", json_path)
    cli(capsys, "export", "markdown", "--output", markdown_path)

    document = json.loads(json_path.read_text())
    assert [s["url"] for s in document["subscriptions"]] == [url for url, _title in FEEDS]
    assert {i["id"] for i in document["issues"]} == {i["id"] for i in listed(capsys)}
    exported = next(i for i in document["issues"] if i["id"] == issue["id"])
    assert exported["stories"] and set(exported["read"]) <= set(document["read"])
    assert len(exported["read"]) >= issue["stories"]
    markdown = markdown_path.read_text()
    assert "Robots learn to fold laundry, finally" in markdown and "Oslo" in markdown
    assert ok(capsys, "export", "markdown") == markdown
    assert not list(tmp_path.glob(".*.tmp"))

    code, _out, err = cli(capsys, "export", "json", "--output", tmp_path / "no-such-dir" / "x.json")
    assert code == 1 and len(err.splitlines()) == 1



def test_opml_export_names_each_feed_by_its_title(tmp_path, server, capsys):
    server.feed("/named.xml", rss_feed([Issue(1, guid="n-1")], "Quokka Daily"))
    server.feed("/renamed.xml", rss_feed([Issue(2, guid="r-2")], "Wombat Weekly"))
    server.feed("/untitled.xml", rss_feed([Issue(3, guid="u-3")], ""))
    named, renamed, untitled = (server.url(path) for path in ("/named.xml", "/renamed.xml", "/untitled.xml"))
    ok(capsys, "add", named)
    ok(capsys, "add", renamed, "--title", "My chip news")
    ok(capsys, "add", untitled)
    ok(capsys, "refresh", "--plain")

    target = tmp_path / "subs.opml"
    ok(capsys, "export", "opml", "-o", target)

    outlines = ElementTree.parse(target).getroot().findall("./body/outline")
    # the name given when subscribing, else the feed's own title, else the address
    assert [(o.get("xmlUrl"), o.get("text"), o.get("title")) for o in outlines] == [
        (named, "Quokka Daily", "Quokka Daily"),
        (renamed, "My chip news", "My chip news"),
        (untitled, untitled, untitled),
    ]


def stars(data_dir: Path) -> set[str]:
    from briefing_tui.store.state import StateStore

    state = StateStore.open(data_dir / "state.sqlite3")
    try:
        return state.starred_ids()
    finally:
        state.close()


def exported_library(tmp_path: Path, server, capsys) -> tuple[Path, list[dict]]:
    """Two subscriptions fetched, some items read and one starred, exported as JSON; the list."""
    from briefing_tui.library import Library
    from briefing_tui.paths import Locations

    server.feed("/one.xml", rss_feed([Issue(1, guid="o-1"), Issue(2, guid="o-2")], "Quokka Daily"))
    server.feed("/two.xml", atom_feed([Issue(3, guid="t-3", stories=4)], "Wombat Weekly"))
    ok(capsys, "add", server.url("/one.xml"), "--title", "Morning quokka")
    ok(capsys, "add", server.url("/two.xml"))
    ok(capsys, "refresh", "--plain")
    issues = listed(capsys)
    ok(capsys, "mark-read", "--issue", issues[0]["id"])
    library = Library(Locations.resolve())
    try:
        story = library.open_issue(issues[1]["id"]).briefing.stories[1]
        library.mark_read([story.id])
        library.set_starred(story.id, issues[1]["id"], True)
    finally:
        library.close()
    target = tmp_path / "backup.json"
    ok(capsys, "export", "json", "-o", target)
    return target, listed(capsys)


def test_json_export_imports_back_into_a_fresh_data_dir(tmp_path, server, capsys, isolated_dirs):
    target, before = exported_library(tmp_path, server, capsys)
    document = json.loads(target.read_text())
    read, starred = set(document["read"]), set(document["starred"])
    assert len(starred) == 1 and starred < read
    feeds_before = subscriptions(capsys)
    fresh_dirs = [tmp_path / "d2", tmp_path / "c2", tmp_path / "k2"]
    fresh = [f"--data-dir={fresh_dirs[0]}", f"--cache-dir={fresh_dirs[1]}", f"--config-dir={fresh_dirs[2]}"]
    # something already in the fresh data dir stays
    server.feed("/three.xml", rss_feed([], "Numbat News"))
    ok(capsys, "add", server.url("/three.xml"), *fresh)

    out = ok(capsys, "import", target, *fresh)

    assert out == f"restored from {target}: 2 subscriptions, {len(read)} read marks, 1 star\n"
    assert stars(fresh_dirs[0]) == starred == stars(isolated_dirs / "data" / "briefing-tui")
    ok(capsys, "refresh", "--plain", *fresh)
    after_feeds = subscriptions(capsys, *fresh)
    assert server.url("/three.xml") in [url for url, _title in after_feeds]
    assert [feed for feed in after_feeds if feed[0] != server.url("/three.xml")] == feeds_before
    after = listed(capsys, *fresh)
    assert [(i["title"], i["stories"], i["unread_stories"]) for i in after] == [
        (i["title"], i["stories"], i["unread_stories"]) for i in before
    ]
    assert any(i["unread_stories"] < i["stories"] for i in after)
    # again: nothing new, nothing lost
    assert ok(capsys, "import", target, *fresh) == f"restored from {target}: 0 subscriptions, 0 read marks, 0 stars\n"
    assert len(subscriptions(capsys, *fresh)) == 3
    # the same file from a directory, beside a newsletter: both are taken
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "backup.json").write_bytes(target.read_bytes())
    (folder / "wafer.md").write_bytes(MARKDOWN.read_bytes())
    assert ok(capsys, "import", folder, *fresh).splitlines() == [
        "imported: 1 new, 0 updated, 0 unchanged",
        f"restored from {folder / 'backup.json'}: 0 subscriptions, 0 read marks, 0 stars",
    ]


@pytest.mark.parametrize(
    "damage",
    ["truncated", "read-not-a-list", "bad-url-in-second-subscription", "bad-item-id", "no-starred"],
)
def test_a_malformed_json_export_is_one_line_and_restores_nothing(tmp_path, server, capsys, damage):
    target, _before = exported_library(tmp_path, server, capsys)
    text = target.read_text()
    document = json.loads(text)
    if damage == "truncated":
        broken = text[: len(text) // 2]
    else:
        if damage == "read-not-a-list":
            document["read"] = " ".join(document["read"])
        elif damage == "bad-url-in-second-subscription":
            document["subscriptions"][1]["url"] = "javascript:alert(1)"
        elif damage == "bad-item-id":
            document["starred"].append({"id": "s-1"})
        else:
            del document["starred"]
        broken = json.dumps(document)
    bad = tmp_path / "broken.json"
    bad.write_text(broken)
    fresh_data = tmp_path / "d2"
    fresh = [f"--data-dir={fresh_data}", f"--cache-dir={tmp_path / 'c2'}", f"--config-dir={tmp_path / 'k2'}"]

    code, out, err = cli(capsys, "import", bad, *fresh)

    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"briefing-tui: {bad}: not a readable briefing-tui export")
    assert subscriptions(capsys, *fresh) == [] and stars(fresh_data) == set()
    assert listed(capsys, *fresh) == []


def test_list_source_matches_the_name_of_the_feed_an_issue_came_from(server, capsys):
    chips = server.feed("/chips.xml", rss_feed([Issue(1, guid="c-1"), Issue(2, guid="c-2")], "Quokka Daily"))
    server.feed("/wire.xml", rss_feed([Issue(3, guid="w-3")], "Wombat Wire"))
    ok(capsys, "add", server.url("/chips.xml"))
    ok(capsys, "add", server.url("/wire.xml"), "--title", "Semiconductor Roundup")
    ok(capsys, "refresh", "--plain")
    # the first feed renames itself: its issues, unchanged, keep the source they were stored with
    chips.set(rss_feed([Issue(1, guid="c-1"), Issue(2, guid="c-2")], "Quokka Chips Weekly"))
    ok(capsys, "refresh", "--plain")
    assert {issue["source"] for issue in listed(capsys)} == {"Quokka Daily", "Wombat Wire"}

    def titles(*flags: str) -> list[str]:
        return sorted(issue["title"] for issue in listed(capsys, *flags))

    # by the subscription's title, any case
    assert titles("--source", "semiconductor ROUNDUP") == ["Briefing number 3"]
    # by the title the feed now gives itself
    assert titles("--source", "chips weekly") == ["Briefing number 1", "Briefing number 2"]
    # by the issues' own source text, as before
    assert titles("--source", "wombat") == ["Briefing number 3"]
    assert titles("--source", "quokka") == ["Briefing number 1", "Briefing number 2"]
    assert titles("--source", "weekly", "--unread") == ["Briefing number 1", "Briefing number 2"]
    assert titles("--source", "nothing like it") == []
    assert titles("--source", "%") == []


# -- locations -----------------------------------------------------------------------------------


def test_paths_follow_the_environment(isolated_dirs, capsys):
    out = ok(capsys, "paths")
    assert out.splitlines() == [
        f"data:   {isolated_dirs / 'data' / 'briefing-tui'}",
        f"cache:  {isolated_dirs / 'cache' / 'briefing-tui'}",
        f"config: {isolated_dirs / 'config' / 'briefing-tui' / 'config.toml'}",
    ]


def test_paths_options_win_over_the_environment(tmp_path, capsys):
    out = ok(capsys, "--data-dir", tmp_path / "d", "paths", "--cache-dir", tmp_path / "c")
    lines = out.splitlines()
    assert lines[0] == f"data:   {tmp_path / 'd'}"
    assert lines[1] == f"cache:  {tmp_path / 'c'}"


def test_paths_default_to_the_platform_dirs_under_home(isolated_dirs, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFING_TUI_")}
    result = run("paths", env=env)
    assert result.returncode == 0
    for line in result.stdout.splitlines():
        assert str(isolated_dirs) in line and "briefing-tui" in line


def test_data_dir_option_really_moves_the_state(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    ok(capsys, "add", "https://a.example.com/feed", "--no-check", "--data-dir", elsewhere)
    assert (elsewhere / "state.sqlite3").exists()
    assert subscriptions(capsys) == []
    assert subscriptions(capsys, "--data-dir", str(elsewhere)) == [("https://a.example.com/feed", None)]


def test_a_bad_config_file_is_one_line_and_defaults_are_used(capsys, isolated_dirs):
    config = isolated_dirs / "config" / "briefing-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[fetch]\njobs = 0\n")
    code, out, err = cli(capsys, "feeds")
    assert code == 0 and "no subscriptions" in out
    assert err == f"briefing-tui: {config}: fetch.jobs must be a number from 1 to 256; using defaults\n"


def test_refresh_with_no_subscriptions(capsys):
    assert ok(capsys, "refresh").startswith("no subscriptions")


def test_parse_json_and_export_markdown_keep_section_and_intro_links(capsys):
    newsletter = ROOT / "tests" / "ui_fixtures" / "orchard_0602.md"
    parsed = json.loads(ok(capsys, "parse", newsletter, "--json"))
    assert parsed["intro_links"] == [{"text": "our field log", "url": "https://orchard.example.com/log"}]
    watch = next(section for section in parsed["sections"] if section["title"] == "What to watch")
    assert watch["links"] == [
        {"text": "drawer list", "url": "https://vault.example.org/drawers"},
        {"text": "draft rules", "url": "https://rail.example.net/draft-rules"},
    ]

    ok(capsys, "import", newsletter)
    markdown = ok(capsys, "export", "markdown")
    intro, _, rest = markdown.partition("## A Seed Vault Passes Its First Audit")
    assert "- [our field log](https://orchard.example.com/log)" in intro
    watch_part = rest.partition("## What to watch")[2]
    assert (
        "- [drawer list](https://vault.example.org/drawers)\n- [draft rules](https://rail.example.net/draft-rules)"
        in watch_part
    )


def test_is_unread_with_words_finds_nothing_once_everything_is_read(capsys):
    """References carry no read mark: they are never "unread" hits."""
    ok(capsys, "import", TEXT)
    parsed = json.loads(ok(capsys, "parse", TEXT, "--json"))
    word = next(w for ref in parsed["references"] for w in ref["title"].split() if len(w) > 5 and w.isalpha())
    assert any(hit["section"] == "references" for hit in json.loads(ok(capsys, "search", word, "--json")))
    ok(capsys, "mark-read", "--all")
    assert json.loads(ok(capsys, "search", f"is:unread {word}", "--json")) == []


def test_search_source_matches_the_feed_name_as_the_issue_list_does(capsys, tmp_path):
    from briefing_tui.library import Library
    from briefing_tui.paths import Locations

    ok(capsys, "import", TEXT)
    [issue] = json.loads(ok(capsys, "list", "--json"))
    library = Library(Locations.resolve())
    try:
        library.cache.conn.execute("UPDATE issues SET origin = 'https://feeds.example.com/x.xml' WHERE id = ?", (issue["id"],))
        library.add_feed("https://feeds.example.com/x.xml", "Morning Pick")
    finally:
        library.close()
    assert [i["id"] for i in json.loads(ok(capsys, "list", "--source", "morning pick", "--json"))] == [issue["id"]]
    hits = json.loads(ok(capsys, "search", "source:morning", "--json"))
    assert hits and {hit["issue_id"] for hit in hits} == {issue["id"]}
