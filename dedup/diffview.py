"""Render an :class:`~dedup.align.Alignment` for people: terminal, Markdown, HTML, JSON.

Pure formatting: what matched, moved or changed was decided by :mod:`dedup.align`;
this module only walks the edits and lays out the two texts side by side.

The two columns are cut into rows at sentence and paragraph starts that both texts
share, so corresponding material sits on the same rows. Cosmetic edits (quote style,
case, spacing) are hidden unless ``show_cosmetic=True``; an equal run that carries a
flag (quotation marks added or removed) is always shown.

>>> from dedup.align import align
>>> al = align("Officials said 12,000 troops left.", "Officials claimed 11,000 troops left.")
>>> print(render_text(al, width=64, color=False), end="")
kept 3/5 (60%), replaced 2->2; flagged: 1 number, 1 attribution;
B 60% from A
A                              | B
------------------------------ | ------------------------------
Officials [~said 12,000~]      | Officials {~claimed 11,000~}
troops left.                   | [!number] [!attribution]
                               | troops left.
"""

from __future__ import annotations

import html
import re
import textwrap
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from dataclasses import replace as _replace

from .align import Alignment, AlignStats, Edit
from .errors import ParameterError

__all__ = [
    "HTML_CSS",
    "MARKER_LEGEND",
    "alignment_to_json",
    "render_html_fragment",
    "render_html_page",
    "render_markdown",
    "render_text",
    "stats_summary",
]

MIN_WIDTH = 24

HTML_CSS = """\
.dedup-align { font-family: Georgia, "Times New Roman", serif; line-height: 1.5; }
.dedup-align table { border-collapse: collapse; width: 100%; }
.dedup-align th, .dedup-align td { border: 1px solid #ddd; padding: 0.3em 0.6em;
  vertical-align: top; text-align: left; }
.dedup-align .dedup-sbs td { width: 50%; }
.dedup-align .dedup-stats { width: auto; margin-bottom: 1em; font-size: 0.9em; }
.dedup-align del { background: #fdd; color: #900; }
.dedup-align ins { background: #dfd; color: #060; text-decoration: none; }
.dedup-align mark.replace { background: #ffeeb0; color: inherit; }
.dedup-align .move { background: #dff4fb; border-bottom: 2px dotted #0891b2; }
.dedup-align .move .move-edit { background: #f5d0fe; }
.dedup-align .move-link { font: bold 0.75em sans-serif; color: #0e7490;
  text-decoration: none; margin-right: 0.2em; }
.dedup-align .cosmetic { border-bottom: 1px dashed #999; }
.dedup-align .flag-equal { background: #fef3c7; }
.dedup-align .flag { font: bold 0.7em sans-serif; color: #fff; background: #b91c1c;
  border-radius: 3px; padding: 0 0.3em; margin-left: 0.2em; vertical-align: super; }
"""

# ---------------------------------------------------------------------- pieces

_PLAIN, _DEL, _INS, _REP, _MOVE, _MOVE_EDIT, _COSMETIC, _FLAG_EQUAL = (
    "plain", "del", "ins", "rep", "move", "move-edit", "cosmetic", "flag-equal",
)


@dataclass(frozen=True)
class _Piece:
    """A stretch of one text with one style. ``first`` marks a move's first piece on
    this side (where its label goes); ``tags`` are the flags to show after it."""

    text: str
    style: str
    move_id: int | None = None
    first: bool = False
    tags: tuple[str, ...] = ()
    title: str = ""
    inner_op: str = ""  # for a change inside a moved block: delete, insert or replace
    last: bool = False  # a move's last piece on this side (where its end mark goes)


def _edit_style(e: Edit, show_cosmetic: bool) -> str:
    if e.op == "equal":
        if e.flags:
            return _FLAG_EQUAL
        return _COSMETIC if (e.cosmetic and show_cosmetic) else _PLAIN
    return {"delete": _DEL, "insert": _INS, "replace": _REP}[e.op]


