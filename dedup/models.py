"""The records that travel between pipeline stages.

All are frozen dataclasses: stages return new records instead of mutating old ones.
Character offsets (``start``/``end``) are always Python string indices into the
document's *original* text, never into a normalised copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


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
