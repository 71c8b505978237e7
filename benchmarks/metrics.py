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

import json
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "ClusterScores",
    "PairScores",
    "Span",
    "Truth",
    "adjusted_rand_index",
    "cluster_ari",
    "cluster_scores",
    "document_pair_scores",
    "f1_score",
    "largest_cluster_size",
    "load_doc_stories",
    "macro_f1",
    "mixed_clusters",
    "overlaps",
    "pair_scores",
    "pairs_from_clusters",
    "spearman",
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
    ``truth``, spans matching a true passage of ``ignore_kinds`` (boilerplate, shared
    across stories on purpose) are left out.

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
            if truth is not None and any(truth.kinds[p] in ignore
                                         for p, _ in truth.match(s, min_overlap)):
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
