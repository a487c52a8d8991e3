"""Messages that carry results from worker threads back to the reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from textual.message import Message

from briefing_tui.library import FeedOutcome, ImportReport, IssueSummary, IssueView, RefreshReport


@dataclass(frozen=True, slots=True)
class Listing:
    """What the issue list shows: its filters and its order (the library's keyword arguments)."""

    unread_only: bool = False
    source: str | None = None
    order: str = "newest"

    @property
    def filters(self) -> dict[str, Any]:
        return asdict(self)


class IssueLoaded(Message):
    """An issue finished loading; ``then`` shows what was asked for once it is on screen."""

    def __init__(self, view: IssueView | None, then: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.view = view
        self.then = then


class IssuesListed(Message):
    """The issue list was counted (and its cursor's page read) for ``listing``."""

    def __init__(
        self,
        token: int,
        listing: Listing,
        count: int,
        position: int | None,
        pages: dict[int, list[IssueSummary]],
        subscribed: bool,
        then: Callable[[Any], None] | None,
    ) -> None:
        super().__init__()
        self.token = token
        self.listing = listing
        self.count = count
        self.position = position
        self.pages = pages
        #: False when the cache is empty and there is no subscription (a first start).
        self.subscribed = subscribed
        self.then = then


class RefreshProgress(Message):
    def __init__(self, outcome: FeedOutcome, done: int, total: int) -> None:
        super().__init__()
        self.outcome = outcome
        self.done = done
        self.total = total


class RefreshFinished(Message):
    def __init__(self, report: RefreshReport | None, error: str | None = None) -> None:
        super().__init__()
        self.report = report
        self.error = error


class SampleImported(Message):
    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report


class ThreadsPlaced(Message):
    """Issues waiting to be indexed (``indexed`` of them) or grouped into threads have been."""

    def __init__(self, indexed: int = 0) -> None:
        super().__init__()
        self.indexed = indexed
