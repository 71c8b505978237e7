"""Word aligner: property tests against slow, obviously-right oracles, plus named cases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dedup.align import (
    FLAG_ATTRIBUTION,
    FLAG_NUMBER,
    FLAG_QUOTE,
    Alignment,
    Edit,
    align,
    align_local,
    apply_edits,
    find_regions,
    quotation_spans,
)
from dedup.errors import ParameterError
from dedup.normalize import tokenize

ROOT = Path(__file__).resolve().parents[1]

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A small vocabulary, so random texts share words and repeat them.
VOCAB = (
    "the a of in said troops 12,000 three Kursk Russia North Korean soldiers officials "
    "on Monday told claimed war front line border spokesman Jeon it was"
).split()
SEPARATORS = [" ", " ", " ", "  ", ", ", ". ", "\n", " \u2014 ", "\u00a0"]


# ------------------------------------------------------------------------- oracles


def norms(text: str) -> list[str]:
    return [t.norm for t in tokenize(text)]


def lcs_len(x: list[str], y: list[str]) -> int:
    """Textbook O(n*m) longest common subsequence."""
    prev = [0] * (len(y) + 1)
    for xi in x:
        cur = [0]
        for j, yj in enumerate(y):
            cur.append(prev[j] + 1 if xi == yj else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def oracle_rebuild(al: Alignment) -> list[str]:
    """B's words, one position at a time, each looked up in the one edit covering it."""
    a = [t.norm for t in al.a_tokens]
    b = [t.norm for t in al.b_tokens]

    def word(edits: tuple[Edit, ...], j: int) -> str:
        covering = [e for e in edits if e.op != "delete" and e.b_tok[0] <= j < e.b_tok[1]]
        assert len(covering) == 1, f"B word {j} covered by {len(covering)} edits"
        e = covering[0]
        if e.op == "equal":
            return a[e.a_tok[0] + j - e.b_tok[0]]
        if e.op == "move":
            return word(e.inner, j) if e.inner else a[e.a_tok[0] + j - e.b_tok[0]]
        return b[j]

    return [word(al.edits, j) for j in range(len(b))]


def check_partition(edits: tuple[Edit, ...], a_range: tuple[int, int],
                    b_range: tuple[int, int]) -> None:
    """Non-insert edits cover A's words once each, non-delete edits B's words."""
    a_cov = sorted(i for e in edits if e.op != "insert" for i in range(*e.a_tok))
    b_cov = sorted(j for e in edits if e.op != "delete" for j in range(*e.b_tok))
    assert a_cov == list(range(*a_range))
    assert b_cov == list(range(*b_range))
    for e in edits:
        if e.op == "move" and e.inner:
            check_partition(e.inner, e.a_tok, e.b_tok)


def check_offsets(al: Alignment, edits: tuple[Edit, ...]) -> None:
    """Every edit's character range holds exactly its words."""
    for e in edits:
        assert norms(al.a[e.a_start:e.a_end]) == [t.norm for t in al.a_tokens[slice(*e.a_tok)]]
        assert norms(al.b[e.b_start:e.b_end]) == [t.norm for t in al.b_tokens[slice(*e.b_tok)]]
        if e.a_tok[0] < e.a_tok[1]:
            assert e.a_end == al.a_tokens[e.a_tok[1] - 1].end
        if e.b_tok[0] < e.b_tok[1]:
            assert e.b_end == al.b_tokens[e.b_tok[1] - 1].end
        check_offsets(al, e.inner)


def check_all(al: Alignment) -> None:
    b = [t.norm for t in al.b_tokens]
    assert apply_edits(al) == b
    assert oracle_rebuild(al) == b
    check_partition(al.edits, (0, len(al.a_tokens)), (0, len(al.b_tokens)))
    check_offsets(al, al.edits)
    s = al.stats
    assert s.kept + s.cut + s.replaced_a + s.moved_a == s.a_words == len(al.a_tokens)
    assert s.kept + s.added + s.replaced_b + s.moved_b == s.b_words == len(al.b_tokens)
    assert 0.0 <= s.share_a_kept <= 1.0 and 0.0 <= s.share_b_covered <= 1.0
    assert [e.a_tok[0] for e in al.edits] == sorted(e.a_tok[0] for e in al.edits)


# ---------------------------------------------------------------------- strategies


@st.composite
def texts(draw: st.DrawFn, max_size: int = 40) -> str:
    ws = draw(st.lists(st.sampled_from(VOCAB), max_size=max_size))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(ws), max_size=len(ws)))
    return "".join(w + s for w, s in zip(ws, seps, strict=True)).strip()


