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

:func:`stories` groups documents the way a reader traces wire copy: a **story** is a
set of documents connected by relations (:attr:`FindResult.relations`), with one
source and the cross-document clusters that hold its material.

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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from tabulate import tabulate

from .align import Alignment, Edit, align
from .dates import parse_date
from .models import Cluster, Document, Span
from .normalize import count_words
from .pipeline import FindResult
from .relations import Relation

__all__ = [
    "RULE_EARLIEST_DATE",
    "RULE_MOST_COMPLETE",
    "PIVOT_RULE_WHY",
    "RULE_NEVER_DERIVED",
    "SOURCE_RULE_WHY",
    "SUMMARY_HEADERS",
    "ClusterView",
    "OutletSummary",
    "Rewording",
    "Story",
    "StoryMember",
    "Version",
    "choose_pivot",
    "change_labels",
    "cluster_views",
    "kept_words",
    "outlet_summary",
    "parse_date",
    "pct_range",
    "plural",
    "stories",
    "story_headline",
    "story_title",
    "summary_cells",
    "summary_table",
]

RULE_EARLIEST_DATE = "earliest date"
RULE_MOST_COMPLETE = "most complete"
RULE_NEVER_DERIVED = "never derived"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun, singular for one.

    >>> plural(1, "pivot word"), plural(26, "pivot word"), plural(0, "match", "matches")
    ('1 pivot word', '26 pivot words', '0 matches')
    """
    return f"{n} {word if n == 1 else (words or word + 's')}"


#: What stands between two pieces of a version that lie far apart in its document.
ELISION = "\n\n[\u2026]\n\n"

#: Passages of one repeat that the reports list in full: boilerplate can recur in
#: hundreds of documents, and their document tables name every cluster a document is in.
REPEAT_PASSAGES_SHOWN = 20



def cut_note(shown: int, total: int, what: str, whats: str, *,
             code: Callable[[str], str] = str) -> str | None:
    """The sentence a report prints where a section shows only ``shown`` of its
    ``total`` items in full (``--limit``), or ``None`` when it shows them all;
    ``code`` marks up the commands it names.

    >>> cut_note(2, 5, "story", "stories", code=lambda c: f"`{c}`")[:38]
    'Showing the first 2 of 5 stories in fu'
    >>> cut_note(5, 5, "story", "stories") is None
    True
    """
    if shown >= total:
        return None
    return (f"Showing the first {shown} of {total} {whats} in full (largest first); the "
            f"others are listed in the tables below. {code('dedup report --limit 0')} "
            f"shows every {what}, and {code('dedup find --json')} holds them all.")

# -------------------------------------------------------------------- records


@dataclass(frozen=True)
class Version:
    """One document's version of a cluster's material: its passages (one, or several
    when the document split the material) and the document.

    The version is read, aligned and shown as its :attr:`pieces`: passages at most
    ``max_gap`` sentences apart are read as one stretch of the document, so a
    paragraph the outlet inserted between them shows as added and a moved one as
    moved; passages farther apart are separate pieces, shown with an elision mark
    between them (:attr:`text`), so that a sentence from the top of an article and
    one from its end do not bring the whole article into the comparison.
    ``start``/``end`` are the first passage's start and the last one's end.
    ``words`` counts the passages' words; ``date`` is the document's parsed date
    (``None`` when unknown).
    """

    passages: tuple[Span, ...]
    document: Document
    words: int
    date: datetime | None
    max_gap: int = 2

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
    def pieces(self) -> tuple[tuple[int, int], ...]:
        """Character spans of the document that the version shows, in text order:
        passages joined across gaps of up to ``max_gap`` sentences.

        >>> doc = Document("d", "A1. A2. B. C. D. E. F2.", "Wire")
        >>> v = Version((Span("d", 0, 3, 0, 0), Span("d", 4, 7, 1, 1),
        ...              Span("d", 20, 23, 6, 6)), doc, 3, None)
        >>> [doc.text[s:e] for s, e in v.pieces]
        ['A1. A2.', 'F2.']
        """
        out: list[list[int]] = []
        last = -1
        for p in sorted(self.passages, key=lambda p: p.start):
            if out and p.first - last - 1 <= self.max_gap:
                out[-1][1] = max(out[-1][1], p.end)
            else:
                out.append([p.start, p.end])
            last = max(last, p.last)
        return tuple((a, b) for a, b in out)

    @property
    def text(self) -> str:
        """The version as shown: its pieces exactly as they stand in the document,
        joined by an elision mark (:data:`ELISION`) where sentences were skipped."""
        return ELISION.join(self.document.text[a:b] for a, b in self.pieces)


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


def _sides(pivot: Version, other: Version
           ) -> tuple[str, tuple[int, int] | None, str, tuple[int, int] | None]:
    """What :func:`align` reads of a pivot and a version: a version in one piece is
    aligned in place, in its document; one in several, as its pieces joined by the
    elision mark (which has no word of its own to align)."""
    def side(v: Version) -> tuple[str, tuple[int, int] | None]:
        if len(v.pieces) == 1:
            return v.document.text, v.pieces[0]
        return v.text, None
    (a, a_span), (b, b_span) = side(pivot), side(other)
    return a, a_span, b, b_span


def cluster_views(result: FindResult, *,
                  progress: Callable[[str, int, int], None] | None = None
                  ) -> list[ClusterView]:
    """One :class:`ClusterView` per cross-document cluster, in cluster order.

    Repeats inside one document or outlet (``within-document``/``within-outlet``)
    have no source to compare with and are left out: read them from
    ``result.clusters``. ``progress(stage, done, total)`` hears of the alignments
    (stage ``"align"``), as :func:`dedup.find`'s progress does of its stages.
    """
    docs = {d.id: d for d in result.corpus.documents}
    dates: dict[str, datetime | None] = {}
    laid_out = []
    jobs = []
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
            words = sum(count_words(doc.text, p.start, p.end) for p in spans)
            versions.append(Version(tuple(spans), doc, words, dates[doc.id],
                                    result.params.max_gap))
        pivot, rule = choose_pivot(versions)
        others = [v for v in versions if v is not pivot]
        jobs += [_sides(pivot, v) for v in others]
        laid_out.append((c, pivot, rule, others))
    # (on forked workers this was slower: sending the tokens back costs more than
    # making them, and a pivot's are made once for all its versions)
    done = []
    for a, sa, b, sb in jobs:
        done.append(align(a, b, a_span=sa, b_span=sb))
        if progress is not None and (len(done) % 64 == 0 or len(done) == len(jobs)):
            progress("align", len(done), len(jobs))
    alignments = iter(done)
    return [ClusterView(c, pivot, rule, tuple(Rewording(v, next(alignments)) for v in others))
            for c, pivot, rule, others in laid_out]


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


def summary_cells(row: OutletSummary, *, compact: bool = False) -> list[str]:
    """One summary row as display strings, shared by the terminal, HTML and Markdown
    tables (columns as :data:`SUMMARY_HEADERS`). The kept cell says what it counts
    ("27% of 26 pivot words"); ``compact`` leaves the unit to a legend ("27% of 26"),
    for a terminal table that must fit 80 columns.

    >>> row = OutletSummary("Post", 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0)
    >>> summary_cells(row)[3], summary_cells(row, compact=True)[3]
    ('100% of 1 pivot word', '100% of 1')
    """
    share = row.share_kept
    unit = "" if compact else (" pivot word" if row.pivot_words == 1 else " pivot words")
    compared = row.versions > 0
    return [
        row.outlet,
        str(row.versions),
        str(row.pivots),
        f"{share:.0%} of {row.pivot_words}{unit}" if share is not None else "\u2014",
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
    ['Post', '2', '1', '75%', 'of', '40', 'pivot', 'words', '6', '3', '4', '0', '1', '0', '1']
    """
    body = [summary_cells(r) for r in rows]
    return tabulate(
        body,
        headers=list(SUMMARY_HEADERS),
        colalign=("left",) + ("right",) * (len(SUMMARY_HEADERS) - 1),
        disable_numparse=True,
    )


