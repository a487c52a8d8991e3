"""SQLite plumbing shared by the cache and the read-state store."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote


class StoreError(RuntimeError):
    """A database cannot be used (read-only directory, full disk, ...): one line for the user."""


#: A migration is an SQL script; the n-th one brings the schema from version n to n + 1.
Migration = str


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def connect(
    path: Path, *, wal: bool = True, synchronous: str = "NORMAL", busy_timeout: float = 30.0
) -> sqlite3.Connection:
    """Open ``path`` (creating its directory), in WAL mode with a busy timeout for other copies."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create {path.parent}: {error.strerror or error}") from error
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if wal:
            _enter_wal(conn, busy_timeout)
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.OperationalError as error:
        raise StoreError(f"cannot open {path}: {error}") from error
    return conn


def _enter_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Put the file in WAL mode (it stays so), waiting for other copies doing the same.

    Changing the journal mode needs the file to itself, and SQLite answers "database is locked"
    at once, without its busy handler, while another connection opens or converts the same new
    file: several copies started together on an empty directory would fail. Retry until
    ``busy_timeout``; a file already in WAL mode needs no change at all.
    """
    deadline = time.monotonic() + busy_timeout
    pause = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error).lower() or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
    """Bring the schema to the newest version; ``user_version`` counts applied migrations.

    Each migration runs in a write transaction that reads the version again once it holds the
    lock: two programs opening a new file at the same moment apply each migration once.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(migrations):
        where = conn.execute("PRAGMA database_list").fetchone()[2] or "database"
        raise StoreError(
            f"{where}: schema version {version} is newer than this briefing-tui understands"
            " (written by a newer version?)"
        )
    while version < len(migrations):
        try:
            conn.execute("BEGIN IMMEDIATE")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < len(migrations):
                for statement in _statements(migrations[version]):
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script, one by one."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


def is_corruption(error: BaseException) -> bool:
    """True for errors that mean the file is damaged (not locked, read-only or missing)."""
    if not isinstance(error, sqlite3.DatabaseError) or isinstance(error, sqlite3.OperationalError):
        return False
    message = str(error).lower()
    return "not a database" in message or "malformed" in message or "integrity" in message or "corrupt" in message


def check_integrity(conn: sqlite3.Connection) -> None:
    """Raise sqlite3.DatabaseError unless the database reads as a valid SQLite file."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    row = conn.execute("PRAGMA quick_check(1)").fetchone()
    if row is None or row[0] != "ok":
        raise sqlite3.DatabaseError(f"integrity check failed: {row[0] if row else 'no answer'}")


def check_schema(conn: sqlite3.Connection, tables: dict[str, Sequence[str]]) -> None:
    """Raise sqlite3.DatabaseError unless every table exists with every column named.

    A file whose schema version is current but whose tables were dropped or altered (by hand,
    by another program, by damage) would otherwise fail later, on the first query that needs
    them, as a raw "no such table" traceback.
    """
    for table, columns in tables.items():
        try:
            conn.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 0").fetchall()
        except sqlite3.OperationalError as error:
            if "locked" in str(error).lower():
                raise
            raise sqlite3.DatabaseError(f"malformed schema: {error}") from error


def salvage(damaged: Path, conn: sqlite3.Connection, tables: dict[str, Sequence[str]]) -> int:
    """Copy every row that can still be read from ``damaged`` into the same tables of ``conn``.

    Each table is read from both ends (by key, ascending then descending), so rows on either
    side of a damaged page are kept; rows already copied are skipped. Returns the rows copied.
    """
    copied = 0
    try:
        source = sqlite3.connect(f"file:{quote(str(damaged))}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return 0
    try:
        for table, wanted in tables.items():
            # a file from an older version lacks the newer columns: the others are still copied
            try:
                present = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
            except sqlite3.Error:
                continue
            columns = [column for column in wanted if column in present]
            if not columns:
                continue
            names = ", ".join(columns)
            insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            for order in ("ASC", "DESC"):
                rows = []
                try:
                    for row in source.execute(f"SELECT {names} FROM {table} ORDER BY {columns[0]} {order}"):
                        rows.append(row)
                except sqlite3.Error:
                    pass  # the rows before the damage are kept
                if rows:
                    before = conn.total_changes
                    conn.execute("BEGIN IMMEDIATE")
                    conn.executemany(insert, rows)
                    conn.execute("COMMIT")
                    copied += conn.total_changes - before
    finally:
        source.close()
    return copied


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its -wal/-shm files) to ``<name>.corrupt-<timestamp>``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def friendly(error: BaseException, path: Path) -> StoreError:
    """Turn an sqlite3/OS error into a one-line StoreError."""
    message = str(error)
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"{path} is read-only: {message}")
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return StoreError(f"no space left for {path}: nothing was written")
    if isinstance(error, OSError):
        return StoreError(f"{path}: {error.strerror or message}")
    return StoreError(f"{path}: {message}")


def open_or_recover(
    path: Path, opener: Callable[[Path], sqlite3.Connection], *, rebuildable: bool
) -> tuple[sqlite3.Connection, Path | None]:
    """Open a database; a damaged one is moved aside (see :func:`move_aside`) and started afresh.

    Returns the connection and where the damaged file went (None when nothing was moved). A
    rebuildable database (the cache) is also moved aside when it fails to open for reasons
    other than locking or permissions; the user's own data only when it is really corrupt.
    """
    moved = None
    try:
        return opener(path), None
    except sqlite3.DatabaseError as error:
        message = str(error).lower()
        transient = isinstance(error, sqlite3.OperationalError) and (
            "locked" in message or "readonly" in message or "unable to open" in message or "disk" in message
        )
        if transient or not (is_corruption(error) or rebuildable):
            raise friendly(error, path) from error
        try:
            moved = move_aside(path)
            return opener(path), moved
        except (OSError, sqlite3.Error) as again:
            raise friendly(again, path) from again
    except OSError as error:
        raise friendly(error, path) from error
