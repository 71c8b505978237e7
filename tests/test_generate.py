"""The synthetic wire-corpus generator: determinism, exact sizes, truth that slices true."""

from __future__ import annotations

import doctest
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks import generate as generate_module
from benchmarks.generate import (
    GeneratedCorpus,
    background_rate,
    corpus_background_rate,
    generate,
    main,
    ngrams,
    sentence_overlap,
)

FILES = ("documents.jsonl", "truth.jsonl", "docs_meta.jsonl", "summary.json")
ROOT = Path(__file__).resolve().parents[1]
# Typography an outlet may change without changing a word.
_FOLD = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'",
                       "\u2014": "-", "\u2013": "-", "\u00a0": " "})


def _fold(s: str) -> str:
    return "".join(s.translate(_FOLD).replace("--", "-").split())


@pytest.fixture(scope="module")
def corpus() -> GeneratedCorpus:
    return generate(400, seed=7)


@pytest.fixture(scope="module")
def docs(corpus: GeneratedCorpus) -> dict[str, dict[str, Any]]:
    assert corpus.documents is not None
    return {d["id"]: d for d in corpus.documents}


@pytest.fixture(scope="module")
def meta(corpus: GeneratedCorpus) -> dict[str, dict[str, Any]]:
    assert corpus.meta is not None
    return {m["id"]: m for m in corpus.meta}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    generate(120, seed=3, out_dir=tmp_path / "a")
    generate(120, seed=3, out_dir=tmp_path / "b")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_same_seed_gives_the_same_files_in_any_process(tmp_path: Path) -> None:
    # The 6-gram registry hashes words: a salted str hash would make the redraws, and so
    # the corpus, differ between interpreter runs.
    generate(150, seed=5, out_dir=tmp_path / "here")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "benchmarks.generate", "--docs", "150", "--seed",
                    "5", "--out", str(tmp_path / "there")],
                   check=True, cwd=ROOT, env=env, capture_output=True)
    for name in FILES:
        assert (tmp_path / "here" / name).read_bytes() == \
            (tmp_path / "there" / name).read_bytes(), name


