"""The feature table: every passage's word n-grams with corpus-level weights.

Shared topic words ("North Korean troops", "Russia") are no evidence of shared
material; shared distinctive wording is. Each passage is a set of word n-grams
(1..3 by default) and each n-gram a weight built from four rules:

* rarity: ``idf = log((N + 1 + m) / (df + m * q))``, where ``df`` counts the *distinct*
  passages that hold it (exact repeats count once, so a story reprinted a hundred times
  does not make its own wording look common), ``N`` is the number of distinct passages,
  and ``q`` is the share of passages of general language that hold the word, from a
  word-frequency prior (:class:`WordPrior`, ``wordfreq``) worth ``m`` passages of
  evidence: in a corpus of five documents every word is rare, and the prior is what
  tells "troops" from "Budanov"; as the corpus grows past ``m`` passages its own counts
  dominate. An n-gram's ``q`` is its rarest word's (it cannot be more common). Without
  the prior (``m = 0``, or ``wordfreq`` not installed) this is ``log((N + 1) / df)``;
* a word pair is counted in either order ("troops deployed" = "deployed troops"):
  an editor's small reordering keeps the pair;
* an n-gram is worth only the information it adds to its two (n-1)-gram parts
  (``idf(abc) - max(idf(ab), idf(bc))``), so a long shared name ("North Korean leader
  Kim Jong Un") counts about as much as its rarest word, not fifteen times;
* names are the story's topic, shared by every outlet that covers it: words
  capitalised inside a sentence weigh ``topic_weight`` (0.3); numbers weigh by
  rarity like any other word (a specific figure is evidence of a shared source);
* quoted words weigh ``quote_weight`` (1.5): outlets reword their prose but keep the
  quotations they took from the wire.

Scripts without case (Urdu, Arabic, Chinese) simply get no name discount.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np

from .arrays import SortedIndex, run_starts, stable_order, unique_sorted
from .normalize import norm_word, s_stem
from .parallel import batches, ordered_map, ranges
from .signatures import WordHasher, fmix64, ngram_features

# Words below this frequency (per word of running text) add under one pseudo-passage
# of prior at any sensible prior strength: left out of the table, which stays small.
PRIOR_MIN_FREQUENCY = 1e-6

T = TypeVar("T")


@dataclass(frozen=True)
class WordPrior:
    """General-language frequency of words, by the hash of their matching form (the
    hash :class:`dedup.tokens.WordForms` gives a word: blake2b of its S-stemmed,
    folded form), so the feature table can look it up without the words themselves.

    ``hashes`` is sorted; ``freq[i]`` is the frequency per word of running text of the
    forms hashing to ``hashes[i]`` (spellings that fold to one form add up; across
    languages the largest counts). ``source`` names the package, its version and the
    languages, as recorded in the parameters of a run.
    """

    hashes: np.ndarray
    freq: np.ndarray
    source: str

    def lookup(self, word_hashes: np.ndarray) -> np.ndarray:
        """Frequency of each word (0 for a word the prior does not hold)."""
        wh = np.asarray(word_hashes, dtype=np.uint64)
        if len(self.hashes) == 0 or len(wh) == 0:
            return np.zeros(len(wh))
        at = np.minimum(np.searchsorted(self.hashes, wh), len(self.hashes) - 1)
        return np.where(self.hashes[at] == wh, self.freq[at], 0.0)


def form_hash(word: str) -> int:
    """The hash of a word's matching form, as :class:`dedup.tokens.WordForms` makes it."""
    form = s_stem(norm_word(word)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(form, digest_size=8).digest(), "little")


# Version of how the prior table is made from the word lists (bump on any change to
# the selection below): part of the cache file's name, with a fingerprint of the code
# that makes a word's matching form, so that a changed form never reads a stale table.
_PRIOR_SCHEME = 1


def _form_fingerprint() -> str:
    try:
        code = inspect.getsource(norm_word) + inspect.getsource(s_stem)
    except (OSError, TypeError):  # no source (a frozen build): the bytecode then
        code = repr((norm_word.__code__.co_code, s_stem.__code__.co_code))
    return hashlib.blake2b(code.encode("utf-8"), digest_size=4).hexdigest()


