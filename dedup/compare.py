"""How much of one story comes from another: coverage of DERIVED by SOURCE, and a verdict.

The churnalism question, asked of two documents with the same matcher as
``dedup find``: the two texts go through :func:`dedup.pipeline.find` as a corpus of
two, and

* the **shared passages** are the passages of its cross-document clusters (runs of
  matched sentences, with the small gaps they bridge): verified material, never a
  two-word fragment;
* the **coverage** is the relation's coverage (:func:`dedup.relations.word_coverage`):
  the share of DERIVED's words that lie in regions aligned with SOURCE, word by word
  (an outlet that rewrites wire copy merges and splits sentences, so sentence matches
  alone find too little of it); ``source_coverage`` the same share of SOURCE;
* the **verdict** compares coverage with two thresholds: ``wholly`` (at or above
  :data:`WHOLLY`) and ``partially`` (at or above :data:`PARTIALLY`); anything lower is
  ``non``. They were fitted once on the public COUNTER split and are fixed.

``find`` gives the same coverage and verdict for the same two documents, in the
direction its relation takes.

>>> wire = ("The minister said on Tuesday that talks would resume in Geneva next week. "
...         "Delegations from both countries are expected to attend.")
>>> story = ("Talks would resume in Geneva next week, the minister told reporters. "
...          "Delegations from both countries are expected to attend.")
>>> c = compare(wire, story)
>>> c.verdict, c.coverage, [story[slice(*p.derived_span)][:30] for p in c.passages]
('wholly', 0.7895, ['Talks would resume in Geneva n'])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .align import Alignment, align
from .corpus import read_pairs
from .diffview import alignment_to_json
from .errors import InputError, ParameterError
from .models import Corpus, Document, Skipped
from .pipeline import FindParams, find
from .relations import PARTIALLY, WHOLLY, Coverage, word_coverage
from .tokens import tokenize

__all__ = [
    "PARTIALLY",
    "VERDICTS",
    "WHOLLY",
    "CompareParams",
    "Comparison",
    "SharedPassage",
    "compare",
    "compare_pairs",
    "coverage",
    "comparison_to_json",
]

VERDICTS = ("wholly", "partially", "non")


@dataclass(frozen=True, kw_only=True)
class CompareParams:
    """Tuning of :func:`compare` (keyword-only; validated on construction).

    wholly, partially: coverage thresholds of the verdict, ``0 <= partially <= wholly
        <= 1`` (defaults :data:`WHOLLY` and :data:`PARTIALLY`, fitted once on COUNTER).
    find: the matcher's parameters (its own ``wholly``/``partially`` are replaced by
        these).

    >>> CompareParams(wholly=0.6).partially
    0.16
    >>> CompareParams(wholly=0.1)
    Traceback (most recent call last):
    ...
    dedup.errors.ParameterError: partially must be <= wholly, got partially=0.16 > wholly=0.1
    """

    wholly: float = WHOLLY
    partially: float = PARTIALLY
    find: FindParams = field(default_factory=FindParams)

    def __post_init__(self) -> None:
        for name in ("wholly", "partially"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ParameterError(f"{name} must be in [0.0, 1.0], got {v}")
        if self.partially > self.wholly:
            raise ParameterError(
                f"partially must be <= wholly, got partially={self.partially} "
                f"> wholly={self.wholly}"
            )

    def verdict(self, coverage: float) -> str:
        """``wholly``, ``partially`` or ``non`` for a coverage figure."""
        if coverage >= self.wholly:
            return "wholly"
        if coverage >= self.partially:
            return "partially"
        return "non"


@dataclass(frozen=True)
class SharedPassage:
    """Material the two documents share: one cross-document cluster of ``find``.

    Spans are half-open character offsets into the original texts, from the cluster's
    first passage in that document to its last (a version split by an insertion or
    a moved paragraph is shown as one text): ``source[slice(*source_span)]``.
    ``score`` is the cluster's weakest link.
    :attr:`alignment` (computed on first use) is the word-level diff of the two spans,
    for :mod:`dedup.diffview`.
    """

    source_span: tuple[int, int]
    derived_span: tuple[int, int]
    score: float
    source: str = field(repr=False, compare=False)
    derived: str = field(repr=False, compare=False)

    @cached_property
    def alignment(self) -> Alignment:
        return align(self.source, self.derived, a_span=self.source_span,
                     b_span=self.derived_span)


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns.

    ``coverage``: share of DERIVED's words in material aligned with SOURCE (0..1, 4
    decimals); ``source_coverage``: the same share of SOURCE (how much of the agency
    story was reused); ``verdict``: ``wholly``, ``partially`` or ``non``;
    ``passages``: the shared passages in DERIVED's reading order; ``longest_run``:
    the longest run of consecutive shared words; the word counts behind the shares.
    """

    coverage: float
    verdict: str
    source_coverage: float
    passages: tuple[SharedPassage, ...]
    longest_run: int
    derived_words: int
    covered_words: int
    source_words: int
    source_covered_words: int
    params: CompareParams


