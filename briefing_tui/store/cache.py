"""The local cache: feeds' HTTP state, fetched entries (raw and parsed) and a full-text index.

Everything here can be rebuilt by the next refresh or import, so a damaged cache file is moved
aside and started afresh. Read marks never live here (see :mod:`briefing_tui.store.state`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import quote
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing_tui.model import Briefing
from briefing_tui.store.db import check_schema, connect, friendly, migrate, move_aside, now_iso, open_or_recover
from briefing_tui.store.query import SECTION_COLUMNS, SearchQuery
from briefing_tui.text import truncate

if TYPE_CHECKING:
    from briefing_tui.store.snippets import Highlighter

#: The full-text table's text columns, in the order of SECTION_COLUMNS.
_FTS_TEXT_COLUMNS = ("headlines", "lead", "unpacked", "bottom_line", "body", "shortlist", "refs")
#: The most of one column a search result reads back for its snippet.
SNIPPET_SOURCE_CHARS = 256 * 1024
#: SQLite virtual machine steps between checks of a search's cancellation.
_CANCEL_CHECK_STEPS = 2000
#: The longest title a search hit carries.
SEARCH_TITLE_CHARS = 300
#: bm25 weights of the full-text columns (in _FTS_TEXT_COLUMNS order). A story is about what
#: its title and lead name; its bullets, bottom line and other text mention more in passing;
#: a shortlist item or a reference only points elsewhere. FTS5's bm25 scales a row's score by
#: the length of the whole row, so a one-line shortlist item or reference (a tenth of a story's
#: length or less) would outrank the story that it repeats: their weights are low enough to
#: offset that (a match in a story's title weighs 40 times one in a reference).
_RANK_WEIGHTS = {
    "headlines": 10.0,
    "lead": 6.0,
    "unpacked": 2.0,
    "bottom_line": 2.0,
    "body": 2.0,
    "shortlist": 0.25,
    "refs": 0.25,
}
#: What search hits are ordered by, best first.
_RANK = "bm25(search, " + ", ".join(repr(_RANK_WEIGHTS[name]) for name in _FTS_TEXT_COLUMNS) + ")"


class SearchCancelled(Exception):
    """The search was cancelled (a newer query replaced it, or the reader is closing)."""


#: Bump when the parser changes in a way worth re-parsing stored entries for.
PARSER_VERSION = 5

_MIGRATIONS = (
    """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            title TEXT,
            etag TEXT,
            last_modified TEXT,
            last_success TEXT,
            last_error TEXT,
            last_error_at TEXT,
            retry_after TEXT
        );
        CREATE TABLE issues (
            id TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            key TEXT NOT NULL,
            title TEXT NOT NULL,
            source TEXT,
            date TEXT,
            sort_date TEXT NOT NULL,
            url TEXT,
            stories INTEGER NOT NULL,
            shortlist INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            raw TEXT NOT NULL,
            raw_hash TEXT NOT NULL,
            content_type TEXT,
            hints TEXT NOT NULL,
            briefing TEXT NOT NULL,
            parser_version INTEGER NOT NULL,
            UNIQUE (origin, key)
        );
        CREATE INDEX issues_order ON issues (sort_date DESC, fetched_at DESC, id);
        CREATE INDEX issues_source ON issues (source);
        CREATE TABLE items (
            issue_id TEXT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            PRIMARY KEY (issue_id, item_id)
        ) WITHOUT ROWID;
        CREATE INDEX items_item ON items (item_id);
        CREATE VIRTUAL TABLE search USING fts5 (
            headlines, lead, unpacked, bottom_line, body, shortlist, refs,
            issue_id UNINDEXED, item_id UNINDEXED,
            tokenize = 'unicode61 remove_diacritics 2'
        );
    """,
    # 2: issues of the same day keep their feed's order (publication time, then place in the feed).
    """
        ALTER TABLE issues ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        DROP INDEX issues_order;
        CREATE INDEX issues_order ON issues (sort_date DESC, position, fetched_at DESC, id);
    """,
    # 3: prefix indexes, so that "comp*" reads one index entry instead of merging the lists of
    # every word that starts with it. Rows keep their rowids (search ranks by rowid ranges).
    """
        CREATE VIRTUAL TABLE search_v3 USING fts5 (
            headlines, lead, unpacked, bottom_line, body, shortlist, refs,
            issue_id UNINDEXED, item_id UNINDEXED,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3 4'
        );
        INSERT INTO search_v3 (rowid, headlines, lead, unpacked, bottom_line, body, shortlist, refs, issue_id, item_id)
            SELECT rowid, headlines, lead, unpacked, bottom_line, body, shortlist, refs, issue_id, item_id FROM search;
        DROP TABLE search;
        ALTER TABLE search_v3 RENAME TO search;
    """,
    # 4: where a feed's last fetch ended when a redirect took it to another host (shown by "feeds").
    """
        ALTER TABLE feeds ADD COLUMN redirected_to TEXT;
    """,
    # 5: where an IMAP folder's last refresh stopped (its UIDVALIDITY and the highest UID read).
    """
        ALTER TABLE feeds ADD COLUMN uidvalidity INTEGER;
        ALTER TABLE feeds ADD COLUMN last_uid INTEGER;
    """,
    # 6: story threads (see store/threads.py). Every issue already stored is threaded on the
    # next refresh, import or threads query.
    """
        ALTER TABLE issues ADD COLUMN threaded INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX issues_unthreaded ON issues (sort_date, id) WHERE threaded = 0;
        CREATE TABLE pieces (
            issue_id TEXT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            day TEXT NOT NULL,
            title TEXT NOT NULL,
            thread INTEGER,
            terms TEXT NOT NULL,
            PRIMARY KEY (issue_id, item_id)
        ) WITHOUT ROWID;
        CREATE INDEX pieces_day ON pieces (day);
        CREATE INDEX pieces_thread ON pieces (thread) WHERE thread IS NOT NULL;
        CREATE TABLE term_counts (term TEXT PRIMARY KEY, pieces INTEGER NOT NULL) WITHOUT ROWID;
    """,
    # 7: two-phase refresh. A refresh stores each entry's raw text first (indexed = 0: no stories,
    # items or full-text rows yet, or those of the version before); indexing parses it later.
    """
        ALTER TABLE issues ADD COLUMN indexed INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX issues_unindexed ON issues (sort_date DESC, id) WHERE indexed = 0;
    """,
    # 8: an issue's own search row keeps its list of headlines in the body column (ranked as
    # body text, not as a story's title), as indexing now writes it.
    """
        UPDATE search SET body = body || char(10) || headlines, headlines = '' WHERE item_id = '' AND headlines <> '';
    """,
)

#: Every table and column the cache reads; a file missing any of them is rebuilt.
_TABLES = {
    "feeds": ("url", "title", "etag", "last_modified", "last_success", "last_error", "last_error_at",
              "retry_after", "redirected_to", "uidvalidity", "last_uid"),
    "issues": ("id", "origin", "key", "title", "source", "date", "sort_date", "url", "stories", "shortlist",
               "fetched_at", "raw", "raw_hash", "content_type", "hints", "briefing", "parser_version", "position",
               "threaded", "indexed"),
    "pieces": ("issue_id", "item_id", "day", "title", "thread", "terms"),
    "term_counts": ("term", "pieces"),
    "items": ("issue_id", "item_id", "kind"),
    "search": ("rowid", *_FTS_TEXT_COLUMNS, "issue_id", "item_id"),
}

#: Newest first; within one day, by publication time, then by place in the feed.
ISSUE_ORDER = "sort_date DESC, position, fetched_at DESC, id"
_ISSUE_ORDER_I = "i.sort_date DESC, i.position, i.fetched_at DESC, i.id"
#: Orders of the issue list: newest first, issues with unread stories first, or grouped by
#: newsletter (source A to Z); each newest first within.
ISSUE_ORDERS = ("newest", "unread", "source")


@dataclass(frozen=True, slots=True)
class IssueSummary:
    id: str
    title: str
    source: str | None
    date: str | None
    stories: int
    #: None for an issue not indexed yet (its stories are not known).
    unread: int | None
    origin: str
    #: False while the issue is stored unparsed (phase one of a refresh): counts are not known yet.
    indexed: bool = True


@dataclass(frozen=True, slots=True)
class SearchHit:
    issue_id: str
    item_id: str
    section: str
    snippet: str  # matches wrapped in \x02 ... \x03
    issue_title: str
    source: str | None
    date: str | None
    #: What the hit is: a story's title, a shortlist item's or a reference's text (the issue's
    #: title for a hit in the issue's own text), on one line and cut to SEARCH_TITLE_CHARS.
    title: str = ""


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    retry_after: str | None = None
    redirected_to: str | None = None  # the final URL, when a redirect went to another host
    uidvalidity: int | None = None  # an IMAP folder: its UIDVALIDITY at the last refresh
    last_uid: int | None = None  # an IMAP folder: the highest UID read so far


def issue_id_for(origin: str, key: str) -> str:
    from hashlib import blake2b

    return "i-" + blake2b(f"{origin}\x1f{key}".encode(), digest_size=6).hexdigest()


def _raw_hash(raw: str) -> str:
    from hashlib import blake2b

    return blake2b(raw.encode("utf-8", "replace"), digest_size=16).hexdigest()


def _sort_key(date: str | None, published: str | None, fetched: str) -> str:
    """What orders issues: the publication time when it agrees with the issue's date, else the date."""
    if published and (date is None or published.startswith(date)):
        return published
    return date or fetched[:10]


