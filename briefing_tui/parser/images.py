"""Pictures of an issue, kept as "[image: description]" lines with the picture's link.

E-mail builders fill an issue with images that say nothing: logos, spacers, tracking pixels,
icons beside counts, author photos. A picture worth a line in a terminal is one its author
described: an alt text of a few words (not a file name like "alpha_signal_image_1", not
"Logo"), not drawn smaller than an icon, shown (not in hidden markup), and not the masthead
above the first text. Each such picture is remembered with the text of the block that follows
it (its *anchor*): the readers see pictures before they know where the structure engine puts
that text.

After the structure is built, :func:`place_pictures` puts each picture in the part that holds
its anchor: a story's body (before the anchor's paragraph, or first when the anchor is the
title or lead), a named section or the intro, with its link added to that part's links.
Pictures whose anchor is in no part (page chrome, a sponsor's banner in the shortlist) are
left out, as are the chrome they stood in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from briefing_tui.model import PICTURE_PREFIX, Briefing, Link, Section, Story, is_picture_line
from briefing_tui.text import clean_text, truncate

#: A picture drawn narrower or lower than this (in pixels, as the markup says) is an icon.
MIN_SIDE = 100
#: At most this many pictures are kept from one issue.
MAX_PICTURES = 60
#: Words of an alt text that describe the page, not a picture in it.
_CHROME_WORDS = frozenset(
    "logo logotype icon spacer banner masthead pixel divider avatar headshot button badge emoji".split()
)
#: "alpha_signal_image_1", "IMG_2041.jpg", "hero-2x": a name, not a description.
_FILE_NAME = re.compile(r"^[\w.-]*(?:[_\d]|\.(?:png|jpe?g|gif|webp|svg|avif))[\w.-]*$", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(\d+)(?:px)?\s*$")


@dataclass(frozen=True, slots=True)
class Picture:
    alt: str
    url: str
    #: Text of the block that came right after the picture.
    anchor: str

    @property
    def line(self) -> str:
        return f"{PICTURE_PREFIX}{self.alt}]"

    @property
    def link(self) -> Link:
        return Link(text=f"image: {self.alt}", url=self.url)


def _side(value: str | None) -> int | None:
    match = _NUMBER.match(value) if value else None
    return int(match.group(1)) if match else None


def description(alt: str | None) -> str | None:
    """The alt text when it describes a picture, cleaned; None for names, labels and blanks."""
    text = clean_text(alt, decode_entities=True) if alt else ""
    words = text.split()
    if len(words) < 2 or len(text) < 6 or not any(char.isalpha() for char in text):
        return None
    if len(words) == 1 and _FILE_NAME.match(text):
        return None
    lowered = {word.strip(".,:;!?()").lower() for word in words}
    if lowered & _CHROME_WORDS:
        return None
    return truncate(text, 300)


class PictureTrail:
    """Collects the pictures a reader meets, each with the text of the block after it."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str]] = []
        self.pictures: list[Picture] = []
        self._seen: set[str] = set()

    def see(self, alt: str | None, url: str | None, width: str | None = None, height: str | None = None) -> None:
        if not url or len(self.pictures) + len(self.pending) >= MAX_PICTURES:
            return
        for side in (_side(width), _side(height)):
            if side is not None and side < MIN_SIDE:
                return
        text = description(alt)
        if text is None:
            return
        # Layouts repeat a picture for phone and desktop widths: one is enough.
        key = text.lower()
        if key in self._seen or url in self._seen:
            return
        self._seen.update((key, url))
        self.pending.append((text, url))

    def block_added(self, text: str) -> None:
        if self.pending:
            self.pictures.extend(Picture(alt, url, text) for alt, url in self.pending)
            self.pending.clear()


# -- placing ---------------------------------------------------------------------------------------


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).lower()


def _holds(field: str | None, anchor: str) -> bool:
    """Does a part's text ``field`` hold the block whose text is ``anchor``?"""
    text = _key(field)
    if not text or not anchor:
        return False
    head = anchor[:60]
    # The part's text may hold the block whole, or only its start (a title cut from its blurb).
    return head in text or (len(text) >= 12 and anchor.startswith(text[:60]))


def _body_with(body: tuple[str, ...], at: int, pictures: list[Picture]) -> tuple[str, ...]:
    return body[:at] + tuple(picture.line for picture in pictures) + body[at:]


def _where(fields: list[str | None], body: tuple[str, ...], anchor: str) -> int | None:
    """Where in ``body`` a picture anchored at ``anchor`` goes: before the paragraph holding
    the anchor, or first (after pictures placed there already) when one of the other
    ``fields`` (title, lead) holds it."""
    if any(_holds(field, anchor) for field in fields):
        return next((index for index, line in enumerate(body) if not is_picture_line(line)), len(body))
    return next(
        (index for index, line in enumerate(body) if not is_picture_line(line) and _holds(line, anchor)), None
    )


def place_pictures(briefing: Briefing, pictures: list[Picture]) -> Briefing:
    """The briefing with each picture placed in the part holding its anchor (see module doc)."""
    if not pictures:
        return briefing
    stories: list[Story] = list(briefing.stories)
    sections: list[Section] = list(briefing.sections)
    intro = briefing.intro
    intro_links = list(briefing.intro_links)
    for picture in pictures:
        anchor = _key(picture.anchor)
        for index, story in enumerate(stories):
            if story.sponsored:
                continue
            at = _where([story.title, story.kicker, story.lead, *story.unpacked, story.bottom_line], story.body, anchor)
            if at is not None:
                stories[index] = replace(
                    story, body=_body_with(story.body, at, [picture]), links=(*story.links, picture.link)
                )
                break
        else:
            for index, section in enumerate(sections):
                at = _where([section.title], section.body, anchor)
                if at is not None:
                    sections[index] = replace(
                        section, body=_body_with(section.body, at, [picture]), links=(*section.links, picture.link)
                    )
                    break
            else:
                at = _where([], intro, anchor)
                if at is not None:
                    intro = _body_with(intro, at, [picture])
                    intro_links.append(picture.link)
    return replace(
        briefing, stories=tuple(stories), sections=tuple(sections), intro=intro, intro_links=tuple(intro_links)
    )


__all__ = ["Picture", "PictureTrail", "description", "is_picture_line", "place_pictures"]
