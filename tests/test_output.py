"""Writing output files: modes, links, special files, full disks, interrupts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import output
from dedup.cli import main
from dedup.errors import DedupError
from dedup.output import visible, write_output


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_umask_mode(tmp_path: Path, umask: None) -> None:
    write_output(str(tmp_path / "a.json"), "{}\n")
    assert _mode(tmp_path / "a.json") == 0o644
    os.umask(0o077)
    write_output(str(tmp_path / "b.json"), "{}\n")
    assert _mode(tmp_path / "b.json") == 0o600
    os.umask(0o002)
    write_output(str(tmp_path / "c.json"), "{}\n")
    assert _mode(tmp_path / "c.json") == 0o664


def test_cli_outputs_get_the_umask_mode(tmp_path: Path, seeds_dir: Path, umask: None) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["find", str(seeds_dir), "--json", str(tmp_path / "f.json"),
                               "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["report", str(seeds_dir), "-o", str(tmp_path / "r.html"),
                               "-q"])
    assert res.exit_code == 0, res.output
    assert _mode(tmp_path / "f.json") == 0o644 and _mode(tmp_path / "r.html") == 0o644


def test_existing_file_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "out.md"
    path.write_text("old")
    path.chmod(0o640)
    write_output(str(path), "new")
    assert path.read_text() == "new" and _mode(path) == 0o640


def test_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "real" / "report.html"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.html"
    link.symlink_to(Path("real") / "report.html")  # relative link
    write_output(str(link), "new")
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "report.html")
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_hard_link_stays_one_file(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text("old")
    b = tmp_path / "b.json"
    os.link(a, b)
    write_output(str(a), "new")
    assert b.read_text() == "new" and a.stat().st_ino == b.stat().st_ino


def test_dev_null_is_written_not_replaced(seeds_dir: Path) -> None:
    before = os.stat("/dev/null")
    write_output("/dev/null", "anything")
    res = CliRunner().invoke(main, ["report", str(seeds_dir), "-o", "/dev/null", "-q"])
    assert res.exit_code == 0, res.output
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_fifo_is_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_output(str(fifo), "through the pipe\n")
    reader.join(timeout=10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_dev_stdout_writes_to_the_pipe(seeds_dir: Path, tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "dedup", "report", str(seeds_dir),
                          "-o", "/dev/stdout", "--format", "md", "-q"],
                         capture_output=True, cwd=tmp_path, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(b"# dedup report")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_full_device_is_a_one_line_error(seeds_dir: Path) -> None:
    with pytest.raises(DedupError, match=r"^/dev/full: cannot write: no space left on device$"):
        write_output("/dev/full", "x" * 100_000)
    res = CliRunner().invoke(main, ["find", str(seeds_dir), "--json", "/dev/full", "-q"])
    assert res.exit_code == 1
    assert res.output == "Error: /dev/full: cannot write: no space left on device\n"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("exc", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_interrupted_write_leaves_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    path = tmp_path / "out.json"
    path.write_text("old")

    def fail(fd: int, data: bytes) -> int:
        raise exc

    monkeypatch.setattr(output.os, "write", fail)
    with pytest.raises(DedupError if isinstance(exc, OSError) else KeyboardInterrupt):
        write_output(str(path), "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(DedupError, match="cannot write: No such file or directory"):
        write_output(str(tmp_path / "nope" / "out.json"), "x")


def test_surrogates_are_written_as_replacement_characters(tmp_path: Path) -> None:
    write_output(str(tmp_path / "o.txt"), "caf\udce9 \ud800")
    assert (tmp_path / "o.txt").read_text(encoding="utf-8") == "caf\ufffd \ufffd"


def test_visible_shows_control_characters() -> None:
    assert visible("a\x1b]0;PWNED\x07b") == "a\\x1b]0;PWNED\\x07b"
    assert visible("two\nlines\r") == "two\\nlines\\r"
    assert visible("rtl\u202eoverride") == "rtl\\u202eoverride"
    assert visible("plain text, caf\u00e9") == "plain text, caf\u00e9"
