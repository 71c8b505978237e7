"""Verified pairs to clusters, without chaining unrelated passages together.

Plain union-find joins A and C because A~B and B~C, and at thresholds low enough to
find reworded text that chains a whole corpus into one cluster. Here clusters grow by
*average linkage* over verified scores, under two guards:

* a cluster of shared material holds at most one passage per document (a document
  that repeats itself is reported as a within-document cluster instead);
* two clusters merge only if the mean score over *all* their cross pairs (scores of
  pairs never verified are computed on demand) reaches ``link_threshold``.

A verified match whose passages end up in different clusters is kept as a cluster of
its own two passages. Each merge is recorded, so a cluster reports its weakest link:
the lowest score among the matches that hold it together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice


@dataclass
class _Group:
    members: list[int]
    docs: set[str]
    links: list[float] = field(default_factory=list)
    # distinct passage -> [copies in the group, one of them]
    reps: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Grouping:
    """Clusters as lists of passage indexes, each with the scores of the merges that
    built it (its weakest link is the minimum)."""

    members: tuple[tuple[int, ...], ...]
    links: tuple[tuple[float, ...], ...]


def link_clusters(edges: Iterable[tuple[int, int, float]], doc_of: Callable[[int], str],
                  score: Callable[[int, int], float], *, link_threshold: float,
                  one_per_doc: bool = True,
                  rep_of: Callable[[int], int] | None = None, core: int = 64,
                  presorted: bool = False) -> Grouping:
    """Average-linkage clustering over verified edges, strongest first.

    ``edges`` are ``(a, b, score)``; ``score(a, b)`` scores any pair on demand.
    Deterministic: edges are taken by score, then by index (``presorted``: the caller
    already gives them in that order). ``rep_of`` maps each
    passage to its distinct passage where copies score alike: the mean over two
    clusters is then summed over their distinct passages, weighted by copies. A
    cluster with more than ``core`` distinct passages is represented in that mean by
    its core, the first ``core`` to join (those held by the strongest links), so that
    a cluster of thousands of variants costs no more than ``core**2`` scores a merge.

    >>> s = {(0, 1): .9, (1, 2): .5, (0, 2): .1}
    >>> g = link_clusters([(0, 1, .9), (1, 2, .5)], str, lambda a, b: s[(min(a, b), max(a, b))],
    ...                   link_threshold=.4)
    >>> g.members
    ((0, 1), (1, 2))
    """
    groups: dict[int, _Group] = {}
    owner: dict[int, int] = {}
    rejected: list[tuple[int, int, float]] = []

    def group_of(i: int) -> int:
        if i not in owner:
            owner[i] = i
            groups[i] = _Group([i], {doc_of(i)}, reps={rep_of(i) if rep_of else i: [1, i]})
        return owner[i]

    ordered = edges if presorted else sorted(edges, key=lambda e: (-e[2], e[0], e[1]))
    for a, b, s in ordered:
        ga, gb = group_of(a), group_of(b)
        if ga == gb:
            continue
        x, y = groups[ga], groups[gb]
        if one_per_doc and x.docs & y.docs:
            rejected.append((a, b, s))
            continue
        if len(x.members) == len(y.members) == 1:
            mean = s
        else:
            total = weight = 0.0
            for cx, px in islice(x.reps.values(), core):
                for cy, py in islice(y.reps.values(), core):
                    total += cx * cy * (s if {px, py} == {a, b} else score(px, py))
                    weight += cx * cy
            mean = total / weight
        if mean < link_threshold:
            rejected.append((a, b, s))
            continue
        keep, gone = (ga, gb) if len(x.members) >= len(y.members) else (gb, ga)
        k, g = groups[keep], groups.pop(gone)
        k.members.extend(g.members)
        for r, (c, p) in g.reps.items():
            if r in k.reps:
                k.reps[r][0] += c
            else:
                k.reps[r] = [c, p]
        k.docs |= g.docs
        k.links.extend(g.links)
        k.links.append(s)
        for m in g.members:
            owner[m] = keep
    out = [(sorted(g.members), g.links) for g in groups.values() if len(g.members) > 1]
    # A verified match that could not join its partner's cluster (the passage shares
    # one part with one document and another part with another) still stands, as a
    # cluster of its own pair: dropping it would hide real shared material.
    for a, b, s in rejected:
        if owner[a] != owner[b]:
            out.append(([min(a, b), max(a, b)], [s]))
    out.sort()
    return Grouping(tuple(tuple(m) for m, _ in out), tuple(tuple(lk) for _, lk in out))


def connected_components(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Union-find components of size two or more, each sorted, in order of first member.

    Used for near-exact repeats only, where transitivity is safe.

    >>> connected_components(5, [(0, 1), (3, 4), (1, 2)])
    [[0, 1, 2], [3, 4]]
    """
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(i)
    return sorted((c for c in comps.values() if len(c) > 1), key=lambda c: c[0])
