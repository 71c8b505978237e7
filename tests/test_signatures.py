"""Tests for dedup.signatures: bulk MinHash equals datasketch, n-grams stay in units."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.errors import DedupError, ParameterError
from dedup.signatures import (
    MinHashParams,
    WordHasher,
    fmix32,
    fold32,
    ngram_features,
    signatures,
)

u32 = st.integers(0, 2**32 - 1)


def datasketch_signature(values: list[int], params: MinHashParams) -> np.ndarray:
    """The oracle: datasketch's own MinHash (affine32 is its default scheme)."""
    m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=lambda x: x)
    assert m.scheme == "affine32"
    if values:
        m.update_batch(values)
    return np.asarray(m.hashvalues, dtype=np.uint32)


@settings(max_examples=60, deadline=None)
@given(
    # Sentences and documents: units of fewer than 64 values and of more are signed
    # by different code.
    sets=st.lists(st.one_of(st.lists(u32, max_size=20), st.lists(u32, min_size=60, max_size=90)),
                  min_size=1, max_size=8),
    num_perm=st.integers(1, 64),
    seed=st.integers(0, 2**32 - 1),
    chunk=st.integers(1, 16),
    workers=st.integers(1, 3),
    data=st.data(),
)
def test_signatures_equal_datasketch(sets: list[list[int]], num_perm: int, seed: int,
                                     chunk: int, workers: int, data: st.DataObject) -> None:
    params = MinHashParams(num_perm=num_perm, seed=seed)
    unit = np.array([u for u, vals in enumerate(sets) for _ in vals], dtype=np.int64)
    feats = np.array([v for vals in sets for v in vals], dtype=np.uint32)
    # The input need not be grouped by unit.
    perm = np.array(data.draw(st.permutations(range(len(unit)))), dtype=np.int64)
    if len(perm):
        unit, feats = unit[perm], feats[perm]
    # Units of 64 values or more are signed along runs of ``chunk`` values (a unit
    # cut by a run's edge keeps the minimum of both parts), shorter ones in blocks of
    # units of about one size; on ``workers`` threads.
    sig = signatures(unit, feats, len(sets), params, chunk=chunk, workers=workers)
    assert sig.shape == (len(sets), num_perm) and sig.dtype == np.uint32
    for u, vals in enumerate(sets):
        np.testing.assert_array_equal(sig[u], datasketch_signature(vals, params))


def test_empty_unit_keeps_the_empty_value() -> None:
    params = MinHashParams(num_perm=16)
    sig = signatures(np.array([0, 2], np.int64), np.array([5, 7], np.uint32), 4, params)
    assert (sig[1] == 2**32 - 1).all() and (sig[3] == 2**32 - 1).all()
    np.testing.assert_array_equal(sig[1], datasketch_signature([], params))
    empty = signatures(np.zeros(0, np.int64), np.zeros(0, np.uint32), 2, params)
    assert (empty == 2**32 - 1).all()


def test_fmix32_matches_datasketch_premix() -> None:
    from datasketch.minhash import _fmix

    x = np.array([0, 1, 2, 12345, 2**32 - 1], dtype=np.uint32)
    np.testing.assert_array_equal(fmix32(x), _fmix(x.copy(), 32))


@settings(max_examples=25, deadline=None)
@given(
    n_common=st.integers(0, 150),
    n_a=st.integers(0, 150),
    n_b=st.integers(0, 150),
    seed=st.integers(0, 1000),
)
def test_minhash_estimate_close_to_exact_jaccard(n_common: int, n_a: int, n_b: int,
                                                 seed: int) -> None:
    if n_common + n_a + n_b == 0:
        n_common = 1
    rng = np.random.default_rng(seed)
    values = rng.choice(2**32, size=n_common + n_a + n_b, replace=False).astype(np.uint32)
    common, only_a, only_b = np.split(values, [n_common, n_common + n_a])
    a = np.concatenate([common, only_a])
    b = np.concatenate([common, only_b])
    exact = n_common / (n_common + n_a + n_b)
    unit = np.r_[np.zeros(len(a), np.int64), np.ones(len(b), np.int64)]
    sig = signatures(unit, np.r_[a, b], 2, MinHashParams(num_perm=256, seed=seed))
    estimate = float(np.mean(sig[0] == sig[1]))
    assert abs(estimate - exact) <= 0.15


def test_identical_and_disjoint_sets() -> None:
    params = MinHashParams(num_perm=128)
    vals = np.arange(50, dtype=np.uint32)
    sig = signatures(np.repeat(np.arange(3), 50), np.r_[vals, vals, vals + 1000], 3, params)
    assert (sig[0] == sig[1]).all()
    assert np.mean(sig[0] == sig[2]) < 0.05


def _hash_of(words: list[str], hasher: WordHasher) -> int:
    """One n-gram hashed on its own (a unit of exactly n words)."""
    n = len(words)
    _, h = ngram_features(hasher.hash_words(words), np.zeros(n, np.int64), (n,))
    assert len(h) == 1
    return int(h[0])


