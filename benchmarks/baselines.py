"""What others would run on the same corpus: plain MinHash LSH tools and an exact oracle.

Every baseline cuts the *same* passages as ``dedup find`` (:func:`dedup.segment.segment`),
takes their matching word forms (:func:`dedup.normalize.iter_words`) and shingles them
into word 3-grams, so the tools differ only in how they find similar shingle sets:

* ``datasketch`` -- what a user writes from datasketch's documentation: one
  ``MinHash(num_perm=128)`` per passage filled with ``update_batch`` of the shingles'
  UTF-8 bytes, ``MinHashLSH(threshold=0.5, num_perm=128)``, insert every passage, query
  every passage, union-find over the returned pairs;
* ``rensa`` / ``gaoya`` -- the same recipe with those libraries (optional, with the
  banding datasketch picks for the threshold, so only the implementation differs);
* ``oracle`` -- the exact answer: every cross-document pair of passages whose shingle
  sets have Jaccard >= the threshold. It is computed with prefix filtering (Bayardo et
  al., 2007), which skips only pairs that cannot reach the threshold, so its output is
  the brute-force all-pairs result (``tests/test_bench.py`` checks this).

Passages with fewer than three words have no 3-gram and are left out of every baseline
(datasketch would put all empty MinHashes in one bucket).

>>> units = cut_passages([("a", "One two three four. Five six."), ("b", "One two three four.")])
>>> [len(s) for s in units.shingles], units.doc_of
([2, 0, 2], [0, 0, 1])
>>> exact_pairs(units, threshold=0.5).tolist()
[[0, 2]]
"""

from __future__ import annotations

import hashlib
import importlib
import math
import time
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dedup.normalize import iter_words
from dedup.segment import segment

__all__ = [
    "OPTIONAL",
    "BaselineRun",
    "Units",
    "cut_passages",
    "exact_pairs",
    "jaccard_pairs_bruteforce",
    "missing",
    "pair_keys",
    "passage_fingerprint",
    "run_baseline",
    "text_ids",
    "union_find",
]

SHINGLE = 3
OPTIONAL = ("rensa", "gaoya")
"""Baselines that run only when their package is importable (``pip install rensa gaoya``)."""


@dataclass(frozen=True)
class Units:
    """The passages of a corpus, as every baseline sees them.

    ``spans[i]`` is passage ``i`` as ``(doc id, start, end)``, ``doc_of[i]`` its
    document's position and ``shingles[i]`` its word 3-grams in text order (repeats
    kept; empty for passages of fewer than three words). Passage ``i`` is the ``i``-th
    passage ``dedup find`` cuts from the same corpus.
    """

    spans: list[tuple[str, int, int]]
    doc_of: list[int]
    shingles: list[list[str]]

    @property
    def n_shingles(self) -> int:
        """All 3-gram occurrences (the work a shingling tool does)."""
        return sum(len(s) for s in self.shingles)

    def fingerprint(self) -> str:
        """A short hash of the passage spans: two runs index passages alike iff equal."""
        h = hashlib.blake2b(digest_size=8)
        for doc, start, end in self.spans:
            h.update(f"{doc}\x1f{start}\x1f{end}\x1e".encode())
        return h.hexdigest()


def passage_fingerprint(spans: Iterable[tuple[str, int, int]]) -> str:
    """:meth:`Units.fingerprint` of any span list (e.g. ``FindResult.passages``)."""
    return Units(list(spans), [], []).fingerprint()


def cut_passages(documents: Iterable[tuple[str, str]], *, k: int = SHINGLE) -> Units:
    """Segment ``(doc id, text)`` pairs into passages and word ``k``-gram shingles.

    >>> cut_passages([("d", "The cat sat on the mat.")]).shingles
    [['the cat sat', 'cat sat on', 'sat on the', 'on the mat']]
    """
    spans: list[tuple[str, int, int]] = []
    doc_of: list[int] = []
    shingles: list[list[str]] = []
    for di, (doc_id, text) in enumerate(documents):
        for p in segment(doc_id, text):
            words = list(iter_words(text, p.start, p.end))
            spans.append((doc_id, p.start, p.end))
            doc_of.append(di)
            shingles.append([" ".join(words[i:i + k]) for i in range(len(words) - k + 1)])
    return Units(spans, doc_of, shingles)


