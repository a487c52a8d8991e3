"""The small API the reader and the CLI use: one object over the cache, read state and fetching.

All methods are safe to call from worker threads; a lock serialises database access.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from typing import TYPE_CHECKING

from briefing_tui.config import Config, FetchConfig
from briefing_tui.model import Briefing
from briefing_tui.paths import Locations
from briefing_tui.store.cache import Cache, FeedState, IssueSummary, SearchCancelled, SearchHit
from briefing_tui.store.db import StoreError, now_iso
from briefing_tui.store.query import QueryError, SearchQuery
from briefing_tui.store.state import StateStore, Subscription
from briefing_tui.store.threads import (
    Thread,
    Threader,
    ThreadMember,
    day_pieces,
    issue_threads,
    neighbour_day,
    thread_of,
    thread_of_number,
    threads,
)
from briefing_tui.digest import Digest, DigestRow, build_digest
from briefing_tui.text import MAX_URL_CHARS, cap_label, clean_text, feed_url, truncate

if TYPE_CHECKING:
    from briefing_tui.fetch import FetchResult
    from briefing_tui.ingest import ParsedIssue, ParsedPayload

# Fetching (httpx), feed parsing (feedparser) and the parser are imported where they are used,
# so that opening the reader does not pay for them before its first screen.

#: Parse in a process pool when at least this many feeds are refreshed (workers take ~0.4 s to start).
POOL_THRESHOLD = 4


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
class RefreshReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)

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
        """Subscribe to a feed (http, https) or an IMAP folder (imaps://USER@HOST/FOLDER).

        Raises ValueError with one line for an address that cannot be subscribed to.
        """
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
        with self._lock:
            return self.state.add_subscription(clean, cap_label(clean_text(title)) or None, options or None)

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
            for subscription in self.state.subscriptions():
                state = self.cache.feed_state(subscription.url)
                out.append(
                    FeedInfo(
                        url=subscription.url,
                        title=subscription.title or state.title,
                        last_success=state.last_success,
                        last_error=state.last_error,
                        last_error_at=state.last_error_at,
                        unread=self.cache.unread_for_origin(subscription.url),
                        retry_after=state.retry_after,
                        redirected_to=state.redirected_to,
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
    ) -> RefreshReport:
        """Fetch every subscription (or ``urls``) and store what changed. Blocks until done.

        With ``thread`` False the new issues are left for :meth:`update_threads` (the reader
        groups them in the background once the new issues can be read).
        """
        import asyncio

        from briefing_tui.fetch import FetchRequest, fetch_all
        from briefing_tui.ingest import parse_feed_payload, parse_pool

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
            if thread:
                self._thread_quietly()
            return report
        fetch_config = self.config.fetch
        if jobs:
            fetch_config = FetchConfig(jobs, fetch_config.max_bytes, fetch_config.timeout, fetch_config.total_timeout)
        # The parse pool starts with the first body that needs parsing: a refresh where every
        # feed answers 304 never pays for it.
        pool: Executor | None = None
        want_pool = len(requests) >= POOL_THRESHOLD

        async def handle(result: FetchResult) -> None:
            nonlocal pool, want_pool
            outcome = FeedOutcome(result.url, titles.get(result.url), result.status, error=result.error)
            payload: ParsedPayload | None = None
            if result.status == "ok" and result.body is not None:
                if want_pool:
                    pool, want_pool = parse_pool(), False
                loop = asyncio.get_running_loop()
                try:
                    payload = await loop.run_in_executor(
                        pool, parse_feed_payload, result.url, result.body, result.final_url or result.url
                    )
                except Exception:  # noqa: BLE001 - a broken pool falls back to in-thread parsing
                    payload = parse_feed_payload(result.url, result.body, result.final_url or result.url)
                if payload.error:
                    outcome.status, outcome.error = "error", payload.error
                else:
                    outcome.status = "updated"
                    outcome.title = outcome.title or payload.feed_title
                    outcome.skipped = payload.skipped
            await asyncio.get_running_loop().run_in_executor(None, self._store_result, result, payload, outcome)
            done(outcome)

        try:
            asyncio.run(fetch_all(requests, fetch_config, handle, jobs=jobs))
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        for mailbox in mailboxes:
            done(self._refresh_mailbox(mailbox))
        if thread:
            self._thread_quietly()
        return report

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
        try:
            with self.cache.entry():
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
            skipped.append(f"{clean_text(issue.key)[:80]!r} not stored: {clean_text(str(error))[:160]}")
            return None
        return status

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
        """Import newsletter, feed and OPML files. Per-file failures are collected, not raised."""
        from briefing_tui.ingest import mail_payloads, parse_local_file, parse_pool
        from briefing_tui.mail import mail_kind

        report = ImportReport()
        files, mboxes = [], []
        for path in _expand(paths):
            (mboxes if not os.path.isdir(path) and mail_kind(Path(path)) == "mbox" else files).append(path)
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
        self, *, offset: int = 0, limit: int = -1, unread_only: bool = False, source: str | None = None
    ) -> list[IssueSummary]:
        with self._lock:
            return self.cache.issues(offset=offset, limit=limit, unread_only=unread_only, source=source)

    def sources(self) -> list[tuple[str, int]]:
        """(source, issue count) for every source in the cache."""
        with self._lock:
            return self.cache.sources()

    def issue_summary(self, issue_id: str) -> IssueSummary | None:
        with self._lock:
            return self.cache.issue_summary(issue_id)

    def position_of(self, issue_id: str, *, unread_only: bool = False, source: str | None = None) -> int | None:
        with self._lock:
            return self.cache.position_of(issue_id, unread_only=unread_only, source=source)

    def open_issue(self, issue_id: str) -> IssueView | None:
        with self._lock:
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
    ) -> list[SearchHit]:
        """Ranked hits for a query in the reader's query language (raises QueryError).

        With ``cancelled``, the search stops soon after it returns True and raises
        SearchCancelled (the reader cancels a search when a newer one starts or it closes).
        """
        query = SearchQuery.parse(text, section=section)
        with self._lock:
            return self.cache.search(query, limit=limit, cancelled=cancelled)

    # -- threads ---------------------------------------------------------------------------------
    def pending_threads(self) -> int:
        """How many issues are not in threads yet (new, changed, or from before threads existed)."""
        with self._lock:
            return Threader(self.cache.conn, self.cache.transaction).pending()

    def update_threads(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Place every pending issue's stories in threads, a chunk at a time (other calls are
        served between chunks); returns how many issues were placed."""
        threader = Threader(self.cache.conn, self.cache.transaction)
        with self._lock:
            total = threader.pending()
        done = 0
        while True:
            with self._lock:
                placed = threader.step()
            if not placed:
                return done
            done += placed
            if progress:
                progress(done, max(total, done))

    def thread(self, issue_id: str, item_id: str | None) -> ThreadView | None:
        """The thread of a story (or of a story-less issue, item_id None), with read marks."""
        self.update_threads()
        with self._lock:
            thread = thread_of(self.cache.conn, issue_id, item_id)
        if thread is None:
            return None
        ids = [member.item_id for member in thread.members if member.item_id]
        return ThreadView(thread, frozenset(self.state.read_ids(ids)))

    def threads(self, *, since: str | None = None, min_sources: int = 2) -> list[Thread]:
        self.update_threads()
        with self._lock:
            return threads(self.cache.conn, since=since, min_sources=min_sources)

    def digest_day(self, day: str | None = None, step: int = 0) -> str | None:
        """``day`` itself, or the nearest day with issues before (-1) or after it (1); without a
        day: the newest day that has unread stories, else the newest day."""
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
            items = self.cache.item_ids(issue_id)
        return self.state.mark_read((item, issue_id) for item in items)

    def mark_issue_unread(self, issue_id: str) -> int:
        with self._lock:
            items = self.cache.item_ids(issue_id)
        return self.state.mark_unread(items)

    def mark_all_read(self) -> int:
        with self._lock:
            owners = self.cache.conn.execute("SELECT item_id, issue_id FROM items").fetchall()
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
        for subscription in self.subscriptions():
            if subscription.is_mailbox:
                continue  # OPML lists feeds; other readers cannot fetch an IMAP folder
            title = subscription.title or subscription.url
            lines.append(
                f'    <outline type="rss" text={quoteattr(title)} title={quoteattr(title)} xmlUrl={quoteattr(subscription.url)}/>'
            )
        lines += ["  </body>", "</opml>", ""]
        return "\n".join(lines)

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
    "Thread",
    "ThreadMember",
    "ThreadView",
]
