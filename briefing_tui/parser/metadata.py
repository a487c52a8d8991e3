"""Stage 1 of the parser: metadata that stands before the text of an issue.

Archives and exporters put an issue's facts in front of its text in a few well-known shapes:
YAML front matter (``---`` / ``key: value`` / ``---``), a Pelican or MultiMarkdown header
(``Title:``, ``Date:`` lines then a blank line) and e-mail header lines (``From:``, ``Date:``,
``Subject:``, also written bold as ``**From:**``). They are metadata, not text: this stage reads
them into :class:`Metadata` and hands the rest of the document on.

It also works out the publication's name from a sender ("Jack Clark from Import AI",
"Casey Newton <casey@platformer.news>"), which is the same problem for front matter, e-mail
headers and (later) real messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr

from briefing_tui.parser.dates import utc_date
from briefing_tui.text import clean_text, safe_url


@dataclass
class Metadata:
    """What the text's own metadata says about the issue (None: not stated)."""

    title: str | None = None
    source: str | None = None
    date: str | None = None
    #: A date the archive stamped when it fetched or stored the issue: used only when the issue
    #: states no date of its own.
    fallback_date: str | None = None
    url: str | None = None
    #: The sender's address, when a From line gave one (its domain names many publications).
    sender_address: str | None = None
    #: The sender's display name as written ("Casey Newton").
    sender_name: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


_FRONT_MATTER = re.compile(r"\A\ufeff?[ \t]*---[ \t]*\r?\n(?P<body>(?:.*\r?\n){0,80}?)[ \t]*(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_YAML_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w\-]{0,40})\s*:\s*(?P<value>.*?)\s*$")
#: Pelican / MultiMarkdown header keys (a header is only taken when its first key is one of these).
_HEADER_KEYS = frozenset(
    "title date number category tags slug author authors summary modified status lang subject "
    "issue edition".split()
)
_HEADER_LINE = re.compile(r"^(?P<key>[A-Z][A-Za-z]{1,20})\s*:\s+(?P<value>\S.*?)\s*$")
#: E-mail header lines as exporters write them, plain or bold ("**From:** Jane <jane@x.com>").
_MAIL_LINE = re.compile(
    r"^\s*(?:\*\*|__)?(?P<key>From|Date|Subject|To|Sent|Source|Reply-To|Cc)\s*:(?:\*\*|__)?\s*(?P<value>.*?)\s*$",
    re.I,
)
_MD_LINK = re.compile(r"^\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]+)\)$")

_TITLE_KEYS = ("title", "subject", "headline", "name")
_SOURCE_KEYS = ("source", "newsletter_name", "publication", "site_name", "site", "publisher", "newsletter", "feed")
_DATE_KEYS = ("date", "published", "published_at", "pubdate", "sent", "sent_at", "issue_date", "created")
_FALLBACK_DATE_KEYS = ("fetched_at", "fetched", "ingested", "ingested_at", "scraped_at", "saved_at", "updated", "modified")
_URL_KEYS = ("url", "canonical_url", "permalink", "link", "source_url", "web_url")

#: Mail and hosting services: their domain names the service, not the publication.
_MAIL_HOSTS = frozenset(
    "gmail googlemail outlook hotmail yahoo icloud me mac proton protonmail substack beehiiv "
    "convertkit kit mailchimp mailchi mcsv mcdlv sendgrid mailgun ghost buttondown revue "
    "medium tinyletter campaign-archive createsend cmail19 cmail20 hubspot hubspotemail "
    "sendinblue brevo klaviyo mailerlite aweber constantcontact getresponse flodesk "
    "emailoctopus mg sparkpost amazonses postmarkapp".split()
)
#: Sub-domains that only say the host sends mail ("newsletter.theneurondaily.com").
_MAIL_SUBDOMAINS = frozenset("mail email e news newsletter newsletters m info hello updates send go".split())
_PERSON_WORD = re.compile(r"^[A-Z][a-z'’\-]+\.?$|^[A-Z]\.$")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.replace('\\"', '"').strip()


def _looks_like_slug(value: str) -> bool:
    """An identifier rather than a name: "the-neuron", "gmail", "tech_ai"."""
    return " " not in value and value == value.lower()


def publication_from_sender(name: str | None, address: str | None) -> str | None:
    """The publication a sender stands for.

    "Jack Clark from Import AI" gives "Import AI"; a person's name with an address at the
    publication's own domain ("Casey Newton" <casey@platformer.news>) gives the domain's name
    ("Platformer"); otherwise the display name, else the address.
    """
    name = clean_text(name or "").strip(" \"'") or None
    if name:
        for joiner in (" from ", " at ", " | ", " @ "):
            if joiner in name:
                tail = name.split(joiner)[-1].strip()
                if tail and tail[0].isupper():
                    return tail
    domain_name = _domain_name(address)
    if name and domain_name:
        squeezed = re.sub(r"[^a-z0-9]", "", name.lower())
        if squeezed and (squeezed in domain_name.replace("-", "") or domain_name.replace("-", "") in squeezed):
            return name
        if _looks_like_person(name):
            return domain_name.replace("-", " ").title() if domain_name.islower() else domain_name
    return name or (address or None)