# ---------------------------------------------------------------------- stories


class StoryMember(NamedTuple):
    """One document of a story and how it joins it.

    ``via`` is the relation that attaches it: for a reprint, the relation to the
    document it takes the most from (its *best source*; the member is
    ``via.derived``); for a further source (a document never derived whose reprints
    all took more from another source), its strongest relation to a document of the
    story (the member is ``via.source``); ``None`` for the story's source. ``kept``:
    the share of the story source's words this document shares with it, from their
    own relation (``None`` for the source, and for a document linked to the source
    only through others).
    """

    document: Document
    via: Relation | None
    kept: float | None

    @property
    def role(self) -> str:
        """``source``, ``reprint`` or ``also a source``."""
        if self.via is None:
            return "source"
        return "reprint" if self.via.derived == self.document.id else "also a source"


@dataclass(frozen=True)
class Story:
    """A piece of wire copy and its reprints: documents connected by relations.

    Each derived document hangs from its **best source**, the document it takes the
    largest share of its words from (ties: the one more of whose words it uses, then
    relation order); following best
    sources leads to a document no relation names as derived, the story's
    ``source`` (``rule`` :data:`RULE_NEVER_DERIVED`). Where relations run in a
    circle (directions from dates and from coverage can disagree), the circle's
    source is its earliest dated document when all have readable dates
    (:data:`RULE_EARLIEST_DATE`), else its most complete (:data:`RULE_MOST_COMPLETE`,
    the most words; ties: corpus order). A source none of whose reprints hangs from
    it joins the story of the document it shares the most with, as a further source.
    Hanging each document from one source keeps two wire stories apart when a few
    reprints share a little of both (plain connected components chain them: on
    COUNTER into one "story" of 238 documents and 36 possible sources).

    ``members``: its documents, the source first, then in corpus order.
    ``relations``: the relations between its documents (highest coverage first);
    ``links``: relations between one of its documents and a document of another
    story. ``clusters``: ids of the cross-document clusters holding its material (a
    cluster belongs to the story holding most of its documents, at least two; ties:
    the lower story id).
    """

    id: int
    members: tuple[StoryMember, ...]
    rule: str
    relations: tuple[Relation, ...]
    links: tuple[Relation, ...]
    clusters: tuple[int, ...]

    @property
    def source(self) -> Document:
        return self.members[0].document

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(m.document for m in self.members)

    @property
    def outlets(self) -> tuple[str, ...]:
        """The outlets that printed the story, sorted."""
        return tuple(sorted({m.document.outlet for m in self.members}))

    @property
    def kept_range(self) -> tuple[float, float] | None:
        """Lowest and highest share of the source kept by the reprints related to it
        directly (``None`` when none is)."""
        known = [m.kept for m in self.members if m.kept is not None]
        return (min(known), max(known)) if known else None


