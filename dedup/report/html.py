"""The ``dedup report`` HTML page: one self-contained file a journalist can open offline.

The page is rendered from Jinja2 templates (``dedup/report/templates/``) with
autoescaping on, so every value put into the page (ids, outlets, titles, dates,
text, skip reasons) is escaped by the template engine: no escape can be forgotten.
Only two kinds of markup pass unescaped, both ours: the inline CSS and script
below, and the side-by-side diff fragments of :func:`dedup.diffview.render_html_fragment`
(which escapes the corpus text it holds), marked with :class:`markupsafe.Markup`.

Everything is inline (CSS, a small script, no fonts, images or links to the network),
and a Content-Security-Policy in the page forbids fetching anything and runs only the
page's own script (by its hash), so even a mistake in escaping could not load or run
anything. Elements holding corpus text carry ``dir="auto"``, so Urdu or Arabic reads
right to left.

The page follows the way a reader traces wire copy: the **stories** first
(:func:`dedup.rewording.stories`: documents connected by relations, their source,
their relations, then their clusters with every version aligned to the pivot); then
the shared clusters in no story; the repeats inside one document or outlet; the
per-outlet rewording summary; a sortable index of every cluster (sortable by
clicking a column header when scripts run, a plain table otherwise); and every
document read or skipped.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import __version__
from ..diffview import HTML_CSS, render_html_fragment
from ..models import Cluster, Document
from ..pipeline import FindResult
from ..relations import Relation
from ..rewording import (
    PIVOT_RULE_WHY,
    REPEAT_PASSAGES_SHOWN,
    SOURCE_RULE_WHY,
    ClusterView,
    Rewording,
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

__all__ = ["REPORT_CSS", "REPORT_JS", "render_report_html"]

REPORT_CSS = """\
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef0f3; color: #1f2328;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 1.5em 2.2em 4em; background: #fff;
  min-height: 100vh; }
