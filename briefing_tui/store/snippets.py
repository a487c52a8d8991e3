"""Search snippets made in Python from the text of the few hits that are shown.

SQLite's ``snippet()`` re-reads the match's position lists for every row it is called on; a
prefix such as ``comp*`` expands to dozens of terms and made one snippet cost several
milliseconds (seven columns, fifty hits: seconds). The hits are ranked in SQL and their text is
fetched by rowid; the matched words are found here with the same rules as the index's tokenizer
(unicode61 with diacritics removed: letters and digits, case- and accent-insensitive).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from briefing_tui.store.query import SearchQuery

START, END, ELLIPSIS = "\x02", "\x03", "…"
#: Tokens in a snippet, as in the snippet(..., 14) call this replaces.
SNIPPET_TOKENS = 14
#: Tokens kept in view after a match when a snippet starts at a sentence.
TAIL_TOKENS = 4
#: The most text one snippet reads: a window this long around the first match. A column can
#: hold megabytes (one word repeated 80,000 times); the cost of a snippet must not grow with it.
SCAN_CHARS = 16_000
#: The most matches tried as the snippet's anchor.
ANCHORS = 64

_TOKEN = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?\n]")


def fold(word: str) -> str:
    """A token as the index stores it: lower case, without diacritics."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


@dataclass(frozen=True, slots=True)
class _Pattern:
    words: tuple[str, ...]
    prefix: bool  # the last word matches as a prefix


class Highlighter:
    """Finds a query's words and phrases in column text and cuts a snippet around them."""

    def __init__(self, query: SearchQuery):
        patterns = []
        for term in query.terms:
            words = tuple(fold(word) for word in _TOKEN.findall(term.rstrip("*")))
            if words:
                patterns.append(_Pattern(words, term.endswith("*")))
        for phrase in query.phrases:
            words = tuple(fold(word) for word in _TOKEN.findall(phrase))
            if words:
                patterns.append(_Pattern(words, phrase.endswith("*")))
        self.patterns = patterns

    def _matches(self, tokens: list[str]) -> tuple[list[int], list[bool]]:
        """For each token: the number of the pattern that matched it (or -1), and whether it
        continues a phrase begun on the token before."""
        marked = [-1] * len(tokens)
        joined = [False] * len(tokens)
        for number, pattern in enumerate(self.patterns):
            size = len(pattern.words)
            first, last = pattern.words[0], pattern.words[-1]
            for start in range(len(tokens) - size + 1):
                if size == 1:
                    token = tokens[start]
                    if token == first or (pattern.prefix and token.startswith(first)):
                        marked[start] = number
                    continue
                if tokens[start] != first:
                    continue
                if all(tokens[start + offset] == pattern.words[offset] for offset in range(1, size - 1)):
                    end = tokens[start + size - 1]
                    if end == last or (pattern.prefix and end.startswith(last)):
                        for offset in range(size):
                            marked[start + offset] = number
                            joined[start + offset] = offset > 0
        return marked, joined

    def may_match(self, text: str) -> bool:
        """False when no word of the query can be in ``text``: a look without tokenising that
        spares cutting snippets from the columns of a hit that hold none of it. (ASCII text
        only: its words fold to lower case alone, so a match is a substring of it.)"""
        if not text:
            return False
        if not text.isascii():
            return True
        lowered = text.lower()
        return any(pattern.words[0] in lowered for pattern in self.patterns)

    def snippet(self, text: str, size: int = SNIPPET_TOKENS) -> tuple[tuple[int, int], str]:
        """(score, snippet with matches wrapped in \\x02 ... \\x03).

        The score is (distinct query words and phrases in the snippet, matched tokens in it),
        as SQLite's snippet() weighs fragments: covering more of the query first. Like it, a
        fragment starts at a sentence when that keeps the match in view, else around the match.
        """
        if not text:
            return (0, 0), ""
        text, cut_before, cut_after = self._window(text)
        spans = [(match.start(), match.end()) for match in _TOKEN.finditer(text)]
        if cut_before and len(spans) > 1:
            spans = spans[1:]  # the window may start inside a word
        if cut_after and len(spans) > 1:
            spans = spans[:-1]
        if not spans:
            return (0, 0), ""
        marked, joined = self._matches([fold(text[start:end]) for start, end in spans])
        hits = [index for index, number in enumerate(marked) if number >= 0]

        def score(start: int, stop: int) -> tuple[int, int]:
            inside = [marked[index] for index in hits[bisect_left(hits, start) : bisect_left(hits, stop)]]
            return len(set(inside)), len(inside)

        if len(spans) <= size:
            first, last = 0, len(spans)
        else:
            highest = len(spans) - size
            first, best = 0, (-1, -1)
            for hit in hits[:ANCHORS] or [0]:
                # the earliest sentence start that keeps this match and a few words after it in
                # view, else the match in the middle
                start = next(
                    (
                        index
                        for index in range(max(hit - size + TAIL_TOKENS, 0), hit + 1)
                        if index == 0 or _SENTENCE_END.search(text[spans[index - 1][1] : spans[index][0]])
                    ),
                    hit - size // 2,
                )
                start = min(max(start, 0), highest)
                candidate = score(start, start + size)
                if candidate > best:
                    first, best = start, candidate
            last = first + size
        result_score = score(first, last)
        pieces = [ELLIPSIS] if first > 0 or cut_before else []
        position = spans[first][0] if first > 0 or cut_before else 0
        index = first
        while index < last:
            start, end = spans[index]
            pieces.append(text[position:start])
            if marked[index] >= 0:
                # one marker pair around the words of a phrase
                run_end = index
                while run_end + 1 < last and joined[run_end + 1]:
                    run_end += 1
                end = spans[run_end][1]
                pieces.append(START + text[start:end] + END)
                index = run_end + 1
            else:
                pieces.append(text[start:end])
                index += 1
            position = end
        if last < len(spans) or cut_after:
            pieces.append(ELLIPSIS)
        else:
            pieces.append(text[position:])
        return result_score, "".join(pieces)

    def _window(self, text: str) -> tuple[str, bool, bool]:
        """(text to read, cut before, cut after): at most SCAN_CHARS characters, starting a
        little before the first place a query word appears (found without tokenising)."""
        if len(text) <= SCAN_CHARS:
            return text, False, False
        lowered = text.lower()
        found = [lowered.find(p.words[0]) for p in self.patterns if p.words[0].isascii()]
        anchor = min((at for at in found if at >= 0), default=0)
        start = max(0, anchor - SCAN_CHARS // 4)
        end = start + SCAN_CHARS
        return text[start:end], start > 0, end < len(text)
