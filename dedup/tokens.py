"""Documents to passages and word hashes, on several processes when the corpus is big.

This is the stage whose cost grows with every word of the corpus, so it returns flat
numpy arrays rather than Python objects: for each passage its document, offsets and
word count, and end to end the hash of each word's matching form with its weight
factor. Worker processes (forked, so the corpus is not copied through a pipe) each
take a run of documents; their results are joined in document order, so the output
does not depend on how many workers there were.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .arrays import unique_sorted
from .models import Document
from .normalize import char_script_pattern, norm_word, s_stem, token_pattern
from .parallel import quiet_worker
from .segment import char_positions, has_spaceless_script, sentence_spans

# Quoted spans: straight or curly double quotes, guillemets, CJK corner brackets
# (「」, 『』), and curly single quotes whose closing mark is not an apostrophe
# inside a word ("Russia's").
_QUOTE_RE = re.compile(
    "\u201c[^\u201c\u201d]*\u201d|\"[^\"\r\n]*\"|\u00ab[^\u00ab\u00bb]*\u00bb"
    "|\u300c[^\u300c\u300d]*\u300d|\u300e[^\u300e\u300f]*\u300f"
    # (the lookbehind after the opening mark rather than before it: every
    # alternative then starts with a plain character, and the regex engine
    # scans for those in C rather than trying the pattern at every position)
    "|\u2018(?<!\\w\u2018)(?:[^\u2018\u2019]|\u2019(?=\\w))*\u2019(?!\\w)"
)
# The characters that may open a quoted span: text without one has none to look for.
_QUOTE_OPENERS = "\u201c\"\u00ab\u300c\u300e\u2018"


def _quote_marks(text: str) -> list[int]:
    """Where the characters that may open a quoted span are in ``text``."""
    return char_positions(text, _QUOTE_OPENERS)


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


# A number whose thousands are grouped by spaces ("12 000") is the one word that a
# space may sit inside (the spaces of :func:`dedup.normalize.token_pattern`).
_GROUPED_RE = re.compile("\\d[ \u00a0\u2009\u202f]\\d")


class _Vocabulary(dict[str | tuple[str], int]):
    """Each distinct key to a small int, in order of first sight; looking up a new
    one gives it the next int and queues it in ``new``, so the lookup of a known key
    stays in C (``map(vocab.__getitem__, keys)``)."""

    def __init__(self) -> None:
        super().__init__()
        self.new: list[str | tuple[str]] = []

    def __missing__(self, key: str | tuple[str]) -> int:
        i = self[key] = len(self)
        self.new.append(key)
        return i


class WordForms:
    """Hashes and weight factors of passages' words, fast.

    Words are found with the same pattern as :func:`dedup.normalize.tokenize`, but as
    plain strings, and each distinct spelling is normalised and hashed once (blake2b
    of the matching form, as :class:`dedup.signatures.WordHasher`).

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

    How it is fast: no Python code runs per word. A word never holds a space
    (except a number grouped by spaces, which :data:`_GROUPED_RE` finds first), so a
    passage is cut at spaces (``str.split``, in C) into *chunks* such as
    ``"said,"`` or ``"\u201cWe"``; each distinct chunk is cut into words by the
    pattern once, and each distinct word hashed once. A dictionary lookup mapped
    over the chunks gives their ints, and numpy gathers the words' hashes, capitals
    and factors from arrays indexed by them. Where a chunk cannot stand for its
    words (letters of scripts written without spaces, grouped numbers) each word
    found by the pattern is its own chunk, a 1-tuple.
    """

    def __init__(self, topic_weight: float, quote_weight: float):
        self.pattern = token_pattern()
        self.plain_pattern = token_pattern(char_scripts=False)
        self.char_letter = char_script_pattern()
        self.topic = topic_weight
        self.quote = quote_weight
        # Chunks: their words (ids into ``words``), ``_chunk_words[_chunk_at[c]:]``,
        # ``_chunk_count[c]`` of them.
        self.chunks = _Vocabulary()
        self._chunk_at = np.zeros(0, dtype=np.int64)
        self._chunk_count = np.zeros(0, dtype=np.int64)
        self._chunk_words = np.zeros(0, dtype=np.int64)
        # Whether a chunk ends, or starts, with a digit.
        self._digit_last = np.zeros(0, dtype=bool)
        self._digit_first = np.zeros(0, dtype=bool)
        # Words: the hash of each one's matching form, and whether it is capitalised.
        self.words = _Vocabulary()
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._capital = np.zeros(0, dtype=bool)

    @staticmethod
    def hash(raw: str) -> int:
        """The hash of one spelling's matching form (blake2b of its S-stemmed
        :func:`dedup.normalize.norm_word`, 8 bytes little-endian)."""
        form = s_stem(norm_word(raw)).encode("utf-8")
        return int.from_bytes(hashlib.blake2b(form, digest_size=8).digest(), "little")

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

    def collect(self, text: str, start: int, end: int, chunks: list[str | tuple[str]],
                quoted: list[int], *, spaceless: bool | None = None,
                grouped: bool = True) -> int:
        """Append the chunks of ``text[start:end]`` to ``chunks``, and the bounds
        (indexes into ``chunks``) of each run of quoted ones to ``quoted``; return
        how many were appended.

        ``spaceless``: whether the passage may hold letters of a script written
        without spaces (``None``: look). ``grouped=False``: the caller knows that
        it holds no number grouped by spaces (:data:`_GROUPED_RE`).
        """
        if spaceless is None:
            spaceless = self.char_letter.search(text, start, end) is not None
        n = len(chunks)
        pos = start
        for m in _QUOTE_RE.finditer(text, start, end):
            lo, hi = m.span()
            if pos < lo:
                self._chunks(text, pos, lo, chunks, spaceless, grouped)
            q = len(chunks)
            self._chunks(text, lo, hi, chunks, spaceless, grouped)
            if len(chunks) > q:
                quoted += (q, len(chunks))
            pos = hi
        if pos < end:
            self._chunks(text, pos, end, chunks, spaceless, grouped)
        return len(chunks) - n

    def _chunks(self, text: str, lo: int, hi: int, out: list[str | tuple[str]],
                spaceless: bool, grouped: bool) -> None:
        if spaceless:
            out += [(k,) for k in self.keys(text, lo, hi)]
        elif grouped and _GROUPED_RE.search(text, lo, hi):
            out += [(w,) for w in self.plain_pattern.findall(text, lo, hi)]
        else:
            out += text[lo:hi].split()

    def ids(self, chunks: list[str | tuple[str]]) -> np.ndarray:
        """The int of each chunk (int64); chunks seen for the first time are cut
        into words, and the new words hashed."""
        known, words = self.chunks, self.words
        ids = np.fromiter(map(known.__getitem__, chunks), dtype=np.int64, count=len(chunks))
        if known.new:
            new, known.new = known.new, []
            find = self.plain_pattern.findall
            found = [list(c) if isinstance(c, tuple) else find(c) for c in new]
            count = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
            flat = [w for ws in found for w in ws]
            word_ids = np.fromiter(map(words.__getitem__, flat), dtype=np.int64,
                                   count=len(flat))
            self._chunk_at = np.concatenate(
                [self._chunk_at, len(self._chunk_words) + np.cumsum(count) - count])
            self._chunk_count = np.concatenate([self._chunk_count, count])
            self._chunk_words = np.concatenate([self._chunk_words, word_ids])
            # \d is str.isdecimal (Unicode category Nd)
            self._digit_last = np.concatenate([self._digit_last, np.fromiter(
                (isinstance(c, str) and c[-1].isdecimal() for c in new), dtype=bool,
                count=len(new))])
            self._digit_first = np.concatenate([self._digit_first, np.fromiter(
                (isinstance(c, str) and c[0].isdecimal() for c in new), dtype=bool,
                count=len(new))])
        if words.new:
            new_words, words.new = words.new, []
            self._hashes = np.concatenate([self._hashes, np.fromiter(
                map(self.hash, new_words), dtype=np.uint64, count=len(new_words))])
            self._capital = np.concatenate([self._capital, np.fromiter(
                (w[0].isupper() for w in new_words), dtype=bool, count=len(new_words))])
        return ids

    def maybe_grouped(self, ids: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
        """The passages (indexes, ascending) where two chunks that follow each other
        may be the halves of a number grouped by a space: the first ends with a
        digit and the second starts with one. Cut at spaces, such a number would be
        two words; the others are cut right."""
        if len(ids) < 2:
            return np.zeros(0, dtype=np.int64)
        passage = np.repeat(np.arange(len(sizes), dtype=np.int64),
                            np.asarray(sizes, dtype=np.int64))
        pair = (self._digit_last[ids[:-1]] & self._digit_first[ids[1:]]
                & (passage[:-1] == passage[1:]))
        return unique_sorted(passage[:-1][pair])

    def finish(self, ids: np.ndarray, sizes: Sequence[int], quoted: list[int]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Words per passage (int64), and the hashes (uint64) and factors (float64)
        of the words end to end, from what :meth:`collect` left: passage ``i`` has
        ``sizes[i]`` of the chunks (``ids``, from :meth:`ids`), and ``quoted`` the
        bounds of quoted runs of chunks."""
        count = self._chunk_count[ids]
        ends = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(count, out=ends[1:])
        chunk_ends = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(np.asarray(sizes, dtype=np.int64), out=chunk_ends[1:])
        lengths = np.diff(ends[chunk_ends])
        total = int(ends[-1])
        word = self._chunk_words[np.repeat(self._chunk_at[ids] - ends[:-1], count)
                                 + np.arange(total, dtype=np.int64)]
        hashes = self._hashes[word]
        # A name is a capitalised word that does not open its passage.
        name = self._capital[word]
        name[(ends[chunk_ends[:-1]])[lengths > 0]] = False
        factors = np.where(name, float(self.topic), 1.0)
        if quoted:
            bounds = np.asarray(quoted, dtype=np.int64)
            inside = np.zeros(len(ids) + 1, dtype=np.int64)
            np.add.at(inside, bounds[0::2], 1)
            np.add.at(inside, bounds[1::2], -1)
            factors[np.repeat(np.cumsum(inside[:-1]) > 0, count)] *= self.quote
        return lengths, hashes, factors

    def __call__(self, text: str, start: int, end: int, hashes: list[int],
                 factors: list[float], *, spaceless: bool | None = None) -> int:
        """Append the passage's word hashes and factors; return its word count.

        ``spaceless``: whether the passage may hold letters of a script written
        without spaces (``None``: look).
        """
        chunks: list[str | tuple[str]] = []
        quoted: list[int] = []
        n = self.collect(text, start, end, chunks, quoted, spaceless=spaceless)
        lengths, h, f = self.finish(self.ids(chunks), [n], quoted)
        hashes += h.tolist()
        factors += f.tolist()
        return int(lengths[0])


