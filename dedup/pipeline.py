"""The library entry points: ``find`` shared passages in a corpus.

Stages, each in its own module: segment (sentences with offsets) -> features (word
n-grams weighted by distinctiveness) -> signatures (bulk MinHash) -> index (LSH
candidates) -> verify (weighted overlap, here) -> cluster (average linkage with
guards). ``find`` records the time each stage took.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from .cluster import link_clusters
from .errors import ParameterError
from .features import (
    build_features_hashed,
    sequence_keys_hashed,
)
from .index import LSHParams, candidate_pairs
from .models import Cluster, Corpus, Match, Passage
from .repeats import (
    boilerplate,
    distinct,
    expand_pairs,
    furniture_reps,
    outlet_repeats,
    repeat_groups,
    union_pairs,
)
from .signatures import MinHashParams, fold32, signatures
from .tokens import tokenize
from .verify import cross_score, score_pairs

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
    rep_of, members_ptr, members = distinct(sequence_keys_hashed(tok.hashes, tok.lengths))
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
    furniture_rep = furniture_reps(rep_of, outlet_arr, doc_index, params.boilerplate_docs)
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
    rep_pairs = np.concatenate([union_pairs([near, reworded], n_rep),
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
    rep_cos, rep_dup = score_pairs(table, rep_pairs, params)
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
                v = cross_score(table, key[0], key[1], params)
            cache[key] = v
        return v
    candidates = (expand_pairs(rep_pairs, members_ptr, members, params.max_bucket)[1]
                  if keep_candidates else None)
    valid_p = valid[rep_of]
    # Repeats inside an outlet, as a sparse graph with the same components and the
    # same spanning-tree weights as the pairs of every copy: copies of a distinct
    # passage in one outlet joined to the first of them, and two distinct passages
    # that repeat each other joined once in each outlet that prints both.
    dup_keep = rep_dup >= params.duplicate_threshold
    for a, b, s in outlet_repeats(rep_pairs[dup_keep], rep_dup[dup_keep], rep_of,
                                   outlet_arr, table.n_words > 0):
        dup_scores[(a, b)] = s
    groups = repeat_groups(dup_scores)  # components, reused for the clusters
    # Site furniture: a passage repeated in boilerplate_docs or more documents of its
    # own outlet ("Sign up for our newsletter...") is that outlet's boilerplate. It is
    # reported as within-outlet material and kept out of cross-outlet matching, where
    # every outlet's variant of the same template would otherwise match the others.
    furniture = boilerplate(n, (comp for comp, _ in groups), doc_of,
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
    which, pairs = expand_pairs(rep_pairs[cross_keep], ok_ptr, ok_members, params.max_bucket)
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
    for comp, tree in groups:
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


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


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
