"""The report: pivot choice, per-outlet rewording figures, HTML and Markdown output."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import re
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from dedup import Corpus, Document, FindResult, find, read_corpus
from dedup.models import Skipped
from dedup.relations import Relation
from dedup.report.html import render_report_html
from dedup.report.markdown import inline_diff, render_report_markdown
from dedup.rewording import (
    ELISION,
    RULE_EARLIEST_DATE,
    RULE_MOST_COMPLETE,
    RULE_NEVER_DERIVED,
    ClusterView,
    OutletSummary,
    cluster_views,
    outlet_summary,
    parse_date,
    pct_range,
    stories,
    summary_cells,
    summary_table,
)

# The wire story went out first; the reprints followed on the same day and the next.
# The formats differ on purpose (ISO with zone, ISO without, dd.mm.yy, month name).
DATES = {
    "wire.txt": "2024-06-02T06:15:00Z",
    "verbatim.txt": "2024-06-02 09:30",
    "trimmed.txt": "03.06.24",
    "reworded.txt": "June 2, 2024 14:00",
    "unrelated_same_topic.txt": "2024-06-01",
}
OUTLETS = {
    "wire.txt": "Wire",
    "verbatim.txt": "Verbatim Post",
    "trimmed.txt": "Trimmed Times",
    "reworded.txt": "Reworded Herald",
    "unrelated_same_topic.txt": "Valley Weekly",
}

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_ATTR = '"><img src=x onerror=alert(1)>'


def wire_corpus(wire_dir: Path, dates: dict[str, str | None] | None = None) -> Corpus:
    dates = DATES if dates is None else dates
    corpus = read_corpus([wire_dir])
    docs = tuple(
        dataclasses.replace(d, date=dates.get(d.id), outlet=OUTLETS[d.id]) for d in corpus.documents
    )
    return Corpus(docs, corpus.skipped)


@pytest.fixture(scope="module")
def wire_result() -> FindResult:
    return find(wire_corpus(Path(__file__).parent / "fixtures" / "wire"))


@pytest.fixture(scope="module")
def wire_views(wire_result: FindResult) -> list[ClusterView]:
    return cluster_views(wire_result)


@pytest.fixture(scope="module")
def seeds_result() -> FindResult:
    return find(read_corpus([Path(__file__).resolve().parent.parent / "seeds"]))


def esc(text: str) -> str:
    """Text as the report's templates escape it (Jinja2 autoescape, MarkupSafe)."""
    return str(escape(text))


def pivots(views: list[ClusterView]) -> dict[int, tuple[str, str]]:
    return {v.cluster.id: (v.pivot.document.id, v.rule) for v in views}


# ------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-12-01", datetime(2014, 12, 1)),
        ("2014-12-01T09:30:00Z", datetime(2014, 12, 1, 9, 30)),
        ("2014-12-01T10:30:00+01:00", datetime(2014, 12, 1, 9, 30)),
        ("01.12.14", datetime(2014, 12, 1)),
        ("1.12.2014 08:05", datetime(2014, 12, 1, 8, 5)),
        ("2014/12/01", datetime(2014, 12, 1)),
        ("25/12/2014", datetime(2014, 12, 25)),
        ("12/25/2014", datetime(2014, 12, 25)),
        ("1 December 2014", datetime(2014, 12, 1)),
        ("Dec 1, 2014", datetime(2014, 12, 1)),
        ("Monday, December 1st, 2014", datetime(2014, 12, 1)),
        ("Mon, 01 Dec 2014 10:00:00 +0000", datetime(2014, 12, 1, 10, 0)),
        ("03/04/2014", None),  # 3 April or March 4: unknown rather than a guess
        ("31.02.2014", None),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    assert parse_date(text) == expected


# ------------------------------------------------------------------------ pivots


def test_earliest_date_is_pivot(wire_views: list[ClusterView]) -> None:
    assert len(wire_views) == 1  # the story, with its four versions
    assert len(wire_views[0].others) == 3
    assert set(pivots(wire_views).values()) == {("wire.txt", RULE_EARLIEST_DATE)}


def test_earliest_date_wins_over_more_words(wire_dir: Path) -> None:
    # the reworded story is dated first: it is the pivot wherever it takes part,
    # although other versions have more words
    dates = {**DATES, "reworded.txt": "01.06.24"}
    views = cluster_views(find(wire_corpus(wire_dir, dates)))
    with_reworded = [v for v in views if any(p.doc == "reworded.txt" for p in v.cluster.passages)]
    assert len(with_reworded) == 1
    for v in with_reworded:
        assert (v.pivot.document.id, v.rule) == ("reworded.txt", RULE_EARLIEST_DATE)
    assert any(v.pivot.words < max(r.version.words for r in v.others) for v in with_reworded)


