"""Managing subscriptions: adding checks the address first, renaming, marking a feed read.

Against the real HTTP server on 127.0.0.1 (tests/feedserver.py), real SQLite files in a
temporary directory, and the real command line.
"""

from __future__ import annotations

import json

import pytest

from briefing_tui.cli import main
from briefing_tui.config import Config, FetchConfig
from briefing_tui.library import Library
from briefing_tui.paths import Locations
from tests.feedserver import FeedServer, Issue, atom_feed, json_feed, refused_url, rss_feed

SMALL = FetchConfig(jobs=4, max_bytes=256 * 1024, timeout=0.5, total_timeout=1.5)



@pytest.fixture
def library():
    lib = Library(Locations.resolve(), Config(fetch=SMALL))
    yield lib
    lib.close()


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def feeds_json(capsys) -> list[dict]:
    code, out, _err = cli(capsys, "feeds", "--json")
    assert code == 0
    return json.loads(out)


def page(*links: str, title: str = "Quokka Labs") -> bytes:
    """An ordinary web page, with ``links`` (raw <link> tags) in its head."""
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>" + title + "</title>"
        '<link rel="stylesheet" href="/style.css">' + "".join(links) + "</head>"
        "<body><h1>Welcome</h1><p>Read our briefing every morning.</p></body></html>"
    ).encode()


def html_route(server: FeedServer, path: str, body: bytes) -> None:
    server.routes[path] = lambda h: h.reply(200, body, "text/html; charset=utf-8")


def two_issues() -> list[Issue]:
    return [Issue(1, guid="quokka-1"), Issue(2, guid="quokka-2")]


# -- adding checks the address -------------------------------------------------------------------


def refused_with(library: Library, url: str) -> str:
    """The one-line reason ``url`` was refused; nothing was subscribed."""
    with pytest.raises(ValueError) as raised:
        library.subscribe(url)
    message = str(raised.value)
    assert "\n" not in message and len(message) < 400
    assert library.subscriptions() == [] and library.feeds() == []
    return message


def test_a_feed_that_answers_404_is_refused_and_nothing_is_subscribed(server, library):
    assert refused_with(library, server.url("/gone.xml")) == f"{server.url('/gone.xml')}: HTTP 404 Not Found"


def test_a_server_error_is_refused(server, library):
    server.status("/broken.xml", 500)
    assert refused_with(library, server.url("/broken.xml")) == f"{server.url('/broken.xml')}: HTTP 500 Internal Server Error"


def test_a_refused_connection_is_refused(library):
    url = refused_url()
    assert refused_with(library, url) == f"{url}: connection refused"


def test_a_server_that_never_answers_is_refused_after_the_timeout(server, library):
    server.slow("/slow.xml", 5.0, rss_feed(two_issues()))
    message = refused_with(library, server.url("/slow.xml"))
    assert message.startswith(f"{server.url('/slow.xml')}: ")
    assert "timed out" in message or "took longer" in message


def test_an_answer_over_the_size_limit_is_refused(server, library):
    server.big("/huge.xml", 2 * SMALL.max_bytes, declare_length=False)
    message = refused_with(library, server.url("/huge.xml"))
    assert message == f"{server.url('/huge.xml')}: response larger than the 0.25 MiB limit"


def test_a_rss_feed_is_subscribed_with_its_own_title(server, library):
    server.feed("/rss", rss_feed(two_issues(), "Quokka \x1b[31mDaily\x07"))

    result = library.subscribe(server.url("/rss"))

    assert (result.url, result.title, result.added, result.checked) == (server.url("/rss"), "Quokka Daily", True, True)
    assert result.entries == 2 and result.page is None and result.note is None
    [feed] = library.feeds()
    # shown under its own title before the first refresh; nothing is stored until then
    assert (feed.url, feed.title, feed.issues, feed.unread) == (server.url("/rss"), "Quokka Daily", 0, 0)
    assert library.count_issues() == 0
    report = library.refresh()
    assert report.outcomes[0].status == "updated" and report.outcomes[0].new == 2


