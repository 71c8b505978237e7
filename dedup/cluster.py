"""Span pairs -> N-way clusters of shared material that cannot chain.

A cluster is one piece of shared material with every document's version of it: per
document, one passage or several (a moved paragraph, or the outlet's own paragraph
inserted mid-story, splits a version). Clusters grow from chains of sentence matches
(:mod:`dedup.passages`), strongest first (most matched words), under one rule:

* a chain's passage in a document *belongs* to a cluster when at least half of its
  words lie in that cluster's version in the document (``absorb``), or when it
  continues that version within ``max_gap`` sentences and the cluster also holds the
  chain's other document (the same two documents, a paragraph moved);
* a chain whose two passages belong to no cluster starts one; one whose passage on
  one side belongs to a cluster brings the other side's passage into it;
* a chain whose two sides belong to two *different* clusters merges them only when it
  is a substantial part of both: at least ``min_fit`` of each cluster's version in that
  document is covered by the chain, and the chain holds at least two matched
  sentences. Otherwise the chain joins the cluster of the side it covers
  substantially, or stands as a cluster of its own.

So two stories that share one stock sentence or one quotation stay two clusters (a
shared sentence is a small part of each story's version), and the sentence itself is
reported as a cluster of its own. Each cluster reports its weakest link: the lowest
mean score among the chains that hold it together.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .passages import Chain, DocLayout

__all__ = ["ChainCluster", "cluster_chains"]

# A document with more live clusters than this gets an index of them by sentence.
INDEX_MIN = 4


@dataclass
class ChainCluster:
    """A cluster under construction: per document index, its version as sorted,
    disjoint inclusive sentence intervals; the chains that joined it."""

    versions: dict[int, list[list[int]]] = field(default_factory=dict)
    chains: list[int] = field(default_factory=list)
    links: list[float] = field(default_factory=list)
    alive: bool = True
    # document -> the chains in ``chains`` with a side in it (an index, so that
    # finding a passage's witnesses does not scan every chain of a large cluster)
    chains_in: dict[int, list[int]] = field(default_factory=dict)


def _add_interval(ivs: list[list[int]], lo: int, hi: int) -> None:
    """Insert ``[lo, hi]`` into sorted disjoint intervals, merging overlapping and
    adjacent ones."""
    out: list[list[int]] = []
    placed = False
    for x, y in ivs:
        if y < lo - 1:
            out.append([x, y])
        elif x > hi + 1:
            if not placed:
                out.append([lo, hi])
                placed = True
            out.append([x, y])
        else:
            lo, hi = min(lo, x), max(hi, y)
    if not placed:
        out.append([lo, hi])
    out.sort()
    ivs[:] = out


def cluster_chains(chains: Sequence[Chain], layout: DocLayout, *, absorb: float = 0.5,
                   min_fit: float = 0.3, max_gap: int = 2) -> list[ChainCluster]:
    """Group chains into clusters of shared material (see the module docstring).

    Deterministic: chains are taken by matched words, then by score, then in their
    given order. Returns the clusters in order of creation.

    >>> lay = DocLayout.build([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1], [9] * 6, 3, 5)
    >>> ch = [Chain(0, 1, 0, 1, 0, 1, ((0, 2, .9), (1, 3, .9)), .9, 18),
    ...       Chain(0, 2, 0, 1, 0, 1, ((0, 4, .8), (1, 5, .8)), .8, 18),
    ...       Chain(1, 2, 0, 1, 0, 1, ((2, 4, .7), (3, 5, .7)), .7, 18)]
    >>> [(sorted(c.versions), min(c.links)) for c in cluster_chains(ch, lay)]
    [([0, 1, 2], 0.7)]
    >>> [sorted(c.versions) for c in cluster_chains(ch[:2], lay)]  # 1 and 2 share nothing
    [[0, 1], [0, 2]]
    """
    order = sorted(range(len(chains)), key=lambda k: (-chains[k].words, -chains[k].score, k))
    clusters: list[ChainCluster] = []
    # document -> the live clusters with a version there, in the order they got it
    in_doc: dict[int, dict[int, int]] = {}
    # document -> sentence -> the live clusters whose version there holds it; kept
    # only for documents with many clusters (chance phrases in a large archive)
    at_sent: dict[int, dict[int, set[int]]] = {}
    seq = itertools.count()
    size_of: dict[tuple[int, int], int] = {}  # (cluster, document) -> words of its version
    by_pair: dict[tuple[int, int], list[int]] = {}  # document pair -> chains
    for k, ch in enumerate(chains):
        by_pair.setdefault((ch.doc_a, ch.doc_b), []).append(k)

    # Python lists, not numpy scalars: these lookups run millions of times.
    cum_w, cum_c = layout.cum_words.tolist(), layout.cum_content.tolist()
    base = (layout.doc_first[:-1] + np.arange(len(layout.doc_first) - 1)).tolist()

    def gap(d: int, lo: int, hi: int, x: int, y: int) -> int:
        """Content sentences between sentence runs ``lo..hi`` and ``x..y`` of document
        ``d`` (a large number when they overlap: overlap is not continuation)."""
        if y < lo:
            lo, hi = y, lo
        elif hi < x:
            lo, hi = hi, x
        else:
            return 1 << 30
        return 0 if hi <= lo + 1 else cum_c[base[d] + hi] - cum_c[base[d] + lo + 1]

    def side(ch: Chain, d: int) -> tuple[int, int]:
        return (ch.first_a, ch.last_a) if ch.doc_a == d else (ch.first_b, ch.last_b)

    def supported(ci: int, d_in: int, lo_in: int, hi_in: int, d_new: int, lo: int,
                  hi: int) -> bool:
        """May document ``d_new``'s passage ``lo..hi`` join cluster ``ci``, which it
        reaches through ``d_in``'s passage ``lo_in..hi_in``? Every other document of
        the cluster that holds the same material (a chain of the cluster joins it to
        that part of ``d_in``) is a witness, and at least half of the witnesses must
        share material with the newcomer too (average linkage at the level of
        documents). Without it, one sentence matching two different sentences would
        join them: a reworded quotation of one speaker with another speaker's."""
        c = clusters[ci]
        witnesses = set()
        for k in c.chains_in.get(d_in, ()):
            ch = chains[k]
            for d, other in ((ch.doc_a, ch.doc_b), (ch.doc_b, ch.doc_a)):
                if d == d_in and other != d_new:
                    x, y = side(ch, d)
                    if x <= hi_in and lo_in <= y:
                        witnesses.add(other)
        if not witnesses:
            return True
        agree = 0
        for w in witnesses:
            for k in by_pair.get((min(w, d_new), max(w, d_new)), ()):
                ch = chains[k]
                x, y = side(ch, d_new)
                if not (x <= hi and lo <= y):
                    continue
                x, y = side(ch, w)
                if any(u <= y and x <= v for u, v in c.versions[w]):
                    agree += 1
                    break
        return 2 * agree >= len(witnesses)

    def home(d: int, lo: int, hi: int, other: int, long: bool) -> tuple[int, float]:
        """The cluster this passage of document ``d`` belongs to, and how much of its
        version the passage covers (-1 when it belongs to none). A passage that
        continues a cluster's version in ``d`` belongs to it too when the cluster also
        holds the chain's ``other`` document: the same two documents sharing
        contiguous text in one of them, reordered in the other (a moved paragraph),
        share one piece of material. "Continues": directly, or within ``max_gap``
        sentences for a ``long`` chain (of two matched sentences or more)."""
        at = base[d]
        size = cum_w[at + hi + 1] - cum_w[at + lo]
        reach = max_gap if long else 0
        best, best_fit = -1, -1.0
        mine = in_doc.get(d)
        if not mine:
            return best, best_fit
        if len(mine) <= INDEX_MIN and d not in at_sent:
            near: Iterable[int] = mine
        else:
            # Only a cluster whose version meets the passage, or that also holds
            # ``other``, can take it: those, in the order of in_doc.
            held = at_sent.get(d)
            if held is None:
                held = at_sent[d] = {}
                for ci in mine:
                    for x, y in clusters[ci].versions[d]:
                        for s in range(x, y + 1):
                            held.setdefault(s, set()).add(ci)
            found: set[int] = set()
            for s in range(lo, hi + 1):
                if s in held:
                    found |= held[s]
            theirs = in_doc.get(other)
            if theirs:
                found |= mine.keys() & theirs.keys()
            near = sorted(found, key=mine.__getitem__)
        for ci in near:
            c = clusters[ci]
            ivs = c.versions[d]
            ov = 0  # words of the passage inside the version
            if ivs[0][0] <= hi and lo <= ivs[-1][1]:
                for x, y in ivs:
                    u, v = max(lo, x), min(hi, y)
                    if u <= v:
                        ov += cum_w[at + v + 1] - cum_w[at + u]
            if ov > 0 and ov >= absorb * size:
                fit = ov / max(size_of[ci, d], size, 1)
            elif other in c.versions and any(gap(d, lo, hi, x, y) <= reach for x, y in ivs):
                fit = 1.0
            else:
                continue
            if fit > best_fit:
                best, best_fit = ci, fit
        return best, best_fit

    def add(ci: int, d: int, lo: int, hi: int) -> None:
        c = clusters[ci]
        if d not in c.versions:
            c.versions[d] = []
            in_doc.setdefault(d, {})[ci] = next(seq)
        held = at_sent.get(d)
        if held is not None:
            for s in range(lo, hi + 1):
                held.setdefault(s, set()).add(ci)
        ivs = c.versions[d]
        _add_interval(ivs, lo, hi)
        at = base[d]
        size_of[ci, d] = sum(cum_w[at + y + 1] - cum_w[at + x] for x, y in ivs)

    def join(ci: int, k: int, ch: Chain) -> None:
        c = clusters[ci]
        add(ci, ch.doc_a, ch.first_a, ch.last_a)
        add(ci, ch.doc_b, ch.first_b, ch.last_b)
        c.chains.append(k)
        c.links.append(ch.score)
        c.chains_in.setdefault(ch.doc_a, []).append(k)
        if ch.doc_b != ch.doc_a:
            c.chains_in.setdefault(ch.doc_b, []).append(k)

    def new(k: int, ch: Chain) -> None:
        clusters.append(ChainCluster())
        join(len(clusters) - 1, k, ch)

    for k in order:
        ch = chains[k]
        long = len(ch.matches) >= 2
        ka, fa = home(ch.doc_a, ch.first_a, ch.last_a, ch.doc_b, long)
        kb, fb = home(ch.doc_b, ch.first_b, ch.last_b, ch.doc_a, long)
        a_side = (ch.doc_a, ch.first_a, ch.last_a)
        b_side = (ch.doc_b, ch.first_b, ch.last_b)
        if ka == -1 and kb == -1:
            new(k, ch)
        elif ka == kb:
            join(ka, k, ch)
        elif kb == -1:
            if supported(ka, *a_side, *b_side):
                join(ka, k, ch)
            else:
                new(k, ch)
        elif ka == -1:
            if supported(kb, *b_side, *a_side):
                join(kb, k, ch)
            else:
                new(k, ch)
        elif min(fa, fb) >= min_fit and len(ch.matches) >= 2:
            keep, gone = min(ka, kb), max(ka, kb)
            g = clusters[gone]
            for d, ivs in g.versions.items():
                del in_doc[d][gone]
                held = at_sent.get(d)
                for lo, hi in ivs:
                    if held is not None:
                        for s in range(lo, hi + 1):
                            held[s].discard(gone)
                    add(keep, d, lo, hi)
            clusters[keep].chains.extend(g.chains)
            clusters[keep].links.extend(g.links)
            for d, ks in g.chains_in.items():
                clusters[keep].chains_in.setdefault(d, []).extend(ks)
            g.alive = False
            join(keep, k, ch)
        elif fa >= min_fit and fa >= fb and supported(ka, *a_side, *b_side):
            join(ka, k, ch)
        elif fb >= min_fit and supported(kb, *b_side, *a_side):
            join(kb, k, ch)
        else:
            new(k, ch)
    return [c for c in clusters if c.alive]
