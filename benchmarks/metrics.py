"""Scores for a dedup tool's output against the ground truth of :mod:`benchmarks.generate`.

Pure functions over spans, pairs and clusters; nothing here imports :mod:`dedup`.

A *span* is ``(doc, start, end)`` (or a :class:`Span`): ``text[start:end]`` of document
``doc``. A *true passage* is a span named in ``truth.jsonl`` (an outlet's sentence, the
wire sentence it derives from, a caption, a piece of boilerplate); passages with the same
``group`` hold the same material, so the *true pairs* are all pairs of passages within a
group.

**Span matching.** A span ``a`` matches a true passage ``p`` when they are in the same
document and their character overlap is at least ``min_overlap`` (default 0.5) of the
shorter of the two::

    overlap = min(a.end, p.end) - max(a.start, p.start)
    match   = overlap > 0 and overlap >= min_overlap * min(len(a), len(p))

So a predicted paragraph matches every whole sentence inside it, and a predicted
sentence matches the true sentence it mostly covers.

>>> truth = Truth.from_records([{"doc": "b", "start": 0, "end": 10, "source_doc": "a",
...     "source_start": 5, "source_end": 15, "story": "s1", "group": "s1:0",
...     "kind": "derived", "edit": "verbatim"}])
>>> pair_scores([("a", 5, 15, "b", 0, 10)], truth).f1
1.0
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "ClusterScores",
    "PairScores",
    "RelationScores",
    "Span",
    "SpanScores",
    "StoryScores",
    "StoryTruth",
    "Truth",
    "adjusted_rand_index",
    "cluster_ari",
    "cluster_scores",
    "document_pair_scores",
    "f1_score",
    "largest_cluster_size",
    "load_doc_stories",
    "load_stories",
    "macro_f1",
    "mixed_clusters",
    "overlaps",
    "pair_scores",
    "pairs_from_clusters",
    "relation_scores",
    "span_scores",
    "spearman",
    "stories_from_records",
    "story_scores",
]

SCOPES = ("cross", "within", "all")
DEFAULT_KINDS = ("derived",)


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` of document ``doc``."""

    doc: str
    start: int
    end: int


def _span(x: Span | Sequence[Any]) -> Span:
    if isinstance(x, Span):
        return x
    doc, start, end = x
    return Span(str(doc), int(start), int(end))


def _pair(x: Any) -> tuple[Span, Span]:
    """A predicted pair: ``(Span, Span)`` or ``(doc_a, start_a, end_a, doc_b, start_b, end_b)``."""
    if len(x) == 2:
        return _span(x[0]), _span(x[1])
    if len(x) == 6:
        return Span(str(x[0]), int(x[1]), int(x[2])), Span(str(x[3]), int(x[4]), int(x[5]))
    raise ValueError(f"a pair is (span, span) or 6 fields, got {x!r}")


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int, min_overlap: float = 0.5
             ) -> int:
    """The overlap of two spans when it is at least ``min_overlap`` of the shorter, else 0.

    >>> overlaps(0, 10, 4, 30), overlaps(0, 10, 6, 30)
    (6, 0)
    """
    ov = min(a_end, b_end) - max(a_start, b_start)
    if ov <= 0 or ov < min_overlap * min(a_end - a_start, b_end - b_start):
        return 0
    return ov


def _in_scope(doc_a: str, doc_b: str, scope: str) -> bool:
    if scope == "cross":
        return doc_a != doc_b
    if scope == "within":
        return doc_a == doc_b
    return True


def _check(scope: str, min_overlap: float) -> None:
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, got {scope!r}")
    if not 0.0 < min_overlap <= 1.0:
        raise ValueError(f"min_overlap must be in (0.0, 1.0], got {min_overlap}")


# --------------------------------------------------------------------------- truth


