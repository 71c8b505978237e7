"""Tests for dedup.parallel and the steps that run on threads: the same result
whatever the number of threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from dedup.parallel import batches, ordered_map
from dedup.signatures import MinHashParams, signatures


def test_ordered_map_keeps_input_order_whatever_finishes_first() -> None:
    import time

    def slow_first(x: int) -> int:
        time.sleep(0.02 if x % 3 == 0 else 0.0)
        return x * 10

    assert list(ordered_map(slow_first, range(20), workers=3)) == [x * 10 for x in range(20)]
    assert list(ordered_map(slow_first, [], workers=3)) == []


def test_ordered_map_bounds_the_calls_in_flight() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def note(x: int) -> int:
        with lock:
            started.append(x)
        return x

    seen = []
    for y in ordered_map(note, range(50), workers=2):
        seen.append(y)
        with lock:
            # at most 2 * workers started beyond what was consumed
            assert len(started) <= len(seen) + 4
    assert seen == list(range(50))


def test_ordered_map_raises_the_error_of_a_call() -> None:
    def boom(x: int) -> int:
        if x == 5:
            raise ValueError("five")
        return x

    with pytest.raises(ValueError, match="five"):
        list(ordered_map(boom, range(10), workers=2))


def test_batches_cover_every_item_once() -> None:
    items = list(range(17))
    parts = batches(items, 5)
    assert [len(p) for p in parts] == [5, 5, 5, 2]
    assert [x for p in parts for x in p] == items


@pytest.mark.parametrize("workers", [2, 3])
def test_signatures_on_threads_equal_one_thread(workers: int) -> None:
    rng = np.random.default_rng(3)
    n_units = 400
    sizes = rng.integers(0, 60, n_units)  # some units have no features
    unit = np.repeat(np.arange(n_units), sizes)
    feats = rng.integers(0, 2**32, len(unit), dtype=np.uint64).astype(np.uint32)
    shuffle = rng.permutation(len(unit))  # unsorted input is sorted inside
    params = MinHashParams(num_perm=32, seed=5)
    one = signatures(unit[shuffle], feats[shuffle], n_units, params, chunk=64)
    many = signatures(unit[shuffle], feats[shuffle], n_units, params, chunk=64,
                      workers=workers)
    np.testing.assert_array_equal(one, many)
    empty = sizes == 0
    assert (one[empty] == np.iinfo(np.uint32).max).all() and (one[~empty] < 2**32 - 1).any()


def test_threads_for_honours_workers_and_caps_the_default(monkeypatch) -> None:
    import os

    from dedup import parallel

    assert parallel.threads_for(7) == 7 and parallel.threads_for(0) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)), raising=False)
    assert parallel.threads_for(None) == parallel.MAX_DEFAULT_THREADS
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert parallel.threads_for(None) == 1


def test_unique_sorted_equals_numpy_unique() -> None:
    from dedup.arrays import unique_sorted

    rng = np.random.default_rng(7)
    for x in (rng.integers(0, 50, 1000), rng.integers(0, 2**62, 1000),
              rng.integers(0, 2**63, 500, dtype=np.uint64), np.zeros(0, dtype=np.int64),
              np.array([3]), rng.integers(0, 9, (20, 3))):
        got = unique_sorted(x)
        np.testing.assert_array_equal(got, np.unique(x))
        assert got.dtype == np.unique(x).dtype


def test_stable_order_equals_numpy_stable_sorts() -> None:
    """The fast stable order is exactly numpy's stable argsort and lexsort, ties and
    all: few ties (hashes), many ties (small ints), floats with repeated values, one
    and two tie-breakers, empty and one-element input."""
    from dedup.arrays import stable_order

    rng = np.random.default_rng(11)
    keys = [rng.integers(0, 2**63, 3000, dtype=np.uint64), rng.integers(0, 5, 3000),
            rng.integers(-40, 40, 3000), np.repeat(rng.integers(0, 2**40, 700), 4),
            rng.integers(0, 3, 3000).astype(np.float64) / 2, np.zeros(0, np.int64),
            np.array([7])]
    for key in keys:
        np.testing.assert_array_equal(stable_order(key), np.argsort(key, kind="stable"))
        a = rng.integers(0, 3, len(key))
        b = -rng.integers(0, 4, len(key)).astype(np.float64)
        np.testing.assert_array_equal(stable_order(key, a), np.lexsort((a, key)))
        np.testing.assert_array_equal(stable_order(key, a, b), np.lexsort((b, a, key)))


def test_distinct_groups_equal_the_numpy_unique_construction() -> None:
    """repeats.distinct, built on the fast stable order, gives the groups that
    np.unique (return_index, return_inverse) and stable argsorts give."""
    from dedup.repeats import distinct

    def reference(keys: np.ndarray) -> tuple[np.ndarray, ...]:
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        rep_of = rank[inverse.reshape(-1)]
        ptr = np.zeros(len(order) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum(np.bincount(rep_of, minlength=len(order)))
        return rep_of, ptr, np.argsort(rep_of, kind="stable").astype(np.int64)

    rng = np.random.default_rng(13)
    for trial in range(200):
        n = int(rng.integers(0, 300))
        keys = rng.integers(0, int(rng.integers(1, 400)), n).astype(np.uint64)
        for got, want in zip(distinct(keys), reference(keys), strict=True):
            np.testing.assert_array_equal(got, want, err_msg=str(trial))
            assert got.dtype == want.dtype


def test_sorted_index_equals_numpy_searchsorted() -> None:
    """The bucketed search gives np.searchsorted's positions: spread hashes, small
    ranges full of repeats, a crowded bucket, the int64 extremes, and queries before,
    inside and past the table."""
    from dedup.arrays import SortedIndex

    rng = np.random.default_rng(14)
    for trial in range(120):
        n = int(rng.integers(256, 4000))
        kind = trial % 4
        if kind == 0:
            table = np.sort(rng.integers(0, 2**64, n, dtype=np.uint64))
            q = rng.integers(0, 2**64, 5000, dtype=np.uint64)
        elif kind == 1:
            table = np.sort(rng.integers(-50, 50, n))
            q = rng.integers(-60, 60, 5000)
        elif kind == 2:  # most values in one bucket
            table = np.sort(np.r_[rng.integers(0, 10, n // 2), rng.integers(0, 2**62, n - n // 2)])
            q = np.r_[table[rng.integers(0, n, 2500)], rng.integers(-5, 2**62, 2500)]
        else:
            table = np.sort(rng.integers(-2**63, 2**63 - 1, n))
            q = np.r_[table[:100], table[-1:], table[:1], rng.integers(-2**63, 2**63 - 1, 4000)]
        np.testing.assert_array_equal(SortedIndex(table).search(q), np.searchsorted(table, q),
                                      err_msg=str(trial))
