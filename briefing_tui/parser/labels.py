"""The label vocabulary of curated newsletters, kept as data.

Each newsletter names the same parts of an issue differently: one says "Unpacked", another
"The details" or "Key points". This table maps the words people use to the part they mean.
Matching is case-insensitive, ignores a trailing colon and surrounding emoji/punctuation,
and a leading "The" is optional where noted by listing both forms.
"""

from __future__ import annotations

import re
from enum import Enum


class Label(Enum):
    HEADLINES = "headlines"
    UNPACKED = "unpacked"
    BOTTOM_LINE = "bottom_line"
    SHORTLIST = "shortlist"
    REFERENCES = "references"


#: Exact label texts (lower case, no trailing colon).
LABELS: dict[Label, tuple[str, ...]] = {
    Label.HEADLINES: (
        "in this issue",
        "in today's issue",
        "in today's edition",
        "in today's newsletter",
        "in today's email",
        "inside this issue",
        "inside today's issue",
        "today's headlines",
        "today's top stories",
        "top stories",
        "headlines",
        "what's inside",
        "this week's headlines",
        "in this edition",
        "on the menu",
        "today's issue",
        "this issue",
        "the world today",
        "here's what happened",
        "here's what happened today",
        "here's what happened in ai today",
        "what's in today's episode",
        "what's in today's issue",
        "what's in this issue",
        "what's in this edition",
        "today's top headlines",
        "top headlines",
        "today at a glance",
        "at a glance",
    ),
    Label.UNPACKED: (
        "unpacked",
        "the details",
        "details",
        "key points",
        "key details",
        "the key points",
        "key takeaways",
        "what you need to know",
        "the specifics",
        "by the numbers",
        "zoom in",
        "what happened",
        "the breakdown",
        "driving the news",
        "key facts",
        "need to know",
        "the essentials",
    ),
    Label.BOTTOM_LINE: (
        "bottom line",
        "the bottom line",
        "why it matters",
        "why this matters",
        "the takeaway",
        "takeaway",
        "our take",
        "my take",
        "the big picture",
        "so what",
        "what it means",
        "the upshot",
        "why it's important",
        "why you should care",
        "what this means",
        "the verdict",
        "why we're following",
        "why we care",
        "why we're watching",
        "why it's significant",
    ),
    Label.SHORTLIST: (
        "the shortlist",
        "shortlist",
        "quick hits",
        "in brief",
        "briefly",
        "quick links",
        "everything else",
        "everything else in ai today",
        "also noteworthy",
        "more news",
        "around the web",
        "in other news",
        "lightning round",
        "quick bites",
        "news in brief",
        "other headlines",
        "the roundup",
        "what else happened",
        "other news",
        "quick takes",
        "quick reads",
        "quick news",
        "tour de headlines",
        "more headlines",
        "headlines in brief",
        "also happening",
        "elsewhere",
        "what else is happening",
        "in case you missed it",
        "odds and ends",
        "news roundup",
        "link roundup",
        "links of the week",
    ),
    Label.REFERENCES: (
        "references",
        "sources",
        "further reading",
        "read more",
        "links",
        "source links",
        "citations",
        "notes",
        "sources and further reading",
        "footnotes",
        "links mentioned",
        "to read more",
        "go deeper",
    ),
}

#: Headings of an editor's forward look: their bullets are the editor's own notes (often with a
#: link each), a named section, never a list of quick links.
OUTLOOK_TITLES: frozenset[str] = frozenset(
    (
        "what to watch",
        "what we're watching",
        "what i'm watching",
        "worth watching",
        "looking ahead",
        "the week ahead",
        "week ahead",
        "what's next",
        "what comes next",
        "coming up",
        "on the calendar",
    )
)

#: Other headings of the editor's own notes: an editorial, a letter from the editor, a preview of
#: the next issue ("Next Week in The Sequence"). What stands under them is the editor's text.
_NOTE_TITLE = re.compile(
    r"^(?:editorial|editor's note|a note from (?:the|our) \w+|from the editor|letter from the editor|"
    r"next week(?: (?:in|on|at) .{1,40})?|coming (?:up )?next (?:week|time|issue)|in the next issue)(?:\s*:.*)?$",
    re.DOTALL,
)


def is_note_title(text: str) -> bool:
    """Does ``text`` head the editor's own notes (an outlook, an editorial), never a story?"""
    key = normalise_label(text)
    return key in OUTLOOK_TITLES or bool(_NOTE_TITLE.match(key))


#: Prefixes that introduce the headline list of "In today's <Publication>:" style.
HEADLINE_PREFIXES: tuple[str, ...] = ("in today's ", "in todays ", "in today’s ", "today in ")

#: Lines that introduce a sponsored block.
SPONSOR_PATTERN = re.compile(
    r"^(?:together with|presented by|sponsored by|brought to you by|in partnership with|"
    r"a message from|partner content|from our partners?|sponsor(?:ed)?|advertisement|"
    r"paid post|paid content|sponsored content|content from|promoted)\b",
    re.IGNORECASE,
)

