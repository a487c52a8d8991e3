"""Finding a briefing's shape in a flat list of blocks.

One engine for every syntax. After the header (:mod:`briefing_tui.parser.header`) it walks the
rest as regions: intro, headline list, stories, shortlist, references and named sections.
Plain text has no markup, so there a short title-like line only opens a story when the story's
own signals follow (a lead with the publication's prefix, "Unpacked:"/"Bottom line:" labels) or
when it matches a headline. Nothing visible is dropped: whatever fits no pattern stays in a
story's body, the intro or a named section.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from dataclasses import dataclass, field, replace

from briefing_tui.model import Briefing, Link, Section, Story
from briefing_tui.parser.blocks import Block, Kind, fold_ornaments
from briefing_tui.parser.chrome import is_image_placeholder, split_chrome
from briefing_tui.parser.metadata import (
    WEB_VERSION_LINK,
    printed_site_name,
    publication_from_home_link,
    publication_from_text,
    publication_from_title,
    publication_from_web_link,
)
from briefing_tui.parser.dates import find_date, stamped_date, stated_year, with_year
from briefing_tui.parser.header import BYLINE, Header, norm, read_header, similarity, tokens
from briefing_tui.parser.items import (
    IdMaker,
    as_line,
    first_words,
    reference,
    shortlist_items,
    unique_links,
)
from briefing_tui.parser.labels import (
    CHROME_PATTERN,
    CLASSIFIED_TITLES,
    CREDIT_PATTERN,
    PHOTO_CREDIT,
    FOOTER_PATTERN,
    SPONSOR_BYLINE,
    SPONSOR_PATTERN,
    SPONSOR_SUFFIX,
    Label,
    inline_label,
    is_note_title,
    label_for,
    normalise_label,
)
from briefing_tui.text import clean_text, truncate


@dataclass(frozen=True, slots=True)
class Hints:
    """What the container (a feed entry, a file) already says about the document."""

    title: str | None = None
    source: str | None = None
    date: str | None = None
    url: str | None = None
    #: A date the archive stamped when it stored the issue: the last resort.
    fallback_date: str | None = None
    #: The file the document came from: its name is the title of last resort.
    filename: str | None = None
    #: Alt texts of the logo images above the first text (an HTML e-mail's masthead).
    masthead: tuple[str, ...] = ()


_LEAD_PREFIX = re.compile(r"^(?P<prefix>[A-Z0-9][\w'’&.\- ]{1,40}?):\s+(?=\S)")
#: A sponsor mark that names no sponsor ("Sponsored Listing", "*Sponsored*", "Ad").
_SPONSOR_MARK = re.compile(r"^[\W_]*(?:sponsored(?: listing| post| link| content)?|ad|advertisement|promoted|paid)[\W_]*$", re.I)
_INLINE_TOPICS = re.compile(r"^(?P<label>[^:]{3,40}):\s+(?P<rest>\S.{10,600})$", re.S)
_TOPIC_SPLIT = re.compile(r",\s+(?:and\s+|&\s+)?|;\s+|\s+and\s+(?=[^,]*$)")
#: How far ahead of a plain line to look for the labels that show it is a story's title.
_LOOKAHEAD = 30


#: A dek set between ellipses under a title ("…Numina-Lean-Agent shows how math will change…").
_DEK = re.compile(r"^(?:…|\.\.\.)\S.*(?:…|\.\.\.)$")
#: The title of a recurring feature: "Crate of the Week", "AI Skill of the Day".
_RUBRIC = re.compile(r"\bof the (?:day|week|month)\b", re.IGNORECASE)

_ATTRIBUTION_DASHES = frozenset(("--", "—", "–", "―", "~~"))


def title_like(text: str) -> bool:
    """A short line that reads like a title: few words, no sentence punctuation at the end.

    A trailing colon is allowed ("Tiny planners beat big ones:" heads a story in many plain-text
    letters); labels are recognised before this is asked.
    """
    if not text or len(text) > 150:
        return False
    words = text.split()
    if not 1 <= len(words) <= 18 or words[0] in _ATTRIBUTION_DASHES:
        # "-- The TinyGo Team", "— Jane Doe": an attribution under an item, not a title.
        return False
    if text[-1] in ".,;" or text.endswith("::"):
        return False
    first = words[0]
    # "xAI", "iPhone" start lower-case but are names; a lower-case first word is a sentence.
    return not (first[0].islower() and not any(c.isupper() for c in first))


def _closer_stated_day(sent: str | None, stated: str | None) -> str | None:
    """The issue's own stated day over the sending time's UTC day when they are a day apart
    (an evening e-mail in America is sent "tomorrow" in UTC)."""
    if not sent or not stated or sent == stated:
        return sent or stated
    try:
        gap = abs((date.fromisoformat(sent) - date.fromisoformat(stated)).days)
    except ValueError:
        return sent
    return stated if gap == 1 else sent


_LOGO_WORDS = frozenset(("logo", "image", "header", "banner", "icon", "spacer", "masthead"))


def _masthead_name(alts: tuple[str, ...]) -> str | None:
    """The publication named by its logo's alt text ("The Wall Street Journal")."""
    for alt in alts:
        words = alt.strip(" .").split()
        if (
            2 <= len(words) <= 6
            and words[0][:1].isupper()
            and not _LOGO_WORDS & {word.lower() for word in words}
        ):
            return " ".join(words)
    return None


def _icon_led(text: str) -> bool:
    """Does ``text`` open with an icon ("💻 Jobs", "🔧 Code & Tools")?"""
    text = text.lstrip()
    return bool(text) and ord(text[0]) >= 0x2190 and not text[0].isalnum()


def _is_kicker_text(block: Block) -> bool:
    """A topic tag: "CHIPS", "AI & POLICY", any short level 5-6 heading, or a short line ending
    in a colon right after a thematic break ("***", "Tech Tales:")."""
    text = block.text
    # Icons ("🚀") do not count as words; a tag is words, not figures ("S&P 500 · +0.3%").
    counted = [word for word in text.split() if any(c.isalnum() for c in word)]
    if len(counted) > 4 or len(text) > 44:
        return False
    if sum(1 for word in counted if any(c.isalpha() for c in word)) * 2 < len(counted):
        return False
    letters = [c for c in text if c.isalpha()]
    upper = bool(letters) and all(c.isupper() for c in letters)
    return (
        upper
        or (_icon_led(text) and not block.is_heading)
        or (block.is_heading and block.level >= 5)
        or (block.after_break and not block.is_heading and text.endswith(":") and len(text) > 1)
    )


_ITEM_SEPARATOR = re.compile(r"^\s*(?:[-–—:|]|\.\s)\s*")


_DASH_SEPARATOR = re.compile(r"^\s+[–—-]+\s")


