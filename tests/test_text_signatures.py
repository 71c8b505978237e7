"""Tests for dedup.signatures.text_signatures: the fast path equals a slow, obviously
right one (characters classified one by one, n-gram hashes built one by one, signed
by datasketch itself), whatever the batch size or the number of processes."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import bench_signatures
from dedup.errors import ParameterError
from dedup.normalize import APOSTROPHES, INVISIBLE, norm_word
from dedup.signatures import (
    _BATCH_CHARS,
    MinHashParams,
    _spans,
    _Vocab,
    text_signatures,
    text_words,
)

M64 = 2**64
K = 0x9E3779B97F4A7C15


# ------------------------------------------------------------------ the slow oracle


def slow_words(text: str) -> list[str]:
    """The documented rule, one character at a time."""
    raw: list[str] = []
    cur: list[str] = []
    for ch in text:
        if ch in APOSTROPHES:
            cur.append("'")
            continue
        if ch in INVISIBLE:
            continue
        cat = unicodedata.category(ch)
        if ch.isspace() or (ord(ch) < 0x10000 and (cat[0] in "PS" or cat in ("Cc", "Cf"))):
            if cur:
                raw.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        raw.append("".join(cur))
    forms = (norm_word(w) for w in raw)
    return [f for f in forms if f]


def fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) % M64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) % M64
    return h ^ (h >> 33)


def word_hash(form: str) -> int:
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest(),
                          "little")


def slow_ngram_values(text: str, n: int) -> list[int]:
    """Each n-gram's 64-bit hash built word by word, folded to 32 bits."""
    hs = [word_hash(w) for w in slow_words(text)]
    out = []
    for i in range(len(hs) - n + 1):
        h = (n * K) % M64
        for w in hs[i:i + n]:
            h = fmix64((h * K + w) % M64)
        out.append((h ^ (h >> 32)) & 0xFFFFFFFF)
    return out


def slow_signature(text: str, params: MinHashParams, n: int) -> np.ndarray:
    m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=lambda x: x)
    values = slow_ngram_values(text, n)
    if values:
        m.update_batch(values)
    return np.asarray(m.hashvalues, dtype=np.uint32)


# ------------------------------------------------------------------------ fixtures

NEWS = [
    "The \u201cNorth Korea\u2019s\u201d missile test \u2014 its third this year \u2014 "
    "was condemned on Tuesday by 12,000 protesters, officials said.",
    "Officials said the bridge collapse injured forty workers on Monday night; "
    "rescue teams worked through the night.",
    "Don't panic: the CEO's e-mail (sent at 3.30pm) said \u2018all is well\u2019.",
    "Internationalisation\u2014counter-revolutionary\u2013characteristics "
    "supercalifragilisticexpialidocious' words run long\u00a0here.",
    "\u0627\u0633\u0644\u0627\u0645 \u0622\u0628\u0627\u062f \u0645\u06cc\u06ba "
    "\u0628\u0627\u0631\u0634 \u06a9\u06d2 \u0628\u0639\u062f \u0633\u0631\u062f\u06cc "
    "\u0628\u0691\u06be \u06af\u0626\u06cc\u06d4",
    "soft\u00adhyphen and zero\u200bwidth and \uff21\uff22\uff23 fullwidth and "
    "\ufb01nance ligatures, \u00bdhalf and \u2460 circled words everywhere",
    "TOO short",
    "",
    "' '' ` \u2019s \u2014 \u2014 - - ... !!!",
    "Caf\u00e9 caf\u00e9 CAFE\u0301 cafe\u0301 Stra\u00dfe STRASSE strasse \u0130stanbul",
    "tab\tnewline\ncr\rnul\x00bell\x07del\x7fnel\x85ls\u2028ps\u2029end of it all",
]


# --------------------------------------------------------------------------- tests


def test_text_words_equals_the_character_rule() -> None:
    for text in NEWS:
        assert text_words(text) == slow_words(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_text_words_any_text(text: str) -> None:
    assert text_words(text) == slow_words(text)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(
    list("abcXY '\u2019`-\u2014\u201c,.\u00a0\u00ad\u200b\t\x00\u00e9\u0301\u0627\u06d4")
    + ["longlonglonglonglong", "\u00dfword", "\u0130", "abcdefgh", "12345678x"]),
    max_size=40).map("".join), max_size=12))
def test_byte_path_finds_the_same_words(texts: list[str]) -> None:
    vocab = _Vocab()
    for _ in range(2):  # cold, then warm vocabulary
        hashes, unit = vocab.words(texts)
        want = [(i, word_hash(w)) for i, t in enumerate(texts) for w in slow_words(t)]
        assert unit.tolist() == [i for i, _ in want]
        assert hashes.tolist() == [h for _, h in want]


