"""feedparser's own test feeds (../shared/corpora/feedparser): nothing crashes, nothing unsafe shows.

About 2,100 real test feeds: well-formed and ill-formed, odd encodings, entities, and the
sanitizer cases (scripts, styles, event handlers, javascript: links hidden in every element).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefing_tui import feeds as feeds_module
from briefing_tui.feeds import FeedError, parse_feed
from briefing_tui.library import Library
from briefing_tui.parser import ParseError
from briefing_tui.paths import Locations
from tests.conftest import CORPORA

FEEDS = CORPORA / "feedparser" / "tests"

pytestmark = pytest.mark.skipif(not FEEDS.is_dir(), reason="../shared/corpora is not present")

#: What must never reach the screen from a sanitizer case.
UNSAFE = re.compile(
    r"<\s*/?\s*(?:script|style|iframe|object|embed|applet|meta|link)\b"
    r"|javascript\s*:|vbscript\s*:|\bon[a-z]{3,}\s*=\s*[\"']|expression\s*\(",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def corpus_files() -> list[Path]:
    return sorted(FEEDS.rglob("*.xml")) if FEEDS.is_dir() else []


def shown_text(path: Path) -> str:
    """Everything the reader could show for one feed file, as one string."""
    try:
        feed = parse_feed(path.read_bytes())
    except FeedError:
        return ""
    parts = [feed.title or "", feed.link or ""]
    for entry in feed.entries:
        parts.append(entry.title or "")
        try:
            briefing = entry.to_briefing(feed.title)
        except ParseError:
            continue
        parts.append(json.dumps(briefing.to_dict(), ensure_ascii=False))
    return "\n".join(parts)


def test_every_corpus_feed_parses_without_an_unhandled_exception():
    files = corpus_files()
    assert len(files) > 2000
    failures = []
    for path in files:
        try:
            text = shown_text(path)
        except Exception as error:  # noqa: BLE001 - the point of the test
            failures.append(f"{path.relative_to(FEEDS)}: {error!r}")
            continue
        if _CONTROL.search(text):
            failures.append(f"{path.relative_to(FEEDS)}: control character in output")
    assert failures == []


def test_sanitizer_cases_leave_no_script_style_or_event_handler_text():
    cases = sorted((FEEDS / "wellformed" / "sanitize").glob("*.xml"))
    assert len(cases) > 100
    leaks = []
    for path in cases:
        text = shown_text(path)
        found = UNSAFE.search(text)
        if found:
            leaks.append(f"{path.name}: {found.group(0)!r}")
    assert leaks == []


def test_the_whole_corpus_imports_in_one_call(tmp_path):
    files = [str(path) for path in corpus_files()]
    library = Library(Locations(tmp_path / "data", tmp_path / "cache", tmp_path / "config"))
    try:
        report = library.import_paths(files)
        stored = library.count_issues()
    finally:
        library.close()
    # Failures are reported one line each; everything else is stored once.
    assert all(reason and "\n" not in reason for _path, reason in report.errors)
    assert stored == report.new > 400


def _through_feedparser(data: bytes):
    original = feeds_module._plain_rss
    feeds_module._plain_rss = lambda _data, _url: None
    try:
        return parse_feed(data)
    finally:
        feeds_module._plain_rss = original


def test_the_plain_rss_reader_agrees_with_feedparser_wherever_it_is_used():
    used = 0
    for path in corpus_files():
        data = path.read_bytes()
        fast = feeds_module._plain_rss(data, None)
        if fast is None:
            continue
        used += 1
        assert fast == _through_feedparser(data), path.relative_to(FEEDS)
    assert used > 100
