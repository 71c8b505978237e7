"""dedup: find shared wire copy in a news corpus and show how each outlet reworded it.

>>> from dedup import read_corpus, find
>>> result = find(read_corpus(["seeds"]))  # doctest: +SKIP
"""

from __future__ import annotations

from .corpus import read_corpus
from .errors import DedupError, InputError, ParameterError
from .index import LSHParams
from .models import (
    Cluster,
    Corpus,
    Document,
    Match,
    Passage,
    PassageTable,
    Skipped,
    Span,
    Token,
)
from .pipeline import FindParams, FindResult, find
from .relations import Relation
from .signatures import MinHashParams

__version__ = "0.1.0"

__all__ = [
    "Cluster",
    "Corpus",
    "DedupError",
    "Document",
    "FindParams",
    "FindResult",
    "InputError",
    "LSHParams",
    "Match",
    "MinHashParams",
    "ParameterError",
    "Passage",
    "PassageTable",
    "Relation",
    "Skipped",
    "Span",
    "Token",
    "find",
    "read_corpus",
]
