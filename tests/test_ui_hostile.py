"""Feed text is shown as text, never read as markup, on every widget of every screen.

A hostile issue puts Rich/Textual markup in its source name, its title, its section headings and
its story titles: a live ``file:`` link, an ``@click`` action that writes a file, a bare ``[/]``
that used to crash the reader. Each must reach the screen literally.
"""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import OptionList

from briefing_tui.ui.screens.reader import ReaderScreen
from briefing_tui.ui.widgets.section_list import SectionList
from tests.ui_support import import_files, new_app, screen_text, settle

SIZE = (120, 40)

CLICK = "[@click=app.screenshot('pwned.svg','/tmp')]Click here[/]"
LINK = '[link="file:///etc/passwd"]Why it matters[/link]'

HOSTILE = f"""---
title: "Daily [/] news: {CLICK}"
source: "Daily [/] news"
date: 2026-05-11
---

# Daily [/] news: {CLICK}

**In today's issue:**

- [b]Bold[/b] cables
- Compilers

## [b]Bold[/b] cables under the sea

Robot crews repaired the cable in nine days, a record for the route.

**Why it matters:** Fewer outages for the islands.

## {LINK}

The heading of this section is markup that would link a local file.

## [/]

A section whose heading is only a closing tag.

## {CLICK}

A section whose heading would run an action when clicked.
"""


def hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.md"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


def titles(screen) -> list[tuple[str, Content]]:
    """Every border title and subtitle on ``screen``, as the Content the widget draws."""
    found = []
    for widget in screen.walk_children(with_self=True):
        for name in ("_border_title", "_border_subtitle"):
            value = getattr(widget, name, None)
            if value is not None:
                found.append((f"{widget!r}.{name}", value))
    return found


def assert_no_live_markup(screen) -> None:
    for where, content in titles(screen):
        for span in content.spans:
            style = str(span.style)
            assert "@click" not in style and "link" not in style, f"{where}: {content.plain!r} carries {style}"


async def test_markup_in_feed_text_is_shown_literally_in_every_pane_title(tmp_path):
    import_files(hostile_file(tmp_path))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await pilot.press("enter")
        await settle(pilot)
        sections = screen.query_one(SectionList)
        seen = []
        for index in range(sections.option_count):
            key = sections.get_option_at_index(index).id
            screen.show_section(key)
            await settle(pilot)
            assert_no_live_markup(screen)
            seen.extend(content.plain for _, content in titles(screen))
        # The headings arrive as written, brackets and all.
        assert any(LINK in plain for plain in seen)
        assert any(plain.startswith("[/]") for plain in seen)
        assert any(CLICK in plain for plain in seen)
        # A story's pane title too.
        screen.show_section("headlines")
        await settle(pilot)
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        assert_no_live_markup(screen)
        assert "[/] news" in screen_text(app)
    assert not Path("/tmp/pwned.svg").exists()


async def test_source_names_with_markup_are_literal_in_the_command_palette(tmp_path):
    import_files(hostile_file(tmp_path))
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        for query in ("", "filter"):
            await pilot.press(*list(query))
            await pilot.pause(0.5)
            await settle(pilot)
            commands = palette.query_one(OptionList)
            prompts = [commands.get_option_at_index(i).prompt for i in range(commands.option_count)]
            plains = [p.plain if isinstance(p, Content) else str(p) for p in prompts]
            assert any("Filter by source: Daily [/] news" in plain for plain in plains), plains
            for prompt in prompts:
                if isinstance(prompt, Content):
                    assert not any("@click" in str(span.style) or "link" in str(span.style) for span in prompt.spans)
        await pilot.press("escape")


async def test_a_huge_title_and_source_are_cut_in_the_title_bar_and_the_palette(tmp_path):
    huge = "Enormous " * 60_000  # about 540 KB
    path = tmp_path / "huge.md"
    path.write_text(f'---\ntitle: "{huge}"\nsource: "{huge}"\n---\n\n# {huge}\n\nSome text.\n', encoding="utf-8")
    import_files(path)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert len(screen.title) <= 200 and len(screen.sub_title) <= 100
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*list("filter"))
        await pilot.pause(0.5)
        commands = app.screen.query_one(OptionList)
        prompts = [commands.get_option_at_index(i).prompt for i in range(commands.option_count)]
        assert prompts and all(len(p.plain if isinstance(p, Content) else str(p)) < 300 for p in prompts)
