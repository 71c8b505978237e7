"""Dates as outlets write them, parsed for ordering versions and documents.

:func:`parse_date` understands ISO 8601, RFC 2822, ``dd.mm.yy(yy)``, ``yyyy/mm/dd``,
``dd/mm/yyyy`` when unambiguous, and written-out months ("21 October 2024",
"Oct. 21, 2024"); anything else is ``None`` (unknown), never a guess.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timezone

__all__ = ["parse_date"]


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for m in names.split()
}
_TIME = r"(?:[ T,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
_DOTTED = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})" + _TIME + r"\Z")
_SLASHED = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2})" + _TIME + r"\Z")
_YMD = re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME + r"\Z")
_DAY_MONTH = re.compile(
    r"(?:[a-z]+,?\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<mon>[a-z]+)\.?,?"
    r"\s+(?P<y>\d{4})" + _TIME + r"\Z"
)
_MONTH_DAY = re.compile(
    r"(?:[a-z]+,?\s+)?(?P<mon>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?"
    r"\s+(?P<y>\d{4})" + _TIME + r"\Z"
)


def _year(y: str) -> int:
    # two-digit years as strptime's %y reads them: 69-99 -> 1900s, 00-68 -> 2000s
    n = int(y)
    if len(y) == 2:
        return 1900 + n if n >= 69 else 2000 + n
    return n


def _build(y: int, m: int, d: int, match: re.Match[str]) -> datetime | None:
    try:
        return datetime(y, m, d, int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0))
    except ValueError:  # 31.02.2014, 25:00
        return None


def _naive_utc(dt: datetime) -> datetime:
    """Aware times in UTC without tzinfo, so every parsed date compares with every
    other (naive ones are taken as UTC)."""
    if dt.tzinfo is None:
        return dt
    return dt.astimezone(timezone.utc).replace(tzinfo=None)


def parse_date(value: str | None) -> datetime | None:
    """A document's date as a naive UTC ``datetime``, or ``None`` when it is missing,
    unparseable or ambiguous.

    Understood: ISO 8601 (``2014-12-01``, ``2014-12-01T09:30:00Z``), ``dd.mm.yy`` and
    ``dd.mm.yyyy`` (European dotted), ``yyyy/mm/dd``, ``dd/mm/yyyy`` or ``mm/dd/yyyy``
    only when one part is above 12 (``03/04/2014`` is ambiguous: unknown), month names
    (``1 December 2014``, ``Dec 1, 2014``) and RFC 2822 (``Mon, 01 Dec 2014 10:00:00
    +0000``), each optionally followed by a time.

    >>> parse_date("01.12.14"), parse_date("2014-12-01T10:00:00+01:00")
    (datetime.datetime(2014, 12, 1, 0, 0), datetime.datetime(2014, 12, 1, 9, 0))
    >>> parse_date("03/04/2014") is None, parse_date("yesterday") is None
    (True, True)
    """
    if not value:
        return None
    s = " ".join(value.split())
    if not s:
        return None
    iso = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
    try:
        return _naive_utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    if m := _DOTTED.match(s):
        return _build(_year(m["y"]), int(m["m"]), int(m["d"]), m)
    if m := _YMD.match(s):
        return _build(int(m["y"]), int(m["m"]), int(m["d"]), m)
    if m := _SLASHED.match(s):
        a, b = int(m["a"]), int(m["b"])
        if a > 12 >= b:
            return _build(_year(m["y"]), b, a, m)
        if b > 12 >= a:
            return _build(_year(m["y"]), a, b, m)
        return _build(_year(m["y"]), a, a, m) if a == b else None
    low = s.lower()
    for pat in (_DAY_MONTH, _MONTH_DAY):
        if (m := pat.match(low)) and m["mon"] in _MONTHS:
            return _build(int(m["y"]), _MONTHS[m["mon"]], int(m["d"]), m)
    try:
        return _naive_utc(email.utils.parsedate_to_datetime(s))
    except (TypeError, ValueError, IndexError):
        return None
