"""Markdown newsletters: headings, bold labels, lists, links, kickers matched to headlines."""

from __future__ import annotations

from briefing_tui.parser import parse_document
from tests.conftest import FIXTURES


def parse_fixture(name: str, **hints):
    return parse_document((FIXTURES / name).read_bytes(), filename=name, **hints)


def test_markdown_briefing_structure():
    briefing = parse_fixture("markdown_briefing.md")
    assert briefing.title == "The Weekly Wafer: Arizona fabs, tiny reasoners and a robot that listens"
    assert briefing.subtitle == "Chips, models and the people building them"
    assert briefing.date == "2026-04-07"
    assert briefing.intro == ("Welcome back, wafer watchers. Three big stories this week, then a pile of quick hits.",)
    assert briefing.headlines == (
        "TSMC's Arizona fab starts 3nm test runs",
        "Lumen Labs ships a reasoning model that fits on a phone",
        "A robot vacuum that maps rooms with sound",
    )
    assert [(s.kicker, s.title, s.sponsored) for s in briefing.stories] == [
        # No heading under the CHIPS kicker: the matching headline names the story.
        ("CHIPS", "TSMC's Arizona fab starts 3nm test runs", False),
        ("MODELS", "Lumen Labs Ships a Reasoning Model That Fits on a Phone", False),
        (None, "Presented by Quanta Cloud", True),
        ("ROBOTICS", "A Robot Vacuum That Maps Rooms With Sound", False),
    ]
    chips, models, sponsor, robots = briefing.stories
    assert chips.lead == (
        "TSMC has started test production on the 3-nanometer line at its second Arizona fab, "
        "according to two suppliers familiar with the schedule."
    )
    assert chips.unpacked == (
        "First wafers are going to an unnamed smartphone customer for qualification.",
        "Yields are said to trail the Taiwan line by about eight points.",
        "Volume production is planned for the first half of 2027.",
    )
    assert chips.bottom_line == (
        "Leading-edge capacity outside Taiwan has been a policy goal for years. Test wafers are "
        "the first sign that it is turning into actual chips."
    )
    assert [(l.text, l.url) for l in chips.links] == [("actual chips", "https://example.com/tsmc-arizona")]
    assert models.lead.startswith("Lumen Labs released Pocket-R")  # "The Wafer:" prefix removed
    assert models.unpacked == (
        "Pocket-R runs at 20 tokens per second on a two-year-old phone.",
        "The weights are available on Hugging Face under an MIT license.",
    )
    assert models.bottom_line.startswith("Reasoning on the device means no round trip")
    assert sponsor.lead == (
        "Spin up a GPU cluster in under a minute with Quanta Cloud. New teams get 100 free hours: claim them here."
    )
    assert [l.url for l in sponsor.links] == ["https://quanta.example.com/free"]
    assert robots.bottom_line == "No camera means no photos of your living room leaving the house."
    for story in briefing.stories:
        assert story.body == ()
        assert "**" not in repr(story.to_dict())
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        ("Arclight raised a $12M seed round for power-aware job scheduling.", "https://arclight.example.com"),
        ("The Linux kernel gained a driver for a RISC-V neural accelerator.", None),
        ("A new benchmark, ShelfBench, tests whether agents can restock a virtual grocery store.", None),
    ]
    assert [r.to_dict() for r in briefing.references] == [
        {"publisher": "TSMC Newsroom", "title": "Arizona progress update", "url": "https://example.com/tsmc-newsroom"},
        {"publisher": "Lumen Labs", "title": "Introducing Pocket-R", "url": "https://lumen.example.com/pocket-r"},
        {"publisher": "Echo Robotics", "title": "Mapping with sound", "url": "https://echo.example.com/blog"},
    ]
    assert briefing.sections == ()


def test_axios_style_labels():
    briefing = parse_fixture("markdown_axios.md")
    assert briefing.title == "Morning Relay: Data centers get a power bill of their own"
    big, texas, sponsor = briefing.stories
    assert big.title == "1 big thing: Data centers get a power bill of their own"
    assert big.lead == "Utilities in three states proposed separate rate classes for large data centers this week."
    assert big.bottom_line == (
        "Households have been absorbing part of the cost of new power lines built for AI campuses."
    )
    assert big.unpacked == (
        "The proposals set a minimum contract length of 15 years.",
        "Data centers would pay for transmission upgrades up front.",
    )
    # A second takeaway label keeps its name in the body instead of being lost.
    assert big.body == (
        "The big picture: Regulators are moving faster than expected, and operators are already "
        "shopping for sites in states without such rules.",
    )
    assert (texas.title, texas.bottom_line) == ("2. Chip startups rush to Texas", "Talent follows fabs, and Texas now has two.")
    assert sponsor.sponsored and sponsor.title == "Sponsored"
    assert [s.title for s in briefing.editorial_stories] == [big.title, texas.title]
    assert [i.text for i in briefing.shortlist] == [
        "Storage: A startup claims a 40% cheaper archival tier built on tape.",
        "Security: A botnet of smart fridges was taken down by researchers.",
    ]
    assert [(r.publisher, r.title) for r in briefing.references] == [
        ("Utility Dive", "Large load tariffs explained"),
        ("Austin Business Journal", "Chip startups expand"),
    ]


