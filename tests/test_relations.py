"""relations: word-level coverage, direction, verdicts, and the parallel path."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import relations
from dedup.relations import (
    RULE_EARLIER_DATE,
    RULE_MORE_COVERED,
    Coverage,
    coverages,
    relate,
    word_coverage,
)


def _verdict(c: float) -> str:
    return "wholly" if c >= 0.5 else "partially" if c >= 0.2 else "non"


def _cov(words_a: int, words_b: int, cov_a: int, cov_b: int) -> Coverage:
    return Coverage(words_a, words_b, cov_a, cov_b, (), 0)


def test_direction_by_date_then_by_coverage() -> None:
    ids = ["a", "b", "c"]
    covs = [_cov(100, 50, 40, 45), _cov(100, 100, 30, 90)]
    pairs = [(0, 1), (0, 2)]
    undated = relate(pairs, covs, ids, [None, None, None], {}, verdict=_verdict)
    # b is 90% covered, a only 40%: b derives from a; likewise c
    assert [(r.source, r.derived, r.rule) for r in undated] == [
        ("a", "b", RULE_MORE_COVERED), ("a", "c", RULE_MORE_COVERED)]
    dated = relate(pairs, covs, ids, [datetime(2024, 1, 2), datetime(2024, 1, 1), None],
                   {(0, 1): {7}}, verdict=_verdict)
    # b is dated earlier than a: b is the source however covered; c has no date
    by_pair = {frozenset((r.source, r.derived)): r for r in dated}
    ab = by_pair[frozenset(("a", "b"))]
    assert (ab.source, ab.derived, ab.rule, ab.clusters) == ("b", "a", RULE_EARLIER_DATE, (7,))
    assert ab.coverage == 0.4 and ab.source_coverage == 0.9 and ab.verdict == "partially"


def test_pairs_below_partially_get_no_relation() -> None:
    out = relate([(0, 1)], [_cov(100, 100, 10, 10)], ["a", "b"], [None, None], {},
                 verdict=_verdict)
    assert out == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=40), st.lists(st.integers(0, 6), max_size=40))
def test_word_coverage_counts_only_words_in_shared_runs(a: list[int], b: list[int]) -> None:
    c = word_coverage(a, b)
    assert (c.words_a, c.words_b) == (len(a), len(b))
    assert 0 <= c.covered_a <= len(a) and 0 <= c.covered_b <= len(b)
    shared_pair = bool(set(zip(a, a[1:], strict=False)) & set(zip(b, b[1:], strict=False)))
    assert (c.covered_b > 0) == shared_pair == (c.covered_a > 0)
    for a0, a1, b0, b1, matched in c.regions:
        assert 0 <= a0 < a1 <= len(a) and 0 <= b0 < b1 <= len(b)
        assert matched >= 2 and a[a0] == b[b0] and a[a1 - 1] == b[b1 - 1]
    if len(b) >= 2:
        assert word_coverage(b, b).covered_b == len(b)


def test_parallel_coverages_equal_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 40, size=3000).astype(np.int32)
    ptr = np.arange(0, 3001, 100)
    pairs = [(i, j) for i in range(30) for j in range(i + 1, 30)][:200]
    serial = coverages(ids, ptr, pairs, workers=1)
    monkeypatch.setattr(relations, "PARALLEL_MIN_PAIRS", 10)
    assert coverages(ids, ptr, pairs, workers=2) == serial
    assert serial[0] == word_coverage(ids[0:100], ids[100:200])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=50), st.lists(st.integers(0, 30), min_size=1,
                                                            max_size=50))
def test_member_is_isin(x: list[int], y: list[int]) -> None:
    xs, ys = np.array(x, dtype=np.int64), np.array(y, dtype=np.int64)
    assert relations._member(xs, np.sort(ys)).tolist() == np.isin(xs, ys).tolist()