def _item_story(block: Block) -> tuple[str, str, bool] | None:
    """(title, commentary, dashed) for an entry that opens with a linked title and says something
    about it ("**[Pico-1 runs on a watch](url)** - A 300M model that ...", "TINYGO 0.41 ( url ) —
    A huge release"), as link digests write stories. ``dashed``: a dash parts title and text,
    which marks the entry as a story even alone."""
    title = block.lead_strong
    plain = False
    if not title and block.links and block.text.startswith(block.links[0].text):
        # A linked title with no bold ("<a>Preact X</a> — Two years in the making ..."): only a
        # dash tells it from a sentence whose subject is linked ("[IBM] committed $10B ...").
        title, plain = block.links[0].text, True
    if block.kind is Kind.HEADING or not title or not block.links or not block.text.startswith(title):
        return None
    after = block.text[len(title) :]
    dashed = bool(_DASH_SEPARATOR.match(after))
    if (block.kind is not Kind.ITEM or plain) and not dashed:
        return None
    title = title.rstrip(" :-–—")
    # A project's name may start lower-case ("tee-js: Split a Stream"): the link marks the title.
    if not (title_like(title) or (plain and len(title.split()) <= 18 and title[-1] not in ".;,")):
        return None
    if not any(link.text.strip(" :") == title for link in block.links):
        return None
    rest = _ITEM_SEPARATOR.sub("", after, count=1).strip()
    if len(rest.split()) < 3 or (not dashed and len(rest.split()) < 5):
        return None
    return title, rest, dashed


def _is_topic(text: str) -> bool:
    """A short all-capitals or icon-led tag ("MARKETS", "🚀 Headlines & Launches")."""
    if len(text.split()) > 5 or len(text) > 50:
        return False
    letters = [c for c in text if c.isalpha()]
    return (bool(letters) and all(c.isupper() for c in letters)) or _icon_led(text)


_NOTICE = re.compile(r"^[\W_]{0,3}\s*([A-Z][\w'’]*(?: [\w'’]+){0,2}):\s+\S")


def _is_notice(block: Block) -> bool:
    """A one-line notice with a link under a short label ("Job alert: ...", "Event: ...")."""
    match = _NOTICE.match(block.text)
    return (
        match is not None
        # A named link ("[We're hiring](url)"), not an exporter's bare "(https://...)".
        and any(link.text != link.url for link in block.links)
        and block.kind is not Kind.HEADING
        and len(block.text.split()) <= 50
        and label_for(match.group(1)) is None
        and inline_label(block.text) is None
        and not SPONSOR_PATTERN.match(normalise_label(match.group(1)))
    )


def _paragraphs(chunk: _Chunk) -> int:
    return sum(1 for b in chunk.blocks if b.kind is Kind.PARAGRAPH)


def _rank(block: Block) -> int:
    """How high a title stands: heading levels 1-6, then bold paragraphs (7), then plain lines (8)."""
    if block.is_heading:
        return block.level
    return 7 if block.all_strong else 8


def _title_text(block: Block) -> str:
    """A block's text as a title: without the colon a plain-text title may end with."""
    text = block.text
    if text.endswith(":") and len(text) > 1:
        return text[:-1].rstrip() or text
    return text


def _is_linked(block: Block) -> bool:
    """Is the block (mostly) one link, as story headlines in link digests are?"""
    # A picture's link has its address for text: it links no words of the block.
    named = [link for link in block.links if link.text != link.url and link.text in block.text]
    if not named:
        return False
    covered = max(len(link.text) for link in named)
    return covered >= len(block.text) * 0.6


_SHORTLIST_NAMES = frozenset(("shortlist", "the shortlist"))
#: Longest list entry (in words) that still reads as a quick item rather than a story's text.
_QUICK_ITEM_WORDS = 80
#: A run of at least this many short paragraphs, each with a link, is a list of briefs.
_BRIEF_RUN = 5
_BRIEF_WORDS = 60


def _link_entries(blocks: list[Block], *, briefs: bool = False) -> list[Block]:
    """The entries of a list of links under a heading, or [] when the blocks are not one.

    Link digests and e-mail newsletters end with lists like "Cool Bits", "Around the Horn",
    "Stuff I shipped": each entry is one linked line or sentence with no headline of its own.
    A list qualifies when at least two thirds of its entries carry a link and none runs long (or
    it is one entry that is all link); without list markup, every paragraph must be a short line
    that is mostly one link.
    """
    items = [block for block in blocks if block.kind is Kind.ITEM]
    if len(items) == 1 and len(blocks) == 1 and _is_linked(items[0]) and len(items[0].text.split()) <= 20:
        # A heading over one bare link ("Call for participation": one issue to help with).
        return items
    if len(items) >= 2:
        linked = sum(1 for block in items if block.links)
        if linked >= 2 and linked * 3 >= len(items) * 2 and all(
            len(block.text.split()) <= _QUICK_ITEM_WORDS for block in items
        ):
            return items
        if briefs and len(items) == len(blocks) and all(len(block.text.split()) <= _BRIEF_WORDS for block in items):
            # In a briefing, a heading over nothing but a list of one-line briefs ("Flagging",
            # "Happening today") lists quick items; in an essay it lists the author's points.
            return items
        return []
    paragraphs = [block for block in blocks if block.kind is Kind.PARAGRAPH]
    if len(paragraphs) >= 2 and all(_is_linked(block) and len(block.text.split()) <= 20 for block in paragraphs):
        return paragraphs
    if (
        len(paragraphs) >= _BRIEF_RUN
        and len(paragraphs) == len(blocks)
        and all(block.links and len(block.text.split()) <= _BRIEF_WORDS for block in paragraphs)
    ):
        # A run of one-sentence briefs, each linking its source inside the sentence.
        return paragraphs
    return []


@dataclass
class _Chunk:
    title: str | None
    kicker: str | None = None
    sponsored: bool = False
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    matched_headline: bool = False
    linked: bool = False
    #: A heading with nothing under it before the next one: names a group of stories.
    group: bool = False
    #: The kicker came from a topic tag above an earlier story, not from this story's own tag.
    inherited: bool = False
    #: Rank of the block that titled the chunk (see :func:`_rank`).
    rank: int = 8
    #: The chunk is one entry of a list of linked, bold titles with commentary.
    from_item: bool = False
    #: How many blocks opening the chunk were read (tags and title), when not the usual count.
    consumed: int = 0
    #: The block that opened the chunk (its title), for its place in the page.
    opener: Block | None = None


class _Headlines:
    """The issue's headline list, indexed by word so matching stays fast on huge lists."""

    def __init__(self, headlines: list[str]) -> None:
        self.texts = headlines
        self.index: dict[str, list[int]] = defaultdict(list)
        for position, headline in enumerate(headlines):
            for word in tokens(headline):
                self.index[word].append(position)

    def best(self, text: str) -> tuple[str | None, float]:
        """The headline most like ``text`` and how alike they are (0..1)."""
        counts: Counter[int] = Counter()
        for word in tokens(text[:2000]):
            postings = self.index.get(word, ())
            if len(postings) <= 200:
                counts.update(postings)
        best, score = None, 0.0
        for position, _ in counts.most_common(20):
            value = similarity(text[:2000], self.texts[position])
            if value > score:
                best, score = self.texts[position], value
        return best, score

    def matches(self, text: str) -> bool:
        return bool(self.texts) and self.best(text)[1] >= 0.5


