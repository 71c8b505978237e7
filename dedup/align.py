"""Word-level alignment of two texts: edit operations that point into both originals.

Words are compared by their normalised form (:func:`dedup.normalize.tokenize`), mapped
to integer ids and aligned with RapidFuzz's bit-parallel LCS (``Indel.opcodes``). The
raw opcodes are then refined for readers of news copy:

* runs of words that match but differ in the original (quote style, case, NBSP, dash
  style, punctuation) become ``equal`` edits marked ``cosmetic=True``;
* a block cut in one place and inserted elsewhere becomes one ``move`` edit carrying
  both positions, its similarity and its own inner edits (so a moved sentence that was
  also lightly reworded is still one move);
* edits that change a number, a quotation or an attribution (verb or speaker) carry
  flags.

Every edit holds character offsets into the *original* texts, so ``a[e.a_start:e.a_end]``
and ``b[e.b_start:e.b_end]`` are the words it covers.

>>> al = align("Officials said 12,000 troops left.", "Officials claimed 11,000 troops left.")
>>> [(e.op, al.a[e.a_start:e.a_end], al.b[e.b_start:e.b_end], e.flags)
...  for e in al.edits if e.op != "equal"]
[('replace', 'said 12,000', 'claimed 11,000', ('number', 'attribution'))]
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import cast

from rapidfuzz.distance import Indel

from .errors import ParameterError
from .models import Token
from .normalize import _pattern_for, fold, norm_word

__all__ = [
    "ATTRIBUTION_VERBS",
    "FLAG_ATTRIBUTION",
    "FLAG_NUMBER",
    "FLAG_QUOTE",
    "AlignStats",
    "Alignment",
    "Edit",
    "Region",
    "align",
    "align_local",
    "apply_edits",
    "find_regions",
    "opcodes",
    "quotation_spans",
]

FLAG_NUMBER = "number"
FLAG_QUOTE = "quote"
FLAG_ATTRIBUTION = "attribution"
_FLAG_ORDER = (FLAG_NUMBER, FLAG_QUOTE, FLAG_ATTRIBUTION)

# Equal runs are compared this many words at a time before looking word by word.
_CHUNK = 16
# A chain of matching blocks may skip at most this many words (on either side) and
# still count as one moved block.
_MOVE_MAX_GAP = 3


@dataclass(frozen=True)
class Edit:
    """One edit operation, with character offsets into both original texts.

    ``op`` is ``equal``, ``replace``, ``insert``, ``delete`` or ``move``. ``a_tok`` and
    ``b_tok`` are half-open word-index ranges into :attr:`Alignment.a_tokens` /
    :attr:`Alignment.b_tokens`. An empty range (an insert's A side, a delete's B side)
    is an anchor: the position where the other side's words would go.

    ``cosmetic`` marks an ``equal`` edit whose words match only after normalisation;
    ``cosmetic_kinds`` says what differs (``case``, ``quotes``, ``dash``, ``space``,
    ``punctuation``, ``form``). ``flags`` holds :data:`FLAG_NUMBER`,
    :data:`FLAG_QUOTE` and :data:`FLAG_ATTRIBUTION`. A ``move`` has a ``move_id``
    (1, 2, ...), a ``similarity`` in (0, 1] and, unless it is verbatim, ``inner`` edits
    between its A block and its B block.
    """

    op: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_tok: tuple[int, int]
    b_tok: tuple[int, int]
    cosmetic: bool = False
    cosmetic_kinds: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    move_id: int | None = None
    similarity: float = 1.0
    inner: tuple[Edit, ...] = ()

    @property
    def substantive(self) -> bool:
        """True for anything a reader should see by default: an edit other than
        ``equal``, or an ``equal`` that carries a flag (quotation marks added or cut)."""
        return self.op != "equal" or bool(self.flags)


@dataclass(frozen=True)
class AlignStats:
    """Word counts and shares for one alignment.

    ``kept + cut + replaced_a + moved_a == a_words`` and
    ``kept + added + replaced_b + moved_b == b_words``. The ``*_changed`` counts are
    numbers of flagged edits (a move counts through its inner edits).
    ``share_a_kept`` is the share of A's words found verbatim in B (moved ones
    included); ``share_b_covered`` the share of all of B's text (not only the aligned
    span) covered by equal, replaced or moved material.
    """

    a_words: int
    b_words: int
    kept: int
    cut: int
    added: int
    replaced_a: int
    replaced_b: int
    moved_a: int
    moved_b: int
    moves: int
    numbers_changed: int
    quotes_changed: int
    attributions_changed: int
    cosmetic_changes: int
    share_a_kept: float
    share_b_covered: float


@dataclass(frozen=True)
class Alignment:
    """Two texts, the aligned spans and the edits turning A's span into B's span.

    ``edits`` are ordered along A (inserts at their anchor, moves at their A position);
    non-delete edits partition B's words, non-insert edits partition A's words.
    """

    a: str = field(repr=False)
    b: str = field(repr=False)
    a_span: tuple[int, int]
    b_span: tuple[int, int]
    a_tokens: tuple[Token, ...] = field(repr=False)
    b_tokens: tuple[Token, ...] = field(repr=False)
    edits: tuple[Edit, ...]
    stats: AlignStats

    def changes(self, *, cosmetic: bool = False) -> tuple[Edit, ...]:
        """The substantive edits (plus cosmetic ones when ``cosmetic=True``)."""
        return tuple(e for e in self.edits if e.substantive or (cosmetic and e.cosmetic))

    def moves(self) -> tuple[Edit, ...]:
        """The ``move`` edits, by move id."""
        moves = (e for e in self.edits if e.op == "move")
        return tuple(sorted(moves, key=lambda e: e.move_id or 0))


@dataclass(frozen=True)
class Region:
    """A region of A and B that hold the same material (see :func:`find_regions`).

    Spans run from the first to the last word of the region; ``a_tok``/``b_tok`` index
    the words of the whole texts. ``matched`` is the number of matching words and
    ``score`` the matched words minus the gap penalties inside the region.
    """

    a_span: tuple[int, int]
    b_span: tuple[int, int]
    a_tok: tuple[int, int]
    b_tok: tuple[int, int]
    matched: int
    score: float


# --------------------------------------------------------------------------- words

_NUMBER_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_NUMBER_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_NUMBER_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
                  "trillion": 10**12}
_NUMBER_WORDS = {**_NUMBER_UNITS, **_NUMBER_TENS}

# Verbs that attribute speech. Words that are more often nouns ("states", "report",
# "note") are left out to keep false alarms down.
ATTRIBUTION_VERBS = frozenset(
    """
    say says said saying tell tells told telling claim claims claimed claiming
    warn warns warned warning stated add adds added insist insists insisted
    argue argues argued announce announces announced explain explains explained noted
    assert asserts asserted allege alleges alleged admit admits admitted acknowledge
    acknowledges acknowledged declare declares declared confirm confirms confirmed
    deny denies denied suggest suggests suggested stress stresses stressed according
    reported write writes wrote tweeted maintain maintains maintained concede concedes
    conceded reveal reveals revealed urge urges urged vow vows vowed pledge pledges
    pledged promise promises promised predict predicts predicted caution cautions
    cautioned complain complains complained reply replies replied commented remarked
    observed emphasise emphasises emphasised emphasize emphasizes emphasized contend
    contends contended accuse accuses accused recalled recalls
    """.split()
)
_PRONOUNS = frozenset("he she they we i you it".split())
# Capitalised words that do not name anyone (sentence-initial function words).
_NOT_NAMES = frozenset(
    """
    the a an this that these those it its in on at of for to by with from but and or
    so as if when while after before however meanwhile also then there here his her
    their our
    """.split()
)

_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_QUOTE_CHARS = re.compile("[\"'\n\u201c\u201d\u201e\u201f\u00ab\u00bb\u2018\u2019\u201a]")
_DOUBLE_OPEN = "\u201c\u201e\u201f\u00ab"
_DOUBLE_CLOSE = "\u201d\u00bb"
_SINGLE_OPEN = "\u2018\u201a'"
_SINGLE_CLOSE = "\u2019'"


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Half-open character spans of text inside quotation marks, straight or curly.

    An unclosed quotation ends at the end of its paragraph (the newspaper convention
    for quotes running over several paragraphs). Single quotes count only at word
    boundaries, so apostrophes (``Korea's``, ``Koreans'``) are ignored.

    >>> t = 'He said \u201cwe will win\u201d and \\'soon\\'.'
    >>> [t[s:e] for s, e in quotation_spans(t)]
    ['we will win', 'soon']
    """
    spans: list[tuple[int, int]] = []
    double: int | None = None
    single: int | None = None
    n = len(text)
    for m in _QUOTE_CHARS.finditer(text):
        ch, p = m.group(), m.start()
        if ch == "\n":
            for start in (double, single):
                if start is not None:
                    spans.append((start, p))
            double = single = None
        elif ch == '"':
            if double is None:
                double = p + 1
            else:
                spans.append((double, p))
                double = None
        elif ch in _DOUBLE_OPEN:
            if double is None:
                double = p + 1
        elif ch in _DOUBLE_CLOSE:
            if double is not None:
                spans.append((double, p))
                double = None
        else:
            before = text[p - 1] if p else " "
            after = text[p + 1] if p + 1 < n else " "
            if single is not None and ch in _SINGLE_CLOSE and not _is_word_char(after):
                spans.append((single, p))
                single = None
            elif single is None and ch in _SINGLE_OPEN and not _is_word_char(before) \
                    and _is_word_char(after):
                single = p + 1
    for start in (double, single):
        if start is not None:
            spans.append((start, n))
    spans.sort()
    return spans


