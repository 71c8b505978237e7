"""Benchmark metrics on hand-made truth with exact expected values, and on a generated corpus."""

from __future__ import annotations

import doctest
import math
from collections import defaultdict
from typing import Any

import pytest

from benchmarks import metrics as metrics_module
from benchmarks.generate import generate
from benchmarks.metrics import (
    Span,
    Truth,
    adjusted_rand_index,
    cluster_ari,
    cluster_scores,
    document_pair_scores,
    f1_score,
    largest_cluster_size,
    load_doc_stories,
    macro_f1,
    mixed_clusters,
    overlaps,
    pair_scores,
    pairs_from_clusters,
    relation_scores,
    span_scores,
    spearman,
)


def _rec(doc: str, start: int, end: int, sdoc: str, sstart: int, send: int, group: str,
         kind: str = "derived", story: str | None = "s1") -> dict[str, Any]:
    return {"doc": doc, "start": start, "end": end, "source_doc": sdoc,
            "source_start": sstart, "source_end": send, "story": story, "group": group,
            "kind": kind, "edit": kind if kind != "derived" else "verbatim"}


# Wire "w" has sentences [0,10) and [11,20); "v1" reprints both, "v2" the first only.
# "v1" prints a caption twice; "v1", "v2" and "x" (another story) carry one boilerplate.
W0, W1 = ("w", 0, 10), ("w", 11, 20)
V1_0, V1_1, V2_0 = ("v1", 0, 10), ("v1", 11, 20), ("v2", 0, 10)
CAP_A, CAP_B = ("v1", 21, 29), ("v1", 30, 40)
BP_V1, BP_V2, BP_X = ("v1", 50, 60), ("v2", 50, 60), ("x", 50, 60)
DOC_STORY = {"w": "s1", "v1": "s1", "v2": "s1", "x": "s2"}


@pytest.fixture
def truth() -> Truth:
    return Truth.from_records([
        _rec(*V1_0, *W0, "s1:0"),
        _rec(*V1_1, *W1, "s1:1"),
        _rec(*V2_0, *W0, "s1:0"),
        _rec(*CAP_B, *CAP_A, "v1:c0", "duplicate"),
        _rec(*BP_V1, *BP_V1, "bp0", "boilerplate", None),
        _rec(*BP_V2, *BP_V1, "bp0", "boilerplate", None),
        _rec(*BP_X, *BP_V1, "bp0", "boilerplate", None),
    ])


def test_truth_indexes_each_span_once(truth: Truth) -> None:
    assert len(truth) == 10  # 5 derived/source spans, 2 captions, 3 boilerplate
    assert truth.true_pair_count(["derived"]) == 4  # (w0,v1) (w0,v2) (v1,v2) (w1,v1)
    assert truth.true_pair_count(["duplicate"], "within") == 1
    assert truth.true_pair_count(["duplicate"], "cross") == 0
    assert truth.true_pair_count(["boilerplate"]) == 3
    assert truth.doc_pairs(["derived"]) == {("v1", "w"), ("v2", "w"), ("v1", "v2")}


def test_overlap_rule_is_half_the_shorter_span() -> None:
    assert overlaps(0, 10, 0, 10) == 10
    assert overlaps(0, 10, 5, 100) == 5  # half of the shorter (10)
    assert overlaps(0, 10, 6, 100) == 0  # 4 < 5
    assert overlaps(0, 100, 40, 50) == 10  # a sentence inside a paragraph
    assert overlaps(0, 10, 10, 20) == 0
    assert overlaps(0, 10, 2, 20, min_overlap=0.9) == 0  # 8 < 9
    assert overlaps(0, 10, 2, 10, min_overlap=0.9) == 8  # all of the shorter


def test_perfect_pairs_score_one(truth: Truth) -> None:
    s = pair_scores([(*W0, *V1_0), (*V2_0, *W0), (*V1_0, *V2_0), (*W1, *V1_1)], truth)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert (s.predicted, s.true_positives, s.true_pairs, s.matched_true_pairs) == (4, 4, 4, 4)


