"""The held-out-like reprint corpus (benchmarks/reprints.py): its text says what its truth
says, every outlet makes every edit, and the story scorer counts what it claims."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.metrics import load_stories, story_scores
from benchmarks.reprints import (
    ReprintCorpus,
    Sentence,
    generate_reprints,
    load_msrp,
    main,
    template_sentences,
)

STORIES, PER_STORY, UNRELATED = 3, 3, 2


@pytest.fixture(scope="module")
def pool() -> list[Sentence]:
    return template_sentences(500, seed=3)


@pytest.fixture(scope="module")
def corpus(pool: list[Sentence]) -> ReprintCorpus:
    return generate_reprints(pool, stories=STORIES, outlets_per_story=PER_STORY,
                             unrelated=UNRELATED, seed=3)


def _texts(c: ReprintCorpus) -> dict[str, str]:
    return {d["id"]: d["text"] for d in c.documents}


def test_counts_roles_and_dates(corpus: ReprintCorpus) -> None:
    roles = [m["role"] for m in corpus.meta]
    assert roles.count("wire") == STORIES and roles.count("unrelated") == UNRELATED
    assert roles.count("version") == STORIES * PER_STORY
    assert len(corpus.documents) == len(corpus.meta) == STORIES * (1 + PER_STORY) + UNRELATED
    meta = {m["id"]: m for m in corpus.meta}
    for m in corpus.meta:
        if m["role"] == "version":
            wire = meta[m["source_doc"]]
            assert wire["role"] == "wire" and wire["story"] == m["story"]
            assert wire["date"] < m["date"]  # ISO 8601, one time zone
            assert m["outlet"] != wire["outlet"]
    outlets = [{m["outlet"] for m in corpus.meta if m["story"] == s and m["role"] == "version"}
               for s in {m["story"] for m in corpus.meta if m["role"] == "wire"}]
    assert all(len(o) == PER_STORY for o in outlets)  # four different outlets a story


def test_truth_offsets_slice_the_text(corpus: ReprintCorpus, pool: list[Sentence]) -> None:
    texts = _texts(corpus)
    paraphrase_of = {s.text: s.paraphrase for s in pool if s.paraphrase}
    kinds = set()
    for r in corpus.truth:
        got, src = (texts[r["doc"]][r["start"]:r["end"]],
                    texts[r["source_doc"]][r["source_start"]:r["source_end"]])
        kinds.add((r["kind"], r["edit"]))
        assert got and got == got.strip()
        if r["edit"] in ("verbatim", "boilerplate"):
            assert got == src
        else:
            assert r["edit"] == "paraphrased" and paraphrase_of[src] == got != src
    assert kinds == {("derived", "verbatim"), ("derived", "paraphrased"),
                     ("boilerplate", "boilerplate")}


def test_every_version_makes_every_edit(corpus: ReprintCorpus) -> None:
    texts = _texts(corpus)
    meta = {m["id"]: m for m in corpus.meta}
    for m in corpus.meta:
        if m["role"] != "version":
            continue
        text, wire = texts[m["id"]], meta[m["source_doc"]]
        wire_sents = [texts[wire["id"]][a:b] for a, b in wire["sentences"]]
        assert "\n\n".join(" ".join(wire_sents[i] for i in p) for p in wire["paragraphs"]
                           ) == texts[wire["id"]]
        assert m["edits"] == ["local-lead", "dropped-paragraph", "trimmed", "paraphrased",
                              "footer"]
        # A local lead paragraph first, printed nowhere else.
        lo, hi = m["lead"]
        assert lo == 0 and text[hi:hi + 2] == "\n\n"
        lead = text[lo:hi]
        assert sum(lead in t for t in texts.values()) == 1
        # A dropped paragraph from the middle, a trimmed end; the rest is kept in order.
        dropped, trimmed, para = set(m["dropped"]), m["trimmed"], m["paraphrased"]
        assert dropped and 0 not in dropped and len(wire_sents) - 1 not in dropped
        assert sorted(dropped) in wire["paragraphs"]
        assert trimmed == list(range(trimmed[0], trimmed[-1] + 1))
        assert trimmed[-1] == len(wire_sents) - 1 or set(range(trimmed[-1] + 1,
                                                               len(wire_sents))) <= dropped
        records = sorted((r for r in corpus.truth if r["doc"] == m["id"]
                          and r["kind"] == "derived"), key=lambda r: r["start"])
        kept = [int(r["group"].split(":")[1]) for r in records]
        assert kept == sorted(set(range(len(wire_sents))) - dropped - set(trimmed))
        for i in dropped | set(trimmed):
            assert wire_sents[i] not in text
        # One sentence paraphrased: its wire wording is gone, the rest verbatim.
        assert [r["edit"] for r in records].count("paraphrased") == 1
        assert para in kept and wire_sents[para] not in text
        # The outlet's footer last, the same under each of its documents.
        fs, fe = m["footer"]
        assert fe == len(text)
        same_outlet = [texts[d] for d, x in meta.items() if x["outlet"] == m["outlet"]]
        assert all(t.endswith(text[fs:fe]) for t in same_outlet)


def test_stories_share_no_word_6gram(corpus: ReprintCorpus) -> None:
    def grams(t: str) -> set[tuple[str, ...]]:
        w = re.findall(r"\w+", t.lower())
        return {tuple(w[i:i + 6]) for i in range(len(w) - 5)}

    texts = _texts(corpus)
    footers = {texts[m["id"]][slice(*m["footer"])] for m in corpus.meta if "footer" in m}
    by_story: dict[str, set[tuple[str, ...]]] = {}
    for m in corpus.meta:
        body = texts[m["id"]]
        for f in footers:
            body = body.replace(f, "")
        by_story.setdefault(m["story"], set()).update(grams(body))
    stories = sorted(by_story)
    for i, a in enumerate(stories):
        for b in stories[i + 1:]:
            assert not by_story[a] & by_story[b], (a, b)


def test_deterministic_and_bounded(pool: list[Sentence]) -> None:
    a = generate_reprints(pool, stories=2, unrelated=1, seed=5)
    b = generate_reprints(pool, stories=2, unrelated=1, seed=5)
    assert a.documents == b.documents and a.truth == b.truth
    assert generate_reprints(pool, stories=2, unrelated=1, seed=6).documents != a.documents
    undated = generate_reprints(pool, stories=1, unrelated=0, seed=5, dated=False)
    assert all("date" not in d for d in undated.documents)
    with pytest.raises(ValueError, match="outlets_per_story"):
        generate_reprints(pool, outlets_per_story=13)
    with pytest.raises(ValueError, match="ran out"):
        generate_reprints(pool[:30], stories=5)


def test_msrp_loader_pairs_paraphrases(tmp_path: Path) -> None:
    rows = ["\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String",
            "1\t1\t2\tThe court ruled on Monday that the  merger may go ahead.\t"
            "On Monday the court said the merger could proceed as planned.",
            "0\t3\t4\tShares of the company fell sharply in early trading today.\t"
            "The company reported a loss for the third quarter in a row.",
            "1\t1\t5\tThe court ruled on Monday that the merger may go ahead.\tA reuse.",
            "1\t6\t7\tToo short.\tAlso short here."]
    path = tmp_path / "msrp.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    got = load_msrp(path)
    assert got == [
        Sentence("The court ruled on Monday that the merger may go ahead.",
                 "On Monday the court said the merger could proceed as planned."),
        Sentence("Shares of the company fell sharply in early trading today."),
    ]


def _perfect(folder: Path) -> tuple[list, list]:
    """One cluster per story holding each document's copied text; wire -> version."""
    clusters: dict[str, list] = {}
    relations = []
    for r in (json.loads(x) for x in open(folder / "truth.jsonl", encoding="utf-8")):
        if r["kind"] == "derived":
            clusters.setdefault(r["story"], []).extend(
                [(r["doc"], r["start"], r["end"]),
                 (r["source_doc"], r["source_start"], r["source_end"])])
            relations.append((r["source_doc"], r["doc"]))
    return ([(s, "cross-document", spans) for s, spans in sorted(clusters.items())],
            sorted(set(relations)))