def _word_ids(docs: tuple[Document, ...], params: FindParams) -> list[np.ndarray]:
    """Each document's words as ids, read exactly as ``find`` reads them."""
    tok = tokenize(docs, topic_weight=params.topic_weight, quote_weight=params.quote_weight,
                   workers=1)
    ids = np.unique(tok.hashes, return_inverse=True)[1].reshape(-1)
    cut = np.cumsum(np.bincount(tok.doc, weights=tok.lengths, minlength=len(docs)))
    return np.split(ids, cut[:-1].astype(np.int64))


def coverage(source: str, derived: str, *, params: CompareParams | None = None) -> Coverage:
    """Only the word-level figures of :func:`compare` (its ``coverage`` is
    ``coverage(...).share_b``), without finding the shared passages: for scoring
    many pairs.

    >>> coverage("Floods cut the road to the valley on Monday.",
    ...          "A local fair opened. Floods cut the road to the valley on Monday.").share_b
    0.6923
    """
    params = params or CompareParams()
    docs = (Document("source", source, "source"), Document("derived", derived, "derived"))
    ids_s, ids_d = _word_ids(docs, params.find)
    return word_coverage(ids_s, ids_d)


def compare(source: str, derived: str, *, params: CompareParams | None = None) -> Comparison:
    """Measure how much of ``derived`` is taken from ``source`` (see the module doc).

    >>> c = compare("Floods cut the road to the valley on Monday.",
    ...             "A local fair opened. Floods cut the road to the valley on Monday.")
    >>> c.verdict, c.coverage, c.source_coverage, c.longest_run
    ('wholly', 0.6923, 1.0, 9)
    """
    params = params or CompareParams()
    docs = (Document("source", source, "source"), Document("derived", derived, "derived"))
    result = find(Corpus(docs), params.find, workers=1)
    cov = coverage(source, derived, params=params)
    passages = []
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        src = [p for p in c.passages if p.doc == "source"]
        der = [p for p in c.passages if p.doc == "derived"]
        if not src or not der:
            continue
        passages.append(SharedPassage(
            source_span=(src[0].start, src[-1].end), derived_span=(der[0].start, der[-1].end),
            score=c.weakest_link, source=source, derived=derived))
    passages.sort(key=lambda p: (p.derived_span, p.source_span))
    return Comparison(
        coverage=cov.share_b,
        verdict=params.verdict(cov.share_b),
        source_coverage=cov.share_a,
        passages=tuple(passages),
        longest_run=cov.longest_run,
        derived_words=cov.words_b,
        covered_words=cov.covered_b,
        source_words=cov.words_a,
        source_covered_words=cov.covered_a,
        params=params,
    )


