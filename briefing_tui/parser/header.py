"""Reading the head of an issue: title, dek, publication, date, byline and "PLUS:" teaser.

Newsletters open the same way whatever their syntax: a title, often a one-sentence dek, then a
line of metadata ("From <Publication> newsletter — <date>", "By Jane Doe · May 2, 2026",
"Issue 88 · May 12, 2026") and sometimes a teaser. Metadata that is only a date becomes the ISO
date; any other words on such lines are kept (in the dek or the intro), never dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from briefing_tui.parser.blocks import Block, Kind
from briefing_tui.parser.chrome import is_chrome
from briefing_tui.parser.dates import DATE_LINE, find_date, yearless_day
from briefing_tui.parser.labels import TEASER_PATTERN, label_for
from briefing_tui.text import clean_text, truncate

FROM_LINE = re.compile(r"^from\s+(?P<src>.+?)\s+newsletter\b\s*(?:[—–\-|·,:]+\s*(?P<rest>.*))?$", re.I)
#: What is left of a date line that names the publication ("From The Kernel Post").
_FROM_NAME = re.compile(r"^(?:from|From|FROM)\s+(?P<src>[A-Z0-9][^.!?:;]{1,60})$")
BYLINE = re.compile(r"^(?:by|written by|words by)\s+\S.{0,150}$", re.I)
PUBLISHED = re.compile(r"^(?:published|posted|updated|sent)\b.{0,60}$", re.I)
#: Separators between the parts of a metadata line ("Issue 88 · May 12, 2026").
_META_SPLIT = re.compile(r"\s+[·•|—–]\s+|\s+-\s+")
#: Words that only introduce a date ("Published on", "Updated at").
_DATE_FILLER = re.compile(r"^(?:(?:published|posted|updated|sent|on|at|dated)\b[\s,:]*)*$", re.I)
_MAX_META = 200
#: Longest first line taken as the title when the container gives none (titles are kept whole;
#: cutting them for display is the front end's job).
MAX_TITLE = 300
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "a an the of on in to for and or but is are was were be its it's it as at by with from "
    "this that these those than then into over after new s".split()
)


def norm(text: str) -> str:
    """Lower-case words only, for comparing titles."""
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


@lru_cache(maxsize=8192)
def tokens(text: str) -> frozenset[str]:
    """Content words of ``text`` (no stop words, plural "s" dropped). Cached: the same titles
    and headlines are compared many times while one issue is parsed."""
    words = set()
    for word in _WORD.findall(text.lower().replace("'s", "").replace("’s", "")):
        if word in _STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s"):
            word = word[:-1]
        words.add(word)
    return frozenset(words)


def similarity(a: str, b: str) -> float:
    """Share of the shorter text's content words found in the other (0..1)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    common = len(ta & tb)
    # One shared word is enough only between two very short texts ("Chips" and "Chips").
    if common < 2 and max(len(ta), len(tb)) > 2:
        return 0.0
    return common / min(len(ta), len(tb))


@dataclass
class Header:
    title: str | None = None
    subtitle: str | None = None
    source: str | None = None
    date: str | None = None
    intro: list[str] = field(default_factory=list)
    #: The title is only the opening words of the first paragraph: nothing better was found.
    weak_title: bool = False
    #: (month, day) of a date line that leaves out the year ("Apr 26 • Issue #1869").
    yearless: tuple[int, int] | None = None
    #: A banner heading that names the edition ("Flagship"), not the issue: part of the masthead.
    banner: Block | None = None


