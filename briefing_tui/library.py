"""The small API the reader and the CLI use: one object over the cache, read state and fetching.

All methods are safe to call from worker threads; a lock serialises database access.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from typing import TYPE_CHECKING

from briefing_tui.config import Config, FetchConfig
from briefing_tui.model import Briefing
from briefing_tui.paths import Locations
from briefing_tui.store.cache import ISSUE_ORDERS, Cache, FeedState, IssueSummary, SearchCancelled, SearchHit, issue_id_for
from briefing_tui.store.db import StoreError, now_iso
from briefing_tui.store.query import QueryError, SearchQuery
from briefing_tui.store.state import StateStore, Subscription
from briefing_tui.text import MAX_URL_CHARS, cap_label, clean_text, feed_url, truncate

if TYPE_CHECKING:
    from briefing_tui.digest import Digest, DigestRow
    from briefing_tui.feeds import Feed
    from briefing_tui.store.threads import Thread, ThreadMember
    from briefing_tui.fetch import FetchResult
    from briefing_tui.ingest import ParsedIssue, ParsedPayload

# Fetching (httpx), feed parsing (feedparser), the parser, threads and the digest are imported
# where they are used, so that opening the reader does not pay for them before its first screen.


def __getattr__(name: str):
    """The thread and digest types this module names for front ends, imported on first use."""
    if name in ("Thread", "ThreadMember"):
        from briefing_tui.store import threads

        return getattr(threads, name)
    if name in ("Digest", "DigestRow"):
        from briefing_tui import digest

        return getattr(digest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: Index in worker processes when at least this many issues wait (workers take ~0.4 s to start).
INDEX_POOL_THRESHOLD = 200
#: Issues parsed and indexed per transaction (other calls are served between batches).
INDEX_BATCH = 200
#: Entries per task sent to a worker process.
INDEX_CHUNK = 25
#: Read the pieces of issues to thread in worker processes when at least this many wait.
THREAD_POOL_THRESHOLD = 800
#: The feeds a web page names that adding the page tries, in order, before giving up.
MAX_FEED_LINKS_TRIED = 3


@dataclass(frozen=True, slots=True)
class FeedInfo:
    url: str
    title: str | None
    last_success: str | None
    last_error: str | None
    last_error_at: str | None
    unread: int
    retry_after: str | None = None  # the server asked not to be fetched again before this time
    redirected_to: str | None = None  # where the last fetch ended, when a redirect went to another host
    issues: int = 0  # cached issues of this feed


@dataclass(frozen=True, slots=True)
class AddResult:
    """What :meth:`Library.subscribe` did."""

    #: The address subscribed to: the feed a page names, when a web page was given.
    url: str
    #: The title given, else the feed's own (None when neither is known).
    title: str | None
    #: False when it was subscribed already (a title given then replaces its title).
    added: bool
    #: Fetched and read as a feed before subscribing (False for IMAP folders and unchecked adds).
    checked: bool = False
    #: The web page given, when the feed subscribed to was found on it.
    page: str | None = None
    #: The other feeds that page names, in its order.
    others: tuple[str, ...] = ()
    #: Entries in the feed when it was checked.
    entries: int = 0
    #: Issues stored at once (``store=True``) that were not in the cache.
    new: int = 0
    #: One line on where the feed came from ("the feed named by the page ...; the page also
    #: names ..."), or None.
    note: str | None = None


@dataclass(slots=True)
class FeedOutcome:
    url: str
    title: str | None
    status: str  # "updated", "not_modified", "error", "deferred"
    new: int = 0
    updated: int = 0
    error: str | None = None
    skipped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class IndexReport:
    """What phase two (parsing and indexing what a refresh stored raw) did."""

    indexed: int = 0
    #: Entries that could not be parsed: kept as text, one line each on why.
    unparsed: list[str] = field(default_factory=list)
    #: Set when the cache failed (what was not indexed waits for the next run).
    error: str | None = None


@dataclass(slots=True)
class RefreshReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)
    #: Phase two, when the refresh ran it.
    index: IndexReport | None = None

    @property
    def failed(self) -> list[FeedOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "error"]

    @property
    def new(self) -> int:
        return sum(outcome.new for outcome in self.outcomes)

    def summary(self) -> str:
        total = len(self.outcomes)
        unchanged = sum(1 for outcome in self.outcomes if outcome.status == "not_modified")
        deferred = sum(1 for outcome in self.outcomes if outcome.status == "deferred")
        parts = [f"{total} feed{'s' if total != 1 else ''}", f"{self.new} new issue{'s' if self.new != 1 else ''}"]
        if unchanged:
            parts.append(f"{unchanged} unchanged")
        if deferred:
            parts.append(f"{deferred} waiting (rate-limited)")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts)


@dataclass(slots=True)
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    subscriptions: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Files read as newsletters, feeds, OPML lists or mail (briefing-tui exports are not counted).
    files: int = 0
    #: briefing-tui JSON exports given (restored or not).
    exports: int = 0
    #: (path, subscriptions, read marks, stars added) for every export restored.
    restored: list[tuple[str, int, int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ThreadView:
    thread: Thread
    #: Item ids of the members that are read.
    read: frozenset[str]

    def others(self, here: tuple[str, str | None]) -> list[ThreadMember]:
        """The members other than the piece at ``here`` (issue id, item id)."""
        return [m for m in self.thread.members if (m.issue_id, m.item_id) != here]

    def coverage(self, here: tuple[str, str | None]) -> tuple[int, int]:
        """(other sources, other issues) that covered the piece at ``here``: its own source's
        other issues (a follow-up, a deep dive) are other issues, not other sources."""
        own = next((m.source for m in self.thread.members if (m.issue_id, m.item_id) == here), None)
        others = self.others(here)
        sources = {m.source or m.issue_id for m in others} - {own}
        return len(sources), len(others)


@dataclass(frozen=True, slots=True)
class IssueView:
    """An open issue: the briefing plus the reader's marks on its items."""

    id: str
    briefing: Briefing
    read: frozenset[str]
    starred: frozenset[str]
    #: item id ("" for a story-less issue) -> its thread, for the items that are in one.
    threads: dict[str, ThreadView] = field(default_factory=dict)


def _redirected_to(url: str, final_url: str | None) -> str | None:
    """``final_url`` cleaned for storing, when redirects took ``url`` to another host; else None."""
    if not final_url:
        return None
    try:
        here, there = urlsplit(url).hostname, urlsplit(final_url).hostname
    except ValueError:
        return None
    if not there or here == there:  # same host (http -> https, another path or port): not reported
        return None
    # the address came from the server's Location header: no controls or escapes, bounded length
    return truncate(clean_text(final_url, decode_entities=False).replace(" ", "%20"), MAX_URL_CHARS) or None


#: How alike (0 to 1, over the words of title and lead) an edited item must be to the one it
#: replaces: at the same place in its list, and anywhere in it.
SAME_PLACE_LIKENESS = 0.5
ANY_PLACE_LIKENESS = 0.8
#: Words of an item compared (its title and the start of its lead).
_LIKENESS_WORDS = 80
_WORD = re.compile(r"\w+")


def _words(*texts: str | None) -> list[str]:
    return _WORD.findall(" ".join(text for text in texts if text).lower())[:_LIKENESS_WORDS]


