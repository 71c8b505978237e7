"""The library entry point: ``find`` shared passages in a corpus, cluster them, and
relate documents.

Stages, each in its own module: segment/tokens (sentences with offsets, words hashed)
-> repeats (distinct passages) -> features (word n-grams weighted by distinctiveness)
-> signatures (bulk MinHash) -> index (LSH candidates) -> verify (weighted overlap
with minimum evidence) -> repeats (within a document or outlet; boilerplate) ->
passages (sentence matches chained across small gaps) -> cluster (N-way clusters that
cannot chain) -> relations (word-level coverage, direction, verdict). ``find`` reads
as that list and records the time and peak memory of each stage.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np

from .arrays import SortedIndex, in_sorted, stable_order, unique_sorted
from .cluster import ChainCluster, cluster_chains
from .dates import parse_date
from .engine import Engine, LocalEngine
from .errors import ParameterError
from .features import (
    FeatureTable,
    WordPrior,
    sequence_keys_hashed,
    shared_stats,
    shared_stats_bulk,
    word_prior,
)
from .index import LSHParams, merge_totals, shared_features
from .models import Cluster, Corpus, Document, Match, PassageTable, Span
from .parallel import ordered_map, threads_for
from .passages import Chain, DocLayout, chain_matches, extend_chains
from .relations import PARTIALLY, WHOLLY, Relation, judged_sides, relate
from .repeats import (
    boilerplate,
    copy_docs,
    distinct,
    expand_pairs,
    furniture_reps,
    outlet_repeats,
    repeat_groups,
    union_pairs,
)
from .signatures import MinHashParams, fmix64, fold32
from .tokens import default_workers
from .verify import FEATURES, VERIFIER, may_speak

Progress = Callable[[str, int, int], None]
EVIDENCE_BLOCK = 1 << 20  # copy pairs of candidate passage pairs summed at a time (per thread)
EVIDENCE_SHARDS = 16  # ranges of document pairs whose running evidence is kept apart
EVIDENCE_SKETCH = 1 << 24  # buckets per row of the evidence prefilter (float32, 2 rows), at most
EVIDENCE_SKETCH_MIN = 1 << 16  # ... and at least: about 4 buckets a copy pair in between
# Copy pairs up to which the evidence is summed exactly with no sketch first: the running
# totals then hold at most this many document pairs (16 bytes each, 128 MiB), and below
# it the sketch's pass costs more than the pairs it spares (c10k: 0.75 -> 0.45-0.6 s)
EVIDENCE_EXACT_MAX = 1 << 23

@dataclass(frozen=True)
class FindParams:
    """Tuning of :func:`find`. Every field is recorded in the output.

    rare_df, rare_channel, rare_evidence: the distinctive-wording channel looks at
        n-grams found in at most ``rare_df`` distinct passages. ``"join"`` (default):
        every pair of passages sharing one is found exactly (an inverted index), and
        it is a candidate once the rare n-grams it shares weigh ``rare_evidence``
        units (``log N``, one n-gram unique to the pair) or hold ``min_shared_run``
        of its longest n-grams (with ``match="paraphrase"`` every such pair is).
        ``"lsh"``: MinHash of the rare n-grams (``rare_num_perm``), one-row bands
        tuned to Jaccard ``lsh_threshold``.
    threshold: verified score (0..1, weighted cosine) two passages of different
        outlets need to count as shared material.
    match: what a verified pair of passages is: ``"shared"`` (the default: they
        share material, ``threshold`` on the weighted cosine with the evidence floor)
        or ``"paraphrase"`` (they say the same thing: ``verifier_threshold`` on the
        verifier's probability; see :func:`dedup.verify.score_pairs`).
    verifier: the verifier's coefficients (intercept, then one per feature of
        :data:`dedup.evidence.FEATURES`), fitted once on MSRP train
        (:data:`dedup.verify.VERIFIER`, ``python -m benchmarks.msrp --fit``).
    verifier_threshold: the verifier's probability a pair needs with
        ``match="paraphrase"`` (0.5: the fitted model's own decision).
    min_evidence: shared weight, in units of ``log N`` (one feature unique to the
        pair), below which a match is not trusted whatever its score, unless the pair
        shares ``min_shared_run`` of its longest n-grams (a verbatim run is evidence of
        copying even when every document in a small corpus repeats it). A sentence
        repeated word for word with at least ``min_exact_words`` words needs no more.
    stock_df: a word or phrase found in this many distinct passages or more is a
        stock phrase ("said on Tuesday", a quotation template) and weighs nothing,
        however large the corpus.
    max_gap: content sentences (of ``min_words`` or more) that may lie between two
        matched sentences of one passage, on each side: an inserted, cut or reworded
        sentence does not break a passage; a longer insertion does.
    absorb: share of a chain's passage that must lie in a cluster's version for the
        passage to belong to that cluster.
    min_fit: share of each cluster's version a chain must cover to merge two clusters
        (two stories sharing one sentence or quotation stay apart).
    wholly, partially: coverage of the derived document at or above which a document
        relation is ``wholly`` or ``partially`` derived (the thresholds of ``compare``).
    extend_threshold: score (weighted cosine, no evidence floor) the sentences just
        before or after a passage need, in both documents, to extend it (at most
        ``max_gap`` sentences each way); 1.0 turns extension off.
    relation_evidence: shared weight (rare-word units, summed over their candidate
        passage pairs) two documents need to be aligned for a relation when no chain
        of verified sentences joins them.
    duplicate_threshold: share of the shorter passage (weighted) that must recur for
        a repeat inside one document or outlet.
    prior, prior_languages, prior_passages: the general-language word-frequency prior
        blended into rarity (``"wordfreq"``, its word lists for those languages, worth
        ``prior_passages`` passages of evidence; ``"none"`` for corpus statistics
        alone, as when ``wordfreq`` is not installed). ``to_dict`` records the prior
        actually used, with its version, as ``prior_source``.
    speaker_penalty: share of the score a pair loses when both sentences attribute
        what they say to a named speaker or source and the names differ (two
        spokespeople's quotations, two agencies' statements are different material).
    """

    minhash: MinHashParams = field(default_factory=MinHashParams)
    near_threshold: float = 0.5
    lsh_threshold: float = 0.1
    rare_df: int = 10
    rare_channel: str = "join"
    rare_evidence: float = 1.0
    rare_num_perm: int = 128
    boilerplate_docs: int = 3
    target_recall: float = 0.95
    threshold: float = 0.2
    match: str = "shared"
    verifier: tuple[float, ...] = VERIFIER
    verifier_threshold: float = 0.5
    min_evidence: float = 3.0
    min_shared_run: int = 6
    min_exact_words: int = 8
    max_gap: int = 2
    absorb: float = 0.5
    min_fit: float = 0.3
    wholly: float = WHOLLY
    partially: float = PARTIALLY
    relation_evidence: float = 10.0
    extend_threshold: float = 0.1
    duplicate_threshold: float = 0.8
    min_words: int = 5
    topic_weight: float = 0.3
    quote_weight: float = 1.5
    max_bucket: int = 64
    stock_df: int = 200
    prior: str = "wordfreq"
    prior_languages: tuple[str, ...] = ("en", "ur", "zh", "ja")
    prior_passages: float = 1000.0
    speaker_penalty: float = 0.5

    def __post_init__(self) -> None:
        for name in ("threshold", "duplicate_threshold", "topic_weight", "absorb", "min_fit",
                     "wholly", "partially", "speaker_penalty", "extend_threshold",
                     "verifier_threshold"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ParameterError(f"{name} must be in [0.0, 1.0], got {v}")
        if self.match not in ("shared", "paraphrase"):
            raise ParameterError(f"match must be 'shared' or 'paraphrase', got {self.match!r}")
        if len(self.verifier) != 1 + len(FEATURES):
            raise ParameterError(f"verifier needs {1 + len(FEATURES)} coefficients "
                                 f"(intercept, then {', '.join(FEATURES)}), "
                                 f"got {len(self.verifier)}")
        if self.min_words < 1:
            raise ParameterError(f"min_words must be at least 1, got {self.min_words}")
        if self.quote_weight < 0:
            raise ParameterError(f"quote_weight must be >= 0, got {self.quote_weight}")
        if self.max_gap < 0:
            raise ParameterError(f"max_gap must be >= 0, got {self.max_gap}")
        if self.partially > self.wholly:
            raise ParameterError(f"partially ({self.partially}) must not exceed wholly "
                                 f"({self.wholly})")
        if self.max_bucket < 2:
            raise ParameterError(f"max_bucket must be at least 2, got {self.max_bucket}")
        if self.rare_channel not in ("join", "lsh"):
            raise ParameterError(f"rare_channel must be 'join' or 'lsh', got {self.rare_channel!r}")
        if not self.rare_evidence >= 0:
            raise ParameterError(f"rare_evidence must be >= 0, got {self.rare_evidence}")
        if self.prior not in ("wordfreq", "none"):
            raise ParameterError(f"prior must be 'wordfreq' or 'none', got {self.prior!r}")
        if not self.prior_passages >= 0:
            raise ParameterError(f"prior_passages must be >= 0, got {self.prior_passages}")

    def word_prior(self) -> WordPrior | None:
        """The word-frequency prior these parameters ask for, where it is installed."""
        if self.prior == "none" or self.prior_passages == 0:
            return None
        return word_prior(tuple(self.prior_languages))

    def verdict(self, coverage: float) -> str:
        """``wholly``, ``partially`` or ``non`` for a derived document's coverage."""
        if coverage >= self.wholly:
            return "wholly"
        return "partially" if coverage >= self.partially else "non"

    @property
    def candidate_evidence(self) -> float:
        """The shared rare weight a pair needs to be a candidate of the exact join:
        ``rare_evidence``, or none with ``match="paraphrase"``, whose verifier weighs
        the evidence of every pair itself (it has no evidence floor)."""
        return 0.0 if self.match == "paraphrase" else self.rare_evidence

    @property
    def pair_threshold(self) -> float:
        """The score a pair needs: ``threshold``, or ``verifier_threshold`` with
        ``match="paraphrase"``."""
        return self.verifier_threshold if self.match == "paraphrase" else self.threshold

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
        prior = self.word_prior()
        d["prior_languages"] = list(self.prior_languages)
        d["verifier"] = dict(zip(("intercept", *FEATURES), self.verifier, strict=True))
        d["prior_source"] = prior.source if prior is not None else "none"
        d["lsh"] = {"near": self.near_lsh().to_dict(), "rare": self.lsh().to_dict(),
                    "rare_minhash": self.rare_minhash().to_dict()}
        return d


@dataclass(frozen=True)
class FindResult:
    """What :func:`find` returns: the corpus, every sentence passage, the clusters of
    shared material, the document relations and the figures of the run (``stats``:
    counts and seconds per stage). ``sentence_pairs``/``sentence_scores``: the
    verified cross-outlet sentence matches (indexes into ``passages``) that the
    clusters' passages were assembled from."""

    corpus: Corpus
    params: FindParams
    passages: PassageTable
    clusters: tuple[Cluster, ...]
    relations: tuple[Relation, ...]
    stats: dict[str, float]
    sentence_pairs: np.ndarray
    sentence_scores: np.ndarray
    candidates: np.ndarray | None = None  # (m, 2) passage pairs, with keep_candidates


def find(corpus: Corpus, params: FindParams | None = None, *,
         progress: Progress | None = None, keep_candidates: bool = False,
         workers: int | None = None, engine: Engine | None = None) -> FindResult:
    """Find the passages that documents share, group them into clusters, and say which
    document derives from which.

    With ``keep_candidates`` the result also holds every candidate pair of passages
    handed to verification (for measuring the recall of the candidate stage).
    ``workers`` processes tokenise a large corpus and align related documents, and as
    many threads share the array work between (default: every CPU available, and at
    most 4 threads); the result does not depend on their number. ``engine`` runs the heavy steps
    (default: :class:`~dedup.engine.LocalEngine`, here; see :mod:`dedup.engine`); the
    result does not depend on it either.

    >>> from dedup.models import Corpus, Document
    >>> wire = "Officials confirmed the bridge collapse injured forty workers on Monday night."
    >>> docs = (Document("a", wire, "a"), Document("b", "Local news. " + wire, "b"))
    >>> [c.kind for c in find(Corpus(docs)).clusters]
    ['cross-document']
    """
    params = params or FindParams()
    with _collector_paused():
        return _find(corpus, params, progress, keep_candidates, workers,
                     engine or LocalEngine())


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while ``find`` runs, as it was before after it.
    ``find`` builds millions of small containers that hold no cycles (tuples of
    spans, chains, clusters' dicts), freed by reference counting as ever; each
    collection of the oldest generation walks every one of them alive, and a large
    run paid for dozens (30k documents: 42.6 s against 44.1-45.2 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _find(corpus: Corpus, params: FindParams, progress: Progress | None,
          keep_candidates: bool, workers: int | None, engine: Engine) -> FindResult:
    run = _Run(corpus, params, progress, workers, engine)
    units = _segment(run)                          # sentences, words, distinct passages
    table = _weigh(run, units)                     # weighted n-gram features
    cand = _candidates(run, units, table)          # MinHash + LSH, two channels
    checked = _verify(run, units, table, cand)     # scores, repeats, furniture
    candidates = (expand_pairs(cand, units.members_ptr, units.members, params.max_bucket)[1]
                  if keep_candidates else None)
    pairs, cosines = _cross_matches(run, units, checked, cand)
    layout, chains, clusters, cluster_of_chain = _assemble(run, units, table, checked,
                                                           pairs, cosines)
    doc_pairs, clusters_of_pair = _relation_pairs(run, units, table, checked, cand, chains,
                                                  cluster_of_chain)
    n_distinct = table.n_distinct
    del table, checked, cand  # the largest arrays of the run: not needed to align
    relations = _relate(run, units, doc_pairs, clusters_of_pair)
    run.stats.update(documents=float(len(corpus.documents)), passages=float(len(units.passages)),
                     clusters=float(len(clusters)), distinct_passages=float(n_distinct),
                     chains=float(len(chains)), relations=float(len(relations)))
    return FindResult(corpus=corpus, params=params, passages=units.passages,
                      clusters=tuple(clusters), relations=tuple(relations), stats=run.stats,
                      sentence_pairs=pairs, sentence_scores=cosines, candidates=candidates)


class _Run:
    """What every stage of one :func:`find` call shares: the corpus, the parameters,
    the progress callback, and the figures of the run (seconds and peak memory per
    stage, counts)."""

    def __init__(self, corpus: Corpus, params: FindParams, progress: Progress | None,
                 workers: int | None, engine: Engine):
        self.docs = corpus.documents
        self.workers = workers
        self.params = params
        self.progress = progress
        self.engine = engine
        self.stats: dict[str, float] = {}
        self.rare_pairs: np.ndarray | None = None  # joined below rare_evidence
        self.rare_bound: np.ndarray | None = None  # the most each can share, in units
        self._tick = time.perf_counter()

    @property
    def threads(self) -> int:
        """Threads for the array work of a stage (:func:`dedup.parallel.threads_for`)."""
        return threads_for(self.workers)

    @property
    def processes(self) -> int:
        """Worker processes for Python-heavy work (``workers``, or every CPU)."""
        return default_workers() if self.workers is None else max(1, self.workers)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stats[f"seconds_{stage}"] = round(now - self._tick, 6)
        self.stats[f"peak_rss_mb_{stage}"] = _peak_rss_mb()
        _release_free_memory()
        self._tick = now


@dataclass
class _Units:
    """Sentence passages and where they sit, their distinct passages (CSR groups of
    copies), the distinct passages' words, and every word of the corpus as a small
    id (for aligning related documents)."""

    passages: PassageTable   # every sentence, as columns
    doc_index: np.ndarray    # document of each passage
    sent_index: np.ndarray   # its index among the document's sentences
    outlet: np.ndarray       # its outlet, as an int
    rep_of: np.ndarray       # its distinct passage
    members_ptr: np.ndarray  # distinct passage r's copies: members[ptr[r]:ptr[r + 1]]
    members: np.ndarray
    rep_hashes: np.ndarray   # words of each distinct passage, end to end
    rep_factors: np.ndarray
    rep_len: np.ndarray
    word_ids: np.ndarray     # every word of the corpus, as a small int
    word_ptr: np.ndarray     # document d's words: word_ids[word_ptr[d]:word_ptr[d + 1]]
    vocab: np.ndarray        # the distinct word hashes, sorted: a word id's hash
    rep_ids: np.ndarray      # the word ids of rep_hashes
    speaks: np.ndarray       # per distinct passage: may it name a speaker (may_speak)


def _segment(run: _Run) -> _Units:
    """Sentences with offsets, their words hashed (on every CPU); exact repeats (the
    same words in the same order: a wire sentence printed by every outlet) grouped
    into one *distinct passage*: everything costly below is computed once per
    distinct passage and then given to every copy."""
    docs, params, progress = run.docs, run.params, run.progress
    tok = run.engine.tokenize(
        docs, topic_weight=params.topic_weight, quote_weight=params.quote_weight,
        workers=run.workers,
        progress=(lambda i, t: progress("segment", i, t)) if progress else None)
    passages = PassageTable([d.id for d in docs], tok.doc, tok.index, tok.start, tok.end,
                            tok.paragraph)
    rep_of, members_ptr, members = distinct(sequence_keys_hashed(tok.hashes, tok.lengths,
                                                                 workers=run.threads))
    firsts = members[members_ptr[:-1]]
    rep_len = tok.lengths[firsts]
    at = (np.repeat(np.cumsum(tok.lengths)[firsts] - rep_len - (np.cumsum(rep_len) - rep_len),
                    rep_len) + np.arange(int(rep_len.sum()), dtype=np.int64))
    word_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
    word_ptr[1:] = np.cumsum(np.bincount(tok.doc, weights=tok.lengths,
                                         minlength=len(docs)).astype(np.int64))
    outlet_ids = {o: i for i, o in enumerate(sorted({d.outlet for d in docs}))}
    outlet = np.fromiter((outlet_ids[d.outlet] for d in docs), dtype=np.int64,
                         count=len(docs))[tok.doc]
    rep_hashes = tok.hashes[at]
    word_ids, vocab, rep_ids = _word_ids(rep_hashes, rep_len, rep_of, tok.lengths,
                                         workers=run.threads)
    units = _Units(passages, tok.doc, tok.index, outlet, rep_of, members_ptr, members,
                   rep_hashes, tok.factors[at], rep_len, word_ids, word_ptr, vocab, rep_ids,
                   may_speak(vocab, rep_ids, rep_len))
    run.lap("segment")
    return units


def _word_ids(rep_hashes: np.ndarray, rep_len: np.ndarray, rep_of: np.ndarray,
              lengths: np.ndarray, *, block: int = 1 << 22, workers: int = 1
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each word of the corpus (passage ``p`` has ``lengths[p]`` words, the words of
    its distinct passage ``rep_of[p]``, whose words are ``rep_hashes``, ``rep_len``
    each) as its rank among the corpus' distinct word hashes, int32: the ids
    ``np.unique(hashes, return_inverse=True)`` gives for every word. Ranked once per
    word of a distinct passage (a wire sentence printed by twenty outlets is looked
    up once), looked up a block at a time, then copied to every copy of it; the
    blocks on ``workers`` threads. Also returns the distinct hashes (sorted) and the
    ranks of ``rep_hashes``, so that a lookup per word (the word-frequency prior)
    can be made once per distinct word.

    >>> rep = np.array([30, 10, 20, 10], dtype=np.uint64)  # passages "30 10", "20 10"
    >>> ids, vocab, rep_ids = _word_ids(rep, np.array([2, 2]), np.array([0, 1, 0]),
    ...                                 np.array([2, 2, 2]))
    >>> ids.tolist(), vocab.tolist(), rep_ids.tolist()
    ([2, 0, 1, 0, 2, 0], [10, 20, 30], [2, 0, 1, 0])
    """
    # The distinct hashes of each part, then of their union: the corpus' vocabulary.
    parts = np.array_split(rep_hashes, max(1, workers))
    vocab = unique_sorted(np.concatenate(list(ordered_map(unique_sorted, parts, workers))))
    del parts
    rep_ids = np.empty(len(rep_hashes), dtype=np.int32)
    index = SortedIndex(vocab)
    starts = list(range(0, len(rep_hashes), block))
    for lo, found in zip(starts, ordered_map(
            lambda lo: index.search(rep_hashes[lo:lo + block]), starts, workers),
            strict=True):
        rep_ids[lo:lo + block] = found
    rep_start = np.cumsum(rep_len) - rep_len
    ends = np.cumsum(lengths)
    ids = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.int32)
    step = max(1, block // 16)  # passages at a time (about ``block`` words and less)

    def copies(lo: int) -> tuple[int, np.ndarray]:
        hi = min(len(lengths), lo + step)
        n = lengths[lo:hi]
        w0 = int(ends[lo] - n[0]) if hi > lo else 0
        first = ends[lo:hi] - n - w0  # each passage's first word, within the block
        where = np.repeat(rep_start[rep_of[lo:hi]] - first, n) + np.arange(
            int(n.sum()), dtype=np.int64)
        return w0, rep_ids[where]

    for w0, got in ordered_map(copies, range(0, len(lengths), step), workers):
        ids[w0:w0 + len(got)] = got
    return ids, vocab, rep_ids


def _weigh(run: _Run, units: _Units) -> FeatureTable:
    """Word 1-3-grams of each distinct passage, weighted by how distinctive they are."""
    p = run.params
    prior = p.word_prior()
    # The prior looked up once per distinct word, not once per word.
    freq = prior.lookup(units.vocab)[units.rep_ids] if prior is not None else None
    table = run.engine.features(units.rep_hashes, units.rep_len, p.minhash.ngrams,
                                multipliers=units.rep_factors, stock_df=p.stock_df,
                                prior=prior, prior_passages=p.prior_passages,
                                word_freq=freq, workers=run.workers)
    del freq
    # not needed past this point
    units.rep_hashes = units.rep_factors = units.vocab = units.rep_ids = np.zeros(0)
    run.lap("features")
    return table


def _candidates(run: _Run, units: _Units, table: FeatureTable) -> np.ndarray:
    """Candidate pairs of distinct passages ``(i, j)``, ``i <= j``, from two channels:

    * near-duplicates: MinHash of the longest n-grams (word 3-grams), LSH bands tuned
      to Jaccard ``near_threshold``;
    * distinctive wording: only rare n-grams (in at most ``rare_df`` distinct
      passages), so two passages that share rare phrases become candidates however
      much else was reworded: by default an exact weighted join over the rare
      n-grams' postings (:func:`_rare_join`), which keeps a pair once they weigh
      ``rare_evidence``; with ``rare_channel="lsh"``, MinHash one-row bands tuned to
      ``lsh_threshold``. Rare features keep every posting list (bucket) small, so
      this channel stays linear in the corpus.

    A distinct passage printed word for word in ``boilerplate_docs`` or more documents
    of every outlet that prints it is furniture wherever it appears: it never matches
    across outlets, so it stays out of the search (where a thousand outlets' variants
    of one newsletter line would pair up). Each distinct passage printed more than once
    is also a pair with itself."""
    params = run.params
    n_rep = len(units.members_ptr) - 1
    valid = table.n_words >= params.min_words
    furniture_rep = furniture_reps(units.rep_of, units.outlet, units.doc_index,
                                   params.boilerplate_docs)
    run.stats["furniture_distinct_passages"] = float(furniture_rep.sum())
    lsh_valid = valid & ~furniture_rep
    top = table.gram == max(params.minhash.ngrams)
    vocab32 = fold32(table.vocab)
    sig_near = run.engine.signatures(units_of(table.indptr, top), vocab32[table.fid[top]],
                                     n_rep, params.minhash, workers=run.workers)
    del top
    rare = (table.vocab_df <= params.rare_df)[table.fid]
    rare &= np.repeat(lsh_valid, np.diff(table.indptr))
    if params.rare_channel == "lsh":
        rare_units = units_of(table.indptr, rare)
        sig_rare = run.engine.signatures(rare_units, vocab32[table.fid[rare]], n_rep,
                                         params.rare_minhash(), workers=run.workers)
        has_rare = np.bincount(rare_units, minlength=n_rep) > 0
        del rare_units
    del vocab32
    run.lap("sign")
    if run.progress:
        run.progress("sign", 1, 1)
    near_lsh = params.near_lsh()
    near = run.engine.candidate_pairs(sig_near, near_lsh, valid=lsh_valid,
                                      max_bucket=params.max_bucket, min_hits=near_lsh.min_hits,
                                      workers=run.workers)
    del sig_near
    if params.rare_channel == "lsh":
        reworded = run.engine.candidate_pairs(sig_rare, params.lsh(), valid=has_rare,
                                              max_bucket=params.max_bucket,
                                              workers=run.workers)
        del sig_rare
    else:
        reworded = _rare_join(run, table, rare, near, n_rep)
    del rare
    repeated = np.flatnonzero((np.diff(units.members_ptr) > 1) & (table.n_words > 0))
    cand = np.concatenate([union_pairs([near, reworded], n_rep),
                           np.stack([repeated, repeated], axis=1)])
    run.lap("index")
    run.stats["candidate_pairs_near"] = float(len(near))
    run.stats["candidate_pairs_rare"] = float(len(reworded))
    run.stats["candidate_pairs"] = float(len(cand))
    return cand


def _rare_join(run: _Run, table: FeatureTable, rare: np.ndarray, near: np.ndarray,
               n_rep: int) -> np.ndarray:
    """The distinctive-wording channel as an exact weighted join: every pair of
    distinct passages sharing a rare n-gram (``rare`` entries of the table), with the
    weight it shares (each n-gram at its own weight, however many passages hold
    it). A pair sharing ``rare_evidence`` units of that weight, or ``min_shared_run``
    of its longest plain n-grams, is a candidate; the others are kept
    (``run.rare_pairs``): their shared weight is evidence for the relation of their
    documents, as an unverified candidate's would be."""
    params = run.params
    run_flag = table.gram == table.top_gram
    if table.plain is not None:
        run_flag &= table.plain
    rare = rare & (table.vocab_df >= 2)[table.fid]  # one distinct passage pairs no one
    # Dense ids order as the hashes do: the same join as over the hashes.
    joined = shared_features(units_of(table.indptr, rare), table.fid[rare],
                             table.weights[rare], n_rep,
                             run=run_flag[rare], max_postings=params.max_bucket)
    del rare, run_flag
    strong = ((joined.weight >= params.candidate_evidence * table.log_n)
              | (joined.runs >= params.min_shared_run))
    weak = ~strong
    if len(near) and weak.any():  # a near-duplicate candidate brings its own evidence
        weak &= ~in_sorted(near[:, 0] * np.int64(n_rep) + near[:, 1], joined.key)
    run.stats["rare_sharing_pairs"] = float(len(joined.key))
    run.rare_pairs = joined.pairs(weak)
    # What each could share at most: its rare weight and all the common weight of the
    # poorer side (n-grams of one distinct passage are shared by no pair).
    poor = _common_weight(table, min(params.rare_df, params.max_bucket))
    run.rare_bound = (joined.weight[weak] + np.minimum(poor[run.rare_pairs[:, 0]],
                                                       poor[run.rare_pairs[:, 1]])
                      ) / max(table.log_n, 1e-12)
    return joined.pairs(strong)


def units_of(indptr: np.ndarray, mask: np.ndarray, *, block: int = 1 << 22) -> np.ndarray:
    """The row (int32) of each entry of a CSR layout ``indptr`` where ``mask`` holds, in
    entry order, built a run of rows at a time: the row of every entry is never held
    (4 bytes an entry, the largest array of the stage at scale).

    >>> units_of(np.array([0, 2, 2, 5]), np.array([1, 0, 1, 1, 0], dtype=bool)).tolist()
    [0, 2, 2]
    """
    out = []
    n_rows = len(indptr) - 1
    lo_u = 0
    while lo_u < n_rows:
        hi_u = min(max(int(np.searchsorted(indptr, indptr[lo_u] + block, side="right")) - 1,
                       lo_u + 1), n_rows)
        row = np.repeat(np.arange(lo_u, hi_u, dtype=np.int32), np.diff(indptr[lo_u:hi_u + 1]))
        out.append(row[mask[indptr[lo_u]:indptr[hi_u]]])
        lo_u = hi_u
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int32)


def _common_weight(table: FeatureTable, max_df: int, *, block: int = 1 << 22
                   ) -> np.ndarray:
    """Per distinct passage the weight of its n-grams found in more than ``max_df``
    distinct passages. Summed over runs of whole passages of about ``block`` entries
    (each passage's sum in its own entry order, as one ``bincount`` over the table
    adds it), with zeros for the other entries (adding 0.0 changes no sum): memory
    holds one run's copies, not the masked columns of the whole table."""
    n_rep = len(table.indptr) - 1
    poor = np.zeros(n_rep)
    common = table.vocab_df > max_df
    lo_u = 0
    while lo_u < n_rep:
        hi_u = max(int(np.searchsorted(table.indptr, table.indptr[lo_u] + block,
                                       side="right")) - 1, lo_u + 1)
        hi_u = min(hi_u, n_rep)
        lo, hi = int(table.indptr[lo_u]), int(table.indptr[hi_u])
        w = np.where(common[table.fid[lo:hi]], table.weights[lo:hi], 0.0)
        local = np.repeat(np.arange(hi_u - lo_u), np.diff(table.indptr[lo_u:hi_u + 1]))
        poor[lo_u:hi_u] = np.bincount(local, weights=w, minlength=hi_u - lo_u)
        lo_u = hi_u
    return poor


@dataclass
class _Checked:
    """What verification tells about the candidate pairs and the passages."""

    cos: np.ndarray        # cross-outlet score of each candidate pair
    shared: np.ndarray     # its shared weight, in rare-word units
    groups: list[tuple[list[int], list[tuple[int, int, float]]]]  # repeats, with trees
    ok_ptr: np.ndarray     # usable copies (not furniture, long enough) per distinct
    ok_members: np.ndarray  # passage, in CSR form
    repeats: int           # verified repeat pairs
    ok_docs: np.ndarray    # the document of each of ok_members


def _verify(run: _Run, units: _Units, table: FeatureTable, cand: np.ndarray) -> _Checked:
    """Score every candidate pair; group repeats inside a document or outlet; mark the
    outlets' boilerplate (a passage repeated in ``boilerplate_docs`` or more documents
    of its own outlet, "Sign up for our newsletter...") as unusable across outlets."""
    params = run.params
    if run.progress:
        run.progress("verify", 0, len(cand))
    docs = run.docs
    firsts = units.members[units.members_ptr[:-1]]

    def text_of(r: int) -> str:  # the text of distinct passage r (its first copy)
        k = int(firsts[r])
        p = units.passages
        return docs[int(p.doc_index[k])].text[int(p.start[k]):int(p.end[k])]

    cos, dup, shared = run.engine.score_pairs(table, cand, params, text_of=text_of,
                                              workers=run.workers, speaks=units.speaks)
    # Repeats inside an outlet, as a sparse graph with the same components and the
    # same spanning-tree weights as the pairs of every copy: copies of a distinct
    # passage in one outlet joined to the first of them, and two distinct passages
    # that repeat each other joined once in each outlet that prints both.
    keep = dup >= params.duplicate_threshold
    dup_scores = {(a, b): s for a, b, s in outlet_repeats(
        cand[keep], dup[keep], units.rep_of, units.outlet, table.n_words > 0)}
    groups = repeat_groups(dup_scores)
    furniture = boilerplate(len(units.passages), (comp for comp, _ in groups),
                            _doc_of(run.docs, units.doc_index), params.boilerplate_docs)
    run.stats["boilerplate_passages"] = float(furniture.sum())
    usable = (table.n_words >= params.min_words)[units.rep_of] & ~furniture
    member_ok = usable[units.members]
    ok_ptr = np.zeros_like(units.members_ptr)
    ok_ptr[1:] = np.cumsum(np.add.reduceat(member_ok.astype(np.int64), units.members_ptr[:-1])
                           if len(units.members) else np.zeros(0, np.int64))
    ok_members = units.members[member_ok]
    return _Checked(cos, shared, groups, ok_ptr, ok_members, len(dup_scores),
                    units.doc_index[ok_members])


def _cross_matches(run: _Run, units: _Units, checked: _Checked, cand: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Verified matches across outlets: each pair of distinct passages scoring at least
    ``threshold`` expanded to the pairs of their usable copies in different outlets,
    strongest first."""
    params = run.params
    keep = checked.cos >= params.pair_threshold
    which, pairs = expand_pairs(cand[keep], checked.ok_ptr, checked.ok_members,
                                params.max_bucket)
    cosines = checked.cos[keep][which]
    cross = units.outlet[pairs[:, 0]] != units.outlet[pairs[:, 1]]
    pairs, cosines = pairs[cross], cosines[cross]
    # expand_pairs gives them sorted by pair: a stable sort by score keeps that order
    # among equal scores (one key to sort, not three)
    order = stable_order(-cosines)
    pairs, cosines = pairs[order], cosines[order]
    if run.progress:
        run.progress("verify", len(cand), len(cand))
    run.lap("verify")
    run.stats["verified_pairs"] = float(len(pairs) + checked.repeats)
    return pairs, cosines


def _assemble(run: _Run, units: _Units, table: FeatureTable, checked: _Checked,
              pairs: np.ndarray, cosines: np.ndarray
              ) -> tuple[DocLayout, list[Chain], list[Cluster], list[list[int]]]:
    """Sentence matches -> passages (chains across small gaps) -> N-way clusters of
    shared material; repeats -> within-document and within-outlet clusters."""
    params, docs = run.params, run.docs
    layout = DocLayout.build(units.doc_index, units.sent_index, table.n_words[units.rep_of],
                             len(docs), params.min_words)
    chains = chain_matches(pairs[:, 0], pairs[:, 1], cosines, layout, max_gap=params.max_gap,
                           workers=run.processes)
    if params.extend_threshold < 1.0:
        chains = extend_chains(chains, layout,
                               _sentence_scores(units, table, params, run.threads),
                               min_score=params.extend_threshold, max_steps=params.max_gap)
    shared = cluster_chains(chains, layout, absorb=params.absorb, min_fit=params.min_fit,
                            max_gap=params.max_gap, workers=run.processes)
    raw = [_shared_raw(sc, chains) for sc in shared]
    doc_of = _doc_of(docs, units.doc_index)
    for comp, tree in checked.groups:
        kind = "within-document" if len({doc_of[i] for i in comp}) == 1 else "within-outlet"
        at = {p: k for k, p in enumerate(comp)}
        prs = sorted((at[a], at[b], s) for a, b, s in tree)
        spans = [(int(units.doc_index[i]), int(units.sent_index[i]), int(units.sent_index[i]))
                 for i in comp]
        raw.append(_Raw(kind, spans, prs, min(s for _, _, s in prs), ()))
    clusters, cluster_of_chain = _number_clusters(raw, units.passages, layout, docs, len(chains))
    run.lap("cluster")
    return layout, chains, clusters, cluster_of_chain


def _sentence_scores(units: _Units, table: FeatureTable, params: FindParams, threads: int
                     ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Weighted cosine of pairs of sentence passages (arrays of passage indexes), on
    demand, with no evidence floor and nothing for a sentence too short to match
    (used to extend chains at their ends: a neighbour of verified matches needs less
    evidence than a pair on its own). Scores within a hair of ``extend_threshold``
    are computed again one pair at a time, so that no rounding in the bulk sums
    decides a step."""
    def score(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        a, b = units.rep_of[i], units.rep_of[j]
        ta, tb = table.total[a], table.total[b]
        out = np.zeros(len(a), dtype=np.float64)
        k = np.flatnonzero((table.n_words[a] >= params.min_words)
                           & (table.n_words[b] >= params.min_words) & (ta > 0) & (tb > 0))
        shared, _ = shared_stats_bulk(table, np.stack([a[k], b[k]], axis=1), workers=threads)
        out[k] = shared / np.sqrt(ta[k] * tb[k])
        edge = k[np.abs(out[k] - params.extend_threshold) <= 1e-9]
        for x, y, z in zip(edge.tolist(), a[edge].tolist(), b[edge].tolist(), strict=True):
            out[x] = shared_stats(table, y, z)[0] / (float(table.total[y])
                                                     * float(table.total[z])) ** 0.5
        return out
    return score


def _shared_raw(sc: ChainCluster, chains: Sequence[Chain]) -> _Raw:
    """A cluster of chains as spans (per document, its version's intervals) and the
    strongest link between each two of them."""
    spans = [(d, lo, hi) for d in sorted(sc.versions) for lo, hi in sc.versions[d]]
    at = {}
    for k, (d, lo, hi) in enumerate(spans):
        for x in range(lo, hi + 1):
            at[(d, x)] = k
    links: dict[tuple[int, int], float] = {}
    for k in sc.chains:
        ch = chains[k]
        i, j = at[(ch.doc_a, ch.first_a)], at[(ch.doc_b, ch.first_b)]
        key = (min(i, j), max(i, j))
        links[key] = max(links.get(key, 0.0), ch.score)
    return _Raw("cross-document", spans, sorted((i, j, s) for (i, j), s in links.items()),
                min(sc.links), tuple(sc.chains))


def _relation_pairs(run: _Run, units: _Units, table: FeatureTable, checked: _Checked,
                    cand: np.ndarray, chains: Sequence[Chain],
                    cluster_of_chain: Sequence[Sequence[int]]
                    ) -> tuple[list[tuple[int, int]], dict[tuple[int, int], set[int]]]:
    """The document pairs to relate: pairs joined by a chain, or sharing
    ``relation_evidence`` rare-word units among their candidate passage pairs (and
    the pairs that share rare n-grams below ``rare_evidence``); and the clusters that
    join each chained pair."""
    params = run.params
    clusters_of_pair: dict[tuple[int, int], set[int]] = {}
    within = None
    for ch, cids in zip(chains, cluster_of_chain, strict=True):
        clusters_of_pair.setdefault((ch.doc_a, ch.doc_b), set()).update(cids)
    sel = checked.shared > 0  # a candidate with no shared weight adds nothing
    rep_pairs, evidence = cand[sel], checked.shared[sel]
    if run.rare_pairs is not None:
        # Their whole shared weight (as verification counts it, without the scoring),
        # only where it can choose a document pair that no chain chose already.
        chained = _doc_keys(units, set(clusters_of_pair))
        off = _touching(units, checked, run.rare_pairs, chained, params.max_bucket, False,
                        run.threads)
        extra, bound = run.rare_pairs[off], run.rare_bound[off]
        run.rare_pairs = run.rare_bound = None
        # ... and only where, each at the most it could share, they could choose one.
        # (``within``: the document pairs that reach the bar at that most, or come
        # within rounding of it: only these can reach it once the pairs are weighed.)
        within, most = _evidence_totals(units, checked, np.concatenate([rep_pairs, extra]),
                                        np.r_[evidence, bound],
                                        params.relation_evidence * (1 - 1e-9),
                                        params.max_bucket, run.threads)
        could = within[most >= params.relation_evidence]
        extra = extra[_touching(units, checked, extra, could, params.max_bucket, True,
                                run.threads)]
        weight = shared_stats_bulk(table, extra)[0] / table.log_n if table.log_n > 0 else (
            np.zeros(len(extra)))
        rep_pairs, evidence = np.concatenate([rep_pairs, extra]), np.r_[evidence, weight]
        run.stats["rare_pairs_weighed"] = float(len(extra))
    doc_pairs = _document_pairs(units, checked, rep_pairs, evidence,
                                params.relation_evidence, set(clusters_of_pair),
                                params.max_bucket, run.threads, within=within)
    return doc_pairs, clusters_of_pair


def _relate(run: _Run, units: _Units, doc_pairs: list[tuple[int, int]],
            clusters_of_pair: dict[tuple[int, int], set[int]]) -> list[Relation]:
    """Document relations: each pair of :func:`_relation_pairs` aligned word by
    word."""
    params, docs = run.params, run.docs
    dates = [parse_date(d.date) for d in docs]
    # a pair is aligned only where the share relate judges it by can reach partially
    covs = run.engine.coverages(units.word_ids, units.word_ptr, doc_pairs, workers=run.workers,
                                min_share=params.partially, sides=judged_sides(doc_pairs, dates))
    relations = relate(doc_pairs, covs, [d.id for d in docs], dates, clusters_of_pair,
                       verdict=params.verdict)
    run.stats["document_pairs_examined"] = float(len(doc_pairs))
    run.stats["document_pairs_aligned"] = float(sum(c is not None for c in covs))
    run.lap("relate")
    return relations


def _doc_of(docs: Sequence[Document], doc_index: np.ndarray) -> np.ndarray:
    """Per passage its document, as the index of the first document with its id (so
    two documents of one id, which no reader lets through, still count as one)."""
    first: dict[str, int] = {}
    canon = np.fromiter((first.setdefault(d.id, k) for k, d in enumerate(docs)),
                        dtype=np.int64, count=len(docs))
    return canon[doc_index]


def _release_free_memory() -> None:
    """Hand the C heap's free pages back to the system between stages (glibc only;
    elsewhere nothing). A stage's transients are many arrays of a few MB, below
    glibc's mmap threshold: freed, they stay in the heap, fragmented, and the next
    stage's larger arrays take fresh memory beside them."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _doc_keys(units: _Units, pairs: set[tuple[int, int]]) -> np.ndarray:
    """Document pairs ``(a, b)``, ``a < b``, as sorted int64 keys ``a * n + b``."""
    n = int(units.word_ptr.shape[0]) - 1
    return np.sort(np.array([a * n + b for a, b in pairs], dtype=np.int64))


def _touching(units: _Units, checked: _Checked, rep_pairs: np.ndarray, keys: np.ndarray,
              max_bucket: int, inside: bool, workers: int = 1) -> np.ndarray:
    """Which distinct passage pairs have a pair of usable copies in two documents
    whose pair is (``inside``) or is not among ``keys`` (sorted document-pair keys).
    Blocks of copy pairs are asked on ``workers`` threads."""
    out = np.zeros(len(rep_pairs), dtype=bool)
    blocks = _evidence_blocks(checked, rep_pairs)
    ask = functools.partial(_touching_block, units, checked, rep_pairs, keys, max_bucket, inside)
    for (lo, _), hit in zip(blocks, ordered_map(ask, blocks, workers), strict=True):
        out[lo + hit] = True
    return out


def _touching_block(units: _Units, checked: _Checked, rep_pairs: np.ndarray,
                    keys: np.ndarray, max_bucket: int, inside: bool,
                    block: tuple[int, int]) -> np.ndarray:
    """:func:`_touching` of the rows ``block`` of ``rep_pairs``: the rows (from the
    block's first) that are."""
    lo, hi = block
    n_docs = np.int64(int(units.word_ptr.shape[0]) - 1)
    which, da, db = copy_docs(rep_pairs[lo:hi], checked.ok_ptr, checked.ok_docs, max_bucket)
    key = np.minimum(da, db) * n_docs + np.maximum(da, db)
    found = in_sorted(keys, key)
    return which[(da != db) & (found if inside else ~found)]


def _evidence_blocks(checked: _Checked, rep_pairs: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges of ``rep_pairs`` with about ``EVIDENCE_BLOCK`` copy pairs each (a
    wire sentence printed by dozens of outlets brings dozens of copies to each of
    its pairs), or an eighth of them all when that is less (at least 2**16), so
    that threads share a small corpus' blocks too. The blocks depend on the pairs
    alone, never on the number of threads."""
    copies = np.diff(checked.ok_ptr)
    size = np.maximum(copies[rep_pairs[:, 0]] * copies[rep_pairs[:, 1]], 1)
    total = int(size.sum())
    block = min(EVIDENCE_BLOCK, max(1 << 16, -(-total // 8)))
    cuts = np.searchsorted(np.cumsum(size), np.arange(block, total, block), side="right")
    bounds = [0, *sorted(set(cuts.tolist()) - {0, len(rep_pairs)}), len(rep_pairs)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _document_pairs(units: _Units, checked: _Checked, rep_pairs: np.ndarray,
                    evidence: np.ndarray, min_evidence: float, always: set[tuple[int, int]],
                    max_bucket: int, workers: int = 1, *, within: np.ndarray | None = None
                    ) -> list[tuple[int, int]]:
    """Document pairs ``(a, b)``, ``a < b``, sorted: those in ``always``, and those
    whose passage pairs (the usable copies of the distinct passage pairs
    ``rep_pairs``, each worth ``evidence``) share at least ``min_evidence`` rare-word
    units of weight in all (``within``: see :func:`_evidence_totals`)."""
    n = int(units.word_ptr.shape[0]) - 1
    k = _evidence_keys(units, checked, rep_pairs, evidence, min_evidence, max_bucket,
                       workers, within=within)
    chosen = {(int(x) // n, int(x) % n) for x in k.tolist()}
    return sorted(chosen | always)


def _evidence_keys(units: _Units, checked: _Checked, rep_pairs: np.ndarray,
                   evidence: np.ndarray, min_evidence: float, max_bucket: int,
                   workers: int = 1, *, within: np.ndarray | None = None) -> np.ndarray:
    """The keys of :func:`_evidence_totals`."""
    return _evidence_totals(units, checked, rep_pairs, evidence, min_evidence, max_bucket,
                            workers, within=within)[0]


def _evidence_totals(units: _Units, checked: _Checked, rep_pairs: np.ndarray,
                     evidence: np.ndarray, min_evidence: float, max_bucket: int,
                     workers: int = 1, *, within: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys ``a * n + b`` of the document pairs whose copy pairs of
    ``rep_pairs`` are worth ``min_evidence`` in all, and their totals.

    Most document pairs that share anything share a sentence or two, far below the
    bar, and there are tens of millions of them in a large corpus. Past
    ``EVIDENCE_EXACT_MAX`` copy pairs, a first pass adds each copy pair's evidence
    into a small sketch (two rows of buckets hashed from the document pair: each
    bucket's sum bounds the total of every pair in it, evidence being non-negative);
    the second pass sums exactly only the pairs whose two buckets both reach the bar.
    Both pass over about ``EVIDENCE_BLOCK`` copy pairs at a time (on ``workers``
    threads), so memory holds a few blocks' copies, the sketch, and one total per
    document pair that may reach the bar (with fewer copy pairs, one total per
    document pair they hold, and no sketch: the same keys). Each block's
    totals are merged into the running ones in block order (a document pair's block
    sums are added in block order, as one sum over all blocks would add them: the
    totals are the same to the bit).

    ``within`` (sorted keys), when the caller knows that no other document pair can
    reach ``min_evidence``: only these are summed, and no sketch is needed."""
    n_docs = np.int64(int(units.word_ptr.shape[0]) - 1)
    blocks = _evidence_blocks(checked, rep_pairs)
    passing = None
    copies = np.diff(checked.ok_ptr)
    n_copy_pairs = int((copies[rep_pairs[:, 0]] * copies[rep_pairs[:, 1]]).sum())
    if (within is None and n_copy_pairs > EVIDENCE_EXACT_MAX and len(evidence)
            and float(evidence.min()) >= 0 and min_evidence > 0):
        # As many buckets as it takes to keep most pairs apart, and no more: a small
        # corpus need not clear and scan two rows of 16M buckets (any size gives the
        # same keys, only more or fewer to sum exactly).
        buckets = min(EVIDENCE_SKETCH, max(EVIDENCE_SKETCH_MIN,
                                           1 << (4 * n_copy_pairs).bit_length()))
        sketch = np.zeros((2, buckets), dtype=np.float32)
        bound = functools.partial(_sketch_block, units, checked, rep_pairs, evidence,
                                  max_bucket, buckets)
        for rows, ev in ordered_map(bound, blocks, workers):
            ev = ev.astype(np.float32)  # add.at of one dtype into the same is fast
            np.add.at(sketch[0], rows[0], ev)
            np.add.at(sketch[1], rows[1], ev)
        # A float32 sum of n terms is off by at most n * 6e-8 of it: the 1% margin
        # covers buckets of up to 160,000 copy pairs (a handful, in a large corpus).
        passing = sketch >= np.float32(min_evidence * 0.99)
        del sketch
    # The running totals in EVIDENCE_SHARDS ranges of document-pair keys, so that an
    # insertion copies one range's arrays, not all of them.
    bounds = np.linspace(0, int(n_docs), EVIDENCE_SHARDS + 1).astype(np.int64)[1:-1] * n_docs
    shards = [(np.zeros(0, dtype=np.int64), np.zeros(0)) for _ in range(len(bounds) + 1)]
    sum_block = functools.partial(_evidence_block, units, checked, rep_pairs, evidence,
                                  max_bucket, passing, within)
    for k, sums in ordered_map(sum_block, blocks, workers):
        cuts = np.searchsorted(k, bounds)
        for s, (a, b) in enumerate(zip(np.r_[0, cuts], np.r_[cuts, len(k)], strict=True)):
            if a < b:
                shards[s] = merge_totals(*shards[s], k[a:b], sums[a:b])
        del k, sums
    keep = [total >= min_evidence for _, total in shards]
    return (np.concatenate([keys[k] for (keys, _), k in zip(shards, keep, strict=True)]),
            np.concatenate([total[k] for (_, total), k in zip(shards, keep, strict=True)]))


def _sketch_rows(key: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """The bucket of each document-pair key in each row of the evidence sketch
    (``buckets`` a power of two)."""
    h = fmix64(key.astype(np.uint64))
    mask = np.uint64(buckets - 1)
    return (h & mask).astype(np.intp), ((h >> np.uint64(32)) & mask).astype(np.intp)


def _copy_evidence(units: _Units, checked: _Checked, rep_pairs: np.ndarray,
                   evidence: np.ndarray, max_bucket: int, block: tuple[int, int]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The document-pair key and the evidence of each copy pair (in two documents)
    of the rows ``block`` of ``rep_pairs``, in :func:`copy_docs`'s order."""
    lo, hi = block
    n_docs = np.int64(int(units.word_ptr.shape[0]) - 1)
    which, da, db = copy_docs(rep_pairs[lo:hi], checked.ok_ptr, checked.ok_docs, max_bucket)
    keep = da != db
    key = np.minimum(da, db)[keep] * n_docs + np.maximum(da, db)[keep]
    return key, evidence[lo:hi][which[keep]]


def _sketch_block(units: _Units, checked: _Checked, rep_pairs: np.ndarray,
                  evidence: np.ndarray, max_bucket: int, buckets: int, block: tuple[int, int]
                  ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The first pass of :func:`_evidence_keys` over the rows ``block``: each copy
    pair's buckets in the sketch (of ``buckets`` a row) and its evidence."""
    key, ev = _copy_evidence(units, checked, rep_pairs, evidence, max_bucket, block)
    return _sketch_rows(key, buckets), ev


def _evidence_block(units: _Units, checked: _Checked, rep_pairs: np.ndarray,
                    evidence: np.ndarray, max_bucket: int, passing: np.ndarray | None,
                    within: np.ndarray | None, block: tuple[int, int]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``block`` of ``rep_pairs``: the sorted document-pair keys of their
    copy pairs, with the evidence each sums (in the order of :func:`copy_docs`); only
    the keys whose buckets both pass (``passing``: per row of the sketch, the buckets
    that reach the bar), or only those in ``within`` (sorted keys), or all keys."""
    key, ev = _copy_evidence(units, checked, rep_pairs, evidence, max_bucket, block)
    if within is not None:
        maybe = in_sorted(within, key)
        key, ev = key[maybe], ev[maybe]
    if passing is not None:
        r0, r1 = _sketch_rows(key, passing.shape[1])
        maybe = passing[0, r0] & passing[1, r1]
        key, ev = key[maybe], ev[maybe]
    k, inv = np.unique(key, return_inverse=True)
    return k, np.bincount(inv.reshape(-1), weights=ev, minlength=len(k))


class _Raw(NamedTuple):
    kind: str
    spans: list[tuple[int, int, int]]  # (document index, first, last sentence)
    pairs: list[tuple[int, int, float]]
    weakest: float
    chains: tuple[int, ...]


def _number_clusters(raw: list[_Raw], passages: PassageTable, layout: DocLayout,
                     docs: Sequence[Document], n_chains: int
                     ) -> tuple[list[Cluster], list[list[int]]]:
    """Deterministic order: cross-document clusters first, more outlets first, more
    passages first, then by position of the first passage; ids from 1. Also returns
    the cluster ids of each chain."""
    kind_rank = {"cross-document": 0, "within-outlet": 1, "within-document": 2}

    def outlets(r: _Raw) -> set[str]:
        return {docs[d].outlet for d, _, _ in r.spans}

    raw = sorted(raw, key=lambda r: (kind_rank[r.kind], -len(outlets(r)), -len(r.spans),
                                     r.spans[0]))
    out = []
    of_chain: list[list[int]] = [[] for _ in range(n_chains)]
    for cid, r in enumerate(raw, start=1):
        spans = []
        for d, lo, hi in r.spans:
            first = int(layout.doc_first[d])
            spans.append(Span(docs[d].id, int(passages.start[first + lo]),
                              int(passages.end[first + hi]), lo, hi))
        out.append(Cluster(id=cid, kind=r.kind, passages=tuple(spans),
                           pairs=tuple(Match(i, j, s) for i, j, s in r.pairs),
                           weakest_link=r.weakest, outlets=tuple(sorted(outlets(r)))))
        for k in r.chains:
            of_chain[k].append(cid)
    return out, of_chain