#: A title marked as paid for, as link digests do ("Stop writing retry logic (Sponsor)").
SPONSOR_SUFFIX = re.compile(r"\((?:sponsor(?:ed)?|partner|ad|advertisement|promoted)\)\s*$", re.IGNORECASE)

#: A short credit line under a link digest's entry that names who paid for it ("Tanker sponsor").
SPONSOR_BYLINE = re.compile(r"^[^\n]{1,50}?\s(?:sponsor|sponsored|partner)$", re.IGNORECASE)

#: Headings over paid listings: what stands under them is advertising, not news.
CLASSIFIED_TITLES: frozenset[str] = frozenset(
    ("jobs", "job listings", "job board", "jobs board", "classifieds", "classified ads", "careers", "hiring",
     "we're hiring", "featured jobs", "job openings")
)

#: Teaser line in a briefing's header ("PLUS: ...").
TEASER_PATTERN = re.compile(r"^(?:plus|also inside|also in this issue)\s*:\s*\S", re.IGNORECASE)

#: Lines that belong to an e-mail footer rather than the issue.
FOOTER_PATTERN = re.compile(
    r"\b(?:unsubscribe|manage (?:your )?(?:preferences|subscription)|view (?:this email )?in "
    r"(?:your )?browser|update your (?:email )?preferences|you are receiving this|you received this email|"
    r"(?:did )?(?:someone|a friend) forward(?:ed)? (?:you )?this|was this (?:email )?forwarded|"
    r"all rights reserved)\b|^(?:©|\(c\)|copyright\b)",
    re.IGNORECASE,
)

#: Buttons of a publishing platform's page chrome ("Like · Comment · Restack", "Share").
CHROME_PATTERN = re.compile(
    r"^(?:(?:like|comment|comments|share|restack|subscribe|reply|forward|listen|read in app|"
    r"read online|view online|open in app|start writing|get the app|\d+)(?:\s*[·|•]\s*|\s+|$))+$",
    re.IGNORECASE,
)

#: A picture's credit line under a title ("Illustration: Jane Doe/Outlet", "Photo: Getty Images").
CREDIT_PATTERN = re.compile(
    r"^(?:photo|photograph|image|illustration|photo illustration|graphic|chart|video|gif|"
    r"art|artwork|credit|image credit|photo credit|source image)s?\s*(?:credit)?\s*:\s*\S.{0,120}$",
    re.IGNORECASE,
)

#: A wire picture's credit: the photographer and the agency ("Jonathan Ernst/Reuters",
#: "Bernadett Szabo/File Photo/Reuters"), after the picture's caption or alone.
PHOTO_CREDIT = re.compile(
    r"^(?:[^.]{1,80}\.\s+)?[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,2}(?:/[A-Z][\w.'’ -]{1,30}){1,3}$"
)

_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
#: A list number in front of a label ("3. Quick takes", "2) Sources").
_NUMBERING = re.compile(r"^\d{1,2}\s*[.):]\s+")
_LOOKUP: dict[str, Label] = {text: label for label, texts in LABELS.items() for text in texts}


def normalise_label(text: str) -> str:
    """Lower-case ``text`` and trim emoji, punctuation and a trailing colon from both ends."""
    text = text.strip().lower().replace("’", "'")
    text = _EDGE_JUNK.sub("", text).strip()
    return _NUMBERING.sub("", text)


def label_for(text: str) -> Label | None:
    """The label ``text`` names when it stands on its own ("Unpacked:", "## Quick hits")."""
    key = normalise_label(text)
    if not key or len(key) > 60:
        return None
    found = _LOOKUP.get(key)
    if found is not None:
        return found
    if any(key.startswith(prefix) for prefix in HEADLINE_PREFIXES) and len(key.split()) <= 6:
        return Label.HEADLINES
    # "Elsewhere in the ecosystem", "Quick hits from the week": a label with its scope after it.
    for joiner in (" in ", " from ", " around ", " across "):
        if joiner in key:
            head = key.split(joiner, 1)[0]
            found = _LOOKUP.get(head)
            if found is Label.SHORTLIST and len(key.split()) <= 7:
                return found
    return None


_INLINE = re.compile(r"^\s*[\W_]{0,3}\s*([A-Za-z][A-Za-z' ’]{1,40}?)\s*:\s+(\S.*)$", re.DOTALL)

#: Labels that may start a paragraph and carry text after the colon ("Bottom line: ...").
INLINE_LABELS = (Label.UNPACKED, Label.BOTTOM_LINE)


#: "Why this matters - the internet is a dataset: ..." (a label with its own little headline).
_INLINE_DASH = re.compile(r"^\s*[\W_]{0,3}\s*([A-Za-z][A-Za-z' ’]{1,40}?)\s+[-–—]{1,2}\s+(\S.*)$", re.DOTALL)


def inline_label(text: str) -> tuple[Label, str] | None:
    """Split "Bottom line: text" into (label, "text") for labels that may stand inline."""
    for pattern in (_INLINE, _INLINE_DASH):
        match = pattern.match(text)
        if not match:
            continue
        label = _LOOKUP.get(normalise_label(match.group(1)))
        if label in INLINE_LABELS:
            return label, match.group(2).strip()
    return None
