"""The fast tokeniser against slow, obviously-right versions kept here.

:func:`dedup.tokens.tokenize_docs` cuts passages into chunks at spaces, looks them
up in bulk and builds factors with numpy; :func:`dedup.segment.sentence_spans` cuts
a whole text at once. The oracles below are the straightforward per-paragraph,
per-word loops they replaced: the arrays must be identical, byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import segment as segment_mod
from dedup import tokens as tokens_mod
from dedup.normalize import (
    APOSTROPHES,
    INVISIBLE,
    _mark_class,
    char_script_pattern,
    norm_word,
    s_stem,
    token_pattern,
)
from dedup.segment import has_spaceless_script, paragraphs, sentence_spans, sentences
from dedup.tokens import Tokens, WordForms, tokenize_docs

# -- the oracles -------------------------------------------------------------------

# Quoted spans as first written (lookbehind before the opening single quote).
_QUOTE_ORACLE = re.compile(
    "\u201c[^\u201c\u201d]*\u201d|\"[^\"\r\n]*\"|\u00ab[^\u00ab\u00bb]*\u00bb"
    "|\u300c[^\u300c\u300d]*\u300d|\u300e[^\u300e\u300f]*\u300f"
    "|(?<!\\w)\u2018(?:[^\u2018\u2019]|\u2019(?=\\w))*\u2019(?!\\w)"
)


# Sentence ends before a space, as first written ("[.!?]+" rather than "[.!?][.!?]*").
_SPACED_END_ORACLE = re.compile(
    "[.!?\u2026\u06d4\u061f]+[\"'\u201d\u2019\u00bb\u300d\u300f\uff02\uff07"
    ")\\]\uff09\u300b\u3009\u3011\u3015\uff3d\uff5d\u3017\u3019]*(?=\\s)")


def _plain_pattern_oracle() -> re.Pattern[str]:
    """The pattern for text without letters of scripts written without spaces, as
    first written: a number, else a run of word characters with inner apostrophes."""
    marks = _mark_class()
    run = rf"[\w{marks}]+"
    number = (r"(?:\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?!\d)|\d+(?:[,.\uff0c\u066c]\d{3})*)"
              r"(?:[.\uff0e\u066b]\d+)?(?!\d)")
    word = rf"{run}(?:(?:[{re.escape(APOSTROPHES)}]|[{re.escape(INVISIBLE)}]+){run})*"
    return re.compile(f"{number}|{word}")


def _paragraphs_oracle(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"[^\r\n]+", text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def _sentence_spans_oracle(text: str, spaceless: bool) -> list[tuple[int, int, int]]:
    return [(s, e, pi) for pi, (ps, pe) in enumerate(_paragraphs_oracle(text))
            for s, e in sentences(text, ps, pe, spaceless=spaceless)]


def _keys_oracle(text: str, start: int, end: int) -> list[str]:
    """Each word; a letter of a script written without spaces with the next one."""
    matches = list(token_pattern().finditer(text, start, end))
    letter = char_script_pattern().match
    out = []
    for i, m in enumerate(matches):
        raw = m.group()
        if letter(raw) and i + 1 < len(matches):
            nxt = matches[i + 1]
            if nxt.start() == m.end() and letter(text, nxt.start()):
                raw += nxt.group()
        out.append(raw)
    return out


def _hash(raw: str) -> int:
    form = s_stem(norm_word(raw)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(form, digest_size=8).digest(), "little")


def _tokenize_oracle(texts: list[str], topic: float, quote: float) -> Tokens:
    """One word at a time: its hash, and its factor (a capital inside the passage
    is a name, a word inside quotation marks is quoted)."""
    rows: list[tuple[int, int, int, int, int, int]] = []
    hashes: list[int] = []
    factors: list[float] = []
    letter = char_script_pattern().search
    for d, text in enumerate(texts):
        cjk = has_spaceless_script(text)
        for i, (s, e, pi) in enumerate(_sentence_spans_oracle(text, cjk)):
            spaceless = cjk and letter(text, s, e) is not None
            words = _keys_oracle if spaceless else _plain_pattern_oracle().findall
            pieces = []
            pos = s
            for m in _QUOTE_ORACLE.finditer(text, s, e):
                pieces += [(pos, m.start(), False), (m.start(), m.end(), True)]
                pos = m.end()
            pieces.append((pos, e, False))
            count = 0
            for lo, hi, quoted in pieces:
                if lo >= hi:
                    continue
                for raw in words(text, lo, hi):
                    f = topic if count and raw[0].isupper() else 1.0
                    hashes.append(_hash(raw))
                    factors.append(f * quote if quoted else f)
                    count += 1
            rows.append((d, i, s, e, pi, count))
    table = np.asarray(rows, dtype=np.int64).reshape(-1, 6)
    return Tokens(*(table[:, k].copy() for k in range(6)),
                  np.asarray(hashes, dtype=np.uint64), np.asarray(factors, dtype=np.float64))


def _same(a: Tokens, b: Tokens) -> None:
    for name in Tokens.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y, err_msg=name)


# -- text that exercises every rule ------------------------------------------------

_PIECES = [
    # words, names, sentence starts, abbreviations and initials
    "the", "troops", "said", "NATO", "Kim", "Mr.", "U.S.", "John F. Kennedy", "e.g.",
    "(U.S. ", "\u201cMr. ", "Gen. ", "vs. ", "a.m. ", "Sen.\u00a0", "\tDr. ", "A1. ",
    "Russia\u2019s", "don't", "rock`n", "caf\u00e9", "e\u0301t\u00e9", "na\u00efve",
    "soft\u00adhyphen", "zero\u200bwidth", "\u0130stanbul", "\ufb01ne", "\u00df",
    # numbers: grouped by spaces (all four kinds), separators, decimals, glued units
    "12,000", "12 000", "3 400 500", "12\u00a0000", "1\u2009234", "7\u202f500", "3.5",
    "2024 300", "10km", "3rd", "\uff11\uff12\uff0c\uff10\uff10\uff10", "\u0661\u066c\u0662",
    "1 23", "12  000",
    # quotation marks, opening and closing, and apostrophes next to them
    "\u201c", "\u201d", '"', "\u00ab", "\u00bb", "\u300c", "\u300d", "\u300e", "\u300f",
    "\u2018", "\u2019", "'", "\u2018tis", "boys\u2019",
    # sentence ends, closers, elisions, brackets
    ". ", "! ", "? ", "\u2026 ", ".\u201d ", "?) ", "[...] ", "(", ")", "[", "]",
    "\u06d4 ", "\u061f ",
    # scripts written without spaces and their terminators
    "\u4e2d\u6587", "\u9752\u6eaa\u6c34\u5e93", "\u3002", "\uff01", "\u0e17\u0e35\u0e48",
    "\u30ab\u30fc", "\u3068", "\u4ed6\u8bf4\u3002",
    # Urdu and Hindi
    "\u0627\u0631\u062f\u0648", "\u0939\u0948\u0964",
    # spaces and line breaks of every kind
    " ", " ", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\t", "\x0b", "\x0c", "\x1c",
    "\u2028", "\u00a0", "\u3000", "\u2009", "\u202f", " - ", " \u2014 ", ",", ";", ":",
]
_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)),
                 max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_text, min_size=1, max_size=4), st.sampled_from([(0.3, 1.5), (0.5, 2.0)]))
def test_tokenize_docs_equals_the_per_word_oracle(texts: list[str],
                                                   weights: tuple[float, float]) -> None:
    topic, quote = weights
    _same(tokenize_docs(texts, 0, WordForms(topic, quote)),
          _tokenize_oracle(texts, topic, quote))


@settings(max_examples=100, deadline=None)
@given(st.lists(_text, min_size=2, max_size=6))
def test_batches_sharing_one_cache_give_the_same_arrays(texts: list[str]) -> None:
    """The vocabulary carries over from one batch to the next (as in a serial run):
    what is known already must come out as if it were new."""
    forms = WordForms(0.3, 1.5)
    half = len(texts) // 2
    parts = [tokenize_docs(texts[:half], 0, forms), tokenize_docs(texts[half:], half, forms)]
    _same(Tokens.concat(parts), _tokenize_oracle(texts, 0.3, 1.5))


@settings(max_examples=300, deadline=None)
@given(_text)
def test_sentence_spans_equal_the_per_paragraph_cut(text: str) -> None:
    assert paragraphs(text) == _paragraphs_oracle(text)
    for spaceless in (False, True):
        assert list(sentence_spans(text, spaceless=spaceless)) == \
            _sentence_spans_oracle(text, spaceless)


@settings(max_examples=300, deadline=None)
@given(_text)
def test_sentence_ends_are_found_as_first_written(text: str) -> None:
    first = [m.span() for m in _SPACED_END_ORACLE.finditer(text)]
    assert [m.span() for m in segment_mod._SPACED_END_RE.finditer(text)] == first
    assert segment_mod._spaced_ends(text) == first


@settings(max_examples=300, deadline=None)
@given(_text)
def test_the_plain_pattern_finds_what_it_first_found(text: str) -> None:
    assert token_pattern(char_scripts=False).findall(text) == \
        _plain_pattern_oracle().findall(text)
    sub = text[1:-1]
    assert token_pattern(char_scripts=False).findall(text, 1, len(text) - 1) == \
        _plain_pattern_oracle().findall(text, 1, len(text) - 1) == \
        _plain_pattern_oracle().findall(sub)


@settings(max_examples=300, deadline=None)
@given(_text, st.integers(0, 5), st.integers(0, 5))
def test_quoted_spans_are_found_as_first_written(text: str, a: int, b: int) -> None:
    end = max(a, len(text) - b)
    assert [m.span() for m in tokens_mod._QUOTE_RE.finditer(text, a, end)] == \
        [m.span() for m in _QUOTE_ORACLE.finditer(text, a, end)]


def test_a_word_never_holds_a_space_but_a_grouped_number() -> None:
    """Why cutting at spaces first loses nothing: no character a word may hold is a
    space (str.split's and \\s's, which agree), except the spaces that group a
    number's thousands."""
    spaces = [chr(i) for i in range(0x110000) if chr(i).isspace()]
    assert spaces == re.findall(r"\s", "".join(map(chr, range(0x110000))))
    word_char = re.compile(rf"[\w{_mark_class()}{re.escape(APOSTROPHES + INVISIBLE)}"
                           r",.\uff0c\u066c\uff0e\u066b]")
    assert not any(word_char.match(c) for c in spaces)
    assert {" ", "\u00a0", "\u2009", "\u202f"} <= set(spaces)


