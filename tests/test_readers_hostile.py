"""Hostile and careless input to the readers (issues 8 and 12): standard input,
surrogates, huge ids, special files, links, the same file twice, bad bytes, broken
quoting, and the pairs file. Each case has its exact expectation."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.compare import compare_pairs
from dedup.corpus import Pair, read_corpus, read_pairs
from dedup.errors import InputError
from dedup.models import Corpus, Document, Skipped

TEXT = "Storms hit the coast on Monday. Thousands lost power across the region."
ROOT = Path(__file__).resolve().parent.parent
needs_posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs and symlinks")


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def record(doc_id: object, text: str = TEXT, **meta: object) -> str:
    return json.dumps({"id": doc_id, "text": text, **meta}) + "\n"


def ids(corpus: Corpus) -> list[str]:
    return [doc.id for doc in corpus.documents]


def error_of(paths: list, **options: object) -> str:
    with pytest.raises(InputError) as info:
        read_corpus(paths, **options)
    return str(info.value)


class _Stdin:
    """Stands in for sys.stdin: a text stream whose .buffer holds the bytes."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def run_dedup(*args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "dedup", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
        check=False,
    )


# -- "-": JSON Lines on standard input (issue 8) --------------------------------------


def test_dash_reads_json_lines_from_stdin(monkeypatch):
    data = (record("a") + "\n" + record(7, "Second text.", outlet="AP")).encode()
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    corpus = read_corpus(["-"])
    assert corpus.documents == (
        Document(id="a", text=TEXT, outlet="a", source="<stdin>:1"),
        Document(id="7", text="Second text.", outlet="AP", source="<stdin>:3"),
    )


def test_stdin_follows_the_bad_input_rules(monkeypatch):
    data = (record("a") + '{"id": "b", "text": \n' + record("a")).encode()
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    assert error_of(["-"]) == "<stdin>:2: invalid JSON: Expecting value at column 21"
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    corpus = read_corpus(["-"], skip_invalid=True)
    assert ids(corpus) == ["a"]
    assert corpus.skipped == (
        Skipped("<stdin>:2", "invalid JSON: Expecting value at column 21"),
        Skipped("<stdin>:3", "duplicate id 'a' (first seen at <stdin>:1)"),
    )


def test_stdin_mixes_with_files_and_is_read_once(monkeypatch, tmp_path):
    named = write(tmp_path / "n.txt", TEXT)
    monkeypatch.setattr(sys, "stdin", _Stdin(record("s").encode()))
    assert ids(read_corpus([named, "-"])) == ["n.txt", "s"]
    assert error_of(["-", named, "-"]) == "standard input ('-') can be read only once"


def test_cli_find_reads_stdin(tmp_path):
    runner = CliRunner()
    data = record("a") + record("b", "Unrelated words about a harbour festival.")
    res = runner.invoke(main, ["find", "-", "--json", "-"], input=data)
    assert res.exit_code == 0, res.output
    assert [d["id"] for d in json.loads(res.stdout)["documents"]] == ["a", "b"]

    out = tmp_path / "out.json"
    res = runner.invoke(main, ["find", "-", "--json", str(out)], input=record("a") + "{oops\n")
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "Error: <stdin>:2: invalid JSON: Expecting property name enclosed in double quotes "
        "at column 2"
    ]
    assert not out.exists()


def test_stdin_through_a_real_pipe_in_a_subprocess():
    data = (record("a") + record("b", "Unrelated words about a harbour festival.")).encode()
    res = run_dedup("find", "-", "--json", "-", stdin=data)
    assert res.returncode == 0, res.stderr
    assert [d["source"] for d in json.loads(res.stdout)["documents"]] == [
        "<stdin>:1",
        "<stdin>:2",
    ]
    res = run_dedup("find", "-", stdin=record("a").encode() + b"\xff\n")
    assert res.returncode == 1
    assert res.stderr.decode() == (
        "Error: <stdin>:2: not valid UTF-8 (byte 0xff at column 1)\n"
    )


# -- fields named by the caller that no record has (issue 8) --------------------------


