"""Big inputs and outputs (issue 11, part 3): Parquet corpora, glob patterns of shards,
and ``find --out-parquet DIR``. Each case has its exact expectation.

The Parquet cases need pyarrow (``pip install -e '.[test]'`` brings it); the cases that
check what happens without it hide it from the import system, so they run either way.
"""

from __future__ import annotations

import datetime
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup import find
from dedup.cli import main
from dedup.corpus import read_corpus
from dedup.errors import DedupError, InputError, MissingDependency
from dedup.models import Corpus, Document, Skipped

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
WIRE = Path(__file__).resolve().parent / "fixtures" / "wire"
TEXT = "Storms hit the coast on Monday. Thousands lost power across the region."
TABLES = ["clusters.parquet", "documents.parquet", "pairs.parquet", "passages.parquet",
          "relations.parquet", "sentence_matches.parquet", "skipped.parquet", "summary.json"]


@pytest.fixture
def pa():
    return pytest.importorskip("pyarrow")


@pytest.fixture
def pq(pa):
    return pytest.importorskip("pyarrow.parquet")


def write_parquet_file(pq, path: Path, columns: dict, **options) -> Path:
    import pyarrow as pa

    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table(columns) if not isinstance(columns, pa.Table) else columns
    pq.write_table(table, path, **options)
    return path


def ids(corpus: Corpus) -> list[str]:
    return [doc.id for doc in corpus.documents]


def error_of(paths: list, **options: object) -> str:
    with pytest.raises(InputError) as info:
        read_corpus(paths, **options)
    return str(info.value)


def wire_records() -> list[dict]:
    """The wire fixtures as records with every field, including awkward text."""
    records = []
    for i, path in enumerate(sorted(WIRE.glob("*.txt"))):
        records.append({"id": path.name, "text": path.read_text(encoding="utf-8"),
                        "outlet": f"outlet-{i % 3}", "date": f"2024-10-{21 + i}",
                        "title": f"Title {i}"})
    records.append({"id": "crlf", "text": "Line one.\r\nLine two — “quoted”, 東京.\r\n",
                    "outlet": None, "date": None, "title": None})
    return records


# -- reading Parquet -------------------------------------------------------------------


def test_parquet_reads_the_same_documents_as_json_lines(tmp_path, pq):
    records = wire_records()
    jsonl = tmp_path / "wire.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    columns = {key: [r[key] for r in records] for key in records[0]}
    parquet = write_parquet_file(pq, tmp_path / "wire.parquet", columns)

    from_jsonl = read_corpus([jsonl]).documents
    from_parquet = read_corpus([parquet]).documents

    def fields(doc: Document) -> tuple:
        return (doc.id, doc.text, doc.outlet, doc.date, doc.title)

    assert [fields(d) for d in from_parquet] == [fields(d) for d in from_jsonl]
    assert len(from_parquet) == 6
    assert from_parquet[-1].text == "Line one.\r\nLine two — “quoted”, 東京.\r\n"
    assert from_parquet[-1].outlet == "crlf"  # no outlet: its own
    assert [d.source for d in from_parquet[:2]] == [f"{parquet}:row 1", f"{parquet}:row 2"]


def test_field_options_name_the_columns(tmp_path, pq):
    path = write_parquet_file(pq, tmp_path / "a.parquet", {  # in no particular order
        "headline": ["Storms", "Other"], "body": [TEXT, "Second text."], "views": [3, 4],
        "source": ["AP", "Reuters"], "doc_id": ["a", "b"], "published": ["2024-01-02", None],
    })
    corpus = read_corpus([path], id_field="doc_id", text_field="body",
                         outlet_field="source", date_field="published",
                         title_field="headline")
    assert corpus.documents == (
        Document("a", TEXT, "AP", f"{path}:row 1", "2024-01-02", "Storms"),
        Document("b", "Second text.", "Reuters", f"{path}:row 2", None, "Other"),
    )
    assert corpus.warnings == ()
    corpus = read_corpus([path], id_field="doc_id", text_field="body", outlet_field="site")
    assert corpus.warnings == ("outlet field 'site' occurs in no record "
                               "(each document is its own outlet)",)


