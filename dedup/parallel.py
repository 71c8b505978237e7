"""Threads for the numpy-heavy steps of :func:`dedup.find`.

numpy releases the GIL inside its sorts, searches, gathers and ufuncs, so runs of
independent array work (the feature build's runs of passages, MinHash blocks) use
every CPU from threads, with no copy of their inputs and no pickling of their
outputs. Results come back in input order, so they never depend on the number of
threads; at most a few runs are in flight at once, so memory holds a few runs'
results, not all of them.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

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


def batches(items: list[T], size: int) -> list[list[T]]:
    """``items`` cut into consecutive lists of ``size`` (the last one shorter).

    >>> batches([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    return [items[i:i + size] for i in range(0, len(items), max(1, size))]


__all__ = ["MAX_DEFAULT_THREADS", "batches", "ordered_map", "threads_for"]
