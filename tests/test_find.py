"""find() on small named fixtures, the seeds, and generated documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import Corpus, Document, FindParams, MinHashParams, find, read_corpus
from dedup.report.jsonout import dumps, result_to_dict


def _clusters_by_docs(result):
    return [sorted({p.doc for p in c.passages}) for c in result.clusters
            if c.kind == "cross-document"]


def _texts(result):
    return {d.id: d.text for d in result.corpus.documents}


def _pairs_of(result, a: str, b: str) -> list[tuple[str, str]]:
    """(text in a, text in b) for every cross-document cluster holding both docs."""
    texts = _texts(result)
    out = []
    for c in result.clusters:
        pa = [p for p in c.passages if p.doc == a]
        pb = [p for p in c.passages if p.doc == b]
        if pa and pb and c.kind == "cross-document":
            out.append((texts[a][pa[0].start:pa[0].end], texts[b][pb[0].start:pb[0].end]))
    return out


def _sentence_pairs(result, a: str, b: str) -> list[tuple[str, str]]:
    """(sentence of a, sentence of b) for every verified sentence match between them."""
    texts = _texts(result)
    out = []
    for i, j in result.sentence_pairs.tolist():
        p, q = result.passages[i], result.passages[j]
        if (p.doc, q.doc) == (b, a):
            p, q = q, p
        if (p.doc, q.doc) == (a, b):
            out.append((texts[a][p.start:p.end], texts[b][q.start:q.end]))
    return out


def _cross(result):
    return [c for c in result.clusters if c.kind == "cross-document"]


def test_verbatim_reprint_is_one_passage_in_one_cluster(wire_dir: Path) -> None:
    result = find(read_corpus([wire_dir / "wire.txt", wire_dir / "verbatim.txt"]))
    # 7 body paragraphs, one of them two sentences, each matched; the headlines differ.
    assert len(_sentence_pairs(result, "wire.txt", "verbatim.txt")) == 8
    (cluster,) = _cross(result)
    assert cluster.weakest_link == 1.0
    texts = _texts(result)
    (wire,) = [p for p in cluster.passages if p.doc == "wire.txt"]
    (copy,) = [p for p in cluster.passages if p.doc == "verbatim.txt"]
    # the reworded headline ("Thousands flee as Marlow dam breaks") extends the passage
    assert texts["wire.txt"][wire.start:wire.end].startswith("Floodwaters breach Marlow dam")
    assert texts["wire.txt"][wire.end:].strip() == ""
    assert texts["verbatim.txt"][copy.start:copy.end].endswith("delayed.")
    (rel,) = result.relations
    assert rel.verdict == "wholly" and rel.coverage > 0.9 and rel.clusters == (cluster.id,)


def test_trimmed_reprint_with_a_local_lead_is_one_cluster(wire_dir: Path) -> None:
    result = find(read_corpus([wire_dir / "wire.txt", wire_dir / "trimmed.txt"]))
    assert len(_sentence_pairs(result, "wire.txt", "trimmed.txt")) == 3
    (cluster,) = _cross(result)
    texts = _texts(result)
    (kept,) = [texts[p.doc][p.start:p.end] for p in cluster.passages if p.doc == "trimmed.txt"]
    assert kept.startswith("Engineers scrambled") and kept.endswith("chief engineer.")
    assert "Hollin Cross" not in kept  # the local lead is theirs
    (wire,) = [texts[p.doc][p.start:p.end] for p in cluster.passages if p.doc == "wire.txt"]
    assert wire.startswith("MARLOW VALLEY") and wire.endswith("chief engineer.")
    (rel,) = result.relations
    assert (rel.source, rel.derived) == ("wire.txt", "trimmed.txt")
    assert rel.coverage > rel.source_coverage


def test_reworded_version_matches_its_counterparts(wire_dir: Path) -> None:
    result = find(read_corpus([wire_dir / "wire.txt", wire_dir / "reworded.txt"]))
    pairs = _sentence_pairs(result, "wire.txt", "reworded.txt")
    starts = {(a[:12], b[:12]) for a, b in pairs}
    assert ("MARLOW VALLE", "Emergency en") in starts
    assert ("The regional", "The spillway") in starts
    assert ("At least 12 ", "A dozen peop") in starts
    assert ("The dam, com", "The dam, whi") in starts
    # Nothing reworded is matched to the wrong sentence.
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs})
    # ... and the matched sentences make one passage each side.
    (cluster,) = _cross(result)
    assert sorted(p.doc for p in cluster.passages) == ["reworded.txt", "wire.txt"]


def test_every_version_of_the_story_is_one_cluster(wire_dir: Path) -> None:
    result = find(read_corpus([wire_dir]))
    assert _clusters_by_docs(result) == [
        ["reworded.txt", "trimmed.txt", "verbatim.txt", "wire.txt"]]
    assert not any("unrelated_same_topic.txt" in (r.source, r.derived) for r in result.relations)


def test_passages_of_a_document_are_apart_and_in_text_order(wire_dir: Path,
                                                            seeds_dir: Path) -> None:
    for path in (wire_dir, seeds_dir):
        result = find(read_corpus([path]))
        order = {d.id: k for k, d in enumerate(result.corpus.documents)}
        for c in result.clusters:
            keys = [(order[p.doc], p.start, p.end) for p in c.passages]
            assert keys == sorted(keys)
            for x, y in zip(keys, keys[1:], strict=False):
                assert x[0] != y[0] or x[2] < y[1]
            assert c.weakest_link == min(m.score for m in c.pairs)


def test_two_documents_sharing_one_paragraph(tmp_path: Path) -> None:
    shared = ("The council voted on Thursday to close the Albion Street library by "
              "March, citing a budget gap of almost half a million pounds.")
    (tmp_path / "a.txt").write_text("Sports round-up for the week ahead.\n\n" + shared + "\n")
    (tmp_path / "b.txt").write_text(shared + "\n\nIn other news, the fair opens on Saturday.\n")
    result = find(read_corpus([tmp_path]))
    assert _pairs_of(result, "a.txt", "b.txt") == [(shared, shared)]


def test_seeds_find_scraping_duplicates_and_shared_wording(seeds_dir: Path) -> None:
    result = find(read_corpus([seeds_dir]))
    texts = _texts(result)
    within = [c for c in result.clusters if c.kind == "within-document"]
    within_docs = {c.passages[0].doc[:3] for c in within}
    assert {"002", "004"} <= within_docs
    caption_002 = [c for c in within if c.passages[0].doc.startswith("002")
                   and "hexacopter" in texts[c.passages[0].doc][c.passages[0].start:]]
    assert caption_002
    nato = [c for c in result.clusters if c.kind == "cross-document" and all(
        "significant escalation" in texts[p.doc][p.start:p.end] for p in c.passages)]
    # One cluster holds the outlets that printed the NATO sentence (002 did not).
    assert len(nato) == 1 and [p.doc[:3] for p in nato[0].passages] == ["001", "003"]
    rumours = _pairs_of(result, "003_1aed58ddc104b9dd.txt", "004_7d493a4d69b4cf11.txt")
    assert any("rumour" in a and "rumour" in b for a, b in rumours)
    # No chaining: no cluster of shared material spans more than a few outlets here.
    assert max(len(c.passages) for c in result.clusters) <= 3


def test_json_is_byte_identical_for_the_same_seed(seeds_dir: Path) -> None:
    corpus = read_corpus([seeds_dir])
    one = dumps(result_to_dict(find(corpus)))
    two = dumps(result_to_dict(find(read_corpus([seeds_dir]))))
    assert one == two
    other = dumps(result_to_dict(find(corpus, FindParams(minhash=MinHashParams(seed=7)))))
    assert json.loads(other)["params"]["minhash"]["seed"] == 7


def test_every_document_is_accounted_for(seeds_dir: Path) -> None:
    data = result_to_dict(find(read_corpus([seeds_dir])))
    assert [d["id"] for d in data["documents"]] == sorted(p.name for p in seeds_dir.glob("*.txt"))
    assert all(d["passages"] > 0 for d in data["documents"])
    assert data["summary"]["clusters"] == len(data["clusters"])


def test_json_offsets_point_into_the_original_seed_files(seeds_dir: Path) -> None:
    data = result_to_dict(find(read_corpus([seeds_dir])))
    for c in data["clusters"]:
        for p in c["passages"]:
            original = (seeds_dir / p["doc"]).read_bytes().decode("utf-8")
            assert original[p["start"]:p["end"]] == p["text"]
        for pair in c["pairs"]:
            assert 0 <= pair["a"] < pair["b"] < len(c["passages"])
            assert 0.0 <= pair["score"] <= 1.0


_pieces = st.sampled_from([
    "The", "minister", "said", "“quoted words”", "\u00a0", "  ", "\u2014", "12,000", "U.S.",
    "Russia\u2019s", "troops.", "\n", "\n\n", "\r\n", "Kim Jong-un", "\u0627\u0631\u062f\u0648",
    "\u06d4", "caf\u00e9", "e\u0301", "\ufb01ne", "\u00df", "ŞEHİR", "[...]", "?", "!",
])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_pieces, min_size=1, max_size=60).map(" ".join), min_size=2,
                max_size=4))
def test_offsets_always_slice_the_original_text(texts: list[str]) -> None:
    # Repeat a sentence across documents so there is something to find.
    texts = [t + " The minister said twelve thousand troops crossed the river today."
             for t in texts]
    docs = tuple(Document(f"d{i}", t, f"d{i}") for i, t in enumerate(texts))
    result = find(Corpus(docs))
    by_id = {d.id: d.text for d in docs}
    for p in result.passages:
        assert 0 <= p.start < p.end <= len(by_id[p.doc])
        assert by_id[p.doc][p.start:p.end].strip() == by_id[p.doc][p.start:p.end]
    data = result_to_dict(result)
    for c in data["clusters"]:
        for p in c["passages"]:
            assert by_id[p["doc"]][p["start"]:p["end"]] == p["text"]
    assert data["clusters"], "the repeated sentence must be found"


def test_outlet_boilerplate_is_reported_within_outlet_not_shared(tmp_path: Path) -> None:
    story = ["The port authority confirmed that dredging of the northern channel will "
             "resume in May after a two-year delay over permits.",
             "Residents of the old quarter have petitioned the council to reopen the "
             "ferry landing that closed after the winter storms.",
             "A local bakery celebrated its centenary with free bread for every pupil "
             "at the primary school on the hill."]
    rows = []
    for outlet in ("Harbour Herald", "Valley Voice"):
        for k, body in enumerate(story):
            furniture = (f"Sign up for our newsletter to get the latest {outlet} news "
                         "delivered to your inbox.")
            rows.append({"id": f"{outlet[:3]}-{k}", "outlet": outlet,
                         "text": body + "\n\n" + furniture})
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = find(read_corpus([src]))
    texts = _texts(result)
    kinds: dict[str, set[str]] = {}
    for c in result.clusters:
        for p in c.passages:
            kinds.setdefault(texts[p.doc][p.start:p.start + 10], set()).add(c.kind)
    assert kinds["Sign up fo"] == {"within-outlet"}
    # Each story body is printed by both outlets: that is shared material.
    assert kinds["The port a"] == {"cross-document"}


def test_relations_do_not_depend_on_the_evidence_block(seeds_dir: Path,
                                                       monkeypatch) -> None:
    # The evidence of every document pair is summed a block of candidate pairs at a
    # time; a block of three pairs must choose the same document pairs as one block.
    from dedup import pipeline

    corpus = read_corpus([seeds_dir])
    params = FindParams(relation_evidence=1.0)  # let evidence alone choose pairs too
    whole = find(corpus, params)
    monkeypatch.setattr(pipeline, "EVIDENCE_BLOCK", 3)
    blocks = find(corpus, params)
    assert blocks.stats["document_pairs_examined"] == whole.stats["document_pairs_examined"]
    assert blocks.relations == whole.relations
    assert whole.stats["document_pairs_examined"] > len(
        {(c.passages[0].doc, p.doc) for c in whole.clusters if c.kind == "cross-document"
         for p in c.passages[1:]})


def test_rare_join_finds_what_the_rare_lsh_channel_verifies(seeds_dir: Path) -> None:
    # The exact join of rare n-grams keeps every pair the LSH channel verified on the
    # seeds (its reworded matches included), from far fewer candidates.
    corpus = read_corpus([seeds_dir])
    join = find(corpus)
    lsh = find(corpus, FindParams(rare_channel="lsh"))
    assert join.params.rare_channel == "join"
    assert join.sentence_pairs.tolist() == lsh.sentence_pairs.tolist()
    assert join.clusters == lsh.clusters and join.relations == lsh.relations
    assert join.stats["candidate_pairs_rare"] < lsh.stats["candidate_pairs_rare"]


def test_rare_channel_parameters_are_checked() -> None:
    import pytest

    from dedup.errors import ParameterError

    with pytest.raises(ParameterError, match="rare_channel"):
        FindParams(rare_channel="bands")
    with pytest.raises(ParameterError, match="rare_evidence"):
        FindParams(rare_evidence=-1.0)


def test_rare_pairs_skipped_by_their_bound_change_no_relation(seeds_dir: Path,
                                                               monkeypatch) -> None:
    # Pairs sharing rare n-grams below rare_evidence are weighed only where their
    # documents could reach relation_evidence at their bound; weighing them all must
    # choose the same document pairs.
    import numpy as np

    from dedup import pipeline

    corpus = read_corpus([seeds_dir])
    params = FindParams(relation_evidence=250.0, rare_evidence=5.0)  # some pairs out of reach
    bounded = find(corpus, params)
    touching = pipeline._touching

    def every(units, checked, rep_pairs, keys, max_bucket, inside, workers=1):
        if inside:
            return np.ones(len(rep_pairs), dtype=bool)
        return touching(units, checked, rep_pairs, keys, max_bucket, inside, workers)

    monkeypatch.setattr(pipeline, "_touching", every)
    full = find(corpus, params)
    assert full.stats["rare_pairs_weighed"] > bounded.stats["rare_pairs_weighed"]
    assert full.stats["document_pairs_examined"] == bounded.stats["document_pairs_examined"]
    assert full.relations == bounded.relations


def test_evidence_keys_match_a_plain_sum_over_every_copy_pair(seeds_dir: Path,
                                                              monkeypatch) -> None:
    # The document pairs chosen block by block (totals merged into the running ones,
    # after the sketch's prefilter) are those a plain sum over every pair of usable
    # copies chooses, at any bar and however crowded the sketch.

    import numpy as np

    from dedup import pipeline
    from dedup.engine import LocalEngine
    from dedup.repeats import expand_pairs

    run = pipeline._Run(read_corpus([seeds_dir]), FindParams(), None, 1, LocalEngine())
    units = pipeline._segment(run)
    table = pipeline._weigh(run, units)
    cand = pipeline._candidates(run, units, table)
    checked = pipeline._verify(run, units, table, cand)
    which, pp = expand_pairs(cand, checked.ok_ptr, checked.ok_members, 64)
    n = len(run.docs)
    sums: dict[int, float] = {}
    for w, (a, b) in zip(which.tolist(), pp.tolist(), strict=True):
        da, db = int(units.doc_index[a]), int(units.doc_index[b])
        if da != db:
            key = min(da, db) * n + max(da, db)
            sums[key] = sums.get(key, 0.0) + float(checked.shared[w])
    assert len(sums) > 3
    monkeypatch.setattr(pipeline, "EVIDENCE_BLOCK", 5)
    # no sketch (the seeds' few copy pairs are summed exactly), then the prefilter's
    # sketch, forced: roomy, crowded, one bucket
    for exact_max, buckets in ((1 << 40, 1 << 24), (0, 1 << 24), (0, 4), (0, 1)):
        monkeypatch.setattr(pipeline, "EVIDENCE_EXACT_MAX", exact_max)
        monkeypatch.setattr(pipeline, "EVIDENCE_SKETCH", buckets)
        for bar in (0.0, 1.0, 5.0, 10.0, 1e9):
            got = pipeline._evidence_keys(units, checked, cand, checked.shared, bar, 64)
            assert got.tolist() == sorted(k for k, s in sums.items() if s >= bar - 1e-9)
            threaded = pipeline._evidence_keys(units, checked, cand, checked.shared, bar,
                                               64, 3)
            assert threaded.tolist() == got.tolist()
            # Told which pairs alone can pass, it sums only those: every pair that
            # shares anything (so the same keys, with their totals), or all but one.
            every = np.array(sorted(sums), dtype=np.int64)
            keys, totals = pipeline._evidence_totals(units, checked, cand, checked.shared,
                                                     bar, 64, within=every)
            assert keys.tolist() == got.tolist()
            np.testing.assert_allclose(totals, [sums[k] for k in keys.tolist()])
            if len(got):
                fewer = every[every != got[0]]
                assert pipeline._evidence_keys(units, checked, cand, checked.shared, bar, 64,
                                               within=fewer).tolist() == got[1:].tolist()
            assert len(pipeline._evidence_keys(units, checked, cand, checked.shared, bar, 64,
                                               within=every[:0])) == 0
    assert len(pipeline._evidence_blocks(checked, cand)) > 3


def test_common_weight_is_one_bincount_whatever_the_run(seeds_dir: Path) -> None:
    # The poorer side's common weight, summed a run of passages at a time, is bit for
    # bit the plain masked bincount over the whole table.
    import numpy as np

    from dedup import pipeline
    from dedup.engine import LocalEngine

    run = pipeline._Run(read_corpus([seeds_dir]), FindParams(), None, 1, LocalEngine())
    table = pipeline._weigh(run, pipeline._segment(run))
    n_rep = len(table.indptr) - 1
    unit_of = np.repeat(np.arange(n_rep, dtype=np.int32), np.diff(table.indptr))
    common = table.df > 1
    plain = np.bincount(unit_of[common], weights=table.weights[common], minlength=n_rep)
    assert plain.any()
    for block in (1, 5, 64, 1 << 22):
        got = pipeline._common_weight(table, 1, block=block)
        assert got.tobytes() == plain.tobytes()
        # the rows of masked entries, a run of rows at a time, are the plain gather
        assert pipeline.units_of(table.indptr, common, block=block).tolist() == (
            unit_of[common].tolist())


def test_find_pauses_the_cycle_collector_and_restores_it() -> None:
    """The collector is off while find runs (progress is reported from inside it) and
    as it was afterwards, an error included."""
    import gc

    import pytest

    wire = "Officials confirmed the bridge collapse injured forty workers on Monday night."
    corpus = Corpus((Document("a", wire, "a"), Document("b", "Local news. " + wire, "b")))
    seen = []
    assert gc.isenabled()
    find(corpus, progress=lambda *a: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()

    def fail(*a):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        find(corpus, progress=fail)
    assert gc.isenabled()
    gc.disable()
    try:
        find(corpus)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("partially", [0.05, 0.16, 0.3, 0.45])
def test_pairs_that_cannot_reach_partially_are_not_aligned_and_change_nothing(
        seeds_dir: Path, monkeypatch, partially: float) -> None:
    # A document pair whose coverage bound is below `partially` is not aligned; aligning
    # every pair instead must give the same relations, whatever the threshold.
    from dedup.engine import local

    corpus = read_corpus([seeds_dir])
    params = FindParams(partially=partially, wholly=max(partially, 0.48))
    bounded = find(corpus, params)
    every = local.coverages

    def unbounded(*args, min_share=0.0, sides=None, **kwargs):
        return every(*args, **kwargs)

    monkeypatch.setattr(local, "coverages", unbounded)
    full = find(corpus, params)
    assert full.stats["document_pairs_aligned"] == full.stats["document_pairs_examined"]
    assert bounded.relations == full.relations
    if partially >= 0.3:  # some seed pairs are out of reach there
        assert bounded.stats["document_pairs_aligned"] < full.stats["document_pairs_aligned"]
