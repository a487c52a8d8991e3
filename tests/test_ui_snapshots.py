"""Snapshot tests of the reader's main views (pytest-textual-snapshot).

Update the baselines with ``pytest tests/test_ui_snapshots.py --snapshot-update`` and look at
the SVGs (or snapshot_report.html) before committing them. The data is fixed (the issues in
tests/ui_fixtures/), nothing shown depends on the clock or on the temporary paths, and every
worker has finished before the screenshot is taken.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.ui_support import import_fixtures, new_app, settle

SIZES = {"100x30": (100, 30), "80x24": (80, 24)}

#: view -> keys pressed after start-up (the older issue has rows in every section)
VIEWS = {
    "headlines": ["j", "1"],
    "unpacked": ["j", "2"],
    "bottom_line": ["j", "3"],
    "shortlist": ["j", "4"],
    "references": ["j", "5"],
    "story": ["j", "enter", "enter"],
    "help": ["question_mark"],
}


def run_keys(keys: list[str], query: str | None = None):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if query is not None:
            await pilot.press("slash")
            await pilot.pause()
            box = pilot.app.screen.query_one(Input)
            box.cursor_blink = False
            await pilot.press(*query)
            await settle(pilot)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("view", VIEWS)
def test_view(snap_compare, view, size):
    import_fixtures()
    assert snap_compare(new_app(), terminal_size=size, run_before=run_keys(VIEWS[view]))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_search_results(snap_compare, size):
    import_fixtures()
    assert snap_compare(new_app(), terminal_size=size, run_before=run_keys([], query="cone"))
