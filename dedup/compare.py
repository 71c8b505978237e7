"""How much of one story comes from another: coverage of DERIVED by SOURCE, and a verdict.

The churnalism question. Given an agency story (SOURCE) and a newspaper story
(DERIVED), :func:`compare` finds the passages of DERIVED aligned with SOURCE and
measures **coverage**: the share of DERIVED's *word characters* (letters, digits and
combining marks of its words; spaces and punctuation are not counted, so re-spacing
or re-punctuating a story does not move the figure) that lie inside those passages as
matched material.

How the passages are found (word level, the same normalised word forms as
:mod:`dedup.align`, so no reliance on capitalisation; a number glued to a word, as in
Urdu ``533رنز``, is read as two words):

1. only words inside a run of ``min_run`` consecutive words found in both texts can
   match (a lone shared word, such as ``the`` or ``کے``, is never evidence);
2. those words are aligned in order (RapidFuzz LCS) and cut into regions, each the
   densest run of matches: matched words minus ``gap_penalty`` per unmatched word
   between them (Kadane), as in :func:`dedup.align.find_regions`. Every region with at
   least ``min_run`` matched words is kept, grown over equal words at its edges, its
   words are masked out and the search is repeated, so paragraphs taken in a different
   order are found too;
3. inside a region, matched words count, and so do the words of a gap of at most
   ``max_gap`` words on each side between two matched blocks (a reworded word or two
   inside an aligned sentence); longer inserted local material does not.

Why ``min_run=2`` and not more: newspapers rewrite agency copy heavily, and two-word
runs (names, figures, set phrases) are much of the evidence. On COUNTER, requiring
three-word runs, or discounting small regions, lowered 3-way macro-F1 from about 0.73
to 0.69-0.72, and a different gap penalty (0 to 2) or gap allowance (0 to 2) moved it
by about 0.01 (in-sample, best thresholds each).

The verdict compares coverage with two thresholds: ``wholly`` (at or above) and
``partially`` (at or above, below ``wholly``); anything lower is ``non``.

>>> wire = "The minister said on Tuesday that talks would resume in Geneva next week."
>>> story = "Talks would resume in Geneva next week, the minister told reporters."
>>> c = compare(wire, story)
>>> c.verdict, c.coverage, [story[slice(*p.derived_span)] for p in c.passages]
('wholly', 0.7679, ['Talks would resume in Geneva next week', 'the minister'])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz.distance import Indel

from .align import Alignment, align
from .corpus import read_pairs
from .diffview import alignment_to_json
from .errors import InputError, ParameterError
from .models import Corpus, Document, Skipped
from .normalize import norm_word, tokenize

__all__ = [
    "PARTIALLY",
    "VERDICTS",
    "WHOLLY",
    "CompareParams",
    "Comparison",
    "SharedPassage",
    "compare",
    "compare_pairs",
    "comparison_to_json",
]

VERDICTS = ("wholly", "partially", "non")

# Default verdict thresholds on coverage, fitted ONCE and then frozen (do not re-tune
# them on evaluation data). Fitted 2026-11-21 on the public COUNTER split (421 Urdu
# agency/newspaper pairs: 95 WD, 202 PD, 124 ND), every other parameter at its default,
# with
#     python -m benchmarks.counter_compare --fit
# which grid-searches both thresholds in steps of 0.005 for the best 3-way macro-F1
# (WD -> wholly, PD -> partially, ND -> non). On those 421 pairs: 3-way macro-F1 0.732,
# binary (WD|PD vs ND) 0.770; 5-fold cross-validated 3-way (fit on 4/5, score on 1/5)
# 0.709. Word-trigram containment with thresholds tuned on the same pairs: 0.668 and
# 0.716 (cross-validated 3-way 0.636). The 3-way optimum is flat in ``wholly``
# (0.44-0.52 all score within 0.01) and sharp in ``partially`` (0.15-0.16).
WHOLLY = 0.505
PARTIALLY = 0.155


@dataclass(frozen=True, kw_only=True)
class CompareParams:
    """Tuning of :func:`compare` (keyword-only; validated on construction).

    wholly, partially: coverage thresholds of the verdict, ``0 <= partially <= wholly
        <= 1`` (defaults :data:`WHOLLY` and :data:`PARTIALLY`, fitted once on COUNTER).
    min_run: fewest consecutive words two texts must share before any of them counts
        as matched, and fewest matched words a region needs.
    gap_penalty: cost per unmatched word between two matches inside a region; the
        lower, the longer the regions (more reworded text held together).
    max_gap: longest gap (words, on each side) between two matched blocks of a region
        whose derived words still count as covered (reworded words).

    >>> CompareParams(wholly=0.6).partially
    0.155
    >>> CompareParams(wholly=0.1)
    Traceback (most recent call last):
    ...
    dedup.errors.ParameterError: partially must be <= wholly, got partially=0.155 > wholly=0.1
    """

    wholly: float = WHOLLY
    partially: float = PARTIALLY
    min_run: int = 2
    gap_penalty: float = 0.5
    max_gap: int = 2

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
        if self.min_run < 1:
            raise ParameterError(f"min_run must be >= 1, got {self.min_run}")
        if self.gap_penalty < 0:
            raise ParameterError(f"gap_penalty must be >= 0, got {self.gap_penalty}")
        if self.max_gap < 0:
            raise ParameterError(f"max_gap must be >= 0, got {self.max_gap}")

    def verdict(self, coverage: float) -> str:
        """``wholly``, ``partially`` or ``non`` for a coverage figure."""
        if coverage >= self.wholly:
            return "wholly"
        if coverage >= self.partially:
            return "partially"
        return "non"


@dataclass(frozen=True)
class SharedPassage:
    """A region of DERIVED aligned with a region of SOURCE.

    Spans are half-open character offsets into the original texts, from the region's
    first word to its last: ``source[slice(*source_span)]``. ``matched_words`` counts
    the words matched in order; ``covered_chars`` the word characters of DERIVED this
    passage adds to the coverage. :attr:`alignment` (computed on first use) is the
    word-level diff of the two spans, for :mod:`dedup.diffview`.
    """

    source_span: tuple[int, int]
    derived_span: tuple[int, int]
    matched_words: int
    covered_chars: int
    source: str = field(repr=False, compare=False)
    derived: str = field(repr=False, compare=False)

    @cached_property
    def alignment(self) -> Alignment:
        return align(self.source, self.derived, a_span=self.source_span,
                     b_span=self.derived_span)


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns.

    ``coverage``: share of DERIVED's word characters covered by material aligned from
    SOURCE (0..1, 4 decimals); ``source_coverage``: the same share of SOURCE (how much
    of the agency story was reused); ``verdict``: ``wholly``, ``partially`` or ``non``;
    ``passages``: the aligned regions in DERIVED's reading order; ``longest_run``: the
    longest run of consecutive matching words; the ``*_chars`` / ``*_words`` counts
    behind the shares.
    """

    coverage: float
    verdict: str
    source_coverage: float
    passages: tuple[SharedPassage, ...]
    longest_run: int
    derived_words: int
    source_words: int
    derived_chars: int
    covered_chars: int
    source_chars: int
    source_covered_chars: int
    params: CompareParams


