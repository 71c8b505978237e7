"""Read articles from disk into a :class:`~dedup.models.Corpus`.

Accepted inputs (several may be given in one call; documents keep input order):

* a **folder**: every ``.txt`` file below it, recursively, sorted by relative path;
  hidden files and folders are ignored and other file types are not documents. The
  id is the path relative to the folder with ``/`` separators (``sub/a.txt``);
* a **.txt file** named directly: the id is its file name;
* **JSON Lines** (``.jsonl``, ``.ndjson``, and ``.json`` holding JSON Lines): one
  object per line with an ``id`` (string or integer) and a ``text`` string, and
  optionally ``outlet``, ``date`` and ``title``;
* **CSV** (``.csv``) or tab-separated (``.tsv``) with a header row naming the same
  columns. Ids stay strings exactly as written.

Field and column names can be changed with the ``*_field`` options. A document without
an outlet is its own outlet (``outlet`` defaults to the id).

Text is kept exactly as decoded: files are read as bytes and decoded as UTF-8 with
no newline translation (``\\r\\n`` stays ``\\r\\n``) and nothing stripped except a
leading byte-order mark of a ``.txt`` file. Every character offset this library
reports indexes into this text, so it must not be altered.

Bad input never ends in a traceback:

* documented skips, always recorded in :attr:`Corpus.skipped
  <dedup.models.Corpus.skipped>` and never an error: a ``.txt`` file that is binary
  (NUL byte in its first 8 KiB), not valid UTF-8, empty or whitespace-only, or larger
  than ``max_doc_bytes``; a JSONL/CSV record whose text is empty or larger than
  ``max_doc_bytes`` (UTF-8 bytes);
* errors, raised as :class:`~dedup.errors.InputError` naming ``file:line``, or recorded
  as skipped with ``skip_invalid=True``: a malformed record (invalid JSON or CSV, not an
  object, invalid UTF-8, missing or mistyped ``id``/``text``, wrong field count), a
  duplicate id, a JSONL/CSV file whose first 8 KiB are binary or not UTF-8, a CSV file
  whose header lacks the id or text column, a file that cannot be read;
* always errors: a missing path, an unsupported file type, and a call that reads no
  document at all.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, Any

from .errors import InputError, ParameterError
from .models import Corpus, Document, Skipped

__all__ = ["SUPPORTED_SUFFIXES", "read_corpus"]

_TXT = (".txt",)
_JSONL = (".jsonl", ".ndjson", ".json")
_CSV = {".csv": ",", ".tsv": "\t"}
SUPPORTED_SUFFIXES: tuple[str, ...] = _TXT + _JSONL + tuple(_CSV)
"""File name endings :func:`read_corpus` accepts (case-insensitive), besides folders."""

_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # e.g. Excel's "Unicode text"
_HEAD_BYTES = 8192  # how much of a file is sniffed for NUL bytes / bad UTF-8
# Python's csv default (128 KiB per field) is too small for long articles; 2**31 - 1
# is the largest value every platform's C long accepts.
_CSV_FIELD_LIMIT = 2**31 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _RecordError(Exception):
    """A malformed record: reported as ``file:line: message`` or skipped."""


def read_corpus(
    paths: Sequence[str | os.PathLike[str]],
    *,
    id_field: str = "id",
    text_field: str = "text",
    outlet_field: str = "outlet",
    date_field: str = "date",
    title_field: str = "title",
    skip_invalid: bool = False,
    max_doc_bytes: int = 10_000_000,
) -> Corpus:
    """Read documents from folders, ``.txt``, JSON Lines and CSV/TSV files.

    Documents come back in input order (a folder's files sorted by relative path).
    Inputs that are documented skips (empty, binary, not UTF-8, too large) are listed in
    ``Corpus.skipped``; malformed records and duplicate ids raise :class:`InputError`
    unless ``skip_invalid`` is true, in which case they are listed as skipped too.
    Raises :class:`InputError` for a missing path, an unsupported file type, or when no
    document at all was read; :class:`ParameterError` if ``max_doc_bytes`` < 1.

    >>> corpus = read_corpus(["articles/", "wire.jsonl"], outlet_field="source")  # doctest: +SKIP
    >>> [doc.id for doc in corpus.documents][:2]  # doctest: +SKIP
    ['000_1d51d7c7805d435f.txt', '001_d72135529865c72b.txt']
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path given bare: don't iterate its characters
    if max_doc_bytes < 1:
        raise ParameterError(f"max_doc_bytes must be >= 1, got {max_doc_bytes}")
    names = [os.fspath(p) for p in paths]
    if not names:
        raise InputError("no input paths given")
    kinds = [_classify(name) for name in names]  # fail fast on typos before reading

    reader = _Reader(
        id_field=id_field,
        text_field=text_field,
        outlet_field=outlet_field,
        date_field=date_field,
        title_field=title_field,
        skip_invalid=skip_invalid,
        max_doc_bytes=max_doc_bytes,
    )
    empty_folders = []
    for name, kind in zip(names, kinds, strict=True):
        if kind == "folder":
            if not reader.read_folder(name):
                empty_folders.append(name)
        elif kind == "txt":
            reader.read_txt(name, os.path.basename(name))
        elif kind == "jsonl":
            reader.read_jsonl(name)
        else:
            reader.read_csv(name, _CSV[kind])

    if not reader.documents:
        raise InputError(_nothing_read_message(names, reader.skipped, empty_folders))
    return Corpus(documents=tuple(reader.documents), skipped=tuple(reader.skipped))


def _classify(name: str) -> str:
    """Return ``folder``, ``txt``, ``jsonl``, ``.csv`` or ``.tsv``; raise for bad paths."""
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise InputError("no such file or directory", path=name) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path=name) from None
    if stat.S_ISDIR(mode):
        return "folder"
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        found = f"'{suffix}'" if suffix else "(no extension)"
        raise InputError(
            f"unsupported file type {found}; supported: a folder of .txt files, "
            + ", ".join(SUPPORTED_SUFFIXES),
            path=name,
        )
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file or folder", path=name)
    if suffix in _TXT:
        return "txt"
    if suffix in _JSONL:
        return "jsonl"
    return suffix