def _tie_break(docs: Sequence[Document]) -> tuple[Document, str]:
    dates = [parse_date(d.date) for d in docs]
    if all(t is not None for t in dates):
        first = min(t for t in dates if t is not None)
        earliest = [d for d, t in zip(docs, dates, strict=True) if t == first]
        if len(earliest) == 1:
            return earliest[0], RULE_EARLIEST_DATE
    best, most = docs[0], len(docs[0].text.split())
    for d in docs[1:]:
        n = len(d.text.split())
        if n > most:
            best, most = d, n
    return best, RULE_MOST_COMPLETE


def stories(result: FindResult) -> list[Story]:
    """The stories of ``result`` (see :class:`Story`), the largest first, then in
    corpus order of their source. A document in no relation is in no story.

    >>> from dedup.models import Corpus, Document
    >>> from dedup.pipeline import find
    >>> wire = ("Officials confirmed the bridge collapse injured forty workers on Monday "
    ...         "night, the regional agency said.")
    >>> docs = (Document("wire", wire, "Wire", date="2024-10-21"),
    ...         Document("post", "Local news. " + wire, "Post", date="2024-10-22"),
    ...         Document("other", "A late goal settled the derby.", "Post"))
    >>> (story,) = stories(find(Corpus(docs)))
    >>> [d.id for d in story.documents], story.source.id, story.rule
    (['wire', 'post'], 'wire', 'never derived')
    >>> [(m.document.id, m.role, m.kept) for m in story.members]
    [('wire', 'source', None), ('post', 'reprint', 1.0)]
    """
    docs = {d.id: d for d in result.corpus.documents}
    order = {d: i for i, d in enumerate(docs)}
    best: dict[str, Relation] = {}  # derived -> relation to its best source
    strongest: dict[str, Relation] = {}  # any document -> its strongest relation
    for r in result.relations:  # highest coverage first
        held = best.get(r.derived)
        if held is None or (r.coverage, r.source_coverage) > (held.coverage,
                                                              held.source_coverage):
            best[r.derived] = r
        strongest.setdefault(r.source, r)
        strongest.setdefault(r.derived, r)

    # follow best sources up to a root; break circles at a tie-broken document
    root_of: dict[str, str] = {}
    rules: dict[str, str] = {}
    for start in sorted(strongest, key=order.__getitem__):
        path: list[str] = []
        x = start
        while x not in root_of and x in best and x not in path:
            path.append(x)
            x = best[x].source
        if x in root_of:
            root = root_of[x]
        elif x not in best:
            root, rules[x] = x, RULE_NEVER_DERIVED
        else:  # a circle: x is on it
            circle = path[path.index(x):]
            chosen, rules[chosen.id] = _tie_break([docs[d] for d in circle])
            root = chosen.id
            del best[root]
        for d in path:
            root_of[d] = root
        root_of[root] = root

    groups: dict[str, list[str]] = {}
    for d in sorted(root_of, key=order.__getitem__):
        groups.setdefault(root_of[d], []).append(d)
    # a source whose reprints all hang from another source: it joins the story of
    # the document it shares the most with
    extra: dict[str, str] = {}
    for root, members in list(groups.items()):
        if len(members) == 1:
            r = strongest[root]
            other = r.derived if r.source == root else r.source
            target = root_of[other]
            if target != root and len(groups.get(target, ())) > 1:
                extra[root] = target
                del groups[root]
    for d, target in sorted(extra.items(), key=lambda kv: order[kv[0]]):
        groups[target].append(d)
        root_of[d] = target

    ranked = sorted(groups.items(), key=lambda g: (-len(g[1]), order[g[0]]))
    story_of = {d: k for k, (_, members) in enumerate(ranked) for d in members}

    clusters: list[list[int]] = [[] for _ in ranked]
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        counts: dict[int, int] = {}
        for doc_id in {p.doc for p in c.passages}:
            if doc_id in story_of:
                counts[story_of[doc_id]] = counts.get(story_of[doc_id], 0) + 1
        if counts:
            k = min(counts, key=lambda k: (-counts[k], k))
            if counts[k] >= 2:
                clusters[k].append(c.id)

    inside: list[list[Relation]] = [[] for _ in ranked]
    links: list[list[Relation]] = [[] for _ in ranked]
    direct: dict[tuple[str, str], Relation] = {}
    for r in result.relations:
        direct.setdefault((r.source, r.derived), r)
        ks, kd = story_of[r.source], story_of[r.derived]
        if ks == kd:
            inside[ks].append(r)
        else:
            links[ks].append(r)
            links[kd].append(r)

    out = []
    for k, (root, ids) in enumerate(ranked):
        team = [StoryMember(docs[root], None, None)]
        for d in sorted((d for d in ids if d != root), key=order.__getitem__):
            via = best.get(d) if d not in extra else strongest[d]
            there = direct.get((root, d))
            back = direct.get((d, root))
            kept = there.source_coverage if there else back.coverage if back else None
            team.append(StoryMember(docs[d], via, kept))
        out.append(Story(k + 1, tuple(team), rules.get(root, RULE_NEVER_DERIVED),
                         tuple(inside[k]), tuple(links[k]), tuple(clusters[k])))
    return out


