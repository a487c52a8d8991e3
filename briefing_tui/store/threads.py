"""Threads in the cache: each new or changed issue's pieces are compared with the pieces of
nearby days and join a thread, incrementally (adding an issue never recomputes the others).

Tables (cache migration 6): ``pieces`` (one row per story, or per story-less issue, with its
day, title, weighted terms and thread number) and ``term_counts`` (how many pieces hold each
term, for rarity). ``issues.threaded`` is 0 for an issue whose pieces are not placed yet: a
new or changed issue, or every issue of a cache made before threads existed. An issue stored
unparsed (``indexed`` 0) waits until it is indexed.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import date, timedelta

from briefing_tui.model import Briefing
from briefing_tui.threads import (
    MIN_SHARED,
    WINDOW_DAYS,
    Rarity,
    decode_terms,
    encode_terms,
    mass,
    pieces,
    same_event,
    similarity,
)

#: Issues read per pass; their pieces' term counts are written before any of them is placed.
CHUNK = 400
#: Issues per task when the pieces of a chunk are read in a process pool.
AHEAD_TASK = 50
#: Pieces of the window that one term may lead to; commoner terms say nothing about an event
#: and would make a day of 500 issues cost the square of its size.
MAX_POSTINGS = 64
#: Of a thread's members near the piece's day, the share the piece must match.
SUPPORT = 0.5


class _Piece:
    """A piece in memory. A piece read back from the cache keeps its terms encoded until it is
    compared in full: most pieces of a window are only ever looked up by term, and a window
    at 1,000 issues a day holds tens of thousands of them."""

    __slots__ = ("issue_id", "item_id", "day", "thread", "weight", "_terms", "_encoded")

    def __init__(self, issue_id: str, item_id: str, day: str, terms: dict[str, float] | None = None,
                 thread: int | None = None, encoded: str | None = None) -> None:
        self.issue_id, self.item_id, self.day, self.thread = issue_id, item_id, day, thread
        #: mass under the rarity of the chunk being placed (see Threader._weight)
        self.weight: tuple[int, float] | None = None
        self._terms = terms
        self._encoded = encoded

    @property
    def terms(self) -> dict[str, float]:
        if self._terms is None:
            self._terms = decode_terms(self._encoded or "")
            self._encoded = None
        return self._terms

    def term_names(self) -> list[str]:
        if self._terms is not None:
            return list(self._terms)
        return _TERM_NAME.findall(self._encoded or "")

    def has(self, term: str) -> bool:
        if self._terms is not None:
            return term in self._terms
        encoded = self._encoded or ""
        return encoded.startswith(term + "\t") or f"\n{term}\t" in encoded


#: The names of encoded terms (see encode_terms: "term<tab>weight" lines).
_TERM_NAME = re.compile(r"^([^\t\n]+)\t", re.MULTILINE)


@dataclass(slots=True)
class _Day:
    """The pieces of one day, indexed by term and by thread."""

    by_term: dict[str, list[_Piece]] = field(default_factory=lambda: defaultdict(list))
    by_thread: dict[int, list[_Piece]] = field(default_factory=lambda: defaultdict(list))

    def add(self, piece: _Piece) -> None:
        by_term = self.by_term
        for term in piece.term_names():
            by_term[term].append(piece)
        if piece.thread is not None:
            self.by_thread[piece.thread].append(piece)

    def drop(self, issue_ids: set[str]) -> None:
        """Forget the pieces of these issues (they are being placed again)."""
        for key, group in list(self.by_term.items()):
            if any(piece.issue_id in issue_ids for piece in group):
                kept = [piece for piece in group if piece.issue_id not in issue_ids]
                if kept:
                    self.by_term[key] = kept
                else:
                    del self.by_term[key]
        for key, group in list(self.by_thread.items()):
            self.by_thread[key] = [piece for piece in group if piece.issue_id not in issue_ids]


def _days_around(day: str) -> list[str]:
    """The days a piece of ``day`` is compared with, oldest first."""
    try:
        middle = date.fromisoformat(day)
    except ValueError:
        return [day]
    return [(middle + timedelta(days=offset)).isoformat() for offset in range(-WINDOW_DAYS, WINDOW_DAYS + 1)]


#: What stored_pieces gives for one issue: its pieces (item id, title, terms, terms encoded as
#: the cache keeps them), or None when its briefing is unreadable.
StoredPieces = list[tuple[str, str, dict[str, float], str]] | None


def stored_pieces(briefings: list[str]) -> list[StoredPieces]:
    """The pieces of each stored issue (its briefing as the cache keeps it, JSON). Reading them
    is most of the cost of threading, and is done in a process pool for many issues."""
    out: list[StoredPieces] = []
    for data in briefings:
        try:
            briefing = Briefing.from_dict(json.loads(data))
        except (ValueError, KeyError, TypeError):
            out.append(None)
            continue
        out.append([(item_id, title, terms, encode_terms(terms)) for item_id, title, terms in pieces(briefing)])
    return out


class Threader:
    """Places the pieces of every issue not yet threaded, a chunk at a time (:meth:`step`).

    With a process ``pool``, the pieces of the next chunk are read there while this one is
    placed; a result is used only for the stored briefing it was read from.
    """

    def __init__(self, conn: sqlite3.Connection, transaction: Callable, pool: Executor | None = None):
        self.conn = conn
        self.transaction = transaction
        self.pool = pool
        #: Issues whose pieces the pool is reading: id -> (stored briefing, task, place in it).
        self._ahead: dict[str, tuple[str, Future, int]] = {}
        self._next_thread = 1
        #: The pieces of the days around the chunk being placed. They are kept from one chunk
        #: to the next (chunks go oldest first, so neighbours share most days) while no other
        #: connection has written to the cache (PRAGMA data_version) since the last chunk.
        self._days: dict[str, _Day] = {}
        self._data_version: int | None = None
        self._chunk = 0
        self._counts: dict[str, int] = {}

    def pending(self) -> int:
        return self.conn.execute("SELECT count(*) FROM issues WHERE threaded = 0 AND indexed = 1").fetchone()[0]

    def step(self) -> int:
        """Place the pieces of the oldest pending issues (one chunk, one transaction); returns
        how many issues were placed, 0 when none is left.

        Everything is read inside the transaction, so two programs threading the same cache at
        once neither place an issue twice nor hand out one thread number twice.
        """
        with self.transaction():
            rows = self.conn.execute(
                "SELECT id, coalesce(date, substr(sort_date, 1, 10)), briefing, sort_date FROM issues"
                " WHERE threaded = 0 AND indexed = 1 ORDER BY sort_date, id LIMIT ?",
                (CHUNK,),
            ).fetchall()
            if rows:
                self._next_thread = self.conn.execute("SELECT coalesce(max(thread), 0) FROM pieces").fetchone()[0] + 1
                version = self.conn.execute("PRAGMA data_version").fetchone()[0]
                if version != self._data_version:
                    self._days.clear()
                    self._data_version = version
                self._chunk += 1
                try:
                    if self.pool is not None:
                        self._read_ahead(rows)
                    self._place_chunk(rows)
                except BaseException:
                    self._days.clear()  # the transaction is undone: so is what was kept
                    self._data_version = None
                    self._ahead.clear()
                    raise
        return len(rows)

    def _read_ahead(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Have the pool read the pieces of this chunk (those it is not reading yet) and of the
        next one, which it reads while this one is placed."""
        following = self.conn.execute(
            "SELECT id, briefing FROM issues WHERE threaded = 0 AND indexed = 1 AND (sort_date, id) > (?, ?)"
            " ORDER BY sort_date, id LIMIT ?",
            (rows[-1][3], rows[-1][0], CHUNK),
        ).fetchall()
        jobs = [(issue_id, data) for issue_id, _day, data, _sort in rows if issue_id not in self._ahead]
        jobs += following
        for start in range(0, len(jobs), AHEAD_TASK):
            task = jobs[start : start + AHEAD_TASK]
            try:
                future = self.pool.submit(stored_pieces, [data for _id, data in task])
            except Exception:  # noqa: BLE001 - a broken pool: the pieces are read here
                self.pool = None
                return
            for place, (issue_id, data) in enumerate(task):
                self._ahead[issue_id] = (data, future, place)

    def _pieces(self, issue_id: str, data: str) -> StoredPieces:
        """The issue's pieces: as the pool read them from this very briefing, else read here."""
        ahead = self._ahead.pop(issue_id, None)
        if ahead is not None and ahead[0] == data:
            try:
                return ahead[1].result()[ahead[2]]
            except Exception:  # noqa: BLE001 - a worker died: read here
                pass
        return stored_pieces([data])[0]

    # -- one chunk -------------------------------------------------------------------------------
    def _place_chunk(self, rows: list[tuple[str, str, str, str]]) -> None:
        new: list[tuple[_Piece, str, str]] = []
        again = {
            issue_id
            for (issue_id,) in self.conn.execute(
                f"SELECT DISTINCT issue_id FROM pieces WHERE issue_id IN ({','.join('?' * len(rows))})",
                [row[0] for row in rows],
            )
        }
        if again:  # issues placed before and changed since: their old pieces go
            for cached in self._days.values():
                cached.drop(again)
        for issue_id, day, data, _sort in rows:
            if issue_id in again:
                self.conn.execute("DELETE FROM pieces WHERE issue_id = ?", (issue_id,))
            found = self._pieces(issue_id, data)
            if found is None:
                continue  # an unreadable stored issue has no pieces; it is still marked done
            seen: set[str] = set()
            for item_id, title, terms, encoded in found:
                if item_id not in seen:
                    seen.add(item_id)
                    new.append((_Piece(issue_id, item_id, day or "", terms), title, encoded))
        rarity = self._count_terms([piece for piece, _title, _encoded in new])
        for piece, _title, _encoded in new:
            near = _days_around(piece.day)
            self._load(near)
            piece.thread = self._choose_thread(piece, near, rarity)
            self._days[piece.day].add(piece)
        self.conn.executemany(
            "INSERT OR REPLACE INTO pieces (issue_id, item_id, day, title, thread, terms) VALUES (?, ?, ?, ?, ?, ?)",
            [(p.issue_id, p.item_id, p.day, title, p.thread, encoded) for p, title, encoded in new],
        )
        self.conn.executemany("UPDATE issues SET threaded = 1 WHERE id = ?", [(row[0],) for row in rows])

    def _count_terms(self, new: list[_Piece]) -> Rarity:
        totals: dict[str, int] = defaultdict(int)
        for piece in new:
            for term in piece.terms:
                totals[term] += 1
        self.conn.executemany(
            "INSERT INTO term_counts (term, pieces) VALUES (?, ?)"
            " ON CONFLICT (term) DO UPDATE SET pieces = pieces + excluded.pieces",
            totals.items(),
        )
        self._counts.clear()
        total = self.conn.execute("SELECT count(*) FROM pieces").fetchone()[0] + len(new)

        def count(term: str) -> int:
            value = self._counts.get(term)
            if value is None:
                row = self.conn.execute("SELECT pieces FROM term_counts WHERE term = ?", (term,)).fetchone()
                value = self._counts[term] = row[0] if row else 0
            return value

        return Rarity(total, count)

    def _load(self, days: list[str]) -> None:
        """Have the pieces of ``days`` in memory, and drop days long before them (issues are
        placed oldest first, so those are not needed again in this run)."""
        missing = [day for day in days if day not in self._days]
        if not missing:
            return
        for old in [day for day in self._days if day < days[0]]:
            del self._days[old]
        for day in missing:
            self._days[day] = _Day()
        marks = ",".join("?" * len(missing))
        for issue_id, item_id, day, thread, terms in self.conn.execute(
            f"SELECT issue_id, item_id, day, thread, terms FROM pieces WHERE day IN ({marks})", missing
        ):
            self._days[day].add(_Piece(issue_id, item_id, day, thread=thread, encoded=terms))

    def _weight(self, piece: _Piece, rarity: Rarity) -> float:
        """A piece's mass under this chunk's rarity (term counts change from chunk to chunk)."""
        if piece.weight is None or piece.weight[0] != self._chunk:
            piece.weight = (self._chunk, mass(piece.terms, rarity))
        return piece.weight[1]

    def _choose_thread(self, piece: _Piece, near: list[str], rarity: Rarity) -> int | None:
        days = [self._days[day] for day in near]
        # Only a piece that shares MIN_SHARED rare terms can be the same event (same_event),
        # so the rare terms are counted per piece first and the full comparison is kept for
        # those that reach it: most pieces of a window share one rare term or two.
        hits: dict[_Piece, int] = defaultdict(int)
        crowded: list[str] = []  # rare terms with too many pieces to follow, still counted
        for term in piece.terms:
            if not rarity.is_rare(term):
                continue
            groups = [day.by_term[term] for day in days if term in day.by_term]
            if sum(len(group) for group in groups) > MAX_POSTINGS:
                crowded.append(term)
                continue
            for group in groups:
                for other in group:
                    if other.issue_id != piece.issue_id:
                        hits[other] += 1
        candidates = []
        for other, shared in hits.items():
            if shared < MIN_SHARED <= shared + len(crowded):
                shared += sum(1 for term in crowded if other.has(term))
            if shared >= MIN_SHARED:
                candidates.append(other)
        scores: dict[_Piece, float] = {}
        mine = self._weight(piece, rarity)
        for other in candidates:
            score, rare = similarity(piece.terms, other.terms, rarity, (mine, self._weight(other, rarity)))
            if same_event(score, rare):
                scores[other] = score
        if not scores:
            return None
        # the matches grouped by thread; a piece that is in no thread yet is a group of its own
        groups: dict[object, list[_Piece]] = defaultdict(list)
        for other in scores:
            groups[other.thread if other.thread is not None else other].append(other)
        best, best_score = None, 0.0
        for key, matched in groups.items():
            if isinstance(key, int):
                members = [member for day in days for member in day.by_thread.get(key, ())]
                if any(member.issue_id == piece.issue_id for member in members):
                    continue  # a thread holds one piece of an issue
                # a thread is joined when the piece matches enough of its members nearby, so
                # that a chain of near misses does not pull unrelated stories together
                if len(matched) < SUPPORT * len(members):
                    continue
            score = max(scores[member] for member in matched)
            if score > best_score:
                best, best_score = key, score
        if best is None:
            return None
        if isinstance(best, int):
            return best
        thread = self._next_thread
        self._next_thread += 1
        best.thread = thread
        self._days[best.day].by_thread[thread].append(best)
        self.conn.execute(
            "UPDATE pieces SET thread = ? WHERE issue_id = ? AND item_id = ?", (thread, best.issue_id, best.item_id)
        )
        return thread