@lru_cache(maxsize=4)
def word_prior(languages: tuple[str, ...]) -> WordPrior | None:
    """The ``wordfreq`` prior of ``languages`` (its ``small`` lists: words used at least
    about once per million words), or ``None`` when ``wordfreq`` is not installed
    (a core dependency: ``None`` only in a broken install). Numbers are left out:
    they weigh by their rarity in the corpus alone. Built once per process, and kept
    as a small file in the user's cache folder (``$XDG_CACHE_HOME/dedup``) so that a
    later run loads it instead of reading the word lists (about a second) again.

    >>> p = word_prior(("en",))
    >>> p is None or bool(p.lookup(np.array([form_hash("the")], np.uint64))[0] > 0.01)
    True
    """
    try:
        from importlib.metadata import version
        ver = version("wordfreq")
    except Exception:  # not installed: run on corpus statistics alone
        return None
    langs = ",".join(languages)
    cache = (_cache_dir()
             / f"prior-{_PRIOR_SCHEME}-{_form_fingerprint()}-wordfreq-{ver}-{langs}.npz")
    try:
        with np.load(cache, allow_pickle=False) as z:
            return WordPrior(z["hashes"], z["freq"], str(z["source"]))
    except Exception:  # no cache yet, or an unreadable one: build it
        pass
    try:
        import wordfreq
    except Exception:  # installed but broken
        return None
    table: dict[int, float] = {}
    used = []
    for lang in languages:
        try:
            freqs = wordfreq.get_frequency_dict(lang, wordlist="small")
        except Exception:  # a language this version does not hold
            continue
        used.append(lang)
        mine: dict[int, float] = {}
        for w, f in freqs.items():
            if f < PRIOR_MIN_FREQUENCY:
                break  # the lists are sorted, most frequent first
            if any(c.isdigit() for c in w):
                continue
            h = form_hash(w)
            mine[h] = mine.get(h, 0.0) + f
        for h, f in mine.items():
            if f > table.get(h, 0.0):
                table[h] = f
    keys = np.fromiter(table.keys(), dtype=np.uint64, count=len(table))
    vals = np.fromiter(table.values(), dtype=np.float64, count=len(table))
    order = np.argsort(keys)
    prior = WordPrior(keys[order], vals[order], f"wordfreq {ver} ({', '.join(used)})")
    _save_prior(cache, prior)
    return prior


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dedup"


