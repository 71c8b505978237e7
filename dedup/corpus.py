"""Read articles from disk into a :class:`~dedup.models.Corpus`.

Accepted inputs (several may be given in one call; documents keep input order):

* a **folder**: every ``.txt`` file below it, recursively, sorted by relative path;
  hidden files and folders are ignored and other file types are not documents.
  Symbolic links to files and folders are followed; a link to a folder already read
  (a loop, or a second way to the same folder) is skipped with a warning. The id is
  the path relative to the folder with ``/`` separators (``sub/a.txt``);
* a **.txt file** named directly: the id is its file name;
* **JSON Lines** (``.jsonl``, ``.ndjson``, and ``.json`` holding JSON Lines): one
  object per line with an ``id`` (string or integer) and a ``text`` string, and
  optionally ``outlet``, ``date`` and ``title``;
* ``-``: JSON Lines read from standard input; messages name it ``<stdin>``;
* **CSV** (``.csv``) with a header row naming the same columns, quoted as usual
  (``"..."``, ``""`` for a quote); ids stay strings exactly as written;
* **TSV** (``.tsv``): the same, tab-separated and not quoted (the usual convention):
  one record per line, ``"`` is an ordinary character, so a field holds no tab and no
  line break;
* **Parquet** (``.parquet``, needs ``pip install 'dedup[parquet]'``): columns with the
  same names; ``id`` holds strings or integers (an integer id becomes its decimal
  string), ``text`` strings, the metadata columns strings or integers (``date`` also
  dates and timestamps, written in ISO 8601). It is read in record batches, so no
  text is held twice. Messages name a record ``file.parquet:row N`` (N counts records
  from 1);
* a **glob pattern** the shell did not expand (``'shards/*.parquet'``, ``'**/*.jsonl'``:
  ``**`` matches any depth of folders): the paths it matches, sorted by name, each
  read as if named directly. A path that exists is never taken as a pattern.

Field and column names can be changed with the ``*_field`` options. A document without
an outlet is its own outlet (``outlet`` defaults to the id). When an outlet, date or
title field other than the default occurs in no record, :attr:`Corpus.warnings
<dedup.models.Corpus.warnings>` says so.

Text is kept exactly as decoded: files are read as bytes and decoded as UTF-8 with
no newline translation (``\\r\\n`` stays ``\\r\\n``) and nothing stripped except a
leading byte-order mark. Every character offset this library reports indexes into
this text, so it must not be altered.

Bad input never ends in a traceback:

* documented skips, always recorded in :attr:`Corpus.skipped
  <dedup.models.Corpus.skipped>` and never an error: a ``.txt`` file that is binary
  (NUL byte in its first 8 KiB), not valid UTF-8, empty or whitespace-only, larger than
  ``max_doc_bytes``, not a regular file (a FIFO, a device), a broken symbolic link, or
  whose name is not valid UTF-8; a JSONL/CSV record whose text is empty or larger than
  ``max_doc_bytes`` (UTF-8 bytes); a file already read under another name (the same
  file reached twice, e.g. a folder and a file inside it): it is read once;
* errors, raised as :class:`~dedup.errors.InputError` naming ``file:line``, or recorded
  as skipped with ``skip_invalid=True``: a malformed record (invalid JSON or CSV, not an
  object, invalid UTF-8 or a NUL byte on its line, missing or mistyped
  ``id``/``text``, an unpaired ``\\u`` surrogate in a field, wrong field count), a
  duplicate id, a JSONL/CSV file that is binary (it starts as a ZIP, gzip, Parquet, PDF or
  SQLite file does) or UTF-16 text, a CSV file whose header is malformed or lacks the id or text
  column, a file that cannot be read; for Parquet, a file that is not Parquet or is corrupt,
  a missing ``id``/``text`` column or one of the wrong type (naming the file), a null or
  empty id, a null text or a string that is not valid UTF-8 (naming ``file:row N``).
  A quote out of place in a CSV file loses track of where records start, so reading
  that file stops at the record that holds it (the records before it are kept): no
  document is ever made out of the middle of a field;
* always errors: a missing path, a glob pattern that matches nothing, an unsupported file
  type, a non-regular file named directly, ``-`` given twice, a Parquet file when pyarrow
  is not installed (:class:`~dedup.errors.MissingDependency`, saying what to install), and
  a call that reads no document at all.
"""

from __future__ import annotations

import codecs
import csv
import errno
import glob
import io
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Container, Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, Any, NamedTuple

