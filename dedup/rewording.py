"""How each outlet reworded shared copy: an N-way view of every cross-document cluster.

For each cluster one version is chosen as the **pivot**, the likely wire source, and
every other version is aligned to it (:func:`dedup.align.align`):

* the **earliest date** wins when every version's document has a date that
  :func:`parse_date` understands (an undated version could be the source, so the
  date decides only when none is missing); versions tied on the earliest date are
  split by the next rule;
* otherwise the **most complete** version wins: the one with the most words (ties:
  the first in corpus order).

:func:`outlet_summary` then adds up, per outlet, what its versions did to the pivot
text: share kept, words cut, added, replaced and moved, and how many numbers,
quotations and attributions were changed.

>>> from dedup.models import Corpus, Document
>>> from dedup.pipeline import find
>>> wire = ("Officials confirmed the bridge collapse injured forty workers on Monday "
...         "night, the regional agency said.")
>>> docs = (Document("wire", wire, "Wire", date="2024-10-21"),
...         Document("post", wire.replace("said", "claimed"), "Post", date="2024-10-22"))
>>> view = cluster_views(find(Corpus(docs)))[0]
>>> view.pivot.document.id, view.rule, view.others[0].alignment.stats.attributions_changed
('wire', 'earliest date', 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tabulate import tabulate

from .align import Alignment, Edit, align
from .dates import parse_date
from .models import Cluster, Document, Span
from .normalize import tokenize
from .pipeline import FindResult

__all__ = [
    "RULE_EARLIEST_DATE",
    "RULE_MOST_COMPLETE",
    "SUMMARY_HEADERS",
    "ClusterView",
    "OutletSummary",
    "Rewording",
    "Version",
    "choose_pivot",
    "cluster_views",
    "kept_words",
    "outlet_summary",
    "parse_date",
    "summary_cells",
    "summary_table",
]

RULE_EARLIEST_DATE = "earliest date"
RULE_MOST_COMPLETE = "most complete"

# -------------------------------------------------------------------- records


@dataclass(frozen=True)
class Version:
    """One document's version of a cluster's material: its passages (one, or several
    when the document split the material) and the document.

    The version is read, aligned and shown as one text, from its first passage's
    start to its last passage's end (``start``/``end``), so a paragraph the outlet
    inserted between two passages shows as added and a moved one as moved.
    ``words`` counts the passages' words; ``date`` is the document's parsed date
    (``None`` when unknown).
    """

    passages: tuple[Span, ...]
    document: Document
    words: int
    date: datetime | None

    @property
    def start(self) -> int:
        return self.passages[0].start

    @property
    def end(self) -> int:
        return self.passages[-1].end

    @property
    def outlet(self) -> str:
        return self.document.outlet

    @property
    def text(self) -> str:
        """The passage, exactly as it stands in the document."""
        return self.document.text[self.start : self.end]


@dataclass(frozen=True)
class Rewording:
    """A non-pivot version aligned to the pivot (A = pivot, B = this version)."""

    version: Version
    alignment: Alignment

    @property
    def kept(self) -> int:
        return kept_words(self.alignment)


@dataclass(frozen=True)
class ClusterView:
    """A cross-document cluster seen from its pivot: ``rule`` says which rule chose
    the pivot (:data:`RULE_EARLIEST_DATE` or :data:`RULE_MOST_COMPLETE`); ``others``
    holds every other version aligned to it, in the cluster's order."""

    cluster: Cluster
    pivot: Version
    rule: str
    others: tuple[Rewording, ...]

    @property
    def score_range(self) -> tuple[float, float]:
        """Lowest and highest verified score among the cluster's pairs."""
        scores = [m.score for m in self.cluster.pairs] or [self.cluster.weakest_link]
        return min(scores), max(scores)


