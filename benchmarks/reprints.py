"""A held-out-like reprint corpus, and how many of its wire stories ``find`` recovers whole.

    python -m benchmarks.reprints [--stories 40] [--outlets-per-story 4] [--unrelated 40]
        [--seed 0] [--source msrp|template] [--data ../shared/data] [--out DIR]
        [--undated] [--synthetic N] [--json PATH] [--details]

The corpus has the traits of the held-out set issue 9 describes. Wire stories of 8-15
real news sentences, in paragraphs of one to three sentences, each reprinted by
``outlets_per_story`` outlets. Every outlet, in every version:

* adds a local lead paragraph of its own (one or two sentences no other document has);
* drops a paragraph from the middle of the story;
* trims the end (the last one to three sentences);
* paraphrases one sentence it keeps: with ``--source msrp`` the sentence's partner in
  an MSRP pair its annotators judged a paraphrase, a real rewording by another
  newsroom;
* adds a footer: the outlet's own boilerplate, the same in each of its documents.

``unrelated`` documents are more stories of the same kind, printed once. Sentences come
from ``msrp`` (the news sentences of ``msrp/msr_paraphrase_train.txt`` under ``--data``,
read at generation time and never copied into the repository) or ``template`` (the
templated grammar of :mod:`benchmarks.generate`, whose "paraphrase" is a synonym swap).
A sentence is used once, and none shares a word 6-gram, or two rare words, with a
sentence of another story (``sentences_rejected`` counts those left out for it): stories
share no text and no event by accident, only stock phrasing of common words.

The files are those of :mod:`benchmarks.generate` (``documents.jsonl``,
``truth.jsonl``, ``docs_meta.jsonl``, ``summary.json``), so its scorers read both
corpora. ``truth.jsonl`` holds every sentence a version took from the wire (``kind``
``derived``, ``edit`` ``verbatim`` or ``paraphrased``) with the wire sentence it comes
from, and the footers (``boilerplate``). ``docs_meta.jsonl`` adds the wire's sentences
(character spans) and paragraphs (sentence indexes), and for each version the character
spans of its lead and footer and the wire sentences it dropped, trimmed and paraphrased.

Then ``find`` runs with its fixed defaults and :func:`benchmarks.metrics.story_scores`
says, story by story, whether one cross-document cluster holds all its versions and
covers at least 85% of each version's copied text; it also counts clusters per story,
mixed clusters, and the relations found against the truth (each version derived from
its wire). ``--synthetic N`` scores the same way a corpus of N documents from
:mod:`benchmarks.generate` (the one ``python -m benchmarks`` uses).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "ReprintCorpus",
    "Sentence",
    "generate_reprints",
    "load_msrp",
    "main",
    "score_folder",
    "template_sentences",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
MSRP_FILE = Path("msrp") / "msr_paraphrase_train.txt"

_WORD = re.compile(r"\w+")
_EPOCH = datetime(2025, 3, 1, 6, 0, tzinfo=timezone.utc)

# Outlets and their footers. Each outlet prints the same footer under every article;
# the templates differ between outlets, as real sites' furniture does.
_TOWNS = ("Millbrook", "Riverton", "Ashford", "Cedar Falls", "Port Hallam", "Brookfield",
          "Kingsbridge", "Lakeview", "Stonehaven", "Fairhaven", "Greenvale", "Westbury",
          "Northfield", "Harrowgate", "Maplewood", "Silverton")
_KINDS = ("Gazette", "Herald", "Tribune", "Courier", "Chronicle", "Ledger", "Observer",
          "Sentinel", "Journal", "Record", "Dispatch", "Examiner")
_FOOTERS = (
    "Copyright {year} The {name}. All rights reserved.",
    "Have a news tip? Email the {name} newsroom at tips@{slug}.com.",
    "Follow the {name} on Facebook and Instagram for more updates from {town}.",
    "Support local journalism in {town}: subscribe to the {name} today.",
    "This story was provided by a wire service and edited by {name} staff.",
    "Sign up for the {name} morning briefing, delivered before 7 a.m.",
    "Comments on this story are moderated by the {name} community team.",
    "Read more {town} news at {slug}.com/local.",
)
_AGENCY = "Continental Press"


@dataclass(frozen=True)
class Sentence:
    """A news sentence and, where one exists, a paraphrase of it."""

    text: str
    paraphrase: str | None = None


def load_msrp(path: str | Path) -> list[Sentence]:
    """Sentences of the MSRP training file: each pair judged a paraphrase (quality 1)
    gives its first sentence with the second as paraphrase; other pairs give their
    first sentence alone. A sentence id is used once. Raises ``FileNotFoundError``."""
    out: list[Sentence] = []
    used: set[str] = set()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows, None)  # header
        for row in rows:
            if len(row) != 5 or row[1] in used or row[2] in used:
                continue
            quality, id1, id2, s1, s2 = row
            s1, s2 = " ".join(s1.split()), " ".join(s2.split())
            if len(s1.split()) < 6:
                continue
            if quality == "1" and len(s2.split()) >= 6:
                out.append(Sentence(s1, s2))
                used.update((id1, id2))
            else:
                out.append(Sentence(s1))
                used.add(id1)
    return out


def template_sentences(n: int, *, seed: int = 0) -> list[Sentence]:
    """About ``n`` sentences from the templated grammar of :mod:`benchmarks.generate`,
    written story by story; the paraphrase is a synonym swap or a changed attribution
    where the sentence allows one (a light rewording, not a real paraphrase)."""
    from benchmarks import generate as g

    rng = random.Random(seed)
    reg = g._Registry()
    out: list[Sentence] = []
    while len(out) < n:
        writer = g._Writer(rng, g._make_cast(rng), reg)
        for par in writer.body(rng.randint(8, 14), rng.randint(250, 400)):
            for s in par:
                alt = g._substitute(rng, s) or g._attribution(rng, s)
                out.append(Sentence(s, alt if alt and alt != s else None))
        reg.commit(writer.grams)
    return out[:n]


def _grams(text: str, n: int = 6) -> set[tuple[str, ...]]:
    w = _WORD.findall(text.lower())
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


class _Pool:
    """Sentences handed out once each. A sentence is left out (``rejected``) when it
    shares with text already given to another story a word 6-gram, or two rare words
    (in at most ``RARE_DF`` sentences of the pool: names, specific terms), which is how
    two MSRP pairs drawn from one news event give themselves away; stock phrasing made
    of common words ("... contributed to this report") stays, as in real news."""

    RARE_DF = 3

    def __init__(self, sentences: Sequence[Sentence], rng: random.Random) -> None:
        items = list(sentences)
        rng.shuffle(items)
        self.para = [s for s in items if s.paraphrase]
        self.plain = [s for s in items if not s.paraphrase]
        self.used: set[tuple[str, ...]] = set()
        self.used_rare: set[str] = set()
        df: dict[str, int] = {}
        for s in items:
            for w in self._words(s):
                df[w] = df.get(w, 0) + 1
        self.rare = {w for w, n in df.items() if n <= self.RARE_DF}
        self.rejected = 0

    @staticmethod
    def _words(s: Sentence) -> set[str]:
        text = s.text + " " + (s.paraphrase or "")
        return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and not w.isdigit()}

    def _take(self, queue: list[Sentence], own: set[tuple[str, ...]], own_rare: set[str]
              ) -> Sentence | None:
        while queue:
            s = queue.pop()
            grams = _grams(s.text) | (_grams(s.paraphrase) if s.paraphrase else set())
            rare = self._words(s) & self.rare
            if (grams & self.used and not grams & self.used <= own) or \
                    len((rare & self.used_rare) - own_rare) >= 2:
                self.rejected += 1
                continue
            own |= grams
            own_rare |= rare
            return s
        return None

    def take(self, k: int, *, paraphrased: int = 0) -> list[Sentence] | None:
        """``k`` sentences for one story, at least ``paraphrased`` of them with a
        paraphrase (None when the pool runs out)."""
        own: set[tuple[str, ...]] = set()
        own_rare: set[str] = set()
        got = []
        for i in range(k):
            first = self.para if i < paraphrased or not self.plain else self.plain
            s = (self._take(first, own, own_rare)
                 or self._take(self.para or self.plain, own, own_rare))
            if s is None:
                return None
            got.append(s)
        self.used |= own
        self.used_rare |= own_rare
        return got


@dataclass(frozen=True)
class _Outlet:
    name: str
    slug: str
    town: str
    footer: str


def _outlets(rng: random.Random, n: int, year: int) -> list[_Outlet]:
    names = rng.sample([(t, k) for t in _TOWNS for k in _KINDS], n)
    out = []
    for town, kind in names:
        name = f"{town} {kind}"
        slug = re.sub(r"[^a-z]", "", name.lower())
        lines = [t.format(year=year, name=name, slug=slug, town=town)
                 for t in rng.sample(_FOOTERS, 2)]
        out.append(_Outlet(name, slug, town, " ".join(lines)))
    return out


@dataclass
class ReprintCorpus:
    """What :func:`generate_reprints` made: the records of the three files, and counts."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    truth: list[dict[str, Any]] = field(default_factory=list)
    meta: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: str | Path) -> Path:
        """Write ``documents.jsonl``, ``truth.jsonl``, ``docs_meta.jsonl`` and
        ``summary.json`` into ``out_dir`` (made if missing)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for name, records in (("documents.jsonl", self.documents),
                              ("truth.jsonl", self.truth), ("docs_meta.jsonl", self.meta)):
            with open(out / name, "w", encoding="utf-8", newline="\n") as f:
                for r in records:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        (out / "summary.json").write_text(json.dumps(self.summary, indent=2) + "\n",
                                          encoding="utf-8")
        return out


def _layout(rng: random.Random, n: int) -> list[list[int]]:
    """Sentences 0..n-1 in paragraphs of one to three, at least four paragraphs."""
    while True:
        pars, i = [], 0
        while i < n:
            k = min(n - i, rng.choices((1, 2, 3), (35, 45, 20))[0])
            pars.append(list(range(i, i + k)))
            i += k
        if len(pars) >= 4:
            return pars


def _join(paragraphs: Sequence[Sequence[tuple[str, Any]]]
          ) -> tuple[str, list[tuple[int, int, Any]]]:
    """Paragraphs of (text, tag) pieces -> the text (blank line between paragraphs, a
    space between sentences) and each piece's (start, end, tag)."""
    parts: list[str] = []
    spans = []
    pos = 0
    for pi, par in enumerate(paragraphs):
        if pi:
            parts.append("\n\n")
            pos += 2
        for j, (text, tag) in enumerate(par):
            if j:
                parts.append(" ")
                pos += 1
            parts.append(text)
            spans.append((pos, pos + len(text), tag))
            pos += len(text)
    return "".join(parts), spans


