"""The benchmark runner: ``dedup find`` against baselines on generated corpora of growing size.

    python -m benchmarks --sizes 1000,3000 --seed 0 [--stages synthetic,quality,real]
        [--baselines datasketch,oracle,difflib,rensa,gaoya] [--out bench-results]
        [--data ../shared/data]

For each size a corpus is generated (:mod:`benchmarks.generate`; cached under
``OUT/corpora/<n>-<seed>/``), then every tool runs on it in a fresh spawned process,
so each one's peak resident memory (``ru_maxrss``) is its own: ``dedup find`` with its
defaults, and the baselines of :mod:`benchmarks.baselines` on the same passages. Each
run records the time to read the corpus, its stage times, documents / passages /
shingles per second and its peak memory; the ``quality`` stage scores its pairs and
clusters against the generator's truth (:mod:`benchmarks.metrics`). Across sizes the
growth exponent of time and memory is fitted (log-log least squares; 1.0 is linear).
The ``real`` stage runs the labelled real-data benchmarks when their data is present.

Writes ``OUT/results.json`` (every figure and the machine), ``OUT/time.png`` and
``OUT/memory.png`` (with matplotlib), and prints the tables.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import baselines, machine, plots

__all__ = ["BASELINES", "STAGES", "Options", "growth_exponent", "main", "run"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
STAGES = ("synthetic", "quality", "real")
BASELINES = ("datasketch", "oracle", "difflib", "rensa", "gaoya")
CORPUS_BASELINES = ("datasketch", "rensa", "gaoya", "oracle")  # run on the generated corpora
STAGE_ORDER = ("read", "prepare", "segment", "features", "sign", "index", "join", "verify",
               "cluster")
# Real-data benchmarks: (module, data folder under --data, what it measures).
REAL_DATA = (
    ("counter_compare", "counter", "compare's WD/PD/ND verdicts on COUNTER (macro-F1)"),
    ("counter_find", "counter", "find on COUNTER: derived pairs put in a shared cluster"),
    ("msrp", "msrp", "MSRP sentence pairs"),
    ("clough", "clough-stevenson", "Clough & Stevenson graded reuse"),
)


@dataclass(frozen=True)
class Options:
    """What one benchmark run measures. ``progress`` None means: when stderr is a TTY."""

    sizes: tuple[int, ...] = (1000, 3000)
    seed: int = 0
    stages: tuple[str, ...] = STAGES
    baselines: tuple[str, ...] = BASELINES
    out: Path = Path("bench-results")
    data: Path = DEFAULT_DATA
    oracle_max_docs: int = 2000
    align_pairs: int = 200
    threshold: float = 0.5
    num_perm: int = 128
    timeout: float = 3600.0
    repeats: int = 1
    progress: bool | None = None
    command: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.sizes or any(n < 1 for n in self.sizes):
            raise ValueError(f"sizes must be positive document counts, got {self.sizes}")
        for s in self.stages:
            if s not in STAGES:
                raise ValueError(f"unknown stage {s!r}; choose from {', '.join(STAGES)}")
        for b in self.baselines:
            if b not in BASELINES:
                raise ValueError(f"unknown baseline {b!r}; choose from {', '.join(BASELINES)}")
        if self.repeats < 1:
            raise ValueError(f"repeats must be at least 1, got {self.repeats}")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0.0, 1.0], got {self.threshold}")


# --------------------------------------------------------------------------- progress


class _Status:
    """One rewritten status line on stderr, only when it is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.t0
            sys.stderr.write(f"\r\033[K[{elapsed:7.1f} s] {message}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _find_progress(label: str) -> Callable[[str, int, int], None]:
    """A ``find`` progress callback that rewrites one stderr line at most 5 times a second."""
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] < 0.2 and done < total:
            return
        last[0] = now
        sys.stderr.write(f"\r\033[K    {label}: {stage} {done}/{total}")
        sys.stderr.flush()

    return show


# --------------------------------------------------------------------------- corpora


def _generator_stamp() -> str:
    """A hash of the generator's source: a cached corpus from another version is stale."""
    src = (Path(__file__).resolve().parent / "generate.py").read_bytes()
    return hashlib.blake2b(src, digest_size=8).hexdigest()


