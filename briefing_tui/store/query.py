"""The search query language, shared by the reader's search box and ``briefing-tui search``.

    openai chips            both words (any order)
    "custom silicon"        a phrase
    cerebr*                 a prefix (two letters or more)
    section:bottomline      only Bottom lines (also unpacked, headlines, shortlist, references, lead, body)
    source:"bit baker"      only issues whose source contains this
    is:unread / is:starred  only unread / starred items

A query of filters alone lists the items that pass them, newest issue first. While a query is
being typed (``partial``), its last word matches as a prefix until a space or a closing quote
ends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Full-text columns, in table order, named as the sections users see.
SECTION_COLUMNS = ("headlines", "lead", "unpacked", "bottom_line", "body", "shortlist", "references")
_COLUMN_NAMES = {"references": "refs"}

SECTION_ALIASES = {
    "headlines": "headlines",
    "headline": "headlines",
    "title": "headlines",
    "titles": "headlines",
    "lead": "lead",
    "leads": "lead",
    "unpacked": "unpacked",
    "details": "unpacked",
    "bottomline": "bottom_line",
    "bottom_line": "bottom_line",
    "bottom-line": "bottom_line",
    "bottom": "bottom_line",
    "body": "body",
    "shortlist": "shortlist",
    "quickhits": "shortlist",
    "references": "references",
    "refs": "references",
    "sources": "references",
}

_TOKEN = re.compile(r'(\w+):"([^"]*)"?|(\w+):(\S+)|"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)
#: The shortest prefix searched as a prefix (the shortest the index keeps prefixes of); a
#: one-letter prefix would read the entry of every word that starts with that letter.
MIN_PREFIX = 2
#: A word as the index cuts it (unicode61: letters and digits; an underscore separates words).
_INDEX_TOKEN = re.compile(r"[^\W_]+")


class QueryError(ValueError):
    pass


def _prefixable(text: str) -> bool:
    """Whether the last word the index sees in ``text`` is long enough to search as a prefix."""
    tokens = _INDEX_TOKEN.findall(text)
    return bool(tokens) and len(tokens[-1]) >= MIN_PREFIX


def section_name(value: str) -> str:
    key = value.strip().lower().replace(" ", "")
    try:
        return SECTION_ALIASES[key]
    except KeyError:
        raise QueryError(
            f"unknown section {value!r} (use one of: {', '.join(SECTION_COLUMNS)})"
        ) from None


@dataclass(slots=True)
class SearchQuery:
    terms: list[str] = field(default_factory=list)  # words, with a trailing * for prefixes
    phrases: list[str] = field(default_factory=list)  # a trailing * when the last word is a prefix
    section: str | None = None
    source: str | None = None
    unread: bool = False
    starred: bool = False

    @classmethod
    def parse(cls, text: str, *, section: str | None = None, partial: bool = False) -> SearchQuery:
        """The query in ``text``; with ``partial`` (text still being typed), a last word that
        nothing follows yet, not even a closing quote, matches as a prefix."""
        text = text or ""
        query = cls(section=section_name(section) if section else None)
        open_end = None  # "term" or "phrase" when the text ends inside a word of one
        for match in _TOKEN.finditer(text):
            open_end = None
            key, quoted_value, key2, value, phrase, word = match.groups()
            key = (key or key2 or "").lower()
            value = quoted_value if quoted_value is not None else value
            if key == "section":
                query.section = section_name(value)
            elif key == "source":
                query.source = value.strip() or None
            elif key == "is":
                flag = (value or "").lower()
                if flag == "unread":
                    query.unread = True
                elif flag in ("starred", "saved"):
                    query.starred = True
                else:
                    raise QueryError(f"unknown filter is:{value} (use is:unread or is:starred)")
            elif phrase is not None:
                words = _WORD.findall(phrase)
                if words:
                    query.phrases.append(" ".join(words))
                    open_end = "phrase"
            else:
                token = match.group(0) if key else word
                prefix = token.endswith("*")
                words = _WORD.findall(token)
                for number, found in enumerate(words):
                    last = number == len(words) - 1
                    query.terms.append(found + ("*" if prefix and last and _prefixable(found) else ""))
                if words:
                    open_end = "term"
        if partial and open_end and _WORD.fullmatch(text[-1]):
            if open_end == "term" and not query.terms[-1].endswith("*") and _prefixable(query.terms[-1]):
                query.terms[-1] += "*"
            elif open_end == "phrase" and _prefixable(query.phrases[-1]):
                query.phrases[-1] += "*"
        return query

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def filters_only(self) -> bool:
        """No words, and at least one filter: the query lists the items that pass the filters."""
        return self.empty and bool(self.section or self.source or self.unread or self.starred)

    def highlight_words(self) -> list[str]:
        words = [term.rstrip("*") for term in self.terms]
        for phrase in self.phrases:
            words.extend(phrase.rstrip("*").split())
        return words

    def fts_expression(self) -> str:
        """The FTS5 MATCH expression; every user word is quoted, so no input is a syntax error."""
        parts = []
        for term in self.terms:
            if term.endswith("*"):
                parts.append('"' + term[:-1].replace('"', '""') + '"*')
            else:
                parts.append('"' + term.replace('"', '""') + '"')
        for phrase in self.phrases:
            star = "*" if phrase.endswith("*") else ""
            parts.append('"' + phrase.rstrip("*").replace('"', '""') + '"' + star)
        if not parts:
            return ""
        expression = " ".join(parts)
        if self.section:
            column = _COLUMN_NAMES.get(self.section, self.section)
            expression = f"{{{column}}} : ({expression})"
        return expression
