"""Tests for dedup.cluster: chains -> N-way clusters that cannot chain."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.cluster import chain_groups, cluster_chains
from dedup.passages import Chain, DocLayout


def _layout(sizes: list[int], words: int = 10) -> DocLayout:
    doc = np.repeat(np.arange(len(sizes)), sizes)
    sent = np.concatenate([np.arange(n) for n in sizes])
    return DocLayout.build(doc, sent, np.full(len(doc), words), len(sizes), 5)


def _chain(da: int, a: tuple[int, int], db: int, b: tuple[int, int], score: float = 0.9,
           n: int | None = None) -> Chain:
    n = n if n is not None else min(a[1] - a[0], b[1] - b[0]) + 1
    return Chain(da, db, a[0], a[1], b[0], b[1], n,
                 score, 10 * n)


def test_reprints_of_one_story_form_one_cluster() -> None:
    """A wire story (doc 0, 20 sentences) reprinted whole by 1, trimmed by 2, with a
    local lead by 3: one cluster, every document in it."""
    lay = _layout([20, 20, 10, 21])
    chains = [_chain(0, (0, 19), 1, (0, 19)), _chain(0, (0, 9), 2, (0, 9)),
              _chain(0, (0, 19), 3, (1, 20)), _chain(1, (0, 9), 2, (0, 9)),
              _chain(2, (0, 9), 3, (1, 10))]
    clusters = cluster_chains(chains, lay)
    assert len(clusters) == 1
    assert clusters[0].versions == {0: [[0, 19]], 1: [[0, 19]], 2: [[0, 9]], 3: [[1, 20]]}
    assert sorted(clusters[0].chains) == list(range(5))


def test_two_stories_sharing_one_sentence_stay_two_clusters() -> None:
    """Story X (docs 0, 1) and story Y (docs 2, 3) each reprinted; one quotation of X
    (sentence 5 of doc 0) also stands in Y (sentence 7 of doc 2)."""
    lay = _layout([20, 20, 16, 16])
    chains = [_chain(0, (0, 19), 1, (0, 19)), _chain(2, (0, 15), 3, (0, 15)),
              _chain(0, (5, 5), 2, (7, 7))]
    clusters = cluster_chains(chains, lay)
    versions = sorted(sorted(c.versions) for c in clusters)
    assert versions == [[0, 1], [0, 2], [2, 3]]  # X, Y, and the quotation on its own
    quote = next(c for c in clusters if sorted(c.versions) == [0, 2])
    assert quote.versions == {0: [[5, 5]], 2: [[7, 7]]}


def test_a_moved_paragraph_stays_in_its_cluster() -> None:
    """Doc 1 prints sentences 0-9 of doc 0, then its own 5 sentences, then moves
    sentences 10-14 to its end: one cluster, doc 1's version in two passages."""
    lay = _layout([15, 20])
    chains = [_chain(0, (0, 9), 1, (0, 9)), _chain(0, (10, 14), 1, (15, 19))]
    clusters = cluster_chains(chains, lay)
    assert len(clusters) == 1
    assert clusters[0].versions == {0: [[0, 14]], 1: [[0, 9], [15, 19]]}


def test_three_outlet_reprint_is_one_three_way_cluster() -> None:
    lay = _layout([8, 8, 8])
    chains = [_chain(0, (0, 7), 1, (0, 7)), _chain(0, (1, 7), 2, (0, 6)),
              _chain(1, (1, 7), 2, (0, 6))]
    clusters = cluster_chains(chains, lay)
    assert [sorted(c.versions) for c in clusters] == [[0, 1, 2]]
    assert min(clusters[0].links) == 0.9


@st.composite
def chain_sets(draw: st.DrawFn):
    sizes = draw(st.lists(st.integers(1, 12), min_size=2, max_size=5))
    chains = []
    for _ in range(draw(st.integers(0, 12))):
        da, db = sorted(draw(st.lists(st.integers(0, len(sizes) - 1), min_size=2, max_size=2,
                                      unique=True)))
        a0 = draw(st.integers(0, sizes[da] - 1))
        a1 = draw(st.integers(a0, sizes[da] - 1))
        b0 = draw(st.integers(0, sizes[db] - 1))
        b1 = draw(st.integers(b0, sizes[db] - 1))
        n = draw(st.integers(1, min(a1 - a0, b1 - b0) + 1))
        chains.append(_chain(da, (a0, a1), db, (b0, b1), draw(st.sampled_from([.2, .5, 1.])), n))
    return sizes, chains


