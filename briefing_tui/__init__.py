"""briefing-tui: a terminal reader for curated tech briefings.

``parse_document`` turns one newsletter issue (plain text, Markdown or HTML) into a
:class:`Briefing`. Names are imported on first use, so that starting the reader stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Briefing": "briefing_tui.model",
    "Link": "briefing_tui.model",
    "Reference": "briefing_tui.model",
    "Section": "briefing_tui.model",
    "ShortlistItem": "briefing_tui.model",
    "Story": "briefing_tui.model",
    "ParseError": "briefing_tui.parser",
    "parse_document": "briefing_tui.parser",
}

if TYPE_CHECKING:
    from briefing_tui.model import Briefing, Link, Reference, Section, ShortlistItem, Story
    from briefing_tui.parser import ParseError, parse_document


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'briefing_tui' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Briefing",
    "Link",
    "ParseError",
    "Reference",
    "Section",
    "ShortlistItem",
    "Story",
    "__version__",
    "parse_document",
]
