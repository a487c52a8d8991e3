"""Command-palette commands (ctrl+p): every reader action by name, and source filters."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from briefing_tui.ui.rendering import shown

#: (name, help, action on the reader screen)
READER_COMMANDS = (
    ("Next unread story", "Open the next unread story, across issues (n)", "step_unread(1)"),
    ("Previous unread story", "Open the previous unread story (p)", "step_unread(-1)"),
    ("Next issue", "Move to the next issue (])", "step_issue(1)"),
    ("Previous issue", "Move to the previous issue ([)", "step_issue(-1)"),
    ("Show Headlines", "One row per story (1)", "section('headlines')"),
    ("Show Unpacked", "Every story's bullets (2)", "section('unpacked')"),
    ("Show Bottom line", "The whole issue in thirty seconds (3)", "section('bottom_line')"),
    ("Show Shortlist", "The quick items (4)", "section('shortlist')"),
    ("Show References", "Publishers, titles and links (5)", "section('references')"),
    ("Search all issues", "Full-text search across the cache (/)", "search"),
    ("Today", "The day's issues thread by thread, with each source's bottom line (T)", "today"),
    ("Show thread", "Who else covered the story under the cursor (t)", "thread"),
    ("Toggle read", "Mark the item under the cursor read or unread (m)", "toggle_read"),
    ("Mark issue read", "Mark every story of this issue read (M)", "mark_issue_read"),
    ("Toggle unread only", "Show only issues with unread stories (u)", "toggle_unread_only"),
    ("Toggle star", "Star or unstar the item under the cursor (s)", "toggle_star"),
    ("Open link", "Open the link in the browser (o)", "open_link"),
    ("Refresh feeds", "Fetch every subscription in the background (r)", "refresh"),
    ("Add feed", "Subscribe to an RSS, Atom or JSON feed, or an IMAP folder (a)", "add_feed"),
    ("Export issue as Markdown", "Save the open issue to your downloads (in a browser: download it)", "export_issue"),
    ("Back", "Close the story, or go back to the issue list (Esc)", "back"),
    ("Help", "Every key the reader knows (?)", "help"),
)


class ReaderCommands(Provider):
    """Reader actions, plus one "Filter by source" command per source in the cache."""

    def _commands(self) -> list[tuple[str, str, object]]:
        from briefing_tui.ui.screens.reader import ReaderScreen

        screen = next((s for s in self.app.screen_stack if isinstance(s, ReaderScreen)), None)
        if screen is None:
            return []
        commands = [(name, help_text, partial(screen.run_action, action)) for name, help_text, action in READER_COMMANDS]
        commands.append(("Filter by source: all", "Show issues from every source", partial(screen.set_source_filter, None)))
        for source, count in screen.library.sources():
            commands.append(
                (f"Filter by source: {shown(source, 80)}", f"{count} issue{'s' if count != 1 else ''}", partial(screen.set_source_filter, source))
            )
        return commands

    # Names and help carry source names from feeds: they go to the palette as Content, which it
    # shows as written, never as str, which it would read as markup.
    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
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
