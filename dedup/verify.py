"""Verify candidate pairs of distinct passages: a readable 0..1 score, trusted only
with enough evidence.

Two scores per pair: the **cross-outlet score**, a weighted cosine over the pair's
n-gram features that is zeroed when the shared weight is below the minimum evidence
(unless the pair shares a verbatim run, or is the same long sentence word for word);
and the **repeat score**, the share of the shorter passage's weight that the other
one repeats, for repeats inside one document or outlet.

With ``FindParams(match="paraphrase")`` the cross-outlet score is instead the
probability, from a logistic model over the pair's lexical evidence
(:mod:`dedup.evidence`) fitted once on MSRP train (:data:`VERIFIER`), that the two
passages say the same thing: MSRP's question, stricter than "do they share material?".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .align import ATTRIBUTION_VERBS, quotation_spans
from .arrays import unique_sorted
from .evidence import (
    FEATURES,
    TABLE_FEATURES,
    PairEvidence,
    pair_evidence,
    table_features,
    text_features,
)
from .features import FeatureTable, form_hash, shared_stats_bulk
from .normalize import _pattern_for, norm_word, s_stem
from .parallel import fork_map

if TYPE_CHECKING:
    from .pipeline import FindParams


# The verifier (``FindParams(match="paraphrase")``): a logistic model over the pair's
# evidence (:data:`FEATURES`, in that order), intercept first. Fitted ONCE on the
# MSRP training split (every pair that find's candidate stage proposes; L2 0.01 on
# standardised features; text features held non-positive) by
# ``python -m benchmarks.msrp --fit``, which prints these numbers; never fitted on
# test data. Recorded in ``FindParams.verifier``.
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
                text_of: Callable[[int], str] | None = None, workers: int = 1,
                speaks: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-outlet scores of many pairs at once, repeat scores (the share of the
    shorter passage's weight that the other one repeats, 1.0 for an exact repeat,
    however short), and the shared weight of each pair in units of one rare word
    (``log N``): the evidence it adds to its two documents' relation.

    The cross-outlet score depends on ``params.match``:

    * ``"shared"`` (the default): weighted cosine, zeroed below the minimum evidence
      and lowered by ``speaker_penalty`` where ``text_of`` (the text of a passage)
      shows two different speakers (:func:`different_speakers`): does the pair share
      material?
    * ``"paraphrase"``: the verifier's probability that the two say the same thing
      (:data:`VERIFIER`, a logistic model over the pair's lexical evidence, see
      :mod:`dedup.evidence`, fitted on MSRP); it weighs the evidence itself, so no
      floor applies. Numbers printed on one side only lower it, as the model weighs
      them, and two different speakers take ``speaker_penalty`` of it (texts read
      only for the pairs that reach ``verifier_threshold``).

    A long sentence repeated word for word scores 1.0 either way. ``workers`` threads
    share the shared-weight sums, and as many forked processes read the speakers of
    a large batch of passages (the scores do not depend on their number).
    ``speaks`` (per passage, :func:`may_speak`) spares reading the speakers of the
    passages that hold no verb of saying; the scores are the same with it."""
    if len(pairs) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    if params.match == "paraphrase":
        ev = pair_evidence(table, pairs)
        shared, ta, tb = ev.shared, ev.total_a, ev.total_b
        cos = _paraphrase(table, pairs, ev, params, text_of, workers, speaks)
    else:
        shared, runs = shared_stats_bulk(table, pairs, workers=workers)
        ta, tb = table.total[pairs[:, 0]], table.total[pairs[:, 1]]
        cos = _shared(table, pairs, shared, runs, ta, tb, params, text_of, workers, speaks)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.minimum(ta, tb)
        short = np.minimum(table.n_words[pairs[:, 0]], table.n_words[pairs[:, 1]]) < 3
        dup = np.where((lo > 0) & ~short, shared / lo, 0.0)
    dup = np.round(np.minimum(dup, 1.0), 4)
    repeat = (table.key[pairs[:, 0]] == table.key[pairs[:, 1]]) & (table.n_words[pairs[:, 0]] > 0)
    dup[repeat] = 1.0
    return cos, dup, shared / table.log_n if table.log_n > 0 else np.zeros(len(pairs))


def _exact(table: FeatureTable, pairs: np.ndarray, params: FindParams) -> np.ndarray:
    # A whole sentence printed again word for word is copying, however ordinary its
    # words: it needs no further evidence once it is long enough not to recur by chance.
    return (table.key[pairs[:, 0]] == table.key[pairs[:, 1]]) & (
        table.n_words[pairs[:, 0]] >= params.min_exact_words)


