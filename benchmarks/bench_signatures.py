"""Whole documents to MinHash signatures, and LSH candidates, against datasketch.

On a synthetic news corpus (:func:`benchmarks.generate.generate`, cached on disk), in
ONE run:

* **signatures**, text to a ``(n, num_perm)`` matrix, end to end:

  - datasketch the way a user writes it: per document, words by
    ``re.findall(r"\\w+", text.lower())``, the set of word 5-gram strings encoded to
    bytes, one ``MinHash(num_perm, seed)`` each and ``update_batch`` (SHA-1 per shingle);
  - rensa (Rust) the same way, and gaoya's ``MinHashStringIndex.insert_document``
    (which signs and indexes in one step, with its own Rust word-n-gram analyzer),
    when importable (skipped with a note otherwise);
  - :func:`dedup.signatures.text_signatures` with 1 and with ``processes`` workers
    (the two results must be identical);

* **LSH candidates** over the same signatures (ours, converted to datasketch
  ``LeanMinHash(seed, hashvalues, scheme="affine32")``) with the SAME bands and rows,
  passed to ``MinHashLSH(params=(b, r))``, for two bandings: datasketch's own choice
  for the threshold (25 x 5 at 0.5) and dedup's ``LSHParams.for_recall`` (42 x 3):
  datasketch ``insert`` of every document then ``query`` of every document, against
  :func:`dedup.index.candidate_pairs` (``max_bucket`` unlimited, so it returns every
  bucket-sharing pair as datasketch does). The two candidate sets are compared for
  equality. Each side runs in a fresh subprocess; memory is the growth of peak RSS
  (VmHWM of /proc/self/status: ``ru_maxrss`` would carry the parent's peak over
  fork and exec on Linux; ``ru_maxrss`` elsewhere) over the process's level once the
  signatures are loaded (datasketch: counted from before the conversion to MinHash
  objects, which its index needs, and from after it), and separately the
  ``tracemalloc`` peak of the same work in another fresh subprocess (numpy reports
  its buffers to tracemalloc).

The machine's load average and each run's CPU time (this process and its children)
are recorded: other work on the machine slows the multi-process path more than the
single-process baseline; ``--repeats N`` lets the three runs take turns N times and
keeps each one's fastest.

    python -m benchmarks.bench_signatures --docs 50000 [--processes 2] [--repeats 2]
        [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import write_figures
from dedup.index import LSHParams, candidate_pairs
from dedup.signatures import MinHashParams, text_signatures

from .generate import generate

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = ROOT / "bench-results" / "corpus"
TARGET_SIGNATURES = 15.0
TARGET_LSH = 20.0
TARGET_MEMORY = 10.0
_WORD = re.compile(r"\w+")


def load_corpus(n_docs: int, *, seed: int = 0, cache_dir: str | Path | None = None
                ) -> list[str]:
    """Texts of the synthetic corpus of ``n_docs`` documents, generated once into
    ``cache_dir/docs{n}-seed{seed}/`` and read from there afterwards."""
    folder = Path(cache_dir or DEFAULT_CACHE) / f"docs{n_docs}-seed{seed}"
    path = folder / "documents.jsonl"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate(n_docs, seed=seed, out_dir=folder)
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def datasketch_signatures(texts: Sequence[str], params: MinHashParams, ngram: int
                          ) -> tuple[np.ndarray, int]:
    """The baseline: one datasketch MinHash per document; returns the matrix and the
    number of distinct shingles hashed."""
    from datasketch import MinHash

    out = np.empty((len(texts), params.num_perm), dtype=np.uint32)
    shingles = 0
    for i, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        grams = {" ".join(words[k:k + ngram]).encode("utf-8")
                 for k in range(len(words) - ngram + 1)}
        m = MinHash(num_perm=params.num_perm, seed=params.seed)
        m.update_batch(list(grams))
        out[i] = m.hashvalues
        shingles += len(grams)
    return out, shingles


def rensa_signatures(texts: Sequence[str], params: MinHashParams, ngram: int) -> np.ndarray:
    """rensa (Rust) the same way: per document, regex words, the set of 5-gram
    strings, ``RMinHash.update``, ``digest``."""
    from rensa import RMinHash

    out = np.empty((len(texts), params.num_perm), dtype=np.uint32)
    for i, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        m = RMinHash(num_perm=params.num_perm, seed=params.seed)
        m.update(list({" ".join(words[k:k + ngram]) for k in range(len(words) - ngram + 1)}))
        out[i] = m.digest()
    return out


def gaoya_index(texts: Sequence[str], lsh: LSHParams, ngram: int) -> None:
    """gaoya signs while it indexes: ``MinHashStringIndex.insert_document`` with its
    built-in (Rust) lowercase word-n-gram analyzer, so its time covers text to
    signature plus the LSH insert."""
    from gaoya.minhash import MinHashStringIndex

    index = MinHashStringIndex(hash_size=32, jaccard_threshold=lsh.threshold,
                               num_bands=lsh.bands, band_size=lsh.rows, analyzer="word",
                               lowercase=True, ngram_range=(ngram, ngram))
    for i, text in enumerate(texts):
        index.insert_document(i, text)


def _optional_baselines(texts: Sequence[str], params: MinHashParams, ngram: int,
                        threshold: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("rensa", "gaoya"):
        try:
            __import__(name)
        except ImportError:
            out[name] = {"skipped": f"not installed (pip install {name})"}
    n = max(len(texts), 1)
    if "rensa" not in out:
        _, t, _ = _timed(rensa_signatures, texts, params, ngram)
        out["rensa"] = {"seconds": round(t, 3), "docs_per_s": round(n / t, 1),
                        "how": "per document: regex words, set of 5-gram str, RMinHash"}
    if "gaoya" not in out:
        lsh = LSHParams.for_recall(params.num_perm, threshold)
        _, t, _ = _timed(gaoya_index, texts, lsh, ngram)
        out["gaoya"] = {"seconds": round(t, 3), "docs_per_s": round(n / t, 1),
                        "how": "MinHashStringIndex.insert_document: signs AND indexes"}
    return out


def _our_shingles(texts: Sequence[str], ngram: int) -> int:
    from dedup.signatures import _Vocab  # the word splitter text_signatures uses

    _, unit = _Vocab().words(texts)
    per_doc = np.bincount(unit, minlength=len(texts))
    return int(np.maximum(per_doc - ngram + 1, 0).sum())


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """``(result, wall seconds, CPU seconds of this process and its children)``."""
    c0, t = os.times(), time.perf_counter()
    result = fn(*args, **kwargs)
    wall, c1 = time.perf_counter() - t, os.times()
    cpu = sum(c1[k] - c0[k] for k in range(4))  # user, system, children's user, system
    return result, wall, cpu


# ----------------------------------------------------------------------------- LSH side


def _maxrss_mib() -> float:
    """Peak resident memory of this process. On Linux ``ru_maxrss`` survives fork and
    exec (a child started from a big parent reports the parent's peak), so VmHWM of
    /proc/self/status, which a fresh process image starts anew, is read there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def lsh_worker(kind: str, sig_path: str, bands: int, rows: int, threshold: float,
               seed: int, pairs_path: str | None, trace: bool) -> dict[str, Any]:
    """One side of the LSH comparison, meant to run alone in a fresh process."""
    import tracemalloc

    from datasketch import LeanMinHash, MinHashLSH  # imported before the baseline

    sig = np.load(sig_path)
    n, num_perm = sig.shape
    out: dict[str, Any] = {"kind": kind, "docs": n}
    base = _maxrss_mib()
    if trace:
        tracemalloc.start()
    if kind == "datasketch":
        t = time.perf_counter()
        sketches = [LeanMinHash(seed=seed, hashvalues=row, scheme="affine32") for row in sig]
        out["seconds_convert"] = time.perf_counter() - t
        after_convert = _maxrss_mib()
        t = time.perf_counter()
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=(bands, rows))
        for i, m in enumerate(sketches):
            lsh.insert(i, m)
        out["seconds_insert"] = time.perf_counter() - t
        found: set[tuple[int, int]] = set()
        t = time.perf_counter()
        for i, m in enumerate(sketches):
            for j in lsh.query(m):
                if j != i:
                    found.add((i, j) if i < j else (j, i))
        out["seconds_query"] = time.perf_counter() - t
        out["seconds"] = out["seconds_insert"] + out["seconds_query"]
        pairs = np.array(sorted(found), dtype=np.int64).reshape(-1, 2)
        out["rss_growth_mib"] = _maxrss_mib() - base
        out["rss_growth_after_convert_mib"] = _maxrss_mib() - after_convert
    else:
        lsh_params = LSHParams(bands=bands, rows=rows, threshold=threshold, target_recall=0.0)
        t = time.perf_counter()
        pairs = candidate_pairs(sig, lsh_params, max_bucket=max(n, 2))
        out["seconds"] = time.perf_counter() - t
        out["rss_growth_mib"] = _maxrss_mib() - base
    if trace:
        out["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    out["pairs"] = len(pairs)
    if pairs_path:
        np.save(pairs_path, pairs)
    return out


def _run_worker(kind: str, sig_path: Path, lsh: LSHParams, seed: int, pairs_path: Path | None,
                trace: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_signatures", "--lsh-worker", kind,
           "--sig", str(sig_path), "--bands", str(lsh.bands), "--rows", str(lsh.rows),
           "--threshold", str(lsh.threshold), "--minhash-seed", str(seed)]
    if pairs_path is not None:
        cmd += ["--pairs-out", str(pairs_path)]
    if trace:
        cmd.append("--trace")
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"LSH worker {kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bandings(num_perm: int, threshold: float) -> dict[str, LSHParams]:
    """The (bands, rows) compared: datasketch's own choice for the threshold (what
    ``MinHashLSH(threshold)`` uses when given no ``params``) and dedup's
    :meth:`LSHParams.for_recall` (more bands: recall first)."""
    from datasketch.lsh import _optimal_param

    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return {"datasketch_default": LSHParams(bands=b, rows=r, threshold=threshold,
                                            target_recall=0.0),
            "dedup_for_recall": LSHParams.for_recall(num_perm, threshold)}


def compare_lsh(sig: np.ndarray, params: MinHashParams, lsh: LSHParams, *,
                memory_trace: bool = True) -> dict[str, Any]:
    """datasketch MinHashLSH against candidate_pairs on ``sig``, same bands and rows."""
    out: dict[str, Any] = {"threshold": lsh.threshold, "bands": lsh.bands, "rows": lsh.rows}
    with tempfile.TemporaryDirectory() as tmp:
        sig_path = Path(tmp) / "sig.npy"
        np.save(sig_path, sig)
        paths = {k: Path(tmp) / f"pairs-{k}.npy" for k in ("datasketch", "numpy")}
        for kind in ("datasketch", "numpy"):
            out[kind] = _run_worker(kind, sig_path, lsh, params.seed, paths[kind], trace=False)
            if memory_trace:
                traced = _run_worker(kind, sig_path, lsh, params.seed, None, trace=True)
                out[kind]["tracemalloc_peak_mib"] = traced["tracemalloc_peak_mib"]
        ds, ours = np.load(paths["datasketch"]), np.load(paths["numpy"])
    out["same_candidates"] = bool(ds.shape == ours.shape and np.array_equal(ds, ours))
    out["candidate_pairs"] = len(ours)
    if not out["same_candidates"]:
        ka = set(map(tuple, ds.tolist()))
        kb = set(map(tuple, ours.tolist()))
        out["only_datasketch"], out["only_ours"] = len(ka - kb), len(kb - ka)
    d, o = out["datasketch"], out["numpy"]
    out["speedup"] = round(d["seconds"] / o["seconds"], 2)
    out["memory_ratio_rss"] = round(d["rss_growth_mib"] / max(o["rss_growth_mib"], 1e-9), 2)
    if memory_trace:
        out["memory_ratio_tracemalloc"] = round(
            d["tracemalloc_peak_mib"] / max(o["tracemalloc_peak_mib"], 1e-9), 2)
    out["target_speedup"] = TARGET_LSH
    out["target_memory_ratio"] = TARGET_MEMORY
    return out


# ------------------------------------------------------------------------------ the run


def run(n_docs: int, *, seed: int = 0, processes: int = 2, num_perm: int = 128,
        ngram: int = 5, threshold: float = 0.5, cache_dir: str | Path | None = None,
        repeats: int = 1, lsh: bool = True, memory_trace: bool = True) -> dict[str, Any]:
    """Every figure of the benchmark as a dict (see the module docstring). With
    ``repeats`` > 1 the three signature runs take turns that many times and each
    keeps its fastest (the machine may be busy with other work)."""
    texts = load_corpus(n_docs, seed=seed, cache_dir=cache_dir)
    params = MinHashParams(num_perm=num_perm)
    load_before = os.getloadavg()
    out: dict[str, Any] = {
        "docs": len(texts), "seed": seed, "num_perm": num_perm, "ngram": ngram,
        "processes": processes, "cpus": os.cpu_count(), "repeats": repeats,
        "mean_chars": round(sum(map(len, texts)) / max(len(texts), 1), 1),
    }
    runs: dict[str, tuple[Any, float, float]] = {}
    for _ in range(max(repeats, 1)):
        for name, fn, kw in (
                ("datasketch", datasketch_signatures, {}),
                ("text_signatures_1", text_signatures, {"ngram": ngram, "processes": 1}),
                (f"text_signatures_{processes}", text_signatures,
                 {"ngram": ngram, "processes": processes})):
            args = (texts, params, ngram) if name == "datasketch" else (texts, params)
            result = _timed(fn, *args, **kw)
            if name not in runs or result[1] < runs[name][1]:
                runs[name] = result
    out["load_average"] = [round(x, 2) for x in load_before + os.getloadavg()]
    shingles = _our_shingles(texts, ngram)
    n = max(len(texts), 1)

    def figures(name: str, count: int) -> dict[str, float]:
        _, wall, cpu = runs[name]
        return {"seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
                "docs_per_s": round(n / wall, 1), "shingles_per_s": round(count / wall, 1),
                "shingles": count}

    (ds_sig, ds_shingles), t_ds, cpu_ds = runs["datasketch"]
    sig1, t_one, _ = runs["text_signatures_1"]
    sig_p, t_p, cpu_p = runs[f"text_signatures_{processes}"]
    out["datasketch"] = figures("datasketch", ds_shingles)
    out["datasketch"]["how"] = "per document: regex words, set of 5-gram bytes, update_batch"
    out.update(_optional_baselines(texts, params, ngram, threshold))
    out["text_signatures_1"] = figures("text_signatures_1", shingles)
    out[f"text_signatures_{processes}"] = figures(f"text_signatures_{processes}", shingles)
    out["identical_across_processes"] = bool(np.array_equal(sig1, sig_p))
    out["speedup"] = round(t_ds / t_p, 2)
    out["speedup_1_process"] = round(t_ds / t_one, 2)
    out["speedup_cpu_time"] = round(cpu_ds / cpu_p, 2)
    out["target_speedup"] = TARGET_SIGNATURES
    out["jaccard_agreement"] = _jaccard_agreement(ds_sig, sig_p)
    if lsh:
        out["lsh"] = {name: compare_lsh(sig_p, params, banding, memory_trace=memory_trace)
                      for name, banding in bandings(num_perm, threshold).items()}
    return out


def _jaccard_agreement(a: np.ndarray, b: np.ndarray, pairs: int = 20000) -> dict[str, float]:
    """Both signature sets estimate the same Jaccard similarities (up to sampling
    error and the slightly different tokenisation): the mean absolute difference of
    the two estimates over consecutive document pairs (a wire story and its versions
    are written consecutively, so many of these pairs are similar)."""
    m = min(len(a) - 1, pairs)
    if m < 1:
        return {"pairs": 0, "mean_abs_diff": 0.0, "mean_jaccard": 0.0}
    ja = (a[:m] == a[1:m + 1]).mean(axis=1)
    jb = (b[:m] == b[1:m + 1]).mean(axis=1)
    return {"pairs": int(m), "mean_abs_diff": round(float(np.abs(ja - jb).mean()), 4),
            "mean_jaccard": round(float(jb.mean()), 4)}


def _report(r: dict[str, Any]) -> None:
    p = r["processes"]
    print(f"bench_signatures: {r['docs']} documents (mean {r['mean_chars']} chars), "
          f"{r['num_perm']} permutations, word {r['ngram']}-grams, {r['cpus']} CPUs, "
          f"load average {r['load_average'][:3]} before, {r['load_average'][3:]} after; "
          f"best of {r['repeats']}")
    rows = [("datasketch MinHash per document", r["datasketch"]),
            ("text_signatures, 1 process", r["text_signatures_1"]),
            (f"text_signatures, {p} processes", r[f"text_signatures_{p}"])]
    for name, f in rows:
        print(f"  {name:<34} {f['seconds']:>8.2f} s {f['docs_per_s']:>10.0f} docs/s "
              f"{f['shingles_per_s']:>12.0f} shingles/s  (CPU {f['cpu_seconds']:.2f} s)")
    for name in ("rensa", "gaoya"):
        f = r.get(name, {})
        if "skipped" in f:
            print(f"  {name}: skipped ({f['skipped']})")
        elif f:
            print(f"  {name:<34} {f['seconds']:>8.2f} s {f['docs_per_s']:>10.0f} docs/s"
                  f"   ({f['how']})")
    ok = "meets" if r["speedup"] >= TARGET_SIGNATURES else "MISSES"
    print(f"  speed-up {r['speedup']:.1f}x with {p} processes ({ok} the "
          f"{TARGET_SIGNATURES:.0f}x target), {r['speedup_1_process']:.1f}x with 1; "
          f"identical across process counts: {r['identical_across_processes']}; "
          f"{r['speedup_cpu_time']:.1f}x less CPU time")
    j = r["jaccard_agreement"]
    print(f"  Jaccard estimates, ours vs datasketch, {j['pairs']} neighbour pairs: mean "
          f"|difference| {j['mean_abs_diff']} (mean Jaccard {j['mean_jaccard']})")
    for name, lsh in r.get("lsh", {}).items():
        d, o = lsh["datasketch"], lsh["numpy"]
        print(f"  LSH at threshold {lsh['threshold']}, {name}: {lsh['bands']} bands x "
              f"{lsh['rows']} rows, {lsh['candidate_pairs']} candidate pairs, same set: "
              f"{lsh['same_candidates']}")
        print(f"    datasketch MinHashLSH insert+query {d['seconds']:>8.2f} s "
              f"(+{d['seconds_convert']:.2f} s making LeanMinHash objects), peak RSS "
              f"+{d['rss_growth_mib']:.0f} MiB (+{d['rss_growth_after_convert_mib']:.0f} MiB "
              f"after the objects), tracemalloc peak {d.get('tracemalloc_peak_mib', 0):.0f} MiB")
        print(f"    dedup candidate_pairs              {o['seconds']:>8.2f} s, peak RSS "
              f"+{o['rss_growth_mib']:.0f} MiB, tracemalloc peak "
              f"{o.get('tracemalloc_peak_mib', 0):.0f} MiB")
        ok = "meets" if lsh["speedup"] >= TARGET_LSH else "MISSES"
        mem = f"{lsh['memory_ratio_rss']:.1f}x less (peak RSS growth)"
        if "memory_ratio_tracemalloc" in lsh:
            mem += f", {lsh['memory_ratio_tracemalloc']:.1f}x less (tracemalloc peak)"
        print(f"    speed-up {lsh['speedup']:.1f}x ({ok} the {TARGET_LSH:.0f}x target); "
              f"memory {mem} (target {TARGET_MEMORY:.0f}x)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_signatures",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=50000, help="documents in the corpus")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed")
    ap.add_argument("--processes", type=int, default=2, help="worker processes for ours")
    ap.add_argument("--threshold", type=float, default=0.5, help="LSH threshold")
    ap.add_argument("--repeats", type=int, default=1,
                    help="signature runs per method, fastest kept (the machine may be busy)")
    ap.add_argument("--cache", metavar="DIR", help=f"corpus cache (default {DEFAULT_CACHE})")
    ap.add_argument("--no-lsh", action="store_true", help="skip the LSH comparison")
    ap.add_argument("--json", metavar="PATH", help="also write the figures here")
    # Internal: one side of the LSH comparison in a fresh process.
    ap.add_argument("--lsh-worker", choices=("datasketch", "numpy"), help=argparse.SUPPRESS)
    ap.add_argument("--sig", help=argparse.SUPPRESS)
    ap.add_argument("--bands", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--pairs-out", help=argparse.SUPPRESS)
    ap.add_argument("--minhash-seed", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.lsh_worker:
        r = lsh_worker(args.lsh_worker, args.sig, args.bands, args.rows, args.threshold,
                       args.minhash_seed, args.pairs_out, args.trace)
        print(json.dumps(r))
        return 0
    r = run(args.docs, seed=args.seed, processes=args.processes, threshold=args.threshold,
            cache_dir=args.cache, repeats=args.repeats, lsh=not args.no_lsh)
    _report(r)
    if args.json:
        write_figures(args.json, r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
