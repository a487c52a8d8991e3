"""Text hygiene for everything that comes from feeds and files.

Text from the outside world is hostile until cleaned: it can carry terminal escape sequences,
C0/C1 control characters, bidi overrides that reorder what the user sees, and HTML entities.
Every string the parser hands out has been through :func:`clean_text`, and every URL through
:func:`safe_url`.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urljoin, urlsplit

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (terminated by BEL
# or ST), and two-byte escapes. C1 equivalents (0x9b CSI, 0x9d OSC, ...) are handled the same way.
# A string sequence goes with its payload only when it is terminated: an unterminated one loses
# just its introducer, so a stray ESC ] cannot swallow the rest of a document. The payload never
# runs over another introducer, which keeps the scan linear.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])                  # OSC, DCS, SOS, PM, APC
      (?:[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c))?    # ... and its payload up to BEL or ST
  | \x1b[\x20-\x2f]*[\x30-\x7e]?                             # other ESC sequences
    """,
    re.VERBOSE,
)
# Remaining C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/
# isolates, and a few invisible characters that only serve to hide text.
# Bidi marks (LRM, RLM, ALM) reorder text like the overrides do; Unicode tag characters are
# invisible and can smuggle a hidden message along with the visible one.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
#: A lone UTF-16 surrogate (a JSON "\ud800" escape): not a character, and unstorable as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

#: Longest title, name or label kept (an issue or story title, a feed's or a source's name):
#: longer ones are cut with an ellipsis before any pattern is matched on them.
MAX_LABEL_CHARS = 1000
#: Longest URL kept; a longer one is dropped like any other bad URL.
MAX_URL_CHARS = 8192

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
#: Links the reader hands to the browser (webbrowser): web pages and mail.
OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})


def unescape(text: str) -> str:
    """HTML character references decoded (html.entities, a large table, is loaded on first use)."""
    from html import unescape as decode

    return decode(text)


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, keeping newlines and tabs."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL.sub("", without_surrogates(text))


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, so it can be stored and printed."""
    return _SURROGATE.sub("\ufffd", text) if not text.isascii() else text


def clean_text(text: str | None, *, decode_entities: bool = True, multiline: bool = False) -> str:
    """Return ``text`` safe to show: entities decoded, controls removed, whitespace normalised.

    With ``multiline`` paragraphs separated by blank lines are kept (as one blank line);
    otherwise all whitespace runs, newlines included, fold into single spaces.
    """
    if not text:
        return ""
    if decode_entities and "&" in text:
        text = unescape(text)
    if not multiline:
        # Most text is printable once its line breaks are spaces: then there is nothing to strip
        # (isprintable() is False for every control, format and bidi character).
        flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
        if flat.isprintable():
            if not flat.isascii():
                flat = unicodedata.normalize("NFC", flat)
            return _SPACES.sub(" ", flat).strip()
    text = strip_controls(text)
    text = unicodedata.normalize("NFC", text)
    if multiline:
        paragraphs = [_SPACES.sub(" ", " ".join(p.split("\n"))).strip() for p in _BLANK_LINES.split(text)]
        return "\n\n".join(p for p in paragraphs if p)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """Return ``url`` if it is an http, https or mailto URL (resolved against ``base``), else None."""
    if not url or len(url) > MAX_URL_CHARS:
        return None
    url = strip_controls(unescape(url) if "&" in url else url)
    url = "".join(url.split())  # no whitespace inside a URL
    if not url:
        return None
    try:
        if base and not urlsplit(url).scheme:
            url = urljoin(base, url)
        elif url.startswith("//"):
            url = "https:" + url
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        # "http://[::1" (an unclosed IPv6 host), a bad port: this URL is dropped, not its entry.
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() == "mailto":
        return _plain_mailto(parts)
    if not parts.netloc:
        return None
    return url


def feed_url(url: str | None) -> str | None:
    """``url`` cleaned if it can be subscribed to (http or https), else None."""
    clean = safe_url(url.strip()) if url else None
    return clean if clean and clean.lower().startswith(("http://", "https://")) else None


#: The only mailto: fields kept: others ("attach", "bcc") make a mail client do more than write.
_MAILTO_FIELDS = frozenset({"subject", "body"})


def _plain_mailto(parts) -> str:
    """A mailto: URL with only its address, subject and body."""
    if not parts.query:
        return parts.geturl()
    kept = [
        piece for piece in parts.query.split("&") if piece.split("=", 1)[0].lower() in _MAILTO_FIELDS
    ]
    return f"{parts.scheme}:{parts.path}" + (f"?{'&'.join(kept)}" if kept else "")


_WEB_URL = re.compile(r"^https?://[^/\s?#]+\.[^/\s?#]+", re.IGNORECASE)


def unwrap_redirect(url: str) -> str:
    """The article behind a mail click-tracker that carries it in its query string.

    E-mail services wrap every link ("https://click.example/track?u=https%3A%2F%2Fsite%2Fa",
    "...&&&https://site/a"); the reader opens the article itself, which is also what a reader
    of the web version gets. URLs with no embedded web address are returned unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = parts.query
    if parts.scheme.lower() not in ("http", "https") or "http" not in query.lower():
        return url
    for _, value in parse_qsl(query, keep_blank_values=True):
        if _WEB_URL.match(value):
            return safe_url(value) or url
    lowered = query.lower()
    at = max(lowered.rfind("http://"), lowered.rfind("https://"))
    if at > 0 and _WEB_URL.match(query[at:]):
        inner = query[at:] + (f"#{parts.fragment}" if parts.fragment else "")
        return safe_url(inner) or url
    return url


def is_openable(url: str | None) -> bool:
    """True for URLs the reader may hand to a browser: http, https and mailto only."""
    if not url:
        return False
    try:
        return urlsplit(url).scheme.lower() in OPENABLE_SCHEMES
    except ValueError:
        return False


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters for display, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def cap_label(text: str | None, limit: int = MAX_LABEL_CHARS) -> str | None:
    """A title or name cut to ``limit`` characters (None stays None)."""
    return truncate(text, limit) if text is not None else None
