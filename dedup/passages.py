"""Sentence matches -> passages: seed and extend across small gaps.

Verified sentence matches between two documents are the *seeds*. Seeds that follow
each other in both documents' order are chained into one **span pair**, a passage of
each document, as long as the gap between two seeds holds at most ``max_gap``
content sentences on each side: an inserted local sentence, a cut one, or a
paraphrased sentence the matcher did not verify between two copied ones does not
break a passage; a longer insertion (the outlet's own paragraph mid-story) does, and
the document then contributes two passages. Seeds out of order (a moved paragraph)
start a chain of their own.

Chaining is a longest-path search over the seeds of each document pair (as in
BLAST's HSP chaining or passim's alignment of hits): each seed takes the best chain
that can end just before it; chains are then read off best first, each seed used once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from .arrays import stable_order
from .parallel import fork_map, ranges

__all__ = ["Chain", "DocLayout", "chain_matches", "extend_chains"]


# Fewer chains are clustered (:mod:`dedup.cluster`), and fewer seeds chained, in this
# process: forking costs more than it saves.
PARALLEL_MIN_CHAINS = 20_000
PARALLEL_MIN_SEEDS = 200_000


class Chain(NamedTuple):
    """Chained sentence matches between documents ``doc_a < doc_b`` (document indexes).

    ``first_a..last_a`` and ``first_b..last_b`` are inclusive sentence indexes in each
    document; ``seeds`` is how many verified sentence matches it chains (the matches
    themselves are ``find``'s sentence pairs: a chain keeps only their count, since
    millions of them at scale would cost a Python tuple each); ``score`` is their mean
    score and ``words`` the words of the smaller side's seeds.
    """

    doc_a: int
    doc_b: int
    first_a: int
    last_a: int
    first_b: int
    last_b: int
    seeds: int
    score: float
    words: int


class DocLayout(NamedTuple):
    """Where each sentence passage sits: its document index, its index among the
    document's sentences, and its word count; per document, the first passage index
    (passages of a document are consecutive) and prefix sums of words and of
    *content* sentences (those of at least ``min_words`` words)."""

    doc: np.ndarray        # (n,) document index of each passage
    sent: np.ndarray       # (n,) sentence index within its document
    words: np.ndarray      # (n,) words in each passage
    doc_first: np.ndarray  # (n_docs + 1,) first passage of each document
    cum_words: np.ndarray  # (n + n_docs,) per document: 0, w0, w0+w1, ...
    cum_content: np.ndarray

    @classmethod
    def build(cls, doc: np.ndarray, sent: np.ndarray, words: np.ndarray, n_docs: int,
              min_words: int) -> DocLayout:
        doc = np.asarray(doc, dtype=np.int64)
        counts = np.bincount(doc, minlength=n_docs)
        doc_first = np.zeros(n_docs + 1, dtype=np.int64)
        doc_first[1:] = np.cumsum(counts)
        # One leading zero per document: document d's prefix sums start at
        # doc_first[d] + d.
        cum_w = np.zeros(len(doc) + n_docs, dtype=np.int64)
        cum_c = np.zeros(len(doc) + n_docs, dtype=np.int64)
        pos = np.arange(len(doc), dtype=np.int64) + doc + 1
        w = np.asarray(words, dtype=np.int64)
        cum_w[pos] = w
        cum_c[pos] = (w >= min_words).astype(np.int64)
        # prefix sums restarting at each document's leading zero
        np.cumsum(cum_w, out=cum_w)
        np.cumsum(cum_c, out=cum_c)
        base = doc_first[:-1] + np.arange(n_docs)
        cum_w -= np.repeat(cum_w[base], counts + 1)
        cum_c -= np.repeat(cum_c[base], counts + 1)
        return cls(doc, np.asarray(sent, dtype=np.int64), w, doc_first, cum_w, cum_c)

    def _at(self, d: int, k: int) -> int:
        return int(self.doc_first[d]) + d + k

    def span_words(self, d: int, lo: int, hi: int) -> int:
        """Words of sentences ``lo..hi`` (inclusive) of document ``d``."""
        return int(self.cum_words[self._at(d, hi + 1)] - self.cum_words[self._at(d, lo)])

    def content_between(self, d: int, lo: int, hi: int) -> int:
        """Content sentences strictly between sentence indexes ``lo`` and ``hi``."""
        if hi <= lo + 1:
            return 0
        return int(self.cum_content[self._at(d, hi)] - self.cum_content[self._at(d, lo + 1)])


def chain_matches(a: np.ndarray, b: np.ndarray, score: np.ndarray, layout: DocLayout, *,
                  max_gap: int, runs: bool = True, workers: int = 1) -> list[Chain]:
    """Chain verified sentence matches ``(a[k], b[k], score[k])`` (passage indexes of two
    different documents) into span pairs, per document pair, in a deterministic order
    (by document pair, then text order).

    A document pair whose matches already form one run (each after the last in both
    documents, within ``max_gap`` content sentences) is one chain, which the search
    below would find too: it is made without the search (``runs=False`` sends every
    pair through the search, for tests). With ``workers`` > 1 a large batch of document
    pairs is chained on forked processes; the chains are the same.

    >>> lay = DocLayout.build(np.array([0, 0, 0, 0, 1, 1, 1]), np.array([0, 1, 2, 3, 0, 1, 2]),
    ...                       np.array([9, 9, 9, 9, 9, 9, 9]), 2, 5)
    >>> [(c.first_a, c.last_a, c.first_b, c.last_b, c.seeds)
    ...  for c in chain_matches(np.array([0, 3]), np.array([4, 6]), np.array([.5, .7]), lay,
    ...                         max_gap=2)]
    [(0, 3, 0, 2, 2)]
    """
    if len(a) == 0:
        return []
    # Memory at scale (20M seeds at 300k documents): each array is freed once spent.
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    swap = layout.doc[a] > layout.doc[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    del swap
    da, db = layout.doc[a], layout.doc[b]
    sa, sb = layout.sent[a], layout.sent[b]
    order = _seed_order(da, db, sa, sb, len(layout.doc_first),
                        int(layout.sent.max()) + 1 if len(layout.sent) else 1)
    a, b, da, db, sa, sb = a[order], b[order], da[order], db[order], sa[order], sb[order]
    sc = np.asarray(score, dtype=np.float64)[order]
    del order
    key = da * np.int64(len(layout.doc_first)) + db
    cuts = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    del key
    w = np.minimum(layout.words[a], layout.words[b])
    del a, b
    # Content sentences before each seed's sentence and up to the one after it, on
    # each side: content_between(d, s_p, s_m) is at_m - after_p when s_m > s_p + 1.
    cum = layout.cum_content
    at = layout.doc_first[da] + da + sa
    ca, na_ = cum[at], cum[at + 1]
    at = layout.doc_first[db] + db + sb
    cb, nb_ = cum[at], cum[at + 1]
    del at
    # Seed k continues seed k - 1 of its document pair in one run: later in both
    # documents, and close enough in each to chain.
    cont = np.zeros(len(sa), dtype=bool)
    cont[1:] = ((sa[1:] > sa[:-1]) & (sb[1:] > sb[:-1])
                & ((sa[1:] <= sa[:-1] + 1) | (ca[1:] - na_[:-1] <= max_gap))
                & ((sb[1:] <= sb[:-1] + 1) | (cb[1:] - nb_[:-1] <= max_gap)))
    breaks = np.cumsum(~cont)
    del cont
    seeds = (da, db, sa, sb, sc, w, ca, na_, cb, nb_, breaks)
    # spans of document pairs holding about as many seeds each
    spans = ranges(np.diff(cuts), 1 if workers <= 1 or len(sa) < PARALLEL_MIN_SEEDS
                   else 4 * workers)
    # plain tuples from the workers: they unpickle faster than named tuples
    return [Chain(*t) for t in fork_map(_chain_span, (seeds, cuts, max_gap, runs), spans,
                                         workers)]


def _seed_order(da: np.ndarray, db: np.ndarray, sa: np.ndarray, sb: np.ndarray,
                n_docs: int, n_sent: int) -> np.ndarray:
    """``np.lexsort((sb, sa, db, da))``: by document pair, then text order. The four
    as one int64 key where they fit (documents below ``n_docs``, sentences below
    ``n_sent``): a stable sort of one key, 4x faster than lexsort of four, the same
    order."""
    if n_docs * n_docs * n_sent * n_sent < 1 << 62:
        return stable_order(((da * n_docs + db) * n_sent + sa) * n_sent + sb)
    return np.lexsort((sb, sa, db, da))


def _chain_span(seeds: tuple[np.ndarray, ...], cuts: np.ndarray, max_gap: int, runs: bool,
                span: tuple[int, int]) -> list[tuple[int, int, int, int, int, int, int, float,
                                                     int]]:
    """The chains of document pairs ``span[0]:span[1]`` of :func:`chain_matches` (the
    pairs' seeds lie between consecutive ``cuts``), as plain tuples."""
    da, db, sa, sb, sc, w, ca, na_, cb, nb_, breaks = seeds
    out: list[tuple[int, int, int, int, int, int, int, float, int]] = []
    for lo, hi in itertools.pairwise(cuts[span[0]:span[1] + 1].tolist()):
        if runs and breaks[hi - 1] == breaks[lo]:
            # One run (or one match: most document pairs share one sentence, a stock
            # phrase or a quotation): every seed's best predecessor is the one before it
            # (each adds a positive gain), so the search would chain them all. Same
            # sums, in order.
            out.append((int(da[lo]), int(db[lo]), int(sa[lo]), int(sa[hi - 1]),
                        int(sb[lo]), int(sb[hi - 1]), hi - lo,
                        round(sum(sc[lo:hi].tolist()) / (hi - lo), 4),
                        int(sum(w[lo:hi].tolist()))))
            continue
        out.extend(_chain_group(int(da[lo]), int(db[lo]), sa[lo:hi].tolist(), sb[lo:hi].tolist(),
                                sc[lo:hi].tolist(),
                                w[lo:hi].tolist(), max_gap,
                                (ca[lo:hi].tolist(), na_[lo:hi].tolist(),
                                 cb[lo:hi].tolist(), nb_[lo:hi].tolist())))
    return out


def _chain_group(d_a: int, d_b: int, ia: Sequence[int], ib: Sequence[int],
                 sc: Sequence[float], w: Sequence[int], max_gap: int,
                 content: tuple[list[int], list[int], list[int], list[int]]
                 ) -> list[tuple[int, int, int, int, int, int, int, float, int]]:
    """Chains of one document pair; seeds sorted by (ia, ib). ``content``: for each
    seed, the content sentences of its document before its sentence and up to the
    next one, in A and in B (:meth:`DocLayout.content_between` without the calls)."""
    at_a, after_a, at_b, after_b = content
    k = len(ia)
    best = [0.0] * k
    pred = [-1] * k
    for m in range(k):
        gain = sc[m] * max(w[m], 1)
        best[m] = gain
        for p in range(m - 1, -1, -1):
            if ia[m] > ia[p] + 1 and at_a[m] - after_a[p] > max_gap:
                break  # seeds further back are further away in A
            if not (ia[p] <= ia[m] and ib[p] <= ib[m]) or (ia[p], ib[p]) == (ia[m], ib[m]):
                continue
            if ib[m] > ib[p] + 1 and at_b[m] - after_b[p] > max_gap:
                continue
            if ia[p] == ia[m] or ib[p] == ib[m]:
                # one sentence split in two on the other side: both halves chain, but
                # the shared side's sentence is counted once
                cand = best[p] + gain * 0.5
            else:
                cand = best[p] + gain
            if cand > best[m]:
                best[m], pred[m] = cand, p
    used = [False] * k
    chains = []
    for m in sorted(range(k), key=lambda x: (-best[x], x)):
        if used[m]:
            continue
        seq = []
        x = m
        while x != -1 and not used[x]:
            used[x] = True
            seq.append(x)
            x = pred[x]
        seq.reverse()
        chains.append((
            d_a, d_b, min(ia[x] for x in seq), max(ia[x] for x in seq),
            min(ib[x] for x in seq), max(ib[x] for x in seq), len(seq),
            round(sum(sc[x] for x in seq) / len(seq), 4),
            int(sum(w[x] for x in seq))))
    chains.sort(key=lambda c: (c[2], c[4], c[3], c[5]))  # first_a, first_b, last_a, last_b
    return chains


def extend_chains(chains: Sequence[Chain], layout: DocLayout,
                  score: Callable[[np.ndarray, np.ndarray], np.ndarray], *,
                  min_score: float, max_steps: int) -> list[Chain]:
    """Grow each chain at both ends over the next sentence of both documents while
    that pair of sentences scores at least ``min_score`` (an on-demand score with no
    evidence floor), at most ``max_steps`` sentences each way: the seed-and-extend
    step. Only chains of two or more matched sentences grow: a lone matched
    sentence (a quotation two stories share) is no evidence about its neighbours.
    A paraphrased sentence right after an outlet's own lead, or at the end of
    what it kept, joins the passage its neighbours already hold; the lead itself,
    sharing nothing with the wire's sentence beside it, does not. Passages and
    matches keep their meaning: the matches of a chain stay its verified seeds.

    ``score(i, j)`` scores arrays of sentence pairs (passage indexes) at once: every
    chain takes its first step together, then those that took it their second.

    >>> lay = DocLayout.build([0] * 4 + [1] * 4, [0, 1, 2, 3] * 2, [9] * 8, 2, 5)
    >>> [c[2:6] for c in extend_chains([Chain(0, 1, 1, 2, 1, 2, 2, .9, 18)], lay,
    ...                                lambda i, j: (i + 4 == j) * 1.0, min_score=0.5,
    ...                                max_steps=2)]
    [(0, 3, 0, 3)]
    """
    if not chains:
        return []
    f = np.array([(c.doc_a, c.doc_b, c.first_a, c.last_a, c.first_b, c.last_b, c.seeds)
                  for c in chains], dtype=np.int64)
    base_a, base_b = layout.doc_first[f[:, 0]], layout.doc_first[f[:, 1]]
    size_a = layout.doc_first[f[:, 0] + 1] - base_a
    size_b = layout.doc_first[f[:, 1] + 1] - base_b
    grows = f[:, 6] >= 2  # a lone sentence match is no run to extend
    ends = f[:, 2:6].copy()  # first_a, last_a, first_b, last_b
    for step, (room_a, room_b) in ((-1, (ends[:, 0] > 0, ends[:, 2] > 0)),
                                   (+1, (ends[:, 1] + 1 < size_a, ends[:, 3] + 1 < size_b))):
        ca, cb = (0, 2) if step < 0 else (1, 3)
        live = grows & room_a & room_b
        for _ in range(max_steps):
            k = np.flatnonzero(live)
            if len(k) == 0:
                break
            k = k[score(base_a[k] + ends[k, ca] + step, base_b[k] + ends[k, cb] + step)
                  >= min_score]
            ends[k, ca] += step
            ends[k, cb] += step
            live = np.zeros(len(chains), dtype=bool)
            live[k] = True
            live &= ((ends[:, ca] > 0) & (ends[:, cb] > 0) if step < 0 else
                     (ends[:, ca] + 1 < size_a) & (ends[:, cb] + 1 < size_b))
    out = list(chains)
    for i in np.flatnonzero((ends != f[:, 2:6]).any(axis=1)).tolist():
        fa, la, fb, lb = ends[i].tolist()
        out[i] = chains[i]._replace(first_a=fa, last_a=la, first_b=fb, last_b=lb)
    return out