@pytest.mark.parametrize(
    ("body", "content_type", "title"),
    [
        (atom_feed([Issue(3, guid="atom-3")], "Quokka Atom"), "application/atom+xml", "Quokka Atom"),
        (json_feed([Issue(4, guid="json-4")], "Quokka JSON"), "application/feed+json", "Quokka JSON"),
        # servers often send feeds as text/html or text/plain: the body decides
        (rss_feed(two_issues(), "Served as HTML"), "text/html", "Served as HTML"),
    ],
    ids=["atom", "json", "rss-as-html"],
)
def test_atom_and_json_feeds_are_subscribed(server, library, body, content_type, title):
    server.feed("/feed", body, content_type)
    result = library.subscribe(server.url("/feed"))
    assert (result.url, result.title, result.added) == (server.url("/feed"), title, True)
    assert [feed.title for feed in library.feeds()] == [title]


def test_a_title_given_wins_over_the_feeds_own(server, library):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    result = library.subscribe(server.url("/rss"), "  My \x1b]0;owned\x07morning\tread ")
    assert result.title == "My morning read"
    assert [(s.url, s.title) for s in library.subscriptions()] == [(server.url("/rss"), "My morning read")]


def test_a_web_page_is_searched_for_its_feed_link(server, library):
    server.feed("/blog/feed.xml", rss_feed(two_issues(), "Quokka Daily"))
    html_route(server, "/blog/", page('<link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml">'))
    server.redirect("/", "/blog/")  # the link is relative to where the redirect ended

    result = library.subscribe(server.url("/"))

    assert (result.url, result.title, result.added) == (server.url("/blog/feed.xml"), "Quokka Daily", True)
    assert result.page == server.url("/") and result.others == ()
    assert result.note == f"the feed named by the page {server.url('/')}"
    assert [s.url for s in library.subscriptions()] == [server.url("/blog/feed.xml")]
    assert library.refresh().outcomes[0].new == 2


def test_a_page_with_several_feeds_gives_the_first_and_names_the_others(server, library):
    server.feed("/atom", atom_feed([Issue(3, guid="atom-3")], "Quokka Atom"), "application/atom+xml")
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    html_route(
        server,
        "/home",
        page(
            '<link rel="alternate" type="application/json" href="/wp-json/pages/2">',
            '<link rel="ALTERNATE" type="Application/Atom+XML" href="/atom">',
            '<link rel="alternate" type="application/rss+xml" href="/rss">',
            '<link rel="alternate" type="application/rss+xml" href="/rss">',
            '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
        ),
    )

    result = library.subscribe(server.url("/home"))

    assert (result.url, result.title) == (server.url("/atom"), "Quokka Atom")
    assert result.others == (server.url("/rss"), server.url("/wp-json/pages/2"))
    assert server.url("/rss") in result.note and server.url("/wp-json/pages/2") in result.note
    assert [s.url for s in library.subscriptions()] == [server.url("/atom")]


def test_a_page_whose_first_feed_link_is_broken_gets_the_next_one(server, library):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    html_route(
        server,
        "/home",
        page(
            '<link rel="alternate" type="application/rss+xml" href="/old-feed">',
            '<link rel="alternate" type="application/rss+xml" href="/rss">',
        ),
    )
    result = library.subscribe(server.url("/home"))
    assert result.url == server.url("/rss") and result.others == (server.url("/old-feed"),)


def test_a_page_whose_feed_links_all_fail_is_refused(server, library):
    html_route(server, "/home", page('<link rel="alternate" type="application/rss+xml" href="/old-feed">'))
    message = refused_with(library, server.url("/home"))
    assert message == (
        f"{server.url('/home')}: the page's feed link does not work ({server.url('/old-feed')}: HTTP 404 Not Found)"
    )


