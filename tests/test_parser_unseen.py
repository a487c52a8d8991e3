"""Newsletters in shapes the parser was not tuned on: link digests, essays with link sections,
e-mail builders' nested tables, long-form research letters, in all three syntaxes.

Each fixture is invented text written in the shape of a kind of newsletter people read; the
assertions say what a reader expects to see, not what the parser happened to produce.
"""

from __future__ import annotations

import re

from briefing_tui.parser import parse_document
from briefing_tui.parser.html_format import html_blocks
from briefing_tui.parser.labels import LABELS
from briefing_tui.parser.markdown_format import markdown_blocks
from briefing_tui.parser.text_formats import text_blocks
from tests.conftest import FIXTURES


def parse_fixture(name: str, **hints):
    return parse_document((FIXTURES / name).read_bytes(), filename=name, **hints)


def shape(briefing):
    return [(s.kicker, s.title, s.sponsored) for s in briefing.stories]


def visible_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", text))


# -- Axios-style HTML ------------------------------------------------------------------------------
def test_axios_style_bold_titles_credit_lines_and_numbered_labels():
    briefing = parse_fixture("axios_style.html")
    assert briefing.title == "Axios AI+"
    assert briefing.date == "2026-03-03"
    assert briefing.intro == ("By Ina Fried · Mar 3, 2026", "Today's newsletter is 1,024 words, a 4-minute read.")
    # The picture credit is not a title, and no kicker carries over to the second story.
    assert shape(briefing) == [
        (None, "1 big thing: Chipmakers race to the edge", False),
        (None, "2. OpenAI's new voice model", False),
        (None, "A message from Acme", True),
    ]
    big, voice, sponsor = briefing.stories
    assert big.lead == "Phone makers are racing to put bigger AI models on devices, cutting cloud costs."
    assert big.bottom_line == "Running models locally changes who pays for inference."
    assert big.unpacked == (
        "Qualcomm announced a new NPU on Monday.",
        "It doubles last year's throughput.",
        "Samples ship in June.",
    )
    assert big.body == (
        "Illustration: Aïda Amer/Axios",
        "The big picture: Every major vendor now has an on-device plan.",
    )
    assert [l.url for l in big.links] == ["https://axios.example/edge"]
    assert voice.lead == "OpenAI released a voice model that can interrupt politely."
    assert voice.bottom_line == "Voice agents were awkward; this fixes turn-taking."
    # A plain paragraph under the sponsor line is its text, not its title.
    assert sponsor.lead == "Acme makes GPUs affordable. Learn more"
    assert sponsor.links == ()  # the javascript: link keeps its words only
    # "3. Quick takes" is the shortlist, numbering and all.
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        ("Nvidia earnings beat estimates.", "https://x.example/1"),
        ("EU fines a chatbot maker.", None),
    ]
    assert [(s.title, s.body) for s in briefing.sections] == [
        ("Footer", ("You received this email because you signed up. Unsubscribe",))
    ]
    assert "Preview text" not in repr(briefing.to_dict())


# -- Rundown-style Markdown ------------------------------------------------------------------------
def test_rundown_style_topic_band_joins_the_first_kicker():
    briefing = parse_fixture("rundown_style.md")
    assert briefing.title == "Google's Gemini 4 lands with a twist"
    assert briefing.source == "The Rundown"
    assert briefing.headlines == ("Google launches Gemini 4", "Anthropic's new safety framework", "Quick hits")
    assert shape(briefing) == [
        ("LATEST DEVELOPMENTS · GOOGLE", "🚀 Google launches Gemini 4 with agent mode", False),
        ("TOGETHER WITH ACME", "Ship faster with Acme CI", True),
        ("ANTHROPIC", "🛡️ Anthropic publishes a new safety framework", False),
    ]
    google, acme, anthropic = briefing.stories
    assert google.lead == "Google released Gemini 4, its newest model family with a built-in agent mode."
    assert google.unpacked == (
        "Gemini 4 Pro tops the LMArena leaderboard by 40 points.",
        "Agent mode can operate Sheets and Docs on its own.",
    )
    assert google.bottom_line == "The agent race moved from demos to the apps people already use."
    assert acme.lead == "Acme runs your builds 3x faster. Try it free."
    assert anthropic.unpacked == ("New capability thresholds for autonomy.", "External audits every six months.")
    assert anthropic.bottom_line == "Safety commitments are becoming a competitive feature."
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        ("Meta opened Llama 5 weights to researchers. Link", "https://meta.example/llama5"),
        ("Apple hired a new AI chief.", None),
    ]
    assert [(r.publisher, r.title, r.url) for r in briefing.references] == [
        ("The Verge", "Gemini 4 launch", "https://theverge.example/gemini4"),
        ("Bloomberg", "Apple AI chief", None),
    ]
    # No empty section for the band: its words live in the kicker.
    assert briefing.sections == ()


