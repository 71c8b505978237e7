"""LSH banding over a signature matrix: candidate pairs, in bulk.

Bands are chosen for *recall* (verification supplies precision): the rows per band
are the most that still give a candidate probability of at least ``target_recall``
for a pair exactly at the threshold. datasketch's own choice balances false positives
against false negatives and so misses 10-20% of the pairs at the threshold.

Buckets are found by sorting each band's hashed rows (no Python dict per band), and a
bucket larger than ``max_bucket`` (a common phrase, or material printed hundreds of
times) yields pairs between neighbours and to its first member instead of all its
pairs, so the cost stays linear in the number of passages.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .arrays import stable_order, unique_sorted
from .errors import ParameterError
from .parallel import ordered_map
from .signatures import fmix64


def candidate_probability(s: float, bands: int, rows: int, min_hits: int = 1) -> float:
    """Probability that a pair of Jaccard similarity ``s`` shares at least
    ``min_hits`` bands.

    >>> round(candidate_probability(0.5, 42, 3), 4), round(candidate_probability(0.5, 42, 3, 2), 4)
    (0.9963, 0.9743)
    """
    p = s**rows
    miss = sum(math.comb(bands, k) * p**k * (1.0 - p) ** (bands - k) for k in range(min_hits))
    return float(1.0 - miss)


@dataclass(frozen=True)
class LSHParams:
    """Banding of a signature of ``num_perm`` values into ``bands`` × ``rows``."""

    bands: int
    rows: int
    threshold: float
    target_recall: float
    min_hits: int = 1  # bands a pair must share to be a candidate

    @classmethod
    def for_recall(cls, num_perm: int, threshold: float, target_recall: float = 0.95,
                   max_hits: int = 1) -> LSHParams:
        """The largest ``rows`` (fewest false candidates) whose recall at the threshold
        is at least ``target_recall``. With ``max_hits`` above 1, a pair may also be
        required to share up to that many bands: of the settings that reach the
        recall, the one least likely to pass a pair at half the threshold is taken.

        >>> p = LSHParams.for_recall(128, 0.5)
        >>> (p.bands, p.rows, p.min_hits)
        (42, 3, 1)
        >>> p = LSHParams.for_recall(128, 0.5, max_hits=2)
        >>> (p.bands, p.rows, p.min_hits)
        (42, 3, 2)
        """
        if max_hits < 1:
            raise ParameterError(f"max_hits must be at least 1, got {max_hits}")
        if max_hits > 1:
            options = [cls.for_recall(num_perm, threshold, target_recall)]
            for hits in range(2, max_hits + 1):
                for rows in range(1, num_perm + 1):
                    bands = num_perm // rows
                    if candidate_probability(threshold, bands, rows, hits) >= target_recall:
                        options.append(cls(bands, rows, threshold, target_recall, hits))
            return min(options, key=lambda o: (candidate_probability(
                threshold / 2, o.bands, o.rows, o.min_hits), o.min_hits))
        if not 0.0 < threshold <= 1.0:
            raise ParameterError(f"LSH threshold must be in (0.0, 1.0], got {threshold}")
        if not 0.0 < target_recall < 1.0:
            raise ParameterError(f"target recall must be in (0.0, 1.0), got {target_recall}")
        best = (num_perm, 1)
        for rows in range(1, num_perm + 1):
            bands = num_perm // rows
            if candidate_probability(threshold, bands, rows) >= target_recall:
                best = (bands, rows)
            else:
                break
        return cls(bands=best[0], rows=best[1], threshold=threshold, target_recall=target_recall)

    def expected_hits(self, s: float) -> float:
        """Mean number of bands a pair of Jaccard similarity ``s`` shares."""
        return float(self.bands * s**self.rows)

    def to_dict(self) -> dict[str, object]:
        return {"bands": self.bands, "rows": self.rows, "threshold": self.threshold,
                "target_recall": self.target_recall, "min_hits": self.min_hits}


def band_key(sig: np.ndarray, lsh: LSHParams, band: int) -> np.ndarray:
    """One band's rows of every signature hashed to one uint64 key each."""
    n = sig.shape[0]
    h = np.full(n, np.uint64(band + 1), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(band * lsh.rows, (band + 1) * lsh.rows):
            h = fmix64(h * np.uint64(0x100000001B3) + sig[:, r].astype(np.uint64))
    return h


def band_keys(sig: np.ndarray, lsh: LSHParams) -> np.ndarray:
    """A ``(n, bands)`` uint64 matrix: each band's rows hashed to one key."""
    keys = np.empty((sig.shape[0], lsh.bands), dtype=np.uint64)
    for band in range(lsh.bands):
        keys[:, band] = band_key(sig, lsh, band)
    return keys


def candidate_pairs(sig: np.ndarray, lsh: LSHParams, *, valid: np.ndarray | None = None,
                    max_bucket: int = 64, min_hits: int = 1, workers: int = 1) -> np.ndarray:
    """Unique candidate pairs ``(i, j)`` with ``i < j`` as an ``(m, 2)`` int64 array,
    sorted. ``valid`` masks out units that must not be indexed (e.g. no features).

    ``min_hits`` keeps only pairs that share a bucket in at least that many bands: the
    number of bands a pair shares estimates its similarity (``bands * s**rows`` on
    average), so a pair far below the expected count at the threshold is dropped
    before the costlier verification. ``workers`` threads bucket the bands (the
    pairs do not depend on their number).
    """
    if max_bucket < 2:
        raise ParameterError(f"max_bucket must be at least 2, got {max_bucket}")
    n = sig.shape[0]
    idx = np.arange(n, dtype=np.int64) if valid is None else np.flatnonzero(valid)
    if len(idx) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    n64 = np.int64(n)
    # Pair keys (i * n + j, i < j) are merged with their hit counts every few bands,
    # so memory holds the distinct pairs, not one copy per band that found them.
    found: list[np.ndarray] = []
    uniq = np.zeros(0, dtype=np.int64)
    # A pair is found at most once per band: a byte counts its hits (up to 255 bands).
    hits = np.zeros(0, dtype=np.uint8 if lsh.bands < 256 else np.int32)
    bucket = functools.partial(_band_pairs, sig, lsh, idx if valid is not None else None,
                               idx, n64, max_bucket)
    for pairs in ordered_map(bucket, range(lsh.bands), workers):
        if len(found) >= 16 or sum(len(f) for f in found) > 4_000_000:
            uniq, hits = _merge(uniq, hits, found)
            found = []
        found.extend(pairs)
    uniq, hits = _merge(uniq, hits, found)
    uniq = uniq[hits >= min_hits]
    return np.stack([uniq // n64, uniq % n64], axis=1)


def _band_pairs(sig: np.ndarray, lsh: LSHParams, rows: np.ndarray | None, idx: np.ndarray,
                n64: np.int64, max_bucket: int, band: int) -> list[np.ndarray]:
    """The pair keys of one band's buckets (over ``rows`` of ``sig``, or all)."""
    k = band_key(sig, lsh, band)  # all rows: cheaper than copying sig[idx]
    if rows is not None:
        k = k[rows]
    order = stable_order(k)
    return bucket_pairs(k[order], idx[order], n64, max_bucket)


def bucket_pairs(ks: np.ndarray, members: np.ndarray, n64: np.int64, max_bucket: int
                 ) -> list[np.ndarray]:
    """Pair keys (``a * n + b``, ``a < b``) of the members sharing a bucket, given one
    band's keys ``ks`` sorted (stably) with their ``members``. A bucket of more than
    ``max_bucket`` members pairs each member with its neighbour and with the bucket's
    first member, so they stay connected at linear cost."""
    found = []
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]]) if len(ks) else np.zeros(0, int)
    sizes = np.diff(np.r_[starts, len(ks)])
    small = (sizes > 1) & (sizes <= max_bucket)
    for a, b in _all_pairs(members, starts[small], sizes[small]):
        found.append(_pair_keys(a, b, n64))
    big = sizes > max_bucket
    if big.any():
        bucket = np.repeat(np.arange(len(sizes)), sizes)
        pos = np.flatnonzero(big[bucket])
        first = starts[bucket[pos]]
        nb = pos[(pos + 1 < len(ks))]
        nb = nb[bucket[nb] == bucket[np.minimum(nb + 1, len(ks) - 1)]]
        found.append(_pair_keys(members[nb], members[nb + 1], n64))
        star = pos[pos - first >= 2]
        found.append(_pair_keys(members[starts[bucket[star]]], members[star], n64))
    return found


