"""Plain-text newsletters: the briefing layout, wrapped letters, articles and blog posts."""

from __future__ import annotations

from briefing_tui.parser import parse_document
from tests.conftest import FIXTURES


def parse_fixture(name: str, **hints):
    return parse_document((FIXTURES / name).read_bytes(), filename=name, **hints)


def test_briefing_with_other_labels_and_a_sponsor():
    briefing = parse_fixture("text_briefing.txt")
    assert briefing.title == "Robots learn to fold laundry, finally"
    assert briefing.subtitle.startswith("A home robot startup claims a 90% success rate")
    assert briefing.source == "The Circuit Sheet"
    assert briefing.date == "2026-03-03"
    assert briefing.intro == (
        "PLUS: A Paris lab opens its weights, and export rules get a rewrite",
        "Hey there. Laundry has long been the benchmark nobody wanted to touch. This week a small "
        "team in Oslo says it cracked towels, shirts and even fitted sheets.",
        "We also look at a new model release from Paris and a quiet change to chip export rules.",
    )
    assert briefing.headlines == (
        "Oslo startup's robot folds laundry at 90% success",
        "Paris lab releases open weights for Brise-7",
        "Commerce rewrites chip export thresholds",
    )
    sponsor, *stories = briefing.stories
    assert sponsor.sponsored is True
    assert sponsor.kicker == "Together with Loomwork"
    assert sponsor.title == "Turn meeting notes into tickets"
    assert sponsor.lead.startswith("Loomwork reads your meeting notes")
    assert [link.url for link in sponsor.links] == ["https://loomwork.example.com/try"]
    assert [s.title for s in stories] == [
        "Oslo Startup's Robot Folds Laundry at 90% Success",
        "Paris Lab Releases Open Weights for Brise-7",
        "Commerce Rewrites Chip Export Thresholds",
    ]
    assert [s.title for s in briefing.editorial_stories] == [s.title for s in stories]
    first = stories[0]
    assert first.lead == (
        "Foldwise, a twelve-person startup in Oslo, showed its two-armed robot folding towels and "
        "shirts with a 90% success rate across 400 trials."
    )
    assert first.unpacked == (
        "The robot learned from 2,000 hours of teleoperated demonstrations recorded in rented apartments.",
        "Fitted sheets remain the hardest case, with success dropping to 61%.",
        "Foldwise plans a paid pilot with two hotel chains this summer.",
    )
    assert first.bottom_line == (
        "Household chores are where robotics demos usually fall apart. A repeatable 90% on "
        "deformable fabric is a real step, even if the price is not public yet."
    )
    for story in stories:
        assert story.kicker is None and story.body == () and not story.sponsored
        assert not story.lead.startswith("The Circuit Sheet")
        assert not story.bottom_line.lower().startswith("why it matters")
        assert not any(item.lower().startswith("the details") for item in story.unpacked)
    assert [len(s.unpacked) for s in stories] == [3, 2, 2]
    assert [item.text for item in briefing.shortlist] == [
        "Harbor Systems raised $40 million to build inference servers cooled by seawater.",
        "A Kyoto university team released a dataset of 10,000 annotated tea ceremony videos.",
        "Streamline's new code editor ships with a local model that runs on laptops: "
        "https://streamline.example.com/editor",
    ]
    assert [item.url for item in briefing.shortlist] == [None, None, "https://streamline.example.com/editor"]
    assert [r.to_dict() for r in briefing.references] == [
        {"publisher": "Foldwise", "title": "Our robot folds laundry", "url": None},
        {"publisher": "Brise Blog", "title": "Releasing Brise-7", "url": None},
        {"publisher": "Federal Register", "title": "Revisions to Advanced Computing Export Controls", "url": None},
    ]
    assert briefing.sections == ()


def test_ids_are_stable_and_unique():
    first = parse_fixture("text_briefing.txt")
    second = parse_fixture("text_briefing.txt")
    assert first.item_ids == second.item_ids
    assert len(set(first.item_ids)) == len(first.item_ids) == 3 + 3
    assert all(story.id.startswith("s-") for story in first.stories)
    assert all(item.id.startswith("q-") for item in first.shortlist)
    # An id depends on the item's own words, not on its position in the issue.
    text = (FIXTURES / "text_briefing.txt").read_text(encoding="utf-8")
    shorter = text.replace(
        "Harbor Systems raised $40 million to build inference servers cooled by seawater.\n", ""
    )
    third = parse_document(shorter, filename="issue.txt")
    assert [i.id for i in third.shortlist] == [i.id for i in first.shortlist[1:]]
    assert [s.id for s in third.stories] == [s.id for s in first.stories]