# -- TLDR-style plain-text link digest -------------------------------------------------------------
def test_plain_text_link_digest_with_footnote_links_and_section_tags():
    briefing = parse_fixture("brieflet_digest.txt")
    assert briefing.title == "Brieflet AI 2026-03-12"
    assert briefing.date == "2026-03-12"
    assert briefing.intro == ()
    assert shape(briefing) == [
        ("Together With Parcelpoint", "PARCELPOINT: SHIP AGENTS THAT CAN ACTUALLY BUY THINGS (SPONSOR)", True),
        ("🚀 HEADLINES & LAUNCHES", "FLINTLOCK RELEASES A 3B MODEL THAT BEATS ITS 30B PREDECESSOR (4 MINUTE READ)", False),
        ("🚀 HEADLINES & LAUNCHES", "ORBITAL BUYS A ROBOTICS SIMULATOR STARTUP FOR $400M (2 MINUTE READ)", False),
        ("🧠 DEEP DIVES & ANALYSIS", "WHY LONG CONTEXT STILL FORGETS THE MIDDLE (11 MINUTE READ)", False),
        ("🧑\u200d💻 ENGINEERING & RESEARCH", "SPECULATIVE DECODING WITHOUT A DRAFT MODEL (GITHUB REPO)", False),
    ]
    sponsor, flintlock, orbital, context, spec = briefing.stories
    # Hard-wrapped paragraphs are joined even though the titles run past the wrap column.
    assert sponsor.lead == (
        "Parcelpoint gives your agents a checkout API with spending limits, receipts and a human "
        "approval step for anything over $50. The first 1,000 orders are free."
    )
    assert flintlock.lead == (
        "Flintlock's new small model matches its older 30B model on coding and math benchmarks "
        "while running on a single consumer GPU. The weights are available under a research license."
    )
    # "[2]" marks resolve to the numbered links at the end, which do not show up as text.
    assert [l.url for l in sponsor.links] == ["https://parcelpoint.example.com/?utm_source=brieflet"]
    assert [(l.text, l.url) for l in flintlock.links] == [
        (flintlock.title, "https://flintlock.example.com/blog/3b")
    ]
    assert [l.url for l in orbital.links] == ["https://orbital.example.com/news/simforge"]
    assert [l.url for l in context.links] == ["https://longctx.example.com/middle"]
    assert [l.url for l in spec.links] == ["https://github.com/example/ngram-spec"]
    for story in briefing.stories:
        assert story.body == () and story.lead
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        (
            "TESSELLATE RAISES $20M FOR ON-DEVICE SPEECH (1 MINUTE READ) — Tessellate builds speech "
            "recognition that runs entirely on earbuds.",
            "https://tessellate.example.com/funding",
        ),
        (
            "A PROMPT LIBRARY FOR CODE REVIEW (GITHUB REPO) — Forty prompts for reviewing pull "
            "requests, sorted by language.",
            "https://github.com/example/review-prompts",
        ),
        (
            "Love Brieflet? Share your referral link with friends to get free swag: "
            "https://refer.example.com/brieflet?id=abc",
            "https://refer.example.com/brieflet?id=abc",
        ),
    ]
    assert briefing.references == ()
    assert [(s.title, s.body) for s in briefing.sections] == [
        ("Footer", ("If you don't want to receive future editions of Brieflet AI, please unsubscribe here.",))
    ]
    blob = repr(briefing.to_dict())
    assert "[2]" not in blob and "------" not in blob


