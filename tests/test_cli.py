"""The command line as users drive it: exit codes, messages, files left behind."""

from __future__ import annotations

import json
import re
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
    assert data["version"] == 2
    assert set(data) >= {"params", "documents", "skipped", "clusters", "relations"}
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
    assert data["a_id"] == "wire.txt" and data["whole"] is False
    (passage,) = data["passages"]  # the reworded story is one shared passage
    assert passage["stats"]["kept"] > 0
    ops = {e["op"] for e in passage["edits"]}
    assert "equal" in ops and ops & {"replace", "insert", "delete"}
    for e in passage["edits"]:
        assert a[e["a"][0]:e["a"][1]] == e["a_text"]
        assert b[e["b"][0]:e["b"][1]] == e["b_text"]


def test_diff_shows_shared_passages_not_whole_articles(runner: CliRunner, wire_dir: Path
                                                       ) -> None:
    res = runner.invoke(main, ["diff", "wire.txt", "trimmed.txt", "--corpus", str(wire_dir),
                               "--format", "json"])
    data = json.loads(res.output)
    (passage,) = data["passages"]
    trimmed = (wire_dir / "trimmed.txt").read_text(encoding="utf-8")
    # the local lead is not part of the shared passage
    assert passage["b_span"][0] == trimmed.index("Engineers scrambled")
    whole = json.loads(runner.invoke(main, ["diff", "wire.txt", "trimmed.txt", "--corpus",
                                            str(wire_dir), "--format", "json", "--whole"]).output)
    assert whole["passages"][0]["b_span"] == [0, len(trimmed)]
    unrelated = runner.invoke(main, ["diff", "wire.txt", "unrelated_same_topic.txt",
                                     "--corpus", str(wire_dir)])
    assert unrelated.exit_code == 0 and "share no passage" in unrelated.output


