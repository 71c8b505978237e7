"""How much of the seeds' shared material ``find`` reports, and how much of what it
reports is shared: against the hand labels in ``benchmarks/seeds_labels.json``.

Each labelled pair names two sentences (document and first words). ``find`` runs on
the seed folder with ``FindParams()`` defaults (or the given params), and:

* **recall per kind** (``distinctive-wording``, ``heavily-reworded``): the share of
  labelled pairs that ``find`` verified as a sentence match (``verified``), and the
  share whose two sentences lie in one cross-document cluster (``clustered``: a
  verified match, or both sentences inside the two documents' spans of a cluster);
* **precision of the reported pairs**: of the verified cross-outlet sentence pairs
  (``result.sentence_pairs``), the share labelled shared; a pair labelled
  ``ambiguous`` counts neither way, and an unlabelled pair counts as not shared;
* **precision of the cluster passages**: for every cluster, every two spans of
  different documents; correct when a pair labelled shared lies inside them, wrong
  when none does (spans holding only ambiguous pairs count neither way).

Every reported pair is printed with its label, so a wrong one is easy to read.

    python -m benchmarks.seeds_quality [--seeds seeds] [--labels FILE] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import write_figures
from dedup import FindParams, FindResult, find, read_corpus

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT / "seeds"
DEFAULT_LABELS = Path(__file__).resolve().parent / "seeds_labels.json"
SHARED_KINDS = ("distinctive-wording", "heavily-reworded")


@dataclass(frozen=True)
class Labelled:
    kind: str
    a: int  # passage index
    b: int
    note: str


def _passage_at(result: FindResult, doc: str, starts: str) -> int:
    """The passage of ``doc`` that holds the first occurrence of ``starts``."""
    text = next(d.text for d in result.corpus.documents if d.id == doc)
    # Any run of spaces in the label matches any run of white space (no-break ones too).
    m = re.search(r"\s+".join(re.escape(w) for w in starts.split()), text)
    if m is None:
        raise ValueError(f"label text not found in {doc}: {starts!r}")
    at = m.start()
    for k, p in enumerate(result.passages):
        if p.doc == doc and p.start <= at < p.end:
            return k
    raise ValueError(f"no passage of {doc} holds {starts!r}")


def load_labels(result: FindResult, path: str | Path = DEFAULT_LABELS) -> list[Labelled]:
    """The labelled pairs of ``path`` as passage indexes of ``result``."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for p in raw["pairs"]:
        a = _passage_at(result, p["a"]["doc"], p["a"]["starts"])
        b = _passage_at(result, p["b"]["doc"], p["b"]["starts"])
        out.append(Labelled(p["kind"], min(a, b), max(a, b), p.get("note", "")))
    return out


def _cluster_members(result: FindResult) -> list[set[int]]:
    """The passages inside each cross-document cluster's spans."""
    first_of = {}
    for k, p in enumerate(result.passages):
        first_of.setdefault(p.doc, k - p.index)
    out = []
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        out.append({first_of[s.doc] + i for s in c.passages for i in range(s.first, s.last + 1)})
    return out


def _inside(pairs: Sequence[tuple[int, int]], x: set[int], y: set[int]) -> bool:
    """Whether one of ``pairs`` has a sentence in ``x`` and the other in ``y``."""
    return any((a in x and b in y) or (b in x and a in y) for a, b in pairs)


def evaluate(result: FindResult, labels: Sequence[Labelled]) -> dict[str, Any]:
    """Recall per label kind and precision of pairs and cluster passages."""
    kind_of = {(x.a, x.b): x.kind for x in labels}
    verified = {(int(min(a, b)), int(max(a, b))) for a, b in result.sentence_pairs.tolist()}
    members = _cluster_members(result)
    out: dict[str, Any] = {"recall": {}}
    for kind in SHARED_KINDS:
        pairs = [x for x in labels if x.kind == kind]
        v = sum((x.a, x.b) in verified for x in pairs)
        c = sum((x.a, x.b) in verified or any(x.a in m and x.b in m for m in members)
                for x in pairs)
        n = len(pairs)
        out["recall"][kind] = {"labelled": n, "verified": v, "clustered": c,
                               "verified_share": round(v / n, 4) if n else None,
                               "clustered_share": round(c / n, 4) if n else None}
    reported = []
    for a, b in sorted(verified):
        reported.append((a, b, kind_of.get((a, b), "unlabelled")))
    counted = [k for _, _, k in reported if k != "ambiguous"]
    good = sum(k in SHARED_KINDS for k in counted)
    out["reported_pairs"] = {"reported": len(reported), "counted": len(counted),
                             "correct": good,
                             "precision": round(good / len(counted), 4) if counted else None}
    out["pairs"] = [{"a": a, "b": b, "label": k} for a, b, k in reported]
    shared_pairs = [(x.a, x.b) for x in labels if x.kind in SHARED_KINDS]
    ambiguous = [(x.a, x.b) for x in labels if x.kind == "ambiguous"]
    span_good = span_counted = 0
    first_of: dict[str, int] = {}
    for k, p in enumerate(result.passages):
        first_of.setdefault(p.doc, k - p.index)
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        sets = [{first_of[s.doc] + i for i in range(s.first, s.last + 1)} for s in c.passages]
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                if c.passages[i].doc == c.passages[j].doc:
                    continue
                if _inside(shared_pairs, sets[i], sets[j]):
                    span_good += 1
                    span_counted += 1
                elif not _inside(ambiguous, sets[i], sets[j]):
                    span_counted += 1
    out["cluster_passages"] = {"counted": span_counted, "correct": span_good,
                               "precision": (round(span_good / span_counted, 4)
                                             if span_counted else None)}
    return out


def run(seeds: str | Path = DEFAULT_SEEDS, labels: str | Path = DEFAULT_LABELS,
        params: FindParams | None = None) -> tuple[dict[str, Any], FindResult]:
    result = find(read_corpus([seeds]), params or FindParams())
    return evaluate(result, load_labels(result, labels)), result


def _text(result: FindResult, k: int) -> str:
    p = result.passages[k]
    doc = next(d for d in result.corpus.documents if d.id == p.doc)
    return f"{p.doc[:3]}#{p.index} {doc.text[p.start:p.end][:70]!r}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.seeds_quality",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default=str(DEFAULT_SEEDS), help="the seed folder")
    ap.add_argument("--labels", default=str(DEFAULT_LABELS), help="the labels file")
    ap.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = ap.parse_args(argv)
    figures, result = run(args.seeds, args.labels)
    for kind, r in figures["recall"].items():
        print(f"{kind:<20} {r['labelled']:>3} labelled: verified {r['verified']:>3} "
              f"({r['verified_share']:.0%}), in one cluster {r['clustered']:>3} "
              f"({r['clustered_share']:.0%})")
    rp, cp = figures["reported_pairs"], figures["cluster_passages"]
    print(f"reported sentence pairs {rp['reported']}: {rp['correct']} of {rp['counted']} "
          f"counted correct ({rp['precision'] if rp['precision'] is not None else 0:.0%})")
    print(f"cluster passage pairs: {cp['correct']} of {cp['counted']} correct "
          f"({cp['precision'] if cp['precision'] is not None else 0:.0%})")
    for p in figures["pairs"]:
        print(f"  [{p['label']}] {_text(result, p['a'])}\n      {_text(result, p['b'])}")
    if args.json:
        write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