# -- Import AI-style long-form plain text ----------------------------------------------------------
def test_research_letter_with_why_this_matters_and_separators():
    briefing = parse_fixture("import_notes.txt", title="Import Notes 412: Robots learn to cook from video")
    assert briefing.title == "Import Notes 412: Robots learn to cook from video"
    assert briefing.date == "2026-06-02"
    assert briefing.intro == (
        "Welcome to Import Notes, a weekly letter about AI research. Thanks for reading! If you'd "
        "like to support this, please forward it to a friend.",
        "Issue 412",
    )
    assert shape(briefing) == [
        (None, "Robots that learn from YouTube cooking videos", False),
        (None, "A benchmark for models that write grant proposals", False),
        ("Tech Tales", "The Last Librarian", False),
    ]
    robots, grants, tale = briefing.stories
    assert robots.lead == "...And a surprisingly small amount of robot data..."
    assert robots.body[0].startswith("Researchers at a Korean university have trained a two-armed robot")
    # "Why this matters - <its own headline>:" is the bottom line, headline kept.
    assert robots.bottom_line == (
        "the internet is a robot dataset: For years people have argued that robots would need their "
        "own data, collected at great cost. This result suggests a lot of the knowledge can come "
        "from watching people."
    )
    assert robots.body[-1] == "Read more: Kitchen Priors: Learning Manipulation from Cooking Videos (arXiv)."
    assert grants.lead.startswith("GrantBench contains 900 funded and unfunded proposals")
    assert grants.bottom_line.startswith("Science funding runs on proposals")
    # The "***" before "Tech Tales:" ends the story above it.
    assert grants.body == ("Read more: GrantBench (GitHub).",)
    assert tale.lead == "[2041, a reading room in a flooded city]"
    assert tale.body[-1] == "Thanks for reading!"
    assert "***" not in repr(briefing.to_dict())


def test_research_letter_without_a_feed_title_keeps_the_greeting_whole():
    briefing = parse_fixture("import_notes.txt")
    # No subject and no headline over the letter: its first story's headline names the issue,
    # and the greeting stays whole in the intro.
    assert briefing.title == briefing.stories[0].title == "Robots that learn from YouTube cooking videos"
    assert briefing.subtitle is None
    assert briefing.intro[0].startswith("Welcome to Import Notes")
    assert briefing.intro[0].endswith("please forward it to a friend.")
    assert briefing.date == "2026-06-02"
    assert len(briefing.stories) == 3


# -- Ben's Bites-style Markdown --------------------------------------------------------------------
def test_markdown_digest_of_numbered_bold_links_makes_stories():
    briefing = parse_fixture("bits_daily.md")
    assert briefing.title == "Agents get wallets, and a tiny model for your watch"
    assert briefing.subtitle is None
    assert briefing.date == "2026-03-18"
    assert briefing.intro == (
        "Sam's Bits · Daily digest",
        "Hey folks, three launches today that make agents a bit more useful and a bit more dangerous. Let's dig in.",
    )
    assert shape(briefing) == [
        ("What's happening in AI?", "Ledgerly gives agents a wallet", False),
        ("What's happening in AI?", "Pico-1 runs on a smartwatch", False),
        ("What's happening in AI?", "Atlas Search opens its index", False),
        (None, "Together with Rowboat", True),
        ("Sam's picks", "A field guide to evals", False),
        ("Sam's picks", "Why agents loop", False),
    ]
    wallet, pico, atlas, rowboat, guide, _loop = briefing.stories
    # A linked title with a dash and a blurb is a link digest's story, bold or not.
    assert guide.lead == "the clearest write-up on building your own test sets."
    assert [l.url for l in guide.links] == ["https://evals.example.com/guide"]
    assert wallet.lead == (
        "Agents can now hold a prepaid balance and pay for APIs on their own. The spending caps are "
        "per task, which is the part I like."
    )
    assert [l.url for l in wallet.links] == ["https://ledgerly.example.com/agents"]
    assert [l.url for l in pico.links] == ["https://pico.example.com/launch"]
    assert atlas.lead == "Developers can query the full crawl for a flat monthly fee. Expect a wave of niche search engines."
    assert rowboat.lead.startswith("Rowboat turns your docs into a support agent in ten minutes.")
    assert [l.url for l in rowboat.links] == ["https://rowboat.example.com/?ref=bits"]
    # A list without links and a paragraph stay named sections.
    assert briefing.shortlist == ()
    assert [(s.title, len(s.body)) for s in briefing.sections] == [("Tools", 2), ("From the community", 2)]


