"""COUNTER from ``dedup find`` alone: document relations against the labels.

COUNTER (Sharjeel et al. 2016) pairs an agency story with a newspaper story written
from it (WD wholly / PD partially derived) or independently of it (ND). ``find`` sees
the whole corpus, without the labels and without the pairs file, with its fixed
defaults. Each labelled pair is then read off ``find``'s relations: the relation's
verdict where the two documents have one (``wholly`` -> WD, ``partially`` -> PD),
``non`` (ND) where they have none. Scored as in ``counter_compare``: 3-way macro-F1,
binary macro-F1 (WD|PD vs ND), and **direction**: the share of pairs labelled and
found derived whose relation names the agency story as the source. Also reported:
how many pairs share a cross-document cluster.

    python -m benchmarks.counter_find [--data ../shared/data/counter] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.counter_compare import binary, confusion, macro_f1
from dedup import FindParams, find, read_corpus

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "counter"
LABELS = ("WD", "PD", "ND")


def run(data: Path, params: FindParams | None = None) -> dict[str, object]:
    """Run find on ``data/documents.jsonl`` and score it against ``data/pairs.csv``."""
    t0 = time.perf_counter()
    corpus = read_corpus([data / "documents.jsonl"])
    result = find(corpus, params)
    seconds = time.perf_counter() - t0
    together: dict[str, set[str]] = defaultdict(set)
    sizes: Counter[int] = Counter()
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        docs = {p.doc for p in c.passages}
        sizes[len(c.passages)] += 1
        for d in docs:
            together[d] |= docs
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    relation = {frozenset((r.source, r.derived)): r for r in result.relations}
    verdict_label = {"wholly": 0, "partially": 1}
    truth: list[int] = []
    pred: list[int] = []
    right_way = derived_found = 0
    with open(data / "pairs.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            total[row["label"]] += 1
            if row["derived_id"] in together[row["source_id"]]:
                found[row["label"]] += 1
            rel = relation.get(frozenset((row["source_id"], row["derived_id"])))
            truth.append(LABELS.index(row["label"]))
            pred.append(verdict_label[rel.verdict] if rel else 2)
            if rel and row["label"] != "ND":
                derived_found += 1
                right_way += rel.source == row["source_id"]
    return {
        "documents": len(corpus.documents),
        "passages": len(result.passages),
        "cross_document_clusters": sum(sizes.values()),
        "largest_cluster": max(sizes) if sizes else 0,
        "seconds": round(seconds, 2),
        "relations": len(result.relations),
        "macro_f1_3way": round(macro_f1(truth, pred, 3), 4),
        "macro_f1_binary": round(macro_f1(binary(truth), binary(pred), 2), 4),
        "direction": round(right_way / derived_found, 4) if derived_found else None,
        "direction_pairs": derived_found,
        "confusion": confusion(truth, pred),
        "pairs_in_shared_cluster": {
            label: {"found": found[label], "pairs": total[label],
                    "share": round(found[label] / total[label], 4) if total[label] else None}
            for label in LABELS
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="folder with documents.jsonl and pairs.csv")
    ap.add_argument("--json", dest="json_out", help="write the figures as JSON ('-': stdout)")
    args = ap.parse_args(argv)
    if not (args.data / "pairs.csv").exists():
        print(f"no COUNTER data at {args.data}; skipped", file=sys.stderr)
        return 0
    fig = run(args.data)
    if args.json_out == "-":
        json.dump(fig, sys.stdout, indent=2)
        print()
    else:
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
        print(f"{fig['documents']} documents, {fig['passages']} passages, "
              f"{fig['cross_document_clusters']} cross-document clusters "
              f"(largest {fig['largest_cluster']}), {fig['seconds']} s")
        print(f"relations: 3-way macro-F1 {fig['macro_f1_3way']}, binary "
              f"{fig['macro_f1_binary']}, direction {fig['direction']} "
              f"(of {fig['direction_pairs']} derived pairs found)")
        print(f"confusion (label -> verdict): {fig['confusion']}")
        for label, v in fig["pairs_in_shared_cluster"].items():  # type: ignore[union-attr]
            print(f"{label}: {v['found']}/{v['pairs']} pairs in a shared cluster "
                  f"({v['share']:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