def test_vocabulary_grows_past_its_first_table() -> None:
    texts = [" ".join(f"w{i}x{j}" for j in range(40)) for i in range(1200)]
    vocab = _Vocab()
    hashes, _ = vocab.words(texts)
    assert vocab.table.count == 48000 and len(vocab.table.lo) >= 2 * 48000
    assert hashes.tolist() == [word_hash(w) for t in texts for w in slow_words(t)]
    again, _ = vocab.words(texts[::-1])
    assert sorted(again.tolist()) == sorted(hashes.tolist())


@pytest.mark.parametrize("batch", [1, 3, 1000])
@pytest.mark.parametrize("ngram", [1, 2, 5])
def test_equals_slow_path(batch: int, ngram: int) -> None:
    params = MinHashParams(num_perm=32, seed=7)
    sig = text_signatures(NEWS, params, ngram=ngram, batch=batch)
    assert sig.shape == (len(NEWS), 32) and sig.dtype == np.uint32
    for text, row in zip(NEWS, sig, strict=True):
        np.testing.assert_array_equal(row, slow_signature(text, params, ngram))


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(st.text(alphabet=st.sampled_from(list("ab c\u2014'\u00e9.")),
                              max_size=30), min_size=1, max_size=6))
def test_equals_slow_path_random(texts: list[str]) -> None:
    params = MinHashParams(num_perm=16)
    sig = text_signatures(texts, params, ngram=2, batch=2)
    for text, row in zip(texts, sig, strict=True):
        np.testing.assert_array_equal(row, slow_signature(text, params, 2))


def test_short_and_empty_documents_get_the_empty_signature() -> None:
    params = MinHashParams(num_perm=16)
    sig = text_signatures(["", "one two three four", "\u2014 \u2014", "a b c d e"], params)
    assert (sig[:3] == 2**32 - 1).all()
    assert (sig[3] < 2**32 - 1).all()
    empty = MinHash(num_perm=16, seed=params.seed)
    np.testing.assert_array_equal(sig[0], np.asarray(empty.hashvalues, dtype=np.uint32))
    assert text_signatures([], params).shape == (0, 16)


def test_processes_give_identical_output() -> None:
    texts = [f"{t} story {i} " * (1 + i % 3) for i in range(40) for t in NEWS[:3]]
    params = MinHashParams(num_perm=64)
    one = text_signatures(texts, params, batch=7)
    two = text_signatures(texts, params, processes=2, batch=7)
    three = text_signatures(texts, params, processes=3, batch=11)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one, three)


def test_batches_stop_at_a_count_or_a_size() -> None:
    texts = ["x" * 10] * 7 + ["y" * (_BATCH_CHARS + 5)] + ["z" * (_BATCH_CHARS // 2)] * 3
    spans = _spans(texts, 3)
    assert spans[0][0] == 0 and spans[-1][1] == len(texts)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert spans == [(0, 3), (3, 6), (6, 7), (7, 8), (8, 10), (10, 11)]
    assert _spans([], 5) == []


def test_deterministic_and_order_independent() -> None:
    params = MinHashParams(num_perm=32)
    a = text_signatures(NEWS, params, batch=2)
    b = text_signatures(NEWS[::-1], params, batch=5)[::-1]
    np.testing.assert_array_equal(a, b)


def test_near_copies_estimate_their_jaccard() -> None:
    base = NEWS[0] + " " + NEWS[1]
    sig = text_signatures([base, base.replace("forty", "fifty"), NEWS[2] * 3],
                          MinHashParams(num_perm=256))
    assert (sig[0] == sig[1]).mean() > 0.5
    assert (sig[0] == sig[2]).mean() < 0.1


@pytest.mark.parametrize("kwargs", [{"ngram": 0}, {"ngram": 13}, {"processes": 0},
                                    {"batch": 0}])
def test_bad_parameters_say_the_bound(kwargs: dict[str, int]) -> None:
    with pytest.raises(ParameterError, match="must be"):
        text_signatures(["a b c"], MinHashParams(), **kwargs)


def test_benchmark_smoke(tmp_path: Path) -> None:
    r = bench_signatures.run(120, processes=2, cache_dir=tmp_path, memory_trace=False)
    assert r["docs"] == 120 and r["identical_across_processes"]
    assert r["datasketch"]["seconds"] > 0 and r["text_signatures_1"]["seconds"] > 0
    assert set(r["lsh"]) == {"datasketch_default", "dedup_for_recall"}
    for lsh in r["lsh"].values():
        assert lsh["same_candidates"], lsh
    assert r["lsh"]["dedup_for_recall"]["candidate_pairs"] > 0
    assert 0.0 <= r["jaccard_agreement"]["mean_abs_diff"] < 0.2
