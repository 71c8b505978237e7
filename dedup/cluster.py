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

A chain can only meet a cluster whose version in one of its documents overlaps its
passage there or lies within ``max_gap`` content sentences of it. So chains whose
passages are nowhere near each other's (the stories of a large corpus) grow apart:
they are cut into groups that cannot interact, and large batches of groups grow on
forked workers. Each group takes its chains in the global order, and the clusters come
back in the order the single pass would have created them, so the result does not
depend on the number of workers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .parallel import fork_map
from .passages import PARALLEL_MIN_CHAINS, Chain, DocLayout

__all__ = ["ChainCluster", "chain_groups", "cluster_chains"]

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
    # finding a passage's witnesses does not scan every chain of a large cluster;
    # used while growing, left empty in clusters grown on a worker)
    chains_in: dict[int, list[int]] = field(default_factory=dict)


def _add_interval(ivs: list[list[int]], lo: int, hi: int) -> None:
    """Insert ``[lo, hi]`` into sorted disjoint intervals, merging overlapping and
    adjacent ones."""
    if not ivs or lo > ivs[-1][1] + 1:  # the usual case: after every interval
        ivs.append([lo, hi])
        return
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


def chain_groups(chains: Sequence[Chain], layout: DocLayout, max_gap: int) -> np.ndarray:
    """A group label per chain: chains in different groups never meet (no passage of
    one overlaps, or lies within ``max_gap`` content sentences of, a passage of the
    other in the same document, directly or through other chains of their groups).

    >>> lay = DocLayout.build([0] * 9 + [1] * 9, list(range(9)) * 2, [9] * 18, 2, 5)
    >>> chain_groups([Chain(0, 1, 0, 0, 0, 0, 1, .9, 9), Chain(0, 1, 3, 3, 8, 8, 1, .9, 9),
    ...               Chain(0, 1, 8, 8, 4, 4, 1, .9, 9)], lay, 2).tolist()
    [0, 0, 1]
    """
    n = len(chains)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    f = np.array([(c.doc_a, c.doc_b, c.first_a, c.last_a, c.first_b, c.last_b)
                  for c in chains], dtype=np.int64)
    doc, lo, hi = np.r_[f[:, 0], f[:, 1]], np.r_[f[:, 2], f[:, 4]], np.r_[f[:, 3], f[:, 5]]
    del f
    # Each passage in content-sentence coordinates: content sentences before its first
    # sentence, and up to its last. A passage that starts within max_gap of where an
    # earlier one (in the same document) ends meets it or continues it.
    at = layout.doc_first[doc] + doc
    cum = layout.cum_content
    start, end = cum[at + lo], cum[at + hi + 1]
    del at, lo, hi
    order = np.lexsort((start, doc))
    doc, start, end = doc[order], start[order], end[order]
    # the furthest end so far within each document (documents kept apart by an offset)
    shift = doc * (int(cum.max()) + max_gap + 2)
    reach = np.maximum.accumulate(end + shift) - shift
    fresh = np.ones(2 * n, dtype=bool)
    fresh[1:] = (doc[1:] != doc[:-1]) | (start[1:] > reach[:-1] + max_gap)
    run = np.empty(2 * n, dtype=np.int64)
    run[order] = np.cumsum(fresh) - 1
    # A chain joins the runs of its two passages: groups are connected components.
    # (scipy is imported here, not with the module: it takes a sixth of a second,
    # and only a large corpus clusters in groups.)
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    runs = int(run.max()) + 1
    graph = coo_matrix((np.ones(n, dtype=np.int8), (run[:n], run[n:])), shape=(runs, runs))
    _, label = connected_components(graph, directed=False)
    return label[run[:n]].astype(np.int64)


def cluster_chains(chains: Sequence[Chain], layout: DocLayout, *, absorb: float = 0.5,
                   min_fit: float = 0.3, max_gap: int = 2, workers: int = 1
                   ) -> list[ChainCluster]:
    """Group chains into clusters of shared material (see the module docstring).

    Deterministic: chains are taken by matched words, then by score, then in their
    given order. Returns the clusters in order of creation, the same for any number
    of ``workers`` (forked processes, for groups of chains that cannot meet).

    >>> lay = DocLayout.build([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1], [9] * 6, 3, 5)
    >>> ch = [Chain(0, 1, 0, 1, 0, 1, 2, .9, 18), Chain(0, 2, 0, 1, 0, 1, 2, .8, 18),
    ...       Chain(1, 2, 0, 1, 0, 1, 2, .7, 18)]
    >>> [(sorted(c.versions), min(c.links)) for c in cluster_chains(ch, lay)]
    [([0, 1, 2], 0.7)]
    >>> [sorted(c.versions) for c in cluster_chains(ch[:2], lay)]  # 1 and 2 share nothing
    [[0, 1], [0, 2]]
    """
    if not chains:
        return []
    # Per chain, its fields as Python lists: the growth looks them up millions of times.
    cols = tuple(list(col) for col in zip(*chains, strict=True))
    score, words = (np.asarray(c) for c in cols[7:9])
    order = np.lexsort((np.arange(len(chains)), -score, -words)).tolist()
    del words, score
    parts = [order]
    if workers > 1 and len(chains) >= PARALLEL_MIN_CHAINS:
        parts = _parts(chain_groups(chains, layout, max_gap), order, 4 * workers)
    if len(parts) <= 1:
        grown = _grow(cols, layout, order, absorb, min_fit, max_gap)
    else:
        # plain tuples back from the workers: they unpickle ten times faster
        grown = [(k, ChainCluster(versions, ks, links)) for k, versions, ks, links in
                 fork_map(_grow_part, (cols, layout, parts, absorb, min_fit, max_gap),
                          [(i, i + 1) for i in range(len(parts))], workers)]
        # the clusters in the order one pass over ``order`` would have created them
        rank = np.empty(len(chains), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(chains))
        grown.sort(key=lambda kc: int(rank[kc[0]]))
    return [c for _, c in grown]