def _date_part(text: str) -> tuple[str | None, str]:
    """(ISO date, the rest) when ``text`` is a metadata line holding a date, else (None, text).

    "Issue 88 · May 12, 2026" gives ("2026-05-12", "Issue 88"); "Published May 12, 2026"
    gives ("2026-05-12", ""); a sentence that merely mentions a date gives (None, text).
    """
    if len(text) > _MAX_META:
        return None, text
    if DATE_LINE.match(text):
        return find_date(text), ""
    parts = _META_SPLIT.split(text)
    for index, part in enumerate(parts):
        stripped = part.strip(" *_")
        if not DATE_LINE.match(stripped) and not (
            _ANY_DATE.search(stripped) and _DATE_FILLER.match(_ANY_DATE.sub("", stripped).strip(" ,"))
        ):
            continue
        found = find_date(stripped)
        if found:
            rest = (p.strip() for p in parts[:index] + parts[index + 1 :])
            return found, " · ".join(p for p in rest if p)
    return None, text


def _is_nav_row(block: Block) -> bool:
    """A site's menu: three or more short linked entries in a row ("HOME | NEWS | OPINION")."""
    parts = [part.strip() for part in re.split(r"\s[|·•]\s", block.text)]
    named = {link.text.strip() for link in block.links}
    menu = [part for part in parts if part in named and len(part.split()) <= 3]
    return len(menu) >= 3 and len(menu) * 3 >= len(parts) * 2


def _yearless_part(text: str) -> tuple[tuple[int, int], str] | None:
    """((month, day), the rest) for a metadata line whose date leaves out the year."""
    if len(text) > _MAX_META:
        return None
    parts = _META_SPLIT.split(text)
    for index, part in enumerate(parts):
        found = yearless_day(part.strip(" *_"))
        if found:
            rest = (p.strip() for p in parts[:index] + parts[index + 1 :])
            return found, " · ".join(p for p in rest if p)
    return None


_ANY_DATE = re.compile(
    r"(?:\d{4}-\d{1,2}-\d{1,2}|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{4})"
)


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*(?:\s|$)")


def _is_prose(text: str) -> bool:
    """Several sentences of running text: a greeting or a paragraph, never a title or dek."""
    return len(text.split()) > 12 and len(_SENTENCE_END.findall(text)) >= 3


def is_meta(block: Block) -> bool:
    """A metadata line under the title: "From X newsletter", a byline, a date line, a teaser."""
    text = block.text
    if len(text) > _MAX_META or block.kind is Kind.ITEM:
        return False
    return bool(
        FROM_LINE.match(text)
        or BYLINE.match(text)
        or TEASER_PATTERN.match(text)
        or _date_part(text)[0]
        or _yearless_part(text)
    )


_TEASER_START = re.compile(r"^(?:plus|also|and)\b[ :,]", re.I)
#: "#598 — April 24, 2026", "Issue 88 · May 12, 2026": the issue's number and day.
_ISSUE_LINE = re.compile(r"^(?:#|no\.?\s*|issue\s*#?\s*|edition\s*#?\s*)\d{1,5}\b.{0,60}$", re.I)
_MASTHEAD_DATE = re.compile(
    r"^(?P<name>[^\W\d][\w'’&.\- ]{1,60}?)\s*(?:[—–\-|·:,]\s*)?(?P<day>\d{4}[-./]\d{1,2}[-./]\d{1,2}|"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})\s*(?:edition|issue)?\s*$",
    re.I,
)


def _masthead(block: Block) -> tuple[str, str] | None:
    """(publication, ISO day) for a masthead line: a name, then a date and nothing else."""
    if block.kind is Kind.ITEM or len(block.text) > 90 or not (block.is_heading or block.all_strong or block.level == 0):
        return None
    match = _MASTHEAD_DATE.match(block.text)
    if not match:
        return None
    name = match.group("name").strip(" —–-|·:,")
    day = find_date(match.group("day"))
    if (
        not day
        or not name
        or len(name.split()) > 6
        or any(c.isdigit() for c in name)
        or set(name.lower().split()) & _NOT_NAMES
    ):
        return None
    return name, day


#: Words that may stand before a date without naming anything.
_NOT_NAMES = frozenset("published posted updated sent on at dated date today issue edition week of from by newsletter".split())