def _number_mentions(norms: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first, end, value)`` for each number written in digits or words.

    >>> _number_mentions("about eleven thousand troops and 3 generals".split())
    [(1, 3, '11000'), (5, 6, '3')]
    """
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(norms)
    while i < n:
        w = norms[i]
        if w[:1].isdigit():
            try:
                current = float(w)
            except ValueError:  # "1.2.3": the raw form is the value
                out.append((i, i + 1, w))
                i += 1
                continue
            last = "digits"
        elif w in _NUMBER_WORDS:
            current = float(_NUMBER_WORDS[w])
            last = "tens" if current >= 20 else "unit"
        else:
            i += 1
            continue
        total = 0.0
        j = i + 1
        while j < n:
            w = norms[j]
            if w == "and" and last == "scale" and j + 1 < n and norms[j + 1] in _NUMBER_WORDS:
                j += 1
                continue
            if w in _NUMBER_SCALES:
                scale = _NUMBER_SCALES[w]
                if scale == 100:
                    current = (current or 1) * 100
                else:
                    total += (current or 1) * scale
                    current = 0.0
                last = "scale"
            elif w in _NUMBER_WORDS and (
                last == "scale" or (last == "tens" and _NUMBER_WORDS[w] < 10)
            ):
                current += _NUMBER_WORDS[w]
                last = "tens" if _NUMBER_WORDS[w] >= 20 else "unit"
            else:
                break
            j += 1
        value = total + current
        out.append((i, j, str(int(value)) if value == int(value) else repr(value)))
        i = j
    return out


@lru_cache(maxsize=4096)
def _cosmetic_kinds(x: str, y: str) -> frozenset[str]:
    """What separates two strings that normalise alike."""
    kinds: set[str] = set()
    cx, cy = Counter(x), Counter(y)
    for ch in (cx - cy) + (cy - cx):
        f = fold(ch)
        if f in ("'", '"'):
            kinds.add("quotes")
        elif f == "-":
            kinds.add("dash")
        elif not f or f.isspace():
            kinds.add("space")
        elif ch.isalnum():
            kinds.add("case" if x.casefold() == y.casefold() else "form")
        else:
            kinds.add("punctuation")
    return frozenset(kinds)


@lru_cache(maxsize=16)
def _quote_chains(text: str) -> tuple[tuple[list[int], list[int]], ...]:
    """:func:`quotation_spans` of ``text`` dealt into chains of disjoint spans, each as
    sorted ``(starts, ends)`` lists (two chains: double and single quotations may
    overlap, spans of one kind never do). Cached, so the many passages of one long
    text are aligned without reading it again for each."""
    chains: list[tuple[list[int], list[int]]] = []
    for s, e in quotation_spans(text):
        for c_starts, c_ends in chains:
            if c_ends[-1] <= s:
                c_starts.append(s)
                c_ends.append(e)
                break
        else:
            chains.append(([s], [e]))
    return tuple(chains)


# Matching forms of words already seen (norm_word is pure): most words of a text, and
# of the next one, have been seen before.
_NORMS: dict[str, str] = {}
_NORMS_MAX = 1 << 16
_NORMS_MAX_WORD = 64


_RECENT: dict[tuple[str, int, int], tuple[Token, ...]] = {}
_RECENT_MAX = 8


def _tokens(text: str, start: int, end: int) -> tuple[Token, ...]:
    """:func:`_tokenize`, remembering the last few spans: a report aligns one pivot
    with each of its cluster's versions in turn, and tokenises it once."""
    key = (text, start, end)
    hit = _RECENT.get(key)
    if hit is None:
        hit = tuple(_tokenize(text, start, end))
        if len(_RECENT) >= _RECENT_MAX:
            del _RECENT[next(iter(_RECENT))]
        _RECENT[key] = hit
    return hit


def _tokenize(text: str, start: int, end: int) -> list[Token]:
    """:func:`dedup.normalize.tokenize`, with the matching forms memoised."""
    norms = _NORMS
    get = norms.get
    out: list[Token] = []
    append = out.append
    for m in _pattern_for(text, start, end).finditer(text, start, end):
        word = m.group()
        norm = get(word)
        if norm is None:
            norm = norm_word(word)
            if len(word) <= _NORMS_MAX_WORD:
                if len(norms) >= _NORMS_MAX:
                    norms.clear()
                norms[word] = norm
        s, e = m.span()
        append(Token(s, e, norm))
    return out