h1 { font-size: 1.75em; margin: 0 0 0.2em; }
h2 { font-size: 1.35em; margin: 2em 0 0.5em; padding-bottom: 0.2em;
  border-bottom: 2px solid #d0d7de; }
h3 { font-size: 1.12em; margin: 0 0 0.4em; }
h4 { font-size: 1em; margin: 1.2em 0 0.4em; }
a { color: #0b57d0; }
.muted, small { color: #57606a; }
.figures { display: flex; flex-wrap: wrap; gap: 0.6em; margin: 1em 0; padding: 0; }
.figures li { list-style: none; border: 1px solid #d0d7de; border-radius: 6px;
  padding: 0.35em 0.9em; background: #f6f8fa; }
.figures b { display: block; font-size: 1.45em; line-height: 1.2; }
nav.toc { margin: 0.5em 0 0; font-size: 0.95em; }
nav.toc a { margin-right: 1.2em; }
table.data { border-collapse: collapse; width: 100%; font-size: 0.92em; margin: 0.5em 0; }
table.data th, table.data td { border-bottom: 1px solid #e1e4e8; padding: 0.35em 0.5em;
  text-align: left; vertical-align: top; }
table.data thead th { background: #f6f8fa; border-bottom: 2px solid #d0d7de; }
table.data tbody tr:hover { background: #f8fafc; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
table.data td.text { font-family: Georgia, "Times New Roman", serif; }
.ids { overflow-wrap: break-word; }
.nowrap { white-space: nowrap; }
.scroll { overflow-x: auto; }
th button.sort { font: inherit; font-weight: bold; color: inherit; background: none;
  border: 0; padding: 0; cursor: pointer; text-align: inherit; white-space: normal; }
th button.sort::after { content: "\\2195"; color: #afb8c1; font-size: 0.85em;
  margin-left: 0.2em; }
th[aria-sort=ascending] button.sort::after { content: "\\25B2"; color: #1f2328; }
th[aria-sort=descending] button.sort::after { content: "\\25BC"; color: #1f2328; }
.bar { display: inline-block; width: 3.5em; height: 0.6em; background: #e5e7eb;
  border-radius: 3px; margin-left: 0.4em; vertical-align: middle; overflow: hidden; }
.bar span { display: block; height: 100%; background: #2f855a; }
.explain { font-size: 0.92em; color: #3d444d; max-width: 60em; }
.note { max-width: 60em; padding: 0.5em 0.8em; background: #fff8c5; border-left: 4px solid
  #d4a72c; border-radius: 4px; }
.legend { font-size: 0.9em; margin: 0.6em 0 1em; display: flex; flex-wrap: wrap;
  gap: 0.4em 1em; align-items: center; }
.legend .dedup-align { display: inline; font-family: inherit; }
.kind { display: inline-block; font-size: 0.75em; font-weight: bold; letter-spacing: 0.02em;
  padding: 0.05em 0.5em; border-radius: 10px; background: #ddf4ff; color: #0550ae;
  vertical-align: middle; margin-left: 0.4em; white-space: nowrap; }
.kind.repeat { background: #fff1e5; color: #953800; }
section.cluster { border: 1px solid #d0d7de; border-radius: 8px; padding: 1em 1.3em 1.2em;
  margin: 1.4em 0; }
section.cluster:target { border-color: #0b57d0; box-shadow: 0 0 0 3px #cfe0fb; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em;
  margin: 0.4em 0 0.8em; font-size: 0.93em; }
dl.meta dt { color: #57606a; }
dl.meta dd { margin: 0; }
blockquote.pivot, blockquote.passage { font-family: Georgia, "Times New Roman", serif;
  margin: 0.4em 0 0.6em; padding: 0.6em 1em; border-left: 4px solid #6e7bd9;
  background: #f4f5fd; white-space: pre-wrap; }
blockquote.passage { border-left-color: #d18c45; background: #fdf7f0; }
.version { border-top: 1px dashed #d0d7de; margin-top: 1em; }
/* the fragment's own stats table repeats the chips above it, and its "share of B
   covered" is measured over the whole article, which misleads for one passage */
.version .dedup-align .dedup-stats { display: none; }
ul.chips { display: flex; flex-wrap: wrap; gap: 0.3em 0.4em; margin: 0.2em 0 0.6em;
  padding: 0; font-size: 0.82em; }
ul.chips li { list-style: none; border: 1px solid #e1e4e8; border-radius: 4px;
  background: #f6f8fa; padding: 0.05em 0.5em; }
ul.chips li.alert { border-color: #f5c2c2; background: #fff0f0; color: #8b1a1a; }
.version .dedup-sbs thead th { background: #f6f8fa; font-family: system-ui, sans-serif;
  font-size: 0.85em; }
.back { font-size: 0.85em; margin-top: 0.8em; }
p.same { margin: 0.2em 0 0.6em; color: #2f6f4a; font-size: 0.93em; }
table.repeats td.text { white-space: pre-wrap; }
table.repeats tr:target { background: #eef4ff; }
table.repeats ol { margin: 0; padding-left: 1.4em; }
table.repeats li + li { margin-top: 0.3em; }
section.story { border: 1px solid #c9d1f5; border-radius: 10px; padding: 1em 1.3em 0.6em;
  margin: 1.6em 0; background: #fbfcff; }
section.story:target { border-color: #0b57d0; box-shadow: 0 0 0 3px #cfe0fb; }
section.story > h3 { font-size: 1.25em; }
p.headline { font-size: 1.08em; margin: 0.2em 0 0.6em; }
p.headline .title { font-family: Georgia, "Times New Roman", serif; font-style: italic; }
section.story section.cluster { background: #fff; }
.verdict { display: inline-block; font-size: 0.8em; font-weight: bold; padding: 0 0.45em;
  border-radius: 4px; background: #e6f4ea; color: #1e6b35; }
.verdict.partially { background: #fff4d6; color: #7a5300; }
[dir=auto] { unicode-bidi: isolate; }
table.data td[dir=auto], blockquote[dir=auto] { text-align: start; }
.dedup-align .dedup-sbs td { text-align: start; }
footer { margin-top: 3em; font-size: 0.85em; color: #57606a; }
@media print { body { background: #fff; } main { max-width: none; }
  section.cluster { break-inside: avoid-page; } }
"""

# No corpus data ever goes into the script (it reads the table it sorts), so nothing
# in it needs escaping and its hash can be fixed in the page's security policy.
REPORT_JS = """
(function () {
  "use strict";
  function key(row, col, type) {
    var cell = row.cells[col];
    var raw = cell ? cell.getAttribute("data-sort") : "";
    if (raw === null) { raw = cell.textContent.trim(); }
    if (type === "num") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }
  function sortBy(table, th, col) {
    var type = th.getAttribute("data-type");
    var now = th.getAttribute("aria-sort");
    var desc = now ? now === "ascending" : type === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col, type), y = key(b, col, type);
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", desc ? "descending" : "ascending");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      if (!th.hasAttribute("data-type")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sort by this column";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, col); });
    });
  });
  document.body.dataset.ready = "1";
})();
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(REPORT_JS.encode("utf-8")).digest()).decode()
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; img-src 'none'; base-uri 'none'; form-action 'none'"
)


_ENV = Environment(
    loader=PackageLoader("dedup.report", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters["plural"] = plural

# ------------------------------------------------------------------- figures


def _date_label(doc: Document) -> str:
    """A document's date as shown: as written, or why it is not used."""
    if not doc.date:
        return "date unknown"
    if parse_date(doc.date) is None:
        return f"{doc.date} (not understood)"
    return doc.date


def _score_range(c: Cluster) -> tuple[float, float]:
    scores = [m.score for m in c.pairs] or [c.weakest_link]
    return min(scores), max(scores)


def _fmt_range(lo: float, hi: float) -> str:
    return f"{lo:.2f}" if lo == hi else f"{lo:.2f}\u2013{hi:.2f}"


# -------------------------------------------------------------- view models


def _version(v: Version) -> dict[str, Any]:
    doc = v.document
    where = [doc.id] if doc.id != doc.outlet else []
    where += [_date_label(doc), plural(v.words, "word")]
    if len(v.passages) > 1:
        where.append(f"in {len(v.passages)} passages")
    return {"outlet": v.outlet, "where": " \u00b7 ".join(where), "doc": doc.id}


def _diff_fragment(view: ClusterView, r: Rewording, k: int, show_cosmetic: bool) -> Markup:
    frag = render_html_fragment(
        r.alignment,
        show_cosmetic=show_cosmetic,
        label_a=f"pivot: {view.pivot.outlet}",
        label_b=r.version.outlet,
        id_prefix=f"c{view.cluster.id}-v{k}",
    )
    # every cell of our own renderer's tables picks its direction from its text
    # (corpus text inside the fragment is escaped, so these literal tags are its own)
    for tag in ("<th>", "<td>", '<td class="dedup-a">', '<td class="dedup-b">'):
        frag = frag.replace(tag, tag[:-1] + ' dir="auto">')
    return Markup(frag)  # noqa: S704 - render_html_fragment escapes all corpus text


def _cluster(view: ClusterView, show_cosmetic: bool, story: int | None) -> dict[str, Any]:
    c = view.cluster
    versions = []
    for k, r in enumerate(view.others, start=1):
        item: dict[str, Any] = {**_version(r.version), "chips": change_labels(r)}
        if r.alignment.changes(cosmetic=show_cosmetic):
            item["fragment"] = _diff_fragment(view, r, k, show_cosmetic)
        else:  # a word-for-word copy: two identical columns would only take room
            n = r.alignment.stats.cosmetic_changes
            item["same"] = (
                f"; {plural(n, 'cosmetic difference')} (quote style, case, spacing or "
                "punctuation)"
                if n
                else ""
            )
        versions.append(item)
    return {
        "id": c.id,
        "kind": c.kind,
        "outlets": c.outlets,
        "n_versions": len({p.doc for p in c.passages}),
        "score": _fmt_range(*_score_range(c)),
        "weakest": f"{c.weakest_link:.2f}",
        "pivot": _version(view.pivot),
        "pivot_text": view.pivot.text,
        "rule": view.rule,
        "rule_why": PIVOT_RULE_WHY.get(view.rule, view.rule),
        "versions": versions,
        "story": story,
    }


def _context(
    result: FindResult, title: str, show_cosmetic: bool, views: list[ClusterView],
    limit: int | None = None,
) -> dict[str, Any]:
    corpus = result.corpus
    docs = {d.id: d for d in corpus.documents}
    number = {d.id: i for i, d in enumerate(corpus.documents, start=1)}
    by_id = {v.cluster.id: v for v in views}
    found = stories(result)
    story_of_cluster = {cid: s.id for s in found for cid in s.clusters}
    story_of_doc = {d.id: s.id for s in found for d in s.documents}

    def relation(r: Relation) -> dict[str, Any]:
        return {
            "derived": r.derived, "derived_n": number[r.derived],
            "derived_story": story_of_doc[r.derived],
            "source": r.source, "source_n": number[r.source],
            "source_story": story_of_doc[r.source],
            "verdict": r.verdict,
            "coverage": f"{r.coverage:.0%}",
            "source_coverage": f"{r.source_coverage:.0%}",
            "rule": r.rule,
            "clusters": r.clusters,
        }

    def cap(n: int) -> int:
        return n if limit is None else min(n, limit)

    story_items = []
    shown_clusters: set[int] = set()
    for i, s in enumerate(found):
        full = i < cap(len(found))
        if full:
            shown_clusters.update(cid for cid in s.clusters if cid in by_id)
        members = []
        for m in s.members:
            d, via = m.document, m.via
            if via is None:
                how = None
            elif m.role == "reprint":
                how = {"text": "from", "other": via.source, "other_n": number[via.source],
                       "share": f"{via.coverage:.0%} of its words", "verdict": via.verdict}
            else:
                how = {"text": "source of", "other": via.derived,
                       "other_n": number[via.derived],
                       "share": f"{via.coverage:.0%} of that one's words",
                       "verdict": via.verdict}
            members.append({
                "n": number[d.id],
                "id": d.id,
                "outlet": d.outlet,
                "date": _date_label(d),
                "role": m.role,
                "how": how,
                "kept": m.kept,
                "kept_pct": None if m.kept is None else f"{m.kept:.0%}",
            })
        story_items.append({
            "id": s.id,
            "title": story_title(s),
            "headline": story_headline(s),
            "n_docs": len(s.members),
            "outlets": s.outlets,
            "source": {"n": number[s.source.id], "id": s.source.id,
                       "outlet": s.source.outlet, "date": _date_label(s.source)},
            "rule": s.rule,
            "rule_why": SOURCE_RULE_WHY.get(s.rule, s.rule),
            "kept_range": pct_range(*s.kept_range) if s.kept_range else "\u2014",
            "members": members,
            "show_outlet": any(d.outlet != d.id for d in s.documents),
            "relations": [relation(r) for r in s.relations],
            "links": [relation(r) for r in s.links],
            "n_clusters": len(s.clusters),
            "full": full,
            "clusters": [_cluster(by_id[cid], show_cosmetic, s.id)
                         for cid in s.clusters if cid in by_id] if full else [],
        })
    loose_views = [v for v in views if v.cluster.id not in story_of_cluster]
    loose = [_cluster(v, show_cosmetic, None) for v in loose_views[:cap(len(loose_views))]]
    shown_clusters.update(c["id"] for c in loose)

    repeat_clusters = [c for c in result.clusters if c.kind != "cross-document"]
    repeats = []
    for c in repeat_clusters[:cap(len(repeat_clusters))]:
        shown_clusters.add(c.id)
        repeats.append({
            "id": c.id,
            "kind": c.kind,
            "outlets": c.outlets,
            "score": _fmt_range(*_score_range(c)),
            "passages": [
                {"doc": p.doc, "start": p.start, "end": p.end,
                 "text": docs[p.doc].text[p.start : p.end]}
                for p in c.passages[:REPEAT_PASSAGES_SHOWN]
            ],
            "more": max(0, len(c.passages) - REPEAT_PASSAGES_SHOWN),
        })

    summary = []
    for r in outlet_summary(views):
        share = r.share_kept
        summary.append({
            "cells": summary_cells(r),
            "share": share,
            "width": None if share is None else round(share * 100, 1),
        })

    index = []
    for c in result.clusters:
        lo, hi = _score_range(c)
        view = by_id.get(c.id)
        first = c.passages[0]
        text = view.pivot.text if view else docs[first.doc].text[first.start : first.end]
        index.append({
            "id": c.id,
            "kind": c.kind,
            "outlets": c.outlets,
            "size": len(c.passages),
            "score": _fmt_range(lo, hi),
            "score_key": hi,
            "weakest": f"{c.weakest_link:.2f}",
            "pivot": view.pivot.outlet if view else None,
            "story": story_of_cluster.get(c.id),
            "text": snippet(text, 90),
        })

    n_passages = Counter(p.doc for p in result.passages)
    in_clusters: dict[str, set[int]] = defaultdict(set)
    for c in result.clusters:
        for p in c.passages:
            in_clusters[p.doc].add(c.id)
    documents = []
    for i, d in enumerate(corpus.documents, start=1):
        parsed = parse_date(d.date)
        documents.append({
            "n": i,
            "id": d.id,
            "outlet": d.outlet,
            "date": _date_label(d) if d.date else None,
            "date_key": parsed.isoformat() if parsed else "",
            "title": d.title or "",
            "words": len(d.text.split()),
            "passages": n_passages.get(d.id, 0),
            "story": story_of_doc.get(d.id),
            "clusters": sorted(in_clusters.get(d.id, ())),
        })

    n_repeats = len(repeat_clusters)
    params = result.params
    return {
        "title": title,
        "csp": Markup(_CSP),  # noqa: S704 - our own constant, no quote in it
        "css": Markup(HTML_CSS + REPORT_CSS),  # noqa: S704 - our own constant
        "js": Markup(REPORT_JS),  # noqa: S704 - our own constant, hashed in the CSP
        "version": __version__,
        "figures": [
            (len(corpus.documents), "document read", "documents read"),
            (len(corpus.skipped), "input skipped", "inputs skipped"),
            (len({d.outlet for d in corpus.documents}), "outlet", "outlets"),
            (len(found), "story", "stories"),
            (len(views), "cluster shared across outlets", "clusters shared across outlets"),
            (n_repeats, "repeat within one outlet", "repeats within one outlet"),
        ],
        "stories": story_items,
        "stories_cut": cut_note(cap(len(found)), len(found), "story", "stories"),
        "loose": loose,
        "loose_cut": cut_note(len(loose), len(loose_views), "cluster", "clusters"),
        "repeats_cut": cut_note(len(repeats), len(repeat_clusters), "repeat", "repeats"),
        "shown_clusters": shown_clusters,
        "shown_stories": {s["id"] for s in story_items if s["full"]},
        "has_shared": bool(views),
        "repeats": repeats,
        "summary": summary,
        "index": index,
        "documents": documents,
        "n_in_story": len(story_of_doc),
        "skipped": [{"path": s.path, "reason": s.reason} for s in corpus.skipped],
        "params": {
            "threshold": params.threshold,
            "max_gap": params.max_gap,
            "min_evidence": params.min_evidence,
            "num_perm": params.minhash.num_perm,
            "seed": params.minhash.seed,
        },
    }


def render_report_html(
    result: FindResult,
    *,
    title: str = "dedup report",
    show_cosmetic: bool = False,
    views: list[ClusterView] | None = None,
    limit: int | None = None,
) -> str:
    """The whole report as one self-contained HTML page.

    ``views`` (from :func:`dedup.rewording.cluster_views`) can be passed in when the
    caller already has them, to align each cluster once. ``show_cosmetic`` also marks
    edits of quote style, case and spacing. ``limit`` caps the stories, other shared
    clusters and repeats shown in full (largest first; ``None``: all); the tables of
    every story, cluster and document stay complete, and a note says what was cut.

    >>> from dedup.models import Corpus, Document
    >>> from dedup.pipeline import find
    >>> wire = "Officials confirmed the bridge collapse injured forty workers on Monday night."
    >>> docs = (Document("a", wire, "<AP>"), Document("b", "Local news. " + wire, "Post"))
    >>> page = render_report_html(find(Corpus(docs)), title="Bridge")
    >>> page.startswith("<!DOCTYPE html>"), "&lt;AP&gt;" in page, "<AP>" in page
    (True, True, False)
    """
    if views is None:
        views = cluster_views(result)
    context = _context(result, title, show_cosmetic, views, limit)
    return _ENV.get_template("report.html.j2").render(context)
