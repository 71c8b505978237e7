"""Normalisation that never loses track of the original text.

Matching compares a normalised form of the text (typographic quotes, dashes,
non-breaking and repeated spaces, case and Unicode compatibility forms folded),
while every offset handed to the user points into the original. Two tools do that:

* :func:`tokenize` finds the words of the *original* text (so offsets need no
  mapping at all) and attaches to each its normalised matching form;
* :func:`normalize_with_map` returns the normalised string plus, for each of its
  characters, the index of the original character it came from, for callers that
  need to match on normalised text and map a span back.

A *word* is a number (``12,000``, ``12 000``, ``3.5``; a unit glued to it is a word
of its own), a run of letters and digits starting with a letter, with inner
apostrophes (``Russia's``), or, in scripts written without spaces
(Chinese, Japanese, Thai, Lao, Khmer, Myanmar), one character with its combining
marks: ``NATO秘书长`` is the four words ``NATO 秘 书 长``. Every stage (the bulk
tokeniser, the aligner, ``compare``) uses :func:`token_pattern`, so they agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from .models import Token

# Characters folded before comparison. Apostrophes and quotes map to ASCII ones,
# every dash to "-", every space-like character to " ".
_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u02bc": "'", "\uff07": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\uff02": '"',
}
_DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
_SPACES = {c: " " for c in "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
           "\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\r\n\x0b\x0c"}
_ZERO_WIDTH = {c: "" for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}
FOLD = {**_QUOTES, **_DASHES, **_SPACES, **_ZERO_WIDTH}
_FOLD_TABLE = str.maketrans(FOLD)

# Every character fold() maps to "'" joins the parts of a word ("Korea's", "don't").
APOSTROPHES = "".join(sorted({"'", *(c for c, f in _QUOTES.items() if f == "'")}))
# Invisible characters that may sit inside a word (soft hyphen, zero-width joiners);
# a word runs across them and its matching form drops them.
INVISIBLE = "".join(_ZERO_WIDTH)
_WORD_TABLE = str.maketrans({**_ZERO_WIDTH, **{c: "'" for c in APOSTROPHES}})


@lru_cache(maxsize=1)
def _mark_class() -> str:
    """Regex class body of combining marks in the BMP (``\\w`` lacks them, and
    scripts such as Urdu, Hindi or Vietnamese need them inside words)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, 0x10000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


# Scripts written without spaces between words: each of their letters is a word of
# its own (character shingles). Han (with 々〆〇 and the ideographic numerals),
# Hiragana, Katakana (full and half width), Thai, Lao, Khmer and Myanmar letters;
# their digits stay numbers, their punctuation stays punctuation, their combining
# marks (Thai vowels and tones, kana voicing marks) stay with the letter before.
_CHAR_SCRIPTS = (
    "\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46"                # Thai letters
    "\u0e81-\u0eb0\u0eb2\u0eb3\u0ebd-\u0ec6\u0edc-\u0edf"  # Lao letters
    "\u1000-\u102a\u103f\u1050-\u1055\u105a-\u105d\u1061\u1065\u1066"
    "\u106e-\u1070\u1075-\u1081\u108e"                      # Myanmar letters
    "\u1780-\u17b3\u17d7\u17dc"                              # Khmer letters
    "\u3005-\u3007\u3021-\u3029\u3038-\u303c"               # 々〆〇, numerals
    "\u3041-\u3096\u309d-\u309f"                             # Hiragana
    "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"               # Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"               # Han
    "\uff66-\uff9d"                                          # halfwidth Katakana
    "\U0001b000-\U0001b16f"                                  # Kana supplements
    "\U00020000-\U0003134f\U00031350-\U000323af"           # Han extensions
)
# Spaces that may group a number's thousands ("12 000"): space, no-break, thin,
# narrow no-break.
_GROUP_SPACES = " \u00a0\u2009\u202f"
# Thousands separators: comma and period (the text's own rule decides which), the
# full-width comma, the Arabic thousands separator; decimal marks: period, the
# full-width period, the Arabic decimal separator.
_THOUSANDS = ",.\uff0c\u066c"
_DECIMAL = ".\uff0e\u066b"