@st.composite
def edited_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """A text and a copy with words replaced, dropped, added and a block moved."""
    a_words = draw(st.lists(st.sampled_from(VOCAB), max_size=50))
    b_words = list(a_words)
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["sub", "drop", "add", "move"]))
        if not b_words and kind != "add":
            continue
        k = draw(st.integers(0, max(len(b_words) - 1, 0)))
        if kind == "sub":
            b_words[k] = draw(st.sampled_from(VOCAB))
        elif kind == "drop":
            del b_words[k:k + draw(st.integers(1, 4))]
        elif kind == "add":
            b_words[k:k] = draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4))
        else:
            block = b_words[k:k + draw(st.integers(1, 8))]
            del b_words[k:k + len(block)]
            at = draw(st.integers(0, len(b_words)))
            b_words[at:at] = block
    return " ".join(a_words), ". ".join(b_words)


# -------------------------------------------------------------------- properties


@FAST
@given(edited_pairs())
def test_edits_rebuild_b_and_point_at_the_right_text(pair: tuple[str, str]) -> None:
    check_all(align(*pair))


@FAST
@given(texts(), texts())
def test_unrelated_texts_rebuild_b(a: str, b: str) -> None:
    check_all(align(a, b, min_move_tokens=2, min_move_similarity=0.5))


@FAST
@given(edited_pairs())
def test_minimal_mode_keeps_exactly_the_lcs(pair: tuple[str, str]) -> None:
    """Without moves and cleanup, the kept words are a longest common subsequence."""
    a, b = pair
    al = align(a, b, min_equal_tokens=0, min_move_tokens=10**6)
    assert al.stats.kept == lcs_len(norms(a), norms(b))
    assert not al.moves()
    check_all(al)


@FAST
@given(st.data())
def test_a_moved_block_is_one_move(data: st.DataObject) -> None:
    n = data.draw(st.integers(14, 40))
    words = [f"w{i}x" for i in range(n)]
    size = data.draw(st.integers(5, 8))
    i = data.draw(st.integers(0, n - size))
    block, rest = words[i:i + size], words[:i] + words[i + size:]
    at = data.draw(st.integers(0, len(rest)))
    assume(abs(at - i) > size)  # jumps over more words than it holds: the block moved
    b_words = rest[:at] + block + rest[at:]
    al = align(" ".join(words), " ".join(b_words))
    check_all(al)
    (move,) = al.moves()
    assert move.a_tok == (i, i + size) and move.b_tok == (at, at + size)
    assert move.similarity == 1.0 and move.move_id == 1
    assert all(e.op in ("equal", "move") for e in al.edits)
    assert al.stats.moves == 1 and al.stats.moved_a == size


@FAST
@given(st.data())
def test_a_moved_block_with_a_small_edit_is_still_one_move(data: st.DataObject) -> None:
    n = data.draw(st.integers(30, 50))
    words = [f"w{i}x" for i in range(n)]
    size = data.draw(st.integers(8, 12))
    i = data.draw(st.integers(0, n - size))
    block, rest = words[i:i + size], words[:i] + words[i + size:]
    block[size // 2] = "changed"
    at = data.draw(st.integers(0, len(rest)))
    assume(abs(at - i) > size)
    al = align(" ".join(words), " ".join(rest[:at] + block + rest[at:]))
    check_all(al)
    (move,) = al.moves()
    assert move.a_tok == (i, i + size) and move.b_tok == (at, at + size)
    assert 0.8 <= move.similarity < 1.0
    assert [e.op for e in move.inner if e.op != "equal"] == ["replace"]
    assert all(e.op in ("equal", "move") for e in al.edits)


def _restyle(text: str, data: st.DataObject) -> str:
    """A cosmetic variant: straight quotes, case, NBSP, dash style, doubled spaces."""
    text = text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'",
                                         "\u2019": "'", "\u2014": "-"}))
    out = []
    for ch in text:
        choice = data.draw(st.integers(0, 5), label="restyle")
        if ch == " " and choice == 0:
            out.append("\u00a0")
        elif ch == " " and choice == 1:
            out.append("  ")
        elif ch.isalpha() and choice == 2:
            out.append(ch.swapcase())
        else:
            out.append(ch)
    return "".join(out)


@FAST
@given(st.data())
def test_cosmetic_differences_make_no_substantive_edits(data: st.DataObject) -> None:
    plain = data.draw(texts(max_size=30))
    quoted = data.draw(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=6))
    a = f"{plain} \u201c{' '.join(quoted)}\u201d \u2014 he said. \u2018Fine\u2019, Korea\u2019s."
    b = _restyle(a, data)
    al = align(a, b)
    check_all(al)
    assert al.changes() == ()
    assert al.stats.kept == al.stats.a_words
    assert all(e.op == "equal" and not e.flags for e in al.edits)
    assert any(e.cosmetic for e in al.edits)  # the quotes always differ
    assert not any(e.cosmetic for e in align(a, a).edits)


