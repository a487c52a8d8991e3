"""Rich renderings of briefing parts for the reader.

Everything from a feed becomes ``rich.text.Text`` here, never a markup string, so a title
such as ``[bold]`` or ``[@click=app.quit]`` shows literally. Very long text is cut for display
(the stored text is kept whole). Feed text enters display through :func:`shown`, which also
makes every character's width one that Rich and every terminal agree on (:func:`display_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from briefing_tui.library import IssueView, SearchHit
from briefing_tui.model import Briefing, Link, Story, is_picture_line

if TYPE_CHECKING:
    from briefing_tui.library import DigestRow, ThreadMember


#: Longest piece of text shown in one row or paragraph.
PARAGRAPH_LIMIT = 4000
#: Longest title shown.
TITLE_LIMIT = 300
#: Paragraphs shown in one story body before the rest is summarised.
BODY_LIMIT = 200
#: Link rows shown for the intro or a named section (the link picker still offers every link).
LINK_LIMIT = 200

SECTION_LABELS = {
    "headlines": "Headlines",
    "unpacked": "Unpacked",
    "bottom_line": "Bottom line",
    "shortlist": "Shortlist",
    "references": "References",
    "lead": "Lead",
    "body": "Body",
    "intro": "Intro",
}
#: The fixed sections, in sidebar order (keys 1-5).
FIXED_SECTIONS = ("headlines", "unpacked", "bottom_line", "shortlist", "references")


# Code points whose width depends on the terminal: ZWJ (a joined family is 2 cells where the terminal
# clusters graphemes, 8 where it measures code points, as xterm, VTE and tmux 3.3 do), VS15/VS16
# ("❤️" is 2 cells to Rich, 1 to wcwidth) and the skin-tone modifiers, dropped rather than kept
# because they are 0 cells to Rich but a 2-cell emoji of their own to wcwidth (measured: "👍🏽" 2 vs 4).
_UNSTABLE_WIDTH = re.compile("[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def display_text(text: str) -> str:
    """``text`` with the code points of unstable width removed, so it takes as many cells in any
    terminal as Rich measures: a ZWJ sequence shows as its separate emoji, "❤️" as "❤", "👍🏽" as "👍"."""
    return text if text.isascii() else _UNSTABLE_WIDTH.sub("", text)


def shown(text: str | None, limit: int) -> str:
    """Feed text as a row shows it: cut to ``limit`` characters (at a word's end when one is
    near), then made width-stable."""
    text = text or ""
    if len(text) > limit:
        cut = text[: max(0, limit - 1)]
        space = cut.rfind(" ")
        if space >= limit * 2 // 3:
            cut = cut[:space]
        text = cut.rstrip(" ,;:-—–") + "…"
    return display_text(text)


@dataclass(frozen=True, slots=True)
class SectionEntry:
    key: str  # "headlines", ..., or "section:N" for a named section
    label: str
    count: int
    unread: int = 0


def section_entries(briefing: Briefing, read: frozenset[str]) -> list[SectionEntry]:
    stories = briefing.editorial_stories
    entries = [
        SectionEntry("headlines", "Headlines", len(stories), sum(1 for s in stories if s.id not in read)),
        SectionEntry("unpacked", "Unpacked", sum(len(s.unpacked) for s in briefing.stories)),
        SectionEntry("bottom_line", "Bottom line", sum(1 for s in briefing.stories if s.bottom_line)),
        SectionEntry(
            "shortlist", "Shortlist", len(briefing.shortlist), sum(1 for i in briefing.shortlist if i.id not in read)
        ),
        SectionEntry("references", "References", len(briefing.references)),
    ]
    if briefing.intro or briefing.intro_links:
        entries.append(SectionEntry("intro", "Intro", len(briefing.intro)))
    for number, section in enumerate(briefing.sections):
        entries.append(SectionEntry(f"section:{number}", shown(section.title, 60), len(section.body)))
    return entries


class _SectionRow:
    """A sidebar row on one line: the key, the section's name (cut to fit the width it is
    given) and its count, which is never cut."""

    def __init__(self, prefix: str, label: str, counter: str, dim: bool) -> None:
        self.prefix, self.label, self.counter, self.dim = prefix, label, counter, dim

    def __rich_console__(self, console, options):
        room = options.max_width - cell_len(self.prefix) - cell_len(self.counter)
        label = self.label
        if cell_len(label) > room:
            label = set_cell_size(label, max(0, room - 1)).rstrip() + "…"
        yield Text.assemble(
            (self.prefix, "dim"), (label, "dim" if self.dim else ""), (self.counter, "dim"), no_wrap=True
        )


def section_label(entry: SectionEntry, number: int | None) -> RenderableType:
    counter = f"{entry.unread}/{entry.count}" if entry.unread else str(entry.count)
    return _SectionRow(f"{number} " if number is not None else "  ", entry.label, f" {counter}", entry.count == 0)


def _marker(read: bool, starred: bool, sponsored: bool = False) -> Text:
    text = Text("●" if not read and not sponsored else " ", style="bold")
    text.append("★" if starred else " ", style="bold")
    return text


def _heading(text: str) -> Text:
    """A heading inside a story or a list: underlined under its words only (a base style would
    underline the padding up to the pane's edge too)."""
    return Text.assemble((text, "bold underline"))


def _row(marker: Text, body: RenderableType, width: int = 3) -> Table:
    """A row whose wrapped lines stay indented under the text, not under the marker."""
    grid = Table.grid(expand=True)
    grid.add_column(width=width, no_wrap=True)
    # "fold", not the default ellipsis: a wrapped line with a wide character (an emoji) that
    # fills the column exactly is taken for an overflowing one and loses its last word to "…".
    grid.add_column(ratio=1, overflow="fold")
    grid.add_row(marker, body)
    return grid


def _title(story: Story, read: bool) -> Text:
    text = Text()
    if story.kicker:
        text.append(shown(story.kicker, 60).upper() + "  ", style="dim bold" if read else "bold")
    text.append(shown(story.title, TITLE_LIMIT), style="dim" if read else "bold")
    if story.sponsored:
        text.append("  sponsored", style="dim italic")
    return text


def intro_row(briefing: Briefing) -> Text | None:
    """The dek (or the first intro paragraph), shown above the headlines."""
    first = briefing.subtitle or (briefing.intro[0] if briefing.intro else None)
    if not first:
        return None
    return Text(shown(first, 280), style="italic")


def coverage_label(sources: int, issues: int, *, long: bool = False) -> str:
    """"+3 sources" (or "Also covered by 3 other sources"); "+1 more" when only the story's own
    source came back to it."""
    if sources:
        plural = "s" if sources != 1 else ""
        return f"Also covered by {sources} other source{plural}" if long else f"+{sources} source{plural}"
    plural = "s" if issues != 1 else ""
    return f"Also in {issues} other issue{plural}" if long else f"+{issues} more"


def headline_row(story: Story, read: bool, starred: bool, coverage: tuple[int, int] = (0, 0)) -> Table:
    """A story's title and lead; ``coverage``: other sources and issues in its thread."""
    text = _title(story, read)
    if coverage[1]:
        text.append("  " + coverage_label(*coverage), style="italic")
    if story.lead:
        text.append("\n" + shown(story.lead, 160), style="dim")
    return _row(_marker(read, starred, story.sponsored), text)


def unpacked_row(story: Story, read: bool, starred: bool) -> Table:
    style = "dim" if read else ""
    bullets = [_row(Text("•", style=style), Text(shown(b, PARAGRAPH_LIMIT), style=style), 2) for b in story.unpacked]
    return _row(_marker(read, starred, story.sponsored), Group(_title(story, read), *bullets))


def bottom_line_row(story: Story, read: bool, starred: bool) -> Table:
    text = _title(story, read)
    text.append("\n" + shown(story.bottom_line or "", PARAGRAPH_LIMIT), style="dim" if read else "")
    return _row(_marker(read, starred, story.sponsored), text)


def shortlist_row(text_value: str, url: str | None, read: bool, starred: bool) -> Table:
    text = Text(shown(text_value, PARAGRAPH_LIMIT), style="dim" if read else "")
    if url and url not in text_value:
        text.append("\n" + shown(url, 200), style="dim underline")
    return _row(_marker(read, starred), text)


def reference_row(publisher: str | None, title: str, url: str | None) -> Table:
    text = Text()
    if publisher:
        text.append(shown(publisher, 80), style="bold")
        text.append(" — ")
    text.append(shown(title, TITLE_LIMIT))
    if url:
        text.append("\n" + shown(url, 200), style="dim underline")
    return _row(Text(""), text)


def link_text(link: Link, limit: int = 120) -> Text:
    """A link as a list shows it: its text, then its address, each on one line cut to the
    width; an address that is its own text shows once."""
    label = " ".join(link.text.split())
    cut = label.rstrip("…")  # a long address as its own text was cut when the issue was read
    if not label or link.url in label or (cut.startswith(("http://", "https://")) and link.url.startswith(cut)):
        return Text(shown(link.url, 300), style="dim underline", no_wrap=True, overflow="ellipsis")
    text = Text(shown(label, limit), no_wrap=True, overflow="ellipsis")
    text.append("\n" + shown(link.url, 300), style="dim underline")
    return text


def issue_links(briefing: Briefing) -> list[Link]:
    """Every link of the whole-issue view, in the order it numbers them: the stories' links,
    then the shortlist's and the references', then the issue's web page."""
    links = [link for story in briefing.stories for link in story.links[:50]]
    links += [Link(item.text, item.url) for item in briefing.shortlist if item.url]
    links += [Link(ref.title, ref.url) for ref in briefing.references if ref.url]
    if briefing.url:
        links.append(Link("This issue on the web", briefing.url))
    return links


def story_document(story: Story, view: IssueView, *, meta: bool = True, first_link: int = 1) -> RenderableType:
    """The whole story, for the story view (``meta``: with the issue's source and date;
    ``first_link``: the number of its first link, in the whole-issue view)."""
    parts: list[RenderableType] = []
    if story.kicker:
        parts.append(Text(shown(story.kicker, 60).upper(), style="bold dim"))
    title = Text(shown(story.title, TITLE_LIMIT * 3), style="bold")
    if story.sponsored:
        title.append("  sponsored", style="dim italic")
    if story.id in view.starred:
        title.append("  ★", style="bold")
    parts.append(title)
    briefing = view.briefing
    line = " · ".join(p for p in (briefing.source, briefing.date) if p)
    if meta and line:
        parts.append(Text(shown(line, 200), style="dim"))
    parts.append(Text(""))
    if story.lead:
        parts.append(Text(shown(story.lead, PARAGRAPH_LIMIT * 4)))
        parts.append(Text(""))
    if story.unpacked:
        parts.append(_heading("Unpacked"))
        for bullet in story.unpacked[:BODY_LIMIT]:
            parts.append(_row(Text(" •"), Text(shown(bullet, PARAGRAPH_LIMIT))))
        parts.append(Text(""))
    if story.bottom_line:
        parts.append(_heading("Bottom line"))
        parts.append(Text(shown(story.bottom_line, PARAGRAPH_LIMIT)))
        parts.append(Text(""))
    for paragraph in story.body[:BODY_LIMIT]:
        parts.append(paragraph_row(paragraph) if paragraph.startswith("- ") else paragraph_text(paragraph))
        parts.append(Text(""))
    if len(story.body) > BODY_LIMIT:
        parts.append(Text(f"… {len(story.body) - BODY_LIMIT} more paragraphs (export to read them all)", style="dim"))
    if story.links:
        parts.append(_heading("Links (o opens)"))
        for number, link in enumerate(story.links[:50], first_link):
            parts.append(_row(Text(f"{number:>2}."), link_text(link), 4))
    return Group(*parts)


def issue_document(view: IssueView) -> RenderableType:
    """The whole issue in reading order, for one scroll: title, intro, every story whole, named
    sections, the shortlist and the references."""
    briefing = view.briefing
    rule = Rule(style="dim")
    parts: list[RenderableType] = [Text(shown(briefing.title, TITLE_LIMIT * 3), style="bold")]
    meta = " · ".join(p for p in (briefing.source, briefing.date) if p)
    if meta:
        parts.append(Text(shown(meta, 200), style="dim"))
    if briefing.url:
        parts.append(Text(shown(briefing.url, 300), style="dim underline", no_wrap=True, overflow="ellipsis"))
    parts.append(Text(""))
    for paragraph in briefing.intro[:BODY_LIMIT]:
        parts.extend((paragraph_row(paragraph), Text("")))
    number = 1  # the stories' links are numbered through the issue, as o's picker lists them
    for story in briefing.stories:
        parts.extend((rule, Text("")))
        marker = _marker(story.id in view.read, story.id in view.starred, story.sponsored)
        parts.append(_row(marker, story_document(story, view, meta=False, first_link=number)))
        number += len(story.links[:50])
    for section in briefing.sections:
        parts.extend((rule, Text(shown(section.title, TITLE_LIMIT), style="bold"), Text("")))
        for paragraph in section.body[:BODY_LIMIT]:
            parts.extend((paragraph_row(paragraph), Text("")))
    if briefing.shortlist:
        parts.extend((rule, Text(SECTION_LABELS["shortlist"], style="bold"), Text("")))
        group = None
        for item in briefing.shortlist:
            if item.group and item.group != group:
                parts.append(group_heading(item.group))
            group = item.group
            parts.append(shortlist_row(item.text, item.url, item.id in view.read, item.id in view.starred))
        parts.append(Text(""))
    if briefing.references:
        parts.extend((rule, Text(SECTION_LABELS["references"], style="bold"), Text("")))
        for ref in briefing.references:
            parts.append(reference_row(ref.publisher, ref.title, ref.url))
    return Group(*parts)


def member_row(member: ThreadMember, read: bool) -> Table:
    """A piece of a thread: source and date, then its title; "read" when read there."""
    meta = Text(shown(member.source or "unknown source", 60), style="bold")
    meta.append(f" · {member.day}", style="dim")
    if read:
        meta.append(" · read", style="dim italic")
    meta.append("\n" + shown(member.title, TITLE_LIMIT), style="dim" if read else "")
    return _row(Text("·"), meta, 2)


def digest_row(row: DigestRow) -> Table:
    """A thread (or a story alone) of the day: title, who covered it, each bottom line."""
    sources = list(dict.fromkeys(member.source or "unknown source" for member in row.members))
    # an article has no read mark: it is never shown as read
    read = not row.unread and any(member.item_id for member in row.members)
    title = Text(shown(row.title, TITLE_LIMIT), style="dim" if read else "bold")
    meta = Text(shown(", ".join(sources), 200), style="dim")
    if row.unread:
        meta.append(f" · {row.unread} unread", style="bold")
    if row.elsewhere:
        other = list(dict.fromkeys(f"{m.source or 'unknown source'} ({m.day[5:]})" for m in row.elsewhere))
        meta.append(shown(" · also " + ", ".join(other), 200), style="dim italic")
    parts: list[RenderableType] = [title, meta]
    for source, bottom_line in row.bottom_lines[:6]:
        line = Text(shown(source, 60) + ": ", style="italic")
        line.append(shown(bottom_line, PARAGRAPH_LIMIT))
        parts.append(_row(Text("›"), line, 2))
    return _row(_marker(read or not row.unread, False), Group(*parts))


def paragraph_row(paragraph: str) -> Table:
    if paragraph.startswith("- "):
        return _row(Text(" •"), Text(shown(paragraph[2:], PARAGRAPH_LIMIT)))
    return _row(Text(""), paragraph_text(paragraph))


def paragraph_text(paragraph: str) -> Text:
    """A paragraph of a story, the intro or a section; a picture's placeholder is dim."""
    if is_picture_line(paragraph):
        return Text(shown(paragraph, PARAGRAPH_LIMIT), style="dim italic")
    return Text(shown(paragraph, PARAGRAPH_LIMIT))


def group_heading(name: str) -> Text:
    """The heading a run of shortlist items stood under in the issue ("Quick hits")."""
    return _heading(shown(name, TITLE_LIMIT))


def links_heading() -> Text:
    """The heading over the link rows of the intro or of a named section."""
    return _heading("Links (o opens)")


def link_row(number: int, link: Link, width: int = 3) -> Table:
    """One link of the intro or of a named section: its text, then its URL as shortlist rows show theirs."""
    return _row(Text(f"{number}.".rjust(width - 1)), link_text(link, TITLE_LIMIT), width)


def search_row(hit: SearchHit) -> Table:
    """One hit: the section it matched in; what it is (a story's title, an item's text) with the
    issue's source and date; the issue it is in; the snippet with the matched words highlighted."""
    title = hit.title or hit.issue_title
    # a shortlist item or a reference is often all in its snippet: then the snippet is the title
    whole = " ".join(hit.snippet.replace("\x02", "").replace("\x03", "").split()) == title
    if whole:
        head = snippet_text(hit.snippet)
        head.stylize("bold")
    else:
        head = Text()
        head.append(shown(title, 160), style="bold")
    meta = " · ".join(part for part in (hit.source, hit.date) if part)
    if meta:
        head.append("  " + shown(meta, 80), style="dim")
    lines = [head]
    if title != hit.issue_title:
        lines.append(Text(shown(hit.issue_title, 160), style="dim italic", no_wrap=True, overflow="ellipsis"))
    if not whole:
        lines.append(snippet_text(hit.snippet))
    grid = Table.grid(expand=True)
    grid.add_column(width=12, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(SECTION_LABELS.get(hit.section, hit.section), style="italic"), Group(*lines))
    return grid


def snippet_text(snippet: str) -> Text:
    """A search snippet with the matched words highlighted (markers \\x02 ... \\x03)."""
    text = Text()
    highlighted = False
    for piece in snippet.replace("\n", " ").replace("\x03", "\x02").split("\x02"):
        if piece:
            text.append(shown(piece, 400), style="reverse bold" if highlighted else "")
        highlighted = not highlighted
    return text
