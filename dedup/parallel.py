"""Threads and forked workers for the heavy steps of :func:`dedup.find`.

numpy releases the GIL inside its sorts, searches, gathers and ufuncs, so runs of
independent array work (the feature build's runs of passages, MinHash blocks) use
every CPU from threads (:func:`ordered_map`), with no copy of their inputs and no
pickling of their outputs; at most a few runs are in flight at once, so memory holds
a few runs' results, not all of them. Python-heavy work over independent items
(growing chains, aligning document pairs) runs on forked processes instead
(:func:`fork_map`), which inherit their inputs. Results come back in input order
either way, so they never depend on the number of threads or processes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

# Threads when none are asked for: each holds a block's transient arrays (up to a few
# hundred MB), and memory-bound numpy work gains little past a few threads.
MAX_DEFAULT_THREADS = 4


def threads_for(workers: int | None) -> int:
    """Threads for a step's array work: ``workers`` when given, else the CPUs this
    process may use, at most :data:`MAX_DEFAULT_THREADS`."""
    if workers is not None:
        return max(1, workers)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_THREADS))


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """``map(fn, items)`` on ``workers`` threads, in input order, with at most
    ``2 * workers`` calls started ahead of the one being consumed.

    >>> list(ordered_map(lambda x: x * x, range(5), workers=2))
    [0, 1, 4, 9, 16]
    """
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dedup") as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # a consumer that stops early (or an error) cancels what is queued
            for f in pending:
                f.cancel()


# Set in the parent just before the workers fork; they read it, nothing is pickled.
_FORKED: tuple[Callable[..., Any], tuple[Any, ...]] | None = None


def fork_map(fn: Callable[..., list[R]], args: tuple[Any, ...], spans: list[tuple[int, int]],
             workers: int) -> list[R]:
    """``fn(*args, span)`` for each span, on ``workers`` forked processes (Linux), their
    lists joined in span order: for Python-heavy work over independent items, where
    threads would wait on the GIL. ``args`` reach the workers by the fork (closures and
    large arrays included); only the results are pickled. Elsewhere, or with one worker,
    in this process.

    >>> fork_map(lambda xs, span: xs[span[0]:span[1]], ([1, 2, 3, 4],), [(0, 2), (2, 4)], 2)
    [1, 2, 3, 4]
    """
    global _FORKED
    forkable = (sys.platform.startswith("linux")
                and "fork" in multiprocessing.get_all_start_methods())
    if workers <= 1 or len(spans) <= 1 or not forkable:
        return [x for span in spans for x in fn(*args, span)]
    _FORKED = (fn, args)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=quiet_worker) as pool:
            return [x for part in pool.imap(_forked_call, spans) for x in part]
    finally:
        _FORKED = None


def _forked_call(span: tuple[int, int]) -> list[Any]:
    assert _FORKED is not None
    fn, args = _FORKED
    return fn(*args, span)


def quiet_worker() -> None:
    """Workers leave interrupts to the parent: Ctrl-C reaches the whole process group,
    and the parent, not each worker, reports it and ends the pool. SIGTERM (sent by
    the pool when it ends early) kills a worker quietly, whatever handler the parent
    had when it forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def ranges(weights: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """At most ``parts`` contiguous runs ``(lo, hi)`` of items, none empty, of about
    equal weight (each item also counts one, so weightless items are spread too).

    >>> ranges(np.array([5, 0, 0, 5]), 2)
    [(0, 2), (2, 4)]
    >>> ranges(np.zeros(0), 3)
    []
    """
    n = len(weights)
    if n == 0:
        return []
    cum = np.cumsum(np.asarray(weights, dtype=np.float64) + 1.0)
    cuts = np.searchsorted(cum, np.linspace(0, cum[-1], max(1, min(parts, n)) + 1)[1:-1],
                           side="right")
    bounds = [0, *sorted(set(cuts.tolist()) - {0, n}), n]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def batches(items: list[T], size: int) -> list[list[T]]:
    """``items`` cut into consecutive lists of ``size`` (the last one shorter).

    >>> batches([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    return [items[i:i + size] for i in range(0, len(items), max(1, size))]


__all__ = ["MAX_DEFAULT_THREADS", "batches", "fork_map", "ordered_map", "quiet_worker",
           "ranges", "threads_for"]
