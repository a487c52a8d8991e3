"""A synthetic, deterministic corpus of newsletter issues and the RSS feeds that carry them.

Every issue is a pure function of (seed, feed number, issue number), so any process can
regenerate any issue: the HTTP server builds the feeds, the benchmark rebuilds a sample for the
parser-only measurement and knows which words and titles to look for.

An issue looks like the briefings briefing-tui is made for: a title, a dek, a "From ...
newsletter — date" line, an intro, an "In today's ...:" headline list, 4-8 stories (a lead, 2-4
"Unpacked" bullets and a "Bottom line"), "The Shortlist" and "References".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from itertools import accumulate
from xml.sax.saxutils import escape

ISSUES_PER_FEED = 50
#: The newest issue of every feed is dated this day; older ones go back one day each.
NEWEST = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)

PUBLICATIONS = (
    "Quokka", "Bit Baker", "Lattice", "Signal Path", "Kernel", "Stacktrace", "Wafer", "Tensor",
    "Packet", "Cobalt", "Heap", "Vector", "Photon", "Relay", "Ledger", "Cache Line", "Firmware",
    "Uplink", "Bytewise", "Circuit",
)
KINDS = ("Daily", "Weekly", "Brief", "Digest", "Dispatch", "Report", "Wire", "Memo")

COMPANIES = (
    "OpenAI", "Nvidia", "Samsung", "Cerebras", "Alibaba", "ByteDance", "Micron", "Intel", "AMD",
    "Google", "Microsoft", "Amazon", "Meta", "Apple", "Anthropic", "Mistral", "Arm", "TSMC",
    "Qualcomm", "Broadcom", "Oracle", "IBM", "Huawei", "Tencent", "Baidu", "xAI", "Cohere",
    "Databricks", "Snowflake", "Cloudflare", "Stripe", "Shopify", "Tesla", "Sony", "Dell",
)
TOPICS = (
    "chips", "memory", "robotics", "models", "inference", "training", "datacenter", "energy",
    "regulation", "security", "privacy", "cloud", "startups", "funding", "open-source", "browsers",
    "semiconductors", "batteries", "satellites", "quantum", "networking", "storage", "compilers",
    "databases", "search", "advertising", "payments", "gaming", "wearables", "automotive",
)
# Common English and tech words; earlier ones are drawn more often (a Zipf-like mix).
WORDS = """
the of and to in a is that for on with as by it at from this its are was be an or has have
will but not their more than which new its they after also about into over most year first
company said would could market model models chips data users billion million percent launch
launched release released price prices cost costs customers cloud compute power training
inference memory bandwidth latency speed faster cheaper larger smaller open source software
hardware platform developers engineers research team teams lab labs startup startups deal
deals funding investors round valuation revenue sales growth quarter demand supply shortage
capacity factory fabs wafer process node design architecture benchmark benchmarks record
performance efficiency energy grid water cooling rack racks server servers cluster clusters
network networks storage database databases security breach patch vulnerability attack
privacy regulators regulation law rules court lawsuit settlement antitrust fine policy
government agency europe china united states india japan korea taiwan export controls tariffs
robot robots robotics humanoid vision language agents agent coding assistant chatbot search
browser phone phones laptop devices device battery batteries display camera sensor satellite
satellites launch orbit rocket quantum qubit qubits error correction compiler runtime kernel
framework library update version preview beta stable api pricing subscription tier plan
enterprise consumer retail advertising ads payments fintech bank banks crypto stablecoin
token tokens context window parameters weights dataset datasets evaluation safety alignment
policy board chief executive officer founder founders hire hires layoffs departures exodus
merger acquisition acquire acquired partnership partner partners contract contracts supplier
suppliers shipping ships shipped production mass yield yields packaging stack stacks layer
layers throughput gigabit terabyte watt watts megawatt gigawatt nuclear solar wind turbine
""".split()

LEAD_TEMPLATES = (
    "{company} {verb} {thing} on {day}, {claim}.",
    "{company} said its {thing} {verb2} {number} {unit}, {claim}.",
    "After months of {noun}, {company} {verb} {thing} that {claim}.",
)
VERBS = ("unveiled", "shipped", "announced", "previewed", "acquired", "open-sourced", "delayed", "priced")
VERBS2 = ("reached", "passed", "doubled to", "fell to", "hit", "topped")
THINGS = (
    "a new inference chip", "its next model", "a robotics platform", "a memory stack", "a coding agent",
    "a cloud region", "a safety framework", "a datacenter campus", "a browser", "a search product",
    "a satellite network", "a battery line", "a quantum processor", "a payments API", "a compiler",
)
UNITS = ("tokens per second", "gigawatts", "billion dollars", "percent", "terabytes per second", "users")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOUNS = ("delays", "speculation", "testing", "negotiations", "layoffs", "lawsuits", "rumours")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)
#: Rare words, a few per issue, so that some queries match only a handful of stories.
RARE = tuple(
    f"{a}{b}" for a in ("zephyr", "quill", "marzi", "torva", "lumen", "ferro", "nimbo", "cobal") for b in (
        "ine", "ack", "pan", "ne", "ite", "ux", "ora", "ex"
    )
)

_CUM = list(accumulate(1.0 / (rank + 8) for rank in range(len(WORDS))))


@dataclass(frozen=True, slots=True)
class FeedSpec:
    number: int
    title: str
    path: str


def feed_count(issues: int) -> int:
    return max(1, -(-issues // ISSUES_PER_FEED))


def feed_issue_counts(issues: int) -> list[int]:
    """How many issues each feed holds: ISSUES_PER_FEED each, the remainder spread over the first."""
    feeds = feed_count(issues)
    base, extra = divmod(issues, feeds)
    return [base + (1 if number < extra else 0) for number in range(feeds)]


def feed_spec(feed: int) -> FeedSpec:
    publication = PUBLICATIONS[feed % len(PUBLICATIONS)]
    kind = KINDS[(feed // len(PUBLICATIONS)) % len(KINDS)]
    return FeedSpec(feed, f"{publication} {kind} {feed + 1}", f"/feeds/{feed + 1}.xml")


def issue_date(feed: int, issue: int) -> datetime:
    """Issue 0 is the newest; feeds publish at slightly different hours."""
    return NEWEST - timedelta(days=issue, minutes=(feed * 7) % 600)


def issue_title(feed: int, issue: int, seed: int = 0) -> str:
    rng = random.Random(f"{seed}/{feed}/{issue}/title")
    company = rng.choice(COMPANIES)
    thing = rng.choice(THINGS).split(" ", 1)[1]
    return f"No. {feed + 1}-{ISSUES_PER_FEED - issue}: {company} {rng.choice(VERBS)} {thing}"


class _Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def words(self, count: int) -> str:
        return " ".join(self.rng.choices(WORDS, cum_weights=_CUM, k=count))

    def sentence(self, low: int = 10, high: int = 22) -> str:
        text = self.words(self.rng.randint(low, high))
        return text[0].upper() + text[1:] + "."

    def lead(self) -> str:
        rng = self.rng
        return rng.choice(LEAD_TEMPLATES).format(
            company=rng.choice(COMPANIES),
            verb=rng.choice(VERBS),
            verb2=rng.choice(VERBS2),
            thing=rng.choice(THINGS),
            day=rng.choice(DAYS),
            number=rng.randint(2, 999),
            unit=rng.choice(UNITS),
            noun=rng.choice(NOUNS),
            claim=self.words(rng.randint(8, 16)),
        )


def issue_html(feed: int, issue: int, seed: int = 0) -> str:
    """The HTML of one issue (what a feed carries in content:encoded)."""
    rng = random.Random(f"{seed}/{feed}/{issue}")
    writer = _Writer(rng)
    spec = feed_spec(feed)
    publication = spec.title
    date = issue_date(feed, issue)
    title = issue_title(feed, issue, seed)
    stories = []
    for number in range(rng.randint(4, 8)):
        company = rng.choice(COMPANIES)
        topic = rng.choice(TOPICS)
        rare = rng.choice(RARE)
        story_title = f"{company} {rng.choice(VERBS)} {rng.choice(THINGS).split(' ', 1)[1]} in a {topic} {rare} push"
        bullets = [writer.sentence(14, 30) for _ in range(rng.randint(2, 4))]
        stories.append((story_title, writer.lead(), bullets, writer.sentence(12, 26)))
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p><em>{escape(writer.sentence(12, 20))}</em></p>",
        f"<p>From The {escape(publication)} newsletter — {MONTHS[date.month - 1]} {date.day}, {date.year}</p>",
        f"<p>Good morning. {escape(writer.sentence())} {escape(writer.sentence())}</p>",
        f"<p>{escape(writer.sentence(16, 30))}</p>",
        f"<p>In today's {escape(publication)}:</p>",
        "<ul>" + "".join(f"<li>{escape(story[0])}</li>" for story in stories) + "</ul>",
    ]
    for story_title, lead, bullets, bottom in stories:
        parts.append(f"<h2>{escape(story_title)}</h2>")
        parts.append(f"<p>The {escape(publication)}: {escape(lead)}</p>")
        parts.append("<p><strong>Unpacked:</strong></p>")
        parts.append("<ul>" + "".join(f"<li>{escape(bullet)}</li>" for bullet in bullets) + "</ul>")
        parts.append(f"<p><strong>Bottom line:</strong> {escape(bottom)}</p>")
    parts.append("<h2>The Shortlist</h2>")
    parts.append(
        "<ul>" + "".join(
            f"<li>{escape(rng.choice(COMPANIES))} {escape(writer.words(rng.randint(12, 24)))}.</li>"
            for _ in range(rng.randint(3, 5))
        ) + "</ul>"
    )
    parts.append("<h2>References</h2>")
    refs = []
    for number in range(rng.randint(4, 10)):
        publisher = rng.choice(("TechCrunch", "The Register", "Ars Technica", "Reuters", "Bloomberg", "Wired",
                                "The Verge", "Tom's Hardware", "CNBC", "Nikkei"))
        refs.append(
            f'<li><a href="https://news.example.com/{feed + 1}/{issue}/{number}">{escape(publisher)} — '
            f"{escape(writer.words(rng.randint(4, 9)).capitalize())}</a></li>"
        )
    parts.append("<ul>" + "".join(refs) + "</ul>")
    return "\n".join(parts)


def rss_feed(feed: int, issues: int, seed: int = 0) -> bytes:
    """The RSS document of one feed with ``issues`` entries, newest first, content in content:encoded."""
    spec = feed_spec(feed)
    items = []
    for issue in range(issues):
        link = f"https://news.example.com/{feed + 1}/issues/{ISSUES_PER_FEED - issue}"
        items.append(
            f"<item><title>{escape(issue_title(feed, issue, seed))}</title><link>{link}</link>"
            f'<guid isPermaLink="false">bench-{seed}-{feed + 1}-{ISSUES_PER_FEED - issue}</guid>'
            f"<pubDate>{format_datetime(issue_date(feed, issue), usegmt=True)}</pubDate>"
            "<description>Today's briefing.</description>"
            f"<content:encoded>{escape(issue_html(feed, issue, seed))}</content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(spec.title)}</title><link>https://news.example.com/{feed + 1}/</link>"
        f"<description>The {escape(spec.title)} briefing</description>"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def all_feeds(issues: int, seed: int = 0) -> list[tuple[FeedSpec, bytes]]:
    return [(feed_spec(feed), rss_feed(feed, count, seed)) for feed, count in enumerate(feed_issue_counts(issues))]


def sample_issues(issues: int, count: int, seed: int = 0) -> list[tuple[int, int]]:
    """(feed, issue) pairs spread over the corpus, for parser-only measurements."""
    pairs = [(feed, issue) for feed, n in enumerate(feed_issue_counts(issues)) for issue in range(n)]
    if count >= len(pairs):
        return pairs
    step = len(pairs) / count
    return [pairs[int(index * step)] for index in range(count)]
