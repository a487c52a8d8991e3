"""Behaviour tests for the parser's general rules, one group per stage.

Every document here is a small invented newsletter. Each test checks what a reader would see
in the parsed Briefing: its title, source and date, its stories, shortlist, headlines, sections
and intro, and that page furniture and metadata lines never take the place of content.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefing_tui.model import Briefing
from briefing_tui.parser import parse_document
from briefing_tui.parser.metadata import publication_from_sender

REPO = Path(__file__).resolve().parents[1]


def parse(text: str, filename: str) -> Briefing:
    return parse_document(text.encode("utf-8"), filename=filename)


def visible_texts(briefing: Briefing) -> list[str]:
    """Every piece of text a reader can see (ids left out)."""
    found: list[str] = []

    def walk(value, key=None):
        if key == "id":
            return
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(briefing.to_dict())
    return found


def content_texts(briefing: Briefing) -> list[str]:
    """The places where page chrome must never show: titles, leads, kickers, list entries."""
    shown = [briefing.title, *briefing.headlines]
    for story in briefing.stories:
        shown += [story.title, story.lead or "", story.kicker or ""]
    shown += [item.text for item in briefing.shortlist]
    return shown


def all_links(briefing: Briefing) -> list[tuple[str, str]]:
    links = list(briefing.intro_links)
    for story in briefing.stories:
        links += story.links
    for section in briefing.sections:
        links += section.links
    pairs = [(link.text, link.url) for link in links]
    pairs += [(item.text, item.url) for item in briefing.shortlist if item.url]
    return pairs


def section(briefing: Briefing, title: str):
    found = [s for s in briefing.sections if s.title == title]
    assert found, f"no section {title!r} in {[s.title for s in briefing.sections]}"
    return found[0]


# -- 1. Metadata stage -----------------------------------------------------------------------------

FRONT_MATTER_ISSUE = """---
title: "Gadgets get smaller"
newsletter_name: gmail
source: the-neuron
date: "Tue, 27 Jan 2026 07:03:17 +1100"
fetched_at: 2026-02-01T00:00:00Z
---

# Gadgets get smaller

Phones shrink again this week, and we look at why the trend is back.

## Tiny phones return

Makers are shipping palm-sized handsets once more, citing demand from commuters.
"""


def test_front_matter_gives_title_and_utc_day_and_ignores_slugs():
    briefing = parse(FRONT_MATTER_ISSUE, "issue.md")
    assert briefing.title == "Gadgets get smaller"
    # 07:03 at +11:00 is still the previous day in UTC; the fetch stamp does not win.
    assert briefing.date == "2026-01-26"
    # "gmail" and "the-neuron" are identifiers, not a publication's name.
    assert briefing.source is None
    texts = visible_texts(briefing)
    for fragment in ("newsletter_name", "the-neuron", "gmail", "fetched_at", "07:03:17", "---"):
        assert not any(fragment in text for text in texts), fragment


def test_front_matter_subject_and_named_source_and_published_at():
    text = """---
subject: Kettles, ranked
newsletter_name: Kitchen Letter
published_at: 2026-03-05T09:30:00Z
---

Every kettle we tried this winter, from the cheapest to the silliest.

Our favourite boils a litre in ninety seconds and costs less than a dinner.
"""
    briefing = parse(text, "kettles.md")
    assert briefing.title == "Kettles, ranked"
    assert briefing.source == "Kitchen Letter"
    assert briefing.date == "2026-03-05"
    assert not any("published_at" in t or "newsletter_name" in t for t in visible_texts(briefing))


def test_iso_timestamp_with_offset_is_the_utc_day():
    text = """---
title: Late edition
published_at: 2026-03-05T23:30:00-05:00
---

Every kettle we tried this winter, from the cheapest to the silliest.
"""
    # 23:30 at -05:00 is 04:30 on the next day in UTC, as the RFC 822 form of the same rule gives.
    assert parse(text, "late.md").date == "2026-03-06"


def test_fetch_stamp_is_the_date_only_as_a_last_resort():
    text = """---
title: Only fetched
fetched_at: 2026-02-01T10:00:00Z
---

Some body text about things that happened this week in the world of lamps.
"""
    assert parse(text, "issue.md").date == "2026-02-01"
    dated = text.replace("fetched_at: 2026-02-01T10:00:00Z", "fetched_at: 2026-02-01T10:00:00Z\ndate: 2026-01-20")
    assert parse(dated, "issue.md").date == "2026-01-20"


def test_pelican_header_is_metadata():
    text = """Title: Gizmo roundup 12
Date: 2026-08-19
Category: Newsletter

Hello readers, this week brings three new gadgets and one recall.

## New gadgets

A folding kettle, a pocket projector and a solar lamp arrived.
"""
    briefing = parse(text, "gizmo.md")
    assert briefing.title == "Gizmo roundup 12"
    assert briefing.date == "2026-08-19"
    assert briefing.intro[0] == "Hello readers, this week brings three new gadgets and one recall."
    texts = visible_texts(briefing)
    for fragment in ("Title:", "Date:", "Category:"):
        assert not any(fragment in t for t in texts), fragment


MAIL_ISSUE = """From: Jane Roe <jane@kettlenews.com>
**Date:** Tue, 27 Jan 2026 07:03:17 +1100
Subject: Kettles are back

Good morning. A short note from the kitchen desk today.

## Why everyone is boiling water again

Tea sales are up for the third winter in a row, and stores cannot keep stock.
"""


def test_mail_header_lines_are_metadata_not_text():
    briefing = parse(MAIL_ISSUE, "mail.md")
    assert briefing.title == "Kettles are back"
    assert briefing.date == "2026-01-26"
    # A person's name at the publication's own domain: the domain names the publication.
    assert briefing.source == "Kettlenews"
    assert briefing.intro[0] == "Good morning. A short note from the kitchen desk today."
    texts = visible_texts(briefing)
    for fragment in ("From:", "Date:", "Subject:", "jane@kettlenews.com", "Jane Roe", "07:03:17"):
        assert not any(fragment in t for t in texts), fragment


def test_plain_text_mail_header_from_line_names_publication():
    text = """From: Tyler from Acme <tyler@acme-mail.com>
Subject: Acme weekly, issue 9

Hello, this week Acme shipped two new anvils and a better rocket skate.

The anvils are heavier than ever and the skates now come with brakes.
"""
    briefing = parse(text, "acme.txt")
    assert briefing.source == "Acme"
    assert briefing.title == "Acme weekly, issue 9"
    assert not any("tyler@" in t or "Subject:" in t for t in visible_texts(briefing))


def test_from_line_wins_over_archive_newsletter_name():
    text = """---
newsletter_name: Wrong Name Weekly
---
From: "Casey Doe" <casey@examplenews.com>
Subject: The news, briefly

Body of the issue goes here with several words about the news of the day.
"""
    briefing = parse(text, "casey.md")
    assert briefing.source == "Examplenews"
    assert briefing.title == "The news, briefly"
    assert not any("Wrong Name Weekly" in t for t in visible_texts(briefing))


def test_from_publication_and_date_line_names_the_source():
    text = """Chipmaker doubles its wafer output

From The Kernel Post — February 12, 2026

The company said on Thursday that its second fab is now running at full speed, two months early.

Analysts expect prices to fall by summer as the new capacity reaches customers.
"""
    briefing = parse(text, "article.txt")
    assert briefing.source == "The Kernel Post"
    assert briefing.date == "2026-02-12"
    assert briefing.subtitle is None
    assert not any("From The Kernel Post" in t for t in visible_texts(briefing))
    # a sentence that starts with "From" and names a day is no source
    sentence = parse(text.replace("From The Kernel Post — February 12, 2026", "From now on, prices rise — February 12, 2026"), "a.txt")
    assert sentence.source != "now on, prices rise"


def test_publication_from_sender_shapes():
    assert publication_from_sender("Tyler from Acme", None) == "Acme"
    assert publication_from_sender("Casey Doe", "casey@examplenews.com") == "Examplenews"
    assert publication_from_sender("The Widget", "hi@newsletter.thewidgetdaily.com") == "The Widget"


def test_sender_display_name_matching_its_domain_is_the_publication():
    text = """From: "The Widget" <hi@newsletter.thewidgetdaily.com>
Subject: Widget things