def _side_pieces(al: Alignment, side: str, show_cosmetic: bool) -> list[_Piece]:
    """The span of one text, as styled pieces in text order."""
    text = al.a if side == "a" else al.b
    lo, hi = al.a_span if side == "a" else al.b_span
    skip = "insert" if side == "a" else "delete"

    def rng(e: Edit) -> tuple[int, int]:
        return (e.a_start, e.a_end) if side == "a" else (e.b_start, e.b_end)

    def tags(e: Edit) -> tuple[str, ...]:
        # flags go after the outlet's (B) version, or after a cut when B has nothing
        if e.op == "equal" or not e.flags:
            return ()
        return e.flags if side == "b" or e.op == "delete" else ()

    pieces: list[_Piece] = []
    cursor = lo

    def emit(start: int, end: int, piece: _Piece, fill: _Piece) -> None:
        """Add ``text[start:end]`` as ``piece``, after the text before it as ``fill``."""
        nonlocal cursor
        start = max(start, cursor)
        if start > cursor:
            pieces.append(_Piece(text[cursor:start], fill.style, fill.move_id))
            cursor = start
        if end > start:
            pieces.append(_Piece(text[start:end], piece.style, piece.move_id, piece.first,
                                 piece.tags, piece.title, piece.inner_op))
            cursor = end

    outside = _Piece("", _PLAIN)
    for e in sorted((e for e in al.edits if e.op != skip), key=lambda e: rng(e)[0]):
        start, end = rng(e)
        if e.op != "move":
            title = ", ".join(e.cosmetic_kinds or e.flags)
            piece = _Piece("", _edit_style(e, show_cosmetic), tags=tags(e), title=title)
            emit(start, end, piece, outside)
            continue
        inside = _Piece("", _MOVE, e.move_id)
        emit(start, start, inside, outside)  # the text before the move
        first = True
        for x in sorted((x for x in e.inner if x.op != skip), key=lambda x: rng(x)[0]):
            style = _MOVE if x.op == "equal" else _MOVE_EDIT
            xs, xe = rng(x)
            piece = _Piece("", style, e.move_id, first, tags(x), ", ".join(x.flags),
                           "" if x.op == "equal" else x.op)
            emit(xs, xe, piece, inside)
            first = False
        if first:  # a verbatim move: one piece
            emit(start, end, _Piece("", _MOVE, e.move_id, first=True), outside)
        elif cursor < end:
            emit(end, end, inside, inside)
        for k in range(len(pieces) - 1, -1, -1):
            if pieces[k].move_id == e.move_id:
                pieces[k] = _replace(pieces[k], last=True)
                break
    if cursor < hi:
        pieces.append(_Piece(text[cursor:hi], _PLAIN))
    return pieces


_PARA = re.compile(r"\n")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s")


def _cuts(al: Alignment) -> list[tuple[int, int, bool]]:
    """``(a_pos, b_pos, paragraph)`` where both texts start a sentence or paragraph at
    the same matched word: the rows of the side-by-side views."""
    out: list[tuple[int, int, bool]] = []
    ta, tb = al.a_tokens, al.b_tokens
    for e in al.edits:
        if e.op != "equal":
            continue
        for k in range(e.a_tok[1] - e.a_tok[0]):
            i, j = e.a_tok[0] + k, e.b_tok[0] + k
            if i == 0 or j == 0:
                continue
            ga = al.a[ta[i - 1].end:ta[i].start]
            gb = al.b[tb[j - 1].end:tb[j].start]
            if _PARA.search(ga) and _PARA.search(gb):
                para = True
            elif _SENTENCE_END.match(ga) and _SENTENCE_END.match(gb):
                para = False
            else:
                continue
            # cut after the gap's last space, so an opening quote stays with its word
            out.append((ta[i].start - _glued(ga), tb[j].start - _glued(gb), para))
    return out


