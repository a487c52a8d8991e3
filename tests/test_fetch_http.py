"""Refreshing feeds from a real HTTP server on 127.0.0.1: formats, conditional GET, failures.

Nothing here is mocked: the server is a stdlib ThreadingHTTPServer in a thread, the client is the
program's own httpx code, and what is stored is read back from the cache and the CLI.
"""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from briefing_tui.cli import main
from briefing_tui.config import Config, FetchConfig
from briefing_tui.library import Library
from briefing_tui.paths import Locations
from briefing_tui.store.cache import FeedState
from tests.feedserver import FeedServer, Issue, atom_feed, json_feed, refused_url, rss_feed

SMALL = FetchConfig(jobs=8, max_bytes=64 * 1024, timeout=0.5, total_timeout=1.5)



@pytest.fixture
def library():
    lib = Library(Locations.resolve(), Config(fetch=SMALL))
    yield lib
    lib.close()


def small_config_file() -> None:
    """The same small limits for CLI runs, through config.toml."""
    path = Locations.resolve().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"[fetch]\njobs = 8\nmax_bytes = {SMALL.max_bytes}\ntimeout = {SMALL.timeout}\n"
        f"total_timeout = {SMALL.total_timeout}\n"
    )


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def feeds_json(capsys) -> dict[str, dict]:
    code, out, _err = cli(capsys, "feeds", "--json")
    assert code == 0
    return {feed["url"]: feed for feed in json.loads(out)}


def two_issues() -> list[Issue]:
    return [
        Issue(1, guid="quokka-1", date=datetime(2026, 3, 2, 8, tzinfo=timezone.utc)),
        Issue(2, guid="quokka-2", date=datetime(2026, 3, 3, 8, tzinfo=timezone.utc)),
    ]


# -- formats -------------------------------------------------------------------------------------


def test_rss_atom_and_json_feeds_are_fetched_parsed_and_indexed(server, library):
    server.feed("/rss", rss_feed(two_issues(), "Quokka Daily"))
    server.feed("/atom", atom_feed([Issue(3, word="atomword", date=datetime(2026, 2, 1, tzinfo=timezone.utc))], "Quokka Atom"), "application/atom+xml")
    server.feed("/json", json_feed([Issue(4, word="jsonword", date=datetime(2026, 2, 2, tzinfo=timezone.utc))], "Quokka JSON"), "application/feed+json")
    for path in ("/rss", "/atom", "/json"):
        assert library.add_feed(server.url(path))

    report = library.refresh()

    assert not report.failed, [(o.url, o.error) for o in report.failed]
    assert {o.url: (o.status, o.new) for o in report.outcomes} == {
        server.url("/rss"): ("updated", 2),
        server.url("/atom"): ("updated", 1),
        server.url("/json"): ("updated", 1),
    }
    issues = library.issues()
    assert [issue.title for issue in issues][:2] == ["Briefing number 2", "Briefing number 1"]
    assert sorted(issue.source for issue in issues) == ["Quokka Atom", "Quokka Daily", "Quokka Daily", "Quokka JSON"]
    # content:encoded (three stories) wins over the one-line description
    assert all(issue.stories == 3 and issue.unread == 3 for issue in issues)
    view = library.open_issue(issues[0].id)
    story = view.briefing.stories[0]
    assert story.title == "Story 0 of issue 2 about zephyrine chips"
    assert len(story.unpacked) == 3 and story.bottom_line == "Watch the marzipan market after story 0."
    assert len(view.briefing.shortlist) == 2

    sections = {hit.section for hit in library.search("marzipan")}
    assert sections == {"bottom_line"}
    assert {hit.section for hit in library.search("torvane")} == {"unpacked"}
    assert {hit.section for hit in library.search("atomword")} == {"headlines"}
    assert len({hit.issue_id for hit in library.search("jsonword")}) == 1
    feeds = {feed.url: feed for feed in library.feeds()}
    assert all(feed.last_success and feed.last_error is None for feed in feeds.values())
    assert feeds[server.url("/rss")].title == "Quokka Daily"
    assert feeds[server.url("/rss")].unread == 6