def test_different_seed_gives_different_corpus(tmp_path: Path) -> None:
    generate(120, seed=3, out_dir=tmp_path / "a")
    generate(120, seed=4, out_dir=tmp_path / "b")
    for name in ("documents.jsonl", "truth.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()


def test_files_hold_what_memory_returns(tmp_path: Path) -> None:
    mem = generate(80, seed=9)
    disk = generate(80, seed=9, out_dir=tmp_path)
    assert disk.documents is None and disk.documents_path == tmp_path / "documents.jsonl"
    for path, records in ((disk.documents_path, mem.documents), (disk.truth_path, mem.truth),
                          (disk.meta_path, mem.meta)):
        assert path is not None
        lines = path.read_text(encoding="utf-8").splitlines()
        assert [json.loads(x) for x in lines] == records
    assert disk.bytes_written > 0 and (disk.n_truth, disk.roles) == (mem.n_truth, mem.roles)


@pytest.mark.parametrize("n", [0, 1, 2, 7, 333])
def test_n_docs_is_exact(n: int) -> None:
    c = generate(n, seed=n)
    assert c.documents is not None and c.meta is not None
    assert len(c.documents) == c.n_docs == sum(c.roles.values()) == n
    assert len({d["id"] for d in c.documents}) == n
    assert [d["id"] for d in c.documents] == [m["id"] for m in c.meta]


def test_every_truth_span_slices_to_its_text(corpus: GeneratedCorpus, docs: dict, meta: dict
                                             ) -> None:
    assert corpus.truth
    for t in corpus.truth:
        text = docs[t["doc"]]["text"][t["start"]: t["end"]]
        source = docs[t["source_doc"]]["text"][t["source_start"]: t["source_end"]]
        assert text and text == text.strip() and "\n" not in text, t
        assert source and "\n" not in source, t
        if t["edit"] in ("verbatim", "reordered", "duplicate", "boilerplate"):
            assert text == source, t
        elif t["edit"] in ("typography", "case+typography", "case"):
            assert _fold(text).lower() == _fold(source).lower(), t
        else:
            assert text != source, t
        if t["kind"] == "derived":
            assert meta[t["source_doc"]]["role"] == "wire"
            assert meta[t["doc"]]["story"] == meta[t["source_doc"]]["story"] == t["story"]
            assert meta[t["doc"]]["date"] > meta[t["source_doc"]]["date"]
        elif t["kind"] == "duplicate":
            assert t["doc"] == t["source_doc"] and t["start"] > t["source_end"]


def test_documents_are_laid_out_as_promised(corpus: GeneratedCorpus) -> None:
    assert corpus.documents
    for d in corpus.documents:
        head, _, body = d["text"].partition("\n\n")
        assert head == d["title"] and body
        assert "\n\n\n" not in d["text"]
        assert all(p == p.strip() and p for p in body.split("\n\n"))
        assert re.fullmatch(r"2024-\d\d-\d\dT\d\d:\d\d:00\+00:00|2025-01-0\dT.*", d["date"])


def test_roles_and_meta_link_up(meta: dict, corpus: GeneratedCorpus) -> None:
    roles = Counter(m["role"] for m in meta.values())
    assert set(roles) == {"wire", "version", "unrelated", "hard-negative"}
    for m in meta.values():
        if m["role"] == "version":
            assert meta[m["source_doc"]]["role"] == "wire"
            assert meta[m["source_doc"]]["story"] == m["story"]
        if m["role"] == "hard-negative":
            assert m["related_story"] and m["related_story"] != m["story"]
    stories = Counter(m["story"] for m in meta.values())
    assert max(stories.values()) <= 9  # a wire copy and at most eight versions
    assert corpus.n_stories == len(stories)


def test_outlets_make_the_edits_outlets_make(corpus: GeneratedCorpus, meta: dict) -> None:
    assert corpus.truth
    labels = {x for t in corpus.truth for x in t["edit"].split("+")}
    assert {"verbatim", "typography", "substituted", "number", "attribution", "reordered",
            "shortened", "case", "duplicate", "boilerplate"} <= labels
    assert {t["kind"] for t in corpus.truth} == {"derived", "duplicate", "boilerplate"}
    doc_edits = {e for m in meta.values() for e in m["edits"]}
    assert {"trimmed", "local-lead", "headline-rewritten", "dateline", "captions",
            "caption-duplicated", "boilerplate", "typography", "reordered"} <= doc_edits


def test_realistic_typography(corpus: GeneratedCorpus) -> None:
    assert corpus.documents
    text = "\n".join(d["text"] for d in corpus.documents)
    for mark in ("\u201c", "\u2019", "\u00a0", "\u2013", " -- ", "\u2014", "(Photo: ",
                 "Related Posts", "Sign up for our newsletter"):
        assert mark in text, mark
    assert re.search(r"^[A-Z][A-Z .'-]+, [A-Z][\w ]+ (\u2014|\u2013|--) [A-Z]", text, re.M)
    titles = [d["title"] for d in corpus.documents]
    small = {"a", "an", "the", "and", "of", "to", "in", "on", "for", "as", "amid", "by", "at",
             "over", "after", "with", "from"}
    assert any(t.isupper() for t in titles)
    assert any(not t.isupper() and len(t.split()) >= 4
               and all(w[0].isupper() or w in small for w in t.split()) for t in titles)


def test_wire_stories_have_news_length(docs: dict, meta: dict) -> None:
    wires = [m for m in meta.values() if m["role"] == "wire"]
    assert wires
    for m in wires:
        paragraphs = docs[m["id"]]["text"].split("\n\n")[1:]
        assert 10 <= len(paragraphs) <= 25
        assert 380 <= m["words"] <= 720, m


def test_versions_vary_in_number(meta: dict) -> None:
    per_story = Counter(m["story"] for m in meta.values() if m["role"] in ("wire", "version"))
    counts = set(per_story.values())
    assert 1 in counts and len(counts) >= 5  # unique wire stories and many-version ones


def test_hard_negatives_share_topic_not_text(docs: dict, meta: dict) -> None:
    wire_of = {m["story"]: d for d, m in meta.items() if m["role"] == "wire"}
    pairs = [(d, wire_of[m["related_story"]]) for d, m in meta.items()
             if m["role"] == "hard-negative"]
    assert len(pairs) >= 5
    for hard, wire in pairs:
        a, b = docs[hard]["text"], docs[wire]["text"]
        words_a, words_b = set(re.findall(r"[A-Z]\w+", a)), set(re.findall(r"[A-Z]\w+", b))
        assert len(words_a & words_b) >= 3  # the same people, places, organisations
        assert ngrams(a, 8).isdisjoint(ngrams(b, 8))


def test_background_rate_is_small() -> None:
    rate = corpus_background_rate(generate(500, seed=11), max_docs=500, pairs=800)
    assert rate.pairs == 800
    assert rate.share_8gram <= 0.02
    assert rate.share_5gram <= 0.4
    assert rate.mean_jaccard_5 < 0.002
    assert rate.hard_pairs > 0 and rate.hard_share_8gram == 0.0
    assert rate.hard_mean_jaccard_5 > rate.mean_jaccard_5


def test_stories_share_no_sentence_material(tmp_path: Path) -> None:
    """No content sentence shares a word 6-gram with a sentence of another story (the
    generator draws such sentences again; any it has to keep are counted and reported)."""
    c = generate(500, seed=11, out_dir=tmp_path)
    rate = corpus_background_rate(c, max_docs=500, pairs=200)
    assert rate.docs == 500 and rate.sentences > 10_000
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["fresh_failures"] == c.fresh_failures == 0
    assert rate.shared_sentences == 0 and rate.share_sentences == 0.0


def test_sentence_overlap_counts_other_stories_only() -> None:
    shared = ("Education experts condemned the literacy programme, saying that pass rates "
              "had recovered last March.")
    docs = [
        ("s1", f"Schools row\nBERLIN, Germany \u2014 {shared} Nothing else is alike here."),
        ("s1", f"Schools row\n{shared}"),  # a version of the same story: not counted
        ("s2", "Another row\nEducation experts attacked the literacy programme, saying that "
               "pass rates had slipped last August."),
        ("s3", "Third story\nUnrelated words only in this one sentence."),
        # Outlets' datelines are cut off: "berlin germany police said nothing" is no match.
        ("s4", "Fourth\nBERLIN, Germany \u2014 Police said nothing."),
        ("s5", "Fifth\nBERLIN, Germany -- Police said nothing more."),
    ]
    # 13 sentences (headlines included); the shared one in both s1 documents and the s2
    # sentence have "the literacy programme saying that pass".
    assert sentence_overlap(docs) == (13, 3)
    assert sentence_overlap(docs[:2]) == (5, 0)


def test_background_rate_reads_files_like_memory(tmp_path: Path) -> None:
    mem = corpus_background_rate(generate(80, seed=2), max_docs=60, pairs=100)
    generate(80, seed=2, out_dir=tmp_path)
    disk = corpus_background_rate(tmp_path, max_docs=60, pairs=100)
    assert mem.pairs == 100 and mem.docs == 60 and mem.sentences > 1000
    assert mem == disk


def test_background_rate_on_hand_made_texts() -> None:
    r = background_rate(["one two three four five six seven eight nine",
                         "one two three four five six seven eight",
                         "ten eleven twelve thirteen fourteen"])
    assert r.pairs == 3
    assert r.share_5gram == pytest.approx(1 / 3)
    assert r.share_8gram == pytest.approx(1 / 3)
    # 5 and 4 five-grams, 4 shared: Jaccard 4/5 for one pair, 0 for the others.
    assert r.mean_jaccard_5 == pytest.approx(0.8 / 3)


def test_base_corpus_supplies_the_wire_text(tmp_path: Path, seeds_dir: Path) -> None:
    base = tmp_path / "base.jsonl"
    with open(base, "w", encoding="utf-8") as f:
        for p in sorted(seeds_dir.glob("*.txt")):
            f.write(json.dumps({"text": p.read_text(encoding="utf-8")}) + "\n")
    c = generate(30, seed=1, base_corpus=base)
    assert c.documents and c.meta and c.truth
    first = c.documents[0]
    assert c.meta[0]["topic"] == "base" and "North Korean" in first["text"]
    docs = {d["id"]: d["text"] for d in c.documents}
    for t in c.truth:
        if t["edit"] == "verbatim":
            assert docs[t["doc"]][t["start"]: t["end"]] == \
                docs[t["source_doc"]][t["source_start"]: t["source_end"]]


def test_bad_parameters_name_the_bound() -> None:
    with pytest.raises(ValueError, match="n_docs must be an integer >= 0"):
        generate(-1)
    with pytest.raises(ValueError, match=r"unrelated_rate must be in \[0.0, 1.0\]"):
        generate(5, unrelated_rate=1.5)
    with pytest.raises(ValueError, match="max_versions must be in"):
        generate(5, max_versions=100, n_outlets=10)


def test_cli_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--docs", "40", "--seed", "2", "--out", str(tmp_path), "--background"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("40 documents (wire ") and "background over" in out
    assert "\n0 sentences kept that share a word 6-gram with another story" in out
    assert re.search(r"sentences \(40 documents\): 0 of \d+ content sentences", out)
    assert all((tmp_path / name).exists() for name in FILES)
    assert len((tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()) == 40
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_docs"] == 40 and summary["seed"] == 2


def test_cli_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--docs", "-3", "--out", str(tmp_path)]) == 1
    assert "n_docs must be" in capsys.readouterr().err


def test_docstring_examples() -> None:
    assert doctest.testmod(generate_module).failed == 0
