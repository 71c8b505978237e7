"""Evidence that two passages share material: cheap lexical measures of a candidate
pair, computed for every pair at once from the feature table, plus a few read from
the two texts for the pairs that would otherwise match.

From the feature table (vectorised over all pairs, one intersection of their sorted
feature lists):

* ``shared``: the weight both passages hold (the smaller weight of each shared
  n-gram), in all and per n-gram size; with each side's totals this gives the
  weighted cosine and the *containment* each way (the share of a passage's weight
  the other one holds: a local outlet's added clause lowers one containment only);
* ``runs``: how many of the longest n-grams (word 3-grams, no names) they share: a
  verbatim run;
* the passages' lengths in words.

From the texts (only for the pairs :func:`dedup.verify.score_pairs` would accept
without them, so few):

* numbers on one side that the other side does not print ("$2.5 billion" /
  "$1.8 billion"), after folding ("12,000" = "12000");
* both sentences name who speaks and the names differ
  (:func:`dedup.verify.different_speakers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .features import FeatureTable, dense_feature_ids
from .normalize import tokenize


@dataclass(frozen=True)
class PairEvidence:
    """Table evidence of ``m`` candidate pairs (arrays of length ``m``, except the
    per-size arrays, ``(m, G)`` for n-gram sizes ``1..G``)."""

    shared: np.ndarray        # shared weight, all sizes
    runs: np.ndarray          # shared longest n-grams without names
    total_a: np.ndarray       # each side's total weight
    total_b: np.ndarray
    shared_gram: np.ndarray   # (m, G) shared weight per n-gram size
    total_gram_a: np.ndarray  # (m, G) each side's weight per n-gram size
    total_gram_b: np.ndarray
    words_a: np.ndarray       # each side's length in words
    words_b: np.ndarray
    count_shared: np.ndarray  # (m, G) shared distinct n-grams per size
    count_a: np.ndarray       # (m, G) each side's distinct n-grams per size
    count_b: np.ndarray
    names_shared: np.ndarray  # shared name words (capitalised inside a sentence)
    names_a: np.ndarray       # each side's name words
    names_b: np.ndarray

    def cosine(self) -> np.ndarray:
        """Weighted cosine: shared / sqrt(total_a * total_b), 0 where a side is empty."""
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = (self.total_a > 0) & (self.total_b > 0)
            return np.where(ok, self.shared / np.sqrt(self.total_a * self.total_b), 0.0)

    def containment(self) -> tuple[np.ndarray, np.ndarray]:
        """The smaller and the larger of the two containments (share of a side's
        weight that the other side holds)."""
        return _share(self.shared, np.maximum(self.total_a, self.total_b)), \
            _share(self.shared, np.minimum(self.total_a, self.total_b))


def _share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, np.minimum(num / den, 1.0), 0.0)


@dataclass(frozen=True)
class PassageTotals:
    """Per passage: weight and count of distinct n-grams per size ``1..G``
    (``(n, G)``), and its name words (unigrams with the topic discount)."""

    weight: np.ndarray
    count: np.ndarray
    names: np.ndarray


def passage_totals(table: FeatureTable) -> PassageTotals:
    """:class:`PassageTotals` of every passage of ``table``."""
    g_max = max(table.top_gram, 1)
    n = len(table.indptr) - 1
    unit = np.repeat(np.arange(n, dtype=np.int64), np.diff(table.indptr))
    key = unit * g_max + (table.gram.astype(np.int64) - 1)
    weight = np.bincount(key, weights=table.weights, minlength=n * g_max).reshape(n, g_max)
    count = np.bincount(key, minlength=n * g_max).reshape(n, g_max).astype(np.float64)
    names = np.bincount(unit, weights=_is_name(table), minlength=n)
    return PassageTotals(weight, count, names)


def _is_name(table: FeatureTable) -> np.ndarray:
    if table.plain is None:
        return np.zeros(len(table.gram), dtype=np.float64)
    return ((table.gram == 1) & ~table.plain).astype(np.float64)


def pair_evidence(table: FeatureTable, pairs: np.ndarray, *, chunk: int = 1 << 16,
                  totals: PassageTotals | None = None) -> PairEvidence:
    """:class:`PairEvidence` of ``pairs`` (``(m, 2)`` passage indexes), in chunks.

    Each chunk lays out both sides' features keyed by ``(pair, feature id)``, sorted
    as each passage's features are, and intersects the keys with one binary search.
    """
    m = len(pairs)
    g_max = max(table.top_gram, 1)
    shared_gram = np.zeros((m, g_max), dtype=np.float64)
    count_shared = np.zeros((m, g_max), dtype=np.float64)
    names_shared = np.zeros(m, dtype=np.float64)
    runs = np.zeros(m, dtype=np.int64)
    if totals is None:
        totals = passage_totals(table)
    a, b = (pairs[:, 0], pairs[:, 1]) if m else (np.zeros(0, np.int64),) * 2
    if m and table.n_entries:
        fid, n_f = dense_feature_ids(table)
        is_run = table.gram == table.top_gram
        if table.plain is not None:
            is_run = is_run & table.plain
        gram0 = table.gram.astype(np.int64) - 1
        name = _is_name(table)
        for lo in range(0, m, chunk):
            p = pairs[lo:lo + chunk]
            oa, ea = _expand(table.indptr, p[:, 0])
            ob, eb = _expand(table.indptr, p[:, 1])
            ka = oa * n_f + fid[ea]
            kb = ob * n_f + fid[eb]
            at = np.minimum(np.searchsorted(ka, kb), len(ka) - 1)
            xb = np.flatnonzero(ka[at] == kb)
            xa = at[xb]
            owner = oa[xa]
            w = np.minimum(table.weights[ea[xa]], table.weights[eb[xb]])
            key = owner * g_max + gram0[ea[xa]]
            shared_gram[lo:lo + len(p)] = np.bincount(
                key, weights=w, minlength=len(p) * g_max).reshape(len(p), g_max)
            count_shared[lo:lo + len(p)] = np.bincount(
                key, minlength=len(p) * g_max).reshape(len(p), g_max)
            names_shared[lo:lo + len(p)] = np.bincount(owner, weights=name[ea[xa]],
                                                       minlength=len(p))
            runs[lo:lo + len(p)] = np.bincount(owner, weights=is_run[ea[xa]],
                                               minlength=len(p)).astype(np.int64)
    return PairEvidence(shared=shared_gram.sum(axis=1), runs=runs,
                        total_a=table.total[a].astype(np.float64),
                        total_b=table.total[b].astype(np.float64),
                        shared_gram=shared_gram, total_gram_a=totals.weight[a],
                        total_gram_b=totals.weight[b],
                        words_a=table.n_words[a].astype(np.float64),
                        words_b=table.n_words[b].astype(np.float64),
                        count_shared=count_shared, count_a=totals.count[a],
                        count_b=totals.count[b], names_shared=names_shared,
                        names_a=totals.names[a], names_b=totals.names[b])


def _expand(indptr: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(local pair index, entry index) for every feature entry of ``units``."""
    starts = indptr[units]
    lengths = indptr[units + 1] - starts
    owner = np.repeat(np.arange(len(units), dtype=np.int64), lengths)
    offsets = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(lengths) - lengths, lengths)
    return owner, np.repeat(starts, lengths) + offsets


