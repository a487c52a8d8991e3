"""Story threads: telling when two pieces from different issues report the same event.

A *piece* is one editorial story of an issue, or a whole issue that has no stories (an
article). Pure functions over the model live here; the cache keeps the pieces and their threads
(:mod:`briefing_tui.store.threads`).

How two pieces are compared, in three stages:

1. :func:`piece_terms` reads the parts that say what happened (title, lead, bottom line, the
   first part of the rest) into weighted terms: words without stop words, names (capitalised
   mid-sentence) and numbers ("1,000", "5.3") counted higher, and the targets of the piece's
   links ("@techcrunch.com/2026/02/12/codex"), which are as telling as a name.
2. :func:`similarity` weighs each shared term by its rarity among all pieces (inverse document
   frequency) and divides by the shorter piece's weight, so a short story inside a long article
   still matches it.
3. :func:`same_event` asks for a high similarity *and* several rare terms in common, so that
   two stories about one company on one day (which share its name and little else) stay apart.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

from briefing_tui.model import Briefing, Story

#: Days either side of a piece's own day that other pieces are compared with.
WINDOW_DAYS = 2
#: The most terms kept per piece (by weight in the piece): long articles must not match everything.
MAX_TERMS = 48
#: The most characters read from one part of a piece (a 200,000-word issue costs as much as a long one).
PART_CHARS = 1500
#: Similarity from which two pieces report the same event.
MATCH = 0.25
#: The least weight a piece is measured against: a one-line item with a few words would
#: otherwise be "covered" by any story that shares two of them.
MASS_FLOOR = 300.0
#: Distinct rare terms two pieces must share besides a high similarity.
MIN_SHARED = 3
#: A term is rare when at most this share of all pieces holds it.
RARE_SHARE = 0.05
#: Rarity is counted as if among at least this many pieces: in a new, small cache one event
#: covered five times would otherwise make its own names look common.
MIN_PIECES = 1000

_FIELD_WEIGHT = {"title": 3.0, "lead": 2.0, "bottom_line": 1.5, "rest": 1.0}
#: The most one term weighs in one piece, however often it is repeated.
_TERM_CAP = 5.0
_NAME_BOOST = 1.5
_NUMBER_BOOST = 1.3
_LINK_WEIGHT = 4.0

_WORD = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?|[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?")
_HAS_DIGIT = re.compile(r"\d").search
_SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$")

STOP_WORDS = frozenset(
    """
    a about above across after again against all almost along already also although always am
    among an and another any anyone anything are around as at away back be became because become
    becomes been before being below between both but by can cannot could did do does doing done
    down during each either else enough even ever every few first for from further get gets getting
    give given gives go goes going got had has have having he her here hers him his how however i
    if in into is it its itself just keep kept last least less let like likely made make makes
    making many may me might more most much must my near need needs never new next no nor not now
    of off often on once one only onto or other others our out over own per perhaps put rather
    really right said same say says see seems set several she should show shows since so some still
    such take takes than that the their them then there these they thing things this those though
    three through thus to today too two under until up upon us use used uses using very via want
    was way we week weeks well were what when where whether which while who whom whose why will
    with within without would year years yet you your
    bottom line unpacked plus why matters matter big picture details read reading story stories
    newsletter issue today's according announced announces announcement reported reports report
    company companies firm people time times lot lots good great thanks morning happy welcome
    minute minutes min sponsor sponsored
    """.split()
)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A word as compared: lower case, no diacritics, no plural "s"."""
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _number(token: str) -> str | None:
    """"1,000" -> "1000", "$10" -> "10", "5.3" -> "5.3"; None for one digit alone."""
    digits = token.strip("$%").replace(",", "")
    if len(digits.replace(".", "")) < 2:
        return None
    return digits


def words(text: str, *, names: bool = True) -> Iterable[tuple[str, float]]:
    """(term, boost) for each word of ``text`` worth comparing."""
    text = text[:PART_CHARS]
    for match in _WORD.finditer(text):
        token = match.group()
        if token[0].isdigit() or token[0] == "$":
            number = _number(token)
            if number:
                yield number, _NUMBER_BOOST
            continue
        term = fold(token)
        if len(term) < 2 or term in STOP_WORDS:
            continue
        boost = 1.0
        if names and token[0].isupper() and match.start() > 0:
            before = text[max(0, match.start() - 3) : match.start()]
            if not _SENTENCE_END.search(before) and "\n" not in before:
                boost = _NAME_BOOST
        if _HAS_DIGIT(token):
            boost = max(boost, _NAME_BOOST)  # model and part names: "HBM4", "M5"
        yield term, boost