def test_integer_ids_become_their_decimal_strings(tmp_path, pa, pq):
    path = write_parquet_file(pq, tmp_path / "ints.parquet", {
        "id": pa.array([7, 2**62, -3, 0], pa.int64()),
        "text": ["one.", "two.", "three.", "four."],
        "outlet": pa.array([1, None, 2, 2], pa.int32()),
    })
    corpus = read_corpus([path])
    assert ids(corpus) == ["7", "4611686018427387904", "-3", "0"]
    assert [d.outlet for d in corpus.documents] == ["1", "4611686018427387904", "2", "2"]
    unsigned = write_parquet_file(pq, tmp_path / "u.parquet", {
        "id": pa.array([2**64 - 1], pa.uint64()), "text": ["x."]})
    assert ids(read_corpus([unsigned])) == ["18446744073709551615"]


def test_dates_and_timestamps_become_iso_8601(tmp_path, pa, pq):
    path = write_parquet_file(pq, tmp_path / "d.parquet", {
        "id": ["a", "b", "c"], "text": ["one.", "two.", "three."],
        "date": pa.array([datetime.datetime(2024, 10, 21, 9, 30, 0, 123456),
                          None, datetime.datetime(2024, 10, 22)], pa.timestamp("ns")),
    })
    assert [d.date for d in read_corpus([path]).documents] == [
        "2024-10-21T09:30:00.123456", None, "2024-10-22T00:00:00"]
    path = write_parquet_file(pq, tmp_path / "d32.parquet", {
        "id": ["a"], "text": ["one."], "date": pa.array([datetime.date(2024, 1, 2)])})
    assert read_corpus([path]).documents[0].date == "2024-01-02"


def test_dictionary_and_large_strings_are_strings(tmp_path, pa, pq):
    path = write_parquet_file(pq, tmp_path / "dict.parquet", pa.table({
        "id": pa.array(["a", "b"], pa.large_string()),
        "text": pa.array(["one.", "two."], pa.large_string()),
        "outlet": pa.array(["AP", "AP"]).dictionary_encode(),
    }))
    corpus = read_corpus([path])
    assert [(d.id, d.text, d.outlet) for d in corpus.documents] == [
        ("a", "one.", "AP"), ("b", "two.", "AP")]


def test_rows_are_numbered_across_batches_and_row_groups(tmp_path, pq):
    n = 2600  # many 256-row batches, in row groups of 700
    texts = [f"Text number {i}." for i in range(n)]
    texts[2500] = None
    path = write_parquet_file(pq, tmp_path / "big.parquet",
                              {"id": [f"d{i}" for i in range(n)], "text": texts},
                              row_group_size=700)
    assert error_of([path]) == f"{path}:row 2501: column 'text' is null"
    corpus = read_corpus([path], skip_invalid=True)
    assert len(corpus.documents) == n - 1
    assert corpus.documents[-1].source == f"{path}:row {n}"
    assert corpus.skipped == (Skipped(f"{path}:row 2501", "column 'text' is null"),)


# -- bad Parquet input -----------------------------------------------------------------


def test_a_missing_column_is_an_error_naming_the_file(tmp_path, pq):
    path = write_parquet_file(pq, tmp_path / "a.parquet", {"id": ["a"], "body": [TEXT]})
    assert error_of([path]) == f"{path}: missing column 'text' (found 'id', 'body')"
    path = write_parquet_file(pq, tmp_path / "b.parquet", {"text": [TEXT]})
    assert error_of([path]) == f"{path}: missing column 'id' (found 'text')"
    # --skip-invalid: the file is one counted skip, the other inputs are read
    good = write_parquet_file(pq, tmp_path / "good.parquet", {"id": ["g"], "text": [TEXT]})
    corpus = read_corpus([path, good], skip_invalid=True)
    assert ids(corpus) == ["g"]
    assert corpus.skipped == (Skipped(str(path), "missing column 'id' (found 'text')"),)


