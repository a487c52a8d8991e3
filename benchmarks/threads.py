"""Story threads: how right they are on a labelled set, and what placing an issue costs.

Quality: every story of tests/fixtures/threads/ (invented briefings and articles of 12-16
February 2026, by six sources) is labelled with the event it reports (labels.json). The set is
imported into a fresh library; every pair of pieces counts: grouped and labelled the same event
(a true pair), grouped but labelled different events (a false merge), or labelled the same event
but not grouped (a miss). With ../shared/seeds beside the checkout, the two seed issues join too:
their Codex-Spark story and deep dive belong with the set's Codex-Spark pieces.

Cost: a cache of N synthetic issues (stories of random words from the benchmark corpus, spread
over days) is threaded once; then one more day of issues is added and threaded, and the time
per added issue is reported (what a refresh pays), with the whole backfill's time per issue.

    python benchmarks/threads.py [--sizes 10000 50000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import _Writer, COMPANIES  # noqa: E402
from briefing_tui.library import Library  # noqa: E402
from briefing_tui.model import Briefing, Story  # noqa: E402
from briefing_tui.paths import Locations  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "threads"
SEEDS = ROOT.parent / "shared" / "seeds"
#: The seed pieces and the event they report, when ../shared is there.
SEED_LABELS = (
    ("000_a41b6af92fea7aee.txt", "OpenAI's Codex-Spark Hits 1,000 Tokens Per Second on Cerebras Chips", "codex-spark-cerebras"),
    ("001_d05d712821ba8928.txt", None, "codex-spark-cerebras"),
)


def open_library(root: Path) -> Library:
    return Library(Locations(root / "data", root / "cache", root / "config"))


def labelled_pieces(library: Library, folder: Path = LABELLED, seeds: Path | None = SEEDS) -> dict[tuple[str, str | None], str]:
    """Import the labelled set (and the seeds, when there); (issue id, item id) -> event."""
    labels = json.loads((folder / "labels.json").read_text())["pieces"]
    wanted = [(folder / entry["file"], entry["story"], entry["event"]) for entry in labels]
    if seeds is not None and seeds.is_dir():
        wanted += [(seeds / name, story, event) for name, story, event in SEED_LABELS]
    files = sorted({str(path) for path, _story, _event in wanted})
    report = library.import_paths(files)
    if report.errors:
        raise SystemExit(f"could not import the labelled set: {report.errors}")
    by_file = {}
    for issue in library.issues():
        view = library.open_issue(issue.id)
        by_file.setdefault(view.briefing.title, []).append(view)
    out = {}
    for path, story_title, event in wanted:
        from briefing_tui.cli import read_document

        briefing = read_document(path)[0]
        view = next(v for v in by_file[briefing.title] if v.briefing == briefing)
        if story_title is None:
            out[(view.id, None)] = event
        else:
            story = next(s for s in view.briefing.stories if s.title == story_title)
            out[(view.id, story.id)] = event
    return out


def evaluate(library: Library, labels: dict[tuple[str, str | None], str]) -> dict:
    """Pairwise precision and recall of the library's threads against ``labels``."""
    thread_of = {}
    for piece in labels:
        view = library.thread(*piece)
        thread_of[piece] = view.thread.id if view else None
    true_pairs = merged = hits = 0
    false_merges, misses = [], []
    for a, b in combinations(sorted(labels, key=str), 2):
        same_event = labels[a] == labels[b]
        together = thread_of[a] is not None and thread_of[a] == thread_of[b]
        true_pairs += same_event
        merged += together
        if same_event and together:
            hits += 1
        elif together:
            false_merges.append((labels[a], labels[b]))
        elif same_event:
            misses.append(labels[a])
    return {
        "pieces": len(labels),
        "events": len(set(labels.values())),
        "true_pairs": true_pairs,
        "grouped_pairs": merged,
        "precision": hits / merged if merged else 1.0,
        "recall": hits / true_pairs if true_pairs else 1.0,
        "false_merges": false_merges,
        "missed": sorted(set(misses)),
    }


def quality() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        library = open_library(Path(folder))
        try:
            return evaluate(library, labelled_pieces(library))
        finally:
            library.close()


# -- cost ----------------------------------------------------------------------------------------
def synthetic_briefing(rng: random.Random, day: str, number: int) -> Briefing:
    writer = _Writer(rng)
    stories = tuple(
        Story(
            id=f"s-{number:07d}{index}",
            title=f"{rng.choice(COMPANIES)} {writer.words(6)}",
            lead=writer.lead(),
            unpacked=tuple(writer.sentence() for _ in range(3)),
            bottom_line=writer.sentence(),
        )
        for index in range(rng.randint(3, 6))
    )
    return Briefing(title=f"Issue {number}: {writer.words(5)}", source=f"Source {number % 40}", date=day, stories=stories)


def fill(library: Library, count: int, per_day: int, first_day: date, start: int = 0) -> None:
    rng = random.Random(start)
    cache = library.cache
    with cache.transaction():
        for number in range(start, start + count):
            day = (first_day + timedelta(days=(number - start) // per_day)).isoformat()
            briefing = synthetic_briefing(rng, day, number)
            cache.store_issue(origin="bench", key=str(number), raw=str(number), content_type="text/plain",
                              hints={}, briefing=briefing)


def cost(size: int, per_day: int = 50, added: int = 200) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        library = open_library(Path(folder))
        try:
            start = date(2026, 1, 1)
            fill(library, size, per_day, start)
            began = time.perf_counter()
            library.update_threads()
            backfill = time.perf_counter() - began
            next_day = start + timedelta(days=size // per_day + 1)
            fill(library, added, added, next_day, start=size)
            began = time.perf_counter()
            placed = library.update_threads()
            incremental = time.perf_counter() - began
            threaded = library.cache.conn.execute("SELECT count(DISTINCT thread) FROM pieces").fetchone()[0]
        finally:
            library.close()
    return {
        "issues": size,
        "backfill_ms_per_issue": round(backfill * 1000 / size, 3),
        "added_issues": placed,
        "added_ms_per_issue": round(incremental * 1000 / max(placed, 1), 3),
        "threads": threaded,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    result = {"quality": quality(), "cost": [cost(size) for size in args.sizes]}
    q = result["quality"]
    print(f"labelled set: {q['pieces']} pieces, {q['events']} events, {q['true_pairs']} same-event pairs")
    print(f"  precision {q['precision']:.3f}  recall {q['recall']:.3f}  false merges {len(q['false_merges'])}")
    for pair in q["false_merges"]:
        print(f"    false merge: {pair[0]} + {pair[1]}")
    for event in q["missed"]:
        print(f"    missed pair in: {event}")
    for row in result["cost"]:
        print(f"{row['issues']:>6} issues: backfill {row['backfill_ms_per_issue']} ms/issue,"
              f" then {row['added_issues']} added issues {row['added_ms_per_issue']} ms/issue ({row['threads']} threads)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
