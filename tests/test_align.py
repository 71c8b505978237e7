"""Word aligner: property tests against slow, obviously-right oracles, plus named cases."""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from dedup import align as align_mod
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
from dedup.models import Token
from dedup.normalize import token_pattern, tokenize

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


def check_all(al: Alignment, *, oracle: bool = True) -> None:
    """Every invariant; ``oracle=False`` skips the quadratic word-by-word rebuild."""
    b = [t.norm for t in al.b_tokens]
    assert apply_edits(al) == b
    if oracle:
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


# ------------------------------------------------------- linear paths, slow oracles
#
# The aligner's bookkeeping was rewritten to stay linear on long and repetitive input.
# Each rewritten piece is checked here against the plain version it replaced.

_SLOW_BEFORE = re.compile(r"\S*\Z")
_SLOW_AFTER = re.compile(r"\S*")


def slow_coverage(text: str, toks: list[Token], covered: list[bool]) -> float:
    """Each covered run widened by regex searches from the start of the text."""
    total = len(text.strip())
    if not total:
        return 0.0
    chars, j, n = 0, 0, len(toks)
    while j < n:
        if not covered[j]:
            j += 1
            continue
        k = j
        while k < n and covered[k]:
            k += 1
        m = _SLOW_BEFORE.search(text, 0, toks[j].start)
        after = _SLOW_AFTER.match(text, toks[k - 1].end)
        assert m is not None and after is not None
        chars += after.end() - m.start()
        j = k
    return round(min(chars, total) / total, 4)


def slow_quote_ids(text: str, toks: list[Token]) -> list[int]:
    """Per word the index of the first quotation span (of the whole text) holding it."""
    ids = [-1] * len(toks)
    for k, (s, e) in enumerate(quotation_spans(text)):
        for i, t in enumerate(toks):
            if s <= t.start < e and ids[i] < 0:
                ids[i] = k
    return ids


def slow_find_moves(ops, ida, idb, min_tokens, min_similarity):  # type: ignore[no-untyped-def]
    """Greedy moves, every (cut, added) range pair tried again on every round."""
    a_free = {k: [(o[1], o[2])] if o[2] > o[1] else [] for k, o in enumerate(ops)
              if o[0] != "equal"}
    b_free = {k: [(o[3], o[4])] if o[4] > o[3] else [] for k, o in enumerate(ops)
              if o[0] != "equal"}
    moves = []
    while True:
        best = None
        for p, a_ranges in a_free.items():
            for ra in a_ranges:
                if ra[1] - ra[0] < min_tokens:
                    continue
                for q, b_ranges in b_free.items():
                    for rb in b_ranges:
                        if q == p or rb[1] - rb[0] < min_tokens:
                            continue
                        for c in align_mod._move_candidates(ida, idb, ra, rb, min_tokens,
                                                            min_similarity):
                            rank = (c.matched, c.similarity, -c.i1)
                            if best is None or rank > best[0]:
                                best = (rank, c, p, q)
        if best is None:
            return moves, a_free, b_free
        _, move, p, q = best
        moves.append(move)
        a_free[p] = align_mod._split(a_free[p], move.i1, move.i2)
        b_free[q] = align_mod._split(b_free[q], move.j1, move.j2)


def slow_flags(sa, i1, i2, sb, j1, j2):  # type: ignore[no-untyped-def]
    """The flags read word by word, with Counters."""
    def numbers(side, i, j):  # type: ignore[no-untyped-def]
        owner = {}
        for k, (x, y, v) in enumerate(align_mod._number_mentions([t.norm for t in side.tokens])):
            for w in range(x, y):
                owner[w] = (k, v)
        return Counter(v for _, v in {owner[w] for w in range(i, j) if w in owner})

    def verbs(side, i, j):  # type: ignore[no-untyped-def]
        return Counter(t.norm for t in side.tokens[i:j] if t.norm in align_mod.ATTRIBUTION_VERBS)

    flags = set()
    if numbers(sa, i1, i2) != numbers(sb, j1, j2):
        flags.add(FLAG_NUMBER)
    qa, qb = slow_quote_ids(sa.text, sa.tokens), slow_quote_ids(sb.text, sb.tokens)
    if any(qa[x] >= 0 for x in range(i1, i2)):
        flags.add(FLAG_QUOTE)
    elif i1 < i2 and any(qb[x] >= 0 for x in range(j1, j2)):
        flags.add(FLAG_QUOTE)
    elif i1 == i2:
        quotes = {qb[x] for x in range(j1, j2) if qb[x] >= 0}
        if quotes and any(qb[x] in quotes for x in (*range(j1), *range(j2, len(qb)))):
            flags.add(FLAG_QUOTE)
    if verbs(sa, i1, i2) != verbs(sb, j1, j2):
        flags.add(FLAG_ATTRIBUTION)
    elif (sa.namelike(i1, i2) or sb.namelike(j1, j2)) and (
        sa.near_verb(i1, i2) or sb.near_verb(j1, j2)
    ):
        flags.add(FLAG_ATTRIBUTION)
    return tuple(f for f in (FLAG_NUMBER, FLAG_QUOTE, FLAG_ATTRIBUTION) if f in flags)


