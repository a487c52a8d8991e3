"""Key bindings: the groups shown on the help screen, and user rebinding from the config.

Every binding has an id; ``[keys]`` in config.toml maps ids to comma-separated keys, applied
with ``App.set_keymap``.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding


def binding_groups() -> list[tuple[str, list[Binding]]]:
    from briefing_tui.ui.screens.dialogs import AddFeedScreen, ErrorScreen, LinkPickerScreen, ThreadScreen
    from briefing_tui.ui.screens.help import HelpScreen
    from briefing_tui.ui.screens.reader import ReaderScreen
    from briefing_tui.ui.screens.search import SearchScreen
    from briefing_tui.ui.screens.today import DigestList, TodayScreen
    from briefing_tui.ui.widgets.issue_list import IssueList
    from briefing_tui.ui.widgets.item_list import ItemList
    from briefing_tui.ui.widgets.section_list import SectionList
    from briefing_tui.ui.widgets.story_view import StoryView
    from briefing_tui.ui.widgets.thread_list import ThreadList

    def bindings(*owners) -> list[Binding]:
        return [b for owner in owners for b in owner.BINDINGS if isinstance(b, Binding)]

    return [
        ("Reader", bindings(ReaderScreen)),
        ("Issue list", bindings(IssueList)),
        ("Sections", bindings(SectionList)),
        ("Section rows", bindings(ItemList)),
        ("Story", bindings(StoryView)),
        ("Other sources of a story", bindings(ThreadList)),
        ("Today", bindings(TodayScreen, DigestList)),
        ("Search", bindings(SearchScreen)),
        ("Dialogs", bindings(HelpScreen, AddFeedScreen, LinkPickerScreen, ThreadScreen, ErrorScreen)),
    ]


def _display(app: App, binding: Binding, keys: str) -> str:
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if key:
            shown.append(app.get_key_display(Binding(key, binding.action)))
    return " ".join(shown)


def describe_bindings(app: App) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(group, [(keys as shown, description, id)]) with the user's keymap applied."""
    keymap: dict[str, str] = getattr(app, "keymap_overrides", {})
    groups = []
    for group, bindings in binding_groups():
        rows = []
        for binding in bindings:
            keys = keymap.get(binding.id or "", binding.key)
            rows.append((_display(app, binding, keys), binding.description or binding.action, binding.id or ""))
        groups.append((group, rows))
    groups.append(("Everywhere", [("ctrl+p", "Command palette: every action by name", ""), ("tab shift+tab", "Move between panes", "")]))
    return groups


def known_binding_ids() -> set[str]:
    return {binding.id for _group, bindings in binding_groups() for binding in bindings if binding.id}