def test_a_column_of_the_wrong_type_is_an_error_naming_the_file(tmp_path, pa, pq):
    path = write_parquet_file(pq, tmp_path / "a.parquet",
                              {"id": ["a"], "text": pa.array([3], pa.int64())})
    assert error_of([path]) == f"{path}: column 'text' must hold strings, found int64"
    path = write_parquet_file(pq, tmp_path / "b.parquet", {"id": [1.5], "text": [TEXT]})
    assert error_of([path]) == f"{path}: column 'id' must hold strings or integers, found double"
    path = write_parquet_file(pq, tmp_path / "c.parquet",
                              {"id": ["a"], "text": [TEXT], "date": [2024]})
    assert error_of([path]) == (
        f"{path}: column 'date' must hold strings, dates or timestamps, found int64")


def test_null_and_empty_values_name_the_row(tmp_path, pq):
    path = write_parquet_file(pq, tmp_path / "n.parquet", {
        "id": ["a", None, "c", "  ", "e", "f"],
        "text": [TEXT, "two.", None, "four.", "  \n", "six."],
        "outlet": ["AP", "AP", "AP", "AP", "AP", None],
    })
    assert error_of([path]) == f"{path}:row 2: column 'id' is null"
    corpus = read_corpus([path], skip_invalid=True)
    assert [(d.id, d.outlet) for d in corpus.documents] == [("a", "AP"), ("f", "f")]
    assert corpus.skipped == (
        Skipped(f"{path}:row 2", "column 'id' is null"),
        Skipped(f"{path}:row 3", "column 'text' is null"),
        Skipped(f"{path}:row 4", "column 'id' is empty"),
        Skipped(f"{path}:row 5", "empty document"),  # a documented skip, as in JSONL
    )


def test_text_that_is_not_utf8_costs_one_row(tmp_path, pa, pq):
    text = pa.array([b"Good text.", b"\xffbad", b"Also good."], pa.binary()).view(pa.string())
    path = write_parquet_file(pq, tmp_path / "u.parquet", {"id": ["a", "b", "c"], "text": text})
    assert error_of([path]) == f"{path}:row 2: column 'text': not valid UTF-8"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["a", "c"]


def test_duplicate_ids_name_both_places(tmp_path, pa, pq):
    one = write_parquet_file(pq, tmp_path / "one.parquet",
                             {"id": pa.array([1, 2], pa.int64()), "text": ["a.", "b."]})
    two = tmp_path / "two.jsonl"
    two.write_text(json.dumps({"id": "2", "text": "c."}) + "\n", encoding="utf-8")
    assert error_of([one, two]) == f"{two}:1: duplicate id '2' (first seen at {one}:row 2)"
    dup = write_parquet_file(pq, tmp_path / "dup.parquet",
                             {"id": ["x", "y", "x"], "text": ["a.", "b.", "c."]})
    assert error_of([dup]) == f"{dup}:row 3: duplicate id 'x' (first seen at {dup}:row 1)"
    corpus = read_corpus([dup], skip_invalid=True)
    assert ids(corpus) == ["x", "y"]
    assert corpus.documents[0].text == "a."