# The verifier's inputs, in order: from the feature table (every pair) ...
TABLE_FEATURES = (
    "cosine",            # weighted cosine, all n-gram sizes
    "containment_min",   # share of the larger passage's weight the other one holds
    "containment_max",   # share of the smaller passage's weight the other one holds
    "cosine_words",      # weighted cosine of single words
    "containment_words",  # smaller containment, single words
    "containment_pairs",  # smaller containment, word pairs (either order)
    "evidence",          # log(1 + shared weight in rare-word units)
    "runs",              # log(1 + shared longest n-grams without names)
    "length_ratio",      # shorter / longer, in words
    "overlap_min",       # distinct words shared / distinct words of the longer side
    "overlap_max",       # distinct words shared / distinct words of the shorter side
    "pairs_overlap",     # word pairs shared / word pairs of the longer side
    "unmatched_min",     # log(1 + words of one side the other lacks): the smaller side
    "unmatched_max",     # ... and the larger
    "unmatched_names",   # log(1 + name words printed on one side only)
)
# ... and from the two texts (only for pairs that pass without them: each can only
# lower a score, its weight is never positive).
TEXT_FEATURES = (
    "numbers_unmatched",  # log(1 + numbers printed on one side only), at most log(21)
)
FEATURES = TABLE_FEATURES + TEXT_FEATURES