# Text pieces that stress the rewritten paths: quotes of every kind, glued punctuation,
# long words, paragraph breaks, number words, speech verbs.
PIECES = [
    "a", "b", "said", "told", "Jeon", "he", "12,000", "three", "thousand", " ", " ", "  ",
    "\n", ". ", ",", "-", '"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "\u00a0",
    "x" * 40, "Korea\u2019s", "...",
]


@st.composite
def rough_texts(draw: st.DrawFn, max_size: int = 60) -> str:
    return "".join(draw(st.lists(st.sampled_from(PIECES), max_size=max_size)))


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, tuple[int, int]]:
    text = draw(rough_texts())
    s = draw(st.integers(0, len(text)))
    return text, (s, draw(st.integers(s, len(text))))


def side(text: str, span: tuple[int, int]) -> align_mod._Side:
    return align_mod._Side(text, align_mod._tokenize(text, *span), span)


@FAST
@given(text_and_span())
def test_memoised_tokenizer_matches_tokenize(ts: tuple[str, tuple[int, int]]) -> None:
    text, span = ts
    toks = align_mod._tokenize(text, *span)
    assert toks == tokenize(text, *span)
    # the faster pattern it picks for text without letters of spaceless scripts finds
    # the words the full pattern finds
    assert [(t.start, t.end) for t in toks] == [
        m.span() for m in token_pattern().finditer(text, *span)]


@FAST
@given(text_and_span(), st.data())
def test_coverage_matches_the_regex_version(ts: tuple[str, tuple[int, int]],
                                            data: st.DataObject) -> None:
    text, span = ts
    sb = side(text, span)
    covered = data.draw(st.lists(st.booleans(), min_size=len(sb.tokens),
                                 max_size=len(sb.tokens)))
    assert align_mod._coverage(sb, covered) == slow_coverage(text, list(sb.tokens), covered)


NESTED = 'He said "I told him \'no way\' today" and\n\u201cleft \u2018now\u2019 x'


def test_coverage_matches_the_regex_version_on_every_run_pattern() -> None:
    text = ' a b,c  "d" e-f\n\n(g) hh.. '
    for span in ((0, len(text)), (3, 17)):
        sb = side(text, span)
        n = len(sb.tokens)
        for mask in range(1 << n):
            covered = [bool(mask >> i & 1) for i in range(n)]
            assert align_mod._coverage(sb, covered) == \
                slow_coverage(text, list(sb.tokens), covered), (span, covered)


@FAST
@given(text_and_span())
@example((NESTED, (0, len(NESTED))))
@example((NESTED, (10, len(NESTED) - 3)))
@example(('"a" b \u201cc\u201d', (1, 9)))
def test_quote_ids_group_words_as_the_whole_text_scan_does(
    ts: tuple[str, tuple[int, int]],
) -> None:
    text, span = ts
    s = side(text, span)
    fast, slow = s.quote_ids, slow_quote_ids(text, list(s.tokens))
    assert [q >= 0 for q in fast] == [q >= 0 for q in slow]
    n = len(fast)
    assert all((fast[i] == fast[j]) == (slow[i] == slow[j]) for i in range(n) for j in range(n))


