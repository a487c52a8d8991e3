"""Search quality on real newsletters: precision at 5 of a judged set of queries.

The cache holds the real issues of ../shared/corpora/newsletters (imported through the Library
into a temporary data and cache directory; the benchmark says so and stops when the folder is
not there) and the invented briefings and articles of tests/fixtures/threads/.

Each query is what a reader would type to find stories about a company, product or topic, and
comes with the rule that judges a hit: the hit is a story (an editorial one: a paid placement
that names the company is not a story about it) whose title or lead matches the query's pattern.
An issue without stories (an article) is one piece: its title and first paragraph are judged.
Shortlist items, references and an issue's own row (its intro and headline list) are never
relevant: the question is whether the stories come first.

Precision at 5 counts the relevant hits among the first five. A query whose cache holds fewer
than five relevant stories cannot fill five places, so the table gives both the plain figure
(relevant / 5) and the figure out of what can be found (relevant / min(5, relevant in the
cache)); the mean of the second is the one the target (0.8) is set for.

    python benchmarks/search_quality.py [--corpus DIR] [--json OUT] [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefing_tui.library import Library  # noqa: E402
from briefing_tui.paths import Locations  # noqa: E402

NEWSLETTERS = ROOT.parent / "shared" / "corpora" / "newsletters"
THREADS = ROOT / "tests" / "fixtures" / "threads"
#: Files of the newsletter folder that are not issues.
NOT_ISSUES = {"README.md", "SOURCES.md"}
TARGET = 0.8
TOP = 5


@dataclass(frozen=True, slots=True)
class Judged:
    query: str
    #: A story is relevant when its title or lead matches this (case-insensitive).
    pattern: str
    rule: str


#: The judged queries. The patterns name the company, product or topic the query is about,
#: with the spellings a story would use for it; they were written from the query, not from
#: what the search returns.
QUERIES: tuple[Judged, ...] = (
    Judged("nvidia", r"\bnvidia|\bh200", "names Nvidia or its H200"),
    Judged("memory bandwidth", r"\bmemory\b|\bhbm\d?|bandwidth", "is about memory chips or bandwidth (HBM, memory)"),
    Judged("quantum", r"\bquantum\b", "is about quantum computing"),
    Judged("openai", r"\bopenai\b|\bchatgpt\b|\bcodex\b", "names OpenAI or its ChatGPT or Codex"),
    Judged("anthropic", r"\banthropic\b|\bclaude\b", "names Anthropic or its Claude"),
    Judged("claude", r"\bclaude\b", "names Claude"),
    Judged("chatgpt", r"\bchatgpt\b", "names ChatGPT"),
    Judged("cerebras", r"\bcerebras\b", "names Cerebras"),
    Judged("samsung", r"\bsamsung\b|\bgalaxy\b", "names Samsung or its Galaxy phones"),
    Judged("meta", r"\bmeta\b|\bmeta['’]s\b|ray-ban", "names Meta"),
    Judged("tesla", r"\btesla\b|\brobotaxi", "names Tesla or its robotaxis"),
    Judged("spacex", r"\bspacex\b|\bstarship\b", "names SpaceX or Starship"),
    Judged("musk", r"\bmusk\b|\bxai\b", "names Elon Musk or his xAI"),
    Judged("china", r"\bchina\b|\bchinese\b|\bbeijing\b", "is about China"),
    Judged("haskell", r"\bhaskell\b|\bghc\b|\bhackage\b|\bcabal\b", "is about Haskell"),
    Judged("rust", r"\brust\b", "names the Rust language"),
    Judged("compiler", r"\bcompil", "is about a compiler"),
    Judged("deepseek", r"\bdeepseek\b", "names DeepSeek"),
    Judged("data center", r"\bdata[- ]?cent|\bdatacent|\bcampus\b", "is about data centers"),
    Judged("robots", r"\brobot|\bhumanoid", "is about robots"),
    Judged("chips", r"\bchips?\b|\bsilicon\b|\bgpus?\b|\bsemiconductor", "is about chips"),
    Judged("ads", r"\bads\b|\badvertis", "is about advertising"),
)


def issue_files(newsletters: Path) -> list[str]:
    files = [
        path for path in sorted(newsletters.iterdir())
        if path.is_file() and path.name not in NOT_ISSUES and not path.name.endswith(".json")
    ]
    files += [path for path in sorted(THREADS.rglob("*")) if path.suffix in (".md", ".txt")]
    return [str(path) for path in files]


def _piece_text(view, item_id: str) -> tuple[str, str, bool] | None:
    """(title, lead, sponsored) of a hit that is a story or an article; None for other hits."""
    briefing = view.briefing
    if item_id:
        story = next((s for s in briefing.stories if s.id == item_id), None)
        if story is None:
            return None
        return (f"{story.kicker}: {story.title}" if story.kicker else story.title), story.lead or "", story.sponsored
    if briefing.stories:
        return None  # the issue's own row: its intro and headline list, not a story
    first = next((text for text in (*briefing.intro, *[line for s in briefing.sections for line in s.body]) if text.strip()), "")
    return briefing.title, first, False


class Judge:
    def __init__(self, library: Library):
        self.library = library
        self.views: dict[str, object] = {}
        self.pieces: list[tuple[str, str, bool]] = []
        for summary in library.issues():
            view = library.open_issue(summary.id)
            self.views[summary.id] = view
            ids = [s.id for s in view.briefing.stories] or [""]
            self.pieces.extend(piece for piece in (_piece_text(view, item_id) for item_id in ids) if piece)

    def relevant(self, judged: Judged, issue_id: str, item_id: str) -> bool:
        piece = _piece_text(self.views[issue_id], item_id)
        return piece is not None and _matches(judged, piece)

    def relevant_in_cache(self, judged: Judged) -> int:
        return sum(_matches(judged, piece) for piece in self.pieces)


def _matches(judged: Judged, piece: tuple[str, str, bool]) -> bool:
    title, lead, sponsored = piece
    pattern = re.compile(judged.pattern, re.I)
    return not sponsored and bool(pattern.search(title) or pattern.search(lead))


def _kind(hit) -> str:
    """One letter for a hit: S story, A article, H an issue's own row, q shortlist, r reference."""
    if not hit.item_id:
        return "H"
    return {"s": "S", "q": "q", "r": "r"}.get(hit.item_id[0], "?")