# -- Morning Brew-style HTML -----------------------------------------------------------------------
def test_html_morning_letter_with_data_table_emoji_tags_and_tour_de_headlines():
    briefing = parse_fixture("markets_morning.html")
    assert briefing.title == "Morning Mint"
    assert briefing.date == "2026-03-20"
    assert briefing.intro == (
        "Good morning. It's Friday, and a bakery in Brooklyn is now charging $30 for a sandwich. We "
        "checked: it is a very good sandwich.",
        "— Dana Lee, Omar Haddad",
    )
    assert shape(briefing) == [
        ("💻 TECH", "The chip shortage is back, but only for one kind of chip", False),
        ("PRESENTED BY LATTICE BANK", "Your business account, minus the fees", True),
        ("🍔 RETAIL", "Fast food chains are shrinking their menus", False),
    ]
    tech, bank, retail = briefing.stories
    assert tech.lead.startswith("Memory makers can't build high-bandwidth memory fast enough.")
    assert tech.body == (
        "[image: A tray of memory chips]",  # the picture between the title and the lead
        "Prices for standard DRAM have climbed 20% since January because factories are switching "
        "lines to the more profitable kind.",
        "Zoom out: Laptops and phones could cost more this fall, and you can blame the data centers.",
    )
    assert bank.lead == (
        "Lattice Bank gives small businesses free transfers, 4% on balances and a human on the "
        "phone. Open an account in five minutes."
    )
    assert [l.url for l in bank.links] == ["https://lattice.example.com/open?utm_source=mint"]
    assert retail.bottom_line == "Speed at the window is the metric these chains are judged on now."
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        (
            "A satellite startup lost contact with its second craft. Orbitline says the craft is "
            "tumbling but may recover. More here.",
            "https://news.example.com/orbitline",
        ),
        ("The FTC opened an inquiry into ticket resale fees. Letters went to four platforms on Wednesday.", None),
        ("A museum returned a painting 80 years later. It had been missing since 1946.", None),
    ]
    # A data table's rows stay rows; a tag with no title over it names a section, not a story.
    assert [(s.title, s.body) for s in briefing.sections] == [
        (
            "📈 MARKETS",
            (
                "Nasdaq · 17,402.11 · +0.62%",
                "S&P 500 · 5,611.40 · +0.31%",
                "Bitcoin · $88,120.00 · -1.45%",
                "Stocks rose again on Thursday, led by software companies after a strong earnings "
                "report from Cloudmeter.",
            ),
        ),
        (
            "WHAT ELSE IS BREWING",
            (
                "- A grocery chain is testing carts that check you out as you shop.",
                "- Amtrak's new trains finally entered service.",
                "Written by Dana Lee and Omar Haddad",
            ),
        ),
        (
            "Footer",
            (
                "You received this email because you subscribed to Morning Mint. Unsubscribe | Manage preferences",
                "Morning Mint, 22 Example Street, New York, NY 10001",
            ),
        ),
    ]
    blob = repr(briefing.to_dict())
    assert "Stocks up, chips down" not in blob  # the hidden preheader
    assert "\u034f" not in blob and "\u200c" not in blob


# -- Substack / Platformer-style HTML post ---------------------------------------------------------
def test_substack_essay_with_link_sections_and_page_chrome():
    briefing = parse_fixture("substack_post.html")
    assert briefing.title == "The moderation bill nobody read"
    assert briefing.subtitle == "A quiet amendment could change how every app handles user reports"
    assert briefing.date == "2026-04-09"
    assert briefing.intro == (
        "Switchboard",
        "Kim Chen",
        "12 · 3 · Share",
        "Last week a state senate committee passed a bill about online safety. Most coverage focused "
        "on its age checks. The more important part is a two-sentence amendment near the end.",
        "The amendment requires any app with more than a million users to answer every user report "
        "within 72 hours, with a written reason. It sounds modest. It is not.",
    )
    assert shape(briefing) == [(None, "Sponsored", True)]
    (sponsor,) = briefing.stories
    assert sponsor.lead == "Quillfront helps trust and safety teams review reports 3x faster. Book a demo."
    assert [l.url for l in sponsor.links] == ["https://quillfront.example.com"]
    assert [s.title for s in briefing.sections] == [
        "What the amendment does",
        "Who wins",
        "Talk to me",
        "Footer",
    ]
    # The one-line briefs with a source link each, under "Governing" and "Industry", are quick items.
    assert [(item.group, item.text) for item in briefing.shortlist][:3] == [
        ("Governing", "The FTC finalised its children's privacy rule after two years of comments. (Capitol Wire)"),
        ("Governing", "A court paused the state's app store age-check law while a challenge proceeds. (Courthouse Daily)"),
        ("Industry", "Chirper laid off a third of its staff, including most of its safety team. (Bay Ledger)"),
    ]
    assert briefing.shortlist[0].url == "https://news.example.com/ftc-kids"
    sections = {s.title: s.body for s in briefing.sections}
    assert sections["Talk to me"] == ("Send tips, comments and questions: kim@switchboard.example.com.",)
    # The platform's subscription appeal, Like/Comment/Restack buttons, the copyright and the
    # address are the page's footer.
    assert sections["Footer"] == (
        "Switchboard is a reader-supported publication. To receive new posts and support my work, "
        "consider becoming a free or paid subscriber.",
        "Like · Comment · Restack",
        "© 2026 Kim Chen",
        "548 Market Street PMB 72296, San Francisco, CA 94104",
        "Unsubscribe",
        "Start writing",
    )
    assert "Type your email" not in repr(briefing.to_dict())