# -- reading threads -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ThreadMember:
    issue_id: str
    item_id: str | None  # None: the whole issue is the piece (an article without stories)
    title: str
    source: str | None
    day: str

    def to_dict(self) -> dict:
        return {"issue_id": self.issue_id, "item_id": self.item_id, "title": self.title, "source": self.source, "date": self.day}


@dataclass(frozen=True, slots=True)
class Thread:
    id: int
    members: tuple[ThreadMember, ...]  # oldest first

    @property
    def title(self) -> str:
        return headline_of(self.members)

    @property
    def sources(self) -> int:
        return len({member.source or member.issue_id for member in self.members})

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "members": [member.to_dict() for member in self.members],
        }


def headline_of(members: Sequence[ThreadMember]) -> str:
    """What a group of pieces is called: the first story's title rather than an article's (a
    story's title is shorter and names the event)."""
    return next((member.title for member in members if member.item_id is not None), members[0].title)


_MEMBER_COLUMNS = "p.thread, p.issue_id, p.item_id, p.title, i.source, p.day"


def _threads(rows) -> list[Thread]:
    grouped: dict[int, list[ThreadMember]] = {}
    for thread, issue_id, item_id, title, source, day in rows:
        grouped.setdefault(thread, []).append(ThreadMember(issue_id, item_id or None, title, source, day))
    return [Thread(number, tuple(members)) for number, members in grouped.items() if len(members) > 1]


