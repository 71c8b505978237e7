"""The ``dedup report`` HTML page: one self-contained file a journalist can open offline.

Everything is inline (CSS, a small script, no fonts, images or links to the network),
and a Content-Security-Policy in the page forbids fetching anything and runs only the
page's own script (by its hash), so even a mistake in escaping could not load or run
anything. All corpus material (ids, outlets, titles, dates, text, skip reasons) goes
through :func:`html.escape`.

The page: corpus figures and every document read or skipped; the per-outlet rewording
summary; an index of clusters (sortable by clicking a column header when scripts run,
a plain table otherwise); a section per shared cluster with its pivot and every other
version aligned to it side by side; and a section listing repeats inside one document
or outlet.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import Counter, defaultdict
from collections.abc import Iterable

from .. import __version__
from ..diffview import HTML_CSS, render_html_fragment
from ..models import Cluster, Document
from ..pipeline import FindResult
from ..rewording import (
    RULE_EARLIEST_DATE,
    ClusterView,
    Rewording,
    Version,
    cluster_views,
    outlet_summary,
    parse_date,
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

_RULE_WHY = {
    RULE_EARLIEST_DATE: "its document has the earliest date among the versions",
    "most complete": "it has the most words (dates are missing, unreadable or equal)",
}
_REPEAT_WHAT = {
    "within-document": "repeated inside one document (often a scraping duplicate: "
    "headline, caption or teaser printed twice)",
    "within-outlet": "repeated across documents of one outlet (boilerplate)",
}


def _e(text: object) -> str:
    return html.escape(str(text))


def _date_label(doc: Document) -> str:
    if not doc.date:
        return "date unknown"
    if parse_date(doc.date) is None:
        return f"{doc.date} (not understood)"
    return doc.date


def _score(view_or_cluster: ClusterView | Cluster) -> tuple[float, float]:
    c = view_or_cluster.cluster if isinstance(view_or_cluster, ClusterView) else view_or_cluster
    scores = [m.score for m in c.pairs] or [c.weakest_link]
    return min(scores), max(scores)


def _range(lo: float, hi: float) -> str:
    return f"{lo:.2f}" if lo == hi else f"{lo:.2f}\u2013{hi:.2f}"


# ---------------------------------------------------------------------- pieces


def _header(result: FindResult, title: str, n_shared: int, n_repeats: int) -> list[str]:
    c = result.corpus
    figures = [
        (len(c.documents), "documents read"),
        (len(c.skipped), "inputs skipped"),
        (len({d.outlet for d in c.documents}), "outlets"),
        (len(result.passages), "passages"),
        (n_shared, "shared across outlets"),
        (n_repeats, "repeats within one outlet"),
    ]
    out = [
        f"<header><h1>{_e(title)}</h1>",
        '<p class="muted">Passages that different outlets share (wire copy), and how '
        "each outlet reworded them.</p>",
        '<ul class="figures">',
    ]
    out += [f"<li><b>{n}</b>{_e(label)}</li>" for n, label in figures]
    out += [
        "</ul>",
        '<nav class="toc">',
        '<a href="#summary">Rewording by outlet</a>',
        '<a href="#index">Clusters</a>',
        '<a href="#repeats">Repeats</a>',
        '<a href="#documents">Documents</a>',
        "</nav></header>",
    ]
    return out


def _summary(views: list[ClusterView]) -> list[str]:
    rows = outlet_summary(views)
    out = [
        '<section id="summary"><h2>Rewording by outlet</h2>',
        '<p class="explain">For each shared cluster one version is taken as the '
        "<b>pivot</b>, the likely wire source: the earliest dated one when every "
        "version has a date, otherwise the most complete (most words). Each other "
        "outlet's version is compared with it, word by word. <b>Kept</b> is the share "
        "of pivot words the outlet printed unchanged (moved ones included); cut, "
        "replaced and moved count pivot words, added counts the outlet's own; the "
        "last three columns count changed numbers, quotations and attributions "
        "(who said it, and how).</p>",
    ]
    if not rows:
        out.append(
            "<p>No material is shared across outlets, so there is nothing to compare.</p></section>"
        )
        return out
    heads = [
        "outlet",
        "versions compared",
        "was pivot",
        "kept",
        "cut",
        "added",
        "replaced",
        "moved",
        "numbers",
        "quotes",
        "attri\u00adbutions",
    ]
    out.append('<div class="scroll"><table class="data sortable" id="summary-table"><thead><tr>')
    for k, h in enumerate(heads):
        cls = "" if k == 0 else ' class="num"'
        kind = "text" if k == 0 else "num"
        out.append(f'<th{cls} data-type="{kind}">{_e(h)}</th>')
    out.append("</tr></thead><tbody>")
    for r in rows:
        cells = summary_cells(r)
        share = r.share_kept
        tds = [
            f'<td class="ids">{_e(cells[0])}</td>',
            f'<td class="num">{_e(cells[1])}</td>',
            f'<td class="num">{_e(cells[2])}</td>',
        ]
        if share is None:
            tds.append('<td class="num" data-sort="-1">\u2014</td>')
        else:
            pct = round(share * 100, 1)
            tds.append(
                f'<td class="num" data-sort="{share}">{_e(cells[3])}'
                f'<span class="bar" aria-hidden="true"><span style="width:{pct}%">'
                "</span></span></td>"
            )
        tds += [f'<td class="num">{_e(v)}</td>' for v in cells[4:]]
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table></div></section>")
    return out


def _index(result: FindResult, views: dict[int, ClusterView]) -> list[str]:
    texts = {d.id: d.text for d in result.corpus.documents}
    out = [
        '<section id="index"><h2>Clusters</h2>',
        '<p class="explain">Every cluster found. Click a column header to sort. '
        "<b>Score</b> is how alike the cluster's versions are (0\u20131, verified "
        "pairs); the <b>weakest link</b> is the lowest score holding it together.</p>",
    ]
    if not result.clusters:
        out.append("<p>No clusters: no passage is shared or repeated.</p></section>")
        return out
    out.append(
        '<div class="scroll"><table class="data sortable" id="cluster-index"><thead><tr>'
        '<th class="num" data-type="num">id</th><th data-type="text">kind</th>'
        '<th data-type="num">outlets</th><th class="num" data-type="num">size</th>'
        '<th class="num" data-type="num">score</th>'
        '<th class="num" data-type="num">weakest link</th>'
        '<th data-type="text">pivot</th><th>opening words</th>'
        "</tr></thead><tbody>"
    )
    for c in result.clusters:
        lo, hi = _score(c)
        first = c.passages[0]
        view = views.get(c.id)
        pivot = _e(view.pivot.outlet) if view else '<span class="muted">\u2014</span>'
        pivot_key = _e(view.pivot.outlet) if view else ""
        text = texts[first.doc][first.start : first.end] if not view else view.pivot.text
        out.append(
            f'<tr><td class="num" data-sort="{c.id}"><a href="#cluster-{c.id}">{c.id}</a></td>'
            f'<td class="nowrap">{_e(c.kind)}</td>'
            f'<td class="ids" data-sort="{len(c.outlets)}">'
            f"{len(c.outlets)}: {_e(', '.join(c.outlets))}</td>"
            f'<td class="num">{len(c.passages)}</td>'
            f'<td class="num" data-sort="{hi}">{_range(lo, hi)}</td>'
            f'<td class="num">{c.weakest_link:.2f}</td>'
            f'<td class="ids" data-sort="{pivot_key}">{pivot}</td>'
            f'<td class="text">{_e(snippet(text, 90))}</td></tr>'
        )
    out.append("</tbody></table></div></section>")
    return out


def _legend() -> str:
    return (
        '<div class="legend"><span>Highlighting:</span><span class="dedup-align">'
        "<del>cut from the pivot</del></span>"
        '<span class="dedup-align"><ins>added by the outlet</ins></span>'
        '<span class="dedup-align"><mark class="replace">replaced</mark></span>'
        '<span class="dedup-align"><span class="move">moved</span></span>'
        '<span class="dedup-align">changed <span class="flag">number</span> '
        '<span class="flag">quote</span> <span class="flag">attribution</span></span>'
        "<span>Click a move label (m1) to jump to the other side.</span></div>"
    )


def _version_label(v: Version) -> str:
    doc = v.document
    where = [doc.id] if doc.id != doc.outlet else []
    where += [_date_label(doc), f"{v.words} words"]
    dot = " \u00b7 "
    return f"<b>{_e(v.outlet)}</b> <small>{_e(dot.join(where))}</small>"


def _chips(r: Rewording) -> str:
    """What the version did to the pivot, as small labels; zero counts left out."""
    s = r.alignment.stats
    share = f" ({r.kept / s.a_words:.0%})" if s.a_words else ""
    items = [("", f"kept {r.kept} of {s.a_words} pivot words{share}")]
    for n, what in ((s.cut, "cut"), (s.added, "added")):
        if n:
            items.append(("", f"{n} {'word' if n == 1 else 'words'} {what}"))
    if s.replaced_a or s.replaced_b:
        items.append(("", f"{s.replaced_a} replaced by {s.replaced_b}"))
    if s.moves:
        items.append(("", f"{s.moved_a} moved in {s.moves} block{'s' if s.moves > 1 else ''}"))
    for n, what in (
        (s.numbers_changed, "number"),
        (s.quotes_changed, "quotation"),
        (s.attributions_changed, "attribution"),
    ):
        if n:
            items.append(("alert", f"{n} {what}{'s' if n > 1 else ''} changed"))
    lis = "".join(
        f'<li class="{cls}">{_e(text)}</li>' if cls else f"<li>{_e(text)}</li>"
        for cls, text in items
    )
    return f'<ul class="chips">{lis}</ul>'


def _cluster_section(view: ClusterView, show_cosmetic: bool) -> list[str]:
    c = view.cluster
    lo, hi = _score(view)
    p = view.pivot
    out = [
        f'<section class="cluster" id="cluster-{c.id}">',
        f'<h3>Cluster {c.id}<span class="kind">{_e(c.kind)}</span> '
        f"<small>{len(c.outlets)} outlets \u00b7 {len(c.passages)} versions</small></h3>",
        '<dl class="meta">',
        f'<dt>Outlets</dt><dd class="ids">{_e(", ".join(c.outlets))}</dd>',
        f"<dt>Score</dt><dd>{_range(lo, hi)} (weakest link {c.weakest_link:.2f})</dd>",
        f"<dt>Pivot</dt><dd>{_version_label(p)}</dd>",
        f"<dt>Chosen by</dt><dd><b>{_e(view.rule)}</b>: "
        f"{_e(_RULE_WHY.get(view.rule, view.rule))}</dd>",
        "</dl>",
        f'<blockquote class="pivot">{_e(p.text)}</blockquote>',
    ]
    for k, r in enumerate(view.others, start=1):
        out += _version_block(view, r, k, show_cosmetic)
    out.append('<p class="back"><a href="#index">\u2191 back to the clusters</a></p>')
    out.append("</section>")
    return out


def _version_block(view: ClusterView, r: Rewording, k: int, show_cosmetic: bool) -> list[str]:
    head = ['<div class="version">', f"<h4>{_version_label(r.version)}</h4>", _chips(r)]
    if not r.alignment.changes(cosmetic=show_cosmetic):
        # a word-for-word copy: two identical columns would only take room
        cosmetic = r.alignment.stats.cosmetic_changes
        note = (
            (
                f"; {cosmetic} cosmetic difference{'s' if cosmetic > 1 else ''} (quote "
                "style, case, spacing or punctuation)"
            )
            if cosmetic
            else ""
        )
        return head + [f'<p class="same">Word for word the same as the pivot{note}.</p>', "</div>"]
    return head + [
        render_html_fragment(
            r.alignment,
            show_cosmetic=show_cosmetic,
            label_a=f"pivot: {view.pivot.outlet}",
            label_b=r.version.outlet,
            id_prefix=f"c{view.cluster.id}-v{k}",
        ),
        "</div>",
    ]


def _repeats(result: FindResult) -> list[str]:
    docs = {d.id: d for d in result.corpus.documents}
    repeats = [c for c in result.clusters if c.kind != "cross-document"]
    out = [
        '<section id="repeats"><h2>Repeats within one outlet</h2>',
        '<p class="explain"><b>within-document</b>: a passage repeated inside one '
        "document, usually a scraping duplicate (a headline, photo caption or teaser "
        "printed twice). <b>within-outlet</b>: repeated across documents of one "
        "outlet (boilerplate). Neither is wire copy, so they are listed, not "
        "compared.</p>",
    ]
    if not repeats:
        out.append("<p>None found.</p></section>")
        return out
    out.append(
        '<div class="scroll"><table class="data repeats"><thead><tr>'
        '<th class="num">cluster</th><th>kind</th><th>outlet</th><th class="num">score</th>'
        "<th>the repeated passages (document \u00b7 characters)</th></tr></thead><tbody>"
    )
    for c in repeats:
        lo, hi = _score(c)
        items = []
        for p in c.passages:
            doc = docs[p.doc]
            items.append(
                f'<li><small class="ids">{_e(doc.id)} \u00b7 {p.start}\u2013{p.end}</small><br>'
                f'<span class="text">{_e(doc.text[p.start : p.end])}</span></li>'
            )
        out.append(
            f'<tr id="cluster-{c.id}"><td class="num">{c.id}</td>'
            f'<td><span class="kind repeat">{_e(c.kind)}</span></td>'
            f'<td class="ids">{_e(", ".join(c.outlets))}</td>'
            f'<td class="num">{_range(lo, hi)}</td>'
            f'<td class="text"><ol>{"".join(items)}</ol></td></tr>'
        )
    out.append("</tbody></table></div></section>")
    return out


def _documents(result: FindResult) -> list[str]:
    corpus = result.corpus
    n_passages = Counter(p.doc for p in result.passages)
    in_clusters: dict[str, set[int]] = defaultdict(set)
    for c in result.clusters:
        for p in c.passages:
            in_clusters[p.doc].add(c.id)
    out = [
        '<section id="documents"><h2>Documents</h2>',
        f'<p class="explain">{len(corpus.documents)} documents read and '
        f"{len(corpus.skipped)} inputs skipped: every input is listed below.</p>",
        '<div class="scroll"><table class="data sortable" id="document-table">'
        "<thead><tr>"
        '<th class="num" data-type="num">#</th><th data-type="text">document</th>'
        '<th data-type="text">outlet</th><th data-type="text">date</th>'
        '<th data-type="text">title</th><th class="num" data-type="num">words</th>'
        '<th class="num" data-type="num">passages</th><th>clusters</th>'
        "</tr></thead><tbody>",
    ]
    none = '<span class="muted">none</span>'
    for i, d in enumerate(corpus.documents, start=1):
        links = ", ".join(
            f'<a href="#cluster-{cid}">{cid}</a>' for cid in sorted(in_clusters.get(d.id, ()))
        )
        parsed = parse_date(d.date)
        date = _e(_date_label(d)) if d.date else '<span class="muted">unknown</span>'
        out.append(
            f'<tr id="doc-{i}"><td class="num">{i}</td><td class="ids">{_e(d.id)}</td>'
            f'<td class="ids">{_e(d.outlet)}</td>'
            f'<td data-sort="{parsed.isoformat() if parsed else ""}">'
            f"{date}</td>"
            f"<td>{_e(d.title or '')}</td>"
            f'<td class="num">{len(d.text.split())}</td>'
            f'<td class="num">{n_passages.get(d.id, 0)}</td>'
            f"<td>{links or none}</td></tr>"
        )
    out.append("</tbody></table></div>")
    out.append('<h3 id="skipped">Skipped inputs</h3>')
    if corpus.skipped:
        out.append(
            '<table class="data" id="skipped-table"><thead><tr><th>input</th>'
            "<th>reason</th></tr></thead><tbody>"
        )
        out += [
            f'<tr><td class="ids">{_e(s.path)}</td><td>{_e(s.reason)}</td></tr>'
            for s in corpus.skipped
        ]
        out.append("</tbody></table>")
    else:
        out.append("<p>None: every input was read.</p>")
    out.append("</section>")
    return out


def _footer(result: FindResult) -> str:
    p = result.params
    return (
        f"<footer>Made by dedup {_e(__version__)}: threshold {p.threshold}, "
        f"passage gap {p.max_gap} sentences, minimum evidence {p.min_evidence}, "
        f"MinHash {p.minhash.num_perm} permutations (seed {p.minhash.seed}). "
        "This page is self-contained and loads nothing from the network.</footer>"
    )


def _page(title: str, body: Iterable[str]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        f"<style>\n{HTML_CSS}{REPORT_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n</main>\n<script>{REPORT_JS}</script>\n</body>\n</html>\n"
    )


def render_report_html(
    result: FindResult,
    *,
    title: str = "dedup report",
    show_cosmetic: bool = False,
    views: list[ClusterView] | None = None,
) -> str:
    """The whole report as one self-contained HTML page.

    ``views`` (from :func:`dedup.rewording.cluster_views`) can be passed in when the
    caller already has them, to align each cluster once. ``show_cosmetic`` also marks
    edits of quote style, case and spacing.

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
    by_id = {v.cluster.id: v for v in views}
    n_repeats = sum(1 for c in result.clusters if c.kind != "cross-document")
    body = _header(result, title, len(views), n_repeats)
    body += _summary(views)
    body += _index(result, by_id)
    body.append('<section id="shared"><h2>Shared clusters</h2>')
    if views:
        body.append(
            '<p class="explain">Each cluster shows its pivot, then every other '
            "outlet's version set beside it.</p>"
        )
        body.append(_legend())
    else:
        body.append("<p>None found.</p>")
    for view in views:
        body += _cluster_section(view, show_cosmetic)
    body.append("</section>")
    body += _repeats(result)
    body += _documents(result)
    body.append(_footer(result))
    return _page(title, body)
