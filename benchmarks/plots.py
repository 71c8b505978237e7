"""Time and memory against corpus size, ours against the baselines, as PNG files.

Needs matplotlib (the ``bench`` extra); without it :func:`plot` draws nothing and says
what to install.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["MISSING", "plot", "series"]

MISSING = "matplotlib is not installed (pip install matplotlib); no plots drawn"

# (results key in a tool's entry, axis label, file name)
_FIGURES = (
    ("seconds_total", "seconds (segment to clusters, reading excluded)", "time.png"),
    ("peak_rss_mib", "peak resident memory (MiB)", "memory.png"),
)


def series(results: Mapping[str, Any], key: str) -> dict[str, list[tuple[int, float]]]:
    """``{tool: [(n_docs, value), ...]}`` over the sizes of a results dict, leaving out
    skipped or failed measurements.

    >>> series({"sizes": {"10": {"tools": {"ours": {"seconds_total": 1.5},
    ...                                   "oracle": {"skipped": "too big"}}}}},
    ...        "seconds_total")
    {'ours': [(10, 1.5)]}
    """
    out: dict[str, list[tuple[int, float]]] = {}
    for size, entry in sorted(results.get("sizes", {}).items(), key=lambda kv: int(kv[0])):
        for tool, fig in entry.get("tools", {}).items():
            value = fig.get(key)
            if isinstance(value, (int, float)) and value > 0:
                out.setdefault(tool, []).append((int(size), float(value)))
    return out


def plot(results: Mapping[str, Any], out_dir: str | Path) -> dict[str, str]:
    """Draw ``time.png`` and ``memory.png`` in ``out_dir``; returns ``{"time": path,
    "memory": path}``, or ``{"note": why not}`` without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import NullFormatter, StrMethodFormatter
    except ImportError:
        return {"note": MISSING}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for key, label, name in _FIGURES:
        data = series(results, key)
        fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
        for tool, points in data.items():
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", linewidth=2.5 if tool == "ours" else 1.2,
                    label="dedup find" if tool == "ours" else tool)
        ax.set_xscale("log")
        ax.set_yscale("log")
        sizes = sorted({n for points in data.values() for n, _ in points})
        if sizes:
            ax.set_xticks(sizes)
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
        ax.yaxis.set_minor_formatter(StrMethodFormatter("{x:g}"))
        ax.tick_params(axis="y", which="minor", labelsize=7)
        ax.set_xlabel("documents")
        ax.set_ylabel(label)
        ax.set_title(f"{label.split(' (')[0].capitalize()} vs corpus size")
        ax.grid(True, which="both", alpha=0.3)
        if data:
            ax.legend()
        fig.tight_layout()
        path = out / name
        fig.savefig(path)
        plt.close(fig)
        written[name.removesuffix(".png")] = str(path)
    return written