def test_second_refresh_sends_validators_and_a_304_stores_nothing(server, library, capsys):
    route = server.feed("/rss", rss_feed(two_issues()))
    library.add_feed(server.url("/rss"))
    first = library.refresh()
    assert first.outcomes[0].new == 2
    before = library.cache.conn.execute("SELECT id, fetched_at, raw_hash FROM issues ORDER BY id").fetchall()

    second = library.refresh()

    sent = server.requests_for("/rss")
    assert len(sent) == 2
    assert "if-none-match" not in sent[0]
    assert sent[1]["if-none-match"] == route.etag
    assert sent[1]["if-modified-since"] == route.last_modified
    assert "gzip" in sent[1]["accept-encoding"]
    outcome = second.outcomes[0]
    assert (outcome.status, outcome.new, outcome.updated) == ("not_modified", 0, 0)
    after = library.cache.conn.execute("SELECT id, fetched_at, raw_hash FROM issues ORDER BY id").fetchall()
    assert after == before
    state = library.cache.feed_state(server.url("/rss"))
    assert state.etag == route.etag and state.last_modified == route.last_modified
    assert state.last_success and state.last_error is None

    # and through the command line
    code, out, _err = cli(capsys, "refresh")
    assert code == 0
    assert "not modified" in out
    assert "1 unchanged" in out


def test_changed_feed_gets_a_new_etag_and_only_new_entries_count(server, library):
    route = server.feed("/rss", rss_feed(two_issues()))
    library.add_feed(server.url("/rss"))
    library.refresh()
    route.set(rss_feed([*two_issues(), Issue(5, guid="quokka-5")]))

    report = library.refresh()

    assert (report.outcomes[0].new, report.outcomes[0].updated) == (1, 0)
    assert library.count_issues() == 3
    assert library.cache.feed_state(server.url("/rss")).etag == route.etag


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(server, library, encoding):
    server.feed("/feed", rss_feed(two_issues()), encoding=encoding)
    library.add_feed(server.url("/feed"))

    report = library.refresh()

    assert report.outcomes[0].status == "updated", report.outcomes[0].error
    assert report.outcomes[0].new == 2


def test_a_single_redirect_is_followed(server, library):
    server.feed("/new-home", rss_feed(two_issues()))
    server.redirect("/old-home", "/new-home", status=301)
    library.add_feed(server.url("/old-home"))

    report = library.refresh()

    assert report.outcomes[0].status == "updated"
    assert {issue.origin for issue in library.issues()} == {server.url("/old-home")}


# -- failures ------------------------------------------------------------------------------------

BOMB_SIZE = 16 * 1024 * 1024  # expands to 256 times the limit


def _setup_failure(server: FeedServer, kind: str) -> str:
    """Serve one misbehaving feed; returns its URL."""
    path = "/" + kind
    if kind == "not-found":
        server.status(path, 404)
    elif kind == "server-error":
        server.status(path, 500)
    elif kind == "redirect-loop":
        server.redirect(path, "/redirect-loop-2")
        server.redirect("/redirect-loop-2", path)
    elif kind == "slow":
        server.slow(path, 30, rss_feed(two_issues()))
    elif kind == "drip":
        # each byte arrives well within the read timeout; only the total timeout stops it
        server.drip(path, 0.1, rss_feed(two_issues()))
    elif kind == "oversized-declared":
        server.big(path, 200 * 1024, declare_length=True)
    elif kind == "oversized-streamed":
        server.big(path, 200 * 1024, declare_length=False)
    elif kind == "gzip-bomb":
        body = gzip.compress(b"<rss><channel><title>" + b"\0" * BOMB_SIZE, 9)
        assert len(body) < SMALL.max_bytes  # small on the wire, only the decoded size is over
        server.big(path, 0, declare_length=True, encoding="gzip", body=body)
    elif kind == "deflate-bomb":
        body = zlib.compress(b"<rss>" + b"\0" * BOMB_SIZE, 9)
        assert len(body) < SMALL.max_bytes
        server.big(path, 0, declare_length=True, encoding="deflate", body=body)
    elif kind == "corrupt-gzip":
        server.big(path, 0, declare_length=True, encoding="gzip", body=b"\x1f\x8b\x08\x00garbage-not-gzip" * 10)
    elif kind == "html-page":
        server.routes[path] = lambda h: h.reply(200, b"<html><body><p>Hello</p></body></html>", "text/html")
    elif kind == "refused":
        return refused_url()
    else:
        raise AssertionError(kind)
    return server.url(path)


