"""Tests for dedup.corpus: every reader, ordering, and every bad-input rule."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dedup.corpus import read_corpus
from dedup.errors import DedupError, InputError, ParameterError
from dedup.models import Document, Skipped

SEEDS = Path(__file__).parent.parent / "seeds"
TEXT = "Storms hit the coast on Monday.\nThousands lost power."


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def jsonl(path: Path, *records: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return write(path, "".join(line + "\n" for line in lines))


def ids(corpus) -> list[str]:
    return [doc.id for doc in corpus.documents]


def error_of(paths, **options) -> str:
    with pytest.raises(InputError) as info:
        read_corpus(paths, **options)
    return str(info.value)


# -- folders and .txt files --------------------------------------------------------------


def test_folder_is_read_recursively_with_relative_posix_ids(tmp_path):
    root = tmp_path / "in"
    write(root / "b.txt", "second")
    write(root / "a.txt", "first")
    write(root / "sub" / "deeper" / "c.txt", "third")
    write(root / "sub" / "a.txt", "fourth")
    write(root / "notes.md", "not a document")
    write(root / "data.jsonl", "{not even json")
    write(root / ".hidden.txt", "hidden")
    write(root / ".git" / "x.txt", "hidden dir")

    corpus = read_corpus([root])

    assert ids(corpus) == ["a.txt", "b.txt", "sub/a.txt", "sub/deeper/c.txt"]
    assert corpus.skipped == ()
    doc = corpus.documents[2]
    assert doc == Document(
        id="sub/a.txt", text="fourth", outlet="sub/a.txt", source=str(root / "sub" / "a.txt")
    )


def test_folder_order_is_sorted_by_relative_path_not_creation_order(tmp_path):
    root = tmp_path / "in"
    for name in ["z.txt", "m/a.txt", "a.txt", "m-b.txt", "A.txt"]:
        write(root / name, name)
    assert ids(read_corpus([root])) == ["A.txt", "a.txt", "m-b.txt", "m/a.txt", "z.txt"]
    assert ids(read_corpus([root])) == ids(read_corpus([str(root)]))


def test_named_txt_file_id_is_its_file_name(tmp_path):
    path = write(tmp_path / "dir" / "story.txt", TEXT)
    (doc,) = read_corpus([path]).documents
    assert doc == Document(id="story.txt", text=TEXT, outlet="story.txt", source=str(path))
    assert doc.date is None and doc.title is None


def test_single_path_given_bare_is_not_iterated(tmp_path):
    path = write(tmp_path / "story.txt", TEXT)
    assert ids(read_corpus(str(path))) == ["story.txt"]  # type: ignore[arg-type]
    assert ids(read_corpus(path)) == ["story.txt"]  # type: ignore[arg-type]


def test_seed_articles_read_as_five_documents():
    corpus = read_corpus([SEEDS])
    assert ids(corpus) == [
        "000_1d51d7c7805d435f.txt",
        "001_d72135529865c72b.txt",
        "002_907c4b1f69eab31a.txt",
        "003_1aed58ddc104b9dd.txt",
        "004_7d493a4d69b4cf11.txt",
    ]
    assert corpus.skipped == ()
    for doc in corpus.documents:
        assert doc.outlet == doc.id
        assert doc.text == (SEEDS / doc.id).read_bytes().decode("utf-8")


def test_crlf_text_is_kept_exactly(tmp_path):
    raw = "Line one.\r\nLine two.\r\n\r\nLast line\rwith a lone CR.\n"
    path = write(tmp_path / "crlf.txt", raw)
    assert read_corpus([path]).documents[0].text == raw


def test_leading_bom_is_stripped_from_txt_but_nothing_else(tmp_path):
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbf  Text with spaces.  \n")
    assert read_corpus([path]).documents[0].text == "  Text with spaces.  \n"


# -- .txt skips --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (NUL byte at offset 8)"),
        (b"caf\xc3\xa9 ok, then \xff bad", "not valid UTF-8 (byte 0xff at offset 15)"),
        (b"\xef\xbb\xbfab\xe9", "not valid UTF-8 (byte 0xe9 at offset 5)"),
        (b"", "empty document"),
        (b" \n\t\r\n ", "empty document"),
        (b"\xef\xbb\xbf", "empty document"),
        ("Hi".encode("utf-16"), "UTF-16 text, not UTF-8"),
    ],
)
def test_bad_txt_files_are_skipped_with_reason(tmp_path, data, reason):
    good = write(tmp_path / "good.txt", TEXT)
    bad = write(tmp_path / "bad.txt", data)
    corpus = read_corpus([good, bad])
    assert ids(corpus) == ["good.txt"]
    assert corpus.skipped == (Skipped(str(bad), reason),)


def test_too_large_txt_is_skipped_using_its_size(tmp_path):
    write(tmp_path / "in" / "small.txt", "0123456789")
    big = write(tmp_path / "in" / "big.txt", "x" * 11)
    corpus = read_corpus([tmp_path / "in"], max_doc_bytes=10)
    assert ids(corpus) == ["small.txt"]
    assert corpus.skipped == (Skipped(str(big), "larger than 10 bytes (11)"),)


def test_skips_in_a_folder_keep_going(tmp_path):
    root = tmp_path / "in"
    write(root / "1.txt", TEXT)
    write(root / "2.txt", b"\x00\x01")
    write(root / "3.txt", "")
    write(root / "4.txt", TEXT + " again")
    corpus = read_corpus([root])
    assert ids(corpus) == ["1.txt", "4.txt"]
    assert [s.path for s in corpus.skipped] == [str(root / "2.txt"), str(root / "3.txt")]


# -- JSON Lines ----------------------------------------------------------------------------


def test_jsonl_fields_and_defaults(tmp_path):
    path = jsonl(
        tmp_path / "a.jsonl",
        {"id": "r1", "text": TEXT, "outlet": "Reuters", "date": "2024-10-29", "title": "Storm"},
        {"id": "r2", "text": "Other text.", "outlet": "", "date": "", "title": None},
        {"id": "r3", "text": "Third.", "extra": [1, 2]},
    )
    docs = read_corpus([path]).documents
    assert docs[0] == Document(
        id="r1",
        text=TEXT,
        outlet="Reuters",
        source=f"{path}:1",
        date="2024-10-29",
        title="Storm",
    )
    assert docs[1] == Document(id="r2", text="Other text.", outlet="r2", source=f"{path}:2")
    assert docs[2].outlet == "r3" and docs[2].date is None and docs[2].title is None


def test_ndjson_and_json_lines_extensions(tmp_path):
    a = jsonl(tmp_path / "a.ndjson", {"id": "a", "text": "A text."})
    b = jsonl(tmp_path / "b.json", {"id": "b", "text": "B text."})
    c = jsonl(tmp_path / "C.JSONL", {"id": "c", "text": "C text."})
    assert ids(read_corpus([a, b, c])) == ["a", "b", "c"]


def test_jsonl_int_ids_become_strings_and_string_ids_stay(tmp_path):
    path = jsonl(
        tmp_path / "a.jsonl",
        {"id": 7, "text": "Seven."},
        {"id": "0002", "text": "Two."},
        {"id": -3, "text": "Minus three."},
    )
    assert ids(read_corpus([path])) == ["7", "0002", "-3"]


def test_jsonl_custom_field_names(tmp_path):
    path = jsonl(
        tmp_path / "a.jsonl",
        {"uuid": "u1", "body": "Body text.", "source": "AP", "published": "2024", "headline": "H"},
    )
    (doc,) = read_corpus(
        [path],
        id_field="uuid",
        text_field="body",
        outlet_field="source",
        date_field="published",
        title_field="headline",
    ).documents
    assert (doc.id, doc.text, doc.outlet, doc.date, doc.title) == (
        "u1",
        "Body text.",
        "AP",
        "2024",
        "H",
    )


def test_jsonl_blank_lines_bom_and_crlf(tmp_path):
    path = write(
        tmp_path / "a.jsonl",
        b'\xef\xbb\xbf{"id": "a", "text": "One\\r\\ntwo"}\r\n\r\n   \n{"id": "b", "text": "B"}\r\n',
    )
    corpus = read_corpus([path])
    assert ids(corpus) == ["a", "b"]
    assert corpus.documents[0].text == "One\r\ntwo"
    assert corpus.documents[1].source == f"{path}:4"


def test_jsonl_text_kept_exactly(tmp_path):
    text = "  Café “quoted” — dash\u00a0nbsp\n\n\ttab 😀 end  "
    path = jsonl(tmp_path / "a.jsonl", {"id": "a", "text": text})
    assert read_corpus([path]).documents[0].text == text
    path = write(tmp_path / "b.jsonl", json.dumps({"id": "b", "text": text}, ensure_ascii=False))
    assert read_corpus([path]).documents[0].text == text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"id": "x", "text": "unterminated}',
            "invalid JSON: Unterminated string starting at column 21",
        ),
        ('{"id": "x" "text": "t"}', "invalid JSON: Expecting ',' delimiter at column 12"),
        ('"just a string"', "expected a JSON object, found string"),
        ('{"text": "no id"}', "missing field 'id'"),
        ('{"id": "x"}', "missing field 'text'"),
        ('{"id": 1.5, "text": "t"}', "field 'id' must be a string or an integer, found number"),
        ('{"id": true, "text": "t"}', "field 'id' must be a string or an integer, found boolean"),
        ('{"id": null, "text": "t"}', "field 'id' must be a string or an integer, found null"),
        ('{"id": ["x"], "text": "t"}', "field 'id' must be a string or an integer, found array"),
        ('{"id": " ", "text": "t"}', "field 'id' is empty"),
        ('{"id": "x", "text": null}', "field 'text' must be a string, found null"),
        ('{"id": "x", "text": {"p": 1}}', "field 'text' must be a string, found object"),
        ('{"id": "x", "text": "t", "outlet": {}}', "field 'outlet' must be a string, found object"),
        ('{"id": "x", "text": "bad \\ud800 half"}', "field 'text' holds an unpaired \\u surrogate"),
    ],
)
def test_malformed_jsonl_record_names_file_line_and_problem(tmp_path, line, message):
    good = json.dumps({"id": "ok", "text": "Fine."})
    path = write(tmp_path / "a.jsonl", f"{good}\n\n{line}\n{good.replace('ok', 'ok2')}\n")
    text = error_of([path])
    assert text.startswith(f"{path}:3: {message}")
    assert "\n" not in text


def test_invalid_utf8_on_a_jsonl_line_is_a_record_error(tmp_path):
    head = "".join(json.dumps({"id": i, "text": "x" * 100}) + "\n" for i in range(100))
    path = write(tmp_path / "a.jsonl", head.encode() + b'{"id": "z", "text": "caf\xe9"}\n')
    assert error_of([path]) == f"{path}:101: not valid UTF-8 (byte 0xe9 at column 25)"
    corpus = read_corpus([path], skip_invalid=True)
    assert len(corpus.documents) == 100
    assert corpus.skipped == (Skipped(f"{path}:101", "not valid UTF-8 (byte 0xe9 at column 25)"),)


def test_jsonl_with_skip_invalid_records_each_bad_line(tmp_path):
    path = jsonl(
        tmp_path / "a.jsonl",
        {"id": 1, "text": "One."},
        "{broken",
        {"id": 2},
        {"id": 3, "text": "Three."},
        [1, 2],
    )
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["1", "3"]
    assert [(s.path, s.reason.split(":")[0]) for s in corpus.skipped] == [
        (f"{path}:2", "invalid JSON"),
        (f"{path}:3", "missing field 'text'"),
        (f"{path}:5", "expected a JSON object, found array"),
    ]


def test_jsonl_empty_and_too_large_texts_are_always_skipped(tmp_path):
    path = jsonl(
        tmp_path / "a.jsonl",
        {"id": "a", "text": "   \n "},
        {"id": "b", "text": "é" * 6},  # 6 characters, 12 UTF-8 bytes
        {"id": "c", "text": "é" * 5},
        {"id": "d", "text": ""},
    )
    corpus = read_corpus([path], max_doc_bytes=10)
    assert ids(corpus) == ["c"]
    assert corpus.skipped == (
        Skipped(f"{path}:1", "empty document"),
        Skipped(f"{path}:2", "larger than 10 bytes (12)"),
        Skipped(f"{path}:4", "empty document"),
    )


def test_json_array_file_is_rejected_with_a_hint(tmp_path):
    path = write(tmp_path / "a.json", json.dumps([{"id": "a", "text": "A."}], indent=2))
    assert error_of([path]) == (
        f"{path}:1: found a JSON array, expected JSON Lines (one JSON object per line)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"id": "a", "text": "A."}\n'.encode("utf-16"), "UTF-16 text; save it as UTF-8"),
        ('{"id": "a", "text": "A."}\n'.encode("utf-16-le"), "UTF-16 text; save it as UTF-8"),
        (b"\x1f\x8b\x08\x00" + bytes(12), "binary file (gzip-compressed), expected UTF-8 text"),
    ],
)
def test_jsonl_file_that_is_not_utf8_text_is_a_file_error(tmp_path, data, message):
    path = write(tmp_path / "a.jsonl", data)
    assert error_of([path]) == f"{path}: {message}"
    good = write(tmp_path / "good.txt", TEXT)
    corpus = read_corpus([path, good], skip_invalid=True)
    assert corpus.skipped == (Skipped(str(path), message),)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b'{"id": "b", "text": "\x00"}\n', "NUL byte at column 22"),
        (b'{"id": "b", "text": "caf\xe9"}\n', "not valid UTF-8 (byte 0xe9 at column 25)"),
    ],
)
def test_a_bad_byte_on_the_first_line_costs_one_record(tmp_path, bad, message):
    path = write(tmp_path / "a.jsonl", bad + b'{"id": "c", "text": "C."}\n')
    assert error_of([path]) == f"{path}:1: {message}"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["c"]
    assert corpus.skipped == (Skipped(f"{path}:1", message),)


def test_utf8_sniffing_tolerates_a_character_cut_at_8_kib(tmp_path):
    prefix = '{"id": "a", "text": "'
    filler = "x" * (8191 - len(prefix))  # "é" straddles bytes 8191-8192
    path = write(tmp_path / "a.jsonl", prefix + filler + 'é"}\n')
    assert read_corpus([path]).documents[0].text.endswith("xé")


# -- CSV and TSV ---------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def test_csv_reads_fields_keeps_string_ids_and_record_start_lines(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["id", "outlet", "text", "date", "title"],
            ["0002", "AP", "Para one.\r\nPara, two.", "2024-01-02", "T"],
            ["0003", "", 'He said "hi".', "", ""],
            ["7", "BBC", "x" * 200_000, "", "Long"],  # beyond csv's default field limit
        ],
    )
    docs = read_corpus([path]).documents
    assert docs[0] == Document(
        id="0002",
        text="Para one.\r\nPara, two.",
        outlet="AP",
        source=f"{path}:2",
        date="2024-01-02",
        title="T",
    )
    assert docs[1] == Document(id="0003", text='He said "hi".', outlet="0003", source=f"{path}:4")
    assert (docs[2].id, docs[2].source, len(docs[2].text)) == ("7", f"{path}:5", 200_000)


def test_csv_default_field_limit_is_restored(tmp_path):
    before = csv.field_size_limit()
    read_corpus([write_csv(tmp_path / "a.csv", [["id", "text"], ["1", "One."]])])
    assert csv.field_size_limit() == before


def test_tsv_and_custom_columns_bom_and_blank_lines(tmp_path):
    path = write(
        tmp_path / "a.tsv",
        '\ufeffdoc\tbody\tsite\n\n1\tFirst text.\tAP\r\n2\t"Quoted," he said.\t\n',
    )
    docs = read_corpus([path], id_field="doc", text_field="body", outlet_field="site").documents
    assert [(d.id, d.text, d.outlet, d.source) for d in docs] == [
        ("1", "First text.", "AP", f"{path}:3"),
        ("2", '"Quoted," he said.', "2", f"{path}:4"),  # TSV is not quoted
    ]


def test_csv_missing_column_names_the_header(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["id", "body"], ["1", "x"]])
    assert error_of([path]) == f"{path}:1: missing column 'text' in header (found 'id', 'body')"


def test_tab_separated_file_named_csv_gets_a_hint(tmp_path):
    path = write(tmp_path / "a.csv", "id\ttext\n1\tx\n")
    assert error_of([path]).endswith("; tab-separated files must be named .tsv")


def test_csv_malformed_rows(tmp_path):
    path = write(
        tmp_path / "a.csv",
        'id,text\n1,One.\n2,Two,extra\n,No id.\n4,Four.\n5,"never closed\n',
    )
    assert error_of([path]) == f"{path}:3: expected 2 fields as in the header, found 3"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["1", "4"]
    assert [(s.path, s.reason) for s in corpus.skipped] == [
        (f"{path}:3", "expected 2 fields as in the header, found 3"),
        (f"{path}:4", "field 'id' is empty"),
        (f"{path}:6", "malformed CSV: unexpected end of data; the rest of the file was not read"),
    ]


def test_csv_quote_out_of_place_stops_the_file_without_inventing_documents(tmp_path):
    # Record 2's stray quote opens a field that swallows record 3's first line; what
    # follows is the middle of an article, which must not be read as records.
    path = write(
        tmp_path / "a.csv",
        "id,outlet,text\n"
        "1,AP,One.\n"
        '2,AP,"He said "no" to it\n'
        '3,BBC,"Line one\n'
        "KYIV, Ukraine, (AP) Text\n"
        'In June, the city, then"\n'
        "4,AP,Four.\n",
    )
    assert error_of([path]) == f"{path}:3: malformed CSV: ',' expected after '\"'"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus) == ["1"]
    assert corpus.skipped == (
        Skipped(
            f"{path}:3",
            "malformed CSV: ',' expected after '\"'; the rest of the file was not read",
        ),
    )


def test_csv_invalid_utf8_in_a_multiline_record_reports_its_start(tmp_path):
    head = "id,text\n" + "".join(f"{i},{'x' * 100}\n" for i in range(100))
    path = write(tmp_path / "a.csv", head.encode() + b'z,"line one\nbad \xff here"\nlast,Last.\n')
    message = "not valid UTF-8 (byte 0xff at column 5) on line 103"
    assert error_of([path]) == f"{path}:102: {message}"
    corpus = read_corpus([path], skip_invalid=True)
    assert ids(corpus)[-1] == "last"
    assert corpus.skipped == (Skipped(f"{path}:102", message),)


def test_csv_empty_and_too_large_texts_are_skipped(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["id", "text"], ["1", " "], ["2", "x" * 11], ["3", "ok"]])
    corpus = read_corpus([path], max_doc_bytes=10)
    assert ids(corpus) == ["3"]
    assert corpus.skipped == (
        Skipped(f"{path}:2", "empty document"),
        Skipped(f"{path}:3", "larger than 10 bytes (11)"),
    )


def test_binary_csv_is_a_file_error(tmp_path):
    path = write(tmp_path / "a.csv", b"PK\x03\x04\x14\x00\x06\x00")  # e.g. an .xlsx renamed
    assert error_of([path]) == (
        f"{path}: binary file (ZIP archive: .xlsx, .docx, ...), expected UTF-8 text"
    )


# -- across inputs -----------------------------------------------------------------------


def test_several_inputs_keep_order(tmp_path):
    folder = tmp_path / "txt"
    write(folder / "b.txt", "B")
    write(folder / "a.txt", "A")
    j = jsonl(tmp_path / "j.jsonl", {"id": "j2", "text": "J2"}, {"id": "j1", "text": "J1"})
    c = write_csv(tmp_path / "c.csv", [["id", "text"], ["c1", "C1"]])
    named = write(tmp_path / "named.txt", "N")
    corpus = read_corpus([c, folder, named, j])
    assert ids(corpus) == ["c1", "a.txt", "b.txt", "named.txt", "j2", "j1"]


def test_duplicate_ids_name_both_places(tmp_path):
    a = jsonl(
        tmp_path / "a.jsonl",
        {"id": 1, "text": "x"},
        {"id": 2, "text": "x"},
        {"id": "0002", "text": "x"},
    )
    b = jsonl(
        tmp_path / "b.jsonl",
        *[{"id": f"b{i}", "text": "y"} for i in range(6)],
        {"id": "0002", "text": "z"},
    )
    assert error_of([a, b]) == f"{b}:7: duplicate id '0002' (first seen at {a}:3)"
    corpus = read_corpus([a, b], skip_invalid=True)
    assert len(corpus.documents) == 9
    assert corpus.skipped == (Skipped(f"{b}:7", f"duplicate id '0002' (first seen at {a}:3)"),)
    assert [d.text for d in corpus.documents if d.id == "0002"] == ["x"]


def test_int_id_and_string_id_collide(tmp_path):
    a = jsonl(tmp_path / "a.jsonl", {"id": 5, "text": "x"})
    b = write_csv(tmp_path / "b.csv", [["id", "text"], ["5", "y"]])
    assert error_of([a, b]) == f"{b}:2: duplicate id '5' (first seen at {a}:1)"


def test_duplicate_txt_names_across_named_files(tmp_path):
    first = write(tmp_path / "x" / "same.txt", "one")
    second = write(tmp_path / "y" / "same.txt", "two")
    assert error_of([first, second]) == f"{second}: duplicate id 'same.txt' (first seen at {first})"


def test_missing_path_fails_before_reading_anything(tmp_path):
    good = write(tmp_path / "good.txt", TEXT)
    missing = tmp_path / "nope.jsonl"
    assert error_of([good, missing]) == f"{missing}: no such file or directory"


@pytest.mark.parametrize("name", ["doc.pdf", "data.xlsx", "README"])
def test_unsupported_extension_lists_supported_ones(tmp_path, name):
    path = write(tmp_path / name, "x")
    message = error_of([path], skip_invalid=True)
    assert message.startswith(f"{path}: unsupported file type")
    assert "a folder of .txt files, .txt, .jsonl, .ndjson, .json, .csv, .tsv" in message


def test_no_documents_at_all_is_an_error(tmp_path):
    empty = write(tmp_path / "empty.txt", "  \n")
    assert (
        error_of([empty])
        == f"no documents read from {empty}: 1 skipped (first: {empty}: empty document)"
    )
    blank = write(tmp_path / "blank.jsonl", "\n\n")
    assert error_of([blank]) == f"no documents read from {blank}: 0 skipped"
    folder = tmp_path / "folder"
    write(folder / "only.md", "# not a txt")
    assert error_of([folder]) == (
        f"no documents read from {folder}: 0 skipped; no .txt files found in folder {folder}"
    )
    bad = jsonl(tmp_path / "bad.jsonl", "{oops")
    assert error_of([bad], skip_invalid=True).startswith(
        f"no documents read from {bad}: 1 skipped (first: {bad}:1: invalid JSON"
    )


def test_no_paths_and_bad_parameters():
    assert error_of([]) == "no input paths given"
    with pytest.raises(ParameterError, match="max_doc_bytes must be >= 1, got 0"):
        read_corpus([SEEDS], max_doc_bytes=0)


def test_errors_are_dedup_errors_and_value_errors(tmp_path):
    with pytest.raises(DedupError):
        read_corpus([tmp_path / "missing.txt"])
    with pytest.raises(ValueError):
        read_corpus([tmp_path / "missing.txt"])
