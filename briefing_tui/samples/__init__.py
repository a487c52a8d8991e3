"""Sample briefings shipped with the reader, imported into the library on first run.

Every story in them is invented; they show how the reader lays out a plain-text briefing and a
Markdown one.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_SUFFIXES = (".txt", ".md")


def sample_paths() -> list[Path]:
    """Paths of the sample briefings, plain text first, in a stable order."""
    root = resources.files(__name__)
    found = [Path(str(entry)) for entry in root.iterdir() if entry.name.endswith(_SUFFIXES)]
    return sorted(found, key=lambda path: (_SUFFIXES.index(path.suffix), path.name))


__all__ = ["sample_paths"]
