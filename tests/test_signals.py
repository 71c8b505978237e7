"""Ctrl-C and SIGTERM sent to a running ``dedup find`` (a real subprocess with forked
tokenising workers): the exit code, one line on stderr, no output or temporary file,
no child process left."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup.tokens import PARALLEL_MIN_CHARS, default_workers

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads child processes from /proc (Linux)")


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Some 3.4 MB of text: enough for `find` to fork workers and run for seconds."""
    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(5000)]
    path = tmp_path_factory.mktemp("corpus") / "docs.jsonl"
    chars = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(3000):
            text = " ".join(" ".join(rng.choices(vocab, k=rng.randint(8, 18))).capitalize() + "."
                            for _ in range(12))
            chars += len(text)
            f.write(json.dumps({"id": str(i), "outlet": f"o{i % 40}", "text": text}) + "\n")
    assert chars > PARALLEL_MIN_CHARS  # or no worker would be forked
    return path


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _default_sigint() -> None:
    """In the child before it starts Python: Ctrl-C's default action, as on a terminal.
    A suite run in the background by a shell without job control (``pytest &`` in a
    script) ignores SIGINT, the child would inherit that, and Python then installs no
    handler for it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run_and_signal(corpus: Path, out_dir: Path, sig: int, *, group: bool):
    out = out_dir / "out.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dedup", "find", str(corpus), "--json", str(out), "-q",
         "--workers", "2"],
        cwd=out_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=_default_sigint)
    children: set[int] = set()
    if default_workers() >= 2:  # --workers 2 is not capped: wait for the forks
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            children = _children(proc.pid)
            if children:
                break
            time.sleep(0.02)
        assert children, "find never forked its workers"
        time.sleep(0.2)  # let the workers start their work
    else:  # one CPU: --workers is capped at 1 and find runs in one process
        time.sleep(1.0)
    assert proc.poll() is None, "find ended before the signal was sent"
    if group:  # Ctrl-C on a terminal reaches the whole foreground process group
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    stdout, stderr = proc.communicate(timeout=60)
    time.sleep(0.2)
    return proc.returncode, stdout, stderr, children, out


@pytest.mark.parametrize("group", [True, False], ids=["process-group", "parent-only"])
def test_sigint_exits_130_quietly_and_leaves_nothing(big_corpus: Path, tmp_path: Path,
                                                     group: bool) -> None:
    rc, stdout, stderr, children, out = _run_and_signal(big_corpus, tmp_path, signal.SIGINT,
                                                        group=group)
    assert rc == 130
    assert [line for line in stderr.splitlines() if not line.startswith("warning: --workers")] \
        == ["dedup: interrupted"]
    assert stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file either
    assert not [c for c in children if _alive(c)]


def test_sigterm_exits_143_and_leaves_no_file_or_child(big_corpus: Path,
                                                       tmp_path: Path) -> None:
    rc, stdout, stderr, children, out = _run_and_signal(big_corpus, tmp_path, signal.SIGTERM,
                                                        group=False)
    assert rc == 143
    assert [line for line in stderr.splitlines() if not line.startswith("warning: --workers")] \
        == ["dedup: terminated"]
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert not [c for c in children if _alive(c)]
