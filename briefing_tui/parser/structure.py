"""Finding a briefing's shape in a flat list of blocks.

One engine for every syntax. It reads the header (title, dek, "From <Publication> newsletter —
<date>" or a byline, a "PLUS:" teaser), then walks the rest as regions: intro, headline list,
stories, shortlist, references and named sections. Plain text has no markup, so there a short
title-like line only opens a story when the story's own signals follow (a lead with the
publication's prefix, "Unpacked:"/"Bottom line:" labels) or when it matches a headline.
Nothing visible is dropped: whatever fits no pattern stays in a story's body, the intro or a
named section.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from briefing_tui.model import Briefing, Link, Reference, Section, ShortlistItem, Story
from briefing_tui.parser.blocks import Block, Kind
from briefing_tui.parser.dates import DATE_LINE, find_date
from briefing_tui.parser.labels import (
    FOOTER_PATTERN,
    SPONSOR_PATTERN,
    TEASER_PATTERN,
    Label,
    inline_label,
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


_FROM_LINE = re.compile(
    r"^from\s+(?P<src>.+?)\s+newsletter\b\s*(?:[—–\-|·,:]+\s*(?P<rest>.*))?$", re.I
)
_BYLINE = re.compile(r"^(?:by|written by|words by)\s+\S.{0,150}$", re.I)
_PUBLISHED = re.compile(r"^(?:published|posted|updated|sent)\b.{0,60}$", re.I)
_LEAD_PREFIX = re.compile(r"^(?P<prefix>[A-Z0-9][\w'’&.\- ]{1,40}?):\s+(?=\S)")
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "a an the of on in to for and or but is are was were be its it's it as at by with from "
    "this that these those than then into over after new s".split()
)
_BULLET_PREFIX = "- "
_ID_WORDS = 12


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


def _tokens(text: str) -> set[str]:
    words = set()
    for word in _WORD.findall(text.lower().replace("'s", "").replace("’s", "")):
        if word in _STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s"):
            word = word[:-1]
        words.add(word)
    return words


def similarity(a: str, b: str) -> float:
    """Share of the shorter text's content words found in the other (0..1)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    common = len(ta & tb)
    if common < 2 and min(len(ta), len(tb)) > 1:
        return 0.0
    return common / min(len(ta), len(tb))


def _stable_id(prefix: str, *parts: str) -> str:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=6).hexdigest()
    return f"{prefix}-{digest}"


def title_like(text: str) -> bool:
    """A short line that reads like a title: few words, no sentence punctuation at the end."""
    if not text or len(text) > 150:
        return False
    words = text.split()
    if not 1 <= len(words) <= 18:
        return False
    if text[-1] in ".,;:":
        return False
    first = words[0]
    # "xAI", "iPhone" start lower-case but are names; a lower-case first word is a sentence.
    return not (first[0].islower() and not any(c.isupper() for c in first))


def _is_kicker_text(block: Block) -> bool:
    text = block.text
    words = text.split()
    if len(words) > 4 or len(text) > 40:
        return False
    letters = [c for c in text if c.isalpha()]
    upper = bool(letters) and all(c.isupper() for c in letters)
    return upper or (block.is_heading and block.level >= 5)


@dataclass
class _Chunk:
    title: str | None
    kicker: str | None = None
    sponsored: bool = False
    blocks: list[Block] = field(default_factory=list)
    matched_headline: bool = False
    from_heading: bool = False


