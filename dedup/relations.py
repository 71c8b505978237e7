"""Document relations: which document derives from which, and how much of it.

A pair of documents is examined when they share material: a chain of matched
sentences (:mod:`dedup.passages`), or enough shared weight among their candidate
passage pairs. The two documents' words are then aligned (:func:`word_coverage`):
the **coverage** of a document is the share of its words inside regions aligned
with the other, reworded words inside a region included. Word level, because an
outlet that rewrites wire copy merges and splits its sentences: sentence matches
alone find too little of it. The derived document's coverage gives the verdict
(``wholly`` at or above :data:`WHOLLY`, ``partially`` at or above
:data:`PARTIALLY`); a pair below ``partially`` gets no relation: it is not derived.
``dedup compare`` reports the same figure.

Direction, recorded on each relation as ``rule``:

* ``earlier date``: where both documents have a readable date and the dates differ,
  the earlier one is the source;
* ``more covered``: otherwise the document more of whose words are shared is the
  derived one (a reprint is mostly wire copy; the wire story is not mostly the
  reprint's), ties going to the earlier document in corpus order as the source.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

import numpy as np

from .align import _densest

__all__ = ["PARTIALLY", "RULE_EARLIER_DATE", "RULE_MORE_COVERED", "WHOLLY", "Relation", "relate"]

# Verdict thresholds on the derived document's coverage, fitted ONCE on the public
# COUNTER split (421 Urdu agency/newspaper pairs) and then frozen: the grid search of
# `python -m benchmarks.counter_compare --fit` (steps of 0.005, best 3-way macro-F1)
# on this coverage gave partially 0.16, wholly 0.48 (3-way 0.733 in-sample).
WHOLLY = 0.48
PARTIALLY = 0.16

RULE_EARLIER_DATE = "earlier date"
RULE_MORE_COVERED = "more covered"


class Relation(NamedTuple):
    """``derived`` takes ``coverage`` of its words from ``source``.

    ``source_coverage`` is the share of the source's words in the shared material;
    ``clusters`` the ids of the cross-document clusters that hold it.
    """

    source: str
    derived: str
    coverage: float
    source_coverage: float
    verdict: str
    rule: str
    clusters: tuple[int, ...]


def relate(pairs: Sequence[tuple[int, int]], coverages: Sequence[Coverage],
           doc_ids: Sequence[str], dates: Sequence[datetime | None],
           clusters_of_pair: dict[tuple[int, int], set[int]], *,
           verdict: Callable[[float], str]) -> list[Relation]:
    """One :class:`Relation` per document pair ``(a, b)``, ``a < b``, whose coverage
    (:func:`word_coverage` of ``a``'s words against ``b``'s) reaches the ``partially``
    threshold, sorted by derived coverage (highest first), then by ids.

    ``clusters_of_pair`` lists the cross-document clusters that hold both documents'
    shared material; ``verdict(coverage)`` returns ``wholly``, ``partially`` or
    ``non``.
    """
    out = []
    for (da, db), cov in zip(pairs, coverages, strict=True):
        cov_a, cov_b = cov.share_a, cov.share_b
        ta, tb = dates[da], dates[db]
        if ta is not None and tb is not None and ta != tb:
            rule = RULE_EARLIER_DATE
            a_is_source = ta < tb
        else:
            rule = RULE_MORE_COVERED
            a_is_source = cov_b >= cov_a  # a < b: ties keep corpus order
        src, der, c_src, c_der = (da, db, cov_a, cov_b) if a_is_source else (db, da, cov_b, cov_a)
        v = verdict(c_der)
        if v == "non":
            continue
        out.append(Relation(doc_ids[src], doc_ids[der], c_der, c_src, v, rule,
                            tuple(sorted(clusters_of_pair.get((da, db), ())))))
    out.sort(key=lambda r: (-r.coverage, r.derived, r.source))
    return out


# ------------------------------------------------------------ word-level coverage

PARALLEL_MIN_PAIRS = 2000  # fewer pairs are aligned in this process
_SHARED: tuple[np.ndarray, np.ndarray, Sequence[tuple[int, int]]] | None = None


def coverages(word_ids: np.ndarray, word_ptr: np.ndarray, pairs: Sequence[tuple[int, int]], *,
              workers: int | None = None) -> list[Coverage]:
    """:func:`word_coverage` of each document pair ``(a, b)``, where document ``d``'s
    words are ``word_ids[word_ptr[d]:word_ptr[d + 1]]``, in order. ``workers``
    forked processes share a large batch (default: every CPU this process may use);
    the result does not depend on their number."""
    global _SHARED
    from .tokens import _quiet_worker, default_workers

    workers = default_workers() if workers is None else max(1, workers)
    forkable = (sys.platform.startswith("linux")
                and "fork" in multiprocessing.get_all_start_methods())
    if workers == 1 or len(pairs) < PARALLEL_MIN_PAIRS or not forkable:
        return _cover_span(word_ids, word_ptr, pairs, 0, len(pairs))
    step = -(-len(pairs) // (workers * 8))
    spans = [(lo, min(len(pairs), lo + step)) for lo in range(0, len(pairs), step)]
    _SHARED = (word_ids, word_ptr, pairs)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
            return [c for part in pool.imap(_cover_work, spans) for c in part]
    finally:
        _SHARED = None


def _cover_work(span: tuple[int, int]) -> list[Coverage]:
    assert _SHARED is not None
    return _cover_span(*_SHARED, *span)


def _cover_span(ids: np.ndarray, ptr: np.ndarray, pairs: Sequence[tuple[int, int]], lo: int,
                hi: int) -> list[Coverage]:
    return [word_coverage(ids[ptr[a]:ptr[a + 1]], ids[ptr[b]:ptr[b + 1]])
            for a, b in pairs[lo:hi]]


_Block = tuple[int, int, int]  # (word in a, word in b, size)


class Coverage(NamedTuple):
    """Words of each document inside material aligned with the other.

    ``covered_a``/``covered_b``: covered word counts; ``regions``: the aligned
    regions as ``(a_first, a_end, b_first, b_end, matched)`` word ranges (half-open),
    in ``b`` order; ``longest_run``: the longest run of consecutive shared words.
    """

    words_a: int
    words_b: int
    covered_a: int
    covered_b: int
    regions: tuple[tuple[int, int, int, int, int], ...]
    longest_run: int

    @property
    def share_a(self) -> float:
        return round(self.covered_a / self.words_a, 4) if self.words_a else 0.0

    @property
    def share_b(self) -> float:
        return round(self.covered_b / self.words_b, 4) if self.words_b else 0.0


def word_coverage(ids_a: Sequence[int], ids_b: Sequence[int], *, min_run: int = 2,
                  gap_penalty: float = 0.5, max_gap: int = 2) -> Coverage:
    """How much of each word sequence lies in regions aligned with the other.

    1. Only words inside a run of ``min_run`` consecutive words found in both can
       match: a lone shared word ("the", "کے") is never evidence.
    2. Those words are aligned in order (RapidFuzz LCS) and cut into regions, each the
       densest run of matches: matched words minus ``gap_penalty`` per unmatched word
       between them (Kadane). Regions with ``min_run`` matched words or more are kept
       and grown over equal words at their edges; their words are masked out and the
       search repeats, so material taken in another order is found too.
    3. Inside a region, matched words count as covered, and so do the words of a gap
       of at most ``max_gap`` words on each side between two matched blocks (a
       reworded word or two); longer inserted material does not.

    Linear in the words apart from the LCS.

    >>> c = word_coverage([1, 2, 3, 4, 5, 6], [9, 1, 2, 3, 8, 5, 6, 7])
    >>> c.covered_a, c.covered_b, c.regions
    (6, 6, ((0, 6, 1, 7, 5),))
    """
    from rapidfuzz.distance import Indel

    a = np.asarray(ids_a, dtype=np.int64)
    b = np.asarray(ids_b, dtype=np.int64)
    na, nb = len(a), len(b)
    keep_a, keep_b = _anchored(a, b, min_run)
    if not keep_a.any():
        # No shared min_run-gram: no word can match (nor a run stand on its own).
        return Coverage(na, nb, 0, 0, (), 0)
    ida, idb = a.tolist(), b.tolist()
    # A word outside every shared min_run-gram gets an id of its own that matches
    # nothing (negative, unique), and so does a word once a region holds it.
    own_a = -1 - np.arange(na, dtype=np.int64)
    own_b = -1 - na - np.arange(nb, dtype=np.int64)
    arr_a = np.where(keep_a, a, own_a)
    arr_b = np.where(keep_b, b, own_b)
    work_a, work_b = arr_a.tolist(), arr_b.tolist()
    taken_a = np.zeros(na, dtype=bool)
    taken_b = np.zeros(nb, dtype=bool)
    found: list[list[_Block]] = []
    while True:
        blocks = [(m.a, m.b, m.size)
                  for m in Indel.opcodes(work_a, work_b).as_matching_blocks() if m.size]
        regions = _regions(blocks, min_run, gap_penalty)
        if not regions and not found:
            # The LCS may pick scattered words over a shorter chain that holds a real
            # run ("cd ab cd" / "ab cd cd cd ab"): then the longest run stands.
            run = _longest_shared_run(work_a, work_b, min_run)
            regions = [[run]] if run is not None else []
        if not regions:
            break
        for region in regions:
            (i1, j1, _), (i2, j2, size) = region[0], region[-1]
            taken_a[i1:i2 + size] = True
            taken_b[j1:j2 + size] = True
        for region in regions:
            _widen(region, ida, idb, taken_a, taken_b)
            found.append(region)
        arr_a[taken_a] = own_a[taken_a]
        arr_b[taken_b] = own_b[taken_b]
        if not (arr_a >= 0).any():
            break  # nothing left to match: the next search would find nothing
        work_a, work_b = arr_a.tolist(), arr_b.tolist()
    cov_a = np.zeros(na, dtype=bool)
    cov_b = np.zeros(nb, dtype=bool)
    out = []
    for region in found:
        _mark(cov_a, region, 0, max_gap)
        _mark(cov_b, region, 1, max_gap)
        (i1, j1, _), (i2, j2, size) = region[0], region[-1]
        out.append((i1, i2 + size, j1, j2 + size, sum(x[2] for x in region)))
    out.sort(key=lambda r: (r[2], r[0]))
    return Coverage(na, nb, int(cov_a.sum()), int(cov_b.sum()), tuple(out),
                    max((x[2] for r in found for x in r), default=0))


def _anchored(a: np.ndarray, b: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the words of both id sequences (non-negative ints below ``2**31``) that
    lie inside a ``k``-gram shared by both. A ``k``-gram is one int key (exact for
    ``k <= 2``, hashed past)."""
    na, nb = len(a), len(b)
    keep_a = np.zeros(na, dtype=bool)
    keep_b = np.zeros(nb, dtype=bool)
    if na >= k and nb >= k:
        ga, gb = _gram_keys(a, k), _gram_keys(b, k)
        hit_a = _member(ga, np.sort(gb))
        if hit_a.any():
            hit_b = _member(gb, np.sort(ga))
            for off in range(k):
                keep_a[off:off + len(ga)] |= hit_a
                keep_b[off:off + len(gb)] |= hit_b
    return keep_a, keep_b