class _Side:
    """One text's words plus the annotations the flags need, computed on demand."""

    def __init__(self, text: str, tokens: Sequence[Token], span: tuple[int, int]):
        self.text = text
        self.tokens = tokens
        self.span = span

    def pos(self, i: int, j: int) -> tuple[int, int]:
        """Character range of words ``[i, j)``, or the anchor point when empty."""
        toks = self.tokens
        if i < j:
            return toks[i].start, toks[j - 1].end
        if i > 0:
            p = toks[i - 1].end
        elif toks:
            p = toks[0].start
        else:
            p = self.span[0]
        return p, p

    def surface(self, i: int) -> str:
        t = self.tokens[i]
        return self.text[t.start:t.end]

    def gap(self, i: int) -> str:
        """The text between word ``i - 1`` and word ``i``."""
        return self.text[self.tokens[i - 1].end:self.tokens[i].start]

    @cached_property
    def quote_ids(self) -> list[int]:
        """Per word the quotation it sits in (the start offset of the first quotation
        span holding it), or -1. Only the spans that reach this side's words are read,
        so aligning many passages of one long text stays linear."""
        toks = self.tokens
        ids = [-1] * len(toks)
        chains = _quote_chains(self.text)
        if not toks or not chains:
            return ids
        starts = [t.start for t in toks]
        first, last = starts[0], starts[-1]
        spans: list[tuple[int, int]] = []
        for c_starts, c_ends in chains:
            k = bisect.bisect_right(c_ends, first)
            while k < len(c_starts) and c_starts[k] <= last:
                spans.append((c_starts[k], c_ends[k]))
                k += 1
        spans.sort()
        for s, e in spans:
            for i in range(bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)):
                if ids[i] < 0:
                    ids[i] = s
        return ids

    @cached_property
    def quote_counts(self) -> Counter[int]:
        """Words per quotation id (see :attr:`quote_ids`)."""
        return Counter(q for q in self.quote_ids if q >= 0)

    @cached_property
    def quoted_before(self) -> list[int]:
        """``quoted_before[i]``: how many of the first ``i`` words sit in a quotation."""
        out = [0]
        n = 0
        for q in self.quote_ids:
            n += q >= 0
            out.append(n)
        return out

    @cached_property
    def numbers(self) -> tuple[list[int], list[int], list[str]]:
        """The number mentions in text order: first words, end words, values."""
        firsts: list[int] = []
        ends: list[int] = []
        values: list[str] = []
        for i, j, value in _number_mentions([t.norm for t in self.tokens]):
            firsts.append(i)
            ends.append(j)
            values.append(value)
        return firsts, ends, values

    @cached_property
    def verbs(self) -> frozenset[int]:
        return frozenset(self.verb_positions)

    @cached_property
    def verb_positions(self) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.norm in ATTRIBUTION_VERBS]

    def same_sentence(self, x: int, y: int) -> bool:
        """No sentence or paragraph break between words ``x`` and ``y``."""
        lo, hi = min(x, y), max(x, y)
        return lo == hi or not _SENTENCE_BREAK.search(
            self.text, self.tokens[lo].end, self.tokens[hi].start
        )

    def number_values(self, i: int, j: int) -> list[str]:
        """Values of the number mentions reaching into words ``[i, j)``, sorted."""
        if i >= j:
            return []
        firsts, ends, values = self.numbers
        lo, hi = bisect.bisect_right(ends, i), bisect.bisect_left(firsts, j)
        return sorted(values[lo:hi]) if lo < hi else []

    def verb_words(self, i: int, j: int) -> list[str]:
        """The speech verbs among words ``[i, j)``, sorted."""
        pos = self.verb_positions
        lo, hi = bisect.bisect_left(pos, i), bisect.bisect_left(pos, j)
        return sorted(self.tokens[x].norm for x in pos[lo:hi]) if lo < hi else []

    def namelike(self, i: int, j: int) -> bool:
        for x in range(i, j):
            norm = self.tokens[x].norm
            if norm in _PRONOUNS:
                return True
            if self.surface(x)[:1].isupper() and norm not in _NOT_NAMES:
                return True
        return False

    def near_verb(self, i: int, j: int) -> bool:
        """A speech verb right after ``[i, j)`` or one or two words before it, in the
        same sentence (for an empty range: next to the anchor)."""
        verbs = self.verbs
        if not verbs:
            return False
        if i == j:
            return bool(verbs.intersection((i, i - 1, i - 2)))
        for v in (j, j + 1):
            if v in verbs and self.same_sentence(j - 1, v):
                return True
        for v in (i - 1, i - 2):
            if v in verbs and self.same_sentence(v, i):
                return True
        return False


def _flags(sa: _Side, i1: int, i2: int, sb: _Side, j1: int, j2: int) -> tuple[str, ...]:
    """The newsroom flags of a non-equal edit ``A[i1:i2] -> B[j1:j2]``."""
    flags: set[str] = set()
    if sa.number_values(i1, i2) != sb.number_values(j1, j2):
        flags.add(FLAG_NUMBER)
    qa = sa.quoted_before
    qb = sb.quoted_before
    if qa[i2] > qa[i1]:
        flags.add(FLAG_QUOTE)
    elif i1 < i2 and qb[j2] > qb[j1]:
        flags.add(FLAG_QUOTE)
    elif i1 == i2 and qb[j2] > qb[j1]:
        # words added inside a quotation that is also in A (not a new quotation)
        ids = sb.quote_ids
        inside = Counter(ids[x] for x in range(j1, j2) if ids[x] >= 0)
        total = sb.quote_counts
        if any(total[q] > n for q, n in inside.items()):
            flags.add(FLAG_QUOTE)
    if sa.verb_words(i1, i2) != sb.verb_words(j1, j2):
        flags.add(FLAG_ATTRIBUTION)
    elif (sa.namelike(i1, i2) or sb.namelike(j1, j2)) and (
        sa.near_verb(i1, i2) or sb.near_verb(j1, j2)
    ):
        flags.add(FLAG_ATTRIBUTION)
    return tuple(f for f in _FLAG_ORDER if f in flags)


# ------------------------------------------------------------------------- opcodes


def _ids(ta: Sequence[Token], tb: Sequence[Token]) -> tuple[list[int], list[int]]:
    vocab: dict[str, int] = {}
    get = vocab.setdefault
    ida = [get(t.norm, len(vocab)) for t in ta]
    idb = [get(t.norm, len(vocab)) for t in tb]
    return ida, idb


def opcodes(a_ids: Sequence[int], b_ids: Sequence[int]) -> list[tuple[str, int, int, int, int]]:
    """Minimal word opcodes (longest common subsequence) over two id sequences.

    The aligner's core step: RapidFuzz ``Indel.opcodes`` with each maximal run of
    inserts and deletes between two equal runs merged into one ``replace``.

    >>> opcodes([1, 2, 3, 4], [1, 5, 3, 4, 6])
    [('equal', 0, 1, 0, 1), ('replace', 1, 2, 1, 2), ('equal', 2, 4, 2, 4), ('insert', 4, 4, 4, 5)]
    """
    out: list[tuple[str, int, int, int, int]] = []
    pending: list[int] | None = None
    raw = cast("list[tuple[str, int, int, int, int]]", Indel.opcodes(a_ids, b_ids).as_list())
    for tag, i1, i2, j1, j2 in raw:  # plain tuples: much faster than Opcode objects
        if tag == "equal":
            if pending is not None:
                out.append(_gap_op(*pending))
                pending = None
            out.append((tag, i1, i2, j1, j2))
        elif pending is None:
            pending = [i1, i2, j1, j2]
        else:
            pending[1] = i2
            pending[3] = j2
    if pending is not None:
        out.append(_gap_op(*pending))
    return out


def _gap_op(i1: int, i2: int, j1: int, j2: int) -> tuple[str, int, int, int, int]:
    if i1 == i2:
        return ("insert", i1, i2, j1, j2)
    if j1 == j2:
        return ("delete", i1, i2, j1, j2)
    return ("replace", i1, i2, j1, j2)


_STRONG_BREAK = re.compile(r"\n")
_WEAK_BREAK = re.compile(r"[.!?;:]")


def _boundary_score(side: _Side, k: int) -> int:
    """How good a place the gap before word ``k`` is for an edit to start or end."""
    if k <= 0 or k >= len(side.tokens):
        return 3
    gap = side.gap(k)
    if _STRONG_BREAK.search(gap):
        return 2
    return 1 if _WEAK_BREAK.search(gap) else 0


def _shift_to_boundaries(
    ops: list[tuple[str, int, int, int, int]], ids: tuple[Sequence[int], Sequence[int]],
    sides: tuple[_Side, _Side],
) -> list[tuple[str, int, int, int, int]]:
    """Slide each pure insert or delete, among its equally minimal positions, to the one
    that starts and ends at sentence or paragraph breaks.

    ``. The Pentagon`` -> ``. The NATO chief ... war. The Pentagon`` is an insert of
    ``NATO ... war. The`` to the LCS; readers (and move detection) want
    ``The NATO ... war``.
    """
    ops = list(ops)
    for k in range(1, len(ops) - 1):
        tag = ops[k][0]
        if tag not in ("insert", "delete") or ops[k - 1][0] != "equal" or ops[k + 1][0] != "equal":
            continue
        _, i1, i2, j1, j2 = ops[k]
        side = 1 if tag == "insert" else 0
        seq = ids[side]
        s, e = (j1, j2) if side else (i1, i2)
        prev_len = ops[k - 1][2] - ops[k - 1][1]
        next_len = ops[k + 1][2] - ops[k + 1][1]
        best_d, best = 0, _boundary_score(sides[side], s) + _boundary_score(sides[side], e)
        d = 0
        while d + 1 < prev_len and seq[s - d - 1] == seq[e - d - 1]:
            d += 1
            score = _boundary_score(sides[side], s - d) + _boundary_score(sides[side], e - d)
            if score > best:
                best_d, best = -d, score
        d = 0
        while d + 1 < next_len and seq[s + d] == seq[e + d]:
            d += 1
            score = _boundary_score(sides[side], s + d) + _boundary_score(sides[side], e + d)
            if score > best:
                best_d, best = d, score
        if best_d:
            d = best_d
            p = ops[k - 1]
            ops[k - 1] = ("equal", p[1], p[2] + d, p[3], p[4] + d)
            ops[k] = (tag, i1 + d, i2 + d, j1 + d, j2 + d)
            n = ops[k + 1]
            ops[k + 1] = ("equal", n[1] + d, n[2], n[3] + d, n[4])
    return ops