def _pair_edited(old: list[tuple[str, list[str]]], new: list[tuple[str, list[str]]], taken: set[str]) -> list[tuple[str, str]]:
    """(old id, new id) for the items of one kind (id, words) in ``old`` that ``new`` has under
    another id. An item pairs with one at its place (in the whole list, or among the changed
    items) that is at least SAME_PLACE_LIKENESS alike, or with one anywhere that is at least
    ANY_PLACE_LIKENESS alike; the most alike pairs first, no item twice. Items of ``new`` in
    ``taken`` (they have marks of their own) and ids both lists have are left alone."""
    import difflib  # only when a stored issue changed: not on every start

    old_ids, new_ids = {item_id for item_id, _ in old}, {item_id for item_id, _ in new}
    gone = [(place, item_id, words) for place, (item_id, words) in enumerate(old) if item_id not in new_ids]
    arrived = [
        (place, item_id, words)
        for place, (item_id, words) in enumerate(new)
        if item_id not in old_ids and item_id not in taken
    ]
    candidates = []
    for rank_old, (place_old, old_id, old_words) in enumerate(gone):
        for rank_new, (place_new, new_id, new_words) in enumerate(arrived):
            same_place = place_old == place_new or rank_old == rank_new
            needed = SAME_PLACE_LIKENESS if same_place else ANY_PLACE_LIKENESS
            matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
            if matcher.quick_ratio() < needed:
                continue
            likeness = matcher.ratio()
            if likeness >= needed:
                candidates.append((-likeness, not same_place, place_old, place_new, old_id, new_id))
    pairs, used_old, used_new = [], set(), set()
    for *_order, old_id, new_id in sorted(candidates):
        if old_id not in used_old and new_id not in used_new:
            used_old.add(old_id)
            used_new.add(new_id)
            pairs.append((old_id, new_id))
    return pairs


def edited_items(before: Briefing, after: Briefing, taken: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(old id, new id) of the stories and shortlist items of an issue that a new version of it
    (``after``) edited: an item's id comes from its words, so a corrected title or lead renames it."""
    return _pair_edited(
        [(story.id, _words(story.title, story.lead)) for story in before.editorial_stories],
        [(story.id, _words(story.title, story.lead)) for story in after.editorial_stories],
        taken,
    ) + _pair_edited(
        [(item.id, _words(item.text)) for item in before.shortlist],
        [(item.id, _words(item.text)) for item in after.shortlist],
        taken,
    )


#: The keys by which a JSON document is known as an ``export json`` of briefing-tui.
EXPORT_KEYS = frozenset({"subscriptions", "read", "starred"})
#: Largest export read back (it holds every cached issue besides the marks).
MAX_EXPORT_BYTES = 256 * 1024 * 1024
#: What export_json writes first: a file that opens so is read as an export, whatever follows.
_EXPORT_OPENING = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"subscriptions"\s*:')
_ITEM_ID = re.compile(r"[^\W_][\w.:-]{0,199}", re.ASCII)


@dataclass(frozen=True, slots=True)
class ExportContents:
    """What an export restores: subscriptions (url, title, added at) and (item id, issue id) marks."""

    subscriptions: list[tuple[str, str | None, str | None]]
    read: list[tuple[str, str | None]]
    starred: list[tuple[str, str | None]]


def _starts_as_json_object(path: str) -> bool:
    """True when ``path`` is a regular file whose first character (after spaces) is "{"."""
    from briefing_tui.ingest import LocalFileError, open_local_file

    try:
        with open_local_file(Path(path)) as handle:
            head = handle.read(64)
    except (LocalFileError, OSError):
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")


def _subscription_url(raw: object) -> str | None:
    from briefing_tui.imap import MailboxAddress, is_mailbox_url

    if not isinstance(raw, str):
        return None
    if is_mailbox_url(raw):
        try:
            return MailboxAddress.parse(raw).url
        except ValueError:
            return None
    return feed_url(raw)


def read_export(path: Path) -> ExportContents | None:
    """The contents of a briefing-tui JSON export (``export json``); None for any other file.

    A file that is one by its shape (its keys) but cannot be restored raises ValueError with
    one line saying why: nothing of it is restored then.
    """
    from briefing_tui.ingest import LocalFileError, open_local_file

    try:
        with open_local_file(path) as handle:
            data = handle.read(MAX_EXPORT_BYTES + 1)
    except (LocalFileError, OSError):
        return None  # reported as for any file by the importer
    opening = _EXPORT_OPENING.match(data) is not None
    if not opening and b"jsonfeed.org" in data[:2048].lower():
        return None  # a JSON Feed: read once, by the feed parser
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        if not opening:
            return None
        if len(data) > MAX_EXPORT_BYTES:
            raise ValueError(f"a briefing-tui export larger than {MAX_EXPORT_BYTES // (1024 * 1024)} MiB") from None
        raise ValueError(f"not a readable briefing-tui export ({clean_text(str(error))[:120]})") from None
    if not isinstance(document, dict) or not EXPORT_KEYS <= document.keys():
        if opening:
            raise ValueError("not a readable briefing-tui export (it lacks \"read\" or \"starred\")")
        return None

    def fail(why: str):
        raise ValueError(f"not a readable briefing-tui export: {why}; nothing was restored")

    subscriptions, seen = [], set()
    if not isinstance(document["subscriptions"], list):
        fail('"subscriptions" is not a list')
    for number, entry in enumerate(document["subscriptions"], 1):
        if not isinstance(entry, dict):
            fail(f"subscription {number} is not an object")
        url = _subscription_url(entry.get("url"))
        if url is None:
            fail(f"subscription {number} has no http(s) or imap(s) URL")
        title, added = entry.get("title"), entry.get("added_at")
        if title is not None and not isinstance(title, str):
            fail(f"subscription {number} has a title that is not text")
        if url not in seen:
            seen.add(url)
            subscriptions.append(
                (url, cap_label(clean_text(title)) or None, added if isinstance(added, str) and len(added) <= 64 else None)
            )
    # which issue holds each item, to keep with its mark (the export lists marks by item id)
    owners: dict[str, str] = {}
    issues = document.get("issues")
    for issue in issues if isinstance(issues, list) else ():
        if not isinstance(issue, dict) or not isinstance(issue.get("id"), str):
            continue
        for part in ("stories", "shortlist"):
            items = issue.get(part)
            for item in items if isinstance(items, list) else ():
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    owners.setdefault(item["id"], issue["id"][:64])
    marks = {}
    for key in ("read", "starred"):
        ids = document[key]
        if not isinstance(ids, list):
            fail(f'"{key}" is not a list')
        for item_id in ids:
            if not isinstance(item_id, str) or not _ITEM_ID.fullmatch(item_id):
                fail(f'"{key}" holds {truncate(clean_text(json.dumps(item_id)), 40)}, not an item id')
        marks[key] = [(item_id, owners.get(item_id)) for item_id in dict.fromkeys(ids)]
    return ExportContents(subscriptions, marks["read"], marks["starred"])


def _expand(paths: Iterable[str]) -> list[str]:
    """Files to import: the paths given, with directories expanded to the files they hold.

    A Maildir (a directory with cur/ and new/) gives the messages in cur/ and new/; the files
    a mail server keeps beside them (indexes, lists of folders) are not looked at.
    """
    from briefing_tui.feeds import FEED_SUFFIXES
    from briefing_tui.ingest import NEWSLETTER_SUFFIXES, OPML_SUFFIXES
    from briefing_tui.mail import MBOX_SUFFIXES, MESSAGE_SUFFIXES, is_maildir, maildir_files

    wanted = NEWSLETTER_SUFFIXES | FEED_SUFFIXES | OPML_SUFFIXES | MESSAGE_SUFFIXES | MBOX_SUFFIXES
    out = []
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path):
                dirs.sort()
                if is_maildir(Path(root)):
                    found.extend(str(message) for message in maildir_files(Path(root)))
                    dirs[:] = [name for name in dirs if name not in ("cur", "new", "tmp")]
                    continue
                found.extend(
                    os.path.join(root, name) for name in sorted(files) if Path(name).suffix.lower() in wanted
                )
            # a directory with nothing to import is reported as a failure of its own
            out.extend(found or [path])
        else:
            out.append(path)
    return out


