"""Where briefing-tui keeps its files.

Cache (rebuildable), user data (subscriptions and read marks: never lost) and config each
live in their platform directory. Command-line options win over the environment
(BRIEFING_TUI_DATA_DIR, BRIEFING_TUI_CACHE_DIR, BRIEFING_TUI_CONFIG_DIR), which wins over
platformdirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


APP_NAME = "briefing-tui"
CACHE_FILE = "cache.sqlite3"
STATE_FILE = "state.sqlite3"
CONFIG_FILE = "config.toml"
SESSION_FILE = "session.json"


@dataclass(frozen=True, slots=True)
class Locations:
    data_dir: Path
    cache_dir: Path
    config_dir: Path

    @property
    def cache_db(self) -> Path:
        return self.cache_dir / CACHE_FILE

    @property
    def state_db(self) -> Path:
        return self.data_dir / STATE_FILE

    @property
    def session_file(self) -> Path:
        return self.data_dir / SESSION_FILE

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE

    @classmethod
    def resolve(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        config_dir: str | os.PathLike[str] | None = None,
    ) -> Locations:
        def pick(explicit, env: str, default: str) -> Path:
            value = explicit or os.environ.get(env)
            if not value:
                import platformdirs  # only when no override names the place

                value = getattr(platformdirs, default)(APP_NAME)
            return Path(value).expanduser()

        return cls(
            data_dir=pick(data_dir, "BRIEFING_TUI_DATA_DIR", "user_data_dir"),
            cache_dir=pick(cache_dir, "BRIEFING_TUI_CACHE_DIR", "user_cache_dir"),
            config_dir=pick(config_dir, "BRIEFING_TUI_CONFIG_DIR", "user_config_dir"),
        )