def _absorb_short_equals(
    ops: list[tuple[str, int, int, int, int]], min_equal: int
) -> list[tuple[str, int, int, int, int]]:
    """Fold an equal run shorter than ``min_equal`` words into the edits around it when
    both are longer than it (``X the Y -> P the Q`` reads better as one replace)."""
    if min_equal <= 1:
        return ops
    out: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if op[0] != "equal" and len(out) >= 2 and out[-1][0] == "equal" and out[-2][0] != "equal":
            eq, left = out[-1], out[-2]
            n = eq[2] - eq[1]
            size_l = max(left[2] - left[1], left[4] - left[3])
            size_r = max(op[2] - op[1], op[4] - op[3])
            if n < min_equal and n < size_l and n < size_r:
                del out[-2:]
                out.append(_gap_op(left[1], op[2], left[3], op[4]))
                continue
        out.append(op)
    return out


# --------------------------------------------------------------------------- moves


@dataclass(frozen=True)
class _Move:
    i1: int
    i2: int
    j1: int
    j2: int
    matched: int
    similarity: float


def _move_candidates(
    ida: Sequence[int], idb: Sequence[int], ra: tuple[int, int], rb: tuple[int, int],
    min_tokens: int, min_similarity: float,
) -> list[_Move]:
    """Near-identical blocks between a cut range of A and an added range of B."""
    a_ids = ida[ra[0]:ra[1]]
    b_ids = idb[rb[0]:rb[1]]
    if set(a_ids).isdisjoint(b_ids):
        return []
    raw = cast("list[tuple[str, int, int, int, int]]", Indel.opcodes(a_ids, b_ids).as_list())
    chains: list[list[tuple[int, int, int]]] = []
    for tag, x, x_end, y, _ in raw:  # the equal runs are the matching blocks
        if tag != "equal":
            continue
        if chains:
            la, lb, ls = chains[-1][-1]
            if x - (la + ls) <= _MOVE_MAX_GAP and y - (lb + ls) <= _MOVE_MAX_GAP:
                chains[-1].append((x, y, x_end - x))
                continue
        chains.append([(x, y, x_end - x)])
    out: list[_Move] = []
    for chain in chains:
        matched = sum(s for _, _, s in chain)
        if matched < min_tokens:
            continue
        a0, b0, _ = chain[0]
        a1 = chain[-1][0] + chain[-1][2]
        b1 = chain[-1][1] + chain[-1][2]
        sim = 2 * matched / ((a1 - a0) + (b1 - b0))
        if sim >= min_similarity:
            out.append(_Move(ra[0] + a0, ra[0] + a1, rb[0] + b0, rb[0] + b1, matched, sim))
        else:  # fall back to the verbatim pieces of the chain
            out.extend(
                _Move(ra[0] + x, ra[0] + x + s, rb[0] + y, rb[0] + y + s, s, 1.0)
                for x, y, s in chain
                if s >= min_tokens
            )
    return out