Body of the issue goes here with several words about widgets and gears.
"""
    assert parse(text, "widget.txt").source == "The Widget"


# -- 2. Plain-text link targets --------------------------------------------------------------------

TARGETS_ISSUE = """Gizmo Letter

This week we tested the Lumen lamp ( https://gizmo.example/lumen ) and liked it a lot.

The kettle review is up. Read the kettle review (https://gizmo.example/kettle) before you buy one.

Our podcast is back. Listen to episode nine [https://gizmo.example/pod9] on your commute today.

We also wrote about the pocket projector that fits in a jacket
( https://gizmo.example/projector )

This line was wrapped by the sender 
and goes on here on the next line.
"""


def test_written_out_targets_become_links_on_the_words_before_them():
    briefing = parse(TARGETS_ISSUE, "letter.txt")
    links = dict((url, text) for text, url in all_links(briefing))
    assert links["https://gizmo.example/lumen"] == "This week we tested the Lumen lamp"
    assert links["https://gizmo.example/kettle"] == "Read the kettle review"
    assert links["https://gizmo.example/pod9"] == "Listen to episode nine"
    assert "This week we tested the Lumen lamp and liked it a lot." in briefing.intro
    assert "The kettle review is up. Read the kettle review before you buy one." in briefing.intro
    assert "Our podcast is back. Listen to episode nine on your commute today." in briefing.intro
    # The URL text itself is gone from every paragraph.
    assert not any("https://" in t for t in visible_texts(briefing) if not t.startswith("https://"))


def test_target_on_a_line_of_its_own_joins_the_words_above():
    briefing = parse(TARGETS_ISSUE, "letter.txt")
    links = dict((url, text) for text, url in all_links(briefing))
    assert links["https://gizmo.example/projector"] == "We also wrote about the pocket projector that fits in a jacket"
    assert not any("( https://gizmo.example/projector )" in t for t in visible_texts(briefing))


def test_line_ending_in_one_space_joins_the_next():
    briefing = parse(TARGETS_ISSUE, "letter.txt")
    joined = "This line was wrapped by the sender and goes on here on the next line."
    texts = visible_texts(briefing)
    assert joined in texts
    assert "and goes on here on the next line." not in texts


# -- 3. Link digests in plain text -----------------------------------------------------------------

DIGEST_ISSUE = """#41 — March 3, 2026

Welcome to this week's round of tools and releases for gizmo builders.

------
CODE & TOOLS
------

* SPROCKET 2.0 ( https://sprocket.example/2 ) — A big release with faster builds and a new plugin system.
  -- Jane Doe

* GEARBOX CLI ( https://gearbox.example/cli ) — A command line tool for managing your gear collections.

* FAST QUEUES ( https://queues.example/ ) — Job queues that survive restarts without losing any work.
  -- Acme (SPONSOR)

IN BRIEF:

* Widget 3.1 is out with a fix for the login bug ( https://widget.example/3.1 ).
* The Cog spec has a new draft ( https://cog.example/draft ) open for comments.
* BOLT PARSER ( https://bolt.example/ ) — A tiny parser for bolt files, written in one weekend.
"""


def _story(briefing: Briefing, title: str):
    found = [s for s in briefing.stories if s.title == title]
    assert found, f"no story {title!r} in {[s.title for s in briefing.stories]}"
    return found[0]


def test_digest_entries_under_a_category_are_stories_with_kicker_and_link():
    briefing = parse(DIGEST_ISSUE, "digest.txt")
    sprocket = _story(briefing, "SPROCKET 2.0")
    assert sprocket.kicker == "CODE & TOOLS"
    assert sprocket.lead == "A big release with faster builds and a new plugin system."
    assert [link.url for link in sprocket.links] == ["https://sprocket.example/2"]
    gearbox = _story(briefing, "GEARBOX CLI")
    assert gearbox.kicker == "CODE & TOOLS"
    assert "https://gearbox.example/cli" in [link.url for link in gearbox.links]
    assert not any("CODE & TOOLS" == s.title for s in briefing.stories)


def test_attribution_line_is_never_a_story_title():
    briefing = parse(DIGEST_ISSUE, "digest.txt")
    assert not any("Jane Doe" in s.title or "Acme" in s.title for s in briefing.stories)
    # The attribution is kept with its entry.
    assert any("Jane Doe" in line for line in _story(briefing, "SPROCKET 2.0").body)


def test_sponsor_attribution_marks_the_story_sponsored():
    briefing = parse(DIGEST_ISSUE, "digest.txt")
    assert _story(briefing, "FAST QUEUES").sponsored
    assert not _story(briefing, "SPROCKET 2.0").sponsored
    assert "FAST QUEUES" not in [s.title for s in briefing.editorial_stories]


def test_in_brief_sentences_are_shortlist_and_dashed_entry_is_a_story():
    briefing = parse(DIGEST_ISSUE, "digest.txt")
    assert [(item.text, item.url) for item in briefing.shortlist] == [
        ("Widget 3.1 is out with a fix for the login bug.", "https://widget.example/3.1"),
        ("The Cog spec has a new draft open for comments.", "https://cog.example/draft"),
    ]
    bolt = _story(briefing, "BOLT PARSER")
    assert bolt.lead == "A tiny parser for bolt files, written in one weekend."
    assert not any("BOLT PARSER" in item.text for item in briefing.shortlist)


# -- 4. Chrome -------------------------------------------------------------------------------------

CHROME_PHRASES = (
    "View in browser",
    "View image",
    "Caption:",
    "Image source",
    "Advertise with us",
    "Want to reach 100,000 readers",
    "How did you like today's issue",
    "↓ 3",
    "X · LinkedIn · Facebook",
    "548 Market Street",
    "Read more",
)

CHROME_MARKDOWN = """[View in browser](https://gizmo.example/web/7)

# Gizmo Daily: lamps and kettles

Good morning. Two gadget stories today, and one recall you should know about.

↓ 3

## Lumen lamp gets brighter

View image: (https://img.gizmo.example/lamp.png)

Caption: The new lamp on a desk.

Image source: Gizmo Labs

The Lumen lamp now puts out twice the light for the same power, its maker said on Monday.

**Why it matters:** Desk lamps have not improved in years.

[Read more](https://gizmo.example/lumen)

## Kettle recall widens

The kettle recall now covers four more models sold since last spring, regulators said.

**Why it matters:** Millions of kitchens have one.

Advertise with us

Want to reach 100,000 readers? Advertise

How did you like today's issue?

X · LinkedIn · Facebook

548 Market Street PMB 1, San Francisco, CA 94104
"""

CHROME_TEXT = """View in browser

Gizmo Daily

Good morning. Three gadget stories today, and one recall you should know about.

↓ 3

Lumen lamp gets brighter

View image: (https://img.gizmo.example/lamp.png)

Caption: The new lamp on a desk.

Image source: Gizmo Labs

The Lumen lamp now puts out twice the light for the same power, its maker said on Monday.

Read more ( https://gizmo.example/lumen )

Kettle recall widens

The kettle recall now covers four more models sold since last spring, regulators said.

Advertise with us

Want to reach 100,000 readers? Advertise

How did you like today's issue?

X · LinkedIn · Facebook

548 Market Street PMB 1, San Francisco, CA 94104
"""


def _assert_no_chrome_in_content(briefing: Briefing) -> None:
    for shown in content_texts(briefing):
        for phrase in CHROME_PHRASES:
            assert phrase not in shown, f"{phrase!r} shown as content in {shown!r}"


def test_chrome_is_never_title_story_or_lead_in_markdown():
    briefing = parse(CHROME_MARKDOWN, "chrome.md")
    assert briefing.title == "Gizmo Daily: lamps and kettles"
    assert [s.title for s in briefing.stories] == ["Lumen lamp gets brighter", "Kettle recall widens"]
    lamp = briefing.stories[0]
    assert lamp.lead == "The Lumen lamp now puts out twice the light for the same power, its maker said on Monday."
    _assert_no_chrome_in_content(briefing)


def test_chrome_is_kept_in_footer_or_intro():
    briefing = parse(CHROME_MARKDOWN, "chrome.md")
    assert "View in browser" in briefing.intro
    footer = section(briefing, "Footer")
    kept = " | ".join(footer.body)
    for phrase in CHROME_PHRASES[1:-1]:
        assert phrase in kept, phrase
    assert "https://img.gizmo.example/lamp.png" in [link.url for link in footer.links]


def test_read_more_button_gives_its_link_to_the_story_before_it():
    briefing = parse(CHROME_MARKDOWN, "chrome.md")
    lamp, kettle = briefing.stories
    assert "https://gizmo.example/lumen" in [link.url for link in lamp.links]
    assert "https://gizmo.example/lumen" not in [link.url for link in kettle.links]


def test_chrome_in_plain_text_is_set_apart():
    briefing = parse(CHROME_TEXT, "chrome.txt")
    assert briefing.title == "Gizmo Daily"
    _assert_no_chrome_in_content(briefing)
    for part in briefing.sections:
        if part.title != "Footer":
            assert not any(phrase in part.title for phrase in CHROME_PHRASES)
    lamp = section(briefing, "Lumen lamp gets brighter")
    assert lamp.body[0].startswith("The Lumen lamp now puts out")
    assert "https://gizmo.example/lumen" in [link.url for link in lamp.links]
    footer = " | ".join(section(briefing, "Footer").body)
    for phrase in ("↓ 3", "Caption: The new lamp on a desk.", "Advertise with us", "548 Market Street PMB 1"):
        assert phrase in footer, phrase
    assert "View in browser" in briefing.intro


# -- 5. Header -------------------------------------------------------------------------------------


def test_masthead_heading_names_source_and_day_and_gives_way_to_headline():
    text = """# Widget Weekly 2026-08-20

## Today's real headline

Some text under the headline about widgets and their makers.

## Another thing

More text about another thing entirely, with details.
"""
    briefing = parse(text, "w.md")
    assert briefing.title == "Today's real headline"
    assert briefing.source == "Widget Weekly"
    assert briefing.date == "2026-08-20"


def test_setext_masthead_with_dotted_date():
    text = """Widget Weekly — 2025.05.21 edition
==================================

Hello! This edition has five data sets for you to explore.

Bridges
-------

A list of every bridge in the county, with its age.
"""
    briefing = parse(text, "w.md")
    assert briefing.source == "Widget Weekly"
    assert briefing.date == "2025-05-21"


def test_teaser_line_above_the_issue_line_is_intro():
    text = """Plus a deep dive into gears, cogs and sprockets.

#598 — April 24, 2026

Here is the issue body, with a few words about what we found this week.

Another paragraph of the body that goes on about sprockets.
"""
    briefing = parse(text, "w.txt")
    assert briefing.title == "#598 — April 24, 2026"
    assert briefing.date == "2026-04-24"
    assert briefing.intro[0] == "Plus a deep dive into gears, cogs and sprockets."


def test_prose_opening_gives_way_to_title_from_file_name():
    text = """Welcome to another issue of Widget Weekly! This week we have news from the widget world. There are new releases. There are talks to watch.

## Releases

Widget 4 came out on Tuesday with a faster core.
"""
    briefing = parse(text, "widget-weekly_77.md")
    assert briefing.source == "Widget Weekly"
    assert briefing.title == "Widget Weekly #77"
    assert briefing.intro[0].startswith("Welcome to another issue of Widget Weekly!")


# -- 6. Publication from text ----------------------------------------------------------------------


def test_welcome_sentence_names_the_publication():
    text = """Gadget picks for the week

Welcome to Gizmo Notes, a newsletter about gadgets. Today we look at lamps.

The Lumen lamp is bright and cheap, and it ships next month.
"""
    assert parse(text, "n.txt").source == "Gizmo Notes"


def test_reader_supported_line_in_footer_names_the_publication():
    text = """Gadget picks for the week

Today we look at lamps and why they matter so much to desk workers.

The Lumen lamp is bright and cheap, and it ships next month.

Gizmo Notes is a reader-supported publication. To get new posts, subscribe.
"""
    assert parse(text, "n.txt").source == "Gizmo Notes"


def test_web_version_link_names_the_site():
    text = """[Read the Web Version](https://gizmoweekly.com/issues/5)

# Lamps, kettles and more

The Lumen lamp is bright and cheap, and it ships next month.
"""
    briefing = parse(text, "n.md")
    assert briefing.source == "gizmoweekly"
    assert briefing.title == "Lamps, kettles and more"


# -- 7. Headlines ----------------------------------------------------------------------------------


def test_inline_headline_sentence_is_split_into_headlines():
    text = """Morning Gizmo

Today's issue: A rocket lands, a chip ships, and a court rules.

A rocket lands

The booster came down on the pad after its tenth flight, the company said.

Why it matters: Reuse cuts the cost of launches.
"""
    briefing = parse(text, "h.txt")
    assert briefing.headlines == ("A rocket lands", "a chip ships", "a court rules")
    assert [s.title for s in briefing.stories] == ["A rocket lands"]


def test_world_today_label_makes_bullets_headlines():
    text = """# Morning Gizmo

The World Today

- Rocket lands on its tenth flight
- Chip maker ships its new part
- Court rules on the gadget patent

## Rocket lands on its tenth flight

The booster came down on the pad after its tenth flight, the company said.
"""
    briefing = parse(text, "h.md")
    assert briefing.headlines == (
        "Rocket lands on its tenth flight",
        "Chip maker ships its new part",
        "Court rules on the gadget patent",
    )
    assert "The World Today" not in [s.title for s in briefing.stories]


def test_heres_what_happened_label_and_scoped_shortlist_label():
    text = """# Morning Gizmo

Here's what happened

- Rocket lands on its tenth flight
- Chip maker ships its new part

## Rocket lands on its tenth flight

The booster came down on the pad after its tenth flight, the company said.

## Elsewhere in the ecosystem

- [Sprocket 2.0 released](https://sprocket.example/2) with faster builds.
- [Cog spec draft](https://cog.example/draft) is open for comments.
"""
    briefing = parse(text, "h.md")
    assert briefing.headlines == ("Rocket lands on its tenth flight", "Chip maker ships its new part")
    assert [(item.text, item.url) for item in briefing.shortlist] == [
        ("Sprocket 2.0 released with faster builds.", "https://sprocket.example/2"),
        ("Cog spec draft is open for comments.", "https://cog.example/draft"),
    ]
    assert "Elsewhere in the ecosystem" not in [s.title for s in briefing.sections + briefing.stories]


# -- 8. Sections and intro keep their links --------------------------------------------------------

ARTICLE = """# The slow return of the desk lamp

Lamps are selling again, says the [trade group's report](https://lamps.example/report-2026).

## How we got here

For a decade, overhead lighting won. Then people started working from home.

## What to watch

- [The Lumen recall hearing](https://lamps.example/lumen-hearing) next Tuesday
- [New efficiency rules](https://lamps.example/rules) that start in June
"""


def test_named_section_keeps_its_links():
    briefing = parse(ARTICLE, "lamps.md")
    watch = section(briefing, "What to watch")
    assert [link.url for link in watch.links] == [
        "https://lamps.example/lumen-hearing",
        "https://lamps.example/rules",
    ]


def test_intro_paragraph_link_is_in_intro_links():
    briefing = parse(ARTICLE, "lamps.md")
    assert briefing.intro == ("Lamps are selling again, says the trade group's report.",)
    assert [(link.text, link.url) for link in briefing.intro_links] == [
        ("trade group's report", "https://lamps.example/report-2026")
    ]


def test_cli_json_prints_section_and_intro_links(tmp_path):
    issue = tmp_path / "lamps.md"
    issue.write_text(ARTICLE, encoding="utf-8")
    home = tmp_path / "clihome"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "BRIEFING_TUI_")) and key != "HOME"
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_CONFIG_HOME=str(home / "config"),
        BRIEFING_TUI_DATA_DIR=str(home / "data" / "briefing-tui"),
        BRIEFING_TUI_CACHE_DIR=str(home / "cache" / "briefing-tui"),
        BRIEFING_TUI_CONFIG_DIR=str(home / "config" / "briefing-tui"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "briefing_tui", "parse", str(issue), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["intro_links"] == [{"text": "trade group's report", "url": "https://lamps.example/report-2026"}]
    watch = next(s for s in data["sections"] if s["title"] == "What to watch")
    assert [link["url"] for link in watch["links"]] == [
        "https://lamps.example/lumen-hearing",
        "https://lamps.example/rules",
    ]


LINKED_HEADING_DIGEST = """# Widget Digest 2026-03-02

## Robots fold towels, chips get cheaper

### Launches

[### Foldwise ships its towel robot (3 minute read)](https://foldwise.example.com/ship)

Foldwise started shipping its two-armed robot to hotels after a year of pilots in Oslo.

[### Brise-7 weights are out (2 minute read)](https://brise.example.org/7)

The Paris lab published the weights of its seven-billion-parameter model under a permissive licence.

### Deep Dives

[### Why fabs slip (12 minute read)](https://fabs.example.net/slip)

A long look at why chip plants open years late, from permits to the tools that arrive last.
"""


def test_category_heading_over_linked_headings_is_their_kicker_not_a_section():
    briefing = parse_document(LINKED_HEADING_DIGEST, filename="widget.md")
    assert [(s.kicker, s.title) for s in briefing.stories] == [
        ("Launches", "Foldwise ships its towel robot (3 minute read)"),
        ("Launches", "Brise-7 weights are out (2 minute read)"),
        ("Deep Dives", "Why fabs slip (12 minute read)"),
    ]
    assert [s.links[0].url for s in briefing.stories] == [
        "https://foldwise.example.com/ship",
        "https://brise.example.org/7",
        "https://fabs.example.net/slip",
    ]
    assert not [s.title for s in briefing.sections if s.title in ("Launches", "Deep Dives")]


# -- 9. Lists of links under a heading are quick items ---------------------------------------------

LINK_LISTS = """# Gearbox Weekly #212

Welcome back. One long story this week and a pile of links.

## The new linker is here

The team behind the Gearbox toolchain shipped its new linker today. It links the largest
test project in a third of the time and uses half the memory of the old one.

## Cool bits

- [Sprocket 2.0](https://sprocket.example/2) ships incremental builds.
- Pat Lee wrote about [why her CI got slower](https://pat.example/ci) after the upgrade.
- [A pipe organ in a spreadsheet](https://organ.example)

## Releases

- [cog 1.4](https://cog.example/1.4)
- [axle 0.9](https://axle.example/0.9)

## Notes from the editor

I am moving house next week, so the next issue may be late.
"""


def test_heading_over_links_becomes_shortlist_items_under_that_heading():
    briefing = parse(LINK_LISTS, "gearbox.md")
    assert [(item.group, item.text, item.url) for item in briefing.shortlist] == [
        ("Cool bits", "Sprocket 2.0 ships incremental builds.", "https://sprocket.example/2"),
        ("Cool bits", "Pat Lee wrote about why her CI got slower after the upgrade.", "https://pat.example/ci"),
        ("Cool bits", "A pipe organ in a spreadsheet", "https://organ.example"),
        ("Releases", "cog 1.4", "https://cog.example/1.4"),
        ("Releases", "axle 0.9", "https://axle.example/0.9"),
    ]
    # The story (one article, so a named part here) and the editor's note have no list of links.
    assert [s.title for s in briefing.sections] == ["The new linker is here", "Notes from the editor"]


def test_editors_outlook_list_with_links_stays_a_section():
    briefing = parse(ARTICLE, "lamps.md")
    assert briefing.shortlist == ()
    assert [s.title for s in briefing.sections] == ["How we got here", "What to watch"]


def test_list_of_essay_points_without_links_stays_a_section():
    text = """# On slow software

Most programs got slower as computers got faster.

## Why

- Layers of abstraction pile up.
- Nobody measures the cold start.
- Every feature ships, none is removed.
"""
    briefing = parse(text, "slow.md")
    assert briefing.shortlist == ()
    assert section(briefing, "Why").body[0] == "- Layers of abstraction pile up."


def test_poll_answers_are_chrome_not_quick_items():
    text = """# Gearbox Weekly #213

## The linker, one week on

Builds are faster everywhere we looked, and two bugs were fixed in the first week.

### How did you like this issue?

- [😀 Loved it](https://poll.example/1)
- [🙂 It was fine](https://poll.example/2)
- [😐 Not for me](https://poll.example/3)
"""
    briefing = parse(text, "gearbox213.md")
    assert briefing.shortlist == ()
    assert all("Loved it" not in shown for shown in content_texts(briefing))
    # Kept, not dropped: the answers stand in the footer with the other page furniture.
    footer = section(briefing, "Footer")
    assert "- 😀 Loved it" in footer.body


def test_markdown_export_writes_the_shortlist_under_its_headings():
    from briefing_tui.render import briefing_markdown

    markdown = briefing_markdown(parse(LINK_LISTS, "gearbox.md"))
    shortlist = markdown.partition("## The Shortlist")[2]
    assert shortlist.index("### Cool bits") < shortlist.index("- [Sprocket 2.0 ships incremental builds.]")
    assert shortlist.index("- [A pipe organ in a spreadsheet](https://organ.example)") < shortlist.index("### Releases")
    assert "### Releases\n\n- [cog 1.4](https://cog.example/1.4)\n- [axle 0.9](https://axle.example/0.9)" in shortlist


# -- 10. Link digests without bold titles ----------------------------------------------------------

def test_linked_entries_with_their_blurb_under_them_are_stories_under_the_heading():
    text = """# Lambda Letter #77

## Featured

- [Parser combinators, again](https://blog.example/parsers) by Ana Ruiz

  A fresh look at error messages in parser combinator libraries.

- [ghc-lite 0.3 released](https://forum.example/ghc-lite) by tomo

  Smaller binaries and a faster linker for small projects.

## Call for participation

- [wire-types: extend path extraction](https://code.example/wire/issues/36)
"""
    briefing = parse(text, "lambda.md")
    assert [(s.kicker, s.title, s.lead) for s in briefing.stories] == [
        ("Featured", "Parser combinators, again by Ana Ruiz", "A fresh look at error messages in parser combinator libraries."),
        ("Featured", "ghc-lite 0.3 released by tomo", "Smaller binaries and a faster linker for small projects."),
    ]
    assert [l.url for l in briefing.stories[1].links] == ["https://forum.example/ghc-lite"]
    assert [(item.group, item.text, item.url) for item in briefing.shortlist] == [
        ("Call for participation", "wire-types: extend path extraction", "https://code.example/wire/issues/36")
    ]


def test_one_list_entry_followed_by_a_paragraph_is_not_a_story():
    text = """# Notes on build caches

Three tools I tried this month:

- [cachet](https://cachet.example)

I liked it, but the setup took an afternoon and the docs are thin.
"""
    briefing = parse(text, "notes.md")
    assert briefing.stories == ()


DIGEST_HTML = """<html><body>
<p>#88 — May 5, 2026 · <a href="https://pipeweekly.example/issues/88">Read on the Web</a></p>
<p>Pipe Weekly</p>
<p><a href="https://pipeweekly.example/link/1">Streams 4.0 Released</a> — The stream library drops its
last legacy API and gets twice as fast on small chunks.</p>
<p>Jo Park</p>
<p><a href="https://pipeweekly.example/link/2">Ship Logs to Anywhere in Minutes</a> — LogPort collects,
filters and ships logs from every service you run.</p>
<p>LogPort sponsor</p>
<p>💼 Jobs</p>
<p><a href="https://pipeweekly.example/link/3">Senior Stream Engineer (Remote)</a> — Join a small team
building the fastest pipes on the web.</p>
<p>Conduit Inc</p>
<p>🔧 Code &amp; Tools</p>
<p><a href="https://pipeweekly.example/link/4">tee-js: Split a Stream in Two</a> — A tiny helper that
does one thing well.</p>
<p>SMALLCO</p>
<p><a href="https://pipeweekly.example/link/5">drain 2.1: Wait for Streams to Finish</a> — Now with
timeouts and cancellation.</p>
</body></html>"""


def test_html_digest_with_plain_linked_titles_bylines_and_paid_entries():
    briefing = parse(DIGEST_HTML, "pipe.html")
    # The issue line without its "Read on the Web" button; the masthead spelled as printed.
    assert briefing.title == "#88 — May 5, 2026"
    assert briefing.source == "Pipe Weekly"
    assert briefing.date == "2026-05-05"
    assert [(s.kicker, s.title, s.sponsored) for s in briefing.stories] == [
        (None, "Streams 4.0 Released", False),
        (None, "Ship Logs to Anywhere in Minutes", True),  # "LogPort sponsor" under it
        ("💼 Jobs", "Senior Stream Engineer (Remote)", True),  # a job listing is paid for
        ("🔧 Code & Tools", "tee-js: Split a Stream in Two", False),
        # "SMALLCO" under the entry before is that entry's byline, not a new category.
        ("🔧 Code & Tools", "drain 2.1: Wait for Streams to Finish", False),
    ]
    assert briefing.stories[0].lead.startswith("The stream library drops its last legacy API")
    assert briefing.stories[0].body == ("Jo Park",)


# -- 11. E-mail HTML with no subject line ----------------------------------------------------------

POINTS_HTML = """<html><head><title>
</title></head><body>
<p><a href="https://mail.example/t/view">Is this email difficult to read? View in browser</a></p>
<p><img src="https://img.example/logo.png" alt="The Harbor Courier"><img src="https://img.example/pts.png" alt="The 5 Point."></p>
<p><a href="https://mail.example/t/ad"><img src="https://img.example/sponsor.png"></a>Sponsored By</p>
<p>Good morning. The port strike is over. Here is what it means for you, and what comes next. Enjoy.</p>
<h2>TODAY'S HEADLINES</h2>
<p>1</p>
<ul><li>Dockworkers <a href="https://mail.example/t/deal">approved the deal</a> by a wide margin.</li>
<li>Ferry fares <a href="https://mail.example/t/fares">rise in June</a>.</li></ul>
<h2>READ IT HERE FIRST</h2>
<p>2</p>
<h3>The strike cost the port a month of trade.</h3>
<p>Container volumes fell by half in May, <a href="https://mail.example/t/volumes">port data show</a>, and
will take the summer to recover.</p>
<h2>CONTENT FROM: HARBORBANK</h2>
<h3>Banking that floats your boat</h3>
<p>HarborBank gives ship owners a line of credit in a day.</p>
</body></html>"""


def test_email_without_subject_takes_the_lead_story_headline_and_the_logo_name():
    briefing = parse(POINTS_HTML, "points.html")
    assert briefing.title == "The strike cost the port a month of trade."
    assert briefing.source == "The Harbor Courier"
    assert briefing.headlines == (
        "Dockworkers approved the deal by a wide margin.",
        "Ferry fares rise in June.",
    )
    # The headlines' links stay reachable with the intro's.
    assert [link.url for link in briefing.intro_links][-2:] == ["https://mail.example/t/deal", "https://mail.example/t/fares"]
    assert [(s.kicker, s.title, s.sponsored) for s in briefing.stories] == [
        ("READ IT HERE FIRST", "The strike cost the port a month of trade.", False),
        ("CONTENT FROM: HARBORBANK", "Banking that floats your boat", True),
    ]
    shown = content_texts(briefing)
    # Neither the browser button, the bare sponsor mark nor the point numbers read as content.
    assert not any("difficult to read" in text or text in ("1", "2", "Sponsored By") for text in shown)
    assert "Is this email difficult to read? View in browser" in visible_texts(briefing)


SHARED_SUBJECT_HTML = """<html><body>
<p>April 27, 2026</p>
<h1>Dispatch</h1>
<p><a href="mailto:?subject=%F0%9F%9F%A1%20Ports%2C%20prices%2C%20and%20pelicans%20%7C%20Tidewater&body=x">Share</a></p>
<h2>Ports reopen after the strike</h2>
<p>The port reopened on Monday after a month-long strike, and the first ships are already in.</p>
</body></html>"""


def test_subject_from_the_share_by_email_link_and_a_banner_heading_is_not_the_title():
    briefing = parse(SHARED_SUBJECT_HTML, "dispatch.html")
    assert briefing.title == "🟡 Ports, prices, and pelicans"
    assert briefing.source == "Tidewater"
    assert briefing.date == "2026-04-27"
    # The banner is kept, as the heading of the part it stands over.
    assert "Dispatch" in visible_texts(briefing)


# -- 12. Bare linked headlines and mail click-trackers ---------------------------------------------

BARE_HEADLINES_HTML = """<html><body>
<p>Payments Weekly · Saturday - December 18, 2021</p>
<p><b>How We Shop</b></p>
<p><b><a href="https://click.example/track?type=click&amp;enid=Zm9v&amp;&amp;&amp;2001&amp;&amp;&amp;https://news.example/shop">It's a Very Vending Machine Christmas</a></b></p>
<p>Vending machines now sell gift cards, phones and caviar, and shoppers are buying.</p>
<p><b>Trending Topics</b></p>
<p><b><a href="https://click.example/r?u=https%3A%2F%2Fnews.example%2Fbanking%3Fa%3D1">Consumers Interested in Open Banking</a></b></p>
<p><b><a href="https://news.example/rewards">Consumers Seek to Spend Rewards Points</a></b></p>
</body></html>"""


def test_bare_linked_headlines_are_quick_items_and_trackers_are_unwrapped():
    briefing = parse(BARE_HEADLINES_HTML, "payments.html")
    assert [(s.title, [l.url for l in s.links]) for s in briefing.stories] == [
        ("It's a Very Vending Machine Christmas", ["https://news.example/shop"]),
    ]
    assert [(item.group, item.text, item.url) for item in briefing.shortlist] == [
        ("Trending Topics", "Consumers Interested in Open Banking", "https://news.example/banking?a=1"),
        ("Trending Topics", "Consumers Seek to Spend Rewards Points", "https://news.example/rewards"),
    ]


def test_unwrap_redirect_keeps_links_without_an_embedded_address():
    from briefing_tui.text import unwrap_redirect

    plain = "https://site.example/a?ref=newsletter&id=3"
    assert unwrap_redirect(plain) == plain
    assert unwrap_redirect("https://t.example/c?url=https%3A%2F%2Fsite.example%2Fpost") == "https://site.example/post"
    # Only web addresses are taken out; a javascript: payload in a tracker is not a link.
    assert unwrap_redirect("https://t.example/c?u=javascript:alert(1)") == "https://t.example/c?u=javascript:alert(1)"


# -- 13. Bold run-in titles and an unlabelled topic line -------------------------------------------

RUN_IN = """# Tables Weekly — 2026.03.04 edition

Bridge inspections, ferry timetables, and school lunch menus.

**Bridge inspections.** The state transport office publishes every bridge inspection since 1992,
with condition scores for deck, superstructure and substructure. [Inspections](https://data.example/bridges)

**Ferry timetables?** A volunteer archive keeps scanned ferry timetables from forty islands,
transcribed into one table per season and route.

**School lunch menus.** A district posts each week's menu as a spreadsheet, going back to 2011,
with allergens marked for every dish.

Thanks for reading. **Reply** with your own finds.
"""


def test_bold_run_in_titles_are_stories_and_the_topic_line_is_the_headline_list():
    briefing = parse(RUN_IN, "tables.md")
    assert briefing.source == "Tables Weekly"
    assert briefing.headlines == ("Bridge inspections", "ferry timetables", "school lunch menus")
    assert [(s.title, s.lead.split(".")[0]) for s in briefing.stories] == [
        ("Bridge inspections.", "The state transport office publishes every bridge inspection since 1992, with condition scores for deck, superstructure and substructure"),
        ("Ferry timetables?", "A volunteer archive keeps scanned ferry timetables from forty islands, transcribed into one table per season and route"),
        ("School lunch menus.", "A district posts each week's menu as a spreadsheet, going back to 2011, with allergens marked for every dish"),
    ]
    assert [l.url for l in briefing.stories[0].links] == ["https://data.example/bridges"]


def test_one_bold_opening_sentence_is_emphasis_not_a_story():
    text = """# A letter on maps

**This matters.** Old maps are being thrown away by libraries that have run out of room, and
almost nobody has noticed the loss yet.

The rest of this letter is about what to do with them.
"""
    briefing = parse(text, "maps.md")
    assert briefing.stories == ()
    assert briefing.headlines == ()


def test_plain_text_story_whose_takeaway_comes_after_a_long_body():
    facts = "\n".join(f"- Fact {n}: the model does thing number {n} well enough." for n in range(1, 13))
    text = f"""Dear friends,

This week I want to talk about tests, and why they matter more than ever.

Keep building!

News

Lantern 2 Aims for Long Tasks

Lantern updated its open model to work on one task for hours.

{facts}

Why it matters: Long tasks are where agents earn their keep.

Ferries Learn to Dock Themselves

A ferry line in the north now docks without a pilot on board, in any weather.

Why it matters: Docking is the hardest part of a crossing.
"""
    briefing = parse(text, "letter.txt")
    assert [(s.title, s.bottom_line) for s in briefing.stories] == [
        ("Lantern 2 Aims for Long Tasks", "Long tasks are where agents earn their keep."),
        ("Ferries Learn to Dock Themselves", "Docking is the hardest part of a crossing."),
    ]
    assert len(briefing.stories[0].unpacked) + len(briefing.stories[0].body) >= 12


# -- 14. The publication named by the title's series or the site's home link ------------------------

@pytest.mark.parametrize(
    ("title", "source"),
    [
        ("The Gauge Radar #212: Chips, ports and pelicans", "The Gauge Radar"),
        ("Model digest: March 2026", "Model digest"),
        ("Issue 12: nothing to see", None),
        ("Why chips are scarce again", None),
    ],
)
def test_the_series_in_a_title_names_the_publication(title, source):
    text = f"# {title}\n\nThe week was busy, and here is what happened in it, briefly.\n"
    assert parse(text, "issue.md").source == source


def test_a_link_to_the_sites_home_page_at_the_top_names_the_publication():
    html = """<html><body>
<p><a href="https://gaugesignal.example/?utm_source=email">Signup</a> · <a href="https://gaugesignal.example/ads">Work With Us</a></p>
<h1>Why small models are winning</h1>
<p>Three releases this week make the case that small models are good enough for most work.</p>
</body></html>"""
    assert parse(html, "signal.html").source == "gaugesignal"


def test_an_empty_heading_over_headed_link_lists_names_their_groups():
    text = """# Gearbox Weekly #214

## From the community

### Official

- [Linker 2 ships](https://gearbox.example/linker-2)

### Walkthroughs

- [Cross-compiling for watches](https://walk.example/watch)
- [Gearbox on a router](https://walk.example/router)

## Housekeeping

I am back from holiday; thanks for your patience with this late issue.
"""
    briefing = parse(text, "gearbox214.md")
    assert [(item.group, item.text) for item in briefing.shortlist] == [
        ("From the community · Official", "Linker 2 ships"),
        ("From the community · Walkthroughs", "Cross-compiling for watches"),
        ("From the community · Walkthroughs", "Gearbox on a router"),
    ]
    assert [s.title for s in briefing.sections] == ["Housekeeping"]


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("Tue, 28 Apr 2026 00:29:12 +0000", "2026-04-27"),  # sent in the evening, "tomorrow" in UTC
        ("Mon, 27 Apr 2026 14:00:00 +0000", "2026-04-27"),
    ],
)
def test_the_bylines_stated_day_beats_a_sending_time_a_day_off(sent, expected):
    text = f"""---
subject: "Shaking things up"
date: {sent}
---

# Shaking things up

By Casey Nolan • 27 Apr 2026

Today I want to tell you about some changes to this newsletter, and why we are making them now.
"""
    assert parse(text, "letter.md").date == expected


def test_an_empty_heading_beside_a_link_list_at_its_own_level_is_kept():
    text = "# Gearbox\n\n## Archive\n\n## Cool bits\n\n- [Linker 2](https://g.example/2)\n- [Linker 3](https://g.example/3)\n"
    briefing = parse(text, "gearbox.md")
    assert "Archive" in visible_texts(briefing)
    assert [item.group for item in briefing.shortlist] == ["Cool bits", "Cool bits"]


def test_the_editors_notes_are_sections_and_a_run_of_linked_briefs_is_the_shortlist():
    html = """<html><body>
<h1>Model Week #12: Agents everywhere</h1>
<h2>Next Week in Model Week:</h2>
<p>We start a series on state-space models.</p>
<p>We also look at two new coding benchmarks.</p>
<h2>Editorial: Agents everywhere</h2>
<p>This week felt less like a model launch cycle and more like a shift in how software gets built.</p>
<p>Three releases explain why, and they have little to do with benchmarks.</p>
<h2>🤖 Releases</h2>
<h3><a href="https://r.example/quillkit">Quillkit 1.0</a></h3>
<p>A small library for writing agents that call shell tools safely and log every call.</p>
<h3><a href="https://r.example/lumen">Lumen 2</a></h3>
<p>The open image model now edits photos from a text instruction.</p>
<h2>8 AI News You Need to Know</h2>
<p>Northwind <a href="https://n.example/1">raised $30M</a> to build inference chips for phones.</p>
<p><a href="https://n.example/2">Contoso and Fabrikam announced</a> a partnership on data centres in Ohio.</p>
<p>Tailspin <a href="https://n.example/3">acquired Wingtip</a>, its third purchase this year.</p>
<p>Litware <a href="https://n.example/4">open-sourced its eval suite</a> under the MIT licence.</p>
<p><a href="https://n.example/5">Adatum committed up to $4B in Proseware</a> — $1B now, the rest on milestones.</p>
<p>Woodgrove <a href="https://n.example/6">cut prices</a> for its hosted models by half.</p>
<h2>Subscribe and don't miss out:</h2>
<p>Model Week is a reader-supported publication. To receive new posts, consider becoming a free or paid subscriber.</p>
<p><a href="https://mw.example/upgrade">Upgrade to paid</a></p>
</body></html>"""
    briefing = parse(html, "modelweek.html")
    assert [s.title for s in briefing.stories] == ["Quillkit 1.0", "Lumen 2"]
    sections = [s.title for s in briefing.sections]
    assert sections[:2] == ["Next Week in Model Week", "Editorial: Agents everywhere"]
    # The briefs, the dashed one included, are quick items under their heading.
    assert [item.url for item in briefing.shortlist] == [f"https://n.example/{n}" for n in range(1, 7)]
    assert {item.group for item in briefing.shortlist} == {"8 AI News You Need to Know"}
    # The subscription appeal is the platform's furniture, kept in the footer.
    footer = next(s for s in briefing.sections if s.title == "Footer")
    assert "Upgrade to paid" in footer.body
    assert any("reader-supported publication" in line for line in footer.body)


@pytest.mark.parametrize(
    ("stamp", "date"),
    [
        ("<p>Apr 26</p><p>© 2026 Model Week</p>", "2026-04-26"),  # year from the copyright line
        ("<p>April 26 • Issue #1869</p><p>Sunday April, 2026</p>", "2026-04-26"),
        ("<p>Source: market data as of 4/27/2026, 6:00 AM ET</p>", "2026-04-27"),  # a data stamp
    ],
)
def test_a_date_without_its_year_or_a_data_stamp_dates_the_issue(stamp, date):
    html = f"""<html><body><h1>Daily Digest</h1>{stamp}
<h2>Chips get cheaper</h2><p>Prices for inference chips fell again this quarter, and buyers noticed.</p>
</body></html>"""
    briefing = parse(html, "digest.html")
    assert briefing.date == date
    assert "Apr 26" not in [s.title for s in briefing.stories]


def test_a_sending_time_chooses_the_year_of_a_yearless_day():
    text = """---
subject: "Year end"
date: Thu, 01 Jan 2027 08:00:00 +0000
---

# Year end

Dec 31

## Chips get cheaper

Prices for inference chips fell again this quarter, and buyers noticed.
"""
    assert parse(text, "letter.md").date == "2027-01-01"


def test_a_date_in_the_banner_pictures_words_dates_the_issue():
    html = """<html><body><p><a href="https://b.example/web">View in browser</a></p>
<img alt="The Weekly top banner - April 24, 2026" src="https://b.example/banner.png">
<p>Dear friends,</p><p>Coding agents speed up some kinds of software work far more than others.</p>
</body></html>"""
    assert parse(html, "weekly.html").date == "2026-04-24"


def test_a_labelled_notice_with_a_link_under_the_headline_list_is_a_quick_item():
    text = """Sample Plural — 2026.03.04 edition
==================================

*Bridge inspections, ferry timetables, and school lunches.*

*👋 Job alert: [We're hiring a data editor](https://jobs.example/editor) for our graphics desk.*

*Programming note: no issue next week.*

__Bridge inspections.__ The national bridge inventory lists condition ratings for every public bridge.

__Ferry timetables.__ A volunteer project collects historical ferry timetables from port archives.

__School lunches.__ Menus from four hundred school districts, scraped weekly since 2019.
"""
    briefing = parse(text, "plural.md")
    assert [(item.text, item.url) for item in briefing.shortlist] == [
        ("👋 Job alert: We're hiring a data editor for our graphics desk.", "https://jobs.example/editor")
    ]
    # A note without a link stays the editor's introduction.
    assert "Programming note: no issue next week." in briefing.intro


NEURAL_DAILY = """---
subject: "What changed inside Lumen 5"
from: "Neural Daily <hello@neural.example>"
date: "Fri, 29 May 2026 11:08:40 +0000"
---
View image: (https://cdn.example/masthead.png)
Caption:

Welcome, humans.

**Here's what happened in AI today:**

* Lumen Labs released Lumen 5 with effort controls.
* Northwind opened rides in its new robotaxi.

View image: (https://cdn.example/a-very-long-path/with/many/segments/0f7e9fb9-d2e5-4fb4-9f28-bf633aa11bc2/banner-image-for-the-story.png?width=1200&quality=80&format=auto)
Follow image link: (https://neural.example/youtube-channel-with-a-long-tracking-query?utm_source=newsletter&utm_medium=email&utm_campaign=may)
Caption: Click the image to subscribe!

# Lumen Labs released Lumen 5, and the tradeoff is already showing.

Every new frontier model has to answer one question: is it smarter, and can you trust it with more work?

**Here's what happened:**

* Lumen 5 costs the same as Lumen 4.
* It adds effort controls.

**So what was the vibe on X?**

* The praise camp showed up fast, and the skeptics a little later.

**Why this matters:** Labs are trying to make models more capable without making them more reckless.

# Northwind opened rides in its new robotaxi.

The company's new vehicle is built for cities, and riders in two of them can now book it from the app.

# Skill of the Day: Use workflow mode for big messy tasks

Some tasks fail because they are hard. Others fail because they are too big for one chat window to hold.

# A Cat's Commentary

That's all for now.
"""


def test_a_storys_own_subheadings_and_details_label_stay_in_the_story():
    briefing = parse(NEURAL_DAILY, "neural.md")
    lead = briefing.stories[0]
    assert lead.title == "Lumen Labs released Lumen 5, and the tradeoff is already showing."
    # "Here's what happened:" inside the story opens its details, not a second headline list.
    assert lead.unpacked[:2] == ("Lumen 5 costs the same as Lumen 4.", "It adds effort controls.")
    assert lead.bottom_line == "Labs are trying to make models more capable without making them more reckless."
    assert briefing.headlines == (
        "Lumen Labs released Lumen 5 with effort controls.",
        "Northwind opened rides in its new robotaxi.",
    )


def test_a_headed_piece_beside_the_listed_stories_is_a_story_and_image_placeholders_are_chrome():
    briefing = parse(NEURAL_DAILY, "neural.md")
    assert [s.title for s in briefing.stories] == [
        "Lumen Labs released Lumen 5, and the tradeoff is already showing.",
        "Northwind opened rides in its new robotaxi.",
        "Skill of the Day: Use workflow mode for big messy tasks",
    ]
    assert "A Cat's Commentary" in [s.title for s in briefing.sections]
    # The exporter's picture placeholder is furniture: kept in the footer, never the intro.
    assert not any("View image" in line or "Follow image link" in line for line in briefing.intro)
    footer = next(s for s in briefing.sections if s.title == "Footer")
    assert any(line.startswith("View image:") for line in footer.body)


WORLD_BRIEF = """<html><head><title></title></head><body>
<p>Lagos · Lima · Oslo</p><p>April 27, 2026</p>
<h1>Morning</h1>
<h2>The World Today</h2>
<ol><li>Port strike spreads</li><li>Rates stay put</li></ol>
<p>↓</p><p>1</p>
<h2>Port strike spreads to three cities</h2>
<p>Jane Okafor/Reuters</p>
<p>Dock workers in three more cities walked out on Monday, halting most container traffic in the region.</p>
<p><a href="https://share.example/x">↓</a></p><p>2</p>
<h2>Central banks set to keep rates where they are</h2>
<p>Policymakers signalled they would wait for another quarter of data before moving rates again this year.</p>
<p><a href="https://share.example/y">↓</a></p>
<p>Flagging</p>
<ul><li>The port authority publishes its monthly traffic figures.</li>
<li>A court hears the dockworkers' union appeal.</li></ul>
<p>↓</p>
<p>LRS</p>
<p><b>Victory conditions</b></p>
<p>Early last year things looked bad for the coalition, and most forecasts said so at length.</p>
<p><b>And justice for all</b></p>
<p>Modern political philosophy is dominated by one man, and a new book argues that is a problem.</p>
</body></html>"""


def test_share_rows_end_a_part_and_briefs_under_a_plain_heading_are_quick_items():
    briefing = parse_document(WORLD_BRIEF.encode(), filename="world.html", title="🟡 Strikes and rates")
    assert [(s.kicker, s.title) for s in briefing.stories] == [
        (None, "Port strike spreads to three cities"),
        (None, "Central banks set to keep rates where they are"),
        ("LRS", "Victory conditions"),
        ("LRS", "And justice for all"),  # the plain tag holds over every bold title under it
    ]
    # The wire photo credit under a headline is not the story's lead.
    assert briefing.stories[0].lead.startswith("Dock workers")
    assert [(i.group, i.text) for i in briefing.shortlist] == [
        ("Flagging", "The port authority publishes its monthly traffic figures."),
        ("Flagging", "A court hears the dockworkers' union appeal."),
    ]
    # The edition's one-word banner is part of the masthead, not a topic over every story.
    assert "Morning" in briefing.intro


def test_bold_opening_words_mark_a_briefing_and_a_pictures_link_does_not_title_a_story():
    news = "".join(
        f"<p><b>{lead}</b> {text} It is a developing story with more detail to come later today.</p>"
        for lead, text in [
            ("The man accused", "of storming the dinner had spent years building an arsenal, police said."),
            ("Oil gained", "as the strait remained effectively impassable and talks stayed in limbo."),
            ("The King", "arrives in Washington today for a four-day state visit amid tensions."),
            ("Budget airlines", "are asking the White House for a bailout as fuel costs keep climbing."),
        ]
    )
    html = f"""<html><head><title>Gunman's motive probed</title></head><body>
<p>Good morning. The gunman is set to be arraigned today.</p>{news}
<h2><a href="https://img.example/1"><img src="https://img.example/1.png"></a>The Big Take</h2>
<p>Scientists at work on a neutral atom quantum computer. Photographer: Jo Bloggs/Getty Images</p>
<p><b>Goldman Sachs retreated</b> from quantum computing while its rival doubled down, showing how
Wall Street is split on when the machines will pay off.</p>
<h2>Before You Go</h2>
<p>Ask Americans how much they need to retire and one number comes up: a million dollars. Better,
simpler rules offer a more useful answer for most households.</p>
</body></html>"""
    briefing = parse(html, "morning.html")
    assert [s.title for s in briefing.stories] == ["The Big Take", "Before You Go"]
    assert not any(s.title == "The Big Take" for s in briefing.sections)


def test_a_picture_link_in_an_essays_heading_does_not_make_it_a_story():
    html = """<html><head><title>On slow software</title></head><body>
<h1>On slow software</h1>
<p>Most programs got slower as computers got faster, and few people measure it.</p>
<h2><a href="https://img.example/2"><img src="https://img.example/2.png"></a>Why it happens</h2>
<p>Layers of abstraction pile up, and nobody measures the cold start of the whole stack.</p>
<h2>What to do</h2>
<p>Measure the cold start on every release, and remove one feature for every two you add.</p>
</body></html>"""
    briefing = parse(html, "slow.html")
    assert briefing.stories == ()
    assert [s.title for s in briefing.sections][:2] == ["Why it happens", "What to do"]


def test_an_untitled_story_takes_the_headline_listed_in_its_place():
    text = """---
title: "Lumen puts the brakes on Nova"
---
**In today's rundown:**

- Lumen puts the brakes on Nova
- Our roundtable: how we use AI
- Kestrel's new model joins the jailbreak party

**LATEST DEVELOPMENTS**

###### LUMEN

**The Rundown:** Lumen just designated its Nova model as its first critical-risk system, pausing some work.

**Why it matters:** The incidents are piling up as models get more capable.

###### OUR ROUNDTABLE

**The Rundown:** Our roundtable is a weekly feature where we poll the staff about how we use AI.

###### KESTREL & SECURITY

**The Rundown:** Kestrel's latest model, which neared the frontier at launch, was jailbroken within a day.

**Why it matters:** Open models are now part of the security story too.
"""
    briefing = parse(text, "rundown.md")
    assert [s.title for s in briefing.stories] == [
        "Lumen puts the brakes on Nova",
        "Our roundtable: how we use AI",
        "Kestrel's new model joins the jailbreak party",
    ]
    assert briefing.stories[0].bottom_line == "The incidents are piling up as models get more capable."


def test_recurring_features_are_stories_and_a_linked_heading_over_links_heads_a_list():
    text = """# This Week in Gearbox 88

## Crate of the Week

This week's crate is sprocket, which lets one async codebase run natively and in the browser.

## [Approved RFCs](https://rfcs.example/approved)

Changes to Gearbox follow the RFC process. These are the RFCs approved this week:

- [RFC: Split the tooling team](https://rfcs.example/1)
- [RFC: Stable inline assembly](https://rfcs.example/2)

## Quote of the Week

> Shipping is a feature.

Thanks to Lee for the suggestion!
"""
    briefing = parse(text, "gearbox88.md")
    assert [s.title for s in briefing.stories] == ["Crate of the Week", "Quote of the Week"]
    assert "Approved RFCs" in [s.title for s in briefing.sections] + [i.group for i in briefing.shortlist]


def test_a_run_of_briefs_opening_on_their_subject_in_bold_are_quick_items():
    text = """# Morning Wire

## Chips get cheaper

Prices for inference chips fell again this quarter, and buyers noticed.

**Why it matters:** Cheaper chips make small models cheaper to serve.

Sponsored Listing

**Northwind** is said to be assembling a large infrastructure raise with six banks, people familiar with the talks said.

**Sen. Jo Park** wrote to three lab chiefs asking for a pause on frontier training until rules are in place.

**Contoso** released a public beta of its coding workspace that lets engineers swap between several agents.
"""
    briefing = parse(text, "wire.md")
    assert [s.title for s in briefing.stories] == ["Chips get cheaper"]
    assert [item.text.split()[0] for item in briefing.shortlist] == ["Northwind", "Sen.", "Contoso"]
    assert not any(s.sponsored for s in briefing.stories)


def test_a_dek_between_ellipses_and_the_last_line_of_a_list_are_not_titles():
    text = """Import Notes 12: math proofs and jobs
View this post on the web at https://notes.example/p/12

Welcome to Import Notes, a newsletter about AI research.

The era of math proof automation has arrived:
…A new agent shows how math will never be the same…
In the past few years large models have become good at writing proofs that check.
Why this matters - proofs are about to get cheap: once checking is automatic, search is all that is left.
***
Many people are well placed for the transition:
…Good for managers, bad for support staff…
The study ranks occupations by exposure and by how well their workers can adapt.
Marketing managers (60%, 100%, 385K)
Producers and directors (52%, 100%, 145K)
Financial analysts (50%, 99%, 341K)
Why this matters - diffusion speed is the hidden variable: the ranking assumes years, not months.
"""
    briefing = parse(text, "notes.txt")
    assert [s.title for s in briefing.stories] == [
        "The era of math proof automation has arrived",
        "Many people are well placed for the transition",
    ]
    assert all(s.bottom_line for s in briefing.stories)


ESSAY_WITH_CONTENTS = """# There are no AI-native enterprises yet

And there will not be for a while, for reasons that have little to do with technology.

**What's in today's episode?**

AI in the business vs AI on the business

Shadow IT makes a shadow organisation

What the official path has to carry

## AI in the business vs AI on the business

Paragraph 1 of this part goes on about the organisation and its habits at some length.

Paragraph 2 of this part goes on about the organisation and its habits at some length.

Paragraph 3 of this part goes on about the organisation and its habits at some length.

Paragraph 4 of this part goes on about the organisation and its habits at some length.

Paragraph 5 of this part goes on about the organisation and its habits at some length.

Paragraph 6 of this part goes on about the organisation and its habits at some length.

## Shadow IT makes a shadow organisation

Tacit knowledge in people's heads is only one half of the hidden organisation.

The other half lives in shadow tools that people actually use.

## What the official path has to carry

So what does the official path have to do to win? The list is long.

**Pick a platform, and stand behind the choice.** The tradeoffs are real, but switching costs more than any of them.

**Curate skills and agents.** A platform without an artifact layer is a toy, and people will build their own.

Paragraph 1 of this part goes on about the organisation and its habits at some length.

Paragraph 2 of this part goes on about the organisation and its habits at some length.

Paragraph 3 of this part goes on about the organisation and its habits at some length.

Paragraph 4 of this part goes on about the organisation and its habits at some length.

Paragraph 5 of this part goes on about the organisation and its habits at some length.

Paragraph 6 of this part goes on about the organisation and its habits at some length.
"""


def test_an_essays_contents_list_keeps_every_part_a_section():
    briefing = parse(ESSAY_WITH_CONTENTS, "essay.md")
    # Most listed parts are long: the list is the essay's contents, so no part is a story, and
    # the bold run-in points inside a part stay in it.
    assert briefing.stories == ()
    assert [s.title for s in briefing.sections][:3] == [
        "AI in the business vs AI on the business",
        "Shadow IT makes a shadow organisation",
        "What the official path has to carry",
    ]



def test_an_editors_why_were_following_is_the_bottom_line():
    text = """# Platform Notes

## Following

### Two labs head to court

What happened: The lawsuit between the two labs goes to trial this week after jury selection finished.

Why we’re following: The verdict could decide who controls the lab's nonprofit arm.
"""
    (story,) = parse(text, "notes.md").stories
    assert story.bottom_line == "The verdict could decide who controls the lab's nonprofit arm."


def test_a_site_menu_is_not_the_title_and_follow_us_rows_are_chrome():
    html = """<html><body>
<p><b>CONNECT WITH US</b></p>
<p><a href="https://w.example/">HOME</a> | <a href="https://w.example/news">NEWS</a> |
<a href="https://w.example/opinion">OPINION</a> | <a href="https://w.example/data">DATA</a> · Saturday - December 18, 2021</p>
<p><b>How We Shop</b></p>
<p><b><a href="https://w.example/vending">A Very Vending Machine Christmas</a></b></p>
<p>When we heard that a shopping app was putting a vending machine in a city square, we had questions.</p>
<p><b><a href="https://w.example/list">Join Our Mailing List</a></b></p>
<p>Having trouble viewing this email? Please click here.</p>
</body></html>"""
    briefing = parse(html, "week.html")
    assert briefing.title == "A Very Vending Machine Christmas"
    assert briefing.date == "2021-12-18"
    assert [s.title for s in briefing.stories] == ["A Very Vending Machine Christmas"]
    # Chrome above the issue stays in its intro; below it, in the footer.
    assert "CONNECT WITH US" in briefing.intro
    footer = next(s for s in briefing.sections if s.title == "Footer")
    assert "Join Our Mailing List" in footer.body


def test_an_e_mail_file_takes_its_read_in_browser_link_as_the_issue_address():
    html = (
        '<html><body><p><a href="https://links.example.com/web/123">Read in browser</a></p>'
        "<h1>The Evening Wire</h1><p>Good evening. Two stories tonight.</p>"
        "<h2>Port strike ends</h2><p>Dockworkers return on Monday after a deal on pay.</p>"
        "<h2>Rail line opens</h2><p>The new line links two cities in forty minutes.</p></body></html>"
    )
    briefing = parse_document(html.encode(), filename="evening.html")
    assert briefing.url == "https://links.example.com/web/123"
    # The container's own address (a feed entry's link) wins over the e-mail's button.
    hinted = parse_document(html.encode(), filename="evening.html", url="https://wire.example.com/evening")
    assert hinted.url == "https://wire.example.com/evening"
    # Without such a link a file has no web address.
    plain = html.replace("Read in browser", "Our sponsor")
    assert parse_document(plain.encode(), filename="evening.html").url is None
