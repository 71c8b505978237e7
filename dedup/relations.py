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

from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from .align import _densest
from .parallel import fork_map

__all__ = ["PARTIALLY", "RULE_EARLIER_DATE", "RULE_MORE_COVERED", "WHOLLY", "Relation",
           "judged_sides", "relate"]

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


def relate(pairs: Sequence[tuple[int, int]], coverages: Sequence[Coverage | None],
           doc_ids: Sequence[str], dates: Sequence[datetime | None],
           clusters_of_pair: dict[tuple[int, int], set[int]], *,
           verdict: Callable[[float], str]) -> list[Relation]:
    """One :class:`Relation` per document pair ``(a, b)``, ``a < b``, whose coverage
    (:func:`word_coverage` of ``a``'s words against ``b``'s) reaches the ``partially``
    threshold, sorted by derived coverage (highest first), then by ids.

    A ``None`` coverage (a pair :func:`coverages` did not align: it could not reach
    its ``min_share``, the ``partially`` threshold) gives no relation.
    ``clusters_of_pair`` lists the cross-document clusters that hold both documents'
    shared material; ``verdict(coverage)`` returns ``wholly``, ``partially`` or
    ``non``.
    """
    out = []
    for (da, db), cov in zip(pairs, coverages, strict=True):
        if cov is None:
            continue
        cov_a, cov_b = cov.share_a, cov.share_b
        by_date = _source_by_date(dates[da], dates[db])
        if by_date is not None:
            rule, a_is_source = RULE_EARLIER_DATE, by_date
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


def _source_by_date(ta: datetime | None, tb: datetime | None) -> bool | None:
    """Whether ``a`` is the source of ``(a, b)`` by the ``earlier date`` rule, or
    ``None`` where the dates do not tell (one unreadable, or both equal)."""
    if ta is not None and tb is not None and ta != tb:
        return ta < tb
    return None


def judged_sides(pairs: Sequence[tuple[int, int]], dates: Sequence[datetime | None]
                 ) -> np.ndarray:
    """Per document pair, the shares :func:`relate` may judge it by (the ``sides`` of
    :func:`coverages`): the derived document's alone where the dates say which it is
    (2 for ``b``, 1 for ``a``), else either (3: the more covered one is derived)."""
    out = np.full(len(pairs), 3, dtype=np.int8)
    for k, (a, b) in enumerate(pairs):
        by_date = _source_by_date(dates[a], dates[b])
        if by_date is not None:
            out[k] = 2 if by_date else 1
    return out


# ------------------------------------------------------------ word-level coverage

PARALLEL_MIN_PAIRS = 2000  # fewer pairs are aligned in this process


