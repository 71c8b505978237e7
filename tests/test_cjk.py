"""Chinese and Japanese wire copy: scripts written without spaces, end to end.

Named fixtures in tests/fixtures/cjk (news sentences written for these tests):

* ``*_wire.txt``: an agency story, one sentence per paragraph or two;
* ``*_local.txt``: another outlet's own story, one of whose paragraphs carries one
  wire sentence word for word between sentences of its own;
* ``*_reworded.txt``: an outlet's lightly edited rewrite of the wire story;
* ``*_same_topic.txt``: a story about the same dam and the same flood that shares
  names and terms but no text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import find, read_corpus
from dedup.align import FLAG_NUMBER, align, apply_edits
from dedup.normalize import is_char_script, norm_word, token_pattern, tokenize
from dedup.segment import segment
from dedup.tokens import WordForms, tokenize_docs

CJK = Path(__file__).resolve().parent / "fixtures" / "cjk"

# The wire sentence each local story copies, exactly as the wire prints it.
COPIED = {
    "zh": "县应急管理局表示，水库水位在不到一天的时间里上涨了近两米，"
          "目前已调集600余名抢险人员和20台大型机械连夜加固主坝。",
    "ja": "県の防災危機管理課によると、ダムの水位は１日足らずで２メートル近く上昇し、"
          "職員と作業員約６００人が重機２０台を使って本堤の補強作業を続けている。",
}


def _read(name: str) -> str:
    return (CJK / name).read_text(encoding="utf-8")


def _cross(result):
    texts = {d.id: d.text for d in result.corpus.documents}
    return [[(p.doc, texts[p.doc][p.start:p.end], p.start, p.end) for p in c.passages]
            for c in result.clusters if c.kind == "cross-document"]


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_copied_wire_sentence_is_found_as_that_sentence(lang: str) -> None:
    wire, local = f"{lang}_wire.txt", f"{lang}_local.txt"
    result = find(read_corpus([CJK / wire, CJK / local, CJK / f"{lang}_same_topic.txt"]))
    sentence = COPIED[lang]
    local_text = _read(local)
    paragraph = next(p for p in local_text.split("\n") if sentence in p)
    assert len(paragraph) > len(sentence) + 40  # the copy sits inside a longer paragraph
    clusters = _cross(result)
    assert len(clusters) == 1, clusters
    (cluster,) = clusters
    assert sorted(doc for doc, *_ in cluster) == [local, wire]
    for doc, text, start, end in cluster:
        original = _read(doc)
        assert text == sentence
        assert (start, end) == (original.index(sentence), original.index(sentence) + len(sentence))


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_same_topic_story_without_shared_text_matches_nothing(lang: str) -> None:
    result = find(read_corpus(sorted(CJK.glob(f"{lang}_*.txt"))))
    same_topic = f"{lang}_same_topic.txt"
    assert all(doc != same_topic for c in _cross(result) for doc, *_ in c)
    assert all(p.doc != same_topic for c in result.clusters for p in c.passages)
    # ... while the three versions of the wire story do match one another.
    assert {doc for c in _cross(result) for doc, *_ in c} == {
        f"{lang}_wire.txt", f"{lang}_local.txt", f"{lang}_reworded.txt"}


@pytest.mark.parametrize(
    ("lang", "pairs"),
    [
        ("zh", [("县应急管理局表示", "据县应急管理局介绍"),
                ("新华社青溪11月3日电", "受连日强降雨影响"),
                ("气象部门预计，未来48小时内", "气象部门预计，未来48小时当地")]),
        ("ja", [("県の防災危機管理課", "県防災危機管理課"),
                ("【北山共同】", "記録的な大雨で"),
                ("気象庁は、今後", "気象庁は今後")]),
    ],
)
def test_reworded_sentences_match_their_counterparts(lang: str, pairs: list) -> None:
    result = find(read_corpus([CJK / f"{lang}_wire.txt", CJK / f"{lang}_reworded.txt"]))
    texts = {d.id: d.text for d in result.corpus.documents}
    found = set()
    for i, j in result.sentence_pairs.tolist():  # the verified sentence matches
        p, q = sorted((result.passages[i], result.passages[j]), key=lambda x: x.doc)
        assert (p.doc, q.doc) == (f"{lang}_reworded.txt", f"{lang}_wire.txt")
        found.add((texts[q.doc][q.start:q.end], texts[p.doc][p.start:p.end]))
    # ... assembled into one passage of each document, in one cluster
    assert len(_cross(result)) == 1
    for wire_start, reworded_start in pairs:
        assert any(a.startswith(wire_start) and b.startswith(reworded_start)
                   for a, b in found), (wire_start, found)


def test_wire_and_same_topic_story_alone_match_nothing() -> None:
    for lang in ("zh", "ja"):
        result = find(read_corpus([CJK / f"{lang}_wire.txt", CJK / f"{lang}_same_topic.txt"]))
        assert result.clusters == ()


# ---------------------------------------------------------------- segmentation


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_fixture_sentences_end_at_full_stops_without_spaces(lang: str) -> None:
    text = _read(f"{lang}_local.txt")
    spans = [text[p.start:p.end] for p in segment("d", text)]
    assert COPIED[lang] in spans
    assert all(s.count("。") <= 1 or "「" in s or "“" in s for s in spans)


# ------------------------------------------------------------------ tokens


_LETTERS = "青溪水库溢洪道县应急管理局ダムの水位はカタガナひらがなｶﾞｲﾄﾞ々〇ที่กรุงเทพฯ"
_OTHER = ["NATO", "Kim", "12,000", "12 000", "１２，０００", "3.5", " ", "，", "。", "「", "」",
          "“", "”", "\u3000", "\u00a0", "\u0e48", "\u0301", "-", "'s", "\n"]
mixed = st.lists(st.one_of(st.sampled_from(list(_LETTERS)), st.sampled_from(_OTHER)),
                 max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(mixed)
def test_offsets_slice_the_original_and_each_letter_is_a_word(text: str) -> None:
    prev = 0
    for t in tokenize(text):
        word = text[t.start:t.end]
        assert prev <= t.start < t.end
        assert norm_word(word) == t.norm
        assert token_pattern().fullmatch(word)
        if any(is_char_script(c) for c in word):
            # one letter, with its combining marks only
            assert is_char_script(word[0])
            assert all(not is_char_script(c) for c in word[1:])
        prev = t.end
    covered = {i for t in tokenize(text) for i in range(t.start, t.end)}
    assert all(i in covered for i, c in enumerate(text) if is_char_script(c))


@settings(max_examples=200, deadline=None)
@given(mixed)
def test_bulk_tokeniser_and_aligner_agree_on_the_words(text: str) -> None:
    forms = WordForms(0.3, 1.5)
    tok = tokenize_docs([text], 0, forms)
    for s, e, n in zip(tok.start.tolist(), tok.end.tolist(), tok.lengths.tolist(), strict=True):
        words = tokenize(text, s, e)
        keys = forms.keys(text, s, e)
        assert n == len(words) == len(keys)
        # each word is hashed as itself, or as itself and the letter right after it
        for w, k in zip(words, keys, strict=True):
            assert k.startswith(text[w.start:w.end])
    assert int(tok.lengths.sum()) == len(tokenize(text))


def test_latin_words_stay_whole_beside_chinese() -> None:
    text = "北约秘书长Mark Rutte说，NATO将于12月开会。"
    words = [text[t.start:t.end] for t in tokenize(text)]
    assert words == ["北", "约", "秘", "书", "长", "Mark", "Rutte", "说", "NATO", "将", "于",
                     "12", "月", "开", "会"]


# ----------------------------------------------------------------- aligner


def test_aligner_works_per_character_and_flags_a_changed_number() -> None:
    a = COPIED["zh"]
    b = a.replace("600余名", "800余名").replace("连夜", "当晚")
    al = align(a, b)
    changes = al.changes()
    assert [(a[e.a_start:e.a_end], b[e.b_start:e.b_end]) for e in changes] == [
        ("600", "800"), ("连夜", "当晚")]
    assert FLAG_NUMBER in changes[0].flags and FLAG_NUMBER not in changes[1].flags
    assert apply_edits(al) == [t.norm for t in al.b_tokens]


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_compare_verdicts_on_cjk(lang: str) -> None:
    from dedup.compare import compare

    wire = _read(f"{lang}_wire.txt")
    assert compare(wire, _read(f"{lang}_same_topic.txt")).verdict == "non"
    local = compare(wire, _read(f"{lang}_local.txt"))
    assert local.verdict == "partially" and len(local.passages) == 1
    assert compare(wire, _read(f"{lang}_reworded.txt")).verdict == "wholly"
