"""Reading RSS, Atom and JSON feeds into entries, and entries into briefings."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from typing import Any

import feedparser

from briefing_tui.model import Briefing
from briefing_tui.parser import ParseError, decode, parse_document
from briefing_tui.parser.dates import from_struct_time, parse_timestamp
from briefing_tui.parser.html_format import html_blocks
from briefing_tui.text import MAX_LABEL_CHARS, MAX_URL_CHARS, cap_label, clean_text, safe_url, without_surrogates
from briefing_tui.xmlguard import EntityDeclarationError, refuse_entity_declarations

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".json", ".rdf", ".feed"})

# feedparser's own sanitizer and relative-URI resolution cost several times the rest of its
# parse; the reader never renders HTML and the parser's HTML reader drops scripts, styles and
# unsafe links itself, so both are switched off.
_FEEDPARSER_OPTIONS = {"sanitize_html": False, "resolve_relative_uris": False}


class FeedError(ValueError):
    """The document is not a feed that can be read."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed: its identity, its hints and its raw content."""

    key: str  # guid, else link, else a hash of the content
    title: str | None
    link: str | None
    date: str | None
    content: str
    content_type: str
    #: Full publication time (ISO, UTC) when the feed gives one: orders issues of the same day.
    published: str | None = None

    def to_briefing(self, source: str | None) -> Briefing:
        return parse_document(
            self.content or (self.title or ""),
            content_type=self.content_type,
            title=self.title,
            source=source,
            date=self.date,
            url=self.link,
        )


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]
    #: What the document was read as ("rss20", "atom10", "rss10", "json", ...); None when no
    #: feed format was recognised (feedparser reads almost any XML without complaint).
    version: str | None = None


def looks_like_feed(data: bytes | str, filename: str | None = None) -> bool:
    """A cheap check on the first bytes: RSS, Atom, RDF or a JSON Feed."""
    if filename and PurePath(filename).suffix.lower() in FEED_SUFFIXES:
        return True
    head = data[:2048] if isinstance(data, str) else data[:2048].decode("utf-8", "replace")
    lowered = head.lower()
    return "<rss" in lowered or "<feed" in lowered or "<rdf:rdf" in lowered or "jsonfeed.org" in lowered


