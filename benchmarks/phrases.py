"""A phrase-heavy corpus: unrelated documents share many short phrases by chance.

    python -m benchmarks.phrases generate --docs 10000 --out DIR [--seed 0] [--data ../shared/data]
    python -m benchmarks.phrases baseline DIR          # the plain datasketch recipe
    python -m benchmarks.phrases score DIR             # find: time, candidates, recall
    python -m benchmarks.phrases compare DIR --repeats 3  # both, alternating: the ratio

Large real archives repeat set phrases, quotations and agency formulas across documents
that have nothing else in common. The synthetic generator (:mod:`benchmarks.generate`)
rejects such overlap; this one makes it. Every sentence is a walk of an order-2 word
Markov chain trained on the news sentences of ``msrp/msr_paraphrase_train.txt`` under
``--data`` (read at generation time, never copied into the repository): each pair of
words picks its next word from the words that followed that pair in the real text, so
unrelated documents reproduce the same 3-5-word phrases wherever the chain passes
through them, and a whole sentence is rarely reproduced.

``reprint_share`` of the documents are *wire* stories that 1-3 outlets reprint: each
version drops a middle paragraph when there are 3 or more, trims the last sentence with
probability 1/2 and adds a lead paragraph of its own (fresh chain sentences). These are
the true matches, so recall can be measured. Files, in :mod:`benchmarks.generate`'s
layout: ``documents.jsonl`` (``id``, ``outlet``, ``date``, ``title``, ``text``),
``truth.jsonl`` (one record per copied sentence, ``kind`` ``derived``, ``edit``
``verbatim``, with ``group`` naming the wire sentence), ``summary.json``.

``baseline`` runs what a user would write from datasketch's documentation, the recipe
issue 11 compares against: paragraph passages (blank-line separated), word 5-shingles,
``MinHash(num_perm=128)``, ``MinHashLSH(threshold=0.5)``, insert and query every passage,
union-find over the returned pairs. Run each under ``/usr/bin/time -v`` for peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
MSRP_FILE = Path("msrp") / "msr_paraphrase_train.txt"
_START = "\x02"
_END = "\x03"
_EPOCH = datetime(2025, 3, 1, 6, 0, tzinfo=timezone.utc)

__all__ = ["MarkovChain", "baseline", "compare", "generate_phrases", "main", "score"]


class MarkovChain:
    """An order-2 word chain: ``(w1, w2) -> [next words, with repeats]``.

    Where the training text is thin, a pair of words has one successor only and a pure
    order-2 walk copies the source sentence on and on (runs of 10+ words shared by
    unrelated documents, not the 3-5-word phrases of a large archive). At such a pair
    the walk backs off to order 1 (the successors of the last word) with probability
    ``backoff``; 0 gives the plain order-2 chain.

    >>> chain = MarkovChain(["The cat sat on the mat.", "The cat ran off."])
    >>> s = chain.sentence(random.Random(0))
    >>> s.startswith("The cat ")
    True
    """

    def __init__(self, sentences: Sequence[str], *, backoff: float = 0.5) -> None:
        nxt: dict[tuple[str, str], list[str]] = defaultdict(list)
        after: dict[str, list[str]] = defaultdict(list)
        for s in sentences:
            words = s.split()
            if len(words) < 3:
                continue
            seq = [_START, _START, *words, _END]
            for i in range(len(seq) - 2):
                nxt[(seq[i], seq[i + 1])].append(seq[i + 2])
                after[seq[i + 1]].append(seq[i + 2])
        if not nxt:
            raise ValueError("no sentence of 3 or more words to train the chain on")
        self._next = dict(nxt)
        self._after = dict(after)
        self._forced = {k for k, v in self._next.items() if len(set(v)) == 1}
        self.backoff = backoff

    def sentence(self, rng: random.Random, *, min_words: int = 8, max_words: int = 40,
                 tries: int = 20) -> str:
        """One walk from a sentence start to a sentence end, of ``min_words`` to
        ``max_words`` words where ``tries`` walks find one (else the last, cut)."""
        words: list[str] = []
        for _ in range(tries):
            words = []
            a, b = _START, _START
            while len(words) < max_words:
                if (a, b) in self._forced and rng.random() < self.backoff:
                    c = rng.choice(self._after[b])  # thin text: back off to order 1
                else:
                    c = rng.choice(self._next[(a, b)])
                if c == _END:
                    break
                words.append(c)
                a, b = b, c
            if min_words <= len(words) < max_words:
                break
        text = " ".join(words)
        if text and text[-1] not in ".!?\"'":
            text += "."
        return text


def _msrp_sentences(path: Path) -> list[str]:
    from benchmarks.reprints import load_msrp

    out: list[str] = []
    for s in load_msrp(path):
        out.append(s.text)
        if s.paraphrase:
            out.append(s.paraphrase)
    return out


def generate_phrases(out_dir: str | Path, *, docs: int = 10_000, seed: int = 0,
                     data: str | Path = DEFAULT_DATA, reprint_share: float = 0.1,
                     backoff: float = 0.5) -> dict[str, Any]:
    """Write a phrase-heavy corpus of about ``docs`` documents to ``out_dir``; return
    its summary. Raises ``FileNotFoundError`` when the MSRP file is missing."""
    rng = random.Random(seed)
    chain = MarkovChain(_msrp_sentences(Path(data) / MSRP_FILE), backoff=backoff)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_docs = n_truth = n_wire = 0
    with open(out / "documents.jsonl", "w", encoding="utf-8") as fd, \
            open(out / "truth.jsonl", "w", encoding="utf-8") as ft:

        def emit(outlet: str, day: int, paragraphs: list[list[str]]
                 ) -> tuple[str, list[list[tuple[int, int]]]]:
            nonlocal n_docs
            doc_id = f"p{n_docs:06d}"
            title = " ".join(paragraphs[0][0].split()[:8]).rstrip(".")
            text = title + "\n\n"
            spans: list[list[tuple[int, int]]] = []
            for pi, par in enumerate(paragraphs):
                if pi:
                    text += "\n\n"
                row = []
                for si, s in enumerate(par):
                    if si:
                        text += " "
                    row.append((len(text), len(text) + len(s)))
                    text += s
                spans.append(row)
            date = (_EPOCH + timedelta(days=day, minutes=n_docs)).isoformat()
            fd.write(json.dumps({"id": doc_id, "outlet": outlet, "date": date,
                                 "title": title, "text": text}) + "\n")
            n_docs += 1
            return doc_id, spans

        def story() -> list[list[str]]:
            return [[chain.sentence(rng) for _ in range(rng.randint(1, 3))]
                    for _ in range(rng.randint(3, 8))]

        while n_docs < docs:
            day = n_docs // 50
            paragraphs = story()
            outlet = f"outlet{rng.randrange(40):02d}"
            if rng.random() >= reprint_share:
                emit(outlet, day, paragraphs)
                continue
            n_wire += 1
            wire_id, wire_spans = emit("wire", day, paragraphs)
            story_id = f"w{n_wire:05d}"
            for _ in range(rng.randint(1, 3)):
                keep = [list(range(len(p))) for p in paragraphs]
                if len(paragraphs) >= 3:
                    keep[rng.randrange(1, len(paragraphs) - 1)] = []
                if rng.random() < 0.5:
                    last = max(i for i, k in enumerate(keep) if k)
                    if len(keep[last]) > 1 or sum(map(bool, keep)) > 2:
                        keep[last] = keep[last][:-1]
                lead = [chain.sentence(rng)]
                new_pars = [lead] + [[paragraphs[pi][si] for si in k]
                                     for pi, k in enumerate(keep) if k]
                origin = [None] + [[(pi, si) for si in k] for pi, k in enumerate(keep) if k]
                vid, vspans = emit(f"outlet{rng.randrange(40):02d}", day + 1, new_pars)
                for par_spans, par_origin in zip(vspans[1:], origin[1:], strict=True):
                    for (start, end), (pi, si) in zip(par_spans, par_origin, strict=True):
                        ws, we = wire_spans[pi][si]
                        ft.write(json.dumps({
                            "doc": vid, "start": start, "end": end, "source_doc": wire_id,
                            "source_start": ws, "source_end": we, "story": story_id,
                            "group": f"{story_id}:{pi}.{si}", "kind": "derived",
                            "edit": "verbatim"}) + "\n")
                        n_truth += 1
    summary = {"generator": "phrases", "docs": n_docs, "seed": seed, "wire_stories": n_wire,
               "truth_passages": n_truth, "reprint_share": reprint_share, "backoff": backoff}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _read_docs(folder: Path) -> list[dict[str, Any]]:
    with open(folder / "documents.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _reprint_pairs(folder: Path) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    with open(folder / "truth.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            pairs.add((r["source_doc"], r["doc"]))
    return pairs


def baseline(folder: str | Path, *, threshold: float = 0.5, num_perm: int = 128,
             shingle: int = 5) -> dict[str, Any]:
    """The plain datasketch recipe on ``folder``; its seconds, passages, candidate
    pairs, clusters and the share of reprint pairs sharing a cluster."""
    from datasketch import MinHash, MinHashLSH

    from benchmarks.baselines import union_find

    folder = Path(folder)
    t0 = time.perf_counter()
    docs = _read_docs(folder)
    owner: list[str] = []
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs: list[MinHash] = []
    for d in docs:
        for par in d["text"].split("\n\n"):
            words = par.lower().split()
            grams = {" ".join(words[i:i + shingle]) for i in range(len(words) - shingle + 1)}
            if not grams:
                continue
            m = MinHash(num_perm=num_perm)
            m.update_batch([g.encode("utf-8") for g in grams])
            lsh.insert(len(owner), m)
            owner.append(d["id"])
            sigs.append(m)
    pairs = {(min(i, j), max(i, j)) for i, m in enumerate(sigs) for j in lsh.query(m) if j != i}
    clusters = union_find(len(owner), sorted(pairs))
    seconds = time.perf_counter() - t0
    together: set[tuple[str, str]] = set()
    for c in clusters:
        ds = sorted({owner[i] for i in c})
        together.update((a, b) for a in ds for b in ds if a != b)
    truth = _reprint_pairs(folder)
    found = sum(p in together for p in truth)
    return {"recipe": "datasketch", "seconds": round(seconds, 2), "passages": len(owner),
            "candidate_pairs": len(pairs), "clusters": len(clusters),
            "reprint_pairs": len(truth), "reprint_pairs_found": found}


def score(folder: str | Path) -> dict[str, Any]:
    """``dedup find`` on ``folder`` with its defaults: seconds, the candidate counts of
    both channels, verified pairs, and the share of reprint pairs with a relation."""
    from dedup import find, read_corpus

    folder = Path(folder)
    t0 = time.perf_counter()
    result = find(read_corpus([folder / "documents.jsonl"]))
    seconds = time.perf_counter() - t0
    related = {(r.source, r.derived) for r in result.relations}
    related |= {(b, a) for a, b in related}
    truth = _reprint_pairs(folder)
    st = result.stats
    return {"recipe": "dedup find", "seconds": round(seconds, 2),
            "passages": len(result.passages),
            "candidate_pairs_near": int(st.get("candidate_pairs_near", 0)),
            "candidate_pairs_rare": int(st.get("candidate_pairs_rare", 0)),
            "verified_pairs": int(st.get("verified_pairs", 0)),
            "stage_seconds": {k[8:]: v for k, v in st.items() if k.startswith("seconds_")},
            "reprint_pairs": len(truth),
            "reprint_pairs_related": sum(p in related for p in truth)}


def compare(folder: str | Path, *, repeats: int = 3) -> dict[str, Any]:
    """``score`` and ``baseline`` run alternately ``repeats`` times each, every run in
    a fresh process (so each peak resident memory is its own, as ``/usr/bin/time -v``
    reports it): per run its seconds (as the run itself times them: reading the
    corpus included, interpreter start not), CPU seconds and peak RSS, and the
    ratios of the medians (the recipe's over find's: above 1, find is faster or
    smaller). Alternating spreads a busy machine's load over both."""
    folder = Path(folder)
    runs: list[dict[str, Any]] = []
    for r in range(repeats):
        for cmd in ("score", "baseline"):
            proc = subprocess.Popen([sys.executable, "-m", "benchmarks.phrases", cmd,
                                     str(folder)], cwd=ROOT, stdout=subprocess.PIPE)
            out = proc.stdout.read() if proc.stdout else b""
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise RuntimeError(f"phrases {cmd} {folder} exited with {proc.returncode}")
            fig = json.loads(out)
            runs.append({"tool": fig["recipe"], "run": r, "seconds": fig["seconds"],
                         "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
                         "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
                         "reprint_pairs": fig["reprint_pairs"],
                         "reprint_pairs_matched": fig.get("reprint_pairs_related",
                                                          fig.get("reprint_pairs_found"))})

    def median(tool: str, key: str) -> float:
        return statistics.median(x[key] for x in runs if x["tool"] == tool)

    ratio = {key: round(median("datasketch", key) / max(median("dedup find", key), 1e-9), 2)
             for key in ("seconds", "cpu_seconds", "peak_rss_mib")}
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        load = None
    return {"folder": str(folder), "repeats": repeats, "load_average_at_end": load,
            "runs": runs, "recipe_over_find": ratio}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.phrases",
                                 description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a phrase-heavy corpus")
    g.add_argument("--docs", type=int, default=10_000)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--data", type=Path, default=DEFAULT_DATA)
    g.add_argument("--reprint-share", type=float, default=0.1)
    g.add_argument("--backoff", type=float, default=0.5,
                   help="chance of backing off to order 1 at a one-successor word pair")
    g.add_argument("--out", type=Path, required=True)
    for name in ("baseline", "score", "compare"):
        p = sub.add_parser(name)
        p.add_argument("folder", type=Path)
        if name == "compare":
            p.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    if args.cmd == "generate":
        if args.docs < 1 or not 0 <= args.reprint_share <= 1 or not 0 <= args.backoff <= 1:
            ap.error("--docs must be >= 1, --reprint-share and --backoff in [0, 1]")
        if not (args.data / MSRP_FILE).exists():
            print(f"no MSRP data at {args.data / MSRP_FILE}; skipped", file=sys.stderr)
            return 0
        fig = generate_phrases(args.out, docs=args.docs, seed=args.seed, data=args.data,
                               reprint_share=args.reprint_share, backoff=args.backoff)
    else:
        if not (args.folder / "documents.jsonl").exists():
            print(f"no documents.jsonl in {args.folder}", file=sys.stderr)
            return 2
        if args.cmd == "compare":
            if args.repeats < 1:
                ap.error("--repeats must be >= 1")
            fig = compare(args.folder, repeats=args.repeats)
            for x in fig["runs"]:
                print(f"{x['tool']:<11} run {x['run']}: {x['seconds']:8.2f} s  "
                      f"{x['cpu_seconds']:8.2f} s CPU  {x['peak_rss_mib']:8.1f} MiB peak  "
                      f"reprint pairs {x['reprint_pairs_matched']}/{x['reprint_pairs']}",
                      file=sys.stderr)
            r = fig["recipe_over_find"]
            print(f"recipe / find (medians): time {r['seconds']}x, CPU {r['cpu_seconds']}x, "
                  f"peak memory {r['peak_rss_mib']}x", file=sys.stderr)
        else:
            fig = baseline(args.folder) if args.cmd == "baseline" else score(args.folder)
    print(json.dumps(fig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
