"""The search query language, shared by the reader's search box and ``briefing-tui search``.

    openai chips            both words (any order)
    "custom silicon"        a phrase
    cerebr*                 a prefix
    section:bottomline      only Bottom lines (also unpacked, headlines, shortlist, references, lead, body)
    source:"bit baker"      only issues whose source contains this
    is:unread / is:starred  only unread / starred items
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


class QueryError(ValueError):
    pass


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
    phrases: list[str] = field(default_factory=list)
    section: str | None = None
    source: str | None = None
    unread: bool = False
    starred: bool = False

    @classmethod
    def parse(cls, text: str, *, section: str | None = None) -> SearchQuery:
        query = cls(section=section_name(section) if section else None)
        for match in _TOKEN.finditer(text or ""):
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
            else:
                token = match.group(0) if key else word
                prefix = token.endswith("*")
                words = _WORD.findall(token)
                for number, found in enumerate(words):
                    last = number == len(words) - 1
                    query.terms.append(found + ("*" if prefix and last else ""))
        return query

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    def highlight_words(self) -> list[str]:
        words = [term.rstrip("*") for term in self.terms]
        for phrase in self.phrases:
            words.extend(phrase.split())
        return words

    def fts_expression(self) -> str:
        """The FTS5 MATCH expression; every user word is quoted, so no input is a syntax error."""
        parts = []
        for term in self.terms:
            if term.endswith("*"):
                parts.append('"' + term[:-1].replace('"', '""') + '"*')
            else:
                parts.append('"' + term.replace('"', '""') + '"')
        parts.extend('"' + phrase.replace('"', '""') + '"' for phrase in self.phrases)
        if not parts:
            return ""
        expression = " ".join(parts)
        if self.section:
            column = _COLUMN_NAMES.get(self.section, self.section)
            expression = f"{{{column}}} : ({expression})"
        return expression
