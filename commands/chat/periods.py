"""Periods and dates as people write them ("last year", "Q4", "since march 2024", "on jan 16"),
read into the period language of ``commands/periods.py``. Relative words count from ``latest``, the
newest session of the data being asked about."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..periods import parse_date, parse_period
from ..reply import UserError
from .slots import Day, Scan, Slots, When, escape

# -- periods and dates ------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2})"
_ORD = r"(?:st|nd|rd|th)?"
_QWORD = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
# A point or stretch of the calendar; "strict" leaves out a month name alone ("may", "march").
_ANCHOR_PARTS = [
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}",
    rf"{_MON}\s+\d{{1,2}}{_ORD}(?:,?\s+{_YEAR})?(?![\d:])",
    rf"\d{{1,2}}{_ORD}\s+(?:of\s+)?{_MON}(?:,?\s+{_YEAR})?",
    rf"q[1-4]\s*[-/]?\s*{_YEAR}",
    r"q[1-4]\s*[-/]?\s*'?\d{2}(?![\d:%])",  # "q4 24", "q4'24"
    r"[1-4]q\s*'?\d{2}(?![\d:%])",  # "4q24"
    rf"{_YEAR}\s*[-/]?\s*q[1-4]",
    rf"[1-4]q\s*{_YEAR}",
    rf"(?:the\s+)?{_QWORD}\s+quarter(?:\s+of)?(?:\s+{_YEAR})?",
    rf"h[12]\s*[-/]?\s*{_YEAR}",
    rf"{_YEAR}\s*[-/]?\s*h[12]",
    rf"(?:the\s+)?(?:first|second|1st|2nd)\s+half(?:\s+of)?(?:\s+{_YEAR})?",
    r"q[1-4](?!\s*[-/]?\s*['\d])",
    r"h[12](?!\s*[-/]?\s*['\d])",
    rf"{_MON},?\s+(?:of\s+)?{_YEAR}",
    r"\d{4}-\d{1,2}(?![\d-])",
    rf"{_YEAR}(?!\s*[-/]?\s*[qh]\d)",
]
_ANCHOR_STRICT = "(?:" + "|".join(_ANCHOR_PARTS) + ")"
_ANCHOR = "(?:" + "|".join([*_ANCHOR_PARTS, _MON]) + ")"
_B = r"(?<![\w^$/.-])"  # an anchor starts at a word boundary (not inside 2024-03-15 or 1/1/2025)
_E = r"(?![\w/-])"


@dataclass(frozen=True)
class Stretch:
    """A calendar stretch named in a question: a day, month, quarter or year."""

    first: dt.date
    last: dt.date
    text: str  # in the period language
    is_day: bool = False


def _year(raw: str) -> int:
    return 2000 + int(raw[1:]) if raw.startswith("'") else int(raw)


def _latest_start(latest: dt.date, month: int, day: int = 1) -> int:
    """The year of the latest (month, day) on or before ``latest``: "Q4" in August 2026 is 2025's."""
    return latest.year if (month, day) <= (latest.month, latest.day) else latest.year - 1


def _quarter(year: int, q: int) -> Stretch:
    last = dt.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
    return Stretch(dt.date(year, 3 * q - 2, 1), last, f"{year}-Q{q}")


def _half(year: int, h: int) -> Stretch:
    first, last = dt.date(year, 6 * h - 5, 1), dt.date(year, 6 * h, 30 if h == 1 else 31)
    return Stretch(first, last, f"{first}..{last}")


def _month(year: int, month: int) -> Stretch:
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return Stretch(dt.date(year, month, 1), last, f"{year}-{month:02d}")


def _day(year: int, month: int, day: int) -> Stretch:
    d = parse_date(f"{year}-{month}-{day}")
    return Stretch(d, d, d.isoformat(), is_day=True)


