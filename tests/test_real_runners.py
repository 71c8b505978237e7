"""The real-data runners on the labelled sets in ../shared/data (skipped, with the
reason, where the data is not present). Ranges are what the fixed defaults measure,
with a margin; nothing here is fitted on these sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_data

from benchmarks import clough, msrp


def test_msrp_runner_beats_majority_accuracy() -> None:
    r = msrp.run(shared_data("msrp"), with_compare=False)
    assert r["pairs"] == 4076 and r["positive"] == 2753
    base = r["majority_baseline"]
    assert base["accuracy"] == pytest.approx(2753 / 4076, abs=1e-4)
    cl = r["cluster"]
    # Measured 0.695 accuracy, F1 0.774 (precision 0.774, recall 0.774).
    assert cl["accuracy"] > base["accuracy"]
    assert 0.70 <= cl["f1"] <= 0.85
    assert 0.70 <= cl["precision"] and 0.65 <= cl["recall"]
    # A verified match implies a shared cluster.
    assert r["verified"]["predicted_positive"] <= cl["predicted_positive"]


def test_msrp_compare_variant_and_auc() -> None:
    r = msrp.run(shared_data("msrp"))
    c = r["compare"]
    # Measured AUC 0.705 (coverage) and 0.734 (smaller coverage): better than chance.
    assert c["auc_coverage"] > 0.65 and c["auc_min_coverage"] > 0.65


def test_clough_runner_orders_the_levels() -> None:
    r = clough.run(shared_data("clough-stevenson"))
    assert r["answers"] == 95
    assert r["per_category"] == {"cut": 19, "light": 19, "heavy": 19, "non": 38}
    m = r["mean_coverage"]
    # Measured: cut 0.690, light 0.719, heavy 0.501, non 0.136, Spearman 0.761. Two
    # "cut" answers come from outside the source excerpt, so cut ~ light.
    assert min(m["cut"], m["light"]) > m["heavy"] + 0.1 > m["non"] + 0.2
    assert abs(m["cut"] - m["light"]) < 0.1
    assert r["ordering_steps"]["light>heavy"] and r["ordering_steps"]["heavy>non"]
    assert r["spearman"] > 0.65
    assert r["encodings"]["cp1252"] > 0  # some answers are not UTF-8


def test_clough_decoding_fallback(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes("caf\u00e9 \u2014 ok".encode())
    assert clough.read_text(p) == ("caf\u00e9 \u2014 ok", "utf-8")
    p.write_bytes(b"\xef\xbb\xbfbom")
    assert clough.read_text(p) == ("bom", "utf-8")
    p.write_bytes(b"It\x92s \x97 done")
    assert clough.read_text(p) == ("It\u2019s \u2014 done", "cp1252")
    p.write_bytes(b"odd \x81 byte")
    assert clough.read_text(p) == ("odd \x81 byte", "latin-1")


def test_msrp_loader_checks_the_header(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an MSRP file"):
        msrp.load_pairs(p)
    p.write_text("\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\t\"A\" b\n",
                 encoding="utf-8")
    with pytest.raises(ValueError, match=":2: expected 5"):
        msrp.load_pairs(p)