from .errors import InputError, MissingDependency, ParameterError
from .models import Corpus, Document, Skipped

__all__ = ["STDIN", "SUPPORTED_SUFFIXES", "Pair", "read_corpus", "read_pairs"]

_TXT = (".txt",)
_JSONL = (".jsonl", ".ndjson", ".json")
_CSV = {".csv": ",", ".tsv": "\t"}
_PARQUET = (".parquet",)
SUPPORTED_SUFFIXES: tuple[str, ...] = _TXT + _JSONL + tuple(_CSV) + _PARQUET
"""File name endings :func:`read_corpus` accepts (case-insensitive), besides folders."""

STDIN = "-"
"""The input path that means JSON Lines on standard input."""
_STDIN_NAME = "<stdin>"

_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # e.g. Excel's "Unicode text"
_HEAD_BYTES = 8192  # how much of a .txt file is searched for NUL bytes
# A JSONL/CSV file is judged as a whole only by how it starts; anything else is judged
# line by line, so one bad byte costs one record.
_BINARY_STARTS = (
    (b"PK\x03\x04", "ZIP archive: .xlsx, .docx, ..."),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PAR1", "Parquet"),
    (b"%PDF-", "PDF"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office file: .xls, .doc"),
)
_SNIFF_BYTES = 16
_UTF16_START = re.compile(rb"[^\0]\0[^\0]\0|\0[^\0]\0[^\0]")  # "{\0"\0..." without a BOM
# Python's csv default (128 KiB per field) is too small for long articles; 2**31 - 1
# is the largest value every platform's C long accepts.
_CSV_FIELD_LIMIT = 2**31 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_DEFAULT_META = {"outlet": "outlet", "date": "date", "title": "title"}
_GLOB_MAGIC = re.compile(r"[*?[]")
# Records converted to Python objects at a time: small enough that a batch of long texts
# stays a few MB of Arrow memory besides the documents already read (measured on 104 MB
# of text: 1,024 rows peaked 27 MB higher, at the same speed).
_PARQUET_BATCH_ROWS = 256


class _RecordError(Exception):
    """A malformed record: reported as ``file:line: message`` or skipped."""


class _JsonInt(str):
    """A JSON integer kept as its digits, so an id of any length reads without
    Python's 4,300-digit limit on ``int``; the type marks it as a number."""


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
    """Read documents from folders, ``.txt``, JSON Lines and CSV/TSV files, and ``-``
    (JSON Lines on standard input).

    Documents come back in input order (a folder's files sorted by relative path).
    Inputs that are documented skips (empty, binary, not UTF-8, too large, not a
    regular file, read already) are listed in ``Corpus.skipped``; malformed records and
    duplicate ids raise :class:`InputError` unless ``skip_invalid`` is true, in which
    case they are listed as skipped too. Raises :class:`InputError` for a missing path,
    an unsupported file type, or when no document at all was read;
    :class:`ParameterError` if ``max_doc_bytes`` < 1.

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
    names = [match for name in names for match in _expand(name)]
    if names.count(STDIN) > 1:
        raise InputError("standard input ('-') can be read only once")
    kinds = [_classify(name) for name in names]  # fail fast on typos before reading
    if "parquet" in kinds:
        _pyarrow()  # fail fast without pyarrow too

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
        elif kind == "stdin":
            reader.read_stdin()
        elif kind == "parquet":
            reader.read_parquet(name)
        else:
            reader.read_table(name, kind)

    if not reader.documents:
        raise InputError(_nothing_read_message(names, reader.skipped, empty_folders))
    return Corpus(
        documents=tuple(reader.documents),
        skipped=tuple(reader.skipped),
        warnings=reader.field_warnings(),
    )


def _expand(name: str) -> list[str]:
    """``name``, or the paths a glob pattern in it matches (sorted by name); a pattern
    that matches nothing is an error naming it. A path that exists is taken as it is,
    so a file named ``a[1].txt`` is still read."""
    if name == STDIN or not _GLOB_MAGIC.search(name) or os.path.lexists(name):
        return [name]
    matches = sorted(glob.glob(name, recursive=True))
    if not matches:
        raise InputError("no file or folder matches this pattern", path=_shown(name))
    return matches


def _pyarrow() -> tuple[Any, Any]:
    """``pyarrow`` and ``pyarrow.parquet``, or :class:`MissingDependency` saying what to
    install."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as error:
        missing = isinstance(error, ModuleNotFoundError) and error.name == "pyarrow"
        raise MissingDependency(
            "reading Parquet", "pyarrow", extra="parquet", detail="" if missing else str(error)
        ) from None
    return pa, pq


def _classify(name: str) -> str:
    """Return ``folder``, ``txt``, ``stdin``, ``jsonl``, ``parquet``, ``.csv`` or
    ``.tsv``; raise for bad paths."""
    if name == STDIN:
        return "stdin"
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise InputError("no such file or directory", path=_shown(name)) from None
    except OSError as error:
        raise InputError(f"cannot read: {_reason(error)}", path=_shown(name)) from None
    if stat.S_ISDIR(mode):
        return "folder"
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        found = f"'{_shown(suffix)}'" if suffix else "(no extension)"
        raise InputError(
            f"unsupported file type {found}; supported: a folder of .txt files, "
            + ", ".join(SUPPORTED_SUFFIXES)
            + ", - (JSON Lines on standard input)",
            path=_shown(name),
        )
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file or folder", path=_shown(name))
    if suffix in _TXT:
        return "txt"
    if suffix in _JSONL:
        return "jsonl"
    if suffix in _PARQUET:
        return "parquet"
    return suffix


def _nothing_read_message(names: list[str], skipped: list[Skipped], empty: list[str]) -> str:
    shown = [_shown(name) for name in names]
    where = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
    message = f"no documents read from {where}: {len(skipped)} skipped"
    if skipped:
        message += f" (first: {skipped[0].path}: {skipped[0].reason})"
    if empty:
        message += f"; no .txt files found in folder {_shown(empty[0])}"
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
        self.files_read: dict[tuple[int, int], str] = {}  # (device, inode) -> shown path
        # metadata fields named by the caller (not the defaults) that no record has yet
        self.unseen: dict[str, str] = {
            name: role
            for role, name in (
                ("outlet", outlet_field),
                ("date", date_field),
                ("title", title_field),
            )
            if name != _DEFAULT_META[role]
        }

    # -- policy ------------------------------------------------------------------------

    def fail(self, message: str, path: str, line: int | None = None) -> None:
        """An error: raise it, or record it as skipped under ``skip_invalid``."""
        if not self.skip_invalid:
            raise InputError(message, path=_shown(path), line=line)
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

    def read_once(self, info: os.stat_result, path: str) -> bool:
        """False (and a skip) when this file was read already under another name."""
        if not stat.S_ISREG(info.st_mode):
            return True  # a pipe: cannot be reached twice
        key = (info.st_dev, info.st_ino)
        first = self.files_read.get(key)
        if first is not None:
            self.skip(f"same file as {first}, read once", path)
            return False
        self.files_read[key] = _shown(path)
        return True

    def saw_fields(self, names: Container[str]) -> None:
        """Note which caller-named metadata fields a record or header holds."""
        for name in [name for name in self.unseen if name in names]:
            del self.unseen[name]

    def field_warnings(self) -> tuple[str, ...]:
        return tuple(
            f"{role} field {name!r} occurs in no record"
            + (" (each document is its own outlet)" if role == "outlet" else "")
            for name, role in self.unseen.items()
        )

    # -- .txt files and folders -------------------------------------------------------

    def read_folder(self, folder: str) -> int:
        """Read every non-hidden ``.txt`` below ``folder``; return how many were found."""
        found: list[tuple[str, str]] = []  # (id, path)

        def walk_error(error: OSError) -> None:
            self.fail(f"cannot read: {_reason(error)}", error.filename or folder)

        # Links are followed; a folder is read once, under the first path that reaches it
        # (real folders are claimed before links in each listing), so a loop ends there.
        try:
            root = os.stat(folder)
        except OSError as error:
            self.fail(f"cannot read: {_reason(error)}", folder)
            return 0
        claimed = {(root.st_dev, root.st_ino): folder}
        for dirpath, dirnames, filenames in os.walk(
            folder, onerror=walk_error, followlinks=True
        ):
            keep = []
            listed = sorted(d for d in dirnames if not d.startswith("."))
            listed.sort(key=lambda d: os.path.islink(os.path.join(dirpath, d)))
            for name in listed:
                sub = os.path.join(dirpath, name)
                try:
                    info = os.stat(sub)
                except OSError as error:
                    self.fail(f"cannot read: {_reason(error)}", sub)
                    continue
                first = claimed.setdefault((info.st_dev, info.st_ino), sub)
                if first != sub:
                    self.skip(f"link to a folder already read ({_shown(first)})", sub)
                    continue
                keep.append(name)
            dirnames[:] = sorted(keep)
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
        if _has_surrogate(doc_id):
            self.skip("file name is not valid UTF-8", path)
            return
        try:
            info = os.stat(path)
        except OSError as error:
            if os.path.islink(path):  # the link is there, its target is not
                loop = error.errno == errno.ELOOP
                self.skip("symbolic link loop" if loop else "broken symbolic link", path)
            else:
                self.fail(f"cannot read: {_reason(error)}", path)
            return
        if not stat.S_ISREG(info.st_mode):
            self.skip("not a regular file", path)
            return
        if not self.read_once(info, path):
            return
        if info.st_size > limit:  # reject without reading it into memory
            self.skip(f"larger than {limit} bytes ({info.st_size})", path)
            return
        try:
            with _open_regular(path) as handle:
                data = handle.read(limit + 1)
        except _NotRegular:
            self.skip("not a regular file", path)
            return
        except OSError as error:
            self.fail(f"cannot read: {_reason(error)}", path)
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
        source = _shown(path)
        self.add(Document(id=doc_id, text=text, outlet=doc_id, source=source), path, None)

    # -- records (JSON Lines, CSV, TSV) -----------------------------------------------

    def add_record(
        self,
        path: str,
        line: int | None,
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

    def read_table(self, path: str, kind: str) -> None:
        """A JSONL, CSV or TSV file named directly."""
        try:
            with _open_regular(path) as handle:
                if not self.read_once(os.fstat(handle.fileno()), path):
                    return
                if kind == "jsonl":
                    self._read_jsonl(handle, path)
                else:
                    with _csv_field_limit():
                        self._read_rows(handle, path, _CSV[kind])
        except _NotRegular:
            self.fail("not a regular file", path)
        except OSError as error:
            self.fail(f"cannot read: {_reason(error)}", path)

    def read_stdin(self) -> None:
        """JSON Lines from standard input, named ``<stdin>`` in messages."""
        handle = getattr(sys.stdin, "buffer", None)
        if handle is None:
            self.fail("standard input is not available", _STDIN_NAME)
            return
        try:
            info = os.fstat(handle.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            info = None  # not a real file (a test's stream)
        if info is not None and not self.read_once(info, _STDIN_NAME):
            return
        try:
            self._read_jsonl(handle, _STDIN_NAME)
        except OSError as error:
            self.fail(f"cannot read: {_reason(error)}", _STDIN_NAME)

    def _read_jsonl(self, handle: IO[bytes], path: str) -> None:
        head = handle.read(_SNIFF_BYTES)
        problem = _binary_start(head)
        if problem:
            self.fail(problem, path)
            return
        first_record = True
        for line_no, raw in enumerate(_lines(head, handle), start=1):
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
        line, problem = _decode_line(raw)
        if problem:
            raise _RecordError(problem)
        try:
            record = json.loads(line.rstrip("\r\n"), parse_int=_JsonInt)
        except json.JSONDecodeError as error:
            # json's messages read "Expecting ',' delimiter" or "... starting at"
            at = "" if error.msg.endswith(" at") else " at"
            raise _RecordError(f"invalid JSON: {error.msg}{at} column {error.colno}") from None
        except RecursionError:
            raise _RecordError("invalid JSON: nested too deeply") from None
        if not isinstance(record, dict):
            raise _RecordError(f"expected a JSON object, found {_json_type(record)}")
        if self.unseen:
            self.saw_fields(record)

        if self.id_field not in record:
            raise _RecordError(f"missing field {self.id_field!r}")
        raw_id = record[self.id_field]
        if not isinstance(raw_id, str):  # a _JsonInt is a str too
            raise _RecordError(
                f"field {self.id_field!r} must be a string or an integer, "
                f"found {_json_type(raw_id)}"
            )
        doc_id = "0" if raw_id == "-0" and isinstance(raw_id, _JsonInt) else str(raw_id)
        if not doc_id.strip():
            raise _RecordError(f"field {self.id_field!r} is empty")

        if self.text_field not in record:
            raise _RecordError(f"missing field {self.text_field!r}")
        text = record[self.text_field]
        if not isinstance(text, str) or isinstance(text, _JsonInt):
            raise _RecordError(
                f"field {self.text_field!r} must be a string, found {_json_type(text)}"
            )
        meta = [
            self._json_meta(record, self.outlet_field),
            self._json_meta(record, self.date_field),
            self._json_meta(record, self.title_field),
        ]
        # JSON may escape a lone UTF-16 surrogate ("\ud800"), which no UTF-8 output can
        # hold; only lines with a \u escape can carry one, so the search is rarely run.
        if b"\\ud" in raw or b"\\uD" in raw:
            named = zip(
                (self.id_field, self.text_field, self.outlet_field, self.date_field,
                 self.title_field),
                [doc_id, text, *meta],
                strict=True,
            )
            for name, value in named:
                if value is not None and _has_surrogate(value):
                    raise _RecordError(f"field {name!r} holds an unpaired \\u surrogate")
        return (doc_id, str(text), meta[0], meta[1], meta[2])

    @staticmethod
    def _json_meta(record: dict[str, Any], field: str) -> str | None:
        value = record.get(field)
        if value is None or isinstance(value, str):  # _JsonInt included
            return None if value is None else str(value)
        raise _RecordError(f"field {field!r} must be a string, found {_json_type(value)}")

    def _read_rows(self, handle: IO[bytes], path: str, delimiter: str) -> None:
        head = handle.read(_SNIFF_BYTES)
        problem = _binary_start(head)
        if problem:
            self.fail(problem, path)
            return
        columns: dict[str, int] | None = None
        width = 0
        for row in _table_rows(_lines(head, handle), delimiter):
            start = row.line
            if row.problem is not None:
                if columns is None:
                    self.fail(f"header: {row.problem}", path, start)
                    return
                message = row.problem
                if row.lost_sync and self.skip_invalid:
                    message += "; the rest of the file was not read"
                self.fail(message, path, start)
                if row.lost_sync:
                    return
                continue
            fields = row.fields
            if columns is None:  # the header row
                names = [name.strip() for name in fields]
                columns = {}
                for index, name in enumerate(names):
                    columns.setdefault(name, index)
                if self.unseen:
                    self.saw_fields(columns)
                missing = [f for f in (self.id_field, self.text_field) if f not in columns]
                if missing:
                    found = ", ".join(repr(_shorten(name)) for name in names[:12])
                    hint = ""
                    if delimiter == "," and len(names) == 1 and "\t" in fields[0]:
                        hint = "; tab-separated files must be named .tsv"
                    self.fail(
                        f"missing column {missing[0]!r} in header (found {found}){hint}",
                        path,
                        start,
                    )
                    return
                width = len(fields)
                continue

            if len(fields) != width:
                self.fail(
                    f"expected {width} fields as in the header, found {len(fields)}", path, start
                )
                continue
            doc_id = fields[columns[self.id_field]]
            if not doc_id.strip():
                self.fail(f"field {self.id_field!r} is empty", path, start)
                continue
            self.add_record(
                path,
                start,
                doc_id,
                fields[columns[self.text_field]],
                _column(fields, columns, self.outlet_field),
                _column(fields, columns, self.date_field),
                _column(fields, columns, self.title_field),
            )


    # -- Parquet ----------------------------------------------------------------------

    def read_parquet(self, path: str) -> None:
        """A Parquet file named directly, read in record batches of only the columns
        used, so a batch's Arrow memory is freed before the next is read."""
        pa, pq = _pyarrow()
        try:
            handle = _open_regular(path)
        except _NotRegular:
            self.fail("not a regular file", path)
            return
        except OSError as error:
            self.fail(f"cannot read: {_reason(error)}", path)
            return
        with handle:
            if not self.read_once(os.fstat(handle.fileno()), path):
                return
            try:
                # read as needed, not a row group ahead: that would hold more text
                parquet = pq.ParquetFile(handle, pre_buffer=False)
                schema = parquet.schema_arrow
            except (pa.ArrowException, OSError, ValueError) as error:
                self.fail(f"not a valid Parquet file ({_first_line(error)})", path)
                return
            if self.unseen:
                self.saw_fields(schema.names)
            columns = self._parquet_columns(schema, path, pa)
            if columns is None:
                return
            names = list(dict.fromkeys(column.name for column in columns.values()))
            row = 0
            try:
                for batch in parquet.iter_batches(
                    batch_size=_PARQUET_BATCH_ROWS, columns=names, use_threads=False
                ):
                    arrays = {name: batch.column(name) for name in names}
                    values = {
                        role: _parquet_values(arrays[column.name], column.kind, pa)
                        for role, column in columns.items()
                    }
                    for i in range(batch.num_rows):
                        row += 1
                        record = {role: column[i] for role, column in values.items()}
                        self._parquet_record(path, row, columns, record)
            except (pa.ArrowException, OSError) as error:
                more = "; the rest of the file was not read" if self.skip_invalid else ""
                self.fail(
                    f"corrupt Parquet data after row {row} ({_first_line(error)}){more}", path
                )

    def _parquet_columns(
        self, schema: Any, path: str, pa: Any
    ) -> dict[str, _ParquetColumn] | None:
        """The column each role reads and how its values convert, or None (and a
        failure) when ``id``/``text`` is missing or a column has a type it cannot hold."""
        wanted = (
            ("id", self.id_field, ("string", "integer")),
            ("text", self.text_field, ("string",)),
            ("outlet", self.outlet_field, ("string", "integer")),
            ("date", self.date_field, ("string", "date", "timestamp")),
            ("title", self.title_field, ("string", "integer")),
        )
        names = schema.names
        columns: dict[str, _ParquetColumn] = {}
        for role, name, accepted in wanted:
            if name not in names:
                if role in ("id", "text"):
                    found = ", ".join(repr(_shorten(n)) for n in names[:12])
                    self.fail(f"missing column {name!r} (found {found or 'no columns'})", path)
                    return None
                continue
            if names.count(name) > 1:
                self.fail(f"column {name!r} occurs {names.count(name)} times", path)
                return None
            arrow_type = schema.field(name).type
            kind = _parquet_kind(arrow_type, pa)
            if kind is None or kind not in accepted:
                what = {
                    ("string", "integer"): "strings or integers",
                    ("string",): "strings",
                    ("string", "date", "timestamp"): "strings, dates or timestamps",
                }[accepted]
                self.fail(f"column {name!r} must hold {what}, found {arrow_type}", path)
                return None
            columns[role] = _ParquetColumn(name, kind)
        return columns

    def _parquet_record(
        self, path: str, row: int, columns: dict[str, _ParquetColumn], values: dict[str, Any]
    ) -> None:
        where = f"{path}:row {row}"
        for role, value in values.items():
            name = columns[role].name
            if isinstance(value, _Unreadable):
                self.fail(f"column {name!r}: {value.reason}", where)
                return
            if value is None and role in ("id", "text"):
                self.fail(f"column {name!r} is null", where)
                return
        doc_id = values["id"]
        if not doc_id.strip():
            self.fail(f"column {columns['id'].name!r} is empty", where)
            return
        self.add_record(
            where,
            None,
            doc_id,
            values["text"],
            values.get("outlet"),
            values.get("date"),
            values.get("title"),
        )


class _ParquetColumn(NamedTuple):
    """The Parquet column a role reads, and the kind of values it holds."""

    name: str
    kind: str  # string, integer, date or timestamp


class _Unreadable(NamedTuple):
    """A Parquet value that has no Python string: why."""

    reason: str


def _parquet_kind(arrow_type: Any, pa: Any) -> str | None:
    """``string``, ``integer``, ``date`` or ``timestamp`` for the Arrow types a reader
    accepts (dictionary-encoded strings included), else None."""
    types = pa.types
    if types.is_dictionary(arrow_type):
        return "string" if _parquet_kind(arrow_type.value_type, pa) == "string" else None
    is_view = getattr(types, "is_string_view", lambda t: False)  # pyarrow >= 16
    if types.is_string(arrow_type) or types.is_large_string(arrow_type) or is_view(arrow_type):
        return "string"
    if types.is_integer(arrow_type):
        return "integer"
    if types.is_date(arrow_type):
        return "date"
    if types.is_timestamp(arrow_type):
        return "timestamp"
    return None


def _parquet_values(array: Any, kind: str, pa: Any) -> list[Any]:
    """One batch of a column as Python strings (None for null); a value that cannot be
    converted (bytes that are not UTF-8, a date out of Python's range) becomes an
    :class:`_Unreadable`, so it costs one record."""
    if kind == "timestamp":
        # microseconds: Python's datetime has no nanoseconds
        array = array.cast(pa.timestamp("us", tz=array.type.tz), safe=False)
    try:
        values = array.to_pylist()
    except (ValueError, OverflowError):  # UnicodeDecodeError is a ValueError
        values = []
        for i in range(len(array)):
            try:
                values.append(array[i].as_py())
            except UnicodeDecodeError:
                values.append(_Unreadable("not valid UTF-8"))
            except (ValueError, OverflowError) as error:
                values.append(_Unreadable(f"unreadable value ({_first_line(error)})"))
    if kind == "string":
        return values
    if kind == "integer":
        return [v if v is None or isinstance(v, _Unreadable) else str(v) for v in values]
    return [v if v is None or isinstance(v, _Unreadable) else v.isoformat() for v in values]


# -- pairs files (compare --pairs) -----------------------------------------------------


class Pair(NamedTuple):
    """One row of a pairs file: its first line and the two document ids."""

    line: int
    source_id: str
    derived_id: str


_PAIR_COLUMNS = ("source_id", "derived_id")


def read_pairs(
    path: str | os.PathLike[str],
    *,
    skip_invalid: bool = False,
    on_skip: Callable[[Skipped], None] | None = None,
) -> Iterator[Pair]:
    """Yield each (``source_id``, ``derived_id``) row of a CSV file (TSV, unquoted, when
    the name ends in ``.tsv``) as a :class:`Pair`, in file order, as the file is read.

    Other columns are ignored; ids are strings as written. A missing, non-regular or
    empty file, or a header without both columns, raises :class:`InputError` naming the
    file. A bad row (invalid UTF-8 or a NUL byte on its line, malformed CSV, an empty
    id) raises ``InputError`` naming ``file:line``, or with ``skip_invalid=True`` is
    passed to ``on_skip`` as a :class:`~dedup.models.Skipped` and left out. A quote out
    of place in a CSV file stops the reading there, as in :func:`read_corpus`.

    >>> [tuple(p) for p in read_pairs("pairs.csv")][:1]  # doctest: +SKIP
    [(2, '0002', '0002p')]
    """
    name = os.fspath(path)
    shown = _shown(name)
    delimiter = "\t" if name.lower().endswith(".tsv") else ","

    def bad(problem: str, line: int) -> None:
        if not skip_invalid:
            raise InputError(problem, path=shown, line=line)
        if on_skip is not None:
            on_skip(Skipped(f"{shown}:{line}", problem))

    try:
        handle = _open_regular(name)
    except FileNotFoundError:
        raise InputError("no such file or directory", path=shown) from None
    except _NotRegular:
        raise InputError("not a regular file", path=shown) from None
    except OSError as error:
        raise InputError(f"cannot read: {_reason(error)}", path=shown) from None
    with handle, _csv_field_limit():
        head = handle.read(_SNIFF_BYTES)
        problem = _binary_start(head)
        if problem:
            raise InputError(problem, path=shown)
        index: dict[str, int] | None = None
        for row in _table_rows(_lines(head, handle), delimiter):
            if index is None:
                if row.problem is not None:
                    raise InputError(f"header: {row.problem}", path=shown, line=row.line)
                header = [name.strip() for name in row.fields]
                missing = [c for c in _PAIR_COLUMNS if c not in header]
                if missing:
                    raise InputError(
                        f"missing column{'s' if len(missing) > 1 else ''} "
                        + ", ".join(repr(c) for c in missing)
                        + "; the header has "
                        + ", ".join(repr(_shorten(h)) for h in header[:12]),
                        path=shown,
                    )
                index = {c: header.index(c) for c in _PAIR_COLUMNS}
                continue
            if row.problem is not None:
                bad(row.problem, row.line)
                if row.lost_sync:
                    return
                continue
            ids = [row.fields[i] if i < len(row.fields) else "" for i in index.values()]
            empty = next((c for c, i in zip(_PAIR_COLUMNS, ids, strict=True) if not i), None)
            if empty is not None:
                bad(f"empty {empty}", row.line)
                continue
            yield Pair(row.line, ids[0], ids[1])
        if index is None:
            raise InputError(
                "empty file: expected a header row with source_id, derived_id", path=shown
            )


# -- lines and rows ----------------------------------------------------------------------


class _Row(NamedTuple):
    """A CSV/TSV record: its first line, its fields, or why it is bad; ``lost_sync``
    when the reader can no longer tell where the next record starts."""

    line: int
    fields: list[str]
    problem: str | None = None
    lost_sync: bool = False


def _table_rows(lines: Iterator[bytes], delimiter: str) -> Iterator[_Row]:
    """Non-blank records of a CSV (quoted) or TSV (unquoted) file, numbered by line.

    A line that is not UTF-8 or holds a NUL byte makes its record bad but is still
    parsed, so the records after it are found where they are.
    """
    if delimiter == "\t":
        for line_no, raw in enumerate(lines, start=1):
            if line_no == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            text, problem = _decode_line(raw)
            if problem:
                yield _Row(line_no, [], problem)
                continue
            text = text[:-1] if text.endswith("\n") else text
            text = text[:-1] if text.endswith("\r") else text
            fields = text.split("\t")
            if len(fields) > 1 or fields[0].strip():  # else a blank line
                yield _Row(line_no, fields)
        return

    bad_lines: dict[int, str] = {}  # physical line -> why it is not text

    def decoded() -> Iterator[str]:
        # One physical line at a time with its line ending intact, so the csv module
        # keeps "\r\n" inside quoted fields exactly as written. Bad lines are noted and
        # passed on escaped, so the record they belong to can be reported.
        for line_no, raw in enumerate(lines, start=1):
            if line_no == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            text, problem = _decode_line(raw)
            if problem:
                bad_lines[line_no] = problem
                text = text.replace("\0", " ")  # Python < 3.11's csv rejects NUL
            yield text

    reader = csv.reader(decoded(), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # A stray newline in an unquoted field ends that record where the line ends;
            # any other error happens in or after a quoted field, and past it the
            # reader cannot tell text from the start of the next record.
            lost = "new-line character" not in str(error)
            yield _Row(start, [], f"malformed CSV: {error}", lost)
            if lost:
                return
            continue
        bad = next(
            ((n, bad_lines[n]) for n in range(start, reader.line_num + 1) if n in bad_lines),
            None,
        )
        if bad is not None:
            yield _Row(start, [], bad[1] + (f" on line {bad[0]}" if bad[0] != start else ""))
        elif len(row) > 1 or (row and row[0].strip()):  # else a blank line
            yield _Row(start, row)


def _lines(head: bytes, handle: IO[bytes]) -> Iterator[bytes]:
    """``head`` (already read from ``handle``) and the rest of it, one line at a time."""
    first = io.BytesIO(head).readlines()
    if first and not first[-1].endswith(b"\n"):
        first[-1] += handle.readline()
    yield from first
    yield from handle


def _decode_line(raw: bytes) -> tuple[str, str | None]:
    """One line of a JSONL/CSV/TSV file decoded (bytes that are not UTF-8 escaped as
    lone surrogates), and why it is not text (invalid UTF-8, a NUL byte), or None."""
    nul = raw.find(b"\0")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        text = raw.decode("utf-8", "surrogateescape")
        if nul < 0 or error.start < nul:
            byte = raw[error.start]
            return text, f"not valid UTF-8 (byte 0x{byte:02x} at column {error.start + 1})"
    if nul >= 0:
        return text, f"NUL byte at column {nul + 1}"
    return text, None


def _binary_start(head: bytes) -> str | None:
    """Why a JSONL/CSV file is not UTF-8 text at all, judged from how it starts, or None."""
    if head.startswith(_UTF16_BOMS) or _UTF16_START.match(head):
        return "UTF-16 text; save it as UTF-8"
    for magic, what in _BINARY_STARTS:
        if head.startswith(magic):
            return f"binary file ({what}), expected UTF-8 text"
    return None


class _NotRegular(OSError):
    """A path that is not a regular file (a FIFO, a device): never opened for reading."""


def _open_regular(path: str) -> IO[bytes]:
    """Open a regular file for reading; raise :class:`_NotRegular` for anything else.

    Opened without blocking, so a FIFO put in place of a file cannot hang the run.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegular(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# -- helpers ---------------------------------------------------------------------------


@contextmanager
def _csv_field_limit() -> Iterator[None]:
    """Lift the csv module's per-field size limit for long articles, then restore it."""
    previous = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _utf8_size(text: str, limit: int) -> int | None:
    """The UTF-8 size of ``text`` if it exceeds ``limit``, else None (cheaply)."""
    if len(text) * 4 <= limit:  # no character takes more than 4 bytes
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def _has_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def _shown(path: str) -> str:
    """A path as it can be printed and written: bytes of a name that is not UTF-8
    (kept by Python as lone surrogates) are shown as ``\\xNN``."""
    if not _has_surrogate(path):
        return path
    try:
        data = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return data.decode("utf-8", "backslashreplace")


def _reason(error: OSError) -> str:
    return str(error.strerror or error)


def _first_line(error: BaseException) -> str:
    """An error's message, first line only (pyarrow's may run to several)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _optional(value: str | None) -> str | None:
    """Metadata value with surrounding space removed; empty means absent."""
    if value is None:
        return None
    return value.strip() or None


def _column(row: list[str], columns: dict[str, int], name: str) -> str | None:
    index = columns.get(name)
    return None if index is None else row[index]


def _where(path: str, line: int | None) -> str:
    return _shown(path) if line is None else f"{_shown(path)}:{line}"


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
    if isinstance(value, _JsonInt):
        return "integer"
    if isinstance(value, str):
        return "string"
    return "number"