@settings(max_examples=80, deadline=None)
@given(
    units=st.lists(st.lists(st.sampled_from("abcdef"), max_size=7), min_size=1, max_size=6),
    ngrams=st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True).map(tuple),
)
def test_ngram_features_stay_inside_units(units: list[list[str]],
                                          ngrams: tuple[int, ...]) -> None:
    hasher = WordHasher()
    words = [w for ws in units for w in ws]
    unit = np.array([u for u, ws in enumerate(units) for _ in ws], dtype=np.int64)
    got_u, got_h = ngram_features(hasher.hash_words(words), unit, ngrams)
    assert got_h.dtype == np.uint64
    # Oracle: every in-unit word n-gram, hashed on its own.
    expected = sorted(
        (u, _hash_of(ws[i:i + n], hasher))
        for u, ws in enumerate(units)
        for n in ngrams
        for i in range(len(ws) - n + 1)
    )
    assert sorted(zip(got_u.tolist(), got_h.tolist(), strict=True)) == expected


def test_equal_ngrams_in_different_units_hash_equal() -> None:
    hasher = WordHasher()
    units = [["north", "korean", "troops"], ["the", "north", "korean", "army"]]
    words = [w for ws in units for w in ws]
    unit = np.array([0, 0, 0, 1, 1, 1, 1], dtype=np.int64)
    got_u, got_h = ngram_features(hasher.hash_words(words), unit, (2,))
    by_unit = {u: set(got_h[got_u == u].tolist()) for u in (0, 1)}
    shared = by_unit[0] & by_unit[1]
    assert shared == {_hash_of(["north", "korean"], hasher)}
    # No bigram "troops the" across the boundary.
    assert _hash_of(["troops", "the"], hasher) not in set(got_h.tolist())


def test_ngram_sizes_never_collide() -> None:
    hasher = WordHasher()
    wh = hasher.hash_words(["a", "a"])
    _, h1 = ngram_features(wh[:1], np.zeros(1, np.int64), (1,))
    _, h2 = ngram_features(wh, np.zeros(2, np.int64), (2,))
    assert h1[0] != h2[0]


def test_ngram_features_of_too_short_input() -> None:
    u, h = ngram_features(np.zeros(0, np.uint64), np.zeros(0, np.int64), (1, 2))
    assert len(u) == len(h) == 0
    u, h = ngram_features(np.ones(1, np.uint64), np.zeros(1, np.int64), (2, 3))
    assert len(u) == len(h) == 0


def test_word_hashes_are_stable_and_fold32_keeps_low_bits() -> None:
    a, b = WordHasher(), WordHasher()
    assert a("korea") == b("korea") != a("korean")
    assert 0 <= a("korea") < 2**64
    h = np.array([0x0000000100000002, 0xFFFFFFFF00000000], dtype=np.uint64)
    np.testing.assert_array_equal(fold32(h), np.array([3, 0xFFFFFFFF], dtype=np.uint32))


def test_signatures_are_deterministic() -> None:
    rng = np.random.default_rng(7)
    unit = rng.integers(0, 20, 500)
    feats = rng.integers(0, 2**32, 500, dtype=np.uint64).astype(np.uint32)
    params = MinHashParams(num_perm=64, seed=3)
    first = signatures(unit, feats, 20, params)
    np.testing.assert_array_equal(first, signatures(unit, feats, 20, params, chunk=37))
    np.testing.assert_array_equal(first, signatures(unit.copy(), feats.copy(), 20, params))
    other_seed = signatures(unit, feats, 20, MinHashParams(num_perm=64, seed=4))
    assert not np.array_equal(first, other_seed)


@pytest.mark.parametrize(
    ("kwargs", "bound"),
    [
        ({"num_perm": 0}, "num_perm must be in [1, 1024]"),
        ({"num_perm": 1025}, "num_perm must be in [1, 1024]"),
        ({"shingle": "char"}, "shingle kind must be 'word'"),
        ({"ngrams": ()}, "ngram sizes must be in [1, 12]"),
        ({"ngrams": (0, 1)}, "ngram sizes must be in [1, 12]"),
        ({"ngrams": (13,)}, "ngram sizes must be in [1, 12]"),
        ({"seed": -1}, "seed must be in [0, 2**32)"),
        ({"seed": 2**32}, "seed must be in [0, 2**32)"),
    ],
)
def test_params_validation_names_the_bound(kwargs: dict[str, object], bound: str) -> None:
    with pytest.raises(ParameterError) as err:
        MinHashParams(**kwargs)  # type: ignore[arg-type]
    assert bound in str(err.value)
    assert isinstance(err.value, DedupError) and isinstance(err.value, ValueError)


def test_params_to_dict_records_the_scheme() -> None:
    d = MinHashParams(num_perm=64, seed=9).to_dict()
    assert d == {"num_perm": 64, "seed": 9, "shingle": "word", "ngrams": [1, 2, 3],
                 "scheme": "datasketch-affine32"}