def _shared(table: FeatureTable, pairs: np.ndarray, shared: np.ndarray, runs: np.ndarray,
            ta: np.ndarray, tb: np.ndarray, params: FindParams,
            text_of: Callable[[int], str] | None, workers: int = 1,
            speaks: np.ndarray | None = None) -> np.ndarray:
    """The ``"shared"`` score: weighted cosine with the evidence floor."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = np.where((ta > 0) & (tb > 0), shared / np.sqrt(ta * tb), 0.0)
        enough = (shared >= params.min_evidence * table.log_n) | (runs >= params.min_shared_run)
        cos = np.round(np.minimum(np.where(enough, cos, 0.0), 1.0), 4)
    exact = _exact(table, pairs, params)
    cos[exact] = 1.0
    if text_of is not None and params.speaker_penalty > 0:
        # Only pairs that would match are read: few, and each passage once.
        check = np.flatnonzero((cos >= params.threshold) & ~exact)
        who = _speakers_of(text_of, pairs[check], workers, speaks)
        for k, (i, j) in zip(check.tolist(), pairs[check].tolist(), strict=True):
            a, b = who.get(i), who.get(j)
            if a is not None and b is not None and different_speakers(a, b):
                cos[k] = round(float(cos[k]) * (1.0 - params.speaker_penalty), 4)
    return cos


# Fewer passages than this have their speakers read in this process.
PARALLEL_MIN_TEXTS = 10_000


def _speakers_of(text_of: Callable[[int], str], pairs: np.ndarray, workers: int,
                 speaks: np.ndarray | None = None) -> dict[int, Speakers | None]:
    """The :func:`speakers` of the passages of ``pairs`` (``None`` where one names no
    one, as :func:`may_name_speaker` tells), read once each, on ``workers`` forked
    processes for a large batch. With ``speaks`` (:func:`may_speak`), only the pairs
    whose two passages may both name a speaker are read (no other pair can show two
    different speakers); the others are left out of the answer."""
    if speaks is not None:
        pairs = pairs[speaks[pairs[:, 0]] & speaks[pairs[:, 1]]]
    ids = unique_sorted(pairs.reshape(-1)).tolist()
    if len(ids) < PARALLEL_MIN_TEXTS:
        workers = 1
    step = max(1, -(-len(ids) // (4 * max(1, workers))))
    spans = [(lo, min(len(ids), lo + step)) for lo in range(0, len(ids), step)]
    return dict(zip(ids, fork_map(_speakers_span, (text_of, ids), spans, workers),
                    strict=True))


def _speakers_span(text_of: Callable[[int], str], ids: list[int], span: tuple[int, int]
                   ) -> list[Speakers | None]:
    out: list[Speakers | None] = []
    for r in ids[span[0]:span[1]]:
        text = text_of(r)
        out.append(speakers(text) if may_name_speaker(text) else None)
    return out


def _paraphrase(table: FeatureTable, pairs: np.ndarray, ev: PairEvidence, params: FindParams,
                text_of: Callable[[int], str] | None, workers: int = 1,
                speaks: np.ndarray | None = None) -> np.ndarray:
    """The ``"paraphrase"`` score: the verifier's probability."""
    z = verifier_logit(table_features(ev, table.log_n), params.verifier)
    exact = _exact(table, pairs, params)
    if text_of is not None:
        # Text features only lower a score: only pairs that pass without them are read.
        w_text = np.minimum(np.asarray(params.verifier[1 + len(TABLE_FEATURES):]), 0.0)
        penalty = (float(np.log1p(-params.speaker_penalty)) if params.speaker_penalty < 1
                   else -np.inf)
        check = np.flatnonzero((z >= _logit(params.verifier_threshold)) & ~exact)
        who = (_speakers_of(text_of, pairs[check], workers, speaks)
               if params.speaker_penalty > 0 else {})
        for k, (i, j) in zip(check.tolist(), pairs[check].tolist(), strict=True):
            z[k] += float(np.dot(w_text, text_features(text_of(i), text_of(j))))
            a, b = who.get(i), who.get(j)
            if a is not None and b is not None and different_speakers(a, b):
                z[k] += penalty
    with np.errstate(over="ignore"):
        score = np.round(1.0 / (1.0 + np.exp(-z)), 4)
    score[exact] = 1.0
    return score


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


_FORM: dict[str, str] = {}  # spelling -> matching form (norm_word)