# -- Beehiiv / Mailchimp-style HTML e-mail ---------------------------------------------------------
def test_email_builder_layout_with_preheader_spacers_and_photo_credit():
    briefing = parse_fixture("beehiiv_email.html")
    assert briefing.title == "Heat pumps outsell furnaces again"
    assert briefing.date == "2026-03-24"
    assert briefing.intro == (
        "View online",
        "Plus: a battery plant in Georgia and the grid's busiest hour",
        "Read online",
        "Hi Gridliners 👋 — spring is here, and so is the annual heating sales report. Here is what we are covering:",
    )
    assert briefing.headlines == (
        "Heat pumps outsell gas furnaces for the fourth year",
        "A battery plant breaks ground in Georgia",
        "The grid's busiest hour has moved",
    )
    assert shape(briefing) == [
        (None, "Heat pumps outsell gas furnaces for the fourth year", False),
        ("Together with Voltwise", "Know what your building uses, every minute", True),
        (None, "A battery plant breaks ground in Georgia", False),
        (None, "The grid's busiest hour has moved", False),
    ]
    heat, voltwise, plant, peak = briefing.stories
    assert heat.unpacked == (
        "The gap widened in cold states, not just the south.",
        "Federal rebates covered about one in five installs.",
    )
    assert heat.bottom_line.startswith("The furnace is becoming the niche product")
    assert [l.url for l in voltwise.links] == ["https://voltwise.example.com/?utm_source=gridline"]
    # "Photo: Brightcell" under the title is a credit, not the story's title or lead.
    assert plant.lead == (
        "Brightcell started building a $2B factory for grid batteries outside Savannah, with "
        "production planned for 2028."
    )
    assert plant.body == ("Photo: Brightcell",)
    assert plant.bottom_line == "Grid storage has relied on imported cells; this plant would make them domestically."
    assert peak.bottom_line == "Batteries that discharge in the evening are worth more than ever."
    assert [(i.text, i.url) for i in briefing.shortlist] == [
        ("A federal charger program reopened applications.", "https://news.example.com/ev-chargers"),
        ("Two utilities in Ohio proposed time-of-use rates for all customers.", None),
    ]
    assert [r.to_dict() for r in briefing.references] == [
        {"publisher": "Heating Institute", "title": "2025 Shipments Report", "url": "https://report.example.com/hvac-2025"},
        {"publisher": "Grid Monitor", "title": "When demand peaks", "url": "https://grid.example.com/peak"},
    ]
    assert [(s.title, s.body) for s in briefing.sections] == [
        (
            "Footer",
            (
                "Did someone forward you this? Subscribe here.",
                "Update your email preferences or unsubscribe.",
                "Gridline Media, 100 Example Ave, Austin, TX 78701",
            ),
        )
    ]


# -- every fixture: nothing visible is lost -----------------------------------------------------------
UNSEEN = (
    "axios_style.html",
    "rundown_style.md",
    "brieflet_digest.txt",
    "import_notes.txt",
    "bits_daily.md",
    "markets_morning.html",
    "substack_post.html",
    "beehiiv_email.html",
)


def test_unseen_fixtures_keep_their_story_words():
    for name in UNSEEN:
        raw = (FIXTURES / name).read_text(encoding="utf-8")
        if name.endswith(".html"):
            blocks = html_blocks(raw).blocks
        elif name.endswith(".md"):
            blocks = markdown_blocks(raw)
        else:
            blocks = text_blocks(raw)
        source = visible_words(" ".join(b.text for b in blocks))
        out = visible_words(repr(parse_fixture(name).to_dict()))
        # Label words ("Unpacked", "Sources") and dates become structure; every other word stays.
        missing = {w for w in source - out if w.lower() not in _LABEL_WORDS}
        assert not missing, (name, sorted(missing))


_LABEL_WORDS = {word for texts in LABELS.values() for text in texts for word in re.findall(r"[a-z]+", text)} | {
    "links", "today", "rundown", "issue", "newsletter", "from",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "oct", "nov", "dec",
}
