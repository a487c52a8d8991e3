"""The sample briefings shipped in the package parse into full briefings."""

from __future__ import annotations

import pytest

from briefing_tui.parser import parse_document
from briefing_tui.samples import sample_paths


def test_samples_are_shipped():
    paths = sample_paths()
    assert [path.suffix for path in paths][:1] == [".txt"]
    assert {path.suffix for path in paths} <= {".txt", ".md"}
    assert all(path.is_file() for path in paths)


@pytest.mark.parametrize("path", sample_paths(), ids=lambda path: path.name)
def test_sample_parses_into_a_full_briefing(path):
    briefing = parse_document(path.read_bytes(), filename=path.name)
    assert briefing.title and briefing.source and briefing.date
    assert len(briefing.headlines) >= 3
    assert len(briefing.stories) >= 3
    for story in briefing.stories:
        assert story.lead and story.unpacked and story.bottom_line
        assert story.title in briefing.headlines or any(
            h.lower() == story.title.lower() for h in briefing.headlines
        )
    assert briefing.shortlist and briefing.references
    assert briefing.sections == ()


def test_plain_text_sample():
    (path,) = [p for p in sample_paths() if p.suffix == ".txt"]
    briefing = parse_document(path.read_bytes(), filename=path.name)
    assert briefing.source == "The Sample Desk"
    assert briefing.date == "2026-01-04"
    assert [len(s.unpacked) for s in briefing.stories] == [3, 3, 3]
    assert len(briefing.shortlist) == 3
    assert [r.publisher for r in briefing.references][0] == "The Sample Desk"