def _start_parsing(entries: list, pool: Executor | None, parse: Callable[[list], list]) -> Callable[[], list]:
    """Start ``parse`` over ``entries`` in chunks, in ``pool`` when there is one; returns what
    gives the results in order (waiting for them). The caller stores one batch meanwhile."""
    chunks = [entries[start : start + INDEX_CHUNK] for start in range(0, len(entries), INDEX_CHUNK)]

    def here() -> list:
        return [item for chunk in chunks for item in parse(chunk)]

    if pool is None:
        return here
    try:
        futures = [pool.submit(parse, chunk) for chunk in chunks]
    except Exception:  # noqa: BLE001 - a broken pool: parse here
        return here

    def collect() -> list:
        try:
            return [item for future in futures for item in future.result()]
        except Exception:  # noqa: BLE001 - a worker died: parse here
            return here()

    return collect


def _not_stored(key: str, error: Exception) -> str:
    """The line that reports an entry skipped because it could not be stored."""
    return f"{clean_text(key)[:80]!r} not stored: {clean_text(str(error))[:160]}"


class Library:
    def __init__(self, locations: Locations, config: Config | None = None):
        self.locations = locations
        self.config = config or Config()
        self._lock = threading.RLock()
        self.state = StateStore.open(locations.state_db)
        self.cache = Cache.open(locations.cache_db, state_db=locations.state_db)
        #: One-line messages about what was repaired while opening.
        self.notices: list[str] = []
        if self.state.recovered_from:
            salvaged = self.state.salvaged
            self.notices.append(
                f"read-state database was damaged; it was moved to {self.state.recovered_from} and a new one"
                f" started with the {salvaged} saved item{'s' if salvaged != 1 else ''} (subscriptions, read"
                " marks, stars) that could still be read"
                if salvaged
                else f"read-state database was damaged; it was moved to {self.state.recovered_from} and a new"
                " one started (nothing in it could be read)"
            )
        if self.cache.recovered_from:
            self.notices.append(
                f"cache was damaged; it was moved to {self.cache.recovered_from} and is rebuilt on the next refresh"
            )

    def close(self) -> None:
        with self._lock:
            self.cache.close()
            self.state.close()

    # -- subscriptions ---------------------------------------------------------------------------
    def add_feed(
        self,
        url: str,
        title: str | None = None,
        *,
        password_command: str | None = None,
        ca_file: str | None = None,
    ) -> bool:
        """Subscribe to a feed (http, https) or an IMAP folder (imaps://USER@HOST/FOLDER),
        without fetching it (see :meth:`subscribe` for a checked subscription).

        Raises ValueError with one line for an address that cannot be subscribed to.
        """
        clean, options = self._subscription_address(url, password_command, ca_file)
        with self._lock:
            return self.state.add_subscription(clean, cap_label(clean_text(title)) or None, options or None)

    @staticmethod
    def _subscription_address(
        url: str, password_command: str | None, ca_file: str | None
    ) -> tuple[str, dict[str, str]]:
        """(the address cleaned, its options) for a subscription; ValueError with one line."""
        from briefing_tui.imap import MailboxAddress, is_mailbox_url

        options: dict[str, str] = {}
        if is_mailbox_url(url):
            clean = MailboxAddress.parse(url).url
            if password_command is not None:
                if not password_command.strip():
                    raise ValueError("the password command is empty")
                options["password_command"] = password_command
            if ca_file is not None:
                path = Path(ca_file).expanduser()
                if not path.is_file():
                    raise ValueError(f"no CA file at {clean_text(str(path))}")
                options["ca_file"] = str(path.resolve())
        else:
            if password_command is not None or ca_file is not None:
                raise ValueError("--password-command and --ca-file are for IMAP folders (imaps://...)")
            clean = feed_url(url)
            if not clean:
                raise ValueError(f"not an http(s) or imap(s) URL: {clean_text(url[:400])[:200]}")
        return clean, options

    def subscribe(
        self,
        url: str,
        title: str | None = None,
        *,
        check: bool = True,
        store: bool = False,
        password_command: str | None = None,
        ca_file: str | None = None,
    ) -> AddResult:
        """Subscribe to a feed after fetching it once to see that it is one. Blocks on the network.

        A web page is searched for the feeds it names (``<link rel="alternate">``) and the first
        one that reads as a feed is subscribed to. An address that fails (an HTTP error, a
        refused connection, a timeout, a page without a feed link, anything that is not a feed)
        raises ValueError with one line and nothing is subscribed. With ``store`` the issues the
        check fetched are stored at once, as a refresh would. An address already subscribed is
        not fetched. IMAP folders, and any address with ``check`` False, are subscribed to
        without fetching, as :meth:`add_feed` does.
        """
        from briefing_tui.imap import is_mailbox_url

        given = cap_label(clean_text(title)) or None
        clean, _options = self._subscription_address(url, password_command, ca_file)
        if not check or is_mailbox_url(url):
            added = self.add_feed(url, title, password_command=password_command, ca_file=ca_file)
            return AddResult(clean, given or self._title_of(clean), added)
        if self._subscribed(clean):
            return self._already(clean, given)
        result, feed = self._fetch_feed(clean)
        page, others = None, ()
        if feed is None:
            result, feed, page, others = self._discover(clean, result)
            if feed is None:  # the page names a feed that is subscribed already
                return self._already(result.url, given, page)
        with self._lock:
            added = self.state.add_subscription(result.url, given)
        stored = 0
        if added:
            stored = self._keep_check(result, feed.title, store)
        note = None
        if page is not None:
            note = f"the feed named by the page {truncate(page, 160)}"
            if others:
                note += f"; the page also names {', '.join(truncate(other, 160) for other in others[:3])}"
                note += f" and {len(others) - 3} more" if len(others) > 3 else ""
        return AddResult(
            result.url, given or feed.title, added, checked=True, page=page, others=others,
            entries=len(feed.entries), new=stored, note=note,
        )

    def _subscribed(self, url: str) -> bool:
        with self._lock:
            return any(subscription.url == url for subscription in self.state.subscriptions())

    def _title_of(self, url: str) -> str | None:
        """The title ``feeds`` shows for a subscription: the user's, else the feed's own."""
        with self._lock:
            own = next((s.title for s in self.state.subscriptions() if s.url == url and s.title), None)
            return own or self.cache.feed_state(url).title

    def _already(self, url: str, given: str | None, page: str | None = None) -> AddResult:
        """An address already subscribed: a title given replaces its title; nothing is fetched."""
        with self._lock:
            self.state.add_subscription(url, given)
        note = f"the feed named by the page {truncate(page, 160)}" if page else None
        return AddResult(url, self._title_of(url), False, page=page, note=note)

    def _fetch_feed(self, url: str) -> tuple[FetchResult, Feed | None]:
        """Fetch ``url``: (the answer, the feed it holds or None); ValueError when it failed."""
        from briefing_tui.feeds import FeedError, read_feed
        from briefing_tui.fetch import fetch_url

        result = fetch_url(url, self.config.fetch)
        if result.status != "ok" or result.body is None:
            raise ValueError(f"{truncate(url, 200)}: {result.error or 'no answer'}")
        try:
            return result, read_feed(result.body, url=result.final_url or url)
        except FeedError:
            return result, None
        except Exception:  # noqa: BLE001 - hostile bytes are "not a feed", never a traceback
            return result, None

    def _discover(self, url: str, result: FetchResult) -> tuple[FetchResult, Feed | None, str, tuple[str, ...]]:
        """The feed a web page names: (its answer, the feed, the page, the page's other feeds).

        The feed is None when the page names a feed that is subscribed already (its answer
        is then the page's). ValueError when ``result`` is not a page that names a feed.
        """
        from briefing_tui.feeds import feed_links, looks_like_feed, looks_like_html
        from briefing_tui.fetch import FetchResult

        shown = truncate(url, 200)
        body = result.body or b""
        if not looks_like_html(body, result.content_type) or looks_like_feed(body):
            kind = (result.content_type or "").split(";", 1)[0].strip().lower()
            told = kind and not any(word in kind for word in ("xml", "json", "text/plain", "octet-stream"))
            raise ValueError(
                f"{shown}: is not an RSS, Atom or JSON feed" + (f" ({truncate(clean_text(kind), 60)})" if told else "")
            )
        try:
            links = [link.url for link in feed_links(body, result.final_url or url)]
        except Exception:  # noqa: BLE001 - a page the HTML reader chokes on names no feed
            links = []
        if not links:
            raise ValueError(f"{shown}: is a web page with no feed link")
        failures = []
        for link in links[:MAX_FEED_LINKS_TRIED]:
            others = tuple(other for other in links if other != link)
            if self._subscribed(link):
                return FetchResult(link, "ok"), None, url, others
            try:
                found, feed = self._fetch_feed(link)
            except ValueError as error:
                failures.append(str(error))
                continue
            if feed is None:
                failures.append(f"{truncate(link, 200)}: is not an RSS, Atom or JSON feed")
                continue
            return found, feed, url, others
        raise ValueError(f"{shown}: the page's feed link does not work ({failures[0]})")

    def _keep_check(self, result: FetchResult, title: str | None, store: bool) -> int:
        """Keep what a check fetched: its issues with ``store`` (returns how many were new), else
        only the feed's own title, so that ``feeds`` shows it before the first refresh."""
        from dataclasses import replace

        from briefing_tui.ingest import parse_feed_payload

        if store:
            payload = parse_feed_payload(result.url, result.body or b"", result.final_url or result.url)
            if payload.error:
                return 0
            outcome = FeedOutcome(result.url, title, "updated", skipped=payload.skipped)
            self._store_result(result, payload, outcome)
            self._thread_quietly()
            return outcome.new
        if title:
            try:
                with self._lock, self.cache.transaction():
                    self.cache.save_feed_state(replace(self.cache.feed_state(result.url), title=title))
            except StoreError:
                pass  # the title comes with the first refresh
        return 0

    def rename_feed(self, url_or_index: str, title: str | None) -> Subscription | None:
        """Give a subscription (by URL or by its number in ``feeds``) a title of the user's.

        An empty title clears it: the feed's own title is shown again. None when there is no
        such subscription; ValueError for a title with nothing printable in it.
        """
        clean = cap_label(clean_text(title)) or None
        if clean is None and title and title.strip():
            raise ValueError("the title has no printable characters")
        with self._lock:
            subscription = self._resolve_feed(url_or_index)
            if subscription is None:
                return None
            self.state.set_subscription_title(subscription.url, clean)
            return next((s for s in self.state.subscriptions() if s.url == subscription.url), None)

    def mark_feed_read(self, url_or_index: str) -> int | None:
        """Mark every item of every cached issue of a subscription read (by URL or by its number
        in ``feeds``); returns how many were unread, None when there is no such subscription."""
        with self._lock:
            subscription = self._resolve_feed(url_or_index)
            if subscription is None:
                return None
            items = self.cache.items_of_origin(subscription.url)
        return self.state.mark_read(items)

    def _resolve_feed(self, url_or_index: str) -> Subscription | None:
        subscriptions = self.state.subscriptions()
        for subscription in subscriptions:
            if subscription.url == url_or_index:
                return subscription
        if url_or_index.isdigit() and 1 <= int(url_or_index) <= len(subscriptions):
            return subscriptions[int(url_or_index) - 1]
        return None

    def remove_feed(self, url_or_index: str) -> Subscription | None:
        """Unsubscribe (by URL or by its number in ``feeds``); cached issues go, read marks stay."""
        with self._lock:
            subscription = self._resolve_feed(url_or_index)
            if subscription is None:
                return None
            self.state.remove_subscription(subscription.url)
            self.cache.forget_feed(subscription.url)
            return subscription

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            return self.state.subscriptions()

    def feeds(self) -> list[FeedInfo]:
        with self._lock:
            out = []
            counts = self.cache.feed_counts()
            for subscription in self.state.subscriptions():
                state = self.cache.feed_state(subscription.url)
                issues, unread = counts.get(subscription.url, (0, 0))
                out.append(
                    FeedInfo(
                        url=subscription.url,
                        title=subscription.title or state.title,
                        last_success=state.last_success,
                        last_error=state.last_error,
                        last_error_at=state.last_error_at,
                        unread=unread,
                        retry_after=state.retry_after,
                        redirected_to=state.redirected_to,
                        issues=issues,
                    )
                )
            return out

    # -- refresh ---------------------------------------------------------------------------------
    def refresh(
        self,
        *,
        jobs: int | None = None,
        progress: Callable[[FeedOutcome, int, int], None] | None = None,
        urls: Sequence[str] | None = None,
        thread: bool = True,
        index: bool = True,
        index_progress: Callable[[int, int], None] | None = None,
    ) -> RefreshReport:
        """Fetch every subscription (or ``urls``) and store what changed. Blocks until done.

        Two phases: each entry is stored raw as it arrives (listed and openable at once), then,
        with ``index``, every stored entry is parsed and indexed (:meth:`index_pending`). With
        ``index`` False that is left to the caller (the reader does it in the background) or
        the next run. With ``thread`` False the new issues are left for :meth:`update_threads`.
        """
        import asyncio

        from briefing_tui.fetch import FetchRequest, fetch_all
        from briefing_tui.ingest import parse_feed_payload

        with self._lock:
            subscriptions = self.state.subscriptions()
            titles = {s.url: s.title for s in subscriptions}
            by_url = {s.url: s for s in subscriptions}
            targets = list(urls) if urls is not None else [s.url for s in subscriptions]
            requests, mailboxes = [], []
            for url in targets:
                if url in by_url and by_url[url].is_mailbox:
                    mailboxes.append(by_url[url])
                    continue
                state = self.cache.feed_state(url)
                requests.append(FetchRequest(url, state.etag, state.last_modified, state.retry_after))
        report = RefreshReport()
        total = len(requests) + len(mailboxes)

        def done(outcome: FeedOutcome) -> None:
            report.outcomes.append(outcome)
            if progress:
                progress(outcome, len(report.outcomes), total)

        if not requests:
            for mailbox in mailboxes:
                done(self._refresh_mailbox(mailbox))
            self._after_refresh(report, index, index_progress, thread)
            return report
        fetch_config = self.config.fetch
        if jobs:
            fetch_config = FetchConfig(jobs, fetch_config.max_bytes, fetch_config.timeout, fetch_config.total_timeout)
        async def handle(result: FetchResult) -> None:
            outcome = FeedOutcome(result.url, titles.get(result.url), result.status, error=result.error)
            payload: ParsedPayload | None = None
            loop = asyncio.get_running_loop()
            if result.status == "ok" and result.body is not None:
                # phase one reads the feed only (~0.1 ms an entry); entries are parsed later
                payload = await loop.run_in_executor(
                    None, partial(parse_feed_payload, result.url, result.body, result.final_url or result.url, parse=False)
                )
                if payload.error:
                    outcome.status, outcome.error = "error", payload.error
                else:
                    outcome.status = "updated"
                    outcome.title = outcome.title or payload.feed_title
                    outcome.skipped = payload.skipped
            await loop.run_in_executor(None, self._store_result, result, payload, outcome)
            done(outcome)

        asyncio.run(fetch_all(requests, fetch_config, handle, jobs=jobs))
        for mailbox in mailboxes:
            done(self._refresh_mailbox(mailbox))
        self._after_refresh(report, index, index_progress, thread)
        return report

    def _after_refresh(self, report: RefreshReport, index: bool, progress, thread: bool) -> None:
        """Phase two of a refresh, when asked for: parse and index, then place in threads."""
        if index:
            try:
                report.index = self.index_pending(progress)
            except StoreError as error:
                report.index = IndexReport(error=str(error))
        if thread and index:
            self._thread_quietly()

    def _thread_quietly(self) -> None:
        """Thread what a refresh or import stored; a database fault here leaves them pending
        for the next run instead of failing what was stored."""
        try:
            self.update_threads()
        except StoreError:
            pass

    def _refresh_mailbox(self, subscription: Subscription) -> FeedOutcome:
        """Fetch what is new in an IMAP folder and store it (see :mod:`briefing_tui.imap`)."""
        from briefing_tui.imap import ImapError, MailboxAddress, fetch_mailbox, get_password
        from briefing_tui.ingest import ParsedIssue, mail_issue
        from briefing_tui.mail import MailError
        from briefing_tui.parser import ParseError

        url = subscription.url
        outcome = FeedOutcome(url, subscription.title, "updated")
        with self._lock:
            previous = self.cache.feed_state(url)
        limit = self.config.fetch.max_bytes
        try:
            address = MailboxAddress.parse(url)
            password = get_password(address, subscription.password_command)
        except (ValueError, ImapError) as error:
            outcome.status, outcome.error = "error", str(error)
            self._save_mailbox_state(previous, outcome, None, [])
            return outcome
        fetched = fetch_mailbox(
            address,
            password,
            uidvalidity=previous.uidvalidity,
            last_uid=previous.last_uid or 0,
            limit=limit,
            timeout=self.config.fetch.timeout,
            total_timeout=self.config.fetch.total_timeout,
            ca_file=subscription.ca_file,
        )
        issues: list[ParsedIssue] = []
        for message in fetched.messages:
            try:
                issues.append(mail_issue(message.data, limit, partial=message.size > len(message.data)))
            except (MailError, ParseError) as error:
                outcome.skipped.append(f"message UID {message.uid}: {error}")
            message.data = b""  # the raw message is not needed any more
        if fetched.error:
            outcome.status, outcome.error = "error", fetched.error
        title = f"{address.folder} · {address.user}@{address.host}"
        self._save_mailbox_state(previous, outcome, fetched, issues, title)
        return outcome

    def _save_mailbox_state(self, previous: FeedState, outcome: FeedOutcome, fetched, issues, title=None) -> None:
        with self._lock:
            stamp = now_iso()
            ok = outcome.status != "error"
            try:
                with self.cache.transaction():
                    self._store_outcome(previous.url, issues, outcome)
                    self.cache.save_feed_state(
                        FeedState(
                            url=previous.url,
                            title=title or previous.title,
                            last_success=stamp if ok else previous.last_success,
                            last_error=None if ok else outcome.error,
                            last_error_at=None if ok else stamp,
                            # messages stored before a failure are not fetched again
                            uidvalidity=fetched.uidvalidity if fetched else previous.uidvalidity,
                            last_uid=fetched.last_uid if fetched else previous.last_uid,
                        )
                    )
            except StoreError as error:
                outcome.status, outcome.error = "error", str(error)

    def _store_issue(self, origin: str, issue: ParsedIssue, skipped: list[str]) -> str | None:
        """Store one parsed issue (inside a cache transaction); "new", "updated" or "unchanged".

        An entry that cannot be stored is undone alone and reported in ``skipped`` (None): one
        bad entry never stops the others. A fault of the database itself stops the caller.
        """
        if issue.briefing is None:
            return self._store_raw(origin, issue, skipped)
        try:
            with self.cache.entry():
                issue_id = issue_id_for(issue.scope or origin, issue.key)
                before = self.cache.briefing_replaced_by(issue_id, issue.raw)
                _id, status = self.cache.store_issue(
                    origin=origin,
                    key=issue.key,
                    raw=issue.raw,
                    content_type=issue.content_type,
                    hints=issue.hints,
                    briefing=issue.briefing,
                    scope=issue.scope,
                )
        except StoreError:
            raise
        except Exception as error:  # noqa: BLE001 - the entry's own data, reported and skipped
            skipped.append(_not_stored(issue.key, error))
            return None
        if status == "updated" and before is not None:
            self._carry_marks(issue_id, before, issue.briefing)
        return status

    def _store_raw(self, origin: str, issue: ParsedIssue, skipped: list[str]) -> str | None:
        """Phase one of a refresh: keep an entry unparsed (see :meth:`index_pending`)."""
        from briefing_tui.ingest import shell_briefing

        try:
            # store_raw undoes a failed entry alone (a new one is written by a single statement)
            _id, status = self.cache.store_raw(
                origin=origin,
                key=issue.key,
                raw=issue.raw,
                content_type=issue.content_type,
                hints=issue.hints,
                shell=shell_briefing(issue.hints),
                scope=issue.scope,
            )
        except StoreError:
            raise
        except Exception as error:  # noqa: BLE001 - the entry's own data, reported and skipped
            skipped.append(_not_stored(issue.key, error))
            return None
        return status

    # -- indexing (phase two of a refresh) -------------------------------------------------------
    def pending_index(self) -> int:
        """How many issues are stored but not parsed and indexed yet."""
        with self._lock:
            return self.cache.count_unindexed()

    def index_pending(
        self,
        progress: Callable[[int, int], None] | None = None,
        *,
        jobs: int | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> IndexReport:
        """Parse and index every issue a refresh stored raw, newest first, a batch per
        transaction (other calls are served between batches). Parsing runs in worker processes
        when there are many. An entry that cannot be parsed is kept as text, with a notice.
        ``cancelled`` stops between batches; what is left is indexed by the next call."""
        from briefing_tui.ingest import index_entries, parse_pool

        report = IndexReport()
        with self._lock:
            total = self.cache.count_unindexed()
        if not total:
            return report
        pool = parse_pool(jobs) if total >= INDEX_POOL_THRESHOLD else None

        def start(after: tuple[str, str] | None):
            """The next batch after ``after``, with its parsing started (None when done)."""
            if cancelled and cancelled():
                return None
            with self._lock:
                batch = self.cache.unindexed(INDEX_BATCH, after)
            if not batch:
                return None
            entries = [(raw, content_type, hints) for _sort, _id, _origin, raw, content_type, hints, _was in batch]
            return batch, _start_parsing(entries, pool, index_entries)

        try:
            current = start(None)
            while current is not None:
                batch, parsed = current
                # the next batch is parsed by the workers while this one is stored
                current = start((batch[-1][0], batch[-1][1]))
                results = parsed()
                with self._lock:
                    self._store_indexed(batch, results, report)
                if progress:
                    progress(report.indexed, max(total, report.indexed))
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        return report

    def _store_indexed(self, batch, parsed: list[tuple[Briefing, str | None]], report: IndexReport) -> None:
        """Store a batch of parsed entries in one transaction; carry marks over edited stories."""
        carried = []
        with self.cache.transaction():
            for (_sort, issue_id, origin, raw, content_type, hints, was_parsed), (briefing, problem) in zip(batch, parsed):
                key = self.cache.conn.execute("SELECT key FROM issues WHERE id = ?", (issue_id,)).fetchone()
                if key is None:
                    continue  # removed meanwhile (its feed was unsubscribed)
                before = self.cache.issue(issue_id) if was_parsed else None
                self.cache.store_issue(
                    origin=origin, key=key[0], raw=raw, content_type=content_type, hints=hints, briefing=briefing,
                    issue_id=issue_id,
                )
                report.indexed += 1
                if problem:
                    report.unparsed.append(f"{clean_text(briefing.title)[:80]}: {problem}; shown as text")
                if before is not None:
                    carried.append((issue_id, before, briefing))
        for issue_id, before, after in carried:
            self._carry_marks(issue_id, before, after)

    def _carry_marks(self, issue_id: str, before: Briefing, after: Briefing) -> None:
        """Give the stories and shortlist items that an edit of the issue renamed (their ids come
        from their words) the read marks and stars they had; the old marks stay."""
        old_ids, new_ids = set(before.item_ids), set(after.item_ids)
        gone, arrived = old_ids - new_ids, new_ids - old_ids
        if not gone or not arrived:
            return
        read = self.state.read_ids(gone | arrived)
        starred = self.state.starred_ids(gone | arrived)
        marked = read | starred
        if not marked & gone:
            return
        pairs = [(old, new) for old, new in edited_items(before, after, taken=marked & arrived) if old in marked]
        self.state.copy_marks(pairs, issue_id)

    def _store_outcome(self, origin: str, issues: list[ParsedIssue], outcome: FeedOutcome) -> None:
        """Store a subscription's issues (inside a transaction), counting them in ``outcome``."""
        for issue in issues:
            status = self._store_issue(origin, issue, outcome.skipped)
            if status == "new":
                outcome.new += 1
            elif status == "updated":
                outcome.updated += 1

    def _store_result(self, result: FetchResult, payload: ParsedPayload | None, outcome: FeedOutcome) -> None:
        with self._lock:
            previous = self.cache.feed_state(result.url)
            stamp = now_iso()
            try:
                with self.cache.transaction():
                    if payload is not None and not payload.error:
                        self._store_outcome(result.url, payload.issues, outcome)
                    ok = outcome.status in ("updated", "not_modified")
                    # validators only for a body that was stored: after an unreadable one, a 304
                    # would otherwise count as success with nothing in the cache
                    if result.status == "ok":
                        validators = (result.etag, result.last_modified) if ok else (None, None)
                    else:
                        validators = (previous.etag, previous.last_modified)
                    self.cache.save_feed_state(
                        FeedState(
                            url=result.url,
                            title=(payload.feed_title if payload else None) or previous.title,
                            etag=validators[0],
                            last_modified=validators[1],
                            last_success=stamp if ok else previous.last_success,
                            last_error=None if ok else (outcome.error if outcome.status == "error" else previous.last_error),
                            last_error_at=None if ok else (stamp if outcome.status == "error" else previous.last_error_at),
                            retry_after=result.retry_after if result.status in ("error", "deferred") else None,
                            # known only when a server answered; a deferred or unreachable feed keeps the old note
                            redirected_to=(
                                _redirected_to(result.url, result.final_url)
                                if result.final_url
                                else previous.redirected_to
                            ),
                        )
                    )
            except StoreError as error:
                outcome.status, outcome.error = "error", str(error)

    # -- import ----------------------------------------------------------------------------------
    def import_paths(
        self, paths: Iterable[str], progress: Callable[[str, str | None], None] | None = None
    ) -> ImportReport:
        """Import newsletter, feed and OPML files, and restore briefing-tui JSON exports (see
        :func:`read_export`). Per-file failures are collected, not raised."""
        from briefing_tui.ingest import mail_payloads, parse_local_file, parse_pool
        from briefing_tui.mail import mail_kind

        report = ImportReport()
        files, mboxes, json_objects = [], [], []
        for path in _expand(paths):
            if not os.path.isdir(path) and mail_kind(Path(path)) == "mbox":
                mboxes.append(path)
            elif _starts_as_json_object(path):
                json_objects.append(path)
            else:
                files.append(path)
        for path in json_objects:
            try:
                document = read_export(Path(path))
            except ValueError as error:
                report.exports += 1
                report.errors.append((path, str(error)))
                if progress:
                    progress(path, str(error))
                continue
            if document is None:  # a JSON feed or another JSON document: imported as before
                files.append(path)
                continue
            report.exports += 1
            report.restored.append((path, *self.restore_export(document)))
            if progress:
                progress(path, None)
        report.files = len(files) + len(mboxes)
        pool: Executor | None = None
        if len(files) >= 64:
            pool = parse_pool()
        try:
            results = pool.map(parse_local_file, files, chunksize=16) if pool else map(parse_local_file, files)
            batch: list[tuple[str, ParsedPayload]] = []
            for path, payload in zip(files, results):
                batch.append((path, payload))
                if len(batch) >= 200:
                    self._store_imports(batch, report, progress)
                    batch = []
            self._store_imports(batch, report, progress)
            # An mbox is read as a stream and stored a batch of messages at a time: its size is
            # not bounded by memory.
            for path in mboxes:
                for payload in mail_payloads(Path(path)):
                    self._store_imports([(path, payload)], report, progress)
        finally:
            if pool is not None:
                pool.shutdown()
        self._thread_quietly()
        return report

    def _store_imports(self, batch, report: ImportReport, progress) -> None:
        if not batch:
            return
        with self._lock, self.cache.transaction():
            for path, payload in batch:
                report.skipped.extend(f"{path}: {reason}" for reason in payload.skipped)
                if payload.error:
                    report.errors.append((path, payload.error))
                    if progress:
                        progress(path, payload.error)
                    continue
                for url, title in payload.subscriptions:
                    if self.state.add_subscription(url, title):
                        report.subscriptions += 1
                for issue in payload.issues:
                    status = self._store_issue(payload.origin, issue, report.skipped)
                    if status is not None:
                        setattr(report, status, getattr(report, status) + 1)
                if progress:
                    progress(path, None)

    # -- reading ---------------------------------------------------------------------------------
    def count_issues(self, *, unread_only: bool = False, source: str | None = None) -> int:
        with self._lock:
            return self.cache.count_issues(unread_only=unread_only, source=source)

    def issues(
        self,
        *,
        offset: int = 0,
        limit: int = -1,
        unread_only: bool = False,
        source: str | None = None,
        order: str = "newest",
    ) -> list[IssueSummary]:
        """Issues newest first (or unread first, or by source: ``order``). ``source`` keeps those
        whose source contains it (any case), or whose feed's name (its subscription's title or
        its own) does."""
        with self._lock:
            return self.cache.issues(offset=offset, limit=limit, unread_only=unread_only, source=source, order=order)

    def sources(self) -> list[tuple[str, int]]:
        """(source, issue count) for every source in the cache."""
        with self._lock:
            return self.cache.sources()

    def issue_summary(self, issue_id: str) -> IssueSummary | None:
        with self._lock:
            return self.cache.issue_summary(issue_id)

    def position_of(
        self, issue_id: str, *, unread_only: bool = False, source: str | None = None, order: str = "newest"
    ) -> int | None:
        with self._lock:
            return self.cache.position_of(issue_id, unread_only=unread_only, source=source, order=order)

    def next_unread_issue(
        self,
        issue_id: str | None,
        step: int,
        *,
        unread_only: bool = False,
        source: str | None = None,
        order: str = "newest",
    ) -> tuple[int, IssueSummary, bool] | None:
        """The nearest issue after ``issue_id`` (before it when ``step`` < 0) in list order that
        has unread stories, going round the end of the list; with its position in the list and
        whether the search went round the end to find it.

        The walk goes through every issue of ``source`` in ``order``, read ones too: with only
        unread issues listed, the issue just finished has left the list, and the next one is
        still the one after it.
        """
        with self._lock:
            every = self.cache.issues(source=source, order=order)
        here = next((n for n, issue in enumerate(every) if issue.id == issue_id), None)
        if here is None:
            here = -1 if step > 0 else len(every)
        for offset in range(1, len(every) + 1):
            unwrapped = here + offset * (1 if step > 0 else -1)
            issue = every[unwrapped % len(every)]
            if (issue.unread is None or issue.unread > 0) and issue.id != issue_id:
                with self._lock:
                    position = self.cache.position_of(issue.id, unread_only=unread_only, source=source, order=order)
                if position is not None:
                    return position, issue, not 0 <= unwrapped < len(every)
        return None

    def index_issue(self, issue_id: str) -> None:
        """Parse and index one issue stored raw now (it is being opened)."""
        from briefing_tui.ingest import index_entry

        with self._lock:
            row = self.cache.conn.execute(
                "SELECT sort_date, id, origin, raw, content_type, hints, parser_version FROM issues"
                " WHERE id = ? AND indexed = 0",
                (issue_id,),
            ).fetchone()
            if row is None:
                return
            entry = (row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6] != 0)
            self._store_indexed([entry], [index_entry(row[3], row[4], entry[5])], IndexReport())

    def open_issue(self, issue_id: str) -> IssueView | None:
        """The issue with the reader's marks; one a refresh stored raw is parsed first."""
        from briefing_tui.store.threads import issue_threads

        with self._lock:
            if not self.cache.is_indexed(issue_id):
                self.index_issue(issue_id)
            briefing = self.cache.issue(issue_id)
            if briefing is None:
                return None
            ids = [s.id for s in briefing.stories] + [i.id for i in briefing.shortlist]
            found = issue_threads(self.cache.conn, issue_id)
        member_ids = [m.item_id for thread in found.values() for m in thread.members if m.item_id]
        read = self.state.read_ids(ids + member_ids)
        return IssueView(
            issue_id,
            briefing,
            frozenset(read & set(ids)),
            frozenset(self.state.starred_ids() & set(ids)),
            {item_id: ThreadView(thread, frozenset(read & {m.item_id for m in thread.members})) for item_id, thread in found.items()},
        )

    def search(
        self,
        text: str,
        *,
        section: str | None = None,
        limit: int = 50,
        cancelled: Callable[[], bool] | None = None,
        partial: bool = False,
    ) -> list[SearchHit]:
        """Ranked hits for a query in the reader's query language (raises QueryError); a query of
        filters alone lists the items that pass them, newest issue first.

        With ``partial`` (a query still being typed), the last word matches as a prefix until
        a space ends it. With ``cancelled``, the search stops soon after it returns True and
        raises SearchCancelled (the reader cancels a search when a newer one starts or it closes).
        """
        query = SearchQuery.parse(text, section=section, partial=partial)
        with self._lock:
            return self.cache.search(query, limit=limit, cancelled=cancelled)

    # -- threads ---------------------------------------------------------------------------------
    def pending_threads(self) -> int:
        """How many issues are not in threads yet (new, changed, or from before threads existed)."""
        from briefing_tui.store.threads import Threader

        with self._lock:
            return Threader(self.cache.conn, self.cache.transaction).pending()

    def update_threads(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Place every pending issue's stories in threads, a chunk at a time (other calls are
        served between chunks); returns how many issues were placed."""
        from briefing_tui.ingest import parse_pool
        from briefing_tui.store.threads import Threader

        threader = Threader(self.cache.conn, self.cache.transaction)
        with self._lock:
            total = threader.pending()
        # the pool itself, not threader.pool, is shut down: the threader drops one that broke
        pool = threader.pool = parse_pool() if total >= THREAD_POOL_THRESHOLD else None
        done = 0
        try:
            while True:
                with self._lock:
                    placed = threader.step()
                if not placed:
                    return done
                done += placed
                if progress:
                    progress(done, max(total, done))
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def thread(self, issue_id: str, item_id: str | None) -> ThreadView | None:
        """The thread of a story (or of a story-less issue, item_id None), with read marks."""
        from briefing_tui.store.threads import thread_of

        self.update_threads()
        with self._lock:
            thread = thread_of(self.cache.conn, issue_id, item_id)
        if thread is None:
            return None
        ids = [member.item_id for member in thread.members if member.item_id]
        return ThreadView(thread, frozenset(self.state.read_ids(ids)))

    def threads(self, *, since: str | None = None, min_sources: int = 2) -> list[Thread]:
        from briefing_tui.store.threads import threads

        self.update_threads()
        with self._lock:
            return threads(self.cache.conn, since=since, min_sources=min_sources)

    def digest_day(self, day: str | None = None, step: int = 0) -> str | None:
        """``day`` itself, or the nearest day with issues before (-1) or after it (1); without a
        day: the newest day that has unread stories, else the newest day."""
        from briefing_tui.store.threads import neighbour_day

        with self._lock:
            conn = self.cache.conn
            if day is None:
                row = conn.execute(
                    f"SELECT max(coalesce(i.date, substr(i.sort_date, 1, 10))) FROM issues i"
                    f" WHERE ({self.cache.unread_sql()}) > 0"
                ).fetchone()
                day = row[0] or conn.execute("SELECT max(day) FROM pieces").fetchone()[0]
                return day
            return neighbour_day(conn, day, step) if step else day

    def digest(self, day: str | None = None) -> Digest:
        """Every issue of ``day`` (default: :meth:`digest_day`), thread by thread."""
        from briefing_tui.digest import build_digest
        from briefing_tui.store.threads import day_pieces, thread_of_number

        self.update_threads()
        day = day or self.digest_day()
        if day is None:
            return build_digest(None, [], {}, ())
        with self._lock:
            pieces = day_pieces(self.cache.conn, day)
            briefings = {}
            for issue_id in dict.fromkeys(member.issue_id for _thread, member in pieces):
                briefing = self.cache.issue(issue_id)
                if briefing is not None:
                    briefings[issue_id] = briefing
            elsewhere = {}
            for number in {thread for thread, _member in pieces if thread is not None}:
                found = thread_of_number(self.cache.conn, number)
                if found is not None:
                    elsewhere[number] = tuple(m for m in found.members if m.day != day)
        ids = [member.item_id for _thread, member in pieces if member.item_id]
        return build_digest(day, pieces, briefings, self.state.read_ids(ids), elsewhere)

    # -- marks -----------------------------------------------------------------------------------
    # Marks and stars are written outside the library lock: the state store serialises its own
    # writes, and a write waiting for a file another program keeps locked must not hold up
    # reads of the cache (the reader's lists) meanwhile.
    def mark_read(self, item_ids: Iterable[str], issue_id: str | None = None) -> int:
        ids = list(item_ids)
        with self._lock:
            owners = self.cache.issues_of_items(ids) if issue_id is None else {}
        return self.state.mark_read((item, issue_id or owners.get(item)) for item in ids)

    def mark_unread(self, item_ids: Iterable[str]) -> int:
        return self.state.mark_unread(item_ids)

    def known_items(self, item_ids: Iterable[str]) -> set[str]:
        with self._lock:
            return set(self.cache.issues_of_items(item_ids))

    def mark_issue_read(self, issue_id: str) -> int:
        with self._lock:
            self.index_issue(issue_id)  # a raw one's stories are known once it is parsed
            items = self.cache.item_ids(issue_id)
        return self.state.mark_read((item, issue_id) for item in items)

    def issue_read_ids(self, issue_id: str) -> frozenset[str]:
        """The items of ``issue_id`` marked read."""
        with self._lock:
            items = self.cache.item_ids(issue_id)
        return frozenset(self.state.read_ids(items))

    def mark_issue_unread(self, issue_id: str) -> int:
        with self._lock:
            items = self.cache.item_ids(issue_id)
        return self.state.mark_unread(items)

    def mark_all_read(self) -> int:
        with self._lock:
            owners = self.cache.conn.execute("SELECT item_id, issue_id FROM items").fetchall()
        return self.state.mark_read(owners)

    def mark_listed_read(self, *, source: str | None = None) -> int:
        """Mark every item of the issues the list shows for ``source`` (every issue without
        one) read; returns how many were unread."""
        if source is None:
            return self.mark_all_read()
        with self._lock:
            issue_ids = [issue.id for issue in self.cache.issues(source=source)]
            owners = []
            for start in range(0, len(issue_ids), 500):
                chunk = issue_ids[start : start + 500]
                owners += self.cache.conn.execute(
                    f"SELECT item_id, issue_id FROM items WHERE issue_id IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
        return self.state.mark_read(owners)

    def set_starred(self, item_id: str, issue_id: str | None, starred: bool) -> None:
        self.state.set_starred(item_id, issue_id, starred)

    # -- export ----------------------------------------------------------------------------------
    def export_opml(self) -> str:
        from xml.sax.saxutils import quoteattr  # pulls in urllib and email: not at start-up

        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<opml version="2.0">',
            "  <head><title>briefing-tui subscriptions</title></head>",
            "  <body>",
        ]
        with self._lock:
            subscriptions = self.state.subscriptions()
            own_titles = {s.url: self.cache.feed_state(s.url).title for s in subscriptions if not s.title}
        for subscription in subscriptions:
            if subscription.is_mailbox:
                continue  # OPML lists feeds; other readers cannot fetch an IMAP folder
            # the name given when subscribing, else the one the feed gives itself, else its address
            title = subscription.title or own_titles.get(subscription.url) or subscription.url
            lines.append(
                f'    <outline type="rss" text={quoteattr(title)} title={quoteattr(title)} xmlUrl={quoteattr(subscription.url)}/>'
            )
        lines += ["  </body>", "</opml>", ""]
        return "\n".join(lines)

    def restore_export(self, contents: ExportContents) -> tuple[int, int, int]:
        """Add what an export (see :func:`read_export`) holds, in one write: subscriptions, read
        marks and stars already here stay as they are. Returns how many of each were added."""
        return self.state.merge(contents.subscriptions, contents.read, contents.starred)

    def export_json(self) -> str:
        with self._lock:
            read = self.state.read_ids()
            starred = self.state.starred_ids()
            issues = []
            for issue_id, origin, briefing in self.cache.all_briefings():
                data = briefing.to_dict()
                ids = [s["id"] for s in data["stories"]] + [i["id"] for i in data["shortlist"]]
                issues.append({"id": issue_id, "origin": origin, **data, "read": [i for i in ids if i in read]})
            document = {
                "subscriptions": [
                    {"url": s.url, "title": s.title, "added_at": s.added_at} for s in self.state.subscriptions()
                ],
                "issues": issues,
                "read": sorted(read),
                "starred": sorted(starred),
            }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def issue_markdown(self, issue_id: str) -> str | None:
        """One issue as Markdown (None when it is not in the cache)."""
        from briefing_tui.render import briefing_markdown

        with self._lock:
            briefing = self.cache.issue(issue_id)
        return briefing_markdown(briefing) if briefing is not None else None

    def export_markdown(self) -> str:
        from briefing_tui.render import briefing_markdown

        with self._lock:
            parts = [briefing_markdown(briefing) for _id, _origin, briefing in self.cache.all_briefings()]
        return "\n\n---\n\n".join(parts) + ("\n" if parts else "")


#: What front ends use: the library, its results and its errors (they need not reach into store/).
__all__ = [
    "ISSUE_ORDERS",
    "AddResult",
    "IndexReport",
    "Digest",
    "DigestRow",
    "FeedInfo",
    "FeedOutcome",
    "ImportReport",
    "IssueSummary",
    "IssueView",
    "Library",
    "QueryError",
    "RefreshReport",
    "SearchCancelled",
    "SearchHit",
    "StoreError",
    "Subscription",
    "Thread",
    "ThreadMember",
    "ThreadView",
]
