"""Shingles and MinHash signatures, computed in bulk.

Shingles are word n-grams of the normalised words. Words are hashed once each (a
cache keyed by the word), n-gram hashes are combined in numpy from the word hashes,
so no shingle string is ever built. Signatures use datasketch's ``affine32`` scheme
(``a * fmix32(h) + b mod 2**32`` with datasketch's own permutation parameters for the
seed), vectorised over all shingles at once: for the same shingle hashes they equal
``datasketch.MinHash(num_perm, seed, scheme="affine32")`` values exactly, which the
tests check. Every parameter that changes a signature lives in :class:`MinHashParams`.

:func:`text_signatures` is the whole-document fast path (text in, one signature per
document out): words cut in numpy over each batch's UTF-8 bytes and looked up in a
vectorised vocabulary, so Python touches each distinct word once, not each word.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import multiprocessing
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from .arrays import unique_sorted
from .errors import ParameterError
from .normalize import APOSTROPHES, INVISIBLE, norm_word
from .parallel import ordered_map

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


def _fmix64_inplace(h: np.ndarray, tmp: np.ndarray) -> None:
    """:func:`fmix64` overwriting ``h`` (``tmp``: scratch of the same shape)."""
    for mul in (_U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53), None):
        np.right_shift(h, _U64(33), out=tmp)
        h ^= tmp
        if mul is not None:
            h *= mul


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
            tmp = np.empty(m, dtype=_U64)
            for k in range(n):
                # h = fmix64(h * K + w), in place (no temporary per step).
                h *= _MIX_K
                h += word_hashes[k:k + m]
                _fmix64_inplace(h, tmp)
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
               *, chunk: int = 1 << 13, workers: int = 1) -> np.ndarray:
    """MinHash signatures of ``n_units`` sets given as (unit, 32-bit hash) pairs.

    Returns a ``(n_units, num_perm)`` uint32 matrix; a unit with no features keeps
    the empty value ``2**32 - 1`` everywhere (as an empty datasketch MinHash does).
    ``workers`` threads sign blocks of whole units (each its own rows of the matrix),
    of about ``chunk`` hashes each; the matrix is the same whatever their number.
    """
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
    starts = np.flatnonzero(first)
    size = np.diff(starts, append=n)
    perm = permutations(params)
    jobs: list[Callable[[], None]] = []
    # Short units (sentences) in blocks of units of about one size...
    short = np.flatnonzero(size < _SHORT_UNIT)
    short = short[np.argsort(size[short], kind="stable")]
    s_starts, s_size, s_rows = starts[short], size[short], unit[starts[short]]
    jobs += [functools.partial(_sign_block, sig, hv, s_starts, s_size, s_rows, perm, block)
             for block in _size_blocks(s_size, chunk)]
    # ...long ones (documents) a run of their hashes at a time.
    if len(short) < len(starts):
        long = np.repeat(size >= _SHORT_UNIT, size)
        l_unit, l_hv = unit[long], hv[long]
        del long
        np.not_equal(l_unit[1:], l_unit[:-1], out=first[1:len(l_unit)])
        l_starts = np.flatnonzero(first[:len(l_unit)])
        # Runs of whole units, about 16 chunks each: no unit's row is written by two runs.
        cut = np.searchsorted(l_starts, np.arange(0, len(l_unit), 16 * chunk))
        bounds = sorted({int(l_starts[c]) for c in cut if c < len(l_starts)} | {len(l_unit)})
        jobs += [functools.partial(_sign_run, sig, l_unit, l_hv, perm, chunk, run)
                 for run in zip(bounds[:-1], bounds[1:], strict=True)]
    for _ in ordered_map(lambda job: job(), jobs, workers):
        pass
    return sig


# Below this many hashes a unit is signed in a padded block of units of its size
# (_sign_block); from it on along its own run of hashes (_sign_run).
_SHORT_UNIT = 64


def _size_blocks(size: np.ndarray, chunk: int) -> list[tuple[int, int]]:
    """Runs ``(lo, hi)`` of units sorted by ``size`` (ascending) whose padded block
    (units times the largest size) holds at most ``chunk`` hashes, or one unit.

    >>> _size_blocks(np.array([1, 1, 2, 3, 9]), 4)
    [(0, 2), (2, 3), (3, 4), (4, 5)]
    """
    blocks = []
    lo, n = 0, len(size)
    while lo < n:
        top = min(n, lo + max(1, chunk // max(int(size[lo]), 1)))
        # (k + 1) * size[lo + k] grows with k: the units that fit are a prefix.
        fits = (np.arange(1, top - lo + 1) * size[lo:top]) <= chunk
        hi = lo + max(1, int(np.count_nonzero(fits)))
        blocks.append((lo, hi))
        lo = hi
    return blocks


def _sign_block(sig: np.ndarray, hv: np.ndarray, starts: np.ndarray, size: np.ndarray,
                rows: np.ndarray, perm: tuple[np.ndarray, np.ndarray],
                block: tuple[int, int]) -> None:
    """The rows of ``sig`` of short units ``lo:hi`` (in size order). Their hashes
    are laid out down the columns of an ``(L, units)`` grid, a shorter unit's padded
    with its own last hash (which leaves its minimum as it is); the permuted values,
    ``(L, units, num_perm)``, are then reduced down the first axis: elementwise
    minima of contiguous slabs. numpy runs these without the GIL, where a
    ``reduceat`` over many short runs holds it (two threads gained nothing)."""
    lo, hi = block
    a, b = perm
    sz = size[lo:hi]
    at = starts[lo:hi] + np.minimum(np.arange(int(sz.max()))[:, None], sz - 1)
    with np.errstate(over="ignore"):
        vals = np.multiply(hv[at][:, :, None], a)
        np.add(vals, b, out=vals)
    sig[rows[lo:hi]] = np.minimum.reduce(vals, axis=0)


def _sign_run(sig: np.ndarray, unit: np.ndarray, hv: np.ndarray,
              perm: tuple[np.ndarray, np.ndarray], chunk: int, run: tuple[int, int]) -> None:
    """The rows of ``sig`` of the units whose entries are ``run`` (whole units)."""
    lo0, hi0 = run
    unit, hv = unit[lo0:hi0], hv[lo0:hi0]
    n = len(unit)
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(unit[1:], unit[:-1], out=first[1:])
    unit_starts = np.flatnonzero(first)
    cuts = np.searchsorted(unit_starts, np.arange(0, n + chunk, chunk))
    # Permutations run along the rows of a (num_perm, chunk) block, so each unit's
    # minimum is a contiguous reduceat; a (chunk, num_perm) block reduced down its
    # columns was 5-10x slower. A chunk of 8192 keeps the block in cache.
    a, b = perm
    a_col, b_col = a[:, None], b[:, None]
    buf = np.empty((len(a), min(chunk, n)), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for c, lo in enumerate(range(0, n, chunk)):
            hi = min(lo + chunk, n)
            block = buf[:, : hi - lo]
            np.multiply(a_col, hv[None, lo:hi], out=block)
            np.add(block, b_col, out=block)
            starts = unit_starts[cuts[c]:cuts[c + 1]] - lo
            if len(starts) == 0 or starts[0] != 0:
                starts = np.concatenate((np.zeros(1, dtype=starts.dtype), starts))
            mins = np.minimum.reduceat(block, starts, axis=1)
            ids = unit[lo:hi][starts]
            # Only a unit cut by a chunk edge can already hold values.
            sig[ids] = np.minimum(sig[ids], mins.T)


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


_WIDE = 16  # chunks of up to this many bytes are keyed by their bytes, in numpy
_SLOT_K1 = _U64(0xC2B2AE3D27D4EB4F)
_SLOT_K2 = _MIX_K


class _ChunkTable:
    """An open-addressing hash table in numpy, for vectorised lookups: a chunk of up
    to 16 bytes, zero-padded and read as two little-endian uint64 (``lo``, ``hi``),
    maps to an integer ``code``. A chunk never holds a zero byte (NUL is a
    separator), so its ``lo`` is never 0 and 0 marks a free slot; keys compare
    exactly. The load stays at most 1/2 (linear probing)."""

    def __init__(self, size: int = 1 << 15) -> None:
        self.count = 0
        self.displaced = 0  # keys of the last get() not found in their own slot
        self._alloc(size)

    def _alloc(self, size: int) -> None:
        self.lo = np.zeros(size, dtype=_U64)
        self.hi = np.zeros(size, dtype=_U64)
        self.code = np.zeros(size, dtype=np.int64)
        self._owner = np.empty(size, dtype=np.intp)
        self._mask = size - 1
        self._shift = _U64(64 - (size.bit_length() - 1))

    def _slots(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        # Multiplicative (Fibonacci) hashing: the top bits of a product depend on
        # every bit of the key; four passes instead of fmix64's eight.
        with np.errstate(over="ignore"):
            h = hi * _SLOT_K1
            h ^= lo
            h *= _SLOT_K2
            h >>= self._shift
        return h.astype(np.intp)

    def get(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(codes, found)`` for each key (code 0 where not found)."""
        slot = self._slots(lo, hi)
        tlo = np.take(self.lo, slot)
        found = (tlo == lo) & (np.take(self.hi, slot) == hi)
        codes = np.take(self.code, slot)
        # Keys that met another key in their slot probe on.
        pending = np.flatnonzero((tlo != 0) & ~found)
        self.displaced = len(pending)
        while len(pending):
            s = (slot[pending] + 1) & self._mask
            slot[pending] = s
            tlo = np.take(self.lo, s)
            hit = (tlo == lo[pending]) & (np.take(self.hi, s) == hi[pending])
            codes[pending[hit]] = np.take(self.code, s[hit])
            found[pending[hit]] = True
            pending = pending[(tlo != 0) & ~hit]
        codes[~found] = 0
        return codes, found

    def add(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Add keys that are not in the table (repeats allowed), with code 0; where
        several want one free slot, the earliest in the input gets it.

        Returns each key's slot and a mask with one occurrence of each key set, so
        that the caller computes each code once and writes it to ``code[slot]``.
        """
        with np.errstate(over="ignore"):
            distinct = len(unique_sorted(lo ^ fmix64(hi)))  # 64-bit mix: a near-exact count
        size = len(self.lo)
        while 2 * (self.count + distinct + 1) > size:
            size *= 2
        if size > len(self.lo):
            self.rebuild(size=size)
        slot = self._slots(lo, hi)
        first = np.zeros(len(lo), dtype=bool)
        pending = np.arange(len(lo))
        while len(pending):
            s = slot[pending]
            tlo = self.lo[s]
            free = tlo == 0
            if free.any():
                # Written in reverse, so the earliest claimant of a slot is written
                # last and keeps it (only speed depends on which one does).
                claim, at = pending[free][::-1], s[free][::-1]
                self._owner[at] = claim
                win = claim[self._owner[at] == claim]
                self.lo[slot[win]], self.hi[slot[win]] = lo[win], hi[win]
                first[win] = True
                self.count += len(win)
                tlo = self.lo[s]
            done = (tlo == lo[pending]) & (self.hi[s] == hi[pending])
            pending = pending[~done]
            slot[pending] = (s[~done] + 1) & self._mask
        return slot, first

    def rebuild(self, *, size: int | None = None, priority: np.ndarray | None = None
                ) -> None:
        """Insert every key again into a table of ``size`` slots, keys with a higher
        ``priority[code]`` first, so that they sit in their own slot (one probe)."""
        used = np.flatnonzero(self.lo != 0)
        if priority is not None:
            used = used[np.argsort(-priority[self.code[used]], kind="stable")]
        lo, hi, code = self.lo[used], self.hi[used], self.code[used]
        self._alloc(size or len(self.lo))
        self.count = 0
        self.code[self.add(lo, hi)[0]] = code


class _Vocab:
    """Raw chunks (runs of bytes between ASCII separators) to the hashes of their
    words' matching forms, each chunk worked out once.

    Documents are cut on ASCII separators only, in numpy over a batch's UTF-8 bytes;
    a chunk holding other Unicode separators is split here, once, with the full table,
    so the words are exactly those of :func:`text_words`. Each distinct chunk gets an
    entry: its words' hashes ``flat[start[e]:start[e] + size[e]]`` (one word for
    nearly every chunk; none for a lone dash, two for ``word\u2014word``).
    """

    def __init__(self) -> None:
        self.table = _ChunkTable()
        self.long: dict[bytes, int] = {}  # chunks longer than _WIDE bytes -> entry
        self._hasher = WordHasher()
        self._start = np.zeros(1 << 14, dtype=np.int64)
        self._size = np.zeros(1 << 14, dtype=np.int64)
        self._flat = np.zeros(1 << 14, dtype=_U64)
        self._hits = np.zeros(1 << 14, dtype=np.int64)  # occurrences of each entry
        self._entries = 0
        self._words = 0
        self._reordered_at = 0  # table size at its last reordering by frequency

    def _forms(self, chunk: bytes) -> list[str]:
        if chunk.isascii():
            w = chunk.decode("ascii")  # letters, digits and apostrophes only
            if "'" not in w and "`" not in w:
                return [w.lower()]  # what norm_word gives for such a word
        return text_words(chunk.decode("utf-8", "surrogatepass"))

    def _new_entries(self, chunks: list[bytes]) -> np.ndarray:
        """Entries for new distinct chunks; returns their codes."""
        hashes = [[self._hasher(f) for f in self._forms(c)] for c in chunks]
        sizes = np.fromiter(map(len, hashes), dtype=np.int64, count=len(chunks))
        flat = np.fromiter(itertools.chain.from_iterable(hashes), dtype=_U64,
                           count=int(sizes.sum()))
        e0, w0 = self._entries, self._words
        e1, w1 = e0 + len(chunks), w0 + len(flat)
        if e1 > len(self._start):
            grow = max(e1, 2 * len(self._start))
            self._start = np.resize(self._start, grow)
            self._size = np.resize(self._size, grow)
            self._hits = np.concatenate((self._hits, np.zeros(grow - len(self._hits),
                                                               dtype=np.int64)))
        if w1 > len(self._flat):
            self._flat = np.resize(self._flat, max(w1, 2 * len(self._flat)))
        self._start[e0:e1] = w0 + np.cumsum(sizes) - sizes
        self._size[e0:e1] = sizes
        self._flat[w0:w1] = flat
        self._entries, self._words = e1, w1
        return np.arange(e0, e1, dtype=np.int64)

    def words(self, texts: Sequence[str] | Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Word hashes of ``texts`` (str, or their UTF-8 bytes), in order, and the
        index of the text of each."""
        enc = [t if isinstance(t, bytes) else t.encode("utf-8", "surrogatepass")
               for t in texts]
        # One space before, between and after the texts (17 after, so that a
        # 16-byte window from any chunk start stays inside the buffer).
        buf = (b" " + b" ".join(enc) + b" " * (_WIDE + 1)).translate(_ascii_split_table())
        arr = np.frombuffer(buf, dtype=np.uint8)
        sizes = np.fromiter(map(len, enc), dtype=np.int64, count=len(enc))
        text_start = np.cumsum(sizes + 1) - sizes  # offset of each text in buf
        sep = arr == 32
        edges = np.flatnonzero(sep[1:] != sep[:-1]) + 1  # buf starts and ends with spaces
        starts, ends = edges[0::2], edges[1::2]
        per_text = np.diff(np.searchsorted(starts, text_start), append=len(starts))
        length = ends - starts
        codes = np.empty(len(starts), dtype=np.int64)
        short = np.flatnonzero(length <= _WIDE)
        if len(short):
            codes[short] = self._short(buf, starts[short], length[short])
        long = np.flatnonzero(length > _WIDE)
        if len(long):
            chunks = [buf[s:e] for s, e in zip(starts[long].tolist(), ends[long].tolist(),
                                               strict=True)]
            new = list(dict.fromkeys(c for c in chunks if c not in self.long))
            if new:
                self.long.update(zip(new, self._new_entries(new).tolist(), strict=True))
            codes[long] = [self.long[c] for c in chunks]
        per_chunk = self._size[codes]
        first = self._start[codes]
        # Words per text, then each chunk's words spread out (most chunks: one word).
        words_before = np.concatenate(([0], np.cumsum(per_chunk)))
        chunks_before = np.concatenate(([0], np.cumsum(per_text)))
        unit = np.repeat(np.arange(len(texts), dtype=np.int64),
                         np.diff(words_before[chunks_before]))
        index = np.repeat(first, per_chunk)  # each word's place in flat, but...
        multi = np.flatnonzero(per_chunk > 1)
        if len(multi):  # ...the k-th word of a chunk of several is k places on
            extra = per_chunk[multi] - 1
            k = np.arange(int(extra.sum())) - np.repeat(np.cumsum(extra) - extra, extra) + 1
            index[np.repeat(words_before[multi], extra) + k] += k
        return np.take(self._flat, index), unit

    def _short(self, buf: bytes, starts: np.ndarray, length: np.ndarray) -> np.ndarray:
        # Every byte offset of buf read as a little-endian uint64 (unaligned, no copy),
        # then the chunk's own bytes kept: its first 8 in lo, the next 8 in hi.
        u64 = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
        lo = u64[starts]
        lo &= _LO_MASK[length]
        hi = np.zeros(len(starts), dtype=_U64)
        wide = np.flatnonzero(length > 8)  # most words fit in lo
        hi[wide] = u64[starts[wide] + 8] & _HI_MASK[length[wide]]
        codes, found = self.table.get(lo, hi)
        if not found.all():
            miss = np.flatnonzero(~found)
            slot, first = self.table.add(lo[miss], hi[miss])
            new = miss[first]
            chunks = [buf[s:s + n] for s, n in zip(starts[new].tolist(),
                                                    length[new].tolist(), strict=True)]
            self.table.code[slot[first]] = self._new_entries(chunks)
            codes[miss] = self.table.code[slot]
        self._reorder(codes)
        return codes

    def _reorder(self, codes: np.ndarray) -> None:
        """Count the chunks' occurrences; when many lookups needed a second probe and
        the vocabulary grew by a quarter since the last time, insert the keys again,
        most frequent first, so that the frequent ones sit in their own slots."""
        self._hits[:self._entries] += np.bincount(codes, minlength=self._entries)
        table = self.table
        if table.displaced * 10 > len(codes) and table.count * 4 > self._reordered_at * 5:
            table.rebuild(priority=self._hits)
            self._reordered_at = table.count


