"""Benchmark the word aligner: its RapidFuzz opcodes step against difflib on the same ids.

Builds deterministic pairs of ~490-word texts (a window of the seed articles and an
edited copy: words substituted, a number and a speech verb changed, a sentence dropped,
one moved, quotes straightened), maps words to integer ids once, then times

* ``dedup.align.opcodes`` (RapidFuzz ``Indel.opcodes`` plus the merge into replaces),
* ``difflib.SequenceMatcher(None, a_ids, b_ids, autojunk=False).get_opcodes()``,
* tokenizing plus difflib (what a difflib aligner would pay before its own extras),
* the full ``dedup.align.align`` on the texts (tokenizing, cosmetic runs, moves, flags),

each as the best of ``repeats`` passes over all pairs.

Two more sections (``--sections``):

* ``seeds``: the full ``align()`` on the seeds' own pairs (issue 11's figure): every
  pair of passages from two documents that ``dedup.find`` puts in one cluster,
  aligned as texts of their own and, as ``dedup report`` aligns them, as spans of their
  documents; and every pair of whole seed documents (5 choose 2).
* ``shapes``: ``dedup find`` and ``dedup report`` run through the CLI on the
  pathological inputs of issue 12 (a 20,000 to 100,000-character word before the
  shared sentence; two documents repeating one sentence 4,000 times), to show that
  the report's cost stays within a small factor of ``find``'s.

    python -m benchmarks.bench_align --pairs 200 --json bench-results/align.json
    python -m benchmarks.bench_align --sections seeds,shapes
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from benchmarks.common import write_figures
from dedup.align import align, opcodes
from dedup.normalize import tokenize

Opcodes = Sequence[tuple[str, int, int, int, int]]
Pair = TypeVar("Pair")
SpanPair = tuple[str, str, tuple[int, int], tuple[int, int]]
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TARGET_WORDS = 490
TARGET_SPEEDUP = 15.0
TARGET_SEED_PAIRS_PER_S = 1000.0  # issue 11: the full align() on the seeds' pairs
TARGET_REPORT_VS_FIND = 2.0  # issue 12: report within 2x of find on the shapes
SECTIONS = ("difflib", "seeds", "shapes")

_SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+")
_WORD = re.compile(r"[A-Za-z]{4,}")
_SUBSTITUTES = "reportedly officials forces region military allies several major".split()
_VERBS = {"said": "claimed", "told": "informed", "warned": "stated", "says": "claims"}
_STRAIGHTEN = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _source_text() -> str:
    """The seed articles, or a generated stand-in where the seeds are absent."""
    files = sorted(SEEDS.glob("*.txt"))
    if files:
        return "\n\n".join(f.read_text(encoding="utf-8") for f in files)
    rng = random.Random(0)
    vocab = ("the troops said officials region war 12,000 three front border minister "
             "on in of and a report Monday told reporters \u201cwe will\u201d").split()
    return " ".join(
        " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 25))) + "."
        for _ in range(400)
    )


def _edit(text: str, rng: random.Random) -> str:
    """A newspaper's version of wire copy: reworded, trimmed and reordered."""
    sentences = _SENTENCE_END.split(text)
    if len(sentences) > 4:
        del sentences[rng.randrange(len(sentences))]
        moved = sentences.pop(rng.randrange(len(sentences)))
        sentences.insert(rng.randrange(len(sentences) + 1), moved)
    out = " ".join(sentences)

    def substitute(m: re.Match[str]) -> str:
        return rng.choice(_SUBSTITUTES) if rng.random() < 0.04 else m.group()

    out = _WORD.sub(substitute, out)
    for old, new in _VERBS.items():
        if rng.random() < 0.5:
            out = out.replace(f" {old} ", f" {new} ", 1)
    out = re.sub(r"\b\d{1,3},\d{3}\b", lambda m: f"{rng.randint(1, 99)},000", out, count=1)
    if rng.random() < 0.5:
        out = out.translate(_STRAIGHTEN)
    return out


def make_pairs(n_pairs: int, *, seed: int = 0) -> list[tuple[str, str]]:
    """``n_pairs`` deterministic (wire, edited copy) pairs of about 490 words each.

    >>> a, b = make_pairs(1, seed=3)[0]
    >>> len(tokenize(a))
    490
    """
    source = _source_text()
    words = tokenize(source)
    rng = random.Random(seed)
    pairs = []
    for _ in range(n_pairs):
        s = rng.randrange(max(1, len(words) - TARGET_WORDS))
        e = min(s + TARGET_WORDS, len(words)) - 1
        a = source[words[s].start:words[e].end]
        pairs.append((a, _edit(a, rng)))
    return pairs


