"""Messages that carry results from worker threads back to the reader."""

from __future__ import annotations

from textual.message import Message

from briefing_tui.library import FeedOutcome, ImportReport, IssueView, RefreshReport


class IssueLoaded(Message):
    """An issue finished loading; ``then`` says what to show once it is on screen."""

    def __init__(self, view: IssueView | None, then: tuple[str, str | None] | None = None) -> None:
        super().__init__()
        self.view = view
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
    """Issues waiting to be grouped into threads have been."""
