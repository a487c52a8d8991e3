"""The optional TOML config file, read once at start.

    [fetch]
    jobs = 8                 # feeds fetched at once
    max_bytes = 10485760     # largest response body accepted (after decompression)
    timeout = 20             # seconds to connect / between bytes
    total_timeout = 60       # seconds for one feed at most

    [reader]
    mark_read_on_open = true
    theme = "nord"             # any Textual theme; unset: the last one chosen (ctrl+p > theme)
    refresh_on_start = false   # fetch every feed when the reader starts
    refresh_minutes = 0        # fetch again every N minutes while it runs (0: never)

    [keys]
    next_unread = "n,ctrl+n"   # binding id = comma-separated keys

A bad file gives one line naming the file and the key, and the defaults are used.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class FetchConfig:
    jobs: int = 8
    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 20.0
    total_timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class Config:
    fetch: FetchConfig = field(default_factory=FetchConfig)
    mark_read_on_open: bool = True
    keys: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    refresh_on_start: bool = False
    refresh_minutes: int = 0


def _number(table: dict, key: str, default, where: str, kind=int, minimum=1, maximum=None):
    value = table.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)  # TOML allows inf and nan
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
        raise ConfigError(f"{where}.{key} must be a number {bounds}")
    return kind(value)


def _flatten(table: dict, prefix: str = "") -> dict:
    """``section.headlines = "h"`` written bare is a nested table in TOML: flatten it back to ids."""
    flat = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def load_config(path: Path) -> Config:
    """Read ``path``; a missing file means defaults. Raises ConfigError with a one-line message."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from error
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error
    try:
        fetch = data.get("fetch", {})
        reader = data.get("reader", {})
        keys = data.get("keys", {})
        if not isinstance(fetch, dict) or not isinstance(reader, dict) or not isinstance(keys, dict):
            raise ConfigError("[fetch], [reader] and [keys] must be tables")
        keys = _flatten(keys)
        fetch_config = FetchConfig(
            jobs=_number(fetch, "jobs", 8, "fetch", maximum=256),
            max_bytes=_number(fetch, "max_bytes", 10 * 1024 * 1024, "fetch", minimum=1024, maximum=2**31),
            timeout=_number(fetch, "timeout", 20.0, "fetch", kind=float, minimum=0.1, maximum=86400),
            total_timeout=_number(fetch, "total_timeout", 60.0, "fetch", kind=float, minimum=0.1, maximum=86400),
        )
        mark = reader.get("mark_read_on_open", True)
        if not isinstance(mark, bool):
            raise ConfigError("reader.mark_read_on_open must be true or false")
        on_start = reader.get("refresh_on_start", False)
        if not isinstance(on_start, bool):
            raise ConfigError("reader.refresh_on_start must be true or false")
        minutes = _number(reader, "refresh_minutes", 0, "reader", minimum=0, maximum=10080)
        theme = reader.get("theme")
        if theme is not None and (not isinstance(theme, str) or not theme.strip()):
            raise ConfigError("reader.theme must be the name of a theme, such as \"nord\"")
        for key, value in keys.items():
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"keys.{key} must be a string of keys such as \"n,ctrl+n\"")
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from error
    return Config(
        fetch=fetch_config,
        mark_read_on_open=mark,
        keys={k: v.strip() for k, v in keys.items()},
        theme=theme.strip() if theme else None,
        refresh_on_start=on_start,
        refresh_minutes=minutes,
    )