def _ids(a: str, b: str) -> tuple[list[int], list[int]]:
    vocab: dict[str, int] = {}
    ida = [vocab.setdefault(t.norm, len(vocab)) for t in tokenize(a)]
    idb = [vocab.setdefault(t.norm, len(vocab)) for t in tokenize(b)]
    return ida, idb


def _best_time(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(n_pairs: int = 200, seed: int = 0, repeats: int = 3) -> dict:
    """Time the three paths on ``n_pairs`` pairs; return the figures as a dict."""
    if n_pairs < 1 or repeats < 1:
        raise ValueError("n_pairs and repeats must be >= 1")
    pairs = make_pairs(n_pairs, seed=seed)
    ids = [_ids(a, b) for a, b in pairs]

    def rapid() -> list[Opcodes]:
        return [opcodes(x, y) for x, y in ids]

    def slow() -> list[Opcodes]:
        return [difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes() for x, y in ids]

    def slow_pipeline() -> list[Opcodes]:
        out: list[Opcodes] = []
        for a, b in pairs:
            x, y = _ids(a, b)
            out.append(difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes())
        return out

    def full() -> list[object]:
        return [align(a, b) for a, b in pairs]

    t_rapid = _best_time(rapid, repeats)
    t_slow = _best_time(slow, repeats)
    t_slow_pipeline = _best_time(slow_pipeline, repeats)
    t_full = _best_time(full, repeats)
    alignments = [align(a, b) for a, b in pairs]

    def matched(ops: Sequence[Sequence[object]]) -> int:
        return sum(int(o[2]) - int(o[1]) for o in ops if o[0] == "equal")  # type: ignore[call-overload]

    return {
        "pairs": n_pairs,
        "seed": seed,
        "repeats": repeats,
        "mean_words_a": round(statistics.mean(len(x) for x, _ in ids), 1),
        "mean_words_b": round(statistics.mean(len(y) for _, y in ids), 1),
        "rapidfuzz_opcodes": {"seconds": t_rapid, "pairs_per_s": round(n_pairs / t_rapid, 1)},
        "difflib_opcodes": {"seconds": t_slow, "pairs_per_s": round(n_pairs / t_slow, 1)},
        "difflib_tokenize_opcodes": {
            "seconds": t_slow_pipeline, "pairs_per_s": round(n_pairs / t_slow_pipeline, 1),
        },
        "align_full": {"seconds": t_full, "pairs_per_s": round(n_pairs / t_full, 1)},
        "speedup_opcodes": round(t_slow / t_rapid, 2),
        "speedup_full_vs_difflib_opcodes": round(t_slow / t_full, 2),
        "speedup_full_vs_difflib_tokenize_opcodes": round(t_slow_pipeline / t_full, 2),
        "target_speedup": TARGET_SPEEDUP,
        "words_matched_rapidfuzz": sum(matched(rapid_ops) for rapid_ops in rapid()),
        "words_matched_difflib": sum(matched(ops) for ops in slow()),
        "moves_found": sum(al.stats.moves for al in alignments),
        "numbers_flagged": sum(al.stats.numbers_changed for al in alignments),
        "attributions_flagged": sum(al.stats.attributions_changed for al in alignments),
    }


def seed_pairs(seeds: Path = SEEDS) -> tuple[list[SpanPair], list[tuple[str, str]]]:
    """The seeds' passage pairs and whole-document pairs.

    Passage pairs: every two passages of different documents in one cluster of
    ``dedup.find``, as ``(text_a, text_b, span_a, span_b)`` with the documents' texts.
    Document pairs: every two seed documents.
    """
    from dedup import find
    from dedup.corpus import read_corpus

    corpus = read_corpus([str(seeds)])
    docs = {d.id: d for d in corpus.documents}
    passages: list[SpanPair] = []
    for cluster in find(corpus).clusters:
        for p, q in itertools.combinations(cluster.passages, 2):
            if p.doc != q.doc:
                passages.append((docs[p.doc].text, docs[q.doc].text, (p.start, p.end),
                                 (q.start, q.end)))
    documents = [(x.text, y.text) for x, y in itertools.combinations(corpus.documents, 2)]
    return passages, documents


def _rate(pairs: Sequence[Pair], fn: Callable[[Pair], object], repeats: int,
          min_seconds: float = 0.2) -> dict:
    """Pairs per CPU second of ``fn`` over ``pairs`` (this process's CPU time, so other
    work on a shared machine does not count), best of ``repeats`` timed passes, each
    pass repeating the list until it lasts ``min_seconds``."""
    for p in pairs:  # warm: the tokenizer's pattern, imports
        fn(p)
    t0 = time.process_time()
    for p in pairs:
        fn(p)
    once = max(time.process_time() - t0, 1e-6)
    loops = max(1, int(min_seconds / once) + 1)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        for _ in range(loops):
            for p in pairs:
                fn(p)
        best = min(best, time.process_time() - t0)
    done = loops * len(pairs)
    return {"pairs": len(pairs), "aligned": done, "cpu_seconds": round(best, 4),
            "pairs_per_s": round(done / best, 1)}


def run_seeds(repeats: int = 3, seeds: Path = SEEDS) -> dict:
    """The full ``align()`` on the seeds' passage pairs and whole-document pairs."""
    if repeats < 1:
        raise ValueError("repeats must be >= 1")
    passages, documents = seed_pairs(seeds)
    if not passages or not documents:
        raise ValueError(f"{seeds} holds no cross-document passage pair")
    texts = [(a[sa[0]:sa[1]], b[sb[0]:sb[1]]) for a, b, sa, sb in passages]

    def whole(p: tuple[str, str]) -> object:
        return align(p[0], p[1])

    def spans(p: SpanPair) -> object:
        return align(p[0], p[1], a_span=p[2], b_span=p[3])

    def words(pairs: Sequence[tuple[str, str]]) -> float:
        return round(statistics.mean(len(tokenize(a)) + len(tokenize(b)) for a, b in pairs) / 2, 1)

    return {
        "repeats": repeats,
        "target_pairs_per_s": TARGET_SEED_PAIRS_PER_S,
        "passages": {
            **_rate(texts, whole, repeats),
            "mean_words": words(texts),
        },
        "passages_in_documents": _rate(passages, spans, repeats),
        "documents": {
            **_rate(documents, whole, repeats),
            "mean_words": words(documents),
        },
    }


SHAPE_SENTENCE = "The minister said on Tuesday that talks would resume in Geneva next week."


def make_shapes(folder: Path, token_sizes: Sequence[int] = (20_000, 50_000, 100_000),
                repeats: int = 4000) -> dict[str, Path]:
    """Issue 12's inputs, one corpus folder each, two documents per folder.

    ``token-N``: one document is the shared sentence, the other an N-character word,
    a blank line, then that sentence. ``repeated-N``: both documents repeat the
    sentence N times.
    """
    shapes: dict[str, Path] = {}
    for n in token_sizes:
        d = folder / f"token-{n}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "a.txt").write_text(SHAPE_SENTENCE + "\n", encoding="utf-8")
        (d / "b.txt").write_text("x" * n + "\n\n" + SHAPE_SENTENCE + "\n", encoding="utf-8")
        shapes[d.name] = d
    d = folder / f"repeated-{repeats}"
    d.mkdir(parents=True, exist_ok=True)
    for name in ("a.txt", "b.txt"):
        (d / name).write_text((SHAPE_SENTENCE + " ") * repeats, encoding="utf-8")
    shapes[d.name] = d
    return shapes


def _cli_seconds(args: Sequence[str], repeats: int,
                 timeout: float) -> tuple[float, float] | None:
    """Best wall time and best CPU time (user + system, of the child process) of
    ``python -m dedup ARGS``, or None when a run times out."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        try:
            subprocess.run([sys.executable, "-m", "dedup", *args], check=True,
                           stdout=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def run_shapes(repeats: int = 1, timeout: float = 600.0,
               token_sizes: Sequence[int] = (20_000, 50_000, 100_000),
               sentence_repeats: int = 4000) -> dict:
    """``dedup find`` and ``dedup report`` through the CLI on each shape."""
    if repeats < 1:
        raise ValueError("repeats must be >= 1")
    out: dict = {"repeats": repeats, "timeout_s": timeout,
                 "target_report_vs_find": TARGET_REPORT_VS_FIND, "shapes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-align-") as tmp:
        for name, folder in make_shapes(Path(tmp), token_sizes, sentence_repeats).items():
            t_find = _cli_seconds(["find", str(folder), "-q"], repeats, timeout)
            report = ["report", str(folder), "-q", "-o", str(Path(tmp) / f"{name}.html")]
            t_report = _cli_seconds(report, repeats, timeout)
            row: dict = {}
            for key, k in (("wall", 0), ("cpu", 1)):
                f = None if t_find is None else round(t_find[k], 3)
                r = None if t_report is None else round(t_report[k], 3)
                row[f"find_{key}_s"], row[f"report_{key}_s"] = f, r
                row[f"report_vs_find_{key}"] = round(r / f, 2) if f and r is not None else None
            out["shapes"][name] = row
    return out


def _print_difflib(r: dict) -> None:
    ok = "meets" if r["speedup_opcodes"] >= TARGET_SPEEDUP else "MISSES"
    print(f"bench_align: {r['pairs']} pairs, mean {r['mean_words_a']}/{r['mean_words_b']} "
          f"words (A/B), best of {r['repeats']}")
    print(f"  rapidfuzz opcodes (dedup.align.opcodes)  "
          f"{r['rapidfuzz_opcodes']['pairs_per_s']:>10.1f} pairs/s")
    print(f"  difflib SequenceMatcher.get_opcodes      "
          f"{r['difflib_opcodes']['pairs_per_s']:>10.1f} pairs/s")
    print(f"  speed-up, opcodes step                   {r['speedup_opcodes']:>10.2f}x "
          f"({ok} the {TARGET_SPEEDUP:.0f}x target)")
    print(f"  tokenize + difflib opcodes               "
          f"{r['difflib_tokenize_opcodes']['pairs_per_s']:>10.1f} pairs/s")
    print(f"  full align() (tokenize, moves, flags)    "
          f"{r['align_full']['pairs_per_s']:>10.1f} pairs/s "
          f"({r['speedup_full_vs_difflib_opcodes']:.2f}x difflib opcodes alone, "
          f"{r['speedup_full_vs_difflib_tokenize_opcodes']:.2f}x tokenize + difflib)")
    print(f"  words matched: rapidfuzz {r['words_matched_rapidfuzz']}, "
          f"difflib {r['words_matched_difflib']}; moves found {r['moves_found']}, "
          f"numbers flagged {r['numbers_flagged']}, "
          f"attributions flagged {r['attributions_flagged']}")


def _print_seeds(r: dict) -> None:
    target = r["target_pairs_per_s"]
    print(f"bench_align seeds: full align() on the seeds' pairs, best of {r['repeats']}, "
          f"per CPU second")
    rows = [
        ("passage pairs (texts)", r["passages"]),
        ("passage pairs (spans of their documents)", r["passages_in_documents"]),
        ("whole-document pairs", r["documents"]),
    ]
    for label, f in rows:
        ok = "meets" if f["pairs_per_s"] >= target else "MISSES"
        words = f" mean {f['mean_words']:>5} words," if "mean_words" in f else " " * 18
        print(f"  {label:<42}{f['pairs']:>4} pairs,{words} {f['pairs_per_s']:>9.1f} pairs/s "
              f"({ok} {target:.0f})")


def _print_shapes(r: dict) -> None:
    target = r["target_report_vs_find"]
    print(f"bench_align shapes: dedup find / dedup report through the CLI, best of "
          f"{r['repeats']}; CPU seconds of the process (wall seconds)")

    def secs(f: dict, tool: str) -> str:
        cpu, wall = f[f"{tool}_cpu_s"], f[f"{tool}_wall_s"]
        return "timeout" if cpu is None else f"{cpu:.2f} s ({wall:.2f})"

    for name, f in r["shapes"].items():
        ratio = f["report_vs_find_cpu"]
        verdict = "n/a" if ratio is None else (
            f"{ratio:.2f}x, {'meets' if ratio <= target else 'MISSES'} {target:.0f}x")
        print(f"  {name:<16} find {secs(f, 'find'):>18}  report {secs(f, 'report'):>18}  "
              f"({verdict})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_align",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated, of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--pairs", type=int, default=200, help="number of text pairs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the pair generator")
    parser.add_argument("--repeats", type=int, default=3, help="passes; the best is kept")
    parser.add_argument("--shape-timeout", type=float, default=600.0,
                        help="seconds one CLI run on a shape may take")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    sections = [x.strip() for x in args.sections.split(",") if x.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown or not sections:
        parser.error(f"--sections takes {', '.join(SECTIONS)}; got {args.sections!r}")
    figures: dict = {}
    if "difflib" in sections:
        figures["difflib"] = run(n_pairs=args.pairs, seed=args.seed, repeats=args.repeats)
        _print_difflib(figures["difflib"])
    if "seeds" in sections:
        figures["seeds"] = run_seeds(repeats=args.repeats)
        _print_seeds(figures["seeds"])
    if "shapes" in sections:
        figures["shapes"] = run_shapes(repeats=args.repeats, timeout=args.shape_timeout)
        _print_shapes(figures["shapes"])
    if args.json:
        write_figures(args.json, figures if len(figures) > 1 else next(iter(figures.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