# --------------------------------------------------------------------------- helpers


def text_ids(units: Units) -> np.ndarray:
    """For each passage, the index of the first passage with the same word 3-grams
    (copies of one text share an id).

    >>> text_ids(cut_passages([("a", "One two three."), ("b", "One two three. Four.")]))
    array([0, 0, 2])
    """
    first: dict[tuple[str, ...], int] = {}
    return np.fromiter((first.setdefault(tuple(s), i) for i, s in enumerate(units.shingles)),
                       dtype=np.int64, count=len(units.shingles))


def union_find(n: int, pairs: np.ndarray | Sequence[tuple[int, int]]) -> list[list[int]]:
    """Connected components of size >= 2 over ``n`` items, each sorted, in order of
    their first member.

    >>> union_find(5, [(0, 3), (3, 4), (1, 2)])
    [[0, 3, 4], [1, 2]]
    """
    parent = list(range(n))
    edges = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for lo in range(0, len(edges), 1 << 16):  # chunks: no Python list of every pair
        for a, b in edges[lo:lo + (1 << 16)].tolist():
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def pair_keys(pairs: np.ndarray | Sequence[tuple[int, int]], n: int) -> np.ndarray:
    """Sorted unique ``min * n + max`` keys of index pairs (for set operations in numpy).

    >>> pair_keys([(3, 1), (1, 3), (0, 2)], 4).tolist()
    [2, 7]
    """
    a = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = a.min(axis=1), a.max(axis=1)
    return np.unique(lo * np.int64(n) + hi)


def missing(name: str) -> str | None:
    """Why the optional baseline ``name`` cannot run, or None when it can.

    >>> missing("datasketch") is None
    True
    """
    module = {"datasketch": "datasketch", "rensa": "rensa", "gaoya": "gaoya.minhash"}[name]
    try:
        importlib.import_module(module)
    except ImportError:
        return f"{name} is not installed (pip install {name}); skipped"
    return None


