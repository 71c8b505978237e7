"""How well ``compare``'s coverage verdict matches COUNTER's WD / PD / ND labels.

COUNTER (Sharjeel et al. 2016) pairs an Urdu agency story with a newspaper story
written from it wholly (WD), partially (PD) or independently (ND). Each pair goes
through :func:`dedup.compare.compare` with the library's FIXED defaults, and the
verdicts are scored as 3-way macro-F1 (WD->wholly, PD->partially, ND->non) and binary
macro-F1 (derived = WD|PD vs ND). In the same run a baseline: word-trigram containment
``|tri(D) & tri(S)| / |tri(D)|`` with thresholds tuned on these same pairs (so the
baseline is favoured: its figures are in-sample).

``--fit`` also grid-searches the two coverage thresholds (steps of 0.01) for the best
3-way macro-F1 (how the library's defaults were fitted, once) and reports a 5-fold
cross-validated figure for both measures: thresholds fitted on 4/5 of the pairs,
scored on the held-out 1/5, predictions pooled.

    python -m benchmarks.counter_compare [--data ../shared/data/counter] [--json OUT] [--fit]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from dedup.compare import VERDICTS, CompareParams, coverage
from dedup.corpus import read_corpus
from dedup.normalize import iter_words

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "counter"
LABELS = ("WD", "PD", "ND")  # in the order of VERDICTS: wholly, partially, non
GRID = np.round(np.arange(0.0, 1.0001, 0.005), 3)
FOLDS = 5
SEED = 0


def macro_f1(truth: Sequence[int], pred: Sequence[int], classes: int) -> float:
    """Mean over classes ``0..classes-1`` of per-class F1 (0 for a class never
    predicted nor present).

    >>> macro_f1([0, 0, 1, 1], [0, 1, 1, 1], 2)
    0.7333333333333334
    """
    scores = []
    for c in range(classes):
        tp = sum(1 for t, p in zip(truth, pred, strict=True) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, pred, strict=True) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, pred, strict=True) if t == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / classes


def classify(scores: Sequence[float], partially: float, wholly: float) -> list[int]:
    """0 (wholly) at or above ``wholly``, 1 (partially) at or above ``partially``, else 2."""
    return [0 if s >= wholly else 1 if s >= partially else 2 for s in scores]


def binary(labels: Sequence[int]) -> list[int]:
    """0 = derived (WD or PD), 1 = not derived."""
    return [0 if x < 2 else 1 for x in labels]


def fit_two(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float, float]:
    """``(partially, wholly, macro_f1)`` maximising 3-way macro-F1 over :data:`GRID`
    (``partially <= wholly``); ties go to the lowest pair. Vectorised: every pair of
    thresholds is scored from per-class counts of scores at or above each grid value."""
    s, y = np.asarray(scores, float), np.asarray(labels)
    total = np.array([(y == c).sum() for c in range(3)])
    # at_least[t, c]: pairs of class c with a score >= GRID[t]
    at_least = np.stack([((s[None, :] >= GRID[:, None]) & (y == c)).sum(1) for c in range(3)], 1)
    lo, hi = at_least[:, None, :], at_least[None, :, :]  # axes: partially, wholly, class
    # per class, the pairs predicted wholly / partially / non
    predicted = (hi, lo - hi, total - lo)
    f1 = sum(
        np.where(predicted[c][..., c] > 0,
                 2 * predicted[c][..., c] / np.maximum(predicted[c].sum(-1) + total[c], 1), 0.0)
        for c in range(3)
    )
    f1 = np.where(np.arange(len(GRID))[:, None] <= np.arange(len(GRID))[None, :], f1 / 3, -1)
    i, j = np.unravel_index(int(np.argmax(f1)), f1.shape)
    return float(GRID[i]), float(GRID[j]), float(f1[i, j])


def fit_one(scores: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """``(threshold, macro_f1)`` maximising binary macro-F1 over :data:`GRID`."""
    truth = binary(labels)
    best = (0.0, -1.0)
    for t in GRID:
        f = macro_f1(truth, [0 if x >= t else 1 for x in scores], 2)
        if f > best[1]:
            best = (float(t), f)
    return best


def cross_validate(scores: Sequence[float], labels: Sequence[int]) -> float:
    """3-way macro-F1 of pooled held-out predictions, thresholds fitted per fold."""
    order = list(range(len(labels)))
    random.Random(SEED).shuffle(order)
    pred = [0] * len(labels)
    for f in range(FOLDS):
        test = set(order[f::FOLDS])
        train = [i for i in order if i not in test]
        lo, hi, _ = fit_two([scores[i] for i in train], [labels[i] for i in train])
        for i in test:
            pred[i] = classify([scores[i]], lo, hi)[0]
    return macro_f1(labels, pred, 3)


def trigram_containment(source: str, derived: str) -> float:
    """Share of DERIVED's distinct word trigrams also in SOURCE."""
    def grams(text: str) -> set[tuple[str, ...]]:
        w = list(iter_words(text))
        return set(zip(w, w[1:], w[2:], strict=False))
    d = grams(derived)
    return len(d & grams(source)) / len(d) if d else 0.0


