"""The command line: ``briefing-tui [COMMAND] ...``.

Thin by design: each command parses its arguments, calls the core and prints. Errors the user
can fix come out as one line on stderr with exit status 1 (2 for usage errors), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from briefing_tui import __version__
from briefing_tui.feeds import FeedError, looks_like_feed, parse_feed
from briefing_tui.model import Briefing
from briefing_tui.parser import ParseError, parse_document


class UsageError(Exception):
    """Bad arguments: exit status 2."""


class CommandError(Exception):
    """A command failed for a reason the user can act on: exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _print_briefing(briefing: Briefing, out) -> None:
    lines = [briefing.title]
    meta = " · ".join(part for part in (briefing.source, briefing.date) if part)
    if meta:
        lines.append(meta)
    if briefing.subtitle:
        lines.append(briefing.subtitle)
    if briefing.headlines:
        lines.append(f"Headlines ({len(briefing.headlines)})")
        lines.extend(f"  - {headline}" for headline in briefing.headlines)
    for story in briefing.stories:
        tag = " [sponsored]" if story.sponsored else ""
        kicker = f"{story.kicker} / " if story.kicker else ""
        lines.append(f"Story {story.id}{tag}: {kicker}{story.title}")
        if story.lead:
            lines.append(f"  Lead: {story.lead}")
        lines.extend(f"  Unpacked: {bullet}" for bullet in story.unpacked)
        if story.bottom_line:
            lines.append(f"  Bottom line: {story.bottom_line}")
        lines.extend(f"  {paragraph}" for paragraph in story.body)
    if briefing.shortlist:
        lines.append(f"Shortlist ({len(briefing.shortlist)})")
        lines.extend(f"  - [{item.id}] {item.text}" for item in briefing.shortlist)
    if briefing.references:
        lines.append(f"References ({len(briefing.references)})")
        for ref in briefing.references:
            publisher = f"{ref.publisher} — " if ref.publisher else ""
            url = f" <{ref.url}>" if ref.url else ""
            lines.append(f"  - {publisher}{ref.title}{url}")
    for section in briefing.sections:
        lines.append(f"Section: {section.title}")
        lines.extend(f"  {paragraph}" for paragraph in section.body)
    out.write("\n".join(lines) + "\n")


def read_document(path: Path) -> list[Briefing]:
    """Parse a newsletter file, or every entry of a feed file."""
    try:
        data = path.read_bytes()
    except IsADirectoryError as error:
        raise CommandError(f"{path}: is a directory") from error
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from error
    try:
        if looks_like_feed(data, path.name):
            feed = parse_feed(data)
            return [entry.to_briefing(feed.title) for entry in feed.entries]
        return [parse_document(data, filename=path.name)]
    except (ParseError, FeedError) as error:
        raise CommandError(f"{path}: {error}") from error


def cmd_parse(args: argparse.Namespace) -> int:
    briefings = read_document(Path(args.path))
    out = sys.stdout
    if args.json:
        if len(briefings) == 1 and not looks_like_feed(b"", Path(args.path).name):
            json.dump(briefings[0].to_dict(), out, ensure_ascii=False, indent=2)
        else:
            json.dump([b.to_dict() for b in briefings], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for number, briefing in enumerate(briefings):
            if number:
                out.write("\n")
            _print_briefing(briefing, out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="briefing-tui", description="A terminal reader for curated tech briefings.")
    parser.add_argument("--version", action="version", version=f"briefing-tui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parse = commands.add_parser("parse", help="print the structure of one newsletter or feed file")
    parse.add_argument("path", metavar="PATH", help="a .txt, .md, .html or feed file")
    parse.add_argument("--json", action="store_true", help="print JSON instead of text")
    parse.set_defaults(func=cmd_parse)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return args.func(args)
    except UsageError as error:
        print(str(error), file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"briefing-tui: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