def _glued(gap: str) -> int:
    """Length of the non-space tail of ``gap`` (punctuation glued to the next word)."""
    k = len(gap)
    while k and not gap[k - 1].isspace():
        k -= 1
    return len(gap) - k


def _split_at(pieces: list[_Piece], start: int, cuts: list[int]) -> list[list[_Piece]]:
    """Cut a side's pieces (which begin at ``start``) at character positions; a cut
    piece keeps its move label on its first part and its flag tags on its last."""
    blocks: list[list[_Piece]] = [[]]
    pos = start
    queue = iter(cuts)
    nxt = next(queue, None)
    for p in pieces:
        chunks: list[tuple[str, bool]] = []  # (text, starts a new block)
        text = p.text
        new_block = False
        while nxt is not None and pos <= nxt < pos + len(text):
            head, text = text[:nxt - pos], text[nxt - pos:]
            chunks.append((head, new_block))
            new_block = True
            pos = nxt
            nxt = next(queue, None)
        chunks.append((text, new_block))
        pos += len(text)
        for k, (chunk, new) in enumerate(chunks):
            if new:
                blocks.append([])
            if chunk:
                end = k == len(chunks) - 1
                blocks[-1].append(_Piece(chunk, p.style, p.move_id, p.first and k == 0,
                                         p.tags if end else (), p.title, p.inner_op,
                                         p.last and end))
    while len(blocks) < len(cuts) + 1:
        blocks.append([])
    return blocks


def _rows(al: Alignment, show_cosmetic: bool) -> Iterator[tuple[list[_Piece], list[_Piece], bool]]:
    """Pairs of (A pieces, B pieces) for each row block, and whether a paragraph
    break comes before the block."""
    cuts = _cuts(al)
    a_blocks = _split_at(_side_pieces(al, "a", show_cosmetic), al.a_span[0], [c[0] for c in cuts])
    b_blocks = _split_at(_side_pieces(al, "b", show_cosmetic), al.b_span[0], [c[1] for c in cuts])
    paras = [False] + [c[2] for c in cuts]
    yield from zip(a_blocks, b_blocks, paras, strict=True)


# ----------------------------------------------------------------------- stats


def _verbatim(al: Alignment) -> tuple[int, int]:
    """Words of A and of B that the alignment found word for word: kept in place, or
    equal inside a moved block (a verbatim move counts whole)."""
    a = b = 0
    for e in al.edits:
        if e.op == "equal":
            a += e.a_tok[1] - e.a_tok[0]
            b += e.b_tok[1] - e.b_tok[0]
        elif e.op == "move":
            for x in e.inner or (e,):
                if x.op in ("equal", "move"):
                    a += x.a_tok[1] - x.a_tok[0]
                    b += x.b_tok[1] - x.b_tok[0]
    return a, b


def _share(n: int, total: int) -> float:
    return n / total if total else 0.0


def stats_summary(stats: AlignStats | Alignment) -> list[tuple[str, str]]:
    """The stats as (label, value) rows, shared by every renderer.

    One rule for every "kept" and "from A" figure: a word counts when it is found word
    for word, in place or inside a moved block; replaced words never count. "share of
    B aligned" is wider: B's text under kept, moved or replaced words.

    >>> from dedup.align import align
    >>> stats_summary(align("a b c", "a b d"))[0]
    ('words of A kept (in place or moved)', '2 of 3 (66.7%)')
    """
    if isinstance(stats, Alignment):
        found_a, found_b = _verbatim(stats)
        s = stats.stats
    else:  # the counts from the shares (exact below 10,000 words)
        s = stats
        found_a = round(s.share_a_kept * s.a_words)
        found_b = found_a  # equal words come in pairs
    return [
        ("words of A kept (in place or moved)",
         f"{found_a} of {s.a_words} ({_share(found_a, s.a_words):.1%})"),
        ("words cut", str(s.cut)),
        ("words added", str(s.added)),
        ("words replaced", f"{s.replaced_a} -> {s.replaced_b}"),
        ("words moved", f"{s.moved_a} in {s.moves} block{'s' if s.moves != 1 else ''}"),
        ("numbers changed", str(s.numbers_changed)),
        ("quotations changed", str(s.quotes_changed)),
        ("attributions changed", str(s.attributions_changed)),
        ("cosmetic changes", str(s.cosmetic_changes)),
        ("words of B from A (kept or moved)",
         f"{found_b} of {s.b_words} ({_share(found_b, s.b_words):.1%})"),
        ("share of B aligned (kept, moved or replaced)", f"{s.share_b_covered:.1%}"),
    ]


