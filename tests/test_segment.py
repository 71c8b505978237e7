"""Tests for dedup.segment: paragraphs and sentences with offsets into the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.segment import has_spaceless_script, paragraphs, segment, sentence_spans, sentences

SPACED_PIECES = [
    "The", "troops", "said", "Mr.", "U.S.", "F.", "Kennedy", "no", "12,000", "3.5",
    "\u0627\u0631\u062f\u0648", "\u06cc\u06c1",
    ".", "!", "?", "\u2026", "\u06d4", "\u061f", "...", "[...]", ",", "\"", "\u201c", "\u201d",
    "'", "(", ")", " ", " ", "  ", "\u00a0", "\t", "\n", "\n\n", "\r\n", " \n ",
]
# Chinese, Japanese, Thai and Hindi pieces, and the terminators that need no space.
SPACELESS_PIECES = [
    "中国", "说", "他说", "表示", "と", "です", "ダム", "ที่", "。", "！", "？", "｡", "「", "」",
    "『", "』", "“", "”", "（", "）", "\u3000", "\u0e5a", "\u0964",
]
PIECES = SPACED_PIECES + SPACELESS_PIECES
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
        # Chinese and Japanese: full stops need no space after them.
        ("新华社北京电。外交部发言人表示，中方不知情！会谈何时举行？尚未确定。",
         ["新华社北京电。", "外交部发言人表示，中方不知情！", "会谈何时举行？", "尚未确定。"]),
        ("防衛省によると、派遣された｡同省は確認中だ。",
         ["防衛省によると、派遣された｡", "同省は確認中だ。"]),
        ("首相は会見した。 記者団に語った。", ["首相は会見した。", "記者団に語った。"]),
        # Closing quotes and brackets stay with the sentence they close.
        ("他说：“我们会去。”会谈明天举行。（完）",
         ["他说：“我们会去。”", "会谈明天举行。", "（完）"]),
        ("「必ず勝つ。」「負けない！」", ["「必ず勝つ。」", "「負けない！」"]),
        ("（新华社电。）次の文。", ["（新华社电。）", "次の文。"]),
        # A quotation followed by its attribution stays one sentence.
        ("“我们不会退让。”他说。会谈结束。", ["“我们不会退让。”他说。", "会谈结束。"]),
        ("“我们会继续。”外交部发言人赵立坚在记者会上表示。会谈结束。",
         ["“我们会继续。”外交部发言人赵立坚在记者会上表示。", "会谈结束。"]),
        ("「水位が上がった。」と述べた。次だ。", ["「水位が上がった。」と述べた。", "次だ。"]),
        ("「本当か？」って聞いた。", ["「本当か？」って聞いた。"]),
        # ... but not a sentence of its own that opens another quotation.
        ("“我们会去。”“我们不会退让。”", ["“我们会去。”", "“我们不会退让。”"]),
        # ASCII "!" and "?" directly before a Chinese letter.
        ("真的吗?我不知道!好的。", ["真的吗?", "我不知道!", "好的。"]),
        ("Really?!Yes. Why?No.", ["Really?!Yes.", "Why?No."]),
        # Other scripts' unambiguous terminators.
        ("\u092f\u0939 \u0939\u0948\u0964\u0935\u0939 \u0925\u093e\u0964",
         ["\u092f\u0939 \u0939\u0948\u0964", "\u0935\u0939 \u0925\u093e\u0964"]),
        ("\u0e01\u0e32\u0e23\u0e1b\u0e23\u0e30\u0e0a\u0e38\u0e21\u0e5a\u0e08\u0e1a",
         ["\u0e01\u0e32\u0e23\u0e1b\u0e23\u0e30\u0e0a\u0e38\u0e21\u0e5a", "\u0e08\u0e1a"]),
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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SPACED_PIECES), max_size=40).map("".join))
def test_the_spaceless_rules_change_nothing_where_they_are_not_needed(text: str) -> None:
    assert not has_spaceless_script(text)
    assert list(sentence_spans(text, spaceless=False)) == list(sentence_spans(text)) == [
        (s, e, pi) for pi, (ps, pe) in enumerate(paragraphs(text))
        for s, e in sentences(text, ps, pe, spaceless=True)]


def test_spaceless_detection_knows_every_script_and_terminator() -> None:
    from dedup.segment import _SPACELESS_RE

    # Every character the rules apply to is found by the fast byte test, which looks
    # for its UTF-8 lead byte.
    for cp in range(0x80, 0x32400):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000 or not _SPACELESS_RE.match(ch):
            continue
        assert has_spaceless_script(f"Plain \u201ctext\u201d {ch} more"), hex(cp)
    assert not has_spaceless_script("\u201cCurly\u201d \u2014 Urdu \u06cc\u06c1 caf\u00e9 \u1e9e")
