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
import itertools
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
               *, chunk: int = 1 << 13) -> np.ndarray:
    """MinHash signatures of ``n_units`` sets given as (unit, 32-bit hash) pairs.

    Returns a ``(n_units, num_perm)`` uint32 matrix; a unit with no features keeps
    the empty value ``2**32 - 1`` everywhere (as an empty datasketch MinHash does).
    """
    a, b = permutations(params)
    sig = np.full((n_units, params.num_perm), _EMPTY32, dtype=np.uint32)
    n = len(unit)
    if n == 0:
        return sig
    if n > 1 and bool((unit[1:] < unit[:-1]).any()):
        order = np.argsort(unit, kind="stable")
        unit, feature32 = unit[order], feature32[order]
    hv = fmix32(feature32)
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(unit[1:], unit[:-1], out=first[1:])
    # Permutations run along the rows of a (num_perm, chunk) block, so each unit's
    # minimum is a contiguous reduceat; a (chunk, num_perm) block reduced down its
    # columns was 5-10x slower. A chunk of 8192 keeps the block in cache.
    a_col, b_col = a[:, None], b[:, None]
    buf = np.empty((params.num_perm, min(chunk, n)), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for lo in range(0, n, chunk):
            hi = min(lo + chunk, n)
            block = buf[:, : hi - lo]
            np.multiply(a_col, hv[None, lo:hi], out=block)
            np.add(block, b_col, out=block)
            starts = np.flatnonzero(first[lo:hi])
            if len(starts) == 0 or starts[0] != 0:
                starts = np.concatenate((np.zeros(1, dtype=starts.dtype), starts))
            mins = np.minimum.reduceat(block, starts, axis=1)
            ids = unit[lo:hi][starts]
            # Only a unit cut by a chunk edge can already hold values.
            sig[ids] = np.minimum(sig[ids], mins.T)
    return sig


# --------------------------------------------------------------------------------------
# Whole documents, text to signature, in bulk (near-duplicate documents, benchmarks).

_SPLIT_CATEGORIES = frozenset({"Cc", "Cf"})


@lru_cache(maxsize=1)
def word_split_table() -> dict[int, str | None]:
    """The ``str.translate`` table of :func:`text_words`: every punctuation mark,
    symbol, control and format character of the Basic Multilingual Plane (Unicode
    categories ``P*``, ``S*``, ``Cc``, ``Cf``) becomes a space, every apostrophe-like
    mark an ASCII apostrophe, and invisible characters (soft hyphen, zero-width
    joiners: :data:`dedup.normalize.INVISIBLE`) vanish, so a word runs across them."""
    table: dict[int, str | None] = {}
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] in "PS" or cat in _SPLIT_CATEGORIES:
            table[cp] = " "
    table.update({ord(c): "'" for c in APOSTROPHES})
    table.update({ord(c): None for c in INVISIBLE})
    return table


@lru_cache(maxsize=1)
def _ascii_split_table() -> bytes:
    """The ASCII half of :func:`word_split_table` as a ``bytes.translate`` table
    (bytes 128-255, the parts of UTF-8 sequences, map to themselves)."""
    table = word_split_table()
    return bytes(32 if c < 128 and table.get(c) == " " else c for c in range(256))


def text_words(text: str) -> list[str]:
    """The matching forms of a whole document's words, the exact rule of
    :func:`text_signatures` (no offsets; :func:`dedup.normalize.tokenize` is the
    rule for passages).

    ``text.translate(word_split_table()).split()``: punctuation, symbols, quotes,
    dashes, controls and whitespace separate words (so ``12,000`` is two words, and
    ``e-mail`` too), apostrophes stay inside words, invisible characters vanish; then
    each word becomes :func:`dedup.normalize.norm_word` of itself (NFKC, casefold,
    possessive ``'s`` and other apostrophes dropped) and an empty form (a lone
    apostrophe) is skipped.

    >>> text_words("\u201cNorth Korea\u2019s\u201d Test \u2014 12,000 troops' 'ok'")
    ['north', 'korea', 'test', '12', '000', 'troops', 'ok']
    """
    forms = map(norm_word, text.translate(word_split_table()).split())
    return [f for f in forms if f]


_SPECIAL = 0  # value of a chunk that is not exactly one word (see _Vocab.expand)
_WIDE = 16  # chunks of up to this many bytes are keyed by their bytes, in numpy


