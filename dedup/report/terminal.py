"""Terminal summaries (tabulate)."""

from __future__ import annotations

from tabulate import tabulate

from ..pipeline import FindResult


def snippet(text: str, width: int = 60) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


def outlets_cell(outlets: tuple[str, ...], width: int = 40) -> str:
    """The outlets of a cluster in about ``width`` characters: names cut short when
    that fits them all, otherwise the first few and a count of the rest.

    >>> outlets_cell(("AP", "Reuters"))
    'AP, Reuters'
    >>> outlets_cell(("000_1d51d7c7805d435f.txt", "003_1aed58ddc104b9dd.txt"))
    '000_1d51d7c7805d4…, 003_1aed58ddc104b…'
    >>> outlets_cell(tuple(f"The Daily Outlet {i}" for i in range(12)))
    'The Daily Outlet 0, +11 more'
    """
    full = ", ".join(outlets)
    if len(full) <= width:
        return full

    def cut(name: str, n: int = 18) -> str:
        return name if len(name) <= n else name[:n - 1] + "\u2026"

    short = ", ".join(cut(o) for o in outlets)
    if len(short) <= width:
        return short
    shown: list[str] = []
    for name in outlets:
        if shown and len(", ".join([*shown, cut(name)])) > width - 9:
            break
        shown.append(cut(name))
    return ", ".join(shown) + f", +{len(outlets) - len(shown)} more"


def find_summary(result: FindResult, *, width: int = 60, limit: int | None = None) -> str:
    """Documents read and skipped, clusters found, and one row per cluster."""
    texts = {d.id: d.text for d in result.corpus.documents}
    kinds: dict[str, int] = {}
    for c in result.clusters:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    head = (
        f"{len(result.corpus.documents)} documents read, {len(result.corpus.skipped)} skipped, "
        f"{len(result.passages)} passages; {len(result.clusters)} clusters"
        + (" (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")" if kinds else "")
    )
    rows = []
    shown = result.clusters if limit is None else result.clusters[:limit]
    for c in shown:
        scores = [m.score for m in c.pairs]
        lo, hi = min(scores), max(scores)
        first = c.passages[0]
        rows.append([
            c.id, c.kind, outlets_cell(c.outlets), len(c.passages),
            f"{lo:.2f}" if lo == hi else f"{lo:.2f}-{hi:.2f}",
            snippet(texts[first.doc][first.start:first.end], width),
        ])
    table = tabulate(rows, headers=["id", "kind", "outlets", "passages", "score", "snippet"],
                     disable_numparse=True)
    more = ""
    if limit is not None and len(result.clusters) > limit:
        more = f"\n... {len(result.clusters) - limit} more clusters (use --json for all)"
    return head + ("\n\n" + table if rows else "") + more