# Masks keeping the first n bytes of a little-endian uint64 (lo: bytes 0-7 of a
# chunk of n bytes, hi: bytes 8-15).
_LO_MASK = np.array([(1 << (8 * min(n, 8))) - 1 for n in range(_WIDE + 1)], dtype=_U64)
_HI_MASK = np.array([(1 << (8 * max(n - 8, 0))) - 1 for n in range(_WIDE + 1)], dtype=_U64)


def _batch_signatures(texts: Sequence[str] | Sequence[bytes], params: MinHashParams,
                      ngram: int, vocab: _Vocab) -> np.ndarray:
    hashes, unit = vocab.words(texts)
    units, feats = ngram_features(hashes, unit, (ngram,))
    return signatures(units, fold32(feats), len(texts), params)


_worker_vocab: _Vocab | None = None


def _worker_batch(args: tuple[Sequence[bytes], MinHashParams, int]) -> np.ndarray:
    # One vocabulary per worker process, kept across its batches.
    global _worker_vocab
    if _worker_vocab is None:
        _worker_vocab = _Vocab()
    texts, params, ngram = args
    return _batch_signatures(texts, params, ngram, _worker_vocab)


# A batch also stops at about this many characters (some 160 news stories): its
# arrays (a few bytes per character, 8 per word) then stay small enough for the
# allocator to reuse their memory. With 1,000 stories a batch, glibc mapped fresh
# pages for nearly every temporary: 580,000 page faults and a third of the time.
_BATCH_CHARS = 1 << 19


