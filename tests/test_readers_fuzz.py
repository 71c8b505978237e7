"""Random bytes and random JSON values into every reader (issue 12).

Each reader is checked against a slow, obviously-right oracle written here: no
traceback, every good record kept exactly, every bad one named by its line (or its
file, for a folder of .txt files).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
import tempfile
from pathlib import Path
from unittest import mock

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dedup.cli import main
from dedup.corpus import read_corpus
from dedup.errors import InputError
from dedup.models import Corpus

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
META = ("outlet", "date", "title")

# -- strategies ----------------------------------------------------------------------------

lone_surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
any_text = st.one_of(
    st.text(max_size=20),
    st.lists(st.one_of(st.characters(), lone_surrogate), max_size=8).map("".join),
)
surrogated = st.tuples(st.text(max_size=3), lone_surrogate, st.text(max_size=3)).map("".join)
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), any_text
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=6,
)
# objects with the fields the reader looks at, holding anything
json_record = st.dictionaries(
    st.sampled_from(["id", "text", "outlet", "date", "title", "other"]), json_value, max_size=6
)
good_id = st.text(min_size=1, max_size=12).filter(str.strip)
good_text = st.text(min_size=1, max_size=60).filter(str.strip)
line_bytes = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b""))


@st.composite
def good_record(draw: st.DrawFn) -> dict[str, object]:
    record: dict[str, object] = {"id": draw(st.one_of(good_id, st.integers())),
                                 "text": draw(good_text)}
    for name in META:
        value = draw(st.one_of(st.none(), st.text(max_size=10), st.integers()))
        if value is not None or draw(st.booleans()):
            record[name] = value
    return record


@st.composite
def jsonl_lines(draw: st.DrawFn) -> list[bytes]:
    """A good first record (so the file is not judged as a whole), then a mix."""
    def encoded(value: object) -> bytes:
        text = json.dumps(value, ensure_ascii=draw(st.booleans()))
        return text.encode("utf-8", "surrogatepass")

    lines = [encoded(draw(good_record()))]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["good", "tainted", "record", "value", "bytes", "blank"]))
        if kind == "good":
            lines.append(encoded(draw(good_record())))
        elif kind == "tainted":  # a good record but for one field
            record = draw(good_record())
            record[draw(st.sampled_from(["id", "text", *META]))] = draw(json_value | surrogated)
            lines.append(encoded(record))
        elif kind == "record":
            lines.append(encoded(draw(json_record)))
        elif kind == "value":
            lines.append(encoded(draw(json_value)))
        elif kind == "bytes":
            lines.append(draw(line_bytes))
        else:
            lines.append(draw(st.sampled_from([b"", b"  ", b"\r"])))
    return lines


# -- oracles --------------------------------------------------------------------------------


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _meta(value: object) -> tuple[bool, str | None]:
    """(ok, value as the document keeps it) for an outlet/date/title value."""
    if value is None:
        return True, None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False, None
    text = str(value)
    if _has_surrogate(text):
        return False, None
    return True, text.strip() or None


class Expected:
    """What a reader must return: documents as tuples, and the places it names."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, str, str, str, str | None, str | None]] = []
        self.bad: list[str] = []
        self.seen: set[str] = set()

    def record(self, where: str, doc_id: str, text: str, metas: list[str | None]) -> None:
        if not text.strip():
            self.bad.append(where)  # an empty document: skipped, named
        elif doc_id in self.seen:
            self.bad.append(where)  # a duplicate id
        else:
            self.seen.add(doc_id)
            outlet, date, title = metas
            self.docs.append((doc_id, text, outlet or doc_id, where, date, title))


def jsonl_oracle(lines: list[bytes], name: str) -> Expected:
    expected = Expected()
    for number, raw in enumerate(lines, start=1):
        where = f"{name}:{number}"
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            expected.bad.append(where)
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            expected.bad.append(where)
            continue
        if "\0" in line or not isinstance(record, dict):
            expected.bad.append(where)
            continue
        doc_id, text = record.get("id"), record.get("text")
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
            expected.bad.append(where)
            continue
        doc_id = str(doc_id)
        metas = [_meta(record.get(name)) for name in META]
        if (
            not doc_id.strip()
            or not isinstance(text, str)
            or _has_surrogate(doc_id + text)
            or not all(ok for ok, _ in metas)
        ):
            expected.bad.append(where)
            continue
        expected.record(where, doc_id, text, [value for _, value in metas])
    return expected