def test_a_web_page_with_no_feed_link_is_refused(server, library):
    # a feed link in the body, or one that is not "alternate", is not the page naming its feed
    html_route(
        server,
        "/about",
        page('<link rel="icon" type="application/rss+xml" href="/rss">').replace(
            b"</body>", b'<link rel="alternate" type="application/rss+xml" href="/rss"></body>'
        ),
    )
    server.feed("/rss", rss_feed(two_issues()))
    assert refused_with(library, server.url("/about")) == f"{server.url('/about')}: is a web page with no feed link"


@pytest.mark.parametrize(
    ("body", "content_type", "told"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)), "image/png", " (image/png)"),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Half', "application/xml", ""),
        # XML of another kind, with items feedparser would read as entries
        (b'<?xml version="1.0"?>\n<catalog><title>Parts</title><item><title>Bolt</title></item></catalog>', "text/xml", ""),
        (b"Just some plain words, no markup at all.\n", "text/plain", ""),
        (b'{"version": "1.0", "items": []}', "application/json", ""),
        (b"", "application/rss+xml", ""),
    ],
    ids=["image", "syntax-error", "other-xml", "plain-text", "other-json", "empty"],
)
def test_what_is_not_a_feed_is_refused(server, library, body, content_type, told):
    server.routes["/thing"] = lambda h: h.reply(200, body, content_type)
    message = refused_with(library, server.url("/thing"))
    assert message == f"{server.url('/thing')}: is not an RSS, Atom or JSON feed{told}"


def test_an_address_subscribed_already_is_not_fetched_again(server, library):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    library.subscribe(server.url("/rss"))
    fetched = len(server.requests_for("/rss"))

    again = library.subscribe(server.url("/rss"), "Renamed")

    assert (again.added, again.url, again.title) == (False, server.url("/rss"), "Renamed")
    assert len(server.requests_for("/rss")) == fetched
    assert [s.title for s in library.subscriptions()] == ["Renamed"]


def test_unchecked_adds_and_imap_folders_are_not_fetched(server, library):
    result = library.subscribe(server.url("/not-yet.xml"), check=False)
    assert (result.added, result.checked, result.url) == (True, False, server.url("/not-yet.xml"))
    folder = library.subscribe("imaps://me@127.0.0.1:1/Newsletters", "Mail")
    assert (folder.added, folder.checked, folder.title) == (True, False, "Mail")
    assert server.requests == []
    assert len(library.subscriptions()) == 2
    with pytest.raises(ValueError):
        library.subscribe("ftp://example.com/feed")


def test_store_keeps_the_issues_the_check_fetched(server, library):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))

    result = library.subscribe(server.url("/rss"), store=True)

    assert result.new == 2
    [feed] = library.feeds()
    assert (feed.issues, feed.unread, feed.title) == (2, 6, "Quokka Daily") and feed.last_success
    report = library.refresh()  # the check's ETag is kept: nothing is fetched twice
    assert report.outcomes[0].status == "not_modified"
    assert len(server.requests_for("/rss")) == 2


# -- the command line ----------------------------------------------------------------------------


def test_cli_add_refuses_what_fails_with_one_line_and_exit_1(server, capsys):
    html_route(server, "/about", page())
    for url, reason in (
        (server.url("/gone.xml"), "HTTP 404 Not Found"),
        (refused_url(), "connection refused"),
        (server.url("/about"), "is a web page with no feed link"),
    ):
        code, out, err = cli(capsys, "add", url)
        assert (code, out, err) == (1, "", f"briefing-tui: {url}: {reason}\n")
    assert feeds_json(capsys) == []


def test_cli_add_checks_then_subscribes(server, capsys):
    server.feed("/feed.xml", rss_feed(two_issues(), "Quokka Daily"))
    html_route(server, "/", page('<link rel="alternate" type="application/rss+xml" href="/feed.xml">'))

    assert cli(capsys, "add", server.url("/")) == (
        0,
        f"added {server.url('/feed.xml')} (Quokka Daily, 2 issues)\n  (the feed named by the page {server.url('/')})\n",
        "",
    )
    assert cli(capsys, "add", server.url("/feed.xml")) == (0, f"already subscribed: {server.url('/feed.xml')}\n", "")
    offline = refused_url()
    assert cli(capsys, "add", offline, "--no-check", "--title", "Later") == (0, f"added {offline}\n", "")
    assert [(f["url"], f["title"]) for f in feeds_json(capsys)] == [
        (server.url("/feed.xml"), "Quokka Daily"),
        (offline, "Later"),
    ]