FAILURES = {
    "not-found": "HTTP 404",
    "server-error": "HTTP 500",
    "redirect-loop": "too many redirects",
    "slow": "timed out",
    "drip": "took longer than 1.5 s",
    "oversized-declared": "larger than the 0.0625 MiB limit",
    "oversized-streamed": "larger than the 0.0625 MiB limit",
    "gzip-bomb": "larger than the 0.0625 MiB limit",
    "deflate-bomb": "larger than the 0.0625 MiB limit",
    "corrupt-gzip": "corrupt compressed response",
    "html-page": "not a feed",
    "refused": "connection refused",
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_each_failure_is_stored_as_that_feeds_last_error(server, library, kind):
    url = _setup_failure(server, kind)
    library.add_feed(url)

    report = library.refresh()

    [outcome] = report.outcomes
    assert outcome.status == "error"
    assert FAILURES[kind] in outcome.error
    assert "\n" not in outcome.error
    [feed] = library.feeds()
    assert feed.last_error == outcome.error
    assert feed.last_error_at and feed.last_success is None
    assert library.count_issues() == 0


def test_one_failing_feed_never_stops_the_others(server, capsys):
    small_config_file()
    server.feed("/good", rss_feed(two_issues(), "Good Feed"))
    server.feed("/also-good", atom_feed([Issue(7, guid="atom-7")], "Also Good"), "application/atom+xml")
    bad = {kind: _setup_failure(server, kind) for kind in ("not-found", "server-error", "redirect-loop", "refused",
                                                           "slow", "oversized-streamed", "gzip-bomb")}
    assert cli(capsys, "add", server.url("/good"))[0] == 0
    for url in bad.values():
        assert cli(capsys, "add", url, "--no-check")[0] == 0
    assert cli(capsys, "add", server.url("/also-good"), "--title", "Second good one")[0] == 0

    code, out, err = cli(capsys, "refresh", "--jobs", "3")

    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("ok") and "Good Feed" in line and "2 new" in line for line in lines), out
    assert any(line.startswith("ok") and "Second good one" in line and "1 new" in line for line in lines), out
    for kind, url in bad.items():
        assert any(line.startswith("FAIL") and url in line and FAILURES[kind] in line for line in lines), (kind, out)
    assert lines[-1] == f"refreshed 9 feeds, 3 new issues, {len(bad)} failed"
    assert len(err.splitlines()) == len(bad)
    assert all(line.startswith("  failed: ") for line in err.splitlines())

    stored = feeds_json(capsys)
    assert stored[server.url("/good")]["last_error"] is None
    assert stored[server.url("/good")]["last_success"]
    assert stored[server.url("/good")]["unread_stories"] == 6
    for kind, url in bad.items():
        assert FAILURES[kind] in stored[url]["last_error"]
        assert stored[url]["last_success"] is None
    code, out, _err = cli(capsys, "feeds")
    assert code == 0 and out.count("ERROR ") == len(bad)
    code, out, _err = cli(capsys, "list", "--json")
    assert len(json.loads(out)) == 3


def test_a_recovered_feed_clears_its_last_error(server, library):
    server.status("/flaky", 500)
    library.add_feed(server.url("/flaky"))
    library.refresh()
    assert library.feeds()[0].last_error == "HTTP 500 Internal Server Error"

    server.feed("/flaky", rss_feed(two_issues()))
    report = library.refresh()

    assert report.outcomes[0].status == "updated"
    [feed] = library.feeds()
    assert feed.last_error is None and feed.last_error_at is None and feed.last_success


# -- rate limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_stored_and_the_next_refresh_waits(server, capsys, status):
    small_config_file()
    server.status("/limited", status, {"Retry-After": "120"})
    server.feed("/fine", rss_feed(two_issues()))
    cli(capsys, "add", server.url("/limited"), "--no-check")
    cli(capsys, "add", server.url("/fine"), "--no-check")

    code, out, _err = cli(capsys, "refresh")

    assert code == 1
    assert f"FAIL  {server.url('/limited')}: HTTP {status}" in out
    library = Library(Locations.resolve())
    try:
        retry = library.cache.feed_state(server.url("/limited")).retry_after
    finally:
        library.close()
    until = datetime.fromisoformat(retry)
    now = datetime.now(timezone.utc)
    assert now + timedelta(seconds=60) < until <= now + timedelta(seconds=121)
    assert f"retry after {retry}" in out
    assert len(server.requests_for("/limited")) == 1

    code, out, _err = cli(capsys, "refresh")

    # the limited feed is not asked again before its time; waiting is not a failure
    assert len(server.requests_for("/limited")) == 1
    assert len(server.requests_for("/fine")) == 2
    assert code == 0
    assert f"WAIT  {server.url('/limited')}: server asked to wait until" in out
    assert "1 waiting (rate-limited)" in out.splitlines()[-1]
    stored = feeds_json(capsys)
    assert f"HTTP {status}" in stored[server.url("/limited")]["last_error"]
    assert stored[server.url("/limited")]["retry_after"] == retry