def _nothing_read_message(names: list[str], skipped: list[Skipped], empty: list[str]) -> str:
    where = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    message = f"no documents read from {where}: {len(skipped)} skipped"
    if skipped:
        message += f" (first: {skipped[0].path}: {skipped[0].reason})"
    if empty:
        message += f"; no .txt files found in folder {empty[0]}"
    return message


class _Reader:
    """Accumulates documents and skips across inputs; owns the error-or-skip policy."""

    def __init__(
        self,
        *,
        id_field: str,
        text_field: str,
        outlet_field: str,
        date_field: str,
        title_field: str,
        skip_invalid: bool,
        max_doc_bytes: int,
    ) -> None:
        self.id_field = id_field
        self.text_field = text_field
        self.outlet_field = outlet_field
        self.date_field = date_field
        self.title_field = title_field
        self.skip_invalid = skip_invalid
        self.max_doc_bytes = max_doc_bytes
        self.documents: list[Document] = []
        self.skipped: list[Skipped] = []
        self.first_seen: dict[str, str] = {}  # id -> source where it was first read

    # -- policy ------------------------------------------------------------------------

    def fail(self, message: str, path: str, line: int | None = None) -> None:
        """An error: raise it, or record it as skipped under ``skip_invalid``."""
        if not self.skip_invalid:
            raise InputError(message, path=path, line=line)
        self.skip(message, path, line)

    def skip(self, reason: str, path: str, line: int | None = None) -> None:
        """A documented skip: always recorded, never raised."""
        self.skipped.append(Skipped(_where(path, line), reason))

    def add(self, doc: Document, path: str, line: int | None) -> None:
        first = self.first_seen.get(doc.id)
        if first is not None:
            self.fail(f"duplicate id {doc.id!r} (first seen at {first})", path, line)
            return
        self.first_seen[doc.id] = doc.source
        self.documents.append(doc)

    # -- .txt files and folders -------------------------------------------------------

    def read_folder(self, folder: str) -> int:
        """Read every non-hidden ``.txt`` below ``folder``; return how many were found."""
        found: list[tuple[str, str]] = []  # (id, path)

        def walk_error(error: OSError) -> None:
            self.fail(f"cannot read: {error.strerror or error}", error.filename or folder)

        for dirpath, dirnames, filenames in os.walk(folder, onerror=walk_error):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for filename in filenames:
                if filename.startswith(".") or not filename.lower().endswith(".txt"):
                    continue
                path = os.path.join(dirpath, filename)
                found.append((PurePath(os.path.relpath(path, folder)).as_posix(), path))
        found.sort()
        for doc_id, path in found:
            self.read_txt(path, doc_id)
        return len(found)

    def read_txt(self, path: str, doc_id: str) -> None:
        limit = self.max_doc_bytes
        try:
            size = os.stat(path).st_size
            if size > limit:  # reject without reading it into memory
                self.skip(f"larger than {limit} bytes ({size})", path)
                return
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
        except OSError as error:
            self.fail(f"cannot read: {error.strerror or error}", path)
            return
        if len(data) > limit:  # grew since stat
            self.skip(f"larger than {limit} bytes", path)
            return
        nul = data.find(b"\0", 0, _HEAD_BYTES)
        if data.startswith(_UTF16_BOMS):
            self.skip("UTF-16 text, not UTF-8", path)
            return
        if nul >= 0:
            self.skip(f"binary file (NUL byte at offset {nul})", path)
            return
        start = len(_BOM) if data.startswith(_BOM) else 0
        try:
            text = data[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = start + error.start
            self.skip(f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset})", path)
            return
        if not text.strip():
            self.skip("empty document", path)
            return
        self.add(Document(id=doc_id, text=text, outlet=doc_id, source=path), path, None)

    # -- records (JSON Lines, CSV) ----------------------------------------------------

    def add_record(
        self,
        path: str,
        line: int,
        doc_id: str,
        text: str,
        outlet: str | None,
        date: str | None,
        title: str | None,
    ) -> None:
        if not text.strip():
            self.skip("empty document", path, line)
            return
        size = _utf8_size(text, self.max_doc_bytes)
        if size is not None:
            self.skip(f"larger than {self.max_doc_bytes} bytes ({size})", path, line)
            return
        doc = Document(
            id=doc_id,
            text=text,
            outlet=_optional(outlet) or doc_id,
            source=_where(path, line),
            date=_optional(date),
            title=_optional(title),
        )
        self.add(doc, path, line)

    def read_jsonl(self, path: str) -> None:
        try:
            with open(path, "rb") as handle:
                self._read_jsonl(handle, path)
        except OSError as error:
            self.fail(f"cannot read: {error.strerror or error}", path)

    def _read_jsonl(self, handle: IO[bytes], path: str) -> None:
        problem = _sniff(handle.read(_HEAD_BYTES))
        if problem:
            self.fail(problem, path)
            return
        handle.seek(0)
        first_record = True
        for line_no, raw in enumerate(handle, start=1):
            if line_no == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            if not raw.strip():
                continue
            if first_record and raw.lstrip().startswith(b"["):
                self.fail(
                    "found a JSON array, expected JSON Lines (one JSON object per line)",
                    path,
                    line_no,
                )
                return
            first_record = False
            try:
                fields = self._parse_json_record(raw)
            except _RecordError as error:
                self.fail(str(error), path, line_no)
                continue
            self.add_record(path, line_no, *fields)

    def _parse_json_record(self, raw: bytes) -> tuple[str, str, str | None, str | None, str | None]:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _RecordError(_bad_utf8(raw, error)) from None
        try:
            record = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            # json's messages read "Expecting ',' delimiter" or "... starting at"
            at = "" if error.msg.endswith(" at") else " at"
            raise _RecordError(f"invalid JSON: {error.msg}{at} column {error.colno}") from None
        except RecursionError:
            raise _RecordError("invalid JSON: nested too deeply") from None
        if not isinstance(record, dict):
            raise _RecordError(f"expected a JSON object, found {_json_type(record)}")

        if self.id_field not in record:
            raise _RecordError(f"missing field {self.id_field!r}")
        raw_id = record[self.id_field]
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
            raise _RecordError(
                f"field {self.id_field!r} must be a string or an integer, "
                f"found {_json_type(raw_id)}"
            )
        doc_id = str(raw_id)
        if not doc_id.strip():
            raise _RecordError(f"field {self.id_field!r} is empty")

        if self.text_field not in record:
            raise _RecordError(f"missing field {self.text_field!r}")
        text = record[self.text_field]
        if not isinstance(text, str):
            raise _RecordError(
                f"field {self.text_field!r} must be a string, found {_json_type(text)}"
            )
        # JSON may escape a lone UTF-16 surrogate ("\ud800"), which no UTF-8 output can
        # hold; only lines with a \u escape can carry one, so the search is rarely run.
        if (b"\\ud" in raw or b"\\uD" in raw) and _LONE_SURROGATE.search(text):
            raise _RecordError(f"field {self.text_field!r} holds an unpaired \\u surrogate")

        return (
            doc_id,
            text,
            self._json_meta(record, self.outlet_field),
            self._json_meta(record, self.date_field),
            self._json_meta(record, self.title_field),
        )

    @staticmethod
    def _json_meta(record: dict[str, Any], field: str) -> str | None:
        value = record.get(field)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise _RecordError(f"field {field!r} must be a string, found {_json_type(value)}")

    def read_csv(self, path: str, delimiter: str) -> None:
        try:
            with open(path, "rb") as handle, _csv_field_limit():
                self._read_csv(handle, path, delimiter)
        except OSError as error:
            self.fail(f"cannot read: {error.strerror or error}", path)

    def _read_csv(self, handle: IO[bytes], path: str, delimiter: str) -> None:
        problem = _sniff(handle.read(_HEAD_BYTES))
        if problem:
            self.fail(problem, path)
            return
        handle.seek(0)
        bad_lines: dict[int, str] = {}  # physical line -> why it is not UTF-8

        def lines() -> Iterator[str]:
            # One physical line at a time with its line ending intact, so the csv module
            # keeps "\r\n" inside quoted fields exactly as written. Undecodable lines are
            # noted and passed on escaped, so the record they belong to can be reported.
            for line_no, raw in enumerate(handle, start=1):
                if line_no == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    bad_lines[line_no] = _bad_utf8(raw, error)
                    yield raw.decode("utf-8", "surrogateescape")

        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        columns: dict[str, int] | None = None
        width = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if columns is None:
                    self.fail(f"malformed header: {error}", path, start)
                    return
                self.fail(f"malformed CSV: {error}", path, start)
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            bad = next(
                ((n, bad_lines[n]) for n in range(start, reader.line_num + 1) if n in bad_lines),
                None,
            )
            if bad is not None:
                message = bad[1] + (f" on line {bad[0]}" if bad[0] != start else "")
                if columns is None:
                    self.fail(f"header is {message}", path, start)
                    return
                self.fail(message, path, start)
                continue

            if columns is None:  # the header row
                names = [name.strip() for name in row]
                columns = {}
                for index, name in enumerate(names):
                    columns.setdefault(name, index)
                missing = [f for f in (self.id_field, self.text_field) if f not in columns]
                if missing:
                    found = ", ".join(repr(_shorten(name)) for name in names[:12])
                    hint = ""
                    if delimiter == "," and len(names) == 1 and "\t" in row[0]:
                        hint = "; tab-separated files must be named .tsv"
                    self.fail(
                        f"missing column {missing[0]!r} in header (found {found}){hint}",
                        path,
                        start,
                    )
                    return
                width = len(row)
                continue

            if len(row) != width:
                self.fail(
                    f"expected {width} fields as in the header, found {len(row)}", path, start
                )
                continue
            doc_id = row[columns[self.id_field]]
            if not doc_id.strip():
                self.fail(f"field {self.id_field!r} is empty", path, start)
                continue
            self.add_record(
                path,
                start,
                doc_id,
                row[columns[self.text_field]],
                _column(row, columns, self.outlet_field),
                _column(row, columns, self.date_field),
                _column(row, columns, self.title_field),
            )