def test_partial_pairs_have_exact_scores(truth: Truth) -> None:
    # One right pair, one wrong pair (different sentences), one pair outside the truth.
    s = pair_scores([(Span(*W0), Span(*V1_0)), (Span(*W0), Span(*V1_1)),
                     (Span("w", 30, 40), Span("x", 0, 5))], truth)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 4)
    assert s.f1 == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))


def test_paragraph_spans_match_every_sentence_inside(truth: Truth) -> None:
    s = pair_scores([("w", 0, 20, "v1", 0, 20)], truth)
    assert (s.precision, s.recall) == (1.0, 0.5)
    assert s.matched_true_pairs == 2


def test_small_overlaps_do_not_match(truth: Truth) -> None:
    # One char of each sentence, under half of the 3-char span: no match.
    s = pair_scores([("w", 9, 12, "v1", 9, 12)], truth)
    assert (s.true_positives, s.recall) == (0, 0.0)
    # A wide span holding a whole sentence does match it.
    assert pair_scores([("w", 8, 30, "v1", 8, 30)], truth).matched_true_pairs == 1


def test_boilerplate_is_ignored_unless_scored(truth: Truth) -> None:
    pred = [(*BP_V1, *BP_V2), (*W0, *V1_0)]
    derived = pair_scores(pred, truth)
    assert (derived.ignored, derived.predicted, derived.precision) == (1, 1, 1.0)
    bp = pair_scores(pred, truth, kinds=["boilerplate"])
    assert (bp.true_positives, bp.true_pairs, bp.ignored) == (1, 3, 1)
    assert bp.recall == pytest.approx(1 / 3)


def test_within_document_duplicates_need_within_scope(truth: Truth) -> None:
    pred = [(*CAP_A, *CAP_B)]
    assert pair_scores(pred, truth, kinds=["duplicate"]).out_of_scope == 1
    s = pair_scores(pred, truth, kinds=["duplicate"], scope="within")
    assert (s.precision, s.recall) == (1.0, 1.0)


def test_bad_scope_and_overlap_are_refused(truth: Truth) -> None:
    with pytest.raises(ValueError, match="scope must be one of"):
        pair_scores([], truth, scope="both")
    with pytest.raises(ValueError, match=r"min_overlap must be in \(0.0, 1.0\]"):
        pair_scores([], truth, min_overlap=0)
    with pytest.raises(ValueError, match="a pair is"):
        pair_scores([("w", 0, 10)], truth)


def test_clusters_become_cross_document_pairs(truth: Truth) -> None:
    clusters = [[W0, V1_0, V2_0], [W1, V1_1], [CAP_A, CAP_B]]
    pairs = list(pairs_from_clusters(clusters))
    assert len(pairs) == 4  # the two captions share a document
    assert len(list(pairs_from_clusters(clusters, scope="all"))) == 5
    assert pair_scores(pairs, truth).f1 == 1.0


def test_document_pairs(truth: Truth) -> None:
    s = document_pair_scores([("w", "v1"), ("v1", "w"), ("v2", "x")], truth)
    assert (s.predicted, s.true_positives, s.true_pairs) == (2, 1, 3)
    assert (s.precision, s.recall) == (0.5, pytest.approx(1 / 3))


def test_ari_exact_values() -> None:
    assert adjusted_rand_index([0, 0, 1, 1, 2], [0, 0, 1, 1, 2]) == 1.0
    assert adjusted_rand_index(["a", "a", "b"], [7, 7, 3]) == 1.0  # names do not matter
    # Contingency [[2,1,0],[0,1,2]]: index 2, sums 6 and 3, expected 18/15, max 4.5.
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(8 / 33)
    assert adjusted_rand_index([0, 1, 2, 3], [0, 0, 0, 0]) == 0.0
    assert adjusted_rand_index([0, 1, 2], [5, 6, 7]) == 1.0
    assert adjusted_rand_index([], []) == 1.0
    with pytest.raises(ValueError, match="differ in length"):
        adjusted_rand_index([0, 1], [0])


