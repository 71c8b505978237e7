"""The passage matcher on MSRP: do two news sentences share material?

The Microsoft Research Paraphrase Corpus (Dolan & Brockett 2005) pairs sentences from
different outlets' stories on the same event; label 1 means same meaning. Every
sentence of the training file becomes its own document (its ID is both document id
and outlet, so every match is cross-outlet), the whole set goes through
:func:`dedup.find` with the library's FIXED defaults (``FindParams()``; nothing here
is fitted on MSRP), and a pair is predicted to share material when

* ``cluster``: the two sentences land in one cross-document cluster (the main figure);
* ``verified``: ``find`` verified a match between the two sentences themselves (a
  pair inside a cluster; stricter).

Accuracy, precision, recall and F1 of the positive class are reported next to the
majority-class baseline (everything positive), with the ROC AUC of ``find``'s own
score of the pair (its verified match's score, 0 when none). A score variant, for reference:
:func:`dedup.compare.compare` with the first sentence as SOURCE and the second as
DERIVED, its verdict (thresholds fitted once on COUNTER) read as "shares material"
unless ``non``, and the ROC AUC of its coverage and of the smaller of the two
coverages: AUC needs no threshold, so nothing is tuned on MSRP either way.

MSRP's negatives were sampled from pairs with high word overlap, so sharing words is
not sharing meaning there.

The verifier's coefficients (:data:`dedup.verify.VERIFIER`) are the one thing fitted
on MSRP, on the TRAINING split only: ``--fit`` refits them reproducibly (every pair
that find's candidate stage proposes and the evidence floor lets through, its
features from find's own feature table, an L2-regularised logistic regression) and
prints them for ``dedup/verify.py``; ``--cv K`` estimates held-out figures by K-fold
cross-validation: for each fold the coefficients are fitted on the other folds and
``find`` runs with them, and only the fold's own pairs are scored.

    python -m benchmarks.msrp [--data ../shared/data/msrp] [--json OUT]
    python -m benchmarks.msrp --fit          # the coefficients, from MSRP train
    python -m benchmarks.msrp --cv 10        # K-fold estimate of held-out figures
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import dedup
from benchmarks.common import write_figures
from dedup import pipeline
from dedup.compare import CompareParams, coverage
from dedup.engine import LocalEngine
from dedup.evidence import FEATURES, TABLE_FEATURES, pair_evidence, table_features, text_features
from dedup.models import Corpus, Document
from dedup.verify import verifier_logit

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "msrp"
TRAIN_FILE = "msr_paraphrase_train.txt"


@dataclass(frozen=True)
class Pair:
    label: int
    id1: str
    id2: str
    text1: str
    text2: str


def load_pairs(data_path: str | Path) -> list[Pair]:
    """MSRP pairs from the training file (or a folder holding it): a UTF-8 TSV with a
    byte-order mark, the header ``Quality, #1 ID, #2 ID, #1 String, #2 String``, and
    quotes that are text, not CSV quoting."""
    path = Path(data_path)
    if path.is_dir():
        path = path / TRAIN_FILE
    pairs = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows)
        if [h.strip() for h in header[:3]] != ["Quality", "#1 ID", "#2 ID"]:
            raise ValueError(f"{path}:1: not an MSRP file (header {header!r})")
        for line, row in enumerate(rows, start=2):
            if len(row) != 5:
                raise ValueError(f"{path}:{line}: expected 5 tab-separated fields, "
                                 f"got {len(row)}")
            pairs.append(Pair(int(row[0]), row[1], row[2], row[3], row[4]))
    return pairs


def scores(truth: Sequence[int], pred: Sequence[bool]) -> dict[str, float]:
    """Accuracy and the positive class's precision, recall and F1.

    >>> scores([1, 1, 0, 0], [True, False, True, False])["f1"]
    0.5
    """
    t = np.asarray(truth, dtype=bool)
    p = np.asarray(pred, dtype=bool)
    tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": round(float((t == p).mean()), 4), "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4), "predicted_positive": int(p.sum())}


def roc_auc(truth: Sequence[int], score: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half).

    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    t = np.asarray(truth, dtype=bool)
    s = np.asarray(score, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # Mean rank for ties.
    starts = np.r_[0, np.flatnonzero(sorted_s[1:] != sorted_s[:-1]) + 1]
    ends = np.r_[starts[1:], len(s)]
    for a, b in zip(starts, ends, strict=True):
        ranks[order[a:b]] = (a + b + 1) / 2
    pos, neg = int(t.sum()), int((~t).sum())
    if not pos or not neg:
        return float("nan")
    return round(float((ranks[t].sum() - pos * (pos + 1) / 2) / (pos * neg)), 4)


def _corpus(pairs: Sequence[Pair]) -> Corpus:
    """Every sentence of ``pairs`` as its own document and outlet."""
    texts: dict[str, str] = {}
    for p in pairs:
        texts.setdefault(p.id1, p.text1)
        texts.setdefault(p.id2, p.text2)
    return Corpus(tuple(Document(i, t, outlet=i) for i, t in texts.items()))


def run(data_path: str | Path = DEFAULT_DATA, *, with_compare: bool = True,
        params: dedup.FindParams | None = None) -> dict[str, Any]:
    """Every figure of the MSRP evaluation as a dict (see the module docstring);
    ``params`` default to ``FindParams()``."""
    pairs = load_pairs(data_path)
    corpus = _corpus(pairs)
    texts = {d.id: d.text for d in corpus.documents}
    t0 = time.perf_counter()
    params_find = params or dedup.FindParams()
    result = dedup.find(corpus, params_find)
    seconds_find = time.perf_counter() - t0
    pred = predictions(result, pairs)
    truth = [p.label for p in pairs]
    same_cluster, direct, score = pred["cluster"], pred["verified"], pred["score"]
    positives = sum(truth)
    majority = [True] * len(pairs) if positives * 2 >= len(pairs) else [False] * len(pairs)
    out: dict[str, Any] = {
        "data": str(Path(data_path)),
        "pairs": len(pairs), "positive": positives, "sentences": len(texts),
        "params": ("dedup.FindParams() defaults" if params is None
                   else params_find.to_dict()),
        "prior_source": params_find.to_dict()["prior_source"],
        "seconds_find": round(seconds_find, 3),
        "clusters": len(result.clusters),
        "cluster": scores(truth, same_cluster),
        "verified": scores(truth, direct),
        "auc_find_score": roc_auc(truth, score),
        "majority_baseline": scores(truth, majority),
    }
    if params is None:
        # The same corpus with the verifier deciding (match="paraphrase"): the MSRP
        # question, "same meaning?", with the coefficients fitted on MSRP train.
        t0 = time.perf_counter()
        para = predictions(dedup.find(corpus, dedup.FindParams(match="paraphrase")), pairs)
        out["paraphrase"] = {**scores(truth, para["cluster"]),
                             "auc_find_score": roc_auc(truth, para["score"]),
                             "seconds_find": round(time.perf_counter() - t0, 3)}
    if with_compare:
        t0 = time.perf_counter()
        params = CompareParams()
        cmp = [coverage(p.text1, p.text2, params=params) for p in pairs]
        out["compare"] = {
            **scores(truth, [params.verdict(c.share_b) != "non" for c in cmp]),
            "auc_coverage": roc_auc(truth, [c.share_b for c in cmp]),
            "auc_min_coverage": roc_auc(truth, [min(c.share_b, c.share_a) for c in cmp]),
            "seconds": round(time.perf_counter() - t0, 3),
        }
    return out


def predictions(result: dedup.FindResult, pairs: Sequence[Pair]) -> dict[str, list[Any]]:
    """What ``find`` says of each pair: ``cluster`` (the two sentences lie in one
    cross-document cluster), ``verified`` (a verified match joins them) and ``score``
    (the score of their strongest verified match, 0 when none)."""
    score_of: dict[tuple[str, str], float] = {}
    for (a, b), sc in zip(result.sentence_pairs.tolist(), result.sentence_scores.tolist(),
                          strict=True):
        da, db = result.passages[a].doc, result.passages[b].doc
        for key in ((da, db), (db, da)):
            score_of[key] = max(score_of.get(key, 0.0), float(sc))
    cluster_of: dict[str, set[int]] = {}
    verified: set[tuple[str, str]] = set()
    for c in result.clusters:
        if c.kind != "cross-document":
            continue
        for psg in c.passages:
            cluster_of.setdefault(psg.doc, set()).add(c.id)
        for m in c.pairs:
            a, b = c.passages[m.a].doc, c.passages[m.b].doc
            verified.add((a, b))
            verified.add((b, a))
    return {"cluster": [bool(cluster_of.get(p.id1, set()) & cluster_of.get(p.id2, set()))
                        for p in pairs],
            "verified": [(p.id1, p.id2) in verified for p in pairs],
            "score": [score_of.get((p.id1, p.id2), 0.0) for p in pairs]}


@dataclass(frozen=True)
class Rows:
    """The verifier's training rows: for each MSRP pair that ``find`` would score
    (a passage pair of its two sentences is a candidate), the
    features (:data:`dedup.evidence.FEATURES`) of that passage pair; ``pair`` indexes
    the MSRP pairs."""

    features: np.ndarray
    labels: np.ndarray
    pair: np.ndarray


def training_rows(pairs: Sequence[Pair], params: dedup.FindParams | None = None) -> Rows:
    """:class:`Rows` of ``pairs``, from the stages of ``find`` itself (sentences,
    feature table and candidates of the whole set, as ``find`` builds them)."""
    params = params or dedup.FindParams()
    corpus = _corpus(pairs)
    state = pipeline._Run(corpus, params, None, 1, LocalEngine())
    units = pipeline._segment(state)
    table = pipeline._weigh(state, units)
    cand = pipeline._candidates(state, units, table)
    docs = state.docs
    firsts = units.members[units.members_ptr[:-1]]

    def text_of(r: int) -> str:
        p = units.passages[int(firsts[r])]
        return docs[int(units.doc_index[firsts[r]])].text[p.start:p.end]

    reps: dict[str, list[int]] = {}
    for k, psg in enumerate(units.passages):
        reps.setdefault(psg.doc, []).append(int(units.rep_of[k]))
    known = set(map(tuple, np.sort(cand, axis=1).tolist()))
    rows, owner = [], []
    for k, p in enumerate(pairs):
        for a in reps.get(p.id1, []):
            for b in reps.get(p.id2, []):
                if (min(a, b), max(a, b)) in known:
                    rows.append((a, b))
                    owner.append(k)
    rows_a = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
    ev = pair_evidence(table, rows_a)
    x = table_features(ev, table.log_n)
    # One row per MSRP pair: its passage pair with the most shared weight.
    best: dict[int, int] = {}
    for i in range(len(rows_a)):
        k = owner[i]
        if k not in best or ev.shared[i] > ev.shared[best[k]]:
            best[k] = i
    keep = np.asarray(sorted(best.values()), dtype=np.int64)
    text = np.asarray([text_features(text_of(int(rows_a[i, 0])), text_of(int(rows_a[i, 1])))
                       for i in keep.tolist()], dtype=np.float64).reshape(len(keep), -1)
    owner_a = np.asarray(owner, dtype=np.int64)[keep]
    return Rows(np.column_stack([x[keep], text]),
                np.asarray([pairs[k].label for k in owner_a.tolist()], dtype=np.float64),
                owner_a)


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 0.01,
                 non_positive: Sequence[int] = (), iterations: int = 50
                 ) -> tuple[float, ...]:
    """Coefficients (intercept first) of an L2-regularised logistic regression on
    standardised features (Newton's method), given back on the features' own scale.
    Features in ``non_positive`` (column indexes) may only lower the log-odds: a
    positive weight is set to 0 and the rest refitted.

    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 0.0, 1.0, 1.0])
    >>> c = fit_logistic(x, y); c[1] > 0 and abs(c[0] + 1.5 * c[1]) < 1e-6
    True
    """
    cols = list(range(x.shape[1]))
    while True:
        mu, sd = x[:, cols].mean(axis=0), x[:, cols].std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        z = np.column_stack([np.ones(len(x)), (x[:, cols] - mu) / sd])
        w = np.zeros(z.shape[1])
        ridge = l2 * np.diag(np.r_[0.0, np.ones(len(cols))])
        for _ in range(iterations):
            p = 1.0 / (1.0 + np.exp(-(z @ w)))
            step = np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + ridge,
                                   z.T @ (p - y) + ridge @ w)
            w -= step
            if np.abs(step).max() < 1e-10:
                break
        raw = w[1:] / sd
        bad = [c for c, v in zip(cols, raw, strict=True) if c in non_positive and v > 0]
        if not bad:
            break
        cols = [c for c in cols if c not in bad]
    coef = np.zeros(x.shape[1])
    coef[cols] = raw
    intercept = float(w[0] - (raw * mu).sum())
    return (round(intercept, 6), *(round(float(v), 6) for v in coef))


def fit(pairs: Sequence[Pair]) -> tuple[float, ...]:
    """The verifier's coefficients fitted on ``pairs`` (see :func:`fit_logistic`)."""
    rows = training_rows(pairs)
    text_cols = range(len(TABLE_FEATURES), len(FEATURES))
    return fit_logistic(rows.features, rows.labels, non_positive=tuple(text_cols))