def test_cli_rename_shows_in_feeds(server, capsys):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    server.feed("/atom", atom_feed([Issue(3, guid="atom-3")], "Quokka Atom"), "application/atom+xml")
    assert cli(capsys, "add", server.url("/rss"))[0] == 0
    assert cli(capsys, "add", server.url("/atom"))[0] == 0

    assert cli(capsys, "rename", "2", "Morning \x1b[2Jatom") == (0, f"renamed {server.url('/atom')} to Morning atom\n", "")
    assert cli(capsys, "rename", server.url("/rss"), "Daily one")[0] == 0
    _code, listing, _err = cli(capsys, "feeds")
    assert "  1. Daily one  [0 issues, 0 unread]" in listing and "  2. Morning atom  [0 issues, 0 unread]" in listing

    # an empty title goes back to the feed's own
    assert cli(capsys, "rename", "1", "") == (0, f"{server.url('/rss')} goes by the feed's own title again\n", "")
    assert [f["title"] for f in feeds_json(capsys)] == ["Quokka Daily", "Morning atom"]

    for argv in (("rename", "3", "x"), ("rename", "https://nowhere.example/feed", "x"), ("rename", "1", "\x1b[0m\x07")):
        code, out, err = cli(capsys, *argv)
        assert code == 1 and out == "" and len(err.splitlines()) == 1 and err.startswith("briefing-tui: ")
    assert [f["title"] for f in feeds_json(capsys)] == ["Quokka Daily", "Morning atom"]


# -- a feed's issues and unread counts -----------------------------------------------------------


def test_mark_feed_read_clears_that_feed_only(server, library, capsys):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    server.feed("/atom", atom_feed([Issue(3, guid="atom-3")], "Quokka Atom"), "application/atom+xml")
    library.subscribe(server.url("/rss"))
    library.subscribe(server.url("/atom"))
    library.refresh()
    before = {feed.url: (feed.issues, feed.unread) for feed in library.feeds()}
    assert before == {server.url("/rss"): (2, 6), server.url("/atom"): (1, 3)}

    assert library.mark_feed_read(server.url("/rss")) == 10  # 3 stories and 2 shortlist items an issue
    after = {feed.url: (feed.issues, feed.unread) for feed in library.feeds()}
    assert after == {server.url("/rss"): (2, 0), server.url("/atom"): (1, 3)}
    assert library.mark_feed_read(server.url("/rss")) == 0
    assert library.mark_feed_read("7") is None

    assert cli(capsys, "mark-read", "--feed", "2") == (0, "marked 5 items read\n", "")
    assert [(f["issues"], f["unread_stories"]) for f in feeds_json(capsys)] == [(2, 0), (1, 0)]
    code, _out, err = cli(capsys, "mark-read", "--feed", "https://nowhere.example/feed")
    assert code == 1 and len(err.splitlines()) == 1


def test_refreshing_one_feed_fetches_only_it_and_reports_it(server, library):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    server.feed("/atom", atom_feed([Issue(3, guid="atom-3")], "Quokka Atom"), "application/atom+xml")
    library.subscribe(server.url("/rss"))
    library.subscribe(server.url("/atom"))

    report = library.refresh(urls=[server.url("/atom")])

    [outcome] = report.outcomes
    assert (outcome.url, outcome.status, outcome.new) == (server.url("/atom"), "updated", 1)
    assert {feed.url: feed.issues for feed in library.feeds()} == {server.url("/rss"): 0, server.url("/atom"): 1}
    assert len(server.requests_for("/rss")) == 1  # the check only