def test_ari_is_symmetric_and_matches_a_pair_count_oracle() -> None:
    import itertools
    import random

    rng = random.Random(0)
    for _ in range(20):
        n = rng.randint(2, 30)
        a = [rng.randrange(4) for _ in range(n)]
        b = [rng.randrange(5) for _ in range(n)]
        pairs = list(itertools.combinations(range(n), 2))
        same_a = [a[i] == a[j] for i, j in pairs]
        same_b = [b[i] == b[j] for i, j in pairs]
        index = sum(x and y for x, y in zip(same_a, same_b, strict=True))
        expected = sum(same_a) * sum(same_b) / len(pairs)
        top = (sum(same_a) + sum(same_b)) / 2
        oracle = 1.0 if top == expected else (index - expected) / (top - expected)
        assert adjusted_rand_index(a, b) == pytest.approx(oracle)
        assert adjusted_rand_index(b, a) == pytest.approx(oracle)


def test_cluster_ari_by_group_and_by_story(truth: Truth) -> None:
    by_sentence = [[W0, V1_0, V2_0], [W1, V1_1]]
    assert cluster_ari(by_sentence, truth, by="group") == 1.0
    # One story split into 3 + 2: index 4 = expected 4, so no better than chance.
    assert cluster_ari(by_sentence, truth, by="story") == 0.0
    assert cluster_ari([[W0, V1_0, V2_0, W1, V1_1]], truth, by="story") == 1.0
    # Paragraph-sized spans still land on the sentences they cover.
    assert cluster_ari([[("w", 0, 20), ("v1", 0, 20), V2_0]], truth, by="story") == 1.0
    # Passages no cluster covers count as singletons.
    assert cluster_ari([], truth, by="group") == 0.0
    with pytest.raises(ValueError, match="by must be"):
        cluster_ari([], truth, by="doc")


def test_largest_and_mixed_clusters(truth: Truth) -> None:
    clusters = [[W0, V1_0, V2_0], [W1, ("x", 0, 9)], [BP_V1, BP_X]]
    assert largest_cluster_size(clusters) == 3
    assert largest_cluster_size([]) == 0
    assert mixed_clusters(clusters, DOC_STORY, truth) == 1  # boilerplate left out
    assert mixed_clusters(clusters, DOC_STORY) == 2
    with pytest.raises(ValueError, match="'y' is not in doc_story"):
        mixed_clusters([[("y", 0, 3)]], DOC_STORY)
    s = cluster_scores(clusters, truth, DOC_STORY)
    assert (s.n_clusters, s.largest, s.mixed) == (3, 3, 1)


def test_macro_f1_exact_values() -> None:
    assert macro_f1(["a", "b", "c", "c"], ["a", "b", "c", "b"]) == pytest.approx(7 / 9)
    assert macro_f1([1, 1, 0, 0], [1, 0, 1, 0]) == 0.5
    assert macro_f1([1, 0], [1, 0]) == 1.0
    assert macro_f1(["a", "b"], ["a", "a"], labels=["a", "b", "c"]) == pytest.approx(2 / 9)
    assert f1_score([0, 0, 1], [0, 0, 0]) == 0.0
    assert f1_score(["x"], ["x"], positive="x") == 1.0
    with pytest.raises(ValueError, match="differ in length"):
        macro_f1([1], [])


def test_spearman_exact_values() -> None:
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    assert spearman([1, 2, 3], [30, 20, 10]) == -1.0
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert math.isnan(spearman([1], [2]))
    # Ties take their mean rank: x ranks (1.5, 1.5, 3, 4).
    assert spearman([1, 1, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)


def _slow_spearman(x: list[float], y: list[float]) -> float:
    """Pearson correlation of mean ranks, written out longhand."""
    def ranks(v: list[float]) -> list[float]:
        return [sum(w < a for w in v) + (sum(w == a for w in v) + 1) / 2 for a in v]

    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    return cov / math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))