def test_missing_date_falls_back_to_most_complete(wire_dir: Path) -> None:
    dates = {**DATES, "reworded.txt": None}
    views = cluster_views(find(wire_corpus(wire_dir, dates)))
    for v in views:
        has_undated = any(p.doc == "reworded.txt" for p in v.cluster.passages)
        if has_undated:
            assert v.rule == RULE_MOST_COMPLETE
            assert v.pivot.words == max([v.pivot.words] + [r.version.words for r in v.others])
        else:  # only the wire and the verbatim reprint, both dated
            assert (v.pivot.document.id, v.rule) == ("wire.txt", RULE_EARLIEST_DATE)


def test_unparseable_or_equal_dates_fall_back(wire_dir: Path) -> None:
    for dates in ({k: "soon" for k in DATES}, {k: "2024-06-02" for k in DATES}, {}):
        views = cluster_views(find(wire_corpus(wire_dir, dates)))
        assert {v.rule for v in views} == {RULE_MOST_COMPLETE}
        for v in views:
            assert all(v.pivot.words >= r.version.words for r in v.others)


def test_every_other_version_aligned_to_pivot(wire_views: list[ClusterView]) -> None:
    for v in wire_views:
        assert len(v.others) == len(v.cluster.passages) - 1
        for r in v.others:
            al = r.alignment
            assert al.a_span == (v.pivot.start, v.pivot.end)
            assert al.b_span == (r.version.start, r.version.end)
            assert al.stats.a_words == v.pivot.words


def test_seeds_without_dates_use_most_complete(seeds_result: FindResult) -> None:
    views = cluster_views(seeds_result)
    cross = [c for c in seeds_result.clusters if c.kind == "cross-document"]
    assert [v.cluster.id for v in views] == [c.id for c in cross]
    assert {v.rule for v in views} == {RULE_MOST_COMPLETE}


# ----------------------------------------------------------------------- summary


def test_summary_numbers(wire_views: list[ClusterView]) -> None:
    rows = {r.outlet: r for r in outlet_summary(wire_views)}
    assert set(rows) == {"Wire", "Verbatim Post", "Trimmed Times", "Reworded Herald"}
    wire = rows["Wire"]
    assert (wire.versions, wire.pivots, wire.share_kept) == (0, 1, None)
    verbatim = rows["Verbatim Post"]
    # the wire's body word for word; only its headline is reworded ("Thousands flee as
    # Marlow dam breaks"), and extends the passage as shared, re-headlined material
    assert verbatim.versions == 1 and verbatim.share_kept == round(180 / 186, 4)
    assert verbatim.cut == 6 and verbatim.replaced == verbatim.moved == 0
    # its "Read more: Weekend weather warnings for the north" line, mid-story
    assert verbatim.added == 12  # and 4 words of its own headline
    trimmed = rows["Trimmed Times"]
    # the whole story was the pivot: the trimmed reprint kept its first three paragraphs
    assert 0.3 <= trimmed.share_kept < 0.5 and trimmed.cut > 0 and trimmed.added == 0
    reworded = rows["Reworded Herald"]
    assert reworded.share_kept < 0.8
    assert reworded.replaced > 0 and reworded.added > 0
    assert reworded.numbers_changed >= 1  # "At least 12 people" -> "A dozen people"
    assert reworded.attributions_changed >= 1  # "said Helena Brandt" moved and reworded
    for r in rows.values():
        assert r.kept <= r.pivot_words
        assert r.cut + r.replaced <= r.pivot_words
    # every non-pivot version counted once
    assert sum(r.versions for r in rows.values()) == sum(len(v.others) for v in wire_views)
    assert sum(r.pivots for r in rows.values()) == len(wire_views)
    # best kept first, the outlet that was only ever the pivot last
    assert [r.outlet for r in outlet_summary(wire_views)][-1] == "Wire"


def test_summary_table(wire_views: list[ClusterView]) -> None:
    table = summary_table(outlet_summary(wire_views))
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["outlet", "versions", "pivot", "kept"]
    assert "Verbatim Post" in lines[2] and "97% of 186 pivot words" in lines[2]
    assert lines[-1].startswith("Wire")
    assert summary_table([]).splitlines()[0].startswith("outlet")


def test_summary_cells_say_what_they_count() -> None:
    one = OutletSummary("Post", 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0)
    many = OutletSummary("Post", 2, 1, 26, 7, 19, 0, 0, 0, 0, 0, 0)
    assert summary_cells(one)[3] == "100% of 1 pivot word"
    assert summary_cells(many)[3] == "27% of 26 pivot words"
    assert summary_cells(many, compact=True)[3] == "27% of 26"


# ----------------------------------------------------------------------- stories

WIRE_STORY = {"wire.txt", "verbatim.txt", "trimmed.txt", "reworded.txt"}


