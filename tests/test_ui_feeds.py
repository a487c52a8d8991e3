"""The feeds view (F) and adding a feed from the reader (a), under Pilot, against the real
HTTP server on 127.0.0.1."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from textual.widgets import Input

from briefing_tui.library import Library
from briefing_tui.ui.screens.dialogs import AddFeedScreen, ConfirmScreen, InputScreen
from briefing_tui.ui.screens.feeds import FeedList, FeedOption, FeedsScreen
from briefing_tui.ui.screens.reader import ReaderScreen
from briefing_tui.ui.widgets.issue_list import IssueList
from tests.feedserver import FeedServer, Issue, refused_url, rss_feed
from tests.ui_support import locations, new_app, screen_text, settle

SIZE = (100, 30)


@pytest.fixture
def server():
    server = FeedServer()
    yield server
    server.close()


def subscribe(*urls: str, titles: dict[str, str] | None = None) -> None:
    """Subscribe and fetch, as `briefing-tui add` and `refresh` would (in a thread of its own:
    the test's event loop is running)."""

    def run() -> None:
        library = Library(locations())
        try:
            for url in urls:
                library.add_feed(url, (titles or {}).get(url))
            library.refresh()
        finally:
            library.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


def feed_rows(app) -> list[FeedOption]:
    rows = app.screen.query_one(FeedList)
    return [rows.get_option_at_index(n) for n in range(rows.option_count)]


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_feeds_view_lists_each_feed_with_counts_and_its_last_error(server):
    server.feed("/good.xml", rss_feed([Issue(1), Issue(2)], title="Quokka Daily"))
    broken = refused_url()
    subscribe(server.url("/good.xml"), broken)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "F")
        assert isinstance(app.screen, FeedsScreen)
        rows = {option.feed.url: option.feed for option in feed_rows(app)}
        assert rows[server.url("/good.xml")].issues == 2 and rows[server.url("/good.xml")].unread == 6
        assert rows[broken].last_error and "refused" in rows[broken].last_error
        text = screen_text(app)
        assert "Quokka Daily" in text and "6 unread · 2 issues" in text
        assert "✗" in text and "refused" in text
        assert "2 feeds, 6 unread, 1 failing" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)


async def test_enter_on_a_feed_shows_only_its_issues(server):
    server.feed("/a.xml", rss_feed([Issue(1), Issue(2)], title="Alpha Letter"))
    server.feed("/b.xml", rss_feed([Issue(7, guid="b-7")], title="Beta Letter"))
    subscribe(server.url("/a.xml"), server.url("/b.xml"), titles={server.url("/b.xml"): "My beta"})
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one(IssueList).count == 3
        await press(pilot, "F")
        names = [option.feed.title for option in feed_rows(app)]
        await press(pilot, *["j"] * names.index("My beta"), "enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        issues = reader.query_one(IssueList)
        assert issues.count == 1 and issues.current.title == "Briefing number 7"
        assert "Issues 1 · My beta" in screen_text(app)


async def test_rename_remove_and_mark_read_one_feed(server):
    server.feed("/a.xml", rss_feed([Issue(1)], title="Alpha Letter"))
    server.feed("/b.xml", rss_feed([Issue(7, guid="b-7")], title="Beta Letter"))
    subscribe(server.url("/a.xml"), server.url("/b.xml"))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "F")
        first = feed_rows(app)[0].feed
        other = feed_rows(app)[1].feed
        # rename
        await press(pilot, "R")
        assert isinstance(app.screen, InputScreen)
        app.screen.query_one(Input).value = "Renamed letter"
        await press(pilot, "enter")
        assert feed_rows(app)[0].feed.title == "Renamed letter"
        assert "Renamed letter" in screen_text(app)
        # mark this feed read: the other keeps its unread stories
        await press(pilot, "A")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        counts = {option.feed.url: option.feed.unread for option in feed_rows(app)}
        assert counts[first.url] == 0 and counts[other.url] == other.unread > 0
        assert any(re.fullmatch(r"Marked [1-9]\d* items of Renamed letter read\.", m) for m in app.messages()), app.messages()
        # remove: asked first; n keeps it, y removes it
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert len(feed_rows(app)) == 2
        await press(pilot, "d")
        await press(pilot, "y")
        assert [option.feed.url for option in feed_rows(app)] == [other.url]
        await press(pilot, "escape")
        assert app.screen.query_one(IssueList).count == 1
    library = Library(locations())
    try:
        assert [s.url for s in library.subscriptions()] == [other.url]
    finally:
        library.close()


async def test_r_in_the_feeds_view_refreshes_one_feed(server):
    route = server.feed("/a.xml", rss_feed([Issue(1)], title="Alpha Letter"))
    server.feed("/b.xml", rss_feed([Issue(7, guid="b-7")], title="Beta Letter"))
    subscribe(server.url("/a.xml"), server.url("/b.xml"))
    route.set(rss_feed([Issue(1), Issue(2)], title="Alpha Letter"))
    before_b = len(server.requests_for("/b.xml"))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "F")
        assert feed_rows(app)[0].feed.url == server.url("/a.xml")
        await press(pilot, "r")
        assert feed_rows(app)[0].feed.issues == 2
        assert len(server.requests_for("/b.xml")) == before_b  # only the feed under the cursor
        await press(pilot, "escape")
        assert app.screen.query_one(IssueList).count == 3


@pytest.mark.parametrize("kind", ["404", "refused", "web page", "not a feed"])
async def test_a_rejects_an_address_that_is_not_a_feed_and_subscribes_nothing(server, kind):
    if kind == "404":
        server.status("/gone.xml", 404)
        url = server.url("/gone.xml")
    elif kind == "refused":
        url = refused_url()
    elif kind == "web page":
        server.feed("/page", b"<html><head><title>Home</title></head><body><p>Hello</p></body></html>", "text/html")
        url = server.url("/page")
    else:
        server.feed("/junk", b"syntax error <<<", "text/plain")
        url = server.url("/junk")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#feed-url", Input).value = url
        await press(pilot, "enter")
        # one line in the dialog, which stays open with the address kept for a fix
        assert isinstance(app.screen, AddFeedScreen)
        status = str(app.screen.query_one("#add-status").render())
        assert status.startswith(url) and "\n" not in status
        assert app.screen.query_one("#feed-url", Input).value == url
        await press(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)
    library = Library(locations())
    try:
        assert library.subscriptions() == []
    finally:
        library.close()


async def test_a_finds_the_feed_a_web_page_names_and_shows_its_issues_at_once(server):
    server.feed("/feed.xml", rss_feed([Issue(1), Issue(2)], title="Quokka Daily"))
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>'
    server.feed("/", page, "text/html")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        app.screen.query_one("#feed-url", Input).value = server.url("/")
        await press(pilot, "enter")
        assert any(message.startswith("Subscribed to Quokka Daily") for message in app.messages())
        issues = app.screen.query_one(IssueList)
        titles = {issues.row(n).title for n in range(issues.count)}
        assert {"Briefing number 1", "Briefing number 2"} <= titles  # beside the sample issues
        assert "Briefing number 2" in screen_text(app)
    library = Library(locations())
    try:
        assert [s.url for s in library.subscriptions()] == [server.url("/feed.xml")]
    finally:
        library.close()
