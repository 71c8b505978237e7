"""The benchmark runner (``python -m benchmarks``) at a tiny size: figures, not timings."""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.baselines import (
    cut_passages,
    exact_pairs,
    jaccard_pairs_bruteforce,
    pair_keys,
    run_baseline,
    union_find,
)
from benchmarks.generate import generate
from benchmarks.run import ensure_corpus, growth_exponent, main

N_DOCS = 60


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    """One whole run through the CLI: ours, datasketch, oracle and difflib; no real data."""
    out = tmp_path_factory.mktemp("bench")
    buf = io.StringIO()
    capture = pytest.MonkeyPatch()  # capsys is per test; this fixture is per module
    capture.setattr(sys, "stdout", buf)
    try:
        code = main(["--sizes", str(N_DOCS), "--seed", "0", "--stages", "synthetic,quality",
                     "--baselines", "datasketch,oracle,difflib", "--align-pairs", "4",
                     "--out", str(out)])
    finally:
        capture.undo()
    assert code == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return results, buf.getvalue(), out


def test_results_file_has_every_section(bench: tuple[dict, str, Path]) -> None:
    results, _, _ = bench
    for key in ("date", "command", "options", "machine", "git", "sizes", "growth", "align",
                "notes", "plots"):
        assert key in results, key
    m = results["machine"]
    assert m["cores"] >= 1 and m["python"].count(".") == 2
    assert {"numpy", "datasketch", "rapidfuzz"} <= set(m["packages"])
    assert "real_data" not in results  # the real stage was not asked for
    assert list(results["sizes"]) == [str(N_DOCS)]


def test_each_tool_has_sane_figures(bench: tuple[dict, str, Path]) -> None:
    results, _, _ = bench
    entry = results["sizes"][str(N_DOCS)]
    assert entry["corpus"]["documents"] == N_DOCS
    tools = entry["tools"]
    assert set(tools) == {"ours", "datasketch", "oracle"}
    for name, fig in tools.items():
        assert "error" not in fig, (name, fig.get("error"))
        assert fig["documents"] == N_DOCS
        assert fig["seconds_total"] > 0 and fig["seconds_read"] >= 0
        assert fig["peak_rss_mib"] >= fig["start_rss_mib"] > 0
        assert fig["documents_per_s"] > 0 and fig["shingles_per_s"] > 0
        assert not any(k.startswith("_") for k in fig)  # private arrays stay out
        q = fig["quality"]
        for k in ("pair_precision", "pair_recall", "pair_f1", "content_pair_precision",
                  "content_pair_f1", "ari_group"):
            assert 0.0 <= q[k] <= 1.0, (name, k, q[k])
        assert q["largest_cluster"] >= 2 and q["mixed_clusters"] >= 0
        for k in ("passage_precision", "passage_recall", "passage_f1", "ari_story",
                  "stories_whole_share"):
            assert 0.0 <= q[k] <= 1.0, (name, k, q[k])
        assert 0 <= q["stories_whole"] <= q["stories_together"] <= q["stories"]
    # Only find reports document relations; the sentence pairs are its verified
    # sentence matches, several per multi-sentence cluster passage.
    q = tools["ours"]["quality"]
    assert q["relations"] > 0 and 0.0 < q["relation_recall"] <= 1.0
    assert 0 <= q["directed_found"] <= q["directed_pairs"]
    assert q["predicted_pairs"] > q["cross_clusters"] > 0
    assert q["coverage_mae"] is None or 0.0 <= q["coverage_mae"] <= 1.0
    assert "relations" not in tools["datasketch"]["quality"]
    assert {"segment", "features", "sign", "index", "verify", "cluster"} <= set(
        tools["ours"]["seconds"])
    assert {"prepare", "sign", "index", "cluster"} <= set(tools["datasketch"]["seconds"])
    assert tools["datasketch"]["vs_ours"]["time"] > 0
    assert tools["datasketch"]["shingles"] == tools["ours"]["shingles"]