@pytest.mark.parametrize("content", [
    b"",
    b"PAR1",
    b'{"id": "a", "text": "JSON Lines in disguise."}\n',
    "truncated",
])
def test_a_corrupt_or_non_parquet_file_is_one_line_naming_it(tmp_path, pq, content):
    path = tmp_path / "bad.parquet"
    if content == "truncated":
        good = write_parquet_file(pq, tmp_path / "good.parquet",
                                  {"id": ["a"], "text": [TEXT * 50]})
        content = good.read_bytes()[:-30]
        good.unlink()
    path.write_bytes(content)
    message = error_of([path])
    assert message.startswith(f"{path}: not a valid Parquet file (")
    assert "\n" not in message
    result = CliRunner().invoke(main, ["find", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: not a valid Parquet file (")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_corrupt_data_inside_a_valid_footer_is_an_error_naming_the_file(tmp_path, pq):
    good = write_parquet_file(pq, tmp_path / "c.parquet",
                              {"id": [f"d{i}" for i in range(50)],
                               "text": [f"Text {i} " * 40 for i in range(50)]},
                              compression="snappy")
    data = bytearray(good.read_bytes())
    for i in range(8, 400):  # the first data page, past the magic number
        data[i] ^= 0x5A
    good.write_bytes(bytes(data))
    with pytest.raises(InputError) as info:
        read_corpus([good])
    assert str(info.value).startswith(f"{good}: ")
    assert "\n" not in str(info.value)


def test_a_parquet_fifo_is_refused_without_hanging(tmp_path, pq):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.parquet"
    os.mkfifo(fifo)
    assert error_of([fifo]) == f"{fifo}: not a regular file or folder"


# -- glob patterns ---------------------------------------------------------------------


def test_a_glob_reads_its_shards_sorted_by_name(tmp_path, pq):
    shards = tmp_path / "shards"
    # written out of order: the order read is the names', not the file system's
    write_parquet_file(pq, shards / "part-002.parquet", {"id": ["c", "d"], "text": ["3.", "4."]})
    write_parquet_file(pq, shards / "part-001.parquet", {"id": ["a", "b"], "text": ["1.", "2."]})
    (shards / "notes.txt").write_text("Not a shard.", encoding="utf-8")
    corpus = read_corpus([str(shards / "*.parquet")])
    assert ids(corpus) == ["a", "b", "c", "d"]
    assert corpus.documents[2].source == f"{shards / 'part-002.parquet'}:row 1"


def test_a_jsonl_glob_and_a_recursive_one(tmp_path):
    for name, doc_id in (("b.jsonl", "b"), ("a.jsonl", "a"), ("sub/c.jsonl", "c")):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"id": doc_id, "text": TEXT}) + "\n", encoding="utf-8")
    assert ids(read_corpus([str(tmp_path / "*.jsonl")])) == ["a", "b"]
    assert ids(read_corpus([str(tmp_path / "**" / "*.jsonl")])) == ["a", "b", "c"]
    # a pattern among other paths expands in place
    both = read_corpus([str(tmp_path / "sub" / "c.jsonl"), str(tmp_path / "[ab].jsonl")],
                       skip_invalid=True)
    assert ids(both) == ["c", "a", "b"]


def test_a_glob_matching_nothing_is_an_error_naming_it(tmp_path):
    pattern = str(tmp_path / "shards" / "*.parquet")
    assert error_of([pattern]) == f"{pattern}: no file or folder matches this pattern"
    result = CliRunner().invoke(main, ["find", str(SEEDS), pattern])
    assert result.exit_code == 1
    assert result.output == f"Error: {pattern}: no file or folder matches this pattern\n"


def test_a_file_whose_name_looks_like_a_glob_is_read_as_named(tmp_path):
    literal = tmp_path / "a[1].jsonl"
    literal.write_text(json.dumps({"id": "lit", "text": TEXT}) + "\n", encoding="utf-8")
    (tmp_path / "a1.jsonl").write_text(json.dumps({"id": "glob", "text": TEXT}) + "\n",
                                       encoding="utf-8")
    assert ids(read_corpus([literal])) == ["lit"]


def test_a_file_matched_twice_is_read_once(tmp_path, pq):
    path = write_parquet_file(pq, tmp_path / "a.parquet", {"id": ["a"], "text": [TEXT]})
    corpus = read_corpus([path, str(tmp_path / "*.parquet")])
    assert ids(corpus) == ["a"]
    assert corpus.skipped == (Skipped(str(path), f"same file as {path}, read once"),)


def test_find_reads_a_quoted_glob_of_parquet_shards(tmp_path, pq):
    texts = sorted(SEEDS.glob("*.txt"))
    write_parquet_file(pq, tmp_path / "s1.parquet", {
        "id": [p.name for p in texts[:3]], "text": [p.read_text("utf-8") for p in texts[:3]]})
    write_parquet_file(pq, tmp_path / "s2.parquet", {
        "id": [p.name for p in texts[3:]], "text": [p.read_text("utf-8") for p in texts[3:]]})
    runner = CliRunner()
    shards = runner.invoke(main, ["find", str(tmp_path / "s*.parquet"), "--json", "-"])
    folder = runner.invoke(main, ["find", str(SEEDS), "--json", "-"])
    assert shards.exit_code == 0 and folder.exit_code == 0, shards.output
    a, b = json.loads(shards.output), json.loads(folder.output)
    for doc in a["documents"] + b["documents"]:
        del doc["source"]
    assert a["documents"] == b["documents"]
    assert a["clusters"] == b["clusters"] and a["relations"] == b["relations"]
    assert a["summary"]["cross_document"] > 0


