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
@given(st.sets(st.integers(0, 60), max_size=40), st.sets(st.integers(0, 60), max_size=40))
def test_shared_sorted_is_isin(x: set[int], y: set[int]) -> None:
    xs = np.array(sorted(x), dtype=np.int64)
    ys = np.array(sorted(y), dtype=np.int64)
    in_y, in_x = relations._shared_sorted(xs, ys)
    assert in_y.tolist() == np.isin(xs, ys).tolist()
    assert in_x.tolist() == np.isin(ys, xs).tolist()


# -- the batched alignment against a slow per-pair reference -------------------------

def _reference_coverage(a: list[int], b: list[int], min_run: int = 2, gap_penalty: float = 0.5,
                        max_gap: int = 2) -> Coverage:
    """word_coverage as first written, one pair at a time: anchors from sets of
    k-gram tuples, a unique negative id per unanchored or taken word, Python lists."""
    from rapidfuzz.distance import Indel

    from dedup.align import _densest

    na, nb, k = len(a), len(b), min_run
    shared = ({tuple(a[i:i + k]) for i in range(na - k + 1)}
              & {tuple(b[j:j + k]) for j in range(nb - k + 1)}) if k >= 1 else set()
    keep_a, keep_b = [False] * na, [False] * nb
    for ids, keep in ((a, keep_a), (b, keep_b)):
        for i in range(len(ids) - k + 1):
            if tuple(ids[i:i + k]) in shared:
                keep[i:i + k] = [True] * k
    if not any(keep_a):
        return Coverage(na, nb, 0, 0, (), 0)
    work_a = [x if kept else -1 - i for i, (x, kept) in enumerate(zip(a, keep_a, strict=True))]
    work_b = [x if kept else -1 - na - j
              for j, (x, kept) in enumerate(zip(b, keep_b, strict=True))]
    taken_a, taken_b = [False] * na, [False] * nb
    found: list[list[tuple[int, int, int]]] = []
    while True:
        blocks = [(m.a, m.b, m.size)
                  for m in Indel.opcodes(work_a, work_b).as_matching_blocks() if m.size]
        regions, todo = [], [(0, len(blocks))]
        while todo:
            lo, hi = todo.pop()
            best = _densest(blocks[lo:hi], gap_penalty)
            if best is None or best[3] < min_run:
                continue
            regions.append(list(blocks[lo + best[0]:lo + best[1] + 1]))
            todo += [(lo + best[1] + 1, hi), (lo, lo + best[0])]
        regions.sort()
        if not regions and not found:
            run = relations._longest_shared_run(work_a, work_b, min_run)
            regions = [[run]] if run is not None else []
        if not regions:
            break
        for region in regions:
            (i1, j1, _), (i2, j2, size) = region[0], region[-1]
            taken_a[i1:i2 + size] = [True] * (i2 + size - i1)
            taken_b[j1:j2 + size] = [True] * (j2 + size - j1)
        for region in regions:
            relations._widen(region, a, b, taken_a, taken_b)  # type: ignore[arg-type]
            found.append(region)
        work_a = [-1 - i if t else x for i, (x, t) in enumerate(zip(work_a, taken_a, strict=True))]
        work_b = [-1 - na - j if t else x
                  for j, (x, t) in enumerate(zip(work_b, taken_b, strict=True))]
        if max(work_a) < 0:
            break
    cov_a, cov_b = [False] * na, [False] * nb
    out = []
    for region in found:
        for side, cov in ((0, cov_a), (1, cov_b)):
            prev = None
            for block in region:
                pos, size = block[side], block[2]
                cov[pos:pos + size] = [True] * size
                if prev is not None and block[0] - (prev[0] + prev[2]) <= max_gap and (
                        block[1] - (prev[1] + prev[2]) <= max_gap):
                    end = prev[side] + prev[2]
                    cov[end:pos] = [True] * (pos - end)
                prev = block
        (i1, j1, _), (i2, j2, size) = region[0], region[-1]
        out.append((i1, i2 + size, j1, j2 + size, sum(x[2] for x in region)))
    out.sort(key=lambda r: (r[2], r[0]))
    return Coverage(na, nb, sum(cov_a), sum(cov_b), tuple(out),
                    max((x[2] for r in found for x in r), default=0))


