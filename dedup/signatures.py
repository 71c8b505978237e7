"""Shingles and MinHash signatures, computed in bulk.

Shingles are word n-grams of the normalised words. Words are hashed once each (a
cache keyed by the word), n-gram hashes are combined in numpy from the word hashes,
so no shingle string is ever built. Signatures use datasketch's ``affine32`` scheme
(``a * fmix32(h) + b mod 2**32`` with datasketch's own permutation parameters for the
seed), vectorised over all shingles at once: for the same shingle hashes they equal
``datasketch.MinHash(num_perm, seed, scheme="affine32")`` values exactly, which the
tests check. Every parameter that changes a signature lives in :class:`MinHashParams`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from .errors import ParameterError
from .normalize import APOSTROPHES, INVISIBLE, norm_word

_U64 = np.uint64
_MIX_K = _U64(0x9E3779B97F4A7C15)
_EMPTY32 = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True)
class MinHashParams:
    """Everything that determines a signature; signatures made with different
    parameters must never be compared.

    >>> MinHashParams(num_perm=64).num_perm
    64
    """

    num_perm: int = 128
    seed: int = 1
    shingle: str = "word"
    ngrams: tuple[int, ...] = (1, 2, 3)

    def __post_init__(self) -> None:
        if not 1 <= self.num_perm <= 1024:
            raise ParameterError(f"num_perm must be in [1, 1024], got {self.num_perm}")
        if self.shingle != "word":
            raise ParameterError(f"shingle kind must be 'word', got {self.shingle!r}")
        if not self.ngrams or any(not 1 <= n <= 12 for n in self.ngrams):
            raise ParameterError(f"ngram sizes must be in [1, 12], got {self.ngrams}")
        if not 0 <= self.seed < 2**32:
            raise ParameterError(f"seed must be in [0, 2**32), got {self.seed}")

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["ngrams"] = list(self.ngrams)
        d["scheme"] = "datasketch-affine32"
        return d


class WordHasher:
    """Stable 64-bit hashes of words, each word hashed once (blake2b, not ``hash()``,
    so results do not depend on PYTHONHASHSEED)."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def __call__(self, word: str) -> int:
        h = self._cache.get(word)
        if h is None:
            h = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(),
                               "little")
            self._cache[word] = h
        return h

    def hash_words(self, words: list[str]) -> np.ndarray:
        return np.fromiter((self(w) for w in words), dtype=_U64, count=len(words))


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection) over a uint64 array."""
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser over a uint32 array (datasketch's pre-mix)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def ngram_features(word_hashes: np.ndarray, unit: np.ndarray, ngrams: tuple[int, ...]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """All word n-gram hashes of each unit.

    ``word_hashes[i]`` is word i's hash and ``unit[i]`` the (non-decreasing) unit it
    belongs to; n-grams never cross units. Returns ``(unit_of_feature, feature_hash)``
    with 64-bit feature hashes; the n-gram size is mixed in, so a unigram never
    collides with a bigram by construction.
    """
    units_out = []
    feats_out = []
    n_words = len(word_hashes)
    with np.errstate(over="ignore"):
        for n in ngrams:
            if n_words < n:
                continue
            m = n_words - n + 1
            h = np.full(m, _U64(n) * _MIX_K, dtype=_U64)
            for k in range(n):
                h = fmix64(h * _MIX_K + word_hashes[k:k + m])
            same = unit[: m] == unit[n - 1:]
            units_out.append(unit[:m][same])
            feats_out.append(h[same])
    if not feats_out:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=_U64)
    return np.concatenate(units_out), np.concatenate(feats_out)


def fold32(h: np.ndarray) -> np.ndarray:
    """64-bit feature hashes to the 32-bit values the affine32 scheme takes."""
    return ((h ^ (h >> _U64(32))) & _U64(0xFFFFFFFF)).astype(np.uint32)


def permutations(params: MinHashParams) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters ``(a, b)`` for the seed."""
    gen = np.random.RandomState(params.seed)
    a = gen.randint(0, 1 << 31, params.num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, params.num_perm, dtype=np.uint32)
    return a, b


def signatures(unit: np.ndarray, feature32: np.ndarray, n_units: int, params: MinHashParams,
               *, chunk: int = 1 << 17) -> np.ndarray:
    """MinHash signatures of ``n_units`` sets given as (unit, 32-bit hash) pairs.

    Returns a ``(n_units, num_perm)`` uint32 matrix; a unit with no features keeps
    the empty value ``2**32 - 1`` everywhere (as an empty datasketch MinHash does).
    """
    a, b = permutations(params)
    sig = np.full((n_units, params.num_perm), _EMPTY32, dtype=np.uint32)
    if len(unit) == 0:
        return sig
    order = np.argsort(unit, kind="stable")
    unit = unit[order]
    hv = fmix32(feature32[order])
    with np.errstate(over="ignore"):
        for lo in range(0, len(unit), chunk):
            u = unit[lo:lo + chunk]
            phv = hv[lo:lo + chunk, None] * a[None, :] + b[None, :]
            starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
            mins = np.minimum.reduceat(phv, starts, axis=0)
            ids = u[starts]
            sig[ids] = np.minimum(sig[ids], mins)
    return sig


# --------------------------------------------------------------------------------------
# Whole documents, text to signature, in bulk (near-duplicate documents, benchmarks).


