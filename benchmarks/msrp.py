"""The passage matcher on MSRP: do two news sentences share material?

The Microsoft Research Paraphrase Corpus (Dolan & Brockett 2005) pairs sentences from
different outlets' stories on the same event; label 1 means same meaning. Every
sentence of the training file becomes its own document (its ID is both document id
and outlet, so every match is cross-outlet), the whole set goes through
:func:`dedup.find` with the library's FIXED defaults (``FindParams()``; nothing here
is fitted on MSRP), and a pair is predicted to share material when

* ``cluster``: the two sentences land in one cross-document cluster (the main figure);
* ``verified``: ``find`` verified a match between the two sentences themselves (a
  pair inside a cluster; stricter).

Accuracy, precision, recall and F1 of the positive class are reported next to the
majority-class baseline (everything positive), with the ROC AUC of ``find``'s own
score of the pair (its verified match's score, 0 when none). A score variant, for reference:
:func:`dedup.compare.compare` with the first sentence as SOURCE and the second as
DERIVED, its verdict (thresholds fitted once on COUNTER) read as "shares material"
unless ``non``, and the ROC AUC of its coverage and of the smaller of the two
coverages: AUC needs no threshold, so nothing is tuned on MSRP either way.

MSRP's negatives were sampled from pairs with high word overlap, so sharing words is
not sharing meaning there: expect high recall and middling precision.

    python -m benchmarks.msrp [--data ../shared/data/msrp] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import dedup
from benchmarks.common import write_figures
from dedup.compare import CompareParams, coverage
from dedup.models import Corpus, Document

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "msrp"
TRAIN_FILE = "msr_paraphrase_train.txt"


@dataclass(frozen=True)
class Pair:
    label: int
    id1: str
    id2: str
    text1: str
    text2: str


def load_pairs(data_path: str | Path) -> list[Pair]:
    """MSRP pairs from the training file (or a folder holding it): a UTF-8 TSV with a
    byte-order mark, the header ``Quality, #1 ID, #2 ID, #1 String, #2 String``, and
    quotes that are text, not CSV quoting."""
    path = Path(data_path)
    if path.is_dir():
        path = path / TRAIN_FILE
    pairs = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows)
        if [h.strip() for h in header[:3]] != ["Quality", "#1 ID", "#2 ID"]:
            raise ValueError(f"{path}:1: not an MSRP file (header {header!r})")
        for line, row in enumerate(rows, start=2):
            if len(row) != 5:
                raise ValueError(f"{path}:{line}: expected 5 tab-separated fields, "
                                 f"got {len(row)}")
            pairs.append(Pair(int(row[0]), row[1], row[2], row[3], row[4]))
    return pairs


def scores(truth: Sequence[int], pred: Sequence[bool]) -> dict[str, float]:
    """Accuracy and the positive class's precision, recall and F1.

    >>> scores([1, 1, 0, 0], [True, False, True, False])["f1"]
    0.5
    """
    t = np.asarray(truth, dtype=bool)
    p = np.asarray(pred, dtype=bool)
    tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": round(float((t == p).mean()), 4), "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4), "predicted_positive": int(p.sum())}


def roc_auc(truth: Sequence[int], score: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half).

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    t = np.asarray(truth, dtype=bool)
    s = np.asarray(score, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # Mean rank for ties.
    starts = np.r_[0, np.flatnonzero(sorted_s[1:] != sorted_s[:-1]) + 1]
    ends = np.r_[starts[1:], len(s)]
    for a, b in zip(starts, ends, strict=True):
        ranks[order[a:b]] = (a + b + 1) / 2
    pos, neg = int(t.sum()), int((~t).sum())
    if not pos or not neg:
        return float("nan")
    return round(float((ranks[t].sum() - pos * (pos + 1) / 2) / (pos * neg)), 4)


def run(data_path: str | Path = DEFAULT_DATA, *, with_compare: bool = True,
        params: dedup.FindParams | None = None) -> dict[str, Any]:
    """Every figure of the MSRP evaluation as a dict (see the module docstring);
    ``params`` default to ``FindParams()``."""
    pairs = load_pairs(data_path)
    texts: dict[str, str] = {}
    for p in pairs:
        texts.setdefault(p.id1, p.text1)
        texts.setdefault(p.id2, p.text2)
    corpus = Corpus(tuple(Document(i, t, outlet=i) for i, t in texts.items()))
    t0 = time.perf_counter()
    params_find = params or dedup.FindParams()
    result = dedup.find(corpus, params_find)
    seconds_find = time.perf_counter() - t0
    # The find score of a pair: its verified match's score (0 when none).
    score_of: dict[tuple[str, str], float] = {}
    for (a, b), sc in zip(result.sentence_pairs.tolist(), result.sentence_scores.tolist(),
                          strict=True):
        da, db = result.passages[a].doc, result.passages[b].doc
        for key in ((da, db), (db, da)):
            score_of[key] = max(score_of.get(key, 0.0), float(sc))

    cluster_of: dict[str, set[int]] = {}
    verified: set[tuple[str, str]] = set()
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        for psg in c.passages:
            cluster_of.setdefault(psg.doc, set()).add(c.id)
        for m in c.pairs:
            a, b = c.passages[m.a].doc, c.passages[m.b].doc
            verified.add((a, b))
            verified.add((b, a))
    truth = [p.label for p in pairs]
    same_cluster = [bool(cluster_of.get(p.id1, set()) & cluster_of.get(p.id2, set()))
                    for p in pairs]
    direct = [(p.id1, p.id2) in verified for p in pairs]
    positives = sum(truth)
    majority = [True] * len(pairs) if positives * 2 >= len(pairs) else [False] * len(pairs)
    out: dict[str, Any] = {
        "data": str(Path(data_path)),
        "pairs": len(pairs), "positive": positives, "sentences": len(texts),
        "params": ("dedup.FindParams() defaults" if params is None
                   else params_find.to_dict()),
        "prior_source": params_find.to_dict()["prior_source"],
        "seconds_find": round(seconds_find, 3),
        "clusters": len(result.clusters),
        "cluster": scores(truth, same_cluster),
        "verified": scores(truth, direct),
        "auc_find_score": roc_auc(truth, [score_of.get((p.id1, p.id2), 0.0) for p in pairs]),
        "majority_baseline": scores(truth, majority),
    }
    if with_compare:
        t0 = time.perf_counter()
        params = CompareParams()
        cmp = [coverage(p.text1, p.text2, params=params) for p in pairs]
        out["compare"] = {
            **scores(truth, [params.verdict(c.share_b) != "non" for c in cmp]),
            "auc_coverage": roc_auc(truth, [c.share_b for c in cmp]),
            "auc_min_coverage": roc_auc(truth, [min(c.share_b, c.share_a) for c in cmp]),
            "seconds": round(time.perf_counter() - t0, 3),
        }
    return out


def _line(name: str, s: dict[str, float]) -> str:
    return (f"  {name:<44} accuracy {s['accuracy']:.3f}  F1 {s['f1']:.3f}  "
            f"precision {s['precision']:.3f}  recall {s['recall']:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.msrp",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA),
                    help=f"MSRP folder or training file (default {DEFAULT_DATA})")
    ap.add_argument("--no-compare", action="store_true", help="skip the compare() variant")
    ap.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / TRAIN_FILE if data.is_dir() else data).is_file():
        print(f"no MSRP data at {data}; skipped", file=sys.stderr)
        return 0
    r = run(args.data, with_compare=not args.no_compare)
    print(f"MSRP training pairs: {r['pairs']} ({r['positive']} positive), {r['sentences']} "
          f"sentences as documents; dedup.find with FindParams() defaults, "
          f"{r['seconds_find']:.1f} s, {r['clusters']} clusters")
    print(_line("same cross-document cluster", r["cluster"]))
    print(_line("verified match between the two", r["verified"]))
    print(f"  find score of the pair (0 when not verified) ROC AUC {r['auc_find_score']:.3f}; "
          f"prior: {r['prior_source']}")
    print(_line("majority class (all positive)", r["majority_baseline"]))
    if "compare" in r:
        c = r["compare"]
        print(_line("compare(): verdict not 'non' (COUNTER fit)", c))
        print(f"  compare() coverage ROC AUC {c['auc_coverage']:.3f}, "
              f"min of both coverages {c['auc_min_coverage']:.3f} (no threshold)")
    if args.json:
        write_figures(args.json, r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