# -------------------------------------------------------- wording for reports

PIVOT_RULE_WHY = {
    "earliest date": "its document has the earliest date among the versions",
    "most complete": "it has the most words (dates are missing, unreadable or equal)",
}
SOURCE_RULE_WHY = {
    "never derived": "following each document's best source leads to it, and no relation "
    "names it as derived",
    "earliest date": "relations run in a circle; it is the circle's earliest dated document",
    "most complete": "relations run in a circle and dates do not decide; it has the most "
    "words",
}



def pct_range(lo: float, hi: float) -> str:
    """Two shares as one range of whole percentages.

    >>> pct_range(0.391, 0.972), pct_range(0.5, 0.501)
    ('39\u201397%', '50%')
    """
    a, b = round(lo * 100), round(hi * 100)
    return f"{a}%" if a == b else f"{a}\u2013{b}%"


def story_title(story: Story) -> str:
    """The story's title: its source's title, else the first line of the source (a
    headline, in most articles), cut to about 90 characters."""
    if story.source.title and story.source.title.strip():
        return _one_line(story.source.title, 90)
    text = story.source.text.strip()
    return _one_line(text.split("\n", 1)[0] if text else "", 90)


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


def story_headline(story: Story) -> str:
    """What a reader says of a story: "printed by 4 outlets, who kept 72-95% of it"
    (after its title, which the renderer sets apart). "Kept" counts the documents
    with a relation of their own to the source.

    >>> from dedup.models import Document
    >>> doc = lambda i: Document(i, "x", i.upper())
    >>> rel = lambda d, k: Relation("w", d, 0.9, k, "wholly", "earlier date", ())
    >>> members = (StoryMember(doc("w"), None, None),
    ...            StoryMember(doc("a"), rel("a", 0.72), 0.72),
    ...            StoryMember(doc("b"), rel("b", 0.95), 0.95))
    >>> story_headline(Story(1, members, RULE_NEVER_DERIVED, (), (), ()))
    'printed by 3 outlets, who kept 72\u201395% of it'
    """
    n_docs, n_outlets = len(story.documents), len(story.outlets)
    printed = (
        f"printed by {plural(n_outlets, 'outlet')}"
        if n_docs == n_outlets
        else f"printed in {plural(n_docs, 'document')} by {plural(n_outlets, 'outlet')}"
    )
    rng = story.kept_range
    others = n_docs - 1
    known = sum(1 for m in story.members if m.kept is not None)
    if rng is None:
        return f"{printed}; each is related to the source only through another document"
    if known == others and n_docs == n_outlets:
        return f"{printed}, who kept {pct_range(*rng)} of it"
    if known == others:
        return f"{printed}; the {plural(others, 'other document')} kept {pct_range(*rng)} of it"
    related = "other document related" if known == 1 else "other documents related"
    return (
        f"{printed}; the {known} {related} to the source directly kept "
        f"{pct_range(*rng)} of it"
    )


def change_labels(r: Rewording) -> list[tuple[str, str]]:
    """What a version did to the pivot, as short labels ``(kind, text)``: kind
    ``"alert"`` for a changed number, quotation or attribution, else ``""``; zero
    counts are left out."""
    s = r.alignment.stats
    share = f" ({r.kept / s.a_words:.0%})" if s.a_words else ""
    items = [("", f"kept {r.kept} of {plural(s.a_words, 'pivot word')}{share}")]
    for n, what in ((s.cut, "cut"), (s.added, "added")):
        if n:
            items.append(("", f"{plural(n, 'word')} {what}"))
    if s.replaced_a or s.replaced_b:
        items.append(("", f"{s.replaced_a} replaced by {s.replaced_b}"))
    if s.moves:
        items.append(("", f"{s.moved_a} moved in {plural(s.moves, 'block')}"))
    for n, what in (
        (s.numbers_changed, "number"),
        (s.quotes_changed, "quotation"),
        (s.attributions_changed, "attribution"),
    ):
        if n:
            items.append(("alert", f"{plural(n, what)} changed"))
    return items
