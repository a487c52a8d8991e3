"""Snippets cut in Python for search hits: the same words the index matched, marked \\x02 ... \\x03."""

from __future__ import annotations

from briefing_tui.store.query import SearchQuery
from briefing_tui.store.snippets import Highlighter


def snippet(query: str, text: str) -> tuple[int, str]:
    """(matched tokens in the snippet, snippet)."""
    (_covered, count), text = Highlighter(SearchQuery.parse(query)).snippet(text)
    return count, text


def test_words_are_marked_case_and_accent_insensitively():
    count, text = snippet("cafe nvidia", "Le Café served NVIDIA chips.")
    assert count == 2
    assert text == "Le \x02Café\x03 served \x02NVIDIA\x03 chips."


def test_prefix_and_phrase():
    assert snippet("comp*", "Compute and company, not income.") == (
        2,
        "\x02Compute\x03 and \x02company\x03, not income.",
    )
    count, text = snippet('"memory bandwidth"', "memory is cheap; memory bandwidth is not bandwidth memory")
    assert count == 2
    assert text.count("\x02") == 1 and "\x02memory bandwidth\x03" in text


def test_the_word_being_typed_is_marked_as_a_prefix_in_words_and_phrases():
    def typed(query: str, text: str) -> str:
        return Highlighter(SearchQuery.parse(query, partial=True)).snippet(text)[1]

    assert typed("tid", "Tidal power, tides and a tide.") == "\x02Tidal\x03 power, \x02tides\x03 and a \x02tide\x03."
    assert typed("tid ", "Tidal power and a tid.") == "Tidal power and a \x02tid\x03."
    text = "memory bandwidth, memory banks and memory"
    assert typed('"memory ban', text) == "\x02memory bandwidth\x03, \x02memory banks\x03 and memory"
    assert typed('"memory ban"', text) == text


def test_long_text_is_cut_around_the_matches_with_ellipses():
    words = [f"w{number}" for number in range(60)]
    words[30] = "zephyrine"
    count, text = snippet("zephyrine", " ".join(words))
    assert count == 1
    assert text.startswith("…") and text.endswith("…")
    assert "\x02zephyrine\x03" in text
    assert len(text.replace("…", "").split()) == 14


def test_no_match_and_empty_text():
    assert snippet("absent", "") == (0, "")
    count, text = snippet("absent", "some words here")
    assert count == 0 and "\x02" not in text


def test_score_counts_distinct_query_parts_first():
    highlighter = Highlighter(SearchQuery.parse("nvidia chips"))
    assert highlighter.snippet("nvidia nvidia nvidia")[0] == (1, 3)
    assert highlighter.snippet("nvidia chips")[0] == (2, 2)


def test_underscores_split_words_like_the_index():
    count, text = snippet("foo", "a foo_bar b")
    assert count == 1 and "\x02foo\x03_bar" in text