def test_wire_fixtures_are_one_story(wire_result: FindResult) -> None:
    (story,) = stories(wire_result)
    assert {d.id for d in story.documents} == WIRE_STORY  # not unrelated_same_topic
    assert (story.source.id, story.rule) == ("wire.txt", RULE_NEVER_DERIVED)
    assert [m.role for m in story.members] == ["source", "reprint", "reprint", "reprint"]
    kept = {m.document.id: m.kept for m in story.members}
    assert kept["wire.txt"] is None
    assert kept["verbatim.txt"] > 0.9 and kept["trimmed.txt"] < kept["reworded.txt"] < 0.9
    assert story.kept_range == (kept["trimmed.txt"], kept["verbatim.txt"])
    # every reprint hangs from a document of the story, by one of its relations
    for m in story.members[1:]:
        assert m.via in story.relations and m.via.derived == m.document.id
    # the reworded and trimmed reprints share as much with the verbatim reprint as with
    # the wire, but use more of the wire's words: they hang from the wire
    assert {m.via.source for m in story.members[1:] if m.via} == {"wire.txt"}
    assert set(story.relations) == set(wire_result.relations) and story.links == ()
    cross = [c.id for c in wire_result.clusters if c.kind == "cross-document"]
    assert list(story.clusters) == cross


def test_wire_fixtures_without_dates_are_one_story(wire_dir: Path) -> None:
    result = find(read_corpus([wire_dir]))
    (story,) = stories(result)
    assert {d.id for d in story.documents} == WIRE_STORY
    assert story.rule == RULE_NEVER_DERIVED
    assert story.source.id not in {r.derived for r in result.relations}


def rel(source: str, derived: str, coverage: float, used: float = 0.3) -> Relation:
    verdict = "wholly" if coverage >= 0.48 else "partially"
    return Relation(source, derived, coverage, used, verdict, "earlier date", ())


def with_relations(result: FindResult, *relations: Relation) -> FindResult:
    ordered = sorted(relations, key=lambda r: (-r.coverage, r.derived, r.source))
    return dataclasses.replace(result, relations=tuple(ordered))


def test_a_weak_link_does_not_chain_two_stories(wire_result: FindResult) -> None:
    # two sources, each with a reprint; the trimmed reprint also shares a little with
    # the wire: connected components would make one story of the four
    result = with_relations(
        wire_result,
        rel("wire.txt", "verbatim.txt", 0.9),
        rel("reworded.txt", "trimmed.txt", 0.8),
        rel("wire.txt", "trimmed.txt", 0.2),
    )
    first, second = stories(result)
    assert [d.id for d in first.documents] == ["reworded.txt", "trimmed.txt"]
    assert [d.id for d in second.documents] == ["wire.txt", "verbatim.txt"]
    assert {first.rule, second.rule} == {RULE_NEVER_DERIVED}
    weak = result.relations[-1]
    assert first.links == second.links == (weak,)
    assert weak not in first.relations + second.relations
    # the one cross-document cluster holds two documents of each: the first story
    (cluster,) = (c.id for c in result.clusters if c.kind == "cross-document")
    assert (first.clusters, second.clusters) == ((cluster,), ())


def test_a_circle_of_relations_has_one_source(wire_dir: Path, wire_result: FindResult) -> None:
    circle = (
        rel("wire.txt", "verbatim.txt", 0.9),
        rel("verbatim.txt", "reworded.txt", 0.8),
        rel("reworded.txt", "wire.txt", 0.7),
    )
    (story,) = stories(with_relations(wire_result, *circle))
    assert (story.source.id, story.rule) == ("wire.txt", RULE_EARLIEST_DATE)
    undated = find(wire_corpus(wire_dir, {}))
    (story,) = stories(with_relations(undated, *circle))
    longest = max(story.documents, key=lambda d: len(d.text.split()))
    assert (story.source.id, story.rule) == (longest.id, RULE_MOST_COMPLETE)
    assert sorted(m.role for m in story.members) == ["reprint", "reprint", "source"]


def test_a_source_whose_reprints_took_more_elsewhere(wire_result: FindResult) -> None:
    result = with_relations(
        wire_result,
        rel("wire.txt", "verbatim.txt", 0.9, used=0.95),
        rel("wire.txt", "trimmed.txt", 0.7, used=0.4),
        rel("reworded.txt", "trimmed.txt", 0.3),
    )
    (story,) = stories(result)
    roles = {m.document.id: m.role for m in story.members}
    assert roles == {"wire.txt": "source", "verbatim.txt": "reprint",
                     "trimmed.txt": "reprint", "reworded.txt": "also a source"}
    kept = {m.document.id: m.kept for m in story.members}
    assert kept == {"wire.txt": None, "verbatim.txt": 0.95, "trimmed.txt": 0.4,
                    "reworded.txt": None}
    assert story.kept_range == (0.4, 0.95)