def test_retry_after_as_an_http_date(server, library):
    when = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(microsecond=0)
    server.status("/limited", 429, {"Retry-After": format_datetime(when, usegmt=True)})
    library.add_feed(server.url("/limited"))

    library.refresh()

    assert library.cache.feed_state(server.url("/limited")).retry_after == when.isoformat()
    assert library.refresh().outcomes[0].status == "deferred"
    assert len(server.requests_for("/limited")) == 1


def test_a_retry_after_in_the_past_does_not_defer(server, library):
    server.status("/limited", 429, {"Retry-After": "0"})
    library.add_feed(server.url("/limited"))
    library.refresh()

    report = library.refresh()

    assert report.outcomes[0].status == "error"
    assert len(server.requests_for("/limited")) == 2


def test_validators_of_a_document_that_failed_to_parse_are_not_kept(server, library):
    route = server.feed("/broken", b"<html><body><p>Maintenance page</p></body></html>", "text/html")
    library.add_feed(server.url("/broken"))
    first = library.refresh()
    assert first.outcomes[0].status == "error"

    second = library.refresh()

    # a 304 must not turn the unreadable document into a success with no issues
    assert "if-none-match" not in server.requests_for("/broken")[1]
    assert second.outcomes[0].status == "error"
    [feed] = library.feeds()
    assert feed.last_success is None and "not a feed" in feed.last_error

    route.set(rss_feed(two_issues()))
    assert library.refresh().outcomes[0].new == 2


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "gzip-as-deflate"])
@pytest.mark.parametrize("step", [1, 2, 7, 65536])
def test_decoding_does_not_depend_on_how_the_body_is_split(encoding, step):
    from briefing_tui.fetch import _Decoder

    data = rss_feed(two_issues())
    if encoding == "gzip":
        body, header = gzip.compress(data), "gzip"
    elif encoding == "deflate":
        body, header = zlib.compress(data), "deflate"
    elif encoding == "gzip-as-deflate":
        body, header = gzip.compress(data), "deflate"
    else:
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body, header = compressor.compress(data) + compressor.flush(), "deflate"
    decoder = _Decoder(header, SMALL.max_bytes)

    out = b"".join(decoder.feed(body[start : start + step]) for start in range(0, len(body), step))

    assert out == data


@pytest.mark.parametrize("jobs", [1, 3])
def test_at_most_jobs_feeds_are_fetched_at_once(server, library, jobs):
    for number in range(7):
        server.slow(f"/feed-{number}", 0.05, rss_feed([Issue(number, guid=f"slow-{number}")]))
        library.add_feed(server.url(f"/feed-{number}"))

    report = library.refresh(jobs=jobs)

    assert [outcome.status for outcome in report.outcomes] == ["updated"] * 7
    assert 1 <= server.most_at_once <= jobs


def test_redirects_that_cannot_be_followed_are_errors(server, library):
    server.routes["/no-location"] = lambda h: h.reply(302, b"", None, {})
    server.routes["/to-file"] = lambda h: h.reply(302, b"", None, {"Location": "file:///etc/passwd"})
    for number in range(1, 8):
        server.redirect(f"/hop-{number}", f"/hop-{number + 1}")
    server.feed("/hop-8", rss_feed(two_issues()))
    for path in ("/no-location", "/to-file", "/hop-3", "/hop-2"):
        library.add_feed(server.url(path))

    outcomes = {outcome.url.rsplit("/", 1)[1]: outcome for outcome in library.refresh().outcomes}

    assert outcomes["no-location"].error == "HTTP 302 Found"
    assert outcomes["to-file"].error == "redirected to a file: address, not a web page"
    assert outcomes["hop-3"].new == 2  # five redirects are fine
    assert outcomes["hop-2"].error == "too many redirects (more than 5)"


# -- hostile servers: far Retry-After, unconditional 304, redirects to another host ---------------