class _ChunkTable:
    """An open-addressing hash table in numpy, for vectorised lookups: a chunk of up
    to 16 bytes, zero-padded and read as two little-endian uint64 (``lo``, ``hi``),
    maps to a uint64 value. A chunk never holds a zero byte (NUL is a separator), so
    its ``lo`` is never 0 and 0 marks a free slot; keys compare exactly."""

    def __init__(self, size: int = 1 << 15) -> None:
        self.count = 0
        self._alloc(size)

    def _alloc(self, size: int) -> None:
        self.lo = np.zeros(size, dtype=_U64)
        self.hi = np.zeros(size, dtype=_U64)
        self.val = np.zeros(size, dtype=_U64)
        self.mask = _U64(size - 1)

    def _slots(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (fmix64(lo ^ fmix64(hi)) & self.mask).astype(np.intp)

    def get(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(values, found)`` for each key (value 0 where not found)."""
        slot = self._slots(lo, hi)
        tlo = self.lo[slot]
        found = (tlo == lo) & (self.hi[slot] == hi)
        values = self.val[slot]
        values[~found] = 0
        # Keys that met another key in their slot probe on (linear probing).
        pending = np.flatnonzero((tlo != 0) & ~found)
        while len(pending):
            s = (slot[pending] + 1) & int(self.mask)
            slot[pending] = s
            tlo = self.lo[s]
            hit = (tlo == lo[pending]) & (self.hi[s] == hi[pending])
            values[pending[hit]] = self.val[s[hit]]
            found[pending[hit]] = True
            pending = pending[(tlo != 0) & ~hit]
        return values, found

    def insert(self, lo: np.ndarray, hi: np.ndarray, val: np.ndarray) -> None:
        """Add keys that are distinct and not in the table yet."""
        if 2 * (self.count + len(lo)) > len(self.lo):
            used = self.lo != 0
            old = (self.lo[used], self.hi[used], self.val[used])
            size = len(self.lo)
            while 2 * (self.count + len(lo)) > size:
                size *= 2
            self._alloc(size)
            self.count = 0
            self.insert(*old)
        slot = self._slots(lo, hi)
        pending = np.arange(len(lo))
        while len(pending):
            s = slot[pending]
            free = self.lo[s] == 0
            # The first key aimed at a free slot takes it; the others probe on.
            _, first = np.unique(s[free], return_index=True)
            win = pending[free][first]
            ws = s[free][first]
            self.lo[ws], self.hi[ws], self.val[ws] = lo[win], hi[win], val[win]
            placed = np.zeros(len(lo), dtype=bool)
            placed[win] = True
            keep = ~placed[pending]
            pending = pending[keep]
            slot[pending] = (s[keep] + 1) & int(self.mask)
        self.count += len(lo)


class _Vocab:
    """Raw chunk (a run of bytes between ASCII separators) -> 64-bit hash of its
    word's matching form, each computed once.

    Documents are cut on ASCII separators only, in numpy over a batch's UTF-8 bytes;
    a chunk holding other Unicode separators is split here, once, with the full table,
    so the words are exactly those of :func:`text_words`. A chunk that is not exactly
    one word (none, or several) maps to ``_SPECIAL`` and its hashes are in ``expand``.
    """

    def __init__(self) -> None:
        self.table = _ChunkTable()
        self.long: dict[bytes, int] = {}
        self.expand: dict[bytes, tuple[int, ...]] = {}
        self._hasher = WordHasher()

    def _value(self, chunk: bytes) -> int:
        hs = tuple(map(self._hasher, text_words(chunk.decode("utf-8", "surrogatepass"))))
        if len(hs) == 1 and hs[0] != _SPECIAL:
            return hs[0]
        self.expand[chunk] = hs
        return _SPECIAL

    def words(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Word hashes of ``texts``, in order, and the index of the text of each."""
        enc = [t.encode("utf-8", "surrogatepass") for t in texts]
        # One space before, between and after the texts (17 after, so that a
        # 16-byte window from any chunk start stays inside the buffer).
        buf = (b" " + b" ".join(enc) + b" " * (_WIDE + 1)).translate(_ascii_split_table())
        arr = np.frombuffer(buf, dtype=np.uint8)
        sizes = np.fromiter(map(len, enc), dtype=np.int64, count=len(enc))
        text_start = np.cumsum(sizes + 1) - sizes  # offset of each text in buf
        edge = np.diff((arr != 32).view(np.int8))
        starts = np.flatnonzero(edge == 1) + 1
        ends = np.flatnonzero(edge == -1) + 1
        unit = np.searchsorted(text_start, starts, side="right") - 1
        length = ends - starts
        values = np.empty(len(starts), dtype=_U64)
        short = np.flatnonzero(length <= _WIDE)
        if len(short):
            values[short] = self._short(buf, starts[short], length[short])
        for k in np.flatnonzero(length > _WIDE).tolist():
            chunk = buf[starts[k]:ends[k]]
            h = self.long.get(chunk)
            if h is None:
                h = self.long[chunk] = self._value(chunk)
            values[k] = h
        special = np.flatnonzero(values == _U64(_SPECIAL))
        if len(special) == 0:
            return values, unit
        parts = [self.expand[buf[s:e]] for s, e in zip(starts[special].tolist(),
                                                       ends[special].tolist(), strict=True)]
        counts = np.ones(len(values), dtype=np.int64)
        lens = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        counts[special] = lens
        pos = np.cumsum(counts) - counts  # where each chunk's words go
        values, unit = np.repeat(values, counts), np.repeat(unit, counts)
        total = int(lens.sum())
        offsets = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        values[np.repeat(pos[special], lens) + offsets] = np.fromiter(
            itertools.chain.from_iterable(parts), dtype=_U64, count=total)
        return values, unit

    def _short(self, buf: bytes, starts: np.ndarray, length: np.ndarray) -> np.ndarray:
        # Every byte offset of buf read as a little-endian uint64 (unaligned, no copy),
        # then the chunk's own bytes kept: its first 8 in lo, the next 8 in hi.
        u64 = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
        lo = u64[starts] & _LO_MASK[length]
        hi = u64[starts + 8] & _HI_MASK[length]
        values, found = self.table.get(lo, hi)
        if found.all():
            return values
        miss = np.flatnonzero(~found)
        _, first = np.unique(np.stack([lo[miss], hi[miss]], axis=1), axis=0, return_index=True)
        new = miss[first]
        new_values = np.fromiter(
            (self._value(buf[s:s + n]) for s, n in zip(starts[new].tolist(),
                                                       length[new].tolist(), strict=True)),
            dtype=_U64, count=len(new))
        self.table.insert(lo[new], hi[new], new_values)
        values[miss] = self.table.get(lo[miss], hi[miss])[0]
        return values


# Masks keeping the first n bytes of a little-endian uint64 (lo: bytes 0-7 of a
# chunk of n bytes, hi: bytes 8-15).
_LO_MASK = np.array([(1 << (8 * min(n, 8))) - 1 for n in range(_WIDE + 1)], dtype=_U64)
_HI_MASK = np.array([(1 << (8 * max(n - 8, 0))) - 1 for n in range(_WIDE + 1)], dtype=_U64)


def _batch_signatures(texts: Sequence[str], params: MinHashParams, ngram: int,
                      vocab: _Vocab) -> np.ndarray:
    hashes, unit = vocab.words(texts)
    units, feats = ngram_features(hashes, unit, (ngram,))
    return signatures(units, fold32(feats), len(texts), params)


_worker_vocab: _Vocab | None = None


def _worker_batch(args: tuple[Sequence[str], MinHashParams, int]) -> np.ndarray:
    # One vocabulary per worker process, kept across its batches.
    global _worker_vocab
    if _worker_vocab is None:
        _worker_vocab = _Vocab()
    texts, params, ngram = args
    return _batch_signatures(texts, params, ngram, _worker_vocab)


def text_signatures(texts: Sequence[str], params: MinHashParams, *, ngram: int = 5,
                    processes: int = 1, batch: int = 1000) -> np.ndarray:
    """MinHash signatures of whole documents: each document is the set of its word
    ``ngram``-grams.

    Words are those of :func:`text_words` (the exact rule is there), each distinct
    word normalised and hashed once (:class:`WordHasher`); n-gram hashes are combined
    in numpy (:func:`ngram_features`, no shingle string is built) and signed by
    :func:`signatures`, ``batch`` documents at a time, so the values equal
    datasketch's ``affine32`` MinHash of the folded 32-bit n-gram hashes.
    ``params.ngrams`` is not used here. With ``processes`` > 1 the batches go to a
    pool of spawned worker processes (safe on every platform; a script calling it
    needs the ``if __name__ == "__main__":`` guard); the result is identical and in
    input order. A document with fewer than ``ngram`` words keeps the empty
    signature (``2**32 - 1`` everywhere).

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
        vocab = _Vocab()
        for lo, hi in spans:
            out[lo:hi] = _batch_signatures(texts[lo:hi], params, ngram, vocab)
        return out
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(processes, len(spans)), mp_context=ctx) as pool:
        jobs = ((list(texts[lo:hi]), params, ngram) for lo, hi in spans)
        for (lo, hi), sig in zip(spans, pool.map(_worker_batch, jobs), strict=True):
            out[lo:hi] = sig
    return out