@dataclass(frozen=True)
class OutletSummary:
    """What one outlet did to the pivot text, added up over every cross-document
    cluster in which its version is not the pivot.

    ``versions``: versions compared; ``pivots``: clusters in which the outlet's
    version was the pivot (not compared). ``pivot_words``: words of the pivots its
    versions were compared with; ``kept``: those found verbatim in its versions (in
    place or in a moved block); ``cut``/``replaced``/``moved``: pivot words cut,
    replaced, moved; ``added``: words of its own. The ``*_changed`` counts are
    flagged edits.
    """

    outlet: str
    versions: int
    pivots: int
    pivot_words: int
    kept: int
    cut: int
    added: int
    replaced: int
    moved: int
    numbers_changed: int
    quotes_changed: int
    attributions_changed: int

    @property
    def share_kept(self) -> float | None:
        """``kept / pivot_words`` (``None`` when the outlet was never compared)."""
        return round(self.kept / self.pivot_words, 4) if self.pivot_words else None


# ---------------------------------------------------------------------- logic


def kept_words(al: Alignment) -> int:
    """Pivot (A) words found verbatim in B: equal runs plus the unchanged words of
    moved blocks (the numerator of ``share_a_kept``).

    >>> al = align("Aa Bb Cc Dd. Ee Ff Gg Hh Ii Jj.", "Ee Ff Gg Hh Ii Jj. Aa Bb Cc Dd.")
    >>> al.stats.kept, al.stats.moved_a, kept_words(al)
    (6, 4, 10)
    """
    total = 0
    for e in al.edits:
        if e.op == "equal":
            total += _width(e)
        elif e.op == "move":
            total += sum(_width(x) for x in e.inner if x.op == "equal") if e.inner else _width(e)
    return total


def _width(e: Edit) -> int:
    return e.a_tok[1] - e.a_tok[0]


def choose_pivot(versions: Sequence[Version]) -> tuple[Version, str]:
    """The pivot among ``versions`` and the rule that chose it (see module doc).

    >>> from dedup.models import Document, Span
    >>> def v(i, words, date):
    ...     doc = Document(i, "x " * words, i, date=date)
    ...     return Version((Span(i, 0, 2 * words, 0, 0),), doc, words, parse_date(date))
    >>> p, rule = choose_pivot([v("a", 10, "2014-12-02"), v("b", 5, "01.12.14")])
    >>> p.document.id, rule
    ('b', 'earliest date')
    >>> p, rule = choose_pivot([v("a", 10, "2014-12-02"), v("b", 5, None)])
    >>> p.document.id, rule
    ('a', 'most complete')
    """
    if not versions:
        raise ValueError("choose_pivot needs at least one version")
    dates = [v.date for v in versions]
    if all(d is not None for d in dates):
        first = min(d for d in dates if d is not None)
        earliest = [v for v in versions if v.date == first]
        if len(earliest) < len(versions):
            return _most_complete(earliest), RULE_EARLIEST_DATE
    return _most_complete(versions), RULE_MOST_COMPLETE


def _most_complete(versions: Sequence[Version]) -> Version:
    best = versions[0]
    for v in versions[1:]:
        if v.words > best.words:
            best = v
    return best


def cluster_views(result: FindResult) -> list[ClusterView]:
    """One :class:`ClusterView` per cross-document cluster, in cluster order.

    Repeats inside one document or outlet (``within-document``/``within-outlet``)
    have no source to compare with and are left out: read them from
    ``result.clusters``.
    """
    docs = {d.id: d for d in result.corpus.documents}
    dates: dict[str, datetime | None] = {}
    views = []
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        versions = []
        by_doc: dict[str, list[Span]] = {}
        for p in c.passages:
            by_doc.setdefault(p.doc, []).append(p)
        for doc_id, spans in by_doc.items():
            doc = docs[doc_id]
            if doc.id not in dates:
                dates[doc.id] = parse_date(doc.date)
            words = sum(len(tokenize(doc.text, p.start, p.end)) for p in spans)
            versions.append(Version(tuple(spans), doc, words, dates[doc.id]))
        pivot, rule = choose_pivot(versions)
        others = tuple(
            Rewording(
                v,
                align(
                    pivot.document.text,
                    v.document.text,
                    a_span=(pivot.start, pivot.end),
                    b_span=(v.start, v.end),
                ),
            )
            for v in versions
            if v is not pivot
        )
        views.append(ClusterView(c, pivot, rule, others))
    return views