def thread_of(conn: sqlite3.Connection, issue_id: str, item_id: str | None) -> Thread | None:
    """The thread a story (or a story-less issue, item_id None) is in, if any."""
    row = conn.execute(
        "SELECT thread FROM pieces WHERE issue_id = ? AND item_id = ?", (issue_id, item_id or "")
    ).fetchone()
    if not row or row[0] is None:
        return None
    return thread_of_number(conn, row[0])


def thread_of_number(conn: sqlite3.Connection, number: int) -> Thread | None:
    found = _threads(
        conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM pieces p JOIN issues i ON i.id = p.issue_id"
            " WHERE p.thread = ? ORDER BY p.day, i.sort_date, i.position, p.issue_id",
            (number,),
        )
    )
    return found[0] if found else None


def issue_threads(conn: sqlite3.Connection, issue_id: str) -> dict[str, Thread]:
    """item id ("" for a story-less issue) -> its thread, for the pieces of an issue in one."""
    found = {}
    for item_id, number in conn.execute(
        "SELECT item_id, thread FROM pieces WHERE issue_id = ? AND thread IS NOT NULL", (issue_id,)
    ):
        thread = thread_of_number(conn, number)
        if thread is not None:
            found[item_id] = thread
    return found


def threads(conn: sqlite3.Connection, *, since: str | None = None, min_sources: int = 2) -> list[Thread]:
    """Threads with a member on or after ``since``, newest first."""
    rows = conn.execute(
        f"SELECT {_MEMBER_COLUMNS} FROM pieces p JOIN issues i ON i.id = p.issue_id"
        " WHERE p.thread IN (SELECT thread FROM pieces WHERE thread IS NOT NULL AND day >= ?)"
        " ORDER BY p.thread, p.day, i.sort_date, i.position, p.issue_id",
        (since or "",),
    )
    found = [thread for thread in _threads(rows) if thread.sources >= min_sources]
    found.sort(key=lambda thread: (thread.members[-1].day, thread.id), reverse=True)
    return found


def day_pieces(conn: sqlite3.Connection, day: str) -> list[tuple[int | None, ThreadMember]]:
    """(thread, member) for every piece of the issues of ``day``, in reading order."""
    return [
        (thread, ThreadMember(issue_id, item_id or None, title, source, piece_day))
        for thread, issue_id, item_id, title, source, piece_day in conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM pieces p JOIN issues i ON i.id = p.issue_id"
            " WHERE p.day = ? ORDER BY i.sort_date DESC, i.position, i.fetched_at DESC, i.id",
            (day,),
        )
    ]


def neighbour_day(conn: sqlite3.Connection, day: str, step: int) -> str | None:
    """The nearest day before (step -1) or after (step 1) ``day`` that has pieces."""
    if step < 0:
        row = conn.execute("SELECT max(day) FROM pieces WHERE day < ?", (day,)).fetchone()
    else:
        row = conn.execute("SELECT min(day) FROM pieces WHERE day > ?", (day,)).fetchone()
    return row[0] if row else None
