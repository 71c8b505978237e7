"""Tests for dedup.segment: paragraphs and sentences with offsets into the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.segment import paragraphs, segment, sentences

PIECES = [
    "The", "troops", "said", "Mr.", "U.S.", "F.", "Kennedy", "no", "12,000", "3.5",
    "\u0627\u0631\u062f\u0648", "\u06cc\u06c1",
    ".", "!", "?", "\u2026", "\u06d4", "\u061f", "...", "[...]", ",", "\"", "\u201c", "\u201d",
    "'", "(", ")", " ", " ", "  ", "\u00a0", "\t", "\n", "\n\n", "\r\n", " \n ",
]
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(max_size=60),
)


def _check_spans(text: str) -> None:
    paras = paragraphs(text)
    passages = segment("d", text)
    covered = [False] * len(text)
    prev_end = 0
    for k, p in enumerate(passages):
        assert p.doc == "d" and p.index == k
        assert prev_end <= p.start < p.end  # ordered, non-overlapping, non-empty
        ps, pe = paras[p.paragraph]
        assert ps <= p.start and p.end <= pe  # inside its paragraph
        assert not text[p.start].isspace() and not text[p.end - 1].isspace()  # stripped
        for i in range(p.start, p.end):
            covered[i] = True
        prev_end = p.end
    assert [p.paragraph for p in passages] == sorted(p.paragraph for p in passages)
    assert {p.paragraph for p in passages} == set(range(len(paras)))
    missed = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not missed, [text[i] for i in missed]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_sentence_spans_partition_the_text(text: str) -> None:
    _check_spans(text)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_paragraphs_are_stripped_ordered_lines(text: str) -> None:
    prev = 0
    for s, e in paragraphs(text):
        assert prev <= s < e
        assert "\n" not in text[s:e] and "\r" not in text[s:e]
        assert not text[s].isspace() and not text[e - 1].isspace()
        prev = e


def split(text: str) -> list[str]:
    return [text[p.start:p.end] for p in segment("d", text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.\n\nThree.", ["One.", "Two.", "Three."]),
        (
            "The U.S. said so. Mr. Smith agreed.",
            ["The U.S. said so.", "Mr. Smith agreed."],
        ),
        (
            "John F. Kennedy spoke. Crowds cheered.",
            ["John F. Kennedy spoke.", "Crowds cheered."],
        ),
        (
            "He said [...] The rest. Then more.",
            ["He said [...] The rest.", "Then more."],
        ),
        (
            "He said \u201cgo home.\u201d Then he left.",
            ["He said \u201cgo home.\u201d", "Then he left."],
        ),
        ('He said "go home." Then he left.', ['He said "go home."', "Then he left."]),
        ("Is it? Yes! It is.", ["Is it?", "Yes!", "It is."]),
        ("It cost 3.5 million. 12 people paid.", ["It cost 3.5 million.", "12 people paid."]),
        ("He paused. then went on.", ["He paused. then went on."]),
        ("See e.g. This one.", ["See e.g. This one."]),
        (
            "Line one has no end\nLine two follows\n  Line three.  ",
            ["Line one has no end", "Line two follows", "Line three."],
        ),
        (
            "\u06cc\u06c1 \u067e\u06c1\u0644\u0627 \u062c\u0645\u0644\u06c1 \u06c1\u06d2\u06d4"
            " \u06cc\u06c1 \u062f\u0648\u0633\u0631\u0627 \u06c1\u06d2\u06d4",
            [
                "\u06cc\u06c1 \u067e\u06c1\u0644\u0627 \u062c\u0645\u0644\u06c1 \u06c1\u06d2\u06d4",
                "\u06cc\u06c1 \u062f\u0648\u0633\u0631\u0627 \u06c1\u06d2\u06d4",
            ],
        ),
        ("Wait\u2026 He came.", ["Wait\u2026", "He came."]),
        ("It ended. (Reuters) More.", ["It ended.", "(Reuters) More."]),
        ("", []),
        ("  \n\n \t ", []),
    ],
)
def test_named_splits(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_paragraph_indexes_follow_lines() -> None:
    text = "Title\n\nFirst para. Second.\nThird line."
    assert paragraphs(text) == [(0, 5), (7, 26), (27, 38)]
    assert [(text[p.start:p.end], p.paragraph) for p in segment("d", text)] == [
        ("Title", 0),
        ("First para.", 1),
        ("Second.", 1),
        ("Third line.", 2),
    ]


def test_sentences_window_uses_offsets_into_full_text() -> None:
    text = "Skip this. Keep one. Keep two."
    spans = sentences(text, 11, len(text))
    assert [text[s:e] for s, e in spans] == ["Keep one.", "Keep two."]