def _stretch(raw: str, latest: dt.date) -> Stretch:
    """Interpret one anchor found by :data:`_ANCHOR`."""
    t = re.sub(r"[\s,.]+", " ", raw.lower()).strip()
    t = re.sub(r"^the ", "", t)
    mon = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    year = r"((?:19|20)\d{2}|'\d{2})"
    if m := re.fullmatch(r"(\d{4})[-/ ](\d{1,2})[-/ ](\d{1,2})", t):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(rf"{mon} (\d{{1,2}})(?:st|nd|rd|th)?(?: {year})?", t):
        month, day = _MONTHS[m[1]], int(m[2])
        return _day(_year(m[3]) if m[3] else _latest_start(latest, month, day), month, day)
    if m := re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{mon}(?: {year})?", t):
        month, day = _MONTHS[m[2]], int(m[1])
        return _day(_year(m[3]) if m[3] else _latest_start(latest, month, day), month, day)
    if m := re.fullmatch(r"(?:q([1-4]) ?[-/]? ?'?(\d{2})|([1-4])q ?'?(\d{2}))", t):  # two-digit years
        return _quarter(2000 + int(m[2] or m[4]), int(m[1] or m[3]))
    if m := re.fullmatch(rf"q([1-4]) ?[-/]? ?{year}", t):
        return _quarter(_year(m[2]), int(m[1]))
    if m := re.fullmatch(rf"{year} ?[-/]? ?q([1-4])", t):
        return _quarter(_year(m[1]), int(m[2]))
    if m := re.fullmatch(rf"([1-4])q ?{year}", t):
        return _quarter(_year(m[2]), int(m[1]))
    if m := re.fullmatch(rf"(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?(?: {year})?", t):
        q = {"first": 1, "second": 2, "third": 3, "fourth": 4}.get(m[1]) or int(m[1][0])
        return _quarter(_year(m[2]) if m[2] else _latest_start(latest, 3 * q - 2), q)
    if m := re.fullmatch(rf"(?:h([12]) ?[-/]? ?{year}|{year} ?[-/]? ?h([12]))", t):
        return _half(_year(m[2] or m[3]), int(m[1] or m[4]))
    if m := re.fullmatch(rf"(first|second|1st|2nd) half(?: of)?(?: {year})?", t):
        h = 1 if m[1] in ("first", "1st") else 2
        return _half(_year(m[2]) if m[2] else _latest_start(latest, 6 * h - 5), h)
    if m := re.fullmatch(r"h([12])", t):  # "h1": the latest first half that has begun
        h = int(m[1])
        return _half(_latest_start(latest, 6 * h - 5), h)
    if m := re.fullmatch(r"q([1-4])", t):
        q = int(m[1])
        return _quarter(_latest_start(latest, 3 * q - 2), q)
    if m := re.fullmatch(rf"{mon} (?:of )?{year}", t):
        return _month(_year(m[2]), _MONTHS[m[1]])
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        if not 1 <= int(m[2]) <= 12:
            raise UserError(f"`{raw[:20]}`: months run from 01 to 12.")
        return _month(int(m[1]), int(m[2]))
    if m := re.fullmatch(mon, t):
        month = _MONTHS[m[1]]
        return _month(_latest_start(latest, month), month)
    if m := re.fullmatch(year, t):
        y = _year(m[1])
        return Stretch(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y))
    raise UserError(f"I could not read the date `{raw[:30]}`: write it as YYYY-MM-DD, e.g. 2024-12-31.")


_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_N = r"(?P<n>\d{1,4}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?P<unit>weeks?|wks?|months?|mos?|quarters?|qtrs?|years?|yrs?|decades?)"
_NAMED_MONTHS = {1: "1m", 3: "3m", 6: "6m", 12: "1y", 36: "3y", 60: "5y", 120: "10y"}


def _unit(raw: str) -> str:
    return {"w": "week", "m": "month", "q": "quarter", "y": "year", "d": "decade"}[raw.lower()[0]]


def _trailing(n: int, unit: str, latest: dt.date, said: str) -> When:
    """The last ``n`` units to the newest session: a named period when there is one (``3m``), else an
    open range whose base is the same close the named period would use."""
    if n <= 0 or n > 1200:
        raise UserError(f"“{escape(said)}”: I can look back from 1 week to 100 years.")
    if unit == "week":
        if n == 1:
            return When("1w", said, weeks=1)
        start = latest - dt.timedelta(weeks=n) + dt.timedelta(days=1)
        return When(f"{start}..", said, weeks=n)
    months = n * {"month": 1, "quarter": 3, "year": 12, "decade": 120}[unit]
    if months > 1200:
        raise UserError(f"“{escape(said)}”: I can look back from 1 week to 100 years.")
    if months in _NAMED_MONTHS:
        return When(_NAMED_MONTHS[months], said)
    year, month = divmod(latest.year * 12 + latest.month - 1 - months, 12)
    day = min(latest.day, calendar.monthrange(year, month + 1)[1])
    start = dt.date(year, month + 1, day) + dt.timedelta(days=1)
    return When(f"{start}..", said)


