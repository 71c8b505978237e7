"""The ``dedup report`` in Markdown (GitHub-flavoured): the HTML report's content as
plain text that reads well in an editor, a chat message or a repository.

Each outlet's version is shown as one running text against the pivot: words the
outlet cut are ``~~struck~~``, its own words **bold** (a replacement is both, cut
then added), a moved block starts with `` `moved m1` `` and a changed number,
quotation or attribution is tagged `` `!number` ``. Corpus text is escaped, so
Markdown or HTML inside an article shows as written.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from ..align import Alignment, Edit
from ..models import Cluster, Document
from ..pipeline import FindResult
from ..relations import Relation
from ..rewording import (
    PIVOT_RULE_WHY,
    REPEAT_PASSAGES_SHOWN,
    SOURCE_RULE_WHY,
    ClusterView,
    Rewording,
    Story,
    StoryMember,
    Version,
    change_labels,
    cluster_views,
    cut_note,
    outlet_summary,
    parse_date,
    pct_range,
    plural,
    stories,
    story_headline,
    story_title,
    summary_cells,
)
from .terminal import snippet

__all__ = ["inline_diff", "render_report_markdown"]

_SPECIAL = re.compile(r"([\\`*_~\[\]|#<>!])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w")


def _esc(text: object) -> str:
    """Escape for running Markdown text: one line, markup characters and HTML inert."""
    flat = _SPACE.sub(" ", _CONTROL.sub("\ufffd", str(text)))
    return _SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _wrap(text: str, mark: str) -> str:
    core = _SPACE.sub(" ", text).strip()
    return f"{mark}{_esc(core)}{mark}" if core else ""


def _tags(e: Edit) -> str:
    return "".join(f" `!{f}`" for f in e.flags)


def _render(al: Alignment, edits: Sequence[Edit], lo: int, hi: int) -> str:
    """Edits in B's order (cut words at the place they were cut from), with B's own
    text (spaces, punctuation) between them."""
    items = sorted(edits, key=lambda e: (e.b_start, e.op != "delete", e.a_start))
    out: list[str] = []
    cursor = lo
    for e in items:
        if e.b_start > cursor:
            out.append(_esc(al.b[cursor : e.b_start]))
            cursor = e.b_start
        a_text, b_text = al.a[e.a_start : e.a_end], al.b[e.b_start : e.b_end]
        if e.op == "delete":
            piece = _wrap(a_text, "~~")
        elif e.op == "insert":
            piece = _wrap(b_text, "**")
        elif e.op == "replace":
            piece = f"{_wrap(a_text, '~~')} {_wrap(b_text, '**')}"
        elif e.op == "move":
            body = _render(al, e.inner, e.b_start, e.b_end) if e.inner else _esc(b_text)
            piece = f"`moved m{e.move_id}` {body}"
        else:
            piece = _esc(b_text)
        if piece and out and e.op in ("delete", "replace") and not out[-1].endswith(" "):
            out.append(" ")
        out.append(piece + _tags(e))
        if e.op == "delete" and _WORD.match(al.b, cursor, hi):
            out.append(" ")  # cut just before a word: keep them apart
        cursor = max(cursor, e.b_end)
    if cursor < hi:
        out.append(_esc(al.b[cursor:hi]))
    return _SPACE.sub(" ", "".join(out)).strip()


def inline_diff(al: Alignment) -> str:
    """B's span as one line of Markdown marked against A's span.

    >>> from dedup.align import align
    >>> al = align("Officials said 12,000 troops left.", "Officials claimed 11,000 troops left.")
    >>> inline_diff(al)
    'Officials ~~said 12,000~~ **claimed 11,000** `!number` `!attribution` troops left.'
    >>> inline_diff(align("The cat sat on the red mat today.", "The <b>cat</b> sat on the mat."))
    'The &lt;**b**&gt;cat&lt;/**b**&gt; sat on the ~~red~~ mat ~~today~~.'
    """
    return _render(al, al.edits, al.b_span[0], al.b_span[1])


def _cell(text: object) -> str:
    # _esc already escapes "|" (it is in _SPECIAL); escaping it again gave "\\|"
    return _esc(text)


def _date_label(doc: Document) -> str:
    if not doc.date:
        return "date unknown"
    return doc.date if parse_date(doc.date) else f"{doc.date} (not understood)"


def _version_label(v: Version) -> str:
    doc = v.document
    where = [doc.id] if doc.id != doc.outlet else []
    where += [_date_label(doc), plural(v.words, "word")]
    if len(v.passages) > 1:
        where.append(f"in {len(v.passages)} passages")
    return f"**{_esc(v.outlet)}** ({_esc(' · '.join(where))})"


def _range(c_scores: list[float]) -> str:
    lo, hi = min(c_scores), max(c_scores)
    return f"{lo:.2f}" if lo == hi else f"{lo:.2f}\u2013{hi:.2f}"


def _changes(r: Rewording) -> str:
    return " · ".join(
        f"**{text}**" if kind == "alert" else text for kind, text in change_labels(r)
    )


def _scores(c: Cluster) -> list[float]:
    return [m.score for m in c.pairs] or [c.weakest_link]


def _cluster(view: ClusterView, level: int) -> list[str]:
    c, p = view.cluster, view.pivot
    hashes = "#" * level
    n_versions = len({q.doc for q in c.passages})
    out = [
        f"{hashes} Cluster {c.id}",
        "",
        f"- **Kind:** {c.kind}; {plural(len(c.outlets), 'outlet')}, "
        f"{plural(n_versions, 'version')}",
        f"- **Outlets:** {_esc(', '.join(c.outlets))}",
        f"- **Score:** {_range(_scores(c))} (weakest link {c.weakest_link:.2f})",
        f"- **Pivot:** {_version_label(p)}, chosen by **{view.rule}**: "
        f"{PIVOT_RULE_WHY.get(view.rule, view.rule)}",
        "",
        f"> {_esc(p.text)}",
        "",
    ]
    for r in view.others:
        same = not r.alignment.changes()
        out += [
            f"{hashes}# {_version_label(r.version)}",
            "",
            _changes(r),
            "",
            "Word for word the same as the pivot." if same else inline_diff(r.alignment),
            "",
        ]
    return out


def _relations_table(relations: Sequence[Relation], story_of: dict[str, int],
                     here: int) -> list[str]:
    def doc(d: str) -> str:
        return _cell(d) if story_of[d] == here else f"{_cell(d)} (story {story_of[d]})"

    out = [
        "| derived | source | verdict | coverage | source words used | direction by | clusters |",
        "| --- | --- | --- | ---: | ---: | --- | --- |",
    ]
    out += [
        f"| {doc(r.derived)} | {doc(r.source)} | {r.verdict} | {r.coverage:.0%} | "
        f"{r.source_coverage:.0%} | {r.rule} | "
        f"{', '.join(str(c) for c in r.clusters) or 'none'} |"
        for r in relations
    ]
    return [*out, ""]


def _joins(m: StoryMember) -> str:
    via = m.via
    if via is None:
        return "**the source**"
    if m.role == "reprint":
        return f"from {_cell(via.source)}: {via.coverage:.0%} of its words, {via.verdict}"
    return f"source of {_cell(via.derived)}: {via.coverage:.0%} of that one's words, {via.verdict}"


def _story(story: Story, views: dict[int, ClusterView], story_of: dict[str, int]) -> list[str]:
    src = story.source
    out = [
        f"### Story {story.id}",
        "",
        f"Wire story “{_esc(story_title(story))}”, {story_headline(story)}.",
        "",
        f"- **Source:** {_esc(src.id)} ({_esc(src.outlet)}, {_esc(_date_label(src))}), "
        f"chosen by **{story.rule}**: {SOURCE_RULE_WHY.get(story.rule, story.rule)}",
        f"- **Outlets:** {_esc(', '.join(story.outlets))}",
        f"- **Clusters:** {', '.join(str(c) for c in story.clusters) or 'none'}",
        "",
        "| document | outlet | date | how it joins the story | kept of the source |",
        "| --- | --- | --- | --- | ---: |",
    ]
    for m in story.members:
        d = m.document
        kept = (
            "—" if m.via is None else "via other documents" if m.kept is None
            else f"{m.kept:.0%}"
        )
        out.append(f"| {_cell(d.id)} | {_cell(d.outlet)} | {_cell(_date_label(d))} | "
                   f"{_joins(m)} | {kept} |")
    out += ["", f"{plural(len(story.relations), 'relation')} between its documents:", ""]
    out += _relations_table(story.relations, story_of, story.id)
    if story.links:
        out += [f"{plural(len(story.links), 'relation')} with documents of other stories:", ""]
        out += _relations_table(story.links, story_of, story.id)
    for cid in story.clusters:
        if cid in views:
            out += _cluster(views[cid], 4)
    return out


def _cut_note(shown: int, total: int, what: str, whats: str) -> list[str]:
    note = cut_note(shown, total, what, whats, code=lambda c: f"`{c}`")
    return [] if note is None else [f"*{note}*", ""]


def render_report_markdown(
    result: FindResult, *, title: str = "dedup report", views: list[ClusterView] | None = None,
    limit: int | None = None,
) -> str:
    """The whole report as GitHub-flavoured Markdown, in the HTML report's order:
    stories, other shared clusters, repeats, the per-outlet summary, every cluster,
    every document. ``limit`` caps the stories, other shared clusters and repeats
    shown in full (largest first; ``None``: all); the tables stay complete.

    >>> from dedup.models import Corpus, Document
    >>> from dedup.pipeline import find
    >>> wire = "Officials confirmed the bridge collapse injured forty workers on Monday night."
    >>> docs = (Document("a", wire, "AP"), Document("b", wire.replace("forty", "fifty"), "Post"))
    >>> md = render_report_markdown(find(Corpus(docs)))
    >>> "~~forty~~ **fifty** `!number`" in md
    True
    """
    if views is None:
        views = cluster_views(result)
    corpus = result.corpus
    repeats = [c for c in result.clusters if c.kind != "cross-document"]
    by_id = {v.cluster.id: v for v in views}
    texts = {d.id: d.text for d in corpus.documents}
    found = stories(result)
    story_of_cluster = {cid: s.id for s in found for cid in s.clusters}
    story_of_doc = {d.id: s.id for s in found for d in s.documents}
    n_outlets = len({d.outlet for d in corpus.documents})
    out = [
        f"# {_esc(title)}",
        "",
        f"{plural(len(corpus.documents), 'document')} read, "
        f"{plural(len(corpus.skipped), 'input')} skipped, {plural(n_outlets, 'outlet')}, "
        f"{plural(len(result.passages), 'passage')}; {plural(len(found), 'story', 'stories')}, "
        f"{plural(len(views), 'cluster')} shared across outlets, "
        f"{plural(len(repeats), 'repeat')} within one outlet.",
        "",
        "## Stories",
        "",
        "A *story* is a set of documents connected by relations: each relation says that "
        "one document (*derived*) takes a share of its words (*coverage*) from another "
        "(*source*), *wholly* or *partially* by that share. Each derived document hangs from "
        "its *best source*, the one it takes the largest share of its words from; following "
        "best sources leads to the story's *source*, a document no relation names as "
        "derived (where relations run in a circle, the circle's earliest dated document, "
        "else its most complete). *Kept* is the share of the "
        "source's words that a document shares with it. A document in no relation is in "
        "no story.",
        "",
    ]
    if found:
        out += [
            "| story | title (or first line) of the source | source | documents | kept "
            "| clusters |",
            "| ---: | --- | --- | ---: | ---: | ---: |",
        ]
        out += [
            f"| {s.id} | {_cell(story_title(s))} | {_cell(s.source.id)} | "
            f"{len(s.documents)} | {pct_range(*s.kept_range) if s.kept_range else '—'} | "
            f"{len(s.clusters)} |"
            for s in found
        ]
        out.append("")
        n_full = len(found) if limit is None else min(limit, len(found))
        out += _cut_note(n_full, len(found), "story", "stories")
        for s in found[:n_full]:
            out += _story(s, by_id, story_of_doc)
    else:
        out += ["None: no document derives from another.", ""]
    out += [
        "## Other shared clusters",
        "",
        "Material shared across outlets whose documents are in no story together: too "
        "little of them is shared for a relation.",
        "",
    ]
    loose = [v for v in views if v.cluster.id not in story_of_cluster]
    if not loose:
        out += [
            "None: every shared cluster belongs to a story." if views else "None found.",
            "",
        ]
    n_full = len(loose) if limit is None else min(limit, len(loose))
    out += _cut_note(n_full, len(loose), "cluster", "clusters")
    for view in loose[:n_full]:
        out += _cluster(view, 3)
    out += [
        "## Repeats within one outlet",
        "",
        "Passages repeated inside one document (scraping duplicates: a headline or "
        "caption printed twice) or across documents of one outlet (boilerplate). They "
        "are not wire copy and are not compared.",
        "",
    ]
    if not repeats:
        out += ["None found.", ""]
    n_full = len(repeats) if limit is None else min(limit, len(repeats))
    out += _cut_note(n_full, len(repeats), "repeat", "repeats")
    for c in repeats[:n_full]:
        out += [
            f"### Cluster {c.id}",
            "",
            f"{c.kind}, {_esc(', '.join(c.outlets))}, score {_range(_scores(c))}:",
            "",
        ]
        for k, q in enumerate(c.passages[:REPEAT_PASSAGES_SHOWN], start=1):
            out.append(
                f"{k}. {_esc(q.doc)}, characters {q.start}\u2013{q.end}: "
                f"{_esc(texts[q.doc][q.start : q.end])}"
            )
        more = len(c.passages) - REPEAT_PASSAGES_SHOWN
        if more > 0:
            out += ["", f"and {plural(more, 'more passage')} of this repeat (the documents "
                        "table names each document's clusters)"]
        out.append("")
    out += [
        "## Rewording by outlet",
        "",
        "For each shared cluster one version is taken as the *pivot*, the likely wire "
        "source: the earliest dated one when every version has a date, otherwise the most "
        "complete (most words). Each other outlet's version is compared with it word by "
        "word. *Kept* is the share of pivot words printed unchanged (moved ones included), "
        "of the pivot words its versions were compared with; cut, replaced and moved count "
        "pivot words, added counts the outlet's own; the last three columns count changed "
        "numbers, quotations and attributions.",
        "",
    ]
    rows = outlet_summary(views)
    if rows:
        out += [
            "| outlet | versions compared | was pivot | kept | cut | added | replaced | moved "
            "| numbers | quotes | attributions |",
            "| --- |" + " ---: |" * 10,
        ]
        out += ["| " + " | ".join(_cell(c) for c in summary_cells(r)) + " |" for r in rows]
    else:
        out.append("No material is shared across outlets, so there is nothing to compare.")
    out += ["", "## All clusters", ""]
    if result.clusters:
        out += [
            "| id | kind | outlets | size | score | weakest link | story | pivot "
            "| opening words |",
            "| ---: | --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for c in result.clusters:
            shown = by_id.get(c.id)
            first = c.passages[0]
            text = shown.pivot.text if shown else texts[first.doc][first.start : first.end]
            out.append(
                f"| {c.id} | {c.kind} | {_cell(', '.join(c.outlets))} | {len(c.passages)} | "
                f"{_range(_scores(c))} | {c.weakest_link:.2f} | "
                f"{story_of_cluster.get(c.id, '—')} | "
                f"{_cell(shown.pivot.outlet) if shown else '—'} | {_cell(snippet(text, 80))} |"
            )
    else:
        out.append("No clusters: no passage is shared or repeated.")
    out.append("")
    out += _documents(result, story_of_doc)
    return "\n".join(out).rstrip("\n") + "\n"


def _documents(result: FindResult, story_of_doc: dict[str, int]) -> list[str]:
    corpus = result.corpus
    n_passages = Counter(p.doc for p in result.passages)
    in_clusters: dict[str, set[int]] = defaultdict(set)
    for c in result.clusters:
        for p in c.passages:
            in_clusters[p.doc].add(c.id)
    out = [
        "## Documents",
        "",
        f"{plural(len(corpus.documents), 'document')} read ({len(story_of_doc)} in a story) "
        f"and {plural(len(corpus.skipped), 'input')} skipped: every input is listed below.",
        "",
        "| # | document | outlet | date | title | words | passages | story | clusters |",
        "| ---: | --- | --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for i, d in enumerate(corpus.documents, start=1):
        clusters = ", ".join(str(x) for x in sorted(in_clusters.get(d.id, ()))) or "none"
        out.append(
            f"| {i} | {_cell(d.id)} | {_cell(d.outlet)} | {_cell(_date_label(d))} | "
            f"{_cell(d.title or '')} | {len(d.text.split())} | {n_passages.get(d.id, 0)} | "
            f"{story_of_doc.get(d.id, 'none')} | {clusters} |"
        )
    out += ["", "### Skipped inputs", ""]
    if corpus.skipped:
        out += [f"- {_esc(s.path)}: {_esc(s.reason)}" for s in corpus.skipped]
    else:
        out.append("None: every input was read.")
    return out
