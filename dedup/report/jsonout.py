"""The documented JSON format of ``dedup find`` (version 2).

Version 2 (from version 1): a cross-document cluster's passages are runs of
sentences assembled from chains of matched sentences, several per document allowed
(listed in text order); each passage also gives its ``first``/``last`` sentence
index; ``relations`` lists which document derives from which; ``summary`` counts
``sentence_matches``, ``relations`` and the verdicts.

Deterministic: the same input and parameters give byte-identical output (no
timings, no dates, keys in a fixed order). Offsets are Python string indices into
each document's original text: ``text == original[start:end]``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ..output import write_output as write_atomic  # noqa: F401  (kept for old imports)
from ..pipeline import FindResult

FORMAT_VERSION = 2


def summary(result: FindResult) -> dict[str, int]:
    """The ``summary`` object of the format: counts of documents, inputs skipped,
    sentences, clusters by kind, sentence matches and relations by verdict."""
    kinds = Counter(c.kind for c in result.clusters)
    verdicts = Counter(r.verdict for r in result.relations)
    return {
        "documents": len(result.corpus.documents),
        "skipped": len(result.corpus.skipped),
        "passages": len(result.passages),
        "clusters": len(result.clusters),
        "cross_document": kinds.get("cross-document", 0),
        "within_outlet": kinds.get("within-outlet", 0),
        "within_document": kinds.get("within-document", 0),
        "sentence_matches": len(result.sentence_pairs),
        "relations": len(result.relations),
        "wholly": verdicts.get("wholly", 0),
        "partially": verdicts.get("partially", 0),
    }


def result_to_dict(result: FindResult) -> dict[str, Any]:
    """The whole result as plain data (see README for the field list)."""
    texts = {d.id: d.text for d in result.corpus.documents}
    per_doc_passages = result.passages.per_document()
    per_doc_clusters: dict[str, set[int]] = {}
    for c in result.clusters:
        for p in c.passages:
            per_doc_clusters.setdefault(p.doc, set()).add(c.id)
    documents = []
    for d in result.corpus.documents:
        entry: dict[str, Any] = {"id": d.id, "outlet": d.outlet, "chars": len(d.text)}
        if d.date:
            entry["date"] = d.date
        if d.title:
            entry["title"] = d.title
        entry["source"] = d.source
        entry["passages"] = per_doc_passages.get(d.id, 0)
        entry["clusters"] = sorted(per_doc_clusters.get(d.id, ()))
        documents.append(entry)
    clusters = []
    for c in result.clusters:
        scores = [m.score for m in c.pairs]
        clusters.append({
            "id": c.id,
            "kind": c.kind,
            "outlets": list(c.outlets),
            "score_min": min(scores),
            "score_max": max(scores),
            "weakest_link": c.weakest_link,
            "passages": [{"doc": p.doc, "start": p.start, "end": p.end,
                          "first": p.first, "last": p.last,
                          "text": texts[p.doc][p.start:p.end]} for p in c.passages],
            "pairs": [{"a": m.a, "b": m.b, "score": m.score} for m in c.pairs],
        })
    relations = [{"source": r.source, "derived": r.derived, "coverage": r.coverage,
                  "source_coverage": r.source_coverage, "verdict": r.verdict,
                  "rule": r.rule, "clusters": list(r.clusters)} for r in result.relations]
    return {
        "version": FORMAT_VERSION,
        "params": result.params.to_dict(),
        "summary": summary(result),
        "documents": documents,
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.corpus.skipped],
        "clusters": clusters,
        "relations": relations,
    }


def dumps(data: Any) -> str:
    """Stable JSON text (UTF-8 characters kept, two-space indent, trailing newline)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain) + "\n"


def _plain(value: Any) -> Any:
    # numpy scalars that slipped through
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