def _stats_line(al: Alignment) -> str:
    """One compact line; zero counts are left out. ``kept N/M (P%)``: N of A's M words
    found word for word in B, in place or moved, P = N/M; ``B P% from A``: the share of
    B's words found the same way."""
    s = al.stats
    found_a, found_b = _verbatim(al)
    parts = [f"kept {found_a}/{s.a_words} ({_share(found_a, s.a_words):.0%})"]
    for n, what in ((s.cut, "cut"), (s.added, "added")):
        if n:
            parts.append(f"{what} {n}")
    if s.replaced_a or s.replaced_b:
        parts.append(f"replaced {s.replaced_a}->{s.replaced_b}")
    if s.moves:
        parts.append(f"moved {s.moved_a}")
    flags = [(s.numbers_changed, "number"), (s.quotes_changed, "quote"),
             (s.attributions_changed, "attribution")]
    flagged = ", ".join(f"{n} {what}{'s' if n != 1 else ''}" for n, what in flags if n)
    line = ", ".join(parts)
    if flagged:
        line += f"; flagged: {flagged}"
    return f"{line}; B {_share(found_b, s.b_words):.0%} from A"


# ------------------------------------------------------------------------ text

MARKER_LEGEND = """\
Markers of `dedup diff` without colour (A: left column, B: right column):
  [-words-]          cut: in A, not in B
  {+words+}          added: in B, not in A
  [~old~] {~new~}    replaced: A's words (left) and the words B has instead (right)
  [m1] words [/m1]   moved block 1: the same block is labelled on both sides; edits
                     inside it carry the markers above
  [!words!]          kept words whose quotation marks were added or removed
  [=words=]          a cosmetic difference (quote style, case, spaces, dashes,
                     punctuation), shown only with --show-cosmetic
  [!number]          flag after a change: a number changed
  [!quote]           flag: a quotation changed
  [!attribution]     flag: an attribution changed ("said" -> "claimed")
  |                  the column separator (a bar in the texts is shown as \u00a6)
With --color: red cut, green added, yellow replaced, cyan moved (magenta: edits inside
a move), underlined cosmetic, underlined yellow quotation-mark changes.
Header: kept N/M (P%): N of A's M words found word for word in B, in place or in a
moved block (P = N/M); cut, added, replaced, moved: words; B P% from A: the share of
B's words found word for word in A by the same rule (replaced words do not count).
"""

_ANSI = {
    _DEL: "31", _INS: "32", _REP: "33", _MOVE: "36", _MOVE_EDIT: "35",
    _COSMETIC: "4", _FLAG_EQUAL: "4;33",
}
_ANSI_LABEL = "1;36"
_ANSI_TAG = "1;31"
_PLAIN_MARKS = {
    _DEL: ("[-", "-]"), _INS: ("{+", "+}"), _COSMETIC: ("[=", "=]"), _FLAG_EQUAL: ("[!", "!]"),
}
_OP_STYLE = {"delete": _DEL, "insert": _INS, "replace": _REP}
# Control characters in corpus text would drive the terminal: show them as U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _safe(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


# The columns' separator, and what an article's own bar is shown as in the text view
# so that it can never be taken for the separator.
_BARS = {ord("|"): "\u00a6", ord("\u2502"): "\u00a6"}