@FAST
@given(text_and_span(), text_and_span(), st.data())
def test_flags_match_the_word_by_word_version(ta: tuple[str, tuple[int, int]],
                                              tb: tuple[str, tuple[int, int]],
                                              data: st.DataObject) -> None:
    sa, sb = side(*ta), side(*tb)
    for _ in range(5):
        i1 = data.draw(st.integers(0, len(sa.tokens)))
        i2 = data.draw(st.integers(i1, len(sa.tokens)))
        j1 = data.draw(st.integers(0, len(sb.tokens)))
        j2 = data.draw(st.integers(j1, len(sb.tokens)))
        assert align_mod._flags(sa, i1, i2, sb, j1, j2) == slow_flags(sa, i1, i2, sb, j1, j2)


EDGE_TEXTS = [
    'He said 12,000 troops, "three thousand" told \'we\' left.',
    "Jeon told \u201cwe will win\u201d 3 times, she said.",
]


def test_flags_match_the_word_by_word_version_on_every_range() -> None:
    for a in EDGE_TEXTS:
        for b in EDGE_TEXTS:
            sa, sb = side(a, (0, len(a))), side(b, (0, len(b)))
            na, nb = len(sa.tokens), len(sb.tokens)
            for i1 in range(na + 1):
                for i2 in range(i1, na + 1):
                    for j1 in range(nb + 1):
                        for j2 in range(j1, nb + 1):
                            assert align_mod._flags(sa, i1, i2, sb, j1, j2) == \
                                slow_flags(sa, i1, i2, sb, j1, j2), (a, b, i1, i2, j1, j2)


def _moves_both_ways(a: str, b: str, min_tokens: int, min_sim: float,
                     monkeypatch: pytest.MonkeyPatch, min_equal: int = 2) -> None:
    """The move search, on the raw opcodes and inside align(), equals the greedy."""
    ta, tb = tokenize(a), tokenize(b)
    ida, idb = align_mod._ids(ta, tb)
    ops = align_mod.opcodes(ida, idb)
    expected = slow_find_moves(ops, ida, idb, min_tokens, min_sim)
    params = {"min_move_tokens": min_tokens, "min_move_similarity": min_sim,
              "min_equal_tokens": min_equal}
    fast = align_mod._find_moves
    monkeypatch.setattr(align_mod, "_find_moves", slow_find_moves)
    slow_al = align(a, b, **params)
    monkeypatch.setattr(align_mod, "_find_moves", fast)
    for pairs in (align_mod._MOVE_INDEX_PAIRS, 0):  # tried one by one, and through the index
        monkeypatch.setattr(align_mod, "_MOVE_INDEX_PAIRS", pairs)
        assert align_mod._find_moves(ops, ida, idb, min_tokens, min_sim) == expected
        assert align(a, b, **params) == slow_al


@FAST
@given(edited_pairs(), st.integers(2, 5), st.sampled_from([0.3, 0.8, 1.0]))
def test_move_search_matches_the_round_by_round_greedy(pair: tuple[str, str], k: int,
                                                       sim: float) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _moves_both_ways(*pair, k, sim, mp)


def test_move_search_on_shuffled_sentences_matches_the_greedy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(5)
    sentences = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(3, 12))) + "."
                 for _ in range(60)]
    shuffled = list(sentences)
    rng.shuffle(shuffled)
    a, b = " ".join(sentences), " ".join(shuffled)
    _moves_both_ways(a, b, 4, 0.8, monkeypatch)
    _moves_both_ways(a, b, 2, 0.5, monkeypatch)
    al = align(a, b)
    assert al.stats.moves > 5
    check_all(al)


# --------------------------------------------------------- pathological shapes


SENTENCE = "The minister said on Tuesday that talks would resume in Geneva next week."


def test_a_long_word_before_the_span_is_read_once() -> None:
    """A 100,000-character word before the aligned passage (issue 12's shape)."""
    b = "x" * 100_000 + "\n\n" + SENTENCE + "\n"
    start = b.index("The")
    al = align(SENTENCE, b, b_span=(start, start + len(SENTENCE)))
    assert [e.op for e in al.edits] == ["equal"]
    assert al.stats.share_b_covered == round(len(SENTENCE) / len(b.strip()), 4)
    whole = align(SENTENCE, b)
    assert [e.op for e in whole.edits] == ["insert", "equal"]
    assert whole.edits[0].b_tok == (0, 1) and whole.edits[0].b_end == 100_000
    assert whole.stats.share_b_covered == round(len(SENTENCE) / len(b.strip()), 4)
    check_all(whole, oracle=False)