@dataclass
class _Chunked:
    """Passages of consecutive documents, cut into chunks (:class:`WordForms`)."""

    spans: list[tuple[int, int, int]]  # (start, end, paragraph) of each passage
    per_doc: list[int]                 # passages of each document
    sizes: list[int]                   # chunks of each passage
    chunks: list[str | tuple[str]]
    quoted: list[int]                  # bounds of the quoted runs of chunks
    doc_chunks: list[int]              # where each document's chunks start
    doc_quoted: list[int]              # where each document's quoted bounds start


def _chunk_docs(texts: Sequence[str], forms: WordForms, grouped: set[int]) -> _Chunked:
    """``grouped``: the documents that hold a number grouped by spaces."""
    out = _Chunked([], [], [], [], [], [], [])
    spans, sizes, chunks, quoted = out.spans, out.sizes, out.chunks, out.quoted
    letter = char_script_pattern().search
    collect = forms.collect
    for k, text in enumerate(texts):
        out.doc_chunks.append(len(chunks))
        out.doc_quoted.append(len(quoted))
        cjk = has_spaceless_script(text)  # most documents need none of those rules
        doc_spans = list(sentence_spans(text, spaceless=cjk))
        spans += doc_spans
        out.per_doc.append(len(doc_spans))
        if cjk or k in grouped:
            for s, e, _ in doc_spans:
                sizes.append(collect(text, s, e, chunks, quoted, grouped=k in grouped,
                                     spaceless=cjk and letter(text, s, e) is not None))
            continue
        # The common case: a passage's chunks are its text cut at spaces; those
        # that hold a quotation mark are cut at quotations first.
        opens = _quote_marks(text)
        if opens:
            starts = [s for s, _, _ in doc_spans]
            quoting = {bisect.bisect_right(starts, p) - 1 for p in opens}
            for i, (s, e, _) in enumerate(doc_spans):
                if i in quoting:
                    sizes.append(collect(text, s, e, chunks, quoted, spaceless=False,
                                         grouped=False))
                else:
                    found = text[s:e].split()
                    chunks += found
                    sizes.append(len(found))
        else:
            for s, e, _ in doc_spans:
                found = text[s:e].split()
                chunks += found
                sizes.append(len(found))
    return out


