"""Key bindings: the groups shown on the help screen, and user rebinding from the config.

Every binding has an id; ``[keys]`` in config.toml maps ids to comma-separated keys, applied
with ``App.set_keymap``. The classes are found by walking the subclasses of DOMNode, so the
help screen and the palette show whatever the screens declare; the screens that the reader
opens on demand (imported then, to keep them off the first screen's path) are imported first.
"""

from __future__ import annotations

import importlib

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode


#: The help screen's groups, in the order it shows them. A screen or pane takes part by naming
#: its group in a ``HELP_GROUP`` class attribute; its ``BINDINGS`` are the group's rows.
GROUP_ORDER = (
    "Reader",
    "Issue list",
    "Sections",
    "Section rows",
    "Story",
    "Other sources of a story",
    "Today",
    "Feeds",
    "Search",
    "Dialogs",
    "Everywhere",
)


#: The modules of every screen and pane that declares keys.
UI_MODULES = (
    "briefing_tui.ui.app",
    "briefing_tui.ui.screens.dialogs",
    "briefing_tui.ui.screens.feeds",
    "briefing_tui.ui.screens.help",
    "briefing_tui.ui.screens.reader",
    "briefing_tui.ui.screens.search",
    "briefing_tui.ui.screens.today",
)


def _keyed_classes() -> list[type[DOMNode]]:
    """Every screen and widget class of briefing-tui that declares a ``HELP_GROUP``."""
    for name in UI_MODULES:
        importlib.import_module(name)
    found, pending = [], [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "HELP_GROUP" in cls.__dict__ and cls.__module__.startswith("briefing_tui."):
            found.append(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def binding_groups() -> list[tuple[str, list[Binding]]]:
    """(group, bindings) for every group in GROUP_ORDER that has bindings."""
    groups: dict[str, list[Binding]] = {name: [] for name in GROUP_ORDER}
    for cls in _keyed_classes():
        rows = groups.setdefault(cls.__dict__["HELP_GROUP"], [])
        rows.extend(binding for binding in cls.__dict__.get("BINDINGS", []) if isinstance(binding, Binding))
    return [(name, rows) for name, rows in groups.items() if rows]


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
    always = [("ctrl+p", "Command palette: every action by name", ""), ("tab shift+tab", "Move between panes", "")]
    everywhere = next((rows for name, rows in groups if name == "Everywhere"), None)
    if everywhere is None:
        groups.append(("Everywhere", always))
    else:
        everywhere[:0] = always
    return groups


def known_binding_ids() -> set[str]:
    return {binding.id for _group, bindings in binding_groups() for binding in bindings if binding.id}


#: Groups whose keys are live together with the reader's own: the reader screen and the app
#: (always) with one of its panes (the focused one).
_SCREEN_WIDE = ("Reader", "Everywhere")
_PANES = ("Issue list", "Sections", "Section rows", "Story", "Other sources of a story")


def keymap_conflicts(overrides: dict[str, str]) -> list[str]:
    """One line for each key the user's ``[keys]`` gives to a binding that another binding
    live at the same time already answers to (the key would reach only one of them)."""
    groups = dict(binding_groups())

    def keys_of(binding: Binding) -> set[str]:
        value = overrides.get(binding.id or "", binding.key)
        return {key.strip() for key in value.split(",") if key.strip()}

    wide = [b for name in _SCREEN_WIDE for b in groups.get(name, [])]
    contexts = [wide + groups.get(pane, []) for pane in _PANES]
    contexts += [rows for name, rows in groups.items() if name not in _SCREEN_WIDE + _PANES]
    clashes: dict[tuple[str, str], list[str]] = {}
    for bindings in contexts:
        for mine in bindings:
            if mine.id not in overrides:
                continue
            for key in sorted(keys_of(mine)):
                others = clashes.setdefault((mine.id, key), [])
                for other in bindings:
                    if other.action != mine.action and key in keys_of(other) and other.id not in others:
                        others.append(other.id or other.action)
    return [
        f"key {key!r} for {binding_id} is also the key of {', '.join(others)}"
        for (binding_id, key), others in clashes.items()
        if others
    ]
