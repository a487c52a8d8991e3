"""Shared fixtures. Tests never touch the real home directory."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The real Dovecot server fixtures (``dovecot``, ``dovecot_plain``) for the IMAP tests.
pytest_plugins = ["tests.mailserver"]

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def server():
    """A real HTTP feed server on 127.0.0.1 (see tests/feedserver.py), stopped afterwards."""
    from tests.feedserver import FeedServer

    feeds = FeedServer()
    yield feeds
    feeds.close()


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Point every location the program uses at a temporary directory."""
    home = tmp_path / "home"
    for name in ("data", "cache", "config"):
        (home / name).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("BRIEFING_TUI_DATA_DIR", str(home / "data" / "briefing-tui"))
    monkeypatch.setenv("BRIEFING_TUI_CACHE_DIR", str(home / "cache" / "briefing-tui"))
    monkeypatch.setenv("BRIEFING_TUI_CONFIG_DIR", str(home / "config" / "briefing-tui"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return home


def seed(name: str) -> Path:
    path = SEEDS / name
    if not path.exists():
        pytest.skip("../shared/seeds is not present")
    return path