def ensure_corpus(out: Path, n_docs: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The generated corpus ``out/corpora/<n>-<seed>/``, made (atomically) unless a copy
    from the same generator source is already there."""
    from benchmarks.generate import generate

    folder = out / "corpora" / f"{n_docs}-{seed}"
    stamp = _generator_stamp()
    meta = folder / "cache.json"
    if meta.exists():
        cached = json.loads(meta.read_text(encoding="utf-8"))
        if cached.get("generator") == stamp and (folder / "truth.jsonl").exists():
            return folder, {**cached, "cached": True}
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    c = generate(n_docs, seed=seed, out_dir=tmp)
    info = {"documents": c.n_docs, "stories": c.n_stories, "truth_passages": c.n_truth,
            "bytes": c.bytes_written, "generate_seconds": round(time.perf_counter() - t0, 3),
            "seed": seed, "generator": stamp}
    (tmp / "cache.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder, {**info, "cached": False}


# --------------------------------------------------------------------------- workers
# Each measurement runs in a fresh spawned process (nothing inherited from this one),
# and returns a dict through a pipe. Keys starting with "_" are arrays for the parent
# (pair keys for the LSH recall) and never reach the results file.


def measure(task: dict[str, Any], *, timeout: float = 3600.0) -> dict[str, Any]:
    """Run ``task`` in a fresh spawned process; its figures, or ``{"error": ...}``."""
    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(task, send), name=f"bench-{task['kind']}")
    proc.start()
    send.close()
    try:
        if not recv.poll(timeout):
            proc.kill()
            proc.join()
            return {"error": f"timed out after {timeout:.0f} s"}
        result = recv.recv()
    except EOFError:
        proc.join()
        return {"error": f"worker died with exit code {proc.exitcode} (out of memory?)"}
    finally:
        recv.close()
    proc.join()
    return result


def _best_of(task: dict[str, Any], opt: Options) -> dict[str, Any]:
    """The fastest of ``opt.repeats`` measurements (each in its own process); the
    others' total seconds are kept in ``seconds_total_all``. Only the first run scores
    its output (the tools are deterministic); the fastest takes those figures."""
    runs = [measure(task, timeout=opt.timeout)]
    again = {**task, "quality": False, "candidates": False}
    runs += [measure(again, timeout=opt.timeout) for _ in range(opt.repeats - 1)]
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]
    best = min(ok, key=lambda r: r["seconds_total"])
    if opt.repeats > 1:
        best["seconds_total_all"] = [r["seconds_total"] for r in ok]
        for key in ("quality", "_candidates", "_text_ids"):
            if key in runs[0]:
                best[key] = runs[0][key]
    return best


def _child(task: dict[str, Any], conn: Any) -> None:
    try:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        result = _TASKS[task["kind"]](task)
        result["load_average"] = None if load is None else round(load, 2)
        result["dedup_source"] = _dedup_source()
    except BaseException as exc:  # reported, never raised: one tool's failure is a figure
        result = {"error": f"{type(exc).__name__}: {exc}",
                  "traceback": traceback.format_exc(limit=8)}
    conn.send(result)
    conn.close()


def _dedup_source() -> str:
    """A hash of the ``dedup`` package's source as this process imported it: figures
    from different code must not be compared (the package may change during a run)."""
    import dedup

    h = hashlib.blake2b(digest_size=8)
    for f in sorted(Path(dedup.__file__).parent.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()


def _read(folder: str) -> tuple[Any, float]:
    from dedup import read_corpus

    t0 = time.perf_counter()
    corpus = read_corpus([Path(folder) / "documents.jsonl"])
    return corpus, time.perf_counter() - t0


def _task_ours(task: dict[str, Any]) -> dict[str, Any]:
    from dedup import FindParams, find

    start = machine.peak_rss_mib()
    corpus, read_s = _read(task["corpus"])
    progress = _find_progress(task["label"]) if task["progress"] else None
    t0 = time.perf_counter()
    result = find(corpus, FindParams(), progress=progress,
                  keep_candidates=bool(task["candidates"]))
    total = time.perf_counter() - t0
    peak = machine.peak_rss_mib()
    if progress:
        sys.stderr.write("\r\033[K")
    stats = result.stats
    out: dict[str, Any] = {
        "documents": len(corpus.documents),
        "passages": len(result.passages),
        "seconds_read": round(read_s, 4),
        "seconds_total": round(total, 4),
        "seconds": {k.removeprefix("seconds_"): v for k, v in stats.items()
                    if k.startswith("seconds_")},
        "counts": {k: int(v) for k, v in stats.items() if not k.startswith("seconds_")},
        "start_rss_mib": round(start, 1),
        "peak_rss_mib": round(peak, 1),
    }
    # Outside the measurement: the shingle count every tool is rated on, and the
    # passage list's fingerprint (pair indexes are comparable only when they agree).
    units = baselines.cut_passages((d.id, d.text) for d in corpus.documents)
    out["shingles"] = units.n_shingles
    spans = [(p.doc, p.start, p.end) for p in result.passages]
    out["fingerprint"] = baselines.passage_fingerprint(spans)
    if task["candidates"] and result.candidates is not None:
        out["_candidates"] = baselines.pair_keys(result.candidates, len(spans))
    if task["quality"]:
        out["quality"] = _score(task["corpus"], *_ours_output(result),
                                texts={d.id: d.text for d in corpus.documents})
    return out


def _ours_output(result: Any) -> tuple[list[tuple[Any, ...]], list[list[tuple[str, int, int]]],
                                        dict[str, Any]]:
    """``find``'s output in the scorer's terms.

    Sentence pairs keep the meaning they had when clusters held sentences: the verified
    cross-outlet sentence matches (``result.sentence_pairs``, indexes into
    ``result.passages``) and the links of the within-outlet and within-document
    clusters, whose passages are single sentences. Clusters are the clusters as
    reported: runs of sentences, several per document where a version is split.
    """
    sent = result.passages
    pairs: list[tuple[Any, ...]] = [(*_span(sent[a]), *_span(sent[b]))
                                    for a, b in result.sentence_pairs.tolist()]
    pairs += [(*_span(c.passages[m.a]), *_span(c.passages[m.b]))
              for c in result.clusters if c.kind != "cross-document" for m in c.pairs]
    clusters = [[_span(p) for p in c.passages] for c in result.clusters]
    extra = {
        "cross": [i for i, c in enumerate(result.clusters) if c.kind == "cross-document"],
        "relations": [(r.source, r.derived, r.coverage) for r in result.relations],
    }
    return pairs, clusters, extra


def _span(p: Any) -> tuple[str, int, int]:
    return (p.doc, p.start, p.end)


def _task_baseline(task: dict[str, Any]) -> dict[str, Any]:
    start = machine.peak_rss_mib()
    corpus, read_s = _read(task["corpus"])
    t0 = time.perf_counter()
    units = baselines.cut_passages((d.id, d.text) for d in corpus.documents)
    prepare = time.perf_counter() - t0
    res = baselines.run_baseline(task["tool"], units, threshold=task["threshold"],
                                 num_perm=task["num_perm"])
    peak = machine.peak_rss_mib()
    seconds = {"prepare": round(prepare, 4), **{k: round(v, 4) for k, v in res.seconds.items()}}
    n = len(units.spans)
    out: dict[str, Any] = {
        "documents": len(corpus.documents),
        "passages": n,
        "shingles": units.n_shingles,
        "seconds_read": round(read_s, 4),
        "seconds_total": round(sum(seconds.values()), 4),
        "seconds": seconds,
        "counts": {"indexed_passages": sum(1 for s in units.shingles if s),
                   "pairs": len(res.pairs), "clusters": len(res.clusters)},
        "params": res.params,
        "start_rss_mib": round(start, 1),
        "peak_rss_mib": round(peak, 1),
        "fingerprint": units.fingerprint(),
        "_candidates": baselines.pair_keys(res.pairs, n),
    }
    if task["tool"] == "oracle":
        out["_text_ids"] = baselines.text_ids(units)
    if task["quality"]:
        sp = units.spans
        pairs = [(*sp[a], *sp[b]) for a, b in res.pairs.tolist()]
        clusters = [[sp[i] for i in c] for c in res.clusters]
        out["quality"] = _score(task["corpus"], pairs, clusters,
                                {"cross": [i for i, c in enumerate(clusters)
                                           if len({d for d, _, _ in c}) > 1]})
    return out


def _score(folder: str, pairs: list[tuple[Any, ...]], clusters: list[list[tuple[str, int, int]]],
           extra: dict[str, Any], texts: dict[str, str] | None = None) -> dict[str, Any]:
    """Sentence-pair precision / recall / F1 (cross-document, derived passages), cluster
    ARI by passage group and by story, largest cluster and clusters mixing unrelated
    stories; passage level: characters of the cross-document clusters' passages against
    the true shared text (``extra["cross"]``: which clusters); stories: one cluster
    holding every version; with ``extra["relations"]`` (source, derived, coverage), the
    document relations against the true document pairs."""
    from benchmarks.metrics import (
        Truth,
        cluster_ari,
        largest_cluster_size,
        load_doc_stories,
        load_stories,
        mixed_clusters,
        pair_scores,
        relation_scores,
        span_scores,
        story_scores,
    )

    truth = Truth.load(folder)
    ps = pair_scores(pairs, truth)
    # The generator gives a boilerplate sentence one group per boilerplate text, so the
    # same sentence ("All rights reserved.") in two texts makes a pair the truth does
    # not hold. Scored again without pairs of two boilerplate-only spans.
    content = [x for x in pairs if not (_boilerplate_only(truth, x[:3])
                                        and _boilerplate_only(truth, x[3:]))]
    pc = pair_scores(content, truth)
    doc_story = load_doc_stories(folder)
    cross = [clusters[i] for i in extra["cross"]]
    sp = span_scores((x for c in cross for x in c), truth)
    stories, _ = load_stories(folder)
    relations = extra.get("relations")
    st = story_scores([(i, "cross-document", c) for i, c in enumerate(cross)],
                      [r[:2] for r in relations or ()], stories, doc_story)
    out: dict[str, Any] = {
        "passage_precision": round(sp.precision, 4),
        "passage_recall": round(sp.recall, 4),
        "passage_f1": round(sp.f1, 4),
        "stories": st.stories,
        "stories_whole": st.whole,
        "stories_whole_share": round(st.whole_share, 4),
        "stories_together": st.together,
        "clusters_per_story": round(st.clusters_per_story, 3),
        "cross_clusters": len(cross),
    }
    if relations is not None:
        rs = relation_scores(relations, truth, texts=texts)
        out.update({
            "relations": rs.predicted,
            "relation_precision": round(rs.precision, 4),
            "relation_recall": round(rs.recall, 4),
            "relation_f1": round(rs.f1, 4),
            "direction_accuracy": round(rs.direction_accuracy, 4),
            "directed_found": rs.directed_found,
            "directed_pairs": rs.directed_pairs,
            "coverage_mae": None if rs.coverage_mae is None else round(rs.coverage_mae, 4),
            "relations_spurious": st.relations["spurious"],
        })
    return {
        **out,
        "pair_precision": round(ps.precision, 4),
        "pair_recall": round(ps.recall, 4),
        "pair_f1": round(ps.f1, 4),
        "predicted_pairs": ps.predicted,
        "true_pairs": ps.true_pairs,
        "boilerplate_pairs": len(pairs) - len(content),
        "content_pair_precision": round(pc.precision, 4),
        "content_pair_f1": round(pc.f1, 4),
        "ari_group": round(cluster_ari(clusters, truth, by="group"), 4),
        "ari_story": round(cluster_ari(clusters, truth, by="story"), 4),
        "clusters": len(clusters),
        "largest_cluster": largest_cluster_size(clusters),
        "mixed_clusters": mixed_clusters(clusters, doc_story, truth),
    }


def _boilerplate_only(truth: Any, span: tuple[Any, ...]) -> bool:
    """The span matches true passages, all of them boilerplate."""
    m = truth.match(span)
    return bool(m) and all(truth.kinds[p] == "boilerplate" for p, _ in m)


def _task_difflib(task: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.bench_align import run as bench_align

    figures = bench_align(n_pairs=task["pairs"], seed=task["seed"])
    return {**figures, "peak_rss_mib": round(machine.peak_rss_mib(), 1)}


def _task_real(task: dict[str, Any]) -> dict[str, Any]:
    module = importlib.import_module(f"benchmarks.{task['module']}")
    t0 = time.perf_counter()
    figures = module.run(Path(task["data"]))
    return {"figures": figures, "seconds": round(time.perf_counter() - t0, 2),
            "peak_rss_mib": round(machine.peak_rss_mib(), 1)}


_TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ours": _task_ours,
    "baseline": _task_baseline,
    "difflib": _task_difflib,
    "real": _task_real,
}


# --------------------------------------------------------------------------- figures


def growth_exponent(sizes: Sequence[float], values: Sequence[float]) -> float | None:
    """Slope of log(value) against log(size) by least squares: 1.0 grows linearly, 2.0
    quadratically. None with fewer than two distinct sizes or a non-positive value.

    >>> growth_exponent([1000, 2000, 4000], [1.0, 2.0, 4.0])
    1.0
    >>> growth_exponent([1000], [3.0]) is None
    True
    """
    if len(set(sizes)) < 2 or len(sizes) != len(values) or min(values, default=0) <= 0:
        return None
    slope = np.polyfit(np.log(np.asarray(sizes, float)), np.log(np.asarray(values, float)), 1)[0]
    return round(float(slope), 3)


def _rates(fig: dict[str, Any]) -> None:
    total = fig.get("seconds_total")
    if not total:
        return
    for key, count in (("documents", fig.get("documents")), ("passages", fig.get("passages")),
                       ("shingles", fig.get("shingles"))):
        fig[f"{key}_per_s"] = round(count / total, 1) if count else None


def _ratios(fig: dict[str, Any], ours: dict[str, Any]) -> dict[str, float | None]:
    """Tool / ours for total time, peak memory and the stages both have (>1: ours is
    faster or smaller)."""
    def ratio(a: Any, b: Any) -> float | None:
        return round(a / b, 3) if isinstance(a, (int, float)) and b else None

    out = {"time": ratio(fig.get("seconds_total"), ours.get("seconds_total")),
           "memory": ratio(fig.get("peak_rss_mib"), ours.get("peak_rss_mib"))}
    for stage in ("sign", "index", "cluster"):
        if stage in fig.get("seconds", {}) and stage in ours.get("seconds", {}):
            out[stage] = ratio(fig["seconds"][stage], ours["seconds"][stage])
    return out


def _true_recall(tools: dict[str, dict[str, Any]], notes: list[str], n_docs: int
                 ) -> dict[str, Any] | None:
    """Share of the oracle's pairs among each tool's candidate pairs: pair by pair, and
    over distinct texts (a pair of different texts counts as found when any copy of
    one is paired with any copy of the other; pairs of identical texts are left out)."""
    oracle = tools.get("oracle", {})
    keys = oracle.get("_candidates")
    if keys is None:
        return None
    ids = oracle["_text_ids"]
    distinct = _collapse(keys, ids)
    out: dict[str, Any] = {"oracle_pairs": len(keys), "oracle_distinct_text_pairs": len(distinct),
                           "threshold": oracle["params"]["threshold"], "pairs": {},
                           "distinct_texts": {}}
    for tool, fig in tools.items():
        if tool == "oracle" or "error" in fig or "skipped" in fig:
            continue
        cand = fig.get("_candidates")
        if cand is None:
            notes.append(f"{n_docs} docs: {tool}'s candidate pairs were not reachable; "
                         "no LSH recall")
            continue
        if fig.get("fingerprint") != oracle.get("fingerprint"):
            notes.append(f"{n_docs} docs: {tool} cut other passages than the oracle; "
                         "no LSH recall")
            continue
        pair = round(float(np.isin(keys, cand).mean()), 4) if len(keys) else None
        text = (round(float(np.isin(distinct, _collapse(cand, ids)).mean()), 4)
                if len(distinct) else None)
        out["pairs"][tool], out["distinct_texts"][tool] = pair, text
        fig["lsh_true_recall"], fig["lsh_true_recall_distinct"] = pair, text
    return out


def _collapse(keys: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Pair keys mapped onto text ids, pairs within one text dropped."""
    n = len(ids)
    a, b = ids[keys // n], ids[keys % n]
    keep = a != b
    return np.unique(np.minimum(a, b)[keep] * np.int64(n) + np.maximum(a, b)[keep])


def _strip_private(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_private(v) for k, v in obj.items() if not k.startswith("_")}
    return obj


def _git() -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            r = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                               timeout=20, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return r.stdout.strip() if r.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"),
            "dirty": None if status is None else bool(status)}


# --------------------------------------------------------------------------- the run


def run(options: Options) -> dict[str, Any]:
    """Run the benchmark; return every figure (also written to ``OUT/results.json``)."""
    opt = options
    status = _Status(sys.stderr.isatty() if opt.progress is None else opt.progress)
    out = Path(opt.out)
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    results: dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": opt.command,
        "options": {k: (str(v) if isinstance(v, Path) else v)
                    for k, v in asdict(opt).items() if k not in ("command", "extra")},
        "machine": machine.describe(),
        "git": _git(),
        "sizes": {},
        "growth": {},
        "notes": notes,
    }
    tools = ["ours"] + [b for b in opt.baselines if b in CORPUS_BASELINES]
    for name in baselines.OPTIONAL:
        if name in tools and (why := baselines.missing(name)):
            notes.append(why)
            tools.remove(name)
    common = {"threshold": opt.threshold, "num_perm": opt.num_perm,
              "quality": "quality" in opt.stages, "progress": status.enabled}

    if "synthetic" in opt.stages:
        for n in sorted(set(opt.sizes)):
            status(f"{n} docs: corpus")
            folder, info = ensure_corpus(out, n, opt.seed)
            entry: dict[str, Any] = {"corpus": {**info, "path": str(folder)}, "tools": {}}
            for tool in tools:
                if tool == "oracle" and n > opt.oracle_max_docs:
                    entry["tools"]["oracle"] = {
                        "skipped": f"exact all-pairs only up to {opt.oracle_max_docs} "
                                   "documents (--oracle-max-docs)"}
                    continue
                status(f"{n} docs: {tool}")
                oracle_here = "oracle" in tools and n <= opt.oracle_max_docs
                task = {**common, "corpus": str(folder), "label": f"{n} docs: {tool}",
                        "candidates": oracle_here}
                if tool == "ours":
                    task["kind"] = "ours"
                else:
                    task.update(kind="baseline", tool=tool)
                fig = _best_of(task, opt)
                if "error" in fig:
                    notes.append(f"{n} docs: {tool} failed: {fig['error']}")
                _rates(fig)
                entry["tools"][tool] = fig
            ours = entry["tools"].get("ours", {})
            for tool, fig in entry["tools"].items():
                if tool != "ours" and "seconds_total" in fig and "seconds_total" in ours:
                    fig["vs_ours"] = _ratios(fig, ours)
            entry["lsh_true_recall"] = _true_recall(entry["tools"], notes, n)
            results["sizes"][str(n)] = _strip_private(entry)
        results["growth"] = _growth(results["sizes"])
        sources = {e["tools"]["ours"].get("dedup_source") for e in results["sizes"].values()
                   if "ours" in e["tools"]} - {None}
        if len(sources) > 1:
            notes.append(f"the dedup source changed during the run: find was measured on "
                         f"{len(sources)} versions (see dedup_source per figure)")
        if "difflib" in opt.baselines:
            status("difflib vs rapidfuzz aligner")
            fig = measure({"kind": "difflib", "pairs": opt.align_pairs, "seed": opt.seed},
                          timeout=opt.timeout)
            results["align"] = fig
            if "error" in fig:
                notes.append(f"difflib benchmark failed: {fig['error']}")

    if "real" in opt.stages:
        results["real_data"] = _real_data(opt, status, notes)

    status("plots")
    results["plots"] = plots.plot(results, out) if results["sizes"] else {}
    if "note" in results["plots"]:
        notes.append(results["plots"]["note"])
    path = out / "results.json"
    path.write_text(json.dumps(results, indent=2, default=_json_default) + "\n",
                    encoding="utf-8")
    results["path"] = str(path)
    status.clear()
    return results


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _growth(sizes: dict[str, Any]) -> dict[str, Any]:
    """Per tool: exponents of total time, peak memory and memory added by the run
    (peak minus the interpreter's own) against the number of documents."""
    by_tool: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for size, entry in sizes.items():
        for tool, fig in entry["tools"].items():
            if "seconds_total" in fig:
                by_tool.setdefault(tool, []).append((int(size), fig))
    out = {}
    for tool, points in by_tool.items():
        ns = [n for n, _ in points]
        out[tool] = {
            "sizes": ns,
            "time_exponent": growth_exponent(ns, [f["seconds_total"] for _, f in points]),
            "memory_exponent": growth_exponent(ns, [f["peak_rss_mib"] for _, f in points]),
            "memory_added_exponent": growth_exponent(
                ns, [f["peak_rss_mib"] - f.get("start_rss_mib", 0.0) for _, f in points]),
        }
    return out