# -- helpers ---------------------------------------------------------------------------


@contextmanager
def _csv_field_limit() -> Iterator[None]:
    """Lift the csv module's per-field size limit for long articles, then restore it."""
    previous = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _sniff(head: bytes) -> str | None:
    """Why a JSONL/CSV file is not UTF-8 text, judged from its first bytes, or None."""
    if head.startswith(_UTF16_BOMS):
        return "UTF-16 text; save it as UTF-8"
    nul = head.find(b"\0")
    if nul >= 0:
        return f"binary file (NUL byte at offset {nul}), expected UTF-8 text"
    try:
        # final=False: a character cut at the end of the sniffed block is not an error
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as error:
        return (
            f"not UTF-8 text (byte 0x{head[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8"
        )
    return None


def _bad_utf8(raw: bytes, error: UnicodeDecodeError) -> str:
    return f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1})"


def _utf8_size(text: str, limit: int) -> int | None:
    """The UTF-8 size of ``text`` if it exceeds ``limit``, else None (cheaply)."""
    if len(text) * 4 <= limit:  # no character takes more than 4 bytes
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def _optional(value: str | None) -> str | None:
    """Metadata value with surrounding space removed; empty means absent."""
    if value is None:
        return None
    return value.strip() or None


def _column(row: list[str], columns: dict[str, int], name: str) -> str | None:
    index = columns.get(name)
    return None if index is None else row[index]


def _where(path: str, line: int | None) -> str:
    return path if line is None else f"{path}:{line}"


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    return "number"
