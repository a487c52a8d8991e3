"""Peak memory of importing one very large entry.

    python benchmarks/big_entry.py [--mb 60] [--kinds rss,atom,escaped,html,markdown] [--json OUT]

For each kind it writes a generated file holding a single entry of about ``--mb`` megabytes
(RSS with content:encoded, Atom with escaped HTML content, RSS with an escaped description, a
bare HTML file and a Markdown file), runs ``briefing-tui import`` on it in a fresh data and cache
directory, and reports the peak resident memory of that process and the processes it waited for
(ru_maxrss from wait4), the wall time and the cache size. The target is a peak under 600 MB for a
60 MB entry.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

TARGET_MB = 600.0
KINDS = ("rss", "atom", "escaped", "html", "markdown")

_SENTENCE = "Some words of a long paragraph about chips and models, with a link. "


def _html_body(size: int) -> str:
    paragraph = "<p>" + _SENTENCE * 6 + '<a href="https://example.com/x">link</a></p>\n'
    unit = "<h2>Story heading</h2><p><b>Why it matters:</b> A lead.</p>" + paragraph * 10
    return unit * max(1, size // len(unit))


def _markdown_body(size: int) -> str:
    unit = "## Story heading\n\n**Why it matters:** A lead.\n\n" + (_SENTENCE * 6 + "[link](https://example.com/x)\n\n") * 10
    return "# A very large issue\n\n" + unit * max(1, size // len(unit))


def write_entry(kind: str, size: int, directory: Path) -> Path:
    """A file of one entry of about ``size`` bytes of content."""
    if kind == "markdown":
        path = directory / "big.md"
        path.write_text(_markdown_body(size))
        return path
    body = _html_body(size)
    if kind == "html":
        path = directory / "big.html"
        path.write_text(f"<html><head><title>A very large issue</title></head><body>{body}</body></html>")
        return path
    if kind == "rss":
        document = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Big</title>'
            '<item><title>A very large issue</title><guid>big-1</guid><link>https://example.com/1</link>'
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
        )
    elif kind == "atom":
        document = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Big</title>'
            '<entry><title>A very large issue</title><id>big-1</id><link href="https://example.com/1"/>'
            f'<updated>2026-01-01T00:00:00Z</updated><content type="html">{escape(body)}</content></entry></feed>'
        )
    elif kind == "escaped":
        document = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>'
            '<item><title>A very large issue</title><guid>big-1</guid><link>https://example.com/1</link>'
            f"<description>{escape(body)}</description></item></channel></rss>"
        )
    else:
        raise ValueError(kind)
    path = directory / "big.xml"
    path.write_text(document)
    return path


def briefing_command() -> list[str]:
    found = shutil.which("briefing-tui", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "briefing_tui"]


def import_with_peak(path: Path, root: Path) -> tuple[str, float, float]:
    """Run ``briefing-tui import path`` with its data, cache and config under ``root``.

    Returns (its summary line, peak RSS in MB of it and the processes it waited for, seconds).
    """
    env = dict(os.environ)
    env.update(
        XDG_DATA_HOME=str(root / "data"), XDG_CACHE_HOME=str(root / "cache"),
        XDG_CONFIG_HOME=str(root / "config"), HOME=str(root),
    )
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*briefing_command(), "import", str(path)], env=env,
            stdout=out_file, stderr=err_file, stdin=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out_file.seek(0)
        summary = out_file.read().decode(errors="replace").strip()
        err_file.seek(0)
        error = err_file.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import of {path.name} failed: {error[-2000:]}")
    return summary, usage.ru_maxrss / 1024, seconds


def measure(kind: str, size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="briefing-big-") as temp:
        root = Path(temp)
        path = write_entry(kind, size, root)
        summary, peak_mb, seconds = import_with_peak(path, root)
        cache_bytes = sum(p.stat().st_size for p in (root / "cache").rglob("*") if p.is_file())
        return {
            "kind": kind,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "peak_rss_mb": round(peak_mb, 1),
            "seconds": round(seconds, 2),
            "cache_mb": round(cache_bytes / 1e6, 1),
            "summary": summary,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=60.0, help="size of the entry in megabytes (default 60)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ",".join(KINDS))
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    size = int(args.mb * 1_000_000)
    results = []
    print("| kind | file MB | peak RSS MB | seconds | cache MB |")
    print("|---|---:|---:|---:|---:|")
    for kind in args.kinds.split(","):
        result = measure(kind.strip(), size)
        results.append(result)
        print(f"| {result['kind']} | {result['file_mb']} | {result['peak_rss_mb']} | {result['seconds']} | {result['cache_mb']} |")
    worst = max(result["peak_rss_mb"] for result in results)
    met = worst < TARGET_MB * args.mb / 60.0
    print(f"\nworst peak {worst} MB; target < {TARGET_MB * args.mb / 60.0:.0f} MB: {'met' if met else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"mb": args.mb, "target_mb": TARGET_MB, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
