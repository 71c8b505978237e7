"""The library entry points: ``find`` shared passages in a corpus.

Stages, each in its own module: segment (sentences with offsets) -> features (word
n-grams weighted by distinctiveness) -> signatures (bulk MinHash) -> index (LSH
candidates) -> verify (weighted overlap, here) -> cluster (average linkage with
guards). ``find`` records the time each stage took.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from .cluster import link_clusters
from .errors import ParameterError
from .features import (
    FeatureTable,
    build_features_hashed,
    sequence_keys_hashed,
    shared_stats,
    shared_stats_bulk,
)
from .index import LSHParams, candidate_pairs
from .models import Cluster, Corpus, Match, Passage
from .signatures import MinHashParams, fold32, signatures
from .tokens import tokenize

Progress = Callable[[str, int, int], None]

@dataclass(frozen=True)
class FindParams:
    """Tuning of :func:`find`. Every field is recorded in the output.

    threshold: verified score (0..1, weighted cosine) two passages of different
        outlets need to count as shared material.
    min_evidence: shared weight, in units of ``log N`` (one feature unique to the
        pair), below which a match is not trusted whatever its score, unless the pair
        shares ``min_shared_run`` of its longest n-grams (a verbatim run is evidence of
        copying even when every document in a small corpus repeats it). A sentence
        repeated word for word with at least ``min_exact_words`` words needs no more.
    stock_df: a word or phrase found in this many distinct passages or more is a
        stock phrase ("said on Tuesday", a quotation template) and weighs nothing,
        however large the corpus.
    link_threshold: mean score a passage needs with a cluster's members to join it.
    duplicate_threshold: share of the shorter passage (weighted) that must recur for
        a repeat inside one document or outlet.
    """

    minhash: MinHashParams = field(default_factory=MinHashParams)
    near_threshold: float = 0.5
    lsh_threshold: float = 0.1
    rare_df: int = 10
    rare_num_perm: int = 128
    boilerplate_docs: int = 3
    target_recall: float = 0.95
    threshold: float = 0.2
    min_evidence: float = 3.0
    min_shared_run: int = 6
    min_exact_words: int = 8
    link_threshold: float = 0.2
    duplicate_threshold: float = 0.8
    min_words: int = 5
    topic_weight: float = 0.3
    quote_weight: float = 1.5
    max_bucket: int = 64
    stock_df: int = 200

    def __post_init__(self) -> None:
        for name in ("threshold", "link_threshold", "duplicate_threshold", "topic_weight"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ParameterError(f"{name} must be in [0.0, 1.0], got {v}")
        if self.min_words < 1:
            raise ParameterError(f"min_words must be at least 1, got {self.min_words}")
        if self.quote_weight < 0:
            raise ParameterError(f"quote_weight must be >= 0, got {self.quote_weight}")
        if self.max_bucket < 2:
            raise ParameterError(f"max_bucket must be at least 2, got {self.max_bucket}")

    def rare_minhash(self) -> MinHashParams:
        """Signature parameters of the distinctive-wording channel."""
        return MinHashParams(num_perm=self.rare_num_perm, seed=self.minhash.seed,
                             ngrams=self.minhash.ngrams)

    def lsh(self) -> LSHParams:
        """Banding of the distinctive-wording channel (rare n-grams only)."""
        return LSHParams.for_recall(self.rare_num_perm, self.lsh_threshold, self.target_recall)

    def near_lsh(self) -> LSHParams:
        """Banding of the near-duplicate channel (longest n-grams)."""
        return LSHParams.for_recall(self.minhash.num_perm, self.near_threshold,
                                    self.target_recall, max_hits=2)

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["minhash"] = self.minhash.to_dict()
        d["lsh"] = {"near": self.near_lsh().to_dict(), "rare": self.lsh().to_dict(),
                    "rare_minhash": self.rare_minhash().to_dict()}
        return d


@dataclass(frozen=True)
class FindResult:
    """What :func:`find` returns: the corpus, every passage, the clusters and the
    figures of the run (``stats``: counts and seconds per stage)."""

    corpus: Corpus
    params: FindParams
    passages: tuple[Passage, ...]
    clusters: tuple[Cluster, ...]
    stats: dict[str, float]
    candidates: np.ndarray | None = None  # (m, 2) passage pairs, with keep_candidates


def find(corpus: Corpus, params: FindParams | None = None, *,
         progress: Progress | None = None, keep_candidates: bool = False,
         workers: int | None = None) -> FindResult:
    """Find the passages that documents share, and group them into clusters.

    With ``keep_candidates`` the result also holds every candidate pair of passages
    handed to verification (for measuring the recall of the candidate stage).
    ``workers`` processes tokenise a large corpus (default: every CPU available); the
    result does not depend on their number.

    >>> from dedup.models import Corpus, Document
    >>> wire = "Officials confirmed the bridge collapse injured forty workers on Monday night."
    >>> docs = (Document("a", wire, "a"), Document("b", "Local news. " + wire, "b"))
    >>> [c.kind for c in find(Corpus(docs)).clusters]
    ['cross-document']
    """
    params = params or FindParams()
    stats: dict[str, float] = {}
    tick = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        stats[f"seconds_{stage}"] = round(now - tick, 6)
        stats[f"peak_rss_mb_{stage}"] = _peak_rss_mb()
        tick = now

    docs = corpus.documents
    outlet_of_doc = {d.id: d.outlet for d in docs}
    tok = tokenize(docs, topic_weight=params.topic_weight, quote_weight=params.quote_weight,
                   workers=workers,
                   progress=(lambda i, t: progress("segment", i, t)) if progress else None)
    passages = [Passage(doc=docs[d].id, index=i, start=s, end=e, paragraph=p)
                for d, i, s, e, p in zip(tok.doc.tolist(), tok.index.tolist(),
                                         tok.start.tolist(), tok.end.tolist(),
                                         tok.paragraph.tolist(), strict=True)]
    lap("segment")

    # Exact repeats (the same words in the same order: a wire sentence printed by
    # every outlet) are one *distinct passage*: features, signatures, candidates and
    # scores are computed once per distinct passage and then given to every copy.
    n = len(passages)
    rep_of, members_ptr, members = _distinct(sequence_keys_hashed(tok.hashes, tok.lengths))
    firsts = members[members_ptr[:-1]]
    rep_len = tok.lengths[firsts]
    at = (np.repeat(np.cumsum(tok.lengths)[firsts] - rep_len - (np.cumsum(rep_len) - rep_len),
                    rep_len) + np.arange(int(rep_len.sum()), dtype=np.int64))
    rep_hashes, rep_factors, doc_index = tok.hashes[at], tok.factors[at], tok.doc
    del tok, at  # the corpus' words are not needed past this point
    table = build_features_hashed(rep_hashes, rep_len, params.minhash.ngrams,
                                  multipliers=rep_factors, stock_df=params.stock_df)
    del rep_hashes, rep_factors
    lap("features")

    n_rep = len(firsts)
    valid = table.n_words >= params.min_words
    outlet_ids = {o: i for i, o in enumerate(sorted({d.outlet for d in docs}))}
    outlet_arr = np.fromiter((outlet_ids[d.outlet] for d in docs), dtype=np.int64,
                             count=len(docs))[doc_index]
    # A distinct passage printed word for word in boilerplate_docs or more documents of
    # every outlet that prints it is furniture wherever it appears: it never matches
    # across outlets, so it stays out of the candidate search (where a thousand
    # outlets' variants of one newsletter line would pair up with each other). Its
    # repeats are still found and reported within each outlet.
    furniture_rep = _furniture_reps(rep_of, outlet_arr, doc_index, params.boilerplate_docs)
    stats["furniture_distinct_passages"] = float(furniture_rep.sum())
    lsh_valid = valid & ~furniture_rep
    unit_of = np.repeat(np.arange(n_rep, dtype=np.int64), np.diff(table.indptr))
    # Two candidate channels on the same MinHash/LSH machinery:
    # near-duplicates: the longest n-grams (word 3-grams), bands tuned to Jaccard
    # near_threshold;
    # distinctive wording: only rare n-grams (in at most rare_df distinct passages),
    # one-row bands tuned to lsh_threshold, so two passages that share a rare phrase
    # become candidates however much else was reworded. Rare features keep every
    # bucket small, so this channel stays linear in the corpus.
    top = table.gram == max(params.minhash.ngrams)
    sig_near = signatures(unit_of[top], fold32(table.feats[top]), n_rep, params.minhash)
    rare = table.df <= params.rare_df
    sig_rare = signatures(unit_of[rare], fold32(table.feats[rare]), n_rep,
                          params.rare_minhash())
    del unit_of
    lap("sign")
    if progress:
        progress("sign", 1, 1)

    near_lsh = params.near_lsh()
    near = candidate_pairs(sig_near, near_lsh, valid=lsh_valid, max_bucket=params.max_bucket,
                           min_hits=near_lsh.min_hits)
    has_rare = np.bincount(np.repeat(np.arange(n_rep), np.diff(table.indptr))[rare],
                           minlength=n_rep) > 0
    reworded = candidate_pairs(sig_rare, params.lsh(), valid=lsh_valid & has_rare,
                               max_bucket=params.max_bucket)
    del sig_near, sig_rare
    # Each distinct passage printed more than once is also a pair with itself.
    repeated = np.flatnonzero((np.diff(members_ptr) > 1) & (table.n_words > 0))
    rep_pairs = np.concatenate([_union_pairs([near, reworded], n_rep),
                                np.stack([repeated, repeated], axis=1)])
    lap("index")
    stats["candidate_pairs_near"] = float(len(near))
    stats["candidate_pairs_rare"] = float(len(reworded))
    stats["candidate_pairs"] = float(len(rep_pairs))

    doc_of = [p.doc for p in passages]
    outlet_of = [outlet_of_doc[d] for d in doc_of]
    cache: dict[tuple[int, int], float] = {}

    dup_scores: dict[tuple[int, int], float] = {}
    if progress:
        progress("verify", 0, len(rep_pairs))
    rep_cos, rep_dup = _score_pairs(table, rep_pairs, params)
    # Scores of scored pairs are looked up (sorted keys), others computed on demand.
    scored = rep_pairs[:, 0] * np.int64(n_rep) + rep_pairs[:, 1]
    by_key = np.argsort(scored, kind="stable")
    scored_keys, scored_cos = scored[by_key], rep_cos[by_key]

    def cosine(a: int, b: int) -> float:
        ra, rb = int(rep_of[a]), int(rep_of[b])
        key = (ra, rb) if ra < rb else (rb, ra)
        v = cache.get(key)
        if v is None:
            k = key[0] * n_rep + key[1]
            at = int(np.searchsorted(scored_keys, k))
            if at < len(scored_keys) and scored_keys[at] == k:
                v = float(scored_cos[at])
            else:
                v = _cross_score(table, key[0], key[1], params)
            cache[key] = v
        return v
    candidates = (_expand_pairs(rep_pairs, members_ptr, members, params.max_bucket)[1]
                  if keep_candidates else None)
    valid_p = valid[rep_of]
    # Repeats inside an outlet, as a sparse graph with the same components and the
    # same spanning-tree weights as the pairs of every copy: copies of a distinct
    # passage in one outlet joined to the first of them, and two distinct passages
    # that repeat each other joined once in each outlet that prints both.
    dup_keep = rep_dup >= params.duplicate_threshold
    for a, b, s in _outlet_repeats(rep_pairs[dup_keep], rep_dup[dup_keep], rep_of,
                                   outlet_arr, table.n_words > 0):
        dup_scores[(a, b)] = s
    repeat_groups = _repeat_groups(dup_scores)  # components, reused for the clusters
    # Site furniture: a passage repeated in boilerplate_docs or more documents of its
    # own outlet ("Sign up for our newsletter...") is that outlet's boilerplate. It is
    # reported as within-outlet material and kept out of cross-outlet matching, where
    # every outlet's variant of the same template would otherwise match the others.
    furniture = _boilerplate(n, (comp for comp, _ in repeat_groups), doc_of,
                             params.boilerplate_docs)
    stats["boilerplate_passages"] = float(furniture.sum())
    usable = valid_p & ~furniture
    # Matches across outlets: each scored pair of distinct passages is expanded to
    # the pairs of their usable copies (furniture never enters), outlets differing.
    member_ok = usable[members]
    ok_members = members[member_ok]
    ok_ptr = np.zeros_like(members_ptr)
    ok_ptr[1:] = np.cumsum(np.add.reduceat(member_ok.astype(np.int64), members_ptr[:-1])
                           if len(members) else np.zeros(0, np.int64))
    cross_keep = rep_cos >= params.threshold
    which, pairs = _expand_pairs(rep_pairs[cross_keep], ok_ptr, ok_members, params.max_bucket)
    cosines = rep_cos[cross_keep][which]
    cross = outlet_arr[pairs[:, 0]] != outlet_arr[pairs[:, 1]]
    # In the order clustering takes them (strongest first, then by index), sorted here
    # in numpy rather than with a Python key per edge.
    pairs, cosines = pairs[cross], cosines[cross]
    order = np.lexsort((pairs[:, 1], pairs[:, 0], -cosines))
    cross_edges = list(zip(pairs[order, 0].tolist(), pairs[order, 1].tolist(),
                           cosines[order].tolist(), strict=True))
    del pairs, cosines, order
    if progress:
        progress("verify", len(rep_pairs), len(rep_pairs))
    lap("verify")
    stats["verified_pairs"] = float(len(cross_edges) + len(dup_scores))

    rep_list = rep_of.tolist()
    grouping = link_clusters(cross_edges, doc_of.__getitem__, cosine,
                             link_threshold=params.link_threshold, rep_of=rep_list.__getitem__,
                             presorted=True)
    # Each cluster's verified pairs, found by walking the edges once (a cluster of
    # thousands of passages would make a scan of its member pairs quadratic).
    # (A passage sits in one cluster, plus the pair clusters of matches that could
    # not join it.)
    clusters_of: dict[int, list[int]] = {}
    for ci, members in enumerate(grouping.members):
        for m in members:
            clusters_of.setdefault(m, []).append(ci)
    inner: list[list[tuple[int, int, float]]] = [[] for _ in grouping.members]
    for edge in cross_edges:
        for ci in clusters_of.get(edge[0], ()):
            if ci in clusters_of.get(edge[1], ()):
                inner[ci].append(edge)
    raw: list[tuple[str, list[int], list[tuple[int, int, float]], float]] = []
    for ci, (members, links) in enumerate(zip(grouping.members, grouping.links, strict=True)):
        mem = list(members)
        at = {p: k for k, p in enumerate(mem)}
        prs = sorted((at[a], at[b], s) for a, b, s in inner[ci])
        raw.append(("cross-document", mem, prs, min(links)))
    for comp, tree in repeat_groups:
        kind = "within-document" if len({doc_of[i] for i in comp}) == 1 else "within-outlet"
        at = {p: k for k, p in enumerate(comp)}
        prs = sorted((at[a], at[b], s) for a, b, s in tree)
        raw.append((kind, comp, prs, min(s for _, _, s in prs)))
    clusters = _number_clusters(raw, passages, outlet_of)
    lap("cluster")
    stats.update(documents=float(len(docs)), passages=float(n), clusters=float(len(clusters)),
                 distinct_passages=float(table.n_distinct))
    return FindResult(corpus=corpus, params=params, passages=tuple(passages),
                      clusters=tuple(clusters), stats=stats, candidates=candidates)


def _score_pairs(table: FeatureTable, pairs: np.ndarray, params: FindParams
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Cross-outlet scores (as :func:`_cross_score`) of many pairs at once, and repeat
    scores: the share of the shorter passage's weight that the other one repeats
    (1.0 for an exact repeat, however short)."""
    if len(pairs) == 0:
        return np.zeros(0), np.zeros(0)
    shared, runs = shared_stats_bulk(table, pairs)
    ta, tb = table.total[pairs[:, 0]], table.total[pairs[:, 1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = np.where((ta > 0) & (tb > 0), shared / np.sqrt(ta * tb), 0.0)
        enough = (shared >= params.min_evidence * table.log_n) | (runs >= params.min_shared_run)
        cos = np.round(np.minimum(np.where(enough, cos, 0.0), 1.0), 4)
    # A whole sentence printed again word for word is copying, however ordinary its
    # words: it needs no further evidence once it is long enough not to recur by chance.
    exact = (table.key[pairs[:, 0]] == table.key[pairs[:, 1]]) & (
        table.n_words[pairs[:, 0]] >= params.min_exact_words)
    cos[exact] = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.minimum(ta, tb)
        short = np.minimum(table.n_words[pairs[:, 0]], table.n_words[pairs[:, 1]]) < 3
        dup = np.where((lo > 0) & ~short, shared / lo, 0.0)
    dup = np.round(np.minimum(dup, 1.0), 4)
    repeat = (table.key[pairs[:, 0]] == table.key[pairs[:, 1]]) & (table.n_words[pairs[:, 0]] > 0)
    dup[repeat] = 1.0
    return cos, dup


def _cross_score(table: FeatureTable, a: int, b: int, params: FindParams) -> float:
    """Weighted cosine of two passages' features; 0 when the shared weight is below
    the minimum evidence."""
    if table.key[a] == table.key[b] and table.n_words[a] >= params.min_exact_words:
        return 1.0
    ta, tb = table.total[a], table.total[b]
    if ta <= 0 or tb <= 0:
        return 0.0
    shared, run = shared_stats(table, a, b)
    if shared < params.min_evidence * table.log_n and run < params.min_shared_run:
        return 0.0
    return round(min(1.0, shared / math.sqrt(ta * tb)), 4)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _repeat_groups(scores: dict[tuple[int, int], float]
                   ) -> list[tuple[list[int], list[tuple[int, int, float]]]]:
    """Repeats grouped by transitivity (safe for near-exact repeats), each group with
    the pairs of its maximum spanning tree: the strongest matches that connect it, so
    a furniture line printed in k documents lists k - 1 pairs, not k(k - 1)/2, and the
    weakest of them is the weakest link that holds the group together.

    >>> _repeat_groups({(0, 1): 1.0, (1, 2): 0.9, (0, 2): 0.8, (5, 7): 1.0})
    [([0, 1, 2], [(0, 1, 1.0), (1, 2, 0.9)]), ([5, 7], [(5, 7, 1.0)])]
    """
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tree = []
    for (a, b), s in sorted(scores.items(), key=lambda e: (-e[1], e[0])):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
            tree.append((a, b, s))
    groups: dict[int, list[int]] = {}
    for i in sorted(parent):
        groups.setdefault(root(i), []).append(i)
    edges: dict[int, list[tuple[int, int, float]]] = {}
    for a, b, s in tree:
        edges.setdefault(root(a), []).append((a, b, s))
    return [(groups[r], edges[r]) for r in sorted(groups, key=lambda r: groups[r][0])]


def _furniture_reps(rep_of: np.ndarray, outlet: np.ndarray, doc: np.ndarray,
                    min_docs: int) -> np.ndarray:
    """Mask of distinct passages that, in every outlet printing them, appear in at
    least ``min_docs`` of its documents.

    >>> _furniture_reps(np.array([0, 0, 0, 1, 1, 1, 0]), np.array([0, 0, 0, 0, 0, 0, 1]),
    ...                 np.array([0, 1, 2, 0, 1, 2, 5]), 3).tolist()
    [False, True]
    """
    n_rep = int(rep_of.max()) + 1 if len(rep_of) else 0
    if n_rep == 0:
        return np.zeros(0, dtype=bool)
    n_out = np.int64(outlet.max() + 1)
    n_doc = np.int64(doc.max() + 1)
    group = rep_of.astype(np.int64) * n_out + outlet
    pairs = np.unique(group * n_doc + doc)         # (group, document), once each
    groups, docs_in = np.unique(pairs // n_doc, return_counts=True)
    rep = groups // n_out
    printed = np.bincount(rep, minlength=n_rep) > 0
    not_furniture = np.bincount(rep[docs_in < min_docs], minlength=n_rep) > 0
    return printed & ~not_furniture


def _outlet_repeats(rep_pairs: np.ndarray, scores: np.ndarray, rep_of: np.ndarray,
                    outlet: np.ndarray, has_words: np.ndarray) -> list[tuple[int, int, float]]:
    """Edges ``(a, b, score)``, ``a < b``, between repeats inside one outlet.

    Copies of a distinct passage (with words) in one outlet are joined to the first
    of them (score 1.0); two different distinct passages that repeat each other
    (``rep_pairs`` with their ``scores``) are joined once per outlet printing both,
    first copy to first copy. Linear in the copies, where every pair of copies of two
    widely printed lines ("Sign up for our newsletter") would be quadratic.

    >>> _outlet_repeats(np.array([[0, 1]]), np.array([0.9]), np.array([0, 0, 1, 0, 1]),
    ...                 np.array([5, 5, 5, 6, 6]), np.array([True, True]))
    [(0, 1, 1.0), (0, 2, 0.9), (3, 4, 0.9)]
    """
    n = len(rep_of)
    if n == 0:
        return []
    n_out = np.int64(outlet.max() + 1)
    gkey = rep_of.astype(np.int64) * n_out + outlet
    order = np.argsort(gkey, kind="stable")
    gk = gkey[order]
    new_group = np.r_[True, gk[1:] != gk[:-1]]
    starts = np.flatnonzero(new_group)
    first = order[starts]                  # first copy of each (distinct passage, outlet)
    keys = gk[starts]
    lead = first[np.cumsum(new_group) - 1]  # for each copy, the first in its group
    star = (lead != order) & has_words[rep_of[order]]
    a_parts, b_parts, s_parts = [lead[star]], [order[star]], [np.ones(int(star.sum()))]
    pairs = rep_pairs[rep_pairs[:, 0] != rep_pairs[:, 1]]
    sc = scores[rep_pairs[:, 0] != rep_pairs[:, 1]]
    if len(pairs):
        group_rep = keys // n_out
        rep_ptr = np.searchsorted(group_rep, np.arange(int(rep_of.max()) + 2))
        ra, rb = pairs[:, 0], pairs[:, 1]
        na, nb = rep_ptr[ra + 1] - rep_ptr[ra], rep_ptr[rb + 1] - rep_ptr[rb]
        swap = nb < na  # walk the outlets of the side printed in fewer outlets
        ra, rb = np.where(swap, rb, ra), np.where(swap, ra, rb)
        cnt = np.minimum(na, nb)
        row = np.repeat(np.arange(len(pairs)), cnt)
        g = rep_ptr[ra][row] + (np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        want = rb[row] * n_out + keys[g] % n_out
        at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        hit = keys[at] == want
        a_parts.append(first[g[hit]])
        b_parts.append(first[at[hit]])
        s_parts.append(sc[row[hit]])
    a, b, s = np.concatenate(a_parts), np.concatenate(b_parts), np.concatenate(s_parts)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((hi, lo))
    return list(zip(lo[order].tolist(), hi[order].tolist(), s[order].tolist(), strict=True))


def _boilerplate(n: int, groups: Iterable[list[int]], doc_of: Sequence[str],
                 min_docs: int) -> np.ndarray:
    """Mask of passages whose group of within-outlet repeats spans at least
    ``min_docs`` documents."""
    mask = np.zeros(n, dtype=bool)
    for comp in groups:
        if len({doc_of[i] for i in comp}) >= min_docs:
            mask[comp] = True
    return mask


def _union_pairs(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Sorted unique pairs from several ``(m, 2)`` arrays (``i < j`` in each)."""
    keys = np.unique(np.concatenate([p[:, 0] * np.int64(n) + p[:, 1] for p in parts]))
    return np.stack([keys // n, keys % n], axis=1)


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group passages by their word-sequence key.

    Returns ``rep_of`` (each passage's distinct-passage id, numbered by first
    occurrence) and the groups in CSR form: the passages of distinct passage ``r`` are
    ``members[ptr[r]:ptr[r + 1]]``, in order. Passages without words form one group.

    >>> rep, ptr, mem = _distinct(np.array([7, 3, 7, 0], dtype=np.uint64))
    >>> rep.tolist(), ptr.tolist(), mem.tolist()
    ([0, 1, 0, 2], [0, 2, 3, 4], [0, 2, 1, 3])
    """
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # number groups by first occurrence
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    rep_of = rank[inverse.reshape(-1)]
    members = np.argsort(rep_of, kind="stable").astype(np.int64)
    ptr = np.zeros(len(order) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(rep_of, minlength=len(order)))
    return rep_of, ptr, members


def _expand_pairs(rep_pairs: np.ndarray, ptr: np.ndarray, members: np.ndarray,
                  max_bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """Passage pairs ``(a, b)``, ``a < b``, sorted, from pairs of distinct passages.

    Two different distinct passages give every pair of their copies; a distinct
    passage paired with itself gives every pair of its copies, or, past
    ``max_bucket`` copies, each copy with the first and the next (linear, and still
    connected). Also returns, for each passage pair, the row of ``rep_pairs`` it
    comes from.

    >>> w, p = _expand_pairs(np.array([[0, 1], [0, 0]]), np.array([0, 2, 3]),
    ...                      np.array([0, 2, 1]), 64)
    >>> p.tolist(), w.tolist()
    ([[0, 1], [0, 2], [1, 2]], [0, 1, 0])
    """
    if len(rep_pairs) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2), dtype=np.int64)
    ra, rb = rep_pairs[:, 0], rep_pairs[:, 1]
    ka, kb = ptr[ra + 1] - ptr[ra], ptr[rb + 1] - ptr[rb]
    selfp = ra == rb
    big = selfp & (ka > max_bucket)
    total = np.where(big, 0, ka * kb)
    row = np.repeat(np.arange(len(rep_pairs), dtype=np.int64), total)
    t = np.arange(int(total.sum()), dtype=np.int64) - np.repeat(np.cumsum(total) - total, total)
    i, j = t // kb[row], t % kb[row]
    a = members[ptr[ra[row]] + i]
    b = members[ptr[rb[row]] + j]
    ok = ~selfp[row] | (i < j)
    rows, a, b = [row[ok]], [a[ok]], [b[ok]]
    for r in np.flatnonzero(big).tolist():
        m = members[ptr[ra[r]]:ptr[ra[r] + 1]]
        rows.append(np.full(2 * len(m) - 3, r, dtype=np.int64))
        a.append(np.r_[np.full(len(m) - 1, m[0]), m[1:-1]])
        b.append(np.r_[m[1:], m[2:]])
    row, a, b = np.concatenate(rows), np.concatenate(a), np.concatenate(b)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    n = np.int64(members.max() + 1 if len(members) else 1)
    keys = lo * n + hi
    keys, first = np.unique(keys, return_index=True)
    return row[first], np.stack([keys // n, keys % n], axis=1)


def _number_clusters(raw, passages: Sequence[Passage], outlet_of: Sequence[str]
                     ) -> list[Cluster]:
    """Deterministic order: cross-document clusters first, larger first, then by
    position of the first passage; ids from 1."""
    kind_rank = {"cross-document": 0, "within-outlet": 1, "within-document": 2}
    raw = sorted(raw, key=lambda r: (kind_rank[r[0]], -len({outlet_of[i] for i in r[1]}),
                                     -len(r[1]), r[1][0]))
    out = []
    for cid, (kind, members, prs, weakest) in enumerate(raw, start=1):
        outlets = tuple(sorted({outlet_of[i] for i in members}))
        out.append(Cluster(id=cid, kind=kind, passages=tuple(passages[i] for i in members),
                           pairs=tuple(Match(i, j, s) for i, j, s in prs),
                           weakest_link=weakest, outlets=outlets))
    return out
