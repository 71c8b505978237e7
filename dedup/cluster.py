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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .passages import Chain, DocLayout

__all__ = ["ChainCluster", "cluster_chains"]


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


def _overlap_words(layout: DocLayout, d: int, lo: int, hi: int, ivs: Iterable[list[int]]) -> int:
    total = 0
    for x, y in ivs:
        a, b = max(lo, x), min(hi, y)
        if a <= b:
            total += layout.span_words(d, a, b)
    return total


def _gap(layout: DocLayout, d: int, lo: int, hi: int, x: int, y: int) -> int:
    """Content sentences between sentence runs ``lo..hi`` and ``x..y`` of document
    ``d`` (a large number when they overlap: overlap is not continuation)."""
    if y < lo:
        return layout.content_between(d, y, lo)
    if hi < x:
        return layout.content_between(d, hi, x)
    return 1 << 30


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
    in_doc: dict[int, list[int]] = {}  # document -> clusters with a version there
    by_pair: dict[tuple[int, int], list[int]] = {}  # document pair -> chains
    for k, ch in enumerate(chains):
        by_pair.setdefault((ch.doc_a, ch.doc_b), []).append(k)

    def side(ch: Chain, d: int) -> tuple[int, int]:
        return (ch.first_a, ch.last_a) if ch.doc_a == d else (ch.first_b, ch.last_b)

    def hits(d: int, lo: int, hi: int, ivs: Iterable[Sequence[int]]) -> bool:
        return any(x <= hi and lo <= y for x, y in ivs)

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
                if d == d_in and other != d_new and hits(d, lo_in, hi_in, [side(ch, d)]):
                    witnesses.add(other)
        if not witnesses:
            return True
        agree = 0
        for w in witnesses:
            for k in by_pair.get((min(w, d_new), max(w, d_new)), ()):
                ch = chains[k]
                if hits(d_new, lo, hi, [side(ch, d_new)]) and hits(w, *side(ch, w), c.versions[w]):
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
        size = layout.span_words(d, lo, hi)
        best, best_fit = -1, -1.0
        for ci in in_doc.get(d, ()):  # alive clusters only: a merge removes the other
            c = clusters[ci]
            ivs = c.versions[d]
            # No overlap at all unless the passage meets the version's extent.
            ov = (_overlap_words(layout, d, lo, hi, ivs)
                  if ivs[0][0] <= hi and lo <= ivs[-1][1] else 0)
            if ov > 0 and ov >= absorb * size:
                vsize = sum(layout.span_words(d, x, y) for x, y in ivs)
                fit = ov / max(vsize, size, 1)
            elif other in c.versions and any(
                    _gap(layout, d, lo, hi, x, y) <= (max_gap if long else 0) for x, y in ivs):
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
            in_doc.setdefault(d, []).append(ci)
        _add_interval(c.versions[d], lo, hi)

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
                in_doc[d].remove(gone)
                for lo, hi in ivs:
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
