"""Benchmark the Dask engine: one corpus, the local engine and a LocalCluster of 1, 2
and 4 worker processes.

Each configuration runs in a fresh process (so peak memory is its own): the corpus is
read, the cluster started (timed apart), then ``find`` is timed. Printed per run:
seconds of ``find``, the seconds spent in the engine's steps (the partitioned ones:
tokenise, features, signatures, LSH, verification, document alignment) and in the rest
(what runs in the calling process on gathered arrays), peak RSS of the calling process
and of each worker, and a hash of the JSON output: every run must give the same one.

    python -m benchmarks.bench_dask --docs 3000 --workers 1,2,4 --json bench-results/dask.json

``--corpus FILE`` uses an existing ``documents.jsonl`` instead of generating one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import write_figures
from benchmarks.machine import describe, peak_rss_mib, summary

STEPS = ("tokenize", "features", "signatures", "candidate_pairs", "score_pairs", "coverages")


def _timed(engine: Any, spent: dict[str, float]) -> Any:
    """``engine`` with each step's seconds added to ``spent``."""

    class Timed:
        name = engine.name

        def __getattr__(self, step: str) -> Any:
            fn = getattr(engine, step)
            if step not in STEPS:
                return fn

            def run(*args: Any, **kwargs: Any) -> Any:
                t = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    spent[step] = spent.get(step, 0.0) + time.perf_counter() - t

            return run

    return Timed()


def run_one(corpus_path: str, spec: str) -> dict[str, Any]:
    """One configuration (``local`` or ``dask:N``), in this process."""
    from dedup.corpus import read_corpus
    from dedup.engine import LocalEngine
    from dedup.pipeline import find
    from dedup.report.jsonout import dumps, result_to_dict

    corpus = read_corpus([corpus_path])
    out: dict[str, Any] = {"engine": spec, "documents": len(corpus.documents)}
    cluster = client = None
    if spec == "local":
        engine: Any = LocalEngine()
    else:
        from distributed import Client, LocalCluster

        from dedup.engine.dask import DaskEngine

        t = time.perf_counter()
        cluster = LocalCluster(n_workers=int(spec.split(":")[1]), threads_per_worker=1,
                               processes=True, dashboard_address=":0")
        client = Client(cluster)
        out["startup_seconds"] = round(time.perf_counter() - t, 2)
        engine = DaskEngine(client=client)
    spent: dict[str, float] = {}
    load = os.getloadavg()[0]
    t = time.perf_counter()
    result = find(corpus, engine=_timed(engine, spent))
    out["seconds"] = round(time.perf_counter() - t, 2)
    out["engine_seconds"] = round(sum(spent.values()), 2)
    out["steps"] = {k: round(v, 2) for k, v in spent.items()}
    out["load_before"] = round(load, 2)
    out["peak_rss_mib"] = round(peak_rss_mib(), 1)
    if client is not None:
        peaks = client.run(peak_rss_mib)
        out["worker_peak_rss_mib"] = sorted(round(v, 1) for v in peaks.values())
        client.close()
        cluster.close()
    out["passages"] = len(result.passages)
    out["clusters"] = len(result.clusters)
    out["relations"] = len(result.relations)
    out["json_sha256"] = hashlib.sha256(dumps(result_to_dict(result)).encode()).hexdigest()
    return out


def _corpus(args: argparse.Namespace, tmp: str) -> str:
    if args.corpus:
        return str(args.corpus)
    from benchmarks.generate import generate

    generate(args.docs, seed=args.seed, out_dir=tmp)
    return str(Path(tmp) / "documents.jsonl")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_dask",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=3000, help="generated documents (3000)")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (0)")
    ap.add_argument("--corpus", type=Path, help="an existing documents.jsonl instead")
    ap.add_argument("--workers", default="1,2,4", help="worker processes to try (1,2,4)")
    ap.add_argument("--json", dest="json_out", help="write the figures here")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: one configuration
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(str(args.corpus), args.one)))
        return 0
    specs = ["local"] + [f"dask:{int(w)}" for w in args.workers.split(",") if w.strip()]
    machine = describe()
    print(summary(machine))
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        path = _corpus(args, tmp)
        for spec in specs:
            proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_dask", "--one", spec,
                                   "--corpus", path], capture_output=True, text=True,
                                  cwd=Path(__file__).resolve().parents[1])
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            runs.append(run)
            workers = run.get("worker_peak_rss_mib", [])
            rest = run["seconds"] - run["engine_seconds"]
            print(f"{spec:>8}: find {run['seconds']:7.2f} s (engine steps "
                  f"{run['engine_seconds']:6.2f} s, rest {rest:6.2f} s), startup "
                  f"{run.get('startup_seconds', 0):5.2f} s, peak RSS caller "
                  f"{run['peak_rss_mib']:7.1f} MiB, workers {workers} MiB, load "
                  f"{run['load_before']}")
            print(f"          steps: {run['steps']}")
    same = len({r["json_sha256"] for r in runs}) == 1
    print(f"{runs[0]['documents']} documents, {runs[0]['passages']} passages, "
          f"{runs[0]['clusters']} clusters, {runs[0]['relations']} relations; output "
          + ("identical in every run" if same else "DIFFERS between runs"))
    if args.json_out:
        write_figures(args.json_out, {"machine": machine, "docs": args.docs, "seed": args.seed,
                                      "corpus": str(args.corpus) if args.corpus else None,
                                      "runs": runs, "identical": same})
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