def link_term(url: str) -> str | None:
    """A link's target as a term: host and path; None for a site's front page or a non-web link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    path = parts.path.rstrip("/")
    if not path or path.count("/") < 1 or len(path) < 4:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    return f"@{host}{path.lower()}"


class _Terms:
    def __init__(self) -> None:
        self.weights: dict[str, float] = {}
        self.order: dict[str, int] = {}

    def add(self, text: str | None, field: str, *, names: bool = True) -> None:
        if not text:
            return
        weight = _FIELD_WEIGHT[field]
        for term, boost in words(text, names=names):
            self.order.setdefault(term, len(self.order))
            self.weights[term] = min(_TERM_CAP, self.weights.get(term, 0.0) + weight * boost)

    def add_links(self, urls: Iterable[str]) -> None:
        for url in urls:
            term = link_term(url)
            if term:
                self.order.setdefault(term, len(self.order))
                self.weights[term] = _LINK_WEIGHT

    def top(self) -> dict[str, float]:
        ranked = sorted(self.weights, key=lambda term: (-self.weights[term], self.order[term]))
        return {term: round(self.weights[term], 2) for term in ranked[:MAX_TERMS]}


def _joined(parts: Iterable[str], limit: int = PART_CHARS) -> str:
    out, size = [], 0
    for part in parts:
        if size >= limit:
            break
        out.append(part[: limit - size])
        size += len(out[-1]) + 1
    return "\n".join(out)


def story_terms(story: Story) -> dict[str, float]:
    terms = _Terms()
    terms.add(story.title, "title", names=False)
    terms.add(story.kicker, "rest", names=False)
    terms.add(story.lead, "lead")
    terms.add(story.bottom_line, "bottom_line")
    terms.add(_joined((*story.unpacked, *story.body)), "rest")
    terms.add_links(link.url for link in story.links)
    return terms.top()


def article_terms(briefing: Briefing) -> dict[str, float]:
    """Terms of a whole issue read as one article (an issue without stories)."""
    terms = _Terms()
    terms.add(briefing.title, "title", names=False)
    terms.add(briefing.subtitle, "lead")
    body = [*briefing.intro]
    for section in briefing.sections:
        body.extend(section.body)
    terms.add(_joined(body[:2]), "lead")
    terms.add(_joined(body[2:]), "rest")
    terms.add_links(
        [link.url for link in briefing.intro_links]
        + [link.url for section in briefing.sections for link in section.links]
    )
    return terms.top()


def pieces(briefing: Briefing) -> list[tuple[str, str, dict[str, float]]]:
    """(item id, title, terms) for each piece of an issue: its editorial stories, else itself
    (item id ""). An issue of sponsored blocks only has none."""
    stories = briefing.editorial_stories
    if stories:
        return [(story.id, story.title, story_terms(story)) for story in stories]
    if briefing.stories:
        return []
    return [("", briefing.title, article_terms(briefing))]


def encode_terms(terms: Mapping[str, float]) -> str:
    return "\n".join(f"{term}\t{weight:g}" for term, weight in terms.items())


def decode_terms(text: str) -> dict[str, float]:
    out = {}
    for line in text.split("\n"):
        term, _, weight = line.partition("\t")
        if term:
            try:
                out[term] = float(weight)
            except ValueError:
                continue
    return out


class Rarity:
    """Inverse document frequency of terms among all pieces."""

    def __init__(self, total: int, counts: Callable[[str], int]):
        self.total = max(total, MIN_PIECES)
        self._counts = counts
        self._cache: dict[str, float] = {}
        self._rare: dict[str, bool] = {}
        self.rare_limit = max(2.0, self.total * RARE_SHARE)

    def __call__(self, term: str) -> float:
        value = self._cache.get(term)
        if value is None:
            value = math.log((self.total + 1) / (self._counts(term) + 1))
            self._cache[term] = value
        return value

    def is_rare(self, term: str) -> bool:
        rare = self._rare.get(term)
        if rare is None:
            rare = self._rare[term] = self._counts(term) <= self.rare_limit
        return rare


def mass(terms: Mapping[str, float], idf: Rarity) -> float:
    return sum(weight * idf(term) for term, weight in terms.items())


def similarity(
    a: Mapping[str, float], b: Mapping[str, float], idf: Rarity, masses: tuple[float, float] | None = None
) -> tuple[float, int]:
    """(how much of the lighter piece the other covers, 0..1; distinct rare terms shared).

    ``masses`` are the two pieces' :func:`mass` when the caller keeps them.
    """
    shared = [term for term in (a if len(a) <= len(b) else b) if term in a and term in b]
    if not shared:
        return 0.0, 0
    covered = sum(min(a[term], b[term]) * idf(term) for term in shared)
    whole = max(min(masses) if masses else min(mass(a, idf), mass(b, idf)), MASS_FLOOR)
    rare = sum(1 for term in shared if idf.is_rare(term))
    return (covered / whole if whole > 0 else 0.0), rare


def same_event(score: float, rare_shared: int) -> bool:
    return score >= MATCH and rare_shared >= MIN_SHARED
