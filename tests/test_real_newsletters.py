"""The parser against gold annotations of real newsletter issues (../shared, when present).

Uses the shared scorer's own checks (``score_issue``) and parses every issue in-process, the
way ``briefing-tui parse`` does: one Briefing per document, a list of them per feed file.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from briefing_tui.cli import read_document
from briefing_tui.feeds import looks_like_feed
from briefing_tui.parser import parse_document

#: Regression floors on the scorer's 0-5 scale: raise them as the parser improves.
MEAN_FLOOR = 4.7
MIN_FLOOR = 3.5

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpora" / "newsletters"
SCORER = SHARED / "tools" / "score_newsletters.py"


def _load_scorer():
    spec = importlib.util.spec_from_file_location("score_newsletters", SCORER)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _issues():
    """(label, file, gold) for every annotated issue, choosing the file as the scorer does."""
    for folder in (CORPUS, CORPUS / "alt"):
        if not folder.is_dir():
            continue
        for gold_path in sorted(folder.glob("*.gold.json")):
            name = gold_path.name[: -len(".gold.json")]
            files = [
                f
                for f in sorted(folder.iterdir())
                if f.name.startswith(name + ".") and not f.name.endswith(".gold.json")
            ]
            if files:
                # "alt/NAME" for the second copy of an issue, so both keep their own score.
                label = str(gold_path.parent.relative_to(CORPUS) / name).removeprefix("./")
                yield label, files[0], json.loads(gold_path.read_text(encoding="utf-8"))


def _parsed(path: Path, gold: dict) -> dict:
    if looks_like_feed(path.read_bytes()[:2048], path.name):
        briefings = read_document(path)
        index = gold.get("entry_index", 0)
        return briefings[index].to_dict() if len(briefings) > index else {}
    return parse_document(path.read_bytes(), filename=path.name).to_dict()


def test_real_newsletters_score_above_floors():
    if not SCORER.exists() or not CORPUS.is_dir():
        pytest.skip("../shared (scorer and newsletter corpus) is not present")
    scorer = _load_scorer()
    scores: dict[str, float] = {}
    details: dict[str, str] = {}
    for name, path, gold in _issues():
        try:
            checks = scorer.score_issue(_parsed(path, gold), gold)
        except Exception as error:  # a crash scores 0, as in the scorer
            checks = [("parse", 0.0)]
            details[name] = f"parse failed: {error!r}"
        scores[name] = 5 * sum(value for _, value in checks) / len(checks)
        details.setdefault(name, " ".join(f"{key}={value:.2f}" for key, value in checks if value < 1.0))
    assert scores, "no annotated issues found"
    mean = sum(scores.values()) / len(scores)
    report = "\n".join(f"{score:4.2f}  {name}  {details[name]}" for name, score in sorted(scores.items()))
    report += f"\nissues={len(scores)} mean={mean:.2f} min={min(scores.values()):.2f}"
    low = {name: score for name, score in scores.items() if score < MIN_FLOOR}
    assert mean >= MEAN_FLOOR and not low, f"mean floor {MEAN_FLOOR}, min floor {MIN_FLOOR}:\n{report}"
