"""The tokenising stage: parallel and serial runs agree, and copies collapse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import find, read_corpus
from dedup import tokens as tokens_mod
from dedup.features import build_features, build_features_hashed, sequence_keys
from dedup.models import Document
from dedup.report.jsonout import dumps, result_to_dict
from dedup.signatures import WordHasher
from dedup.tokens import WordForms, tokenize, tokenize_docs


def _same(a: tokens_mod.Tokens, b: tokens_mod.Tokens) -> None:
    for name in tokens_mod.Tokens.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_workers_give_the_same_tokens_and_the_same_result(
        seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = read_corpus([seeds_dir])
    serial = tokenize(corpus.documents, topic_weight=0.3, quote_weight=1.5, workers=1)
    monkeypatch.setattr(tokens_mod, "PARALLEL_MIN_CHARS", 0)
    parallel = tokenize(corpus.documents, topic_weight=0.3, quote_weight=1.5, workers=2)
    _same(serial, parallel)
    assert len(serial.doc) > 100 and set(serial.doc.tolist()) == set(range(5))
    one = dumps(result_to_dict(find(corpus, workers=1)))
    two = dumps(result_to_dict(find(corpus, workers=2)))
    assert one == two


def test_word_hashes_match_the_word_hasher() -> None:
    text = "“Russia’s troops,” NATO said. Officials met 12,000 farmers."
    tok = tokenize_docs([text], 0, WordForms(0.3, 1.5))
    assert tok.start.tolist() == [0, 30] and tok.lengths.tolist() == [4, 4]
    words = ["russia", "troop", "nato", "said", "official"]
    assert tok.hashes[:5].tolist() == WordHasher().hash_words(words).tolist()
    # quoted words x1.5; a capitalised word inside the sentence x0.3; a number is
    # an ordinary word (weighed by its rarity in the features, not down-weighted)
    assert tok.factors.tolist() == [1.5, 1.5, 0.3, 1.0, 1.0, 1.0, 1.0, 1.0]


def test_hashed_features_equal_the_word_list_path() -> None:
    lists = [["the", "bridge", "fell"], ["a", "b", "c", "d"], ["the", "bridge", "fell"], []]
    hasher = WordHasher()
    flat = hasher.hash_words([w for ws in lists for w in ws])
    lengths = np.array([len(w) for w in lists])
    a = build_features(lists)
    b = build_features_hashed(flat, lengths)
    for name in ("indptr", "feats", "weights", "key", "total"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    keys = sequence_keys(lists)
    assert keys[0] == keys[2] != keys[1] and keys[3] == 0


def test_copies_are_scored_once_and_every_copy_is_matched(tmp_path: Path) -> None:
    wire = ("Officials confirmed the bridge collapse injured forty workers on Monday "
            "night after weeks of warnings from engineers.")
    docs = tuple(Document(f"d{i}", f"Local lead number {i} here. {wire}", f"o{i}")
                 for i in range(6))
    from dedup.models import Corpus
    result = find(Corpus(docs))
    wire_clusters = [c for c in result.clusters if c.kind == "cross-document"
                     and len(c.passages) == 6]
    assert len(wire_clusters) == 1
    assert len(wire_clusters[0].pairs) == 15  # every pair of the six copies
    assert result.stats["distinct_passages"] < result.stats["passages"]


def test_scripts_without_spaces_are_hashed_as_character_bigrams() -> None:
    text = "NATO称青溪水库12 000名。「水位」"
    forms = WordForms(0.3, 1.5)
    # One word per letter (offsets and counts as the aligner's), each hashed with
    # the letter that follows it in the same run; the last one of a run alone.
    assert forms.keys(text, 0, len(text)) == [
        "NATO", "称青", "青溪", "溪水", "水库", "库", "12 000", "名", "水位", "位"]
    tok = tokenize_docs([text], 0, forms)
    assert tok.lengths.tolist() == [8, 2]
    expected = ["nato", "称青", "青溪", "溪水", "水库", "库", "12000", "名", "水位", "位"]
    assert tok.hashes.tolist() == WordHasher().hash_words(expected).tolist()
    # 「」 quote: x1.5; the number is an ordinary word
    assert tok.factors.tolist() == [1.0] * 8 + [1.5, 1.5]


_mixed = st.lists(st.sampled_from(
    ["The", "troops", "NATO", "12,000", "12 000", "3.5", "Korea\u2019s", " ", ", ", ". ",
     "\u201c", "\u201d", "\n", "\u0627\u0631\u062f\u0648", "caf\u00e9"]), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(_mixed)
def test_the_spaceless_path_changes_nothing_on_other_text(text: str) -> None:
    a_h: list[int] = []
    a_f: list[float] = []
    b_h: list[int] = []
    b_f: list[float] = []
    forms = WordForms(0.3, 1.5)
    n = forms(text, 0, len(text), a_h, a_f, spaceless=False)
    assert forms(text, 0, len(text), b_h, b_f, spaceless=True) == n
    assert (a_h, a_f) == (b_h, b_f)
