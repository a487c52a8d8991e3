"""briefing-tui benchmarks: refresh, first screen, search, memory and parse throughput.

    python benchmarks/run.py [--sizes 1000,10000,50000] [--json OUT] [--repeat 5] [--no-newsboat]

For each size N it serves a synthetic corpus of N issues (benchmarks/corpus.py, about 50 issues a
feed) from a local HTTP server on 127.0.0.1, subscribes a fresh data directory to every feed and
measures:

- refresh: ``briefing-tui refresh`` into an empty cache (cold), then with every feed answering 304;
- first screen: from launching ``briefing-tui`` in a tmux pane (100x30) until the first issue's
  title is on screen, against a bare Textual app with a header and a footer (the floor), the two
  run in turn after one uncounted run of each;
- search: 50 typical queries through ``Library.search`` (what the reader's search box calls);
- memory: peak RSS (VmHWM) of the reader after its first screen, and of the refresh process;
- parse throughput (once): issues per second through the parser alone, and through feed parsing
  plus the parser.

When newsboat is installed, the same feeds go through ``newsboat -x reload`` (own cache file and
urls file in a temporary directory) and newsboat's first screen is timed in the same pane.

Every figure is the median of several runs, with min and max. Results are printed as one
Markdown table and, with --json, written as JSON. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from bare_app import WORD as BARE_WORD  # noqa: E402

PYTHON = sys.executable
#: The package the benchmark runs (the checkout beside it).
PACKAGE = HERE.parent / "briefing_tui"
TERM_SIZE = (100, 30)
#: How long a first screen may take before the run is called failed.
SCREEN_TIMEOUT = 120.0

# -- small helpers -----------------------------------------------------------------------------


def stats(values: list[float], digits: int = 4) -> dict:
    """Median, min and max of a list of measurements (None when there are none)."""
    values = [value for value in values if value is not None]
    if not values:
        return {"median": None, "min": None, "max": None, "runs": 0}
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": len(values),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(ours: dict | None, theirs: dict | None) -> float | None:
    if not ours or not theirs or not ours.get("median") or not theirs.get("median"):
        return None
    return round(ours["median"] / theirs["median"], 3)


def briefing_command() -> list[str]:
    """The ``briefing-tui`` entry point of the running interpreter's environment."""
    script = Path(PYTHON).with_name("briefing-tui")
    return [str(script)] if script.exists() else [PYTHON, "-m", "briefing_tui"]