# -- writing Parquet -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_result(tmp_path_factory):
    # an empty file too, so the skipped table has a row
    empty = tmp_path_factory.mktemp("skip") / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    return find(read_corpus([SEEDS, empty]))


def tables_as_json(pq, directory: Path) -> dict:
    """The JSON format rebuilt from the Parquet tables."""
    def rows(name: str) -> list[dict]:
        return pq.read_table(directory / f"{name}.parquet").to_pylist()

    documents = []
    for d in rows("documents"):
        entry = {k: d[k] for k in ("id", "outlet", "chars")}
        entry.update({k: d[k] for k in ("date", "title") if d[k] is not None})
        entry.update({k: d[k] for k in ("source", "passages", "clusters")})
        documents.append(entry)
    pairs: dict[int, list] = {}
    for p in rows("pairs"):
        pairs.setdefault(p["cluster"], []).append({"a": p["a"], "b": p["b"],
                                                   "score": p["score"]})
    clusters: dict[int, dict] = {}
    for r in rows("clusters"):
        c = clusters.setdefault(r["cluster"], {
            "id": r["cluster"], "kind": r["kind"], "outlets": set(),
            "score_min": r["score_min"], "score_max": r["score_max"],
            "weakest_link": r["weakest_link"], "passages": [],
            "pairs": pairs.get(r["cluster"], [])})
        assert r["passage"] == len(c["passages"])
        c["outlets"].add(r["outlet"])
        c["passages"].append({k: r[k] for k in ("doc", "start", "end", "first", "last",
                                                "text")})
    for c in clusters.values():
        c["outlets"] = sorted(c["outlets"])
    manifest = json.loads((directory / "summary.json").read_text("utf-8"))
    return {"version": manifest["version"], "params": manifest["params"],
            "summary": manifest["summary"], "documents": documents,
            "skipped": rows("skipped"), "clusters": list(clusters.values()),
            "relations": rows("relations")}


def test_the_tables_hold_what_the_json_holds(tmp_path, pq, seeds_result):
    from dedup.report.jsonout import result_to_dict
    from dedup.report.parquet import write_parquet

    out = tmp_path / "out"
    write_parquet(seeds_result, str(out))
    assert sorted(os.listdir(out)) == TABLES
    expected = result_to_dict(seeds_result)
    assert expected["summary"]["cross_document"] > 0 and expected["summary"]["skipped"] == 1
    assert expected["relations"]
    assert tables_as_json(pq, out) == expected

    manifest = json.loads((out / "summary.json").read_text("utf-8"))
    assert manifest["tables"]["documents"] == 5
    assert manifest["tables"]["passages"] == len(seeds_result.passages)
    passages = pq.read_table(out / "passages.parquet").to_pylist()
    assert [tuple(p.values()) for p in passages] == [tuple(p) for p in seeds_result.passages]
    matches = pq.read_table(out / "sentence_matches.parquet").to_pylist()
    assert [[m["a"], m["b"]] for m in matches] == seeds_result.sentence_pairs.tolist()
    assert [m["score"] for m in matches] == pytest.approx(seeds_result.sentence_scores)


def test_passage_text_can_be_left_out(tmp_path, pq, seeds_result):
    from dedup.report.parquet import write_parquet

    write_parquet(seeds_result, str(tmp_path / "out"), passage_text=False)
    table = pq.read_table(tmp_path / "out" / "clusters.parquet")
    assert "text" not in table.column_names
    texts = {d.id: d.text for d in seeds_result.corpus.documents}
    first = seeds_result.clusters[0].passages[0]
    row = table.slice(0, 1).to_pylist()[0]
    assert texts[row["doc"]][row["start"]:row["end"]] == texts[first.doc][first.start:first.end]


