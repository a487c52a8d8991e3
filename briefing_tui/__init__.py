"""briefing-tui: a terminal reader for curated tech briefings."""

from briefing_tui.model import Briefing, Link, Reference, Section, ShortlistItem, Story
from briefing_tui.parser import ParseError, parse_document

__version__ = "0.1.0"

__all__ = [
    "Briefing",
    "Link",
    "ParseError",
    "Reference",
    "Section",
    "ShortlistItem",
    "Story",
    "parse_document",
    "__version__",
]