def _form(word: str) -> str:
    """:func:`dedup.normalize.norm_word`, each spelling normalised once (bounded)."""
    form = _FORM.get(word)
    if form is None:
        if len(_FORM) > 1 << 20:
            _FORM.clear()
        form = _FORM[word] = norm_word(word)
    return form


def may_name_speaker(text: str) -> bool:
    """Whether :func:`speakers` could find a speaker in ``text``: it holds a word
    whose matching form is a verb of saying. Cheap (no tokens are made, each
    spelling is normalised once), and ``False`` means ``speakers(text).keys`` is
    empty, so most sentences need no closer look.

    >>> may_name_speaker("Ryder SAID so."), may_name_speaker("The talks failed.")
    (True, False)
    """
    return any(_form(w) in _SPEECH for w in _pattern_for(text, 0, len(text)).findall(text))


@lru_cache(maxsize=1)
def speech_hashes() -> np.ndarray:
    """The word hashes (:func:`dedup.features.form_hash`, the tokeniser's) of the verbs
    of saying :func:`may_name_speaker` looks for, sorted. Each verb is its own matching
    form, so a word whose form it is hashes to it."""
    return np.unique(np.array([form_hash(v) for v in _SPEECH], dtype=np.uint64))


def may_speak(vocab: np.ndarray, word_ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per passage, whether it holds the hash of a verb of saying; its words are
    ``word_ids`` (indexes into ``vocab``, the word hashes of the tokeniser), ``lengths``
    of them each, end to end. ``False`` is as good as :func:`may_name_speaker`'s: a word
    whose matching form is such a verb has that verb's hash. The hash of a stem that
    only looks like one ("calls" for "call") gives ``True``, and the text is read.

    >>> from dedup.tokens import WordForms
    >>> vocab = np.sort(np.array([WordForms.hash(w) for w in ("He", "SAID", "no")],
    ...                          dtype=np.uint64))
    >>> ids = np.searchsorted(vocab, [WordForms.hash(w) for w in ("He", "SAID", "no", "no")])
    >>> may_speak(vocab, ids, np.array([2, 1, 1])).tolist()
    [True, False, False]
    """
    hit = np.flatnonzero(np.isin(vocab, speech_hashes())[word_ids])
    out = np.zeros(len(lengths), dtype=bool)
    out[np.searchsorted(np.cumsum(lengths), hit, side="right")] = True
    return out


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
    # The words as tokenize() finds them (start, matching form), without making
    # Token objects; each spelling normalised once.
    starts, toks = [], []
    for m in _pattern_for(text, 0, len(text)).finditer(text):
        starts.append(m.start())
        toks.append(_form(m.group()))
    spans = quotation_spans(text)
    quoted = ([any(s <= at < e for s, e in spans) for at in starts] if spans
              else [False] * len(toks))

    def is_name(i: int) -> bool:
        t = toks[i]
        return (not quoted[i] and text[starts[i]].isupper() and t not in _NOT_NAMES
                and t not in _SPEECH)

    def run_key(lo: int, hi: int) -> str | None:
        """The last word of the name run toks[lo:hi] that is not a title."""
        for j in range(hi - 1, lo - 1, -1):
            if toks[j] not in _TITLES:
                return _key(toks[j])
        return None

    keys = set()
    for v, t in enumerate(toks):
        if quoted[v] or t not in _SPEECH:
            continue
        found = None
        # "according to X": the source follows the verb, never precedes it.
        before = range(v - 1, max(-1, v - 1 - _REACH), -1) if t != "according" else ()
        for j in before:
            if quoted[j] or toks[j] in _PRONOUNS:
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
                if toks[j] not in _AFTER_SKIP:
                    break
                j += 1
        if found:
            keys.add(found)
    names = frozenset(_key(toks[i]) for i in range(len(toks)) if is_name(i))
    return Speakers(frozenset(keys), names)


def different_speakers(a: Speakers, b: Speakers) -> bool:
    """Both sentences name who speaks, and neither mentions the other's speaker.

    >>> ryder = speakers("“Some sort of combat capability,” Pentagon spokesman Pat Ryder said.")
    >>> singh = speakers("“Soldiers in combat,” Pentagon spokeswoman Sabrina Singh said.")
    >>> different_speakers(ryder, singh), different_speakers(ryder, ryder)
    (True, False)
    """
    return bool(a.keys and b.keys and not (a.keys & b.names) and not (b.keys & a.names))


__all__ = ["FEATURES", "VERIFIER", "Speakers", "different_speakers", "may_name_speaker",
           "may_speak", "score_pairs", "speakers", "speech_hashes", "verifier_logit"]
