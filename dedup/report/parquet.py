"""The result of ``dedup find`` as Parquet tables, for corpora whose JSON would be
gigabytes (``dedup find PATHS --out-parquet DIR``; needs ``pip install 'dedup[parquet]'``).

The folder holds the content of the JSON format (:mod:`dedup.report.jsonout`), one
flat table per list, plus every sentence and every verified sentence match:

``documents.parquet``
    ``id``, ``outlet``, ``chars``, ``date``, ``title`` (null when absent), ``source``,
    ``passages`` (sentences), ``clusters`` (list of cluster ids, ascending).
``skipped.parquet``
    ``path``, ``reason``.
``clusters.parquet``
    one row per passage of a cluster, in cluster order then the cluster's passage
    order: ``cluster``, ``kind``, ``passage`` (its index in the cluster, which
    ``pairs`` refer to), ``doc``, ``outlet``, ``start``, ``end``, ``first``, ``last``,
    ``weakest_link``, ``score_min``, ``score_max`` and, unless ``passage_text=False``,
    ``text`` (``original[start:end]``). A cluster's ``outlets`` in the JSON are the
    distinct ``outlet`` values of its rows, sorted.
``pairs.parquet``
    the verified links of each cluster: ``cluster``, ``a``, ``b``, ``score``.
``relations.parquet``
    ``source``, ``derived``, ``coverage``, ``source_coverage``, ``verdict``, ``rule``,
    ``clusters`` (list of cluster ids).
``passages.parquet``
    every sentence, the unit of matching: ``doc``, ``index``, ``start``, ``end``,
    ``paragraph``.
``sentence_matches.parquet``
    the verified cross-outlet sentence matches: ``a``, ``b`` (row numbers in
    ``passages.parquet``, from 0) and ``score``.
``summary.json``
    ``version``, ``params`` and ``summary`` exactly as in the JSON, and ``tables``:
    the row count of each table.

Offsets are Python string indices into each document's original text, as in the
JSON. Tables are written in batches, so memory stays bounded by the result itself.

The folder is written whole or not at all: the tables go to a hidden temporary
folder beside it, which is renamed into place once complete; a failure or Ctrl-C
removes it. An existing folder is replaced only when it is empty or holds nothing
but these files (an earlier run's output); anything else is an error, so no
unrelated file is ever deleted.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ..errors import DedupError, MissingDependency
from ..output import visible
from ..pipeline import FindResult
from .jsonout import FORMAT_VERSION, summary

__all__ = ["FILES", "check_target", "write_parquet"]

TABLES = ("documents", "skipped", "clusters", "pairs", "relations", "passages",
          "sentence_matches")
FILES: tuple[str, ...] = tuple(f"{name}.parquet" for name in TABLES) + ("summary.json",)
"""The files :func:`write_parquet` writes: the only ones an existing folder may hold."""

_BATCH_ROWS = 65_536


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as error:
        missing = isinstance(error, ModuleNotFoundError) and error.name == "pyarrow"
        raise MissingDependency("writing Parquet", "pyarrow", extra="parquet",
                                detail="" if missing else str(error)) from None
    return pa, pq


def check_target(directory: str) -> None:
    """Raise :class:`DedupError` (or :class:`MissingDependency`) now if
    :func:`write_parquet` could not write ``directory``, so a long run does not
    fail only at its end.

    >>> check_target("no-such-folder/out")  # doctest: +SKIP
    Traceback (most recent call last):
    dedup.errors.DedupError: no-such-folder/out: cannot write: no folder /home/me/no-such-folder
    """
    _pyarrow()
    _target(directory)


def _target(directory: str) -> str:
    """The real folder to (re)place; errors name ``directory`` as given."""
    shown = visible(directory)
    if not directory:
        raise DedupError("--out-parquet needs a folder name")
    target = os.path.realpath(directory)
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise DedupError(f"{shown}: cannot write: no folder {visible(parent)}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DedupError(f"{shown}: cannot write: permission denied in {visible(parent)}")
    if os.path.lexists(target):
        if not os.path.isdir(target):
            raise DedupError(f"{shown}: exists and is not a folder")
        try:
            others = sorted(set(os.listdir(target)) - set(FILES))
        except OSError as e:
            raise DedupError(f"{shown}: cannot read: {e.strerror or e}") from None
        if others:
            listed = ", ".join(visible(name) for name in others[:3])
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            raise DedupError(f"{shown}: the folder holds files dedup did not write ({listed}"
                             f"{more}); give a new or empty folder")
    return target


def write_parquet(result: FindResult, directory: str, *, passage_text: bool = True) -> None:
    """Write ``result`` as Parquet tables into the folder ``directory`` (see the module
    docstring for the tables); ``passage_text=False`` leaves the ``text`` column out of
    ``clusters.parquet`` (offsets into the original texts remain).

    Raises :class:`MissingDependency` without pyarrow, :class:`DedupError` naming the
    folder when it cannot be written.

    >>> from dedup import find, read_corpus
    >>> write_parquet(find(read_corpus(["seeds"])), "out")  # doctest: +SKIP
    """
    pa, pq = _pyarrow()
    target = _target(directory)
    parent, base = os.path.split(target)
    tmp = os.path.join(parent, f".{base}.dedup-{secrets.token_hex(4)}.tmp")
    try:
        os.mkdir(tmp, 0o777)  # the umask applies, as to any new folder
        try:
            rows = {}
            for name, schema, records in _tables(pa, result, passage_text):
                rows[name] = _write_table(pa, pq, os.path.join(tmp, f"{name}.parquet"),
                                          schema, records)
            manifest = {"version": FORMAT_VERSION, "params": result.params.to_dict(),
                        "summary": summary(result), "tables": rows}
            with open(os.path.join(tmp, "summary.json"), "w", encoding="utf-8") as f:
                f.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
                f.flush()
                os.fsync(f.fileno())
            _replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except OSError as e:
        reason = "no space left on device" if e.errno == errno.ENOSPC else e.strerror or e
        raise DedupError(f"{visible(directory)}: cannot write: {reason}") from e
    except pa.ArrowException as e:
        raise DedupError(f"{visible(directory)}: cannot write: {e}") from e


def _replace(tmp: str, target: str) -> None:
    """Put the complete folder ``tmp`` at ``target``; an earlier output there (checked
    by :func:`_target`) is moved aside first and removed after."""
    if not os.path.lexists(target):
        os.rename(tmp, target)
        return
    _target(target)  # it may have changed while the tables were written
    old = f"{tmp}.old"
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_table(pa: Any, pq: Any, path: str, schema: Any, records: Iterable[tuple]) -> int:
    """Write ``records`` (tuples in the schema's column order) in batches; return the
    row count."""
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        it = iter(records)
        while chunk := list(islice(it, _BATCH_ROWS)):
            columns = list(zip(*chunk, strict=True))
            writer.write_batch(pa.record_batch(
                [pa.array(values, type=field.type)
                 for values, field in zip(columns, schema, strict=True)],
                schema=schema))
            count += len(chunk)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return count


def _tables(pa: Any, result: FindResult,
            passage_text: bool) -> Iterator[tuple[str, Any, Iterable[tuple]]]:
    """(name, schema, rows) for each table, rows produced as they are written."""
    string, int64, float64 = pa.string(), pa.int64(), pa.float64()
    ids = pa.list_(int64)
    docs = result.corpus.documents
    outlet_of = {d.id: d.outlet for d in docs}

    per_doc_passages = result.passages.per_document()
    per_doc_clusters: dict[str, set[int]] = {}
    for c in result.clusters:
        for span in c.passages:
            per_doc_clusters.setdefault(span.doc, set()).add(c.id)
    yield "documents", pa.schema([
        ("id", string), ("outlet", string), ("chars", int64), ("date", string),
        ("title", string), ("source", string), ("passages", int64), ("clusters", ids),
    ]), ((d.id, d.outlet, len(d.text), d.date or None, d.title or None, d.source,
          per_doc_passages.get(d.id, 0), sorted(per_doc_clusters.get(d.id, ())))
         for d in docs)

    yield "skipped", pa.schema([("path", string), ("reason", string)]), (
        (s.path, s.reason) for s in result.corpus.skipped)

    fields = [("cluster", int64), ("kind", string), ("passage", int64), ("doc", string),
              ("outlet", string), ("start", int64), ("end", int64), ("first", int64),
              ("last", int64), ("weakest_link", float64), ("score_min", float64),
              ("score_max", float64)]
    texts = {d.id: d.text for d in docs} if passage_text else {}
    yield "clusters", pa.schema(fields + ([("text", string)] if passage_text else [])), (
        _cluster_rows(result, outlet_of, texts if passage_text else None))

    yield "pairs", pa.schema([("cluster", int64), ("a", int64), ("b", int64),
                              ("score", float64)]), (
        (c.id, m.a, m.b, float(m.score)) for c in result.clusters for m in c.pairs)

    yield "relations", pa.schema([
        ("source", string), ("derived", string), ("coverage", float64),
        ("source_coverage", float64), ("verdict", string), ("rule", string), ("clusters", ids),
    ]), ((r.source, r.derived, float(r.coverage), float(r.source_coverage), r.verdict,
          r.rule, list(r.clusters)) for r in result.relations)

    yield "passages", pa.schema([("doc", string), ("index", int64), ("start", int64),
                                 ("end", int64), ("paragraph", int64)]), (
        (p.doc, p.index, p.start, p.end, p.paragraph) for p in result.passages)

    pairs, scores = result.sentence_pairs, result.sentence_scores
    yield "sentence_matches", pa.schema([("a", int64), ("b", int64), ("score", float64)]), (
        (int(pairs[i, 0]), int(pairs[i, 1]), float(scores[i])) for i in range(len(pairs)))


def _cluster_rows(result: FindResult, outlet_of: dict[str, str],
                  texts: dict[str, str] | None) -> Iterator[tuple]:
    for c in result.clusters:
        scores = [float(m.score) for m in c.pairs]
        low, high = (min(scores), max(scores)) if scores else (None, None)
        for i, s in enumerate(c.passages):
            row = (c.id, c.kind, i, s.doc, outlet_of[s.doc], s.start, s.end, s.first, s.last,
                   float(c.weakest_link), low, high)
            yield row if texts is None else (*row, texts[s.doc][s.start:s.end])