def _n(m: re.Match[str]) -> int:
    raw = m["n"].lower()
    return _NUMBERS[raw] if raw in _NUMBERS else int(raw)


def _previous(unit: str, latest: dt.date, said: str) -> When:
    """"last year" = the previous calendar year (likewise month, quarter, week), before ``latest``'s."""
    if unit == "year":
        return When(str(latest.year - 1), said)
    if unit == "month":
        year, month = divmod(latest.year * 12 + latest.month - 2, 12)
        return When(f"{year}-{month + 1:02d}", said)
    if unit == "quarter":
        q = (latest.month - 1) // 3 + 1
        return When(f"{latest.year - 1}-Q4" if q == 1 else f"{latest.year}-Q{q - 1}", said)
    monday = latest - dt.timedelta(days=latest.weekday() + 7)
    return When(f"{monday}..{monday + dt.timedelta(days=6)}", said)


def _this(unit: str, latest: dt.date, said: str) -> When:
    if unit == "quarter":
        return When(f"{latest.year}-Q{(latest.month - 1) // 3 + 1}", said)
    return When(f"{latest - dt.timedelta(days=latest.weekday())}..", said)  # the week so far


# Relative words, in the order they are tried: (pattern, reading). Each reads a match into a When.
def _days(n: int, latest: dt.date, said: str) -> When:
    """The last ``n`` calendar days to the newest session: from the close before the first of them."""
    if not 1 <= n <= 3660:
        raise UserError(f"“{escape(said)}”: I can look back from 1 to 3,660 days.")
    return When(f"{latest - dt.timedelta(days=n - 1)}..", said)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def _since_weekday(name: str, latest: dt.date, said: str) -> When:
    """"since monday": the latest such day on or before the newest session."""
    back = (latest.weekday() - _WEEKDAYS.index(name.lower())) % 7
    return When(f"{latest - dt.timedelta(days=back)}..", said)


_RELATIVE: list[tuple[str, Callable[[re.Match[str], dt.date], When]]] = [
    (
        r"\b(?:(?:over|in|during|for)\s+)?(?:the\s+)?(?:last|past|previous|prior|trailing)\s+"
        r"(?P<n>\d{1,4})\s*[- ]?(?:calendar\s+)?days?\b",
        lambda m, d: _days(int(m["n"]), d, m[0]),
    ),
    (
        r"\bsince\s+(?P<day>monday|tuesday|wednesday|thursday|friday)\b",
        lambda m, d: _since_weekday(m["day"], d, m[0]),
    ),
    (
        r"\b(?:ytd|year[- ]to[- ]date|(?:so far )?this year(?: so far)?|"
        r"since the (?:start|beginning) of (?:the|this) year)\b",
        lambda m, d: When("ytd", m[0]),
    ),
    (r"\b(?:mtd|month[- ]to[- ]date|(?:so far )?this month(?: so far)?)\b", lambda m, d: When("mtd", m[0])),
    (
        r"\b(?:qtd|quarter[- ]to[- ]date|(?:so far )?this quarter(?: so far)?)\b",
        lambda m, d: _this("quarter", d, m[0]),
    ),
    (
        r"\b(?:wtd|week[- ]to[- ]date|(?:so far )?this week(?: so far)?)\b",
        lambda m, d: _this("week", d, m[0]),
    ),
    (r"\b(?:today(?:'s)?|1d|one day|the (?:latest|last|newest) session)\b", lambda m, d: When("1d", m[0])),
    (
        rf"\b(?:(?:over|in|during|for)\s+)?the\s+(?:last|past|previous|prior|trailing)\s+(?:{_N}\s+)?{_UNIT}\b",
        lambda m, d: _trailing(_n(m) if m["n"] else 1, _unit(m["unit"]), d, m[0]),
    ),
    (
        rf"\b(?:(?:over|in|during|for)\s+)?(?:last|past|previous|prior|trailing)\s+{_N}\s*[- ]?{_UNIT}\b",
        lambda m, d: _trailing(_n(m), _unit(m["unit"]), d, m[0]),
    ),
    (
        r"\b(?:last|previous|prior)\s+(?P<unit>year|month|quarter|week)\b",
        lambda m, d: _previous(m["unit"].lower(), d, m[0]),
    ),
    (
        r"\b(?:(?:over|in|during|for)\s+)?(?:the\s+)?(?:past|trailing)\s+(?P<unit>year|month|quarter|week|decade)\b",
        lambda m, d: _trailing(1, m["unit"].lower(), d, m[0]),
    ),
    (
        rf"\b(?:(?:over|in|during|for)\s+(?:the\s+)?)?{_N}\s*[- ]?{_UNIT}\b(?!\s+(?:later|after|ago))",
        lambda m, d: _trailing(_n(m), _unit(m["unit"]), d, m[0]),
    ),
    (
        r"\b(?:all[- ]time|max(?:imum)?|since inception|ever|(?:the\s+)?(?:whole|full|entire)\s+history|"
        r"all\s+(?:of\s+)?(?:the\s+)?(?:history|data)|"
        r"since the (?:start|beginning) of (?:the\s+)?(?:data|history))\b",
        lambda m, d: When("max", m[0]),
    ),
]


