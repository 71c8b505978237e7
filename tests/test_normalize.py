"""Tests for dedup.normalize: offsets into the original, folding, the offset map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.normalize import (
    FOLD,
    fold,
    is_char_script,
    iter_words,
    norm_word,
    normalize_with_map,
    s_stem,
    span_to_original,
    token_pattern,
    tokenize,
)

# Characters that make tokenising and folding interesting: curly quotes, NBSP and other
# spaces, dashes, zero-width marks, combining marks, Urdu letters and its full stop.
TRICKY = (
    "\u2018\u2019\u201c\u201d\u00ab\u00bb'\"`"
    "\u00a0\u202f\u2009\u3000\t\n\r "
    "\u2013\u2014\u2212-"
    "\u200b\u200d\ufeff\u00ad"
    "\u0301\u0308\u0327\u064b"
    "\u0627\u0631\u062f\u0648\u06cc\u06c1\u06ba\u06d4\u061f"
    "\u00df\u0130\ufb01\u2460\uff21"
    ",.0123456789"
    "aAbBzZ\u00e9\u00c9"
)
# Letters of scripts written without spaces (each one a word), their marks and
# punctuation, full-width digits and separators, and the spaces that group thousands.
SPACELESS = (
    "\u4e2d\u6587\u6c34\u3005\u3007\u3042\u304b\u3099\u30ab\u30fc\uff76\uff9e"
    "\u0e17\u0e35\u0e48\u0e2f\u0e5a\u1780\u1000\U00020000"
    "\u3002\u300c\u300d\uff0c\uff0e\uff11\uff12\u066b\u066c\u0661"
)
tricky_text = st.text(alphabet=st.sampled_from(TRICKY + SPACELESS), max_size=60)
any_text = st.one_of(st.text(max_size=60), tricky_text)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_token_offsets_slice_the_original(text: str) -> None:
    tokens = tokenize(text)
    pat = token_pattern()
    prev_end = 0
    for t in tokens:
        assert prev_end <= t.start < t.end <= len(text)
        word = text[t.start:t.end]
        assert pat.fullmatch(word), word
        assert norm_word(word) == t.norm
        prev_end = t.end
    assert list(iter_words(text)) == [t.norm for t in tokens]


@settings(max_examples=100, deadline=None)
@given(any_text, st.data())
def test_tokenize_window_offsets_point_into_full_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for t in tokenize(text, start, end):
        assert start <= t.start < t.end <= end
        assert norm_word(text[t.start:t.end]) == t.norm


def test_tokenize_named_examples() -> None:
    text = "\u201cNorth\u00a0Korea\u2019s\u201d troops \u2014 12,000 of them \u2014 don't"
    assert [(text[t.start:t.end], t.norm) for t in tokenize(text)] == [
        ("North", "north"),
        ("Korea\u2019s", "korea"),
        ("troops", "troops"),
        ("12,000", "12000"),
        ("of", "of"),
        ("them", "them"),
        ("don't", "dont"),
    ]


def test_urdu_words_keep_their_combining_marks() -> None:
    text = "\u06cc\u06c1 \u0627\u0631\u062f\u0648\u064b \u062c\u0645\u0644\u06c1 \u06c1\u06d2\u06d4"
    words = [text[t.start:t.end] for t in tokenize(text)]
    assert words == ["\u06cc\u06c1", "\u0627\u0631\u062f\u0648\u064b",
                     "\u062c\u0645\u0644\u06c1", "\u06c1\u06d2"]


def test_combining_mark_stays_inside_latin_word() -> None:
    text = "cafe\u0301 noir"
    assert [text[t.start:t.end] for t in tokenize(text)] == ["cafe\u0301", "noir"]
    assert tokenize(text)[0].norm == "caf\u00e9"  # NFKC composes


@pytest.mark.parametrize(
    ("raw", "norm"),
    [("12,000", "12000"), ("1,234,567", "1234567"), ("3.5", "3.5"), ("12,000.25", "12000.25")],
)
def test_numbers(raw: str, norm: str) -> None:
    assert [t.norm for t in tokenize(f"about {raw} people")] == ["about", norm, "people"]


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert not set(once) & set(FOLD)


def test_fold_example() -> None:
    assert fold("\u201cNorth\u00a0Korea\u2019s\u201d \u2014 troops\u200b") == (
        "\"North Korea's\" - troops"
    )


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_normalize_with_map_shape(text: str) -> None:
    norm, mapping = normalize_with_map(text)
    assert len(mapping) == len(norm)
    assert all(0 <= i < len(text) for i in mapping)
    assert all(a <= b for a, b in zip(mapping, mapping[1:], strict=False))
    # A span of the normalised text maps back to a span of the original.
    if norm:
        s, e = span_to_original(mapping, 0, len(norm), len(text))
        assert 0 <= s < e <= len(text)
    assert span_to_original(mapping, len(norm), len(norm), len(text)) == (len(text), len(text))


def test_normalize_with_map_example() -> None:
    assert normalize_with_map("A\u00a0\u00a0\u201cB\u201d") == ('a "b"', [0, 1, 3, 4, 5])
    assert normalize_with_map("x\u200by") == ("xy", [0, 2])


def _single_char_stable(ch: str) -> bool:
    """Characters whose normalised form is already normal and brings no new space.

    Some compatibility characters normalise (NFKC) to a space plus a combining mark
    (U+00A8 -> " \u0308") or to a character that the fold table maps again (U+FF40 ->
    "`"); see test_normalize_idempotent_on_compatibility_characters."""
    n, _ = normalize_with_map(ch)
    return normalize_with_map(n)[0] == n and (" " not in n or n == " ")


stable_text = st.one_of(
    tricky_text, st.text(st.characters().filter(_single_char_stable), max_size=60)
)


@settings(max_examples=300, deadline=None)
@given(stable_text)
def test_normalize_is_idempotent_on_its_output(text: str) -> None:
    norm, _ = normalize_with_map(text)
    assert normalize_with_map(norm)[0] == norm
    assert "  " not in norm


@pytest.mark.parametrize("text", ["a \u00a8", "\uff40", "\ufe31"])
def test_normalize_idempotent_on_compatibility_characters(text: str) -> None:
    norm, _ = normalize_with_map(text)
    assert normalize_with_map(norm)[0] == norm


COSMETIC = [
    ("North Korea's troops", "North Korea\u2019s troops"),
    ('He said "go" now', "He said \u201cgo\u201d now"),
    ("THE Troops", "the troops"),
    ("North\u00a0Korea", "North Korea"),
    ("well-known - fact", "well\u2013known \u2014 fact"),
    ("two  spaces\there", "two spaces here"),
    ("don't", "don\u2019t"),
    ("Korea\u02bcs", "Korea's"),
]

# fold() drops zero-width characters and maps these quotes to "'"; tokenize() must
# treat them the same way inside words (these were bugs once).
COSMETIC_GAPS = [
    ("in\u200bvisible", "invisible"),
    ("soft\u00adhyphen", "softhyphen"),
    ("don\u00b4t", "don't"),
    ("Korea\uff07s", "Korea's"),
    ("Korea\u201bs", "Korea's"),
]


@pytest.mark.parametrize(("a", "b"), COSMETIC)
def test_cosmetic_variants_give_identical_norms(a: str, b: str) -> None:
    assert [t.norm for t in tokenize(a)] == [t.norm for t in tokenize(b)]


@pytest.mark.parametrize(("a", "b"), COSMETIC_GAPS)
def test_invisible_and_quote_variants_inside_words(a: str, b: str) -> None:
    assert [t.norm for t in tokenize(a)] == [t.norm for t in tokenize(b)]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("rumours", "rumour"),
        ("countries", "country"),
        ("glass", "glass"),
        ("bus", "bus"),
        ("toes", "toe"),
        ("boxes", "boxe"),
        ("troops", "troop"),
        ("news", "new"),
        ("its", "its"),
        ("is", "is"),
        ("series", "sery"),
        ("hoes", "hoe"),
        ("cities", "city"),
        ("caf\u00e9s", "caf\u00e9s"),  # non-ASCII passes unchanged
        ("\u0627\u0631\u062f\u0648", "\u0627\u0631\u062f\u0648"),
    ],
)
def test_s_stem(word: str, stem: str) -> None:
    assert s_stem(word) == stem


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=12))
def test_s_stem_only_shortens_and_only_touches_s_words(word: str) -> None:
    stem = s_stem(word)
    if not word.endswith("s") or len(word) <= 3:
        assert stem == word
    else:
        assert len(stem) <= len(word)
        assert stem[: len(word) - 3] == word[: len(word) - 3]


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    "raw",
    ["12,000", "12000", "12 000", "12\u00a0000", "12\u2009000", "12\u202f000",
     "\u201c12,000\u201d", "\uff11\uff12\uff0c\uff10\uff10\uff10", "\uff11\uff12\uff10\uff10\uff10",
     "\u0661\u0662\u066c\u0660\u0660\u0660", "\u06f1\u06f2\u06f0\u06f0\u06f0"],
)
def test_thousands_fold_to_one_number(raw: str) -> None:
    assert [t.norm for t in tokenize(f"about {raw} troops")] == ["about", "12000", "troops"]


@pytest.mark.parametrize(
    ("text", "norms"),
    [
        ("1.5 or 15", ["1.5", "or", "15"]),  # decimals stay distinct
        ("\uff11\uff0e\uff15 million", ["1.5", "million"]),
        ("\u0663\u066b\u0665", ["3.5"]),  # the Arabic decimal separator
        ("1,5 million", ["1", "5", "million"]),  # a decimal comma is not a thousands group
        ("12 000.5 tonnes", ["12000.5", "tonnes"]),
        ("1 000 000 people", ["1000000", "people"]),
        # Adjacent numbers that are not thousands groups stay apart.
        ("in 2024 3 people", ["in", "2024", "3", "people"]),
        ("in 2024 300 people", ["in", "2024", "300", "people"]),
        ("between 12 0003 and", ["between", "12", "0003", "and"]),
        ("aged 12 34", ["aged", "12", "34"]),
        # A unit glued to a number is a word of its own.
        ("3 000km", ["3000", "km"]),
        ("12,000troops", ["12000", "troops"]),
        ("the 3rd of 12", ["the", "3", "rd", "of", "12"]),
        ("25\u06c1\u0632\u0627\u0631", ["25", "\u06c1\u0632\u0627\u0631"]),
        ("MH17 B52", ["mh17", "b52"]),  # digits after a letter stay in the word
        ("12,000\u540d\u58eb\u5175", ["12000", "\u540d", "\u58eb", "\u5175"]),
    ],
)
def test_number_boundaries(text: str, norms: list[str]) -> None:
    assert [t.norm for t in tokenize(text)] == norms


# ---------------------------------------------------- scripts without spaces


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("NATO\u79d8\u4e66\u957f", ["NATO", "\u79d8", "\u4e66", "\u957f"]),
        ("\u30c0\u30e0\u306e\u6c34\u4f4d", ["\u30c0", "\u30e0", "\u306e", "\u6c34", "\u4f4d"]),
        ("\u4eba\u3005\u3068", ["\u4eba", "\u3005", "\u3068"]),
        # Combining marks (Thai tone and vowel signs, kana voicing) stay with their letter.
        ("\u0e17\u0e35\u0e48\u0e19\u0e35\u0e48", ["\u0e17\u0e35\u0e48", "\u0e19\u0e35\u0e48"]),
        ("\uff76\uff9e\uff72", ["\uff76\uff9e", "\uff72"]),
        ("\u304b\u3099", ["\u304b\u3099"]),
        # Korean is written with spaces: its words stay whole.
        ("\ud55c\uad6d \uad70\ub300", ["\ud55c\uad6d", "\uad70\ub300"]),
        # Punctuation between letters is no word.
        ("\u300c\u884c\u304f\u3002\u300d\u30fb\u4e00", ["\u884c", "\u304f", "\u4e00"]),
    ],
)
def test_letters_of_scripts_without_spaces_are_words(text: str, words: list[str]) -> None:
    assert [text[t.start:t.end] for t in tokenize(text)] == words


def test_halfwidth_katakana_folds_to_fullwidth() -> None:
    norms = [t.norm for t in tokenize("\uff76\uff9e\uff72\uff84\uff9e")]
    assert norms == ["\u30ac", "\u30a4", "\u30c9"]


no_char_script = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY + "\uff0c\uff0e\uff11\uff12\u066b\u066c"),
                       st.characters().filter(lambda c: not is_char_script(c))),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(no_char_script)
def test_fast_pattern_finds_the_same_words_without_char_scripts(text: str) -> None:
    full = [m.span() for m in token_pattern().finditer(text)]
    fast = [m.span() for m in token_pattern(char_scripts=False).finditer(text)]
    assert fast == full


def test_aligner_reads_folded_numbers_as_equal_and_flags_a_changed_one() -> None:
    from dedup.align import FLAG_NUMBER, align

    base = "Officials said about {} soldiers were in Kursk."
    same = align(base.format("12 000"), base.format("\u201c12,000\u201d"))
    assert same.stats.kept == same.stats.a_words and same.stats.numbers_changed == 0
    assert all(FLAG_NUMBER not in e.flags for e in same.edits)
    (edit,) = align(base.format("12\u202f000"), base.format("11,000")).changes()
    assert edit.op == "replace" and FLAG_NUMBER in edit.flags
