"""Keystroke to paint in the reader's search screen, on caches of synthetic issues.

For each size N, a cache of N issues of the benchmark corpus (benchmarks/corpus.py: the issues
refresh reads from the benchmark's feeds) is built through the cache API: each issue's HTML is
parsed by the real parser in a process pool and stored as refresh stores it, without serving it
over HTTP. The cache is kept in ``--workdir`` and reused by later runs of the same size and seed.

Then the real SearchScreen runs over a small app (the reader's stylesheet, a 100x30 terminal),
driven by Textual's Pilot: each query is typed a letter at a time, and for every keystroke the
time from the key press to the first frame drawn after the results of that prefix were put in
the list is recorded (each keystroke waits for its results, as when typing at a reader's pace).
A frame is encoded as it would be for a terminal. The query is then cleared and the next typed.

    python benchmarks/search_typing.py [--sizes 10000 50000] [--passes 2] [--workdir DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import corpus  # noqa: E402

#: What a reader types, a letter at a time: company names, topics, a rare word, two-word queries.
QUERIES = (
    "nvidia",
    "memory bandwidth",
    "quantum",
    "openai chips",
    "robotics",
    "zephyrine",
    "cloud pricing",
    "export controls",
)
TARGET_P95_MS = 100.0
#: The longest wait for one keystroke's results before the run is called stuck.
STUCK_S = 30.0


# -- the cache -------------------------------------------------------------------------------------
def _parse(job: tuple[int, int, int]) -> tuple[int, int, str, dict]:
    from briefing_tui.parser import parse_document

    feed, issue, seed = job
    html = corpus.issue_html(feed, issue, seed)
    briefing = parse_document(
        html,
        content_type="text/html",
        title=corpus.issue_title(feed, issue, seed),
        source=corpus.feed_spec(feed).title,
        date=corpus.issue_date(feed, issue).date().isoformat(),
        url=f"https://news.example.com/{feed + 1}/issues/{corpus.ISSUES_PER_FEED - issue}",
    )
    return feed, issue, html, briefing.to_dict()


def build_cache(root: Path, size: int, seed: int, log) -> None:
    """A data and cache directory under ``root`` holding ``size`` synthetic issues."""
    from briefing_tui.library import Library
    from briefing_tui.model import Briefing
    from briefing_tui.paths import Locations

    done = root / "built"
    if done.exists() and done.read_text() == f"{size} {seed}":
        return
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    library = Library(Locations(root / "data", root / "cache", root / "config"))
    jobs = [(feed, issue, seed) for feed, count in enumerate(corpus.feed_issue_counts(size)) for issue in range(count)]
    started = time.perf_counter()
    try:
        cache = library.cache
        with ProcessPoolExecutor() as pool:
            batch = []
            for number, (feed, issue, html, data) in enumerate(pool.map(_parse, jobs, chunksize=64), 1):
                batch.append((feed, issue, html, data))
                if len(batch) >= 500 or number == len(jobs):
                    with cache.transaction():
                        for feed_, issue_, html_, data_ in batch:
                            cache.store_issue(
                                origin=f"https://news.example.com{corpus.feed_spec(feed_).path}",
                                key=f"bench-{seed}-{feed_ + 1}-{corpus.ISSUES_PER_FEED - issue_}",
                                raw=html_,
                                content_type="text/html",
                                hints={"published": corpus.issue_date(feed_, issue_).isoformat(), "position": issue_},
                                briefing=Briefing.from_dict(data_),
                            )
                    batch = []
                    if number % 5000 == 0 or number == len(jobs):
                        log(f"  stored {number:,} of {len(jobs):,} issues ({time.perf_counter() - started:.0f} s)")
    finally:
        library.close()
    done.write_text(f"{size} {seed}")


# -- typing ----------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class _Timings:
    """What the instrumented screen and app report: results put in the list, frames drawn."""

    def __init__(self) -> None:
        self.applied: dict[str, float] = {}  # query text -> when its results were put in the list
        self.apply_ms: list[float] = []  # time spent putting results in the list
        self.search_ms: list[float] = []  # time spent in Library.search
        self.frames: list[float] = []  # when each frame was drawn


async def _type(size: int, root: Path, passes: int, terminal: tuple[int, int]) -> dict:
    from textual.app import App
    from textual.widgets import Input

    from briefing_tui.library import Library
    from briefing_tui.paths import Locations
    from briefing_tui.ui.app import styles_dir
    from briefing_tui.ui.screens import search as search_module
    from briefing_tui.ui.screens.search import SearchScreen

    timings = _Timings()
    original_results = SearchScreen.on_search_results

    def on_search_results(screen, message) -> None:
        began = time.perf_counter()
        original_results(screen, message)
        if message.generation == screen.generation and message.query == screen.query_one("#search-input", Input).value:
            now = time.perf_counter()
            timings.applied[message.query] = now
            timings.apply_ms.append((now - began) * 1000)

    class TimedLibrary(Library):
        def search(self, *args, **kwargs):
            began = time.perf_counter()
            try:
                return super().search(*args, **kwargs)
            finally:
                timings.search_ms.append((time.perf_counter() - began) * 1000)

    class TypingApp(App):
        CSS_PATH = [styles_dir() / "app.tcss"]

        def __init__(self, library) -> None:
            super().__init__()
            self.library = library

        def on_mount(self) -> None:
            self.push_screen(SearchScreen(self.library))

        def _display(self, screen, renderable) -> None:
            super()._display(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(self.console)  # what a terminal would be sent
                timings.frames.append(time.perf_counter())

    SearchScreen.on_search_results = on_search_results
    library = TimedLibrary(Locations(root / "data", root / "cache", root / "config"))
    per_key: list[float] = []
    per_query: dict[str, list[float]] = {}
    per_text: list[tuple[str, float]] = []
    try:
        app = TypingApp(library)
        async with app.run_test(size=terminal) as pilot:
            await pilot.pause()
            field = app.screen.query_one("#search-input", Input)

            async def shown(text: str, since: float) -> float:
                """When the first frame after ``text``'s results were put in the list was drawn."""
                deadline = time.perf_counter() + STUCK_S
                while time.perf_counter() < deadline:
                    applied = timings.applied.get(text)
                    if applied is not None and applied >= since:
                        frame = next((t for t in reversed(timings.frames) if t >= applied), None)
                        if frame is not None:
                            return min(t for t in timings.frames if t >= applied)
                    await asyncio.sleep(0.0005)
                raise RuntimeError(f"no results shown for {text!r} within {STUCK_S} s")

            async def clear() -> None:
                since = time.perf_counter()
                field.value = ""
                await shown("", since)

            # one query first, so that the cache's pages are read once before measuring
            for key in QUERIES[0]:
                since = time.perf_counter()
                await pilot.press(key if key != " " else "space")
                await shown(field.value, since)
            await clear()
            for _ in range(passes):
                for query in QUERIES:
                    for key in query:
                        started = time.perf_counter()
                        await pilot.press(key if key != " " else "space")
                        painted = await shown(field.value, started)
                        elapsed = (painted - started) * 1000
                        per_key.append(elapsed)
                        per_query.setdefault(query, []).append(elapsed)
                        per_text.append((field.value, elapsed))
                    await clear()
    finally:
        SearchScreen.on_search_results = original_results
        library.close()
    return {
        "issues": size,
        "keystrokes": len(per_key),
        "p50_ms": round(percentile(per_key, 0.50), 1),
        "p95_ms": round(percentile(per_key, 0.95), 1),
        "max_ms": round(max(per_key), 1),
        "search_p50_ms": round(percentile(timings.search_ms, 0.50), 1),
        "search_p95_ms": round(percentile(timings.search_ms, 0.95), 1),
        "apply_p50_ms": round(percentile(timings.apply_ms, 0.50), 1),
        "apply_p95_ms": round(percentile(timings.apply_ms, 0.95), 1),
        "debounce_ms": search_module.DEBOUNCE * 1000,
        "slowest_queries": sorted(
            ({"query": q, "max_ms": round(max(v), 1), "median_ms": round(statistics.median(v), 1)} for q, v in per_query.items()),
            key=lambda row: -row["max_ms"],
        )[:3],
        "slowest_keystrokes": [
            {"text": text, "ms": round(ms, 1)} for text, ms in sorted(per_text, key=lambda item: -item[1])[:8]
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--passes", type=int, default=2, help="times every query is typed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", default="100x30", help="terminal columns x rows")
    parser.add_argument("--workdir", type=Path, help="where the caches are built and kept (default: a temporary folder)")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    columns, rows = (int(part) for part in args.size.lower().split("x"))

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    temporary = None
    workdir = args.workdir
    if workdir is None:
        temporary = tempfile.TemporaryDirectory()
        workdir = Path(temporary.name)
    results = []
    try:
        for size in args.sizes:
            root = workdir / f"typing-{size}-{args.seed}"
            log(f"n={size}: building the cache in {root}")
            build_cache(root, size, args.seed, log)
            result = asyncio.run(_type(size, root, args.passes, (columns, rows)))
            results.append(result)
            log(f"n={size}: keystroke to paint p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms")
    finally:
        if temporary is not None:
            temporary.cleanup()
    print(f"{'issues':>8} {'keys':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  {'search p50/p95':>15} {'list p50/p95':>13}")
    for row in results:
        print(
            f"{row['issues']:>8,} {row['keystrokes']:>5} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['max_ms']:>7}"
            f"  {row['search_p50_ms']:>7}/{row['search_p95_ms']:<7} {row['apply_p50_ms']:>6}/{row['apply_p95_ms']:<6}"
            f"  {'met' if row['p95_ms'] < TARGET_P95_MS else 'missed'} (p95 < {TARGET_P95_MS:.0f} ms)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"terminal": args.size, "passes": args.passes, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
