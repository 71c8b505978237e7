"""Verify candidate pairs of distinct passages: a readable 0..1 score, trusted only
with enough evidence.

Two scores per pair: the **cross-outlet score**, a weighted cosine over the pair's
n-gram features that is zeroed when the shared weight is below the minimum evidence
(unless the pair shares a verbatim run, or is the same long sentence word for word);
and the **repeat score**, the share of the shorter passage's weight that the other
one repeats, for repeats inside one document or outlet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .align import ATTRIBUTION_VERBS, quotation_spans
from .evidence import (
    FEATURES,
    TABLE_FEATURES,
    PairEvidence,
    pair_evidence,
    table_features,
    text_features,
)
from .features import FeatureTable
from .normalize import s_stem, tokenize

if TYPE_CHECKING:
    from .pipeline import FindParams


# The verifier: a logistic model over the pair's evidence (:data:`FEATURES`, in that
# order), intercept first. Fitted ONCE on the MSRP training split (every pair that
# find's candidate stage proposes; L2 0.01 on standardised features; text features
# held non-positive) by ``python -m benchmarks.msrp --fit``, which prints these
# numbers; never fitted on test data. Recorded in ``FindParams.verifier``.
VERIFIER: tuple[float, ...] = (
    -3.337682,  # intercept
    -30.445169,  # cosine
    20.381533,  # containment_min
    9.682916,  # containment_max
    -1.2946,  # cosine_words
    3.616671,  # containment_words
    1.174935,  # containment_pairs
    0.981848,  # evidence
    -0.411149,  # runs
    2.926428,  # length_ratio
    -3.609063,  # overlap_min
    8.664442,  # overlap_max
    -2.580986,  # pairs_overlap
    1.049326,  # unmatched_min
    -2.306811,  # unmatched_max
    -0.042895,  # unmatched_names
    -0.233769,  # numbers_unmatched
)


def verifier_logit(features: np.ndarray, coefficients: Sequence[float]) -> np.ndarray:
    """The verifier's log-odds for rows of features (the first ``k`` of
    :data:`FEATURES`, ``k`` the number of columns)."""
    c = np.asarray(coefficients, dtype=np.float64)
    return c[0] + features @ c[1:1 + features.shape[1]]


def _logit(p: float) -> float:
    if p <= 0.0:
        return -np.inf
    if p >= 1.0:
        return np.inf
    return float(np.log(p / (1.0 - p)))


def score_pairs(table: FeatureTable, pairs: np.ndarray, params: FindParams, *,
                text_of: Callable[[int], str] | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-outlet scores of many pairs at once, repeat scores (the share of the
    shorter passage's weight that the other one repeats, 1.0 for an exact repeat,
    however short), and the shared weight of each pair in units of one rare word
    (``log N``): the evidence it adds to its two documents' relation.

    The cross-outlet score is the pair's weighted cosine where the pair is accepted
    and 0 where it is not; an accepted pair scores at least ``threshold``. With
    ``match="shared"`` (the default) a pair is accepted in one of two ways:

    * **same statement**: the verifier (:data:`VERIFIER`, a logistic model over the
      pair's lexical evidence, see :mod:`dedup.evidence`, fitted on MSRP) gives it
      a probability of at least ``verifier_threshold`` that the two say the same
      thing; it weighs the evidence itself, so no floor applies;
    * **shared part**: less than ``verifier_containment`` of the smaller passage's
      weight recurs in the other (a distinctive phrase, a quotation inside reworded
      text) and the weighted cosine reaches ``threshold`` with the minimum evidence
      (``min_evidence`` rare-word units, or a verbatim run). Where more recurs,
      the question is whether the two say the same thing, and the verifier's
      answer stands.

    With ``match="paraphrase"`` only the verifier accepts pairs. Where
    ``text_of`` (the text of a passage) is given, the pairs that would be accepted
    are read: numbers printed on one side only lower the verifier's odds (as the
    model weighs them), and two different named speakers (:func:`different_speakers`)
    take ``speaker_penalty`` of the score. A long sentence repeated word for word
    scores 1.0."""
    if len(pairs) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    ev = pair_evidence(table, pairs)
    shared = ev.shared
    cos = np.round(np.minimum(ev.cosine(), 1.0), 4)
    exact = (table.key[pairs[:, 0]] == table.key[pairs[:, 1]]) & (
        table.n_words[pairs[:, 0]] >= params.min_exact_words)
    # The verifier judges every pair; where most of one passage recurs in the other
    # its "no" stands, elsewhere the evidence rule may still accept the pair.
    if params.match == "paraphrase":
        judged = np.ones(len(pairs), dtype=bool)
    else:
        judged = ev.containment()[1] >= params.verifier_containment
    enough = (shared >= params.min_evidence * table.log_n) | (ev.runs >= params.min_shared_run)
    part_ok = ~judged & enough & (cos >= params.threshold)
    z = verifier_logit(table_features(ev, table.log_n), params.verifier)
    need = _logit(params.verifier_threshold)
    if text_of is not None:
        # Text only lowers a score: only pairs accepted without it are read.
        w_text = np.minimum(np.asarray(params.verifier[1 + len(TABLE_FEATURES):]), 0.0)
        for k in np.flatnonzero((z >= need) & ~exact).tolist():
            z[k] += float(np.dot(w_text, text_features(text_of(int(pairs[k, 0])),
                                                       text_of(int(pairs[k, 1])))))
    same_ok = z >= need
    score = np.where(same_ok, np.maximum(cos, params.threshold), np.where(part_ok, cos, 0.0))
    score[exact] = 1.0
    if text_of is not None and params.speaker_penalty > 0:
        # Only pairs that would match are read: few, and each passage once.
        for k in np.flatnonzero((score >= params.threshold) & ~exact).tolist():
            a, b = int(pairs[k, 0]), int(pairs[k, 1])
            if different_speakers(speakers(text_of(a)), speakers(text_of(b))):
                score[k] = round(float(score[k]) * (1.0 - params.speaker_penalty), 4)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.minimum(ev.total_a, ev.total_b)
        short = np.minimum(ev.words_a, ev.words_b) < 3
        dup = np.where((lo > 0) & ~short, shared / lo, 0.0)
    dup = np.round(np.minimum(dup, 1.0), 4)
    repeat = (table.key[pairs[:, 0]] == table.key[pairs[:, 1]]) & (table.n_words[pairs[:, 0]] > 0)
    dup[repeat] = 1.0
    return score, dup, shared / table.log_n if table.log_n > 0 else np.zeros(len(pairs))