def _member(x: np.ndarray, sorted_y: np.ndarray) -> np.ndarray:
    """``np.isin(x, sorted_y)`` for a sorted, non-empty ``sorted_y``, without isin's
    overhead on the short arrays of one document."""
    at = np.minimum(np.searchsorted(sorted_y, x), len(sorted_y) - 1)
    return sorted_y[at] == x


def _gram_keys(ids: np.ndarray, k: int) -> np.ndarray:
    n = len(ids) - k + 1
    key = ids[:n].astype(np.int64)
    for off in range(1, k):
        nxt = ids[off:off + n].astype(np.int64)
        key = (key << 31) | nxt if k == 2 else key * np.int64(1_000_003) + nxt
    return key


def _regions(blocks: Sequence[_Block], min_run: int, gap_penalty: float) -> list[list[_Block]]:
    """Cut one in-order chain of matching blocks into dense regions: the densest run,
    then the densest runs before and after it (iteratively, in order)."""
    out: list[list[_Block]] = []
    todo = [(0, len(blocks))]
    while todo:
        lo, hi = todo.pop()
        best = _densest(blocks[lo:hi], gap_penalty)  # the aligner's Kadane search
        if best is None or best[3] < min_run:
            continue
        first, last = lo + best[0], lo + best[1]
        out.append(list(blocks[first:last + 1]))
        todo.append((last + 1, hi))
        todo.append((lo, first))
    out.sort()
    return out


