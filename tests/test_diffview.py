"""Renderers: escaping, plain vs colour output, width, JSON offsets."""

from __future__ import annotations

import html
import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.align import Alignment, align
from dedup.diffview import (
    HTML_CSS,
    _side_pieces,
    alignment_to_json,
    render_html_fragment,
    render_html_page,
    render_markdown,
    render_text,
)
from dedup.errors import ParameterError

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANSI = re.compile(r"\x1b\[[0-9;]*m")

WIRE = (
    "More than 10,000 North Korean soldiers have arrived in Russia, Seoul\u2019s Defense "
    "Ministry said on Tuesday.\n\n"
    "\u201cMore than 10,000 North Korean soldiers are currently in Russia,\u201d spokesman "
    "Jeon Ha-kyou said at a briefing.\n\n"
    "The comments came hours after the US Pentagon said at least 10,000 soldiers were in "
    "Kursk. After an invasion that began in August, Ukrainian forces control parts of the "
    "border region."
)
POST = (
    "The comments came hours after the US Pentagon said at least 10,000 soldiers were in "
    "Kursk.\n\n"
    "More than 11,000 North Korean soldiers have arrived in Russia, Seoul's Defense "
    "Ministry claimed on Tuesday.\n\n"
    '"More than 10,000 North Korean soldiers are in Russia," spokesman Kim said at a '
    "briefing. After an invasion that began in August, Ukrainian forces control parts of "
    "the border region, officials added."
)


@pytest.fixture
def al() -> Alignment:
    return align(WIRE, POST)


def display_width(line: str) -> int:
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in ANSI.sub("", line)
    )


# ---------------------------------------------------------------------- escaping


def test_script_in_the_corpus_is_shown_as_text() -> None:
    a = "Police said <script>alert(1)</script> was posted on the site & removed."
    b = "Police said <script>alert(2)</script> was posted on the site & removed."
    al = align(a, b)
    for out in (render_html_fragment(al, label_a="<b>AP</b>"), render_html_page(al)):
        assert "<script>" not in out and "</script>" not in out
        assert "&lt;script&gt;alert(" in out and "&amp; removed" in out
    assert "<b>AP</b>" not in render_html_fragment(al, label_a="<b>AP</b>")
    md = render_markdown(al)
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_html_attributes_and_ids_cannot_be_injected(al: Alignment) -> None:
    with pytest.raises(ParameterError, match="id_prefix"):
        render_html_fragment(al, id_prefix='x" onload="alert(1)')
    page = render_html_page(al, title='"><img src=x onerror=alert(1)>')
    assert "<img" not in page


def test_terminal_control_characters_in_the_corpus_are_neutralised() -> None:
    al = align("Hello \x1b[2J world today", "Hello \x1b[31m world today")
    for color in (False, True):
        out = render_text(al, width=60, color=color)
        assert "\x1b[2J" not in out and "\x1b[31m world" not in out


# ----------------------------------------------------------------------- text


def test_plain_output_has_no_ansi_codes_and_readable_markers(al: Alignment) -> None:
    out = render_text(al, width=100, color=False, label_a="AP", label_b="Post")
    assert "\x1b" not in out
    assert "{~11,000~}" in out and "[~10,000~]" in out
    assert "{+officials added+}" in out
    assert "[m1]" in out and "[!number]" in out and "[!attribution]" in out
    assert any(line.startswith("AP ") for line in out.splitlines()[:4])


def test_colour_output_uses_ansi(al: Alignment) -> None:
    out = render_text(al, width=100, color=True)
    assert "\x1b[33m" in out and "\x1b[36m" in out and "\x1b[0m" in out
    assert "[m1]" in ANSI.sub("", out)


def test_header_is_one_line_at_a_usual_width(al: Alignment) -> None:
    lines = render_text(al, width=120).splitlines()
    assert lines[0].startswith("kept ") and "flagged: 1 number" in lines[0]
    assert lines[1].startswith("A ")


def test_cosmetic_edits_are_hidden_unless_asked_for() -> None:
    a = "\u201cWe will win,\u201d the minister said \u2014 on Monday."
    b = '"We will WIN," the minister said - on Monday.'
    al = align(a, b)
    assert "[=" not in render_text(al, width=80)
    assert "[=" in render_text(al, width=80, show_cosmetic=True)
    assert 'class="cosmetic"' in render_html_fragment(al, show_cosmetic=True)
    assert 'class="cosmetic"' not in render_html_fragment(al)