# ---------------------------------------------------------------------- flags


def only_change(a: str, b: str) -> Edit:
    changes = align(a, b).changes()
    assert len(changes) == 1, changes
    return changes[0]


@pytest.mark.parametrize(
    ("old", "new"),
    [("12,000", "11,000"), ("three", "four"), ("2.5", "3.5"), ("twelve thousand", "11,000")],
)
def test_changed_number_is_flagged(old: str, new: str) -> None:
    e = only_change(f"Officials said about {old} soldiers were in Kursk.",
                    f"Officials said about {new} soldiers were in Kursk.")
    assert e.op == "replace" and FLAG_NUMBER in e.flags


def test_same_number_in_words_or_digits_is_not_a_number_change() -> None:
    e = only_change("About 12,000 soldiers arrived.", "About twelve thousand soldiers arrived.")
    assert e.op == "replace" and FLAG_NUMBER not in e.flags


def test_cut_number_is_flagged() -> None:
    e = only_change("Some 3,000 North Korean soldiers arrived.",
                    "Some North Korean soldiers arrived.")
    assert e.op == "delete" and e.flags == (FLAG_NUMBER,)


@pytest.mark.parametrize(("lq", "rq"), [("\u201c", "\u201d"), ('"', '"')])
def test_altered_quotation_is_flagged(lq: str, rq: str) -> None:
    a = f"{lq}We will never give up our land,{rq} the minister said on Monday."
    b = f"{lq}We will not give up our land,{rq} the minister said on Monday."
    e = only_change(a, b)
    assert e.op == "replace" and FLAG_QUOTE in e.flags


def test_cut_quotation_is_flagged() -> None:
    a = "The minister spoke. \u201cWe will never give up,\u201d she said. Talks resume today."
    b = "The minister spoke. Talks resume today."
    e = only_change(a, b)
    assert e.op == "delete" and FLAG_QUOTE in e.flags


def test_words_added_inside_a_quotation_are_flagged_but_a_new_quote_is_not() -> None:
    e = only_change("He said \u201cwe will win\u201d on Monday.",
                    "He said \u201cwe will surely win\u201d on Monday.")
    assert e.op == "insert" and FLAG_QUOTE in e.flags
    e = only_change("He spoke on Monday.", "He spoke \u201cfreely\u201d on Monday.")
    assert e.op == "insert" and FLAG_QUOTE not in e.flags


def test_quotation_marks_removed_is_a_flagged_equal() -> None:
    e = only_change("He said \u201cwe will win\u201d on Monday.", "He said we will win on Monday.")
    assert e.op == "equal" and e.cosmetic and e.flags == (FLAG_QUOTE,)


def test_apostrophes_are_not_quotations() -> None:
    text = "Korea\u2019s troops and the Koreans\u2019 plans, Russia's war, the Russians' war"
    assert quotation_spans(text) == []


@pytest.mark.parametrize("verb", ["claimed", "told reporters", "warned", "stated"])
def test_changed_attribution_verb_is_flagged(verb: str) -> None:
    e = only_change("The troops are in Kursk, a spokesman said on Tuesday.",
                    f"The troops are in Kursk, a spokesman {verb} on Tuesday.")
    assert FLAG_ATTRIBUTION in e.flags


def test_different_speaker_is_flagged() -> None:
    e = only_change("The troops are in Kursk, spokesman Jeon Ha-kyou said at a briefing.",
                    "The troops are in Kursk, spokesman Kim Min-soo said at a briefing.")
    assert e.op == "replace" and FLAG_ATTRIBUTION in e.flags


def test_name_change_far_from_a_speech_verb_is_not_attribution() -> None:
    e = only_change("The minister said troops reached Kursk and stayed there for weeks.",
                    "The minister said troops reached Belgorod and stayed there for weeks.")
    assert e.flags == ()


def test_stats_count_flags_and_words() -> None:
    a = "Officials said 12,000 soldiers arrived. \u201cWe are ready,\u201d Jeon said."
    b = "Officials claimed 11,000 soldiers arrived. \u201cWe are prepared,\u201d Jeon said."
    s = align(a, b).stats
    assert (s.numbers_changed, s.quotes_changed, s.attributions_changed) == (1, 1, 1)
    assert (s.a_words, s.kept, s.replaced_a, s.replaced_b) == (10, 7, 3, 3)