def evaluate(library: Library, verbose: bool = False) -> dict:
    judge = Judge(library)
    rows = []
    for judged in QUERIES:
        hits = library.search(judged.query, limit=TOP)
        marks = [judge.relevant(judged, hit.issue_id, hit.item_id) for hit in hits]
        available = judge.relevant_in_cache(judged)
        found = sum(marks)
        kinds = " ".join(
            ("A" if kind == "H" and not judge.views[hit.issue_id].briefing.stories else kind) + ("+" if mark else "-")
            for hit, mark, kind in zip(hits, marks, (_kind(hit) for hit in hits))
        )
        rows.append({
            "query": judged.query,
            "rule": judged.rule,
            "relevant_in_cache": available,
            "relevant_in_top": found,
            "p_at_5": found / TOP,
            "p_at_5_attainable": found / min(TOP, available) if available else 1.0,
            "top": kinds,
            "titles": [hit.title for hit in hits],
        })
        if verbose:
            print(f"{judged.query}:")
            for hit, mark in zip(hits, marks):
                print(f"   {'+' if mark else '-'} {_kind(hit)} {hit.section:<11} {hit.title[:90]}")
    return {
        "issues": len(judge.views),
        "pieces": len(judge.pieces),
        "queries": rows,
        "mean_p_at_5": statistics.mean(row["p_at_5"] for row in rows),
        "mean_p_at_5_attainable": statistics.mean(row["p_at_5_attainable"] for row in rows),
    }


def table(result: dict) -> str:
    lines = [
        f"{result['issues']} issues, {result['pieces']} stories and articles; top {TOP} of each query"
        " (S story, A article, H issue row, q shortlist, r reference; + relevant)",
        f"{'query':<18} {'relevant':>8} {'P@5':>5} {'P@5 of attainable':>18}  top {TOP}",
    ]
    for row in result["queries"]:
        lines.append(
            f"{row['query']:<18} {row['relevant_in_cache']:>8} {row['p_at_5']:>5.2f} {row['p_at_5_attainable']:>18.2f}  {row['top']}"
        )
    lines.append(
        f"{'mean':<18} {'':>8} {result['mean_p_at_5']:>5.2f} {result['mean_p_at_5_attainable']:>18.2f}"
        f"  (target {TARGET} of attainable)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=NEWSLETTERS, help="the folder of real newsletter issues")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every query's top hits")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} is not here (the real newsletters live in ../shared beside the checkout)")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        library = Library(Locations(root / "data", root / "cache", root / "config"))
        try:
            report = library.import_paths(issue_files(args.corpus))
            if report.errors:
                print(f"could not import: {report.errors}", file=sys.stderr)
                return 1
            result = evaluate(library, verbose=args.verbose)
        finally:
            library.close()
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