def coverages(word_ids: np.ndarray, word_ptr: np.ndarray, pairs: Sequence[tuple[int, int]], *,
              workers: int | None = None, min_share: float = 0.0,
              sides: np.ndarray | None = None) -> list[Coverage | None]:
    """:func:`word_coverage` of each document pair ``(a, b)``, where document ``d``'s
    words are ``word_ids[word_ptr[d]:word_ptr[d + 1]]``, in order. ``workers``
    forked processes share a large batch (default: every CPU this process may use);
    the result does not depend on their number.

    With ``min_share`` above 0, a pair neither of whose shares could reach it gives
    ``None`` and is not aligned. Which pairs those are is decided by a bound that
    never falls below the coverage (:func:`_coverage_bound`), so every pair whose
    ``share_a`` or ``share_b`` reaches ``min_share`` still gets its exact
    :class:`Coverage`. ``sides`` (one small int per pair) narrows which shares
    count: bit 1 for ``share_a``, bit 2 for ``share_b`` (:func:`judged_sides`: the
    derived document's, where the dates tell which it is); both by default."""
    from .tokens import default_workers

    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or len(pairs) < PARALLEL_MIN_PAIRS:
        return _cover_span(word_ids, word_ptr, pairs, 0, len(pairs), min_share=min_share,
                           sides=sides)
    step = -(-len(pairs) // (workers * 8))
    spans = [(lo, min(len(pairs), lo + step)) for lo in range(0, len(pairs), step)]
    return fork_map(_cover_part, (word_ids, word_ptr, pairs, min_share, sides), spans, workers)


def _cover_part(ids: np.ndarray, ptr: np.ndarray, pairs: Sequence[tuple[int, int]],
                min_share: float, sides: np.ndarray | None, span: tuple[int, int]
                ) -> list[Coverage | None]:
    return _cover_span(ids, ptr, pairs, *span, min_share=min_share, sides=sides)


def _cover_span(ids: np.ndarray, ptr: np.ndarray, pairs: Sequence[tuple[int, int]], lo: int,
                hi: int, *, min_run: int = 2, gap_penalty: float = 0.5,
                max_gap: int = 2, min_share: float = 0.0, sides: np.ndarray | None = None
                ) -> list[Coverage | None]:
    """:func:`word_coverage` of ``pairs[lo:hi]``, in chunks of about
    :data:`CHUNK_WORDS` words: the documents of a chunk are indexed once
    (:class:`_Docs`), then its pairs are anchored :data:`BLOCK_PAIRS` at a time."""
    arr = np.asarray(pairs[lo:hi], dtype=np.int64).reshape(-1, 2)
    side = None if sides is None else np.asarray(sides[lo:hi], dtype=np.int64)
    lengths = np.diff(np.asarray(ptr, dtype=np.int64))
    out: list[Coverage | None] = []
    start = 0
    while start < len(arr):
        # the pairs whose documents hold CHUNK_WORDS words, counting each document once
        rest = arr[start:].reshape(-1)
        first = np.unique(rest, return_index=True)[1]
        new_words = np.zeros(len(rest), dtype=np.int64)
        new_words[first] = lengths[rest[first]]
        upto = np.cumsum(new_words.reshape(-1, 2).sum(axis=1))
        stop = start + max(1, int(np.searchsorted(upto, CHUNK_WORDS, side="right")))
        used, local = np.unique(arr[start:stop], return_inverse=True)
        local = local.reshape(-1, 2)
        docs = _Docs.index(ids, ptr, used, min_run)
        for at in range(0, len(local), BLOCK_PAIRS):
            block = local[at:at + BLOCK_PAIRS]
            out.extend(_cover_block(docs, block[:, 0], block[:, 1], min_run=min_run,
                                    gap_penalty=gap_penalty, max_gap=max_gap,
                                    min_share=min_share,
                                    sides=None if side is None else
                                    side[start + at:start + at + len(block)]))
        start = stop
    return out


BLOCK_PAIRS = 128  # document pairs anchored together, by one set of numpy calls
CHUNK_WORDS = 2_000_000  # words of the documents indexed together (each counted once): the
# index takes about 140 bytes a word at its peak (c10k: +290 MiB at 2M, +450 MiB at 4M)


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
    """How much of each word sequence (non-negative ints below ``2**31``) lies in
    regions aligned with the other.

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

    Linear in the words apart from the LCS. :func:`coverages` gives the same figures
    for many pairs at once.

    >>> c = word_coverage([1, 2, 3, 4, 5, 6], [9, 1, 2, 3, 8, 5, 6, 7])
    >>> c.covered_a, c.covered_b, c.regions
    (6, 6, ((0, 6, 1, 7, 5),))
    """
    a = np.asarray(ids_a, dtype=np.int64).reshape(-1)
    b = np.asarray(ids_b, dtype=np.int64).reshape(-1)
    ptr = np.array([0, len(a), len(a) + len(b)], dtype=np.int64)
    cov = _cover_span(np.concatenate([a, b]), ptr, [(0, 1)], 0, 1, min_run=min_run,
                      gap_penalty=gap_penalty, max_gap=max_gap)[0]
    assert cov is not None  # no min_share: every pair is aligned
    return cov


class _Docs(NamedTuple):
    """Documents indexed once for aligning many pairs of them: their words one after
    another (document ``d``: ``words[ptr[d]:ptr[d + 1]]``), each document's distinct
    ``k``-grams and distinct words, sorted, and where each word position finds its
    own in them."""

    words: np.ndarray      # int64 word ids
    ptr: np.ndarray
    gram_at: np.ndarray    # per position: index of the k-gram starting there among its
                           # document's (from gram_ptr[d] on), or -1
    gram_keys: np.ndarray  # document d's distinct k-grams: gram_keys[gram_ptr[d]:gram_ptr[d + 1]]
    gram_ptr: np.ndarray
    gram_top: int          # k-gram keys lie in [0, gram_top)
    word_at: np.ndarray    # per position: index of its word among its document's sorted
    word_ptr: np.ndarray   # distinct words, which lie from word_ptr[d] to word_ptr[d + 1]

    @classmethod
    def index(cls, ids: np.ndarray, ptr: np.ndarray, docs: np.ndarray, k: int) -> _Docs:
        """Index the documents ``docs`` (of ``ids``/``ptr``) as documents ``0..``."""
        pos, doc, off, lens = _ranges(np.asarray(ptr, dtype=np.int64)[docs],
                                      np.asarray(ptr, dtype=np.int64)[docs + 1])
        words = np.asarray(ids)[pos].astype(np.int64)
        n_docs = len(docs)
        sub_ptr = np.append(off, len(words))
        at = np.arange(len(words), dtype=np.int64) - off[doc]
        if len(words) and int(words.min()) < 0:  # outside the contract: ranks keep order
            words = np.unique(words, return_inverse=True)[1].reshape(-1).astype(np.int64)
        vocab = int(words.max()) + 1 if len(words) else 1
        # the k-grams wholly inside their document, as exact int keys
        ok = np.flatnonzero(at + k <= lens[doc]) if k >= 1 else np.zeros(0, dtype=np.int64)
        key = words[ok] if k >= 1 else ok
        for step in range(1, k):
            if step > 1 or vocab * vocab >= 2**62:
                key = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
            key = key * vocab + words[ok + step]
        top = int(key.max()) + 1 if len(key) else 1
        if top > 2**62 // max(n_docs, BLOCK_PAIRS, 1):
            key = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)
            top = int(key.max()) + 1 if len(key) else 1
        uniq, gram_at = _ranked(doc[ok] * top + key, at[ok], top, off, len(words))
        gram_ptr = np.searchsorted(uniq, np.arange(n_docs + 1, dtype=np.int64) * top)
        wuniq, word_at = _ranked(doc * vocab + words, at, vocab, off, len(words))
        word_ptr = np.searchsorted(wuniq, np.arange(n_docs + 1, dtype=np.int64) * vocab)
        # as indexes among the document's own (-1 stays -1: no k-gram starts there)
        gram_at[ok] -= gram_ptr[doc[ok]]
        word_at -= word_ptr[doc]
        return cls(words, sub_ptr, gram_at, uniq - (uniq // top) * top, gram_ptr, top,
                   word_at, word_ptr)


def _ranked(values: np.ndarray, local: np.ndarray, per: int, off: np.ndarray,
            n: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values)``, and where each item finds its value in it, written at its
    position ``off[doc] + local`` of ``n`` (-1 elsewhere), where ``values`` (non-negative)
    are ``doc * per + key`` and ``local`` an item's position in its document. Where
    value and position fit in one int64, a plain sort of both does it (several times
    faster than the argsort of ``np.unique``)."""
    at = np.full(n, -1, dtype=np.int64)
    if not len(values):
        return values, at
    span = int(local.max()) + 1
    if int(values.max()) < 2**62 // span:
        packed = np.sort(values * span + local)
        values = packed // span
        new = np.ones(len(values), dtype=bool)
        new[1:] = values[1:] != values[:-1]
        at[off[values // per] + packed - values * span] = np.cumsum(new) - 1
        return values[new], at
    uniq, inv = np.unique(values, return_inverse=True)
    at[off[values // per] + local] = inv.reshape(-1)
    return uniq, at


def _ranges(starts: np.ndarray, ends: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The integer ranges ``starts[i]:ends[i]`` one after another: ``(values, range of
    each, where each range starts in values, lengths)``."""
    lens = (ends - starts).astype(np.int64)
    which = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    off = np.cumsum(lens) - lens
    return (np.repeat(starts - off, lens) + np.arange(len(which), dtype=np.int64), which, off,
            lens)


def _cover_block(docs: _Docs, docs_a: np.ndarray, docs_b: np.ndarray, *, min_run: int,
                 gap_penalty: float, max_gap: int, min_share: float = 0.0,
                 sides: np.ndarray | None = None) -> list[Coverage | None]:
    """:func:`word_coverage` of the document pairs ``(docs_a[p], docs_b[p])``: their words
    are anchored (:func:`_anchored_block`) and encoded (:func:`_encode`) by a few numpy
    calls for all the pairs, then aligned pair by pair (``None`` for a pair that
    cannot reach ``min_share`` on a side ``sides`` counts, :func:`coverages`)."""
    pos_a, pair_a, off_a, len_a = _ranges(docs.ptr[docs_a], docs.ptr[docs_a + 1])
    pos_b, pair_b, off_b, len_b = _ranges(docs.ptr[docs_b], docs.ptr[docs_b + 1])
    keep_a, keep_b = _anchored_block(docs, docs_a, pos_a, len_a, docs_b, pos_b, len_b,
                                     min_run)
    anchored = np.bincount(pair_a[keep_a], minlength=len(docs_a)) > 0
    if min_share > 0 and 1 <= min_run <= 2:  # the bound's proof needs runs of 1 or 2
        # a share can round up by half its last digit: leave that margin
        least = min_share - 1e-4
        side = 3 if sides is None else sides  # both shares count by default
        reach = (((side & 1) > 0)
                 & (_coverage_bound(keep_a, pair_a, len(docs_a), max_gap) >= least * len_a)
                 | ((side & 2) > 0)
                 & (_coverage_bound(keep_b, pair_b, len(docs_b), max_gap) >= least * len_b))
        if not reach.any():
            return [None] * len(reach)
        if not reach.all():  # the rest is encoded and aligned alone
            keep_a, keep_b = keep_a[np.repeat(reach, len_a)], keep_b[np.repeat(reach, len_b)]
            sel = np.flatnonzero(reach)
            docs_a, docs_b, anchored = docs_a[sel], docs_b[sel], anchored[sel]
            pos_a, _, off_a, len_a = _ranges(docs.ptr[docs_a], docs.ptr[docs_a + 1])
            pos_b, _, off_b, len_b = _ranges(docs.ptr[docs_b], docs.ptr[docs_b + 1])
    else:
        reach = np.ones(len(docs_a), dtype=bool)
    work_a, fill_a = _encode(docs, docs_a, pos_a, len_a, keep_a, 0)
    work_b, fill_b = _encode(docs, docs_b, pos_b, len_b, keep_b, 1)
    ida, idb = docs.words[pos_a], docs.words[pos_b]  # read only where regions end
    aligned: list[Coverage | None] = []
    for sa, na, sb, nb, hit in zip(off_a.tolist(), len_a.tolist(), off_b.tolist(),
                                   len_b.tolist(), anchored.tolist(), strict=True):
        if not hit:
            # No shared min_run-gram: no word can match (nor a run stand on its own).
            aligned.append(Coverage(na, nb, 0, 0, (), 0))
        else:
            aligned.append(_align_anchored(ida[sa:sa + na], idb[sb:sb + nb],
                                           work_a[sa:sa + na], work_b[sb:sb + nb], fill_a,
                                           fill_b, min_run=min_run, gap_penalty=gap_penalty,
                                           max_gap=max_gap))
    if len(aligned) == len(reach):
        return aligned
    each = iter(aligned)
    return [next(each) if can else None for can in reach.tolist()]


def _anchored_block(docs: _Docs, docs_a: np.ndarray, pos_a: np.ndarray, len_a: np.ndarray,
                    docs_b: np.ndarray, pos_b: np.ndarray, len_b: np.ndarray,
                    k: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the words of many pairs' two sides (positions ``pos_a``/``pos_b`` in
    ``docs``, ``len_a[p]``/``len_b[p]`` of them for pair ``p``) that lie inside a
    ``k``-gram shared by both documents of their pair. Each document's sorted distinct
    grams, tagged with their pair, make one sorted array per side: one merge finds the
    shared ones."""
    top = docs.gram_top
    ga, ga_pair, ga_off, _ = _ranges(docs.gram_ptr[docs_a], docs.gram_ptr[docs_a + 1])
    gb, gb_pair, gb_off, _ = _ranges(docs.gram_ptr[docs_b], docs.gram_ptr[docs_b + 1])
    keep_a = np.zeros(len(pos_a), dtype=bool)
    keep_b = np.zeros(len(pos_b), dtype=bool)
    if not len(ga) or not len(gb) or k < 1:
        return keep_a, keep_b
    ta = ga_pair * top + docs.gram_keys[ga]  # strictly increasing: by pair, then gram
    tb = gb_pair * top + docs.gram_keys[gb]
    shared_a, shared_b = _shared_sorted(ta, tb)
    for keep, pos, lens, shared, off in ((keep_a, pos_a, len_a, shared_a, ga_off),
                                         (keep_b, pos_b, len_b, shared_b, gb_off)):
        at = docs.gram_at[pos]
        # where no k-gram starts (at == -1) the index lands on some gram: masked out
        hit = shared[at + np.repeat(off, lens)] & (at >= 0)
        for step in range(k):
            keep[step:] |= hit[:len(pos) - step]
    return keep_a, keep_b


def _coverage_bound(keep: np.ndarray, pair: np.ndarray, n_pairs: int, max_gap: int
                    ) -> np.ndarray:
    """Per pair, the most words one side can have covered: its anchored words
    (``keep``, of :func:`_anchored_block`), plus the unanchored words of every hole of
    at most ``max_gap`` of them between two anchored words of the pair.

    Every covered word is one of those, for ``k``-grams of at most 2 words. A
    region's matched words are anchored, and so is a word that :func:`_widen` adds
    (it and its matched neighbour make a bigram both documents hold; a longer
    ``k``-gram would need more of its neighbours equal, so the bound is not used
    past 2); :func:`_mark` covers besides only the words of a gap of at most
    ``max_gap`` between two matched blocks, and the unanchored words of such a gap
    make holes of at most ``max_gap`` between anchored words."""
    at = np.flatnonzero(keep)
    bound = np.bincount(pair[at], minlength=n_pairs)
    if len(at) > 1:
        hole = at[1:] - at[:-1] - 1
        inner = (pair[at[1:]] == pair[at[:-1]]) & (hole >= 1) & (hole <= max_gap)
        bound += np.bincount(pair[at[1:]][inner], weights=hole[inner],
                             minlength=n_pairs).astype(bound.dtype)
    return bound


def _shared_sorted(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which items of ``x`` are in ``y``, and which of ``y`` in ``x``, for two strictly
    increasing arrays: one stable merge (two sorted runs), equal items side by side."""
    both = np.concatenate([x, y])
    order = np.argsort(both, kind="stable")
    at = np.flatnonzero(both[order[1:]] == both[order[:-1]])
    in_y = np.zeros(len(x), dtype=bool)
    in_x = np.zeros(len(y), dtype=bool)
    in_y[order[at]] = True
    in_x[order[at + 1] - len(x)] = True
    return in_y, in_x


_Work = str | list[int]
_MAX_CODE = 0x10FFFF  # the last Unicode code point


def _encode(docs: _Docs, doc_of: np.ndarray, pos: np.ndarray, lens: np.ndarray,
            keep: np.ndarray, filler: int) -> tuple[_Work, _Work]:
    """One side of many pairs as the LCS aligns it, one pair after another, and its
    one-item filler. Only which words of ``a`` equal which of ``b`` matters to the
    alignment: an anchored word becomes its rank among the distinct anchored words
    of its pair, plus 2 (both sides anchor the same words, those of the shared
    k-grams: equal words get equal codes), and every other word the side's filler
    (0 for ``a``, 1 for ``b``), which matches nothing on the other side. As a ``str``
    of those code points (RapidFuzz aligns a string several times faster than a list
    of ints); as a list past Unicode."""
    wu_len = docs.word_ptr[doc_of + 1] - docs.word_ptr[doc_of]
    wu_off = np.cumsum(wu_len) - wu_len
    at = docs.word_at[pos] + np.repeat(wu_off, lens)
    flag = np.zeros(int(wu_len.sum()), dtype=np.int64)
    flag[at[keep]] = 1
    before = np.concatenate([[0], np.cumsum(flag)])  # anchored distinct words before
    rank = before[:-1] - np.repeat(before[wu_off], wu_len)  # ... in the pair
    code = np.full(len(pos), filler, dtype=np.int64)
    code[keep] = rank[at[keep]] + 2
    code[code >= 0xD800] += 0x800  # no surrogate code points
    if len(code) and int(code.max()) > _MAX_CODE:
        return code.tolist(), [filler]
    return code.astype("<u4").tobytes().decode("utf-32-le"), chr(filler)


def _align_anchored(ida: Sequence[int], idb: Sequence[int], work_a: _Work, work_b: _Work,
                    fill_a: _Work, fill_b: _Work, *, min_run: int, gap_penalty: float,
                    max_gap: int) -> Coverage:
    """Steps 2 and 3 of :func:`word_coverage` on one pair of id lists: ``work_a`` and
    ``work_b`` are the sequences to align (:func:`_encode`), in which a word that
    lies in no shared ``min_run``-gram, or that a region holds, is the side's filler
    ``fill_a``/``fill_b`` (it matches nothing)."""
    from rapidfuzz.distance import Indel

    na, nb = len(ida), len(idb)
    taken_a = bytearray(na)
    taken_b = bytearray(nb)
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
            taken_a[i1:i2 + size] = b"\x01" * (i2 + size - i1)
            taken_b[j1:j2 + size] = b"\x01" * (j2 + size - j1)
        for region in regions:
            _widen(region, ida, idb, taken_a, taken_b)
            found.append(region)
            # the region's words, as widened, match nothing any more
            (i1, j1, _), (i2, j2, size) = region[0], region[-1]
            work_a = work_a[:i1] + fill_a * (i2 + size - i1) + work_a[i2 + size:]
            work_b = work_b[:j1] + fill_b * (j2 + size - j1) + work_b[j2 + size:]
        if _unmatched(work_a, fill_a) < min_run or _unmatched(work_b, fill_b) < min_run:
            # Fewer than min_run words left to match on a side: the next search
            # could match no region's worth (and the longest-run fallback runs only
            # when nothing was found).
            break
    cov_a = bytearray(na)
    cov_b = bytearray(nb)
    out = []
    longest = 0
    for region in found:
        matched, run = _mark(cov_a, cov_b, region, max_gap)
        if run > longest:
            longest = run
        (i1, j1, _), (i2, j2, size) = region[0], region[-1]
        out.append((i1, i2 + size, j1, j2 + size, matched))
    out.sort(key=itemgetter(2, 0))
    return Coverage(na, nb, cov_a.count(1), cov_b.count(1), tuple(out), longest)


def _unmatched(work: _Work, fill: _Work) -> int:
    """Items of one side (:func:`_encode`) that are not its filler: the words it has
    left to match."""
    if isinstance(work, str):
        return len(work) - work.count(str(fill))
    return len(work) - work.count(int(fill[0]))


def _regions(blocks: Sequence[_Block], min_run: int, gap_penalty: float) -> list[list[_Block]]:
    """Cut one in-order chain of matching blocks into dense regions: the densest run,
    then the densest runs before and after it (iteratively, in order)."""
    out: list[list[_Block]] = []
    upto = [0, *accumulate(b[2] for b in blocks)]  # words matched by blocks[:i]
    todo = [(0, len(blocks))]
    while todo:
        lo, hi = todo.pop()
        if upto[hi] - upto[lo] < min_run:
            continue  # too few matched words for a region
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
           ta: bytearray, tb: bytearray) -> None:
    """Grow a region's first and last blocks over equal words next to them that no
    region holds yet (``ta``/``tb``: one byte per word, non-zero once a region holds
    it; the LCS may have spent such a word elsewhere)."""
    a, b, size = region[0]
    while a and b and not ta[a - 1] and not tb[b - 1] and ida[a - 1] == idb[b - 1]:
        a, b, size = a - 1, b - 1, size + 1
        ta[a] = tb[b] = 1
    region[0] = (a, b, size)
    a, b, size = region[-1]
    while (a + size < len(ida) and b + size < len(idb) and not ta[a + size]
           and not tb[b + size] and ida[a + size] == idb[b + size]):
        ta[a + size] = tb[b + size] = 1
        size += 1
    region[-1] = (a, b, size)


def _mark(cov_a: bytearray, cov_b: bytearray, region: Sequence[_Block],
          max_gap: int) -> tuple[int, int]:
    """Mark (set to 1) both sides' matched words of a region, and the words of short
    gaps (at most ``max_gap`` words on each side) between its blocks; return its
    matched words and its longest block. Blocks joined by short gaps make one run of
    marked words on each side, marked at once."""
    start_a, start_b, size = region[0]
    end_a, end_b = start_a + size, start_b + size
    matched = longest = size
    for a, b, size in region[1:]:
        if a - end_a > max_gap or b - end_b > max_gap:
            cov_a[start_a:end_a] = b"\x01" * (end_a - start_a)
            cov_b[start_b:end_b] = b"\x01" * (end_b - start_b)
            start_a, start_b = a, b
        end_a, end_b = a + size, b + size
        matched += size
        if size > longest:
            longest = size
    cov_a[start_a:end_a] = b"\x01" * (end_a - start_a)
    cov_b[start_b:end_b] = b"\x01" * (end_b - start_b)
    return matched, longest