@FAST
@given(
    width=st.integers(24, 140),
    color=st.booleans(),
    extra=st.sampled_from([
        "", " https://example.com/" + "a" * 150, " \u5317\u671d\u9bae\u8ecd\u304c" * 30,
        " Zelens\u0301kyy", "\n\n\n\nshort",
    ]),
)
def test_no_line_is_wider_than_width(width: int, color: bool, extra: str) -> None:
    al = align(WIRE + extra, POST)
    out = render_text(al, width=width, color=color, label_a="A" * 200, label_b="B")
    for line in out.splitlines():
        assert len(ANSI.sub("", line)) <= width
        assert display_width(line) <= width


def test_too_narrow_width_is_refused(al: Alignment) -> None:
    with pytest.raises(ParameterError, match="width must be >= 24"):
        render_text(al, width=10)


@FAST
@given(st.data())
def test_pieces_cover_each_span_exactly(data: st.DataObject) -> None:
    words = data.draw(st.lists(st.sampled_from(WIRE.split()), max_size=40))
    other = list(words)
    data.draw(st.randoms(use_true_random=False)).shuffle(other)
    a, b = " ".join(words), "\n".join(other[: len(other) // 2]) + " " + " ".join(words)
    al = align(a, b)
    for side, text, span in (("a", a, al.a_span), ("b", b, al.b_span)):
        for cosmetic in (False, True):
            pieces = _side_pieces(al, side, cosmetic)
            assert "".join(p.text for p in pieces) == text[slice(*span)]
    render_text(al, width=50)  # and every layout path runs


def test_rows_pair_shared_paragraphs(al: Alignment) -> None:
    rows = [line for line in render_text(al, width=160).splitlines() if " | " in line]
    assert any(
        line.split(" | ")[0].startswith("After an invasion")
        and line.split(" | ")[1].startswith("After an invasion")
        for line in rows
    )


# -------------------------------------------------------------- markdown, html


def test_markdown_marks_and_stats_table(al: Alignment) -> None:
    md = render_markdown(al, label_a="AP", label_b="Post")
    assert "| words of A kept (in place or moved) |" in md and "| numbers changed | 1 |" in md
    assert "~~10,000~~" in md and "**11,000**" in md and "`m1`" in md
    assert "| AP | Post |" in md
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert all(line.endswith(" |") for line in table)


def test_markdown_escapes_table_and_emphasis_syntax() -> None:
    md = render_markdown(align("a | b *c* d", "a | b *c* e"))
    assert r"\|" in md and r"\*c\*" in md


def test_html_fragment_structure(al: Alignment) -> None:
    frag = render_html_fragment(al, id_prefix="pair7")
    assert frag.startswith('<div class="dedup-align">')
    assert '<mark class="replace"' in frag and "<ins" in frag
    assert 'data-move="1"' in frag
    assert 'id="pair7-m1-a"' in frag and 'href="#pair7-m1-b"' in frag
    assert 'id="pair7-m1-b"' in frag and 'href="#pair7-m1-a"' in frag
    assert frag.count("<tr>") == frag.count("</tr>")


def test_html_page_is_self_contained(al: Alignment) -> None:
    page = render_html_page(al, label_a="AP", label_b="Post")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert HTML_CSS in page and '<meta charset="utf-8">' in page
    assert not re.search(r"(src|href)=\"(https?:)?//|@import|<link", page)


def test_html_keeps_every_word(al: Alignment) -> None:
    frag = render_html_fragment(al)
    cells = re.findall(r'<td class="dedup-b">(.*?)</td>', frag, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", "".join(cells).replace("<br>\n", "\n")))
    words = re.findall(r"[^\W\d_]+", re.sub(r"\b(m1|number|attribution|quote)\b", "", text))
    assert words == re.findall(r"[^\W\d_]+", POST)


# ------------------------------------------------------------------------ json


def test_json_round_trips_and_offsets_slice_the_texts(al: Alignment) -> None:
    data = alignment_to_json(al)
    again = json.loads(json.dumps(data))
    assert again == data
    assert json.dumps(alignment_to_json(al)) == json.dumps(data)  # deterministic
    assert list(data) == ["format", "version", "a_span", "b_span", "a_length", "b_length",
                          "stats", "edits"]
    ops = set()

    def check(edits: list[dict]) -> None:
        for e in edits:
            ops.add(e["op"])
            assert WIRE[e["a"][0]:e["a"][1]] == e["a_text"]
            assert POST[e["b"][0]:e["b"][1]] == e["b_text"]
            tokens = al.a_tokens[e["a_tokens"][0]:e["a_tokens"][1]]
            if tokens:
                assert e["a"][1] == tokens[-1].end
            check(e["inner"])

    check(again["edits"])
    assert {"equal", "replace", "insert", "move"} <= ops
    assert again["stats"]["numbers_changed"] == al.stats.numbers_changed