def _domain_name(address: str | None) -> str | None:
    """The publication's name in a sender's address ("casey@platformer.news" -> "platformer")."""
    if not address or "@" not in address:
        return None
    return _site_name(address.rsplit("@", 1)[1])


def _site_name(host: str) -> str | None:
    """The name in a host ("newsletter.thewidgetdaily.com" -> "thewidgetdaily"); None for mail services."""
    parts = [p for p in host.lower().strip(">. ").split(".") if p]
    if len(parts) < 2:
        return None
    parts = parts[:-1]  # the top-level domain
    if len(parts) >= 2 and parts[-1] in ("co", "com", "org", "net", "ac"):
        parts = parts[:-1]
    while len(parts) > 1 and parts[0] in _MAIL_SUBDOMAINS:
        parts = parts[1:]
    name = parts[-1]
    if name in _MAIL_HOSTS:
        return None
    return name


def _looks_like_person(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 4 and all(_PERSON_WORD.match(word) for word in words)


class _Reader:
    def __init__(self) -> None:
        self.meta = Metadata()
        self.sources: list[str] = []

    def take(self, key: str, value: str) -> None:
        key = key.lower().replace("-", "_")
        value = _unquote(value)
        if not value:
            return
        meta = self.meta
        link = _MD_LINK.match(value)
        if key in _TITLE_KEYS:
            meta.title = meta.title or clean_text(value) or None
        elif key == "from":
            name, address = parseaddr(value)
            if not name and not address:
                name = value
            meta.sender_name = meta.sender_name or clean_text(name) or None
            meta.sender_address = meta.sender_address or (address if "@" in address else None)
        elif key in _DATE_KEYS:
            meta.date = meta.date or utc_date(value)
        elif key in _FALLBACK_DATE_KEYS:
            meta.fallback_date = meta.fallback_date or utc_date(value)
        elif key in _URL_KEYS or (key == "source" and link):
            url = safe_url(link.group("url") if link else value)
            if url:
                meta.url = meta.url or url
            elif key in _SOURCE_KEYS:
                self.sources.append(value)
        elif key in _SOURCE_KEYS:
            self.sources.append(value)
        else:
            meta.extra[key] = value

    def finish(self) -> Metadata:
        meta = self.meta
        named = [s for s in self.sources if not _looks_like_slug(s)]
        sender = publication_from_sender(meta.sender_name, meta.sender_address)
        if meta.sender_name or meta.sender_address:
            # The From line names the sender; an archive's "newsletter_name" usually copies it.
            meta.source = sender if sender and not (named and sender == meta.sender_address) else None
        if not meta.source and named:
            meta.source = publication_from_sender(named[0], meta.sender_address) or named[0]
        if meta.source:
            meta.source = clean_text(meta.source)[:200] or None
        return meta


def read_metadata(text: str) -> tuple[Metadata, str]:
    """Read the metadata in front of ``text``: (what it says, the text without it)."""
    reader = _Reader()
    rest = text
    match = _FRONT_MATTER.match(rest)
    if match:
        lines = match.group("body").splitlines()
        parsed = [_YAML_LINE.match(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]
        # Only a block of key: value lines is front matter; a rule followed by prose is not.
        if parsed and all(m is not None or line.startswith((" ", "\t", "-")) for m, line in zip(parsed, lines)):
            if sum(1 for m in parsed if m) >= 1:
                for found in parsed:
                    if found:
                        reader.take(found.group("key"), found.group("value"))
                rest = rest[match.end() :]
    else:
        rest = _header_block(rest, reader)
    rest = _mail_lines(rest, reader)
    return reader.finish(), rest


def _header_block(text: str, reader: _Reader) -> str:
    """A Pelican / MultiMarkdown header: ``Key: value`` lines from the first line to a blank line."""
    lines = text.split("\n", 40)
    taken = 0
    pairs = []
    for line in lines[:40]:
        if not line.strip():
            break
        match = _HEADER_LINE.match(line.rstrip("\r"))
        if not match:
            return text
        pairs.append((match.group("key"), match.group("value")))
        taken += 1
    if len(pairs) < 2 or pairs[0][0].lower() not in _HEADER_KEYS or taken >= len(lines):
        return text
    if not any(key.lower() in ("title", "date", "subject") for key, _ in pairs):
        return text
    for key, value in pairs:
        reader.take(key, value)
    return "\n".join(lines[taken:])


def _mail_lines(text: str, reader: _Reader) -> str:
    """E-mail header lines near the top ("From: ...", "**Date:** ..."): read and removed.

    Only a run of at least two such lines, among the first 12 lines, counts; "From:" alone
    could start a sentence.
    """
    lines = text.split("\n")
    start = None
    end = None
    for index, line in enumerate(lines[:14]):
        if _MAIL_LINE.match(line):
            if start is None:
                start = index
            end = index + 1
        elif start is not None and line.strip():
            break
    if start is None or end is None:
        return text
    run = [m for m in (_MAIL_LINE.match(line) for line in lines[start:end]) if m]
    keys = {m.group("key").lower() for m in run}
    if len(run) < 2 or not keys & {"from", "subject"}:
        return text
    for found in run:
        reader.take(found.group("key"), found.group("value"))
    return "\n".join(lines[:start] + lines[end:])


__all__ = ["Metadata", "read_metadata", "publication_from_sender"]


_NAME = r"(?P<name>[A-Z][\w'’&.\-]*(?:\s+(?:[A-Z0-9][\w'’&.\-]*|of|the|and|in|on|&)){0,4})"
#: Sentences in which a newsletter names itself.
_SELF_NAMING = (
    re.compile(
        r"\b(?i:welcome to (?:another|this|today's|today’s|the latest|this week's|this week’s|the|a new)?\s*"
        r"(?:issue|edition) of\s+(?:the\s+)?)[*_]*" + _NAME,
    ),
    re.compile(r"\b(?i:welcome to)\s+[*_]*" + _NAME + r"[*_]*,\s+(?:a|an|the|your)\s+(?:[\w-]+\s+){0,3}newsletter\b"),
    re.compile(r"^[*_]*" + _NAME + r"[*_]*\s+is a reader-supported publication\b"),
    re.compile(
        r"\b(?i:you(?:'re| are) receiving this (?:e-?mail |newsletter )?because you (?:subscribed|signed up) "
        r"(?:to|for)\s+(?:the\s+)?)" + _NAME
    ),
    re.compile(r"\b(?i:thanks for reading\s+(?:the\s+)?)" + _NAME + r"[!.]"),
)
#: Words that end a self-named publication's name ("Haskell Weekly! Haskell is ...").
_NAME_STOP = re.compile(r"[!?,.:;]+$")
#: Link texts of the "read it on the web" button ("View in browser"): its target is the issue's web copy,
#: and its host the publication's site.
WEB_VERSION_LINK = re.compile(r"^(?:read|view|open)\s+(?:the\s+|this\s+)?(?:e-?mail\s+|issue\s+|post\s+)?(?:web version|online|on the web|in (?:your |a )?browser|on (?:our|the) (?:site|website))", re.I)


def publication_from_text(texts: list[str]) -> str | None:
    """A publication's name as the issue states it ("Welcome to another issue of Haskell Weekly!")."""
    for text in texts:
        if len(text) > 2000:
            text = text[:2000]
        for pattern in _SELF_NAMING:
            match = pattern.search(text)
            if match:
                name = _NAME_STOP.sub("", match.group("name")).strip()
                words = name.split()
                while words and words[-1].lower() in ("of", "the", "and", "in", "on", "&"):
                    words.pop()
                if words and len(" ".join(words)) >= 3:
                    return " ".join(words)
    return None


_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_SERIES_TITLE = re.compile(
    r"^(?P<name>[^\W\d][\w.&'’ -]{2,40}?)\s*(?:(?:#|no\.\s*|issue\s+)\d{1,5}\b"
    rf"|[:—–-]\s*(?:{_MONTHS})\s+\d{{4}}\s*$)",
    re.IGNORECASE,
)


def publication_from_title(title: str | None) -> str | None:
    """The series an issue's title names ("The Sequence Radar #849: ...", "LLM digest: March 2026")."""
    match = _SERIES_TITLE.match(title or "")
    if not match:
        return None
    name = match.group("name").strip(" :—–-")
    return name if 1 <= len(name.split()) <= 6 else None


def publication_from_home_link(urls: list[str]) -> str | None:
    """The site whose home page the top of the issue links to ("https://alphasignal.ai/?utm=...")."""
    for url in urls:
        match = re.match(r"^https?://([^/?#]+)/?(?:[?#].*)?$", url)
        if match:
            name = _site_name(match.group(1).split(":", 1)[0])
            if name:
                return name
    return None


def printed_site_name(name: str, lines: list[str]) -> str | None:
    """The site's name as the page prints it: "JavaScript Weekly" for "javascriptweekly"."""
    key = name.lower()
    for line in lines:
        if len(line) <= 60 and re.sub(r"[\W_]+", "", line).lower() == key:
            return line.strip()
    return None


def publication_from_web_link(urls: list[tuple[str, str]]) -> str | None:
    """The site name behind a "Read the Web Version" link (text, url): "golangweekly"."""
    for text, url in urls:
        if WEB_VERSION_LINK.match(text.strip()):
            host = re.sub(r"^https?://", "", url).split("/", 1)[0].split(":", 1)[0]
            name = _site_name(host)
            if name:
                return name
    return None
