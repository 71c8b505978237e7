"""Tests for dedup.features: df over distinct passages, information weights, overlap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dedup.features import FeatureTable, build_features, shared_weight
from dedup.signatures import WordHasher, ngram_features

HASHER = WordHasher()


def h(*words: str) -> int:
    """The feature hash of one n-gram (a pair in either order: its smaller word hash
    first)."""
    hashes = HASHER.hash_words(list(words))
    if len(words) == 2:
        hashes = np.sort(hashes)
    _, out = ngram_features(hashes, np.zeros(len(words), np.int64), (len(words),))
    return int(out[0])


def canon(gm: tuple[str, ...]) -> tuple[str, ...]:
    """The n-gram as the table counts it: a pair in either order is one pair."""
    return tuple(sorted(gm)) if len(gm) == 2 else gm


def weights_of(table: FeatureTable, u: int) -> dict[int, float]:
    f, w = table.features(u)
    return dict(zip(f.tolist(), w.tolist(), strict=True))


def df_of(table: FeatureTable, u: int) -> dict[int, int]:
    lo, hi = table.indptr[u], table.indptr[u + 1]
    return dict(zip(table.feats[lo:hi].tolist(), table.df[lo:hi].tolist(), strict=True))


def oracle(word_lists: list[list[str]], ngrams: tuple[int, ...],
           multipliers: list[list[float]] | None) -> list[dict[int, float]]:
    """Slow, direct version of the weighting rules, one Python set per passage."""
    distinct = {tuple(ws) for ws in word_lists if ws}
    n_distinct = len(distinct)
    df: dict[tuple[str, ...], int] = {}
    for ws in distinct:
        grams = {ws[i:i + n] for n in range(1, max(ngrams) + 1)
                 for i in range(len(ws) - n + 1)}
        for gm in {canon(g) for g in grams}:
            df[gm] = df.get(gm, 0) + 1

    def idf(gm: tuple[str, ...]) -> float:
        return math.log((n_distinct + 1) / df[canon(gm)])  # smoothed: never 0

    out = []
    for u, ws in enumerate(word_lists):
        mult = multipliers[u] if multipliers is not None else [1.0] * len(ws)
        feats: dict[int, float] = {}
        for n in ngrams:
            for i in range(len(ws) - n + 1):
                gm = tuple(ws[i:i + n])
                info = idf(gm)
                if n > 1:
                    info = max(info - max(idf(gm[:-1]), idf(gm[1:])), 0.0)
                w = info * min(mult[i:i + n])
                key = h(*gm)
                feats[key] = max(feats.get(key, 0.0), w)
        out.append(feats)
    return out


passages = st.lists(st.lists(st.sampled_from("abcdefg"), max_size=7), min_size=1, max_size=7)


@settings(max_examples=120, deadline=None)
@given(
    word_lists=passages,
    ngrams=st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True).map(
        lambda g: tuple(sorted(g))),
    data=st.data(),
)
def test_weights_match_slow_oracle(word_lists, ngrams, data) -> None:
    # Passages all shorter than every n-gram size crash build_features: see
    # test_passages_shorter_than_every_ngram_size below.
    assume(any(len(ws) >= min(ngrams) for ws in word_lists))
    multipliers = data.draw(st.none() | st.just(
        [[data.draw(st.sampled_from([0.3, 1.0, 1.5])) for _ in ws] for ws in word_lists]))
    table = build_features(word_lists, ngrams, multipliers=multipliers)
    expected = oracle(word_lists, ngrams, multipliers)
    assert table.n_distinct == len({tuple(ws) for ws in word_lists if ws})
    assert table.n_words.tolist() == [len(ws) for ws in word_lists]
    for u in range(len(word_lists)):
        got = weights_of(table, u)
        assert got.keys() == expected[u].keys()
        for k, w in got.items():
            assert w == pytest.approx(expected[u][k], abs=1e-9)
        assert table.total[u] == pytest.approx(sum(expected[u].values()), abs=1e-9)
        f, _ = table.features(u)
        assert (np.diff(f.astype(np.float64)) > 0).all() or len(f) < 2  # sorted unique


def test_exact_repeats_count_once_in_df() -> None:
    table = build_features([["kim", "met", "putin"], ["kim", "met", "putin"],
                            ["kim", "left", "seoul"]])
    assert table.n_distinct == 2
    assert table.key[0] == table.key[1] != table.key[2]
    assert df_of(table, 0)[h("met")] == 1  # in two passages, but one distinct passage
    assert df_of(table, 0)[h("kim")] == 2
    # idf = log((N + 1) / df) with N = 2 distinct passages.
    assert weights_of(table, 0)[h("met")] == pytest.approx(math.log(3))
    assert weights_of(table, 1) == weights_of(table, 0)


def test_feature_in_every_distinct_passage_weighs_least() -> None:
    word_lists = [["kim", "met", "putin"], ["kim", "left", "seoul"], ["kim", "slept"],
                  ["kim", "met", "putin"]]
    table = build_features(word_lists, (1,))
    floor = math.log((table.n_distinct + 1) / table.n_distinct)  # = log(4/3)
    for u in range(len(word_lists)):
        w = weights_of(table, u)
        assert w[h("kim")] == pytest.approx(floor)
        assert min(w.values()) == pytest.approx(floor)
    # Without the +1 smoothing it would weigh exactly 0 (no evidence at all); the
    # smoothing keeps material that every document shares findable.
    assert floor < 0.3 * math.log(table.n_distinct + 1)


def test_fixed_phrase_adds_nothing_over_its_parts() -> None:
    name = ["kim", "jong", "un"]
    word_lists = [name + ["visited", "moscow"], ["talks", "with"] + name, ["rain", "fell"],
                  ["markets", "rose"], ["kim", "jong", "un"]]
    table = build_features(word_lists)
    w = weights_of(table, 0)
    assert w[h("kim", "jong")] == pytest.approx(0.0, abs=1e-12)
    assert w[h("jong", "un")] == pytest.approx(0.0, abs=1e-12)
    assert w[h("kim", "jong", "un")] == pytest.approx(0.0, abs=1e-12)
    assert w[h("kim")] > 0
    # The phrase as a whole is worth about as much as one of its words.
    phrase = sum(w[k] for k in (h("kim"), h("jong"), h("un"), h("kim", "jong"),
                                h("jong", "un"), h("kim", "jong", "un")))
    assert phrase == pytest.approx(3 * w[h("kim")])
    assert w[h("visited", "moscow")] == pytest.approx(0.0)  # both words unique already


def test_rare_combination_of_common_words_weighs_more_than_zero() -> None:
    word_lists = [["a", "b"], ["a", "c"], ["b", "c"], ["c", "a"], ["d", "b"], ["d"]]
    table = build_features(word_lists, (1, 2))
    w = weights_of(table, 0)
    # N = 6: idf(a b) = log(7/1), idf(a) = log(7/3), idf(b) = log(7/3)
    assert w[h("a", "b")] == pytest.approx(math.log(7) - math.log(7 / 3))


def test_a_pair_of_words_counts_in_either_order() -> None:
    # "troops deployed" / "deployed troops": one pair, held by both passages.
    word_lists = [["troops", "deployed", "east"], ["east", "deployed", "troops"], ["calm"]]
    table = build_features(word_lists, (1, 2))
    assert h("troops", "deployed") == h("deployed", "troops")
    assert df_of(table, 0)[h("troops", "deployed")] == 2
    assert shared_weight(table, 0, 1) == pytest.approx(table.total[0])


def test_multipliers_take_the_smallest_factor_of_the_ngram() -> None:
    word_lists = [["kim", "said", "yes"], ["it", "rained"], ["sun", "shone"]]
    plain = build_features(word_lists, (1, 2))
    mult = [[0.3, 1.5, 1.0], [1.0, 1.0], [1.0, 1.0]]
    weighted = build_features(word_lists, (1, 2), multipliers=mult)
    p, w = weights_of(plain, 0), weights_of(weighted, 0)
    assert w[h("kim")] == pytest.approx(0.3 * p[h("kim")])
    assert w[h("said")] == pytest.approx(1.5 * p[h("said")])
    assert w[h("yes")] == pytest.approx(p[h("yes")])
    assert w[h("kim", "said")] == pytest.approx(0.3 * p[h("kim", "said")])
    assert w[h("said", "yes")] == pytest.approx(1.0 * p[h("said", "yes")])
    assert weights_of(weighted, 1) == weights_of(plain, 1)


@settings(max_examples=100, deadline=None)
@given(passages)
def test_shared_weight_symmetric_and_bounded(word_lists) -> None:
    table = build_features(word_lists)
    n = len(word_lists)
    for a in range(n):
        assert shared_weight(table, a, a) == pytest.approx(table.total[a])
        for b in range(a + 1, n):
            s = shared_weight(table, a, b)
            assert s == pytest.approx(shared_weight(table, b, a))
            assert 0.0 <= s <= min(table.total[a], table.total[b]) + 1e-9


def test_shared_weight_of_overlapping_passages() -> None:
    word_lists = [["troops", "crossed", "border"], ["troops", "crossed", "river"],
                  ["markets", "fell"], ["rain", "fell"]]
    table = build_features(word_lists, (1,))
    wa = weights_of(table, 0)
    assert shared_weight(table, 0, 1) == pytest.approx(wa[h("troops")] + wa[h("crossed")])
    assert shared_weight(table, 0, 2) == 0.0


def test_empty_input_and_empty_passages() -> None:
    table = build_features([[], ["a"], []])
    assert table.indptr.tolist() == [0, 0, 1, 1]
    assert table.n_distinct == 1
    assert table.total.tolist() == pytest.approx([0.0, math.log(2), 0.0])
    assert table.log_n == pytest.approx(math.log(2))
    none = build_features([[], []])
    assert none.indptr.tolist() == [0, 0, 0] and len(none.feats) == 0
    assert shared_weight(none, 0, 1) == 0.0


def test_passages_shorter_than_every_ngram_size() -> None:
    table = build_features([["a"], ["b"]], (2,))
    assert table.indptr.tolist() == [0, 0, 0]


def test_shared_stats_counts_verbatim_runs_of_plain_words() -> None:
    from dedup.features import shared_stats

    a = ["the", "troops", "crossed", "the", "river"]
    b = ["troops", "crossed", "the", "river", "today"]
    word_lists = [a, b, ["markets", "fell"]]
    table = build_features(word_lists)
    assert shared_stats(table, 0, 1) == (pytest.approx(shared_weight(table, 0, 1)), 2)
    assert shared_stats(table, 0, 2)[1] == 0
    # A run holding a topic word (a name, a number) is not counted.
    mult = [[1.0, 0.3, 1.0, 1.0, 1.0], [0.3, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0]]
    table = build_features(word_lists, multipliers=mult)
    assert shared_stats(table, 0, 1)[1] == 1  # "crossed the river" only


def test_chunked_build_gives_the_same_table(seeds_dir) -> None:
    """The two passes over runs of words give the same table whatever the run size
    and the number of threads."""
    from dedup import read_corpus
    from dedup.features import build_features_hashed
    from dedup.tokens import tokenize

    docs = read_corpus([seeds_dir]).documents
    t = tokenize(docs, topic_weight=0.3, quote_weight=1.5, workers=1)
    # a repeated passage must still count once in document frequency
    hashes = np.concatenate([t.hashes, t.hashes[:t.lengths[0]]])
    lengths = np.concatenate([t.lengths, t.lengths[:1]])
    whole = build_features_hashed(hashes, lengths, stock_df=200)
    for size, workers in ((1, 1), (97, 1), (5000, 1), (1, 3), (97, 2)):
        part = build_features_hashed(hashes, lengths, stock_df=200, chunk_words=size,
                                     workers=workers)
        for name in ("indptr", "feats", "weights", "gram", "df", "total", "plain", "fid",
                     "vocab", "vocab_df"):
            np.testing.assert_array_equal(getattr(whole, name), getattr(part, name))
    alone = build_features_hashed(t.hashes, t.lengths, stock_df=200, chunk_words=97)
    np.testing.assert_array_equal(whole.df[:len(alone.df)], alone.df)
    np.testing.assert_array_equal(whole.features(0)[1], whole.features(len(lengths) - 1)[1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(1, 12), min_size=1, max_size=15), min_size=2, max_size=12),
       st.integers(1, 5))
def test_shared_stats_bulk_equals_one_pair_at_a_time(passages: list[list[int]],
                                                     chunk: int) -> None:
    from dedup.features import build_features_hashed, shared_stats, shared_stats_bulk

    words = np.array([w for p in passages for w in p], dtype=np.uint64) * np.uint64(2654435761)
    table = build_features_hashed(words, np.array([len(p) for p in passages]))
    pairs = np.array([(i, j) for i in range(len(passages)) for j in range(i, len(passages))])
    shared, runs = shared_stats_bulk(table, pairs, chunk=chunk)
    threaded = shared_stats_bulk(table, pairs, chunk=chunk, workers=3)
    np.testing.assert_array_equal(threaded[0], shared)
    np.testing.assert_array_equal(threaded[1], runs)
    for (i, j), s, r in zip(pairs.tolist(), shared.tolist(), runs.tolist(), strict=True):
        want = shared_stats(table, i, j)
        assert math.isclose(s, want[0], rel_tol=1e-12, abs_tol=1e-12) and r == want[1]


def test_sequence_keys_in_threaded_runs_equal_one_run() -> None:
    from dedup.features import sequence_keys_hashed

    rng = np.random.default_rng(8)
    lengths = rng.integers(0, 12, 500)
    hashes = rng.integers(0, 2**63, int(lengths.sum()), dtype=np.int64).astype(np.uint64)
    hashes[:5] = hashes[5:10]  # some repeats
    one = sequence_keys_hashed(hashes, lengths, block=1 << 30)
    for block, workers in ((7, 1), (50, 3), (1, 2)):
        assert np.array_equal(sequence_keys_hashed(hashes, lengths, block=block,
                                                   workers=workers), one)
    assert (one[lengths == 0] == 0).all() and (one[lengths > 0] != 0).all()


def test_word_ids_in_threaded_blocks_are_the_ranks_of_the_hashes() -> None:
    from dedup.pipeline import _word_ids

    rng = np.random.default_rng(9)
    rep_len = rng.integers(1, 9, 40)
    rep_hashes = rng.integers(0, 30, int(rep_len.sum())).astype(np.uint64)
    rep_of = rng.integers(0, 40, 120)
    lengths = rep_len[rep_of]
    starts = np.cumsum(rep_len) - rep_len
    words = np.concatenate([rep_hashes[starts[r]:starts[r] + rep_len[r]] for r in rep_of])
    want = np.unique(words, return_inverse=True)[1].reshape(-1)
    assert len(np.unique(words)) == len(np.unique(rep_hashes))
    for block, workers in ((1 << 22, 1), (16, 3), (5, 2)):
        ids, vocab, rep_ids = _word_ids(rep_hashes, rep_len, rep_of, lengths, block=block,
                                        workers=workers)
        assert ids.tolist() == want.tolist()
        assert vocab.tolist() == np.unique(rep_hashes).tolist()
        assert (vocab[rep_ids] == rep_hashes).all()


def test_weighing_by_one_key_or_three_gives_the_same_table(monkeypatch) -> None:
    from dedup import features

    rng = np.random.default_rng(10)
    vocab = "a b c d e f g h i j k l".split()
    lists = [[vocab[i] for i in rng.integers(0, len(vocab), rng.integers(0, 15))]
             for _ in range(200)]
    lists += lists[:20]  # repeats: n-grams in several passages
    one = features.build_features(lists)
    monkeypatch.setattr(features, "ONE_KEY_LIMIT", 0)
    three = features.build_features(lists)
    for name in ("fid", "weights", "gram", "indptr", "total"):
        assert np.array_equal(getattr(one, name), getattr(three, name)), name


def test_prior_frequencies_given_per_word_give_the_same_table() -> None:
    """The pipeline looks the prior up once per distinct word and passes each word's
    frequency in; the table is the one the prior's own lookup per word gives."""
    from dedup.features import WordPrior, build_features_hashed

    rng = np.random.default_rng(12)
    vocab = np.unique(rng.integers(0, 2**63, 60).astype(np.uint64))
    lengths = rng.integers(0, 12, 300)
    wh = vocab[rng.integers(0, len(vocab), int(lengths.sum()))]
    prior = WordPrior(vocab[::3], np.linspace(1e-5, 0.03, len(vocab[::3])), "test")
    plain = build_features_hashed(wh, lengths, prior=prior, prior_passages=50.0)
    given = build_features_hashed(wh, lengths, prior=prior, prior_passages=50.0,
                                  word_freq=prior.lookup(vocab)[np.searchsorted(vocab, wh)])
    for name in ("fid", "weights", "gram", "indptr", "total", "vocab", "vocab_df"):
        assert np.array_equal(getattr(plain, name), getattr(given, name)), name
    assert plain.weights.sum() > 0