def test_unknown_metadata_fields_are_warned_about(tmp_path):
    path = write(tmp_path / "a.jsonl", record("a", outlet="AP") + record("b", source="BBC"))
    corpus = read_corpus([path], outlet_field="nosuch", date_field="when", title_field="source")
    assert corpus.warnings == (
        "outlet field 'nosuch' occurs in no record (each document is its own outlet)",
        "date field 'when' occurs in no record",
    )
    assert [d.title for d in corpus.documents] == [None, "BBC"]
    # the defaults may be absent without a word; a CSV header counts as naming a field
    assert read_corpus([path]).warnings == ()
    csv_path = write(tmp_path / "a.csv", "id,text,site\n1,One.,AP\n")
    assert read_corpus([csv_path], outlet_field="site").warnings == ()
    assert read_corpus([csv_path], outlet_field="Site").warnings == (
        "outlet field 'Site' occurs in no record (each document is its own outlet)",
    )


def test_cli_prints_the_unknown_field_warning(tmp_path):
    path = write(tmp_path / "a.jsonl", record("a") + record("b"))
    res = CliRunner().invoke(main, ["find", str(path), "--outlet-field", "nosuch"])
    assert res.exit_code == 0, res.output
    assert (
        "warning: outlet field 'nosuch' occurs in no record (each document is its own outlet)"
        in res.stderr.splitlines()
    )


# -- surrogates and huge integers (issue 12, items 2 and 3) ----------------------------


@pytest.mark.parametrize("field", ["id", "outlet", "title", "date", "text"])
def test_unpaired_surrogate_in_any_kept_field_is_a_record_error(tmp_path, field):
    bad = {"id": "b", "text": TEXT, field: "x\ud800y"}
    path = write(tmp_path / "a.jsonl", record("a") + json.dumps(bad) + "\n")
    message = f"field {field!r} holds an unpaired \\u surrogate"
    assert error_of([path]) == f"{path}:2: {message}"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["a"] and corpus.skipped == (Skipped(f"{path}:2", message),)


def test_escaped_surrogate_pairs_are_characters(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"id": "\\ud83d\\ude00", "text": "A \\ud83d\\ude00."}\n')
    (doc,) = read_corpus([path]).documents
    assert (doc.id, doc.text) == ("\U0001f600", "A \U0001f600.")


def test_huge_integer_ids_read_as_their_digits(tmp_path):
    digits = "9" * 5000  # beyond Python's 4,300-digit int conversion limit
    path = write(
        tmp_path / "a.jsonl",
        f'{{"id": {digits}, "text": "A."}}\n{{"id": -0, "text": "B.", "date": 2024}}\n'
        f'{{"id": "c", "text": {digits}}}\n',
    )
    assert error_of([path]) == f"{path}:3: field 'text' must be a string, found integer"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == [digits, "0"]
    assert corpus.documents[1].date == "2024"