def _spans(texts: Sequence[str], batch: int) -> list[tuple[int, int]]:
    spans = []
    lo = chars = 0
    for i, text in enumerate(texts):
        if i > lo and (i - lo >= batch or chars + len(text) > _BATCH_CHARS):
            spans.append((lo, i))
            lo, chars = i, 0
        chars += len(text)
    if lo < len(texts):
        spans.append((lo, len(texts)))
    return spans


def text_signatures(texts: Sequence[str], params: MinHashParams, *, ngram: int = 5,
                    processes: int = 1, batch: int = 1000) -> np.ndarray:
    """MinHash signatures of whole documents: each document is the set of its word
    ``ngram``-grams.

    Words are those of :func:`text_words` (the exact rule is there), each distinct
    word normalised and hashed once (:class:`WordHasher`); n-gram hashes are combined
    in numpy (:func:`ngram_features`, no shingle string is built) and signed by
    :func:`signatures`, ``batch`` documents (and about half a million characters)
    at a time, so the values equal datasketch's ``affine32`` MinHash of the folded
    32-bit n-gram hashes.
    ``params.ngrams`` is not used here. With ``processes`` > 1 this process and
    ``processes - 1`` spawned workers share the batches (spawn is safe on every
    platform; a script calling it needs the ``if __name__ == "__main__":`` guard);
    the result is identical and in input order (starting the workers costs about
    0.3 s, so it pays from some 10,000 documents on). A document with fewer than
    ``ngram`` words keeps the empty signature (``2**32 - 1`` everywhere).

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
    todo = deque(_spans(texts, batch))
    vocab = _Vocab()
    if processes == 1 or len(todo) < 2:
        for lo, hi in todo:
            out[lo:hi] = _batch_signatures(texts[lo:hi], params, ngram, vocab)
        return out
    # This process works too: workers take batches from the front, it takes them
    # from the back, two in flight per worker so that none waits on a pipe.
    ctx = multiprocessing.get_context("spawn")
    workers = min(processes - 1, len(todo) - 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        running: dict[Future[np.ndarray], tuple[int, int]] = {}

        def submit() -> None:
            lo, hi = todo.popleft()
            # UTF-8 bytes travel as they are (a str is encoded to pickle it anyway,
            # and the worker would encode it again).
            job = ([t.encode("utf-8", "surrogatepass") for t in texts[lo:hi]], params, ngram)
            running[pool.submit(_worker_batch, job)] = (lo, hi)

        while len(running) < 2 * workers and len(todo) > 1:
            submit()
        while todo or running:
            for fut in [f for f in running if f.done()]:
                lo, hi = running.pop(fut)
                out[lo:hi] = fut.result()
                if todo:
                    submit()
            if todo:
                lo, hi = todo.pop()
                out[lo:hi] = _batch_signatures(texts[lo:hi], params, ngram, vocab)
            elif running:
                wait(running, return_when=FIRST_COMPLETED)
    return out
