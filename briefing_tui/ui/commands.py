"""Command-palette commands (ctrl+p): every reader action by name, and source filters.

The reader's actions come from its bindings (description as the name, tooltip as the help,
the key as the user's keymap has it): one declaration per action.
"""

from __future__ import annotations

import asyncio
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.screen import Screen

from briefing_tui.ui.rendering import shown

#: Actions the palette leaves out: running them from the palette would do nothing useful.
_NOT_IN_PALETTE = {"app.quit"}


def reader_screen(app) -> Screen | None:
    """The reader's screen (the one holding the library), under any dialog on top of it."""
    return next((s for s in reversed(app.screen_stack) if hasattr(s, "library") and hasattr(s, "set_source_filter")), None)


def palette_commands(app, screen: Screen) -> list[tuple[str, str, str]]:
    """(name, help, action) for each of the screen's bindings, keys shown as the keymap has them."""
    keymap: dict[str, str] = getattr(app, "keymap_overrides", {})
    commands = []
    for binding in type(screen).BINDINGS:
        if not isinstance(binding, Binding) or binding.action in _NOT_IN_PALETTE:
            continue
        keys = keymap.get(binding.id or "", binding.key)
        shown_keys = " ".join(app.get_key_display(Binding(key.strip(), binding.action)) for key in keys.split(",") if key.strip())
        help_text = f"{binding.tooltip or binding.description} ({shown_keys})"
        commands.append((binding.description, help_text, binding.action))
    return commands


class ReaderCommands(Provider):
    """Reader actions, plus one "Filter by source" command per source in the cache."""

    async def startup(self) -> None:
        self._list: list[tuple[str, str, object]] = []
        screen = reader_screen(self.app)
        if screen is None:
            return
        for name, help_text, action in palette_commands(self.app, screen):
            self._list.append((name, help_text, partial(screen.run_action, action)))
        self._list.append(("Filter by source: all", "Show issues from every source", partial(screen.set_source_filter, None)))
        try:
            sources = await asyncio.to_thread(screen.library.sources)
        except Exception:  # noqa: BLE001 - the palette works without the source list
            sources = []
        for source, count in sources:
            self._list.append(
                (f"Filter by source: {shown(source, 80)}", f"{count} issue{'s' if count != 1 else ''}", partial(screen.set_source_filter, source))
            )

    # Names and help carry source names from feeds: they go to the palette as Content, which it
    # shows as written, never as str, which it would read as markup.
    async def discover(self) -> Hits:
        for name, help_text, callback in self._list:
            yield DiscoveryHit(Content(name), callback, text=name, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._list:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, self._highlight(matcher, name), callback, text=name, help=Content(help_text))

    @staticmethod
    def _highlight(matcher, name: str) -> Content:
        """``name`` with the matched letters styled, as literal text."""
        content = Content(name)
        _score, offsets = matcher.fuzzy_search.match(matcher.query, name)
        for offset in offsets:
            if not name[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
        return content
