"""Tests for dedup.index: band choice and candidate pairs against brute force."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dedup.errors import ParameterError
from dedup.index import LSHParams, band_keys, candidate_pairs, candidate_probability


@settings(max_examples=200, deadline=None)
@given(
    num_perm=st.integers(8, 512),
    threshold=st.floats(0.05, 1.0),
    target=st.floats(0.5, 0.99),
)
def test_for_recall_is_the_largest_rows_reaching_the_target(num_perm: int, threshold: float,
                                                           target: float) -> None:
    # Only where one row per band reaches the target at all.
    assume(candidate_probability(threshold, num_perm, 1) >= target)
    p = LSHParams.for_recall(num_perm, threshold, target)
    assert p.bands == num_perm // p.rows and p.bands * p.rows <= num_perm
    assert candidate_probability(threshold, p.bands, p.rows) >= target
    # Oracle: try every rows value.
    ok = [r for r in range(1, num_perm + 1)
          if candidate_probability(threshold, num_perm // r, r) >= target]
    assert p.rows == max(ok)


def test_for_recall_example() -> None:
    p = LSHParams.for_recall(128, 0.5)
    assert (p.bands, p.rows) == (42, 3)
    assert p.to_dict() == {"bands": 42, "rows": 3, "threshold": 0.5, "target_recall": 0.95,
                           "min_hits": 1}
    assert (LSHParams.for_recall(64, 1.0).bands, LSHParams.for_recall(64, 1.0).rows) == (1, 64)


@pytest.mark.parametrize(
    ("threshold", "target", "bound"),
    [
        (0.0, 0.9, "LSH threshold must be in (0.0, 1.0]"),
        (1.5, 0.9, "LSH threshold must be in (0.0, 1.0]"),
        (0.5, 0.0, "target recall must be in (0.0, 1.0)"),
        (0.5, 1.0, "target recall must be in (0.0, 1.0)"),
    ],
)
def test_for_recall_validation(threshold: float, target: float, bound: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(bound)):
        LSHParams.for_recall(64, threshold, target)


def brute_force_pairs(sig: np.ndarray, lsh: LSHParams, valid: np.ndarray | None,
                      min_hits: int = 1) -> set:
    """Pairs of valid rows equal on at least ``min_hits`` full bands, compared slice by
    slice."""
    n = sig.shape[0]
    ok = [True] * n if valid is None else [bool(v) for v in valid]
    out = set()
    for i in range(n):
        for j in range(i + 1, n):
            if not (ok[i] and ok[j]):
                continue
            hits = 0
            for band in range(lsh.bands):
                sl = slice(band * lsh.rows, (band + 1) * lsh.rows)
                hits += list(sig[i, sl]) == list(sig[j, sl])
            if hits >= min_hits:
                out.add((i, j))
    return out


@st.composite
def signature_matrices(draw: st.DrawFn) -> tuple[np.ndarray, LSHParams, np.ndarray | None]:
    bands = draw(st.integers(1, 5))
    rows = draw(st.integers(1, 3))
    extra = draw(st.integers(0, 2))  # num_perm need not be a multiple of rows
    n = draw(st.integers(0, 14))
    # Few distinct values, so bands collide often.
    values = draw(st.lists(st.integers(0, 2), min_size=n * (bands * rows + extra),
                           max_size=n * (bands * rows + extra)))
    sig = np.array(values, dtype=np.uint32).reshape(n, bands * rows + extra)
    valid = draw(st.none() | st.lists(st.booleans(), min_size=n, max_size=n).map(np.array))
    return sig, LSHParams(bands=bands, rows=rows, threshold=0.5, target_recall=0.9), valid


def _as_set(pairs: np.ndarray) -> set:
    return {(int(a), int(b)) for a, b in pairs}


def _check_shape(pairs: np.ndarray) -> None:
    assert pairs.dtype == np.int64 and pairs.ndim == 2 and pairs.shape[1] == 2
    assert (pairs[:, 0] < pairs[:, 1]).all()
    as_list = [tuple(p) for p in pairs.tolist()]
    assert as_list == sorted(set(as_list))  # sorted and unique


@settings(max_examples=200, deadline=None)
@given(signature_matrices())
def test_candidates_equal_brute_force_with_large_buckets(case) -> None:
    sig, lsh, valid = case
    pairs = candidate_pairs(sig, lsh, valid=valid, max_bucket=1000)
    _check_shape(pairs)
    assert _as_set(pairs) == brute_force_pairs(sig, lsh, valid)


@settings(max_examples=100, deadline=None)
@given(signature_matrices(), st.integers(1, 4))
def test_min_hits_equals_brute_force_band_count(case, min_hits: int) -> None:
    sig, lsh, valid = case
    pairs = candidate_pairs(sig, lsh, valid=valid, max_bucket=1000, min_hits=min_hits)
    _check_shape(pairs)
    assert _as_set(pairs) == brute_force_pairs(sig, lsh, valid, min_hits)


def _components(nodes: set, pairs: set) -> list[set]:
    adj: dict = {v: set() for v in nodes}
    for a, b in pairs:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    seen: set = set()
    comps = []
    for v in adj:
        if v in seen:
            continue
        comp, stack = set(), [v]
        while stack:
            x = stack.pop()
            if x in comp:
                continue
            comp.add(x)
            stack.extend(adj[x] - comp)
        seen |= comp
        comps.append(comp)
    return comps


@settings(max_examples=200, deadline=None)
@given(signature_matrices(), st.integers(2, 4))
def test_small_max_bucket_gives_a_connected_subset(case, max_bucket: int) -> None:
    sig, lsh, valid = case
    pairs = candidate_pairs(sig, lsh, valid=valid, max_bucket=max_bucket)
    _check_shape(pairs)
    threaded = candidate_pairs(sig, lsh, valid=valid, max_bucket=max_bucket, workers=3)
    np.testing.assert_array_equal(threaded, pairs)  # bands bucketed on threads
    got = _as_set(pairs)
    assert got <= brute_force_pairs(sig, lsh, valid)
    # Every bucket of every band still ends up inside one component.
    ok = np.ones(sig.shape[0], bool) if valid is None else valid
    comps = _components(set(range(sig.shape[0])), got)
    comp_of = {v: k for k, c in enumerate(comps) for v in c}
    for band in range(lsh.bands):
        buckets: dict = {}
        for i in np.flatnonzero(ok):
            key = tuple(sig[i, band * lsh.rows:(band + 1) * lsh.rows].tolist())
            buckets.setdefault(key, []).append(int(i))
        for members in buckets.values():
            assert len({comp_of[m] for m in members}) == 1


def test_oversized_bucket_yields_linear_pairs_and_stays_connected() -> None:
    n, lsh = 500, LSHParams(bands=4, rows=2, threshold=0.5, target_recall=0.9)
    sig = np.zeros((n, 8), dtype=np.uint32)  # every unit in one bucket of every band
    pairs = candidate_pairs(sig, lsh, max_bucket=64)
    _check_shape(pairs)
    assert len(pairs) <= 2 * n  # not n * (n - 1) / 2
    comps = _components(set(range(n)), _as_set(pairs))
    assert len(comps) == 1


def test_bucket_at_max_bucket_gives_all_pairs() -> None:
    lsh = LSHParams(bands=1, rows=1, threshold=0.5, target_recall=0.9)
    sig = np.zeros((5, 1), dtype=np.uint32)
    assert len(candidate_pairs(sig, lsh, max_bucket=5)) == 10
    # Over the limit: neighbours plus a star from the first member.
    assert candidate_pairs(sig, lsh, max_bucket=4).tolist() == [
        [0, 1], [0, 2], [0, 3], [0, 4], [1, 2], [2, 3], [3, 4]]


def test_valid_mask_and_tiny_inputs() -> None:
    lsh = LSHParams(bands=2, rows=2, threshold=0.5, target_recall=0.9)
    sig = np.zeros((4, 4), dtype=np.uint32)
    valid = np.array([True, False, True, False])
    assert candidate_pairs(sig, lsh, valid=valid).tolist() == [[0, 2]]
    assert candidate_pairs(sig[:1], lsh).shape == (0, 2)
    assert candidate_pairs(sig, lsh, valid=np.zeros(4, bool)).shape == (0, 2)
    distinct = np.arange(16, dtype=np.uint32).reshape(4, 4)
    assert candidate_pairs(distinct, lsh).shape == (0, 2)


def test_band_keys_depend_on_band_and_rows() -> None:
    lsh = LSHParams(bands=3, rows=2, threshold=0.5, target_recall=0.9)
    sig = np.array([[1, 2, 1, 2, 1, 2], [1, 2, 9, 9, 1, 2]], dtype=np.uint32)
    keys = band_keys(sig, lsh)
    assert keys.shape == (2, 3) and keys.dtype == np.uint64
    assert keys[0, 0] != keys[0, 1]  # same rows, different band -> different key
    assert keys[0, 0] == keys[1, 0] and keys[0, 2] == keys[1, 2]
    assert keys[0, 1] != keys[1, 1]


def test_max_bucket_below_two_is_a_parameter_error() -> None:
    sig = np.array([[1], [1], [2]], dtype=np.uint32)
    with pytest.raises(ParameterError, match="max_bucket must be at least 2"):
        candidate_pairs(sig, LSHParams(1, 1, 0.5, 0.9), max_bucket=0)


def test_min_hits_keeps_recall_and_drops_weak_pairs() -> None:
    """Requiring two shared bands keeps the target recall at the threshold and passes
    far fewer pairs at half of it."""
    one = LSHParams.for_recall(128, 0.5)
    two = LSHParams.for_recall(128, 0.5, max_hits=2)
    assert two.min_hits == 2
    assert candidate_probability(0.5, two.bands, two.rows, two.min_hits) >= 0.95
    low_one = candidate_probability(0.25, one.bands, one.rows, one.min_hits)
    low_two = candidate_probability(0.25, two.bands, two.rows, two.min_hits)
    assert low_two < low_one / 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 9), st.integers(1, 5),
                          st.booleans()), max_size=60),
       st.integers(2, 5))
def test_shared_features_is_the_brute_force_join(entries, max_postings: int) -> None:
    from dedup.index import shared_features

    seen = {}
    for u, f, w, r in entries:  # each unit's features unique
        seen.setdefault((u, f), (float(w), r))
    unit = np.array([k[0] for k in seen], dtype=np.int64)
    feat = np.array([k[1] for k in seen], dtype=np.uint64)
    weight = np.array([v[0] for v in seen.values()])
    run = np.array([v[1] for v in seen.values()], dtype=bool)
    got = shared_features(unit, feat, weight, 8, run=run, max_postings=max_postings, block=3)
    holders = {}
    for (u, f), v in seen.items():
        holders.setdefault(f, {})[u] = v
    want: dict[tuple[int, int], list[float]] = {}
    for us in holders.values():
        if len(us) > max_postings:
            continue
        for a in us:
            for b in us:
                if a < b:
                    acc = want.setdefault((a, b), [0.0, 0])
                    acc[0] += min(us[a][0], us[b][0])
                    acc[1] += us[a][1] and us[b][1]
    pairs = [tuple(p) for p in got.pairs().tolist()]
    assert pairs == sorted(want)
    assert got.weight.tolist() == [want[p][0] for p in pairs]
    assert got.runs.tolist() == [want[p][1] for p in pairs]


def test_shared_weights_add_up_in_one_order_whatever_the_sort() -> None:
    """Each pair's weight sums its shared features' weights in one fixed order
    (posting size, then feature), bit for bit: the sort that groups the pairs keeps
    their order, so no CPU's way of ordering ties changes a total's last bits. (One
    fold: numpy sums each pair's run as np.add.reduceat sums that list.)"""
    from dedup.index import shared_features

    rng = np.random.default_rng(15)
    n_units, n_feats = 40, 400
    entries = {(int(u), int(f)) for u, f in zip(rng.integers(0, n_units, 6000),
                                                 rng.integers(0, n_feats, 6000), strict=True)}
    unit = np.array([u for u, _ in sorted(entries)], dtype=np.int32)
    feat = np.array([f for _, f in sorted(entries)], dtype=np.int64)
    weight = rng.random(len(unit)) * 10 ** rng.uniform(-3, 3, len(unit))  # rounding shows
    postings: dict[int, list[int]] = {}
    for k, f in enumerate(feat.tolist()):
        postings.setdefault(f, []).append(k)
    terms: dict[int, list[float]] = {}
    for f in sorted(postings, key=lambda f: (len(postings[f]), f)):
        ks = sorted(postings[f], key=lambda k: unit[k])
        if not 1 < len(ks) <= 64:
            continue
        for x in range(len(ks)):
            for y in range(x + 1, len(ks)):
                a, b = ks[x], ks[y]
                terms.setdefault(int(unit[a]) * n_units + int(unit[b]), []).append(
                    min(float(weight[a]), float(weight[b])))
    keys = sorted(terms)
    assert max(len(t) for t in terms.values()) > 16  # long runs: the order shows
    got = shared_features(unit, feat, weight, n_units)
    assert got.key.tolist() == keys
    assert got.weight.tolist() == [float(np.add.reduceat(np.array(terms[k]), [0])[0])
                                   for k in keys]
    for block in (500, 37):  # folded in many blocks: the same pairs, the same sums
        folded = shared_features(unit, feat, weight, n_units, block=block)
        assert folded.key.tolist() == keys
        np.testing.assert_allclose(folded.weight, got.weight, rtol=1e-12)