def table_oracle(rows: list[tuple[int, list[str] | None, bytes]], name: str) -> Expected:
    """Rows as (first line, fields or None when the row is not text, raw bytes);
    the header is id, text, outlet."""
    expected = Expected()
    for line, fields, _raw in rows:
        where = f"{name}:{line}"
        if fields is None:
            expected.bad.append(where)
            continue
        if len(fields) == 1 and not fields[0].strip():
            continue  # a blank line
        if len(fields) != 3 or not fields[0].strip():
            expected.bad.append(where)
            continue
        outlet = fields[2].strip() or None
        expected.record(where, fields[0], fields[1], [outlet, None, None])
    return expected


def actual(corpus: Corpus) -> tuple[list, list[str]]:
    docs = [(d.id, d.text, d.outlet, d.source, d.date, d.title) for d in corpus.documents]
    return docs, [s.path for s in corpus.skipped]


def read_or_nothing(paths: list, **options: object) -> tuple[list, list[str]]:
    """The reader's result; a run that reads no document must say so, nothing else."""
    try:
        return actual(read_corpus(paths, skip_invalid=True, **options))
    except InputError as error:
        assert str(error).startswith("no documents read from"), error
        return [], []


def check_reader(path: Path | str, expected: Expected) -> None:
    """The reader agrees with the oracle; reading nothing is an error that counts the
    skips."""
    try:
        corpus = read_corpus([path], skip_invalid=True)
    except InputError as error:
        assert not expected.docs
        shown = "-" if path == "-" else str(path)
        assert str(error).startswith(
            f"no documents read from {shown}: {len(expected.bad)} skipped"
        ), error
        return
    assert actual(corpus) == (expected.docs, expected.bad)


# -- JSON Lines, from a file and from standard input ----------------------------------


@FUZZ
@given(lines=jsonl_lines(), ending=st.sampled_from([b"\n", b"\r\n"]))
def test_jsonl_reader_matches_the_oracle(lines: list[bytes], ending: bytes) -> None:
    data = ending.join(lines) + ending
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.jsonl"
        path.write_bytes(data)
        expected = jsonl_oracle([raw.rstrip(b"\r") for raw in data.split(b"\n")[:-1]],
                                str(path))
        docs, skipped = actual(read_corpus([path], skip_invalid=True))
    assert docs == expected.docs
    assert skipped == expected.bad


@FUZZ
@given(lines=jsonl_lines())
def test_stdin_reader_matches_the_oracle(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    stdin = mock.Mock(buffer=io.BytesIO(data))
    with mock.patch.object(sys, "stdin", stdin):
        docs, skipped = actual(read_corpus(["-"], skip_invalid=True))
    expected = jsonl_oracle(lines, "<stdin>")
    assert (docs, skipped) == (expected.docs, expected.bad)


@settings(max_examples=15, deadline=None)
@given(lines=jsonl_lines(), skip=st.booleans())
def test_cli_on_fuzzed_stdin_exits_cleanly(lines: list[bytes], skip: bool) -> None:
    args = ["find", "-", "--json", "-", "-q"] + (["--skip-invalid"] if skip else [])
    res = CliRunner().invoke(main, args, input=b"\n".join(lines) + b"\n")
    assert res.exit_code in (0, 1), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
    if res.exit_code == 1:
        assert len(res.stderr.splitlines()) == 1 and res.stderr.startswith("Error: <stdin>:")


# -- CSV and TSV ---------------------------------------------------------------------------

no_quote_bytes = line_bytes.map(lambda b: b.replace(b'"', b"").replace(b"\r", b""))
csv_text = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    min_size=0,
    max_size=40,
)