def _splice(cut: _Chunked, ids: np.ndarray, redo: _Chunked, redo_ids: np.ndarray,
            docs: list[int]) -> tuple[_Chunked, np.ndarray]:
    """``cut`` (with its chunks' ``ids``) with the documents ``docs`` (ascending) cut
    again: ``redo`` holds them, in that order, with ``redo_ids``. Their passages
    are the same; their chunks, and so the chunk indexes in ``quoted``, change."""
    out = _Chunked(cut.spans, cut.per_doc, [], [], [], [], [])
    id_parts: list[np.ndarray] = []
    # Where each document's passages, chunks and quoted bounds start, and the end.
    bounds = {id(c): (np.r_[0, np.cumsum(c.per_doc)].tolist(), [*c.doc_chunks, len(c.chunks)],
                      [*c.doc_quoted, len(c.quoted)]) for c in (cut, redo)}

    def take(src: _Chunked, src_ids: np.ndarray, d0: int, d1: int) -> None:
        """Documents ``d0..d1-1`` of ``src``."""
        pass_at, chunk_at, quoted_at = bounds[id(src)]
        p0, p1 = pass_at[d0], pass_at[d1]
        c0, c1 = chunk_at[d0], chunk_at[d1]
        q0, q1 = quoted_at[d0], quoted_at[d1]
        shift, qshift = len(out.chunks) - c0, len(out.quoted) - q0
        out.doc_chunks += [c + shift for c in src.doc_chunks[d0:d1]]
        out.doc_quoted += [q + qshift for q in src.doc_quoted[d0:d1]]
        out.quoted += [q + shift for q in src.quoted[q0:q1]]
        out.sizes += src.sizes[p0:p1]
        out.chunks += src.chunks[c0:c1]
        id_parts.append(src_ids[c0:c1])

    prev = 0
    for k, d in enumerate(docs):
        take(cut, ids, prev, d)
        take(redo, redo_ids, k, k + 1)
        prev = d + 1
    take(cut, ids, prev, len(cut.per_doc))
    return out, np.concatenate(id_parts)


