"""Cut documents into passages (sentences) that keep offsets into the original text.

A paragraph is a line, or a run of lines between blank lines; news pages written one
paragraph per line and pages with blank-line paragraphs both come out right. Inside a
paragraph a sentence ends at:

* ``. ! ? … ۔ ؟`` (plus closing quotes or brackets) followed by space and a plausible
  sentence start; abbreviations (``U.S.``, ``Mr.``, initials) do not end a sentence;
* a terminator that only ever ends a sentence, with or without a space after it, as
  scripts written without spaces need: ``。 ｡ ！ ？`` (Chinese, Japanese), ``๚ ๛``
  (Thai), ``។ ៕`` (Khmer), ``။`` (Myanmar), ``। ॥`` (Devanagari, Bengali), ``። ፧``
  (Ethiopic); closing quotes and brackets after it (``。」`` ``！”`` ``。）``) stay
  with the sentence. ``!`` and ``?`` end a sentence when a Chinese or Japanese
  letter follows them directly.

A quotation closed after its own terminator continues the sentence when a Japanese
quoting particle follows (``「行く。」と述べた。``) or when only a short attribution
does (``“我们会去。”他说。``), so the attribution is not a passage of its own.
Thai marks sentences with spaces rather than punctuation; a space is also a
phrase break there, so Thai paragraphs are cut only at ``๚ ๛`` and the marks above.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .models import Passage
from .normalize import char_script_pattern

# A line from its first to its last non-space character (\\s and str.isspace agree).
_PARA_RE = re.compile(r"\S(?:[^\r\n]*\S)?")
# Terminators that always end a sentence, space or no space after them.
_ALWAYS = "\u3002\uff61\uff01\uff1f\u0e5a\u0e5b\u17d4\u17d5\u104b\u0964\u0965\u1362\u1367"
# Terminators that end one only before a space and a plausible sentence start.
_SPACED = ".!?\u2026\u06d4\u061f"
# Closing quotes and brackets that stay with the sentence they close.
_CLOSE_QUOTES = "\"'\u201d\u2019\u00bb\u300d\u300f\uff02\uff07"
_CLOSERS = _CLOSE_QUOTES + ")]\uff09\u300b\u3009\u3011\u3015\uff3d\uff5d\u3017\u3019"
_CL = f"[{re.escape(_CLOSERS)}]*"
# A sentence end is terminator(s), then optional closers. Either a run of ". ! ? …"
# before a space (to be checked: abbreviation, next word) ...
# (The first terminator stands alone, "[.!?][.!?]*" rather than "[.!?]+", so that the
# pattern starts with a character class: the regex engine then scans for it in C
# instead of trying the pattern at every position.)
_SPACED_END_RE = re.compile(f"[{re.escape(_SPACED)}][{re.escape(_SPACED)}]*{_CL}(?=\\s)")
# ... or a run holding "。" and the like, or "!" or "?" directly followed by a letter
# of a script written without spaces. Only looked for where such characters are
# (single character classes that the regex engine scans for fast).
_ALWAYS_END_RE = re.compile(
    f"[{re.escape(_SPACED)}]*[{_ALWAYS}][{re.escape(_SPACED)}{_ALWAYS}]*{_CL}"
    f"|[!?]+{_CL}(?={char_script_pattern().pattern})"
)
_ALWAYS_RE = re.compile(f"[{_ALWAYS}]")
_SPACELESS_RE = re.compile(f"[{_ALWAYS}{char_script_pattern().pattern[1:-1]}]")
# UTF-8 lead bytes of U+0800-U+1FFF, U+3000-U+9FFF, U+F000-U+FFFF and the
# supplementary planes, where every character of _SPACELESS_RE lies.
_LEAD_BYTES = tuple(bytes([b]) for b in (0xE0, 0xE1, *range(0xE3, 0xEA), 0xEF, 0xF0))
_CLOSE_QUOTE_SET = frozenset(_CLOSE_QUOTES)
# After a quotation that ends with its own terminator, these continue the sentence:
# Japanese quoting particles (と, って) ...
_QUOTING_PARTICLES = "\u3068\u3063"
# ... or an attribution up to the next terminator: a very short one ("他问。"), or
# one that ends with a Chinese verb of saying ("外交部发言人赵立坚在记者会上表示。").
_MAX_ATTRIBUTION = 4
_MAX_SAID = 30
_SAID = ("说", "說", "道", "问", "問", "答", "表示", "称", "稱", "指出", "强调", "強調", "透露",
         "介绍", "介紹", "回应", "回應", "宣布", "告诉记者", "告訴記者")
_ABBREV = frozenset(
    """mr mrs ms dr prof sen rep gov gen lt col capt sgt st jr sr inc ltd co corp no nos vs
    jan feb mar apr jun jul aug sep sept oct nov dec est approx dept univ fig vol pp ed eds
    rev hon pres adm cmdr maj brig""".split()
)
_OPENERS = "\"'\u201c\u2018\u00ab([\u300c\u300e\uff08\u300a\u3008\u3010\u3014\uff3b"


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
    """Spans of the non-empty lines of ``text`` (each line is a paragraph block),
    without the spaces around them.

    >>> paragraphs("Title\\n\\nFirst para.\\nSecond.")
    [(0, 5), (7, 18), (19, 26)]
    """
    if "\r" in text:
        return [m.span() for m in _PARA_RE.finditer(text)]
    # The same without "\r", faster: lines cut by str.split, spaces by str.strip
    # (whose spaces are those of \\s and str.isspace).
    spans = []
    pos = 0
    for line in text.split("\n"):
        rest = line.lstrip()
        if rest:
            s = pos + len(line) - len(rest)
            spans.append((s, s + len(rest.rstrip())))
        pos += len(line) + 1
    return spans


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _quote_continues(text: str, end: int, stop: int) -> bool:
    """After a quotation closed at ``end`` by its own terminator (``。」``, ``。”``),
    does the sentence go on? Yes before a Japanese quoting particle, or when what
    follows up to the next terminator is a short attribution with no quotation."""
    if end >= stop:
        return False
    if text[end] in _QUOTING_PARTICLES:
        return True
    nxt = _ALWAYS_RE.search(text, end, stop)
    if nxt is None:
        return False
    tail = text[end:nxt.start()].strip()
    if any(c in _OPENERS for c in tail):
        return False
    return len(tail) <= _MAX_ATTRIBUTION or (len(tail) <= _MAX_SAID and tail.endswith(_SAID))


def has_spaceless_script(text: str, start: int = 0, end: int | None = None) -> bool:
    """Does ``text[start:end]`` hold a letter of a script written without spaces
    (:func:`dedup.normalize.is_char_script`) or a terminator that needs no space
    after it? Text that does not is cut (and tokenised) by the faster rules alone.

    >>> [has_spaceless_script(t) for t in ("Plain \u201cEnglish\u201d.", "中文", "है।")]
    [False, True, True]
    """
    stop = len(text) if end is None else end
    window = text if start == 0 and stop == len(text) else text[start:stop]
    if window.isascii():
        return False
    # Every such character is encoded in UTF-8 with one of these lead bytes; curly
    # quotes and dashes (lead byte E2) are not. Searching the bytes for them is far
    # faster than the regex over the text, and most documents stop here.
    data = window.encode("utf-8", "surrogatepass")
    if not any(lead in data for lead in _LEAD_BYTES):
        return False
    return _SPACELESS_RE.search(window) is not None


def sentences(text: str, start: int = 0, end: int | None = None, *,
              spaceless: bool = True) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (offsets into ``text``).

    ``spaceless=False`` skips the rules for scripts written without spaces; pass it
    only when :func:`has_spaceless_script` says the text does not need them.

    >>> t = "The U.S. said so. \\u201cNo,\\u201d he said. then more"
    >>> [t[s:e] for s, e in sentences(t)]
    ['The U.S. said so.', '\\u201cNo,\\u201d he said. then more']
    >>> t = "外交部说。“我们会去。”他说。会谈结束了！"
    >>> [t[s:e] for s, e in sentences(t)]
    ['外交部说。', '“我们会去。”他说。', '会谈结束了！']
    """
    stop = len(text) if end is None else end
    ends = _SPACED_END_RE.finditer(text, start, stop)
    if spaceless and _SPACELESS_RE.search(text, start, stop):
        ends = sorted((*ends, *_ALWAYS_END_RE.finditer(text, start, stop)),
                      key=lambda m: (m.start(), -m.end()))
    spans = []
    s = start
    for m in ends:
        dot, e = m.span()
        if e <= s:
            continue
        if m.re is _ALWAYS_END_RE:
            # "。" ends a sentence wherever it is; so do "!" and "?" directly
            # followed by a Chinese or Japanese letter ("真的吗?我不知道"); unless
            # a quotation they close goes on ("「行く。」と述べた。").
            closers = m.group().lstrip(_SPACED + _ALWAYS)
            if _CLOSE_QUOTE_SET.intersection(closers) and _quote_continues(text, e, stop):
                continue
        else:
            if dot > 0 and text[dot - 1] in "[(":  # an elision: "[...]"
                continue
            if text[dot] == "." and e - dot == 1 and _is_abbreviation(text, dot):
                continue
            nxt = e
            while nxt < stop and text[nxt].isspace():
                nxt += 1
            if nxt < stop and not _starts_sentence(text, nxt):
                continue
        a, b = _strip(text, s, e)
        if a < b:
            spans.append((a, b))
        s = e
    a, b = _strip(text, s, stop)
    if a < b:
        spans.append((a, b))
    return spans