def _longest_shared_run(a: Sequence[int], b: Sequence[int], k: int,
                        max_starts: int = 64) -> _Block | None:
    """The longest run of at least ``k`` equal ids in both, first in ``b`` on ties.

    >>> _longest_shared_run([3, 1, 3], [1, 3, 3, 3, 1], 2)
    (1, 0, 2)
    """
    starts: dict[tuple[int, ...], list[int]] = {}
    for i in range(len(a) - k + 1):
        at = starts.setdefault(tuple(a[i:i + k]), [])
        if len(at) < max_starts:
            at.append(i)
    best: _Block | None = None
    for j in range(len(b) - k + 1):
        for i in starts.get(tuple(b[j:j + k]), ()):
            size = k
            while i + size < len(a) and j + size < len(b) and a[i + size] == b[j + size]:
                size += 1
            if best is None or size > best[2]:
                best = (i, j, size)
    return best


def _widen(region: list[_Block], ida: Sequence[int], idb: Sequence[int],
           ta: np.ndarray, tb: np.ndarray) -> None:
    """Grow a region's first and last blocks over equal words next to them that no
    region holds yet (the LCS may have spent such a word elsewhere)."""
    a, b, size = region[0]
    while a and b and not ta[a - 1] and not tb[b - 1] and ida[a - 1] == idb[b - 1]:
        a, b, size = a - 1, b - 1, size + 1
        ta[a] = tb[b] = True
    region[0] = (a, b, size)
    a, b, size = region[-1]
    while (a + size < len(ida) and b + size < len(idb) and not ta[a + size]
           and not tb[b + size] and ida[a + size] == idb[b + size]):
        ta[a + size] = tb[b + size] = True
        size += 1
    region[-1] = (a, b, size)


def _mark(covered: np.ndarray, region: Sequence[_Block], side: int, max_gap: int) -> None:
    """Mark one side's matched words of a region, and short gaps between its blocks."""
    prev: _Block | None = None
    for block in region:
        pos, size = block[side], block[2]
        covered[pos:pos + size] = True
        if prev is not None:
            gap_a = block[0] - (prev[0] + prev[2])
            gap_b = block[1] - (prev[1] + prev[2])
            if gap_a <= max_gap and gap_b <= max_gap:
                covered[prev[side] + prev[2]:pos] = True
        prev = block