def test_find_out_parquet_matches_find_json(tmp_path, pq):
    out, js = tmp_path / "tables", tmp_path / "result.json"
    result = CliRunner().invoke(main, ["find", str(SEEDS), "--out-parquet", str(out),
                                       "--json", str(js), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert tables_as_json(pq, out) == json.loads(js.read_text("utf-8"))


def test_an_earlier_output_is_replaced_and_other_folders_refused(tmp_path, pq, seeds_result):
    from dedup.report.parquet import write_parquet

    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.parquet").write_bytes(b"an earlier run's table")
    write_parquet(seeds_result, str(out))
    assert sorted(os.listdir(out)) == TABLES
    assert pq.read_table(out / "documents.parquet").num_rows == 5
    assert sorted(os.listdir(tmp_path)) == ["out"]

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep me", encoding="utf-8")
    with pytest.raises(DedupError) as info:
        write_parquet(seeds_result, str(mine))
    assert str(info.value) == (f"{mine}: the folder holds files dedup did not write "
                               "(thesis.tex); give a new or empty folder")
    assert os.listdir(mine) == ["thesis.tex"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(DedupError, match="exists and is not a folder"):
        write_parquet(seeds_result, str(tmp_path / "file"))


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"),
                                     KeyboardInterrupt()])
def test_a_failed_write_leaves_no_partial_folder(tmp_path, pq, monkeypatch, seeds_result,
                                                 failure):
    from dedup.report import parquet

    real = parquet._write_table
    written = []

    def fail_on_third(*args, **kwargs):
        if len(written) == 2:
            raise failure
        written.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(parquet, "_write_table", fail_on_third)
    new, earlier = tmp_path / "new", tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "summary.json").write_text("{}", encoding="utf-8")
    for target in (new, earlier):
        written.clear()
        with pytest.raises((DedupError, KeyboardInterrupt)) as info:
            parquet.write_parquet(seeds_result, str(target))
        assert len(written) == 2  # it failed midway
        if isinstance(failure, OSError):
            assert str(info.value) == f"{target}: cannot write: no space left on device"
        else:
            assert info.type is KeyboardInterrupt
    # no temporary folder left, nothing at the new path, the earlier output untouched
    assert sorted(os.listdir(tmp_path)) == ["earlier"]
    assert os.listdir(earlier) == ["summary.json"]
    assert (earlier / "summary.json").read_text("utf-8") == "{}"


def test_find_checks_the_folder_before_reading(tmp_path, pq):
    target = tmp_path / "missing-parent" / "out"
    result = CliRunner().invoke(main, ["find", str(tmp_path / "nothing-here"),
                                       "--out-parquet", str(target)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {target}: cannot write: no folder "
                             f"{tmp_path / 'missing-parent'}\n")


# -- without pyarrow -------------------------------------------------------------------


@pytest.fixture
def no_pyarrow(monkeypatch):
    """Make ``import pyarrow`` fail as if it were not installed."""
    for name in list(sys.modules):
        if name == "pyarrow" or name.startswith("pyarrow."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)


def test_reading_parquet_without_pyarrow_says_what_to_install(tmp_path, no_pyarrow):
    path = tmp_path / "a.parquet"
    path.write_bytes(b"PAR1 not read")
    with pytest.raises(MissingDependency) as info:
        read_corpus([SEEDS, path])
    assert str(info.value) == "reading Parquet needs pyarrow: pip install 'dedup[parquet]'"
    assert isinstance(info.value, ImportError)
    result = CliRunner().invoke(main, ["find", str(path)])
    assert result.exit_code == 1
    assert result.output == "Error: reading Parquet needs pyarrow: pip install 'dedup[parquet]'\n"


def test_out_parquet_without_pyarrow_fails_before_the_run(tmp_path, no_pyarrow):
    result = CliRunner().invoke(main, ["find", str(SEEDS), "--out-parquet",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == "Error: writing Parquet needs pyarrow: pip install 'dedup[parquet]'\n"
    assert os.listdir(tmp_path) == []


def test_the_core_imports_and_runs_without_pyarrow(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['pyarrow'] = None\n"
        "import dedup, dedup.cli, dedup.corpus, dedup.report.parquet\n"
        "from dedup.cli import main\n"
        "main(['find', sys.argv[1], '--json', sys.argv[2], '-q'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(SEEDS), str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["summary"]["documents"] == 5
