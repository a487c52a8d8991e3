"""The domain model: a parsed newsletter issue and its parts.

Plain frozen dataclasses with no UI dependency. Every piece of text in them has already been
cleaned by :mod:`briefing_tui.text` (no control characters, no escape sequences, decoded
entities), so any front end can show it as-is (as plain text, never as markup).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


#: A picture kept in a part's text: "[image: <its description>]", its link in the part's links.
PICTURE_PREFIX = "[image: "


def is_picture_line(text: str) -> bool:
    """Is this paragraph a picture's placeholder (see :mod:`briefing_tui.parser.images`)?"""
    return text.startswith(PICTURE_PREFIX) and text.endswith("]")


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "url": self.url}


@dataclass(frozen=True, slots=True)
class Story:
    """One story of an issue: title, lead, "Unpacked" bullets, "Bottom line" and the rest."""

    id: str
    title: str
    kicker: str | None = None
    lead: str | None = None
    unpacked: tuple[str, ...] = ()
    bottom_line: str | None = None
    body: tuple[str, ...] = ()
    sponsored: bool = False
    links: tuple[Link, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kicker": self.kicker,
            "lead": self.lead,
            "unpacked": list(self.unpacked),
            "bottom_line": self.bottom_line,
            "body": list(self.body),
            "sponsored": self.sponsored,
            "links": [link.to_dict() for link in self.links],
        }


@dataclass(frozen=True, slots=True)
class ShortlistItem:
    id: str
    text: str
    url: str | None = None
    #: The heading the item stood under ("Quick hits", "Around the web"), when the issue gave one.
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "url": self.url, "group": self.group}


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    publisher: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"publisher": self.publisher, "title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class Section:
    """A named part of an issue that is not a story (e.g. "Why It Matters" in an article)."""

    title: str
    body: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "body": list(self.body), "links": [link.to_dict() for link in self.links]}


@dataclass(frozen=True, slots=True)
class Briefing:
    """A whole newsletter issue with its structure kept."""

    title: str
    subtitle: str | None = None
    source: str | None = None
    date: str | None = None  # ISO date, YYYY-MM-DD
    url: str | None = None
    intro: tuple[str, ...] = ()
    #: Links of the intro (the text above the first story or section).
    intro_links: tuple[Link, ...] = ()
    headlines: tuple[str, ...] = ()
    stories: tuple[Story, ...] = ()
    shortlist: tuple[ShortlistItem, ...] = ()
    references: tuple[Reference, ...] = ()
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def editorial_stories(self) -> tuple[Story, ...]:
        """Stories that count: everything except sponsored blocks."""
        return tuple(story for story in self.stories if not story.sponsored)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Ids of every item that carries a read mark: editorial stories, then shortlist items."""
        return tuple(s.id for s in self.editorial_stories) + tuple(i.id for i in self.shortlist)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "intro": list(self.intro),
            "intro_links": [link.to_dict() for link in self.intro_links],
            "headlines": list(self.headlines),
            "stories": [story.to_dict() for story in self.stories],
            "shortlist": [item.to_dict() for item in self.shortlist],
            "references": [ref.to_dict() for ref in self.references],
            "sections": [section.to_dict() for section in self.sections],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Briefing:
        """Rebuild a Briefing from :meth:`to_dict` output (used by the cache)."""
        return cls(
            title=data["title"],
            subtitle=data.get("subtitle"),
            source=data.get("source"),
            date=data.get("date"),
            url=data.get("url"),
            intro=tuple(data.get("intro", ())),
            intro_links=tuple(Link(**link) for link in data.get("intro_links", ())),
            headlines=tuple(data.get("headlines", ())),
            stories=tuple(
                Story(
                    id=s["id"],
                    title=s["title"],
                    kicker=s.get("kicker"),
                    lead=s.get("lead"),
                    unpacked=tuple(s.get("unpacked", ())),
                    bottom_line=s.get("bottom_line"),
                    body=tuple(s.get("body", ())),
                    sponsored=bool(s.get("sponsored", False)),
                    links=tuple(Link(**link) for link in s.get("links", ())),
                )
                for s in data.get("stories", ())
            ),
            shortlist=tuple(ShortlistItem(**item) for item in data.get("shortlist", ())),
            references=tuple(Reference(**ref) for ref in data.get("references", ())),
            sections=tuple(
                Section(
                    title=sec["title"],
                    body=tuple(sec.get("body", ())),
                    links=tuple(Link(**link) for link in sec.get("links", ())),
                )
                for sec in data.get("sections", ())
            ),
        )