def generate_reprints(
    sentences: Sequence[Sentence],
    *,
    stories: int = 40,
    outlets_per_story: int = 4,
    unrelated: int = 40,
    n_outlets: int = 12,
    seed: int = 0,
    dated: bool = True,
    min_sentences: int = 8,
    max_sentences: int = 15,
) -> ReprintCorpus:
    """The reprint corpus (see the module docstring), deterministic for ``seed`` and
    ``sentences``. Raises ``ValueError`` when the sentences run out or a bound is off.

    >>> pool = template_sentences(900, seed=1)
    >>> c = generate_reprints(pool, stories=2, unrelated=1, seed=1)
    >>> from collections import Counter
    >>> sorted(Counter(m["role"] for m in c.meta).items())
    [('unrelated', 1), ('version', 8), ('wire', 2)]
    """
    if stories < 0 or unrelated < 0:
        raise ValueError("stories and unrelated must be >= 0")
    if not 1 <= outlets_per_story <= n_outlets:
        raise ValueError(f"outlets_per_story must be in [1, n_outlets={n_outlets}], "
                         f"got {outlets_per_story}")
    if n_outlets > len(_TOWNS) * len(_KINDS):
        raise ValueError(f"n_outlets must be at most {len(_TOWNS) * len(_KINDS)}")
    if not 8 <= min_sentences <= max_sentences:
        raise ValueError("need 8 <= min_sentences <= max_sentences (a version drops a "
                         "paragraph and trims the end, and keeps most of the story)")
    rng = random.Random(seed)
    pool = _Pool(sentences, rng)
    outlets = _outlets(rng, n_outlets, _EPOCH.year)
    corpus = ReprintCorpus()
    bp_first: dict[str, tuple[str, str, int, int]] = {}
    n_doc = 0

    def doc_id() -> str:
        nonlocal n_doc
        n_doc += 1
        return f"r{n_doc - 1:04d}"

    def emit(doc: str, outlet: str, date: datetime, title: str, text: str,
             meta: dict[str, Any]) -> None:
        iso = date.isoformat() if dated else None
        rec: dict[str, Any] = {"id": doc, "outlet": outlet, "title": title, "text": text}
        if iso:
            rec["date"] = iso
        corpus.documents.append(rec)
        corpus.meta.append({"id": doc, "outlet": outlet, "date": iso,
                            "words": len(text.split()), **meta})

    def footer(doc: str, outlet: _Outlet, start: int, end: int) -> None:
        first = bp_first.setdefault(outlet.footer, (f"bp{len(bp_first)}", doc, start, end))
        corpus.truth.append({"doc": doc, "start": start, "end": end, "source_doc": first[1],
                             "source_start": first[2], "source_end": first[3],
                             "story": None, "group": first[0], "kind": "boilerplate",
                             "edit": "boilerplate"})

    def story_sentences(k_para: int) -> list[Sentence]:
        got = pool.take(rng.randint(min_sentences, max_sentences), paraphrased=k_para)
        if got is None:
            raise ValueError(f"the sentences ran out after {n_doc} documents; give more "
                             f"sentences or fewer stories")
        return got

    kinds = ["story"] * stories + ["unrelated"] * unrelated
    rng.shuffle(kinds)
    n_story = 0
    for kind in kinds:
        story = f"t{n_story:03d}"
        n_story += 1
        date = _EPOCH + timedelta(hours=6 * n_story + rng.randint(0, 5))
        if kind == "unrelated":
            sents = story_sentences(0)
            outlet = rng.choice(outlets)
            pars = [[(sents[i].text, None) for i in p] for p in _layout(rng, len(sents))]
            doc = doc_id()
            text, spans = _join([*pars, [(outlet.footer, "footer")]])
            emit(doc, outlet.name, date, _title(sents[0].text), text,
                 {"story": story, "role": "unrelated", "source_doc": None, "edits": []})
            footer(doc, outlet, spans[-1][0], spans[-1][1])
            continue
        sents = story_sentences(outlets_per_story + 1)
        layout = _layout(rng, len(sents))
        wire = doc_id()
        wire_text, wire_spans = _join([[(sents[i].text, i) for i in p] for p in layout])
        emit(wire, _AGENCY, date, _title(sents[0].text), wire_text,
             {"story": story, "role": "wire", "source_doc": None, "edits": [],
              "sentences": [[s, e] for s, e, _ in wire_spans], "paragraphs": layout})
        by_sentence = {tag: (s, e) for s, e, tag in wire_spans}
        paraphrased_by_others: set[int] = set()
        for k, outlet in enumerate(rng.sample(outlets, outlets_per_story)):
            pars = [list(p) for p in layout]
            dropped = pars.pop(rng.randrange(1, len(pars) - 1))
            flat = [i for p in pars for i in p]
            cut = rng.randint(1, max(1, min(3, len(flat) - 5)))
            trimmed = flat[-cut:]
            for _ in range(cut):
                pars[-1].pop()
                if not pars[-1]:
                    pars.pop()
            kept = [i for p in pars for i in p]
            can = [i for i in kept if sents[i].paraphrase]
            fresh = [i for i in can if i not in paraphrased_by_others]
            para = rng.choice(fresh or can) if can else None
            if para is not None:
                paraphrased_by_others.add(para)
            lead_sents = pool.take(rng.choice((1, 2)))
            if lead_sents is None:
                raise ValueError("the sentences ran out for the local leads")
            pieces: list[list[tuple[str, Any]]] = [[(s.text, "lead") for s in lead_sents]]
            for p in pars:
                pieces.append([((sents[i].paraphrase if i == para else sents[i].text) or "", i)
                               for i in p])
            pieces.append([(outlet.footer, "footer")])
            doc = doc_id()
            text, spans = _join(pieces)
            lead = [s for s in spans if s[2] == "lead"]
            foot = spans[-1]
            vdate = date + timedelta(hours=1 + 2 * k, minutes=rng.randint(0, 59))
            emit(doc, outlet.name, vdate, _title(sents[0].text), text, {
                "story": story, "role": "version", "source_doc": wire,
                "edits": ["local-lead", "dropped-paragraph", "trimmed",
                          *(["paraphrased"] if para is not None else []), "footer"],
                "lead": [lead[0][0], lead[-1][1]], "footer": [foot[0], foot[1]],
                "dropped": dropped, "trimmed": trimmed, "paraphrased": para})
            for s, e, tag in spans:
                if isinstance(tag, int):
                    src = by_sentence[tag]
                    corpus.truth.append({
                        "doc": doc, "start": s, "end": e, "source_doc": wire,
                        "source_start": src[0], "source_end": src[1], "story": story,
                        "group": f"{story}:{tag}", "kind": "derived",
                        "edit": "paraphrased" if tag == para else "verbatim"})
            footer(doc, outlet, foot[0], foot[1])
    corpus.summary = {
        "generator": "benchmarks.reprints", "seed": seed, "stories": stories,
        "outlets_per_story": outlets_per_story, "unrelated": unrelated,
        "n_outlets": n_outlets, "documents": len(corpus.documents), "dated": dated,
        "sentences_rejected": pool.rejected,
    }
    return corpus


