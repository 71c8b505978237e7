"""Every real-data runner, pointed at a folder without its data, skips with a note on
stderr and exits 0 (the benchmarks README promises this for all of them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("runner, name", [
    ("msrp", "MSRP"), ("clough", "Clough-Stevenson"), ("counter_compare", "COUNTER"),
])
def test_runner_without_data_skips_with_a_note(tmp_path: Path, runner: str, name: str) -> None:
    empty = tmp_path / "nothing-here"
    res = subprocess.run([sys.executable, "-m", f"benchmarks.{runner}", "--data", str(empty)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stderr == f"no {name} data at {empty}; skipped\n"
    assert res.stdout == ""


def test_msrp_accepts_an_empty_folder_too(tmp_path: Path) -> None:
    from benchmarks import msrp

    assert msrp.main(["--data", str(tmp_path)]) == 0
