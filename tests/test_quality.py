"""Named fixtures for what verification counts as shared material: two spokespeople's
quotations that share words are not; one source's statement told in other words is."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import FindParams, find
from dedup.features import WordPrior, build_features, form_hash, word_prior
from dedup.models import Corpus, Document
from dedup.normalize import norm_word
from dedup.signatures import WordHasher, ngram_features
from dedup.tokens import WordForms, tokenize_docs
from dedup.verify import _SPEECH, different_speakers, may_name_speaker, may_speak, speakers

RYDER = ("\u201cAll indications are that they will provide some sort of combat or combat "
         "support capability against Ukrainian forces,\u201d Pentagon spokesman Pat Ryder said.")
SINGH = ("\u201cWe are increasingly concerned that Russia intends to use these soldiers in "
         "combat or to support combat operations against Ukrainian forces,\u201d Pentagon "
         "spokeswoman Sabrina Singh said.")
# Filler so that the corpus has ordinary sentences to weigh the quotes against.
FILLER_A = ("The weather in the capital stayed mild through the weekend. Markets opened "
            "higher on Monday after a quiet week. ")
FILLER_B = ("A new bridge opened to traffic in the north of the city. Schools reopened "
            "after the autumn holiday on Tuesday. ")


def _pairs(docs: list[Document], params: FindParams) -> set[tuple[str, str]]:
    r = find(Corpus(tuple(docs)), params)
    return {(r.passages[a].doc, r.passages[b].doc) for a, b in r.sentence_pairs.tolist()}


def test_speakers_are_the_names_next_to_a_verb_of_saying() -> None:
    assert speakers(RYDER).keys == {"ryder"}
    assert speakers(SINGH).keys == {"singh"}
    gur = "Ukraine\u2019s GUR military intelligence said they had arrived."
    assert speakers(gur).keys == {"gur"}
    assert speakers("Troops arrived, according to Park Sun-won, a lawmaker.").keys == {"sun"}
    # A name inside the quotation is not the speaker; a pronoun names no one.
    assert speakers("He said \u201cPutin will lose\u201d on Monday.").keys == frozenset()


def test_different_speakers_need_two_named_speakers_who_differ() -> None:
    ryder, singh = speakers(RYDER), speakers(SINGH)
    assert different_speakers(ryder, singh)
    assert not different_speakers(ryder, speakers("Ryder told reporters the same."))
    # One side names no speaker: no evidence either way.
    assert not different_speakers(ryder, speakers("Combat support capability is expected."))
    # "Ukraine" and "Ukrainian" are one source.
    assert not different_speakers(speakers("According to Ukrainian intelligence, 12,000 came."),
                                  speakers("Ukraine said about 12,000 troops came."))


def test_two_spokespeoples_quotes_sharing_words_are_not_one_passage() -> None:
    docs = [Document("a", FILLER_A + RYDER, "a"), Document("b", FILLER_B + SINGH, "b")]
    assert _pairs(docs, FindParams(speaker_penalty=0.0)) == {("a", "b")}  # words alone match
    assert _pairs(docs, FindParams()) == set()


def test_one_speakers_quote_reworded_around_it_still_matches() -> None:
    other = ("Some sort of combat or combat support capability against Ukrainian forces is "
             "what all indications point to, Ryder told reporters at the Pentagon.")
    docs = [Document("a", FILLER_A + RYDER, "a"), Document("b", FILLER_B + other, "b")]
    assert _pairs(docs, FindParams()) == {("a", "b")}


def test_parameters_record_the_prior_and_its_version() -> None:
    d = FindParams().to_dict()
    prior = word_prior(tuple(FindParams().prior_languages))
    assert d["prior_source"] == (prior.source if prior is not None else "none")
    assert FindParams(prior="none").to_dict()["prior_source"] == "none"


def _unigram_weight(table, u: int, word: str) -> float:
    f, w = table.features(u)
    _, (key,) = ngram_features(WordHasher().hash_words([word]), np.zeros(1, np.int64), (1,))
    return float(w[list(f.tolist()).index(int(key))])


def test_prior_discounts_common_words_and_fades_as_the_corpus_grows() -> None:
    # "said" is common in general language, "budanov" is not; in a tiny corpus both are
    # in one passage, so only the prior tells them apart.
    prior = WordPrior(np.array([form_hash("said")], np.uint64), np.array([0.01]), "test")
    small = [["budanov", "said"], ["x", "y"]]
    plain = build_features(small, (1,), stock_df=200)
    blended = build_features(small, (1,), stock_df=200, prior=prior, prior_passages=1000.0)
    assert _unigram_weight(plain, 0, "said") == pytest.approx(_unigram_weight(plain, 0, "budanov"))
    assert _unigram_weight(blended, 0, "said") < 0.8 * _unigram_weight(blended, 0, "budanov")
    # In a large corpus that holds "said" once, its rarity there is what counts.
    big = small + [[f"w{i}", f"v{i}"] for i in range(20_000)]
    grown = build_features(big, (1,), stock_df=200, prior=prior, prior_passages=1000.0)
    assert _unigram_weight(grown, 0, "said") == pytest.approx(
        _unigram_weight(grown, 0, "budanov"))


def test_an_unknown_prior_name_is_refused() -> None:
    from dedup.errors import ParameterError

    with pytest.raises(ParameterError, match="prior must be"):
        FindParams(prior="zipf")
    with pytest.raises(ParameterError, match="prior_passages"):
        FindParams(prior_passages=-1.0)


def test_seeds_labels_resolve_and_different_speakers_are_not_reported() -> None:
    from benchmarks import seeds_quality

    figures, result = seeds_quality.run()
    labels = seeds_quality.load_labels(result)
    assert {x.kind for x in labels} == {"distinctive-wording", "heavily-reworded",
                                        "not-shared", "ambiguous"}
    reported = {(p["a"], p["b"]) for p in figures["pairs"]}
    named = [x for x in labels if x.note.startswith("different speakers: Pat Ryder")
             or x.note.startswith("different speakers: Rutte")
             or x.note.startswith("different sources: Kovalenko")]
    assert len(named) == 4
    assert not reported & {(x.a, x.b) for x in named}
    assert figures["recall"]["distinctive-wording"]["labelled"] == 12


_SPEECHY = st.sampled_from(["said", "SAID", "Said", "says", "told", "according", "to",
                            "Ryder", "Pentagon", "spokesman", "the", "\u201cWe", "win,\u201d",
                            "Kim\u2019s", "N\u00e1rodn\u00ed", "\u8aaa", "12,000", "posted"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPEECHY, max_size=14), st.sampled_from([" ", "\u00a0", ", ", ". "]))
def test_may_name_speaker_never_hides_a_speaker(words: list[str], sep: str) -> None:
    # The cheap check is only a filter: whenever it says no, speakers() finds none.
    text = sep.join(words)
    if not may_name_speaker(text):
        assert speakers(text).keys == frozenset()
    assert may_name_speaker(RYDER) and not may_name_speaker("Troops arrived on Monday.")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_SPEECHY | st.sampled_from(["CALLED", "Told", "Ｓａｉｄ",
                                                       "according", "«dit»"]),
                         min_size=1, max_size=8), min_size=1, max_size=5),
       st.sampled_from([" ", " "]))
def test_word_hashes_never_hide_a_verb_of_saying(sentences: list[list[str]], sep: str) -> None:
    # find reads a passage's speakers only where its word hashes hold a verb of
    # saying (may_speak): wherever may_name_speaker says yes, so must they.
    text = ". ".join(sep.join(ws) for ws in sentences) + "."
    tok = tokenize_docs([text], 0, WordForms(1.0, 1.0))
    vocab = np.unique(tok.hashes)
    speaks = may_speak(vocab, np.searchsorted(vocab, tok.hashes), tok.lengths)
    for p, (start, end) in enumerate(zip(tok.start.tolist(), tok.end.tolist(), strict=True)):
        if may_name_speaker(text[start:end]):
            assert speaks[p], text[start:end]


def test_verbs_of_saying_are_their_own_matching_forms() -> None:
    # what lets may_speak look for their hashes
    assert all(norm_word(v) == v for v in _SPEECH)
    tok = tokenize_docs(["No one spoke. Ryder SAID so. They Called it off."], 0,
                        WordForms(1.0, 1.0))
    vocab = np.unique(tok.hashes)
    assert may_speak(vocab, np.searchsorted(vocab, tok.hashes), tok.lengths).tolist() == [
        False, True, True]