FAR_RETRY_AFTER = [
    (429, "Fri, 01 Jan 2099 00:00:00 GMT"),
    (503, "Fri, 31 Dec 9999 23:59:59 GMT"),
    (429, "99999999999"),
    (503, "9" * 5000),
]


@pytest.mark.parametrize(("status", "header"), FAR_RETRY_AFTER, ids=["date-2099", "date-9999", "seconds", "5000-digits"])
def test_a_far_retry_after_is_capped_at_one_day(server, capsys, status, header):
    small_config_file()
    server.status("/parked", status, {"Retry-After": header})
    cli(capsys, "add", server.url("/parked"), "--no-check")

    code, out, _err = cli(capsys, "refresh")

    assert code == 1 and f"FAIL  {server.url('/parked')}: HTTP {status}" in out
    [stored] = feeds_json(capsys).values()
    until = datetime.fromisoformat(stored["retry_after"])
    now = datetime.now(timezone.utc)
    assert now + timedelta(hours=23) < until <= now + timedelta(hours=24, seconds=5)
    _code, listing, _err = cli(capsys, "feeds")
    assert f"(not fetched again before {stored['retry_after']})" in listing


def test_a_stored_retry_after_beyond_one_day_does_not_park_the_feed(server, library):
    server.feed("/feed", rss_feed(two_issues()))
    library.add_feed(server.url("/feed"))
    # as stored by a version that did not cap what the server sent
    library.cache.save_feed_state(FeedState(server.url("/feed"), retry_after="2099-01-01T00:00:00+00:00"))

    report = library.refresh()

    assert report.outcomes[0].status == "updated" and report.outcomes[0].new == 2
    assert library.feeds()[0].retry_after is None


def test_a_304_to_a_request_that_was_not_conditional_is_an_error(server, capsys):
    small_config_file()
    server.routes["/always-304"] = lambda h: h.reply(304)
    cli(capsys, "add", server.url("/always-304"), "--no-check")

    for _attempt in range(2):
        code, out, _err = cli(capsys, "refresh")

        assert code == 1
        assert f"FAIL  {server.url('/always-304')}: HTTP 304 Not Modified to a request that was not conditional" in out
        assert out.splitlines()[-1] == "refreshed 1 feed, 0 new issues, 1 failed"
        [stored] = feeds_json(capsys).values()
        assert stored["last_success"] is None
        assert "not conditional" in stored["last_error"]
    # nothing was cached, so no validators were ever sent
    assert [h for h in server.requests_for("/always-304") if "if-none-match" in h or "if-modified-since" in h] == []
    _code, listing, _err = cli(capsys, "feeds")
    assert "ERROR " in listing and "ok " not in listing


def test_a_redirect_to_another_host_is_reported_in_feeds(server, capsys):
    small_config_file()
    port = server.httpd.server_address[1]
    # 127.0.0.1 sends the feed to "localhost": the same server, but another host name
    elsewhere = f"http://localhost:{port}/new-home?from=" + "q" * 3000
    server.feed("/new-home", rss_feed(two_issues()))
    server.routes["/moved"] = lambda h: h.reply(301, b"", None, {"Location": elsewhere})
    server.redirect("/same-host", "/new-home", status=301)
    for path in ("/moved", "/same-host"):
        assert cli(capsys, "add", server.url(path))[0] == 0

    code, out, _err = cli(capsys, "refresh")

    assert code == 0, out
    stored = feeds_json(capsys)
    assert stored[server.url("/moved")]["redirected_to"] == elsewhere
    assert stored[server.url("/moved")]["last_success"]
    assert stored[server.url("/same-host")]["redirected_to"] is None
    _code, listing, _err = cli(capsys, "feeds")
    moved = [line for line in listing.splitlines() if "redirected to" in line]
    assert len(moved) == 1
    assert moved[0].strip().startswith(f"redirected to http://localhost:{port}/new-home?from=qqq")
    assert moved[0].endswith("…") and len(moved[0]) < 200
    assert listing.count(server.url("/moved")) == 1  # the listing stays keyed by the subscribed URL
    assert all(ch == "\n" or ch.isprintable() for ch in listing)

    # once the feed stops redirecting elsewhere, the note goes
    server.feed("/moved", rss_feed(two_issues()))
    assert cli(capsys, "refresh")[0] == 0
    assert feeds_json(capsys)[server.url("/moved")]["redirected_to"] is None