def tokenize_docs(texts: Sequence[str], first: int, forms: WordForms) -> Tokens:
    """:class:`Tokens` of consecutive documents; ``first`` is the first one's index."""
    cut = _chunk_docs(texts, forms, set())
    ids = forms.ids(cut.chunks)
    maybe = forms.maybe_grouped(ids, cut.sizes)
    if len(maybe):
        # Rare: numbers grouped by spaces ("12 000"). Their documents (only those)
        # are cut again, with the pattern wherever one is.
        doc_of = np.repeat(np.arange(len(texts)), cut.per_doc)[maybe].tolist()
        grouped = sorted({d for d, p in zip(doc_of, maybe.tolist(), strict=True)
                          if _GROUPED_RE.search(texts[d], cut.spans[p][0], cut.spans[p][1])})
        if grouped:
            redo = _chunk_docs([texts[d] for d in grouped], forms, set(range(len(grouped))))
            cut, ids = _splice(cut, ids, redo, forms.ids(redo.chunks), grouped)
    counts = np.asarray(cut.per_doc, dtype=np.int64)
    n = int(counts.sum())
    table = np.fromiter(itertools.chain.from_iterable(cut.spans), dtype=np.int64,
                        count=3 * n).reshape(n, 3)
    doc = np.repeat(np.arange(first, first + len(texts), dtype=np.int64), counts)
    index = np.arange(n, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    lengths, hashes, factors = forms.finish(ids, cut.sizes, cut.quoted)
    return Tokens(doc, index, table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy(),
                  lengths, hashes, factors)


# Set in the parent just before the workers fork; they read it, nothing is sent.
_SHARED: tuple[Sequence[Document], float, float] | None = None
# A worker's word forms, kept from one run of documents to the next: each distinct
# word is then normalised and hashed once per worker, not once per run.
_WORKER_FORMS: WordForms | None = None


def _work(span: tuple[int, int]) -> Tokens:
    global _WORKER_FORMS
    assert _SHARED is not None
    docs, topic, quote = _SHARED
    if _WORKER_FORMS is None or (_WORKER_FORMS.topic, _WORKER_FORMS.quote) != (topic, quote):
        _WORKER_FORMS = WordForms(topic, quote)
    lo, hi = span
    return tokenize_docs([d.text for d in docs[lo:hi]], lo, _WORKER_FORMS)


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
        with multiprocessing.get_context("fork").Pool(workers, initializer=quiet_worker) as pool:
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
