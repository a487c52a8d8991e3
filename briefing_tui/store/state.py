"""The user's own data: subscriptions, read marks and stars.

Kept in the user data directory, apart from the cache, in SQLite with WAL and
``synchronous=FULL``: each mark is committed (and on disk) before the call returns, two running
copies never lose each other's marks, and a killed program loses nothing it had marked. A
damaged file is never replaced silently: it is moved aside with a timestamp and
:attr:`StateStore.recovered_from` says where.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from briefing_tui.store.db import (
    StoreError,
    check_integrity,
    check_schema,
    connect,
    friendly,
    migrate,
    now_iso,
    open_or_recover,
    salvage,
)

_MIGRATIONS = (
    """
        CREATE TABLE subscriptions (
            url TEXT PRIMARY KEY,
            title TEXT,
            added_at TEXT NOT NULL
        );
        CREATE TABLE marks (
            item_id TEXT PRIMARY KEY,
            issue_id TEXT,
            read_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE stars (
            item_id TEXT PRIMARY KEY,
            issue_id TEXT,
            starred_at TEXT NOT NULL
        ) WITHOUT ROWID;
    """,
    # 2: settings of a subscription beyond its URL (an IMAP folder's password command, CA file).
    """
        ALTER TABLE subscriptions ADD COLUMN options TEXT;
    """,
)

#: Every table and column the store reads; a file missing any of them is damaged.
_TABLES = {
    "subscriptions": ("url", "title", "added_at", "options"),
    "marks": ("item_id", "issue_id", "read_at"),
    "stars": ("item_id", "issue_id", "starred_at"),
}
#: How long a write waits for another program that holds the file locked before it fails.
#: Another copy of briefing-tui holds it for milliseconds; a program that keeps it locked gets
#: a clear error in this time rather than a frozen reader.
BUSY_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class Subscription:
    url: str
    title: str | None
    added_at: str
    #: For an IMAP folder: the command that prints its password (never the password itself).
    password_command: str | None = None
    #: For an IMAP folder: a CA certificate file to trust for its server.
    ca_file: str | None = None

    @property
    def is_mailbox(self) -> bool:
        return self.url.startswith(("imap://", "imaps://"))


def _options(subscription_row: tuple) -> Subscription:
    url, title, added_at, options = subscription_row
    try:
        settings = json.loads(options) if options else {}
    except ValueError:
        settings = {}
    if not isinstance(settings, dict):
        settings = {}
    text = {key: value for key, value in settings.items() if isinstance(value, str)}
    return Subscription(url, title, added_at, text.get("password_command"), text.get("ca_file"))


class StateStore:
    def __init__(self, path: Path, conn: sqlite3.Connection, recovered_from: Path | None, salvaged: int = 0):
        self.path = path
        #: For reads. Writes go through their own connection, so a write waiting for another
        #: program's lock never holds up a read (WAL readers do not wait for writers).
        self.conn = conn
        self.writer = connect(path, synchronous="FULL", busy_timeout=BUSY_TIMEOUT_S)
        self._write_lock = threading.Lock()
        self.recovered_from = recovered_from
        #: Rows (subscriptions, marks, stars) copied over from the damaged file, if there was one.
        self.salvaged = salvaged

    @classmethod
    def open(cls, path: Path) -> StateStore:
        conn, moved = open_or_recover(path, cls._open, rebuildable=False)
        salvaged = 0
        if moved is not None:
            try:
                salvaged = salvage(moved, conn, _TABLES)
            except sqlite3.Error as error:
                conn.close()
                raise friendly(error, path) from error
        return cls(path, conn, moved, salvaged)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        conn = connect(path, synchronous="FULL", busy_timeout=BUSY_TIMEOUT_S)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            migrate(conn, _MIGRATIONS)
            check_schema(conn, _TABLES)
            # The file is small: a full check at open finds a damaged page before a read does.
            check_integrity(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        with self._write_lock:
            self.writer.close()
        self.conn.close()

    def _write(self, sql: str, rows: list[tuple]) -> int:
        if not rows:
            return 0
        return self._write_all([(sql, rows)])[0]

    def _write_all(self, statements: list[tuple[str, list[tuple]]]) -> list[int]:
        """Run each (sql, rows) in one transaction: all of them are written or none is.
        Returns how many rows each changed."""
        with self._write_lock:
            conn = self.writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                changed = []
                for sql, rows in statements:
                    before = conn.total_changes
                    if rows:
                        conn.executemany(sql, rows)
                    changed.append(conn.total_changes - before)
                conn.execute("COMMIT")
                return changed
            except sqlite3.Error as error:
                if conn.in_transaction:  # a full disk may have rolled it back already
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise friendly(error, self.path) from error

    # -- subscriptions ---------------------------------------------------------------------------
    def add_subscription(self, url: str, title: str | None = None, options: dict[str, str] | None = None) -> bool:
        """Subscribe; False if already subscribed (its title and options are updated when given)."""
        exists = self.conn.execute("SELECT options FROM subscriptions WHERE url = ?", (url,)).fetchone()
        settings = json.dumps(options) if options else None
        if exists:
            if title:
                self._write("UPDATE subscriptions SET title = ? WHERE url = ?", [(title, url)])
            if options:  # the options given replace theirs; the others stay
                try:
                    merged = json.loads(exists[0]) if exists[0] else {}
                except ValueError:
                    merged = {}
                merged = {**(merged if isinstance(merged, dict) else {}), **options}
                self._write("UPDATE subscriptions SET options = ? WHERE url = ?", [(json.dumps(merged), url)])
            return False
        self._write(
            "INSERT INTO subscriptions (url, title, added_at, options) VALUES (?, ?, ?, ?)",
            [(url, title, now_iso(), settings)],
        )
        return True

    def set_subscription_title(self, url: str, title: str | None) -> bool:
        """Set (or with None clear) a subscription's title; False when there is no such subscription."""
        return self._write("UPDATE subscriptions SET title = ? WHERE url = ?", [(title, url)]) > 0

    def remove_subscription(self, url: str) -> bool:
        return self._write("DELETE FROM subscriptions WHERE url = ?", [(url,)]) > 0

    def subscriptions(self) -> list[Subscription]:
        return [
            _options(row)
            for row in self.conn.execute(
                "SELECT url, title, added_at, options FROM subscriptions ORDER BY added_at, rowid"
            )
        ]

    # -- read marks ------------------------------------------------------------------------------
    def mark_read(self, items: Iterable[tuple[str, str | None]]) -> int:
        """Mark (item id, issue id) pairs read; returns how many were unread before."""
        stamp = now_iso()
        return self._write(
            "INSERT OR IGNORE INTO marks (item_id, issue_id, read_at) VALUES (?, ?, ?)",
            [(item_id, issue_id, stamp) for item_id, issue_id in items],
        )

    def mark_unread(self, item_ids: Iterable[str]) -> int:
        return self._write("DELETE FROM marks WHERE item_id = ?", [(item_id,) for item_id in item_ids])

    def read_ids(self, item_ids: Iterable[str] | None = None) -> set[str]:
        """Read item ids (of the given ones, or all)."""
        return self._ids_in("marks", item_ids)

    def read_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM marks").fetchone()[0]

    # -- stars -----------------------------------------------------------------------------------
    def set_starred(self, item_id: str, issue_id: str | None, starred: bool) -> None:
        if starred:
            self._write(
                "INSERT OR IGNORE INTO stars (item_id, issue_id, starred_at) VALUES (?, ?, ?)",
                [(item_id, issue_id, now_iso())],
            )
        else:
            self._write("DELETE FROM stars WHERE item_id = ?", [(item_id,)])

    def starred_ids(self, item_ids: Iterable[str] | None = None) -> set[str]:
        """Starred item ids (of the given ones, or all)."""
        return self._ids_in("stars", item_ids)

    def _ids_in(self, table: str, item_ids: Iterable[str] | None) -> set[str]:
        """Item ids in ``table`` ("marks" or "stars"): all, or those of ``item_ids``."""
        if item_ids is None:
            return {row[0] for row in self.conn.execute(f"SELECT item_id FROM {table}")}
        ids = list(item_ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in self.conn.execute(f"SELECT item_id FROM {table} WHERE item_id IN ({marks})", chunk))
        return found

    # -- carrying and restoring ------------------------------------------------------------------
    def copy_marks(self, pairs: Iterable[tuple[str, str]], issue_id: str | None) -> tuple[int, int]:
        """Give each new item id of (old id, new id) the read mark and star its old id has (with
        their times); the old ones stay. Returns (read marks, stars) added."""
        rows = [(new, issue_id, old) for old, new in pairs]
        if not rows:
            return 0, 0
        read, stars = self._write_all(
            [
                (
                    "INSERT OR IGNORE INTO marks (item_id, issue_id, read_at)"
                    " SELECT ?, ?, read_at FROM marks WHERE item_id = ?",
                    rows,
                ),
                (
                    "INSERT OR IGNORE INTO stars (item_id, issue_id, starred_at)"
                    " SELECT ?, ?, starred_at FROM stars WHERE item_id = ?",
                    rows,
                ),
            ]
        )
        return read, stars

    def merge(
        self,
        subscriptions: Iterable[tuple[str, str | None, str | None]],
        read: Iterable[tuple[str, str | None]],
        starred: Iterable[tuple[str, str | None]],
    ) -> tuple[int, int, int]:
        """Add subscriptions (url, title, added_at), read marks and stars (item id, issue id) in
        one transaction, keeping everything already here (a subscription without a title takes
        the one given). Returns how many subscriptions, read marks and stars were new."""
        stamp = now_iso()
        subs = [(url, title, added_at or stamp) for url, title, added_at in subscriptions]
        added, _titled, marks, stars = self._write_all(
            [
                ("INSERT OR IGNORE INTO subscriptions (url, title, added_at) VALUES (?, ?, ?)", subs),
                (
                    "UPDATE subscriptions SET title = ? WHERE url = ? AND title IS NULL",
                    [(title, url) for url, title, _added in subs if title],
                ),
                (
                    "INSERT OR IGNORE INTO marks (item_id, issue_id, read_at) VALUES (?, ?, ?)",
                    [(item, issue, stamp) for item, issue in read],
                ),
                (
                    "INSERT OR IGNORE INTO stars (item_id, issue_id, starred_at) VALUES (?, ?, ?)",
                    [(item, issue, stamp) for item, issue in starred],
                ),
            ]
        )
        return added, marks, stars


__all__ = ["StateStore", "StoreError", "Subscription"]