def comparison_to_json(
    c: Comparison, source_id: str, derived_id: str, *, alignments: bool = False
) -> dict[str, object]:
    """The comparison as plain JSON data, keys in a fixed order: ``source_id``,
    ``derived_id``, ``coverage``, ``verdict``, then ``source_coverage``, ``stats`` and
    ``passages`` (half-open character offsets into both original texts). With
    ``alignments=True`` each passage carries its word-level diff
    (:func:`dedup.diffview.alignment_to_json`).

    >>> c = compare("Storms closed every school in the county on Friday, officials said.",
    ...             "Officials said storms closed every school in the county on Friday.")
    >>> list(comparison_to_json(c, "0002", "0002p"))
    ['source_id', 'derived_id', 'coverage', 'verdict', 'source_coverage', 'stats', 'passages']
    >>> comparison_to_json(c, "0002", "0002p")["passages"]
    [{'source': [0, 67], 'derived': [0, 66], 'score': 0.9884}]
    """
    passages: list[dict[str, object]] = []
    for p in c.passages:
        item: dict[str, object] = {
            "source": list(p.source_span),
            "derived": list(p.derived_span),
            "score": p.score,
        }
        if alignments:
            item["alignment"] = alignment_to_json(p.alignment)
        passages.append(item)
    return {
        "source_id": source_id,
        "derived_id": derived_id,
        "coverage": c.coverage,
        "verdict": c.verdict,
        "source_coverage": c.source_coverage,
        "stats": {
            "derived_words": c.derived_words,
            "covered_words": c.covered_words,
            "source_words": c.source_words,
            "source_covered_words": c.source_covered_words,
            "passages": len(c.passages),
            "longest_run": c.longest_run,
        },
        "passages": passages,
    }


_PAIR_COLUMNS = ("source_id", "derived_id")


def compare_pairs(
    corpus: Corpus,
    pairs_path: str | os.PathLike[str],
    *,
    params: CompareParams | None = None,
    skip_invalid: bool = False,
    on_skip: Callable[[Skipped], None] | None = None,
    alignments: bool = False,
) -> Iterator[dict[str, object]]:
    """Compare each (``source_id``, ``derived_id``) pair listed in a CSV file (TSV when
    the name ends in ``.tsv``) and yield one :func:`comparison_to_json` dict per pair,
    in file order. Other columns are ignored; ids are strings as written (``0002``).

    A missing file or column raises :class:`InputError` naming the file. A row naming an
    id the corpus lacks (or with an empty id) raises ``InputError`` with the file and
    line, or with ``skip_invalid=True`` is skipped and passed to ``on_skip`` as a
    :class:`~dedup.models.Skipped` (``path`` is ``file:line``), so a caller can warn
    and count. The file is read as the pairs are consumed.

    >>> skipped = []
    >>> rows = compare_pairs(corpus, "pairs.csv", skip_invalid=True,
    ...                      on_skip=skipped.append)  # doctest: +SKIP
    >>> [(r["derived_id"], r["verdict"]) for r in rows][:1]  # doctest: +SKIP
    [('0002p', 'non')]
    """
    params = params or CompareParams()
    path = os.fspath(pairs_path)
    docs: dict[str, Document] = {d.id: d for d in corpus.documents}
    for line, *ids in read_pairs(path, skip_invalid=skip_invalid, on_skip=on_skip):
        problem = next((f"unknown document id {doc_id!r} ({column})"
                        for column, doc_id in zip(_PAIR_COLUMNS, ids, strict=True)
                        if doc_id not in docs), None)
        if problem is not None:
            if not skip_invalid:
                raise InputError(problem, path=path, line=line)
            if on_skip is not None:
                on_skip(Skipped(f"{path}:{line}", problem))
            continue
        source, derived = (docs[doc_id] for doc_id in ids)
        yield comparison_to_json(
            compare(source.text, derived.text, params=params), source.id, derived.id,
            alignments=alignments,
        )