# ----------------------------------------------------------------------- local

PARAGRAPH = (
    "More than 10,000 North Korean soldiers have arrived in Russia, Seoul\u2019s Defense "
    "Ministry said on Tuesday. The report follows similar announcements from Ukraine and "
    "the United States, with growing fears that the deployment of Pyongyang\u2019s forces "
    "on the battlefield could mean an escalation of the war involving a third country, "
    "officials in Kyiv warned at a briefing on Wednesday evening."
)
FILLER = (
    "the council approved a new budget for schools and roads in the county on Monday "
    "after a long debate about taxes parking and the future of the old mill which "
    "residents said should become a museum or a library for the town"
).split()


def test_paragraph_is_sixty_words() -> None:
    assert len(tokenize(PARAGRAPH)) == 60


@FEW
@given(st.data())
def test_local_alignment_finds_a_paragraph_in_a_long_story(data: st.DataObject) -> None:
    rng = data.draw(st.randoms(use_true_random=False))
    filler = [rng.choice(FILLER) for _ in range(1500)]
    cut = data.draw(st.integers(0, 1500))
    before = " ".join(filler[:cut]) + ("\n\n" if cut else "")
    b = before + PARAGRAPH + "\n\n" + " ".join(filler[cut:])
    al = align_local(PARAGRAPH, b)
    assert al is not None
    start = len(before)
    assert al.b_span == (start, start + len(PARAGRAPH) - 1)  # up to the last word
    assert al.a_span == (0, len(PARAGRAPH) - 1)
    assert al.stats.kept == 60 and al.changes() == ()
    check_all(al)


def test_local_alignment_of_an_edited_paragraph_reports_its_edits() -> None:
    filler = " ".join(FILLER * 30)
    edited = PARAGRAPH.replace("10,000", "11,000").replace("Ministry said", "Ministry claimed")
    b = filler + "\n\n" + edited + "\n\n" + filler
    al = align_local(PARAGRAPH, b, whole_a=True)
    assert al is not None
    assert al.b_span == (len(filler) + 2, len(filler) + 2 + len(edited) - 1)
    assert al.stats.numbers_changed == 1 and al.stats.attributions_changed == 1
    assert al.stats.share_b_covered == pytest.approx(len(edited) / len(b), abs=0.001)
    check_all(al)


def test_find_regions_finds_two_shared_passages_in_swapped_order() -> None:
    first, second = PARAGRAPH.split(". ", 1)
    filler = " ".join(FILLER * 5)
    a = f"{first}. {filler} {second}"
    b = f"{second} {filler[::-1]} {first}."
    regions = find_regions(a, b, max_regions=3)
    assert sorted((b[slice(*r.b_span)] for r in regions), key=len) == [first, second[:-1]]


def test_local_alignment_returns_none_when_nothing_is_shared() -> None:
    assert align_local("completely different words here", " ".join(FILLER)) is None


# ---------------------------------------------------------------------- edges


def test_empty_and_identical_texts() -> None:
    assert align("", "").edits == ()
    al = align("", "some words")
    assert [e.op for e in al.edits] == ["insert"] and apply_edits(al) == ["some", "words"]
    al = align(PARAGRAPH, PARAGRAPH)
    assert [e.op for e in al.edits] == ["equal"]
    assert al.stats.share_a_kept == 1.0 and al.stats.share_b_covered == 1.0


def test_spans_restrict_the_alignment() -> None:
    a = "ignored words. The troops arrived on Monday."
    al = align(a, "The troops arrived on Tuesday.", a_span=(15, len(a)))
    assert [t.norm for t in al.a_tokens][0] == "the"
    assert al.changes()[0].op == "replace"


def test_bad_parameters_raise_with_the_bound() -> None:
    with pytest.raises(ParameterError, match="a_span must satisfy"):
        align("abc", "abc", a_span=(2, 10))
    with pytest.raises(ParameterError, match="min_move_tokens must be >= 2"):
        align("a", "b", min_move_tokens=1)
    with pytest.raises(ValueError, match=r"min_move_similarity must be in \(0.0, 1.0\]"):
        align("a", "b", min_move_similarity=0)


def test_benchmark_runs_at_tiny_size() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_align import run

    result = run(n_pairs=3, seed=1, repeats=1)
    assert result["pairs"] == 3
    assert result["rapidfuzz_opcodes"]["pairs_per_s"] > 0
    assert result["difflib_opcodes"]["pairs_per_s"] > 0
    assert result["align_full"]["pairs_per_s"] > 0
    assert result["speedup_opcodes"] > 0