def _title(first: str) -> str:
    words = first.split()
    return " ".join(words[:8]).rstrip(",;:") + ("..." if len(words) > 8 else "")


# --------------------------------------------------------------------------- scoring


def _find(folder: Path) -> tuple[Any, float, float]:
    """``find`` with its defaults on the folder's documents: the result, its seconds
    and the process's peak memory (MiB)."""
    from benchmarks import machine
    from dedup import FindParams, find, read_corpus

    corpus = read_corpus([folder / "documents.jsonl"])
    t0 = time.perf_counter()
    result = find(corpus, FindParams())
    return result, time.perf_counter() - t0, machine.peak_rss_mib()


def score_folder(folder: str | Path, *, min_cover: float = 0.85) -> dict[str, Any]:
    """Run ``find`` (fixed defaults) on a generated corpus folder and score it story by
    story (:func:`benchmarks.metrics.story_scores`); the figures as a dict."""
    from benchmarks.metrics import load_stories, story_scores

    folder = Path(folder)
    result, seconds, peak = _find(folder)
    stories, doc_story = load_stories(folder)
    clusters = [(c.id, c.kind, [(p.doc, p.start, p.end) for p in c.passages])
                for c in result.clusters]
    relations = [(r.source, r.derived) for r in result.relations]
    scores = story_scores(clusters, relations, stories, doc_story, min_cover=min_cover)
    out = scores.as_dict()
    # The same with only verbatim copies as copied text: how much the paraphrased
    # sentences (which the sentence matcher may not verify) weigh in the share.
    verbatim, _ = load_stories(folder, skip_edits=("paraphrased",))
    out["whole_verbatim_only"] = story_scores(clusters, relations, verbatim, doc_story,
                                              min_cover=min_cover).whole
    out["seconds_find"] = round(seconds, 3)
    out["peak_rss_mib"] = round(peak, 1)
    out["documents"] = len(result.corpus.documents)
    out["clusters"] = {k: sum(c.kind == k for c in result.clusters)
                       for k in ("cross-document", "within-outlet", "within-document")}
    out["mixed_examples"], out["spurious_examples"] = _examples(result, doc_story)
    _explain(out["per_story"], clusters, folder, min_cover)
    return out