def table_features(ev: PairEvidence, log_n: float) -> np.ndarray:
    """``(m, len(TABLE_FEATURES))``: the table features of each pair."""
    w1a, w1b = ev.total_gram_a[:, 0], ev.total_gram_b[:, 0]
    g2 = min(1, ev.shared_gram.shape[1] - 1)
    c_min, c_max = ev.containment()
    n1a, n1b, n1s = ev.count_a[:, 0], ev.count_b[:, 0], ev.count_shared[:, 0]
    n2a, n2b, n2s = ev.count_a[:, g2], ev.count_b[:, g2], ev.count_shared[:, g2]
    words_lo = np.minimum(ev.words_a, ev.words_b)
    words_hi = np.maximum(ev.words_a, ev.words_b)
    unmatched_a, unmatched_b = n1a - n1s, n1b - n1s
    return np.column_stack([
        ev.cosine(),
        c_min,
        c_max,
        _share(ev.shared_gram[:, 0], np.sqrt(w1a * w1b)),
        _share(ev.shared_gram[:, 0], np.maximum(w1a, w1b)),
        _share(ev.shared_gram[:, g2], np.maximum(ev.total_gram_a[:, g2], ev.total_gram_b[:, g2])),
        np.log1p(ev.shared / log_n) if log_n > 0 else np.zeros(len(ev.shared)),
        np.log1p(ev.runs),
        _share(words_lo, words_hi),
        _share(n1s, np.maximum(n1a, n1b)),
        _share(n1s, np.minimum(n1a, n1b)),
        _share(n2s, np.maximum(n2a, n2b)),
        np.log1p(np.minimum(unmatched_a, unmatched_b)),
        np.log1p(np.maximum(unmatched_a, unmatched_b)),
        np.log1p(np.maximum(ev.names_a + ev.names_b - 2 * ev.names_shared, 0.0)),
    ])


def text_features(a: str, b: str) -> tuple[float, ...]:
    """The :data:`TEXT_FEATURES` of two texts.

    >>> text_features("sold for $2.5 billion", "sold for $1.8 billion") == (np.log1p(2),)
    True
    """
    return (float(np.log1p(min(unmatched_numbers(a, b), 20))),)


@lru_cache(maxsize=1 << 14)
def numbers(text: str) -> frozenset[str]:
    """The numbers a text prints, folded ("12,000" and "12000" are one number).

    >>> sorted(numbers("About 12,000 troops, up from 3.5 thousand; 12000 in all."))
    ['12000', '3.5']
    """
    return frozenset(t.norm for t in tokenize(text) if t.norm[:1].isdigit())


def unmatched_numbers(a: str, b: str) -> int:
    """How many numbers one side prints that the other does not (both sides counted).

    >>> unmatched_numbers("sold for $2.5 billion in 1998", "sold in 1998 for $1.8 billion")
    2
    """
    na, nb = numbers(a), numbers(b)
    return len(na ^ nb)


__all__ = ["FEATURES", "TABLE_FEATURES", "TEXT_FEATURES", "PairEvidence",
           "PassageTotals", "numbers", "pair_evidence", "passage_totals",
           "table_features", "text_features", "unmatched_numbers"]
