"""The Dask engine: each step returns exactly the local engine's arrays, and ``find``
on a LocalCluster writes byte-identical JSON; without dask, asking for it is a
one-line error and the rest of the library works."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.corpus import read_corpus
from dedup.engine import MissingEngineError, dask_engine, open_engine
from dedup.errors import ParameterError
from dedup.features import WordPrior, build_features_hashed
from dedup.index import LSHParams, candidate_pairs
from dedup.models import Corpus, Document
from dedup.pipeline import FindParams, find
from dedup.report.jsonout import dumps, result_to_dict
from dedup.signatures import MinHashParams, signatures
from dedup.tokens import tokenize

ROOT = Path(__file__).resolve().parent.parent


def _json(result: Any) -> str:
    return dumps(result_to_dict(result))


# -- without dask ----------------------------------------------------------------------

def _hide_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "dedup.engine.dask", raising=False)
    monkeypatch.setitem(sys.modules, "distributed", None)


def test_asking_for_dask_without_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    _hide_dask(monkeypatch)
    with pytest.raises(MissingEngineError, match=r"pip install 'dedup\[dask\]'"):
        dask_engine()


def test_cli_without_dask_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch,
                                               seeds_dir: Path) -> None:
    _hide_dask(monkeypatch)
    res = CliRunner().invoke(main, ["find", str(seeds_dir), "--engine", "dask", "-q"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "Error: the dask engine needs dask and distributed (distributed is not installed): "
        "pip install 'dedup[dask]'"]


def test_the_library_imports_and_finds_without_dask(seeds_dir: Path) -> None:
    code = ("import sys; sys.modules['dask'] = sys.modules['distributed'] = None\n"
            "import dedup, dedup.cli, dedup.engine\n"
            "from dedup.corpus import read_corpus\n"
            f"r = dedup.find(read_corpus([{str(seeds_dir)!r}]))\n"
            "assert r.clusters\n"
            "assert 'dedup.engine.dask' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_bad_engine_arguments_are_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="needs the dask engine"):
        open_engine("local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ParameterError, match="engine must be one of local, dask"):
        open_engine("spark")


# -- on a LocalCluster ----------------------------------------------------------------

@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as c:
        yield c


def _engine(client: Any, partitions: int | None = None) -> Any:
    from dedup.engine.dask import DaskEngine

    return DaskEngine(client=client, partitions=partitions)


def test_engine_arguments_are_checked() -> None:
    pytest.importorskip("distributed")
    from dedup.engine.dask import DaskEngine

    with pytest.raises(ParameterError, match="partitions must be at least 1"):
        DaskEngine(partitions=0)
    with pytest.raises(ParameterError, match="workers must be at least 1"):
        DaskEngine(workers=0)


def test_unreachable_scheduler_is_a_one_line_error(seeds_dir: Path) -> None:
    pytest.importorskip("distributed")
    res = CliRunner().invoke(main, ["find", str(seeds_dir), "--scheduler", "http://nowhere",
                                    "-q"])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: cannot reach the Dask scheduler at http://nowhere: ")


def test_tokenize_matches_local(client: Any) -> None:
    docs = [Document(f"doc-{i}", text, "o") for i, text in enumerate([
        "The minister said on Monday. \u201cWe will act,\u201d she said.\n\nA second "
        "paragraph follows here.",
        "",
        "One sentence only",
        "Prices rose 4.5% in May. Analysts expected less. Markets fell.",
        "Un texte en fran\u00e7ais. Avec deux phrases.",
    ] * 3)]
    local = tokenize(docs, topic_weight=0.3, quote_weight=1.5, workers=1)
    seen: list[tuple[int, int]] = []
    dask = _engine(client, partitions=4).tokenize(
        docs, topic_weight=0.3, quote_weight=1.5, progress=lambda i, t: seen.append((i, t)))
    for name in local.__dataclass_fields__:
        a, b = getattr(local, name), getattr(dask, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert seen[-1] == (len(docs), len(docs))


def _random_passages(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Passages over a small vocabulary, some repeated word for word, some empty."""
    lengths = rng.integers(0, 14, n)
    words = [rng.integers(1, 40, k).astype(np.uint64) for k in lengths]
    for i in rng.choice(n, n // 5, replace=False):  # exact repeats
        j = int(rng.integers(0, n))
        words[i], lengths[i] = words[j], lengths[j]
    wh = np.concatenate(words).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    mult = rng.choice([0.3, 1.0, 1.0, 1.5], len(wh))
    return wh, lengths.astype(np.int64), mult


@pytest.mark.parametrize(("stock_df", "with_prior"), [(None, False), (5, False), (None, True)])
def test_features_match_local(client: Any, stock_df: int | None, with_prior: bool) -> None:
    wh, lengths, mult = _random_passages(np.random.default_rng(3), 300)
    vocab = np.unique(wh)
    prior = (WordPrior(vocab[::2], np.linspace(1e-4, 0.05, len(vocab[::2])), "test")
             if with_prior else None)
    kw: dict[str, Any] = {"prior": prior, "prior_passages": 50.0} if with_prior else {}
    local = build_features_hashed(wh, lengths, (1, 2, 3), multipliers=mult, stock_df=stock_df,
                                  **kw)
    dask = _engine(client, partitions=5).features(wh, lengths, (1, 2, 3), multipliers=mult,
                                                  stock_df=stock_df, **kw)
    assert len(local.feats) > 1000 and local.df.max() > 5  # frequencies matter here
    for name in local.__dataclass_fields__:
        a, b = getattr(local, name), getattr(dask, name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        else:
            assert a == b, name


def test_signatures_match_local_with_units_out_of_order(client: Any) -> None:
    rng = np.random.default_rng(5)
    unit = rng.integers(0, 50, 2000)
    unit[unit == 7] = 8  # a unit with no features keeps the empty signature
    feats = rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32)
    params = MinHashParams(num_perm=32, seed=9)
    local = signatures(unit, feats, 60, params)
    dask = _engine(client, partitions=4).signatures(unit, feats, 60, params)
    assert dask.dtype == local.dtype and np.array_equal(local, dask)


@pytest.mark.parametrize("min_hits", [1, 2])
def test_candidate_pairs_match_local_with_oversized_buckets(client: Any, min_hits: int
                                                            ) -> None:
    rng = np.random.default_rng(11)
    sig = rng.integers(0, 3, (500, 12)).astype(np.uint32)  # few values: big buckets
    sig[::3] = rng.integers(0, 2**32, (167, 12), dtype=np.uint64).astype(np.uint32)
    valid = rng.random(500) > 0.1
    lsh = LSHParams(bands=6, rows=2, threshold=0.5, target_recall=0.95)
    local = candidate_pairs(sig, lsh, valid=valid, max_bucket=8, min_hits=min_hits)
    dask = _engine(client, partitions=3).candidate_pairs(sig, lsh, valid=valid, max_bucket=8,
                                                         min_hits=min_hits)
    assert len(local) > 200
    assert dask.dtype == local.dtype and np.array_equal(local, dask)


def test_candidate_pairs_of_fewer_than_two_rows(client: Any) -> None:
    lsh = LSHParams(bands=2, rows=2, threshold=0.5, target_recall=0.95)
    sig = np.zeros((3, 4), dtype=np.uint32)
    got = _engine(client).candidate_pairs(sig, lsh, valid=np.array([True, False, False]))
    assert got.shape == (0, 2)


@pytest.mark.parametrize(("folder", "partitions"), [("seeds", 1), ("seeds", 6),
                                                    ("tests/fixtures/wire", None)])
def test_find_gives_byte_identical_json(client: Any, folder: str, partitions: int | None
                                        ) -> None:
    corpus = read_corpus([str(ROOT / folder)])
    local = _json(find(corpus))
    assert '"cross-document"' in local
    assert _json(find(corpus, engine=_engine(client, partitions))) == local


def test_find_on_a_generated_corpus_gives_byte_identical_json(client: Any) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.generate import generate
    finally:
        sys.path.remove(str(ROOT))
    docs = generate(300, seed=3).documents
    corpus = Corpus(tuple(Document(d["id"], d["text"], d["outlet"], date=d["date"],
                                   title=d.get("title")) for d in docs))
    # A higher relation evidence aligns ~800 document pairs instead of ~4,000 (the
    # relate stage dominates the time on this corpus); every stage still runs.
    params = FindParams(relation_evidence=30.0)
    local = find(corpus, params)
    assert len(local.clusters) > 100 and len(local.relations) > 100
    assert _json(find(corpus, params, engine=_engine(client, partitions=5))) == _json(local)


def test_cli_scheduler_gives_the_local_json(client: Any, seeds_dir: Path, tmp_path: Path
                                            ) -> None:
    runner = CliRunner()
    here, there = tmp_path / "local.json", tmp_path / "dask.json"
    assert runner.invoke(main, ["find", str(seeds_dir), "--json", str(here), "-q"]
                         ).exit_code == 0
    res = runner.invoke(main, ["find", str(seeds_dir), "--json", str(there), "-q",
                               "--scheduler", client.scheduler.address])
    assert res.exit_code == 0, res.output
    assert there.read_bytes() == here.read_bytes()


def test_cli_report_on_the_cluster_is_the_local_report(client: Any, seeds_dir: Path,
                                                       tmp_path: Path) -> None:
    runner = CliRunner()
    here, there = tmp_path / "local.md", tmp_path / "dask.md"
    assert runner.invoke(main, ["report", str(seeds_dir), "-o", str(here), "--format", "md",
                                "-q"]).exit_code == 0
    res = runner.invoke(main, ["report", str(seeds_dir), "-o", str(there), "--format", "md",
                               "-q", "--engine", "dask", "--scheduler",
                               client.scheduler.address])
    assert res.exit_code == 0, res.output
    assert there.read_bytes() == here.read_bytes()


def test_a_failed_cluster_is_a_one_line_error(client: Any, monkeypatch: pytest.MonkeyPatch,
                                              seeds_dir: Path) -> None:
    from distributed.comm import CommClosedError

    from dedup.errors import DedupError

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise CommClosedError("connection to the scheduler lost")

    monkeypatch.setattr(client, "gather", lost)
    with pytest.raises(DedupError, match="^the Dask cluster failed during tokenize: "
                                         "CommClosedError: connection to the scheduler lost$"):
        find(read_corpus([str(seeds_dir)]), engine=_engine(client))
