"""HTML e-mail newsletters: layout tables, headings, bold labels, lists, links and e-mail clutter."""

from __future__ import annotations

from briefing_tui.parser import parse_document
from tests.conftest import FIXTURES


def parse_fixture(name: str, **hints):
    return parse_document((FIXTURES / name).read_bytes(), filename=name, **hints)


def test_html_email_structure():
    briefing = parse_fixture("html_email.html")
    assert briefing.title == "Byte Harbor: The week agents learned to file taxes"
    assert briefing.date == "2026-05-12"  # from <time datetime>
    assert briefing.source == "Byte Harbor"
    assert briefing.intro == (
        "Issue 88",
        "Good morning, Harbor crew. Tax season is over, and the agents want in on next year’s.",
    )
    assert briefing.headlines == ("Ledgerline’s agent files a full tax return", "Ohio fab delayed to 2028")
    assert [(s.kicker, s.title, s.sponsored) for s in briefing.stories] == [
        ("AGENTS", "Ledgerline’s Agent Files a Full Tax Return", False),
        ("PRESENTED BY NORTHWIND", "Ship agents without the glue code", True),
        ("CHIPS", "Ohio Fab Delayed to 2028", False),
    ]
    agents, sponsor, chips = briefing.stories
    assert agents.lead == (
        "Ledgerline showed an agent that gathered forms, filled a federal return and submitted it — "
        "with a human clicking “approve” once."
    )
    assert agents.unpacked == (
        "The agent reads W-2 and 1099 forms straight from e-mail attachments.",
        "It refused to guess when a receipt was blurry & asked the user instead.",
    )
    assert agents.bottom_line == (
        "Filing taxes is the rare chore with a hard deadline and a clear right answer, which makes "
        "it a good test for agents. Watch the demo."
    )
    assert [(l.text, l.url) for l in agents.links] == [("Watch the demo", "https://ledgerline.example.com/demo")]
    assert sponsor.lead == "Northwind gives your agents typed tools, retries and audit logs out of the box. Start building."
    assert [l.url for l in sponsor.links] == ["https://northwind.example.com/?utm_source=byteharbor"]
    assert chips.lead == "The Ohio chip plant will not produce wafers before 2028, two years later than first announced."
    assert chips.bottom_line == "A fab without customers is a very expensive warehouse."
    # The javascript: link keeps its words and loses its target.
    assert chips.body == ("Click here for the full timeline.",)
    assert chips.links == ()
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        ("GPU rental prices fell 18% in April.", "https://example.com/gpu-prices"),
        ("A startup built a compiler for analog chips. Read more", "https://example.com/analog"),
    ]
    assert [r.to_dict() for r in briefing.references] == [
        {"publisher": "Ledgerline", "title": "Agents and the 1040", "url": "https://ledgerline.example.com/blog"},
        {"publisher": "Ohio Capital Journal", "title": "Fab timeline slips again", "url": "https://example.com/ohio"},
    ]
    assert [(s.title, s.body) for s in briefing.sections] == [
        (
            "Footer",
            ("You are receiving this email because you subscribed to Byte Harbor.", "Unsubscribe · Manage preferences"),
        )
    ]


def test_html_email_drops_hidden_and_executable_content():
    blob = repr(parse_fixture("html_email.html").to_dict())
    for gone in ("Preheader", "trackOpen", "letter-spacing", "font-family", "javascript", "open.gif", "\u200c"):
        assert gone not in blob
    assert "&amp;" not in blob and "&mdash;" not in blob and "&#8217;" not in blob


def test_link_digest_with_group_headings():
    briefing = parse_fixture("html_digest.html")
    assert briefing.title == "Stack Signal Daily 2026-02-20"
    assert briefing.date == "2026-02-20"
    assert briefing.intro == ("Welcome to Stack Signal, the five-minute digest for infrastructure engineers.",)
    assert [(s.kicker, s.title, s.sponsored) for s in briefing.stories] == [
        ("🚀 Headlines & Launches", "Kernel patches for AI accelerators land in mainline (4 minute read)", False),
        ("🚀 Headlines & Launches", "Edgebase opens its replication protocol (6 minute read)", False),
        ("🧠 Deep Dives", "What we learned running queues at a million jobs per second (12 minute read)", False),
        ("Together With Relay", "Stop writing retry logic (Sponsor)", True),
    ]
    assert [l.url for l in briefing.stories[0].links] == ["https://example.com/kernel-accel"]
    assert briefing.stories[1].lead.startswith("Edgebase published the spec")
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        (
            "Monospace fonts compared (2 minute read) — Twelve coding fonts side by side at small sizes.",
            "https://example.com/fonts",
        ),
        ("Love Stack Signal? Refer a friend and get a free mug.", "https://example.com/refer"),
    ]
    assert [(s.title, s.body) for s in briefing.sections] == [("Footer", ("Unsubscribe",))]


def test_feed_hints_fill_what_the_document_does_not_say():
    html = "<p>Short update with <b>no</b> header at all.</p><p>Second paragraph.</p>"
    briefing = parse_document(
        html,
        content_type="text/html",
        title="Feed entry title",
        source="Some Feed",
        date="Tue, 10 Mar 2026 08:00:00 +0000",
        url="https://feed.example.com/post",
    )
    assert (briefing.title, briefing.source, briefing.date, briefing.url) == (
        "Feed entry title",
        "Some Feed",
        "2026-03-10",
        "https://feed.example.com/post",
    )
    assert briefing.intro == ("Short update with no header at all.", "Second paragraph.")


def test_relative_links_resolve_against_the_entry_url_and_bad_schemes_are_dropped():
    html = (
        "<h1>T</h1><h2><a href='/post/1'>A story about links</a></h2><p>See <a href='/post/2'>the post</a>, "
        "<a href='vbscript:x'>this</a>, <a href='file:///etc/passwd'>that</a> and "
        "<a href='mailto:editor@example.com'>mail us</a>.</p>"
    )
    briefing = parse_document(html, content_type="text/html", url="https://news.example.com/issue/5")
    (story,) = briefing.stories  # a headline that is a link makes a story
    assert story.title == "A story about links"
    assert story.lead == "See the post, this, that and mail us."
    assert [(l.text, l.url) for l in story.links] == [
        ("A story about links", "https://news.example.com/post/1"),
        ("the post", "https://news.example.com/post/2"),
        ("mail us", "mailto:editor@example.com"),
    ]
    blob = repr(briefing.to_dict())
    assert "vbscript" not in blob and "file://" not in blob


def test_html_article_sections_and_time():
    html = """<html><body><article>
    <h1>The Case for Boring Databases</h1>
    <p class="dek">Why the most reliable teams pick old tools.</p>
    <p>By <a href="/authors/mo">Mo Chen</a> · <time datetime="2025-12-01">Dec 1</time></p>
    <p>Every year brings a new database. Most teams should ignore it.</p>
    <h2>Why It Matters</h2>
    <p>Outages cost more than features earn.</p>
    <h2>What to Watch</h2>
    <ul><li>Postgres extensions keep eating niches.</li></ul>
    </article></body></html>"""
    briefing = parse_document(html, content_type="text/html")
    assert briefing.title == "The Case for Boring Databases"
    assert briefing.subtitle == "Why the most reliable teams pick old tools."
    assert briefing.date == "2025-12-01"
    assert briefing.stories == ()
    assert [(s.title, s.body) for s in briefing.sections] == [
        ("Why It Matters", ("Outages cost more than features earn.",)),
        ("What to Watch", ("- Postgres extensions keep eating niches.",)),
    ]
    assert "By Mo Chen · Dec 1" in briefing.intro