def test_no_relation_no_story(wire_result: FindResult) -> None:
    assert stories(with_relations(wire_result)) == []


# -------------------------------------------------------------------------- HTML


class Elements(HTMLParser):
    """Counts of start tags, attribute names and the text, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attrs: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text += data


def hostile_corpus(wire_dir: Path) -> Corpus:
    """The wire fixture plus an article whose id, outlet, title, date and text carry
    markup, and which reprints a wire paragraph so that its text lands in a cluster."""
    corpus = wire_corpus(wire_dir)
    wire = next(d for d in corpus.documents if d.id == "wire.txt").text
    shared = wire.split("\n\n")[3]  # the Helena Brandt quotation
    evil = Document(
        id=f"evil{HOSTILE_ATTR}.txt",
        text=f"{HOSTILE_SCRIPT} Local view.\n\n{shared} {HOSTILE_SCRIPT}\n\n"
        f"Also {HOSTILE_ATTR} here.\n\n{HOSTILE_SCRIPT}\n\n{HOSTILE_SCRIPT}\n",
        outlet=f"<b>Evil</b>{HOSTILE_ATTR}",
        date=f"{HOSTILE_SCRIPT}",
        title=f"{HOSTILE_SCRIPT}{HOSTILE_ATTR}",
    )
    return Corpus((*corpus.documents, evil), corpus.skipped)


@pytest.fixture(scope="module")
def hostile_result() -> FindResult:
    return find(hostile_corpus(Path(__file__).parent / "fixtures" / "wire"))


def test_html_lists_every_cluster_and_document(
    wire_result: FindResult, seeds_result: FindResult
) -> None:
    for result in (wire_result, seeds_result):
        page = render_report_html(result)
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
        for c in result.clusters:
            assert f'id="cluster-{c.id}"' in page
            assert f'href="#cluster-{c.id}"' in page
        for d in result.corpus.documents:
            assert esc(d.id) in page
        index = page.split('id="cluster-index"', 1)[1].split("</table>", 1)[0]
        assert index.count('<tr id="ci-') == len(result.clusters)
        n = len(result.corpus.documents)
        assert f"<b>{n}</b> documents read" in page


def test_html_sections(wire_result: FindResult, seeds_result: FindResult) -> None:
    page = render_report_html(wire_result, title="Marlow <dam>")
    assert "<title>Marlow &lt;dam&gt;</title>" in page
    anchors = ("stories", "story-1", "shared", "repeats", "summary", "index", "documents",
               "skipped")
    places = [page.index(f'id="{anchor}"') for anchor in anchors]
    assert places == sorted(places)  # stories first, then the rest in this order
    assert "earliest dated" in page
    assert "<del" in page and "<ins" in page and 'class="replace' in page
    assert 'class="flag flag-number"' in page
    # sortable headers: the index sorts by outlets, size and score
    head = page.split('id="cluster-index"', 1)[1].split("</thead>", 1)[0]
    for col in ("outlets", "size", "score"):
        assert re.search(rf'<th[^>]*data-type="(num|text)"[^>]*>{col}</th>', head), col
    # scraping duplicates get their own section
    seeds_page = render_report_html(seeds_result)
    repeats = seeds_page.split('id="repeats"', 1)[1].split('id="documents"', 1)[0]
    for c in seeds_result.clusters:
        if c.kind != "cross-document":
            assert f'id="cluster-{c.id}"' in repeats
    assert "within-document" in repeats


def section(page: str, anchor: str, end: str) -> str:
    return page.split(f'id="{anchor}"', 1)[1].split(f'id="{end}"', 1)[0]


def test_html_story_then_its_clusters(wire_result: FindResult) -> None:
    page = render_report_html(wire_result)
    (story,) = stories(wire_result)
    part = section(page, "story-1", "shared")
    expected = f"printed by 4 outlets, who kept {pct_range(*story.kept_range)} of it"
    assert 'Wire story &ldquo;<span class="title" dir="auto">Floodwaters breach Marlow' in part
    assert expected in part
    assert "<b>never derived</b>" in part
    # the relations, then each cluster with every version aligned to its pivot
    number = {d.id: i for i, d in enumerate(wire_result.corpus.documents, start=1)}
    for r in wire_result.relations:
        row = (f'<a href="#doc-{number[r.derived]}" dir="auto">{r.derived}</a></td>'
               f'<td class="ids"><a href="#doc-{number[r.source]}" dir="auto">{r.source}</a>'
               f'</td><td><span class="verdict {r.verdict}">{r.verdict}</span></td>'
               f'<td class="num">{r.coverage:.0%}</td>')
        assert row in part
    assert part.count('<tr><td class="ids"><a href="#doc-') == 4 + len(wire_result.relations)
    for cid in story.clusters:
        assert f'<section class="cluster" id="cluster-{cid}">' in part
    assert part.count('<table class="dedup-sbs">') + part.count('class="same"') == 3
    assert "None: every shared cluster belongs to a story." in section(page, "shared", "repeats")


def test_html_clusters_in_no_story(seeds_result: FindResult) -> None:
    page = render_report_html(seeds_result)
    found = stories(seeds_result)
    in_story = {cid for s in found for cid in s.clusters}
    loose = section(page, "shared", "repeats")
    stories_part = section(page, "stories", "shared")
    for c in seeds_result.clusters:
        if c.kind != "cross-document":
            continue
        where = stories_part if c.id in in_story else loose
        assert f'<section class="cluster" id="cluster-{c.id}">' in where
    assert len(found) >= 1 and in_story and len(in_story) < 12


def document_rows(page: str) -> list[str]:
    table = page.split('id="document-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr id="doc-\d+">.*?</tr>', table, flags=re.S)


@pytest.mark.parametrize("name", ["wire", "seeds"])
def test_every_document_accounted_for(
    name: str, wire_result: FindResult, seeds_result: FindResult
) -> None:
    result = wire_result if name == "wire" else seeds_result
    found = stories(result)
    story_of = {d.id: s.id for s in found for d in s.documents}
    related = {x for r in result.relations for x in (r.source, r.derived)}
    assert set(story_of) == related  # a document is in a story when in a relation
    page = render_report_html(result)
    rows = document_rows(page)
    assert len(rows) == len(result.corpus.documents)
    md = render_report_markdown(result)
    md_rows = md.split("## Documents", 1)[1].split("### Skipped inputs", 1)[0]
    md_rows = [line for line in md_rows.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(md_rows) == len(result.corpus.documents)
    for row, md_row, d in zip(rows, md_rows, result.corpus.documents, strict=True):
        assert esc(d.id) in row
        sid = story_of.get(d.id)
        story_cell = f'<a href="#story-{sid}">{sid}</a>' if sid else ">none</span>"
        assert story_cell in row
        assert md_row.split(" | ")[-2] == (str(sid) if sid else "none")
        if sid:
            assert f'href="#doc-{rows.index(row) + 1}"' in section(page, f"story-{sid}",
                                                                  "shared")
    if name == "wire":
        unrelated = rows[[d.id for d in result.corpus.documents].index(
            "unrelated_same_topic.txt")]
        assert ">none</span>" in unrelated


URDU = ("بنگلہ دیش کرکٹ ٹیم کے نوجوان سپنر تیج الاسلام نے ڈیبیو ون ڈے میں زمبابوے کے خلاف ہیٹ "
        "ٹرک کرکے نئی تاریخ رقم کر دی، وہ یہ اعزاز حاصل کرنے والے دنیا کے پہلے باؤلر بن گئے "
        "ہیں۔ ان کی شاندار باؤلنگ کی بدولت زمبابوے کی ٹیم محض 128 رنز پر ڈھیر ہوگئی۔")
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
VOID = {"br", "meta", "img", "hr", "input", "link", "wbr"}


class Directions(HTMLParser):
    """Right-to-left text found outside any element with a ``dir`` attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.undirected: list[str] = []
        self.seen = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(any(name == "dir" for name, _ in attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if ARABIC_SCRIPT.search(data):
            self.seen += 1
            if not any(self.stack):
                self.undirected.append(data)


def urdu_result() -> FindResult:
    docs = (
        Document("app-1", f"{URDU}\n\nڈھاکہ سے رپورٹ", "APP", date="2014-12-01",
                 title="بنگلہ دیشی سپنر کی ہیٹ ٹرک"),
        Document("jang-1", f"لاہور سے خبر\n\n{URDU.replace('128', '129')}", "جنگ",
                 date="2014-12-02", title="تیج الاسلام کی تاریخ"),
    )
    return find(Corpus(docs))


def test_text_cells_read_right_to_left() -> None:
    result = urdu_result()
    assert stories(result) and any(c.kind == "cross-document" for c in result.clusters)
    page = render_report_html(result)
    parsed = Directions()
    parsed.feed(page)
    assert parsed.seen > 10  # titles, outlet, story heading, pivot, diff cells, tables
    assert parsed.undirected == []
    assert '<td class="dedup-a" dir="auto">' in page and '<td class="dedup-b" dir="auto">' in page
    assert '<blockquote class="pivot" dir="auto">' in page


PLURAL_NOUNS = ("documents", "inputs", "outlets", "stories", "clusters", "relations",
                "versions", "words", "pivot words", "repeats", "passages", "blocks",
                "numbers", "quotations", "attributions", "cosmetic differences")


def test_one_of_a_kind_is_singular(tmp_path: Path) -> None:
    story = ("The council voted on Thursday to close the Albion Street library by March, "
             "citing a budget gap of almost half a million pounds.\n\nLibrarians said "
             "they would appeal to the county, which funds a third of the service.\n")
    corpus = Corpus((Document("a", story, "A", date="2024-01-01"),
                     Document("b", story.replace("Thursday", "Friday"), "B",
                              date="2024-01-02")),
                    (Skipped("c.txt", "empty"),))
    result = find(corpus)
    assert len(stories(result)) == 1 and len(result.relations) == 1
    page = render_report_html(result)
    parsed = Elements()
    parsed.feed(page)
    md = render_report_markdown(result)
    for text in (parsed.text, md):
        wrong = re.findall(rf"(?<![\d.,])\b1 (?:{'|'.join(PLURAL_NOUNS)})\b", text)
        assert wrong == []
    assert "1 story" in parsed.text and "1 input skipped" in parsed.text
    assert "1 relation between its documents" in parsed.text
    assert "1 story, 1 cluster shared across outlets" in md


def test_html_escapes_corpus_material(hostile_result: FindResult) -> None:
    evil = next(d for d in hostile_result.corpus.documents if d.id.startswith("evil"))
    clustered = [c for c in hostile_result.clusters if any(p.doc == evil.id for p in c.passages)]
    assert any(c.kind == "cross-document" for c in clustered)
    assert any(c.kind == "within-document" for c in clustered)
    page = render_report_html(hostile_result, show_cosmetic=True)
    assert page.count("<script") == 1  # the report's own
    assert "<script>alert" not in page
    # the handler text is there only inside escaped text (either escape style of quotes)
    # the handler is there only as escaped text: the templates escape quotes as &#34;,
    # the diff renderer (html.escape) as &quot;
    rest = page.replace(esc(HOSTILE_ATTR), "").replace(html.escape(HOSTILE_ATTR), "")
    assert "<img" not in page and "onerror=alert" not in rest
    assert "<b>Evil</b>" not in page
    assert esc(HOSTILE_SCRIPT) in page
    assert esc(evil.id) in page and esc(evil.outlet) in page
    assert esc(evil.title or "") in page
    # as a browser parses it: one script element, no image, no event handler, and the
    # hostile strings are text
    parsed = Elements()
    parsed.feed(page)
    assert parsed.tags["script"] == 1 and parsed.tags["img"] == 0
    assert not [a for a in parsed.attrs if a.startswith("on")]
    assert HOSTILE_SCRIPT in parsed.text and HOSTILE_ATTR in parsed.text


def test_hostile_story_source_is_escaped() -> None:
    story = ("The council voted on Thursday to close the Albion Street library by March, "
             "citing a budget gap of almost half a million pounds.\n\nLibrarians said "
             "they would appeal to the county, which funds a third of the service.\n")
    source = Document(f"src{HOSTILE_ATTR}", f"{HOSTILE_SCRIPT}\n\n{story}", HOSTILE_SCRIPT,
                      date="2024-01-01", title=f"{HOSTILE_SCRIPT}{HOSTILE_ATTR}")
    reprint = Document("b", "Local news\n\n" + story, "B", date="2024-01-02")
    result = find(Corpus((source, reprint)))
    (found,) = stories(result)
    assert found.source.id == source.id
    page = render_report_html(result)
    part = section(page, "stories", "shared")
    assert esc(f"{HOSTILE_SCRIPT}{HOSTILE_ATTR}") in part  # the title, in the index and heading
    assert esc(source.id) in part
    parsed = Elements()
    parsed.feed(page)
    assert parsed.tags["script"] == 1 and parsed.tags["img"] == 0
    md = render_report_markdown(result)
    assert "<script" not in md and "<img" not in md


def test_html_loads_nothing_from_the_network(
    wire_result: FindResult, hostile_result: FindResult
) -> None:
    for result in (wire_result, hostile_result):
        page = render_report_html(result)
        assert not re.search(r"\bsrc\s*=", page.replace("src=x", ""))
        for href in re.findall(r'href="([^"]*)"', page):
            assert href.startswith("#"), href
        assert "@import" not in page and "url(" not in page and "@font-face" not in page
    page = render_report_html(wire_result)
    assert "http://" not in page and "https://" not in page


def test_html_script_allowed_by_its_own_policy(wire_result: FindResult) -> None:
    page = render_report_html(wire_result)
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp and f"'sha256-{digest}'" in csp.group(1)
    assert "default-src 'none'" in csp.group(1)
    assert 'document.body.dataset.ready = "1"' in script


def test_two_files_sharing_a_paragraph(tmp_path: Path) -> None:
    shared = (
        "Rescue teams pulled eleven miners from the flooded Karsten shaft early on "
        "Thursday, the regional mining authority said, after a twenty-hour operation "
        "that officials described as the most difficult in a decade."
    )
    (tmp_path / "gazette.txt").write_text(
        "Relief in the valley.\n\nFamilies waited through the night at the gates.\n\n"
        f"{shared}\n\nThe mine had been inspected in March.\n",
        encoding="utf-8",
    )
    (tmp_path / "courier.txt").write_text(
        "Mine rescue ends.\n\nThe council will meet on Monday to discuss the closure.\n\n"
        f"{shared}\n",
        encoding="utf-8",
    )
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    result = find(read_corpus([tmp_path]))
    assert [c.kind for c in result.clusters] == ["cross-document"]
    page = render_report_html(result)
    assert esc(shared) in page
    # the skipped input is listed with its reason
    skipped = page.split('id="skipped"', 1)[1]
    assert "empty.txt" in skipped and esc(result.corpus.skipped[0].reason) in skipped
    md = render_report_markdown(result)
    assert shared in md
    assert "empty.txt" in md


def test_no_shared_material(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "The council approved a new budget for the library.", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text(
        "A late goal settled the derby in front of a full stadium.", encoding="utf-8"
    )
    result = find(read_corpus([tmp_path]))
    assert result.clusters == ()
    page = render_report_html(result)
    assert "No clusters" in page and "a.txt" in page and "b.txt" in page
    md = render_report_markdown(result)
    assert "No clusters" in md and "nothing to compare" in md


def test_html_anchors_unique_and_resolved(
    wire_result: FindResult, seeds_result: FindResult
) -> None:
    # moves link across columns (#c3-v1-m1-b); every link needs exactly one target
    for result in (wire_result, seeds_result):
        page = render_report_html(result)
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids))
        for href in set(re.findall(r'href="#([^"]*)"', page)):
            assert href in ids, href


def test_html_is_deterministic(wire_result: FindResult) -> None:
    assert render_report_html(wire_result) == render_report_html(wire_result)


def test_show_cosmetic(wire_result: FindResult) -> None:
    # the verbatim reprint has curly quotes where the wire has straight ones
    assert 'class="cosmetic"' not in render_report_html(wire_result)
    assert 'class="cosmetic"' in render_report_html(wire_result, show_cosmetic=True)


# ---------------------------------------------------------------------- Markdown


def table_widths(md: str) -> list[set[int]]:
    """Cell counts of each Markdown table's rows (escaped pipes are not separators)."""
    tables: list[set[int]] = []
    in_table = False
    for line in md.splitlines():
        if line.startswith("|"):
            cells = len(re.findall(r"(?<!\\)\|", line)) - 1
            if not in_table:
                tables.append(set())
            tables[-1].add(cells)
            in_table = True
        else:
            in_table = False
    return tables


def test_markdown_renders(wire_result: FindResult, wire_views: list[ClusterView]) -> None:
    md = render_report_markdown(wire_result, title="Marlow dam", views=wire_views)
    assert md.startswith("# Marlow dam\n")
    headings = (
        "## Stories",
        "### Story 1\n",
        "## Other shared clusters",
        "## Repeats within one outlet",
        "## Rewording by outlet",
        "## All clusters",
        "## Documents",
    )
    places = [md.index(h) for h in headings]
    assert places == sorted(places)  # stories first, documents last
    for c in wire_result.clusters:
        assert f"### Cluster {c.id}\n" in md
    for d in wire_result.corpus.documents:
        assert d.id.replace("_", "\\_") in md
    assert "| Verbatim Post | 1 | 0 | 97% of 186 pivot words |" in md
    # pivot text quoted, reworded versions marked
    assert "> Floodwaters breach Marlow dam" in md
    assert "~~" in md and "**" in md and "`!number`" in md
    assert all(len(widths) == 1 for widths in table_widths(md))


def test_markdown_marks_cut_and_added(wire_views: list[ClusterView]) -> None:
    view = next(v for v in wire_views if "At least 12 people" in v.pivot.text)
    reworded = next(r for r in view.others if r.version.document.id == "reworded.txt")
    diff = inline_diff(reworded.alignment)
    assert "~~At least 12 people were taken~~ **A dozen people went** `!number`" in diff
    assert "Osterby." in diff


def test_markdown_escapes_corpus_material(hostile_result: FindResult) -> None:
    md = render_report_markdown(hostile_result)
    assert "<script" not in md and "<img" not in md and "<b>" not in md
    assert "&lt;script&gt;" in md
    assert all(len(widths) == 1 for widths in table_widths(md))


def test_word_for_word_versions_are_said_to_be_so(tmp_path: Path) -> None:
    story = ("The council voted on Thursday to close the Albion Street library by March, "
             "citing a budget gap of almost half a million pounds.\n\nLibrarians said "
             "they would appeal to the county, which funds a third of the service.\n")
    corpus = Corpus((Document("a", story, "A", date="2024-01-01"),
                     Document("b", "Local news\n\n" + story, "B", date="2024-01-02")))
    result = find(corpus)
    (view,) = cluster_views(result)
    assert view.pivot.document.id == "a"
    assert "Word for word the same as the pivot" in render_report_html(result)
    assert "Word for word the same as the pivot." in render_report_markdown(result)


def _broken_links(page: str) -> set[str]:
    targets = set(re.findall(r'\bid="([^"]+)"', page))
    return {h for h in re.findall(r'href="#([^"]+)"', page) if h not in targets}


@pytest.mark.parametrize("limit", [None, 1, 0])
def test_html_limit_shows_the_largest_in_full_and_keeps_every_link(
    seeds_result: FindResult, limit: int | None
) -> None:
    """At scale the report shows the first stories, clusters and repeats in full and
    lists the rest: every cluster and document stays in the tables, a note says what
    was cut, and no internal link points at a section that is not there."""
    page = render_report_html(seeds_result, limit=limit)
    assert _broken_links(page) == set()
    index = page.split('id="cluster-index"', 1)[1].split("</table>", 1)[0]
    assert index.count('<tr id="ci-') == len(seeds_result.clusters)
    for d in seeds_result.corpus.documents:
        assert esc(d.id) in page
    full = page.count('<section class="cluster"') + page.count('<tr id="cluster-')
    if limit is None:
        assert "Showing the first" not in page
        assert full == len(seeds_result.clusters)
    else:
        assert "Showing the first" in page
        assert full < len(seeds_result.clusters)
        assert page.count('<section class="story"') <= limit


def test_markdown_limit_notes_the_cut(seeds_result: FindResult) -> None:
    whole = render_report_markdown(seeds_result)
    cut = render_report_markdown(seeds_result, limit=1)
    assert "Showing the first" not in whole
    assert "Showing the first 1 of" in cut and len(cut) < len(whole)
    for c in seeds_result.clusters:  # the index table keeps every cluster
        assert f"\n| {c.id} | {c.kind} |" in cut


def test_a_repeat_in_many_documents_lists_its_first_passages() -> None:
    """Boilerplate printed in 25 documents of one outlet is one repeat; the reports list
    20 of its passages and say how many more there are."""
    footer = "Sign up for our morning newsletter to get the day's headlines in your inbox."
    topics = ["harbour", "council", "orchard", "stadium", "railway"]
    docs = tuple(
        Document(f"post-{i}", f"Story {i} about the {topics[i % 5]} number {i * 7919}. "
                 f"Reporters counted {i} visitors there on day {i}.\n\n{footer}", "Post")
        for i in range(25)
    )
    result = find(Corpus(docs))
    (rep,) = [c for c in result.clusters if c.kind == "within-outlet"]
    assert len(rep.passages) == 25
    page = render_report_html(result)
    assert "and 5 more passages of this repeat" in page
    md = render_report_markdown(result)
    assert "and 5 more passages of this repeat" in md


def test_passages_far_apart_are_shown_as_pieces_not_the_article_between(
    seeds_result: FindResult,
) -> None:
    """A version made of a sentence near the top of an article and one near its end is
    shown (and aligned) as those two pieces with an elision mark between them, not as
    the whole article from one to the other."""
    views = cluster_views(seeds_result)
    split = [(view, v) for view in views
             for v in (view.pivot, *(r.version for r in view.others)) if len(v.pieces) > 1]
    assert split, "the seeds have a version split across their article"
    for view, v in split:
        assert v.text.count(ELISION) == len(v.pieces) - 1
        between = v.document.text[v.pieces[0][1]:v.pieces[1][0]].strip()
        assert between and between not in v.text
        for r in view.others:
            shown = r.alignment.a if v is view.pivot else r.alignment.b
            if v is view.pivot or r.version is v:
                assert between not in shown
    for view in views:  # a version in one piece is aligned in place, in its document
        for r in view.others:
            if len(r.version.pieces) == 1:
                assert r.alignment.b is r.version.document.text
                assert r.alignment.b_span == r.version.pieces[0]


def test_cluster_views_report_alignment_progress(seeds_result: FindResult) -> None:
    heard: list[tuple[str, int, int]] = []
    views = cluster_views(seeds_result, progress=lambda s, d, t: heard.append((s, d, t)))
    n = sum(len(v.others) for v in views)
    assert n and heard and heard[-1] == ("align", n, n)
    assert all(s == "align" and 0 < d <= t == n for s, d, t in heard)