def status_value(pid: int, key: str) -> int | None:
    """A kB figure from /proc/<pid>/status (VmHWM, VmRSS), or None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{key}:\s+(\d+)\s+kB", text, re.M)
    return int(match.group(1)) if match else None


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; (wall seconds, peak RSS in MB of that process alone, stdout)."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out_file, stderr=err_file, stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(errors="replace"), err_file.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited with {process.returncode}:\n{err[-2000:]}\n{out[-1000:]}")
    return elapsed, usage.ru_maxrss / 1024, out


# -- the corpus server -------------------------------------------------------------------------


@contextmanager
def corpus_server(issues: int, seed: int):
    """Start benchmarks/server.py for ``issues`` issues; yields (base URL, number of feeds)."""
    process = subprocess.Popen(
        [PYTHON, str(HERE / "server.py"), "--issues", str(issues), "--seed", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError(f"corpus server failed: {line}{process.stderr.read()}")
        _ready, port, feeds = line.split()
        yield f"http://127.0.0.1:{port}", int(feeds)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def feed_urls(base: str, feeds: int) -> list[str]:
    return [base + corpus.feed_spec(feed).path for feed in range(feeds)]


# -- the pseudo-terminal -----------------------------------------------------------------------


class Terminal:
    """One tmux pane of a fixed size on a private tmux server; programs are run in it one at a time."""

    def __init__(self, width: int, height: int):
        self.socket = f"briefing-bench-{os.getpid()}"
        self.target = "bench:0.0"
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height),
                  "sleep 1000000")
        for option in (("status", "off"), ("remain-on-exit", "on"), ("default-terminal", "screen-256color"),
                       ("escape-time", "0")):
            self.tmux("set-option", "-g", *option)
        self.tmux("set-option", "-g", "window-size", "manual")
        self.tmux("resize-window", "-t", "bench:0", "-x", str(width), "-y", str(height))

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def size(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.target, "#{pane_width}x#{pane_height}").strip()

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.target)

    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", self.target, "#{pane_pid}").strip())

    def dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", self.target, "#{pane_dead}").strip() == "1"

    def first_screen(self, command: list[str], env: dict[str, str], needle: str, quit_keys: list[str],
                     settle: float = 0.5) -> tuple[float, float]:
        """Launch ``command``; (seconds until ``needle`` is on screen, VmHWM in MB after the first screen)."""
        # A clean pane first, so nothing of the previous program can match.
        self.tmux("respawn-pane", "-k", "-t", self.target, "sleep 1000000")
        self.tmux("clear-history", "-t", self.target)
        shell = "exec env " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " " + shlex.join(command)
        started = time.perf_counter()
        self.tmux("respawn-pane", "-k", "-t", self.target, shell)
        pid = None
        try:
            while True:
                text = self.screen()
                elapsed = time.perf_counter() - started
                if needle in text:
                    break
                if elapsed > SCREEN_TIMEOUT or self.dead():
                    raise RuntimeError(f"{needle!r} never appeared on screen; last screen:\n{text}")
                time.sleep(0.01)
            pid = self.pid()
            time.sleep(settle)
            peak = status_value(pid, "VmHWM")
            return elapsed, (peak or 0) / 1024
        finally:
            self.stop(quit_keys)

    def stop(self, quit_keys: list[str]) -> None:
        if not self.dead() and quit_keys:
            self.tmux("send-keys", "-t", self.target, *quit_keys)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not self.dead():
                time.sleep(0.02)
        self.tmux("respawn-pane", "-k", "-t", self.target, "sleep 1000000")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


# -- briefing-tui ------------------------------------------------------------------------------


class Briefing:
    """briefing-tui with its own data, cache and config directories for one corpus size."""

    def __init__(self, root: Path):
        self.root = root
        self.data, self.cache, self.config = root / "data", root / "cache", root / "config"
        for directory in (self.data, self.cache, self.config):
            directory.mkdir(parents=True, exist_ok=True)
        # Opening an issue must not change read state between runs.
        (self.config / "config.toml").write_text("[reader]\nmark_read_on_open = false\n")
        self.command = briefing_command()

    @property
    def env_vars(self) -> dict[str, str]:
        return {
            "BRIEFING_TUI_DATA_DIR": str(self.data),
            "BRIEFING_TUI_CACHE_DIR": str(self.cache),
            "BRIEFING_TUI_CONFIG_DIR": str(self.config),
        }

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **self.env_vars}

    def subscribe(self, urls: list[str]) -> None:
        opml = self.root / "feeds.opml"
        outlines = "".join(f"<outline type=\"rss\" text=\"feed\" xmlUrl={quoteattr(url)}/>\n" for url in urls)
        opml.write_text(f'<?xml version="1.0"?>\n<opml version="2.0"><body>\n{outlines}</body></opml>\n')
        subprocess.run([*self.command, "import", str(opml)], env=self.env, check=True, capture_output=True)

    def clear_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)
        self.cache.mkdir(parents=True)

    def refresh(self, *, index: bool = True) -> tuple[float, float, str]:
        """``refresh``: until every issue is parsed and searchable; without ``index``, until
        every new issue is stored and can be opened (phase one)."""
        return run_measured([*self.command, "refresh", "--plain", *([] if index else ["--no-index"])], self.env)

    def first_issue_title(self) -> str:
        from briefing_tui.library import Library
        from briefing_tui.paths import Locations

        library = Library(Locations(self.data, self.cache, self.config))
        try:
            issues = library.issues(offset=0, limit=1)
            return issues[0].title if issues else ""
        finally:
            library.close()


def refresh_summary(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("refreshed")]
    return lines[-1] if lines else output.strip().splitlines()[-1:]


# -- search ------------------------------------------------------------------------------------

SEARCH_QUERIES: list[str] = [
    # one word: common, middling and rare
    "nvidia", "chips", "memory", "latency", "robotics", "quantum", "samsung", "zephyrine", "lumenux",
    "bandwidth", "the", "funding", "satellites", "compiler", "privacy",
    # two words
    "nvidia chips", "memory bandwidth", "open source", "cloud pricing", "robot vision", "battery production",
    "export controls", "quantum error", "inference latency", "security patch",
    # phrases
    '"inference chip"', '"tokens per second"', '"coding agent"', '"datacenter campus"', '"memory stack"',
    '"billion dollars"', '"payments api"', '"quantum processor"',
    # prefixes
    "robot*", "quant*", "semi*", "nvid*", "zeph*", "bandw*", "lat*", "comp*",
    # section filters
    "section:unpacked latency", "section:bottomline nvidia", "section:headlines chips",
    "section:shortlist funding", "section:references reuters", "section:lead samsung",
    'section:unpacked "open source"', "section:headlines zephyrine", "section:bottomline quant*",
]
assert len(SEARCH_QUERIES) == 50


def measure_search(briefing: Briefing, passes: int) -> dict:
    """Latency of every query through Library.search: a warm-up pass, then ``passes`` timed ones."""
    from briefing_tui.library import Library
    from briefing_tui.paths import Locations

    library = Library(Locations(briefing.data, briefing.cache, briefing.config))
    try:
        hits = {query: len(library.search(query)) for query in SEARCH_QUERIES}
        timings: dict[str, list[float]] = {query: [] for query in SEARCH_QUERIES}
        for _ in range(passes):
            for query in SEARCH_QUERIES:
                started = time.perf_counter()
                library.search(query)
                timings[query].append((time.perf_counter() - started) * 1000)
    finally:
        library.close()
    medians = {query: statistics.median(values) for query, values in timings.items()}
    values = list(medians.values())
    slowest = sorted(medians, key=medians.get, reverse=True)[:5]
    return {
        "queries": len(values),
        "passes": passes,
        "p50_ms": round(percentile(values, 0.50), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2),
        "slowest": [{"query": query, "ms": round(medians[query], 2), "hits": hits[query]} for query in slowest],
        "no_hits": [query for query, count in hits.items() if count == 0],
    }


# -- parse throughput --------------------------------------------------------------------------


def measure_parse(seed: int, sample: int, repeat: int) -> dict:
    """Issues per second through parse_document alone, and through feed parsing plus the parser."""
    from briefing_tui.ingest import parse_feed_payload
    from briefing_tui.parser import parse_document

    pairs = corpus.sample_issues(corpus.ISSUES_PER_FEED * 200, sample, seed)
    documents = [
        (corpus.issue_html(feed, issue, seed), corpus.issue_title(feed, issue, seed), corpus.feed_spec(feed).title)
        for feed, issue in pairs
    ]
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for html, title, source in documents:
            parse_document(html, content_type="text/html", title=title, source=source)
        rates.append(len(documents) / (time.perf_counter() - started))
    feeds = [corpus.rss_feed(feed, corpus.ISSUES_PER_FEED, seed) for feed in range(max(1, sample // 200))]
    feed_rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        count = sum(len(parse_feed_payload("bench", body).issues) for body in feeds)
        feed_rates.append(count / (time.perf_counter() - started))
    return {
        "parser_issues_per_s": stats(rates, 1),
        "feed_and_parser_issues_per_s": stats(feed_rates, 1),
        "sample": len(documents),
        "mean_issue_bytes": round(statistics.mean(len(html.encode()) for html, _t, _s in documents)),
    }


# -- newsboat ----------------------------------------------------------------------------------


class Newsboat:
    def __init__(self, root: Path, urls: list[str]):
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.urls = root / "urls"
        self.urls.write_text("\n".join(urls) + "\n")
        self.config = root / "config"
        # As many parallel downloads as briefing-tui's default --jobs.
        self.config.write_text("reload-threads 8\n")
        self.cache = root / "cache.db"
        self.binary = shutil.which("newsboat")

    @property
    def env_vars(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
        }

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **self.env_vars}

    def args(self) -> list[str]:
        return [self.binary, "-u", str(self.urls), "-c", str(self.cache), "-C", str(self.config)]

    def clear_cache(self) -> None:
        for path in self.root.glob("cache.db*"):
            path.unlink()

    def reload(self) -> tuple[float, float, str]:
        return run_measured([*self.args(), "-x", "reload"], self.env)

    def items(self) -> int:
        with sqlite3.connect(self.cache) as conn:
            return conn.execute("SELECT count(*) FROM rss_item").fetchone()[0]

    @staticmethod
    def version() -> str | None:
        binary = shutil.which("newsboat")
        if not binary:
            return None
        result = subprocess.run([binary, "-v"], capture_output=True, text=True)
        return (result.stdout.splitlines() or [""])[0].strip()


# -- one size ----------------------------------------------------------------------------------


def measure_size(size: int, args, workdir: Path, terminal: Terminal | None, log) -> dict:
    # other work on the machine skews every figure: keep the load next to them
    result: dict = {"issues": size, "load_average_at_start": [round(value, 2) for value in os.getloadavg()]}
    root = workdir / f"n{size}"
    briefing = Briefing(root / "briefing-tui")
    cold_runs = args.refresh_repeat or (3 if size <= 10000 else 1)
    with corpus_server(size, args.seed) as (base, feeds):
        urls = feed_urls(base, feeds)
        result["feeds"] = feeds
        briefing.subscribe(urls)

        # phase one alone: until every new issue is listed and can be opened
        walls = []
        for run in range(cold_runs):
            briefing.clear_cache()
            wall, _peak, out = briefing.refresh(index=False)
            walls.append(wall)
            log(f"  n={size} cold refresh, phase one {run + 1}/{cold_runs}: {wall:.2f} s ({refresh_summary(out)})")
        result["refresh_openable_s"] = stats(walls)

        # refresh into an empty cache; the last run's cache is kept for everything below
        walls, peaks = [], []
        for run in range(cold_runs):
            briefing.clear_cache()
            wall, peak, out = briefing.refresh()
            walls.append(wall)
            peaks.append(peak)
            log(f"  n={size} cold refresh {run + 1}/{cold_runs}: {wall:.2f} s, {peak:.0f} MB ({refresh_summary(out)})")
        result["refresh_cold_s"] = stats(walls)
        result["refresh_peak_rss_mb"] = stats(peaks, 1)
        result["refresh_summary"] = refresh_summary(out)

        walls = []
        for run in range(args.repeat):
            wall, _peak, out = briefing.refresh()
            walls.append(wall)
            if f"{feeds} unchanged" not in out:
                raise RuntimeError(f"second refresh did not get 304 from every feed: {refresh_summary(out)}")
        log(f"  n={size} 304 refresh: {statistics.median(walls):.2f} s")
        result["refresh_304_s"] = stats(walls)

        if terminal is not None:
            title = briefing.first_issue_title()
            needle = title[:24]
            result["first_issue_title"] = title
            times, rss, bare_times = [], [], []
            # Runs of the two alternate, after one of each that is not counted (it reads the
            # programs and the cache from disk after the refresh), so that the machine's
            # drift from run to run weighs on both alike.
            for run in range(args.repeat + 1):
                elapsed, peak = terminal.first_screen(
                    briefing.command, briefing.env_vars, needle, quit_keys=["q"]
                )
                bare_elapsed, _peak = terminal.first_screen(
                    [PYTHON, str(HERE / "bare_app.py")], {}, BARE_WORD, quit_keys=["C-q"]
                )
                if run:
                    times.append(elapsed)
                    rss.append(peak)
                    bare_times.append(bare_elapsed)
            result["first_screen_s"] = stats(times)
            result["bare_first_screen_s"] = stats(bare_times)
            result["first_screen_vs_bare"] = ratio(result["first_screen_s"], result["bare_first_screen_s"])
            result["reader_peak_rss_mb"] = stats(rss, 1)
            log(
                f"  n={size} first screen {statistics.median(times) * 1000:.0f} ms,"
                f" bare {statistics.median(bare_times) * 1000:.0f} ms, reader {statistics.median(rss):.0f} MB"
            )

        result["search"] = measure_search(briefing, passes=max(3, args.repeat))
        log(f"  n={size} search p50 {result['search']['p50_ms']} ms, p95 {result['search']['p95_ms']} ms")

        if args.newsboat and Newsboat.version():
            result["newsboat"] = measure_newsboat(size, args, root / "newsboat", urls, feeds, terminal, cold_runs, log)
            theirs = result["newsboat"]
            result["vs_newsboat"] = {
                "refresh_cold": ratio(result["refresh_cold_s"], theirs["reload_cold_s"]),
                "refresh_openable": ratio(result["refresh_openable_s"], theirs["reload_cold_s"]),
                "refresh_304": ratio(result["refresh_304_s"], theirs["reload_304_s"]),
                "first_screen": ratio(result.get("first_screen_s"), theirs.get("first_screen_s")),
                "peak_rss": ratio(result.get("reader_peak_rss_mb"), theirs.get("peak_rss_mb")),
            }
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return result


def measure_newsboat(size, args, root: Path, urls, feeds, terminal, cold_runs, log) -> dict:
    newsboat = Newsboat(root, urls)
    out: dict = {}
    walls, peaks = [], []
    for run in range(cold_runs):
        newsboat.clear_cache()
        wall, peak, _out = newsboat.reload()
        walls.append(wall)
        peaks.append(peak)
    out["items"] = newsboat.items()
    out["reload_cold_s"] = stats(walls)
    out["reload_peak_rss_mb"] = stats(peaks, 1)
    log(f"  n={size} newsboat cold reload {statistics.median(walls):.2f} s ({out['items']} items)")
    walls = []
    for run in range(args.repeat):
        wall, _peak, _out = newsboat.reload()
        walls.append(wall)
    out["reload_304_s"] = stats(walls)
    if terminal is not None:
        needle = corpus.feed_spec(0).title
        times, rss = [], []
        for run in range(args.repeat):
            elapsed, peak = terminal.first_screen(newsboat.args(), newsboat.env_vars, needle, quit_keys=["q"])
            times.append(elapsed)
            rss.append(peak)
        out["first_screen_s"] = stats(times)
        out["peak_rss_mb"] = stats(rss, 1)
        log(f"  n={size} newsboat first screen {statistics.median(times) * 1000:.0f} ms, {statistics.median(rss):.0f} MB")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return out


# -- report ------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        match = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        memory = round(int(match.group(1)) / 1024 / 1024, 1) if match else None
    except OSError:
        pass
    import textual

    from briefing_tui import __version__

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        "briefing_tui": __version__,
        "newsboat": Newsboat.version(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def check_targets(results: dict) -> list[dict]:
    sizes = results["sizes"]
    targets = []

    def add(name: str, value, limit, lower_is_better: bool = True):
        met = None if value is None else (value <= limit if lower_is_better else value >= limit)
        targets.append({"target": name, "value": value, "limit": limit, "met": met})

    def get(size: int, *keys):
        node = sizes.get(str(size))
        for key in keys:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    for size in (10000, 50000):
        if str(size) not in sizes:
            continue
        add(f"first screen at {size:,} / bare Textual", get(size, "first_screen_vs_bare"), 1.5)
        if get(size, "vs_newsboat") is not None:
            add(f"first screen at {size:,} / newsboat", get(size, "vs_newsboat", "first_screen"), 0.5)
    numbers = sorted(int(size) for size in sizes)
    if len(numbers) > 1:
        small, large = get(numbers[0], "first_screen_s", "median"), get(numbers[-1], "first_screen_s", "median")
        growth = round(large / small - 1, 3) if small and large else None
        add(f"first screen growth {numbers[0]:,} -> {numbers[-1]:,}", growth, 0.20)
    if "10000" in sizes and get(10000, "vs_newsboat") is not None:
        add("cold refresh, every issue openable, at 10,000 / newsboat reload", get(10000, "vs_newsboat", "refresh_openable"), 1.0)
        add("cold refresh, all parsed and searchable, at 10,000 / newsboat reload", get(10000, "vs_newsboat", "refresh_cold"), 3.0)
    for size in numbers:
        if get(size, "feeds") == 200:
            add("all-304 refresh of 200 feeds (s)", get(size, "refresh_304_s", "median"), 1.0)
    for size in (10000, 50000):
        if str(size) in sizes:
            add(f"search p95 at {size:,} (ms)", get(size, "search", "p95_ms"), 30.0)
    if "50000" in sizes:
        add("reader peak RSS at 50,000 (MB)", get(50000, "reader_peak_rss_mb", "median"), 150.0)
    return targets


def _fmt(entry: dict | None, scale: float = 1.0, digits: int = 2) -> str:
    if not entry or entry.get("median") is None:
        return "–"
    median, low, high = (entry[key] * scale for key in ("median", "min", "max"))
    if entry.get("runs", 1) <= 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def _x(value) -> str:
    return "–" if value is None else f"{value:.2f}x"


def table(results: dict) -> str:
    sizes = [results["sizes"][key] for key in sorted(results["sizes"], key=int)]
    header = "| | " + " | ".join(f"{entry['issues']:,} issues ({entry['feeds']} feeds)" for entry in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    def nb(entry, *keys):
        node = entry.get("newsboat")
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    has_newsboat = any("newsboat" in entry for entry in sizes)
    row("cold refresh until openable (phase one), s", [_fmt(e["refresh_openable_s"]) for e in sizes])
    if any(e.get("vs_newsboat") for e in sizes):
        row("ours / newsboat", [_x(e.get("vs_newsboat", {}).get("refresh_openable")) for e in sizes])
    row("cold refresh until searchable, s", [_fmt(e["refresh_cold_s"]) for e in sizes])
    if has_newsboat:
        row("newsboat -x reload, s", [_fmt(nb(e, "reload_cold_s")) for e in sizes])
        row("ours / newsboat", [_x(e.get("vs_newsboat", {}).get("refresh_cold")) for e in sizes])
    row("all-304 refresh, s", [_fmt(e["refresh_304_s"]) for e in sizes])
    if has_newsboat:
        row("newsboat all-304 reload, s", [_fmt(nb(e, "reload_304_s")) for e in sizes])
        row("ours / newsboat", [_x(e.get("vs_newsboat", {}).get("refresh_304")) for e in sizes])
    row("refresh peak RSS, MB", [_fmt(e["refresh_peak_rss_mb"], digits=0) for e in sizes])
    if any("first_screen_s" in e for e in sizes):
        row("first screen, ms", [_fmt(e.get("first_screen_s"), 1000, 0) for e in sizes])
        row("bare Textual app, ms", [_fmt(e.get("bare_first_screen_s"), 1000, 0) for e in sizes])
        row("ours / bare", [_x(e.get("first_screen_vs_bare")) for e in sizes])
        if has_newsboat:
            row("newsboat first screen, ms", [_fmt(nb(e, "first_screen_s"), 1000, 0) for e in sizes])
            row("ours / newsboat", [_x(e.get("vs_newsboat", {}).get("first_screen")) for e in sizes])
        row("reader peak RSS, MB", [_fmt(e.get("reader_peak_rss_mb"), digits=0) for e in sizes])
        if has_newsboat:
            row("newsboat peak RSS, MB", [_fmt(nb(e, "peak_rss_mb"), digits=0) for e in sizes])
    row("search p50 / p95, ms", [f"{e['search']['p50_ms']:.1f} / {e['search']['p95_ms']:.1f}" for e in sizes])
    row("load average at start", [f"{e['load_average_at_start'][0]:.1f}" for e in sizes if "load_average_at_start" in e])
    parse = results.get("parse")
    out = "\n".join(lines)
    if parse:
        out += (
            f"\n\nParse throughput (one process): parser alone {_fmt(parse['parser_issues_per_s'], digits=0)}"
            f" issues/s; feed parsing + parser {_fmt(parse['feed_and_parser_issues_per_s'], digits=0)} issues/s"
            f" (issues of {parse['mean_issue_bytes']:,} bytes on average)."
        )
    if results.get("targets"):
        out += "\n\n| target | limit | measured | |\n|---|---|---|---|\n" + "\n".join(
            f"| {t['target']} | {t['limit']} | {t['value'] if t['value'] is not None else '–'} |"
            f" {'met' if t['met'] else ('missed' if t['met'] is False else 'n/a')} |"
            for t in results["targets"]
        )
    return out


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated issue counts")
    parser.add_argument("--json", metavar="OUT", help="write the results as JSON here")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--refresh-repeat", type=int, default=None,
                        help="cold refresh runs (default 3 up to 10,000 issues, else 1)")
    parser.add_argument("--parse-sample", type=int, default=600, help="issues in the parse-throughput sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-newsboat", dest="newsboat", action="store_false", help="skip newsboat")
    parser.add_argument("--no-screen", dest="screen", action="store_false", help="skip the tmux measurements")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    sizes = [int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip()]

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    started = time.time()
    results: dict = {
        "machine": machine(),
        "settings": {
            "sizes": sizes, "repeat": args.repeat, "seed": args.seed, "terminal": f"{TERM_SIZE[0]}x{TERM_SIZE[1]}",
            "issues_per_feed": corpus.ISSUES_PER_FEED,
        },
        "sizes": {},
    }
    workdir = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    terminal = None
    try:
        if args.screen and shutil.which("tmux"):
            terminal = Terminal(*TERM_SIZE)
            results["settings"]["pane"] = terminal.size()
            # As pip and pipx install it: byte-compiled. A source checkout run with
            # PYTHONDONTWRITEBYTECODE set would compile every module at every start.
            compileall.compile_dir(str(PACKAGE), quiet=1)
        elif args.screen:
            log("tmux is not installed: first-screen and reader-memory figures are skipped")
        log(f"parse throughput ({args.parse_sample} issues)")
        results["parse"] = measure_parse(args.seed, args.parse_sample, max(1, min(args.repeat, 3)))
        for size in sizes:
            log(f"{size:,} issues")
            results["sizes"][str(size)] = measure_size(size, args, workdir, terminal, log)
    finally:
        if terminal is not None:
            terminal.close()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["targets"] = check_targets(results)
    results["elapsed_s"] = round(time.time() - started, 1)
    results["table"] = table(results)
    print(results["table"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