def test_a_text_without_spaces_is_covered_whole() -> None:
    """Every run widens to the whole text when nothing separates the words but commas."""
    words = [f"w{i}" for i in range(20_000)]
    b = ",".join(words)
    a = " ".join(w if i % 3 else "other" for i, w in enumerate(words))
    al = align(a, b)
    assert al.stats.share_b_covered == 1.0
    assert al.stats.kept == 20_000 - len(range(0, 20_000, 3))
    check_all(al, oracle=False)
    small = ",".join(words[:300])
    sb = side(small, (0, len(small)))
    covered = [i % 7 in (1, 2, 5) for i in range(300)]
    assert align_mod._coverage(sb, covered) == slow_coverage(small, list(sb.tokens), covered)


def test_passages_of_a_repeated_sentence_align_one_by_one() -> None:
    """Issue 12's other shape: two documents repeating one sentence (here 3,000 times)."""
    quoted = 'He said "we will win" on Monday. '
    a = (SENTENCE + " " + quoted) * 1500
    b = (SENTENCE + " " + quoted.replace("will win", "will surely win")) * 1500
    step_a, step_b = len(SENTENCE) + 1 + len(quoted), len(SENTENCE) + 1 + len(quoted) + 7
    total = len(b.strip())
    for k in (0, 1, 700, 1499):
        for m in (0, 900, 1499):
            pa, pb = k * step_a, m * step_b
            al = align(a, b, a_span=(pa, pa + len(SENTENCE)), b_span=(pb, pb + len(SENTENCE)))
            assert [e.op for e in al.edits] == ["equal"]
            assert al.stats.share_b_covered == round(len(SENTENCE) / total, 4)
            qa, qb = pa + len(SENTENCE) + 1, pb + len(SENTENCE) + 1
            al = align(a, b, a_span=(qa, qa + len(quoted) - 1),
                       b_span=(qb, qb + len(quoted) + 6))
            (change,) = al.changes()
            assert change.op == "insert" and change.flags == (FLAG_QUOTE,)
            assert al.b[change.b_start:change.b_end] == "surely"


def test_a_repeated_sentence_dropped_once_is_one_cut() -> None:
    a = (SENTENCE + " ") * 3000
    b = (SENTENCE + " ") * 2999
    al = align(a, b)
    n = len(tokenize(SENTENCE))
    assert [e.op for e in al.changes()] == ["delete"]
    assert al.stats.cut == n and al.stats.kept == 2999 * n
    assert al.stats.share_b_covered == 1.0
    check_all(al, oracle=False)


def test_a_move_of_one_word_blocks_at_the_similarity_bound_is_found() -> None:
    """Four one-word blocks with a word between each in A: similarity 8/11, the most a
    chain without two adjacent matches can reach with four words (the move search skips
    adjacent-pair filtering exactly down to this bound)."""
    a = "ka xa kb xb kc xc kd f1 f2 f3 f4 f5 f6"
    b = "f1 f2 f3 f4 f5 f6 ka kb kc kd"
    bound = 2 * 4 / (3 * 4 - 1)
    (move,) = align(a, b, min_move_tokens=4, min_move_similarity=bound).moves()
    assert move.a_tok == (0, 7) and move.b_tok == (6, 10) and move.similarity == round(bound, 4)
    assert not align(a, b, min_move_tokens=4, min_move_similarity=bound + 1e-9).moves()


def _reordered_sentences(n: int) -> tuple[str, str]:
    """One edit repeated n times: a four-word phrase moved inside every sentence."""
    a = "".join(f"Officials in city{i} said on Monday evening that the new talks will "
                "resume soon. " for i in range(n))
    b = "".join(f"Officials in city{i} said the new talks will resume soon on Monday "
                "evening that. " for i in range(n))
    return a, b


def test_a_phrase_moved_in_every_sentence_matches_the_greedy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _moves_both_ways(*_reordered_sentences(40), 4, 0.8, monkeypatch)


