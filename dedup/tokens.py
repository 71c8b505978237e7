"""Documents to passages and word hashes, on several processes when the corpus is big.

This is the stage whose cost grows with every word of the corpus, so it returns flat
numpy arrays rather than Python objects: for each passage its document, offsets and
word count, and end to end the hash of each word's matching form with its weight
factor. Worker processes (forked, so the corpus is not copied through a pipe) each
take a run of documents; their results are joined in document order, so the output
does not depend on how many workers there were.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .models import Document
from .normalize import char_script_pattern, norm_word, s_stem, token_pattern
from .segment import has_spaceless_script, sentence_spans

# Quoted spans: straight or curly double quotes, guillemets, CJK corner brackets
# (「」, 『』), and curly single quotes whose closing mark is not an apostrophe
# inside a word ("Russia's").
_QUOTE_RE = re.compile(
    "\u201c[^\u201c\u201d]*\u201d|\"[^\"\r\n]*\"|\u00ab[^\u00ab\u00bb]*\u00bb"
    "|\u300c[^\u300c\u300d]*\u300d|\u300e[^\u300e\u300f]*\u300f"
    "|(?<!\\w)\u2018(?:[^\u2018\u2019]|\u2019(?=\\w))*\u2019(?!\\w)"
)

# Below this much text, worker processes cost more than they save.
PARALLEL_MIN_CHARS = 2_000_000


@dataclass(frozen=True)
class Tokens:
    """Passages (one row each) and their words (end to end, ``lengths`` per passage)."""

    doc: np.ndarray        # int64, index of the document in the corpus
    index: np.ndarray      # int64, position among the document's passages
    start: np.ndarray      # int64, character offsets into the original text
    end: np.ndarray
    paragraph: np.ndarray  # int64, paragraph index within the document
    lengths: np.ndarray    # int64, words per passage
    hashes: np.ndarray     # uint64, one per word: hash of its matching form
    factors: np.ndarray    # float64, one per word: name (topic) and quote weight factor

    @staticmethod
    def concat(parts: Sequence[Tokens]) -> Tokens:
        names = Tokens.__dataclass_fields__
        return Tokens(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})


class WordForms:
    """Hashes and weight factors of a passage's words, fast.

    Words are found with the same pattern as :func:`dedup.normalize.tokenize`, but as
    plain strings (``findall``), and each distinct spelling is normalised and hashed
    once (blake2b of the matching form, as :class:`dedup.signatures.WordHasher`).

    In Chinese, Japanese, Thai and the other scripts written without spaces each
    letter is a word (as for the aligner), and its hash is that of the letter with
    the letter that follows it in the same run: overlapping character bigrams, the
    indexing unit of Lucene's CJK analyser. The n-grams built on these words are
    then character 2-, 3- and 4-grams. A single character is too common a unit (a
    two-character word would count as two rare words, and two stories naming the
    same place would share as much weight as a copied clause); a bigram is about
    one word. The last letter of a run is hashed alone.

    Names (capitalised inside the sentence) are topic words; numbers are not: a
    figure weighs by its rarity like any other word ("12,000 troops" is strong
    evidence of a shared source). Words inside quotation marks are quoted. Quote
    marks never sit inside a word, so cutting the passage at quotation boundaries
    cuts no word.
    """

    def __init__(self, topic_weight: float, quote_weight: float):
        self.pattern = token_pattern()
        self.plain_pattern = token_pattern(char_scripts=False)
        self.char_letter = char_script_pattern()
        self.topic = topic_weight
        self.quote = quote_weight
        self.cache: dict[str, int] = {}

    def hash(self, raw: str) -> int:
        h = self.cache.get(raw)
        if h is None:
            form = s_stem(norm_word(raw)).encode("utf-8")
            h = self.cache[raw] = int.from_bytes(
                hashlib.blake2b(form, digest_size=8).digest(), "little")
        return h

    def keys(self, text: str, start: int, end: int) -> list[str]:
        """What each word of ``text[start:end]`` is hashed as: its own spelling, or
        for a letter of a script written without spaces, the letter and the next
        one when that one follows it directly (``青溪水库`` -> ``青溪 溪水 水库 库``)."""
        matches = list(self.pattern.finditer(text, start, end))
        letter = self.char_letter.match
        out = []
        for i, m in enumerate(matches):
            raw = m.group()
            if letter(raw) and i + 1 < len(matches):
                nxt = matches[i + 1]
                if nxt.start() == m.end() and letter(text, nxt.start()):
                    raw += nxt.group()
            out.append(raw)
        return out

    def __call__(self, text: str, start: int, end: int, hashes: list[int],
                 factors: list[float], *, spaceless: bool | None = None) -> int:
        """Append the passage's word hashes and factors; return its word count.

        ``spaceless``: whether the passage may hold letters of a script written
        without spaces (``None``: look).
        """
        if spaceless is None:
            spaceless = self.char_letter.search(text, start, end) is not None
        words = self.keys if spaceless else self.plain_pattern.findall
        pieces: list[tuple[int, int, bool]] = []
        pos = start
        for m in _QUOTE_RE.finditer(text, start, end):
            pieces.append((pos, m.start(), False))
            pieces.append((m.start(), m.end(), True))
            pos = m.end()
        pieces.append((pos, end, False))
        count = 0
        cached = self.cache.get
        for lo, hi, quoted in pieces:
            if lo >= hi:
                continue
            for raw in words(text, lo, hi):
                f = self.topic if count and raw[0].isupper() else 1.0
                h = cached(raw)
                hashes.append(self.hash(raw) if h is None else h)
                factors.append(f * self.quote if quoted else f)
                count += 1
        return count


def tokenize_docs(texts: Sequence[str], first: int, forms: WordForms) -> Tokens:
    """:class:`Tokens` of consecutive documents; ``first`` is the first one's index."""
    doc, index, start, end, para, lengths = [], [], [], [], [], []
    hashes: list[int] = []
    factors: list[float] = []
    letter = char_script_pattern().search
    for k, text in enumerate(texts):
        cjk = has_spaceless_script(text)  # most documents need none of those rules
        for i, (s, e, pi) in enumerate(sentence_spans(text, spaceless=cjk)):
            doc.append(first + k)
            index.append(i)
            start.append(s)
            end.append(e)
            para.append(pi)
            lengths.append(forms(text, s, e, hashes, factors,
                                 spaceless=cjk and letter(text, s, e) is not None))

    def ints(x: list[int]) -> np.ndarray:
        return np.asarray(x, dtype=np.int64).reshape(-1)

    return Tokens(ints(doc), ints(index), ints(start), ints(end), ints(para), ints(lengths),
                  np.asarray(hashes, dtype=np.uint64).reshape(-1),
                  np.asarray(factors, dtype=np.float64).reshape(-1))