def test_hard_wrapped_letter_is_unwrapped():
    briefing = parse_fixture("wrapped_digest.txt")
    assert briefing.title == "Gradient Notes, issue 214"
    assert briefing.intro == (
        "Welcome to Gradient Notes, a weekly letter about machine learning research. This week: a "
        "small model that plans, a robot dataset with sound, and a worrying paper about benchmark "
        "contamination.",
    )
    assert [s.title for s in briefing.stories] == [
        "Tiny planners beat big ones at grid puzzles",
        "A robot dataset with sound",
    ]
    first, second = briefing.stories
    assert first.lead == (
        "Researchers at a university lab trained a 40-million-parameter model to solve grid puzzles "
        "by writing out a plan first. It beats models a hundred times larger that answer directly."
    )
    assert first.bottom_line == (
        "Planning may be a cheaper route to reliability than scale, at least for problems with a "
        "clear structure."
    )
    assert second.bottom_line == "Touch and sound are cheap sensors, and most robot datasets ignore both."
    # What fits no pattern stays in the last story's body.
    assert second.body == (
        "Things that inspire me:",
        "A hand-drawn map of every GPU in a national lab, posted by one of its operators.",
        "Thanks for reading. Write back with feedback, it all gets read.",
    )


def test_blog_post_starting_with_bottom_line_is_a_title():
    briefing = parse_fixture("blog_post.txt")
    assert briefing.title == "Bottom Line: A Coding Agent That Feels Like a Chat"
    assert briefing.stories == ()
    assert briefing.intro == (
        "I spent a week using Drift, a coding agent that lives in a chat window instead of an editor.",
        "The surprise was how little I missed the editor. Drift shows diffs inline, and I approve "
        "or reject them with a word.",
        "It still struggles with large refactors. Twice it renamed a function in one file and forgot the tests.",
        "Would I pay for it? For small projects, yes.",
    )


def test_blog_post_title_from_the_feed_keeps_the_bottom_line_line():
    text = (FIXTURES / "blog_post.txt").read_text(encoding="utf-8")
    briefing = parse_document(text, content_type="text/plain", title="Drift review")
    assert briefing.title == "Drift review"
    assert briefing.intro[0] == "Bottom Line: A Coding Agent That Feels Like a Chat"
    assert all(story.bottom_line is None for story in briefing.stories)


ARTICLE = """\
The Quiet Return of Analog Computing
Startups are betting that old ideas can cut the energy cost of inference.
From Signal Path newsletter — November 3, 2025
Analog chips compute with currents instead of bits. For decades they lost to digital on precision.
Now three startups say the trade-off has flipped for neural networks.
Why It Matters
Inference energy is the fastest growing line in data center budgets.
A chip that is ten times more efficient changes where models can run.
What Could Go Wrong
- Noise accumulates across layers and limits model depth.
- Manufacturing variation means every chip needs calibration.
References
- Signal Path -- Analog startups to watch
- IEEE Spectrum -- The analog comeback
"""


def test_article_headings_become_named_sections():
    briefing = parse_document(ARTICLE, filename="article.txt")
    assert briefing.title == "The Quiet Return of Analog Computing"
    assert briefing.subtitle == "Startups are betting that old ideas can cut the energy cost of inference."
    assert briefing.source == "Signal Path"
    assert briefing.date == "2025-11-03"
    assert briefing.stories == ()
    assert len(briefing.intro) == 2
    assert [(s.title, s.body) for s in briefing.sections] == [
        (
            "Why It Matters",
            (
                "Inference energy is the fastest growing line in data center budgets.",
                "A chip that is ten times more efficient changes where models can run.",
            ),
        ),
        (
            "What Could Go Wrong",
            (
                "- Noise accumulates across layers and limits model depth.",
                "- Manufacturing variation means every chip needs calibration.",
            ),
        ),
    ]
    assert [(r.publisher, r.title) for r in briefing.references] == [
        ("Signal Path", "Analog startups to watch"),
        ("IEEE Spectrum", "The analog comeback"),
    ]


def test_unrecognised_lines_are_kept():
    text = "Odd Letter\nA line.\nSomething else entirely\n???\n- a list item\nThe end."
    briefing = parse_document(text, filename="odd.txt")
    blob = repr(briefing.to_dict())
    for word in ("Odd", "Letter", "line", "Something", "else", "entirely", "???", "list", "item", "end"):
        assert word in blob


def test_byline_and_published_lines_keep_their_words():
    text = (
        "Chip Notes\nBy Ana Silva and Tom Berg\nPublished May 2, 2026\n"
        "Issue 12 · May 2, 2026\nHello readers, short one today.\n"
    )
    briefing = parse_document(text, filename="notes.txt")
    assert briefing.date == "2026-05-02"
    assert briefing.intro == ("By Ana Silva and Tom Berg", "Issue 12", "Hello readers, short one today.")