def test_non_utf8_file_names_are_skipped_and_shown_escaped(tmp_path):
    folder = tmp_path / "in"
    write(folder / "ok.txt", TEXT)
    bad = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    try:
        with open(bad, "wb") as handle:
            handle.write(TEXT.encode())
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    corpus = read_corpus([folder])
    assert ids(corpus) == ["ok.txt"]
    assert corpus.skipped == (Skipped(f"{folder}/caf\\xe9.txt", "file name is not valid UTF-8"),)
    res = CliRunner().invoke(main, ["find", str(folder), "--json", "-"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["skipped"][0]["path"] == f"{folder}/caf\\xe9.txt"


# -- special files, links, the same file twice (items 5, 9, 10, 13) -------------------


@needs_posix
def test_fifo_in_a_folder_is_skipped_without_hanging(tmp_path):
    folder = tmp_path / "in"
    write(folder / "a.txt", TEXT)
    os.mkfifo(folder / "pipe.txt")
    res = run_dedup("find", str(folder), timeout=60)
    assert res.returncode == 0, res.stderr
    stderr = res.stderr.decode()
    assert f"warning: skipped {folder}/pipe.txt: not a regular file" in stderr
    assert "1 document read, 1 skipped" in res.stdout.decode()


@needs_posix
def test_pairs_fifo_is_an_error_without_hanging(tmp_path):
    pairs = tmp_path / "pairs.csv"
    os.mkfifo(pairs)
    res = run_dedup("compare", "--corpus", str(ROOT / "seeds"), "--pairs", str(pairs))
    assert res.returncode == 1
    assert res.stderr.decode() == f"Error: {pairs}: not a regular file\n"


@needs_posix
def test_dangling_symlink_is_skipped_and_counted(tmp_path):
    folder = tmp_path / "in"
    write(folder / "a.txt", TEXT)
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    corpus = read_corpus([folder])  # not an error, even without skip_invalid
    assert ids(corpus) == ["a.txt"]
    assert corpus.skipped == (
        Skipped(str(folder / "gone.txt"), "broken symbolic link"),
        Skipped(str(folder / "loop.txt"), "symbolic link loop"),
    )


@needs_posix
def test_symlinked_folders_are_followed_once_and_loops_end(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "x.txt", "Outside text.")
    folder = tmp_path / "in"
    write(folder / "a.txt", TEXT)
    write(folder / "real" / "r.txt", "Real text.")
    (folder / "linked").symlink_to(outside)
    (folder / "again").symlink_to(outside)  # a second way to the same folder
    (folder / "real" / "up").symlink_to(folder)  # a loop
    (folder / "zreal").symlink_to(folder / "real")
    corpus = read_corpus([folder])
    assert ids(corpus) == ["a.txt", "again/x.txt", "real/r.txt"]
    already = "link to a folder already read"
    assert corpus.skipped == (  # in walking order: real folders before links
        Skipped(str(folder / "linked"), f"{already} ({folder / 'again'})"),
        Skipped(str(folder / "zreal"), f"{already} ({folder / 'real'})"),
        Skipped(str(folder / "real" / "up"), f"{already} ({folder})"),
    )


def test_the_same_file_reached_twice_is_read_once(tmp_path):
    folder = tmp_path / "in"
    inner = write(folder / "sub" / "a.txt", TEXT)
    write(folder / "b.txt", "Other text.")
    corpus = read_corpus([folder, inner])
    assert ids(corpus) == ["b.txt", "sub/a.txt"]
    assert corpus.skipped == (Skipped(str(inner), f"same file as {inner}, read once"),)
    # named first, then reached through the folder: the first name wins
    corpus = read_corpus([inner, folder])
    assert ids(corpus) == ["a.txt", "b.txt"]
    assert corpus.skipped == (Skipped(str(inner), f"same file as {inner}, read once"),)
    rows = write(tmp_path / "r.jsonl", record("r"))
    corpus = read_corpus([rows, tmp_path / "." / "r.jsonl"])
    assert ids(corpus) == ["r"]
    assert corpus.skipped == (
        Skipped(str(tmp_path / "." / "r.jsonl"), f"same file as {rows}, read once"),
    )


@needs_posix
def test_a_hard_link_is_the_same_file(tmp_path):
    first = write(tmp_path / "a.txt", TEXT)
    os.link(first, tmp_path / "b.txt")
    corpus = read_corpus([tmp_path])
    assert ids(corpus) == ["a.txt"]
    assert corpus.skipped == (
        Skipped(str(tmp_path / "b.txt"), f"same file as {first}, read once"),
    )


# -- bad bytes are one bad record; CSV quoting; TSV (items 7, 8, 14) --------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b"2,x\x00y\n", "NUL byte at column 4"),
        (b"2,caf\xe9\n", "not valid UTF-8 (byte 0xe9 at column 6)"),
    ],
)
def test_a_bad_byte_early_in_a_table_costs_one_record(tmp_path, suffix, bad, message):
    sep = b"," if suffix == ".csv" else b"\t"
    data = b"id,text\n" + bad + b"3,Three.\n"
    path = write(tmp_path / f"a{suffix}", data.replace(b",", sep))
    assert error_of([path]) == f"{path}:2: {message}"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["3"]
    assert corpus.skipped == (Skipped(f"{path}:2", message),)


def test_tsv_is_one_record_per_line_whatever_its_quotes(tmp_path):
    path = write(
        tmp_path / "a.tsv",
        'id\ttext\n1\t"We will rebuild," the mayor said.\n2\t"unbalanced\n3\tThree\textra\n',
    )
    assert error_of([path]) == f"{path}:4: expected 2 fields as in the header, found 3"
    corpus = read_corpus([path], skip_invalid=True)
    assert [(d.id, d.text) for d in corpus.documents] == [
        ("1", '"We will rebuild," the mayor said.'),
        ("2", '"unbalanced'),
    ]


