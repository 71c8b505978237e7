"""The records that travel between pipeline stages.

All are frozen dataclasses: stages return new records instead of mutating old ones.
Character offsets (``start``/``end``) are always Python string indices into the
document's *original* text, never into a normalised copy.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload

import numpy as np


@dataclass(frozen=True)
class Document:
    """One input article.

    ``source`` says where it came from (``path`` or ``path:line``) so errors and
    reports can point back to it.
    """

    id: str
    text: str
    outlet: str
    source: str = ""
    date: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An input that was not read, and why (reported in every output)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    """Documents in input order plus what was skipped on the way, and warnings about
    the input that skipped nothing (a field named by the caller that no record has)."""

    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Token:
    """A word of the original text: ``text[start:end]`` and its matching form."""

    start: int
    end: int
    norm: str


class Passage(NamedTuple):
    """A unit of matching (a sentence) with offsets into its document's original text.

    A named tuple, not a dataclass: a large corpus makes millions of them.
    """

    doc: str
    index: int  # position among the document's passages
    start: int
    end: int
    paragraph: int  # index of the paragraph (block of text) it sits in


class PassageTable(Sequence[Passage]):
    """Every sentence passage of a corpus as columns: a read-only sequence of
    :class:`Passage` that makes each one only when it is asked for.

    ``find`` cuts millions of sentences; as tuples they would cost about 140 bytes
    each, as columns about 24. ``doc_ids`` are the documents' ids in corpus order and
    ``doc_index`` points into them; ``sent_index`` (the :class:`Passage` field
    ``index``: ``index`` stays the method of every sequence), ``start``, ``end`` and
    ``paragraph`` are the other :class:`Passage` fields. The columns are numpy arrays, shared, not
    copied, and read-only. A table equals another sequence of passages with the same
    passages in the same order (a tuple of :class:`Passage`, say).

    >>> t = PassageTable(("a", "b"), [0, 1, 1], [0, 0, 1], [0, 0, 9], [8, 8, 20], [0, 0, 0])
    >>> len(t), t[2]
    (3, Passage(doc='b', index=1, start=9, end=20, paragraph=0))
    >>> t[1:] == (Passage("b", 0, 0, 8, 0), Passage("b", 1, 9, 20, 0))
    True
    """

    __slots__ = ("doc_ids", "doc_index", "sent_index", "start", "end", "paragraph")

    def __init__(self, doc_ids: Sequence[str], doc_index: Iterable[int] | np.ndarray,
                 sent_index: Iterable[int] | np.ndarray, start: Iterable[int] | np.ndarray,
                 end: Iterable[int] | np.ndarray, paragraph: Iterable[int] | np.ndarray
                 ) -> None:
        self.doc_ids = tuple(doc_ids)
        cols = [_column(c) for c in (doc_index, sent_index, start, end, paragraph)]
        if len({len(c) for c in cols}) > 1:
            raise ValueError("PassageTable columns must have the same length, got "
                             + ", ".join(str(len(c)) for c in cols))
        if len(cols[0]) and not 0 <= int(cols[0].min()) <= int(cols[0].max()) < len(self.doc_ids):
            raise ValueError(f"doc_index must lie in [0, {len(self.doc_ids)})")
        self.doc_index, self.sent_index, self.start, self.end, self.paragraph = cols

    @classmethod
    def from_passages(cls, passages: Iterable[Passage]) -> PassageTable:
        """The table of ``passages`` (documents numbered in order of first appearance).

        >>> PassageTable.from_passages([Passage("x", 0, 0, 5, 0)])[0].doc
        'x'
        """
        rows = list(passages)
        ids: dict[str, int] = {}
        doc_index = [ids.setdefault(p.doc, len(ids)) for p in rows]
        return cls(tuple(ids), doc_index, [p.index for p in rows], [p.start for p in rows],
                   [p.end for p in rows], [p.paragraph for p in rows])

    def __len__(self) -> int:
        return len(self.doc_index)

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> PassageTable: ...

    def __getitem__(self, i: int | slice) -> Passage | PassageTable:
        if isinstance(i, slice):
            return PassageTable(self.doc_ids, self.doc_index[i], self.sent_index[i],
                                self.start[i], self.end[i], self.paragraph[i])
        n = len(self.doc_index)
        k = operator.index(i)  # ints and numpy integers; anything else: TypeError
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError(f"passage index {i} out of range for {n} passages")
        return Passage(self.doc_ids[int(self.doc_index[k])], int(self.sent_index[k]),
                       int(self.start[k]), int(self.end[k]), int(self.paragraph[k]))

    def __iter__(self) -> Iterator[Passage]:
        ids, step = self.doc_ids, 1 << 16  # Python ints a block at a time
        for lo in range(0, len(self), step):
            cols = (c[lo:lo + step].tolist() for c in (self.doc_index, self.sent_index,
                                                        self.start, self.end, self.paragraph))
            for d, i, s, e, p in zip(*cols, strict=True):
                yield Passage(ids[d], i, s, e, p)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PassageTable):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self._keys(), other._keys(), strict=True))
        if isinstance(other, (tuple, list)):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a tuple, so not hashable

    def _keys(self) -> Iterator[object]:
        """What two tables compare: document ids per passage, then the columns."""
        yield [self.doc_ids[d] for d in self.doc_index.tolist()]
        for c in (self.sent_index, self.start, self.end, self.paragraph):
            yield c.tolist()

    def __repr__(self) -> str:
        return f"PassageTable({len(self)} passages of {len(self.doc_ids)} documents)"

    def per_document(self) -> dict[str, int]:
        """How many passages each document has (documents with none left out).

        >>> PassageTable(("a", "b"), [1, 1], [0, 1], [0, 5], [4, 9], [0, 0]).per_document()
        {'b': 2}
        """
        counts = np.bincount(self.doc_index, minlength=len(self.doc_ids)) if len(self) else []
        out: dict[str, int] = {}
        for d, n in zip(self.doc_ids, np.asarray(counts).tolist(), strict=False):
            if n:
                out[d] = out.get(d, 0) + n
        return out


def _column(values: Iterable[int] | np.ndarray) -> np.ndarray:
    """A read-only integer column: the array itself when it is one (no copy)."""
    a = values if isinstance(values, np.ndarray) else np.fromiter(values, dtype=np.int64)
    if a.ndim != 1 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"a PassageTable column must be 1-d integers, got {a.dtype} {a.shape}")
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


class Span(NamedTuple):
    """A passage of shared material: ``text[start:end]`` of document ``doc``, the
    sentences ``first..last`` (inclusive indexes among the document's sentences).

    A cluster's version in one document is one span, or several when the document
    split it (a moved paragraph, its own paragraph inserted mid-story).
    """

    doc: str
    start: int
    end: int
    first: int
    last: int


class Match(NamedTuple):
    """A verified pair (indexes into a cluster's passages, or into the sentence table)
    with a 0..1 score."""

    a: int
    b: int
    score: float


@dataclass(frozen=True)
class Cluster:
    """One piece of shared material with every version of it.

    ``kind`` is ``cross-document`` (two or more outlets), ``within-outlet`` (several
    documents of one outlet: boilerplate) or ``within-document`` (repeated inside one
    document: scraping duplicates). ``passages`` are in corpus order, then text order;
    a cross-document cluster may hold several passages of one document (its version,
    split). ``pairs`` index into ``passages``: the verified links (chains of matched
    sentences) that hold the cluster together. ``weakest_link`` is the lowest score
    among them.
    """

    id: int
    kind: str
    passages: tuple[Span, ...]
    pairs: tuple[Match, ...]
    weakest_link: float
    outlets: tuple[str, ...] = field(default=())
