"""Benchmark the word aligner: its RapidFuzz opcodes step against difflib on the same ids.

Builds deterministic pairs of ~490-word texts (a window of the seed articles and an
edited copy: words substituted, a number and a speech verb changed, a sentence dropped,
one moved, quotes straightened), maps words to integer ids once, then times

* ``dedup.align.opcodes`` (RapidFuzz ``Indel.opcodes`` plus the merge into replaces),
* ``difflib.SequenceMatcher(None, a_ids, b_ids, autojunk=False).get_opcodes()``,
* tokenizing plus difflib (what a difflib aligner would pay before its own extras),
* the full ``dedup.align.align`` on the texts (tokenizing, cosmetic runs, moves, flags),

each as the best of ``repeats`` passes over all pairs.

    python -m benchmarks.bench_align --pairs 200 --json bench-results/align.json
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.common import write_figures
from dedup.align import align, opcodes
from dedup.normalize import tokenize

Opcodes = Sequence[tuple[str, int, int, int, int]]
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TARGET_WORDS = 490
TARGET_SPEEDUP = 15.0

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_align",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=200, help="number of text pairs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the pair generator")
    parser.add_argument("--repeats", type=int, default=3, help="passes; the best is kept")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = parser.parse_args(argv)
    r = run(n_pairs=args.pairs, seed=args.seed, repeats=args.repeats)
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
    if args.json:
        write_figures(args.json, r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