def _merge(uniq: np.ndarray, hits: np.ndarray, found: list[np.ndarray]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Fold newly found pair keys into the sorted unique keys and their hit counts
    (of ``hits``' type). Sorting, not np.unique: the keys are mostly distinct, where a
    plain sort and a neighbour test are faster than numpy's hash table; the new keys
    are then added into the running ones in place or inserted (memory holds the
    running keys about twice, not the four or five copies a sort of both would take).

    >>> u, h = _merge(np.zeros(0, np.int64), np.zeros(0, np.uint8), [np.array([2, 5])])
    >>> u, h = _merge(u, h, [np.array([5, 1, 5])])
    >>> u.tolist(), h.tolist()
    ([1, 2, 5], [1, 1, 3])
    """
    if not found:
        return uniq, hits
    new = np.sort(np.concatenate(found))
    new, counts = _runs(new, np.ones(len(new), dtype=hits.dtype))
    return merge_totals(uniq, hits, new, counts)


def merge_totals(keys: np.ndarray, total: np.ndarray, k: np.ndarray, sums: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Running totals (sorted unique ``keys``) plus a block's (sorted unique ``k``):
    added in place where the key is known, inserted in order where it is new (each
    key's block sums added in block order, as one sum over every block would).

    >>> keys, total = merge_totals(np.array([2, 5]), np.array([1.0, 1.0]),
    ...                            np.array([1, 5]), np.array([0.5, 2.0]))
    >>> keys.tolist(), total.tolist()
    ([1, 2, 5], [0.5, 1.0, 3.0])
    """
    at = np.searchsorted(keys, k)
    known = at < len(keys)
    known[known] = keys[at[known]] == k[known]
    total[at[known]] += sums[known]
    new = ~known
    return np.insert(keys, at[new], k[new]), np.insert(total, at[new], sums[new])


def _runs(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys with counts -> unique keys with summed counts."""
    if len(keys) == 0:
        return keys, counts
    start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[start], np.add.reduceat(counts, start)


def _pair_keys(a: np.ndarray, b: np.ndarray, n: np.int64) -> np.ndarray:
    """One int64 per unordered pair: ``min * n + max``."""
    return np.minimum(a, b) * n + np.maximum(a, b)


def _all_pairs(members: np.ndarray, starts: np.ndarray, sizes: np.ndarray
               ) -> list[tuple[np.ndarray, np.ndarray]]:
    """All pairs inside each bucket, vectorised per bucket size."""
    out = []
    for size in unique_sorted(sizes):
        st = starts[sizes == size]
        iu, ju = np.triu_indices(int(size), k=1)
        out.append((members[st[:, None] + iu[None, :]].ravel(),
                    members[st[:, None] + ju[None, :]].ravel()))
    return out


class SharedFeatures(NamedTuple):
    """Pairs of units sharing features (``key``: ``i * n + j``, ``i < j``, sorted),
    the weight they share and how many flagged (``run``) features."""

    key: np.ndarray
    weight: np.ndarray
    runs: np.ndarray
    n: int

    def pairs(self, mask: np.ndarray | None = None) -> np.ndarray:
        """The pairs (all, or where ``mask``) as an ``(m, 2)`` int64 array."""
        k = self.key if mask is None else self.key[mask]
        n64 = np.int64(self.n)
        return np.stack([k // n64, k % n64], axis=1)


def shared_features(unit: np.ndarray, feature: np.ndarray, weight: np.ndarray,
                    n_units: int, *, run: np.ndarray | None = None, max_postings: int = 64,
                    block: int = 1 << 20) -> SharedFeatures:
    """Every pair of units that shares a feature, with the weight it shares: an exact
    weighted join over an inverted index, for features found in few units (rare
    n-grams), where LSH would hash each to a band of its own.

    ``unit``, ``feature``, ``weight``: one entry per (unit, feature), each unit's
    features unique. A shared feature adds the smaller of its two weights (as
    verification counts it); ``run`` flags entries counted in ``runs``. Features in
    more than ``max_postings`` units are skipped (they are not rare). Pairs are
    generated ``block`` at a time and folded into one total per pair, so memory holds
    the pairs that share anything and one block.

    >>> unit = np.array([0, 1, 2, 0, 1]); feat = np.array([7, 7, 7, 9, 9])
    >>> s = shared_features(unit, feat, np.array([2., 2., 1., 1., 1.]), 3)
    >>> s.pairs().tolist(), s.weight.tolist()
    ([[0, 1], [0, 2], [1, 2]], [3.0, 1.0, 1.0])
    """
    if len(unit) == 0:
        return SharedFeatures(np.zeros(0, dtype=np.int64), np.zeros(0),
                              np.zeros(0, dtype=np.int32), n_units)
    if (len(feature) and int(feature.min()) >= 0 and int(unit.min()) >= 0
            and (int(feature.max()) + 1) * max(n_units, 1) < 1 << 62):
        # by feature, then unit, as one int64 key (4x faster than a two-key lexsort)
        order = stable_order(feature.astype(np.int64) * np.int64(max(n_units, 1)) + unit)
    else:
        order = np.lexsort((unit, feature))
    f = feature[order]
    starts = np.flatnonzero(np.r_[True, f[1:] != f[:-1]])
    sizes = np.diff(np.r_[starts, len(f)])
    del f
    n64 = np.int64(n_units)
    u = unit[order]  # its own type: a pair key below is computed in int64
    w = weight[order].astype(np.float64)
    r = run[order].astype(np.int32) if run is not None else None
    del order
    uniq = np.zeros(0, dtype=np.int64)
    tot_w = np.zeros(0, dtype=np.float64)
    tot_r = np.zeros(0, dtype=np.int32)
    pend: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    pending = 0

    def fold() -> None:
        nonlocal uniq, tot_w, tot_r, pend, pending
        keys = np.concatenate([p[0] for p in pend])
        # stable: a pair's weights are summed in the order its features came, on any
        # machine (numpy's default sort orders ties as its CPU-specific code does)
        o = stable_order(keys)
        keys = keys[o]
        ws = np.concatenate([p[1] for p in pend])[o]
        rs = np.concatenate([p[2] for p in pend])[o]
        pend, pending = [], 0
        if len(uniq):  # two sorted runs: a stable sort merges them in linear time
            keys = np.concatenate([uniq, keys])
            o = np.argsort(keys, kind="stable")
            keys = keys[o]
            ws = np.concatenate([tot_w, ws])[o]
            rs = np.concatenate([tot_r, rs])[o]
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        uniq, tot_w, tot_r = keys[first], np.add.reduceat(ws, first), np.add.reduceat(rs, first)

    for size in unique_sorted(sizes[(sizes > 1) & (sizes <= max_postings)]).tolist():
        st_all = starts[sizes == size]
        iu, ju = np.triu_indices(size, k=1)
        step = max(1, block // len(iu))
        for lo in range(0, len(st_all), step):
            st = st_all[lo:lo + step]
            ia = (st[:, None] + iu[None, :]).ravel()
            ib = (st[:, None] + ju[None, :]).ravel()
            key = u[ia].astype(np.int64) * n64 + u[ib]  # postings sorted by unit: u[ia] < u[ib]
            pw = np.minimum(w[ia], w[ib])
            pr = (r[ia] & r[ib]) if r is not None else np.zeros(len(ia), dtype=np.int32)
            pend.append((key, pw, pr))
            pending += len(key)
            if pending >= block:
                fold()
    if pend:
        fold()
    return SharedFeatures(uniq, tot_w, tot_r, n_units)