def outlet_summary(views: Iterable[ClusterView]) -> list[OutletSummary]:
    """Per outlet, its rewordings of the pivots added up; outlets ordered by share kept
    (highest first; outlets only ever pivot last), then by name.

    >>> from dedup.models import Corpus, Document
    >>> from dedup.pipeline import find
    >>> wire = "The minister said on Tuesday that talks with the union would resume in Geneva."
    >>> docs = (Document("w", wire, "Wire", date="2024-01-01"),
    ...         Document("p", wire.replace("Tuesday", "Monday"), "Post", date="2024-01-02"))
    >>> [(s.outlet, s.versions, s.pivots, s.share_kept, s.replaced)
    ...  for s in outlet_summary(cluster_views(find(Corpus(docs))))]
    [('Post', 1, 0, 0.9286, 1), ('Wire', 0, 1, None, 0)]
    """
    keys = (
        "versions",
        "pivots",
        "pivot_words",
        "kept",
        "cut",
        "added",
        "replaced",
        "moved",
        "numbers_changed",
        "quotes_changed",
        "attributions_changed",
    )
    acc: dict[str, dict[str, int]] = {}

    def row(outlet: str) -> dict[str, int]:
        return acc.setdefault(outlet, dict.fromkeys(keys, 0))

    for view in views:
        row(view.pivot.outlet)["pivots"] += 1
        for r in view.others:
            s = r.alignment.stats
            t = row(r.version.outlet)
            t["versions"] += 1
            t["pivot_words"] += s.a_words
            t["kept"] += r.kept
            t["cut"] += s.cut
            t["added"] += s.added
            t["replaced"] += s.replaced_a
            t["moved"] += s.moved_a
            t["numbers_changed"] += s.numbers_changed
            t["quotes_changed"] += s.quotes_changed
            t["attributions_changed"] += s.attributions_changed
    rows = [OutletSummary(outlet, **counts) for outlet, counts in acc.items()]
    rows.sort(key=lambda r: (r.share_kept is None, -(r.share_kept or 0.0), r.outlet))
    return rows


SUMMARY_HEADERS = (
    "outlet",
    "versions",
    "pivot",
    "kept",
    "cut",
    "added",
    "replaced",
    "moved",
    "numbers",
    "quotes",
    "attrib.",
)


def summary_cells(row: OutletSummary) -> list[str]:
    """One summary row as display strings, shared by the terminal, HTML and Markdown
    tables (columns as :data:`SUMMARY_HEADERS`)."""
    share = row.share_kept
    compared = row.versions > 0
    return [
        row.outlet,
        str(row.versions),
        str(row.pivots),
        f"{share:.0%} of {row.pivot_words}" if share is not None else "\u2014",
        *(
            str(n) if compared else "\u2014"
            for n in (
                row.cut,
                row.added,
                row.replaced,
                row.moved,
                row.numbers_changed,
                row.quotes_changed,
                row.attributions_changed,
            )
        ),
    ]


def summary_table(rows: Sequence[OutletSummary]) -> str:
    """The per-outlet summary as a plain-text table for the terminal.

    Columns: versions compared, times the outlet was the pivot, share of pivot words
    kept, pivot words cut / replaced / moved, words added, and the numbers, quotations
    and attributions changed.

    >>> table = summary_table([OutletSummary("Post", 2, 1, 40, 30, 6, 3, 4, 0, 1, 0, 1)])
    >>> table.splitlines()[0].split()[:5]
    ['outlet', 'versions', 'pivot', 'kept', 'cut']
    >>> table.splitlines()[2].split()
    ['Post', '2', '1', '75%', 'of', '40', '6', '3', '4', '0', '1', '0', '1']
    """
    body = [summary_cells(r) for r in rows]
    return tabulate(
        body,
        headers=list(SUMMARY_HEADERS),
        colalign=("left",) + ("right",) * (len(SUMMARY_HEADERS) - 1),
        disable_numparse=True,
    )