# --------------------------------------------------------------------------- words


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    key: str


def _words(text: str) -> list[_Word]:
    """The words of ``text`` (:func:`dedup.normalize.tokenize`), with a word that mixes
    digits and letters (``533رنز``, ``25نومبر``) split where one turns into the other:
    Urdu newspapers often glue a number to its unit, agencies rarely."""
    out: list[_Word] = []
    for t in tokenize(text):
        start = t.start
        kind = None
        for k in range(t.start, t.end):
            ch = text[k]
            now = "digit" if ch.isdigit() else "alpha" if ch.isalpha() else kind
            if kind is not None and now != kind and k > start:
                out.append(_Word(start, k, norm_word(text[start:k])))
                start = k
            kind = now
        if start == t.start:
            out.append(_Word(t.start, t.end, t.norm))
        else:
            out.append(_Word(start, t.end, norm_word(text[start:t.end])))
    return out


def _anchored_ids(
    wa: Sequence[_Word], wb: Sequence[_Word], k: int
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Word ids of both texts, then copies for the LCS in which a word outside every
    ``k``-gram shared by both texts gets an id of its own that matches nothing."""
    vocab: dict[str, int] = {}
    ida = [vocab.setdefault(w.key, len(vocab)) for w in wa]
    idb = [vocab.setdefault(w.key, len(vocab)) for w in wb]
    grams_a = {tuple(ida[i:i + k]) for i in range(len(ida) - k + 1)}
    shared = grams_a.intersection(tuple(idb[j:j + k]) for j in range(len(idb) - k + 1))
    work: list[list[int]] = []
    for ids, offset in ((ida, 0), (idb, len(ida))):
        keep = [False] * len(ids)
        for i in range(len(ids) - k + 1):
            if tuple(ids[i:i + k]) in shared:
                keep[i:i + k] = [True] * k
        work.append([x if kept else -1 - offset - i
                     for i, (x, kept) in enumerate(zip(ids, keep, strict=True))])
    return ida, idb, work[0], work[1]


_Block = tuple[int, int, int]  # (a word, b word, size)


def _longest_shared_run(a: Sequence[int], b: Sequence[int], k: int,
                        max_starts: int = 64) -> _Block | None:
    """The longest run of at least ``k`` equal ids in both sequences, first in ``b``
    on ties (masked words have ids of their own and match nothing).

    >>> _longest_shared_run([3, 1, 3], [1, 3, 3, 3, 1], 2)
    (1, 0, 2)
    """
    starts: dict[tuple[int, ...], list[int]] = {}
    for i in range(len(a) - k + 1):
        at = starts.setdefault(tuple(a[i:i + k]), [])
        if len(at) < max_starts:
            at.append(i)
    best: _Block | None = None
    for j in range(len(b) - k + 1):
        for i in starts.get(tuple(b[j:j + k]), ()):
            size = k
            while i + size < len(a) and j + size < len(b) and a[i + size] == b[j + size]:
                size += 1
            if best is None or size > best[2]:
                best = (i, j, size)
    return best


def _densest(blocks: Sequence[_Block], gap_penalty: float) -> tuple[int, int, int] | None:
    """Maximum-scoring run of blocks (each block scores its size, each gap costs
    ``gap_penalty`` per word on its longer side): ``(first, last, matched)``."""
    best: tuple[float, int, int, int] | None = None
    start, score, matched = 0, 0.0, 0
    for k, (a, b, size) in enumerate(blocks):
        if k:
            pa, pb, ps = blocks[k - 1]
            gap = max(a - (pa + ps), b - (pb + ps)) * gap_penalty
            if score - gap > 0:
                score -= gap
            else:
                start, score, matched = k, 0.0, 0
        score += size
        matched += size
        if best is None or score > best[0]:
            best = (score, start, k, matched)
    return None if best is None else best[1:]


def _regions(blocks: Sequence[_Block], params: CompareParams) -> list[list[_Block]]:
    """Cut one in-order chain of matching blocks into dense regions: the densest run,
    then (recursively) the densest runs before and after it."""
    best = _densest(blocks, params.gap_penalty)
    if best is None or best[2] < params.min_run:
        return []
    first, last, _ = best
    return (_regions(blocks[:first], params) + [list(blocks[first:last + 1])]
            + _regions(blocks[last + 1:], params))


def _widen(
    region: list[_Block], ids: tuple[Sequence[int], Sequence[int]],
    taken: tuple[list[bool], list[bool]],
) -> None:
    """Grow a region's first and last blocks over equal words next to them that no
    region holds yet (the LCS may have spent such a word elsewhere: with two
    paragraphs swapped, "The" of one can be matched inside the other)."""
    ida, idb = ids
    ta, tb = taken
    a, b, size = region[0]
    while a and b and not ta[a - 1] and not tb[b - 1] and ida[a - 1] == idb[b - 1]:
        a, b, size = a - 1, b - 1, size + 1
        ta[a] = tb[b] = True
    region[0] = (a, b, size)
    a, b, size = region[-1]
    while (a + size < len(ida) and b + size < len(idb) and not ta[a + size]
           and not tb[b + size] and ida[a + size] == idb[b + size]):
        ta[a + size] = tb[b + size] = True
        size += 1
    region[-1] = (a, b, size)


def _mark(covered: list[bool], region: Sequence[_Block], side: int, max_gap: int) -> None:
    """Mark one side's matched words of a region, and short gaps between its blocks."""
    prev: _Block | None = None
    for block in region:
        pos, size = block[side], block[2]
        covered[pos:pos + size] = [True] * size
        if prev is not None:
            gap_a = block[0] - (prev[0] + prev[2])
            gap_b = block[1] - (prev[1] + prev[2])
            if gap_a <= max_gap and gap_b <= max_gap:
                lo = prev[side] + prev[2]
                covered[lo:pos] = [True] * (pos - lo)
        prev = block

def _chars(words: Sequence[_Word], covered: Sequence[bool] | None = None) -> int:
    if covered is None:
        return sum(w.end - w.start for w in words)
    return sum(w.end - w.start for w, c in zip(words, covered, strict=True) if c)


# ----------------------------------------------------------------------------- API


def compare(source: str, derived: str, *, params: CompareParams | None = None) -> Comparison:
    """Measure how much of ``derived`` is taken from ``source`` (see the module doc).

    >>> c = compare("Floods cut the road to the valley on Monday.",
    ...             "A local fair opened. Floods cut the road to the valley on Monday.")
    >>> c.verdict, c.coverage, c.source_coverage, c.longest_run
    ('wholly', 0.6863, 1.0, 9)
    """
    params = params or CompareParams()
    wa, wb = _words(source), _words(derived)
    ida, idb, work_a, work_b = _anchored_ids(wa, wb, params.min_run)
    taken_a, taken_b = [False] * len(wa), [False] * len(wb)
    cov_a, cov_b = [False] * len(wa), [False] * len(wb)
    found: list[list[_Block]] = []
    while True:
        # One LCS gives an in-order chain; material taken in another order shows up in
        # the next round, once the regions found so far are masked out.
        blocks = [(m.a, m.b, m.size)
                  for m in Indel.opcodes(work_a, work_b).as_matching_blocks() if m.size]
        regions = _regions(blocks, params)
        if not regions and not found:
            # The LCS may pick scattered single words over a shorter chain that holds
            # a real run ("cd ab cd" / "ab cd cd cd ab"): then the longest run stands.
            run = _longest_shared_run(work_a, work_b, params.min_run)
            regions = [[run]] if run is not None else []
        if not regions:
            break
        for region in regions:
            (i1, j1, _), (i2, j2, size) = region[0], region[-1]
            taken_a[i1:i2 + size] = [True] * (i2 + size - i1)
            taken_b[j1:j2 + size] = [True] * (j2 + size - j1)
        for region in regions:
            _widen(region, (ida, idb), (taken_a, taken_b))
            found.append(region)
        for i in range(len(wa)):
            if taken_a[i]:
                work_a[i] = -1 - i
        for j in range(len(wb)):
            if taken_b[j]:
                work_b[j] = -1 - len(wa) - j

    passages: list[SharedPassage] = []
    for region in found:
        before = _chars(wb, cov_b)
        _mark(cov_a, region, 0, params.max_gap)
        _mark(cov_b, region, 1, params.max_gap)
        i1, j1 = region[0][0], region[0][1]
        i2, j2 = region[-1][0] + region[-1][2], region[-1][1] + region[-1][2]
        passages.append(SharedPassage(
            source_span=(wa[i1].start, wa[i2 - 1].end),
            derived_span=(wb[j1].start, wb[j2 - 1].end),
            matched_words=sum(b[2] for b in region),
            covered_chars=_chars(wb, cov_b) - before,
            source=source,
            derived=derived,
        ))
    passages.sort(key=lambda p: (p.derived_span, p.source_span))

    derived_chars, covered = _chars(wb), _chars(wb, cov_b)
    source_chars, source_covered = _chars(wa), _chars(wa, cov_a)
    coverage = round(covered / derived_chars, 4) if derived_chars else 0.0
    return Comparison(
        coverage=coverage,
        verdict=params.verdict(coverage),
        source_coverage=round(source_covered / source_chars, 4) if source_chars else 0.0,
        passages=tuple(passages),
        longest_run=max((b[2] for r in found for b in r), default=0),
        derived_words=len(wb),
        source_words=len(wa),
        derived_chars=derived_chars,
        covered_chars=covered,
        source_chars=source_chars,
        source_covered_chars=source_covered,
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

    >>> c = compare("a b c d e", "x a b c y")
    >>> list(comparison_to_json(c, "0002", "0002p"))
    ['source_id', 'derived_id', 'coverage', 'verdict', 'source_coverage', 'stats', 'passages']
    >>> comparison_to_json(c, "0002", "0002p")["passages"]
    [{'source': [0, 5], 'derived': [2, 7], 'matched_words': 3, 'covered_chars': 3}]
    """
    passages: list[dict[str, object]] = []
    for p in c.passages:
        item: dict[str, object] = {
            "source": list(p.source_span),
            "derived": list(p.derived_span),
            "matched_words": p.matched_words,
            "covered_chars": p.covered_chars,
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
            "source_words": c.source_words,
            "derived_chars": c.derived_chars,
            "covered_chars": c.covered_chars,
            "source_chars": c.source_chars,
            "source_covered_chars": c.source_covered_chars,
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