@lru_cache(maxsize=1)
def word_split_table() -> dict[int, str | None]:
    """The ``str.translate`` table of :func:`text_words`: every punctuation mark,
    symbol, control and format character of the Basic Multilingual Plane (Unicode
    categories ``P*``, ``S*``, ``Cc``, ``Cf``) becomes a space, every apostrophe-like
    mark an ASCII apostrophe, and invisible characters (soft hyphen, zero-width
    joiners, :data:`dedup.normalize.INVISIBLE`) vanish, so a word runs across them."""
    table: dict[int, str | None] = {
        cp: " " for cp in range(0x10000)
        if unicodedata.category(chr(cp)) in _SPLIT_CATEGORIES
        or unicodedata.category(chr(cp))[0] in "PS"
    }
    table.update({ord(c): "'" for c in APOSTROPHES})
    table.update({ord(c): None for c in INVISIBLE})
    return table


_SPLIT_CATEGORIES = frozenset({"Cc", "Cf"})


def text_words(text: str) -> list[str]:
    """The raw words of a whole document, the fast way (no offsets).

    The rule, exactly: ``text.translate(word_split_table()).lower().split()``, so
    punctuation, symbols, quotes and dashes separate words (``"12,000"`` is two words,
    ``"e-mail"`` two), apostrophes stay inside words, invisible characters are dropped.
    Each distinct word then gets its matching form from
    :func:`dedup.normalize.norm_word` (NFKC, casefold, possessive ``'s`` and other
    apostrophes removed) once, in :func:`text_signatures`'s word cache; a word whose
    form is empty (a lone apostrophe) is skipped.

    >>> text_words("\u201cNorth Korea\u2019s\u201d test \u2014 12,000 troops.")
    ['north', "korea's", 'test', '12', '000', 'troops']
    """
    return text.translate(word_split_table()).lower().split()


_NO_WORD = 0  # cache value of a word whose matching form is empty


class _WordCache:
    """Raw word -> 64-bit hash of its matching form (0: no word), each computed once."""

    def __init__(self) -> None:
        self.hashes: dict[str, int] = {}
        self._hasher = WordHasher()

    def hash_words(self, words: list[str]) -> np.ndarray:
        cache = self.hashes
        for w in set(words).difference(cache):
            form = norm_word(w)
            cache[w] = self._hasher(form) if form else _NO_WORD
        return np.fromiter(map(cache.__getitem__, words), dtype=_U64, count=len(words))


def _batch_signatures(texts: Sequence[str], params: MinHashParams, ngram: int,
                      cache: _WordCache) -> np.ndarray:
    table = word_split_table()
    words: list[str] = []
    lengths = np.empty(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        w = text.translate(table).lower().split()
        words.extend(w)
        lengths[i] = len(w)
    hashes = cache.hash_words(words)
    unit = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    keep = hashes != _U64(_NO_WORD)
    if not keep.all():
        hashes, unit = hashes[keep], unit[keep]
    units, feats = ngram_features(hashes, unit, (ngram,))
    return signatures(units, fold32(feats), len(texts), params)


_worker_cache: _WordCache | None = None


def _worker_batch(args: tuple[Sequence[str], MinHashParams, int]) -> np.ndarray:
    # One word cache per worker process, kept across its batches.
    global _worker_cache
    if _worker_cache is None:
        _worker_cache = _WordCache()
    texts, params, ngram = args
    return _batch_signatures(texts, params, ngram, _worker_cache)


def text_signatures(texts: Sequence[str], params: MinHashParams, *, ngram: int = 5,
                    processes: int = 1, batch: int = 2000) -> np.ndarray:
    """MinHash signatures of whole documents over their word ``ngram``-grams.

    Words come from :func:`text_words` (punctuation and symbols split, lowercase) and
    their matching forms (:func:`dedup.normalize.norm_word`), hashed once per distinct
    word; the n-gram hashes are combined in numpy (:func:`ngram_features`, no shingle
    string is built) and signed by :func:`signatures`, ``batch`` documents at a time.
    ``params.ngrams`` is not used: a document is its set of ``ngram``-grams only.
    With ``processes=2`` batches go to a pool of worker processes (spawned, so safe on
    every platform; call it under ``if __name__ == "__main__":`` in a script); the
    output is identical and in input order. A document with fewer than ``ngram``
    words keeps the empty signature (``2**32 - 1`` everywhere).

    Returns a ``(len(texts), num_perm)`` uint32 matrix.

    >>> sig = text_signatures(["Officials said the bridge collapse injured forty workers.",
    ...                        "Too short."], MinHashParams(num_perm=4))
    >>> sig.shape, bool((sig[1] == 2**32 - 1).all()), bool((sig[0] < 2**32 - 1).all())
    ((2, 4), True, True)
    """
    if not 1 <= ngram <= 12:
        raise ParameterError(f"ngram must be in [1, 12], got {ngram}")
    if processes < 1:
        raise ParameterError(f"processes must be at least 1, got {processes}")
    if batch < 1:
        raise ParameterError(f"batch must be at least 1, got {batch}")
    n = len(texts)
    out = np.empty((n, params.num_perm), dtype=np.uint32)
    spans = [(lo, min(lo + batch, n)) for lo in range(0, n, batch)]
    if processes == 1 or len(spans) < 2:
        cache = _WordCache()
        for lo, hi in spans:
            out[lo:hi] = _batch_signatures(texts[lo:hi], params, ngram, cache)
        return out
    ctx = multiprocessing.get_context("spawn")
    workers = min(processes, len(spans))
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        jobs = ((list(texts[lo:hi]), params, ngram) for lo, hi in spans)
        for (lo, hi), sig in zip(spans, pool.map(_worker_batch, jobs), strict=True):
            out[lo:hi] = sig
    return out