def test_markdown_article_sections_are_not_bottom_lines():
    briefing = parse_fixture("markdown_article.md")
    assert briefing.title == "Why Small Labs Are Winning the Efficiency Race"
    assert briefing.subtitle == (
        "Frontier labs chase scale; the small ones chase tokens per dollar. That gap is about to matter."
    )
    assert briefing.date == "2026-01-28"
    assert briefing.stories == ()
    assert briefing.intro[0] == "By Priya Raman · January 28, 2026"
    assert len(briefing.intro) == 3
    assert [(s.title, len(s.body)) for s in briefing.sections] == [
        ("Why it matters", 2),
        ("What the small labs do differently", 2),
        ("What to watch", 1),
    ]
    assert briefing.sections[1].body[0] == "- They train longer on less data, and clean that data by hand."
    assert [r.to_dict() for r in briefing.references] == [
        {"publisher": "Epoch", "title": "Trends in inference cost", "url": "https://example.com/epoch-inference"},
        {"publisher": "Semianalysis", "title": "The economics of small models", "url": None},
    ]


RUNDOWN_STYLE = """\
# Agents get a memory upgrade

Good morning, builders. Today: memory for agents, a cheaper vision model, and more.

**In today's Daily Tensor:**

* Agents that remember your last session
* A vision model at half the price

## LATEST DEVELOPMENTS

###### MEMORY

### 🧠 Agents that remember your last session

**The Daily Tensor:** Cortexa released a memory layer that lets agents recall earlier sessions without stuffing them into the prompt.

**Key points:**
* Memories are stored as small summaries with timestamps.
* Users can inspect and delete every memory.

**The takeaway:** Forgetting has been the main reason agents feel like strangers every morning.

###### VISION

### A vision model at half the price

**The Daily Tensor:** Pixelwise cut the price of its vision API in half while raising rate limits.

**Our take:** Price cuts like this make image understanding a default feature rather than a premium one.

## Quick links

* [Tensorboard 3](https://example.com/tb3) adds live cost tracking.
* A team released an open dataset of 2M labelled receipts.

## Together with Fluxbase

Fluxbase is the database your agents can actually query. [Get early access](https://fluxbase.example.com).
"""


def test_stacked_kickers_and_inline_emphasis():
    briefing = parse_document(RUNDOWN_STYLE, filename="tensor.md")
    assert briefing.headlines == ("Agents that remember your last session", "A vision model at half the price")
    assert briefing.source == "The Daily Tensor"
    memory, vision, sponsor = briefing.stories
    # The band over both stories joins the first one's kicker instead of an empty section.
    assert (memory.kicker, memory.title) == ("LATEST DEVELOPMENTS · MEMORY", "🧠 Agents that remember your last session")
    assert briefing.sections == ()
    assert memory.lead.startswith("Cortexa released a memory layer")
    assert memory.unpacked == (
        "Memories are stored as small summaries with timestamps.",
        "Users can inspect and delete every memory.",
    )
    assert memory.bottom_line == "Forgetting has been the main reason agents feel like strangers every morning."
    assert (vision.kicker, vision.title) == ("VISION", "A vision model at half the price")
    assert vision.bottom_line.startswith("Price cuts like this")
    assert sponsor.sponsored and sponsor.title == "Together with Fluxbase"
    assert [l.url for l in sponsor.links] == ["https://fluxbase.example.com"]
    # The group heading above both stories is kept, not dropped.
    assert "LATEST DEVELOPMENTS" in repr(briefing.to_dict())
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        ("Tensorboard 3 adds live cost tracking.", "https://example.com/tb3"),
        ("A team released an open dataset of 2M labelled receipts.", None),
    ]


def test_soft_wrapped_paragraphs_and_reference_links():
    text = (
        "# Notes\n\nA paragraph that was\nwrapped by the editor\nacross three lines.\n\n"
        "Line with a hard break  \nand the next line.\n\n"
        "See [the paper][paper] and <https://example.com/auto>.\n\n"
        "[paper]: https://example.com/paper\n"
    )
    briefing = parse_document(text, filename="notes.md")
    assert briefing.intro == (
        "A paragraph that was wrapped by the editor across three lines.",
        "Line with a hard break",
        "and the next line.",
        "See the paper and https://example.com/auto.",
    )


def test_unsafe_markdown_links_are_dropped_but_their_text_kept():
    text = "# T\n\n## Story heading here\n\nRead [this](javascript:alert(1)) and [that](data:text/html,x) or [ok](https://ok.example.com).\n"
    briefing = parse_document(text, filename="t.md")
    blob = briefing.to_dict()
    assert "javascript" not in repr(blob) and "data:" not in repr(blob)
    urls = [l["url"] for s in blob["stories"] for l in s["links"]] + [
        u for sec in blob["sections"] for u in sec["body"] if "http" in u
    ]
    assert "this" in repr(blob) and "that" in repr(blob)
    assert all(u.startswith("https://") for u in urls if u.startswith("http"))
