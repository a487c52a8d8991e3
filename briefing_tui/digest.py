"""The day's digest: every issue of one day, thread by thread.

One row per thread (or per story no other issue covers): its title, who covered it, the bottom
line each source gave, and how many of its stories are unread. Sponsored blocks are not pieces,
so they never appear. Pure: the library hands in the day's pieces, briefings and read marks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from briefing_tui.model import Briefing
from briefing_tui.store.threads import ThreadMember, headline_of


@dataclass(frozen=True, slots=True)
class DigestRow:
    thread: int | None
    title: str
    members: tuple[ThreadMember, ...]
    #: (source, bottom line) for each member that has one.
    bottom_lines: tuple[tuple[str, str], ...]
    #: Item ids of the member stories not read yet.
    unread_ids: tuple[str, ...]
    #: The thread's members of other days.
    elsewhere: tuple[ThreadMember, ...] = ()

    @property
    def unread(self) -> int:
        return len(self.unread_ids)

    @property
    def first_unread(self) -> ThreadMember:
        """The member to read first: the first unread story, else the first member."""
        return next((m for m in self.members if m.item_id in self.unread_ids), self.members[0])

    def to_dict(self) -> dict:
        return {
            "thread": self.thread,
            "title": self.title,
            "unread": self.unread,
            "members": [member.to_dict() for member in self.members],
            "bottom_lines": [{"source": source, "text": text} for source, text in self.bottom_lines],
            "other_days": [member.to_dict() for member in self.elsewhere],
        }


@dataclass(frozen=True, slots=True)
class Digest:
    day: str | None
    rows: tuple[DigestRow, ...]
    issues: int

    @property
    def unread(self) -> int:
        return sum(row.unread for row in self.rows)

    def to_dict(self) -> dict:
        return {"date": self.day, "issues": self.issues, "rows": [row.to_dict() for row in self.rows]}

    def to_markdown(self) -> str:
        if self.day is None:
            return "# Digest\n\nNo issues yet.\n"
        lines = [f"# Digest for {self.day}", "", f"{self.issues} issue{'s' if self.issues != 1 else ''}, "
                 f"{len(self.rows)} stor{'ies' if len(self.rows) != 1 else 'y'}, {self.unread} unread.", ""]
        for row in self.rows:
            sources = ", ".join(dict.fromkeys(member.source or "unknown source" for member in row.members))
            lines.append(f"## {_md(row.title)}")
            lines.append("")
            lines.append(f"*{_md(sources)}*" + (f" · {row.unread} unread" if row.unread else ""))
            if row.elsewhere:
                lines.append("")
                lines.append("Also: " + "; ".join(f"{_md(m.source or 'unknown source')}, {m.day}" for m in row.elsewhere))
            lines.append("")
            for source, text in row.bottom_lines:
                lines.append(f"- **{_md(source)}:** {_md(text)}")
            if row.bottom_lines:
                lines.append("")
        return "\n".join(lines)


def _md(text: str) -> str:
    """Text that Markdown shows as written (no headings, emphasis or links made from it)."""
    out = []
    for char in text.replace("\n", " "):
        out.append("\\" + char if char in "\\`*_[]<>#|" else char)
    return "".join(out)


def build_digest(
    day: str | None,
    pieces: list[tuple[int | None, ThreadMember]],
    briefings: Mapping[str, Briefing],
    read: Collection[str],
    elsewhere: Mapping[int, tuple[ThreadMember, ...]] | None = None,
) -> Digest:
    """Group the day's pieces by thread: threads with unread stories before those read through,
    each part with threads covered by most sources (any day) first, then in the order of the
    issue list (newest first)."""
    groups: dict[object, list[ThreadMember]] = {}
    for thread, member in pieces:
        groups.setdefault(thread if thread is not None else (member.issue_id, member.item_id), []).append(member)
    rows = []
    for key, members in groups.items():
        bottom_lines, unread = [], []
        for member in members:
            story = None
            briefing = briefings.get(member.issue_id)
            if briefing is not None and member.item_id is not None:
                story = next((s for s in briefing.stories if s.id == member.item_id), None)
            if story is not None and story.bottom_line:
                bottom_lines.append((member.source or briefing.title, story.bottom_line))
            if member.item_id is not None and member.item_id not in read:
                unread.append(member.item_id)
        title = headline_of(members)
        thread = key if isinstance(key, int) else None
        others = (elsewhere or {}).get(thread, ()) if thread is not None else ()
        rows.append(DigestRow(thread, title, tuple(members), tuple(bottom_lines), tuple(unread), others))
    # what is left to read first; in each part the day's biggest stories first: most sources over
    # the whole thread, then most pieces today. Articles (no unread ids) count as left to read.
    order = {id(row): index for index, row in enumerate(rows)}
    rows.sort(
        key=lambda row: (
            not row.unread and any(m.item_id is not None for m in row.members),
            -len({m.source or m.issue_id for m in (*row.members, *row.elsewhere)}),
            -len(row.members),
            order[id(row)],
        )
    )
    return Digest(day, tuple(rows), len({member.issue_id for _thread, member in pieces}))
