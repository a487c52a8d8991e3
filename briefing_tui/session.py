"""Where the reader was: the open issue and section, the list's filters and order, the theme.

Kept in ``session.json`` in the user data directory, beside the read state, so the reader
opens where it was left. The file is small and rewritten whole (to a temporary file, then
renamed), so a crash while writing leaves the previous one; a missing or unreadable file
means a fresh start, never an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Session:
    issue_id: str | None = None
    section: str = "headlines"
    source_filter: str | None = None
    unread_only: bool = False
    order: str = "newest"
    theme: str | None = None


def load_session(path: Path) -> Session:
    """The session saved at ``path``; the defaults for a missing or damaged file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Session()
    if not isinstance(data, dict):
        return Session()
    kept = {}
    for spec in fields(Session):
        value = data.get(spec.name)
        default = getattr(Session(), spec.name)
        if spec.name == "unread_only":
            kept[spec.name] = value if isinstance(value, bool) else default
        elif isinstance(value, str) and 0 < len(value) <= 500:
            kept[spec.name] = value
    return Session(**kept)


def save_session(path: Path, session: Session) -> None:
    """Write ``session`` to ``path`` atomically; raises OSError when it cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(session), indent=1), encoding="utf-8")
    os.replace(temporary, path)