def _subset(ev: PairEvidence, keep: np.ndarray) -> PairEvidence:
    return PairEvidence(**{f.name: getattr(ev, f.name)[keep] for f in fields(ev)})


# Verbs that put a name in front of what it says, beyond the aligner's attribution
# verbs: "X called the deployment a ...", "X described ...".
_SPEECH = ATTRIBUTION_VERBS | frozenset(
    "call calls called describe describes described brand brands branded posted "
    "slam slams slammed condemn condemns condemned dismiss dismisses dismissed".split())
# Words that stand next to a name without being one: titles and offices.
_TITLES = frozenset("""
    president vice minister secretary general spokesman spokeswoman spokesperson director
    chief head leader deputy foreign defense defence prime official officials senior mr mrs
    ms dr ambassador commander state department ministry office member lawmaker envoy
    """.split())
# Capitalised words that name no one: sentence-initial function words, days, months.
_NOT_NAMES = frozenset("""
    the a an this that these those it its in on at of for to by with from but and or so as
    if when while after before however meanwhile also then there here his her their our we
    i he she they you despite last next according monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october
    november december
    """.split())
_PRONOUNS = frozenset("he she they we i you it".split())
# Between a name and its verb ("Ukraine's GUR military intelligence said") at most this
# many words; after a verb ("said Pentagon spokesman Pat Ryder") titles and articles only.
_REACH = 4
_AFTER_SKIP = frozenset("the a an of to".split()) | _TITLES


class Speakers(NamedTuple):
    """Who a sentence says is speaking (``keys``: each name's last word, folded to its
    first five letters so that "Ukraine" and "Ukrainian" agree) and every name it
    mentions outside quotation marks (``names``, folded alike)."""

    keys: frozenset[str]
    names: frozenset[str]


def _key(word: str) -> str:
    return s_stem(word)[:5]


@lru_cache(maxsize=1 << 14)
def speakers(text: str) -> Speakers:
    """The named speakers or sources of a sentence: the name just before a verb of
    saying ("Pentagon spokesman Pat Ryder said", "Ukraine's GUR military intelligence
    said"), or just after one ("wrote the head of the Ukrainian Center ...",
    "according to Park Sun-won"); words inside quotation marks never count.

    >>> sorted(speakers("“We will win,” Pentagon spokesman Pat Ryder said.").keys)
    ['ryder']
    >>> speakers("He said the talks failed.").keys
    frozenset()
    """
    toks = tokenize(text)
    quoted = [False] * len(toks)
    spans = quotation_spans(text)
    for i, t in enumerate(toks):
        quoted[i] = any(s <= t.start < e for s, e in spans)

    def is_name(i: int) -> bool:
        t = toks[i]
        return (not quoted[i] and text[t.start].isupper() and t.norm not in _NOT_NAMES
                and t.norm not in _SPEECH)

    def run_key(lo: int, hi: int) -> str | None:
        """The last word of the name run toks[lo:hi] that is not a title."""
        for j in range(hi - 1, lo - 1, -1):
            if toks[j].norm not in _TITLES:
                return _key(toks[j].norm)
        return None

    keys = set()
    for v, t in enumerate(toks):
        if quoted[v] or t.norm not in _SPEECH:
            continue
        found = None
        # "according to X": the source follows the verb, never precedes it.
        before = range(v - 1, max(-1, v - 1 - _REACH), -1) if t.norm != "according" else ()
        for j in before:
            if quoted[j] or toks[j].norm in _PRONOUNS:
                break
            if is_name(j):
                lo = j
                while lo > 0 and is_name(lo - 1):
                    lo -= 1
                found = run_key(lo, j + 1)
                break
        if found is None:
            j = v + 1
            while j < len(toks) and j <= v + 1 + _REACH and not quoted[j]:
                if is_name(j):
                    hi = j
                    while hi < len(toks) and is_name(hi):
                        hi += 1
                    found = run_key(j, hi)
                    break
                if toks[j].norm not in _AFTER_SKIP:
                    break
                j += 1
        if found:
            keys.add(found)
    names = frozenset(_key(toks[i].norm) for i in range(len(toks)) if is_name(i))
    return Speakers(frozenset(keys), names)


def different_speakers(a: Speakers, b: Speakers) -> bool:
    """Both sentences name who speaks, and neither mentions the other's speaker.

    >>> ryder = speakers("“Some sort of combat capability,” Pentagon spokesman Pat Ryder said.")
    >>> singh = speakers("“Soldiers in combat,” Pentagon spokeswoman Sabrina Singh said.")
    >>> different_speakers(ryder, singh), different_speakers(ryder, ryder)
    (True, False)
    """
    return bool(a.keys and b.keys and not (a.keys & b.names) and not (b.keys & a.names))


__all__ = ["FEATURES", "VERIFIER", "Speakers", "different_speakers", "score_pairs", "speakers",
           "verifier_logit"]