def sentence_spans(text: str, *, spaceless: bool | None = None
                   ) -> Iterator[tuple[int, int, int]]:
    """``(start, end, paragraph)`` of each sentence, in order. ``spaceless``: what
    :func:`has_spaceless_script` says of ``text``, when the caller knows it already.

    >>> list(sentence_spans("One. Two.\\n\\nThree."))
    [(0, 4, 0), (5, 9, 0), (11, 17, 1)]
    """
    if spaceless is None:
        spaceless = has_spaceless_script(text)
    if not spaceless:
        return iter(_spaced_sentence_spans(text))
    return ((s, e, pi) for pi, (ps, pe) in enumerate(paragraphs(text))
            for s, e in sentences(text, ps, pe, spaceless=True))


def char_positions(text: str, chars: str) -> list[int]:
    """Where any of ``chars`` occurs in ``text``, in order (``str.find`` scans in C,
    far faster than a regex's character class).

    >>> char_positions("a.b!c.", ".!")
    [1, 3, 5]
    """
    at: list[int] = []
    for c in chars:
        i = text.find(c)
        while i >= 0:
            at.append(i)
            i = text.find(c, i + 1)
    at.sort()
    return at


def _spaced_ends(text: str) -> list[tuple[int, int]]:
    """``[m.span() for m in _SPACED_END_RE.finditer(text)]``, faster: a match starts
    at a terminator, so the pattern is tried only where ``str.find`` (which scans
    in C far faster than the regex engine) finds one, left to right, as finditer
    would."""
    at = char_positions(text, _SPACED)
    ends = []
    last = 0
    match = _SPACED_END_RE.match
    for i in at:
        if i >= last and (m := match(text, i)) is not None:
            ends.append(m.span())
            last = m.end()
    return ends


