"""Pictures in an issue: a described picture is kept as an "[image: ...]" line where it stood,
with its link among the part's links; logos, pixels, icons, file names and hidden copies are not.

The documents are invented in the shapes e-mail builders and Markdown letters use.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing_tui.model import is_picture_line
from briefing_tui.parser import parse_document

EMAIL = """<html><head><title>The Circuit Sheet</title></head><body>
<table><tr><td><img src="https://cdn.example.com/logo.png" alt="The Circuit Sheet" width="180"></td></tr></table>
<img src="https://t.example.com/open.gif" width="1" height="1" alt="">
<p>Good morning. Three stories today.</p>
<h2>Chipmaker opens a plant in Ohio</h2>
<img src="https://cdn.example.com/plant.jpg" alt="Workers outside the new fab near Columbus" width="560">
<img src="https://cdn.example.com/plant-m.jpg" alt="Workers outside the new fab near Columbus" style="display:none" width="320">
<p>The company said the plant will employ 3,000 people by 2028.</p>
<p><b>Why it matters:</b> It is the largest chip plant in the Midwest.</p>
<p>The site took four years to build.</p>
<img src="https://cdn.example.com/chart.png" alt="A chart of chip output by state since 2020" width="560">
<p>Output doubled in two years, the chart shows.</p>
<h2>Weather app adds radar</h2>
<p><img src="https://cdn.example.com/cloudy.png" alt="cloudy sky" width="14" height="14"> The app now shows radar.</p>
<img src="https://cdn.example.com/alpha_signal_image_1.png" alt="alpha_signal_image_1" width="560">
<img src="https://cdn.example.com/a.png" alt="Company Logo" width="400">
<img src="javascript:alert(1)" alt="A picture with a script for a source">
<img src="https://cdn.example.com/b.png" alt="\x1b[31mRed\x1b[0m storm clouds over the bay" width="500">
<p>It updates every five minutes.</p>
</body></html>"""

WITHOUT_PICTURES = re.sub(r"<img[^>]*>", "", EMAIL)


def parsed(text: str, name: str = "issue.html"):
    return parse_document(text.encode(), filename=name)


def story(briefing, title: str):
    return next(s for s in briefing.stories if s.title == title)


def test_a_described_picture_shows_where_it_stood_with_its_link():
    briefing = parsed(EMAIL)
    plant = story(briefing, "Chipmaker opens a plant in Ohio")
    # Above the text: first in the body; between paragraphs: before the one it stood above.
    assert plant.body == (
        "[image: Workers outside the new fab near Columbus]",
        "The site took four years to build.",
        "[image: A chart of chip output by state since 2020]",
        "Output doubled in two years, the chart shows.",
    )
    links = {link.text: link.url for link in plant.links}
    assert links["image: Workers outside the new fab near Columbus"] == "https://cdn.example.com/plant.jpg"
    assert links["image: A chart of chip output by state since 2020"] == "https://cdn.example.com/chart.png"
    # The phone-width copy hidden by the layout is not a second picture.
    assert "https://cdn.example.com/plant-m.jpg" not in {link.url for link in plant.links}


def test_logos_pixels_icons_file_names_and_script_sources_are_not_pictures():
    briefing = parsed(EMAIL)
    radar = story(briefing, "Weather app adds radar")
    pictures = [line for line in radar.body if is_picture_line(line)]
    # Only the described one is left, its escape sequence gone.
    assert pictures == ["[image: Red storm clouds over the bay]"]
    everything = " ".join(
        [*briefing.intro, *(line for s in briefing.stories for line in (*s.body, *(link.url for link in s.links)))]
    )
    for absent in ("logo.png", "open.gif", "cloudy", "alpha_signal_image_1", "Company Logo", "javascript", "\x1b"):
        assert absent not in everything


def test_pictures_change_no_title_lead_or_bottom_line():
    with_pictures, without = parsed(EMAIL), parsed(WITHOUT_PICTURES)
    assert [(s.id, s.title, s.lead, s.bottom_line, s.unpacked) for s in with_pictures.stories] == [
        (s.id, s.title, s.lead, s.bottom_line, s.unpacked) for s in without.stories
    ]
    assert with_pictures.title == without.title and with_pictures.headlines == without.headlines
    # The masthead logo still names nothing but the masthead: it is no picture of the intro.
    assert not any(is_picture_line(line) for line in with_pictures.intro)


def test_a_markdown_picture_stays_in_the_intro_where_it_stood_with_its_link():
    text = """# Weekly Notes

Hello and welcome back.

![A rover on a red dune at sunset](https://img.example.org/rover.jpg)

This week the rover climbed its first dune.

## Reading list

![logo](https://img.example.org/logo.png)

- [A long read on dunes](https://example.org/dunes)
"""
    briefing = parsed(text, "notes.md")
    assert briefing.intro == (
        "Hello and welcome back.",
        "[image: A rover on a red dune at sunset]",
        "This week the rover climbed its first dune.",
    )
    assert [(link.text, link.url) for link in briefing.intro_links] == [
        ("image: A rover on a red dune at sunset", "https://img.example.org/rover.jpg")
    ]
    assert [item.text for item in briefing.shortlist] == ["A long read on dunes"]
    assert "logo.png" not in repr(briefing.to_dict())


def test_a_thousand_pictures_are_capped_and_parse_quickly():
    rows = "".join(
        f'<p>Paragraph {n} of the long letter.</p><img src="https://cdn.example.com/{n}.jpg" alt="Picture number {n} of a long gallery">'
        for n in range(1000)
    )
    briefing = parsed(f"<html><body><h2>A gallery</h2>{rows}</body></html>")
    lines = [line for s in briefing.stories for line in s.body if is_picture_line(line)]
    lines += [line for line in briefing.intro if is_picture_line(line)]
    assert 0 < len(lines) <= 60


SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "newsletters"


def test_real_newsletters_keep_pictures_out_of_titles_and_leads():
    if not SHARED.is_dir():
        pytest.skip("../shared (newsletter corpus) is not present")
    placed = 0
    for path in sorted(SHARED.glob("*.html")) + sorted(SHARED.glob("*.md")):
        briefing = parse_document(path.read_bytes(), filename=path.name)
        shown = [briefing.title, *briefing.headlines, *(item.text for item in briefing.shortlist)]
        for s in briefing.stories:
            shown += [s.title, s.lead or "", s.bottom_line or "", *s.unpacked]
            pictures = [line for line in s.body if is_picture_line(line)]
            placed += len(pictures)
            assert len(pictures) == len(set(pictures)), path.name
            image_links = [link for link in s.links if link.text.startswith("image: ")]
            assert len(image_links) == len(pictures), path.name
            assert all(link.url.startswith(("https://", "http://")) for link in image_links)
        assert not any("[image:" in text for text in shown), path.name
    # The corpus has news photos and charts with descriptions (news e-mails, a Markdown letter).
    assert placed >= 15