@st.composite
def _corpus(draw: st.DrawFn) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """A few documents over a small vocabulary, later ones partly copied from earlier
    ones (whole runs, as reprints take them), and pairs of them."""
    vocab = draw(st.integers(2, 40))
    word = st.integers(0, vocab - 1)
    docs: list[list[int]] = []
    for _ in range(draw(st.integers(2, 7))):
        doc = draw(st.lists(word, max_size=30))
        if docs and draw(st.booleans()):
            src = docs[draw(st.integers(0, len(docs) - 1))]
            i = draw(st.integers(0, len(src)))
            j = draw(st.integers(i, len(src)))
            at = draw(st.integers(0, len(doc)))
            doc = doc[:at] + src[i:j] + doc[at:]
        docs.append(doc)
    pairs = draw(st.lists(st.tuples(st.integers(0, len(docs) - 1),
                                    st.integers(0, len(docs) - 1)), min_size=1, max_size=12))
    return docs, pairs


@settings(max_examples=150, deadline=None)
@given(_corpus(), st.integers(1, 4), st.integers(1, 3), st.sampled_from([0, 2**31 - 64]))
def test_batched_coverages_equal_the_per_pair_reference(
        corpus: tuple[list[list[int]], list[tuple[int, int]]], block: int, min_run: int,
        shift: int) -> None:
    docs, pairs = corpus
    docs = [[w + shift for w in d] for d in docs]  # large ids take the ranked path
    ids = np.array([w for d in docs for w in d], dtype=np.int64)
    ptr = np.cumsum([0, *map(len, docs)])
    want = [_reference_coverage(docs[a], docs[b], min_run) for a, b in pairs]
    with pytest.MonkeyPatch.context() as mp:
        # small blocks and chunks: pairs split across both, documents indexed again
        mp.setattr(relations, "BLOCK_PAIRS", block)
        mp.setattr(relations, "CHUNK_WORDS", 40)
        assert relations._cover_span(ids, ptr, pairs, 0, len(pairs), min_run=min_run) == want
    if min_run == 2:
        assert coverages(ids, ptr, pairs, workers=1) == want
    a, b = pairs[0]
    assert word_coverage(docs[a], docs[b], min_run=min_run) == want[0]


def test_code_points_past_unicode_fall_back_to_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    a = [1, 2, 3, 4, 9, 5, 6, 7, 8]
    b = [5, 6, 7, 8, 0, 1, 2, 3, 4]
    want = _reference_coverage(a, b)
    assert word_coverage(a, b) == want
    monkeypatch.setattr(relations, "_MAX_CODE", 4)
    assert word_coverage(a, b) == want


def test_many_distinct_words_skip_the_surrogate_code_points() -> None:
    words = list(range(60_000))  # more distinct anchored words than code points below U+D800
    c = word_coverage(words, words[:30_000] + [7] + words[30_000:])
    assert (c.covered_a, c.covered_b) == (60_000, 60_001)
    assert c.regions == ((0, 60_000, 0, 60_001, 60_000),)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), max_size=12), min_size=1, max_size=5),
       st.sampled_from([1, 2**56]))