class _Builder:
    def __init__(self, blocks: list[Block], hints: Hints, doc_title: str | None, doc_date: str | None):
        self.blocks = blocks
        self.hints = hints
        self.doc_title = doc_title
        self.doc_date = doc_date
        self.title: str | None = None
        self.subtitle: str | None = None
        self.source: str | None = None
        self.date: str | None = None
        self.intro: list[str] = []
        self.headlines: list[str] = []
        self.chunks: list[_Chunk] = []
        self.shortlist: list[Block] = []
        self.references: list[Block] = []
        self.footer: list[str] = []
        self.has_markup_headings = any(b.is_heading or b.all_strong for b in blocks)

    # -- classification ------------------------------------------------------------------------
    def bare_label(self, block: Block) -> Label | None:
        if block.kind is Kind.ITEM or len(block.text) > 60:
            return None
        return label_for(block.text)

    def candidate(self, block: Block) -> str | None:
        """'hard' for marked-up headings, 'soft' for plain title-like lines, else None."""
        if block.is_heading:
            return "hard"
        if block.kind is Kind.PARAGRAPH and title_like(block.text):
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
        bare = self.bare_label(block)
        if bare in (Label.UNPACKED, Label.BOTTOM_LINE):
            return bare, None
        if block.kind is Kind.HEADING:
            return None
        found = inline_label(block.text)
        if found:
            return found
        return None

    # -- header --------------------------------------------------------------------------------
    def meta(self, block: Block) -> bool:
        """Read a "From X newsletter — date", byline or date line; True if it was one."""
        text = block.text
        if len(text) > 200 or block.kind is Kind.ITEM:
            return False
        match = _FROM_LINE.match(text)
        if match:
            self.source = self.source or clean_text(match.group("src"))
            self.date = self.date or find_date(match.group("rest") or "")
            return True
        if DATE_LINE.match(text) or _PUBLISHED.match(text):
            self.date = self.date or find_date(text)
            if _PUBLISHED.match(text) and not find_date(text):
                return False
            return True
        if _BYLINE.match(text):
            self.date = self.date or find_date(text)
            self.intro.append(text)
            return True
        return False

    def read_header(self) -> int:
        blocks = self.blocks
        start = 0
        # A level-1 heading near the top is the title; anything above it is kept in the intro.
        for index, block in enumerate(blocks[:4]):
            if block.is_heading and block.level == 1:
                self.intro.extend(b.text for b in blocks[:index])
                self.title = block.text
                start = index + 1
                break
        else:
            hinted = self.hints.title or self.doc_title
            first = blocks[0] if blocks else None
            if first is not None and hinted and (
                similarity(first.text, hinted) >= 0.8 or _norm(hinted) in _norm(first.text)
            ):
                self.title = first.text if len(first.text) <= 300 else clean_text(hinted)
                start = 1
            elif hinted:
                self.title = clean_text(hinted)
            elif first is not None and (first.is_heading or len(first.text) <= 200) and (
                self.bare_label(first) is None
            ):
                self.title = first.text
                start = 1
            elif first is not None:
                self.title = truncate(first.text, 80)
        # Dek, meta lines and teaser directly under the title.
        index = start
        if (
            index + 1 < len(blocks)
            and blocks[index].kind is not Kind.ITEM
            and not self.bare_label(blocks[index])
            and self._is_meta_text(blocks[index + 1])
            and not self._is_meta_text(blocks[index])
        ):
            self.subtitle = blocks[index].text
            index += 1
        while index < len(blocks):
            block = blocks[index]
            if TEASER_PATTERN.match(block.text) and block.kind is not Kind.ITEM:
                self.intro.append(block.text)
            elif not self.meta(block):
                break
            index += 1
        return index

    def _is_meta_text(self, block: Block) -> bool:
        text = block.text
        if len(text) > 200 or block.kind is Kind.ITEM:
            return False
        return bool(
            _FROM_LINE.match(text)
            or DATE_LINE.match(text)
            or (_BYLINE.match(text))
            or (_PUBLISHED.match(text) and find_date(text))
            or TEASER_PATTERN.match(text)
        )

    # -- body ----------------------------------------------------------------------------------
    def prepare(self, start: int) -> None:
        body = self.blocks[start:]
        # E-mail footers (unsubscribe, view in browser) in the second half become their own section.
        half = len(body) // 2
        kept = []
        for position, block in enumerate(body):
            if position >= half and len(block.text) < 400 and FOOTER_PATTERN.search(block.text):
                self.footer.append(block.text)
            else:
                kept.append(block)
        self.body = kept
        # Prefixes that open the first paragraph under a title ("The Bit Baker: ...").
        counts: Counter[str] = Counter()
        for index, block in enumerate(kept[:-1]):
            if self.candidate(block):
                prefix = self.lead_prefix(kept[index + 1])
                if prefix:
                    counts[prefix.lower()] += 1
        self.lead_prefixes = {prefix for prefix, count in counts.items() if count >= 2}
        if self.source:
            self.lead_prefixes.add(self.source.lower())
            self.lead_prefixes.add(("the " + self.source).lower())
        elif counts:
            prefix, count = counts.most_common(1)[0]
            if count >= 2:
                for index, block in enumerate(kept[:-1]):
                    found = self.lead_prefix(kept[index + 1]) if self.candidate(block) else None
                    if found and found.lower() == prefix:
                        self.source = found
                        break
        self.hl_range = self._find_headlines()
        self.briefing_mode = bool(self.lead_prefixes - {(self.source or "").lower(), ("the " + (self.source or "")).lower()}) or any(
            self._is_story_signal(block) for block in kept
        ) or self.hl_range is not None or any(
            self._has_lead_prefix(block) for block in kept
        )

    def _has_lead_prefix(self, block: Block) -> bool:
        prefix = self.lead_prefix(block)
        return bool(prefix and prefix.lower() in self.lead_prefixes)

    def _is_story_signal(self, block: Block) -> bool:
        found = self.story_label(block)
        if not found:
            return False
        label, rest = found
        return rest is not None or block.text.rstrip().endswith(":") or bool(block.strong_label)

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
                        and not self._signals_follow(end)
                    ):
                        end += 1
                return index, end
        return None

    def _signals_follow(self, index: int) -> bool:
        """Does story structure follow the line at ``index`` (a lead or story labels)?"""
        body = self.body
        if index + 1 < len(body) and self._has_lead_prefix(body[index + 1]):
            return True
        for block in body[index + 1 : index + 8]:
            if self.candidate(block) and not self.story_label(block):
                return False
            if self._is_story_signal(block):
                return True
        return False

    def matches_headline(self, text: str) -> bool:
        return any(similarity(text, headline) >= 0.5 for headline in self.headlines)

    def is_boundary(self, index: int, region: str) -> bool:
        block = self.body[index]
        kind = self.candidate(block)
        if kind is None:
            return False
        if kind == "hard":
            return True
        if self.matches_headline(block.text) or self._signals_follow(index):
            return True
        if region in ("shortlist", "references", "headlines") or self.briefing_mode:
            return False
        following = self.body[index + 1] if index + 1 < len(self.body) else None
        return following is not None and self.candidate(following) is None

    def walk(self) -> None:
        body = self.body
        if self.hl_range:
            first, last = self.hl_range
            self.headlines = [body[i].text for i in range(first + 1, last)]
        region = "intro"
        chunk: _Chunk | None = None
        pending_kicker: str | None = None
        expect_title = False
        index = 0
        while index < len(body):
            block = body[index]
            if self.hl_range and self.hl_range[0] <= index < self.hl_range[1]:
                region = "headlines"
                chunk = None
                index += 1
                continue
            label = self.bare_label(block)
            if label in (Label.SHORTLIST, Label.REFERENCES, Label.HEADLINES):
                region = label.value
                chunk = None
                index += 1
                continue
            if chunk is not None and expect_title:
                expect_title = False
                if self.candidate(block) and not self.story_label(block):
                    chunk.kicker, chunk.title = chunk.title, block.text
                    index += 1
                    continue
            if label in (Label.UNPACKED, Label.BOTTOM_LINE) and (
                chunk is None or (not self.briefing_mode and self.candidate(block))
            ):
                # A "Why It Matters" heading outside any story is a named section of an article.
                chunk = _Chunk(title=block.text, from_heading=True)
                self.chunks.append(chunk)
                region = "chunk"
                index += 1
                continue
            if block.kind is not Kind.ITEM and SPONSOR_PATTERN.match(block.text) and len(block.text) < 120:
                chunk = _Chunk(title=block.text, sponsored=True)
                self.chunks.append(chunk)
                region = "chunk"
                expect_title = True
                index += 1
                continue
            if (
                self.candidate(block)
                and index + 1 < len(body)
                and _is_kicker_text(block)
                and not label
                and (self.has_markup_headings or self.candidate(body[index + 1]))
            ):
                pending_kicker = block.text
                index += 1
                nxt = body[index]
                if self.candidate(nxt) and not self.bare_label(nxt):
                    chunk = _Chunk(title=nxt.text, kicker=pending_kicker, from_heading=True)
                    index += 1
                else:
                    chunk = _Chunk(title=None, kicker=pending_kicker, from_heading=True)
                pending_kicker = None
                self.chunks.append(chunk)
                region = "chunk"
                continue
            if label is None and self.is_boundary(index, region if chunk is None else "chunk"):
                chunk = _Chunk(title=block.text, from_heading=True)
                chunk.matched_headline = self.matches_headline(block.text)
                self.chunks.append(chunk)
                region = "chunk"
                index += 1
                continue
            # Content of the current region.
            if region == "chunk" and chunk is not None:
                chunk.blocks.append(block)
            elif region == "shortlist":
                self.shortlist.append(block)
            elif region == "references":
                self.references.append(block)
            elif region == "headlines":
                self.intro.append(_as_line(block))
            else:
                self.intro.append(_as_line(block))
            index += 1

    # -- output --------------------------------------------------------------------------------
    def is_story(self, chunk: _Chunk) -> bool:
        if chunk.sponsored or chunk.kicker or chunk.matched_headline:
            return True
        if not self.briefing_mode:
            return False
        if any(self.story_label(b) for b in chunk.blocks):
            return True
        if chunk.blocks and self._has_lead_prefix(chunk.blocks[0]):
            return True
        if self.headlines and chunk.title and self.matches_headline(chunk.title):
            return True
        return not self.headlines and any(b.kind is Kind.PARAGRAPH for b in chunk.blocks)

    def story(self, chunk: _Chunk, seen: Counter[str]) -> Story:
        lead: str | None = None
        unpacked: list[str] = []
        bottom: str | None = None
        body: list[str] = []
        links: list[Link] = []
        state = "start"
        for block in chunk.blocks:
            links.extend(block.links)
            found = self.story_label(block)
            if found is None and block.strong_label and block.kind is not Kind.HEADING:
                strong = label_for(block.strong_label)
                if strong in (Label.UNPACKED, Label.BOTTOM_LINE):
                    rest = block.text[len(block.strong_label) :].strip() if block.text.startswith(
                        block.strong_label
                    ) else None
                    found = (strong, rest or None)
            if found:
                label, rest = found
                if label is Label.UNPACKED:
                    if rest:
                        unpacked.append(rest)
                    state = "unpacked"
                else:
                    if rest:
                        if bottom is None:
                            bottom = rest
                        else:
                            body.append(rest)
                        state = "after"
                    else:
                        state = "bottom"
                continue
            if state == "start" and block.kind is Kind.PARAGRAPH:
                lead = self._strip_lead(block)
                state = "lead"
            elif state == "unpacked":
                unpacked.append(block.text)
            elif state == "bottom":
                if bottom is None:
                    bottom = block.text
                else:
                    body.append(_as_line(block))
                state = "after"
            else:
                if state == "start":
                    state = "lead"
                body.append(_as_line(block))
        title = chunk.title
        if not title:
            title = self._title_from_headline(lead, body) or truncate(
                (lead or (body[0] if body else chunk.kicker or "Untitled")).split(". ")[0], 100
            )
        key = _norm(title) + "\x1f" + " ".join(_norm(lead or "").split()[:_ID_WORDS])
        seen[key] += 1
        story_id = _stable_id("s", key, str(seen[key]) if seen[key] > 1 else "")
        unique_links: dict[str, Link] = {}
        for link in links:
            unique_links.setdefault(link.url, link)
        return Story(
            id=story_id,
            title=title,
            kicker=chunk.kicker,
            lead=lead,
            unpacked=tuple(unpacked),
            bottom_line=bottom,
            body=tuple(body),
            sponsored=chunk.sponsored,
            links=tuple(unique_links.values()),
        )

    def _strip_lead(self, block: Block) -> str:
        prefix = self.lead_prefix(block)
        if prefix and (
            prefix.lower() in self.lead_prefixes or (block.strong_label and len(prefix.split()) <= 4)
        ):
            rest = block.text.split(":", 1)[1].strip() if ":" in block.text else block.text
            return rest or block.text
        return block.text

    def _title_from_headline(self, lead: str | None, body: list[str]) -> str | None:
        text = " ".join([lead or ""] + body[:2])
        best, score = None, 0.0
        for headline in self.headlines:
            value = similarity(headline, text)
            if value > score:
                best, score = headline, value
        return best if score >= 0.5 else None

    def build(self) -> Briefing:
        start = self.read_header() if self.blocks else 0
        self.prepare(start)
        self.walk()
        stories: list[Story] = []
        sections: list[Section] = []
        seen: Counter[str] = Counter()
        for chunk in self.chunks:
            if self.is_story(chunk):
                stories.append(self.story(chunk, seen))
            else:
                sections.append(
                    Section(title=chunk.title or chunk.kicker or "Untitled", body=tuple(_as_line(b) for b in chunk.blocks))
                )
        if self.footer:
            sections.append(Section(title="Footer", body=tuple(self.footer)))
        shortlist = []
        short_seen: Counter[str] = Counter()
        for block in self.shortlist:
            key = " ".join(_norm(block.text).split()[:20])
            short_seen[key] += 1
            shortlist.append(
                ShortlistItem(
                    id=_stable_id("q", key, str(short_seen[key]) if short_seen[key] > 1 else ""),
                    text=block.text,
                    url=block.links[0].url if block.links else None,
                )
            )
        return Briefing(
            title=self.title or "Untitled",
            subtitle=self.subtitle,
            source=self.source or (clean_text(self.hints.source) if self.hints.source else None),
            date=self.date or self.doc_date or self.hints.date,
            url=self.hints.url,
            intro=tuple(self.intro),
            headlines=tuple(self.headlines),
            stories=tuple(stories),
            shortlist=tuple(shortlist),
            references=tuple(_reference(block) for block in self.references),
            sections=tuple(sections),
        )


def _as_line(block: Block) -> str:
    return _BULLET_PREFIX + block.text if block.kind is Kind.ITEM else block.text


_REF_SEPARATORS = (" — ", " – ", " -- ", " | ", " - ", ": ")


def _reference(block: Block) -> Reference:
    text = block.text
    url = block.links[0].url if block.links else None
    if url and url in text and text.strip() != url:
        text = text.replace(url, "").strip(" -—–|:()[]")
    for separator in _REF_SEPARATORS:
        if separator in text:
            publisher, title = text.split(separator, 1)
            publisher, title = publisher.strip(), title.strip()
            if publisher and title and len(publisher.split()) <= 8:
                return Reference(title=title, publisher=publisher, url=url)
    return Reference(title=text, publisher=None, url=url)


def build_briefing(
    blocks: list[Block], hints: Hints, *, doc_title: str | None = None, doc_date: str | None = None
) -> Briefing:
    """Turn a document's blocks into a Briefing."""
    return _Builder(blocks, hints, doc_title, doc_date).build()


__all__ = ["Hints", "build_briefing", "similarity", "title_like", "normalise_label"]