def cross_validate(pairs: Sequence[Pair], k: int = 10, *, seed: int = 0) -> dict[str, Any]:
    """K-fold estimate of the held-out figures: for each fold, coefficients fitted on
    the other folds' pairs, ``find`` run on every sentence with them
    (``match="paraphrase"``, other parameters at their defaults), and the fold's
    own pairs scored; the figures are over all pairs, each predicted by the one run
    that did not see it."""
    rows = training_rows(pairs)
    text_cols = tuple(range(len(TABLE_FEATURES), len(FEATURES)))
    fold = np.random.default_rng(seed).permutation(len(pairs)) % k
    corpus = _corpus(pairs)
    cluster = np.zeros(len(pairs), dtype=bool)
    score = np.zeros(len(pairs))
    verifier_p = np.zeros(len(pairs))
    coefs = []
    for f in range(k):
        train = fold[rows.pair] != f
        coef = fit_logistic(rows.features[train], rows.labels[train], non_positive=text_cols)
        coefs.append(coef)
        result = dedup.find(corpus, dedup.FindParams(match="paraphrase", verifier=coef))
        held = fold[rows.pair] == f
        verifier_p[rows.pair[held]] = 1.0 / (1.0 + np.exp(-verifier_logit(
            rows.features[held], coef)))
        mine = np.flatnonzero(fold == f)
        pred = predictions(result, [pairs[i] for i in mine.tolist()])
        cluster[mine] = pred["cluster"]
        score[mine] = pred["score"]
    truth = [p.label for p in pairs]
    spread = np.asarray(coefs)
    return {"folds": k, "seed": seed, "cluster": scores(truth, cluster.tolist()),
            "auc_find_score": roc_auc(truth, score.tolist()),
            "auc_verifier": roc_auc(truth, verifier_p.tolist()),
            "coefficient_sd": dict(zip(("intercept", *FEATURES),
                                       np.round(spread.std(axis=0), 4).tolist(), strict=True))}


