"""The machine a benchmark ran on: CPU, cores, memory, Python and library versions.

Figures are only comparable between runs on the same description, so every results file
carries one.

>>> d = describe()
>>> sorted(d) == sorted(["cpu", "cores", "cores_usable", "memory_mib", "python",
...                      "implementation", "platform", "packages"])
True
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

__all__ = ["PACKAGES", "describe", "peak_rss_mib", "summary"]

PACKAGES = ("dedup", "numpy", "datasketch", "rapidfuzz", "tabulate", "matplotlib", "rensa",
            "gaoya")
"""Packages whose versions change the figures (None when not installed)."""


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def _memory_mib() -> int | None:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024  # the kernel reports kB
    return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def describe() -> dict[str, object]:
    """CPU model, cores (all and usable by this process), total memory in MiB (from
    ``/proc/meminfo``; None elsewhere), Python version and implementation, platform
    string and the versions of :data:`PACKAGES`."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "memory_mib": _memory_mib(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def summary(d: dict[str, object]) -> str:
    """One line for a report: ``AMD EPYC, 2 cores, 23.5 GiB, Python 3.11.7, Linux-...``."""
    mem = d.get("memory_mib")
    gib = f"{mem / 1024:.1f} GiB" if isinstance(mem, int) else "memory unknown"
    return f"{d['cpu']}, {d['cores_usable']} cores, {gib}, Python {d['python']}, {d['platform']}"


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (``ru_maxrss``: KiB on Linux,
    bytes on macOS)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
