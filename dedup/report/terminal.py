"""Terminal summaries (tabulate)."""

from __future__ import annotations

from tabulate import tabulate

from ..pipeline import FindResult


def snippet(text: str, width: int = 60) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


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
            c.id, c.kind, ", ".join(c.outlets), len(c.passages),
            f"{lo:.2f}" if lo == hi else f"{lo:.2f}-{hi:.2f}",
            snippet(texts[first.doc][first.start:first.end], width),
        ])
    table = tabulate(rows, headers=["id", "kind", "outlets", "passages", "score", "snippet"],
                     disable_numparse=True)
    more = ""
    if limit is not None and len(result.clusters) > limit:
        more = f"\n... {len(result.clusters) - limit} more clusters (use --json for all)"
    return head + ("\n\n" + table if rows else "") + more