def _save_prior(path: Path, prior: WordPrior) -> None:
    """Write the prior's cache file atomically; a read-only or full disk only costs the
    next run the rebuild."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, hashes=prior.hashes, freq=prior.freq, source=np.str_(prior.source))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


@dataclass(frozen=True)
class FeatureTable:
    """Per-passage sorted unique features (CSR layout) with their weights.

    The corpus' distinct n-grams are ``vocab`` (their hashes, sorted) with
    ``vocab_df``, the distinct passages holding each. Passage ``u``'s entries are
    ``indptr[u]:indptr[u+1]``: ``fid`` the rank of each n-gram in ``vocab`` (a dense
    id, in hash order), ``weights`` the matching weights, ``gram`` the n-gram sizes;
    ``total[u]`` sums its weights and ``n_words[u]`` is its length in words;
    ``key[u]`` hashes its word sequence. An entry holds an id, not its hash and
    frequency: most n-grams recur across passages, so the per-entry columns are about
    half the size.
    """

    indptr: np.ndarray
    weights: np.ndarray
    gram: np.ndarray
    total: np.ndarray
    n_words: np.ndarray
    key: np.ndarray
    n_distinct: int
    fid: np.ndarray        # int32 (int64 past 2**31 n-grams), an index into vocab
    vocab: np.ndarray      # uint64, the distinct n-gram hashes, sorted
    vocab_df: np.ndarray   # int32, distinct passages holding each
    plain: np.ndarray | None = None  # n-gram holds no name (topic word)
    stock_df: int | None = None
    prior_passages: float = 0.0  # strength of the word-frequency prior, in passages

    @property
    def feats(self) -> np.ndarray:
        """Each entry's n-gram hash (a fresh array: the table keeps ids)."""
        return self.vocab[self.fid]

    @property
    def df(self) -> np.ndarray:
        """Each entry's document frequency (a fresh array)."""
        return self.vocab_df[self.fid]

    @property
    def n_fid(self) -> int:
        """How many dense ids there are (the corpus' distinct n-grams)."""
        return len(self.vocab)

    @property
    def n_entries(self) -> int:
        return len(self.fid)

    def features(self, u: int) -> tuple[np.ndarray, np.ndarray]:
        """Passage ``u``'s n-gram hashes (sorted) and weights."""
        lo, hi = self.indptr[u], self.indptr[u + 1]
        return self.vocab[self.fid[lo:hi]], self.weights[lo:hi]

    @cached_property
    def top_gram(self) -> int:
        """The largest n-gram size in the table (0 when empty), computed once."""
        return int(self.gram.max()) if len(self.gram) else 0

    @property
    def log_n(self) -> float:
        """The weight of a feature found in one passage only (before the topic and
        quote factors): ``log(N + 1 + m)`` (``m`` the prior's strength), or
        ``log(stock_df)`` when that is smaller."""
        top = self.n_distinct + 1 + self.prior_passages
        if self.stock_df is not None:
            top = min(top, self.stock_df)
        return float(np.log(max(top, 2)))


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def sequence_keys_hashed(word_hashes: np.ndarray, lengths: np.ndarray, *,
                         workers: int = 1, block: int = 1 << 22) -> np.ndarray:
    """One 64-bit key per word sequence, from its words' hashes (0 for an empty
    sequence): equal sequences, equal keys; order matters. Runs of sequences with
    about ``block`` words each are keyed on ``workers`` threads.

    >>> h = np.array([5, 7, 5, 7, 7, 5], dtype=np.uint64)
    >>> k = sequence_keys_hashed(h, np.array([2, 2, 2, 0]))
    >>> bool(k[0] == k[1]), bool(k[0] == k[2]), int(k[3])
    (True, False, 0)
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    keys = np.zeros(len(lengths), dtype=np.uint64)
    if len(word_hashes) == 0:
        return keys
    starts = np.cumsum(lengths) - lengths
    # The mix of each position in a sequence, once: a word's mix depends on its hash
    # and its position only.
    with np.errstate(over="ignore"):
        at = fmix64((np.arange(int(lengths.max()), dtype=np.uint64) + np.uint64(1)) * _GOLDEN)
    spans = ranges(lengths, -(-len(word_hashes) // block))
    keyed = partial(_sequence_keys_run, word_hashes, lengths, starts, at)
    for (lo, hi), k in zip(spans, ordered_map(keyed, spans, workers), strict=True):
        keys[lo:hi] = k
    return keys


def _sequence_keys_run(word_hashes: np.ndarray, lengths: np.ndarray, starts: np.ndarray,
                       at: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    """:func:`sequence_keys_hashed` of the sequences ``span``."""
    lo, hi = span
    n, first = lengths[lo:hi], starts[lo:hi] - starts[lo]
    h = word_hashes[starts[lo]:starts[lo] + int(n.sum())]
    keys = np.zeros(hi - lo, dtype=np.uint64)
    nonempty = n > 0
    if not nonempty.any():
        return keys
    pos = np.arange(len(h), dtype=np.int64) - np.repeat(first, n)
    with np.errstate(over="ignore"):
        sums = np.add.reduceat(fmix64(h ^ at[pos]), first[nonempty])
        keys[nonempty] = fmix64(sums ^ (n[nonempty].astype(np.uint64) * _GOLDEN))
    keys[nonempty & (keys == 0)] = 1
    return keys


def sequence_keys(word_lists: Sequence[Sequence[str]], hasher: WordHasher | None = None
                  ) -> np.ndarray:
    """:func:`sequence_keys_hashed` of passages given as lists of words."""
    hasher = hasher or WordHasher()
    lengths = np.fromiter((len(w) for w in word_lists), dtype=np.int64, count=len(word_lists))
    return sequence_keys_hashed(hasher.hash_words([w for ws in word_lists for w in ws]),
                                lengths)


def build_features(word_lists: list[list[str]], ngrams: tuple[int, ...] = (1, 2, 3), *,
                   multipliers: list[list[float]] | None = None,
                   stock_df: int | None = None,
                   hasher: WordHasher | None = None,
                   prior: WordPrior | None = None,
                   prior_passages: float = 0.0) -> FeatureTable:
    """Build the table for passages given as lists of normalised words.

    ``multipliers`` gives each word's weight factor (topic and quote rules); an
    n-gram takes the smallest factor of its words.
    """
    hasher = hasher or WordHasher()
    lengths = np.fromiter((len(w) for w in word_lists), dtype=np.int64,
                          count=len(word_lists))
    wh = hasher.hash_words([w for ws in word_lists for w in ws])
    mult = (np.fromiter((m for ms in multipliers for m in ms), dtype=np.float64, count=len(wh))
            if multipliers is not None else None)
    return build_features_hashed(wh, lengths, ngrams, multipliers=mult, stock_df=stock_df,
                                 prior=prior, prior_passages=prior_passages)


class Prepared(NamedTuple):
    """What both passes of :func:`build_features_hashed` read (see
    :func:`prepare_words`)."""

    wh: np.ndarray        # word hashes, end to end
    lengths: np.ndarray   # words per passage
    mult: np.ndarray      # weight factor per word
    q_word: np.ndarray    # the prior's share of passages holding each word
    m_prior: float        # the prior's strength in passages (0: no prior)
    key: np.ndarray       # word-sequence key per passage
    n_distinct: int       # distinct passages with words
    sizes: list[int]      # n-gram sizes to count (every size up to the largest)
    first: np.ndarray     # each distinct passage's first copy


def prepare_words(word_hashes: np.ndarray, lengths: np.ndarray, ngrams: tuple[int, ...], *,
                  multipliers: np.ndarray | None = None, prior: WordPrior | None = None,
                  prior_passages: float = 0.0, word_freq: np.ndarray | None = None
                  ) -> Prepared:
    """The arrays both passes of :func:`build_features_hashed` read, for the local
    build and the Dask engine alike: a word of prior frequency ``f`` per running word
    is held by a share ``q = 1 - exp(-f * L)`` of passages of the corpus' mean
    length ``L``; document frequency counts each distinct passage once, at its first
    copy. ``word_freq``: ``prior.lookup(word_hashes)``, when the caller has it
    (looked up once per distinct word, it is far cheaper than once per word)."""
    wh = np.asarray(word_hashes, dtype=np.uint64)
    lengths = np.asarray(lengths, dtype=np.int64)
    m_prior = float(prior_passages) if prior is not None else 0.0
    if m_prior > 0 and len(wh):
        assert prior is not None
        mean_len = float(lengths[lengths > 0].mean())
        freq = prior.lookup(wh) if word_freq is None else np.asarray(word_freq, np.float64)
        q_word = -np.expm1(-freq * mean_len)
    else:
        m_prior, q_word = 0.0, np.zeros(len(wh))
    mult = (np.asarray(multipliers, dtype=np.float64) if multipliers is not None
            else np.ones(len(wh)))
    key = sequence_keys_hashed(wh, lengths)
    n_distinct = int(len(unique_sorted(key[lengths > 0])))
    sizes = sorted(set(ngrams) | {k for top in ngrams for k in range(1, top)})
    first = np.zeros(len(lengths), dtype=bool)
    first[np.unique(key, return_index=True)[1]] = True
    return Prepared(wh, lengths, mult, q_word, m_prior, key, n_distinct, sizes, first)


def build_features_hashed(word_hashes: np.ndarray, lengths: np.ndarray,
                          ngrams: tuple[int, ...] = (1, 2, 3), *,
                          multipliers: np.ndarray | None = None,
                          stock_df: int | None = None,
                          prior: WordPrior | None = None,
                          prior_passages: float = 0.0,
                          word_freq: np.ndarray | None = None,
                          chunk_words: int = 1 << 16,
                          workers: int = 1) -> FeatureTable:
    """:func:`build_features` for passages given as their words' hashes, laid end to
    end (``lengths`` words each), with one weight factor per word.

    Two passes over runs of about ``chunk_words`` words, so that memory holds the
    finished table and the corpus' n-gram counts, not every n-gram occurrence at
    once: the first counts in how many distinct passages each n-gram occurs, the
    second weighs each passage's n-grams.

    ``prior`` (with ``prior_passages`` > 0, the prior's strength ``m`` in passages)
    blends general-language frequency into rarity (see the module docstring): a word
    of frequency ``f`` per running word is held by a share ``q = 1 - exp(-f * L)`` of
    passages of the corpus' mean length ``L``.

    ``word_freq``: the prior's frequency of each word (``prior.lookup(word_hashes)``),
    when the caller has it.

    ``workers`` threads share the runs of each pass (numpy releases the GIL); the
    table is the same whatever their number.
    """
    wh, lengths, mult, q_word, m_prior, key, n_distinct, sizes, first = prepare_words(
        word_hashes, lengths, ngrams, multipliers=multipliers, prior=prior,
        prior_passages=prior_passages, word_freq=word_freq)
    n_units = len(lengths)
    chunks = list(_chunks(lengths, chunk_words))

    # Pass 1: the n-grams of each distinct passage (each once), all sizes needed
    # (the sub-grams too, for the information rule), counted over the corpus.
    tasks = batches(chunks, _RUNS_PER_TASK)
    count = partial(gram_runs, wh, lengths, first, sizes=sizes)
    seen = [x for part in ordered_map(count, tasks, workers) for x in part]
    del count
    if not seen:
        return _empty_table(lengths, key, n_distinct, stock_df, m_prior)
    runs = [(x,) for x in seen]
    seen.clear()
    every = _concat_freeing(runs, 0)  # each run freed as it is copied
    del runs
    every.sort()  # in place: the largest array of the build is never copied
    starts = np.flatnonzero(np.r_[True, every[1:] != every[:-1]])
    uniq_h = every[starts]
    df_counts = np.diff(np.r_[starts, len(every)]).astype(np.int32)  # <= passages
    del every, starts

    # Pass 2: each n-gram occurrence weighed, then one entry per (passage, n-gram)
    # with the largest weight among its occurrences, written run by run into columns
    # sized for every occurrence (an upper bound: a passage rarely repeats an n-gram)
    # and cut to length in place: memory never holds the table twice.
    bound = sum(int(np.maximum(lengths - n + 1, 0).sum()) for n in set(ngrams))
    rank_type = _rank_type(len(uniq_h))
    fid = np.empty(bound, dtype=rank_type)
    w = np.empty(bound, dtype=np.float64)
    g = np.empty(bound, dtype=np.int8)
    plain = np.empty(bound, dtype=bool)
    counts = np.zeros(n_units, dtype=np.int64)
    total = np.zeros(n_units, dtype=np.float64)
    at = 0
    weigh = partial(_listed, weigh_runs, wh, lengths, mult, q_word, (uniq_h, df_counts),
                    ngrams=ngrams, sizes=sizes, n_distinct=n_distinct, stock_df=stock_df,
                    m_prior=m_prior, index=SortedIndex(uniq_h))
    weighed = (part for parts in ordered_map(weigh, tasks, workers) for part in parts)
    for (lo, hi), part in zip(chunks, weighed, strict=True):
        c, t, pg, pw, pp, pr = part
        counts[lo:hi], total[lo:hi] = c, t
        k = len(pw)
        fid[at:at + k], w[at:at + k], g[at:at + k], plain[at:at + k] = pr, pw, pg, pp
        at += k
    del weigh, weighed, q_word, mult, first, wh
    if at == 0:
        return _empty_table(lengths, key, n_distinct, stock_df, m_prior)
    for col in (fid, w, g, plain):
        col.resize(at, refcheck=False)  # shrinks in place (no copy of the column)
    indptr = np.zeros(n_units + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(counts)
    return FeatureTable(indptr=indptr, weights=w, gram=g, total=total, n_words=lengths,
                        key=key, n_distinct=n_distinct, fid=fid, vocab=uniq_h,
                        vocab_df=df_counts, plain=plain, stock_df=stock_df,
                        prior_passages=m_prior)


def _listed(fn: Callable[..., Iterator[T]], *args: object, **kwargs: object) -> list[T]:
    return list(fn(*args, **kwargs))


# Runs of passages per thread task: enough work to hide the task's overhead.
_RUNS_PER_TASK = 8


def _rank_type(n_fid: int) -> type:
    """The dtype of a dense id among ``n_fid`` n-grams."""
    return np.int32 if n_fid < 1 << 31 else np.int64


def _concat_freeing(parts: list[tuple[np.ndarray, ...]], k: int) -> np.ndarray:
    """Column ``k`` of every part, joined, each part's column released once copied (so
    memory never holds the column twice)."""
    out = np.empty(sum(len(p[k]) for p in parts), dtype=parts[0][k].dtype)
    at = 0
    for i, p in enumerate(parts):
        out[at:at + len(p[k])] = p[k]
        at += len(p[k])
        parts[i] = p[:k] + (p[k][:0],) + p[k + 1:]
    return out


def _empty_table(lengths: np.ndarray, key: np.ndarray, n_distinct: int,
                 stock_df: int | None = None, prior_passages: float = 0.0) -> FeatureTable:
    n_units = len(lengths)
    empty = np.zeros(0)
    return FeatureTable(np.zeros(n_units + 1, np.int64), empty, empty.astype(np.int8),
                        np.zeros(n_units), lengths, key, n_distinct,
                        fid=empty.astype(np.int32), vocab=empty.astype(np.uint64),
                        vocab_df=empty.astype(np.int32), plain=empty.astype(bool),
                        stock_df=stock_df, prior_passages=prior_passages)


def _chunks(lengths: np.ndarray, chunk_words: int):
    """Runs ``(lo, hi)`` of whole passages holding about ``chunk_words`` words each."""
    if len(lengths) == 0:
        return
    ends = np.cumsum(lengths)
    cuts = np.searchsorted(ends, np.arange(chunk_words, int(ends[-1]), chunk_words),
                           side="right")
    bounds = [0, *sorted(set(cuts.tolist()) - {0, len(lengths)}), len(lengths)]
    yield from zip(bounds[:-1], bounds[1:], strict=True)


def _grams(wh: np.ndarray, lengths: np.ndarray, lo: int, hi: int, sizes: list[int],
           w0: int) -> tuple[int, np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """For passages ``lo..hi-1``, whose first word is ``w0``: ``w0``, the passage of
    each word, and per n-gram size the hash of the n-gram starting at each word with
    whether it stays in its passage."""
    w1 = w0 + int(lengths[lo:hi].sum())
    sub = wh[w0:w1]
    unit = np.repeat(np.arange(lo, hi, dtype=np.int64), lengths[lo:hi])
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for n in sizes:
        m = len(sub) - n + 1
        if m <= 0:
            out[n] = (np.zeros(0, np.uint64), np.zeros(0, bool))
            continue
        if n == 2:
            # Either order: the hash of the pair (smaller word hash first).
            pair = np.empty(2 * m, dtype=np.uint64)
            pair[0::2] = np.minimum(sub[:-1], sub[1:])
            pair[1::2] = np.maximum(sub[:-1], sub[1:])
            h = ngram_features(pair, np.zeros(2 * m, np.int64), (2,))[1][0::2]
        else:
            _, h = ngram_features(sub, np.zeros(len(sub), np.int64), (n,))
        out[n] = (h, unit[:m] == unit[n - 1:])
    return w0, unit, out


def _first_words(lengths: np.ndarray, chunks: list[tuple[int, int]]) -> list[int]:
    """The index of each run's first word (one prefix sum, not one sum per run)."""
    starts = np.r_[0, np.cumsum(lengths)]
    return [int(starts[lo]) for lo, _ in chunks]