def _column_text(text: str) -> str:
    return _safe(text).translate(_BARS)


def _cell_width(text: str) -> int:
    """Terminal cells, counted high: wide characters 2, every other character 1 (a
    combining mark too, so a line is never longer than the width in characters)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


_Run = tuple[str, str]  # (text, SGR code or "")


def _runs(pieces: list[_Piece], side: str, color: bool) -> list[_Run]:
    """Pieces as runs of text with an ANSI code (colour) or inline markers (plain)."""
    out: list[_Run] = []
    for p in pieces:
        text = _column_text(p.text)
        trail = ""
        if p.last:  # the end mark goes after the text, before its trailing space
            body = text.rstrip()
            text, trail = body, text[len(body):]
        if p.style == _MOVE or p.style == _MOVE_EDIT:
            if p.first:
                out.append((f"[m{p.move_id}]", _ANSI_LABEL if color else ""))
                out.append((" ", ""))
        style = _OP_STYLE.get(p.inner_op, p.style)
        if color:
            out.append((text, _ANSI.get(p.style, "")))
        elif style == _REP:
            left, right = ("[~", "~]") if side == "a" else ("{~", "~}")
            out.append((_mark(text, left, right), ""))
        elif style in _PLAIN_MARKS:
            left, right = _PLAIN_MARKS[style]
            out.append((_mark(text, left, right), ""))
        else:
            out.append((text, ""))
        for tag in p.tags:
            out.append((" ", ""))
            out.append((f"[!{tag}]", _ANSI_TAG if color else ""))
        if p.last:
            out.append((" ", ""))
            out.append((f"[/m{p.move_id}]", _ANSI_LABEL if color else ""))
            out.append((trail, ""))
    return out


def _mark(text: str, left: str, right: str) -> str:
    """Wrap the non-blank core of ``text`` in markers, keeping outer whitespace out."""
    core = text.strip()
    if not core:
        return text
    i = text.index(core)
    return f"{text[:i]}{left}{core}{right}{text[i + len(core):]}"


def _wrap(runs: list[_Run], width: int, color: bool) -> list[str]:
    """Word-wrap styled runs to ``width`` display cells; newlines break lines."""
    lines: list[str] = []
    line: list[str] = []
    line_w = 0
    word: list[_Run] = []
    word_w = 0
    space = False

    def paint(text: str, sgr: str) -> str:
        return f"\x1b[{sgr}m{text}\x1b[0m" if (color and sgr) else text

    def flush_line() -> None:
        nonlocal line, line_w
        lines.append("".join(line))
        line, line_w = [], 0

    def place_word() -> None:
        nonlocal word, word_w, line_w, space
        if not word:
            return
        if line and line_w + 1 + word_w > width:
            flush_line()
        elif line and space:
            line.append(" ")
            line_w += 1
        for text, sgr in word:
            while text:
                room = width - line_w
                if room <= 0:
                    flush_line()
                    room = width
                take, used = _fit(text, room)
                if not take:  # a double-width character in a one-cell gap
                    flush_line()
                    continue
                line.append(paint(take, sgr))
                line_w += used
                text = text[len(take):]
        word, word_w, space = [], 0, False

    for text, sgr in runs:
        for part in re.split(r"(\s+)", text):
            if not part:
                continue
            if part.isspace():
                place_word()
                breaks = min(part.count("\n"), 2)
                if breaks:
                    flush_line()
                    if breaks > 1:
                        lines.append("")
                    space = False
                else:
                    space = True
            else:
                word.append((part, sgr))
                word_w += _cell_width(part)
    place_word()
    if line:
        flush_line()
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _fit(text: str, room: int) -> tuple[str, int]:
    """The longest prefix of ``text`` that fits in ``room`` cells, and its width."""
    used = 0
    for k, ch in enumerate(text):
        w = _cell_width(ch)
        if used + w > room:
            return text[:k], used
        used += w
    return text, used


def _pad(line: str, width: int) -> str:
    visible = _cell_width(re.sub(r"\x1b\[[0-9;]*m", "", line))
    return line + " " * max(0, width - visible)


def _check_width(width: int) -> None:
    if width < MIN_WIDTH:
        raise ParameterError(f"width must be >= {MIN_WIDTH}, got {width}")


def render_text(
    al: Alignment,
    *,
    width: int = 100,
    color: bool = False,
    show_cosmetic: bool = False,
    label_a: str = "A",
    label_b: str = "B",
) -> str:
    """Side-by-side columns fitted to ``width`` cells, under a one-line stats header.

    With ``color=True`` edits are ANSI-coloured (red cut, green added, yellow replaced,
    cyan moved with magenta changes inside the move, ``[m1]``/``[/m1]`` labels);
    otherwise they are bracketed so piped output stays readable: ``[-cut-]``,
    ``{+added+}``, ``[~old~]``/``{~new~}``, ``[m1] moved [/m1]``, ``[!quoted!]`` and,
    when shown, cosmetic ``[=x=]``. Flags follow the changed text as ``[!number]``,
    ``[!quote]``, ``[!attribution]``. :data:`MARKER_LEGEND` lists them all.
    """
    _check_width(width)
    col = (width - 3) // 2
    sep = " \u2502 " if color else " | "
    rule = ("\u2500" if color else "-") * col
    header = textwrap.wrap(_stats_line(al), width)
    la = _fit(_column_text(label_a), col)[0]
    lb = _fit(_column_text(label_b), col)[0]
    out = [*header, _pad(la, col) + sep + lb, rule + sep + rule]
    for a_pieces, b_pieces, para in _rows(al, show_cosmetic):
        left = _wrap(_runs(a_pieces, "a", color), col, color)
        right = _wrap(_runs(b_pieces, "b", color), col, color)
        if not left and not right:
            continue
        if para and len(out) > 3:
            out.append(_pad("", col) + sep)
        for k in range(max(len(left), len(right))):
            lt = left[k] if k < len(left) else ""
            rt = right[k] if k < len(right) else ""
            out.append((_pad(lt, col) + sep + rt).rstrip())
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_~\[\]|#])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", html.escape(_safe(text), quote=False))


def _md_wrap(text: str, mark: str) -> str:
    """Emphasis around the non-blank core (CommonMark will not open on a space)."""
    core = text.strip()
    if not core:
        return _md_escape(text)
    i = text.index(core)
    return f"{_md_escape(text[:i])}{mark}{_md_escape(core)}{mark}{_md_escape(text[i + len(core):])}"


def _md_cell(pieces: list[_Piece], side: str) -> str:
    parts: list[str] = []
    for p in pieces:
        if p.first and p.move_id is not None:
            parts.append(f"`m{p.move_id}` ")
        style = _OP_STYLE.get(p.inner_op, p.style)
        if style == _DEL or (style == _REP and side == "a"):
            parts.append(_md_wrap(p.text, "~~"))
        elif style in (_INS, _REP):
            parts.append(_md_wrap(p.text, "**"))
        elif p.style in (_MOVE, _COSMETIC, _FLAG_EQUAL):
            parts.append(_md_wrap(p.text, "*"))
        else:
            parts.append(_md_escape(p.text))
        parts.extend(f" `!{tag}`" for tag in p.tags)
    cell = "".join(parts)
    cell = re.sub(r"\s*\n\s*", "<br>", cell.strip())
    return re.sub(r"[ \t]+", " ", cell)


def render_markdown(
    al: Alignment,
    *,
    show_cosmetic: bool = False,
    label_a: str = "A",
    label_b: str = "B",
) -> str:
    """A stats table and a two-column table of the texts (GitHub-flavoured Markdown).

    Cut words are ``~~struck~~``, added words **bold** (a replacement is both), moved
    text *italic* after its `` `m1` `` label, flags follow as `` `!number` ``.

    >>> from dedup.align import align
    >>> md = render_markdown(align("He said 3.", "He said 4."), label_a="AP", label_b="Post")
    >>> md.splitlines()[-1]
    '| He said ~~3~~. | He said **4** `!number`. |'
    """
    lines = [
        f"**{_md_escape(label_a)}** vs **{_md_escape(label_b)}**",
        "",
        "| Measure | Value |",
        "| --- | --- |",
    ]
    lines += [f"| {k} | {v} |" for k, v in stats_summary(al)]
    lines += ["", f"| {_md_escape(label_a)} | {_md_escape(label_b)} |", "| --- | --- |"]
    for a_pieces, b_pieces, _ in _rows(al, show_cosmetic):
        a_cell, b_cell = _md_cell(a_pieces, "a"), _md_cell(b_pieces, "b")
        if a_cell or b_cell:
            lines.append(f"| {a_cell} | {b_cell} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------ html

_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def _html_text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>\n")


def _html_cell(pieces: list[_Piece], side: str, prefix: str) -> str:
    other = "b" if side == "a" else "a"
    parts: list[str] = []
    for p in pieces:
        body = _html_text(p.text)
        title = f' title="{html.escape(p.title)}"' if p.title else ""
        if p.style == _DEL:
            body = f"<del{title}>{body}</del>"
        elif p.style == _INS:
            body = f"<ins{title}>{body}</ins>"
        elif p.style == _REP:
            body = f'<mark class="replace"{title}>{body}</mark>'
        elif p.style == _COSMETIC:
            body = f'<span class="cosmetic"{title}>{body}</span>'
        elif p.style == _FLAG_EQUAL:
            body = f'<span class="flag-equal"{title}>{body}</span>'
        elif p.style == _MOVE_EDIT and p.inner_op == "replace":
            body = f'<mark class="replace move-edit"{title}>{body}</mark>'
        elif p.style == _MOVE_EDIT:
            tag = "del" if p.inner_op == "delete" else "ins"
            body = f'<{tag} class="move-edit"{title}>{body}</{tag}>'
        if p.move_id is not None:
            m = p.move_id
            ident = ""
            if p.first:
                ident = f' id="{prefix}-m{m}-{side}"'
                body = (f'<a class="move-link" href="#{prefix}-m{m}-{other}" '
                        f'title="moved block {m}">m{m}</a> {body}')
            body = f'<span class="move" data-move="{m}"{ident}>{body}</span>'
        parts.append(body)
        parts.extend(
            f' <span class="flag flag-{html.escape(t)}">{html.escape(t)}</span>' for t in p.tags
        )
    return "".join(parts)


def render_html_fragment(
    al: Alignment,
    *,
    show_cosmetic: bool = False,
    label_a: str = "A",
    label_b: str = "B",
    id_prefix: str = "dedup",
) -> str:
    """An HTML fragment: a stats table and the two texts in two columns.

    Cut text is ``<del>``, added ``<ins>``, replaced ``<mark class="replace">``; a
    moved block is ``<span class="move" data-move="1">`` on both sides, its label
    linking to the other side (anchors ``{id_prefix}-m1-a`` / ``-b``; give each
    fragment on one page its own ``id_prefix``). All corpus text and labels are
    escaped. Style it with :data:`HTML_CSS`.

    >>> from dedup.align import align
    >>> frag = render_html_fragment(align("<b>hi</b> there", "<b>hi</b> here"))
    >>> "<b>" in frag, "&lt;b&gt;hi&lt;/b&gt;" in frag
    (False, True)
    """
    if not _ID_PREFIX.match(id_prefix):
        raise ParameterError(
            f"id_prefix must be a letter then letters, digits, '-' or '_', got {id_prefix!r}"
        )
    out = ['<div class="dedup-align">', '<table class="dedup-stats">']
    out += [
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in stats_summary(al)
    ]
    out += [
        "</table>",
        '<table class="dedup-sbs">',
        f"<thead><tr><th>{html.escape(_safe(label_a))}</th>"
        f"<th>{html.escape(_safe(label_b))}</th></tr></thead>",
        "<tbody>",
    ]
    for a_pieces, b_pieces, _ in _rows(al, show_cosmetic):
        a_cell = _html_cell(a_pieces, "a", id_prefix)
        b_cell = _html_cell(b_pieces, "b", id_prefix)
        if a_cell.strip() or b_cell.strip():
            out.append(
                f'<tr><td class="dedup-a">{a_cell}</td><td class="dedup-b">{b_cell}</td></tr>'
            )
    out += ["</tbody>", "</table>", "</div>"]
    return "\n".join(out) + "\n"


def render_html_page(
    al: Alignment | Sequence[Alignment],
    *,
    show_cosmetic: bool = False,
    label_a: str = "A",
    label_b: str = "B",
    title: str | None = None,
) -> str:
    """A complete, self-contained HTML page (inline CSS, no external assets): one
    alignment, or several (the passages two texts share), one after the other.

    >>> from dedup.align import align
    >>> page = render_html_page(align("a b", "a c"), title="<AP> vs Post")
    >>> page.startswith("<!DOCTYPE html>"), "<title>&lt;AP&gt; vs Post</title>" in page
    (True, True)
    """
    heading = _safe(title if title is not None else f"{label_a} vs {label_b}")
    als = [al] if isinstance(al, Alignment) else list(al)
    body = "<p>The two texts share no passage.</p>\n" if not als else "".join(
        (f"<h2>Passage {i} of {len(als)}</h2>\n" if len(als) > 1 else "")
        + render_html_fragment(x, show_cosmetic=show_cosmetic, label_a=label_a,
                               label_b=label_b)
        for i, x in enumerate(als, start=1))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(heading)}</title>\n<style>\n{HTML_CSS}</style>\n</head>\n"
        f"<body>\n<h1>{html.escape(heading)}</h1>\n{body}</body>\n</html>\n"
    )


# ------------------------------------------------------------------------ json


def _edit_json(e: Edit, a: str, b: str) -> dict[str, object]:
    return {
        "op": e.op,
        "a": [e.a_start, e.a_end],
        "b": [e.b_start, e.b_end],
        "a_tokens": list(e.a_tok),
        "b_tokens": list(e.b_tok),
        "a_text": a[e.a_start:e.a_end],
        "b_text": b[e.b_start:e.b_end],
        "cosmetic": e.cosmetic,
        "cosmetic_kinds": list(e.cosmetic_kinds),
        "flags": list(e.flags),
        "move_id": e.move_id,
        "similarity": e.similarity,
        "inner": [_edit_json(x, a, b) for x in e.inner],
    }


def alignment_to_json(al: Alignment) -> dict[str, object]:
    """The alignment as plain JSON data: spans, stats and every edit with its
    character offsets (``a``/``b``, half-open, into the original texts), word
    ranges and the text it covers. Keys come in a fixed order.

    >>> import json
    >>> from dedup.align import align
    >>> data = alignment_to_json(align("a b c", "a x c"))
    >>> [(e["op"], e["a_text"], e["b_text"]) for e in data["edits"]]
    [('equal', 'a', 'a'), ('replace', 'b', 'x'), ('equal', 'c', 'c')]
    >>> json.loads(json.dumps(data)) == data
    True
    """
    return {
        "format": "dedup.alignment",
        "version": 1,
        "a_span": list(al.a_span),
        "b_span": list(al.b_span),
        "a_length": len(al.a),
        "b_length": len(al.b),
        "stats": asdict(al.stats),
        "edits": [_edit_json(e, al.a, al.b) for e in al.edits],
    }