def is_char_script(ch: str) -> bool:
    """True for a letter of a script shingled by characters (Han, kana, Thai, ...).

    >>> is_char_script("中"), is_char_script("カ"), is_char_script("a")
    (True, True, False)
    """
    return char_script_pattern().fullmatch(ch) is not None


@lru_cache(maxsize=1)
def char_script_pattern() -> re.Pattern[str]:
    """One letter of a script shingled by characters (see :func:`is_char_script`)."""
    return re.compile(f"[{_CHAR_SCRIPTS}]")


@lru_cache(maxsize=2)
def token_pattern(*, char_scripts: bool = True) -> re.Pattern[str]:
    """A number (``12,000``, ``12 000``, ``3.5``), a letter of a script written
    without spaces (with its combining marks), or a word with inner apostrophes
    (``Russia's``).

    ``char_scripts=False`` gives a faster pattern that finds the same words in text
    holding no letter of those scripts (:func:`char_script_pattern`).

    >>> token_pattern().findall("NATO秘书长说12 000名士兵")
    ['NATO', '秘', '书', '长', '说', '12 000', '名', '士', '兵']
    """
    marks = _mark_class()
    apos = re.escape(APOSTROPHES)
    inv = re.escape(INVISIBLE)
    if char_scripts:
        # A letter or digit (\w) that is not a character-script letter; words are
        # runs of these and of combining marks (written as runs of each, which
        # keeps the regex nearly as fast as [\w...]+).
        w = rf"[^\W{_CHAR_SCRIPTS}]"
        run = rf"(?:{w}|[{marks}]){w}*(?:[{marks}]+{w}*)*"
        char = rf"|[{_CHAR_SCRIPTS}][{marks}\uff9e\uff9f]*"
    else:
        # The same words, written so that every match starts with one character
        # class: the regex engine then skips to the next candidate character in C
        # instead of trying each alternative at every position (about a fifth
        # faster on news text). The first character is consumed, and a lookbehind
        # sends a digit to the number rules: a match starting with a digit is
        # always a number (``\d+`` then optional parts always matches).
        start = rf"[\w{marks}]"
        more = rf"{start}*"
        number = (rf"(?<=\d)(?:\d{{0,2}}(?:[{_GROUP_SPACES}]\d{{3}})+(?!\d)"
                  rf"|\d*(?:[{_THOUSANDS}]\d{{3}})*)(?:[{_DECIMAL}]\d+)?(?!\d)")
        return re.compile(
            rf"{start}(?:{number}|{more}(?:(?:[{apos}]|[{inv}]+){start}+)*)")
    # Thousands grouped by spaces ("12 000": one to three digits, then groups of
    # exactly three), or by commas and periods; decimals after them. A number ends
    # where its digits end: a unit glued to it ("25ہزار", "10km", "3rd") is a word
    # of its own, since outlets glue them differently. (A run of digits always
    # starts a match, so "2024 300" cannot be read as "202" + "4 300".)
    number = (rf"(?:\d{{1,3}}(?:[{_GROUP_SPACES}]\d{{3}})+(?!\d)|\d+(?:[{_THOUSANDS}]\d{{3}})*)"
              rf"(?:[{_DECIMAL}]\d+)?(?!\d)")
    word = rf"{run}(?:(?:[{apos}]|[{inv}]+){run})*"
    return re.compile(f"{number}{char}|{word}")


@lru_cache(maxsize=1)
def _digit_table() -> dict[int, str]:
    """Decimal digits of every script to ASCII (NFKC leaves Arabic-Indic, Thai,
    Devanagari digits alone), and the Arabic separators to ``,`` and ``.``."""
    table = {0x066C: ",", 0x066B: "."}
    for cp in range(0x80, 0x20000):
        d = unicodedata.decimal(chr(cp), None)
        if d is not None:
            table[cp] = str(d)
    return table


def fold(text: str) -> str:
    """Fold typography only (quotes, dashes, spaces): same length rules as the input
    except for zero-width characters, which are dropped.

    >>> fold("\u201cNorth\u00a0Korea\u2019s\u201d \u2014 troops")
    '"North Korea\\'s" - troops'
    """
    return text.translate(_FOLD_TABLE)


