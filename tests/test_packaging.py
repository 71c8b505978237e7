"""The package as users install it: every module ships, and the installed copy runs.

The rest of the suite imports the checkout (editable install, ``python -m pytest`` puts
the current folder first), so a module left out of the wheel would never show there.
Here the sdist and wheel are built offline from a copy of the sources, the wheel's
contents are checked against the source tree, and the installed copy runs ``dedup``
from a folder outside the checkout. ``.ci/smoke`` does the same in a fresh venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

pytest.importorskip("build", reason="the packaging test needs `build` (pip install -e '.[test]')")
pytest.importorskip("setuptools", reason="the packaging test needs setuptools>=77")


def _package_files() -> set[str]:
    """Every file of the package in the source tree, as paths in the wheel."""
    out = set()
    for path in (ROOT / "dedup").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            out.add(path.relative_to(ROOT).as_posix())
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "dedup", src / "dedup",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel built from that sdist (what `pip install .` users get)
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "-q",
                           "-o", str(dist), str(src)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dist


def test_wheel_holds_every_module_and_py_typed(built: Path) -> None:
    (wheel,) = built.glob("*.whl")
    names = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("dedup/")}
    expected = _package_files()
    assert "dedup/report/terminal.py" in expected and "dedup/py.typed" in expected
    # the HTML report's templates are package data: without them `dedup report` fails
    templates = {n for n in expected if n.startswith("dedup/report/templates/")}
    assert "dedup/report/templates/report.html.j2" in templates
    assert templates <= names
    assert expected - names == set()


def test_sdist_holds_every_module(built: Path) -> None:
    (sdist,) = built.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert _package_files() - names == set()


def test_installed_wheel_runs_outside_the_checkout(built: Path, tmp_path: Path) -> None:
    (wheel,) = built.glob("*.whl")
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:  # what `pip install --no-deps` puts in place
        z.extractall(target)
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    # -S: no site processing, so the editable install's import hook (a .pth file) is
    # not loaded; the dependencies still come from this environment's site-packages.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *deps])}
    code = ("import sys, dedup, dedup.report.html, dedup.cli; print(dedup.__file__); "
            "sys.argv = ['dedup', 'find', sys.argv[1], '--json', 'out.json', '-q']; "
            "dedup.cli.main()")
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(SEEDS)], cwd=run_dir, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith(str(target))
    assert (run_dir / "out.json").stat().st_size > 0
    # the report renders from the templates inside the installed package
    code = ("import sys, dedup.cli; "
            "sys.argv = ['dedup', 'report', sys.argv[1], '-o', 'out.html', '-q']; "
            "dedup.cli.main()")
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(SEEDS)], cwd=run_dir, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    page = (run_dir / "out.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'id="stories"' in page
