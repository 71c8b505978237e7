"""Terminal summaries: plain-text tables fitted to a width.

Every cell is made safe to print first (:func:`dedup.output.visible`: an outlet or id
holding an escape sequence or a newline is shown, not obeyed). A table wider than the
width given shrinks the wider of its snippet and outlet columns first, then both alike.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence

from ..output import visible
from ..pipeline import FindResult

__all__ = ["find_summary", "outlet_table", "outlets_cell", "plural", "relations_table",
           "snippet"]

MIN_SNIPPET = 12
MIN_OUTLETS = 12
_GAP = "  "


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun, singular for one.

    >>> plural(1, "cluster"), plural(3, "cluster"), plural(0, "match", "matches")
    ('1 cluster', '3 clusters', '0 matches')
    """
    return f"{n} {word if n == 1 else (words or word + 's')}"


def snippet(text: str, width: int = 60) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in an ellipsis when cut."""
    if _cells(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = _cells(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "\u2026"


def outlets_cell(outlets: tuple[str, ...], width: int = 40) -> str:
    """The outlets of a cluster in about ``width`` characters: names cut short when
    that fits them all, otherwise the first few and a count of the rest.

    >>> outlets_cell(("AP", "Reuters"))
    'AP, Reuters'
    >>> outlets_cell(("000_1d51d7c7805d435f.txt", "003_1aed58ddc104b9dd.txt"))
    '000_1d51d7c7805d4…, 003_1aed58ddc104b…'
    >>> outlets_cell(tuple(f"The Daily Outlet {i}" for i in range(12)))
    'The Daily Outlet 0, +11 more'
    >>> len(outlets_cell(tuple(f"The Daily Outlet {i}" for i in range(12)), width=16))
    16
    """
    names = [visible(o) for o in outlets]
    full = ", ".join(names)
    if _cells(full) <= width:
        return full
    short = ", ".join(_cut(o, 18) for o in names)
    if _cells(short) <= width:
        return short
    shown: list[str] = []
    for i, name in enumerate(names):
        rest = len(names) - i - 1
        tail = f", +{rest} more" if rest else ""
        if shown and _cells(", ".join([*shown, _cut(name, 18)]) + tail) > width:
            break
        shown.append(_cut(name, 18))
    tail = f", +{len(names) - len(shown)} more" if len(shown) < len(names) else ""
    out = ", ".join(shown) + tail
    if _cells(out) > width:  # even one name does not fit: cut it further
        out = _cut(shown[0], max(4, width - len(tail))) + tail
    return out


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]],
           right: Sequence[bool]) -> list[str]:
    """Columns two spaces apart, a dashed rule under the headers (tabulate's 'simple')."""
    widths = [max([_cells(h), *(_cells(r[k]) for r in rows)]) for k, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for k, c in enumerate(cells):
            pad = " " * (widths[k] - _cells(c))
            parts.append(pad + c if right[k] else c + pad)
        return _GAP.join(parts).rstrip()

    return [line(headers), _GAP.join("-" * w for w in widths), *(line(r) for r in rows)]


def _wrap(text: str, width: int | None) -> list[str]:
    return textwrap.wrap(text, width) if width else [text]


def _narrowed(snip_w: int, out_w: int, excess: int) -> tuple[int, int]:
    """The snippet and outlet widths less ``excess`` cells in all: from the wider of
    the two until they are even, then from both alike, neither below its minimum (so
    that a narrow terminal still shows some of each).

    >>> _narrowed(60, 40, 10), _narrowed(60, 40, 36), _narrowed(60, 40, 200)
    ((50, 40), (32, 32), (12, 12))
    """
    gap = snip_w - out_w
    take_s, take_o = min(max(gap, 0), excess), min(max(-gap, 0), excess)
    rest = excess - take_s - take_o
    take_s, take_o = take_s + (rest + 1) // 2, take_o + rest // 2
    return max(MIN_SNIPPET, snip_w - take_s), max(MIN_OUTLETS, out_w - take_o)


def find_summary(result: FindResult, *, width: int | None = None, limit: int | None = None,
                 snippet_width: int = 60) -> str:
    """Documents read and skipped, clusters found, and one row per cluster.

    With ``width``, no line is wider than ``width`` cells (as long as the fixed
    columns fit): the wider of the snippet and outlet columns shrinks first, then
    both alike.
    """
    texts = {d.id: d.text for d in result.corpus.documents}
    kinds: dict[str, int] = {}
    for c in result.clusters:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    head = (
        f"{plural(len(result.corpus.documents), 'document')} read, "
        f"{len(result.corpus.skipped)} skipped, {plural(len(result.passages), 'sentence')}; "
        f"{plural(len(result.clusters), 'cluster')}"
        + (" (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")" if kinds else "")
    )
    shown = result.clusters if limit is None else result.clusters[:limit]
    fixed = []
    for c in shown:
        scores = [m.score for m in c.pairs]
        lo, hi = min(scores), max(scores)
        first = c.passages[0]
        fixed.append((c, f"{lo:.2f}" if lo == hi else f"{lo:.2f}-{hi:.2f}",
                      texts[first.doc][first.start:first.end]))
    headers = ["id", "kind", "outlets", "passages", "score", "snippet"]
    right = [True, False, False, True, False, False]

    def render(snip_w: int, out_w: int) -> list[str]:
        rows = [[str(c.id), c.kind, outlets_cell(c.outlets, out_w), str(len(c.passages)),
                 score, visible(snippet(text, snip_w))] for c, score, text in fixed]
        return _table(headers, rows, right)

    snip_w, out_w = snippet_width, 40
    table = render(snip_w, out_w) if fixed else []
    for _ in range(8):
        excess = max((_cells(line) for line in table), default=0) - (width or 10**9)
        if excess <= 0:
            break
        snip_w, out_w = _narrowed(snip_w, out_w, excess)
        table = render(snip_w, out_w)
    more = []
    if limit is not None and len(result.clusters) > limit:
        more = _wrap(f"... {plural(len(result.clusters) - limit, 'more cluster')} "
                     "(use --json for all)", width)
    lines = _wrap(head, width) + ([""] + table if table else []) + more
    rel = relations_table(result, width=width, limit=limit)
    return "\n".join(lines + ([""] + rel if rel else []))


_RULE = {"earlier date": "date", "more covered": "coverage"}


def relations_table(result: FindResult, *, width: int | None = None,
                    limit: int | None = None) -> list[str]:
    """Derived documents, most covered first: which document derives from which, the
    share of its words aligned with the source, and the clusters that hold it."""
    rels = result.relations
    if not rels:
        return _wrap("No document derives from another: no pair of documents shares "
                     "enough material.", width)
    counts: dict[str, int] = {}
    for r in rels:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    head = _wrap(
        f"{plural(len(rels), 'derived document pair')} ("
        + ", ".join(f"{counts[v]} {v}" for v in ("wholly", "partially") if v in counts)
        + "); coverage: share of the derived document's words aligned with the source; "
        "used: share of the source's words; by: direction from the earlier date, or from "
        "the more covered side.", width)
    shown = rels if limit is None else rels[:limit]
    headers = ["derived", "source", "verdict", "coverage", "used", "by", "clusters"]
    right = [False, False, False, True, True, False, False]

    def render(id_w: int) -> list[str]:
        rows = [[_cut(visible(r.derived), id_w), _cut(visible(r.source), id_w), r.verdict,
                 f"{r.coverage:.0%}", f"{r.source_coverage:.0%}", _RULE.get(r.rule, r.rule),
                 _cut(", ".join(map(str, r.clusters)) or "-", 10)] for r in shown]
        return _table(headers, rows, right)

    id_w = max(_cells(visible(x)) for r in shown for x in (r.derived, r.source))
    table = render(id_w)
    if width:
        excess = max(_cells(line) for line in table) - width
        if excess > 0:
            table = render(max(8, id_w - (excess + 1) // 2))
    more = []
    if limit is not None and len(rels) > limit:
        more = _wrap(f"... {plural(len(rels) - limit, 'more pair')} (use --json for all)",
                     width)
    return [*head, "", *table, *more]


_SUMMARY_HEADERS = ("outlet", "vers", "pivot", "kept", "cut", "added", "repl", "moved",
                    "num", "quote", "attr")
_SUMMARY_LEGEND = (
    "vers: versions compared with a pivot; pivot: clusters where its version was the "
    "pivot; kept: share of the pivot words found in its versions, of the pivot words "
    "compared; cut, repl(aced), moved: pivot words; added: words of its own; num, "
    "quote, attr: numbers, quotations and attributions changed."
)


def outlet_table(rows: Sequence[object], *, width: int | None = None) -> str:
    """The per-outlet rewording summary (:class:`dedup.rewording.OutletSummary` rows)
    as a table of at most ``width`` cells (the outlet column is cut to fit), with a
    legend saying what each number counts.

    >>> from dedup.rewording import OutletSummary
    >>> table = outlet_table([OutletSummary("Post", 2, 1, 40, 30, 6, 3, 4, 0, 1, 0, 1)])
    >>> table.splitlines()[2].split()
    ['Post', '2', '1', '75%', 'of', '40', '6', '3', '4', '0', '1', '0', '1']
    """
    from ..rewording import summary_cells

    cells = [summary_cells(r, compact=True) for r in rows]  # type: ignore[arg-type]
    right = [False] + [True] * (len(_SUMMARY_HEADERS) - 1)

    def render(out_w: int) -> list[str]:
        body = [[_cut(visible(c[0]), out_w), *c[1:]] for c in cells]
        return _table(_SUMMARY_HEADERS, body, right)

    out_w = max([len(_SUMMARY_HEADERS[0]), *(_cells(visible(c[0])) for c in cells)])
    table = render(out_w)
    if width:
        excess = max(_cells(line) for line in table) - width
        if excess > 0:
            table = render(max(MIN_OUTLETS, out_w - excess))
    return "\n".join([*table, "", *_wrap(_SUMMARY_LEGEND, width)])