def datasketch_banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` datasketch's ``MinHashLSH`` picks for the threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


# --------------------------------------------------------------------------- baselines


@dataclass
class BaselineRun:
    """What one baseline produced: stage seconds, the pairs it reported (passage
    indexes ``i < j``, any documents) and its clusters (lists of passage indexes)."""

    seconds: dict[str, float]
    pairs: np.ndarray
    clusters: list[list[int]]
    params: dict[str, object] = field(default_factory=dict)


def _query_pairs(n: int, queries: Iterable[tuple[int, Iterable[int]]]) -> np.ndarray:
    """Unique pairs ``(i, j)``, ``i < j``, from each ``(i, query answer)``, collected as
    one int64 key per answer (a Python tuple per pair would dominate the memory)."""
    keys = array("q")
    for i, answer in queries:
        keys.extend(min(i, j) * n + max(i, j) for j in answer if j != i)
    uniq = np.unique(np.frombuffer(keys, dtype=np.int64)) if keys else np.zeros(0, np.int64)
    return np.stack([uniq // n, uniq % n], axis=1)


def _datasketch(units: Units, ids: list[int], threshold: float, num_perm: int
                ) -> BaselineRun:
    from datasketch import MinHash, MinHashLSH

    t = {}
    t0 = time.perf_counter()
    sigs = []
    for i in ids:
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in units.shingles[i]])
        sigs.append(m)
    t["sign"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in zip(ids, sigs, strict=True):
        lsh.insert(i, m)
    pairs = _query_pairs(len(units.spans),
                         ((i, lsh.query(m)) for i, m in zip(ids, sigs, strict=True)))
    t["index"] = time.perf_counter() - t0
    return BaselineRun(t, pairs, [], {"num_perm": num_perm, "bands": lsh.b, "rows": lsh.r})


def _rensa(units: Units, ids: list[int], threshold: float, num_perm: int) -> BaselineRun:
    from rensa import RMinHash, RMinHashLSH

    # rensa's LSH needs num_perm = bands * rows: sign with the permutations datasketch's
    # banding uses (125 of 128 at the defaults; datasketch ignores the other 3).
    bands, rows = datasketch_banding(threshold, num_perm)
    t = {}
    t0 = time.perf_counter()
    sigs = []
    for i in ids:
        m = RMinHash(num_perm=bands * rows, seed=42)
        m.update(units.shingles[i])
        sigs.append(m)
    t["sign"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    lsh = RMinHashLSH(threshold=threshold, num_perm=bands * rows, num_bands=bands)
    for i, m in zip(ids, sigs, strict=True):
        lsh.insert(i, m)
    pairs = _query_pairs(len(units.spans),
                         ((i, lsh.query(m)) for i, m in zip(ids, sigs, strict=True)))
    t["index"] = time.perf_counter() - t0
    return BaselineRun(t, pairs, [], {"num_perm": bands * rows, "bands": bands, "rows": rows})


def _gaoya(units: Units, ids: list[int], threshold: float, num_perm: int) -> BaselineRun:
    from gaoya.minhash import MinHashStringIndex

    bands, rows = datasketch_banding(threshold, num_perm)
    t = {}
    t0 = time.perf_counter()
    # gaoya hashes while it inserts, so its "index" stage includes signing; its query
    # keeps only answers whose estimated Jaccard reaches the threshold.
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=threshold, num_bands=bands,
                               band_size=rows, analyzer=lambda shingles: shingles)
    for i in ids:
        index.insert_document(i, units.shingles[i])
    pairs = _query_pairs(len(units.spans), ((i, index.query(units.shingles[i])) for i in ids))
    t["index"] = time.perf_counter() - t0
    return BaselineRun(t, pairs, [],
                       {"num_perm": bands * rows, "bands": bands, "rows": rows,
                        "hash_size": 32})


def _oracle(units: Units, ids: list[int], threshold: float, num_perm: int) -> BaselineRun:
    t0 = time.perf_counter()
    pairs = exact_pairs(units, threshold=threshold)
    return BaselineRun({"join": time.perf_counter() - t0}, pairs, [],
                       {"threshold": threshold, "method": "prefix filtering (exact)"})


_RUNNERS = {"datasketch": _datasketch, "rensa": _rensa, "gaoya": _gaoya, "oracle": _oracle}


def run_baseline(name: str, units: Units, *, threshold: float = 0.5, num_perm: int = 128
                 ) -> BaselineRun:
    """Run baseline ``name`` on ``units``; ``seconds`` gets its stages plus ``cluster``
    (union-find over its pairs).

    >>> u = cut_passages([("a", "The cat sat on the mat."), ("b", "The cat sat on the mat.")])
    >>> run_baseline("oracle", u).clusters
    [[0, 1]]
    """
    if name not in _RUNNERS:
        raise ValueError(f"unknown baseline {name!r}; choose from {sorted(_RUNNERS)}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0.0, 1.0], got {threshold}")
    ids = [i for i, s in enumerate(units.shingles) if s]
    run = _RUNNERS[name](units, ids, threshold, num_perm)
    t0 = time.perf_counter()
    run.clusters = union_find(len(units.spans), run.pairs)
    run.seconds["cluster"] = time.perf_counter() - t0
    return run


# --------------------------------------------------------------------------- oracle


def _shingle_sets(units: Units) -> tuple[list[np.ndarray], np.ndarray]:
    """Each passage's distinct shingles as sorted ranks (rarest first) and the sizes."""
    vocab: dict[str, int] = {}
    raw = [np.unique(np.fromiter((vocab.setdefault(s, len(vocab)) for s in sh),
                                 dtype=np.int64, count=len(sh)))
           for sh in units.shingles]
    df = np.bincount(np.concatenate(raw), minlength=len(vocab)) if raw and vocab else \
        np.zeros(0, dtype=np.int64)
    # Global order: rarest shingle first (ties by id), the usual prefix-filter order.
    rank = np.empty(len(vocab), dtype=np.int64)
    rank[np.lexsort((np.arange(len(vocab)), df))] = np.arange(len(vocab))
    sets = [np.sort(rank[r]) for r in raw]
    return sets, np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))


def exact_pairs(units: Units, *, threshold: float = 0.5) -> np.ndarray:
    """Every cross-document passage pair ``(i, j)``, ``i < j``, whose distinct-shingle
    sets have Jaccard >= ``threshold``, as a sorted ``(m, 2)`` int64 array.

    Prefix filtering: with shingles ordered rarest first, two sets with Jaccard >= t
    must share a shingle among the first ``|x| - ceil(t * |x|) + 1`` of each, and their
    sizes differ by at most a factor ``t``; only pairs passing both tests get their
    exact Jaccard computed. The result equals the brute-force all-pairs answer.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0.0, 1.0], got {threshold}")
    sets, sizes = _shingle_sets(units)
    doc_of = np.asarray(units.doc_of, dtype=np.int64)
    post_tok, post_unit = [], []
    for i, s in enumerate(sets):
        if len(s) == 0:
            continue
        p = len(s) - math.ceil(threshold * len(s) - 1e-9) + 1
        post_tok.append(s[:p])
        post_unit.append(np.full(p, i, dtype=np.int64))
    if not post_tok:
        return np.zeros((0, 2), dtype=np.int64)
    tok, unit = np.concatenate(post_tok), np.concatenate(post_unit)
    order = np.lexsort((unit, tok))
    tok, unit = tok[order], unit[order]
    brk = np.flatnonzero(tok[1:] != tok[:-1]) + 1
    starts, ends = np.r_[0, brk], np.r_[brk, len(tok)]
    multi = ends - starts > 1
    chunks = []
    for size in np.unique((ends - starts)[multi]):
        st = starts[multi & (ends - starts == size)]
        iu, ju = np.triu_indices(int(size), k=1)
        chunks.append(np.stack([unit[st[:, None] + iu].ravel(),
                                unit[st[:, None] + ju].ravel()], axis=1))
    if not chunks:
        return np.zeros((0, 2), dtype=np.int64)
    n = len(sets)
    keys = pair_keys(np.concatenate(chunks), n)
    a, b = keys // n, keys % n
    lo, hi = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
    keep = (doc_of[a] != doc_of[b]) & (lo >= threshold * hi - 1e-9)
    a, b = a[keep], b[keep]
    inter = _intersections(sets, sizes, a, b)
    ok = inter >= threshold * (sizes[a] + sizes[b] - inter) - 1e-9
    return np.stack([a[ok], b[ok]], axis=1).astype(np.int64)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + l)`` for every start and length."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - lengths - starts, lengths)


def _intersections(sets: list[np.ndarray], sizes: np.ndarray, a: np.ndarray, b: np.ndarray,
                   *, chunk: int = 1 << 16) -> np.ndarray:
    """``|sets[a[k]] & sets[b[k]]|`` for every k, in numpy chunks."""
    flat = np.concatenate(sets) if sets else np.zeros(0, np.int64)
    indptr = np.r_[0, np.cumsum(sizes)]
    width = np.int64(int(flat.max()) + 1 if len(flat) else 1)
    out = np.zeros(len(a), dtype=np.int64)
    for lo in range(0, len(a), chunk):
        ca, cb = a[lo:lo + chunk], b[lo:lo + chunk]
        owner = np.arange(len(ca), dtype=np.int64)
        ka = np.repeat(owner, sizes[ca]) * width + flat[_ranges(indptr[ca], sizes[ca])]
        kb = np.repeat(owner, sizes[cb]) * width + flat[_ranges(indptr[cb], sizes[cb])]
        both = np.sort(np.concatenate([ka, kb]))
        dup = both[1:][both[1:] == both[:-1]]
        out[lo:lo + chunk] = np.bincount(dup // width, minlength=len(ca))
    return out


def jaccard_pairs_bruteforce(units: Units, *, threshold: float = 0.5) -> list[tuple[int, int]]:
    """The same answer as :func:`exact_pairs`, the obvious quadratic way (tests only).

    >>> u = cut_passages([("a", "One two three four."), ("b", "One two three four.")])
    >>> jaccard_pairs_bruteforce(u)
    [(0, 1)]
    """
    sets = [set(s) for s in units.shingles]
    out = []
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if units.doc_of[i] == units.doc_of[j] or not sets[i] or not sets[j]:
                continue
            if len(sets[i] & sets[j]) >= threshold * len(sets[i] | sets[j]) - 1e-9:
                out.append((i, j))
    return out
