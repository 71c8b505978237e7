"""Tests for dedup.cluster: average linkage with guards, and plain components."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.cluster import Grouping, connected_components, link_clusters

SCORES = [0.0, 0.1, 0.3, 0.5, 0.5, 0.7, 0.9, 1.0]  # ties on purpose


@st.composite
def graphs(draw: st.DrawFn):
    """Passages with documents, cross-document edges, and a symmetric score table."""
    n = draw(st.integers(2, 9))
    docs = draw(st.lists(st.sampled_from("abcd"), min_size=n, max_size=n))
    scores = {}
    for i in range(n):
        for j in range(i + 1, n):
            scores[(i, j)] = draw(st.sampled_from(SCORES))
    cross = [(i, j) for i in range(n) for j in range(i + 1, n) if docs[i] != docs[j]]
    chosen = draw(st.lists(st.sampled_from(cross), unique=True) if cross else st.just([]))
    edges = [(i, j, scores[(i, j)]) for i, j in chosen]
    threshold = draw(st.sampled_from([0.0, 0.2, 0.4, 0.5, 0.8]))
    return docs, scores, edges, threshold


def _run(docs, scores, edges, threshold) -> Grouping:
    return link_clusters(
        edges,
        lambda i: docs[i],
        lambda a, b: scores[(min(a, b), max(a, b))],
        link_threshold=threshold,
    )


def _connected(members: set, edges) -> bool:
    adj = {m: set() for m in members}
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    start = next(iter(members))
    seen, todo = {start}, [start]
    while todo:
        for y in adj[todo.pop()] - seen:
            seen.add(y)
            todo.append(y)
    return seen == members


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_link_clusters_invariants(case) -> None:
    docs, scores, edges, threshold = case
    g = _run(docs, scores, edges, threshold)
    assert len(g.members) == len(g.links)
    assert list(g.members) == sorted(g.members)
    edge_score = {(a, b): s for a, b, s in edges}
    for members, links in zip(g.members, g.links, strict=True):
        assert len(members) >= 2 and list(members) == sorted(set(members))
        # At most one passage per document.
        assert len({docs[m] for m in members}) == len(members)
        # One recorded merge per member beyond the first, each a verified edge's score.
        assert len(links) == len(members) - 1
        inside = [(a, b) for (a, b) in edge_score if a in members and b in members]
        assert set(links) <= {edge_score[e] for e in inside}
        # Merges go strongest first, so the edges at least as strong as the weakest link
        # already hold the whole cluster together.
        weakest = min(links)
        strong = [e for e in inside if edge_score[e] >= weakest]
        assert _connected(set(members), strong)
    # Every verified edge whose endpoints share no cluster is kept as its own pair.
    for a, b, _ in edges:
        assert any(a in m and b in m for m in g.members)


@settings(max_examples=150, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_link_clusters_ignore_edge_order(case, rnd) -> None:
    docs, scores, edges, threshold = case
    shuffled = list(edges)
    rnd.shuffle(shuffled)
    assert _run(docs, scores, shuffled, threshold) == _run(docs, scores, edges, threshold)


def test_chain_does_not_become_one_cluster() -> None:
    # A-B, B-C, C-D are strong; A-C, B-D, A-D share nothing.
    scores = {(0, 1): 0.9, (1, 2): 0.9, (2, 3): 0.9, (0, 2): 0.0, (1, 3): 0.0, (0, 3): 0.0}
    docs = "abcd"
    edges = [(0, 1, 0.9), (1, 2, 0.9), (2, 3, 0.9)]
    g = _run(docs, scores, edges, 0.5)
    assert (0, 1, 2, 3) not in g.members
    assert all(len(m) <= 2 for m in g.members)
    assert g.members == ((0, 1), (1, 2), (2, 3))
    assert g.links == ((0.9,), (0.9,), (0.9,))


def test_clique_becomes_one_cluster_with_its_weakest_link() -> None:
    scores = {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.7}
    g = _run("abc", scores, [(0, 1, 0.9), (1, 2, 0.8), (0, 2, 0.7)], 0.5)
    assert g.members == ((0, 1, 2),)
    assert g.links == ((0.9, 0.8),)
    assert min(g.links[0]) == 0.8


def test_one_passage_per_document() -> None:
    # 0 and 2 are both in document "a": 2 cannot join {0, 1}, its match stands alone.
    scores = {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.0}
    g = _run("aba", scores, [(0, 1, 0.9), (1, 2, 0.8)], 0.0)
    assert g.members == ((0, 1), (1, 2))
    g = link_clusters([(0, 1, 0.9), (1, 2, 0.8)], lambda i: "aba"[i],
                      lambda a, b: scores[(min(a, b), max(a, b))], link_threshold=0.0,
                      one_per_doc=False)
    assert g.members == ((0, 1, 2),)


def test_docstring_example() -> None:
    s = {(0, 1): 0.9, (1, 2): 0.5, (0, 2): 0.1}
    g = link_clusters([(0, 1, 0.9), (1, 2, 0.5)], str, lambda a, b: s[(min(a, b), max(a, b))],
                      link_threshold=0.4)
    assert g.members == ((0, 1), (1, 2))
    assert _run("xyz", s, [], 0.4) == Grouping((), ())


def bfs_components(n: int, edges) -> list[list[int]]:
    adj: list[set[int]] = [set() for _ in range(n)]
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    seen = [False] * n
    out = []
    for s in range(n):
        if seen[s]:
            continue
        seen[s] = True
        comp, q = [s], deque([s])
        while q:
            for y in adj[q.popleft()]:
                if not seen[y]:
                    seen[y] = True
                    comp.append(y)
                    q.append(y)
        if len(comp) > 1:
            out.append(sorted(comp))
    return out


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 25).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, max(n - 1, 0)),
                                                       st.integers(0, max(n - 1, 0))),
                                             max_size=30 if n else 0))))
def test_connected_components_match_bfs(case) -> None:
    n, edges = case
    comps = connected_components(n, edges)
    assert comps == bfs_components(n, edges)
    # A partition of the nodes it covers: disjoint, each sorted, ordered by first member.
    flat = [v for c in comps for v in c]
    assert len(flat) == len(set(flat))
    assert all(c == sorted(c) and len(c) >= 2 for c in comps)
    assert [c[0] for c in comps] == sorted(c[0] for c in comps)
    assert set(flat) == {v for a, b in edges if a != b for v in (a, b)}


def test_connected_components_example() -> None:
    assert connected_components(5, [(0, 1), (3, 4), (1, 2)]) == [[0, 1, 2], [3, 4]]
    assert connected_components(3, [(1, 1)]) == []


def test_large_clusters_are_judged_by_their_core() -> None:
    """Past ``core`` distinct passages, a newcomer is scored against the cluster's
    first members only: 0, 1 and 2 join by strong links; 3 scores well with 0 and 1
    but badly with 2."""
    s = {(0, 1): 0.9, (0, 2): 0.8, (1, 2): 0.8, (0, 3): 0.5, (1, 3): 0.5, (2, 3): 0.0}
    edges = [(0, 1, 0.9), (0, 2, 0.8), (1, 2, 0.8), (0, 3, 0.5)]

    def score(a: int, b: int) -> float:
        return s[(min(a, b), max(a, b))]

    every = link_clusters(edges, str, score, link_threshold=0.4)
    assert (0, 1, 2, 3) not in every.members  # mean with all three: 1/3 < 0.4
    core = link_clusters(edges, str, score, link_threshold=0.4, core=2)
    assert (0, 1, 2, 3) in core.members      # mean with the core {0, 1}: 0.5