def gram_runs(wh: np.ndarray, lengths: np.ndarray, first: np.ndarray,
              chunks: list[tuple[int, int]], sizes: list[int]) -> list[np.ndarray]:
    """Pass 1 of :func:`build_features_hashed`: per run of passages, the n-gram
    hashes of each distinct passage's first copy, each once per passage (their
    occurrences over all runs are the n-grams' document frequencies). The Dask engine
    calls it on each partition."""
    seen: list[np.ndarray] = []
    chunks = list(chunks)
    firsts = _first_words(lengths, chunks)
    for (lo, hi), w0 in zip(chunks, firsts, strict=True):
        _, unit, grams = _grams(wh, lengths, lo, hi, sizes, w0)
        hs, us = [], []
        for h, valid in grams.values():
            pos = np.flatnonzero(valid & first[unit[:len(h)]])
            hs.append(h[pos])
            us.append(unit[pos])
        h, u = np.concatenate(hs), np.concatenate(us)
        if len(h) == 0:
            continue
        seen.append(_distinct_in_passage(h, u - lo, hi - lo))
    return seen


def _distinct_in_passage(h: np.ndarray, u: np.ndarray, n_units: int) -> np.ndarray:
    """Each hash of ``h`` once per passage ``u`` (``0 <= u < n_units``) that holds it,
    in no particular order: the hashes sorted (numpy's fast sort), ranked, and each
    (rank, passage) pair kept once through one sort of an int64 key. Two sorts of
    one key each, where ``lexsort`` of two keys is several times slower.

    >>> sorted(_distinct_in_passage(np.array([9, 4, 9, 9], np.uint64),
    ...                             np.array([0, 0, 0, 1]), 2).tolist())
    [4, 9, 9]
    """
    order = np.argsort(h)
    hs = h[order]
    new = run_starts(hs)
    key = np.sort((np.cumsum(new) - 1) * np.int64(n_units) + u[order])
    return hs[new][key[run_starts(key)] // np.int64(n_units)]


# Sort keys combined into one int64 below this (tests lower it to take the other path).
ONE_KEY_LIMIT = 1 << 62


def weigh_runs(wh: np.ndarray, lengths: np.ndarray, mult: np.ndarray, q_word: np.ndarray,
               df: tuple[np.ndarray, np.ndarray], chunks: list[tuple[int, int]], *,
               ngrams: tuple[int, ...], sizes: list[int], n_distinct: int,
               stock_df: int | None, m_prior: float, index: SortedIndex | None = None
               ) -> Iterator[tuple[np.ndarray, ...]]:
    """Pass 2 of :func:`build_features_hashed`, given the corpus-wide document
    frequencies ``df`` (sorted n-gram hashes, their counts): each n-gram occurrence of
    the passages' runs ``chunks`` weighed, then one entry per (passage, n-gram) with
    the largest weight among its occurrences. Yields per run: each passage's feature
    count and total weight, and its features (size, weight, plain, and the rank of
    the hash in ``df``'s hashes: a dense id) in hash order. The Dask engine calls it
    on each partition with the reduced frequencies. ``index``: a
    :class:`~dedup.arrays.SortedIndex` of ``df``'s hashes, when the caller has one."""
    uniq_h, df_counts = df
    rank_type = _rank_type(len(uniq_h))
    if index is None:
        index = SortedIndex(uniq_h)

    def idf_of(d: np.ndarray, q: np.ndarray) -> np.ndarray:
        idf = np.log((n_distinct + 1 + m_prior) / (np.maximum(d, 1) + m_prior * q))
        if stock_df is not None:
            idf = np.maximum(np.minimum(idf, np.log(stock_df / np.maximum(d, 1))), 0.0)
        return idf

    chunks = list(chunks)
    for (lo, hi), w0 in zip(chunks, _first_words(lengths, chunks), strict=True):
        base, unit, grams = _grams(wh, lengths, lo, hi, sizes, w0)
        # Document frequency of every n-gram of the run (each one is in the table).
        inside = [h[valid] for h, valid in grams.values()]
        rank_all = index.search(np.concatenate(inside)).astype(rank_type)
        d_all = df_counts[rank_all]
        df_at: dict[int, np.ndarray] = {}
        rank_at: dict[int, np.ndarray] = {}
        at = 0
        for n, (h, valid) in grams.items():
            d = np.zeros(len(h), dtype=np.int64)
            m = int(valid.sum())
            d[valid] = d_all[at:at + m]
            rank_at[n] = rank_all[at:at + m]
            at += m
            df_at[n] = d
        q_sub = q_word[base:base + int(lengths[lo:hi].sum())]
        idf_at = {}
        for n, d in df_at.items():
            q = q_sub[:len(d)]
            for k in range(1, n):  # an n-gram is no more common than its rarest word
                q = np.minimum(q, q_sub[k:k + len(d)])
            idf_at[n] = idf_of(d, q)
        occ: list[tuple[np.ndarray, ...]] = []
        for n in sorted(set(ngrams)):
            h, valid = grams[n]
            pos = np.flatnonzero(valid)
            if len(pos) == 0:
                continue
            fac = mult[base + pos]
            for k in range(1, n):
                fac = np.minimum(fac, mult[base + pos + k])
            idf = idf_at[n][pos]
            info = idf
            if n > 1:
                sub = idf_at[n - 1]
                info = np.maximum(idf - np.maximum(sub[pos], sub[pos + 1]), 0.0)
            occ.append((unit[pos], np.full(len(pos), n, np.int8), info * fac, fac >= 1.0,
                        rank_at[n]))
        if not occ:
            z = np.zeros(0)
            yield (np.zeros(hi - lo, np.int64), np.zeros(hi - lo), z.astype(np.int8), z,
                   z.astype(bool), z.astype(rank_type))
            continue
        u, g, w, plain, rank = (np.concatenate(x) for x in zip(*occ, strict=True))
        # The rank orders as the hash does (it is the hash's rank). By passage, then
        # n-gram: one int64 key where they fit (two sort keys, not three).
        if (hi - lo) * max(len(uniq_h), 1) < ONE_KEY_LIMIT:
            order = stable_order((u - lo) * np.int64(len(uniq_h)) + rank.astype(np.int64), -w)
        else:
            order = np.lexsort((-w, rank, u))
        u, g, w, plain, rank = u[order], g[order], w[order], plain[order], rank[order]
        keep = np.r_[True, (u[1:] != u[:-1]) | (rank[1:] != rank[:-1])]
        u, w = u[keep] - lo, w[keep]
        yield (np.bincount(u, minlength=hi - lo),
               np.bincount(u, weights=w, minlength=hi - lo).astype(np.float64),
               g[keep], w, plain[keep], rank[keep])


def dense_feature_ids(table: FeatureTable) -> tuple[np.ndarray, np.int64]:
    """Per feature entry a dense id in hash order, and how many ids there are: so that
    ``(pair, feature)`` fits one int64 key and each passage's keys stay sorted (its
    features are sorted by hash). The table's own ids."""
    return table.fid, np.int64(table.n_fid)


def shared_stats_bulk(table: FeatureTable, pairs: np.ndarray, *, chunk: int = 1 << 14,
                      workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shared_stats` for many pairs at once (``pairs`` is ``(m, 2)``).

    Each chunk of pairs lays out both sides' features keyed by ``(pair, feature)``
    (sorted, as each passage's features are) and intersects the keys with one binary
    search, instead of one Python call per pair; ``workers`` threads share the chunks.
    """
    m = len(pairs)
    shared = np.zeros(m, dtype=np.float64)
    runs = np.zeros(m, dtype=np.int64)
    if m == 0 or table.n_entries == 0:
        return shared, runs
    is_run = table.gram == table.top_gram
    if table.plain is not None:
        is_run &= table.plain
    spans = [(lo, min(lo + chunk, m)) for lo in range(0, m, chunk)]
    stats = partial(_shared_chunk, table, pairs, is_run)
    for (lo, hi), (s, r) in zip(spans, ordered_map(stats, spans, workers), strict=True):
        shared[lo:hi], runs[lo:hi] = s, r
    return shared, runs


def _shared_chunk(table: FeatureTable, pairs: np.ndarray, is_run: np.ndarray,
                  span: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shared_stats_bulk` of the rows ``span`` of ``pairs``."""
    fid, n_f = dense_feature_ids(table)
    p = pairs[span[0]:span[1]]
    ia = _expand(table.indptr, p[:, 0])
    ib = _expand(table.indptr, p[:, 1])
    ka = ia[0] * n_f + fid[ia[1]]
    kb = ib[0] * n_f + fid[ib[1]]
    # Both key arrays are sorted and unique: find each b key among the a keys.
    at = np.minimum(np.searchsorted(ka, kb), len(ka) - 1)
    xb = np.flatnonzero(ka[at] == kb)
    xa = at[xb]
    owner = ia[0][xa]
    w = np.minimum(table.weights[ia[1][xa]], table.weights[ib[1][xb]])
    return (np.bincount(owner, weights=w, minlength=len(p)),
            np.bincount(owner, weights=is_run[ia[1][xa]], minlength=len(p)).astype(np.int64))


def _expand(indptr: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(local pair index, entry index) for every feature entry of ``units``."""
    starts = indptr[units]
    lengths = indptr[units + 1] - starts
    owner = np.repeat(np.arange(len(units), dtype=np.int64), lengths)
    offsets = np.arange(lengths.sum(), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths,
                                                                   lengths)
    return owner, np.repeat(starts, lengths) + offsets


def shared_weight(table: FeatureTable, a: int, b: int) -> float:
    """Sum over the features two passages share of the smaller of their weights."""
    return shared_stats(table, a, b)[0]


def shared_stats(table: FeatureTable, a: int, b: int) -> tuple[float, int]:
    """The shared weight of two passages and how many of their longest n-grams (the
    largest size in the table) they share, not counting n-grams made with names:
    a verbatim run of ordinary words is evidence of copying however common
    the run is in the corpus, a run of names ("President Vladimir Putin") is not."""
    lo, hi = table.indptr[a], table.indptr[a + 1]
    lo_b, hi_b = table.indptr[b], table.indptr[b + 1]
    fa, wa = table.fid[lo:hi], table.weights[lo:hi]
    fb, wb = table.fid[lo_b:hi_b], table.weights[lo_b:hi_b]
    _, ia, ib = np.intersect1d(fa, fb, assume_unique=True, return_indices=True)
    top = table.top_gram
    run = table.gram[lo + ia] == top
    if table.plain is not None:
        run &= table.plain[lo + ia]
    return float(np.minimum(wa[ia], wb[ib]).sum()), int(run.sum())


__all__ = ["FeatureTable", "PRIOR_MIN_FREQUENCY", "Prepared", "WordPrior", "build_features",
           "build_features_hashed", "form_hash", "gram_runs", "prepare_words", "sequence_keys",
           "sequence_keys_hashed", "shared_stats", "shared_stats_bulk", "shared_weight",
           "weigh_runs", "word_prior"]