def test_csv_lone_carriage_return_costs_one_record(tmp_path):
    path = write(tmp_path / "a.csv", b"id,text\n1,a\rb\n2,Two.\n")
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["2"]
    assert corpus.skipped[0].path == f"{path}:2"
    assert corpus.skipped[0].reason.startswith("malformed CSV: new-line character seen")


def test_cli_csv_with_a_stray_quote_invents_nothing(tmp_path):
    path = write(
        tmp_path / "a.csv",
        'id,outlet,text\n1,AP,One text.\n2,AP,"He said "no"\nKYIV,In June,later text\n',
    )
    res = CliRunner().invoke(main, ["find", str(path), "--skip-invalid", "--json", "-"])
    assert res.exit_code == 0, res.output
    assert [d["id"] for d in json.loads(res.stdout)["documents"]] == ["1"]
    assert f"warning: skipped {path}:3: malformed CSV" in res.stderr


# -- the pairs file (item 15) ---------------------------------------------------------


def test_read_pairs_names_the_line_of_each_row(tmp_path):
    path = write(
        tmp_path / "p.csv",
        "source_id,derived_id\n" + 'a,"b\nstill b"\n' + "c," + "d" * 200_000 + "\ne,f\n",
    )
    assert list(read_pairs(path)) == [
        Pair(2, "a", "b\nstill b"),
        Pair(4, "c", "d" * 200_000),
        Pair(5, "e", "f"),
    ]


def test_read_pairs_latin1_byte_names_its_line(tmp_path):
    path = write(tmp_path / "p.csv", b"source_id,derived_id\ncaf\xe9,b\nc,d\n")
    with pytest.raises(InputError) as info:
        list(read_pairs(path))
    assert str(info.value) == f"{path}:2: not valid UTF-8 (byte 0xe9 at column 4)"
    skipped: list[Skipped] = []
    assert list(read_pairs(path, skip_invalid=True, on_skip=skipped.append)) == [
        Pair(3, "c", "d")
    ]
    assert skipped == [Skipped(f"{path}:2", "not valid UTF-8 (byte 0xe9 at column 4)")]


def test_read_pairs_file_errors(tmp_path):
    cases = {
        "p.csv": (b"", "empty file: expected a header row with source_id, derived_id"),
        "q.csv": (b"id,derived_id\n1,2\n", "missing column 'source_id'; the header has 'id', "
                  "'derived_id'"),
        "r.csv": (b"PK\x03\x04" + bytes(20), "binary file (ZIP archive: .xlsx, .docx, ...), "
                  "expected UTF-8 text"),
    }
    for name, (data, message) in cases.items():
        path = write(tmp_path / name, data)
        with pytest.raises(InputError) as info:
            list(read_pairs(path))
        assert str(info.value) == f"{path}: {message}"
    bad_header = write(tmp_path / "h.csv", b"source_id,der\xffived_id\n")
    with pytest.raises(InputError) as info:
        list(read_pairs(bad_header))
    assert str(info.value) == f"{bad_header}:1: header: not valid UTF-8 (byte 0xff at column 14)"


def test_compare_pairs_reports_the_line_of_a_bad_row(tmp_path):
    docs = tuple(Document(i, TEXT, i) for i in ("a", "b"))
    path = write(tmp_path / "p.tsv", b"source_id\tderived_id\na\tb\n\xff\tb\na\t\nzz\tb\n")
    skipped: list[Skipped] = []
    rows = list(
        compare_pairs(Corpus(docs), path, skip_invalid=True, on_skip=skipped.append)
    )
    assert [(r["source_id"], r["derived_id"]) for r in rows] == [("a", "b")]
    assert skipped == [
        Skipped(f"{path}:3", "not valid UTF-8 (byte 0xff at column 1)"),
        Skipped(f"{path}:4", "empty derived_id"),
        Skipped(f"{path}:5", "unknown document id 'zz' (source_id)"),
    ]
