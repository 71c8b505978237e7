"""The local engine: every heavy step of :func:`dedup.find` in this process, as the
stage modules define it (tokenising on forked workers for a large corpus)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..features import FeatureTable, WordPrior, build_features_hashed
from ..index import LSHParams, candidate_pairs
from ..models import Document
from ..parallel import threads_for
from ..relations import Coverage, coverages
from ..signatures import MinHashParams, signatures
from ..tokens import Tokens, tokenize
from ..verify import score_pairs

if TYPE_CHECKING:
    from ..pipeline import FindParams


class Engine(Protocol):
    """The steps :func:`dedup.find` hands to an engine. Each takes and returns what the
    function of the same name in the stage modules does, and must return the same
    arrays."""

    def tokenize(self, docs: Sequence[Document], *, topic_weight: float,
                 quote_weight: float, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Tokens: ...

    def features(self, word_hashes: np.ndarray, lengths: np.ndarray,
                 ngrams: tuple[int, ...], *, multipliers: np.ndarray | None = None,
                 stock_df: int | None = None, prior: WordPrior | None = None,
                 prior_passages: float = 0.0, word_freq: np.ndarray | None = None,
                 workers: int | None = None) -> FeatureTable: ...

    def signatures(self, unit: np.ndarray, feature32: np.ndarray, n_units: int,
                   params: MinHashParams, *, workers: int | None = None) -> np.ndarray: ...

    def candidate_pairs(self, sig: np.ndarray, lsh: LSHParams, *,
                        valid: np.ndarray | None = None, max_bucket: int = 64,
                        min_hits: int = 1, workers: int | None = None) -> np.ndarray: ...

    def score_pairs(self, table: FeatureTable, pairs: np.ndarray, params: FindParams, *,
                    text_of: Callable[[int], str] | None = None, workers: int | None = None,
                    speaks: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def coverages(self, word_ids: np.ndarray, word_ptr: np.ndarray,
                  doc_pairs: Sequence[tuple[int, int]], *,
                  workers: int | None = None, min_share: float = 0.0,
                  sides: np.ndarray | None = None) -> list[Coverage | None]: ...


class LocalEngine:
    """The stage functions themselves, in this process."""

    name = "local"

    def tokenize(self, docs: Sequence[Document], *, topic_weight: float,
                 quote_weight: float, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Tokens:
        return tokenize(docs, topic_weight=topic_weight, quote_weight=quote_weight,
                        workers=workers, progress=progress)

    def features(self, word_hashes: np.ndarray, lengths: np.ndarray,
                 ngrams: tuple[int, ...], *, multipliers: np.ndarray | None = None,
                 stock_df: int | None = None, prior: WordPrior | None = None,
                 prior_passages: float = 0.0, word_freq: np.ndarray | None = None,
                 workers: int | None = None) -> FeatureTable:
        return build_features_hashed(word_hashes, lengths, ngrams, multipliers=multipliers,
                                     stock_df=stock_df, prior=prior,
                                     prior_passages=prior_passages, word_freq=word_freq,
                                     workers=threads_for(workers))

    def signatures(self, unit: np.ndarray, feature32: np.ndarray, n_units: int,
                   params: MinHashParams, *, workers: int | None = None) -> np.ndarray:
        return signatures(unit, feature32, n_units, params, workers=threads_for(workers))

    def candidate_pairs(self, sig: np.ndarray, lsh: LSHParams, *,
                        valid: np.ndarray | None = None, max_bucket: int = 64,
                        min_hits: int = 1, workers: int | None = None) -> np.ndarray:
        return candidate_pairs(sig, lsh, valid=valid, max_bucket=max_bucket,
                               min_hits=min_hits, workers=threads_for(workers))

    def score_pairs(self, table: FeatureTable, pairs: np.ndarray, params: FindParams, *,
                    text_of: Callable[[int], str] | None = None, workers: int | None = None,
                    speaks: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return score_pairs(table, pairs, params, text_of=text_of, workers=threads_for(workers),
                           speaks=speaks)

    def coverages(self, word_ids: np.ndarray, word_ptr: np.ndarray,
                  doc_pairs: Sequence[tuple[int, int]], *,
                  workers: int | None = None, min_share: float = 0.0,
                  sides: np.ndarray | None = None) -> list[Coverage | None]:
        return coverages(word_ids, word_ptr, doc_pairs, workers=workers, min_share=min_share,
                         sides=sides)


__all__ = ["Engine", "LocalEngine"]
