"""The verifier: pair evidence against a slow oracle, the fitted logistic model, and
the two ways ``find`` decides a pair (``match="shared"`` / ``"paraphrase"``)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.msrp import fit_logistic
from dedup import FindParams, find
from dedup.errors import ParameterError
from dedup.evidence import (
    FEATURES,
    TABLE_FEATURES,
    numbers,
    pair_evidence,
    table_features,
    text_features,
    unmatched_numbers,
)
from dedup.features import build_features, shared_stats
from dedup.models import Corpus, Document
from dedup.verify import VERIFIER, score_pairs, verifier_logit

WORDS = ("troops deployed russia north korea soldiers border training kursk region "
         "officials said thousands arrived frontline ukraine intelligence").split()


def _table(seed: int = 0, n: int = 30):
    rng = np.random.default_rng(seed)
    lists = [[WORDS[i] for i in rng.integers(0, len(WORDS), rng.integers(3, 14))]
             for _ in range(n)]
    return build_features(lists), lists


def _all_pairs(n: int) -> np.ndarray:
    return np.array([(i, j) for i in range(n) for j in range(i, n)], dtype=np.int64)


def test_pair_evidence_agrees_with_the_one_pair_oracle() -> None:
    table, _ = _table()
    pairs = _all_pairs(30)
    ev = pair_evidence(table, pairs, chunk=97)  # several chunks
    for k, (a, b) in enumerate(pairs.tolist()):
        shared, runs = shared_stats(table, a, b)
        assert ev.shared[k] == pytest.approx(shared)
        assert ev.runs[k] == runs
        fa, _ = table.features(a)
        fb, _ = table.features(b)
        common = np.intersect1d(fa, fb)
        ga = dict(zip(fa.tolist(), table.gram[table.indptr[a]:table.indptr[a + 1]].tolist(),
                      strict=True))
        for g in (1, 2, 3):
            assert ev.count_shared[k, g - 1] == sum(ga[f] == g for f in common.tolist())
            assert ev.count_a[k, g - 1] == sum(v == g for v in ga.values())


def test_table_features_are_symmetric_and_bounded() -> None:
    table, _ = _table(seed=1)
    pairs = _all_pairs(30)
    x = table_features(pair_evidence(table, pairs), table.log_n)
    y = table_features(pair_evidence(table, pairs[:, ::-1].copy()), table.log_n)
    assert x.shape == (len(pairs), len(TABLE_FEATURES))
    np.testing.assert_allclose(x, y)
    assert np.isfinite(x).all()
    shares = [TABLE_FEATURES.index(n) for n in ("cosine", "containment_min", "containment_max",
                                                "overlap_min", "overlap_max", "length_ratio")]
    assert (x[:, shares] >= 0).all() and (x[:, shares] <= 1 + 1e-9).all()
    same = pairs[:, 0] == pairs[:, 1]
    assert np.allclose(x[same, TABLE_FEATURES.index("containment_min")], 1.0)


def test_numbers_fold_their_formats() -> None:
    assert numbers("about 12,000 troops") == numbers("about “12000” troops") == {"12000"}
    assert unmatched_numbers("12,000 troops by December", "12000 soldiers in December") == 0
    assert unmatched_numbers("$2.5 billion in 1998", "$1.8 billion in 1998") == 2
    assert text_features("no figures here", "none there either") == (0.0,)


def test_recorded_verifier_has_one_weight_per_feature_and_text_only_lowers() -> None:
    assert len(VERIFIER) == 1 + len(FEATURES)
    assert all(w <= 0 for w in VERIFIER[1 + len(TABLE_FEATURES):])
    assert FindParams().to_dict()["verifier"]["intercept"] == VERIFIER[0]


def test_fit_logistic_separates_and_keeps_penalties_non_positive() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(float)
    coef = fit_logistic(x, y)
    assert coef[1] > 1.0
    acc = ((verifier_logit(x, coef) >= 0) == (y == 1)).mean()
    assert acc > 0.85
    # A feature that can only lower the score: a positive fit is dropped to 0.
    bad = fit_logistic(np.column_stack([x[:, 0], y]), y, non_positive=(1,))
    assert bad[2] == 0.0


def test_parameters_check_the_verifier() -> None:
    with pytest.raises(ParameterError, match="match must be"):
        FindParams(match="meaning")
    with pytest.raises(ParameterError, match="coefficients"):
        FindParams(verifier=(0.0, 1.0))
    with pytest.raises(ParameterError, match="verifier_threshold"):
        FindParams(verifier_threshold=1.5)
    assert FindParams().pair_threshold == FindParams().threshold
    assert FindParams(match="paraphrase").pair_threshold == 0.5


def _oracle(table, a: int, b: int, params: FindParams) -> float:
    """The score :func:`score_pairs` gives one pair, spelled out."""
    shared, runs = shared_stats(table, a, b)
    ta, tb = float(table.total[a]), float(table.total[b])
    if table.key[a] == table.key[b] and table.n_words[a] >= params.min_exact_words:
        return 1.0
    if params.match == "paraphrase":
        x = table_features(pair_evidence(table, np.array([[a, b]])), table.log_n)
        return round(1.0 / (1.0 + np.exp(-verifier_logit(x, params.verifier)[0])), 4)
    enough = shared >= params.min_evidence * table.log_n or runs >= params.min_shared_run
    if not enough or ta <= 0 or tb <= 0:
        return 0.0
    return round(min(shared / (ta * tb) ** 0.5, 1.0), 4)


@pytest.mark.parametrize("match", ["shared", "paraphrase"])
def test_scores_follow_the_oracle(match: str) -> None:
    table, _ = _table(seed=2, n=40)
    pairs = _all_pairs(40)
    params = FindParams(match=match, min_evidence=1.0)
    score, _, _ = score_pairs(table, pairs, params)
    want = [_oracle(table, a, b, params) for a, b in pairs.tolist()]
    np.testing.assert_allclose(score, want, atol=1e-4)
    passed = score >= params.pair_threshold
    assert 0 < passed.sum() < len(pairs)  # both outcomes occur


WIRE = ("The company sold the supermarket chain to a rival grocer for $2.5 billion in 1998, "
        "its chief executive told shareholders.")
REWORDED = ("Its chief executive told shareholders the company sold the supermarket chain to "
            "a rival grocer in 1998 for $2.5 billion.")
CHANGED = ("The company bought the supermarket chain in 1995 for $693 million and sold it to "
           "a rival grocer for $1.8 billion in 1998.")
FILLER = ("Analysts expect the merger review to last several months. Regulators have not yet "
          "commented on the proposal.")


def _verified(match: str, a: str, b: str) -> float:
    docs = (Document("a", FILLER + " " + a, "a"), Document("b", b, "b"))
    r = find(Corpus(docs), FindParams(match=match, prior="none"))
    return max(r.sentence_scores.tolist(), default=0.0)


def test_paraphrase_mode_keeps_a_reworded_sentence_and_ranks_changed_facts_lower() -> None:
    reworded = _verified("paraphrase", WIRE, REWORDED)
    assert reworded >= 0.5
    assert _verified("paraphrase", WIRE, CHANGED) < reworded


def test_a_clause_added_to_a_wire_sentence_is_shared_material_not_a_paraphrase() -> None:
    # find's default question is "shared material?"; MSRP's (match="paraphrase") is
    # "same meaning?", and a sentence with more information is not a paraphrase.
    added = WIRE[:-1] + ", a deal that analysts said reshaped the regional grocery market."
    assert _verified("shared", WIRE, added) > 0
    assert _verified("paraphrase", WIRE, added) == 0.0


def test_a_changed_number_lowers_the_verifier_score() -> None:
    other = REWORDED.replace("$2.5 billion", "$1.8 billion")
    same, changed = _verified("paraphrase", WIRE, REWORDED), _verified("paraphrase", WIRE, other)
    assert same > changed


def test_paraphrase_mode_lets_the_verifier_see_every_pair_sharing_rare_wording(
    seeds_dir,
) -> None:
    """The exact join's evidence bar is for the default rule; the paraphrase verifier
    has no evidence floor and weighs every pair that shares a rare n-gram itself."""
    from dedup import FindParams, find, read_corpus

    seeds_corpus = read_corpus([seeds_dir])
    shared = find(seeds_corpus, FindParams(), keep_candidates=True).candidates
    para = find(seeds_corpus, FindParams(match="paraphrase"), keep_candidates=True).candidates
    as_set = lambda c: {tuple(sorted(p)) for p in c.tolist()}  # noqa: E731
    assert as_set(shared) < as_set(para)


@pytest.mark.parametrize("match", ["shared", "paraphrase"])
def test_speakers_read_on_forked_workers_score_as_in_one_process(monkeypatch, match) -> None:
    """The speaker rule's texts read on 3 forked processes: the same scores, and the
    rule still lowers the pairs whose sentences name different speakers."""
    from dedup import verify

    speakers = ["Pentagon spokesman Pat Ryder", "Pentagon spokeswoman Sabrina Singh",
                "Defence minister Rustem Umerov", "the official"]
    texts = []
    rng = np.random.default_rng(4)
    bodies = [" ".join(WORDS[i] for i in rng.integers(0, len(WORDS), 12)) for _ in range(3)]
    for k in range(40):
        words = [bodies[k % 3], *(WORDS[i] for i in rng.integers(0, len(WORDS), 2))]
        texts.append(f"\u201c{' '.join(words)} troops deployed north korea kursk,\u201d "
                     f"{speakers[k % len(speakers)]} said.")
    lists = [t.replace("\u201c", "").replace("\u201d", "").replace(",", "").rstrip(".")
             .lower().split() for t in texts]
    table = build_features(lists)
    pairs = np.array([(i, j) for i in range(40) for j in range(i + 1, 40)], dtype=np.int64)
    params = FindParams(match=match)
    one = score_pairs(table, pairs, params, text_of=texts.__getitem__)
    plain = score_pairs(table, pairs, params)
    assert (one[0] < plain[0]).any()  # the speaker rule fired
    monkeypatch.setattr(verify, "PARALLEL_MIN_TEXTS", 1)
    many = score_pairs(table, pairs, params, text_of=texts.__getitem__, workers=3)
    for x, y in zip(one, many, strict=True):
        assert np.array_equal(x, y)


@pytest.mark.parametrize("match", ["shared", "paraphrase"])
def test_passages_without_a_verb_of_saying_are_not_read_for_speakers(monkeypatch,
                                                                      match) -> None:
    """With ``speaks`` (from the word hashes), the speaker rule reads only passages
    that may name a speaker, paired with another that may: the same scores."""
    from dedup import verify

    rng = np.random.default_rng(7)
    quiet = [w for w in WORDS if w != "said"]
    bodies = [" ".join(quiet[i] for i in rng.integers(0, len(quiet), 12)) for _ in range(3)]
    names = ["Pentagon spokesman Pat Ryder", "Pentagon spokeswoman Sabrina Singh",
             "Defence minister Rustem Umerov", "the official"]
    texts = [f"\u201c{bodies[k % 3]} {quiet[k % len(quiet)]} troops deployed kursk,\u201d "
             f"{names[k % 4]} said." for k in range(24)]
    # and six that name no one
    texts += [f"{bodies[k % 3]} {quiet[k]} troops deployed kursk arrived." for k in range(6)]
    lists = [t.replace("\u201c", "").replace("\u201d", "").replace(",", "").rstrip(".")
             .lower().split() for t in texts]
    table = build_features(lists)
    pairs = np.array([(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))],
                     dtype=np.int64)
    speaks = np.array([verify.may_name_speaker(t) for t in texts])
    assert speaks[:24].all() and not speaks[24:].any()
    read: list[str] = []
    real = verify.speakers
    monkeypatch.setattr(verify, "speakers", lambda t: read.append(t) or real(t))
    params = FindParams(match=match)
    plain = score_pairs(table, pairs, params, text_of=texts.__getitem__)
    assert set(read) == set(texts[:24])  # read are those that may name a speaker
    read.clear()
    fewer = score_pairs(table, pairs, params, text_of=texts.__getitem__, speaks=speaks)
    assert read and set(read) <= set(texts[:24])
    for x, y in zip(plain, fewer, strict=True):
        assert np.array_equal(x, y)
    assert (plain[0] < score_pairs(table, pairs, params)[0]).any()  # the rule fired
    # a passage marked as naming no one is never read, and never lowers a score
    read.clear()
    none = score_pairs(table, pairs, params, text_of=texts.__getitem__,
                       speaks=np.zeros(len(texts), dtype=bool))
    assert read == []
    assert (none[0] >= plain[0]).all()
