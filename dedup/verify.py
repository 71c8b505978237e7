"""Verify candidate pairs of distinct passages: a readable 0..1 score, trusted only
with enough evidence.

Two scores per pair: the **cross-outlet score**, a weighted cosine over the pair's
n-gram features that is zeroed when the shared weight is below the minimum evidence
(unless the pair shares a verbatim run, or is the same long sentence word for word);
and the **repeat score**, the share of the shorter passage's weight that the other
one repeats, for repeats inside one document or outlet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .features import FeatureTable, shared_stats_bulk

if TYPE_CHECKING:
    from .pipeline import FindParams


def score_pairs(table: FeatureTable, pairs: np.ndarray, params: FindParams
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-outlet scores of many pairs at once: weighted cosine, zeroed below the
    minimum evidence, repeat
    scores (the share of the shorter passage's weight that the other one repeats, 1.0
    for an exact repeat, however short), and the shared weight of each pair in units
    of one rare word (``log N``): the evidence it adds to its two documents' relation."""
    if len(pairs) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
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
    return cos, dup, shared / table.log_n if table.log_n > 0 else np.zeros(len(pairs))