# Set in the parent just before the workers fork; they read it, nothing is sent.
_SHARED: tuple[Sequence[Document], float, float] | None = None


def _work(span: tuple[int, int]) -> Tokens:
    assert _SHARED is not None
    docs, topic, quote = _SHARED
    lo, hi = span
    return tokenize_docs([d.text for d in docs[lo:hi]], lo, WordForms(topic, quote))


def _quiet_worker() -> None:
    """Workers leave interrupts to the parent: Ctrl-C reaches the whole process group,
    and the parent, not each worker, reports it and ends the pool. SIGTERM (sent by
    the pool when it ends early) kills a worker quietly, whatever handler the parent
    had when it forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def tokenize(docs: Sequence[Document], *, topic_weight: float, quote_weight: float,
             workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> Tokens:
    """:class:`Tokens` of every document, in order.

    ``workers`` processes share the work where the platform can fork and the corpus
    is big enough to repay them (default: every CPU this process may use); the result
    is the same whatever their number. ``progress(done, total)`` counts documents.
    """
    global _SHARED
    workers = default_workers() if workers is None else max(1, workers)
    chars = sum(len(d.text) for d in docs)
    forkable = (sys.platform.startswith("linux")
                and "fork" in multiprocessing.get_all_start_methods())
    if workers == 1 or chars < PARALLEL_MIN_CHARS or not forkable or len(docs) < 2:
        forms = WordForms(topic_weight, quote_weight)
        parts = []
        step = max(1, len(docs) // 100)
        for lo in range(0, len(docs), step):
            hi = min(len(docs), lo + step)
            parts.append(tokenize_docs([d.text for d in docs[lo:hi]], lo, forms))
            if progress:
                progress(hi, len(docs))
        return Tokens.concat(parts) if parts else tokenize_docs([], 0, forms)
    # Runs of documents with about equal text, several per worker for balance.
    n_spans = min(len(docs), workers * 8)
    cum = np.cumsum([len(d.text) for d in docs])
    cuts = np.searchsorted(cum, np.linspace(0, chars, n_spans + 1)[1:-1], side="right")
    bounds = [0, *sorted(set(int(c) for c in cuts) - {0, len(docs)}), len(docs)]
    spans = list(zip(bounds[:-1], bounds[1:], strict=True))
    _SHARED = (docs, topic_weight, quote_weight)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
            parts = []
            for part in pool.imap(_work, spans):
                parts.append(part)
                if progress:
                    progress(spans[len(parts) - 1][1], len(docs))
    finally:
        _SHARED = None
    return Tokens.concat(parts)


__all__ = ["PARALLEL_MIN_CHARS", "Tokens", "WordForms", "default_workers", "tokenize",
           "tokenize_docs"]