def _split(ranges: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in ranges:
        if e <= lo or s >= hi:
            out.append((s, e))
            continue
        if s < lo:
            out.append((s, lo))
        if hi < e:
            out.append((hi, e))
    return out


def _word_pairs(ids: Sequence[int], r: tuple[int, int], reach: int) -> set[tuple[int, int]]:
    """Ordered word pairs of ``ids[r]`` at most ``reach`` words apart."""
    seg = ids[r[0]:r[1]]
    out: set[tuple[int, int]] = set()
    for d in range(1, reach + 1):
        out.update(zip(seg, seg[d:], strict=False))
    return out


def _pair_reach(min_tokens: int, min_similarity: float) -> int:
    """How far apart two words can be and still be matches of one move candidate.

    Blocks chained into one move are at most ``_MOVE_MAX_GAP`` words apart on each
    side, and every candidate matches at least two words, so a range pair without a
    shared word pair at most ``_MOVE_MAX_GAP + 1`` apart has no candidate. A chain of
    one-word blocks has a gap after each block, so its similarity is at most
    ``2m / (3m - 1)`` for ``m >= min_tokens`` matched words; above that bound every
    candidate holds two adjacent matched words, and adjacent pairs are enough.
    """
    if min_similarity > 2 * min_tokens / (3 * min_tokens - 1):
        return 1
    return _MOVE_MAX_GAP + 1


# Above this many (A range, B range) pairs, pairs are found through an index of their
# word pairs instead of comparing every two ranges' word pairs.
_MOVE_INDEX_PAIRS = 256


_Range = tuple[int, int]
# (x0, x1, y0, y1, matched, similarity): a pair's best candidate, relative to its ranges
_RelMove = tuple[int, int, int, int, int, float]


def _find_moves(
    ops: list[tuple[str, int, int, int, int]], ida: Sequence[int], idb: Sequence[int],
    min_tokens: int, min_similarity: float,
) -> tuple[list[_Move], dict[int, list[_Range]], dict[int, list[_Range]]]:
    """Greedy: take the largest near-identical (cut, added) block pair from two
    different edits, carve it out of both, repeat.

    Returns the moves plus, per op index, the A ranges and B ranges left free.

    The greedy choice ranks candidates by matched words, then similarity, then the
    earlier A position, then the earlier B edit and range. It is found with a heap
    instead of trying every range pair on every round:

    * a range pair's candidates depend only on the words of its two ranges, so they
      are computed once per pair of distinct word sequences, and only for pairs that
      share a word pair (:func:`_pair_reach`), found through an index when there are
      many;
    * once one candidate of a range pair is taken both ranges are carved, so only the
      pair's best candidate can ever be taken;
    * B ranges holding the same words form a group, and an A range keeps one heap
      entry per group, for the group's first range still free: a text repeating one
      edited sentence costs one entry per A range, not one per range pair.
    """
    a_free: dict[int, list[_Range]] = {}
    b_free: dict[int, list[_Range]] = {}
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "equal":
            a_free[k] = [(i1, i2)] if i2 > i1 else []
            b_free[k] = [(j1, j2)] if j2 > j1 else []
    edits = [op for op in ops if op[0] != "equal"]
    if not any(op[2] - op[1] >= min_tokens for op in edits) or \
            not any(op[4] - op[3] >= min_tokens for op in edits):
        return [], a_free, b_free  # no cut or no added range can hold a move
    reach = _pair_reach(min_tokens, min_similarity)
    # live ranges (long enough to hold a move, still whole) -> their op index
    a_op: dict[_Range, int] = {}
    b_op: dict[_Range, int] = {}
    # distinct word sequences of ranges -> content id; word pairs per content id
    a_seen: dict[tuple[int, ...], int] = {}
    b_seen: dict[tuple[int, ...], int] = {}
    a_cid: dict[_Range, int] = {}
    b_cid: dict[_Range, int] = {}
    a_keys: list[set[tuple[int, int]]] = []
    b_keys: list[set[tuple[int, int]]] = []
    a_by_cid: list[list[_Range]] = []
    groups: list[list[_Range]] = []  # B ranges of one content, by position
    jumps: list[list[int]] = []  # per group range: no free range before this index
    group_of_cid: dict[int, int] = {}
    best_rel: dict[tuple[int, int], _RelMove | None] = {}
    heap: list[tuple[int, float, int, int, int, int, _Move, _Range, int, int]] = []
    seq = itertools.count()

    def content(ids: Sequence[int], r: _Range, seen: dict[tuple[int, ...], int],
                keys: list[set[tuple[int, int]]]) -> int:
        words = tuple(ids[r[0]:r[1]])
        cid = seen.get(words)
        if cid is None:
            cid = seen[words] = len(keys)
            keys.append(_word_pairs(ids, r, reach))
        return cid

    def add_a(r: _Range, p: int) -> None:
        a_op[r] = p
        cid = a_cid[r] = content(ida, r, a_seen, a_keys)
        if cid == len(a_by_cid):
            a_by_cid.append([])
        a_by_cid[cid].append(r)

    def add_b(r: _Range, q: int, *, own_group: bool) -> int:
        """Register a live B range; returns its group."""
        b_op[r] = q
        cid = b_cid[r] = content(idb, r, b_seen, b_keys)
        g = group_of_cid.get(cid) if not own_group else None
        if g is None:
            g = len(groups)
            groups.append([])
            jumps.append([])
            if not own_group:
                group_of_cid[cid] = g
        jumps[g].append(len(groups[g]))
        groups[g].append(r)
        return g

    def best(ra: _Range, rb: _Range) -> _RelMove | None:
        key = (a_cid[ra], b_cid[rb])
        if key not in best_rel:
            rel = None
            if not a_keys[key[0]].isdisjoint(b_keys[key[1]]):
                cands = _move_candidates(ida, idb, ra, rb, min_tokens, min_similarity)
                if cands:
                    c = max(cands, key=lambda c: (c.matched, c.similarity, -c.i1))
                    rel = (c.i1 - ra[0], c.i2 - ra[0], c.j1 - rb[0], c.j2 - rb[0],
                           c.matched, c.similarity)
            best_rel[key] = rel
        return best_rel[key]

    def free_from(g: int, k: int) -> int:
        """Index of group ``g``'s first free range from ``k`` on (its length if none);
        taken ranges are jumped over through pointers shortened as they are read."""
        members, jump = groups[g], jumps[g]
        n = len(members)
        end = k
        while end < n and members[end] not in b_op:
            end = max(jump[end], end + 1)
        while k < end:
            nxt = max(jump[k], k + 1)
            jump[k] = end
            k = nxt
        return end

    def push(ra: _Range, g: int, k: int) -> None:
        """Queue ``ra``'s best candidate with the first free range of group ``g`` from
        its ``k``-th range on (ranges of ``ra``'s own edit excluded)."""
        members, p = groups[g], a_op[ra]
        k = free_from(g, k)
        while k < len(members) and b_op[members[k]] == p:
            k = free_from(g, k + 1)
        if k == len(members):
            return
        rb = members[k]
        rel = best(ra, rb)
        if rel is None:
            return
        x0, x1, y0, y1, matched, sim = rel
        move = _Move(ra[0] + x0, ra[0] + x1, rb[0] + y0, rb[0] + y1, matched, sim)
        heapq.heappush(heap, (-matched, -sim, move.i1, b_op[rb], rb[0], next(seq), move,
                              ra, g, k))

    for k, rs in a_free.items():
        for r in rs:
            if r[1] - r[0] >= min_tokens:
                add_a(r, k)
    for k, rs in b_free.items():
        for r in rs:
            if r[1] - r[0] >= min_tokens:
                add_b(r, k, own_group=False)
    # content pairs sharing a word pair, then one entry per (A range, B group)
    if len(a_keys) * len(b_keys) <= _MOVE_INDEX_PAIRS:
        shared = [(ca, cb) for ca in range(len(a_keys)) for cb in range(len(b_keys))
                  if not a_keys[ca].isdisjoint(b_keys[cb])]
    else:
        index: dict[tuple[int, int], list[int]] = {}
        for ca, keys in enumerate(a_keys):
            for key in keys:
                index.setdefault(key, []).append(ca)
        shared = []
        for cb, keys in enumerate(b_keys):
            hits: set[int] = set()
            for key in keys:
                hits.update(index.get(key, ()))
            shared.extend((ca, cb) for ca in sorted(hits))
    for ca, cb in shared:
        g = group_of_cid[cb]
        for ra in a_by_cid[ca]:
            push(ra, g, 0)
    moves: list[_Move] = []
    while heap:
        *_, move, ra, g, k = heapq.heappop(heap)
        if ra not in a_op:
            continue
        rb = groups[g][k]
        if rb not in b_op:  # taken since: the group's next free range
            push(ra, g, k + 1)
            continue
        p, q = a_op.pop(ra), b_op.pop(rb)
        moves.append(move)
        a_free[p] = _split(a_free[p], move.i1, move.i2)
        b_free[q] = _split(b_free[q], move.j1, move.j2)
        new_a = [r for r in ((ra[0], move.i1), (move.i2, ra[1])) if r[1] - r[0] >= min_tokens]
        new_b = [r for r in ((rb[0], move.j1), (move.j2, rb[1])) if r[1] - r[0] >= min_tokens]
        for r in new_a:
            add_a(r, p)
        # a new B range gets a group of its own: entries already queued for its
        # content's group may have passed its position
        new_groups = [add_b(r, q, own_group=True) for r in new_b]
        for x in new_a:
            for g2 in range(len(groups)):
                push(x, g2, 0)
        for g2 in new_groups:
            for x in list(a_op):
                if x not in new_a:
                    push(x, g2, 0)
    return moves, a_free, b_free


# -------------------------------------------------------------------------- edits


class _Builder:
    def __init__(self, sa: _Side, sb: _Side):
        self.sa = sa
        self.sb = sb

    def edit(self, op: str, i1: int, i2: int, j1: int, j2: int, **kw: object) -> Edit:
        a0, a1 = self.sa.pos(i1, i2)
        b0, b1 = self.sb.pos(j1, j2)
        return Edit(op, a0, a1, b0, b1, (i1, i2), (j1, j2), **kw)  # type: ignore[arg-type]

    def gap_edit(self, op: str, i1: int, i2: int, j1: int, j2: int) -> Edit:
        return self.edit(op, i1, i2, j1, j2, flags=_flags(self.sa, i1, i2, self.sb, j1, j2))

    def equal(self, i1: int, i2: int, j1: int, j2: int) -> list[Edit]:
        """Equal words, split into verbatim runs and cosmetic runs."""
        sa, sb = self.sa, self.sb
        qa, qb = sa.quote_ids, sb.quote_ids
        ta, tb = sa.tokens, sb.tokens
        n = i2 - i1
        pa, pb = sa.quoted_before, sb.quoted_before
        if pa[i2] == pa[i1] and pb[j2] == pb[j1]:  # no word quoted on either side
            qchange = [False] * n
        else:
            qchange = [(qa[i1 + k] >= 0) != (qb[j1 + k] >= 0) for k in range(n)]
        a_text, b_text = sa.text, sb.text
        if not any(qchange) and (
            a_text[ta[i1].start:ta[i2 - 1].end] == b_text[tb[j1].start:tb[j2 - 1].end]
        ):
            return [self.edit("equal", i1, i2, j1, j2)]
        # key per word: (differs or quotation status differs, quotation status differs);
        # chunks whose text is identical are skipped without a per-word look
        differs = [False] * n
        for c in range(0, n, _CHUNK):
            d = min(c + _CHUNK, n)
            if c and a_text[ta[i1 + c - 1].end:ta[i1 + c].start] != \
                    b_text[tb[j1 + c - 1].end:tb[j1 + c].start]:
                differs[c] = True
            if a_text[ta[i1 + c].start:ta[i1 + d - 1].end] == \
                    b_text[tb[j1 + c].start:tb[j1 + d - 1].end]:
                continue
            for k in range(c, d):
                wa, wb = ta[i1 + k], tb[j1 + k]
                if a_text[wa.start:wa.end] != b_text[wb.start:wb.end] or (
                    k > c and a_text[ta[i1 + k - 1].end:wa.start]
                    != b_text[tb[j1 + k - 1].end:wb.start]
                ):
                    differs[k] = True
        keys = [(dk or qk, qk) for dk, qk in zip(differs, qchange, strict=True)]
        out: list[Edit] = []
        k = 0
        while k < n:
            m = k
            while m < n and keys[m] == keys[k]:
                m += 1
            i, j = i1 + k, j1 + k
            di, dj = i1 + m, j1 + m
            if not keys[k][0]:
                out.append(self.edit("equal", i, di, j, dj))
            else:
                kinds: set[str] = set()
                for x in range(m - k):
                    if not differs[k + x]:
                        continue
                    kinds |= _cosmetic_kinds(sa.surface(i + x), sb.surface(j + x))
                    if k + x > 0:
                        kinds |= _cosmetic_kinds(sa.gap(i + x), sb.gap(j + x))
                a0, a1 = sa.pos(i, di)
                b0, b1 = sb.pos(j, dj)
                if k > 0 and sa.gap(i) != sb.gap(j):
                    # the change sits in the gap before the run: include it
                    a0, b0 = ta[i - 1].end, tb[j - 1].end
                out.append(Edit(
                    "equal", a0, a1, b0, b1, (i, di), (j, dj), cosmetic=True,
                    cosmetic_kinds=tuple(sorted(kinds)),
                    flags=(FLAG_QUOTE,) if keys[k][1] else (),
                ))
            k = m
        return out

    def move(self, mv: _Move, move_id: int, ida: Sequence[int], idb: Sequence[int]) -> Edit:
        inner: list[Edit] = []
        if mv.similarity < 1.0 or mv.i2 - mv.i1 != mv.j2 - mv.j1:
            for tag, i1, i2, j1, j2 in opcodes(ida[mv.i1:mv.i2], idb[mv.j1:mv.j2]):
                i1, i2, j1, j2 = i1 + mv.i1, i2 + mv.i1, j1 + mv.j1, j2 + mv.j1
                if tag == "equal":
                    inner.extend(self.equal(i1, i2, j1, j2))
                else:
                    inner.append(self.gap_edit(tag, i1, i2, j1, j2))
        else:
            inner = self.equal(mv.i1, mv.i2, mv.j1, mv.j2)
        flags = {f for e in inner for f in e.flags}
        return self.edit(
            "move", mv.i1, mv.i2, mv.j1, mv.j2,
            flags=tuple(f for f in _FLAG_ORDER if f in flags),
            move_id=move_id,
            similarity=round(mv.similarity, 4),
            inner=tuple(inner) if any(e.op != "equal" or e.cosmetic for e in inner) else (),
        )


def _index_runs(idx: Sequence[int], lo: int, hi: int) -> list[tuple[int, int]]:
    """``idx[lo:hi]`` as runs of consecutive original indexes."""
    out: list[tuple[int, int]] = []
    for x in range(lo, hi):
        if out and idx[x] == out[-1][1]:
            out[-1] = (out[-1][0], idx[x] + 1)
        else:
            out.append((idx[x], idx[x] + 1))
    return out


def _leftover_ops(
    free_a: list[tuple[int, int]], free_b: list[tuple[int, int]],
    ida: Sequence[int], idb: Sequence[int], a_end: int, b_start: int,
) -> list[tuple[str, int, int, int, int]]:
    """Re-align what is left of an edit once moved blocks are carved out of it: the
    LCS may have paired a word there with one inside the moved block."""
    a_idx = [i for s, e in free_a for i in range(s, e)]
    b_idx = [j for s, e in free_b for j in range(s, e)]

    def a_anchor(x: int) -> int:
        return a_idx[x] if x < len(a_idx) else (a_idx[-1] + 1 if a_idx else a_end)

    def b_anchor(y: int) -> int:
        return b_idx[y] if y < len(b_idx) else (b_idx[-1] + 1 if b_idx else b_start)

    out: list[tuple[str, int, int, int, int]] = []
    for tag, x1, x2, y1, y2 in opcodes([ida[i] for i in a_idx], [idb[j] for j in b_idx]):
        if tag == "equal":  # split where either side jumps over a moved block
            start = x1
            for x in range(x1 + 1, x2 + 1):
                y = y1 + x - x1
                if x == x2 or a_idx[x] != a_idx[x - 1] + 1 or b_idx[y] != b_idx[y - 1] + 1:
                    ys = y1 + start - x1
                    out.append(
                        ("equal", a_idx[start], a_idx[x - 1] + 1, b_idx[ys], b_idx[y - 1] + 1)
                    )
                    start = x
            continue
        ra, rb = _index_runs(a_idx, x1, x2), _index_runs(b_idx, y1, y2)
        for n in range(max(len(ra), len(rb))):
            if n < len(ra) and n < len(rb):
                out.append(("replace", *ra[n], *rb[n]))
            elif n < len(ra):
                y0 = rb[-1][1] if rb else b_anchor(y1)
                out.append(("delete", *ra[n], y0, y0))
            else:
                x0 = ra[-1][1] if ra else a_anchor(x1)
                out.append(("insert", x0, x0, *rb[n]))
    return out


def _build_edits(
    ops: list[tuple[str, int, int, int, int]], moves: list[_Move],
    a_free: dict[int, list[tuple[int, int]]], b_free: dict[int, list[tuple[int, int]]],
    sa: _Side, sb: _Side, ida: Sequence[int], idb: Sequence[int],
) -> list[Edit]:
    build = _Builder(sa, sb)
    by_a = sorted(moves, key=lambda m: m.i1)
    move_starts = [m.i1 for m in by_a]
    move_ids = {id(m): k + 1 for k, m in enumerate(by_a)}
    edits: list[Edit] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            edits.extend(build.equal(i1, i2, j1, j2))
            continue
        inside = by_a[bisect.bisect_left(move_starts, i1):bisect.bisect_left(move_starts, i2)]
        untouched = a_free[k] == ([(i1, i2)] if i2 > i1 else []) and \
            b_free[k] == ([(j1, j2)] if j2 > j1 else [])
        if untouched:  # no moved block came out of this edit (the common case)
            edits.append(build.gap_edit(tag, i1, i2, j1, j2))
            continue
        group = [build.move(m, move_ids[id(m)], ida, idb) for m in inside]
        for sub in _leftover_ops(a_free[k], b_free[k], ida, idb, i2, j1):
            if sub[0] == "equal":
                group.extend(build.equal(*sub[1:]))
            else:
                group.append(build.gap_edit(*sub))
        group.sort(key=lambda e: (e.a_tok[0], e.a_tok[1] > e.a_tok[0]))
        edits.extend(group)
    return edits


# -------------------------------------------------------------------------- stats


def _stats(edits: Sequence[Edit], sa: _Side, sb: _Side) -> AlignStats:
    kept = cut = added = replaced_a = replaced_b = moved_a = moved_b = moves = 0
    numbers = quotes = attributions = cosmetic = moved_equal = 0
    covered = [False] * len(sb.tokens)
    for e in edits:
        op = e.op
        (a0, a1), (b0, b1) = e.a_tok, e.b_tok
        na, nb = a1 - a0, b1 - b0
        if op == "equal":
            kept += na
        elif op == "delete":
            cut += na
        elif op == "insert":
            added += nb
        elif op == "replace":
            replaced_a += na
            replaced_b += nb
        else:
            moved_a += na
            moved_b += nb
            moves += 1
            moved_equal += sum(s.a_tok[1] - s.a_tok[0] for s in e.inner if s.op == "equal") \
                if e.inner else na
        if op != "delete" and op != "insert" and nb:
            covered[b0:b1] = [True] * nb
        for sub in e.inner or (e,):
            if sub.flags:
                numbers += FLAG_NUMBER in sub.flags
                quotes += FLAG_QUOTE in sub.flags
                attributions += FLAG_ATTRIBUTION in sub.flags
            cosmetic += sub.cosmetic
    a_words, b_words = len(sa.tokens), len(sb.tokens)
    return AlignStats(
        a_words=a_words,
        b_words=b_words,
        kept=kept,
        cut=cut,
        added=added,
        replaced_a=replaced_a,
        replaced_b=replaced_b,
        moved_a=moved_a,
        moved_b=moved_b,
        moves=moves,
        numbers_changed=numbers,
        quotes_changed=quotes,
        attributions_changed=attributions,
        cosmetic_changes=cosmetic,
        share_a_kept=round((kept + moved_equal) / a_words, 4) if a_words else 0.0,
        share_b_covered=_coverage(sb, covered),
    )


_FIRST_SPACE = re.compile(r"\s")
_FIRST_NON_SPACE = re.compile(r"\S")
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_LAST_NON_SPACE = re.compile(r".*\S", re.DOTALL)


def _last_end(pattern: re.Pattern[str], text: str, floor: int, end: int) -> int:
    """Where the last match of ``pattern`` (``.*X``: up to the last ``X``) in
    ``text[floor:end]`` ends, or -1. Looks back from ``end`` in doubling windows, so
    the cost is the distance to that match, not to ``floor``."""
    width = 64
    while True:
        lo = max(floor, end - width)
        m = pattern.match(text, lo, end)
        if m:
            return m.end()
        if lo <= floor:
            return -1
        width *= 2


def _coverage(sb: _Side, covered: list[bool]) -> float:
    """Share of B's whole text (outer whitespace aside) under covered word runs, each run
    widened to the punctuation glued to its ends.

    Linear in the span's words: each stretch of text is looked at once or twice, never
    read again from the start of the text for each run.
    """
    text = sb.text
    first = _FIRST_NON_SPACE.search(text)
    if first is None:
        return 0.0
    total = _last_end(_LAST_NON_SPACE, text, first.start(), len(text)) - first.start()
    toks = sb.tokens
    chars = 0
    # bound: just after the last whitespace before `floor` (0 if none);
    # space_after: the first whitespace at or after the previous run's end (or len(text))
    floor, bound, space_after = 0, 0, -1
    j, n = 0, len(toks)
    while j < n:
        if not covered[j]:
            j += 1
            continue
        k = j
        while k < n and covered[k]:
            k += 1
        start, end = toks[j].start, toks[k - 1].end
        p = _last_end(_LAST_SPACE, text, floor, start)
        if p >= 0:
            bound = p
        floor = start
        if end > space_after:
            m = _FIRST_SPACE.search(text, end)
            space_after = m.start() if m else len(text)
        chars += space_after - bound
        j = k
    return round(min(chars, total) / total, 4)


# ----------------------------------------------------------------------------- API


def _check_span(text: str, span: tuple[int, int] | None, name: str) -> tuple[int, int]:
    if span is None:
        return 0, len(text)
    s, e = span
    if not (0 <= s <= e <= len(text)):
        raise ParameterError(
            f"{name} must satisfy 0 <= start <= end <= {len(text)} (the text's length), "
            f"got {span!r}"
        )
    return int(s), int(e)


def _check_params(min_move_tokens: int, min_move_similarity: float, min_equal_tokens: int) -> None:
    if min_move_tokens < 2:
        raise ParameterError(f"min_move_tokens must be >= 2, got {min_move_tokens}")
    if not 0.0 < min_move_similarity <= 1.0:
        raise ParameterError(
            f"min_move_similarity must be in (0.0, 1.0], got {min_move_similarity}"
        )
    if min_equal_tokens < 0:
        raise ParameterError(f"min_equal_tokens must be >= 0, got {min_equal_tokens}")


def align(
    a: str,
    b: str,
    *,
    a_span: tuple[int, int] | None = None,
    b_span: tuple[int, int] | None = None,
    min_move_tokens: int = 4,
    min_move_similarity: float = 0.8,
    min_equal_tokens: int = 2,
) -> Alignment:
    """Align the words of ``a[a_span]`` with those of ``b[b_span]`` (default: whole texts).

    ``min_move_tokens``: the fewest matching words a moved block needs;
    ``min_move_similarity``: how alike (``2 * matched / (len_a + len_b)``) a moved
    block's two copies must be; ``min_equal_tokens``: equal runs shorter than this
    between two longer edits are folded into them (0 keeps the minimal diff).

    >>> al = align("Aa Bb Cc Dd. Ee Ff Gg Hh Ii Jj.", "Ee Ff Gg Hh Ii Jj. Aa Bb Cc Dd.")
    >>> [(e.op, al.a[e.a_start:e.a_end], e.move_id) for e in al.edits]
    [('move', 'Aa Bb Cc Dd', 1), ('equal', 'Ee Ff Gg Hh Ii Jj', None)]
    """
    _check_params(min_move_tokens, min_move_similarity, min_equal_tokens)
    span_a = _check_span(a, a_span, "a_span")
    span_b = _check_span(b, b_span, "b_span")
    ta = _tokens(a, *span_a)
    tb = _tokens(b, *span_b)
    sa, sb = _Side(a, ta, span_a), _Side(b, tb, span_b)
    ida, idb = _ids(ta, tb)
    ops = _shift_to_boundaries(opcodes(ida, idb), (ida, idb), (sa, sb))
    ops = _absorb_short_equals(ops, min_equal_tokens)
    moves, a_free, b_free = _find_moves(ops, ida, idb, min_move_tokens, min_move_similarity)
    edits = _build_edits(ops, moves, a_free, b_free, sa, sb, ida, idb)
    return Alignment(
        a=a, b=b, a_span=span_a, b_span=span_b, a_tokens=tuple(ta), b_tokens=tuple(tb),
        edits=tuple(edits), stats=_stats(edits, sa, sb),
    )


def _densest(
    blocks: Sequence[tuple[int, int, int]], gap_penalty: float
) -> tuple[int, int, float, int] | None:
    """Maximum-scoring run of matching blocks (Kadane): each block scores its size,
    each gap between two blocks costs ``gap_penalty`` per word on its longer side.
    Returns ``(first, last, score, matched)`` block indexes."""
    best: tuple[int, int, float, int] | None = None
    cur_start, cur_score, cur_matched = 0, 0.0, 0
    for k, (a, b, size) in enumerate(blocks):
        if k:
            pa, pb, ps = blocks[k - 1]
            gap = max(a - (pa + ps), b - (pb + ps)) * gap_penalty
            if cur_score - gap > 0:
                cur_score -= gap
            else:
                cur_start, cur_score, cur_matched = k, 0.0, 0
        cur_score += size
        cur_matched += size
        if best is None or cur_score > best[2]:
            best = (cur_start, k, cur_score, cur_matched)
    return best


def _anchored(ida: Sequence[int], idb: Sequence[int], k: int) -> tuple[list[int], list[int]]:
    """Copies of the id lists where words outside every ``k``-gram shared by both texts
    get ids that match nothing (scattered "the"/"a" matches would otherwise outvote a
    real shared passage in the LCS)."""
    work_a, work_b = list(ida), list(idb)
    if k <= 1:
        return work_a, work_b
    grams_a = {tuple(ida[i:i + k]) for i in range(len(ida) - k + 1)}
    shared = grams_a.intersection(tuple(idb[j:j + k]) for j in range(len(idb) - k + 1))
    for ids, work, offset in ((ida, work_a, 0), (idb, work_b, len(ida))):
        keep = [False] * len(ids)
        for i in range(len(ids) - k + 1):
            if tuple(ids[i:i + k]) in shared:
                keep[i:i + k] = [True] * k
        for i, kept in enumerate(keep):
            if not kept:
                work[i] = -1 - offset - i
    return work_a, work_b


_EDGE_WINDOW = 12


def _widen_left(
    ida: Sequence[int], idb: Sequence[int], taken_a: list[bool], taken_b: list[bool],
    i1: int, j1: int, gap_penalty: float,
) -> tuple[int, int, int]:
    """Move a region's start left over nearby matches worth more than the gaps between
    them (within a few words). Returns the new start and the words gained."""
    lo_a, lo_b = i1, j1
    while lo_a > 0 and i1 - lo_a < _EDGE_WINDOW and not taken_a[lo_a - 1]:
        lo_a -= 1
    while lo_b > 0 and j1 - lo_b < _EDGE_WINDOW and not taken_b[lo_b - 1]:
        lo_b -= 1
    best = (0.0, i1, j1, 0)
    if lo_a == i1 or lo_b == j1:
        return i1, j1, 0
    blocks = [bl for bl in Indel.opcodes(ida[lo_a:i1], idb[lo_b:j1]).as_matching_blocks()
              if bl.size]
    score, matched, cur_a, cur_b = 0.0, 0, i1, j1
    for bl in reversed(blocks):
        x, y = lo_a + bl.a, lo_b + bl.b
        score += bl.size - gap_penalty * max(cur_a - (x + bl.size), cur_b - (y + bl.size))
        matched += bl.size
        cur_a, cur_b = x, y
        if score > best[0]:
            best = (score, x, y, matched)
    return best[1], best[2], best[3]


def _widen_right(
    ida: Sequence[int], idb: Sequence[int], taken_a: list[bool], taken_b: list[bool],
    i2: int, j2: int, gap_penalty: float,
) -> tuple[int, int, int]:
    """The mirror of :func:`_widen_left` for a region's end."""
    n, m = len(ida), len(idb)
    hi_a, hi_b = i2, j2
    while hi_a < n and hi_a - i2 < _EDGE_WINDOW and not taken_a[hi_a]:
        hi_a += 1
    while hi_b < m and hi_b - j2 < _EDGE_WINDOW and not taken_b[hi_b]:
        hi_b += 1
    best = (0.0, i2, j2, 0)
    if hi_a == i2 or hi_b == j2:
        return i2, j2, 0
    blocks = [bl for bl in Indel.opcodes(ida[i2:hi_a], idb[j2:hi_b]).as_matching_blocks()
              if bl.size]
    score, matched, cur_a, cur_b = 0.0, 0, i2, j2
    for bl in blocks:
        x, y = i2 + bl.a, j2 + bl.b
        score += bl.size - gap_penalty * max(x - cur_a, y - cur_b)
        matched += bl.size
        cur_a, cur_b = x + bl.size, y + bl.size
        if score > best[0]:
            best = (score, cur_a, cur_b, matched)
    return best[1], best[2], best[3]


def find_regions(
    a: str,
    b: str,
    *,
    max_regions: int = 3,
    min_matched: int = 8,
    gap_penalty: float = 1.0,
    anchor_words: int = 3,
) -> list[Region]:
    """Regions of ``a`` and ``b`` that hold the same material, best first.

    Aligns the words that belong to a run of ``anchor_words`` words found in both texts,
    then keeps the densest run of matches (matched words minus ``gap_penalty`` per
    unmatched word between matches), so a short passage inside a long story is found
    without being diluted by the rest. Each region found is masked out and the search
    repeated, so shared passages in a different order are found too. Spans run from
    the region's first word to its last.

    >>> filler = " ".join(f"w{i}" for i in range(200))
    >>> wire = "the minister said on Tuesday that talks would resume in Geneva next week"
    >>> r = find_regions(wire, filler + " " + wire + " " + filler)[0]
    >>> r.a_span, r.matched, r.b_span[0] == len(filler) + 1
    ((0, 72), 13, True)
    """
    if max_regions < 1:
        raise ParameterError(f"max_regions must be >= 1, got {max_regions}")
    if min_matched < 1:
        raise ParameterError(f"min_matched must be >= 1, got {min_matched}")
    if gap_penalty < 0:
        raise ParameterError(f"gap_penalty must be >= 0, got {gap_penalty}")
    if anchor_words < 1:
        raise ParameterError(f"anchor_words must be >= 1, got {anchor_words}")
    ta, tb = _tokenize(a, 0, len(a)), _tokenize(b, 0, len(b))
    ida, idb = _ids(ta, tb)
    work_a, work_b = _anchored(ida, idb, anchor_words)
    taken_a, taken_b = [False] * len(ida), [False] * len(idb)
    regions: list[Region] = []
    for _ in range(max_regions):
        blocks = [
            (bl.a, bl.b, bl.size)
            for bl in Indel.opcodes(work_a, work_b).as_matching_blocks()
            if bl.size
        ]
        best = _densest(blocks, gap_penalty)
        if best is None or best[3] < min_matched:
            break
        first, last, score, matched = best
        i1, j1 = blocks[first][0], blocks[first][1]
        i2, j2 = blocks[last][0] + blocks[last][2], blocks[last][1] + blocks[last][2]
        # widen over matches at the edges that the anchoring left out ("More than" in
        # "More than 10,000 North Korean ..." -> "More than 11,000 North Korean ...")
        i1, j1, extra = _widen_left(ida, idb, taken_a, taken_b, i1, j1, gap_penalty)
        matched += extra
        i2, j2, extra = _widen_right(ida, idb, taken_a, taken_b, i2, j2, gap_penalty)
        matched += extra
        regions.append(Region(
            a_span=(ta[i1].start, ta[i2 - 1].end), b_span=(tb[j1].start, tb[j2 - 1].end),
            a_tok=(i1, i2), b_tok=(j1, j2), matched=matched, score=round(score, 4),
        ))
        for i in range(i1, i2):
            taken_a[i] = True
            work_a[i] = -1 - i
        for j in range(j1, j2):
            taken_b[j] = True
            work_b[j] = -1 - len(ida) - j
    regions.sort(key=lambda r: (-r.score, r.a_tok))
    return regions


def align_local(
    a: str,
    b: str,
    *,
    min_matched: int = 8,
    gap_penalty: float = 1.0,
    anchor_words: int = 3,
    whole_a: bool = False,
    min_move_tokens: int = 4,
    min_move_similarity: float = 0.8,
    min_equal_tokens: int = 2,
) -> Alignment | None:
    """Find the best region shared by ``a`` and ``b`` and align only that span.

    Returns ``None`` when no region has ``min_matched`` matching words. With
    ``whole_a=True`` all of ``a`` (a short wire passage) is aligned against the region
    of ``b``, so words of ``a`` missing at the region's edges count as cut.

    >>> story = "Local news about roads and schools. " * 40
    >>> wire = "Officials said 12,000 soldiers had arrived in the Kursk region on Monday."
    >>> al = align_local(wire, story + wire.replace("12,000", "11,000") + " " + story)
    >>> al.b_span[0] == len(story), al.stats.numbers_changed
    (True, 1)
    """
    _check_params(min_move_tokens, min_move_similarity, min_equal_tokens)
    regions = find_regions(
        a, b, max_regions=1, min_matched=min_matched, gap_penalty=gap_penalty,
        anchor_words=anchor_words,
    )
    if not regions:
        return None
    region = regions[0]
    return align(
        a, b,
        a_span=None if whole_a else region.a_span,
        b_span=region.b_span,
        min_move_tokens=min_move_tokens,
        min_move_similarity=min_move_similarity,
        min_equal_tokens=min_equal_tokens,
    )


def apply_edits(alignment: Alignment) -> list[str]:
    """Rebuild B's word sequence (normalised forms) from A's words and the edits.

    Equal words and moved blocks are taken from A (a move's inner edits applied);
    inserted and replacing words come from the edit's B side.

    >>> al = align("one two three four five six", "four five six one two three")
    >>> apply_edits(al) == [t.norm for t in al.b_tokens]
    True
    """
    a_norms = [t.norm for t in alignment.a_tokens]
    b_norms = [t.norm for t in alignment.b_tokens]

    def content(e: Edit) -> list[str]:
        if e.op == "equal":
            return a_norms[slice(*e.a_tok)]
        if e.op == "move":
            if not e.inner:
                return a_norms[slice(*e.a_tok)]
            parts = sorted((s for s in e.inner if s.op != "delete"), key=lambda s: s.b_tok[0])
            return [w for s in parts for w in content(s)]
        return b_norms[slice(*e.b_tok)]

    out: list[str] = []
    for e in sorted((e for e in alignment.edits if e.op != "delete"), key=lambda e: e.b_tok[0]):
        out.extend(content(e))
    return out
