"""Helpers for the reader's Pilot and snapshot tests.

Data goes into the temporary directories set up by the autouse ``isolated_dirs`` fixture: the
fixture issues in tests/ui_fixtures/ are imported through the Library before the app starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled
from textual.widgets import Input, OptionList, Static

from briefing_tui.library import Library
from briefing_tui.paths import Locations
from briefing_tui.ui.app import BriefingApp, make_app

UI_FIXTURES = Path(__file__).resolve().parent / "ui_fixtures"
#: Newest first, as the issue list shows them.
NEWER = UI_FIXTURES / "lattice_0511.md"
OLDER = UI_FIXTURES / "lattice_0504.md"

NEWER_TITLE = "The Lattice Letter: an undersea cable fix and a compiler that explains itself"
OLDER_TITLE = "The Lattice Letter: graphene sensors, a tiny planner and a quiet GPU price cut"


@dataclass(frozen=True)
class Ids:
    """Item ids of the fixture issues (they are content hashes, looked up once per test)."""

    newer: str
    older: str
    newer_stories: list[str]
    older_stories: list[str]  # editorial stories only
    sponsored: str
    older_shortlist: list[str]


def locations() -> Locations:
    return Locations.resolve()


def subscribe(*urls: str) -> None:
    """Subscribe the test's library to feed ``urls`` (stored at once, as `add` does)."""
    library = Library(locations())
    try:
        for url in urls:
            library.add_feed(url)
    finally:
        library.close()


def import_files(*paths: Path | str) -> None:
    library = Library(locations())
    try:
        report = library.import_paths([str(path) for path in paths])
        assert not report.errors, report.errors
    finally:
        library.close()


def import_fixtures() -> Ids:
    import_files(OLDER, NEWER)
    library = Library(locations())
    try:
        summaries = library.issues()
        assert [s.title for s in summaries] == [NEWER_TITLE, OLDER_TITLE]
        newer = library.open_issue(summaries[0].id)
        older = library.open_issue(summaries[1].id)
        assert newer is not None and older is not None
        sponsored = [s.id for s in older.briefing.stories if s.sponsored]
        return Ids(
            newer=newer.id,
            older=older.id,
            newer_stories=[s.id for s in newer.briefing.editorial_stories],
            older_stories=[s.id for s in older.briefing.editorial_stories],
            sponsored=sponsored[0],
            older_shortlist=[i.id for i in older.briefing.shortlist],
        )
    finally:
        library.close()


def read_ids() -> set[str]:
    library = Library(locations())
    try:
        return set(library.state.read_ids())
    finally:
        library.close()


def starred_ids() -> set[str]:
    library = Library(locations())
    try:
        return set(library.state.starred_ids())
    finally:
        library.close()


def write_config(text: str) -> Path:
    path = locations().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class RecordingApp(BriefingApp):
    """The reader, recording every notification (toasts expire; the record does not)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[str, str, str]] = []  # (message, severity, title)

    def notify(self, message, *, title="", severity="information", timeout=None, markup=True) -> None:
        self.sent.append((str(message), severity, title))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def messages(self, severity: str | None = None) -> list[str]:
        return [message for message, level, _title in self.sent if severity is None or level == severity]


def new_app() -> RecordingApp:
    """Like make_app(), with the notification record."""
    plain = make_app(locations())
    return RecordingApp(plain.locations, plain.config, config_error=plain.config_error)


async def settle(pilot: Pilot, rounds: int = 40) -> None:
    """Let workers finish and their messages be handled (a handler may start another worker).

    Quiet means: no worker running, twice in a row, with a full pause between the two looks, so
    a message a finished worker posted has been handled and any worker it started has been seen.
    """
    app = pilot.app
    quiet = 0
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive worker replaced by a newer one: the newer one is waited for
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            quiet += 1
            if quiet == 2:
                break
        else:
            quiet = 0


async def press_settled(pilot: Pilot, *keys: str) -> None:
    """Press each key in turn and let the app settle after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def screen_text(app) -> str:
    """The text of the active screen as drawn now, one line per terminal row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def option_ids(widget: OptionList) -> list[str | None]:
    return [widget.get_option_at_index(index).id for index in range(widget.option_count)]


def highlighted_id(widget: OptionList) -> str | None:
    if widget.highlighted is None:
        return None
    return widget.get_option_at_index(widget.highlighted).id


def static_text(widget: Static) -> str:
    return str(widget.render())


def input_value(app, selector: str) -> str:
    return app.screen.query_one(selector, Input).value
