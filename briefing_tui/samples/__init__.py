"""Sample briefings shipped with the package, imported by the reader on first run."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def sample_paths() -> list[Path]:
    """The bundled sample issues (.txt and .md files next to this module)."""
    return sorted(path for path in _HERE.iterdir() if path.suffix in (".txt", ".md"))
