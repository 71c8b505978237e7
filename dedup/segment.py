"""Cut documents into passages (sentences) that keep offsets into the original text.

A paragraph is a line, or a run of lines between blank lines; news pages written one
paragraph per line and pages with blank-line paragraphs both come out right. Inside a
paragraph, sentences end at ``. ! ? … ۔ ؟ 。`` (plus closing quotes or brackets)
followed by space and a plausible sentence start; abbreviations (``U.S.``, ``Mr.``,
initials) do not end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .models import Passage

_PARA_RE = re.compile(r"[^\r\n]+")
# A sentence end: terminator(s), optional closers, then whitespace.
_END_RE = re.compile(r"[.!?\u2026\u06d4\u061f\u3002\uff01\uff1f]+[\"'\u201d\u2019\u00bb)\]]*(?=\s)")
_ABBREV = frozenset(
    """mr mrs ms dr prof sen rep gov gen lt col capt sgt st jr sr inc ltd co corp no nos vs
    jan feb mar apr jun jul aug sep sept oct nov dec est approx dept univ fig vol pp ed eds
    rev hon pres adm cmdr maj brig""".split()
)
_OPENERS = "\"'\u201c\u2018\u00ab(["


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation or an initial."""
    j = dot
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot]
    if not word:
        return False
    if "." in word:  # U.S. / a.m. / e.g.
        return True
    if len(word) == 1 and word.isupper():  # an initial: "John F. Kennedy"
        return True
    return word.lower() in _ABBREV


def _starts_sentence(text: str, pos: int) -> bool:
    """Could a new sentence start at ``pos`` (the first non-space after a terminator)?"""
    if pos >= len(text):
        return False
    ch = text[pos]
    if ch in _OPENERS:
        k = pos + 1
        while k < len(text) and text[k] in _OPENERS:
            k += 1
        if k >= len(text):
            return False
        ch = text[k]
    # Uppercase, digits, and letters of scripts without case (Urdu, Arabic, CJK) start
    # sentences; a lowercase letter means the period was not a sentence end.
    return ch.isdigit() or ch.isupper() or (ch.isalpha() and not ch.islower())


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty lines of ``text`` (each line is a paragraph block).

    >>> paragraphs("Title\\n\\nFirst para.\\nSecond.")
    [(0, 5), (7, 18), (19, 26)]
    """
    spans = []
    for m in _PARA_RE.finditer(text):
        s, e = _strip(text, m.start(), m.end())
        if s < e:
            spans.append((s, e))
    return spans


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (offsets into ``text``).

    >>> t = "The U.S. said so. \\u201cNo,\\u201d he said. then more"
    >>> [t[s:e] for s, e in sentences(t)]
    ['The U.S. said so.', '\\u201cNo,\\u201d he said. then more']
    """
    stop = len(text) if end is None else end
    spans = []
    s = start
    for m in _END_RE.finditer(text, start, stop):
        if m.end() <= s:
            continue
        dot = m.start()
        if dot > 0 and text[dot - 1] in "[(":  # an elision: "[...]"
            continue
        if text[dot] == "." and m.end() - m.start() == 1 and _is_abbreviation(text, dot):
            continue
        nxt = m.end()
        while nxt < stop and text[nxt].isspace():
            nxt += 1
        if nxt < stop and not _starts_sentence(text, nxt):
            continue
        a, b = _strip(text, s, m.end())
        if a < b:
            spans.append((a, b))
        s = m.end()
    a, b = _strip(text, s, stop)
    if a < b:
        spans.append((a, b))
    return spans


def sentence_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """``(start, end, paragraph)`` of each sentence, in order.

    >>> list(sentence_spans("One. Two.\\n\\nThree."))
    [(0, 4, 0), (5, 9, 0), (11, 17, 1)]
    """
    for pi, (ps, pe) in enumerate(paragraphs(text)):
        for s, e in sentences(text, ps, pe):
            yield s, e, pi


def segment(doc_id: str, text: str) -> list[Passage]:
    """The document's passages: one per sentence, in order, with paragraph indexes.

    >>> [(p.start, p.end, p.paragraph) for p in segment("d", "One. Two.\\n\\nThree.")]
    [(0, 4, 0), (5, 9, 0), (11, 17, 1)]
    """
    return [Passage(doc=doc_id, index=i, start=s, end=e, paragraph=pi)
            for i, (s, e, pi) in enumerate(sentence_spans(text))]