class Truth:
    """Ground-truth passages, indexed by document.

    Built from ``truth.jsonl`` records: each record contributes its passage and its
    source passage (the same span once, however many records name it). Passage ``i``
    has ``docs[i]``, ``starts[i]``, ``ends[i]``, ``groups[i]``, ``stories[i]`` (the story,
    or the group for boilerplate) and ``kinds[i]``.
    """

    def __init__(self) -> None:
        self.docs: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.groups: list[str] = []
        self.stories: list[str] = []
        self.kinds: list[str] = []
        self._index: dict[tuple[str, int, int], int] = {}
        self._by_doc: dict[str, list[tuple[int, int, int]]] = {}
        self._members: dict[str, list[int]] = {}
        # (source document, document) of every record: which document derives from which.
        self.derived_from: dict[str, set[tuple[str, str]]] = {}

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Truth:
        """Index truth records (dicts with the ``truth.jsonl`` fields)."""
        t = cls()
        strings: dict[str, str] = {}
        for r in records:
            group = strings.setdefault(r["group"], r["group"])
            story = r.get("story") or group
            story = strings.setdefault(story, story)
            kind = strings.setdefault(r["kind"], r["kind"])
            t._add(r["doc"], r["start"], r["end"], group, story, kind, strings)
            t._add(r["source_doc"], r["source_start"], r["source_end"], group, story, kind,
                   strings)
            if r["source_doc"] != r["doc"]:
                t.derived_from.setdefault(kind, set()).add((r["source_doc"], r["doc"]))
        for spans in t._by_doc.values():
            spans.sort()
        return t

    @classmethod
    def load(cls, path: str | Path) -> Truth:
        """Read ``truth.jsonl`` (or a generator output folder holding one)."""
        p = Path(path)
        if p.is_dir():
            p = p / "truth.jsonl"
        return cls.from_records(_iter_jsonl(p))

    def _add(self, doc: str, start: int, end: int, group: str, story: str, kind: str,
             strings: dict[str, str]) -> None:
        key = (doc, start, end)
        if key in self._index:
            return
        doc = strings.setdefault(doc, doc)
        i = len(self.docs)
        self._index[key] = i
        self.docs.append(doc)
        self.starts.append(start)
        self.ends.append(end)
        self.groups.append(group)
        self.stories.append(story)
        self.kinds.append(kind)
        self._by_doc.setdefault(doc, []).append((start, end, i))
        self._members.setdefault(group, []).append(i)

    def __len__(self) -> int:
        return len(self.docs)

    def match(self, span: Span | Sequence[Any], min_overlap: float = 0.5
              ) -> list[tuple[int, int]]:
        """``(passage, overlap)`` for every true passage the span matches."""
        s = _span(span)
        out = []
        for start, end, i in self._by_doc.get(s.doc, ()):
            if start >= s.end:
                break
            ov = overlaps(s.start, s.end, start, end, min_overlap)
            if ov:
                out.append((i, ov))
        return out

    def passages(self, kinds: Iterable[str] | None = None) -> list[int]:
        """Passage ids, all or of the given kinds."""
        if kinds is None:
            return list(range(len(self)))
        ks = set(kinds)
        return [i for i, k in enumerate(self.kinds) if k in ks]

    def true_pair_count(self, kinds: Iterable[str], scope: str = "cross") -> int:
        """Number of true pairs (same group) of the given kinds within ``scope``."""
        ks = set(kinds)
        total = 0
        for members in self._members.values():
            if self.kinds[members[0]] not in ks:
                continue
            n = len(members)
            same = sum(c * (c - 1) // 2 for c in Counter(self.docs[i] for i in members).values())
            total += {"cross": n * (n - 1) // 2 - same, "within": same,
                      "all": n * (n - 1) // 2}[scope]
        return total

    def intervals(self, kinds: Iterable[str], *, gap: int = 2
                  ) -> dict[str, list[tuple[int, int]]]:
        """Per document, the merged character intervals of its true passages of
        ``kinds``; passages at most ``gap`` characters apart (the space or blank line
        between two sentences) are joined."""
        ks = set(kinds)
        out = {}
        for doc, spans in self._by_doc.items():
            iv = _merge(((s, e) for s, e, i in spans if self.kinds[i] in ks), gap=gap)
            if iv:
                out[doc] = iv
        return out

    def doc_pairs(self, kinds: Iterable[str]) -> set[tuple[str, str]]:
        """Unordered pairs of documents that share a passage group of the given kinds."""
        ks = set(kinds)
        out: set[tuple[str, str]] = set()
        for members in self._members.values():
            if self.kinds[members[0]] not in ks:
                continue
            docs = sorted({self.docs[i] for i in members})
            out.update((a, b) for k, a in enumerate(docs) for b in docs[k + 1:])
        return out


def _iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def load_doc_stories(path: str | Path) -> dict[str, str]:
    """``{doc id: story id}`` from ``docs_meta.jsonl`` (or the folder holding it)."""
    p = Path(path)
    if p.is_dir():
        p = p / "docs_meta.jsonl"
    return {m["id"]: m["story"] for m in _iter_jsonl(p)}


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class PairScores:
    """Passage-pair precision and recall (see :func:`pair_scores` for the definitions)."""

    precision: float
    recall: float
    f1: float
    predicted: int  # predicted pairs scored (in scope, not ignored)
    true_positives: int  # of those, pairs matching a true pair
    ignored: int  # in scope, matching only true pairs of kinds not scored
    out_of_scope: int
    true_pairs: int
    matched_true_pairs: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def pair_scores(
    predicted: Iterable[Any],
    truth: Truth,
    *,
    kinds: Iterable[str] = DEFAULT_KINDS,
    scope: str = "cross",
    min_overlap: float = 0.5,
) -> PairScores:
    """Passage-pair precision, recall and F1 of ``predicted`` against ``truth``.

    ``predicted`` holds pairs ``(span_a, span_b)`` or ``(doc_a, start_a, end_a, doc_b,
    start_b, end_b)``, in either order. A predicted pair *matches* the true pair
    ``(p, q)`` (two distinct passages of one group) when one span matches ``p`` and the
    other matches ``q`` under the module's overlap rule. Only pairs in ``scope`` count:
    ``cross`` (two documents; the default), ``within`` (one document, e.g. a caption
    printed twice) or ``all``. ``kinds`` says which truth is scored (``derived``,
    ``duplicate``, ``boilerplate``).

    * precision = predicted pairs matching at least one scored true pair / predicted
      pairs, leaving out (``ignored``) those that match only true pairs of unscored
      kinds, so reporting boilerplate is not an error when only derived text is scored;
    * recall = scored true pairs matched by at least one predicted pair / all scored
      true pairs;
    * F1 their harmonic mean; each is 0.0 when its denominator is 0.

    >>> t = Truth.from_records([
    ...     {"doc": "b", "start": 0, "end": 10, "source_doc": "a", "source_start": 0,
    ...      "source_end": 10, "story": "s", "group": "s:0", "kind": "derived"},
    ...     {"doc": "c", "start": 0, "end": 10, "source_doc": "a", "source_start": 0,
    ...      "source_end": 10, "story": "s", "group": "s:0", "kind": "derived"}])
    >>> s = pair_scores([("a", 0, 10, "b", 2, 10), ("a", 20, 30, "c", 0, 10)], t)
    >>> s.precision, round(s.recall, 3), s.true_pairs
    (0.5, 0.333, 3)
    """
    _check(scope, min_overlap)
    scored = set(kinds)
    matched: set[tuple[int, int]] = set()
    n_pred = tp = ignored = out = 0
    groups, docs, kind_of = truth.groups, truth.docs, truth.kinds
    for raw in predicted:
        a, b = _pair(raw)
        if not _in_scope(a.doc, b.doc, scope):
            out += 1
            continue
        ma, mb = truth.match(a, min_overlap), truth.match(b, min_overlap)
        hit = other = False
        for p, _ in ma:
            for q, _ in mb:
                if p == q or groups[p] != groups[q] or not _in_scope(docs[p], docs[q], scope):
                    continue
                if kind_of[p] in scored:
                    hit = True
                    matched.add((p, q) if p < q else (q, p))
                else:
                    other = True
        if hit:
            n_pred += 1
            tp += 1
        elif other:
            ignored += 1
        else:
            n_pred += 1
    total = truth.true_pair_count(scored, scope)
    precision = tp / n_pred if n_pred else 0.0
    recall = len(matched) / total if total else 0.0
    return PairScores(precision, recall, _f1(precision, recall), n_pred, tp, ignored, out,
                      total, len(matched))


def pairs_from_clusters(clusters: Iterable[Sequence[Any]], *, scope: str = "cross"
                        ) -> Iterator[tuple[Span, Span]]:
    """Every pair of spans within each cluster that is in ``scope``.

    >>> list(pairs_from_clusters([[("a", 0, 5), ("a", 9, 12), ("b", 0, 5)]]))
    [(Span(doc='a', start=0, end=5), Span(doc='b', start=0, end=5)), \
(Span(doc='a', start=9, end=12), Span(doc='b', start=0, end=5))]
    """
    _check(scope, 0.5)
    for cluster in clusters:
        spans = [_span(x) for x in cluster]
        for i, a in enumerate(spans):
            for b in spans[i + 1:]:
                if _in_scope(a.doc, b.doc, scope):
                    yield a, b


def document_pair_scores(
    predicted: Iterable[tuple[str, str]],
    truth: Truth,
    *,
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> PairScores:
    """Precision and recall of document pairs said to share material.

    True document pairs are pairs of different documents holding passages of one
    group (of the scored kinds); predicted pairs are ``(doc_a, doc_b)`` in either order,
    counted once each.

    >>> t = Truth.from_records([{"doc": "b", "start": 0, "end": 9, "source_doc": "a",
    ...     "source_start": 0, "source_end": 9, "story": "s", "group": "g",
    ...     "kind": "derived"}])
    >>> document_pair_scores([("b", "a"), ("a", "c")], t).precision
    0.5
    """
    true = truth.doc_pairs(kinds)
    pred = {(a, b) if a < b else (b, a) for a, b in predicted if a != b}
    tp = len(pred & true)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(true) if true else 0.0
    return PairScores(precision, recall, _f1(precision, recall), len(pred), tp, 0, 0,
                      len(true), tp)


# --------------------------------------------------------------------------- clusters


def _codes(labels: Sequence[Hashable]) -> np.ndarray:
    seen: dict[Hashable, int] = {}
    return np.fromiter((seen.setdefault(x, len(seen)) for x in labels), dtype=np.int64,
                       count=len(labels))


def _comb2(counts: np.ndarray) -> float:
    c = counts.astype(np.float64)
    return float((c * (c - 1) / 2).sum())


def adjusted_rand_index(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]
                        ) -> float:
    """Adjusted Rand index of two labellings of the same items (Hubert and Arabie, 1985).

    1.0 for identical partitions (whatever the label names), about 0.0 for independent
    ones, and 1.0 by convention when both are trivial (fewer than two items, all in one
    cluster, or all singletons).

    >>> adjusted_rand_index([0, 0, 1, 1], [5, 5, 3, 3])
    1.0
    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]), 6)
    -0.5
    """
    if len(labels_true) != len(labels_pred):
        raise ValueError(f"label lists differ in length: {len(labels_true)} != "
                         f"{len(labels_pred)}")
    n = len(labels_true)
    if n < 2:
        return 1.0
    a, b = _codes(labels_true), _codes(labels_pred)
    joint = a * (int(b.max()) + 1) + b
    index = _comb2(np.unique(joint, return_counts=True)[1])
    sum_a = _comb2(np.bincount(a))
    sum_b = _comb2(np.bincount(b))
    expected = sum_a * sum_b / (n * (n - 1) / 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def _assign(clusters: Sequence[Sequence[Any]], truth: Truth, passages: Sequence[int],
            min_overlap: float) -> list[int]:
    """For each passage, the cluster whose span overlaps it most (-1 if none)."""
    wanted = set(passages)
    best: dict[int, tuple[int, int]] = {}
    for ci, cluster in enumerate(clusters):
        for x in cluster:
            for p, ov in truth.match(x, min_overlap):
                if p in wanted and ov > best.get(p, (0, 0))[0]:
                    best[p] = (ov, ci)
    return [best[p][1] if p in best else -1 for p in passages]


def cluster_ari(
    clusters: Sequence[Sequence[Any]],
    truth: Truth,
    *,
    by: str = "story",
    kinds: Iterable[str] = DEFAULT_KINDS,
    min_overlap: float = 0.5,
) -> float:
    """ARI between predicted clusters and true groups over the true passages.

    The items are the true passages of ``kinds``. Each takes the predicted cluster of
    the span that overlaps it most (by the overlap rule), or a cluster of its own if no
    span does. True labels are stories (``by="story"``: every sentence of a story and
    its reprints together; boilerplate by its text) or passage groups
    (``by="group"``: one wire sentence and its copies), which suits tools that cluster
    sentence by sentence.

    >>> t = Truth.from_records([{"doc": "b", "start": 0, "end": 9, "source_doc": "a",
    ...     "source_start": 0, "source_end": 9, "story": "s", "group": "g",
    ...     "kind": "derived"}])
    >>> cluster_ari([[("a", 0, 9), ("b", 0, 9)]], t)
    1.0
    """
    if by not in ("story", "group"):
        raise ValueError(f"by must be 'story' or 'group', got {by!r}")
    passages = truth.passages(kinds)
    pred = _assign(clusters, truth, passages, min_overlap)
    labels = truth.stories if by == "story" else truth.groups
    true_labels = [labels[p] for p in passages]
    pred_labels = [c if c >= 0 else -1 - i for i, c in enumerate(pred)]
    return adjusted_rand_index(true_labels, pred_labels)


def largest_cluster_size(clusters: Iterable[Sequence[Any]]) -> int:
    """Number of spans in the biggest cluster (0 when there are none).

    >>> largest_cluster_size([[1, 2], [3, 4, 5]])
    3
    """
    return max((len(c) for c in clusters), default=0)


def mixed_clusters(
    clusters: Iterable[Sequence[Any]],
    doc_story: Mapping[str, str],
    truth: Truth | None = None,
    *,
    ignore_kinds: Iterable[str] = ("boilerplate",),
    min_overlap: float = 0.5,
) -> int:
    """How many clusters hold spans from two or more different true stories.

    A span's story is its document's (``doc_story``, from ``docs_meta.jsonl``). With
    ``truth``, spans matching true passages only of ``ignore_kinds`` (boilerplate, shared
    across stories on purpose) are left out; a span of several sentences that also
    matches a story's sentences counts.

    >>> mixed_clusters([[("a", 0, 5), ("b", 0, 5)], [("a", 9, 12), ("c", 0, 3)]],
    ...                {"a": "s1", "b": "s1", "c": "s2"})
    1
    """
    ignore = set(ignore_kinds)
    n = 0
    for cluster in clusters:
        stories = set()
        for x in cluster:
            s = _span(x)
            if truth is not None:
                kinds = {truth.kinds[p] for p, _ in truth.match(s, min_overlap)}
                if kinds and kinds <= ignore:
                    continue
            try:
                stories.add(doc_story[s.doc])
            except KeyError:
                raise ValueError(f"document {s.doc!r} is not in doc_story") from None
        n += len(stories) >= 2
    return n


@dataclass(frozen=True)
class ClusterScores:
    """The cluster figures a benchmark reports together."""

    n_clusters: int
    ari_story: float
    ari_group: float
    largest: int
    mixed: int


def cluster_scores(
    clusters: Sequence[Sequence[Any]],
    truth: Truth,
    doc_story: Mapping[str, str],
    *,
    kinds: Iterable[str] = DEFAULT_KINDS,
    min_overlap: float = 0.5,
) -> ClusterScores:
    """:func:`cluster_ari` by story and by group, largest size and mixed count."""
    kinds = tuple(kinds)
    return ClusterScores(
        n_clusters=len(clusters),
        ari_story=cluster_ari(clusters, truth, by="story", kinds=kinds, min_overlap=min_overlap),
        ari_group=cluster_ari(clusters, truth, by="group", kinds=kinds, min_overlap=min_overlap),
        largest=largest_cluster_size(clusters),
        mixed=mixed_clusters(clusters, doc_story, truth, min_overlap=min_overlap),
    )


# --------------------------------------------------------------------------- labels


def f1_score(y_true: Sequence[Hashable], y_pred: Sequence[Hashable], *,
             positive: Hashable = 1) -> float:
    """F1 of one class (``positive``); 0.0 when it is neither predicted nor true.

    >>> f1_score([1, 1, 0, 0], [1, 0, 1, 0])
    0.5
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"label lists differ in length: {len(y_true)} != {len(y_pred)}")
    tp = sum(t == positive and p == positive for t, p in zip(y_true, y_pred, strict=True))
    fp = sum(t != positive and p == positive for t, p in zip(y_true, y_pred, strict=True))
    fn = sum(t == positive and p != positive for t, p in zip(y_true, y_pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def macro_f1(y_true: Sequence[Hashable], y_pred: Sequence[Hashable], *,
             labels: Sequence[Hashable] | None = None) -> float:
    """Unweighted mean of per-class F1 (binary or multi-class).

    ``labels`` defaults to every label seen in either list (so a class never predicted
    and never true does not drag the mean down).

    >>> macro_f1(["a", "b", "c", "c"], ["a", "b", "c", "b"])
    0.7777777777777777
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"label lists differ in length: {len(y_true)} != {len(y_pred)}")
    if labels is None:
        labels = list(dict.fromkeys([*y_true, *y_pred]))
    if not labels:
        return 0.0
    return sum(f1_score(y_true, y_pred, positive=c) for c in labels) / len(labels)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their mean rank."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0
    return mean_rank[inverse]


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation (ties get mean ranks, as in SciPy); NaN if a side is
    constant or there are fewer than two points.

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 40]), spearman([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    """
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"x and y must be 1-D and the same length, got {a.shape} and {b.shape}")
    if len(a) < 2:
        return math.nan
    ra, rb = _ranks(a), _ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    denom = math.sqrt(float((ra * ra).sum()) * float((rb * rb).sum()))
    if denom == 0:
        return math.nan
    return max(-1.0, min(1.0, float((ra * rb).sum()) / denom))


# --------------------------------------------------------------------------- stories
# Story-level scores: does each reprinted story come out as one cluster holding every
# version? Spans are plain (doc, start, end) tuples; intervals are merged per document.


def _merge(intervals: Iterable[tuple[int, int]], gap: int = 0) -> list[tuple[int, int]]:
    """Sorted, merged intervals; two closer than ``gap`` characters become one.

    >>> _merge([(5, 9), (0, 3), (2, 4), (12, 14)]), _merge([(5, 9), (0, 4), (12, 14)], gap=2)
    ([(0, 4), (5, 9), (12, 14)], [(0, 9), (12, 14)])
    """
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1] + gap:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _length(intervals: Iterable[tuple[int, int]]) -> int:
    return sum(e - s for s, e in intervals)


def _intersection(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Characters in both of two merged, sorted interval lists.

    >>> _intersection([(0, 10), (20, 30)], [(5, 25)])
    10
    """
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


@dataclass(frozen=True)
class StoryTruth:
    """A reprinted story: its wire document, the versions derived from it, and each
    document's copied text (merged character intervals): a version's sentences taken
    from the wire, the wire's sentences that some version took."""

    story: str
    wire: str
    versions: tuple[str, ...]
    copied: Mapping[str, tuple[tuple[int, int], ...]]

    @property
    def docs(self) -> tuple[str, ...]:
        return (self.wire, *self.versions)


def stories_from_records(truth: Iterable[Mapping[str, Any]], meta: Iterable[Mapping[str, Any]],
                         *, skip_edits: Iterable[str] = ()
                         ) -> tuple[dict[str, StoryTruth], dict[str, str]]:
    """Stories with at least one version, and ``{doc: story}`` for every document, from
    ``truth.jsonl`` and ``docs_meta.jsonl`` records (:mod:`benchmarks.generate` or
    :mod:`benchmarks.reprints`). Copied text is the ``derived`` truth, less the records
    whose ``edit`` is in ``skip_edits`` (``paraphrased``: count verbatim copies only)."""
    skip = set(skip_edits)
    doc_story: dict[str, str] = {}
    wire: dict[str, str] = {}
    versions: dict[str, list[str]] = {}
    for m in meta:
        doc_story[m["id"]] = m["story"]
        if m["role"] == "wire":
            wire[m["story"]] = m["id"]
        elif m["role"] == "version":
            versions.setdefault(m["story"], []).append(m["id"])
    copied: dict[str, list[tuple[int, int]]] = {}
    for r in truth:
        if r["kind"] != "derived" or r.get("edit") in skip:
            continue
        copied.setdefault(r["doc"], []).append((r["start"], r["end"]))
        copied.setdefault(r["source_doc"], []).append((r["source_start"], r["source_end"]))
    stories = {}
    for story, vs in versions.items():
        if story not in wire:
            continue
        docs = (wire[story], *vs)
        stories[story] = StoryTruth(story, wire[story], tuple(vs),
                                    {d: tuple(_merge(copied.get(d, ()))) for d in docs})
    return stories, doc_story


def load_stories(folder: str | Path, *, skip_edits: Iterable[str] = ()
                 ) -> tuple[dict[str, StoryTruth], dict[str, str]]:
    """:func:`stories_from_records` of a generated corpus folder."""
    p = Path(folder)
    return stories_from_records(_iter_jsonl(p / "truth.jsonl"),
                                _iter_jsonl(p / "docs_meta.jsonl"), skip_edits=skip_edits)


@dataclass(frozen=True)
class StoryScores:
    """See :func:`story_scores`. ``per_story`` holds one dict a story (in story order)."""

    stories: int
    whole: int  # one cluster holds every version, each covered >= min_cover
    together: int  # one cluster holds every version (coverage aside)
    min_cover: float
    clusters_per_story: float
    clusters_per_story_max: int
    coverage_mean: float
    coverage_min: float
    mixed_clusters: int
    relations: Mapping[str, int]
    per_story: tuple[Mapping[str, Any], ...]

    @property
    def whole_share(self) -> float:
        return self.whole / self.stories if self.stories else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["relations"] = dict(self.relations)
        out["per_story"] = [dict(x) for x in self.per_story]
        out["whole_share"] = round(self.whole_share, 4)
        for k in ("clusters_per_story", "coverage_mean", "coverage_min"):
            out[k] = round(out[k], 4)
        return out


def story_scores(
    clusters: Iterable[tuple[Any, str, Sequence[Sequence[Any]]]],
    relations: Iterable[tuple[str, str]],
    stories: Mapping[str, StoryTruth],
    doc_story: Mapping[str, str],
    *,
    min_cover: float = 0.85,
) -> StoryScores:
    """How many stories come out as one cluster holding all their versions.

    ``clusters`` are ``(id, kind, spans)`` with spans ``(doc, start, end)``; only
    ``cross-document`` clusters count. A cluster's *coverage* of a document is the share
    of the document's copied characters inside the cluster's spans of that document.
    For each story, its clusters are the cross-document clusters with a span on copied
    text of one of its documents; the *best* holds most of its documents, then covers
    the worst-covered one best. A story is *together* when its best cluster holds every
    document (wire and versions), *whole* when it also covers each at least
    ``min_cover``. A cluster is *mixed* when it holds documents of two or more stories
    (by ``doc_story``; a document printed once is a story of its own).

    ``relations`` are ``(source, derived)`` pairs. Each (wire, version) pair of a story
    is a true relation: ``found`` when some relation joins the two, ``direction_correct``
    when its source is the wire. Relations between two versions of one story are
    ``sibling`` (they share the material, neither derives from the other); relations
    between documents of different stories are ``spurious``.

    >>> st = StoryTruth("s", "w", ("v",), {"w": ((0, 10),), "v": ((5, 15),)})
    >>> s = story_scores([(1, "cross-document", [("w", 0, 10), ("v", 5, 14)])],
    ...                  [("w", "v")], {"s": st}, {"w": "s", "v": "s"})
    >>> s.whole, round(s.coverage_min, 2), s.relations["direction_correct"]
    (1, 0.9, 1)
    """
    by_doc: dict[str, list[tuple[Any, list[tuple[int, int]]]]] = {}
    mixed = n_clusters = 0
    for cid, kind, spans in clusters:
        if kind != "cross-document":
            continue
        n_clusters += 1
        per: dict[str, list[tuple[int, int]]] = {}
        for x in spans:
            s = _span(x)
            per.setdefault(s.doc, []).append((s.start, s.end))
        if len({doc_story.get(d, d) for d in per}) >= 2:
            mixed += 1
        for d, iv in per.items():
            by_doc.setdefault(d, []).append((cid, _merge(iv)))
    true_pairs: dict[frozenset[str], str] = {}
    for st in stories.values():
        for v in st.versions:
            true_pairs[frozenset((st.wire, v))] = st.wire
    rel = {"true": len(true_pairs), "found": 0, "direction_correct": 0, "sibling": 0,
           "spurious": 0, "relations": 0}
    seen: set[frozenset[str]] = set()
    for source, derived in relations:
        rel["relations"] += 1
        key = frozenset((source, derived))
        if key in true_pairs:
            if key not in seen:
                rel["found"] += 1
                rel["direction_correct"] += source == true_pairs[key]
                seen.add(key)
        elif source in doc_story and doc_story.get(source) == doc_story.get(derived):
            rel["sibling"] += 1
        else:
            rel["spurious"] += 1
    per_story = []
    counts, covers = [], []
    for name in sorted(stories):
        st = stories[name]
        cover: dict[Any, dict[str, float]] = {}
        for d in st.docs:
            total = _length(st.copied[d])
            for cid, iv in by_doc.get(d, ()):
                got = _intersection(st.copied[d], iv)
                if got and total:
                    cover.setdefault(cid, {})[d] = got / total
        counts.append(len(cover))

        best = max(sorted(cover, key=str), key=lambda cid, c=cover, docs=st.docs: (
            len(c[cid]), min(c[cid].get(d, 0.0) for d in docs), sum(c[cid].values())),
            default=None)
        held = cover.get(best, {}) if best is not None else {}
        doc_cover = {d: round(held.get(d, 0.0), 4) for d in st.docs}
        together = all(d in held for d in st.docs)
        worst = min(doc_cover.values())
        whole = together and worst >= min_cover
        if together:
            covers.extend(doc_cover.values())
        if whole:
            why = ""
        elif not together:
            parts = [f"cluster {cid} holds "
                     + ", ".join(f"{d} {c:.2f}" for d, c in sorted(v.items()))
                     for cid, v in sorted(cover.items(), key=lambda kv: str(kv[0]))]
            missing = [d for d in st.docs if not any(d in v for v in cover.values())]
            why = (f"split over {len(cover)} clusters: " + "; ".join(parts)
                   + (f"; in none: {', '.join(missing)}" if missing else ""))
        else:
            low = [f"{d} {c:.2f}" for d, c in doc_cover.items() if c < min_cover]
            why = f"one cluster ({best}), but covers below {min_cover:.0%}: {', '.join(low)}"
        per_story.append({"story": name, "wire": st.wire, "versions": list(st.versions),
                          "clusters": len(cover), "best": best, "coverage": doc_cover,
                          "together": together, "whole": whole, "why": why})
    return StoryScores(
        stories=len(stories),
        whole=sum(p["whole"] for p in per_story),
        together=sum(p["together"] for p in per_story),
        min_cover=min_cover,
        clusters_per_story=sum(counts) / len(counts) if counts else 0.0,
        clusters_per_story_max=max(counts, default=0),
        coverage_mean=sum(covers) / len(covers) if covers else 0.0,
        coverage_min=min(covers, default=0.0),
        mixed_clusters=mixed,
        relations=rel,
        per_story=tuple(per_story),
    )


# --------------------------------------------------------------------------- passages


@dataclass(frozen=True)
class SpanScores:
    """Character-level precision and recall of predicted passages (see :func:`span_scores`)."""

    precision: float
    recall: float
    f1: float
    predicted_chars: int
    true_chars: int
    overlap_chars: int


def span_scores(spans: Iterable[Any], truth: Truth, *, kinds: Iterable[str] = DEFAULT_KINDS,
                gap: int = 2) -> SpanScores:
    """How well predicted passages cover the true shared text, character by character.

    ``spans`` are ``(doc, start, end)`` (the passages of the clusters of shared material,
    several sentences each, or one); the true text is every true passage of ``kinds``
    (:meth:`Truth.intervals`, sentences at most ``gap`` characters apart joined, so the
    space between two copied sentences is shared text too). Both sides are merged per
    document, the predicted spans by the same rule. Precision = predicted characters
    inside true text / predicted characters; recall = true characters inside a predicted
    span / true characters.

    >>> t = Truth.from_records([{"doc": "b", "start": 0, "end": 10, "source_doc": "a",
    ...     "source_start": 0, "source_end": 10, "story": "s", "group": "g",
    ...     "kind": "derived"}])
    >>> s = span_scores([("a", 0, 10), ("b", 0, 20)], t)
    >>> round(s.precision, 3), s.recall
    (0.667, 1.0)
    """
    true = truth.intervals(kinds, gap=gap)
    pred: dict[str, list[tuple[int, int]]] = {}
    for x in spans:
        s = _span(x)
        pred.setdefault(s.doc, []).append((s.start, s.end))
    n_pred = n_true = both = 0
    for doc, iv in pred.items():
        merged = _merge(iv, gap=gap)
        n_pred += _length(merged)
        both += _intersection(merged, true.get(doc, ()))
    n_true = sum(_length(iv) for iv in true.values())
    p = both / n_pred if n_pred else 0.0
    r = both / n_true if n_true else 0.0
    return SpanScores(p, r, _f1(p, r), n_pred, n_true, both)


# --------------------------------------------------------------------------- relations


@dataclass(frozen=True)
class RelationScores:
    """Document relations against the truth (see :func:`relation_scores`)."""

    precision: float
    recall: float
    f1: float
    predicted: int
    true_pairs: int
    found: int
    directed_pairs: int  # true pairs with a known direction (source -> derived)
    directed_found: int
    direction_correct: int
    coverage_mae: float | None  # mean |coverage - true coverage| over directed pairs found
    coverage_pairs: int

    @property
    def direction_accuracy(self) -> float:
        return self.direction_correct / self.directed_found if self.directed_found else 0.0


def relation_scores(relations: Iterable[Sequence[Any]], truth: Truth, *,
                    kinds: Iterable[str] = DEFAULT_KINDS,
                    texts: Mapping[str, str] | None = None) -> RelationScores:
    """Predicted document relations against the true document pairs.

    ``relations`` are ``(source, derived)`` or ``(source, derived, coverage)``. The true
    pairs are the pairs of documents sharing material of ``kinds``
    (:meth:`Truth.doc_pairs`: a wire and its version, two versions of one story);
    precision and recall count unordered pairs. Where the truth says which document
    derives from which (each record's ``source_doc`` -> ``doc``), a found relation has
    the right direction when its source is the true source. With ``texts`` (document
    id -> text) and coverages, the true coverage of a derived document is the share of
    its words inside its true passages of ``kinds``, and ``coverage_mae`` is the mean
    absolute difference over the directed pairs found.

    >>> t = Truth.from_records([{"doc": "b", "start": 0, "end": 4, "source_doc": "a",
    ...     "source_start": 0, "source_end": 4, "story": "s", "group": "g",
    ...     "kind": "derived"}])
    >>> r = relation_scores([("a", "b", 0.5), ("c", "a", 0.2)], t, texts={"b": "x y z w"})
    >>> r.precision, r.recall, r.direction_correct, r.coverage_mae
    (0.5, 1.0, 1, 0.0)
    """
    ks = tuple(kinds)
    true = truth.doc_pairs(ks)
    directed = {pair for k in ks for pair in truth.derived_from.get(k, ())}
    source_of = {(a, b) if a < b else (b, a): a for a, b in directed}
    true_iv = truth.intervals(ks) if texts is not None else {}
    pred: dict[tuple[str, str], tuple[str, float | None]] = {}
    for rel in relations:
        a, b = str(rel[0]), str(rel[1])
        cov = float(rel[2]) if len(rel) > 2 else None
        if a != b:
            pred.setdefault((a, b) if a < b else (b, a), (a, cov))
    found = [k for k in pred if k in true]
    directed_found = [k for k in pred if k in source_of]
    correct = sum(pred[k][0] == source_of[k] for k in directed_found)
    errors = []
    if texts is not None:
        for k in directed_found:
            source, cov = pred[k]
            derived = k[1] if k[0] == source_of[k] else k[0]
            text = texts.get(derived)
            if cov is None or not text or source != source_of[k]:
                continue
            words = [(m.start(), m.end()) for m in _WORD_SPAN.finditer(text)]
            inside = _words_inside(words, true_iv.get(derived, []))
            errors.append(abs(cov - inside / len(words)) if words else 0.0)
    p = len(found) / len(pred) if pred else 0.0
    r = len(found) / len(true) if true else 0.0
    return RelationScores(p, r, _f1(p, r), len(pred), len(true), len(found), len(source_of),
                          len(directed_found), correct,
                          sum(errors) / len(errors) if errors else None, len(errors))


_WORD_SPAN = re.compile(r"\S+")


def _words_inside(words: Sequence[tuple[int, int]], intervals: Sequence[tuple[int, int]]
                  ) -> int:
    """How many words (start, end) lie inside the sorted intervals (by their middle)."""
    starts = [s for s, _ in intervals]
    n = 0
    for s, e in words:
        mid = (s + e) // 2
        k = bisect.bisect_right(starts, mid) - 1
        n += k >= 0 and mid < intervals[k][1]
    return n
