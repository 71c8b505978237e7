"""The feature table: every passage's word n-grams with corpus-level weights.

Shared topic words ("North Korean troops", "Russia") are no evidence of shared
material; shared distinctive wording is. Each passage is a set of word n-grams
(1..3 by default) and each n-gram a weight built from four rules:

* rarity: ``idf = log((N + 1) / df)``, where ``df`` counts the *distinct* passages that hold
  it (exact repeats count once, so a story reprinted a hundred times does not make its
  own wording look common) and ``N`` is the number of distinct passages;
* an n-gram is worth only the information it adds to its two (n-1)-gram parts
  (``idf(abc) - max(idf(ab), idf(bc))``), so a long shared name ("North Korean leader
  Kim Jong Un") counts about as much as its rarest word, not fifteen times;
* names and numbers are the story's topic, shared by every outlet that covers it:
  words capitalised inside a sentence and numbers weigh ``topic_weight`` (0.3);
* quoted words weigh ``quote_weight`` (1.5): outlets reword their prose but keep the
  quotations they took from the wire.

Scripts without case (Urdu, Arabic, Chinese) simply get no name discount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .signatures import WordHasher, fmix64, ngram_features


@dataclass(frozen=True)
class FeatureTable:
    """Per-passage sorted unique features (CSR layout) with their weights.

    ``feats[indptr[u]:indptr[u+1]]`` are passage ``u``'s feature hashes, ``weights``
    the matching weights, ``gram`` the n-gram sizes; ``total[u]`` sums its weights and
    ``n_words[u]`` is its length in words; ``key[u]`` hashes its word sequence.
    """

    indptr: np.ndarray
    feats: np.ndarray
    weights: np.ndarray
    gram: np.ndarray
    df: np.ndarray
    total: np.ndarray
    n_words: np.ndarray
    key: np.ndarray
    n_distinct: int
    plain: np.ndarray | None = None  # n-gram holds no name or number (topic word)

    def features(self, u: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[u], self.indptr[u + 1]
        return self.feats[lo:hi], self.weights[lo:hi]

    stock_df: int | None = None

    @property
    def log_n(self) -> float:
        """The weight of a feature found in one passage only (before the topic and
        quote factors): ``log(N + 1)``, or ``log(stock_df)`` when that is smaller."""
        top = self.n_distinct + 1
        if self.stock_df is not None:
            top = min(top, self.stock_df)
        return float(np.log(max(top, 2)))


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def sequence_keys_hashed(word_hashes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """One 64-bit key per word sequence, from its words' hashes (0 for an empty
    sequence): equal sequences, equal keys; order matters.

    >>> h = np.array([5, 7, 5, 7, 7, 5], dtype=np.uint64)
    >>> k = sequence_keys_hashed(h, np.array([2, 2, 2, 0]))
    >>> bool(k[0] == k[1]), bool(k[0] == k[2]), int(k[3])
    (True, False, 0)
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    keys = np.zeros(len(lengths), dtype=np.uint64)
    if len(word_hashes) == 0:
        return keys
    starts = np.cumsum(lengths) - lengths
    pos = np.arange(len(word_hashes), dtype=np.int64) - np.repeat(starts, lengths)
    with np.errstate(over="ignore"):
        mixed = fmix64(word_hashes ^ fmix64((pos.astype(np.uint64) + np.uint64(1)) * _GOLDEN))
        nonempty = lengths > 0
        sums = np.add.reduceat(mixed, starts[nonempty])
        keys[nonempty] = fmix64(sums ^ (lengths[nonempty].astype(np.uint64) * _GOLDEN))
    keys[nonempty & (keys == 0)] = 1
    return keys


def sequence_keys(word_lists: Sequence[Sequence[str]], hasher: WordHasher | None = None
                  ) -> np.ndarray:
    """:func:`sequence_keys_hashed` of passages given as lists of words."""
    hasher = hasher or WordHasher()
    lengths = np.fromiter((len(w) for w in word_lists), dtype=np.int64, count=len(word_lists))
    return sequence_keys_hashed(hasher.hash_words([w for ws in word_lists for w in ws]),
                                lengths)


def build_features(word_lists: list[list[str]], ngrams: tuple[int, ...] = (1, 2, 3), *,
                   multipliers: list[list[float]] | None = None,
                   stock_df: int | None = None,
                   hasher: WordHasher | None = None) -> FeatureTable:
    """Build the table for passages given as lists of normalised words.

    ``multipliers`` gives each word's weight factor (topic and quote rules); an
    n-gram takes the smallest factor of its words.
    """
    hasher = hasher or WordHasher()
    lengths = np.fromiter((len(w) for w in word_lists), dtype=np.int64,
                          count=len(word_lists))
    wh = hasher.hash_words([w for ws in word_lists for w in ws])
    mult = (np.fromiter((m for ms in multipliers for m in ms), dtype=np.float64, count=len(wh))
            if multipliers is not None else None)
    return build_features_hashed(wh, lengths, ngrams, multipliers=mult, stock_df=stock_df)