def confusion(labels: Sequence[int], pred: Sequence[int]) -> dict[str, dict[str, int]]:
    return {LABELS[t]: {VERDICTS[p]: sum(1 for x, y in zip(labels, pred, strict=True)
                                         if x == t and y == p) for p in range(3)}
            for t in range(3)}


def run(data: Path, *, fit: bool = False) -> dict[str, object]:
    """Score ``compare`` (fixed defaults) and the trigram baseline on ``data``."""
    t0 = time.perf_counter()
    docs = {d.id: d.text for d in read_corpus([data / "documents.jsonl"]).documents}
    with open(data / "pairs.csv", newline="", encoding="utf-8") as f:
        pairs = list(csv.DictReader(f))
    labels = [LABELS.index(p["label"]) for p in pairs]
    params = CompareParams()
    shares = [coverage(docs[p["source_id"]], docs[p["derived_id"]], params=params).share_b
              for p in pairs]
    seconds = time.perf_counter() - t0
    pred = classify(shares, params.partially, params.wholly)
    baseline = [trigram_containment(docs[p["source_id"]], docs[p["derived_id"]]) for p in pairs]
    b_lo, b_hi, b_f3 = fit_two(baseline, labels)
    b_t, b_f2 = fit_one(baseline, labels)
    per_label = {
        LABELS[c]: round(float(np.median([v for v, y in zip(shares, labels, strict=True)
                                          if y == c])), 4)
        for c in range(3)
    }
    out: dict[str, object] = {
        "pairs": len(pairs),
        "compare_seconds": round(seconds, 2),
        "coverage": {
            "thresholds": {"partially": params.partially, "wholly": params.wholly},
            "macro_f1_3way": round(macro_f1(labels, pred, 3), 4),
            "macro_f1_binary": round(macro_f1(binary(labels), binary(pred), 2), 4),
            "median_coverage": per_label,
            "confusion": confusion(labels, pred),
        },
        "baseline_trigram_containment": {
            "thresholds": {"partially": b_lo, "wholly": b_hi, "binary": b_t},
            "macro_f1_3way": round(b_f3, 4),
            "macro_f1_binary": round(b_f2, 4),
            "confusion": confusion(labels, classify(baseline, b_lo, b_hi)),
        },
    }
    if fit:
        lo, hi, f3 = fit_two(shares, labels)
        fitted = classify(shares, lo, hi)
        out["fit"] = {
            "partially": lo,
            "wholly": hi,
            "macro_f1_3way": round(f3, 4),
            "macro_f1_binary": round(macro_f1(binary(labels), binary(fitted), 2), 4),
            f"cv{FOLDS}_macro_f1_3way": round(cross_validate(shares, labels), 4),
            f"baseline_cv{FOLDS}_macro_f1_3way": round(cross_validate(baseline, labels), 4),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="folder with documents.jsonl and pairs.csv")
    ap.add_argument("--json", dest="json_out", help="write the figures as JSON ('-': stdout)")
    ap.add_argument("--fit", action="store_true",
                    help="also fit the two coverage thresholds and cross-validate them")
    args = ap.parse_args(argv)
    if not (args.data / "pairs.csv").exists() or not (args.data / "documents.jsonl").exists():
        print(f"no COUNTER data at {args.data}; skipped", file=sys.stderr)
        return 0
    fig = run(args.data, fit=args.fit)
    if args.json_out == "-":
        json.dump(fig, sys.stdout, indent=2)
        print()
        return 0
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
    cov, base = fig["coverage"], fig["baseline_trigram_containment"]
    assert isinstance(cov, dict) and isinstance(base, dict)
    print(f"{fig['pairs']} COUNTER pairs, compare took {fig['compare_seconds']} s")
    print(f"coverage (fixed defaults {cov['thresholds']}): 3-way macro-F1 "
          f"{cov['macro_f1_3way']:.3f}, binary {cov['macro_f1_binary']:.3f}")
    print(f"baseline trigram containment (tuned in-sample {base['thresholds']}): 3-way "
          f"{base['macro_f1_3way']:.3f}, binary {base['macro_f1_binary']:.3f}")
    print("confusion (rows: label, columns: verdict wholly / partially / non)")
    for label, row in cov["confusion"].items():
        print(f"  {label}: " + " ".join(f"{n:4d}" for n in row.values()))
    if "fit" in fig:
        print("fit:", json.dumps(fig["fit"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