def _explain(per_story: list[dict[str, Any]], clusters: list[tuple[Any, str, list[Any]]],
             folder: Path, min_cover: float) -> None:
    """Add ``missing`` to each story that failed: for each document covered below
    ``min_cover`` by the story's best cluster, the copied sentences outside it, with
    their edit and where they sit in the version (first after the local lead, last
    before the trimmed end, next to a cut of k wire sentences)."""
    spans = {cid: sp for cid, _, sp in clusters}
    records: dict[str, list[dict[str, Any]]] = {}
    with open(folder / "truth.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["kind"] == "derived":
                records.setdefault(r["doc"], []).append(r)
    for st in per_story:
        if st["whole"] or st["best"] is None:
            continue
        inside = spans[st["best"]]
        missing = []
        for doc in st["versions"]:
            if st["coverage"][doc] >= min_cover:
                continue
            recs = sorted(records.get(doc, ()), key=lambda r: r["start"])
            index = [int(r["group"].rsplit(":", 1)[1]) if r["group"].rsplit(":", 1)[1].isdigit()
                     else -1 for r in recs]
            for k, r in enumerate(recs):
                if any(d == doc and a <= r["start"] and r["end"] <= b for d, a, b in inside):
                    continue
                i, where = index[k], []
                if k == 0:
                    where.append("first after the lead")
                if k == len(recs) - 1:
                    where.append("last before the trim")
                if k and i - index[k - 1] > 1:
                    where.append(f"after a cut of {i - index[k - 1] - 1}")
                if k < len(recs) - 1 and index[k + 1] - i > 1:
                    where.append(f"before a cut of {index[k + 1] - i - 1}")
                missing.append({"doc": doc, "wire_sentence": i, "edit": r["edit"],
                                "where": ", ".join(where) or "inside"})
        if st["coverage"][st["wire"]] < min_cover:
            missing.append({"doc": st["wire"], "wire_sentence": None, "edit": "wire",
                            "where": f"the wire itself covered {st['coverage'][st['wire']]:.2f}"})
        st["missing"] = missing


def _examples(result: Any, doc_story: dict[str, str], limit: int = 12
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """For the diagnosis: the mixed cross-document clusters (each story's passages in
    them, shortened) and the relations between documents of different stories."""
    text = {d.id: d.text for d in result.corpus.documents}
    mixed = []
    for c in result.clusters:
        by_story: dict[str, list[str]] = {}
        for p in c.passages:
            by_story.setdefault(doc_story.get(p.doc, p.doc), []).append(
                f"{p.doc}[{p.first}-{p.last}] {text[p.doc][p.start:p.end][:100]!r}")
        if c.kind == "cross-document" and len(by_story) > 1:
            mixed.append({"cluster": c.id, "weakest_link": round(c.weakest_link, 3),
                          "passages": len(c.passages),
                          "stories": {k: v[:2] for k, v in by_story.items()}})
    spurious = [{"source": r.source, "derived": r.derived, "coverage": r.coverage,
                 "verdict": r.verdict, "clusters": list(r.clusters),
                 "stories": [doc_story.get(r.source), doc_story.get(r.derived)]}
                for r in result.relations
                if doc_story.get(r.source, r.source) != doc_story.get(r.derived, r.derived)]
    return mixed[:limit], spurious[:limit]


def _print(name: str, s: dict[str, Any], details: bool) -> None:
    n = s["stories"]
    print(f"{name}: {s['documents']} documents, {n} reprinted stories, find "
          f"{s['seconds_find']:.1f} s, {s['peak_rss_mib']:.0f} MiB")
    print(f"  stories as ONE cluster holding every version, each >= "
          f"{s['min_cover']:.0%} covered: {s['whole']}/{n} = {s['whole_share']:.1%} "
          f"(one cluster with every version, coverage aside: {s['together']}/{n}; "
          f"counting verbatim copies only: {s['whole_verbatim_only']}/{n})")
    print(f"  cross-document clusters touching a story: mean {s['clusters_per_story']:.2f}, "
          f"max {s['clusters_per_story_max']}; clusters {s['clusters']}")
    print(f"  version coverage by the story's best cluster: mean {s['coverage_mean']:.3f}, "
          f"min {s['coverage_min']:.3f}; mixed cross-document clusters: {s['mixed_clusters']}")
    r = s["relations"]
    print(f"  relations: {r['found']}/{r['true']} wire->version pairs found, "
          f"{r['direction_correct']} with the wire as source; {r['sibling']} between "
          f"versions of one story; {r['spurious']} spurious (documents of different stories)")
    if details:
        for st in s["per_story"]:
            if not st["whole"]:
                print(f"    {st['story']}: {st['why']}")
                for m in st.get("missing", ()):
                    sentence = "" if m["wire_sentence"] is None else \
                        f" wire sentence {m['wire_sentence']} ({m['edit']}), "
                    print(f"      outside it: {m['doc']}{sentence} {m['where']}")
        for m in s["mixed_examples"]:
            print(f"    mixed cluster {m['cluster']} (weakest link {m['weakest_link']}, "
                  f"{m['passages']} passages):")
            for story, passages in m["stories"].items():
                for p in passages:
                    print(f"      {story} {p}")
        for r in s["spurious_examples"]:
            print(f"    spurious relation {r['source']} -> {r['derived']} ({r['verdict']}, "
                  f"coverage {r['coverage']:.2f}, stories {r['stories'][0]} / "
                  f"{r['stories'][1]}, clusters {r['clusters']})")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.reprints``: generate, run find, print the story scores."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.reprints",
                                 description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=40, help="reprinted wire stories (40)")
    ap.add_argument("--outlets-per-story", type=int, default=4, help="versions a story (4)")
    ap.add_argument("--unrelated", type=int, default=40, help="stories printed once (40)")
    ap.add_argument("--seed", type=int, default=0, help="seed (0)")
    ap.add_argument("--source", choices=("msrp", "template"), default="msrp",
                    help="where sentences come from (msrp: real news sentences)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help=f"real data folder (default {DEFAULT_DATA})")
    ap.add_argument("--out", type=Path, help="keep the corpus in this folder")
    ap.add_argument("--undated", action="store_true",
                    help="documents without dates (direction by the more-covered rule)")
    ap.add_argument("--synthetic", type=int, default=0, metavar="N",
                    help="also score a benchmarks.generate corpus of N documents")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    ap.add_argument("--details", action="store_true", help="say why each failed story failed")
    args = ap.parse_args(argv)
    notes: list[str] = []
    source = args.source
    if source == "msrp":
        path = args.data / MSRP_FILE
        try:
            sentences = load_msrp(path)
        except FileNotFoundError:
            notes.append(f"no MSRP data at {path}: sentences from the template grammar")
            source = "template"
        except (OSError, ValueError) as exc:
            ap.error(f"cannot read {path}: {exc}")
    if args.synthetic < 0:
        ap.error(f"--synthetic must be a document count >= 0, got {args.synthetic}")
    if source == "template":
        sentences = template_sentences(40 * (args.stories + args.unrelated), seed=args.seed)
    try:
        corpus = generate_reprints(sentences, stories=args.stories,
                                   outlets_per_story=args.outlets_per_story,
                                   unrelated=args.unrelated, seed=args.seed,
                                   dated=not args.undated)
    except ValueError as exc:
        ap.error(str(exc))
    corpus.summary["source"] = source
    figures: dict[str, Any] = {"command": "python -m benchmarks.reprints " + " ".join(
        sys.argv[1:] if argv is None else list(argv)), "notes": notes}
    with tempfile.TemporaryDirectory(prefix="reprints-") as tmp:
        folder = corpus.write(args.out or Path(tmp) / "reprints")
        figures["reprints"] = {"corpus": corpus.summary, **score_folder(folder)}
        if args.synthetic:
            from benchmarks.generate import generate

            synth = Path(tmp) / "synthetic"
            generate(args.synthetic, seed=args.seed, out_dir=synth)
            figures["synthetic"] = score_folder(synth)
    for note in notes:
        print(f"note: {note}")
    _print(f"reprints ({source})", figures["reprints"], args.details)
    if "synthetic" in figures:
        _print("synthetic (benchmarks.generate)", figures["synthetic"], args.details)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
