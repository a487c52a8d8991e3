"""The command line: ``briefing-tui [COMMAND] ...``.

Thin by design: each command parses its arguments, calls the core and prints. Errors the user
can fix come out as one line on stderr with exit status 1 (2 for usage errors), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import stat
import sys
from pathlib import Path

from briefing_tui import __version__
from briefing_tui.config import ConfigError, load_config
from briefing_tui.model import Briefing
from briefing_tui.paths import Locations
from briefing_tui.store.db import StoreError
from briefing_tui.store.query import QueryError, section_name
from briefing_tui.text import strip_controls, truncate


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


def shown_path(path: str | Path) -> str:
    """A file name as it may be printed: escape sequences and control characters removed."""
    return strip_controls(str(path)).replace("\n", " ")


def read_document(path: Path) -> list[Briefing]:
    """Parse a newsletter file, or every entry of a feed file."""
    from briefing_tui.feeds import FeedError, looks_like_feed, parse_feed
    from briefing_tui.ingest import LocalFileError, is_opml, read_local_file, read_mail_file
    from briefing_tui.mail import is_maildir
    from briefing_tui.parser import ParseError, parse_document

    try:
        if path.is_dir() and is_maildir(path):
            return _read_mail(path, maildir=True)
        _kind, handle = read_mail_file(path)
        if handle is not None:
            handle.close()
            return _read_mail(path)
        data = read_local_file(path)
    except LocalFileError as error:
        raise CommandError(f"{shown_path(path)}: {error}") from error
    if is_opml(data, path):
        raise CommandError(f"{shown_path(path)}: an OPML subscription list, not an issue (use 'briefing-tui import')")
    try:
        if looks_like_feed(data, path.name):
            feed = parse_feed(data)
            return [entry.to_briefing(feed.title) for entry in feed.entries]
        return [parse_document(data, filename=path.name)]
    except (ParseError, FeedError) as error:
        raise CommandError(f"{shown_path(path)}: {error}") from error


def cmd_parse(args: argparse.Namespace) -> int:
    from briefing_tui.feeds import looks_like_feed
    from briefing_tui.mail import mail_kind

    path = Path(args.path)
    briefings = read_document(path)
    out = sys.stdout
    if args.json:
        # one issue is an object; a feed, an mbox or a Maildir is a list, however many it holds
        many = looks_like_feed(b"", path.name) or mail_kind(path) in ("mbox", "maildir")
        if len(briefings) == 1 and not many:
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


def _locations(args: argparse.Namespace) -> Locations:
    return Locations.resolve(
        getattr(args, "data_dir", None), getattr(args, "cache_dir", None), getattr(args, "config_dir", None)
    )


def open_library(args: argparse.Namespace):
    """The Library for the chosen locations; repairs made while opening are reported on stderr."""
    from briefing_tui.library import Library

    locations = _locations(args)
    try:
        config = load_config(locations.config_file)
    except ConfigError as error:
        print(f"briefing-tui: {error}; using defaults", file=sys.stderr)
        config = None
    library = Library(locations, config)
    _OPENED.append(library)
    for notice in library.notices:
        print(f"briefing-tui: {notice}", file=sys.stderr)
    return library


#: Libraries opened by the running command, closed when it ends (so the databases are
#: checkpointed and their -wal files removed instead of waiting for the garbage collector).
_OPENED: list = []


def _close_opened() -> None:
    while _OPENED:
        try:
            _OPENED.pop().close()
        except Exception:  # noqa: BLE001 - closing must not hide the command's own result
            pass


def _json_out(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _read_mail(path: Path, maildir: bool = False) -> list[Briefing]:
    """The issues of an .eml file, an mbox or a Maildir; messages that fail are reported on stderr."""
    from briefing_tui.ingest import mail_payloads
    from briefing_tui.mail import maildir_files

    briefings: list[Briefing] = []
    errors: list[str] = []
    for file in maildir_files(path) if maildir else [path]:
        for payload in mail_payloads(file):
            briefings.extend(issue.briefing for issue in payload.issues)
            label = shown_path(file)
            for reason in payload.skipped:
                print(f"briefing-tui: {label}: {shown_path(reason)}", file=sys.stderr)
            if payload.error:
                errors.append(f"{label}: {payload.error}")
    if errors and not maildir:
        raise CommandError(errors[0])
    for error in errors:
        print(f"briefing-tui: {error}", file=sys.stderr)
    if not briefings:
        raise CommandError(f"{shown_path(path)}: no message could be read")
    return briefings


def cmd_paths(args: argparse.Namespace) -> int:
    locations = _locations(args)
    print(f"data:   {locations.data_dir}")
    print(f"cache:  {locations.cache_dir}")
    print(f"config: {locations.config_file}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    library = open_library(args)
    try:
        result = library.subscribe(
            args.url,
            args.title,
            check=not args.no_check,
            password_command=args.password_command,
            ca_file=args.ca_file,
        )
    except ValueError as error:
        raise CommandError(str(error)) from error
    if not result.checked:  # as given: an IMAP folder, --no-check, or already subscribed
        url = result.url if result.page else args.url.strip()
        print(("added " if result.added else "already subscribed: ") + shown_path(url))
        if result.note:
            print(f"  ({shown_path(result.note)})")
        return 0
    about = [truncate(shown_path(result.title), 80)] if result.title else []
    about.append(f"{result.entries} issue{'' if result.entries == 1 else 's'}")
    print(f"{'added' if result.added else 'already subscribed:'} {shown_path(result.url)} ({', '.join(about)})")
    if result.note:
        print(f"  ({shown_path(result.note)})")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    library = open_library(args)
    try:
        renamed = library.rename_feed(args.feed, args.title)
    except ValueError as error:
        raise CommandError(str(error)) from error
    if renamed is None:
        raise CommandError(f"no subscription {shown_path(args.feed)!r} (see 'briefing-tui feeds')")
    if renamed.title:
        print(f"renamed {shown_path(renamed.url)} to {shown_path(renamed.title)}")
    else:
        print(f"{shown_path(renamed.url)} goes by the feed's own title again")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    library = open_library(args)
    removed = library.remove_feed(args.feed)
    if removed is None:
        raise CommandError(f"no subscription {args.feed!r} (see 'briefing-tui feeds')")
    print(f"removed {removed.url}")
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    library = indexed_library(args)
    feeds = library.feeds()
    if args.json:
        _json_out(
            [
                {
                    "number": number,
                    "url": feed.url,
                    "title": feed.title,
                    "last_success": feed.last_success,
                    "last_error": feed.last_error,
                    "last_error_at": feed.last_error_at,
                    "retry_after": feed.retry_after,
                    "redirected_to": feed.redirected_to,
                    "unread_stories": feed.unread,
                    "issues": feed.issues,
                }
                for number, feed in enumerate(feeds, 1)
            ]
        )
        return 0
    if not feeds:
        print("no subscriptions; add one with: briefing-tui add URL")
        return 0
    for number, feed in enumerate(feeds, 1):
        status = f"ok {feed.last_success}" if feed.last_success else "never fetched"
        if feed.last_error:
            status = f"ERROR {feed.last_error_at}: {feed.last_error}"
        if feed.retry_after:
            status += f" (not fetched again before {feed.retry_after})"
        counts = f"{feed.issues} issue{'s' if feed.issues != 1 else ''}, {feed.unread} unread"
        print(f"{number:>3}. {truncate(feed.title or feed.url, 120)}  [{counts}]")
        if feed.title:
            print(f"     {feed.url}")
        print(f"     {status}")
        if feed.redirected_to:
            print(f"     redirected to {truncate(shown_path(feed.redirected_to), 120)}")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    library = open_library(args)
    total = len(library.subscriptions())
    if total == 0:
        print("no subscriptions; add one with: briefing-tui add URL")
        return 0

    def line(outcome) -> str:
        name = truncate(outcome.title or outcome.url, 80)
        if outcome.status == "error":
            return f"FAIL  {name}: {outcome.error}"
        if outcome.status == "deferred":
            return f"WAIT  {name}: {outcome.error}"
        if outcome.status == "not_modified":
            return f"ok    {name}: not modified"
        return f"ok    {name}: {outcome.new} new, {outcome.updated} updated"

    if sys.stderr.isatty() and not getattr(args, "plain", False):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.text import Text

        console = Console(stderr=True)
        with Progress(
            TextColumn("refreshing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as bar:
            task = bar.add_task("refresh", total=total)

            def progress(outcome, done, _total):
                if outcome.status == "error":
                    bar.console.print(Text(line(outcome)), style="red")
                bar.update(task, completed=done)

            report = library.refresh(jobs=args.jobs, progress=progress, index=False, thread=False)
    else:

        def progress(outcome, done, _total):
            print(line(outcome), flush=True)

        report = library.refresh(jobs=args.jobs, progress=progress, index=False, thread=False)
    print(f"refreshed {report.summary()}")
    for outcome in report.outcomes:
        for reason in outcome.skipped:
            name = truncate(outcome.title or outcome.url, 80)
            print(f"briefing-tui: {name}: skipped entry {shown_path(reason)}", file=sys.stderr)
    for outcome in report.failed:
        print(f"  failed: {truncate(outcome.title or outcome.url, 80)}: {outcome.error}", file=sys.stderr)
    failed = bool(report.failed)
    if args.index:
        failed = not _index(library, plain=getattr(args, "plain", False)) or failed
    return 1 if failed else 0


def _index(library, *, plain: bool = False, quiet: bool = False) -> bool:
    """Phase two: parse and index what a refresh stored raw, then place it in threads, with a
    progress bar on a terminal. Entries kept as text are listed on stderr. False on a failure."""
    pending = library.pending_index()
    if not pending:
        return True
    if sys.stderr.isatty() and not plain and not quiet:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True)
        ) as bar:
            task = bar.add_task("index", total=pending)
            report = library.index_pending(lambda done, total: bar.update(task, completed=done, total=total))
    else:
        report = library.index_pending()
    try:
        library.update_threads()
    except StoreError:
        pass  # left for the next run
    for problem in report.unparsed:
        print(f"briefing-tui: {problem}", file=sys.stderr)
    if report.error:
        print(f"briefing-tui: indexing stopped: {report.error}; the rest is indexed on the next run", file=sys.stderr)
        return False
    return True


def indexed_library(args: argparse.Namespace):
    """The library with every stored issue parsed and indexed (an earlier ``refresh --no-index``,
    or one that was stopped, left some raw): what a command reads is then complete."""
    library = open_library(args)
    _index(library, quiet=True)
    return library


def cmd_import(args: argparse.Namespace) -> int:
    library = open_library(args)

    def progress(path: str, error: str | None) -> None:
        if error:
            print(f"briefing-tui: {shown_path(path)}: {error}", file=sys.stderr)

    report = library.import_paths(args.paths, progress)
    # a briefing-tui export restored alone says only what it restored
    if report.files or not report.exports:
        parts = [f"{report.new} new", f"{report.updated} updated", f"{report.unchanged} unchanged"]
        if report.subscriptions:
            parts.append(f"{report.subscriptions} subscriptions added")
        if report.errors:
            parts.append(f"{len(report.errors)} failed")
        print("imported: " + ", ".join(parts))
    for path, subscriptions, read, starred in report.restored:
        print(
            f"restored from {shown_path(path)}: {_count(subscriptions, 'subscription')},"
            f" {_count(read, 'read mark')}, {_count(starred, 'star')}"
        )
    for reason in report.skipped:
        print(f"briefing-tui: skipped entry {shown_path(reason)}", file=sys.stderr)
    return 1 if report.errors else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def cmd_list(args: argparse.Namespace) -> int:
    library = indexed_library(args)
    issues = library.issues(unread_only=args.unread, source=args.source, order=args.sort)
    if args.json:
        _json_out(
            [
                {
                    "id": issue.id,
                    "title": issue.title,
                    "source": issue.source,
                    "date": issue.date,
                    "stories": issue.stories,
                    "unread_stories": issue.unread,
                }
                for issue in issues
            ]
        )
        return 0
    for issue in issues:
        unread = f"{issue.unread}/{issue.stories} unread" if issue.stories else "article"
        print(f"{issue.id}  {issue.date or '----------'}  {issue.source or '-'}: {issue.title}  [{unread}]")
    return 0


def _plain_snippet(snippet: str) -> str:
    return snippet.replace("\x02", "[").replace("\x03", "]").replace("\n", " ")


def cmd_search(args: argparse.Namespace) -> int:
    library = indexed_library(args)
    try:
        hits = library.search(args.query, section=args.section, limit=args.limit)
    except QueryError as error:
        raise UsageError(f"briefing-tui search: {error}") from error
    if args.json:
        _json_out(
            [
                {
                    "rank": rank,
                    "issue_id": hit.issue_id,
                    "item_id": hit.item_id or None,
                    "section": hit.section,
                    "snippet": hit.snippet.replace("\x02", "").replace("\x03", ""),
                    "title": hit.title,
                    "issue_title": hit.issue_title,
                    "source": hit.source,
                    "date": hit.date,
                }
                for rank, hit in enumerate(hits, 1)
            ]
        )
        return 0
    if not hits:
        print("no matches")
        return 0
    for hit in hits:
        print(f"{hit.issue_id} {hit.item_id or '-':<15} {hit.section:<12} {hit.title or hit.issue_title}")
        if hit.title and hit.title != hit.issue_title:
            print(f"    in: {hit.issue_title}")
        if " ".join(hit.snippet.split()) != hit.title:  # a listed item's whole text is its title
            print(f"    {_plain_snippet(hit.snippet)}")
    return 0


def _threaded_library(args: argparse.Namespace):
    """The library with every stored issue in threads (a first run on a big cache shows progress)."""
    library = indexed_library(args)
    if sys.stderr.isatty() and library.pending_threads() > 500:
        def progress(done: int, total: int) -> None:
            print(f"\rthreading issues: {done}/{total}", end="", file=sys.stderr, flush=True)

        library.update_threads(progress)
        print(file=sys.stderr)
    return library


def cmd_threads(args: argparse.Namespace) -> int:
    library = _threaded_library(args)
    found = library.threads(since=args.since, min_sources=args.min_sources)
    if args.json:
        _json_out([thread.to_dict() for thread in found])
        return 0
    if not found:
        print("no threads")
        return 0
    for thread in found:
        days = sorted({member.day for member in thread.members})
        span = days[0] if len(days) == 1 else f"{days[0]}..{days[-1]}"
        sources = f"{thread.sources} source{'s' if thread.sources != 1 else ''}"
        print(f"thread {thread.id}  {span}  {sources}  {thread.title}")
        for member in thread.members:
            where = f"{member.issue_id} {member.item_id or '-'}"
            print(f"    {member.day}  {member.source or '-'}: {member.title}  [{where}]")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    library = _threaded_library(args)
    digest = library.digest(args.date)
    if args.format == "json":
        _json_out(digest.to_dict())
    else:
        sys.stdout.write(digest.to_markdown() + "\n")
    return 0


def _mark(args: argparse.Namespace, read: bool) -> int:
    library = indexed_library(args)
    if args.all:
        if not read:
            raise UsageError("briefing-tui mark-unread: --all is only for mark-read")
        count = library.mark_all_read()
        print(f"marked {count} items read")
        return 0
    if getattr(args, "feed", None):
        if not read:
            raise UsageError("briefing-tui mark-unread: --feed is only for mark-read")
        count = library.mark_feed_read(args.feed)
        if count is None:
            raise CommandError(f"no subscription {shown_path(args.feed)!r} (see 'briefing-tui feeds')")
        print(f"marked {count} items read")
        return 0
    if args.issue:
        if library.issue_summary(args.issue) is None:
            raise CommandError(f"no issue {args.issue!r} (see 'briefing-tui list')")
        count = library.mark_issue_read(args.issue) if read else library.mark_issue_unread(args.issue)
        print(f"marked {count} items {'read' if read else 'unread'}")
        return 0
    if not args.ids:
        raise UsageError(f"briefing-tui {args.command}: give item ids, --issue ID{', --feed URL|N' if read else ''} or --all")
    known = library.known_items(args.ids)
    unknown = [item for item in args.ids if item not in known]
    found = [item for item in args.ids if item in known]
    count = library.mark_read(found) if read else library.mark_unread(found)
    print(f"marked {count} items {'read' if read else 'unread'}")
    if unknown:
        raise CommandError(f"unknown item ids: {' '.join(unknown[:10])}{' …' if len(unknown) > 10 else ''}")
    return 0


def _kind_of(mode: int) -> str | None:
    """What a file that is not regular is, for the refusal message (None for a regular file)."""
    for test, kind in (
        (stat.S_ISREG, None),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def write_output(output: str, text: str) -> None:
    """Write ``text`` to a regular file or a new path, atomically (a temporary file in the same
    directory, then a rename over the target).

    A symlink (even to a regular file), FIFO, socket, device or directory at ``output`` is
    refused and left as it was: nothing is opened at that path, so a FIFO cannot block and a
    link is never followed (the rename replaces a name, never what it points to).
    """
    shown = shown_path(output)
    refusal = "; export writes only to a regular file or a new path (nothing written)"
    try:
        info = os.lstat(output)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise CommandError(f"{shown}: {error.strerror or error}") from error
    if info is not None:
        kind = _kind_of(info.st_mode)
        if kind:
            raise CommandError(f"{shown}: is {kind}{refusal}")
    directory, name = os.path.split(output)
    if not name or name in (".", ".."):  # "new-folder/": a directory that does not exist yet
        raise CommandError(f"{shown}: is a directory{refusal}")
    directory = directory or "."
    from secrets import token_hex

    mode = stat.S_IMODE(info.st_mode) if info is not None else None
    temporary = None
    try:
        for _attempt in range(100):
            candidate = os.path.join(directory, f".{name[:200]}.{token_hex(4)}.tmp")
            try:
                # O_EXCL: a name that appeared meanwhile (even a symlink) is never opened
                handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            except FileExistsError:
                continue
            temporary = candidate
            break
        else:
            raise CommandError(f"{shown}: cannot create a temporary file next to it")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        # checked again just before the rename: something may have appeared at the path meanwhile
        try:
            kind = _kind_of(os.lstat(output).st_mode)
        except FileNotFoundError:
            kind = None
        if kind:
            raise CommandError(f"{shown}: is {kind}{refusal}")
        os.replace(temporary, output)
        temporary = None
    except OSError as error:
        raise CommandError(f"{shown}: {error.strerror or error}") from error
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def cmd_export(args: argparse.Namespace) -> int:
    library = indexed_library(args)
    text = {"opml": library.export_opml, "json": library.export_json, "markdown": library.export_markdown}[args.format]()
    if args.output:
        write_output(args.output, text)
        print(f"wrote {shown_path(args.output)}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_read(args: argparse.Namespace) -> int:
    """Open the reader."""
    from briefing_tui.ui.app import run_reader

    return run_reader(_locations(args))


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the reader to web browsers."""
    from briefing_tui.ui.serve import ServeError, is_loopback, serve

    if not is_loopback(args.host):
        print(
            f"briefing-tui: warning: serving on {args.host}:{args.port} to the network. There is no login:"
            " anyone who can reach this address can read your briefings and change your marks.",
            file=sys.stderr,
        )
    try:
        serve(_locations(args), args.host, args.port)
    except ServeError as error:
        raise CommandError(str(error)) from error
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="where read marks and subscriptions live")
    common.add_argument("--cache-dir", default=argparse.SUPPRESS, help="where the cache lives")
    common.add_argument("--config-dir", default=argparse.SUPPRESS, help="where config.toml is read from")
    parser = _Parser(
        prog="briefing-tui",
        description="A terminal reader for curated tech briefings. Without a command, opens the reader.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"briefing-tui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, parents=[common])
        sub.set_defaults(func=func)
        return sub

    sub = command("read", cmd_read, "open the reader (the default)")
    sub = command("parse", cmd_parse, "print the structure of one newsletter or feed file")
    sub.add_argument("path", metavar="PATH", help="a .txt, .md, .html or feed file, an e-mail (.eml), an mbox or a Maildir")
    sub.add_argument("--json", action="store_true", help="print JSON instead of text")
    sub = command("add", cmd_add, "subscribe to a feed or an IMAP folder of newsletters")
    sub.add_argument("url", metavar="URL", help="a feed (https://...) or an IMAP folder (imaps://USER@HOST[:PORT]/FOLDER)")
    sub.add_argument("--title", help="a name for the feed")
    sub.add_argument(
        "--password-command",
        metavar="CMD",
        help="IMAP: a shell command that prints the password (stored; the password never is)",
    )
    sub.add_argument("--ca-file", metavar="FILE", help="IMAP: a CA certificate to trust for the server")
    sub.add_argument(
        "--no-check",
        action="store_true",
        help="subscribe without fetching the feed first (by default it is fetched once: an address that"
        " fails or is not a feed is refused, and a web page is searched for the feed it names)",
    )
    sub = command("rename", cmd_rename, "give a subscription (by URL or by number from 'feeds') a title of your own")
    sub.add_argument("feed", metavar="URL|ID")
    sub.add_argument("title", metavar="TITLE", help="the new title; an empty one (\"\") goes back to the feed's own")
    sub = command("remove", cmd_remove, "unsubscribe (by URL or by number from 'feeds'); read marks are kept")
    sub.add_argument("feed", metavar="URL|ID")
    sub = command("feeds", cmd_feeds, "list subscriptions with last success, last error, unread counts and redirects to another host")
    sub.add_argument("--json", action="store_true")
    sub = command("refresh", cmd_refresh, "fetch every subscription")
    sub.add_argument(
        "--no-index", dest="index", action="store_false",
        help="store what arrived without parsing it (listed at once; parsed and indexed by the next command that reads)",
    )
    sub.add_argument("--jobs", type=_positive, default=None, metavar="N", help="feeds fetched at once (default 8)")
    sub.add_argument("--plain", action="store_true", help="plain progress lines even on a terminal")
    sub = command(
        "import",
        cmd_import,
        "import newsletter (.txt .md .html), feed (.xml .rss .atom .json) and OPML files, e-mails (.eml), mboxes and"
        " Maildirs; restore subscriptions, read marks and stars from an 'export json' file",
    )
    sub.add_argument("paths", nargs="+", metavar="PATH")
    sub = command("list", cmd_list, "list cached issues, newest first")
    sub.add_argument("--unread", action="store_true", help="only issues with unread stories")
    sub.add_argument("--source", metavar="S", help="only issues whose source, or feed's name, contains S")
    sub.add_argument(
        "--sort", choices=("newest", "unread", "source"), default="newest",
        help="newest first (default), issues with unread stories first, or grouped by source",
    )
    sub.add_argument("--json", action="store_true")
    sub = command("search", cmd_search, "full-text search across every cached issue")
    sub.add_argument(
        "query",
        metavar="QUERY",
        help='words, "phrases", prefix*, section:X, source:X, is:unread, is:starred (filters alone list every item that passes them)',
    )
    sub.add_argument("--section", type=_section, help="headlines, unpacked, bottom_line, shortlist, references, lead or body")
    sub.add_argument("--limit", type=_positive, default=50)
    sub.add_argument("--json", action="store_true")
    for name, read in (("mark-read", True), ("mark-unread", False)):
        sub = command(name, lambda args, read=read: _mark(args, read), f"mark items {'read' if read else 'unread'}")
        sub.add_argument("ids", nargs="*", metavar="ID", help="story or shortlist item ids")
        sub.add_argument("--issue", metavar="ID", help="every item of this issue")
        sub.add_argument("--all", action="store_true", help="every cached item" if read else argparse.SUPPRESS)
        sub.add_argument(
            "--feed",
            metavar="URL|ID",
            help="every cached item of this subscription (by URL or by number from 'feeds')" if read else argparse.SUPPRESS,
        )
    sub = command("export", cmd_export, "export subscriptions (opml), everything (json) or issues (markdown)")
    sub.add_argument("format", choices=("opml", "json", "markdown"))
    sub.add_argument("--output", "-o", metavar="FILE", help="write to FILE (a regular file or a new path) instead of stdout")
    sub = command("threads", cmd_threads, "list stories that several issues or sources reported (story threads), newest first")
    sub.add_argument("--since", type=_day, metavar="DATE", help="only threads with a story on or after DATE (YYYY-MM-DD, today, yesterday)")
    sub.add_argument("--min-sources", type=_positive, default=2, metavar="N", help="only threads from at least N sources (default 2)")
    sub.add_argument("--json", action="store_true")
    sub = command("digest", cmd_digest, "the day's issues thread by thread, with each source's bottom line")
    sub.add_argument("--date", type=_day, metavar="DATE", help="the day (YYYY-MM-DD, today, yesterday; default: the newest day with unread stories)")
    sub.add_argument("--format", choices=("markdown", "json"), default="markdown")
    sub = command("serve", cmd_serve, "serve the reader to web browsers (textual-serve); each tab is its own reader")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    sub.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080)")
    sub = command("paths", cmd_paths, "print the data, cache and config locations")
    return parser


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {number}")
    return number


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _day(value: str) -> str:
    from datetime import date, timedelta

    named = {"today": 0, "yesterday": 1}
    if value.strip().lower() in named:
        return (date.today() - timedelta(days=named[value.strip().lower()])).isoformat()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _section(value: str) -> str:
    try:
        return section_name(value)
    except QueryError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    try:
        if not argv:  # the reader, as most starts are: no need to build every command's parser
            return cmd_read(argparse.Namespace())
        args = build_parser().parse_args(argv)
        if args.command is None:
            return cmd_read(args)
        return args.func(args)
    except UsageError as error:
        print(str(error), file=sys.stderr)
        return 2
    except (CommandError, StoreError) as error:
        print(f"briefing-tui: {error}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as error:
        # Damage found after opening (a page read only now): one line, and what to do about it.
        print(f"briefing-tui: a database is damaged ({strip_controls(str(error))}); run "
              "'briefing-tui paths' to find it: the cache can be deleted, the read state is"
              " checked and repaired when it is next opened", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    finally:
        _close_opened()


if __name__ == "__main__":
    raise SystemExit(main())