def _entry_text(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _label(raw: str | None) -> str | None:
    """A feed's or an entry's title as plain text, cut to the label limit.

    The raw title is cut (with room for markup) before anything else reads it, so no pattern
    ever runs over a multi-megabyte title.
    """
    return cap_label(clean_text((raw or "")[: 4 * MAX_LABEL_CHARS])) or None


def _title_text(entry: Any) -> str | None:
    detail = entry.get("title_detail") or {}
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    title = title[: 4 * MAX_LABEL_CHARS]
    if "html" in (detail.get("type") or ""):
        blocks = html_blocks(title).blocks
        title = " ".join(block.text for block in blocks)
    return _label(title)


def _content_of(entry: Any) -> tuple[str, str]:
    """The fullest content of an entry (content:encoded over summary) and its type."""
    best, best_type = "", "text/html"
    for item in entry.get("content") or ():
        value = item.get("value") or ""
        if isinstance(value, str) and len(value) > len(best):
            best, best_type = value, item.get("type") or "text/html"
    summary = entry.get("summary") or ""
    if isinstance(summary, str) and len(summary) > len(best):
        detail = entry.get("summary_detail") or {}
        best, best_type = summary, detail.get("type") or "text/html"
    return best, best_type


def _string(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _entry_key(guid: str | None, link: str | None, title: str, content: str) -> str:
    """guid, else link, else a hash of title and content (a guid too long to store is hashed)."""
    if guid and len(guid) > MAX_URL_CHARS:
        guid = "sha1:" + hashlib.sha1(guid.encode("utf-8", "replace")).hexdigest()
    return clean_text(guid) or link or "sha1:" + hashlib.sha1((title + content).encode("utf-8", "replace")).hexdigest()


def _without_surrogates(value: object) -> object:
    """A decoded JSON document with every lone surrogate ("\\ud800") in its strings replaced."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(str(key)): _without_surrogates(item) for key, item in value.items()}
    return value


def _json_feed(data: bytes, url: str | None) -> Feed | None:
    """Read a JSON Feed (jsonfeed.org 1.0/1.1), which feedparser 6.0 does not know; None for other data."""
    body = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body.startswith(b"{"):
        return None
    try:
        document = _without_surrogates(json.loads(body))
    except (ValueError, RecursionError) as error:
        raise FeedError("not a feed (invalid JSON)") from error
    if not isinstance(document, dict) or "jsonfeed.org" not in (_string(document.get("version")) or ""):
        raise FeedError("not a feed (JSON without a jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("not a feed (JSON Feed without items)")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        html, text, summary = (_string(item.get(key)) or "" for key in ("content_html", "content_text", "summary"))
        content, content_type = (html, "text/html") if html.strip() else (text or summary, "text/plain")
        link = safe_url(_string(item.get("url")) or _string(item.get("external_url")), url)
        title = _string(item.get("title")) or ""
        entries.append(
            FeedEntry(
                key=_entry_key(_string(item.get("id")), link, title, content),
                title=_label(title),
                link=link,
                date=parse_timestamp(_string(item.get("date_published")) or _string(item.get("date_modified"))),
                content=content,
                content_type=content_type,
                published=_stamp(_string(item.get("date_published")) or _string(item.get("date_modified"))),
            )
        )
    return Feed(
        title=_label(_string(document.get("title"))),
        link=safe_url(_string(document.get("home_page_url"))),
        entries=tuple(entries),
        version="json",
    )


def _stamp(value: Any) -> str | None:
    """An ISO UTC timestamp (seconds) from a feedparser struct_time or an RFC 3339 string."""
    if value is None:
        return None
    try:
        if isinstance(value, str):
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        else:
            moment = datetime(*value[:6])
    except (TypeError, ValueError, OverflowError):
        return None
    return moment.replace(microsecond=0).isoformat()


_CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}encoded"
#: Item elements whose meaning the plain-RSS reader knows; an item with any other goes to feedparser.
_PLAIN_ITEM_TAGS = frozenset(
    {"title", "link", "guid", "pubDate", "description", _CONTENT_NS, "author", "category", "comments",
     "enclosure", "source", "{http://purl.org/dc/elements/1.1/}creator"}
)
#: A C1 control character (U+0080-U+009F) as UTF-8: searching the encoded text is much faster
#: than a character class over the str.
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_XML_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)")
_LOOKS_LIKE_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def _has_c1(text: str) -> bool:
    """Whether ``text`` holds a C1 control character (text mis-decoded from cp1252 or twice)."""
    return not text.isascii() and _C1_UTF8.search(text.encode("utf-8", "surrogatepass")) is not None


def _plain_text_title(raw: str | None) -> tuple[str, str | None]:
    """(raw title, cleaned title): tags in an RSS title are removed as feedparser's HTML titles are."""
    raw = (raw or "").strip()
    if not raw:
        return "", None
    title = raw[: 4 * MAX_LABEL_CHARS]
    if _LOOKS_LIKE_TAG.search(title):
        title = " ".join(block.text for block in html_blocks(title).blocks)
    return raw, _label(title)


def _plain_rss(data: bytes, url: str | None) -> Feed | None:
    """Read a well-formed RSS 0.9x/2.0 document with the C XML parser; None for anything else.

    Most newsletter feeds are plain RSS 2.0, and feedparser spends most of its time on
    compatibility work they do not need. Everything unusual (Atom, RDF, ill-formed XML, entity
    declarations, namespaced oddities) goes to feedparser, which gives the same fields.
    """
    head = data[:1024].lstrip()
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096] or b"<rss" not in head.lower()[:512]:
        return None
    declared = _XML_ENCODING.search(head[:200])
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8", b"us-ascii"):
        return None  # feedparser's encoding repairs (cp1252 "smart quotes" in Latin-1 feeds, ...)
    try:
        root = ElementTree.fromstring(data)
    except Exception:  # noqa: BLE001 - anything odd is feedparser's to read
        return None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None or not (root.get("version") or "").startswith(("2", "0.9")):
        return None
    items = channel.findall("item")
    if not items or any(child.tag not in _PLAIN_ITEM_TAGS or len(child) for item in items for child in item):
        return None  # other content elements (xhtml:body, dc:date, nested markup) are feedparser's to map
    entries = []
    for item in items:
        raw_title, title = _plain_text_title(item.findtext("title"))
        guid_element = item.find("guid")
        guid = (guid_element.text or "").strip() if guid_element is not None else None
        link_text = (item.findtext("link") or "").strip()
        if not link_text and guid and (guid_element.get("isPermaLink") or "true").lower() != "false":
            link_text = guid
        link = safe_url(link_text, url) if link_text else None
        description = (item.findtext("description") or "").strip()
        encoded = (item.findtext(_CONTENT_NS) or "").strip()
        content = encoded if len(encoded) >= len(description) and encoded else description
        if _has_c1(content) or _has_c1(raw_title):
            return None  # mis-encoded text: feedparser repairs cp1252 quotes and double encoding
        moment = _rfc822(item.findtext("pubDate"))
        entries.append(
            FeedEntry(
                key=_entry_key(guid or None, link, raw_title, content),
                title=title,
                link=link,
                date=moment.date().isoformat() if moment else None,
                content=content,
                content_type="text/html",
                published=moment.isoformat() if moment else None,
            )
        )
    _raw, feed_title = _plain_text_title(channel.findtext("title"))
    return Feed(
        title=feed_title,
        link=safe_url((channel.findtext("link") or "").strip()),
        entries=tuple(entries),
        version="rss" + "".join(ch for ch in root.get("version") or "" if ch.isdigit())[:3],
    )


def _rfc822(value: str | None) -> datetime | None:
    """A pubDate as a naive UTC datetime (seconds), or None."""
    if not value or not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def parse_feed(data: bytes | str, *, url: str | None = None) -> Feed:
    """Read a feed document. Raises FeedError when it holds no feed at all."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise FeedError("empty document")
    json_feed = _json_feed(data, url)
    if json_feed is not None:
        return json_feed
    try:
        refuse_entity_declarations(data)
    except EntityDeclarationError as error:
        raise FeedError(str(error)) from None
    fast = _plain_rss(data, url)
    if fast is not None:
        return fast
    try:
        parsed = feedparser.parse(data, response_headers={"content-location": url or ""}, **_FEEDPARSER_OPTIONS)
    except Exception as error:  # feedparser can raise on pathological input
        raise FeedError(f"unreadable feed: {error.__class__.__name__}") from error
    feed = parsed.get("feed") or {}
    raw_entries = parsed.get("entries") or []
    if not raw_entries and not feed.get("title") and parsed.get("bozo"):
        reason = parsed.get("bozo_exception")
        raise FeedError(f"not a feed ({clean_text(str(reason))[:120] if reason else 'no entries'})")
    entries = []
    for entry in raw_entries:
        content, content_type = _content_of(entry)
        link = safe_url(entry.get("link"), url)
        guid = entry.get("id") if isinstance(entry.get("id"), str) else None
        entries.append(
            FeedEntry(
                key=_entry_key(guid, link, entry.get("title") or "", content),
                title=_title_text(entry),
                link=link,
                date=from_struct_time(entry.get("published_parsed") or entry.get("updated_parsed")),
                content=content,
                content_type=content_type,
                published=_stamp(entry.get("published_parsed") or entry.get("updated_parsed")),
            )
        )
    return Feed(
        title=_title_text(feed),
        link=safe_url(feed.get("link")),
        entries=tuple(entries),
        version=parsed.get("version") or None,
    )


def briefings_from_feed(data: bytes | str, *, url: str | None = None) -> list[Briefing]:
    """Every entry of a feed as a briefing; entries with nothing in them are skipped."""
    feed = parse_feed(data, url=url)
    out = []
    for entry in feed.entries:
        try:
            out.append(entry.to_briefing(feed.title))
        except ParseError:
            continue
    return out


def read_feed(data: bytes, *, url: str | None = None) -> Feed:
    """Read a document that must be an RSS, Atom, RDF or JSON feed; FeedError otherwise.

    Stricter than :func:`parse_feed`, which reads whatever entries any XML holds: a document
    in no feed format (an HTML page, an XML file of another kind) is refused.
    """
    feed = parse_feed(data, url=url)
    if not feed.version:
        raise FeedError("not an RSS, Atom or JSON feed")
    return feed


#: Link types a page uses to name its feeds (``<link rel="alternate" type=...>``), best first.
FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a web page names in its head."""

    url: str
    title: str | None
    type: str


def looks_like_html(data: bytes, content_type: str | None = None) -> bool:
    """An HTML page, by its Content-Type or by the markup it starts with."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind in _HTML_TYPES or bool(_HTML_START.search(data[:4096]))


def feed_links(data: bytes, base_url: str) -> list[FeedLink]:
    """The feeds an HTML page names with ``<link rel="alternate" type=...>`` in its head.

    Addresses are resolved against the page's ``<base href>``, else ``base_url``; only http and
    https ones are kept, each once. Feed types come before plain ``application/json`` (which
    also names things that are not feeds), otherwise in the page's order.
    """
    from selectolax.lexbor import LexborHTMLParser

    try:
        text = decode(data)
    except ParseError:
        return []
    tree = LexborHTMLParser(text)
    head = tree.head
    if head is None:
        return []
    base = base_url
    node = head.css_first("base[href]")
    if node is not None:
        base = safe_url(node.attributes.get("href") or "", base_url) or base_url
    found: dict[str, FeedLink] = {}
    for node in head.css("link[rel][href][type]"):
        attributes = node.attributes
        if "alternate" not in (attributes.get("rel") or "").lower().split():
            continue
        kind = (attributes.get("type") or "").split(";", 1)[0].strip().lower()
        href = (attributes.get("href") or "").strip()
        if kind not in FEED_LINK_TYPES or not href:
            continue
        url = safe_url(href, base)
        if not url or not url.lower().startswith(("http://", "https://")) or url in found:
            continue
        found[url] = FeedLink(url, _label(attributes.get("title")), kind)
    return sorted(found.values(), key=lambda link: link.type == "application/json")


__all__ = [
    "FEED_LINK_TYPES",
    "Feed",
    "FeedEntry",
    "FeedError",
    "FeedLink",
    "briefings_from_feed",
    "decode",
    "feed_links",
    "looks_like_feed",
    "looks_like_html",
    "parse_feed",
    "read_feed",
]