class _Builder:
    def __init__(self, blocks: list[Block], hints: Hints, doc_title: str | None, doc_date: str | None):
        self.all_blocks = fold_ornaments(blocks)
        self.blocks, self.chrome = split_chrome(self.all_blocks)
        if not self.blocks:
            self.blocks, self.chrome = self.all_blocks, []
        blocks = self.blocks
        self.hints = hints
        self.doc_title = doc_title
        self.doc_date = doc_date
        self.chunks: list[_Chunk] = []
        #: Shortlist entries: (position in the body, block, heading it stood under).
        self.shortlist: list[tuple[int, Block, str | None]] = []
        self.shortlist_group: str | None = None
        self.references: list[Block] = []
        self.footer: list[str] = []
        self.footer_links: list[Link] = []
        self.footer_blocks: list[Block] = []
        #: Links of chrome lines above the body (they stay in the intro).
        self.top_chrome_links: list[Link] = []
        self.shortlist_title_open = False
        # Per-block answers, keyed by id(block): the walk asks about the same blocks repeatedly.
        self._labels: dict[int, Label | None] = {}
        self._candidates: dict[int, str | None] = {}
        self._story_labels: dict[int, tuple[Label, str | None] | None] = {}
        self.has_markup_headings = any(b.is_heading or b.all_strong for b in blocks)
        #: Some bold line stands right under a heading: the issue titles stories in bold
        #: inside its sections ("## Markets" over "**Stocks rally**").
        self._bold_titles = any(
            block.all_strong
            and not block.is_heading
            and before.is_heading
            and title_like(block.text)
            and label_for(block.text) is None
            for before, block in zip(blocks, blocks[1:])
        )
        self._source_key: str | None = None
        self.banner: Block | None = None
        #: Heading levels of the stories the headline list names (set once the chunks are read).
        self._headline_ranks: set[int] = set()
        #: The headline list is an essay's contents: most parts it names are long.
        self._essay_parts = False

    # -- classification ------------------------------------------------------------------------
    def bare_label(self, block: Block) -> Label | None:
        if block.kind is Kind.ITEM or len(block.text) > 60:
            return None
        key = id(block)
        if key not in self._labels:
            self._labels[key] = label_for(block.text)
        return self._labels[key]

    def candidate(self, block: Block) -> str | None:
        """'hard' for marked-up headings, 'soft' for plain title-like lines, else None."""
        key = id(block)
        if key not in self._candidates:
            self._candidates[key] = self._candidate(block)
        return self._candidates[key]

    def _candidate(self, block: Block) -> str | None:
        if block.kind is not Kind.ITEM and self.is_credit(block):
            return None
        if block.is_heading:
            return "hard"
        if block.kind is Kind.PARAGRAPH and title_like(block.text) and not _DEK.match(block.text):
            if block.all_strong:
                return "hard"
            return "soft"
        return None

    def lead_prefix(self, block: Block) -> str | None:
        if block.kind is not Kind.PARAGRAPH:
            return None
        if block.strong_label:
            label = block.strong_label.rstrip(": ")
            if label and label_for(label) is None and len(label.split()) <= 5:
                return label
        match = _LEAD_PREFIX.match(block.text)
        if match and label_for(match.group("prefix")) is None:
            return match.group("prefix")
        return None

    def story_label(self, block: Block) -> tuple[Label, str | None] | None:
        """(label, text after it) for Unpacked/Bottom line labels, bare or inline."""
        key = id(block)
        if key not in self._story_labels:
            self._story_labels[key] = self._story_label(block)
        return self._story_labels[key]

    def _story_label(self, block: Block) -> tuple[Label, str | None] | None:
        bare = self.bare_label(block)
        if bare in (Label.UNPACKED, Label.BOTTOM_LINE):
            return bare, None
        if block.kind is Kind.HEADING:
            return None
        found = inline_label(block.text)
        if found:
            return found
        if block.strong_label:
            strong = label_for(block.strong_label)
            if strong in (Label.UNPACKED, Label.BOTTOM_LINE) and block.text.startswith(block.strong_label):
                rest = block.text[len(block.strong_label) :].strip()
                return strong, rest or None
        return None

    def _has_lead_prefix(self, block: Block) -> bool:
        prefix = self.lead_prefix(block)
        return bool(prefix and prefix.lower() in self.lead_prefixes)

    def _is_story_signal(self, block: Block) -> bool:
        found = self.story_label(block)
        if not found:
            return False
        label, rest = found
        return rest is not None or block.text.rstrip().endswith(":") or bool(block.strong_label)

    @staticmethod
    def is_credit(block: Block) -> bool:
        """A picture credit under a title ("Illustration: Jane Doe/Outlet")."""
        return len(block.text) < 140 and bool(CREDIT_PATTERN.match(block.text) or PHOTO_CREDIT.match(block.text))

    def _is_sponsor(self, block: Block) -> bool:
        return (
            block.kind is not Kind.ITEM
            and len(block.text) < 120
            and bool(SPONSOR_PATTERN.match(normalise_label(block.text)))
        )

    # -- body ----------------------------------------------------------------------------------
    def prepare(self, start: int) -> None:
        body = self.blocks[start:]
        # E-mail footers (unsubscribe, view in browser) in the second half become their own section.
        half = len(body) // 2
        kept = []
        in_footer = False
        for position, block in enumerate(body):
            short = len(block.text) < 400
            if position >= half and short and (
                FOOTER_PATTERN.search(block.text)
                or (in_footer and not block.is_heading and label_for(block.text) is None)
                or (CHROME_PATTERN.match(block.text) and any(c.isalpha() for c in block.text))
            ):
                self.footer.append(as_line(block))
                self.footer_blocks.append(block)
                self.footer_links.extend(block.links)
                in_footer = in_footer or bool(FOOTER_PATTERN.search(block.text))
            else:
                kept.append(block)
        self.body = kept
        # Prefixes that open the first paragraph under a title ("The Bit Baker: ...").
        counts: Counter[str] = Counter()
        first_seen: dict[str, str] = {}
        for index, block in enumerate(kept[:-1]):
            if self.candidate(block):
                prefix = self.lead_prefix(kept[index + 1])
                if prefix:
                    counts[prefix.lower()] += 1
                    first_seen.setdefault(prefix.lower(), prefix)
        self.lead_prefixes = {prefix for prefix, count in counts.items() if count >= 2}
        own = set()
        if self.source:
            own = {self.source.lower(), ("the " + self.source).lower()}
        elif counts:
            prefix, count = counts.most_common(1)[0]
            if count >= 2:
                self.source = first_seen[prefix]
        self.lead_prefixes |= own
        self.headline_range = self._find_headlines()
        self.headlines = _Headlines(
            [kept[i].text for i in range(self.headline_range[0] + 1, self.headline_range[1])]
            if self.headline_range
            else self._inline_headlines()
        )
        self.signals = bool(self.lead_prefixes - own) or any(
            self._is_story_signal(block) or self._has_lead_prefix(block) for block in kept
        )
        #: News paragraphs that open on bold words ("**The man accused** of storming ..."): the
        #: way briefings set their items, which essays do not do paragraph after paragraph.
        run_ins = sum(
            1
            for block in kept
            if block.kind is Kind.PARAGRAPH
            and block.lead_strong
            and not block.strong_label
            and len(block.lead_strong) * 3 < len(block.text)
            and len(block.text.split()) >= 20
        )
        self.briefing_mode = (
            self.signals or self.headline_range is not None or bool(self.headlines.texts) or run_ins >= 4
        )

    def _find_headlines(self) -> tuple[int, int] | None:
        body = self.body
        for index, block in enumerate(body):
            if self.bare_label(block) is Label.HEADLINES:
                end = index + 1
                if end < len(body) and body[end].kind is Kind.ITEM:
                    while end < len(body) and body[end].kind is Kind.ITEM:
                        end += 1
                else:
                    while (
                        end < len(body)
                        and body[end].kind is Kind.PARAGRAPH
                        and title_like(body[end].text)
                        and not self.bare_label(body[end])
                        and not self._signals_follow(end)
                    ):
                        end += 1
                if end > index + 1:
                    return index, end
        return None

    def _inline_headlines(self) -> list[str]:
        """Today's topics written as one sentence under a label ("Today's issue: A, B, and C"),
        or without a label when the topics are the titles that follow, in order."""
        titles = [b.lead_strong or b.text for b in self.body if b.lead_strong or self.candidate(b)]
        for block in self.body[:3]:
            if block.kind is not Kind.PARAGRAPH or block.lead_strong or not 20 <= len(block.text) <= 400:
                continue
            text = block.text.rstrip(".")
            if ". " in text or ":" in text:
                continue
            parts = [p.strip(" .;") for p in _TOPIC_SPLIT.split(text) if p.strip(" .;")]
            if not 3 <= len(parts) <= 12 or any(len(p.split()) > 6 for p in parts):
                continue
            named = sum(1 for part in parts if any(similarity(part, title) >= 0.6 for title in titles))
            if named * 2 > len(parts):
                return parts
        for block in self.body[:12]:
            match = _INLINE_TOPICS.match(block.text)
            if block.kind is Kind.HEADING or not match or label_for(match.group("label")) is not Label.HEADLINES:
                continue
            parts = [p.strip(" .;") for p in _TOPIC_SPLIT.split(match.group("rest")) if p.strip(" .;")]
            if 2 <= len(parts) <= 12 and all(len(p.split()) <= 20 for p in parts):
                return parts
        return []

    def _signals_follow(self, index: int) -> bool:
        """Does story structure follow the line at ``index`` (a lead or story labels)?"""
        body = self.body
        if index + 1 < len(body) and self._has_lead_prefix(body[index + 1]):
            return True
        for block in body[index + 1 : index + 1 + _LOOKAHEAD]:
            if self.candidate(block) and not self.story_label(block):
                return False
            if self._is_story_signal(block):
                return True
        return False

    def is_boundary(self, index: int, region: str, chunk: _Chunk | None = None) -> bool:
        """Does the block at ``index`` open a new story or section?"""
        block = self.body[index]
        kind = self.candidate(block)
        if kind is None:
            return False
        if (
            chunk is not None
            and chunk.blocks
            and not chunk.from_item
            and not block.is_heading
            and block.text.endswith(":")
            and index + 1 < len(self.body)
            and self.body[index + 1].kind is Kind.ITEM
        ):
            # "Step-by-step:" over a list inside a story is the story's own sub-label.
            return False
        if self.headlines.matches(block.text):
            return True
        if (
            chunk is not None
            and chunk.blocks
            and chunk.rank <= 6
            and block.all_strong
            and not block.is_heading
            and not block.after_break
            and not self._bold_titles
        ):
            # A bold line inside a story under a marked-up heading ("**So what was the vibe?**")
            # is the story's own subheading, where no story of the issue is titled in bold.
            return False
        if kind == "soft" and chunk is not None and not chunk.blocks and chunk.title and chunk.rank < 8:
            # A plain line right under a marked-up title belongs to that story (a dek, a credit).
            return False
        if (
            kind == "soft"
            and not block.after_break
            and index > 1
            and all(
                self.body[before].kind is Kind.PARAGRAPH
                and self.candidate(self.body[before]) == "soft"
                and not self.body[before].after_break
                and not self.body[before].links
                for before in (index - 1, index - 2)
            )
            and chunk is not None
            and chunk.blocks
        ):
            # The last of a run of short lines ("Marketing managers (60%, 100%)") is a line of
            # that list, not a title, even with a takeaway under it.
            return False
        if self._signals_follow(index):
            return True
        if kind == "soft" and block.after_break and region not in ("shortlist", "references"):
            # After a rule ("***", <hr>), a title-like line over body text opens the next part.
            following = self.body[index + 1] if index + 1 < len(self.body) else None
            if following is not None and self.candidate(following) is None and not self.bare_label(following):
                return True
        if region in ("shortlist", "references"):
            # Inside a list of links only real headings end the list: bold item titles do not.
            return block.is_heading
        if kind == "hard":
            return True
        if region == "headlines" or self.briefing_mode or self.has_markup_headings:
            # Where the document marks its headings up, a plain short paragraph is a paragraph.
            return False
        following = self.body[index + 1] if index + 1 < len(self.body) else None
        return following is not None and self.candidate(following) is None

    def _open(self, block: Block, **options) -> _Chunk:
        chunk = _Chunk(title=_title_text(block), links=list(block.links), rank=_rank(block), opener=block, **options)
        chunk.linked = _is_linked(block)
        chunk.sponsored = chunk.sponsored or bool(SPONSOR_SUFFIX.search(block.text))
        self.chunks.append(chunk)
        return chunk

    def walk(self) -> None:
        body = self.body
        self.intro_blocks: list[str] = []
        self.intro_links: list[Link] = []
        region = "intro"
        chunk: _Chunk | None = None
        expect_title = False
        #: The topic tag over the stories being read ("HEADLINES & LAUNCHES") and its rank.
        self.topic: tuple[str, int] | None = None
        index = 0
        while index < len(body):
            block = body[index]
            if self.headline_range and self.headline_range[0] <= index < self.headline_range[1]:
                region, chunk, self.topic = "headlines", None, None
                # Headlines are plain strings: their links stay reachable with the intro's.
                self.intro_links.extend(block.links)
                index += 1
                continue
            label = self.bare_label(block)
            if label is Label.HEADLINES and chunk is not None and chunk.blocks and self.headlines.texts:
                # "Here's what happened:" inside a story, below the headline list, opens
                # the story's details, not a second headline list.
                self._labels[id(block)] = label = Label.UNPACKED
                self._story_labels.pop(id(block), None)
            if label in (Label.SHORTLIST, Label.REFERENCES, Label.HEADLINES):
                region, chunk, self.topic = label.value, None, None
                name = _title_text(block).rstrip(":").strip()
                # "The Shortlist" names the part itself; "Quick hits", "Around the web" name a group.
                self.shortlist_group = None if normalise_label(name) in _SHORTLIST_NAMES else name or None
                index += 1
                continue
            if chunk is not None and expect_title:
                expect_title = False
                if not label and self._sponsor_title(index):
                    # "Together with X" over the sponsor's own headline.
                    chunk.kicker, chunk.title = chunk.title, _title_text(block)
                    chunk.links.extend(block.links)
                    index += 1
                    continue
            if label in (Label.UNPACKED, Label.BOTTOM_LINE) and (
                chunk is None or (not self.briefing_mode and self.candidate(block))
            ):
                # A "Why It Matters" heading outside any story is a named section of an article.
                chunk, region = self._open(block), "chunk"
                index += 1
                continue
            if self._is_sponsor(block) and _SPONSOR_MARK.match(block.text) and region == "shortlist":
                # "Sponsored Listing" in a list marks the one entry under it, not the rest.
                if index + 1 < len(body):
                    marked = self._open(body[index + 1], sponsored=True, kicker=_title_text(block))
                    marked.title = truncate(body[index + 1].text.split(" - ")[0].split(". ")[0], 100)
                    marked.blocks.append(body[index + 1])
                    chunk = None
                index += 2
                continue
            if region in ("intro", "chunk") and self._brief_run_at(index):
                # "**Nvidia** is said to be assembling ...": a run of one-paragraph briefs that
                # open on their subject in bold are quick items.
                while self._brief_run_at(index, run=False):
                    self.shortlist.append((index, body[index], None))
                    index += 1
                continue
            if (
                _SPONSOR_MARK.match(block.text)
                and self._is_sponsor(block)
                and self._brief_run_at(index + 1)
            ):
                # A bare "Sponsored Listing" mark beside a run of briefs marks one listing, not
                # the briefs: it stays with the page's furniture.
                self.chrome.append(block)
                index += 1
                continue
            if self._is_sponsor(block):
                chunk, region = self._open(block, sponsored=True), "chunk"
                expect_title = True
                index += 1
                continue
            if (
                not label
                and index + 1 < len(body)
                and self.candidate(block)
                and _is_kicker_text(block)
                and _item_story(body[index + 1]) is not None
                and not self._is_byline(block, chunk)
                and not self._is_masthead_line(block)
            ):
                # A category over a link digest's entries ("CODE & TOOLS"): their kicker.
                self.topic = (_title_text(block), _rank(block))
                chunk, region = None, "intro" if region in ("shortlist", "references") else region
                self.intro_links.extend(block.links)
                index += 1
                continue
            if (
                not label
                and index + 1 < len(body)
                and self.candidate(block)
                and _is_kicker_text(block)
                and (self.has_markup_headings or self.candidate(body[index + 1]))
                and not (block.after_break and block.text.endswith(":") and not self.candidate(body[index + 1]))
                and not self._is_byline(block, chunk)
            ):
                chunk, region = self._kicker(index), "chunk"
                index += chunk.consumed or (1 if chunk.title is None or chunk.group else 2)
                if chunk.group:
                    self.topic = None
                elif chunk.title is not None:
                    # The topic holds over titles like the one it tagged: a plain "LRS" over
                    # bold titles ends at a heading above them, not at the next bold title.
                    tag = _rank(block)
                    self.topic = (chunk.kicker or "", chunk.rank - 1 if tag > chunk.rank else tag)
                continue
            entry = _item_story(block) if region in ("intro", "chunk", "shortlist") else None
            if entry and (
                (chunk is not None and chunk.from_item)
                # Amid a heading's paragraphs, a plain link before a dash opens a sentence
                # ("Google committed $40B to X — $10B now"), not an entry of its own.
                or (
                    entry[2]
                    and (block.lead_strong is not None or block.kind is Kind.ITEM or chunk is None or not chunk.blocks)
                )
                or (
                    (chunk is None or not chunk.blocks)
                    and index + 1 < len(body)
                    and _item_story(body[index + 1]) is not None
                )
            ):
                title, rest, _ = entry
                chunk, region = self._open_entry(title, Block(Kind.PARAGRAPH, rest), block, linked=True), "chunk"
                index += 1
                continue
            if (region == "intro" or (chunk is not None and chunk.from_item)) and self._run_in_story(index):
                # (Under a heading of their own, run-in titles are the points of that part.)
                # "**Unemployment insurance.** The US Department of Labor ...": a bold run-in title.
                title = block.lead_strong or ""
                rest = Block(Kind.PARAGRAPH, block.text[len(title) :].strip(), links=list(block.links))
                chunk, region = self._open_entry(title, rest, block, linked=False), "chunk"
                index += 1
                continue
            if region in ("intro", "chunk", "shortlist") and self._item_over_blurb(index):
                # "- [Title](url) by Author" with its blurb in the paragraph under it.
                chunk, region = self._open_entry(block.text, body[index + 1], block, linked=True), "chunk"
                index += 2
                continue
            if self._is_byline(block, chunk) and len(block.text.split()) <= 8:
                chunk.blocks.append(block)
                index += 1
                continue
            if region == "intro" and self._is_masthead_line(block):
                # The masthead printed above the first entry.
                self.intro_blocks.append(block.text)
                index += 1
                continue
            if label is None and self.is_boundary(index, region if chunk is None else "chunk", chunk):
                chunk, region = self._open(block), "chunk"
                chunk.matched_headline = self.headlines.matches(block.text)
                if self.topic is not None and chunk.rank <= self.topic[1] and chunk.rank < 8:
                    # A heading as high as the topic tag ends the topic.
                    self.topic = None
                if self.topic is not None:
                    chunk.kicker, chunk.inherited = self.topic[0], True
                index += 1
                continue
            # Content of the current region.
            if region == "chunk" and chunk is not None:
                chunk.blocks.append(block)
            elif region == "shortlist":
                self._add_shortlist(index, block)
            elif region == "references":
                self.references.append(block)
            elif self.headlines.texts and _is_notice(block):
                # "👋 Job alert: [We're hiring a reporter](url) ..." under the headline list: a
                # quick item of its own, not the editor's introduction.
                self.shortlist.append((index, block, None))
            else:
                self.intro_blocks.append(as_line(block))
                self.intro_links.extend(block.links)
            index += 1

    def _is_masthead_line(self, block: Block) -> bool:
        """The publication's name printed on its own line ("Pipe Weekly" above the first entry),
        or the edition's banner over the issue ("Flagship")."""
        if block is self.banner:
            return True
        if not self.source or len(block.text) > 60:
            return False
        if self._source_key is None:
            self._source_key = normalise_label(self.source)
        return normalise_label(block.text) == self._source_key

    @staticmethod
    def _is_byline(block: Block, chunk: _Chunk | None) -> bool:
        """A short plain line right under a link digest's entry names its author or publisher
        ("ZURB", "Dr. Axel Rauschmayer"), even in capitals: it is not the next category."""
        return (
            chunk is not None
            and chunk.from_item
            and len(chunk.blocks) == 1
            and not block.is_heading
            and not block.all_strong
            and not block.links
            and not _icon_led(block.text)
        )

    def _is_run_in(self, index: int) -> bool:
        """A paragraph that opens with a short bold sentence of its own and goes on about it."""
        if not 0 <= index < len(self.body):
            return False
        block = self.body[index]
        title = block.lead_strong
        return (
            block.kind is Kind.PARAGRAPH
            and bool(title)
            and block.text.startswith(title)
            and title[-1] in ".?!"
            and len(title.split()) <= 10
            and len(block.text.split()) - len(title.split()) >= 8
        )

    def _is_subject_brief(self, index: int) -> bool:
        """A paragraph that opens on its subject in bold and runs on ("**Oil** gained as ...")."""
        if not 0 <= index < len(self.body):
            return False
        block = self.body[index]
        lead = block.lead_strong
        if block.kind is not Kind.PARAGRAPH or not lead or block.strong_label or not block.text.startswith(lead):
            return False
        rest = block.text[len(lead) :].lstrip()
        return (
            len(lead.split()) <= 6
            and lead[-1].isalnum()
            and rest[:1].islower()
            and 15 <= len(block.text.split()) <= _QUICK_ITEM_WORDS
        )

    def _brief_run_at(self, index: int, *, run: bool = True) -> bool:
        """Is ``index`` a subject brief, and (``run``) the first of at least three in a row?"""
        if not self._is_subject_brief(index):
            return False
        return not run or (self._is_subject_brief(index + 1) and self._is_subject_brief(index + 2))

    def _run_in_story(self, index: int) -> bool:
        """A run-in title in a run of them (one bold opening sentence is only emphasis)."""
        return self._is_run_in(index) and (self._is_run_in(index - 1) or self._is_run_in(index + 1))

    def _is_linked_entry(self, index: int) -> bool:
        """A list entry that opens with its link and is no longer than a title ("[Hasql v2](url) by X")."""
        if index >= len(self.body):
            return False
        block = self.body[index]
        return (
            block.kind is Kind.ITEM
            and bool(block.links)
            and block.text.startswith(block.links[0].text)
            and len(block.links[0].text.split()) >= 1
            and len(block.text.split()) <= 25
            and block.text[-1] not in ".;,"
        )

    def _item_over_blurb(self, index: int) -> bool:
        """Is ``index`` a linked list entry whose blurb is the paragraph under it, in a run of such
        pairs (link digests written in Markdown put each entry's summary in a quote under it)?"""
        body = self.body
        if not self._is_linked_entry(index) or index + 1 >= len(body):
            return False
        blurb = body[index + 1]
        if blurb.kind is not Kind.PARAGRAPH or self.candidate(blurb) == "hard" or self.bare_label(blurb):
            return False
        if len(blurb.text.split()) < 3:
            return False
        # One pair could be an essay's list followed by its next paragraph: a run shows the pattern.
        before = index >= 2 and self._is_linked_entry(index - 2) and body[index - 1].kind is Kind.PARAGRAPH
        after = (
            self._is_linked_entry(index + 2)
            and index + 3 < len(body)
            and body[index + 3].kind is Kind.PARAGRAPH
        )
        return before or after

    def _open_entry(self, title: str, text: Block, block: Block, *, linked: bool) -> _Chunk:
        """A story read from one entry of a digest: its title, the text about it, the topic over it.
        A linked title keeps its links on the chunk; a run-in title's links stay with its text."""
        chunk = _Chunk(
            title=title,
            links=list(block.links) if linked else [],
            rank=7,
            from_item=True,
            opener=block,
            linked=linked,
            sponsored=bool(SPONSOR_SUFFIX.search(title)),
            matched_headline=self.headlines.matches(title),
        )
        chunk.blocks.append(text)
        if self.topic is not None:
            chunk.kicker, chunk.inherited = self.topic[0], True
        self.chunks.append(chunk)
        return chunk

    def _title_over_body(self, index: int) -> bool:
        """Is the block at ``index`` a title: a real heading, or a title-like line over body text?"""
        body = self.body
        if index >= len(body):
            return False
        block = body[index]
        kind = self.candidate(block)
        if kind is None or self.bare_label(block) or self.story_label(block) or self._is_sponsor(block):
            return False
        if kind == "hard":
            return True
        following = body[index + 1] if index + 1 < len(body) else None
        return (
            following is not None
            and following.kind is not Kind.HEADING
            and self.candidate(following) is None
            and self.bare_label(following) is None
        )

    def _sponsor_title(self, index: int) -> bool:
        """Does the block at ``index`` title the sponsored block whose marker line precedes it?"""
        return self._title_over_body(index)

    def _kicker(self, index: int) -> _Chunk:
        """A topic tag at ``index``: the kicker of the story whose title follows it."""
        body = self.body
        block, following = body[index], body[index + 1]
        follows_title = (
            self._title_over_body(index + 1)
            if self.has_markup_headings
            else self.candidate(following) is not None
        )
        if follows_title and not self.bare_label(following) and not self._is_sponsor(following):
            after = body[index + 2] if index + 2 < len(body) else None
            if _is_kicker_text(following) and after is not None and self.candidate(after):
                # Two tags in a row ("LATEST DEVELOPMENTS", "OPENAI"): the first names a group.
                chunk = self._open(block)
                chunk.group = True
                return chunk
            if _is_kicker_text(following) and after is not None and self.candidate(after) is None:
                # Two tags over a story whose own headline is missing ("LATEST DEVELOPMENTS",
                # "META", then the lead): both are its kicker.
                chunk = _Chunk(
                    title=None,
                    kicker=f"{_title_text(block)} · {_title_text(following)}",
                    links=list(block.links) + list(following.links),
                    rank=_rank(block),
                    consumed=2,
                )
                self.chunks.append(chunk)
                return chunk
            chunk = self._open(following, kicker=_title_text(block))
            chunk.matched_headline = self.headlines.matches(following.text)
            return chunk
        chunk = _Chunk(title=None, kicker=_title_text(block), links=list(block.links), rank=_rank(block))
        self.chunks.append(chunk)
        return chunk

    def _add_shortlist(self, index: int, block: Block) -> None:
        """A shortlist item; a bold or linked item title absorbs the description under it."""
        if self.shortlist_title_open and block.kind is Kind.PARAGRAPH and not self.candidate(block):
            at, previous, group = self.shortlist[-1]
            merged = Block(Kind.PARAGRAPH, f"{previous.text} — {block.text}", links=previous.links + block.links)
            self.shortlist[-1] = (at, merged, group)
            self.shortlist_title_open = False
            return
        self.shortlist_title_open = (
            block.kind is Kind.PARAGRAPH
            and title_like(block.text)
            and (block.all_strong or (_is_linked(block) and block.links[0].text != block.links[0].url))
        )
        self.shortlist.append((index, block, self.shortlist_group))

    # -- output --------------------------------------------------------------------------------
    @staticmethod
    def is_bare_link(chunk: _Chunk) -> bool:
        """A linked headline with nothing under it: a quick item, not a story."""
        return chunk.linked and not chunk.blocks and not chunk.sponsored and not chunk.group and bool(chunk.title)

    def is_story(self, chunk: _Chunk) -> bool:
        if chunk.group or self.is_bare_link(chunk):
            return False
        if chunk.title is None and not chunk.sponsored:
            # A topic tag with no title under it ("MARKETS" over a table) is a story only when
            # the story's own signals or a matching headline show it is one.
            return bool(
                any(self.story_label(b) for b in chunk.blocks)
                or (chunk.blocks and self._has_lead_prefix(chunk.blocks[0]))
                or self._title_from_headline(
                    next((b.text for b in chunk.blocks if b.kind is Kind.PARAGRAPH), None),
                    [as_line(b) for b in chunk.blocks[:3]],
                )
            )
        if chunk.matched_headline and not (chunk.sponsored or chunk.kicker or chunk.linked) and not self.signals:
            # An essay's table of contents names its parts: long parts with no story signals
            # anywhere in the issue stay sections, and so do the short ones when most are long.
            return not self._essay_parts and _paragraphs(chunk) <= 4
        if chunk.title and is_note_title(chunk.title) and not (chunk.sponsored or chunk.matched_headline):
            # "Editorial", "Next week in ...", "What to watch": the editor's own notes, a section.
            return False
        if (
            chunk.linked
            and not chunk.from_item
            and any(b.kind is Kind.ITEM and _is_linked(b) for b in chunk.blocks)
            and not any(self.story_label(b) for b in chunk.blocks)
        ):
            # A linked heading over a list of links ("[Approved RFCs](url)" over the RFCs) heads
            # the list; it is not one story.
            return False
        if chunk.sponsored or chunk.kicker or chunk.matched_headline or chunk.linked or chunk.from_item:
            return True
        if chunk.title and _RUBRIC.search(chunk.title) and any(b.kind is Kind.PARAGRAPH for b in chunk.blocks):
            # A recurring feature with text of its own ("Crate of the Week", "Tip of the day").
            return True
        if not self.briefing_mode:
            return False
        if chunk.title and _is_topic(chunk.title) and any(
            b.kind is Kind.PARAGRAPH and len(b.text.split()) >= 15 for b in chunk.blocks
        ):
            # A rubric ("COMMUNITY WORKFLOW OF THE DAY") over text of its own is a story.
            return True
        if any(self.story_label(b) for b in chunk.blocks):
            return True
        if chunk.blocks and self._has_lead_prefix(chunk.blocks[0]):
            return True
        if chunk.title and self.headlines.matches(chunk.title):
            return True
        if (
            chunk.title
            and chunk.rank in self._headline_ranks
            and any(b.kind is Kind.PARAGRAPH and len(b.text.split()) >= 15 for b in chunk.blocks)
        ):
            # A headed piece beside the listed stories, under the same kind of heading, with
            # text of its own ("AI Skill of the Day: ..."): a story the headline list left out.
            return True
        if chunk.blocks and len(_link_entries(chunk.blocks)) == len(chunk.blocks):
            # A heading over one-line briefs, each with its link ("10 AI News You Need to Know").
            return False
        return not self.headlines.texts and any(b.kind is Kind.PARAGRAPH for b in chunk.blocks)

    def story(self, chunk: _Chunk, make_id: IdMaker) -> Story:
        lead: str | None = None
        unpacked: list[str] = []
        bottom: str | None = None
        body: list[str] = []
        links: list[Link] = list(chunk.links)
        state = "start"
        had_items = False
        for block in chunk.blocks:
            links.extend(block.links)
            found = self.story_label(block)
            if found:
                label, rest = found
                if label is Label.UNPACKED:
                    if rest:
                        unpacked.append(rest)
                    state, had_items = "unpacked", False
                elif bottom is None:
                    if rest:
                        bottom, state = rest, "after"
                    else:
                        state = "bottom"
                else:
                    # A second "takeaway" ("The big picture:" after "Why it matters:") keeps its label.
                    body.append(as_line(block))
                    state = "after"
                continue
            if state == "start" and block.kind is Kind.PARAGRAPH and self.is_credit(block):
                body.append(block.text)
            elif state == "start" and block.kind is Kind.PARAGRAPH:
                lead, state = self._strip_lead(block), "lead"
            elif state == "unpacked" and not (had_items and block.kind is Kind.PARAGRAPH):
                unpacked.append(block.text)
                had_items = had_items or block.kind is Kind.ITEM
            elif state == "bottom" and block.kind is not Kind.HEADING:
                bottom, state = block.text, "after"
            else:
                state = "after" if state in ("unpacked", "bottom") else "lead" if state == "start" else state
                body.append(as_line(block))
        title = chunk.title
        if not title:
            title = self._title_from_headline(lead, body) or truncate(
                (lead or (body[0] if body else chunk.kicker or "Untitled")).split(". ")[0], 100
            )
        return Story(
            id=make_id(norm(title[:2000]), first_words(lead)),
            title=title,
            kicker=chunk.kicker,
            lead=lead,
            unpacked=tuple(unpacked),
            bottom_line=bottom,
            body=tuple(body),
            sponsored=chunk.sponsored
            or bool(chunk.kicker and normalise_label(chunk.kicker) in CLASSIFIED_TITLES)
            or any(
                len(b.text) < 80 and (SPONSOR_SUFFIX.search(b.text) or SPONSOR_BYLINE.match(b.text))
                for b in chunk.blocks
            ),
            links=unique_links(links),
        )

    def _strip_lead(self, block: Block) -> str:
        prefix = self.lead_prefix(block)
        # Only the publication's own prefix goes ("The Bit Baker: ..."), as the source;
        # a one-off bold lead-in ("**Storage:** ...") is part of the text.
        if prefix and prefix.lower() in self.lead_prefixes:
            rest = block.text.split(":", 1)[1].strip() if ":" in block.text else block.text
            return rest or block.text
        return block.text

    def _headlines_in_order(self, stories: list[Story], untitled: set[int]) -> list[Story]:
        """Give a story printed without a headline the one the headline list has in its place.

        The list names the stories in order: an untitled story between the stories listed as
        items i and j takes the one item left between them, when they share a word.
        """
        headlines = self.headlines.texts
        if not headlines or not untitled:
            return stories
        placed: dict[int, int] = {}
        for position, story in enumerate(stories):
            if story.sponsored:
                continue
            best, score = self.headlines.best(story.title)
            if best is not None and score >= 0.5:
                placed[position] = headlines.index(best)
        used = set(placed.values())
        result = list(stories)
        for position in sorted(untitled):
            story = stories[position]
            if position in placed and story.title in headlines or story.sponsored:
                continue
            before = max((placed[p] for p in placed if p < position), default=-1)
            after = min((placed[p] for p in placed if p > position), default=len(headlines))
            free = [i for i in range(before + 1, after) if i not in used]
            if len(free) != 1:
                continue
            headline = headlines[free[0]]
            words = tokens(headline) & tokens(" ".join(filter(None, [story.kicker, story.lead, story.title])))
            if not words:
                continue
            result[position] = replace(story, title=headline)
            placed[position] = free[0]
            used.add(free[0])
        return result

    def _title_from_headline(self, lead: str | None, body: list[str]) -> str | None:
        text = " ".join([lead or ""] + body[:2])
        best, score = self.headlines.best(text)
        return best if score >= 0.5 else None

    def _apply_groups(self, stories: dict[int, bool]) -> set[int]:
        """Give each group heading's title to the stories under it as their kicker.

        Returns the positions of groups that named at least one story (the others stay sections).
        """
        used: set[int] = set()
        group: int | None = None
        chunks = self.chunks
        for position, chunk in enumerate(chunks):
            empty = not (chunk.blocks or chunk.kicker or chunk.sponsored or chunk.matched_headline)
            if empty and position + 1 < len(chunks) and chunk.title:
                following = chunks[position + 1]
                # Only a heading above the titles that follow it names them; an empty chunk as
                # high as the next title (a story whose text did not come) names nothing.
                chunk.group = (
                    chunk.group
                    or following.rank > chunk.rank
                    or _is_topic(chunk.title)
                    or len(chunk.title.split()) <= 3
                )
            if chunk.group:
                group = position
                if position + 1 < len(chunks) and stories.get(position + 1) and chunks[position + 1].kicker:
                    # Stacked tags ("LATEST DEVELOPMENTS" over "GOOGLE"): the band joins the kicker
                    # of the story right under it rather than standing as an empty section.
                    following = chunks[position + 1]
                    if not following.inherited:
                        following.kicker = f"{chunk.title} · {following.kicker}"
                        used.add(position)
                        group = None
                continue
            if (
                group is not None
                and chunk.rank <= chunks[group].rank < 8
                and not (chunk.linked and not chunks[group].linked and chunk.rank == chunks[group].rank)
            ):
                # A title as high as the group's heading ends the group; in a link digest the
                # entries' linked headings stand at the same level as their category's.
                group = None
            if group is not None and self.is_bare_link(chunk) and not chunk.kicker:
                # A bare linked headline files under the group as a quick item.
                chunk.kicker, chunk.inherited = chunks[group].title, True
                used.add(group)
            if group is not None and stories.get(position) and (not chunk.kicker or chunk.inherited):
                if not chunk.sponsored:
                    chunk.kicker = chunks[group].title
                    chunk.inherited = True
                    used.add(group)
        return used

    def _site_source(self) -> str | None:
        """The publication named by the web-version link's site, spelled as the page prints it."""
        top = [link for b in self.all_blocks[:12] for link in b.links]
        site = publication_from_web_link([(link.text, link.url) for link in top]) or publication_from_home_link(
            [link.url for link in top[:6]]
        )
        if site is None:
            return None
        return printed_site_name(site, [block.text for block in self.all_blocks[:12]]) or site

    def _byline_day(self) -> str | None:
        """The day a byline near the top states ("By Casey Newton • 27 Apr 2026")."""
        for block in self.all_blocks[:15]:
            if len(block.text) <= 160 and BYLINE.match(block.text):
                day = find_date(block.text)
                if day:
                    return day
        return None

    def _yearless_day(self, header: Header, near: str | None) -> str | None:
        """The day of a date line that leaves out its year ("Apr 26"): the year comes from the
        sending time, else from one the issue states ("© 2026", "Sunday April, 2026")."""
        if header.yearless is None:
            return None
        month, day = header.yearless
        near = near or self.hints.fallback_date
        year = None
        if not near:
            year = next((y for y in (stated_year(b.text) for b in self.all_blocks if len(b.text) <= 200) if y), None)
        return with_year(month, day, near=near, year=year)

    def _stamped_day(self) -> str | None:
        """A day the issue stamps on its data ("Market data as of 4/27/2026"), as a last resort."""
        for block in self.all_blocks:
            if len(block.text) <= 300:
                day = stamped_date(block.text)
                if day:
                    return day
        return None

    def _place_top_chrome(self, header: Header, start: int) -> None:
        """Chrome above the body ("View online", "Read online") stays in the intro, in page order."""
        if not self.chrome:
            return
        position = {id(block): index for index, block in enumerate(self.all_blocks)}
        title_at = position[id(self.blocks[0])] if self.blocks and start > 0 else 0
        body_at = position[id(self.blocks[start])] if start < len(self.blocks) else len(self.all_blocks)
        # A picture's placeholder ("View image: (https://...)") says nothing: it stays in the footer.
        shown = [b for b in self.chrome if not is_image_placeholder(b)]
        above = [b for b in shown if position[id(b)] < title_at]
        between = [b for b in shown if title_at <= position[id(b)] < body_at]
        if not above and not between:
            return
        header.intro[:0] = [b.text for b in above]
        header.intro.extend(b.text for b in between)
        self.top_chrome_links = [link for b in above + between for link in b.links]
        placed = {id(b) for b in above + between}
        self.chrome = [b for b in self.chrome if id(b) not in placed]

    def build(self) -> Briefing:
        known = (clean_text(self.hints.source) or None if self.hints.source else None) or publication_from_text(
            [block.text for block in self.all_blocks[:6] + self.all_blocks[-25:]]
        )
        header, start = read_header(self.blocks, self.hints.title or self.doc_title, self.hints.filename, known)
        self._place_top_chrome(header, start)
        self.banner = header.banner
        self.source = (
            header.source
            or known
            or _masthead_name(self.hints.masthead)
            or publication_from_title(header.title)
            or self._site_source()
        )
        self.prepare(start)
        self.walk()
        self._headline_ranks = {c.rank for c in self.chunks if c.title and c.matched_headline and c.rank <= 6}
        listed = [c for c in self.chunks if c.title and c.matched_headline and not (c.sponsored or c.kicker or c.linked)]
        self._essay_parts = len(listed) >= 3 and sum(1 for c in listed if _paragraphs(c) > 4) * 2 > len(listed)
        story_flags = {pos: self.is_story(chunk) for pos, chunk in enumerate(self.chunks)}
        used_groups = self._apply_groups(story_flags)
        stories: list[Story] = []
        sections: list[Section] = []
        make_id = IdMaker("s")
        at = {id(block): index for index, block in enumerate(self.body)}
        #: An empty heading over headed link lists, and its rank: it names the groups under it.
        parent: tuple[str, int] | None = None
        #: Stories printed without a headline of their own (a topic tag over the lead).
        untitled: set[int] = set()
        for position, chunk in enumerate(self.chunks):
            if chunk.group and position in used_groups:
                continue
            if not chunk.group and story_flags[position]:
                stories.append(self.story(chunk, make_id))
                if chunk.title is None:
                    untitled.add(len(stories) - 1)
                parent = None
                continue
            if self.is_bare_link(chunk):
                entry = Block(Kind.PARAGRAPH, chunk.title or "", links=list(chunk.links))
                self.shortlist.append((at.get(id(chunk.opener), 0), entry, chunk.kicker))
                continue
            name = chunk.title or chunk.kicker or "Untitled"
            entries = [] if is_note_title(name) else _link_entries(chunk.blocks, briefs=self.briefing_mode)
            if not chunk.blocks and not chunk.links and position + 1 < len(self.chunks):
                following = self.chunks[position + 1]
                if (
                    following.title
                    and following.rank > chunk.rank
                    and not story_flags.get(position + 1)
                    and _link_entries(following.blocks)
                ):
                    # A heading over headed lists of links ("Updates from the community" over
                    # "Official", "Newsletters"): it names the groups under it.
                    parent = (name, chunk.rank)
                    continue
            if parent is not None and chunk.rank <= parent[1]:
                parent = None
            if entries:
                # A heading over a list of links ("Cool Bits", "Around the web"): quick items.
                group = f"{parent[0]} · {name}" if parent else name
                self.shortlist.extend((at.get(id(block), 0), block, group) for block in entries)
                taken = {id(block) for block in entries}
                rest = [block for block in chunk.blocks if id(block) not in taken]
                if not rest:
                    continue
            else:
                rest = chunk.blocks
                parent = None
            sections.append(
                Section(
                    title=name,
                    body=tuple(as_line(b) for b in rest),
                    links=unique_links(chunk.links + [link for b in rest for link in b.links]),
                )
            )
        stories = self._headlines_in_order(stories, untitled)
        if self.chrome:
            # Chrome and footer lines together, in the order the page shows them.
            wanted = {id(block) for block in self.chrome} | {id(block) for block in self.footer_blocks}
            ordered = [block for block in self.all_blocks if id(block) in wanted]
            self.footer = [as_line(block) for block in ordered]
            self.footer_links = [link for block in ordered for link in block.links]
        if self.footer:
            sections.append(
                Section(title="Footer", body=tuple(self.footer), links=unique_links(self.footer_links))
            )
        title = header.title or "Untitled"
        if header.weak_title:
            # No subject and no headline over the issue: its first story's headline names it.
            lead_story = next((story for story in stories if not story.sponsored), None)
            if lead_story is not None:
                title = lead_story.title
        hint_date = _closer_stated_day(find_date(self.hints.date), self._byline_day())
        day = (
            header.date
            or self.doc_date
            or find_date(" ".join(self.hints.masthead))
            or hint_date
            or self._yearless_day(header, hint_date)
            or find_date(title[:300])
            or self.hints.fallback_date
            or self._stamped_day()
        )
        intro_links = unique_links(
            [link for block in self.blocks[:start] for link in block.links] + self.top_chrome_links + self.intro_links
        )
        return Briefing(
            title=title,
            subtitle=header.subtitle,
            source=self.source,
            date=day,
            # A container's address (the feed entry's link) wins; a file or a message has its
            # "View in browser" link above the text.
            url=self.hints.url or next(
                (link.url for link in intro_links if WEB_VERSION_LINK.match(link.text.strip())), None
            ),
            intro=tuple(header.intro + self.intro_blocks),
            intro_links=intro_links,
            headlines=tuple(self.headlines.texts),
            stories=tuple(stories),
            shortlist=shortlist_items([(block, group) for _, block, group in sorted(self.shortlist, key=lambda e: e[0])]),
            references=tuple(reference(block) for block in self.references),
            sections=tuple(sections),
        )


def build_briefing(
    blocks: list[Block], hints: Hints, *, doc_title: str | None = None, doc_date: str | None = None
) -> Briefing:
    """Turn a document's blocks into a Briefing."""
    return _Builder(blocks, hints, doc_title, doc_date).build()


__all__ = ["Hints", "build_briefing", "similarity", "title_like", "normalise_label"]