def test_spearman_agrees_with_a_slow_oracle() -> None:
    import random

    rng = random.Random(1)
    for _ in range(10):
        x = [float(rng.randint(0, 5)) for _ in range(25)]
        y = [v + rng.randint(-3, 3) for v in x]
        assert spearman(x, y) == pytest.approx(_slow_spearman(x, y))


def test_oracle_output_on_a_generated_corpus_scores_perfectly(tmp_path: Any) -> None:
    c = generate(150, seed=5, out_dir=tmp_path)
    truth = Truth.load(tmp_path)
    doc_story = load_doc_stories(tmp_path)
    members: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for i in truth.passages(["derived"]):
        members[truth.groups[i]].append((truth.docs[i], truth.starts[i], truth.ends[i]))
    clusters = list(members.values())
    s = pair_scores(pairs_from_clusters(clusters), truth)
    assert (s.precision, s.recall) == (1.0, 1.0) and s.true_pairs > 100
    assert cluster_ari(clusters, truth, by="group") == 1.0
    assert mixed_clusters(clusters, doc_story, truth) == 0
    # Lumping everything together mixes stories and ruins the ARI.
    lump = [[span for cl in clusters for span in cl]]
    assert mixed_clusters(lump, doc_story, truth) == 1
    assert cluster_ari(lump, truth, by="group") == 0.0
    assert len(doc_story) == c.n_docs


def test_docstring_examples() -> None:
    assert doctest.testmod(metrics_module).failed == 0


def test_mixed_clusters_count_paragraph_spans_holding_boilerplate(truth: Truth) -> None:
    # A span of several sentences that takes in a boilerplate line still belongs to its
    # story; a span that is only boilerplate is left out.
    paragraph = [("v1", 0, 60), ("x", 0, 9)]
    assert mixed_clusters([paragraph], DOC_STORY, truth) == 1
    assert mixed_clusters([[("v1", 0, 20), BP_X]], DOC_STORY, truth) == 0


def test_span_scores_are_exact_character_counts(truth: Truth) -> None:
    # True shared text: w [0,20) (two sentences, the space joined), v1 [0,20), v2 [0,10).
    s = span_scores([("w", 0, 20), ("v1", 0, 10), ("v1", 5, 25), ("x", 0, 10)], truth)
    assert (s.true_chars, s.predicted_chars, s.overlap_chars) == (50, 55, 40)
    assert s.precision == pytest.approx(40 / 55) and s.recall == pytest.approx(40 / 50)
    assert span_scores([], truth).f1 == 0.0
    assert span_scores([W0, V1_0, V1_1, V2_0, W1], truth).f1 == 1.0
    assert span_scores([BP_V1], truth, kinds=["boilerplate"]).precision == 1.0


def test_relation_scores_direction_and_coverage(truth: Truth) -> None:
    texts = {"v1": "a" * 9 + " " + "b" * 9 + " " + "c" * 9, "v2": "x" * 9 + " tail"}
    rel = [("w", "v1", 2 / 3), ("v2", "w", 0.5), ("v1", "v2", 0.3), ("w", "x", 0.2)]
    r = relation_scores(rel, truth, texts=texts)
    assert (r.predicted, r.true_pairs, r.found) == (4, 3, 3)
    assert r.precision == 0.75 and r.recall == 1.0
    assert (r.directed_pairs, r.directed_found, r.direction_correct) == (2, 2, 1)
    assert r.direction_accuracy == 0.5
    # w -> v1: v1's true text [0, 20) holds 2 of its 3 words; v2 -> w has the wrong
    # direction and is not compared.
    assert r.coverage_mae == pytest.approx(0.0) and r.coverage_pairs == 1
    assert relation_scores([("v1", "w")], truth).coverage_mae is None