def test_lsh_recall_is_measured_against_the_oracle(bench: tuple[dict, str, Path]) -> None:
    results, _, _ = bench
    entry = results["sizes"][str(N_DOCS)]
    recall = entry["lsh_true_recall"]
    assert recall["oracle_pairs"] >= recall["oracle_distinct_text_pairs"] > 0
    assert recall["threshold"] == 0.5
    for tool in ("ours", "datasketch"):
        assert 0.0 <= recall["pairs"][tool] <= 1.0
        assert 0.0 <= recall["distinct_texts"][tool] <= 1.0
        assert entry["tools"][tool]["lsh_true_recall"] == recall["pairs"][tool]


def test_every_figure_names_the_code_it_measured(bench: tuple[dict, str, Path]) -> None:
    results, _, _ = bench
    figs = list(results["sizes"][str(N_DOCS)]["tools"].values()) + [results["align"]]
    assert all(len(f["dedup_source"]) == 16 for f in figs)  # a hash of dedup/*.py
    assert all("load_average" in f for f in figs)


def test_growth_is_null_with_one_size(bench: tuple[dict, str, Path]) -> None:
    results, _, _ = bench
    for tool, g in results["growth"].items():
        assert g["sizes"] == [N_DOCS], tool
        for k in ("time_exponent", "memory_exponent", "memory_added_exponent"):
            assert g[k] is None or math.isfinite(g[k])


def test_aligner_and_plots(bench: tuple[dict, str, Path]) -> None:
    results, _, out = bench
    a = results["align"]
    assert a["pairs"] == 4 and a["speedup_opcodes"] > 0
    plots = results["plots"]
    if "note" in plots:  # matplotlib missing: said so instead
        assert "matplotlib" in plots["note"]
    else:
        assert (out / "time.png").stat().st_size > 0 and (out / "memory.png").exists()


def test_terminal_output_has_the_tables(bench: tuple[dict, str, Path]) -> None:
    _, text, out = bench
    assert "Speed and memory" in text and "Quality against" in text
    assert "datasketch" in text and "Growth exponents" in text
    assert str(out / "results.json") in text


def test_corpus_is_generated_once_and_then_reused(tmp_path: Path) -> None:
    folder, first = ensure_corpus(tmp_path, 12, 3)
    again, second = ensure_corpus(tmp_path, 12, 3)
    assert folder == again == tmp_path / "corpora" / "12-3"
    assert (first["cached"], second["cached"]) == (False, True)
    assert (folder / "truth.jsonl").exists() and not (tmp_path / "corpora" / "12-3.tmp").exists()


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8, 1.0])
def test_prefix_filtered_oracle_equals_brute_force(threshold: float) -> None:
    docs = generate(25, seed=4).documents
    units = cut_passages((d["id"], d["text"]) for d in docs)
    fast = [tuple(p) for p in exact_pairs(units, threshold=threshold).tolist()]
    assert fast == jaccard_pairs_bruteforce(units, threshold=threshold)
    assert fast  # reprints share whole sentences


def test_datasketch_finds_verbatim_reprints() -> None:
    text = "The council approved the new budget on Monday after a long debate."
    units = cut_passages([("a", text), ("b", "Local lead here today. " + text), ("c", "Other.")])
    run = run_baseline("datasketch", units)
    assert run.clusters == [[0, 2]]
    assert set(run.seconds) == {"sign", "index", "cluster"}


def test_growth_exponent_and_helpers() -> None:
    assert growth_exponent([100, 1000], [2.0, 200.0]) == 2.0
    assert growth_exponent([100, 100], [1.0, 2.0]) is None
    assert growth_exponent([100, 1000], [0.0, 1.0]) is None
    assert union_find(4, []) == []
    assert pair_keys(np.zeros((0, 2)), 3).tolist() == []