def _title_from_filename(filename: str | None, source: str | None) -> str | None:
    """A title of last resort from the file's name ("haskell-weekly_538.md" -> "Haskell Weekly #538")."""
    if not filename:
        return None
    stem = re.sub(r"\.[A-Za-z0-9]{1,9}$", "", filename.replace("\\", "/").rsplit("/", 1)[-1])
    number = re.search(r"(?<![\d-])(\d{1,5})(?![\d-])", stem)
    if not number:
        return None
    if source:
        return f"{source} #{number.group(1)}"
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    return words.title() if words else None


_BARE_SPONSOR_MARK = re.compile(r"^(?:sponsored|presented|brought to you)(?: by)?[\s:]*$", re.I)
_SEGMENT_SEPARATOR = re.compile(r"\s+[·|•]\s+")


def _without_chrome(title: str) -> str:
    """A title line without the buttons printed beside it ("#457 — October 4, 2019 · Read on the Web")."""
    parts = _SEGMENT_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    kept = [part for part in parts if not is_chrome(Block(Kind.PARAGRAPH, part))]
    if not kept or len(kept) == len(parts):
        return title
    separators = _SEGMENT_SEPARATOR.findall(title)
    return separators[0].join(kept) if separators else " ".join(kept)


class HeaderReader:
    def __init__(self, blocks: list[Block], hint_title: str | None, filename: str | None = None, source: str | None = None) -> None:
        self.blocks = blocks
        self.hint_title = hint_title
        self.filename = filename
        self.header = Header()
        self.header.source = source

    def read(self) -> tuple[Header, int]:
        """The header and the index of the first block after it."""
        start = self._title()
        if self.header.title:
            self.header.title = _without_chrome(self.header.title)
        return self.header, self._meta_lines(start)

    def _title(self) -> int:
        blocks, header = self.blocks, self.header
        if not blocks:
            header.title = clean_text(self.hint_title) if self.hint_title else None
            return 0
        # A masthead ("# TLDR AI 2026-08-20", "Data Is Plural — 2025.05.21 edition") names the
        # publication and the day; the issue's own headline is the heading under it, if any.
        for index, block in enumerate(blocks[:8]):
            if index and not block.is_heading:
                continue
            masthead = _masthead(block)
            if masthead is None:
                if block.is_heading and block.level <= 2:
                    break
                continue
            name, day = masthead
            header.source = header.source or name
            header.date = header.date or day
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            for above in blocks[:index]:
                header.intro.append(above.text)
            if following is not None and following.is_heading and len(following.text) <= MAX_TITLE:
                header.title = following.text
                return index + 2
            header.title = clean_text(self.hint_title) if self.hint_title else block.text
            return index + 1
        # A teaser line above everything ("Plus a deep dive into ...") is intro, not the title.
        lead = 0
        while lead < min(len(blocks) - 1, 2) and _TEASER_START.match(blocks[lead].text) and not self.hint_title:
            header.intro.append(blocks[lead].text)
            lead += 1
        if lead and _ISSUE_LINE.match(blocks[lead].text):
            header.title = blocks[lead].text
            header.date = header.date or find_date(blocks[lead].text)
            return lead + 1
        if lead:
            blocks = blocks[lead:]
        # A level-1 heading near the top is the title; anything above it is kept in the intro.
        for index, block in enumerate(blocks[:4]):
            if block.is_heading and block.level == 1:
                if (
                    self.hint_title
                    and len(block.text.split()) <= 2
                    and similarity(block.text, self.hint_title) < 0.5
                ):
                    # A one- or two-word banner ("Flagship") under a real subject is the masthead.
                    header.banner = block
                    break
                for above in blocks[:index]:
                    header.date = header.date or _date_part(above.text)[0]
                    header.intro.append(above.text)
                header.title = block.text
                return lead + index + 1
        hinted = self.hint_title
        while len(blocks) > 1 and _BARE_SPONSOR_MARK.match(blocks[0].text):
            # "Sponsored By" over a sponsor's logo at the top of an e-mail.
            header.intro.append(blocks[0].text)
            blocks = blocks[1:]
            lead += 1
        first = blocks[0]
        if not hinted and _is_nav_row(first):
            # "HOME | NEWS | OPINION · Saturday - December 18, 2021": the site's menu, not a
            # title; the issue's first story names it.
            header.date = header.date or find_date(first.text)
            header.intro.append(first.text)
            header.title, header.weak_title = first.text, True
            return lead + 1
        if hinted and (similarity(first.text, hinted) >= 0.8 or norm(hinted) in norm(first.text)):
            # The subject in the page's own spelling; a greeting that retells it is the intro.
            if len(first.text) <= MAX_TITLE and not _is_prose(first.text):
                header.title = first.text
                return lead + 1
            header.title = clean_text(hinted)
            return lead
        if hinted:
            header.title = clean_text(hinted)
            return lead
        if (first.is_heading or (len(first.text) <= _MAX_META and not _is_prose(first.text))) and (
            first.kind is not Kind.ITEM and label_for(first.text) is None
        ):
            header.title = first.text
            return lead + 1
        named = _title_from_filename(self.filename, header.source)
        if named and _is_prose(first.text):
            header.title = named
            return lead
        header.title = truncate(first.text, 80)
        header.weak_title = True
        return lead

    def _meta_lines(self, index: int) -> int:
        blocks, header = self.blocks, self.header
        # A dek directly under the title, when metadata follows it.
        if (
            index + 1 < len(blocks)
            and blocks[index].kind is not Kind.ITEM
            and label_for(blocks[index].text) is None
            and is_meta(blocks[index + 1])
            and not is_meta(blocks[index])
        ):
            if _is_prose(blocks[index].text):
                # A greeting of several sentences above the date line ("Welcome to ...") is intro.
                header.intro.append(blocks[index].text)
            else:
                header.subtitle = blocks[index].text
            index += 1
        while index < len(blocks):
            block = blocks[index]
            if block.kind is Kind.ITEM or block.is_heading and block.level <= 2:
                break
            if TEASER_PATTERN.match(block.text):
                header.intro.append(block.text)
            elif not self._meta(block):
                break
            index += 1
        return index

    def _meta(self, block: Block) -> bool:
        """Read one metadata line; False if ``block`` is not one."""
        text = block.text
        if len(text) > _MAX_META:
            return False
        header = self.header
        match = FROM_LINE.match(text)
        if match:
            header.source = header.source or clean_text(match.group("src"))
            rest = (match.group("rest") or "").strip()
            found, remainder = _date_part(rest) if rest else (None, "")
            header.date = header.date or found
            if rest and (not found or remainder):
                header.intro.append(text)
            return True
        if BYLINE.match(text):
            header.date = header.date or find_date(text)
            header.intro.append(text)
            return True
        found, remainder = _date_part(text)
        if not found:
            yearless = _yearless_part(text)
            if yearless is None:
                return False
            header.yearless = header.yearless or yearless[0]
            if yearless[1]:
                header.intro.append(yearless[1])
            return True
        header.date = header.date or found
        named = _FROM_NAME.match(remainder)
        if named and len(named.group("src").split()) <= 6:
            # "From The Kernel Post — February 12, 2026": the publication and the day
            header.source = header.source or clean_text(named.group("src"))
            return True
        if remainder:
            # "Chips, models and the people behind them · April 7, 2026": a dek with a date;
            # "Sam's Bits · Daily digest · March 18, 2026" is more metadata.
            if (
                header.subtitle is None
                and len(remainder.split()) >= 4
                and not BYLINE.match(remainder)
                and " · " not in remainder
            ):
                header.subtitle = remainder
            else:
                header.intro.append(remainder)
        return True


def read_header(
    blocks: list[Block], hint_title: str | None, filename: str | None = None, source: str | None = None
) -> tuple[Header, int]:
    """Read the header of ``blocks``: (header, index of the first block of the body).

    ``source`` is the publication's name when already known (it names a title of last resort).
    """
    return HeaderReader(blocks, hint_title, filename, source).read()