def _real_data(opt: Options, status: _Status, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not Path(opt.data).is_dir():
        notes.append(f"no real data at {opt.data}; real-data benchmarks skipped")
        return {"skipped": f"no data folder at {opt.data}"}
    for module, sub, what in REAL_DATA:
        folder = Path(opt.data) / sub
        if importlib.util.find_spec(f"benchmarks.{module}") is None:
            out[module] = {"skipped": f"benchmarks.{module} does not exist yet"}
        elif not folder.exists():
            out[module] = {"skipped": f"no data at {folder}"}
        else:
            status(f"real data: {module}")
            fig = measure({"kind": "real", "module": module, "data": str(folder)},
                          timeout=opt.timeout)
            fig["what"] = what
            out[module] = fig
            if "error" in fig:
                notes.append(f"{module} failed: {fig['error']}")
        if "skipped" in out[module]:
            notes.append(f"{module}: {out[module]['skipped']}; skipped")
    return out


# --------------------------------------------------------------------------- output


def _fmt(x: Any, digits: int = 2) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


_QUALITY = (("predicted_pairs", 0), ("pair_precision", 3), ("pair_recall", 3), ("pair_f1", 3),
            ("content_pair_precision", 3), ("content_pair_f1", 3), ("ari_group", 3),
            ("largest_cluster", 0), ("mixed_clusters", 0))


_PASSAGES = (("cross_clusters", 0), ("passage_precision", 3), ("passage_recall", 3),
             ("passage_f1", 3), ("stories", 0), ("stories_whole_share", 3),
             ("clusters_per_story", 2), ("ari_story", 3), ("relations", 0),
             ("relation_precision", 3), ("relation_recall", 3), ("direction_accuracy", 3),
             ("coverage_mae", 3))


def tables(results: dict[str, Any]) -> str:
    """The figures as text tables (speed, quality, growth, aligner, real data)."""
    from tabulate import tabulate

    blocks = []
    speed, quality, passages = [], [], []
    footnotes: list[str] = []
    for size, entry in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        for tool, f in entry["tools"].items():
            if "skipped" in f or "error" in f:
                word = "skipped" if "skipped" in f else "failed"
                speed.append([size, tool, word] + ["-"] * 9)
                why = f"{tool} {word}: {f.get('skipped') or f.get('error')}"
                if why not in footnotes:
                    footnotes.append(why)
                continue
            s, r = f.get("seconds", {}), f.get("vs_ours", {})
            speed.append([
                size, tool, _fmt(f["seconds_read"]), _fmt(f["seconds_total"]),
                _fmt(s.get("sign")), _fmt(s.get("index")), _fmt(s.get("cluster")),
                _fmt(f.get("documents_per_s"), 0), _fmt(f.get("shingles_per_s"), 0),
                _fmt(f["peak_rss_mib"], 0),
                "1.00" if tool == "ours" else _fmt(r.get("time")),
                "1.00" if tool == "ours" else _fmt(r.get("memory")),
            ])
            q = f.get("quality")
            if q and "passage_f1" in q:
                passages.append([size, tool] + [_fmt(q.get(k), d) for k, d in _PASSAGES])
            if q:
                quality.append([size, tool] + [_fmt(q[k], d) for k, d in _QUALITY]
                               + [_fmt(f.get("lsh_true_recall"), 3),
                                  _fmt(f.get("lsh_true_recall_distinct"), 3)])
    if speed:
        blocks.append("Speed and memory (seconds exclude reading; x = tool / ours, >1: ours "
                      "better)\n" + tabulate(
                          speed, headers=["docs", "tool", "read s", "total s", "sign s",
                                          "index s", "cluster s", "docs/s", "shingles/s",
                                          "peak MiB", "time x", "mem x"],
                          disable_numparse=True, stralign="right")
                      + "".join(f"\n  {n}" for n in footnotes))
    if quality:
        blocks.append("Quality against the generator's truth (cross-document derived pairs; "
                      "* without boilerplate-to-boilerplate pairs); LSH rec: share of the "
                      "exact J>=0.5 pairs among the candidates, pair by pair and over "
                      "distinct texts\n" + tabulate(
                          quality, headers=["docs", "tool", "pairs", "P", "R", "F1", "P*",
                                            "F1*", "ARI", "largest", "mixed", "LSH rec",
                                            "LSH rec texts"],
                          disable_numparse=True, stralign="right"))
    if passages:
        blocks.append("Passages, stories and relations: characters of the cross-document "
                      "clusters' passages against the true shared text (P, R, F1); stories "
                      "as one cluster holding every version, each >= 85% covered; document "
                      "relations against the true pairs, direction on wire -> version pairs, "
                      "mean |coverage error|\n" + tabulate(
                          passages, headers=["docs", "tool", "clusters", "P", "R", "F1",
                                             "stories", "whole", "cl/story", "ARI story",
                                             "relations", "rel P", "rel R", "direction",
                                             "cov err"],
                          disable_numparse=True, stralign="right"))
    growth = [[tool, ",".join(map(str, g["sizes"])), _fmt(g["time_exponent"]),
               _fmt(g["memory_exponent"]), _fmt(g["memory_added_exponent"])]
              for tool, g in results.get("growth", {}).items()]
    if growth:
        blocks.append("Growth exponents (log-log fit against documents; 1.0 = linear)\n" +
                      tabulate(growth, headers=["tool", "sizes", "time", "peak memory",
                                                "memory added"], disable_numparse=True))
    a = results.get("align")
    if a and "error" not in a:
        blocks.append(
            f"Aligner, {a['pairs']} pairs of ~{a['mean_words_a']:.0f} words: rapidfuzz "
            f"opcodes {a['rapidfuzz_opcodes']['pairs_per_s']:,.0f} pairs/s, difflib "
            f"{a['difflib_opcodes']['pairs_per_s']:,.0f} pairs/s ({a['speedup_opcodes']}x); "
            f"full align() {a['align_full']['pairs_per_s']:,.0f} pairs/s")
    real = results.get("real_data")
    if isinstance(real, dict) and "skipped" not in real:
        rows = [[name, _real_summary(fig)] for name, fig in real.items()]
        blocks.append("Real data\n" + tabulate(rows, headers=["benchmark", "figures"]))
    if results.get("notes"):
        blocks.append("Notes:\n" + "\n".join(f"  - {n}" for n in results["notes"]))
    return "\n\n".join(blocks)


def _real_summary(fig: dict[str, Any]) -> str:
    if "skipped" in fig:
        return f"skipped: {fig['skipped']}"
    if "error" in fig:
        return f"failed: {fig['error']}"
    f = fig["figures"]
    if "coverage" in f:  # counter_compare
        c, b = f["coverage"], f["baseline_trigram_containment"]
        return (f"macro-F1 3-way {c['macro_f1_3way']:.3f}, binary {c['macro_f1_binary']:.3f} "
                f"(trigram baseline, tuned in-sample: {b['macro_f1_3way']:.3f} / "
                f"{b['macro_f1_binary']:.3f}); {fig['seconds']} s")
    if "pairs_in_shared_cluster" in f:  # counter_find
        shares = ", ".join(f"{k} {v['share']:.1%}" for k, v in f["pairs_in_shared_cluster"].items()
                           if v["share"] is not None)
        return (f"pairs in a shared cluster: {shares}; largest cluster "
                f"{f['largest_cluster']}; {fig['seconds']} s, {fig['peak_rss_mib']:.0f} MiB")
    if isinstance(f.get("cluster"), dict) and "f1" in f["cluster"]:  # msrp
        parts = [f"{name} acc {f[name]['accuracy']:.3f} / F1 {f[name]['f1']:.3f}"
                 for name in ("cluster", "verified", "compare", "majority_baseline")
                 if isinstance(f.get(name), dict) and "f1" in f[name]]
        return "; ".join(parts) + f"; {fig['seconds']} s"
    if "spearman" in f and isinstance(f.get("median_coverage"), dict):  # clough
        med = ", ".join(f"{k} {v:.2f}" for k, v in f["median_coverage"].items())
        return (f"Spearman {f['spearman']:.3f}; median coverage {med}; ordering holds: "
                f"{f.get('ordering_holds')}; {fig['seconds']} s")
    flat = [f"{k} {_fmt(v, 3)}" for k, v in f.items() if isinstance(v, (int, float, str))]
    return ", ".join(flat[:8]) + f"; {fig['seconds']} s"


def _csv(kind: str, choices: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        items = tuple(x.strip() for x in text.split(",") if x.strip())
        bad = [x for x in items if x not in choices]
        if bad:
            raise argparse.ArgumentTypeError(
                f"unknown {kind} {', '.join(bad)}; choose from {', '.join(choices)}")
        return items
    return parse


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(x.replace("_", "")) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are comma-separated integers, got {text!r}"
                                         ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive, got {text!r}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks``: parse options, run, print the tables."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks",
                                 description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=_sizes, default=(1000, 3000),
                    help="corpus sizes in documents, comma-separated (default 1000,3000)")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    ap.add_argument("--stages", type=_csv("stage", STAGES), default=STAGES,
                    help="parts to run: synthetic (tools on generated corpora: time and "
                         "memory), quality (score them against the truth), real (labelled "
                         f"real data); default {','.join(STAGES)}")
    ap.add_argument("--baselines", type=_csv("baseline", BASELINES), default=BASELINES,
                    help=f"comparisons to run (default {','.join(BASELINES)}; rensa and "
                         "gaoya only when installed); '' for none")
    ap.add_argument("--out", type=Path, default=Path("bench-results"),
                    help="output folder: results.json, plots, cached corpora "
                         "(default bench-results)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help=f"real data folder (default {DEFAULT_DATA})")
    ap.add_argument("--oracle-max-docs", type=int, default=2000,
                    help="largest corpus the exact all-pairs oracle runs on (default 2000)")
    ap.add_argument("--align-pairs", type=int, default=200,
                    help="text pairs for the difflib aligner comparison (default 200)")
    ap.add_argument("--timeout", type=float, default=3600.0,
                    help="seconds one measurement may take (default 3600)")
    ap.add_argument("--repeats", type=int, default=1,
                    help="measure each tool this many times, keep the fastest (default 1)")
    ap.add_argument("--json", action="store_true", help="print results.json instead of tables")
    args = ap.parse_args(argv)
    command = "python -m benchmarks " + " ".join(
        sys.argv[1:] if argv is None else list(argv))
    try:
        options = Options(sizes=args.sizes, seed=args.seed, stages=args.stages,
                          baselines=args.baselines, out=args.out, data=args.data,
                          oracle_max_docs=args.oracle_max_docs, align_pairs=args.align_pairs,
                          timeout=args.timeout, repeats=args.repeats,
                          command=command.strip())
    except ValueError as exc:
        ap.error(str(exc))
    results = run(options)
    if args.json:
        print(Path(results["path"]).read_text(encoding="utf-8"), end="")
        return 0
    print(f"{results['date']}  {machine.summary(results['machine'])}")
    print(tables(results))
    print(f"\nFigures written to {results['path']}"
          + "".join(f", {p}" for k, p in results["plots"].items() if k != "note"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
