"""The two real newsletter issues in ../shared/seeds parse into the structure a reader expects."""

from __future__ import annotations

import json

from briefing_tui.cli import main
from tests.conftest import seed

BRIEFING = "000_a41b6af92fea7aee.txt"
ARTICLE = "001_d05d712821ba8928.txt"


def parse_json(capsys, path) -> dict:
    assert main(["parse", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_briefing_seed_structure(capsys):
    data = parse_json(capsys, seed(BRIEFING))
    assert data["title"] == "OpenAI's Codex hits 1,000 tokens per second"
    assert data["subtitle"].startswith("OpenAI's Codex-Spark hits 1,000+ tokens per second")
    assert data["source"] == "The Bit Baker"
    assert data["date"] == "2026-02-14"
    assert [h.split()[0] for h in data["headlines"]] == ["OpenAI's", "China's", "Samsung", "xAI"]
    titles = [story["title"] for story in data["stories"]]
    assert titles == [
        "OpenAI's Codex-Spark Hits 1,000 Tokens Per Second on Cerebras Chips",
        "China's AI Labs Unleash a Spring Festival Model Blitz",
        "Samsung Ships the Industry's First Commercial HBM4",
        "xAI's Founding Team Is Falling Apart",
    ]
    for story in data["stories"]:
        assert not story["lead"].startswith("The Bit Baker:")
        assert len(story["unpacked"]) == 3
        assert story["bottom_line"] and not story["bottom_line"].lower().startswith("bottom line")
        assert story["body"] == []
        assert story["sponsored"] is False
    assert data["stories"][0]["lead"].startswith("OpenAI dropped GPT-5.3-Codex-Spark")
    assert len(data["shortlist"]) == 5
    assert data["shortlist"][0]["text"].startswith("Meta broke ground")
    assert len(data["references"]) == 27
    assert data["references"][0] == {
        "publisher": "OpenAI",
        "title": "Introducing GPT-5.3-Codex-Spark",
        "url": None,
    }
    assert data["intro"][-1].startswith("But the speed is only half the story.")
    assert data["sections"] == []


def test_article_seed_structure(capsys):
    data = parse_json(capsys, seed(ARTICLE))
    assert data["title"].startswith("OpenAI's Codex-Spark and the Cerebras Bet")
    assert data["subtitle"].startswith("OpenAI's first custom chip partnership")
    assert data["date"] == "2026-02-14"
    assert data["stories"] == []
    assert [s["title"] for s in data["sections"]] == [
        "Why It Matters",
        "What's Under the Hood",
        "What to Watch",
    ]
    assert len(data["sections"][0]["body"]) == 3
    assert len(data["sections"][2]["body"]) == 3
    assert len(data["intro"]) == 3
    assert data["references"][-1] == {"publisher": "Gadgets360", "title": "OpenAI GPT-5.3-Codex-Spark details", "url": None}


def test_ids_are_stable_across_parses(capsys):
    first = parse_json(capsys, seed(BRIEFING))
    second = parse_json(capsys, seed(BRIEFING))
    ids = [story["id"] for story in first["stories"]] + [item["id"] for item in first["shortlist"]]
    assert ids == [story["id"] for story in second["stories"]] + [item["id"] for item in second["shortlist"]]
    assert len(set(ids)) == len(ids)