def _looks_truncated(path: Path) -> bool:
    """A SQLite file whose size disagrees with its header's page count was cut short."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if size == 0:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    return size % page_size != 0 or (pages and size < pages * page_size)


def _search_rows(issue_id: str, briefing: Briefing) -> Iterator[tuple]:
    """Full-text rows for one issue: one per story, shortlist item and reference, one for the rest.

    The issue's own row holds its title, intro and named sections in the body column, and its
    list of headlines there too: that list mostly repeats the titles of the stories, whose own
    rows hold them in the headlines column, which weighs the most (see _RANK_WEIGHTS), so that
    a story ranks above its issue for the words of its title.
    """
    empty = ""
    head = [briefing.title, briefing.subtitle or "", *briefing.intro]
    for section in briefing.sections:
        head.append(section.title)
        head.extend(section.body)
    head.extend(briefing.headlines)
    yield (empty, empty, empty, empty, "\n".join(head), empty, empty, issue_id, "")
    for story in briefing.stories:
        yield (
            story.title if not story.kicker else f"{story.kicker}: {story.title}",
            story.lead or empty,
            "\n".join(story.unpacked),
            story.bottom_line or empty,
            "\n".join(story.body),
            empty,
            empty,
            issue_id,
            story.id,
        )
    for item in briefing.shortlist:
        yield (empty, empty, empty, empty, empty, item.text, empty, issue_id, item.id)
    for number, ref in enumerate(briefing.references):
        text = " — ".join(part for part in (ref.publisher, ref.title) if part)
        yield (empty, empty, empty, empty, empty, empty, text, issue_id, f"r-{number + 1}")


class Cache:
    """The cache database. One instance per thread (sqlite connections are not shared)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, recovered_from: Path | None = None):
        self.path = path
        self.conn = conn
        #: Where a damaged cache was moved to when this one was opened, if it was.
        self.recovered_from = recovered_from

    @classmethod
    def open(cls, path: Path, state_db: Path | None = None) -> Cache:
        moved = None
        # A -wal file means another copy may have the cache open (mid-checkpoint, its size can
        # briefly disagree with the header): only a closed cache is checked for truncation.
        wal = path.with_name(path.name + "-wal")
        if path.exists() and not wal.exists() and _looks_truncated(path):
            moved = move_aside(path)
        conn, moved_now = open_or_recover(path, cls._open, rebuildable=True)
        cache = cls(path, conn, moved_now or moved)
        if state_db is not None:
            cache.attach_state(state_db)
        return cache

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        conn = connect(path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            migrate(conn, _MIGRATIONS)
            check_schema(conn, _TABLES)
        except BaseException:
            conn.close()
            raise
        return conn

    def attach_state(self, state_db: Path) -> None:
        """Attach the read-state database read-only, for unread counts in one query."""
        if not state_db.exists():
            return
        # Quoted whole: a "%41" in the path is a literal "%41", not an "A".
        uri = "file:" + quote(str(state_db)) + "?mode=ro"
        try:
            self.conn.execute("ATTACH DATABASE ? AS rs", (uri,))
        except sqlite3.Error:
            pass

    @property
    def has_state(self) -> bool:
        rows = self.conn.execute("PRAGMA database_list").fetchall()
        return any(row[1] == "rs" for row in rows)

    def close(self) -> None:
        self.conn.close()

    # -- feeds -----------------------------------------------------------------------------------
    def feed_state(self, url: str) -> FeedState:
        row = self.conn.execute(
            "SELECT url, title, etag, last_modified, last_success, last_error, last_error_at, retry_after,"
            " redirected_to, uidvalidity, last_uid FROM feeds WHERE url = ?",
            (url,),
        ).fetchone()
        return FeedState(*row) if row else FeedState(url)

    def save_feed_state(self, state: FeedState) -> None:
        self.conn.execute(
            "INSERT INTO feeds (url, title, etag, last_modified, last_success, last_error, last_error_at,"
            " retry_after, redirected_to, uidvalidity, last_uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET"
            " title = excluded.title, etag = excluded.etag, last_modified = excluded.last_modified,"
            " last_success = excluded.last_success, last_error = excluded.last_error,"
            " last_error_at = excluded.last_error_at, retry_after = excluded.retry_after,"
            " redirected_to = excluded.redirected_to, uidvalidity = excluded.uidvalidity,"
            " last_uid = excluded.last_uid",
            (
                state.url,
                state.title,
                state.etag,
                state.last_modified,
                state.last_success,
                state.last_error,
                state.last_error_at,
                state.retry_after,
                state.redirected_to,
                state.uidvalidity,
                state.last_uid,
            ),
        )

    def forget_feed(self, url: str) -> int:
        """Drop a feed's state and its cached issues; returns how many issues went."""
        with self.transaction():
            count = self.conn.execute("DELETE FROM search WHERE issue_id IN (SELECT id FROM issues WHERE origin = ?)", (url,)).rowcount
            count = self.conn.execute("DELETE FROM issues WHERE origin = ?", (url,)).rowcount
            self.conn.execute("DELETE FROM feeds WHERE url = ?", (url,))
        return count

    # -- issues ----------------------------------------------------------------------------------
    def transaction(self):
        return _Transaction(self.conn, self.path)

    @contextmanager
    def entry(self) -> Iterator[None]:
        """One issue's writes inside a transaction: when they fail, only they are undone.

        A fault of the database itself (full disk, lock) becomes a StoreError for the caller to
        stop on; any other error is the entry's own and propagates after its rollback.
        """
        self.conn.execute("SAVEPOINT entry")
        try:
            yield
        except BaseException as error:
            try:
                self.conn.execute("ROLLBACK TO entry")
                self.conn.execute("RELEASE entry")
            except sqlite3.Error:
                pass
            if isinstance(error, sqlite3.OperationalError):
                raise friendly(error, self.path) from error
            raise
        else:
            self.conn.execute("RELEASE entry")

    def store_issue(
        self,
        *,
        origin: str,
        key: str,
        raw: str,
        content_type: str | None,
        hints: dict,
        briefing: Briefing,
        scope: str | None = None,
        issue_id: str | None = None,
    ) -> tuple[str, str]:
        """Insert or update one issue (call inside :meth:`transaction`). Returns (id, status)

        where status is "new", "updated" or "unchanged". The issue is named by ``key`` within
        ``scope`` (default: its origin), or by ``issue_id`` when it is stored already (indexing
        an entry a refresh stored raw). An issue with a scope that was imported from a file and
        then arrives from a subscription moves to that subscription (its counts and removal).
        """
        issue_id_given = issue_id is not None
        issue_id = issue_id or issue_id_for(scope or origin, key)
        raw_hash = _raw_hash(raw)
        row = self.conn.execute(
            "SELECT raw_hash, parser_version, origin, fetched_at FROM issues WHERE id = ?", (issue_id,)
        ).fetchone()
        if row and row[2] != origin and row[2].startswith("import") and not origin.startswith("import"):
            self.conn.execute("UPDATE issues SET origin = ? WHERE id = ?", (origin, issue_id))
        if row and row[0] == raw_hash and row[1] == PARSER_VERSION and not issue_id_given:
            return issue_id, "unchanged"
        fetched = now_iso()
        if row and row[1] == 0:  # indexed now after being stored unparsed: fetched back then
            fetched = row[3]
        editorial = briefing.editorial_stories
        self.conn.execute(
            "INSERT INTO issues (id, origin, key, title, source, date, sort_date, url, stories, shortlist,"
            " fetched_at, raw, raw_hash, content_type, hints, briefing, parser_version, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET title = excluded.title, source = excluded.source,"
            " date = excluded.date, sort_date = excluded.sort_date, url = excluded.url,"
            " stories = excluded.stories, shortlist = excluded.shortlist, raw = excluded.raw,"
            " raw_hash = excluded.raw_hash, content_type = excluded.content_type, hints = excluded.hints,"
            " briefing = excluded.briefing, parser_version = excluded.parser_version,"
            " position = excluded.position, threaded = 0, indexed = 1",
            (
                issue_id,
                origin,
                key,
                briefing.title,
                briefing.source,
                briefing.date,
                _sort_key(briefing.date, hints.get("published"), fetched),
                briefing.url,
                len(editorial),
                len(briefing.shortlist),
                fetched,
                raw,
                raw_hash,
                content_type,
                json.dumps(hints, ensure_ascii=False),
                json.dumps(briefing.to_dict(), ensure_ascii=False),
                PARSER_VERSION,
                int(hints.get("position") or 0),
            ),
        )
        if row and row[1] != 0:
            # rows of the version parsed before (an entry stored raw and never parsed has none:
            # the full-text table can only be searched for them by reading all of it)
            self.conn.execute("DELETE FROM items WHERE issue_id = ?", (issue_id,))
            self.conn.execute("DELETE FROM search WHERE issue_id = ?", (issue_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO items (issue_id, item_id, kind) VALUES (?, ?, ?)",
            [(issue_id, story.id, "story") for story in editorial]
            + [(issue_id, item.id, "shortlist") for item in briefing.shortlist],
        )
        self.conn.executemany(
            "INSERT INTO search (headlines, lead, unpacked, bottom_line, body, shortlist, refs, issue_id,"
            " item_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            list(_search_rows(issue_id, briefing)),
        )
        return issue_id, "updated" if row else "new"

    def store_raw(
        self,
        *,
        origin: str,
        key: str,
        raw: str,
        content_type: str | None,
        hints: dict,
        shell: Briefing,
        scope: str | None = None,
    ) -> tuple[str, str]:
        """Phase one of a refresh: keep an entry's raw text, unparsed (call inside
        :meth:`transaction`). Returns (id, status) as :meth:`store_issue` does.

        A new issue is listed at once with ``shell`` (its title, source, date and link) and no
        counts; a changed one keeps its parsed version until it is indexed again. Either way it
        waits in :meth:`unindexed` for :meth:`store_issue` to parse it in.
        """
        issue_id = issue_id_for(scope or origin, key)
        raw_hash = _raw_hash(raw)
        try:
            row = self.conn.execute(
                "SELECT raw_hash, parser_version, origin, indexed FROM issues WHERE id = ?", (issue_id,)
            ).fetchone()
            if row is None:
                # a single statement, which SQLite applies whole or not at all: no savepoint
                self._insert_raw(issue_id, origin, key, raw, raw_hash, content_type, hints, shell)
                return issue_id, "new"
        except sqlite3.OperationalError as error:
            raise friendly(error, self.path) from error  # as entry() does
        with self.entry():
            return self._update_raw(row, issue_id, origin, raw, raw_hash, content_type, hints)

    def _update_raw(self, row, issue_id, origin, raw, raw_hash, content_type, hints) -> tuple[str, str]:
        """A raw entry stored before: moved from an import to its subscription, and kept again
        (to be indexed anew) when its text or the parser changed."""
        if row[2] != origin and row[2].startswith("import") and not origin.startswith("import"):
            self.conn.execute("UPDATE issues SET origin = ? WHERE id = ?", (origin, issue_id))
        if row[0] == raw_hash and (row[1] == PARSER_VERSION or not row[3]):
            return issue_id, "unchanged"
        self.conn.execute(
            "UPDATE issues SET raw = ?, raw_hash = ?, content_type = ?, hints = ?, position = ?, indexed = 0"
            " WHERE id = ?",
            (raw, raw_hash, content_type, json.dumps(hints, ensure_ascii=False), int(hints.get("position") or 0), issue_id),
        )
        return issue_id, "updated"

    def _insert_raw(self, issue_id, origin, key, raw, raw_hash, content_type, hints, shell) -> None:
        """A new raw entry, listed with its shell (one statement)."""
        fetched = now_iso()
        self.conn.execute(
            "INSERT INTO issues (id, origin, key, title, source, date, sort_date, url, stories, shortlist,"
            " fetched_at, raw, raw_hash, content_type, hints, briefing, parser_version, position, indexed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, 0, ?, 0)",
            (
                issue_id,
                origin,
                key,
                shell.title,
                shell.source,
                shell.date,
                _sort_key(shell.date, hints.get("published"), fetched),
                shell.url,
                fetched,
                raw,
                raw_hash,
                content_type,
                json.dumps(hints, ensure_ascii=False),
                json.dumps(shell.to_dict(), ensure_ascii=False),
                int(hints.get("position") or 0),
            ),
        )

    def unindexed(self, limit: int, after: tuple[str, str] | None = None) -> list[tuple[str, str, str, str, str | None, dict, bool]]:
        """Issues stored unparsed, newest first: (sort key, id, origin, raw, content type,
        hints, parsed before). ``after`` continues from the (sort key, id) of the last one."""
        where, params = "indexed = 0", []
        if after is not None:
            where += " AND (sort_date < ? OR (sort_date = ? AND id > ?))"
            params = [after[0], after[0], after[1]]
        rows = self.conn.execute(
            f"SELECT sort_date, id, origin, raw, content_type, hints, parser_version FROM issues WHERE {where}"
            " ORDER BY sort_date DESC, id LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6] != 0) for row in rows]

    def count_unindexed(self) -> int:
        return self.conn.execute("SELECT count(*) FROM issues WHERE indexed = 0").fetchone()[0]

    def is_indexed(self, issue_id: str) -> bool:
        row = self.conn.execute("SELECT indexed FROM issues WHERE id = ?", (issue_id,)).fetchone()
        return row is None or bool(row[0])

    def briefing_replaced_by(self, issue_id: str, raw: str) -> Briefing | None:
        """The stored briefing of ``issue_id`` when storing ``raw`` for it would replace it (the
        text or the parser changed); None for an issue not stored yet or stored unchanged."""
        row = self.conn.execute("SELECT raw_hash, parser_version FROM issues WHERE id = ?", (issue_id,)).fetchone()
        if row is None or (row[0] == _raw_hash(raw) and row[1] == PARSER_VERSION):
            return None  # the common case of a refresh: nothing more is read
        return self.issue(issue_id)

    def issue(self, issue_id: str) -> Briefing | None:
        row = self.conn.execute("SELECT briefing FROM issues WHERE id = ?", (issue_id,)).fetchone()
        return Briefing.from_dict(json.loads(row[0])) if row else None

    def has_issue(self, issue_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM issues WHERE id = ?", (issue_id,)).fetchone() is not None

    def _filters(self, unread_only: bool, source: str | None) -> tuple[str, list]:
        """WHERE clause and parameters: issues with unread stories, and issues whose source
        contains ``source``, or whose feed's name does (the subscription's title or the title
        the feed gives itself)."""
        clauses, params = [], []
        if source:
            clause, pattern = self._source_clause(source)
            clauses.append(clause)
            params.extend(pattern)
        if unread_only:  # an issue not indexed yet is new: it is listed as unread
            clauses.append(f"(i.indexed = 0 OR ({self.unread_sql()}) > 0)")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _source_clause(self, source: str) -> tuple[str, list[str]]:
        """Issues (``i``) whose source contains ``source`` (any case), or whose feed's name
        does: the subscription's title or the title the feed gives itself."""
        pattern = "%" + source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        names = ["i.source LIKE ? ESCAPE '\\'", "i.origin IN (SELECT url FROM feeds WHERE title LIKE ? ESCAPE '\\')"]
        if self.has_state:
            names.append("i.origin IN (SELECT url FROM rs.subscriptions WHERE title LIKE ? ESCAPE '\\')")
        return "(" + " OR ".join(names) + ")", [pattern] * len(names)

    def unread_sql(self) -> str:
        """Unread stories of issue ``i``; NULL for an issue stored but not indexed for the first
        time yet (an issue indexed before keeps its counts until it is indexed again)."""
        if not self.has_state:
            return "CASE WHEN i.indexed = 0 AND i.parser_version = 0 THEN NULL ELSE i.stories END"
        return (
            "CASE WHEN i.indexed = 0 AND i.parser_version = 0 THEN NULL ELSE"
            " i.stories - (SELECT count(*) FROM items it JOIN rs.marks m ON m.item_id = it.item_id"
            " WHERE it.issue_id = i.id AND it.kind = 'story') END"
        )

    def count_issues(self, *, unread_only: bool = False, source: str | None = None) -> int:
        where, params = self._filters(unread_only, source)
        return self.conn.execute(f"SELECT count(*) FROM issues i{where}", params).fetchone()[0]

    def issues(
        self,
        *,
        offset: int = 0,
        limit: int = -1,
        unread_only: bool = False,
        source: str | None = None,
        order: str = "newest",
    ) -> list[IssueSummary]:
        """Issues in ``order`` (see ISSUE_ORDERS), with unread story counts, a page at a time."""
        where, params = self._filters(unread_only, source)
        rows = self.conn.execute(
            f"SELECT i.id, i.title, i.source, i.date, i.stories, ({self.unread_sql()}), i.origin, i.indexed"
            f" FROM issues i{where} ORDER BY {self._order(order)} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return [IssueSummary(*row) for row in rows]

    def issue_summary(self, issue_id: str) -> IssueSummary | None:
        row = self.conn.execute(
            f"SELECT i.id, i.title, i.source, i.date, i.stories, ({self.unread_sql()}), i.origin, i.indexed"
            " FROM issues i WHERE i.id = ?",
            (issue_id,),
        ).fetchone()
        return IssueSummary(*row) if row else None

    def _order(self, order: str) -> str:
        if order == "unread":
            return f"(({self.unread_sql()}) > 0) DESC, {_ISSUE_ORDER_I}"
        if order == "source":
            return f"coalesce(i.source, '') = '', lower(i.source), {_ISSUE_ORDER_I}"
        return _ISSUE_ORDER_I

    def position_of(
        self, issue_id: str, *, unread_only: bool = False, source: str | None = None, order: str = "newest"
    ) -> int | None:
        """Index of an issue in :meth:`issues` order, or None. The ids are read in order only
        up to the issue's (it is usually near the top: the one read last)."""
        where, params = self._filters(unread_only, source)
        rows = self.conn.execute(f"SELECT i.id FROM issues i{where} ORDER BY {self._order(order)}", params)
        for index, (found,) in enumerate(rows):
            if found == issue_id:
                rows.close()
                return index
        return None

    def item_ids(self, issue_id: str | None = None, kind: str | None = None) -> list[str]:
        sql, params = "SELECT item_id FROM items", []
        clauses = []
        if issue_id:
            clauses.append("issue_id = ?")
            params.append(issue_id)
        if kind:
            clauses.append("kind = ?")
            params.append(kind)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return [row[0] for row in self.conn.execute(sql, params)]

    def issues_of_items(self, item_ids: Iterable[str]) -> dict[str, str]:
        """item id -> an issue id holding it, for the ids the cache knows."""
        found: dict[str, str] = {}
        ids = list(item_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for item_id, issue_id in self.conn.execute(
                f"SELECT item_id, issue_id FROM items WHERE item_id IN ({marks})", chunk
            ):
                found.setdefault(item_id, issue_id)
        return found

    def sources(self) -> list[tuple[str, int]]:
        return self.conn.execute(
            "SELECT source, count(*) FROM issues WHERE source IS NOT NULL GROUP BY source ORDER BY source"
        ).fetchall()

    def feed_counts(self) -> dict[str, tuple[int, int]]:
        """origin -> (cached issues, unread stories), for every origin in one query."""
        rows = self.conn.execute(
            f"SELECT i.origin, count(*), coalesce(sum({self.unread_sql()}), 0) FROM issues i GROUP BY i.origin"
        )
        return {origin: (int(issues), int(unread)) for origin, issues, unread in rows}

    def items_of_origin(self, origin: str) -> list[tuple[str, str]]:
        """(item id, issue id) of every item of every issue from ``origin``."""
        return self.conn.execute(
            "SELECT it.item_id, it.issue_id FROM items it JOIN issues i ON i.id = it.issue_id WHERE i.origin = ?",
            (origin,),
        ).fetchall()

    def all_briefings(self) -> Iterator[tuple[str, str, Briefing]]:
        for issue_id, origin, data in self.conn.execute(
            f"SELECT id, origin, briefing FROM issues ORDER BY {ISSUE_ORDER}"
        ):
            yield issue_id, origin, Briefing.from_dict(json.loads(data))

    # -- search ----------------------------------------------------------------------------------
    def search(
        self,
        query: SearchQuery,
        *,
        limit: int = 50,
        window: int = 5000,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[SearchHit]:
        """Ranked hits for a parsed query.

        Ranking (bm25 with column weights, see _RANK_WEIGHTS: a story before the shortlist items
        and references that repeat its words) is computed over the newest ``window`` matches
        only, which bounds the cost of very common words on a large cache and favours recent
        issues. It runs in three steps, each bounded by ``window`` or ``limit`` rather than by
        the size of the cache: find the rowid where the window starts, rank the matches from
        there on (FTS5 seeks to a rowid range instead of reading every match), then fetch the
        text of the ``limit`` best by rowid and cut snippets in Python (see
        :mod:`briefing_tui.store.snippets`), reading at most SNIPPET_SOURCE_CHARS of each column.

        A query of filters alone (no words) lists the items that pass them instead, newest
        issue first (see :meth:`_listing`).

        ``cancelled`` is polled while SQLite works and between rows; once it returns True the
        search stops within milliseconds and raises :class:`SearchCancelled`.
        """
        match = query.fts_expression()
        if not match and not query.filters_only:
            return []

        def run(cancelled: Callable[[], bool]) -> list[SearchHit]:
            if match:
                return self._search(query, match, limit, window, cancelled)
            return self._listing(query, limit, cancelled)

        if cancelled is None:
            return run(lambda: False)
        self.conn.set_progress_handler(lambda: 1 if cancelled() else 0, _CANCEL_CHECK_STEPS)
        try:
            return run(cancelled)
        except sqlite3.OperationalError as error:
            if cancelled():
                raise SearchCancelled() from error
            raise
        finally:
            self.conn.set_progress_handler(None, 0)

    def _search(
        self, query: SearchQuery, match: str, limit: int, window: int, cancelled: Callable[[], bool]
    ) -> list[SearchHit]:
        if query.starred and not self.has_state:
            return []  # nothing is starred without a read state
        clauses, params = [], []
        if query.source:
            clause, pattern = self._source_clause(query.source)
            clauses.append(clause)
            params.extend(pattern)
        if query.unread and self.has_state:
            # only items that carry marks (stories, quick items) can be unread: not references
            clauses.append("s.item_id NOT IN (SELECT item_id FROM rs.marks)")
            clauses.append("s.item_id IN (SELECT item_id FROM items)")
        if query.starred:
            clauses.append("s.item_id IN (SELECT item_id FROM rs.stars)")
        extra = (" AND " + " AND ".join(clauses)) if clauses else ""
        join = " JOIN issues i ON i.id = s.issue_id" if query.source else ""
        try:
            row = self.conn.execute(
                "SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (match, window - 1),
            ).fetchone()
            floor = row[0] if row else 0
            ranked = [
                rowid
                for (rowid,) in self.conn.execute(
                    f"SELECT s.rowid FROM search s{join} WHERE search MATCH ? AND s.rowid >= ?{extra}"
                    f" ORDER BY {_RANK} LIMIT ?",
                    [match, floor, *params, limit],
                )
            ]
        except sqlite3.OperationalError as error:
            if ("fts5" in str(error) or "syntax" in str(error)) and not cancelled():
                return []
            raise
        if not ranked:
            return []
        columns = ", ".join(f"substr(s.{name}, 1, {SNIPPET_SOURCE_CHARS})" for name in _FTS_TEXT_COLUMNS)
        rows = {
            row[0]: row[1:]
            for row in self.conn.execute(
                f"SELECT s.rowid, s.issue_id, s.item_id, i.title, i.source, i.date, {columns}"
                f" FROM search s JOIN issues i ON i.id = s.issue_id WHERE s.rowid IN ({','.join('?' * len(ranked))})",
                ranked,
            )
        }
        from briefing_tui.store.snippets import Highlighter

        highlighter = Highlighter(query)
        only = SECTION_COLUMNS.index(query.section) if query.section in SECTION_COLUMNS else None
        hits = []
        for rowid in ranked:
            if cancelled():
                raise SearchCancelled()
            if rowid not in rows:
                continue
            issue_id, item_id, title, source, date, *texts = rows[rowid]
            candidates = [only] if only is not None else range(len(texts))
            # the section shown is the first whose snippet covers the most of the query, looked
            # for in the columns that can hold a match (in all when none shows one: it lies past
            # what was read, and the first column with text is shown)
            best, best_score, best_snippet = _best_snippet(
                highlighter, texts, [index for index in candidates if highlighter.may_match(texts[index])]
            )
            if best_score[0] <= 0:
                best, best_score, best_snippet = _best_snippet(highlighter, texts, candidates)
            section = SECTION_COLUMNS[best if best is not None else 0]
            # a story's row holds its title in the headlines column, an item's row only its text
            name = next((text for text in (texts[0], texts[5], texts[6]) if text), "") if item_id else ""
            hits.append(
                SearchHit(issue_id, item_id, section, best_snippet, title, source, date, _one_line(name) or title)
            )
        return hits

    def _listing(self, query: SearchQuery, limit: int, cancelled: Callable[[], bool]) -> list[SearchHit]:
        """The items that pass a query of filters alone: newest issue first, and in each issue in
        the order the issue gives them. Stories and shortlist items (an issue without either, an
        article, is one hit), or the items of the query's section (a story section: stories with
        text there; references only when asked for).

        SQL picks the issues that can hold a passing item; only those are read, until ``limit``
        items are found.
        """
        if query.starred and not self.has_state:
            return []
        section = query.section
        kind = "shortlist" if section == "shortlist" else "story" if section else None
        clauses, params = [], []
        if query.source:
            clause, pattern = self._source_clause(query.source)
            clauses.append(clause)
            params.extend(pattern)
        if section == "shortlist":
            clauses.append("i.shortlist > 0")
        of_kind = f" AND it.kind = '{kind}'" if kind else ""
        if query.starred:
            clauses.append(
                "(i.id IN (SELECT issue_id FROM rs.stars WHERE issue_id IS NOT NULL) OR EXISTS (SELECT 1 FROM items it"
                f" WHERE it.issue_id = i.id{of_kind} AND it.item_id IN (SELECT item_id FROM rs.stars)))"
            )
        unread = query.unread and self.has_state and section != "references"
        if unread:
            clauses.append(
                f"EXISTS (SELECT 1 FROM items it WHERE it.issue_id = i.id{of_kind}"
                " AND it.item_id NOT IN (SELECT item_id FROM rs.marks))"
            )
        starred = {row[0] for row in self.conn.execute("SELECT item_id FROM rs.stars")} if query.starred else None
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        from briefing_tui.store.snippets import Highlighter

        highlighter = Highlighter(query)
        hits: list[SearchHit] = []
        issues = self.conn.execute(
            f"SELECT i.id, i.title, i.source, i.date, i.briefing FROM issues i{where} ORDER BY {_ISSUE_ORDER_I}",
            params,
        )
        for issue_id, issue_title, source, date, data in issues:
            if cancelled():
                raise SearchCancelled()
            briefing = Briefing.from_dict(json.loads(data))
            found = list(_listed_items(briefing, section, starred))
            if not (section or query.unread or query.starred or briefing.stories or briefing.shortlist):
                found = [("", "body", "", "\n".join([briefing.subtitle or "", *briefing.intro]).strip())]
            if unread and found:
                ids = [item_id for item_id, *_rest in found]
                marks = ",".join("?" * len(ids))
                read = {row[0] for row in self.conn.execute(f"SELECT item_id FROM rs.marks WHERE item_id IN ({marks})", ids)}
                found = [entry for entry in found if entry[0] not in read]
            for item_id, hit_section, name, text in found:
                _score, snippet = highlighter.snippet(text[:SNIPPET_SOURCE_CHARS])
                hits.append(
                    SearchHit(issue_id, item_id, hit_section, snippet, issue_title, source, date, _one_line(name) or issue_title)
                )
                if len(hits) >= limit:
                    return hits
        return hits


def _best_snippet(
    highlighter: Highlighter, texts: list, columns: Iterable[int]
) -> tuple[int | None, tuple[int, int], str]:
    """(column, score, snippet) of the first of ``columns`` whose snippet covers the most of the query."""
    best, best_score, best_snippet = None, (-1, -1), ""
    for index in columns:
        score, snippet = highlighter.snippet(texts[index] or "")
        if score > best_score and (score[1] or snippet):
            best, best_score, best_snippet = index, score, snippet
    return best, best_score, best_snippet


def _one_line(text: str) -> str:
    """Text as one line of at most SEARCH_TITLE_CHARS characters."""
    return truncate(" ".join(text[: SEARCH_TITLE_CHARS * 4].split()), SEARCH_TITLE_CHARS)


def _story_columns(story) -> dict[str, str]:
    """A story's text by search column, as :func:`_search_rows` indexes it."""
    return {
        "headlines": story.title if not story.kicker else f"{story.kicker}: {story.title}",
        "lead": story.lead or "",
        "unpacked": "\n".join(story.unpacked),
        "bottom_line": story.bottom_line or "",
        "body": "\n".join(story.body),
    }


def _listed_items(
    briefing: Briefing, section: str | None, starred: set[str] | None
) -> Iterator[tuple[str, str, str, str]]:
    """(item id, section, title, text to cut the snippet from) of the items of an issue that a
    listing of ``section`` shows, in the issue's order; with ``starred``, only those items.
    Sponsored stories are listed only when starred (they are not counted as unread either)."""
    if section is None or section in _STORY_COLUMNS:
        for story in briefing.stories:
            if story.sponsored and starred is None or starred is not None and story.id not in starred:
                continue
            columns = _story_columns(story)
            if section:
                text = columns[section]
                if not text:
                    continue
            else:
                text = next((columns[name] for name in ("lead", "bottom_line", "unpacked", "body") if columns[name]), "")
            yield story.id, section or "headlines", columns["headlines"], text
    if section in (None, "shortlist"):
        for item in briefing.shortlist:
            if starred is None or item.id in starred:
                yield item.id, "shortlist", item.text, item.text
    if section == "references" and starred is None:
        for number, ref in enumerate(briefing.references):
            text = " — ".join(part for part in (ref.publisher, ref.title) if part)
            yield f"r-{number + 1}", "references", text, text


#: The search columns that hold a story's text.
_STORY_COLUMNS = ("headlines", "lead", "unpacked", "bottom_line", "body")


class _Transaction:
    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    def __enter__(self):
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise friendly(error, self.path) from error
        return self.conn

    def __exit__(self, kind, error, traceback):
        if kind is None:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as commit_error:
                self.conn.execute("ROLLBACK")
                raise friendly(commit_error, self.path) from commit_error
        else:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(error, sqlite3.Error):
                raise friendly(error, self.path) from error
        return False