def _table_row(raw: bytes, delimiter: str) -> list[str] | None:
    """The fields of one quote-free line, or None when it is not text."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\0" in line else line.split(delimiter)


@st.composite
def csv_file(draw: st.DrawFn, quote_free_bad_lines: bool) -> tuple[bytes, list]:
    """A CSV file: good rows written by the csv module (quoted where needed, line
    breaks included) mixed with raw lines; returns the bytes and the rows as the
    oracle sees them."""
    data = b"id,text,outlet\r\n"
    rows: list[tuple[int, list[str] | None, bytes]] = []
    for _ in range(draw(st.integers(0, 8))):
        line = data.count(b"\n") + 1
        if draw(st.booleans()):
            fields = [draw(good_id.filter(lambda s: "\0" not in s)), draw(csv_text),
                      draw(csv_text)]
            buffer = io.StringIO()
            csv.writer(buffer).writerow(fields)
            raw = buffer.getvalue().encode("utf-8")
            rows.append((line, fields, raw))
        else:
            raw = draw(no_quote_bytes if quote_free_bad_lines else line_bytes)
            fields = _table_row(raw, ",")
            if fields is not None and "\r" in raw.decode("utf-8", "replace"):
                fields = None  # a lone carriage return: a malformed record
            rows.append((line, fields, raw))
            raw += b"\r\n"
        data += raw
    return data, rows


@FUZZ
@given(case=csv_file(quote_free_bad_lines=True))
def test_csv_reader_matches_the_oracle(case: tuple[bytes, list]) -> None:
    data, rows = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(data)
        check_reader(path, table_oracle(rows, str(path)))


@FUZZ
@given(case=csv_file(quote_free_bad_lines=False))
def test_csv_reader_never_invents_a_document(case: tuple[bytes, list]) -> None:
    """Stray quotes may stop the reading, but every good row before the first bad
    one is kept exactly."""
    data, rows = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(data)
        docs, skipped = read_or_nothing([path])
        expected = table_oracle(rows, str(path))
    last_line = data.count(b"\n") + 1
    for where in skipped:
        assert 2 <= int(where.rsplit(":", 1)[1]) <= last_line
    # Past a stray quote no parser can know where records start; before it, the
    # reader must agree with the oracle exactly.
    bad_lines = [line for line, fields, raw in rows if fields is None or b'"' in raw]
    first_bad = bad_lines[0] if bad_lines else last_line + 1
    before = [d for d in expected.docs if int(d[3].rsplit(":", 1)[1]) < first_bad]
    assert docs[: len(before)] == before
    assert all(int(d[3].rsplit(":", 1)[1]) >= first_bad for d in docs[len(before):])


@st.composite
def tsv_file(draw: st.DrawFn) -> tuple[bytes, list]:
    tsv_text = st.text(
        alphabet=st.characters(blacklist_characters="\x00\t\n\r", blacklist_categories=("Cs",)),
        max_size=40,
    )
    data = codecs.BOM_UTF8 * draw(st.booleans()) + b"id\ttext\toutlet\n"
    rows: list[tuple[int, list[str] | None, bytes]] = []
    for line in range(2, draw(st.integers(2, 10))):
        if draw(st.booleans()):
            fields = [draw(good_id.filter(lambda s: not set(s) & set("\0\t\n\r"))),
                      draw(tsv_text), draw(tsv_text)]
            raw = "\t".join(fields).encode("utf-8")
        else:
            raw = draw(line_bytes).rstrip(b"\r")
            # A line of spaces is blank (one empty field: the oracle passes over it); a
            # line holding a tab has two fields, however empty, and a wrong count.
            fields = _table_row(raw, "\t")
        rows.append((line, fields, raw))
        data += raw + draw(st.sampled_from([b"\n", b"\r\n"]))
    return data, rows


@FUZZ
@given(case=tsv_file())
# A line holding only a tab: two empty fields, a wrong count (found by Hypothesis, when
# the strategy wrongly called it blank).
@example(case=(b"id\ttext\toutlet\n\t\n", [(2, ["", ""], b"\t")]))
@example(case=(b"id\ttext\toutlet\n0\t0\t\n\n\t\n",
               [(2, ["0", "0", ""], b"0\t0\t"), (3, [""], b""), (4, ["", ""], b"\t")]))
def test_tsv_reader_matches_the_oracle(case: tuple[bytes, list]) -> None:
    data, rows = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.tsv"
        path.write_bytes(data)
        check_reader(path, table_oracle(rows, str(path)))


# -- a folder of .txt files -----------------------------------------------------------------

txt_content = st.one_of(
    st.binary(max_size=60),
    st.text(max_size=60).map(lambda t: t.encode("utf-8")),
    st.text(max_size=30).map(lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
    st.text(max_size=30).map(lambda t: t.encode("utf-16")),
)


def txt_oracle(data: bytes) -> str | None:
    """The document's text, or None when the file is a documented skip."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in data:
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.strip() else None


@FUZZ
@given(contents=st.lists(txt_content, min_size=1, max_size=6))
def test_txt_folder_reader_matches_the_oracle(contents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for number, data in enumerate(contents):
            (root / f"{number}.txt").write_bytes(data)
        expected = Expected()
        for name in sorted(f"{n}.txt" for n in range(len(contents))):
            text = txt_oracle(contents[int(name.split(".")[0])])
            if text is None:
                expected.bad.append(str(root / name))
            else:
                expected.docs.append((name, text, name, str(root / name), None, None))
        check_reader(root, expected)