def test_grouped_numbers_are_cut_by_the_pattern() -> None:
    text = "Officials counted 12 000 troops and 3\u202f400 tanks. The 2024 300 figure stood."
    tok = tokenize_docs([text], 0, WordForms(0.3, 1.5))
    _same(tok, _tokenize_oracle([text], 0.3, 1.5))
    assert tok.lengths.tolist() == [7, 5]  # "12 000" and "3 400" one word each
    # a digit at both sides of a space that groups nothing
    plain = "In 2024 12 people came."
    _same(tokenize_docs([plain], 0, WordForms(0.3, 1.5)),
          _tokenize_oracle([plain], 0.3, 1.5))


def test_only_the_documents_with_grouped_numbers_are_cut_again(monkeypatch) -> None:
    """A batch where some documents hold a number grouped by spaces: those are cut
    again and spliced back among the others, quotations (whose bounds are chunk
    indexes) before, inside and after them."""
    texts = ["\u201cWe stay,\u201d he said. Then 4 left.",
             "Officials counted 12 000 troops. \u201cNo 3 400 tanks,\u201d they said.",
             "Nothing grouped here. \u201cQuoted words\u201d stay quoted.",
             "",
             "The 2024 300 figure stood. \u201cIt is 7\u202f500,\u201d she said.",
             "\u201cLast one\u201d ends it."]
    counted = []
    original = tokens_mod._chunk_docs

    def chunk_docs(batch, forms, grouped):  # type: ignore[no-untyped-def]
        counted.append(len(batch))
        return original(batch, forms, grouped)

    monkeypatch.setattr(tokens_mod, "_chunk_docs", chunk_docs)
    tok = tokenize_docs(texts, 0, WordForms(0.3, 1.5))
    assert counted == [6, 2]  # the two documents with "12 000" and "7 500" again
    _same(tok, _tokenize_oracle(texts, 0.3, 1.5))


def test_the_seed_articles_equal_the_oracle(seeds_dir: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    assert len(texts) == 5
    _same(tokenize_docs(texts, 0, WordForms(0.3, 1.5)), _tokenize_oracle(texts, 0.3, 1.5))