def _line(name: str, s: dict[str, float]) -> str:
    return (f"  {name:<44} accuracy {s['accuracy']:.3f}  F1 {s['f1']:.3f}  "
            f"precision {s['precision']:.3f}  recall {s['recall']:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.msrp",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA),
                    help=f"MSRP folder or training file (default {DEFAULT_DATA})")
    ap.add_argument("--no-compare", action="store_true", help="skip the compare() variant")
    ap.add_argument("--json", metavar="PATH", help="also write the figures here")
    ap.add_argument("--fit", action="store_true",
                    help="fit the verifier's coefficients on this (training) file and print "
                         "them for dedup/verify.py")
    ap.add_argument("--cv", type=int, metavar="K", default=0,
                    help="K-fold cross-validated figures (coefficients refitted per fold)")
    args = ap.parse_args(argv)
    data = Path(args.data)
    if not (data / TRAIN_FILE if data.is_dir() else data).is_file():
        print(f"no MSRP data at {data}; skipped", file=sys.stderr)
        return 0
    if args.cv and args.cv < 2:
        ap.error(f"--cv needs at least 2 folds, got {args.cv}")
    if args.fit:
        pairs = load_pairs(args.data)
        coef = fit(pairs)
        print(f"verifier fitted on {len(pairs)} MSRP pairs of {data}:")
        print("VERIFIER: tuple[float, ...] = (")
        for name, v in zip(("intercept", *FEATURES), coef, strict=True):
            print(f"    {v!r},  # {name}")
        print(")")
        return 0
    if args.cv:
        r = cross_validate(load_pairs(args.data), args.cv)
        print(f"MSRP {args.cv}-fold cross-validation ({data}): verifier refitted per fold, "
              'find(match="paraphrase") run per fold, each pair scored by the run that did '
              "not see it")
        print(_line("same cross-document cluster", r["cluster"]))
        print(f"  find score of the pair ROC AUC {r['auc_find_score']:.3f}; verifier "
              f"probability (held out, 0 when not a candidate) ROC AUC {r['auc_verifier']:.3f}")
        print(f"  coefficient spread across folds (sd): {r['coefficient_sd']}")
        if args.json:
            write_figures(args.json, r)
        return 0
    r = run(args.data, with_compare=not args.no_compare)
    print(f"MSRP training pairs: {r['pairs']} ({r['positive']} positive), {r['sentences']} "
          f"sentences as documents; dedup.find with FindParams() defaults, "
          f"{r['seconds_find']:.1f} s, {r['clusters']} clusters")
    print(_line("same cross-document cluster", r["cluster"]))
    print(_line("verified match between the two", r["verified"]))
    print(f"  find score of the pair (0 when not verified) ROC AUC {r['auc_find_score']:.3f}; "
          f"prior: {r['prior_source']}")
    if "paraphrase" in r:
        print(_line('match="paraphrase" (verifier), same cluster', r["paraphrase"]))
        print(f"  verifier probability of the pair (0 when not verified) ROC AUC "
              f"{r['paraphrase']['auc_find_score']:.3f}")
    print(_line("majority class (all positive)", r["majority_baseline"]))
    if "compare" in r:
        c = r["compare"]
        print(_line("compare(): verdict not 'non' (COUNTER fit)", c))
        print(f"  compare() coverage ROC AUC {c['auc_coverage']:.3f}, "
              f"min of both coverages {c['auc_min_coverage']:.3f} (no threshold)")
    if args.json:
        write_figures(args.json, r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
