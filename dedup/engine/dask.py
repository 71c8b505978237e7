"""The Dask engine: the heavy steps of :func:`dedup.find`, partitioned over a Dask
cluster (a :class:`distributed.LocalCluster` of worker processes, or an existing
scheduler).

How each step is cut, and why the result is exactly the local engine's:

* **tokenize**: documents go to partitions by a hash of their id (blake2b, so the
  same on every machine and run); each partition is tokenised on a worker; the
  passages come back in corpus order (documents in order, each document's passages
  in order), as the local engine returns them. Tokenising a document depends on
  that document alone.
* **features**: distinct passages in contiguous runs. Document frequencies are a
  reduction: each partition counts the distinct passages holding each n-gram, the
  counts are summed in a tree of merges on the workers, and the corpus-wide table
  goes to every partition, which then weighs its own passages. A passage's weights
  depend only on its words and the corpus-wide frequencies.
* **signatures**: one partition per run of passages; a passage's signature is the
  minimum over its own features.
* **candidate_pairs** (LSH): each partition of signatures emits ``(band, key,
  passage)`` for every band and sends it to the partition its key hashes to (a
  shuffle): every bucket of every band lands whole on one worker, which pairs its
  members exactly as the local engine does (all pairs, or neighbours and the first
  member past ``max_bucket``). The pairs found are shuffled again by range of pair,
  their band hits summed, and pairs below ``min_hits`` dropped; the ranges joined in
  order are the sorted pairs the local engine returns.
* **score_pairs**: the feature table goes once to every worker, the candidate
  pairs in blocks; each pair's scores depend on that pair and the table only.
* **coverages** (the word alignment of related documents): the corpus' word ids go
  once to every worker, the document pairs in blocks of about equal words.

Joining matches into passages, repeat groups, clustering and the relation verdicts
run in the calling process on the gathered arrays: they are linear in the verified
matches, which fit.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from distributed import Client, LocalCluster, as_completed
from distributed.client import FutureCancelledError
from distributed.comm import CommClosedError
from distributed.scheduler import KilledWorker

from ..errors import DedupError, ParameterError
from ..features import (
    FeatureTable,
    WordPrior,
    _chunks,
    _empty_table,
    gram_runs,
    prepare_words,
    weigh_runs,
)
from ..index import LSHParams, _runs, band_key, bucket_pairs
from ..models import Document
from ..parallel import ranges
from ..relations import Coverage, coverages
from ..signatures import MinHashParams, signatures
from ..tokens import Tokens, WordForms, default_workers, tokenize_docs
from ..verify import score_pairs

if TYPE_CHECKING:
    from ..pipeline import FindParams


_CLUSTER_ERRORS = (KilledWorker, CommClosedError, FutureCancelledError)


def _cluster_step(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A step whose cluster fails (a worker killed, a connection lost) raises a
    one-line :class:`DedupError`; an error in the step's own code passes through."""

    @functools.wraps(fn)
    def step(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _CLUSTER_ERRORS as e:
            raise DedupError(f"the Dask cluster failed during {fn.__name__}: "
                             f"{type(e).__name__}: {e}") from e

    return step


class DaskEngine:
    """Runs the heavy steps of :func:`dedup.find` on a Dask cluster.

    ``scheduler``: address of a running scheduler (``tcp://host:port``); without it
    a :class:`~distributed.LocalCluster` of ``workers`` processes (default: one per
    CPU), one thread each, is started and closed with the engine. ``client``: an
    existing :class:`~distributed.Client` to use instead (left open). ``partitions``:
    how many pieces each step is cut into (default: twice the worker threads); the
    result does not depend on it.

    Use it as a context manager::

        with DaskEngine(workers=4) as engine:
            result = find(corpus, params, engine=engine)
    """

    name = "dask"

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None,
                 partitions: int | None = None, client: Client | None = None):
        if workers is not None and workers < 1:
            raise ParameterError(f"workers must be at least 1, got {workers}")
        if partitions is not None and partitions < 1:
            raise ParameterError(f"partitions must be at least 1, got {partitions}")
        if scheduler is not None and client is not None:
            raise ParameterError("give a scheduler address or a client, not both")
        self.scheduler = scheduler
        self.workers = workers
        self.partitions = partitions
        self._client = client
        self._owned: list[Any] = []  # what start() opened, closed by close()

    # -- the cluster ----------------------------------------------------------------

    def __enter__(self) -> DaskEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Connect to the scheduler, or start the local cluster (once)."""
        if self._client is not None:
            return
        if self.scheduler is not None:
            try:
                self._client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as e:
                raise DedupError(f"cannot reach the Dask scheduler at {self.scheduler}: "
                                 f"{e}") from None
        else:
            cluster = LocalCluster(n_workers=self.workers or default_workers(),
                                   threads_per_worker=1, processes=True,
                                   dashboard_address=":0")  # any free port
            self._owned.append(cluster)
            try:
                self._client = Client(cluster)
            except BaseException:
                self.close()
                raise
        self._owned.insert(0, self._client)

    def close(self) -> None:
        """Close the client and the local cluster this engine started."""
        while self._owned:
            self._owned.pop(0).close()
        self._client = None

    @property
    def client(self) -> Client:
        self.start()
        assert self._client is not None
        return self._client

    def n_partitions(self) -> int:
        if self.partitions is not None:
            return self.partitions
        return 2 * max(1, sum(self.client.nthreads().values()))

    def n_targets(self) -> int:
        """Pieces a shuffle sends its data to: one per worker thread (fewer than the
        partitions, so the tasks that cut each partition's output stay few)."""
        return max(1, min(self.n_partitions(), sum(self.client.nthreads().values())))

    def _scatter(self, items: list[Any]) -> list[Any]:
        """One future per item, spread over the workers."""
        return list(self.client.scatter(items, hash=False))

    # -- the steps ------------------------------------------------------------------

    @_cluster_step
    def tokenize(self, docs: Sequence[Document], *, topic_weight: float,
                 quote_weight: float, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Tokens:
        """:func:`dedup.tokens.tokenize`, documents partitioned by a hash of their id
        (``workers`` is the local engine's and is not used)."""
        if not docs:
            return tokenize_docs([], 0, WordForms(topic_weight, quote_weight))
        n = self.n_partitions()
        part = np.fromiter((partition_of(d.id, n) for d in docs), dtype=np.int64,
                           count=len(docs))
        groups = [g for g in (np.flatnonzero(part == p) for p in range(n)) if len(g)]
        data = self._scatter([(g, [docs[i].text for i in g.tolist()]) for g in groups])
        futures = self.client.map(_tokenize_part, data, topic=topic_weight,
                                  quote=quote_weight, pure=False)
        if progress:
            done = 0
            size = {f.key: len(g) for f, g in zip(futures, groups, strict=True)}
            for f in as_completed(futures):
                done += size[f.key]
                progress(done, len(docs))
        return corpus_order(Tokens.concat(self.client.gather(futures)))

    @_cluster_step
    def features(self, word_hashes: np.ndarray, lengths: np.ndarray,
                 ngrams: tuple[int, ...], *, multipliers: np.ndarray | None = None,
                 stock_df: int | None = None, prior: WordPrior | None = None,
                 prior_passages: float = 0.0, word_freq: np.ndarray | None = None,
                 workers: int | None = None) -> FeatureTable:
        """:func:`dedup.features.build_features_hashed`, with the document
        frequencies a reduction over partitions of passages (``workers``: the
        cluster's, not this process')."""
        # The prior's share of passages holding each word needs the corpus' mean
        # passage length: worked out here, once, and sent with the words.
        wh, lengths, mult, q_word, m_prior, key, n_distinct, sizes, first = prepare_words(
            word_hashes, lengths, ngrams, multipliers=multipliers, prior=prior,
            prior_passages=prior_passages, word_freq=word_freq)
        runs = ranges(lengths, self.n_partitions())
        if not runs:
            return _empty_table(lengths, key, n_distinct, stock_df, m_prior)
        w_at = np.r_[0, np.cumsum(lengths)]
        data = self._scatter([(wh[w_at[a]:w_at[b]], lengths[a:b], mult[w_at[a]:w_at[b]],
                               first[a:b], q_word[w_at[a]:w_at[b]]) for a, b in runs])
        client = self.client
        counts = client.map(_count_part, data, sizes=sizes, pure=False)
        while len(counts) > 1:  # tree reduction of the partitions' counts
            merged = [client.submit(_merge_counts, a, b, pure=False)
                      for a, b in zip(counts[::2], counts[1::2], strict=False)]
            counts = merged + ([counts[-1]] if len(counts) % 2 else [])
        df = counts[0]
        if client.submit(_length, df, pure=False).result() == 0:
            return _empty_table(lengths, key, n_distinct, stock_df, m_prior)
        parts = client.gather(client.map(_weigh_part, data, df=df, ngrams=ngrams, sizes=sizes,
                                         n_distinct=n_distinct, stock_df=stock_df,
                                         m_prior=m_prior, pure=False))
        if not any(len(p[3]) for p in parts):
            return _empty_table(lengths, key, n_distinct, stock_df, m_prior)
        n_feats, total, g, w, plain, fid = (np.concatenate(c) for c in zip(*parts, strict=True))
        del parts
        vocab, vocab_df = df.result()  # the corpus' n-grams and their frequencies
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(n_feats)
        return FeatureTable(indptr=indptr, weights=w, gram=g, total=total, n_words=lengths,
                            key=key, n_distinct=n_distinct, fid=fid, vocab=vocab,
                            vocab_df=vocab_df.astype(np.int32), plain=plain,
                            stock_df=stock_df, prior_passages=m_prior)

    @_cluster_step
    def signatures(self, unit: np.ndarray, feature32: np.ndarray, n_units: int,
                   params: MinHashParams, *, workers: int | None = None) -> np.ndarray:
        """:func:`dedup.signatures.signatures`, per run of units."""
        unit = np.asarray(unit, dtype=np.int64)
        if len(unit) == 0 or n_units == 0:
            return signatures(unit, feature32, n_units, params)
        if len(unit) > 1 and bool((unit[1:] < unit[:-1]).any()):
            order = np.argsort(unit, kind="stable")
            unit, feature32 = unit[order], feature32[order]
        runs = ranges(np.bincount(unit, minlength=n_units), self.n_partitions())
        at = np.searchsorted(unit, [a for a, _ in runs] + [n_units])
        data = self._scatter([(unit[at[k]:at[k + 1]] - a, feature32[at[k]:at[k + 1]], b - a)
                              for k, (a, b) in enumerate(runs)])
        futures = self.client.map(_sign_part, data, params=params, pure=False)
        return np.concatenate(self.client.gather(futures), axis=0)

    @_cluster_step
    def candidate_pairs(self, sig: np.ndarray, lsh: LSHParams, *,
                        valid: np.ndarray | None = None, max_bucket: int = 64,
                        min_hits: int = 1, workers: int | None = None) -> np.ndarray:
        """:func:`dedup.index.candidate_pairs`, band keys shuffled so that each bucket
        lands on one worker."""
        if max_bucket < 2:
            raise ParameterError(f"max_bucket must be at least 2, got {max_bucket}")
        n = sig.shape[0]
        n_valid = n if valid is None else int(np.count_nonzero(valid))
        if n_valid < 2:
            return np.zeros((0, 2), dtype=np.int64)
        client = self.client
        runs = ranges(np.ones(n, dtype=np.int64), self.n_partitions())
        targets = self.n_targets()
        data = self._scatter([(sig[a:b], None if valid is None else valid[a:b], a)
                              for a, b in runs])
        keyed = client.map(_band_keys_part, data, lsh=lsh, targets=targets, pure=False)
        # Pair keys i * n + j (i < j) are cut into ranges of i, so the ranges, each
        # sorted, join into one sorted array.
        edges = np.linspace(0, n, targets + 1).astype(np.int64)[1:-1] * np.int64(n)
        found = [client.submit(_bucket_pairs,
                               [client.submit(operator.getitem, k, t, pure=False)
                                for k in keyed],
                               max_bucket=max_bucket, n=n, edges=edges, pure=False)
                 for t in range(targets)]
        counted = [client.submit(_count_hits,
                                 [client.submit(operator.getitem, f, r, pure=False)
                                  for f in found],
                                 min_hits=min_hits, pure=False)
                   for r in range(targets)]
        keys = np.concatenate(client.gather(counted))
        n64 = np.int64(n)
        return np.stack([keys // n64, keys % n64], axis=1)

    @_cluster_step
    def score_pairs(self, table: FeatureTable, pairs: np.ndarray, params: FindParams, *,
                    text_of: Callable[[int], str] | None = None, workers: int | None = None,
                    speaks: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`dedup.verify.score_pairs`, per block of candidate pairs: one block per
        worker thread, as each call ranks the whole table's features once.

        The blocks are scored without the passages' texts (``text_of``: they stay in
        this process); the few pairs that reach the threshold, the only ones whose
        score the texts can change (the speaker rule), are scored again here with
        them."""
        if len(pairs) == 0:
            return score_pairs(table, pairs, params, text_of=text_of, speaks=speaks)
        client = self.client
        shared_table = client.scatter(table, broadcast=True, hash=False)
        blocks = np.array_split(pairs, min(len(pairs), self.n_targets()))
        futures = client.map(_score_block, self._scatter(blocks), table=shared_table,
                             params=params, pure=False)
        cos, dup, shared = (np.concatenate(c) for c in zip(*client.gather(futures),
                                                            strict=True))
        if text_of is not None:
            again = np.flatnonzero(cos >= params.threshold)
            cos[again], dup[again], shared[again] = score_pairs(table, pairs[again], params,
                                                                text_of=text_of, speaks=speaks)
        return cos, dup, shared

    @_cluster_step
    def coverages(self, word_ids: np.ndarray, word_ptr: np.ndarray,
                  doc_pairs: Sequence[tuple[int, int]], *,
                  workers: int | None = None, min_share: float = 0.0,
                  sides: np.ndarray | None = None) -> list[Coverage | None]:
        """:func:`dedup.relations.coverages` of the document pairs, in blocks of
        about equal words, four per partition (a pair's cost varies with how much the
        two share, so small blocks keep every worker busy); every worker gets the
        corpus' word ids once (``workers`` is the local engine's and is not used)."""
        if len(doc_pairs) == 0:
            return []
        client = self.client
        pairs = np.asarray(doc_pairs, dtype=np.int64).reshape(-1, 2)
        words = np.diff(word_ptr)
        runs = ranges(words[pairs[:, 0]] + words[pairs[:, 1]], 4 * self.n_partitions())
        shared_words = client.scatter((word_ids, word_ptr), broadcast=True, hash=False)
        side = np.full(len(pairs), 3, dtype=np.int64) if sides is None else np.asarray(sides)
        blocks = self._scatter([np.c_[pairs[a:b], side[a:b]].tolist() for a, b in runs])
        futures = client.map(_coverage_block, blocks, words=shared_words, min_share=min_share,
                             pure=False)
        return [c for block in client.gather(futures) for c in block]


# -- partitions ---------------------------------------------------------------------

def partition_of(doc_id: str, n: int) -> int:
    """The partition (``0..n-1``) of a document: a hash of its id, the same on every
    machine and in every run.

    >>> partition_of("a", 1), partition_of("reuters-001", 8) == partition_of("reuters-001", 8)
    (0, True)
    """
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") % n


def corpus_order(tok: Tokens) -> Tokens:
    """Passages from partitions (each in corpus order) back in corpus order, their
    words with them."""
    order = np.argsort(tok.doc, kind="stable")
    starts = np.cumsum(tok.lengths) - tok.lengths
    lengths = tok.lengths[order]
    words = (np.repeat(starts[order] - (np.cumsum(lengths) - lengths), lengths)
             + np.arange(int(lengths.sum()), dtype=np.int64))
    return Tokens(tok.doc[order], tok.index[order], tok.start[order], tok.end[order],
                  tok.paragraph[order], lengths, tok.hashes[words], tok.factors[words])


# -- tasks (run on the workers) -------------------------------------------------------

def _tokenize_part(data: tuple[np.ndarray, list[str]], topic: float, quote: float) -> Tokens:
    indices, texts = data
    tok = tokenize_docs(texts, 0, WordForms(topic, quote))
    return replace(tok, doc=np.asarray(indices, dtype=np.int64)[tok.doc])


def _count_part(data: tuple[np.ndarray, ...], sizes: list[int]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Pass 1 of :func:`~dedup.features.build_features_hashed` on one partition: its
    n-grams (of first copies, each once per passage), sorted, with how many of its
    passages hold each."""
    wh, lengths, _, first, _ = data
    seen = gram_runs(wh, lengths, first, list(_chunks(lengths, 1 << 16)), sizes)
    if not seen:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    every = np.sort(np.concatenate(seen))
    return _runs(every, np.ones(len(every), dtype=np.int64))


def _merge_counts(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray]:
    keys = np.concatenate([a[0], b[0]])
    order = np.argsort(keys, kind="stable")
    return _runs(keys[order], np.concatenate([a[1], b[1]])[order])


def _length(df: tuple[np.ndarray, np.ndarray]) -> int:
    return len(df[0])


def _weigh_part(data: tuple[np.ndarray, ...], df: tuple[np.ndarray, np.ndarray],
                ngrams: tuple[int, ...], sizes: list[int], n_distinct: int,
                stock_df: int | None, m_prior: float) -> tuple[np.ndarray, ...]:
    """Pass 2 of :func:`~dedup.features.build_features_hashed` on one partition, with
    the corpus-wide document frequencies ``df``: per passage its feature count and
    total weight, and its features (size, weight, plain, dense id) in hash order."""
    wh, lengths, mult, _, q_word = data
    parts = weigh_runs(wh, lengths, mult, q_word, df, _chunks(lengths, 1 << 16),
                       ngrams=ngrams, sizes=sizes, n_distinct=n_distinct, stock_df=stock_df,
                       m_prior=m_prior)
    return tuple(np.concatenate(c) for c in zip(*parts, strict=True))


def _sign_part(data: tuple[np.ndarray, np.ndarray, int], params: MinHashParams) -> np.ndarray:
    unit, feature32, n_units = data
    return signatures(unit, feature32, n_units, params)


def _band_keys_part(data: tuple[np.ndarray, np.ndarray | None, int], lsh: LSHParams,
                    targets: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every band's key of each (valid) row of one partition, as ``(band, key,
    row)``, cut by the key's hash into ``targets`` pieces: piece ``t`` holds whole
    buckets, and every partition sends the same buckets to the same piece."""
    sig, valid, offset = data
    idx = np.arange(sig.shape[0], dtype=np.int64) if valid is None else np.flatnonzero(valid)
    keys = np.concatenate([band_key(sig, lsh, band)[idx] for band in range(lsh.bands)])
    bands = np.repeat(np.arange(lsh.bands, dtype=np.int16), len(idx))  # num_perm <= 1024
    rows = np.tile(idx + offset, lsh.bands)
    target = (keys ^ bands.astype(np.uint64)) % np.uint64(targets)
    # Stable, so each band's rows stay in ascending order (a radix sort for 16 bits).
    order = np.argsort(target.astype(np.int16 if targets < 2**15 else np.int64),
                       kind="stable")
    cuts = np.searchsorted(target[order], np.arange(1, targets))
    return [(bands[o], keys[o], rows[o]) for o in np.split(order, cuts)]


def _bucket_pairs(pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]], max_bucket: int,
                  n: int, edges: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pairs of every bucket in one shuffle target, band by band as in
    :func:`dedup.index.candidate_pairs`, counted per pair (bands that found it) and
    cut into ranges of pair key at ``edges``.

    The pieces come in partition order, each band's rows ascending inside each piece,
    so after stable sorts by band and then by key every bucket lists its members in
    ascending order, as the local engine's stable sort of each band does."""
    bands = np.concatenate([p[0] for p in pieces])
    keys = np.concatenate([p[1] for p in pieces])
    members = np.concatenate([p[2] for p in pieces])
    n64 = np.int64(n)
    found = [np.zeros(0, dtype=np.int64)]
    by_band = np.argsort(bands, kind="stable")
    bands, keys, members = bands[by_band], keys[by_band], members[by_band]
    cuts = np.flatnonzero(np.r_[True, bands[1:] != bands[:-1], True])
    for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        order = np.argsort(keys[lo:hi], kind="stable")
        found.extend(bucket_pairs(keys[lo:hi][order], members[lo:hi][order], n64, max_bucket))
    pairs = np.sort(np.concatenate(found))
    pairs, hits = _runs(pairs, np.ones(len(pairs), dtype=np.int64))
    cuts = np.searchsorted(pairs, edges)
    return list(zip(np.split(pairs, cuts), np.split(hits, cuts), strict=True))


def _count_hits(pieces: list[tuple[np.ndarray, np.ndarray]], min_hits: int) -> np.ndarray:
    """One range of pair keys: hits summed over every bucket target, sorted, those
    found in at least ``min_hits`` bands kept."""
    keys = np.concatenate([p[0] for p in pieces])
    order = np.argsort(keys, kind="stable")
    keys, hits = _runs(keys[order], np.concatenate([p[1] for p in pieces])[order])
    return keys[hits >= min_hits]


def _coverage_block(pairs: list[list[int]], words: tuple[np.ndarray, np.ndarray],
                    min_share: float) -> list[Coverage | None]:
    """Coverages of a block of ``[a, b, sides]`` rows."""
    return coverages(words[0], words[1], [(a, b) for a, b, _ in pairs], workers=1,
                     min_share=min_share, sides=np.array([s for _, _, s in pairs]))


def _score_block(pairs: np.ndarray, table: FeatureTable, params: FindParams
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return score_pairs(table, pairs, params)


__all__ = ["DaskEngine", "corpus_order", "partition_of", "ranges"]