def test_a_phrase_moved_in_every_sentence_of_a_long_text_is_one_move_each() -> None:
    n = 3000
    a, b = _reordered_sentences(n)
    al = align(a, b)
    moves = al.moves()
    assert len(moves) == n and al.stats.moved_a == 4 * n
    for k, m in enumerate(sorted(moves, key=lambda e: e.a_tok)):
        assert al.a[m.a_start:m.a_end] == al.b[m.b_start:m.b_end] == "on Monday evening that"
        assert m.a_tok[0] // 14 == m.b_tok[0] // 14 == k  # within its own sentence
    check_all(al, oracle=False)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(2, 5), st.sampled_from([0.3, 0.8, 1.0]),
       st.integers(0, 2))
def test_move_search_on_repeated_edited_sentences_matches_the_greedy(
    rng: random.Random, k: int, sim: float, min_equal: int,
) -> None:
    """Sentences drawn from a small pool, each moved about, reworded or kept: many
    ranges hold the same words, and carved moves leave pieces that repeat too."""
    words = "a b c d e f g h i j".split()
    pool = [[rng.choice(words) for _ in range(rng.randint(4, 10))] for _ in range(3)]
    a_sents = [list(rng.choice(pool)) for _ in range(rng.randint(2, 16))]
    b_sents = []
    for s in a_sents:
        s = list(s)
        if rng.random() < 0.4:
            n = rng.randint(2, min(5, len(s) - 1))
            i = rng.randrange(len(s) - n + 1)
            phrase = s[i:i + n]
            del s[i:i + n]
            at = rng.randrange(len(s) + 1)
            s[at:at] = phrase
        elif rng.random() < 0.3:
            s[rng.randrange(len(s))] = rng.choice(words)
        b_sents.append(s)
    if rng.random() < 0.5:
        rng.shuffle(b_sents)
    a = ". ".join(" ".join(s) for s in a_sents)
    b = ". ".join(" ".join(s) for s in b_sents)
    with pytest.MonkeyPatch.context() as mp:
        _moves_both_ways(a, b, k, sim, mp, min_equal)


def test_move_search_keeps_pieces_of_carved_ranges_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by a random search: a piece left by a move repeats the words of ranges
    queued earlier, and must still be paired on its own."""
    s1, s2 = "d f a j i f i i g", "b b f f c i j f"
    a = ". ".join([s1, s2, s2, s1, s1, s2, s2, s2, s1, s2, s1, s1, s2])
    b = ". ".join([
        "f c b b f i j f", "d f i f i i g a j", "b b f c i j f f", s2, s1, "d f a j g i f i i",
        "b f c i b f j f", s1, "d i i g f a j i f", s2, s2, "d f a j f f i i g",
        "b b f i j f f c",
    ])
    _moves_both_ways(a, b, 2, 0.8, monkeypatch, 1)


def test_benchmark_seed_and_shape_sections_run_at_tiny_size() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_align import run_seeds, run_shapes

    seeds = run_seeds(repeats=1)
    assert seeds["documents"]["pairs"] == 10  # 5 seed documents, 5 choose 2
    assert seeds["passages"]["pairs"] == seeds["passages_in_documents"]["pairs"] > 0
    assert all(seeds[k]["pairs_per_s"] > 0
               for k in ("passages", "passages_in_documents", "documents"))
    shapes = run_shapes(repeats=1, token_sizes=(300,), sentence_repeats=20)["shapes"]
    assert set(shapes) == {"token-300", "repeated-20"}
    for row in shapes.values():
        assert row["find_cpu_s"] > 0 and row["report_cpu_s"] > 0
        assert row["report_vs_find_cpu"] > 0


def test_recent_tokenisations_are_reused_and_bounded() -> None:
    """align() remembers the last few spans it tokenised (a report aligns one pivot with
    each version in turn); what it remembers equals a fresh tokenisation, and the memo
    stays small."""
    from dedup import align as al

    texts = [f"Version {i}: the ministry said 12,000 troops were sent." for i in range(20)]
    for t in texts:
        assert al._tokens(t, 0, len(t)) == tuple(al._tokenize(t, 0, len(t)))
    assert len(al._RECENT) <= al._RECENT_MAX
    t = texts[-1]
    assert al._tokens(t, 0, len(t)) is al._tokens(t, 0, len(t))
    assert al._tokens(t, 0, 9) == tuple(al._tokenize(t, 0, 9))
