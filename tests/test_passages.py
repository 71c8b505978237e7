"""Passages and clusters end to end, on small named fixtures (tests/fixtures/passages):
a wire story about a port strike, a reprint that moves two paragraphs below its own
local ones, a trimmed reprint with a footer, and an unrelated story (with its own
reprint) that quotes one of the wire story's quotations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dedup import Corpus, Document, find, read_corpus
from dedup.passages import Chain, DocLayout, chain_matches

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "passages"


def _corpus(*names: str, dates: dict[str, str] | None = None) -> Corpus:
    docs = []
    for name in names:
        text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
        docs.append(Document(name, text, name, date=(dates or {}).get(name)))
    return Corpus(tuple(docs))


def _cross(result):
    return [c for c in result.clusters if c.kind == "cross-document"]


def _text(result, span) -> str:
    doc = next(d for d in result.corpus.documents if d.id == span.doc)
    return doc.text[span.start:span.end]


def test_a_moved_paragraph_stays_in_its_cluster() -> None:
    result = find(_corpus("wire", "moved", dates={"wire": "2024-05-01T08:00",
                                                  "moved": "2024-05-01T15:00"}))
    (cluster,) = _cross(result)
    moved = [p for p in cluster.passages if p.doc == "moved"]
    # its version is split by its three local paragraphs: two passages, in text order
    assert len(moved) == 2 and moved[0].end < moved[1].start
    # from its reworded headline (re-headlined wire copy) through the wire's paragraphs
    assert _text(result, moved[0]).startswith("Rotterdam port strike strands 60 ships\n\n"
                                              "Dock workers at Europe's largest port")
    assert "Zeebrugge" not in _text(result, moved[0]) + _text(result, moved[1])
    assert _text(result, moved[1]).endswith("handle most boxes.")
    (wire,) = [p for p in cluster.passages if p.doc == "wire"]
    assert _text(result, wire).startswith("Port workers strike over automation plans")
    (rel,) = result.relations
    assert (rel.source, rel.derived, rel.rule) == ("wire", "moved", "earlier date")
    assert rel.verdict == "wholly" and rel.clusters == (cluster.id,)


def test_three_outlet_reprint_is_one_three_way_cluster() -> None:
    result = find(_corpus("wire", "moved", "third"))
    (cluster,) = _cross(result)
    assert sorted({p.doc for p in cluster.passages}) == ["moved", "third", "wire"]
    (third,) = [p for p in cluster.passages if p.doc == "third"]
    assert "live coverage" not in _text(result, third)  # the footer is theirs
    assert {frozenset((r.source, r.derived)) for r in result.relations} >= {
        frozenset(("wire", "third")), frozenset(("wire", "moved"))}


def test_two_stories_sharing_one_quotation_stay_two_clusters() -> None:
    result = find(_corpus("wire", "third", "other_story", "other_copy"))
    port, pension = {"wire", "third"}, {"other_story", "other_copy"}
    docs = [{p.doc for p in c.passages} for c in _cross(result)]
    assert port in docs and pension in docs
    for d in docs:  # nothing mixes the two stories beyond the quotation itself
        assert not (d & {"wire", "third"} and "other_copy" in d)
    quote = [c for c in _cross(result) if {p.doc for p in c.passages} & port
             and {p.doc for p in c.passages} & pension]
    for c in quote:  # the shared quotation is a cluster of its own, one sentence a side
        assert all("Marco Visser" in _text(result, p) and p.first == p.last
                   for p in c.passages)


def test_passages_slice_the_original_text_exactly(seeds_dir: Path) -> None:
    for corpus in (_corpus("wire", "moved", "third", "other_story", "other_copy"),
                   read_corpus([seeds_dir])):
        result = find(corpus)
        texts = {d.id: d.text for d in corpus.documents}
        sentences = {(p.doc, p.index): p for p in result.passages}
        for c in result.clusters:
            for p in c.passages:
                first, last = sentences[(p.doc, p.first)], sentences[(p.doc, p.last)]
                assert (p.start, p.end) == (first.start, last.end)
                assert texts[p.doc][p.start:p.end].strip() == texts[p.doc][p.start:p.end]


@pytest.mark.parametrize(("gap", "chains"), [(0, 2), (1, 1), (2, 1)])
def test_chains_bridge_at_most_max_gap_sentences(gap: int, chains: int) -> None:
    """Matches at sentences 0 and 2 of both documents: one unmatched sentence between."""
    lay = DocLayout.build([0] * 3 + [1] * 3, [0, 1, 2] * 2, [9] * 6, 2, 5)
    out = chain_matches([0, 2], [3, 5], [0.5, 0.5], lay, max_gap=gap)
    assert len(out) == chains
    assert all(isinstance(c, Chain) for c in out)


def test_expand_pairs_unordered_gives_the_same_pairs_and_rows() -> None:
    from dedup.repeats import expand_pairs
    rng = np.random.default_rng(5)
    members = rng.permutation(60)
    ptr = np.r_[0, np.sort(rng.choice(np.arange(1, 60), 14, replace=False)), 60]
    n_rep = len(ptr) - 1
    reps = np.array(sorted({(min(i, j), max(i, j))
                            for i, j in rng.integers(0, n_rep, (40, 2)).tolist()}))
    for bucket in (2, 64):
        w1, p1 = expand_pairs(reps, ptr, members, bucket)
        w2, p2 = expand_pairs(reps, ptr, members, bucket, ordered=False)
        assert len(p2) == len({tuple(x) for x in p2.tolist()})  # each pair once
        assert p1.tolist() == sorted(p1.tolist())  # ordered: sorted by pair
        assert (sorted(zip(p2.tolist(), w2.tolist(), strict=True))
                == sorted(zip(p1.tolist(), w1.tolist(), strict=True)))


def test_copy_docs_gives_expand_pairs_rows_and_documents_in_its_order() -> None:
    from dedup.repeats import copy_docs, expand_pairs
    rng = np.random.default_rng(6)
    members = rng.permutation(80)
    member_doc = rng.integers(0, 12, 80)
    ptr = np.r_[0, np.sort(rng.choice(np.arange(1, 80), 17, replace=False)), 80]
    n_rep = len(ptr) - 1
    reps = np.array(sorted({(min(i, j), max(i, j))
                            for i, j in rng.integers(0, n_rep, (60, 2)).tolist()}))
    assert (reps[:, 0] == reps[:, 1]).any()
    for bucket in (2, 3, 64):
        which, pp = expand_pairs(reps, ptr, members, bucket, ordered=False)
        doc = np.empty(80, dtype=np.int64)
        doc[members] = member_doc
        row, da, db = copy_docs(reps, ptr, member_doc, bucket)
        assert row.tolist() == which.tolist()
        assert [tuple(sorted(x)) for x in zip(da.tolist(), db.tolist(), strict=True)] == [
            tuple(sorted(x)) for x in zip(doc[pp[:, 0]].tolist(), doc[pp[:, 1]].tolist(),
                                          strict=True)]
    row, da, db = copy_docs(reps[:0], ptr, member_doc, 64)
    assert len(row) == len(da) == len(db) == 0


def test_runs_are_chained_without_the_search_exactly_as_the_search_would() -> None:
    rng = np.random.default_rng(11)
    for trial in range(40):
        n_docs = 6
        per_doc = rng.integers(3, 14, n_docs)
        doc = np.repeat(np.arange(n_docs), per_doc)
        sent = np.concatenate([np.arange(k) for k in per_doc])
        words = rng.choice([2, 6, 9, 15], len(doc))  # some short: not content sentences
        lay = DocLayout.build(doc, sent, words, n_docs, 5)
        first = np.r_[0, np.cumsum(per_doc)]
        a, b = [], []
        for _ in range(int(rng.integers(1, 30))):
            da, db = rng.choice(n_docs, 2, replace=False)
            if rng.random() < 0.6:  # a run: consecutive sentences on both sides
                k = int(rng.integers(1, min(per_doc[da], per_doc[db]) + 1))
                sa = int(rng.integers(0, per_doc[da] - k + 1))
                sb = int(rng.integers(0, per_doc[db] - k + 1))
                step = int(rng.integers(1, 3))
                for i in range(0, k, step):
                    a.append(first[da] + sa + i)
                    b.append(first[db] + sb + i)
            else:
                a.append(first[da] + int(rng.integers(0, per_doc[da])))
                b.append(first[db] + int(rng.integers(0, per_doc[db])))
        pairs = sorted({(int(x), int(y)) for x, y in zip(a, b, strict=True)})
        a = np.array([p[0] for p in pairs])
        b = np.array([p[1] for p in pairs])
        score = np.round(rng.uniform(0.2, 1.0, len(a)), 3)
        gap = int(rng.integers(0, 3))
        fast = chain_matches(a, b, score, lay, max_gap=gap)
        slow = chain_matches(a, b, score, lay, max_gap=gap, runs=False)
        assert fast == slow, trial
        assert all(type(x) is type(y) for f, s in zip(fast, slow, strict=True)
                   for x, y in zip(f, s, strict=True))


def test_extend_chains_in_rounds_equals_one_chain_at_a_time() -> None:
    from dedup import passages

    rng = np.random.default_rng(2)
    n_docs, per = 8, 12
    doc = np.repeat(np.arange(n_docs), per)
    sent = np.tile(np.arange(per), n_docs)
    lay = DocLayout.build(doc, sent, np.full(len(doc), 9), n_docs, 5)
    chains = []
    for _ in range(300):
        da, db = sorted(rng.choice(n_docs, 2, replace=False).tolist())
        n = int(rng.integers(1, 3))
        fa, fb = rng.integers(0, per - n + 1, 2).tolist()  # some at a document's edge
        chains.append(Chain(da, db, fa, fa + n - 1, fb, fb + n - 1, int(rng.integers(1, 4)),
                            0.5, 18))

    def score(i: int, j: int) -> float:  # deterministic, some pass and some fail
        return ((i * 31 + j * 17) % 10) / 10

    def scores(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return np.array([score(x, y) for x, y in zip(i.tolist(), j.tolist(), strict=True)])

    got = passages.extend_chains(chains, lay, scores, min_score=0.3, max_steps=2)
    assert got != chains  # some chains grew
    assert got == _extend_one_by_one(chains, lay, score, 0.3, 2)


def _extend_one_by_one(chains, lay, score, min_score: float, max_steps: int) -> list[Chain]:
    """The seed-and-extend step written plainly, one chain and one step at a time."""
    out = []
    for ch in chains:
        if ch.seeds < 2:
            out.append(ch)
            continue
        fa, la, fb, lb = ch.first_a, ch.last_a, ch.first_b, ch.last_b
        na = int(lay.doc_first[ch.doc_a + 1] - lay.doc_first[ch.doc_a])
        nb = int(lay.doc_first[ch.doc_b + 1] - lay.doc_first[ch.doc_b])
        base_a, base_b = int(lay.doc_first[ch.doc_a]), int(lay.doc_first[ch.doc_b])
        for _ in range(max_steps):
            if fa == 0 or fb == 0 or score(base_a + fa - 1, base_b + fb - 1) < min_score:
                break
            fa, fb = fa - 1, fb - 1
        for _ in range(max_steps):
            if la + 1 >= na or lb + 1 >= nb or score(base_a + la + 1, base_b + lb + 1) < min_score:
                break
            la, lb = la + 1, lb + 1
        out.append(ch._replace(first_a=fa, last_a=la, first_b=fb, last_b=lb))
    return out


def test_chain_matches_on_forked_workers_equals_one_process(monkeypatch) -> None:
    from dedup import passages

    rng = np.random.default_rng(3)
    n_docs, per = 30, 15
    doc = np.repeat(np.arange(n_docs), per)
    sent = np.tile(np.arange(per), n_docs)
    lay = DocLayout.build(doc, sent, rng.integers(3, 20, len(doc)), n_docs, 5)
    a = rng.integers(0, len(doc), 3000)
    b = rng.integers(0, len(doc), 3000)
    keep = doc[a] != doc[b]
    a, b = a[keep], b[keep]
    score = rng.choice([0.4, 0.55, 0.8, 1.0], len(a))
    one = passages.chain_matches(a, b, score, lay, max_gap=2)
    assert any(c.seeds > 1 for c in one)
    monkeypatch.setattr(passages, "PARALLEL_MIN_SEEDS", 1)
    many = passages.chain_matches(a, b, score, lay, max_gap=2, workers=3)
    assert many == one
    assert all(type(x) is type(y) for f, s in zip(many, one, strict=True)
               for x, y in zip(f, s, strict=True))


def test_seed_order_by_one_key_is_lexsort_order() -> None:
    from dedup.passages import _seed_order

    rng = np.random.default_rng(12)
    da, db, sa, sb = (rng.integers(0, 6, 400) for _ in range(4))  # with repeats
    want = np.lexsort((sb, sa, db, da)).tolist()
    assert _seed_order(da, db, sa, sb, 6, 6).tolist() == want
    assert _seed_order(da, db, sa, sb, 1 << 20, 1 << 20).tolist() == want  # lexsort path
