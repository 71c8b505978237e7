"""The command line as users drive it: exit codes, messages, files left behind."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dedup.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_find_seeds_prints_a_summary_table(runner: CliRunner, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["find", str(seeds_dir)])
    assert res.exit_code == 0, res.output
    assert "5 documents read, 0 skipped" in res.output
    assert "cross-document" in res.output and "within-document" in res.output
    assert "snippet" in res.output


def test_find_writes_json_file(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    res = runner.invoke(main, ["find", str(seeds_dir), "--json", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert res.output == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert set(data) >= {"params", "documents", "skipped", "clusters"}
    assert {"num_perm", "seed", "shingle", "ngrams"} <= set(data["params"]["minhash"])
    kinds = {c["kind"] for c in data["clusters"]}
    assert kinds <= {"cross-document", "within-outlet", "within-document"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temporary file


def test_find_json_to_stdout_is_pure_json(runner: CliRunner, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["find", str(seeds_dir), "--json", "-"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["summary"]["documents"] == 5


def test_python_dash_m_works() -> None:
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "dedup", "--help"], capture_output=True,
                         text=True, check=False)
    assert res.returncode == 0 and "find" in res.stdout


def test_malformed_jsonl_is_one_line_error_and_no_output(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text('{"id": "a", "text": "fine text here"}\n{"id": "b", "text": \n',
                   encoding="utf-8")
    out = tmp_path / "out.json"
    res = runner.invoke(main, ["find", str(src), "--json", str(out)])
    assert res.exit_code == 1
    assert f"{src}:2:" in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_skip_invalid_counts_bad_records(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    good = "Officials confirmed the bridge collapse injured forty workers on Monday night."
    src.write_text(json.dumps({"id": "a", "text": good}) + "\nnot json\n"
                   + json.dumps({"id": "b", "text": good}) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["find", str(src), "--skip-invalid"])
    assert res.exit_code == 0, res.output
    assert f"skipped {src}:2" in res.stderr
    assert "2 documents read, 1 skipped" in res.stdout


def test_binary_and_bad_utf8_files_in_a_folder_are_skipped(runner: CliRunner,
                                                           tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("A perfectly ordinary article about the harbour.",
                                     encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("")
    res = runner.invoke(main, ["find", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert res.stderr.count("warning: skipped") == 3
    assert "1 document read, 3 skipped" in res.stdout


def test_duplicate_ids_name_both_places(runner: CliRunner, tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_text(json.dumps({"id": "0002", "text": "one text"}) + "\n", encoding="utf-8")
    b.write_text(json.dumps({"id": "0002", "text": "another text"}) + "\n", encoding="utf-8")
    res = runner.invoke(main, ["find", str(a), str(b)])
    assert res.exit_code == 1
    assert f"{b}:1" in res.output and f"{a}:1" in res.output and "'0002'" in res.output


def test_missing_path_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(main, ["find", str(tmp_path / "nope")])
    assert res.exit_code == 1
    assert "no such file" in res.output


def test_unwritable_json_path_is_an_error(runner: CliRunner, seeds_dir: Path,
                                          tmp_path: Path) -> None:
    res = runner.invoke(main, ["find", str(seeds_dir), "--json",
                               str(tmp_path / "missing-dir" / "out.json")])
    assert res.exit_code == 1
    assert "cannot write" in res.output and "Traceback" not in res.output


def test_progress_is_silent_when_piped(runner: CliRunner, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["find", str(seeds_dir)])
    assert "\r" not in res.stderr


def test_every_command_has_help_text() -> None:
    for name, cmd in main.commands.items():
        assert cmd.help, f"{name} has no help"
        for p in cmd.params:
            if isinstance(p, click.Option):
                assert p.help, f"{name} {p.name} has no help"


def test_diff_two_files_plain_when_piped(runner: CliRunner, wire_dir: Path) -> None:
    res = runner.invoke(main, ["diff", str(wire_dir / "wire.txt"),
                               str(wire_dir / "reworded.txt"), "--width", "90"])
    assert res.exit_code == 0, res.output
    assert "\x1b[" not in res.output
    assert all(len(line) <= 90 for line in res.output.splitlines())
    assert "[~" in res.output or "[-" in res.output


def test_diff_json_offsets_point_into_both_files(runner: CliRunner, wire_dir: Path) -> None:
    res = runner.invoke(main, ["diff", "wire.txt", "reworded.txt", "--corpus", str(wire_dir),
                               "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    a = (wire_dir / "wire.txt").read_text(encoding="utf-8")
    b = (wire_dir / "reworded.txt").read_text(encoding="utf-8")
    assert data["a_id"] == "wire.txt" and data["stats"]["kept"] > 0
    ops = {e["op"] for e in data["edits"]}
    assert "equal" in ops and ops & {"replace", "insert", "delete"}
    for e in data["edits"]:
        assert a[e["a"][0]:e["a"][1]] == e["a_text"]
        assert b[e["b"][0]:e["b"][1]] == e["b_text"]


def test_diff_html_escapes_corpus_text(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The mayor said <script>alert(1)</script> on Monday.")
    (tmp_path / "b.txt").write_text("The mayor claimed <script>alert(1)</script> on Monday.")
    out = tmp_path / "d.html"
    res = runner.invoke(main, ["diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                               "--format", "html", "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_diff_unknown_id_is_an_error(runner: CliRunner, seeds_dir: Path) -> None:
    res = runner.invoke(main, ["diff", "nope.txt", "001_d72135529865c72b.txt",
                               "--corpus", str(seeds_dir)])
    assert res.exit_code == 1 and "no document with id 'nope.txt'" in res.output


def test_report_writes_html_and_prints_outlet_summary(runner: CliRunner, wire_dir: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = runner.invoke(main, ["report", str(wire_dir), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "reworded.txt" in res.output and "kept" in res.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "unrelated_same_topic.txt" in html  # every document is accounted for


def test_report_markdown(runner: CliRunner, wire_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    res = runner.invoke(main, ["report", str(wire_dir), "-o", str(out), "--format", "md", "-q"])
    assert res.exit_code == 0 and res.output == ""
    assert out.read_text(encoding="utf-8").startswith("# dedup report")


def test_compare_two_files_gives_verdict_and_diffs(runner: CliRunner, wire_dir: Path) -> None:
    res = runner.invoke(main, ["compare", str(wire_dir / "wire.txt"),
                               str(wire_dir / "verbatim.txt"), "--width", "80"])
    assert res.exit_code == 0, res.output
    assert "wholly derived" in res.output and "passage 1" in res.output
    res = runner.invoke(main, ["compare", str(wire_dir / "wire.txt"),
                               str(wire_dir / "unrelated_same_topic.txt")])
    assert res.exit_code == 0 and "non derived" in res.output


def test_compare_batch_writes_one_line_per_pair(runner: CliRunner, wire_dir: Path,
                                                tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("source_id,derived_id,note\nwire.txt,verbatim.txt,x\n"
                     "wire.txt,unrelated_same_topic.txt,y\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(main, ["compare", "--corpus", str(wire_dir), "--pairs", str(pairs),
                               "--json", str(out)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["derived_id"] for r in rows] == ["verbatim.txt", "unrelated_same_topic.txt"]
    assert list(rows[0])[:4] == ["source_id", "derived_id", "coverage", "verdict"]
    assert rows[0]["verdict"] == "wholly" and rows[1]["verdict"] == "non"


def test_compare_batch_unknown_id_names_the_line(runner: CliRunner, wire_dir: Path,
                                                 tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("source_id,derived_id\nwire.txt,verbatim.txt\nwire.txt,nope.txt\n",
                     encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(main, ["compare", "--corpus", str(wire_dir), "--pairs", str(pairs),
                               "--json", str(out)])
    assert res.exit_code == 1 and f"{pairs}:3:" in res.output and "nope.txt" in res.output
    assert not out.exists()
    res = runner.invoke(main, ["compare", "--corpus", str(wire_dir), "--pairs", str(pairs),
                               "--json", str(out), "--skip-invalid"])
    assert res.exit_code == 0 and "1 pair(s) skipped" in res.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_find_workers_option_keeps_the_output(runner: CliRunner, seeds_dir: Path,
                                              tmp_path: Path) -> None:
    outs = []
    for w in ("1", "2"):
        out = tmp_path / f"w{w}.json"
        res = runner.invoke(main, ["find", str(seeds_dir), "--workers", w, "-q",
                                   "--json", str(out)])
        assert res.exit_code == 0, res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    bad = runner.invoke(main, ["find", str(seeds_dir), "--workers", "0"])
    assert bad.exit_code == 2 and "--workers" in bad.output