def test_story_scores_count_what_they_claim(corpus: ReprintCorpus, tmp_path: Path) -> None:
    folder = corpus.write(tmp_path / "c")
    stories, doc_story = load_stories(folder)
    assert len(stories) == STORIES and len(doc_story) == len(corpus.documents)
    verbatim, _ = load_stories(folder, skip_edits=["paraphrased"])
    for st in stories.values():  # each version loses exactly its paraphrased sentence
        for v in st.versions:
            lost = sum(e - s for s, e in st.copied[v]) - sum(
                e - s for s, e in verbatim[st.story].copied[v])
            para = next(r for r in corpus.truth if r["doc"] == v and r["edit"] == "paraphrased")
            assert 0 < lost <= para["end"] - para["start"] + 2
    clusters, relations = _perfect(folder)
    s = story_scores(clusters, relations, stories, doc_story)
    assert (s.whole, s.together, s.mixed_clusters, s.clusters_per_story) == (STORIES,) * 2 + (0, 1)
    assert s.relations == {"true": STORIES * PER_STORY, "found": STORIES * PER_STORY,
                           "direction_correct": STORIES * PER_STORY, "sibling": 0,
                           "spurious": 0, "relations": STORIES * PER_STORY}
    # Split the first story: its last version goes to a cluster of its own with the wire.
    first = stories[clusters[0][0]]
    last = first.versions[-1]
    keep = [x for x in clusters[0][2] if x[0] != last]
    alone = [x for x in clusters[0][2] if x[0] in (last, first.wire)]
    # Mix: one unrelated document's first sentence joins the second story's cluster.
    unrelated = next(m["id"] for m in corpus.meta if m["role"] == "unrelated")
    mixed = [*clusters[1][2], (unrelated, 0, 20)]
    # Trim: the third story's cluster covers only the first half of one version.
    third = stories[clusters[2][0]]
    v = third.versions[0]
    (lo, hi), *_ = third.copied[v]
    half = [x for x in clusters[2][2] if x[0] != v] + [(v, lo, lo + (hi - lo) // 2)]
    bad = [(1, "cross-document", keep), (2, "cross-document", alone),
           (3, "cross-document", mixed), (4, "cross-document", half),
           (5, "within-outlet", [(unrelated, 0, 20), (first.wire, 0, 20)])]
    wrong = [(first.versions[0], first.wire), (first.wire, unrelated),
             (first.versions[0], first.versions[1])]
    s = story_scores(bad, wrong, stories, doc_story)
    per = {p["story"]: p for p in s.per_story}
    assert not per[first.story]["together"] and per[first.story]["clusters"] == 2
    assert per[first.story]["why"].startswith("split over 2 clusters")
    assert per[clusters[1][0]]["whole"]
    assert per[third.story]["together"] and not per[third.story]["whole"]
    assert per[third.story]["coverage"][v] < 0.85 and "below 85%" in per[third.story]["why"]
    assert (s.whole, s.together, s.mixed_clusters) == (1, 2, 1)  # within-outlet not counted
    assert s.relations["found"] == 1 and s.relations["direction_correct"] == 0
    assert (s.relations["sibling"], s.relations["spurious"]) == (1, 1)


def test_cli_scores_a_tiny_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "figures.json"
    code = main(["--stories", "2", "--outlets-per-story", "3", "--unrelated", "2",
                 "--data", str(tmp_path / "missing"), "--json", str(out),
                 "--out", str(tmp_path / "corpus"), "--details"])
    assert code == 0
    text = capsys.readouterr().out
    assert "no MSRP data" in text and "reprints (template)" in text
    figures = json.loads(out.read_text(encoding="utf-8"))
    r = figures["reprints"]
    assert r["corpus"]["source"] == "template" and r["documents"] == 2 * 4 + 2
    assert r["stories"] == 2 and 0 <= r["whole"] <= r["together"] <= 2
    assert 0 <= r["whole_verbatim_only"] <= r["together"]
    assert len(r["per_story"]) == 2 and r["relations"]["true"] == 6
    assert r["relations"]["found"] <= 6 and r["clusters"]["cross-document"] >= 1
    assert (tmp_path / "corpus" / "truth.jsonl").exists()


def test_pool_keeps_one_event_to_one_story() -> None:
    from random import Random

    from benchmarks.reprints import _Pool

    first = Sentence("Zorblat met Quixley in the market square of the old town today.")
    same_event = Sentence("Quixley and Zorblat signed the accord on a Friday evening.")
    stock = Sentence("Staff writer Ann Lee contributed to this report from the capital.")
    stock2 = Sentence("Staff writer Bo Chan contributed to this report.")
    # More of the stock line: its words are common in the pool, not rare.
    others = [Sentence(f"Staff writer {n} contributed to this report.") for n in "CDEF"]
    pool = _Pool([stock2, same_event, stock, first, *others], Random(0))
    pool.plain = [stock2, same_event, stock, first]  # taken from the end
    assert pool.take(2) == [first, stock]
    # Two rare words of another story's sentence: the same event, left out; stock
    # phrasing of common words (no 6-gram) stays.
    assert pool.take(1) == [stock2] and pool.rejected == 1


def test_cli_bad_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    bad = tmp_path / "data" / "msrp"
    bad.mkdir(parents=True)
    (bad / "msr_paraphrase_train.txt").write_bytes(b"Quality\n\xff\xfe not utf-8\n")
    for argv, message in ((["--data", str(tmp_path / "data")], "cannot read"),
                          (["--stories", "-1", "--source", "template"], "must be >= 0"),
                          (["--synthetic", "-3", "--source", "template"], "--synthetic")):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert message in capsys.readouterr().err