def read_periods(q: Scan, slots: Slots) -> None:
    """Ranges, "since", dates with on / as of, relative words, then a bare year, quarter or month."""
    latest = q.latest
    for m in q.take(
        rf"\b(?:from\s+)?{_B}(?P<a>{_ANCHOR})(?!\w)\s*(?:to|until|till|through|thru|-|\.\.)\s*(?P<b>{_ANCHOR}){_E}"
    ) + q.take(rf"\bbetween\s+{_B}(?P<a>{_ANCHOR}){_E}\s+and\s+{_B}(?P<b>{_ANCHOR}){_E}"):
        b = _stretch(m["b"], latest)
        # "march to june 2025": a start without a year takes the latest one on or before the end.
        explicit = re.search(r"\d{4}|'\d{2}", m["a"])
        a = _stretch(m["a"], latest if explicit else min(latest, b.last))
        if a.first > b.last:
            raise UserError(f"“{escape(m[0])}” starts after it ends: put the earlier date first.")
        slots.periods.append(When(f"{a.first}..{b.last}", m[0]))
    for m in q.take(
        r"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?P<unit>last\s+(?:year|month|quarter|week))\b"
    ):
        start = parse_period(_previous(m["unit"].split()[-1].lower(), latest, m[0]).text.split("..")[0])
        slots.periods.append(When(f"{start.first}..", m[0]))
    for m in q.take(rf"\b(?:since|from)\s+(?:the\s+(?:start|beginning)\s+of\s+)?{_B}(?P<a>{_ANCHOR}){_E}"):
        slots.periods.append(When(f"{_stretch(m['a'], latest).first}..", m[0]))
    for m in q.take(
        rf"\b(?P<how>as\s+of|as\s+at|on|at|at\s+the\s+close\s+(?:of|on)|(?:at\s+|by\s+)?(?:the\s+)?end\s+of)"
        rf"\s+{_B}(?P<a>{_ANCHOR}){_E}"
    ):
        s = _stretch(m["a"], latest)
        how = "on" if m["how"].lower() in ("on", "at") and s.is_day else "as of"
        slots.days.append(Day(s.last, how, m[0]))
    for pattern, read in _RELATIVE:
        for m in q.take(pattern):
            slots.periods.append(read(m, latest))
    for m in q.take(
        rf"\b(?:(?:in|during|for|over|of)\s+(?:the\s+(?:month|year)\s+of\s+)?)?{_B}(?P<a>{_ANCHOR_STRICT}){_E}"
    ):
        s = _stretch(m["a"], latest)
        if s.is_day:
            slots.days.append(Day(s.first, "bare", m[0]))
        else:
            slots.periods.append(When(s.text, m[0]))
    for m in q.take(r"(?<![\w-])(?P<n>\d{1,3})(?P<unit>[wmqy])\b"):  # 3m, 1y: after "1q 2024"
        slots.periods.append(_trailing(int(m["n"]), _unit(m["unit"]), latest, m[0]))
    for m in q.take(rf"\b(?:in|during|for|of|about|and)\s+{_B}(?P<a>{_MON}){_E}"):
        slots.periods.append(When(_stretch(m["a"], latest).text, m[0]))




def periods_in(text: str, latest: dt.date) -> tuple[list[When], list[Day]]:
    """The periods and dates in ``text``, relative words counted from ``latest``: the reader the thread
    grammar uses, as a plain function for other commands (``/check``) that take free text."""
    slots = Slots()
    read_periods(Scan(text, [], latest), slots)
    return slots.periods, slots.days