def test_diff_html_escapes_corpus_text(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The mayor said <script>alert(1)</script> on Monday.")
    (tmp_path / "b.txt").write_text("The mayor claimed <script>alert(1)</script> on Monday.")
    out = tmp_path / "d.html"
    res = runner.invoke(main, ["diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                               "--format", "html", "-o", str(out), "--whole"])
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


# --------------------------------------------------------------- conventions


@pytest.mark.parametrize("args", [
    ["--max-doc-mb", "inf"], ["--max-doc-mb", "nan"], ["--max-doc-mb", "1e300"],
    ["--max-doc-mb", "0"], ["--min-evidence", "nan"], ["--min-evidence", "inf"],
    ["--min-evidence", "-1"], ["--threshold", "nan"], ["--lsh-threshold", "nan"],
])
def test_numeric_options_must_be_finite_and_in_range(runner: CliRunner, seeds_dir: Path,
                                                     args: list[str]) -> None:
    res = runner.invoke(main, ["find", str(seeds_dir), "-q", *args])
    assert res.exit_code == 2, res.output
    assert f"Invalid value for '{args[0]}'" in res.output
    assert isinstance(res.exception, SystemExit)  # a usage error, not a crash


@pytest.mark.parametrize("args", [["--wholly", "nan"], ["--partially", "inf"]])
def test_compare_thresholds_must_be_finite(runner: CliRunner, wire_dir: Path,
                                           args: list[str]) -> None:
    res = runner.invoke(main, ["compare", str(wire_dir / "wire.txt"),
                               str(wire_dir / "verbatim.txt"), *args])
    assert res.exit_code == 2 and f"Invalid value for '{args[0]}'" in res.output


@pytest.mark.parametrize("columns", [80, 100])
def test_tables_fit_the_terminal_width(runner: CliRunner, seeds_dir: Path, tmp_path: Path,
                                       columns: int) -> None:
    env = {"COLUMNS": str(columns)}
    res = runner.invoke(main, ["find", str(seeds_dir)], env=env)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert any("snippet" in line for line in lines)
    assert re.search(r"\b\d+ clusters \(", res.stdout)
    res = runner.invoke(main, ["report", str(seeds_dir), "-o", str(tmp_path / "r.html")],
                        env=env)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[-1] == f"report written to {tmp_path / 'r.html'}"
    assert max(len(line) for line in lines[:-1]) <= columns
    assert "kept: share of the pivot words found in its versions" in " ".join(res.stdout.split())


def test_wider_terminal_shows_longer_snippets(runner: CliRunner, seeds_dir: Path) -> None:
    def snippet_width(columns: int) -> int:
        out = runner.invoke(main, ["find", str(seeds_dir)], env={"COLUMNS": str(columns)})
        rule = next(line for line in out.stdout.splitlines() if line.startswith("--"))
        return len(rule.split()[-1])

    assert snippet_width(80) < snippet_width(100) < snippet_width(200) == 60


def test_a_narrow_terminal_shares_its_room_between_outlets_and_snippets(
        runner: CliRunner, seeds_dir: Path) -> None:
    # The seeds' outlets are long file names: at 80 columns neither the outlet nor
    # the snippet column is cut to a stub while the other stays wide.
    out = runner.invoke(main, ["find", str(seeds_dir)], env={"COLUMNS": "80"})
    rule = next(line for line in out.stdout.splitlines() if line.startswith("--"))
    widths = [len(x) for x in rule.split()]
    outlets, snippet = widths[2], widths[-1]
    assert abs(outlets - snippet) <= 1 and snippet >= 16
    assert "South Korea has" in out.stdout


def test_one_cluster_and_one_document_are_singular(runner: CliRunner, tmp_path: Path) -> None:
    text = ("Officials confirmed on Monday that the old harbour bridge will close for "
            "repairs lasting at least eighteen months, the transport ministry said.")
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": i, "outlet": o, "text": text}) + "\n"
                           for i, o in (("a", "AP"), ("b", "Post"))), encoding="utf-8")
    res = runner.invoke(main, ["find", str(src)])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("2 documents read, 0 skipped, 2 sentences; 1 cluster ")


def test_workers_are_capped_at_the_cpus(runner: CliRunner, seeds_dir: Path) -> None:
    from dedup.tokens import default_workers

    res = runner.invoke(main, ["find", str(seeds_dir), "-q", "--workers", "4096"])
    assert res.exit_code == 0, res.output
    assert res.stderr == (f"warning: --workers 4096 capped at the {default_workers()} "
                          f"CPU{'s' if default_workers() != 1 else ''} available\n")
    help_text = " ".join(runner.invoke(main, ["find", "--help"]).output.split())
    assert "capped" in help_text


def test_num_perm_help_says_what_it_changes(runner: CliRunner) -> None:
    help_text = " ".join(runner.invoke(main, ["find", "--help"]).output.split())
    assert "distinctive-wording channel always keeps 128" in help_text


def test_exit_codes_are_documented(runner: CliRunner) -> None:
    help_text = " ".join(runner.invoke(main, ["--help"]).output.split())
    assert "130 interrupted" in help_text and "143 terminated" in help_text
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for code in ("`0`", "`1`", "`2`", "`130`", "`143`"):
        assert code in readme


def test_compare_prints_source_first(runner: CliRunner, wire_dir: Path) -> None:
    src, der = str(wire_dir / "wire.txt"), str(wire_dir / "verbatim.txt")
    res = runner.invoke(main, ["compare", src, der])
    assert res.exit_code == 0, res.output
    # the paragraph is wrapped to the terminal, possibly at a hyphen inside a path:
    # compare it with every space and line break taken out
    flat = "".join(res.output.split("\n\n")[0].split())
    assert flat.startswith("".join(f"{src} vs {der}: {der} is wholly derived".split()))
    assert max(len(line) for line in res.output.splitlines()) <= 100


# ----------------------------------------------------------------------- diff


def _diff_markers(text: str) -> set[str]:
    found = set(re.findall(r"\[/?m\d+\]|\[!(?:number|quote|attribution)\]", text))
    kinds = {re.sub(r"\d+", "1", m) for m in found}
    for opener in ("[-", "{+", "[~", "{~", "[!", "[="):
        if opener in text.replace("[!number]", "").replace("[!quote]", "").replace(
                "[!attribution]", ""):
            kinds.add(opener)
    return kinds


def test_diff_legend_documents_every_marker_printed(runner: CliRunner, wire_dir: Path,
                                                    tmp_path: Path) -> None:
    legend = runner.invoke(main, ["diff", "--legend"])
    assert legend.exit_code == 0
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    printed: set[str] = set()
    for other in ("reworded.txt", "trimmed.txt", "unrelated_same_topic.txt"):
        res = runner.invoke(main, ["diff", str(wire_dir / "wire.txt"), str(wire_dir / other),
                                   "--show-cosmetic", "--whole"])
        assert res.exit_code == 0, res.output
        printed |= _diff_markers(res.output)
    (tmp_path / "a.txt").write_text("The minister resigned on Monday. Officials said the vote "
                                    "was close. Protests followed in the capital overnight.")
    (tmp_path / "b.txt").write_text("Protests followed in the capital overnight. The minister "
                                    "quit on Monday. Officials said the vote was close.")
    res = runner.invoke(main, ["diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert "[m1] Protests" in res.output and "overnight [/m1]" in res.output
    printed |= _diff_markers(res.output)
    assert {"[-", "{+", "[~", "{~", "[m1]", "[/m1]"} <= printed
    for marker in printed:
        assert marker in legend.output, marker
        assert marker in readme, marker
    for documented in ("[-", "{+", "[~", "{~", "[m1]", "[/m1]", "[!", "[=", "[!number]",
                       "[!quote]", "[!attribution]"):
        assert documented in legend.output and documented in readme


def test_diff_color_is_sent_down_a_pipe(wire_dir: Path) -> None:
    import subprocess
    import sys

    args = [sys.executable, "-m", "dedup", "diff", str(wire_dir / "wire.txt"),
            str(wire_dir / "reworded.txt")]
    colored = subprocess.run([*args, "--color"], capture_output=True, text=True, check=False)
    assert colored.returncode == 0, colored.stderr
    assert "\x1b[31m" in colored.stdout or "\x1b[33m" in colored.stdout
    plain = subprocess.run(args, capture_output=True, text=True, check=False)
    assert "\x1b[" not in plain.stdout and ("[~" in plain.stdout or "[-" in plain.stdout)


def test_article_bar_cannot_pass_for_the_separator(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Markets | Stocks fell sharply on Monday, traders said.")
    (tmp_path / "b.txt").write_text("Markets | Stocks fell on Monday, traders said.")
    res = runner.invoke(main, ["diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                               "--width", "80", "--no-color", "--whole"])
    assert res.exit_code == 0, res.output
    rows = res.output.splitlines()[1:]
    assert all(line.count("|") == 1 and line.index("|") == 39 for line in rows if line)
    assert "Markets \u00a6 Stocks" in res.output


# -------------------------------------------------------- hostile names and titles


def _evil_folder(tmp_path: Path, wire_dir: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, src in (("caf\udce9.txt", "wire.txt"), ("ok\x1b]0;PWNED\x07.txt", "verbatim.txt")):
        (folder / name).write_bytes((wire_dir / src).read_bytes())
    (folder / "bin\x1b]0;PWNED\x07\nwarning: forged.txt").write_bytes(b"\x00\x01binary")
    return folder


def test_hostile_file_names_reach_no_output_raw(runner: CliRunner, wire_dir: Path,
                                                tmp_path: Path) -> None:
    folder = _evil_folder(tmp_path, wire_dir)
    out = tmp_path / "out"
    out.mkdir()
    res = runner.invoke(main, ["find", str(folder), "--json", str(out / "f.json")])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\\x1b]0;PWNED\\x07" in res.output
    warnings = [line for line in res.stderr.splitlines() if line]
    # the binary file, the file name that is not UTF-8 (skipped), and the count
    assert len(warnings) == 3 and all(w.startswith("warning: ") for w in warnings)
    assert any("\\nwarning: forged.txt" in w for w in warnings)
    data = json.loads((out / "f.json").read_text(encoding="utf-8"))
    assert any("caf\\xe9.txt" in s["path"] for s in data["skipped"])
    for fmt in ("html", "md"):
        res = runner.invoke(main, ["report", str(folder), "-o", str(out / f"r.{fmt}"),
                                   "--format", fmt, "--title", "T\udcff"])
        assert res.exit_code == 0, res.output
        assert "\x1b" not in res.output
        assert "T\ufffd" in (out / f"r.{fmt}").read_text(encoding="utf-8")
    a, b = str(folder / "caf\udce9.txt"), str(folder / "ok\x1b]0;PWNED\x07.txt")
    for args in (["diff", a, b, "--width", "400"], ["diff", a, b, "--format", "json"],
                 ["diff", a, b, "--format", "html"], ["compare", a, b],
                 ["compare", a, b, "--json", "-"]):
        res = runner.invoke(main, args)
        assert "\x1b]" not in res.output and "Traceback" not in res.output
        # read under a shown name, or refused in one line that names the file
        assert (res.exit_code == 0 and "caf\ufffd.txt" in res.output) or (
            res.exit_code == 1 and "caf\\xe9.txt: file name is not valid UTF-8" in res.output
            and len(res.output.strip().splitlines()) == 1), (args, res.output)


def test_hostile_outlets_in_the_terminal_table(runner: CliRunner, tmp_path: Path) -> None:
    text = ("Officials confirmed on Monday that the old harbour bridge will close for "
            "repairs lasting at least eighteen months, the transport ministry said.")
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": i, "outlet": o, "text": text}) + "\n"
                           for i, o in (("a", "AP\x1b]0;PWNED\x07"), ("b", "Post\nforged"),
                                        ("c", "A|B"))), encoding="utf-8")
    res = runner.invoke(main, ["find", str(src)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "AP\\x1b]0;PWNED\\x07" in res.output and "Post\\nforged" in res.output
    md = tmp_path / "r.md"
    res = runner.invoke(main, ["report", str(src), "-o", str(md), "--format", "md", "-q"])
    assert res.exit_code == 0, res.output
    report = md.read_text(encoding="utf-8")
    assert "A\\|B" in report and "A\\\\|B" not in report


def test_surrogate_in_jsonl_fields_is_never_a_traceback(runner: CliRunner,
                                                        tmp_path: Path) -> None:
    text = ("Officials confirmed on Monday that the old harbour bridge will close for "
            "repairs lasting at least eighteen months, the transport ministry said.")
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "a\ud800", "outlet": "AP\ud800", "title": "t\ud800",
                               "date": "2024\ud800", "text": text}) + "\n"
                   + json.dumps({"id": "b", "outlet": "Post", "text": text}) + "\n",
                   encoding="utf-8")
    for args in (["find", str(src), "--json", str(tmp_path / "f.json")],
                 ["report", str(src), "-o", str(tmp_path / "r.html")],
                 ["report", str(src), "-o", str(tmp_path / "r.md"), "--format", "md"]):
        res = runner.invoke(main, args)
        assert res.exception is None or isinstance(res.exception, SystemExit), args
        if res.exit_code == 1:  # the reader may refuse the record, naming its line
            assert f"{src}:1" in res.output
        else:
            assert res.exit_code == 0, res.output
            assert "\ud800" not in res.output


def test_find_prior_option_is_recorded(runner: CliRunner, seeds_dir: Path) -> None:
    """wordfreq is a core dependency, so the default run uses it; --prior none turns it off,
    and the JSON says which was used."""
    used = {}
    for prior in ("wordfreq", "none"):
        res = runner.invoke(main, ["find", str(seeds_dir), "--prior", prior, "--json", "-"])
        assert res.exit_code == 0, res.output
        used[prior] = json.loads(res.output)["params"]["prior_source"]
    assert used["wordfreq"].startswith("wordfreq ")
    assert used["none"] == "none"
    res = runner.invoke(main, ["find", str(seeds_dir), "--prior", "idf"])
    assert res.exit_code == 2 and "'idf' is not one of" in res.output


def test_find_match_paraphrase_is_recorded_and_stricter(runner: CliRunner,
                                                        seeds_dir: Path) -> None:
    out = {}
    for match in ("shared", "paraphrase"):
        res = runner.invoke(main, ["find", str(seeds_dir), "--match", match, "--json", "-"])
        assert res.exit_code == 0, res.output
        out[match] = json.loads(res.output)
        assert out[match]["params"]["match"] == match
    assert set(out["paraphrase"]["params"]["verifier"]) >= {"intercept"}
    assert (out["paraphrase"]["summary"]["sentence_matches"]
            <= out["shared"]["summary"]["sentence_matches"])


def test_find_rare_channel_option_is_recorded(runner: CliRunner, wire_dir: Path) -> None:
    """Both ways of finding distinctive wording find the wire copy of the fixture."""
    found = {}
    for channel in ("join", "lsh"):
        res = runner.invoke(main, ["find", str(wire_dir), "--rare-channel", channel,
                                   "--json", "-"])
        assert res.exit_code == 0, res.output
        data = json.loads(res.output)
        assert data["params"]["rare_channel"] == channel
        found[channel] = {tuple(sorted({p["doc"] for p in c["passages"]}))
                          for c in data["clusters"] if c["kind"] == "cross-document"}
    assert found["join"] and found["join"] == found["lsh"]