def _spaced_sentence_spans(text: str) -> list[tuple[int, int, int]]:
    """:func:`sentence_spans` of a text that needs no rules for scripts written
    without spaces: the same rules as :func:`sentences` with ``spaceless=False``,
    one pass over the whole text rather than one per paragraph.

    A sentence end found in the whole text (terminators and closers, then a space)
    lies inside one line; the ones that end where their paragraph ends are not cuts
    (a paragraph's last sentence ends there anyway), and the others are exactly the
    ones :func:`sentences` finds in that paragraph.
    """
    spans: list[tuple[int, int, int]] = []
    ends = _spaced_ends(text)
    k, n = 0, len(ends)
    for pi, (a, pe) in enumerate(paragraphs(text)):
        while k < n and ends[k][1] < pe:
            dot, e = ends[k]
            k += 1
            if dot > 0 and text[dot - 1] in "[(":  # an elision: "[...]"
                continue
            if text[dot] == "." and e - dot == 1:
                # _is_abbreviation, faster where the word before the dot runs back
                # to a space (as it nearly always does)
                word = text[text.rfind(" ", 0, dot) + 1:dot]
                bare = word.replace(".", "")
                if bare.isalpha() or not bare:
                    if word and ("." in word or (len(word) == 1 and word.isupper())
                                 or word.lower() in _ABBREV):
                        continue
                elif _is_abbreviation(text, dot):
                    continue
            # Spaces follow e, and the paragraph ends with a non-space after them.
            nxt = e + 1
            while text[nxt].isspace():
                nxt += 1
            if _starts_sentence(text, nxt):
                spans.append((a, e, pi))
                a = nxt
        if k < n and ends[k][1] == pe:
            k += 1
        spans.append((a, pe, pi))
    return spans


def segment(doc_id: str, text: str) -> list[Passage]:
    """The document's passages: one per sentence, in order, with paragraph indexes.

    >>> [(p.start, p.end, p.paragraph) for p in segment("d", "One. Two.\\n\\nThree.")]
    [(0, 4, 0), (5, 9, 0), (11, 17, 1)]
    """
    return [Passage(doc=doc_id, index=i, start=s, end=e, paragraph=pi)
            for i, (s, e, pi) in enumerate(sentence_spans(text))]