def norm_word(word: str) -> str:
    """The matching form of one word: compatibility-folded, case-folded, possessive
    ``'s`` dropped, other apostrophes removed; a number's digits in ASCII, its
    thousands separators (commas, grouping spaces) removed, its decimals kept.

    >>> norm_word("Korea\u2019s"), norm_word("12,000"), norm_word("Don't")
    ('korea', '12000', 'dont')
    >>> norm_word("12\u202f000"), norm_word("１２，０００"), norm_word("1.5")
    ('12000', '12000', '1.5')
    """
    # Apostrophes first: NFKC turns some of them (an acute accent) into a space
    # plus a combining mark.
    w = unicodedata.normalize("NFKC", word.translate(_WORD_TABLE)).casefold()
    if w[:1].isdigit():
        if not w.isascii():
            w = w.translate(_digit_table())
        return w.replace(",", "").replace(" ", "")
    if "'" in w:
        if w.endswith("'s"):
            w = w[:-2]
        w = w.replace("'", "")
    return w


def s_stem(word: str) -> str:
    """Harman's S-stemmer: fold English plurals (``rumours`` -> ``rumour``,
    ``countries`` -> ``country``); other words and scripts pass unchanged.

    >>> [s_stem(w) for w in ("rumours", "countries", "glass", "bus", "toes")]
    ['rumour', 'country', 'glass', 'bus', 'toe']
    """
    if len(word) <= 3 or not word.isascii() or word[-1] != "s":
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith(("us", "ss")):
        return word
    return word[:-1]


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words of ``text[start:end]`` with offsets into ``text`` and matching forms.

    >>> [(t.start, t.end, t.norm) for t in tokenize("The \u201cRumours\u201d")]
    [(0, 3, 'the'), (5, 12, 'rumours')]
    """
    stop = len(text) if end is None else end
    pat = _pattern_for(text, start, stop)
    return [Token(m.start(), m.end(), norm_word(m.group()))
            for m in pat.finditer(text, start, stop)]


def count_words(text: str, start: int = 0, end: int | None = None) -> int:
    """``len(tokenize(text, start, end))``, without making the tokens.

    >>> count_words("The \u201cRumours\u201d, 12,000 of them"), count_words("abc def", 4)
    (5, 1)
    """
    stop = len(text) if end is None else end
    return sum(1 for _ in _pattern_for(text, start, stop).finditer(text, start, stop))


def iter_words(text: str, start: int = 0, end: int | None = None) -> Iterator[str]:
    """Matching forms only (the fast path when offsets are not needed)."""
    stop = len(text) if end is None else end
    for m in _pattern_for(text, start, stop).finditer(text, start, stop):
        yield norm_word(m.group())


def _pattern_for(text: str, start: int, stop: int) -> re.Pattern[str]:
    """The token pattern for ``text[start:stop]``: the faster one when it holds no
    letter of a script written without spaces."""
    spaceless = char_script_pattern().search(text, start, stop) is not None
    return token_pattern(char_scripts=spaceless)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the original index.

    Folds typography and case, applies NFKC, and collapses runs of whitespace to one
    space. ``text[mapping[i]]`` is the character that normalised character ``i``
    came from, so a span ``norm[i:j]`` maps back to ``text[mapping[i]:mapping[j-1]+1]``.

    >>> norm, m = normalize_with_map("A\u00a0\u00a0\u201cB\u201d")
    >>> norm, m
    ('a "b"', [0, 1, 3, 4, 5])
    """
    out: list[str] = []
    mapping: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        f = FOLD.get(ch, ch)
        if not f:
            continue
        if f == " " or f.isspace():
            if prev_space:
                continue
            prev_space = True
            out.append(" ")
            mapping.append(i)
            continue
        g = f
        if ord(ch) > 127 or ch.isupper():
            # Compatibility forms can expand into characters that fold again (a
            # fullwidth grave accent into "`", a spacing diaeresis into " \u0308").
            g = fold(unicodedata.normalize("NFKC", f).casefold())
        for c in g:
            if c.isspace():
                if prev_space:
                    continue
                prev_space = True
                c = " "
            else:
                prev_space = False
            out.append(c)
            mapping.append(i)
    return "".join(out), mapping


def span_to_original(mapping: list[int], i: int, j: int, text_len: int) -> tuple[int, int]:
    """Map a half-open span of normalised text back to the original text."""
    if i >= j:
        pos = mapping[i] if i < len(mapping) else text_len
        return pos, pos
    return mapping[i], mapping[j - 1] + 1