def test_ranked_is_unique_with_inverse(docs: list[list[int]], scale: int) -> None:
    # scale 2**56 leaves no room for positions in an int64: the np.unique path
    per = 10 * scale
    off = np.cumsum([0, *map(len, docs)])[:-1]
    values = np.array([d * per + k * scale for d, doc in enumerate(docs) for k in doc],
                      dtype=np.int64)
    local = np.array([i for doc in docs for i in range(len(doc))], dtype=np.int64)
    uniq, at = relations._ranked(values, local, per, off, len(values) + 1)
    want_uniq, want_inv = np.unique(values, return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist()
    assert at.tolist() == [*want_inv.reshape(-1).tolist(), -1]


def _bounds(ids: np.ndarray, ptr: np.ndarray, pairs: list[tuple[int, int]], min_run: int
            ) -> tuple[list[int], list[int]]:
    """relations._coverage_bound of both sides of each pair."""
    used, local = np.unique(np.asarray(pairs, dtype=np.int64), return_inverse=True)
    local = local.reshape(-1, 2)
    index = relations._Docs.index(ids, ptr, used, min_run)
    sides = [relations._ranges(index.ptr[local[:, s]], index.ptr[local[:, s] + 1])
             for s in (0, 1)]
    (pos_a, pair_a, _, len_a), (pos_b, pair_b, _, len_b) = sides
    keep_a, keep_b = relations._anchored_block(index, local[:, 0], pos_a, len_a, local[:, 1],
                                               pos_b, len_b, min_run)
    return (relations._coverage_bound(keep_a, pair_a, len(pairs), 2).tolist(),
            relations._coverage_bound(keep_b, pair_b, len(pairs), 2).tolist())


@settings(max_examples=150, deadline=None)
@given(_corpus(), st.integers(1, 3), st.sampled_from([0.05, 0.16, 0.3, 0.6]),
       st.lists(st.sampled_from([1, 2, 3]), min_size=12, max_size=12))
def test_coverage_bound_holds_and_min_share_skips_only_pairs_out_of_reach(
        corpus: tuple[list[list[int]], list[tuple[int, int]]], min_run: int,
        min_share: float, sides: list[int]) -> None:
    # The bound is never below a side's covered words (runs of 1 or 2 words); with
    # min_share, a pair gets its exact coverage, or None only where no share its
    # sides count reaches min_share. Past runs of 2 the bound can fall short (a
    # widened word need not lie in a shared 3-gram), and no pair is skipped.
    docs, pairs = corpus
    ids = np.array([w for d in docs for w in d], dtype=np.int64)
    ptr = np.cumsum([0, *map(len, docs)])
    want = [_reference_coverage(docs[a], docs[b], min_run) for a, b in pairs]
    if min_run <= 2:
        bound_a, bound_b = _bounds(ids, ptr, pairs, min_run)
        assert all(w.covered_a <= x for w, x in zip(want, bound_a, strict=True))
        assert all(w.covered_b <= x for w, x in zip(want, bound_b, strict=True))
    side = np.array(sides[:len(pairs)])
    got = relations._cover_span(ids, ptr, pairs, 0, len(pairs), min_run=min_run,
                                min_share=min_share, sides=side)
    for g, w, s in zip(got, want, side.tolist(), strict=True):
        if g is None:
            assert min_run <= 2
            assert not (s & 1 and w.share_a >= min_share)
            assert not (s & 2 and w.share_b >= min_share)
        else:
            assert g == w


def test_coverage_bound_counts_a_two_word_rewording() -> None:
    # Two reworded words between anchored runs are covered on both sides: the bound
    # counts the hole of max_gap words, and is then exact.
    a, b = [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 9, 10, 6, 7, 8]
    ids, ptr = np.array(a + b), np.array([0, 8, 16])
    assert word_coverage(a, b).covered_a == 8
    assert _bounds(ids, ptr, [(0, 1)], 2) == ([8], [8])


def test_judged_sides_follow_the_earlier_date_rule() -> None:
    d1, d2 = datetime(2025, 3, 1), datetime(2025, 3, 2)
    dates = [d1, d2, None, d2]
    pairs = [(0, 1), (1, 0), (0, 2), (1, 3)]
    # b derived (a earlier), a derived, no date, equal dates
    assert relations.judged_sides(pairs, dates).tolist() == [2, 1, 3, 3]
    # relate judges a dated pair by that side's share: (0, 1) by b's 10%, no relation
    covs = [_cov(10, 10, 9, 1)] * 4
    rels = relate(pairs, covs, ["a", "b", "c", "d"], dates, {}, verdict=_verdict)
    assert {(r.source, r.derived) for r in rels} == {("a", "b"), ("c", "a"), ("d", "b")}


def test_coverage_bound_is_not_used_past_runs_of_two() -> None:
    # With 3-word runs a widened word need not lie in a shared 3-gram: here a covers
    # 5 words but the anchored count says 4. So min_share skips nothing there.
    a, b = [1, 1, 0, 1, 0, 2, 0, 0, 0], [0, 2, 0, 2, 0, 0, 1, 2, 0, 2]
    ids, ptr = np.array(a + b), np.array([0, 9, 19])
    assert word_coverage(a, b, min_run=3).covered_a == 5
    assert _bounds(ids, ptr, [(0, 1)], 3)[0] == [4]
    got = relations._cover_span(ids, ptr, [(0, 1)], 0, 1, min_run=3, min_share=0.99)
    assert got == [word_coverage(a, b, min_run=3)]


def test_min_share_skips_a_pair_of_chance_bigrams() -> None:
    # Two long documents sharing only two scattered bigrams: no side can reach 16%,
    # so the pair is not aligned; a copied half still is, exactly.
    rng = np.random.default_rng(1)
    a = rng.integers(100, 10_000, size=200).tolist()
    b = rng.integers(100, 10_000, size=200).tolist()
    b[10:12], b[150:152] = a[50:52], a[120:122]
    c = a[:100] + rng.integers(100, 10_000, size=100).tolist()
    ids = np.array(a + b + c, dtype=np.int64)
    ptr = np.array([0, 200, 400, 600])
    got = coverages(ids, ptr, [(0, 1), (0, 2)], workers=1, min_share=0.16)
    assert got[0] is None
    assert word_coverage(a, b).covered_a == 4
    assert got[1] == word_coverage(a, c) and got[1] is not None and got[1].share_b >= 0.5
