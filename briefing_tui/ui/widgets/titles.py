"""Border titles that carry feed text (a section heading, a source name) shown width-stable.

The screens set ``border_title`` from feed strings; a widget with :class:`DisplayTitles` passes
every title through :func:`~briefing_tui.ui.rendering.display_text` as it is set, so a ZWJ or
VS16 emoji cannot push the top border past the pane's corner.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content, Span
from textual.widget import Widget

from briefing_tui.ui.rendering import display_text


def display_content(content: Content) -> Content:
    """``content`` with its text through display_text, its styled spans kept on the same characters."""
    plain = content.plain
    text = display_text(plain)
    if text == plain:
        return content
    if not content.spans:
        return Content(text)
    kept = [0]  # kept[i]: characters of plain[:i] that survive
    for char in plain:
        kept.append(kept[-1] + (display_text(char) == char))
    spans = [Span(kept[s.start], kept[s.end], s.style) for s in content.spans if kept[s.end] > kept[s.start]]
    return Content(text, spans)


class _DisplayTitle:
    """Widget's border title descriptor, with the value made width-stable first."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._inner = Widget.__dict__[name]

    def __get__(self, obj: Widget | None, objtype: type | None = None):
        if obj is None:
            return self
        return self._inner.__get__(obj, objtype)

    def __set__(self, obj: Widget, title) -> None:
        if isinstance(title, Text):
            title = Content.from_rich_text(title)
        if isinstance(title, Content):
            title = display_content(title)
        elif isinstance(title, str):
            title = display_text(title)
        self._inner.__set__(obj, title)


class DisplayTitles:
    """Mixin (before the Widget base) for panes whose border title or subtitle shows feed text."""

    border_title = _DisplayTitle()
    border_subtitle = _DisplayTitle()
