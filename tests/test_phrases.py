"""The phrase-heavy generator: chance phrases across unrelated documents, truth that slices true."""

from __future__ import annotations

import doctest
import json
import random
from pathlib import Path

import pytest

from benchmarks import phrases
from benchmarks.phrases import MSRP_FILE, MarkovChain, generate_phrases, main

# Twelve made-up news sentences that share phrases ("said on Tuesday", "the central bank"),
# in the MSRP layout: quality, two ids, two strings, tab-separated.
_SENTENCES = [
    "The central bank said on Tuesday that interest rates would stay on hold this year.",
    "Officials said on Tuesday that the bridge would stay closed for repairs until May.",
    "The company said its profit rose in the third quarter on strong demand for chips.",
    "Police said the suspect was arrested on Monday after a chase through the city.",
    "The central bank raised its forecast for growth in the third quarter of the year.",
    "Its chief executive said demand for chips would stay strong for the rest of the year.",
    "The mayor said the city would spend more on repairs to roads and bridges this year.",
    "Analysts said the central bank would keep interest rates on hold until next spring.",
    "The suspect was arrested on Monday and will appear in court later this week.",
    "Shares of the company rose after it said profit in the third quarter beat forecasts.",
    "The minister said on Monday that the government would spend more on schools.",
    "Officials said the bridge repairs would cost more than the city had planned.",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    (root / MSRP_FILE).parent.mkdir(parents=True)
    rows = ["Quality\t#1 ID\t#2 ID\t#1 String\t#2 String"]
    for i in range(0, len(_SENTENCES), 2):
        rows.append(f"0\t{i}\t{i + 1}\t{_SENTENCES[i]}\t{_SENTENCES[i + 1]}")
    (root / MSRP_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def _docs(folder: Path) -> dict[str, str]:
    with open(folder / "documents.jsonl", encoding="utf-8") as f:
        return {d["id"]: d["text"] for d in map(json.loads, f)}


def test_doctests() -> None:
    assert doctest.testmod(phrases).failed == 0


def test_chain_walks_only_seen_word_pairs() -> None:
    chain = MarkovChain(_SENTENCES, backoff=0.0)
    seen = {tuple(s.split()[i:i + 3]) for s in _SENTENCES for i in range(len(s.split()) - 2)}
    rng = random.Random(3)
    for _ in range(50):
        words = chain.sentence(rng, min_words=3).split()
        for i in range(len(words) - 2):
            tri = tuple(words[i:i + 3])
            # the walk may add a final full stop where it cut a sentence short
            assert tri in seen or (i == len(words) - 3 and tri[-1].endswith("."))


def test_empty_training_text_is_an_error() -> None:
    with pytest.raises(ValueError):
        MarkovChain(["too short", ""])


def test_corpus_truth_slices_true_and_is_deterministic(data: Path, tmp_path: Path) -> None:
    a = generate_phrases(tmp_path / "a", docs=120, seed=5, data=data, reprint_share=0.3)
    generate_phrases(tmp_path / "b", docs=120, seed=5, data=data, reprint_share=0.3)
    assert (tmp_path / "a" / "documents.jsonl").read_bytes() == \
        (tmp_path / "b" / "documents.jsonl").read_bytes()
    docs = _docs(tmp_path / "a")
    assert a["docs"] == len(docs) >= 120 and a["wire_stories"] > 0
    with open(tmp_path / "a" / "truth.jsonl", encoding="utf-8") as f:
        truth = [json.loads(line) for line in f]
    assert len(truth) == a["truth_passages"] > 0
    for r in truth:
        assert r["kind"] == "derived" and r["edit"] == "verbatim"
        assert docs[r["doc"]][r["start"]:r["end"]] == \
            docs[r["source_doc"]][r["source_start"]:r["source_end"]]
        assert r["source_doc"] < r["doc"]


def test_unrelated_documents_share_short_phrases(data: Path, tmp_path: Path) -> None:
    generate_phrases(tmp_path, docs=60, seed=1, data=data, reprint_share=0.0)
    docs = list(_docs(tmp_path).values())

    def grams(text: str) -> set[tuple[str, ...]]:
        w = text.lower().split()
        return {tuple(w[i:i + 4]) for i in range(len(w) - 3)}

    shared = sum(bool(grams(docs[i]) & grams(docs[i + 1])) for i in range(0, 60, 2))
    assert shared >= 20  # most pairs of unrelated documents share a 4-word phrase


def test_cli_skips_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--docs", "5", "--data", str(tmp_path), "--out",
                 str(tmp_path / "out")]) == 0
    assert "skipped" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--docs", "0", "--out", str(tmp_path)])
    assert main(["score", str(tmp_path / "missing")]) == 2


@pytest.mark.skipif(not (phrases.DEFAULT_DATA / MSRP_FILE).exists(),
                    reason="no MSRP data in ../shared/data")
def test_find_and_the_datasketch_recipe_recover_the_reprints(tmp_path: Path) -> None:
    pytest.importorskip("datasketch")
    summary = generate_phrases(tmp_path, docs=200, seed=2)
    fig = phrases.score(tmp_path)
    assert fig["reprint_pairs"] == len({(r["source_doc"], r["doc"]) for r in map(
        json.loads, (tmp_path / "truth.jsonl").read_text().splitlines())}) > 0
    assert summary["truth_passages"] > 0
    assert fig["reprint_pairs_related"] == fig["reprint_pairs"]
    # chance phrases: the distinctive-wording channel outnumbers the near-duplicate one
    assert fig["candidate_pairs_rare"] > fig["candidate_pairs_near"] > 0
    base = phrases.baseline(tmp_path)
    assert base["reprint_pairs_found"] == base["reprint_pairs"] == fig["reprint_pairs"]


def test_compare_runs_both_alternately_in_fresh_processes(data: Path, tmp_path: Path) -> None:
    pytest.importorskip("datasketch")
    generate_phrases(tmp_path, docs=40, seed=1, data=data)
    fig = phrases.compare(tmp_path, repeats=1)
    assert [x["tool"] for x in fig["runs"]] == ["dedup find", "datasketch"]
    for x in fig["runs"]:
        assert x["seconds"] > 0 and x["cpu_seconds"] > 0 and x["peak_rss_mib"] > 10
        assert x["reprint_pairs_matched"] <= x["reprint_pairs"]
    ratio = fig["recipe_over_find"]
    run = {x["tool"]: x for x in fig["runs"]}
    assert ratio["seconds"] == round(run["datasketch"]["seconds"]
                                     / run["dedup find"]["seconds"], 2)
