"""Where the heavy steps of :func:`dedup.find` run.

:func:`dedup.find` is a list of stages (segment, weigh, candidates, verify, assemble,
relate). The steps whose cost grows with the corpus run on an *engine*:

* ``tokenize``: documents -> passages and word hashes;
* ``features``: the weighted n-gram table, with its corpus-wide document frequencies;
* ``signatures``: MinHash signatures;
* ``candidate_pairs``: LSH banding into candidate pairs;
* ``score_pairs``: verification of candidate pairs;
* ``coverages``: word-by-word alignment of the document pairs that may be related.

:class:`LocalEngine` (the default) runs them in this process (tokenising on forked
workers). :class:`~dedup.engine.dask.DaskEngine` runs them on a Dask cluster, a local
one or an existing scheduler, partitioned. Every engine returns exactly the arrays
the local one does, so the result of ``find`` does not depend on where it ran.
The distinctive-wording channel's exact join of rare n-grams
(:func:`dedup.index.shared_features`), joining matches into passages, clustering
and the relation verdicts run in the calling process on the gathered arrays.

The Dask engine needs ``pip install 'dedup[dask]'``; the rest of the library never
imports dask.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from ..errors import DedupError, ParameterError
from .local import Engine, LocalEngine

if TYPE_CHECKING:
    from .dask import DaskEngine

ENGINES = ("local", "dask")


class MissingEngineError(DedupError, ImportError):
    """An engine whose optional packages are not installed; says what to install."""


def dask_engine(*, scheduler: str | None = None, workers: int | None = None,
                partitions: int | None = None) -> DaskEngine:
    """A :class:`~dedup.engine.dask.DaskEngine` (use it as a context manager): on the
    scheduler at ``scheduler`` (``tcp://host:port``), or on a local cluster of
    ``workers`` processes (default: one per CPU). Raises :class:`MissingEngineError`
    when dask or distributed is not installed."""
    try:
        from .dask import DaskEngine
    except ImportError as e:
        raise MissingEngineError(
            f"the dask engine needs dask and distributed ({e.name or e} is not "
            "installed): pip install 'dedup[dask]'") from None
    return DaskEngine(scheduler=scheduler, workers=workers, partitions=partitions)


def open_engine(name: str = "local", *, scheduler: str | None = None,
                workers: int | None = None) -> AbstractContextManager[Engine]:
    """The engine called ``name`` (one of :data:`ENGINES`), as a context manager that
    starts it and, on leaving, closes what it started.

    >>> with open_engine("local") as engine:
    ...     engine.name
    'local'
    """
    if name == "local":
        if scheduler is not None:
            raise ParameterError("a scheduler address needs the dask engine")
        return nullcontext(LocalEngine())
    if name == "dask":
        return dask_engine(scheduler=scheduler, workers=workers)
    raise ParameterError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}")


__all__ = ["ENGINES", "Engine", "LocalEngine", "MissingEngineError", "dask_engine",
           "open_engine"]