def _parts(group: np.ndarray, order: list[int], parts: int) -> list[list[int]]:
    """``order`` cut into up to ``parts`` subsequences, each holding whole groups and
    about as many chains as the others (largest groups first, each to the part with
    the fewest chains so far); none when one group holds most chains."""
    sizes = np.bincount(group)
    if sizes.max() * 2 > len(group):
        return [order]
    load = [0] * parts
    part_of = np.empty(len(sizes), dtype=np.int64)
    for g in np.argsort(-sizes, kind="stable").tolist():
        p = load.index(min(load))
        part_of[g] = p
        load[p] += int(sizes[g])
    mine = part_of[group[np.asarray(order, dtype=np.int64)]].tolist()
    out: list[list[int]] = [[] for _ in range(parts)]
    for k, p in zip(order, mine, strict=True):
        out[p].append(k)
    return [ks for ks in out if ks]


def _grow_part(cols: tuple[list[Any], ...], layout: DocLayout, parts: list[list[int]],
               absorb: float, min_fit: float, max_gap: int, span: tuple[int, int]
               ) -> list[tuple[int, dict[int, list[list[int]]], list[int], list[float]]]:
    return [(k, c.versions, c.chains, c.links) for ks in parts[span[0]:span[1]]
            for k, c in _grow(cols, layout, ks, absorb, min_fit, max_gap)]


def _grow(cols: tuple[list[Any], ...], layout: DocLayout, order: list[int], absorb: float,
          min_fit: float, max_gap: int) -> list[tuple[int, ChainCluster]]:
    """The clusters of the chains ``order`` (taken in that order), alive at the end,
    each with the chain that created it, in order of creation. ``cols``: the chains'
    fields, a list each (:class:`Chain`'s order)."""
    clusters: list[ChainCluster] = []
    created: list[int] = []
    # document -> the live clusters with a version there, in the order they got it
    in_doc: dict[int, dict[int, int]] = {}
    # document -> sentence -> the live clusters whose version there holds it; kept
    # only for documents with many clusters (chance phrases in a large archive)
    at_sent: dict[int, dict[int, set[int]]] = {}
    seq = itertools.count()
    size_of: dict[tuple[int, int], int] = {}  # (cluster, document) -> words of its version
    A, B, FA, LA, FB, LB, SEEDS, SCORE, _ = cols
    by_pair: dict[tuple[int, int], list[int]] = {}  # document pair -> chains
    for k in sorted(order):
        by_pair.setdefault((A[k], B[k]), []).append(k)

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
            if A[k] == d_in:
                if B[k] != d_new and FA[k] <= hi_in and lo_in <= LA[k]:
                    witnesses.add(B[k])
            elif A[k] != d_new and FB[k] <= hi_in and lo_in <= LB[k]:
                witnesses.add(A[k])
        if not witnesses:
            return True
        # At least half must agree: stop as soon as the count is settled either way.
        need = (len(witnesses) + 1) // 2
        left = len(witnesses)
        agree = 0
        for w in witnesses:
            left -= 1
            ivs = c.versions[w]
            for k in by_pair.get((w, d_new) if w < d_new else (d_new, w), ()):
                # the chain's passage in d_new must meet the newcomer, its passage in w
                # the cluster's version there
                if A[k] == d_new:
                    x, y, p, q = FA[k], LA[k], FB[k], LB[k]
                else:
                    x, y, p, q = FB[k], LB[k], FA[k], LA[k]
                if not (x <= hi and lo <= y):
                    continue
                for u, v in ivs:
                    if u <= q and p <= v:
                        break
                else:
                    continue
                agree += 1
                break
            if agree >= need:
                return True
            if agree + left < need:
                return False
        return agree >= need

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
                for x, y in ivs:  # sorted and disjoint
                    if x > hi:
                        break
                    if y >= lo:
                        ov += (cum_w[at + (hi if hi < y else y) + 1]
                               - cum_w[at + (lo if lo > x else x)])
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

    def join(ci: int, k: int) -> None:
        c = clusters[ci]
        add(ci, A[k], FA[k], LA[k])
        add(ci, B[k], FB[k], LB[k])
        c.chains.append(k)
        c.links.append(SCORE[k])
        c.chains_in.setdefault(A[k], []).append(k)
        if B[k] != A[k]:
            c.chains_in.setdefault(B[k], []).append(k)

    def new(k: int) -> None:
        clusters.append(ChainCluster())
        created.append(k)
        join(len(clusters) - 1, k)

    for k in order:
        da, fa_, la, db, fb_, lb = A[k], FA[k], LA[k], B[k], FB[k], LB[k]
        long = SEEDS[k] >= 2
        ka, fa = home(da, fa_, la, db, long)
        kb, fb = home(db, fb_, lb, da, long)
        if ka == -1 and kb == -1:
            new(k)
        elif ka == kb:
            join(ka, k)
        elif kb == -1:
            if supported(ka, da, fa_, la, db, fb_, lb):
                join(ka, k)
            else:
                new(k)
        elif ka == -1:
            if supported(kb, db, fb_, lb, da, fa_, la):
                join(kb, k)
            else:
                new(k)
        elif min(fa, fb) >= min_fit and long:
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
            join(keep, k)
        elif fa >= min_fit and fa >= fb and supported(ka, da, fa_, la, db, fb_, lb):
            join(ka, k)
        elif fb >= min_fit and supported(kb, db, fb_, lb, da, fa_, la):
            join(kb, k)
        else:
            new(k)
    return [(k, c) for k, c in zip(created, clusters, strict=True) if c.alive]