@settings(max_examples=200, deadline=None)
@given(chain_sets())
def test_clusters_partition_the_chains_and_hold_their_passages(case) -> None:
    sizes, chains = case
    clusters = cluster_chains(chains, _layout(sizes))
    owned = sorted(k for c in clusters for k in c.chains)
    assert owned == list(range(len(chains)))  # each chain in exactly one cluster
    for c in clusters:
        assert len(c.versions) >= 2 and len(c.links) == len(c.chains)
        for ivs in c.versions.values():
            assert ivs == sorted(ivs)
            assert all(x <= y for x, y in ivs)
            assert all(ivs[k][1] + 1 < ivs[k + 1][0] for k in range(len(ivs) - 1))  # apart
        for k in c.chains:  # a chain's passages lie inside its cluster's versions
            ch = chains[k]
            for d, lo, hi in ((ch.doc_a, ch.first_a, ch.last_a), (ch.doc_b, ch.first_b, ch.last_b)):
                assert any(x <= lo and hi <= y for x, y in c.versions[d])


@settings(max_examples=100, deadline=None)
@given(chain_sets())
def test_cluster_chains_is_deterministic(case) -> None:
    sizes, chains = case
    a = cluster_chains(chains, _layout(sizes))
    b = cluster_chains(list(chains), _layout(sizes))
    assert [(c.versions, c.chains) for c in a] == [(c.versions, c.chains) for c in b]


@settings(max_examples=200, deadline=None)
@given(chain_sets())
def test_chains_of_different_groups_never_meet(case) -> None:
    """chain_groups: two chains in different groups have no passages in one document
    that overlap or lie within max_gap content sentences of each other."""
    sizes, chains = case
    lay = _layout(sizes)
    group = chain_groups(chains, lay, 2).tolist()
    for i, ci in enumerate(chains):
        for j, cj in enumerate(chains[:i]):
            if group[i] == group[j]:
                continue
            for d, lo, hi in ((ci.doc_a, ci.first_a, ci.last_a), (ci.doc_b, ci.first_b, ci.last_b)):
                for e, x, y in ((cj.doc_a, cj.first_a, cj.last_a),
                                (cj.doc_b, cj.first_b, cj.last_b)):
                    if d == e:
                        assert x > hi or y < lo  # no overlap
                        a, b = (hi, x) if hi < x else (y, lo)
                        assert lay.content_between(d, a, b) > 2


def test_cluster_chains_on_forked_workers_equals_one_process(monkeypatch) -> None:
    """60 stories of 4 versions each, chained within the story, plus stray chains
    between stories (a shared stock sentence): the groups grow on 3 workers, and the
    clusters and their order are those of one pass."""
    from dedup import cluster

    rng = np.random.default_rng(5)
    stories, per, sents = 60, 4, 14
    lay = _layout([sents] * (stories * per))
    chains = []
    for s in range(stories):
        docs = list(range(s * per, (s + 1) * per))
        for _ in range(10):
            da, db = sorted(rng.choice(docs, 2, replace=False).tolist())
            a0, b0 = rng.integers(0, sents - 4, 2).tolist()
            n = int(rng.integers(1, 4))
            chains.append(_chain(da, (a0, a0 + n - 1), db, (b0, b0 + n - 1),
                                 float(rng.choice([.4, .7, .9])), n))
    for _ in range(40):
        da, db = sorted(rng.choice(stories * per, 2, replace=False).tolist())
        a0, b0 = rng.integers(0, sents, 2).tolist()
        chains.append(_chain(da, (a0, a0), db, (b0, b0), 0.5, 1))
    one = cluster.cluster_chains(chains, lay)
    assert len(set(cluster.chain_groups(chains, lay, 2).tolist())) > 10
    monkeypatch.setattr(cluster, "PARALLEL_MIN_CHAINS", 1)
    many = cluster.cluster_chains(chains, lay, workers=3)
    assert [(c.versions, c.chains, c.links) for c in many] == [
        (c.versions, c.chains, c.links) for c in one]