def build_features_hashed(word_hashes: np.ndarray, lengths: np.ndarray,
                          ngrams: tuple[int, ...] = (1, 2, 3), *,
                          multipliers: np.ndarray | None = None,
                          stock_df: int | None = None) -> FeatureTable:
    """:func:`build_features` for passages given as their words' hashes, laid end to
    end (``lengths`` words each), with one weight factor per word."""
    wh = np.asarray(word_hashes, dtype=np.uint64)
    lengths = np.asarray(lengths, dtype=np.int64)
    n_units = len(lengths)
    unit = np.repeat(np.arange(n_units, dtype=np.int64), lengths)
    mult = (np.asarray(multipliers, dtype=np.float64) if multipliers is not None
            else np.ones(len(wh)))
    key = sequence_keys_hashed(wh, lengths)
    n_distinct = int(len(np.unique(key[lengths > 0])))

    # Every n-gram occurrence with its position, hash and factor.
    occ_u, occ_f, occ_g, occ_m, occ_pos = [], [], [], [], []
    grams_by_n: dict[int, np.ndarray] = {}
    for n in sorted(set(ngrams) | {k for top in ngrams for k in range(1, top)}):
        m = len(wh) - n + 1
        if m <= 0:
            grams_by_n[n] = np.zeros(0, np.uint64)
            continue
        _, h_all = ngram_features(wh, np.zeros(len(wh), np.int64), (n,))
        grams_by_n[n] = h_all  # hash of the n-gram starting at each position
        if n not in ngrams:
            continue
        same = unit[:m] == unit[n - 1:]
        fac = mult[:m].copy()
        for k in range(1, n):
            fac = np.minimum(fac, mult[k:k + m])
        pos = np.flatnonzero(same)
        occ_u.append(unit[pos])
        occ_f.append(h_all[pos])
        occ_g.append(np.full(len(pos), n, np.int8))
        occ_m.append(fac[pos])
        occ_pos.append(pos)
    if not occ_u or sum(len(x) for x in occ_u) == 0:
        empty = np.zeros(0)
        return FeatureTable(np.zeros(n_units + 1, np.int64), empty.astype(np.uint64), empty,
                            empty.astype(np.int8), empty.astype(np.int64), np.zeros(n_units),
                            lengths, key, n_distinct)
    u = np.concatenate(occ_u)
    f = np.concatenate(occ_f)
    g = np.concatenate(occ_g)
    fac = np.concatenate(occ_m)
    pos = np.concatenate(occ_pos)

    # Document frequency over distinct passages (by key), for every n-gram size
    # needed (the sub-grams too, for the information rule).
    # One int64 key per (feature, distinct passage) pair: unique on a flat int64 array
    # is much faster than unique over rows of two uint64 columns.
    _, distinct = np.unique(key, return_inverse=True)
    positions = list(_positions(grams_by_n, unit))
    all_h = np.concatenate([grams_by_n[n][pos_n] for n, pos_n in positions])
    all_d = np.concatenate([distinct[unit[pos_n]] for _, pos_n in positions]).astype(np.int64)
    uniq_h, rank = np.unique(all_h, return_inverse=True)
    # Mostly distinct values: a plain sort and a neighbour test beat np.unique's hash
    # table here.
    seen = np.sort(rank.astype(np.int64) * np.int64(len(key) + 1) + all_d)
    seen = seen[np.r_[True, seen[1:] != seen[:-1]]]
    df_counts = np.bincount(seen // np.int64(len(key) + 1), minlength=len(uniq_h))

    def idf_of(h: np.ndarray) -> np.ndarray:
        d = df_counts[np.searchsorted(uniq_h, h)]
        idf = np.log((n_distinct + 1) / d)
        if stock_df is not None:
            idf = np.maximum(np.minimum(idf, np.log(stock_df / d)), 0.0)
        return idf, d

    idf, df = idf_of(f)
    info = idf.copy()
    for n in set(g.tolist()):
        if n == 1:
            continue
        sel = g == n
        p = pos[sel]
        pre, _ = idf_of(grams_by_n[n - 1][p])
        suf, _ = idf_of(grams_by_n[n - 1][p + 1])
        info[sel] = np.maximum(idf[sel] - np.maximum(pre, suf), 0.0)
    w = info * fac
    plain = fac >= 1.0

    # One entry per (unit, feature): the largest weight among its occurrences.
    order = np.lexsort((-w, f, u))
    u, f, g, w, df, plain = u[order], f[order], g[order], w[order], df[order], plain[order]
    keep = np.r_[True, (u[1:] != u[:-1]) | (f[1:] != f[:-1])]
    u, f, g, w, df, plain = u[keep], f[keep], g[keep], w[keep], df[keep], plain[keep]

    indptr = np.zeros(n_units + 1, dtype=np.int64)
    np.add.at(indptr, u + 1, 1)
    indptr = np.cumsum(indptr)
    total = np.bincount(u, weights=w, minlength=n_units).astype(np.float64)
    return FeatureTable(indptr=indptr, feats=f, weights=w, gram=g, df=df, total=total,
                        n_words=lengths, key=key, n_distinct=n_distinct, plain=plain,
                        stock_df=stock_df)


def _positions(grams_by_n: dict[int, np.ndarray], unit: np.ndarray):
    """Positions of every in-unit n-gram, per size."""
    for n, h in grams_by_n.items():
        m = len(h)
        if m == 0:
            continue
        yield n, np.flatnonzero(unit[:m] == unit[n - 1:n - 1 + m])


def shared_stats_bulk(table: FeatureTable, pairs: np.ndarray, *, chunk: int = 1 << 16
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shared_stats` for many pairs at once (``pairs`` is ``(m, 2)``).

    Each chunk of pairs lays out both sides' features keyed by ``(pair, feature)``
    and intersects the keys with one sort, instead of one Python call per pair.
    """
    m = len(pairs)
    shared = np.zeros(m, dtype=np.float64)
    runs = np.zeros(m, dtype=np.int64)
    if m == 0 or len(table.feats) == 0:
        return shared, runs
    # Dense feature ids so that (pair, feature) fits one int64 key.
    _, fid = np.unique(table.feats, return_inverse=True)
    n_f = np.int64(fid.max() + 1)
    top = int(table.gram.max())
    is_run = table.gram == top
    if table.plain is not None:
        is_run &= table.plain
    for lo in range(0, m, chunk):
        p = pairs[lo:lo + chunk]
        ia = _expand(table.indptr, p[:, 0])
        ib = _expand(table.indptr, p[:, 1])
        ka = ia[0] * n_f + fid[ia[1]]
        kb = ib[0] * n_f + fid[ib[1]]
        _, xa, xb = np.intersect1d(ka, kb, assume_unique=True, return_indices=True)
        owner = ia[0][xa]
        w = np.minimum(table.weights[ia[1][xa]], table.weights[ib[1][xb]])
        shared[lo:lo + len(p)] = np.bincount(owner, weights=w, minlength=len(p))
        runs[lo:lo + len(p)] = np.bincount(owner, weights=is_run[ia[1][xa]],
                                           minlength=len(p)).astype(np.int64)
    return shared, runs


def _expand(indptr: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(local pair index, entry index) for every feature entry of ``units``."""
    starts = indptr[units]
    lengths = indptr[units + 1] - starts
    owner = np.repeat(np.arange(len(units), dtype=np.int64), lengths)
    offsets = np.arange(lengths.sum(), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths,
                                                                   lengths)
    return owner, np.repeat(starts, lengths) + offsets


def shared_weight(table: FeatureTable, a: int, b: int) -> float:
    """Sum over the features two passages share of the smaller of their weights."""
    return shared_stats(table, a, b)[0]


def shared_stats(table: FeatureTable, a: int, b: int) -> tuple[float, int]:
    """The shared weight of two passages and how many of their longest n-grams (the
    largest size in the table) they share, not counting n-grams made with names or
    numbers: a verbatim run of ordinary words is evidence of copying however common
    the run is in the corpus, a run of names ("President Vladimir Putin") is not."""
    fa, wa = table.features(a)
    fb, wb = table.features(b)
    _, ia, ib = np.intersect1d(fa, fb, assume_unique=True, return_indices=True)
    lo = table.indptr[a]
    top = int(table.gram.max()) if len(table.gram) else 0
    run = table.gram[lo + ia] == top
    if table.plain is not None:
        run &= table.plain[lo + ia]
    return float(np.minimum(wa[ia], wb[ib]).sum()), int(run.sum())


__all__ = ["FeatureTable", "build_features", "build_features_hashed", "sequence_keys",
           "sequence_keys_hashed", "shared_stats", "shared_stats_bulk", "shared_weight"]
