"""Plain questions in a thread ("@rotation-bot what was the gap last year?") -> one slash command.

A research tool that answers a different question than the one asked, and says nothing, is worse
than one that refuses. So this grammar reads a question in four steps and refuses whenever a step is
unsure:

1. **Which command.** :data:`INTENTS` is a table: each row names a command, the words that ask for it
   and how strongly (3 = words only that command answers, such as *value vs growth* or *sectors*;
   2 = its name, such as *gap* or *streak*; 1 = generic words such as *vs* or *doing*). The strongest
   row wins; two different commands tied at the top are refused as ambiguous.
2. **Its own words**, read first by the row's builder (a signal for /history, a set for /rrg, a yield
   for /rates), so they are not mistaken for periods.
3. **Periods, dates and tickers**, the same for every command (:meth:`Question.slots`). Relative words
   are relative to the data's newest session (``latest``), the same anchor ``ytd`` and ``1m`` already
   use, not to the calendar: on the bundled snapshot (to 2026-08-21) "this quarter" is 2026-Q3 and
   "last year" is 2025 (the previous *calendar* year; "the last year" and "the past year" are the
   trailing twelve months, ``1y``). A quarter or month named without a year is the latest one that has
   begun by then ("Q4" in August 2026 is 2025-Q4). Tickers are the data's own, in any case or with a
   ``$``; an ordinary word (*it, all, on, are*) is a ticker only with a ``$``.
4. **Nothing left over.** Every word must have been read or be a filler word (:data:`FILLER`); what is
   left is quoted back (escaped) with the closest commands, instead of an answer.

The result is a :class:`Reading`, whose :attr:`Reading.line` is the equivalent slash command: the bot
shows it above the answer ("Read as `/gap period:2025`"), so a misreading is visible at once and the
user learns the command. Adding a command = one row in :data:`INTENTS` and its builder.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from data.universe import ALIASES

from . import escape as echo
from .calls import mention_options
from .periods import RELATIVE, parse_date, parse_period
from .reply import UserError
from .rrg import SETS
from .style import PAIRS

# -- what was read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """The command a question stands for, with the options in the command's own words."""

    command: str  # "gap", "valuation show", ...
    options: dict[str, str] = field(default_factory=dict)

    @property
    def line(self) -> str:
        return " ".join([f"/{self.command}", *(f"{k}:{v}" for k, v in self.options.items())])


class NotUnderstood(UserError):
    """A question, or part of one, the grammar cannot read with confidence."""


@dataclass(frozen=True)
class When:
    """A period found in the question, in the period language of ``commands/periods.py``."""

    text: str  # e.g. "2025", "2020-01-01..", "3m"
    said: str  # what the user wrote, for messages
    weeks: int | None = None  # "N weeks": /rrg reads it as its tail length


@dataclass(frozen=True)
class Day:
    """A date found in the question and how it was introduced."""

    date: dt.date
    how: str  # "on" | "as of" | "bare"
    said: str


@dataclass
class Slots:
    periods: list[When] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)
    sides: list[tuple[int, str, str | None]] = field(default_factory=list)  # (position, side|"", ticker)
    said_tickers: list[str] = field(default_factory=list)  # as typed, for messages
    used: set[str] = field(default_factory=set)  # "periods", "tickers": what the command has taken

    def use_periods(self) -> tuple[list[When], list[Day]]:
        """The periods and dates, marked as taken: what no command takes is refused, never dropped."""
        self.used.add("periods")
        return self.periods, self.days

    def use_tickers(self) -> list[str]:
        """The tickers in the order typed, marked as taken (see :meth:`use_periods`)."""
        self.used.add("tickers")
        return self.tickers

    @property
    def tickers(self) -> list[str]:
        return [t for _, _, t in sorted(self.sides) if t]

    def sizes(self) -> set[str]:
        """"small"/"large" when the question names a side in words (small caps, large caps)."""
        return {side for _, side, ticker in self.sides if side and ticker is None}


# -- the question being read ----------------------------------------------------------------------

_MENTION = re.compile(r"<@!?\d+>|<@&\d+>|<#\d+>|@everyone|@here")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"} | {"’": "'", "‘": "'", "“": '"', "”": '"'})
_WORD = re.compile(r"[\w$^&'./-]+")

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that do not change which figures answer the question. Anything else left over is refused.
FILLER = _words(
    """
    a an the and or of in on at for to from by with between vs versus v than as into is are was were
    be been being am do does did done doing has have had having will would could can may might
    should shall what what's whats how how's which who who's when where why whether show me tell
    give get us i i'm we you your my our it its it's this that that's these those there here please
    pls plz thanks thank hey hi hello yo bot rotation-bot rotationbot so far now right currently
    current latest recent recently big much many chart graph number numbers figure figures data look
    looking looks like stand standing going go see know want need let let's lets just about some any
    overall total cap caps stock stocks equities equity index indices indexes etf etfs fund funds
    market markets side sides against compared relative rotation leadership question quick s 's
    again also please kindly currently then ok okay well over during up down still really companies
    company names firms guys ratio finally actually already yet even truly
    """
)
# Ordinary words that happen to be (or may one day be) tickers: only ``$IT`` makes them one.
ORDINARY = _words(
    """
    a i it all on are is be am an as at by do go he me my no of or so to up us we if in one two ten
    big low key any can cat now was see new old few who why how far buy out win has had its well
    fast ever very love life real true hope next best good bad run fun
    """
)
_NOT_TICKERS = frozenset({"SMALL", "LARGE"})  # aliases, but as words they name a side


class Question:
    """The text being read, and which of its characters have been understood so far."""

    def __init__(self, text: str, known_tickers: list[str], latest: dt.date) -> None:
        text = unicodedata.normalize("NFKC", text).translate(_DASHES)
        self.text = _MENTION.sub(" ", text).strip()
        self.latest = latest
        self.known = {t.upper().lstrip("^"): t for t in known_tickers}
        self._used = [False] * len(self.text)
        self._slots: Slots | None = None

    def take(self, pattern: str | re.Pattern[str]) -> list[re.Match[str]]:
        """Every match in the parts not yet understood; marks them understood."""
        found = []
        for m in re.finditer(pattern, self.text, re.IGNORECASE):
            if m.end() > m.start() and not any(self._used[m.start() : m.end()]):
                self._mark(m.start(), m.end())
                found.append(m)
        return found

    def cover(self, pattern: str) -> None:
        """Mark every match understood, even where part of it already was (a command's own words)."""
        for m in re.finditer(pattern, self.text, re.IGNORECASE):
            self._mark(m.start(), m.end())

    def take_one(self, pattern: str) -> re.Match[str] | None:
        found = self.take(pattern)
        return found[0] if found else None

    def _mark(self, start: int, end: int) -> None:
        for i in range(start, end):
            self._used[i] = True

    def slots(self) -> Slots:
        """Periods, dates and tickers, read once, after the command's own words."""
        if self._slots is None:
            self._slots = _read_slots(self)
        return self._slots

    def leftover(self) -> list[str]:
        """Runs of words neither understood nor filler, as the user wrote them."""
        runs: list[list[int]] = []
        for m in _WORD.finditer(self.text):
            unread = [i for i in range(m.start(), m.end()) if not self._used[i]]
            if not unread:
                continue
            word = "".join(self.text[i] for i in unread).strip(".'/-$^&").lower()
            if not word or word in FILLER or not any(c.isalnum() for c in word):
                continue
            start, end = unread[0], unread[-1] + 1
            if runs and self._joins(runs[-1][1], start):
                runs[-1][1] = end
            else:
                runs.append([start, end])
        return [self.text[a:b] for a, b in runs]

    def _joins(self, end: int, start: int) -> bool:
        """Two unread words are one run when only spaces and filler words lie between them."""
        between = self.text[end:start]
        return not any(self._used[end:start]) and all(w.lower() in FILLER for w in between.split())


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
    rf"{_YEAR}\s*[-/]?\s*q[1-4]",
    rf"[1-4]q\s*{_YEAR}",
    rf"(?:the\s+)?{_QWORD}\s+quarter(?:\s+of)?(?:\s+{_YEAR})?",
    rf"h[12]\s*[-/]?\s*{_YEAR}",
    rf"{_YEAR}\s*[-/]?\s*h[12]",
    rf"(?:the\s+)?(?:first|second|1st|2nd)\s+half(?:\s+of)?(?:\s+{_YEAR})?",
    r"q[1-4](?!\s*[-/]?\s*['\d])",
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
_RELATIVE: list[tuple[str, Callable[[re.Match[str], dt.date], When]]] = [
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


def _read_periods(q: Question, slots: Slots) -> None:
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
    for m in q.take(rf"\b(?:in|during|for|of)\s+{_B}(?P<a>{_MON}){_E}"):
        slots.periods.append(When(_stretch(m["a"], latest).text, m[0]))


# -- tickers and sides ------------------------------------------------------------------------------

_NAMES = [  # index names people write, before tickers: (pattern, ticker)
    (r"\brussell\s*2000\b|\brussell\s*2k\b|\bthe\s+russell\b|\brussell\b|\br2k\b", "^RUT"),
    (r"\bs\s*&\s*p\s*600\b|\bs\s*and\s*p\s*600\b|\bsp\s*600\b", "IJR"),
    (r"\bs\s*&\s*p\s*500\b|\bs\s*and\s*p\s*500\b|\bsp\s*500\b|\bs\s*&\s*p\b|\bspx\b", "^GSPC"),
    (r"\brussell\s*1000\b", "IWB"),
]
_SIZE = (
    r"\b(?:(?P<side>small(?:er)?|large(?:r)?)(?:[- ]?(?:caps?|capitali[sz]ations?))?|"
    r"(?P<big>big|mega)[- ]?caps?)\b"
)
_TOKEN = re.compile(r"(?<![\w$^])(?P<sign>\$\^?|\^)?(?P<word>[A-Za-z][A-Za-z0-9.=-]{0,11})(?![\w^])")


def _read_names(q: Question, slots: Slots) -> None:
    for pattern, ticker in _NAMES:
        for m in q.take(pattern):
            slots.sides.append((m.start(), "", ticker))
            slots.said_tickers.append(m[0])


def _read_tickers(q: Question, slots: Slots) -> None:
    """Tickers the data knows, in any case or with a $; sides named in words. Positions keep the order."""
    for m in _TOKEN.finditer(q.text):
        if any(q._used[m.start() : m.end()]):
            continue
        word, sign = m["word"].rstrip(".-"), m["sign"] or ""
        upper = word.upper()
        canonical = q.known.get(upper) or (ALIASES.get(upper) if upper not in _NOT_TICKERS else None)
        if sign.startswith("$"):
            ticker = canonical or ("^" if "^" in sign else "") + upper
        elif sign == "^" or (canonical and word.lower() not in ORDINARY):
            if canonical is None:
                continue
            ticker = canonical
        else:
            continue
        q._mark(m.start(), m.start() + len(sign) + len(word))
        slots.sides.append((m.start(), "", ticker))
        slots.said_tickers.append(m[0])
    for m in q.take(_SIZE):
        side = "small" if m["side"] and m["side"].lower().startswith("small") else "large"
        slots.sides.append((m.start(), side, None))


def _read_slots(q: Question) -> Slots:
    slots = Slots()
    _read_names(q, slots)  # first: "Russell 2000" is not the year 2000
    _read_periods(q, slots)
    _read_tickers(q, slots)
    return slots


# -- refusing ------------------------------------------------------------------------------------


def escape(text: str, limit: int = 60) -> str:
    """User text quoted back (through the one escaping module): it can never ping anyone, render
    markdown or become a link."""
    return echo.escape(text, limit)


class Refusal(Exception):
    """Raised by a builder: the command was recognised, but not a part of what it was asked."""

    def __init__(self, message: str, *offers: str) -> None:
        super().__init__(message)
        self.offers = offers


# -- the commands -----------------------------------------------------------------------------------

Builder = Callable[[Question], "dict[str, str] | Reading"]  # a Reading when it becomes another command


@dataclass(frozen=True)
class Intent:
    command: str  # the slash command it becomes, as typed after the "/"
    cues: tuple[tuple[str, int], ...]  # (pattern, strength): 3 only this command, 2 its name, 1 generic
    example: str  # a slash example, offered when a question is refused
    says: str  # what it answers, in a few words, beside the example
    build: Builder
    strict: bool = True  # refuse when words are left over (not for /help)


def _no_slots(q: Question, command: str) -> None:
    s = q.slots()
    s.use_periods()
    s.use_tickers()
    parts = [p.said for p in s.periods] + [d.said for d in s.days] + s.said_tickers
    if parts:
        raise Refusal(f"/{command} takes no period, date or ticker, and I read “{escape(parts[0])}” as one.")


def _one_period(q: Question, command: str, default: str) -> dict[str, str]:
    """The ``period`` option from what was said: a period, a day ("on 2026-01-16": that session's
    move), or a period as of a date ("ytd as of 2024-06-30" = 2024-01-01..2024-06-30)."""
    s = q.slots()
    s.use_periods()
    if len(s.periods) > 1 or len(s.days) > 1:
        said = [p.said for p in s.periods] + [d.said for d in s.days]
        raise Refusal(
            f"I found more than one period (“{escape(said[0])}”, “{escape(said[1])}”): ask about one."
        )
    if not s.days:
        return {"period": s.periods[0].text} if s.periods else {}
    day = s.days[0]
    if not s.periods and day.how in ("on", "bare"):
        return {"period": day.date.isoformat()}
    period = parse_period(s.periods[0].text if s.periods else default)
    if period.kind == "1d":
        return {"period": day.date.isoformat()}
    if period.kind == "ytd":
        first = dt.date(day.date.year, 1, 1)
    elif period.kind == "mtd":
        first = day.date.replace(day=1)
    elif period.kind == "relative":
        first = (day.date - RELATIVE[period.text]).date() + dt.timedelta(days=1)
    elif period.kind == "max":
        raise Refusal(
            f"/{command} cannot measure all of history to a date: give the start too, "
            f"e.g. `/{command} period:1990-01-01..{day.date}`."
        )
    else:
        assert period.first is not None
        if day.date < period.first:
            raise Refusal(f"“{escape(day.said)}” is before “{escape(s.periods[0].said)}” starts.")
        first = period.first
        if period.last is not None and period.last < day.date:
            return {"period": period.text}
    return {"period": f"{first}..{day.date}"}


def _sides(q: Question, command: str, names: tuple[str, str] = ("small", "large")) -> dict[str, str]:
    """Tickers on the small and large side: a side named in words (small caps) keeps its default,
    tickers fill the other sides in the order typed."""
    s = q.slots()
    tickers = s.use_tickers()
    if len(tickers) > 2:
        raise Refusal(f"/{command} compares two series; I read {len(tickers)}: {', '.join(tickers)}.")
    if len(tickers) == 2 and tickers[0] == tickers[1]:
        raise Refusal(f"That compares {tickers[0]} with itself.")
    free = [n for n, side in zip(names, ("small", "large"), strict=True) if side not in s.sizes()]
    if len(tickers) > len(free):
        raise Refusal(
            f"I read both a size (small/large caps) and {', '.join(tickers)} for the same side: "
            f"name the tickers, e.g. `/{command} {names[0]}:IWM {names[1]}:SPY`."
        )
    return dict(zip(free, tickers, strict=False))


def _ordered(options: dict[str, str], order: tuple[str, ...]) -> dict[str, str]:
    return {k: options[k] for k in order if k in options}


def _gap(q: Question) -> dict[str, str]:
    return _ordered({**_one_period(q, "gap", "ytd"), **_sides(q, "gap")}, ("period", "small", "large"))


def _streak(q: Question) -> dict[str, str]:
    q.take(r"\b(?:trading\s+)?(?:days|sessions)\b|\blast(?:ed|s|ing)?\b|\blasting\b")
    options = _dated(q, "streak", "as_of")
    return {**options, **_sides(q, "streak")}


def _digest(q: Question) -> dict[str, str]:
    if q.slots().use_tickers():
        raise Refusal("/digest is about the Russell 2000 and the S&P 500 only; for other series try /gap.")
    return _dated(q, "digest", "date")


def _dated(q: Question, command: str, option: str) -> dict[str, str]:
    """/streak and /digest stand at one session: a date, never a period ("today" is the newest)."""
    s = q.slots()
    s.use_periods()
    periods = [p for p in s.periods if p.text != "1d"]
    if periods:
        raise Refusal(
            f"/{command} describes one session, and “{escape(periods[0].said)}” is a period: "
            f"give a date, e.g. `/{command} {option}:2024-12-31`."
        )
    if len(s.days) > 1:
        first, second = (escape(d.said) for d in s.days[:2])
        raise Refusal(f"I found two dates (“{first}”, “{second}”): give one.")
    return {option: s.days[0].date.isoformat()} if s.days else {}


_PAIR_WORDS = (
    (r"\bvanguard\b", "vanguard"),
    (r"\bs\s*&\s*p\s*(?:small\s*cap\s*)?600\b|\bsp\s*600\b", "sp600"),
    (r"\brussell(?:\s*2000)?\b", "russell"),
)


def _style(q: Question) -> dict[str, str]:
    options: dict[str, str] = {}
    for pattern, pair in _PAIR_WORDS:
        if q.take(pattern):
            options.setdefault("pair", pair)
    tickers = q.slots().use_tickers()
    if tickers:
        pair = next((p for p, funds in PAIRS.items() if set(funds) == set(tickers)), None)
        if pair is None or options.get("pair", pair) != pair:
            raise Refusal(
                f"/style compares fixed value/growth pairs ({', '.join(PAIRS)}); for {', '.join(tickers)} "
                "use /compare.",
                f"/compare a:{tickers[0]} b:{tickers[-1]}",
            )
        options["pair"] = pair
    if "large" in q.slots().sizes():
        raise Refusal(
            "/style is small-cap value vs growth; for large caps compare their funds.",
            "/compare a:IWD b:IWF",
        )
    return {**options, **_one_period(q, "style", "ytd")}


def _sectors(q: Question) -> dict[str, str]:
    options = {}
    if q.take(
        r"\b(?:vs\.?|versus|against|compared\s+(?:to|with)|relative\s+to|and|with)\s+(?:their\s+|the\s+)?"
        r"(?:large[- ]?cap(?:\s+(?:sectors|counterparts|peers|spdrs?))|large[- ]?caps?|large|big\s+caps|"
        r"(?:spdr\s+)?counterparts|spdrs?|s&p\s*500(?:\s+sectors)?)\b"
    ):
        options["vs_large"] = "true"
    s = q.slots()
    if s.use_tickers():
        raise Refusal("/sectors ranks the nine S&P 600 sector funds; for one fund try /compare.")
    if "large" in s.sizes():
        raise Refusal(
            "/sectors ranks small-cap sectors; it can set each against its large-cap counterpart.",
            "/sectors vs_large:true",
        )
    return {**_one_period(q, "sectors", "ytd"), **options}


def _rates(q: Question) -> dict[str, str]:
    options = {}
    if q.take(r"\b13[- ]?w(?:ee)?k?s?\b|\b3[- ]month\s+(?:t-?)?bills?\b|\bt-?bills?\b|\bbills?\b|\b\^?irx\b"):
        options["yield"] = "13w"
    elif q.take(
        r"\b(?:the\s+)?(?:10|ten)[- ]?y(?:ea)?r?\b(?=\s+(?:yields?|treasur|notes?|rates?|bonds?))|\b\^?tnx\b"
    ):
        options["yield"] = "10y"
    q.take(r"\bthe\s+(?:10|ten)[- ]?year\b")
    q.take(  # how people ask what /rates measures
        r"\baffect(?:s|ing|ed)?\b|\bimpact(?:s|ing|ed)?\b|\binfluenc\w*|\bcorrelat\w*|\bsensitiv\w*|"
        r"\brelationship\b|\btail[- ]?winds?\b|\bhead[- ]?winds?\b|\bdriv(?:e|es|en|ing)\b|\bmatters?\b|"
        r"\bbeta\b"
    )
    return _ordered(
        {**_one_period(q, "rates", "1y"), **options, **_sides(q, "rates")},
        ("period", "yield", "small", "large"),
    )


def _rrg(q: Question) -> dict[str, str]:
    options: dict[str, str] = {}
    for pattern, name in (
        (r"\bsectors?\b", "sectors"),
        (r"\bsizes?\b|\bsize\s+funds\b", "size"),
        (r"\bstyles?\b|\bvalue\s+(?:vs\.?|and|or|versus)\s+growth\b|\bvalue/growth\b", "style"),
    ):
        if q.take(pattern):
            if "set" in options:
                raise Refusal(f"/rrg shows one set at a time: {', '.join(SETS)}.")
            options["set"] = name
    if m := q.take_one(
        r"\b(?:tails?\s+of\s+|over\s+|with\s+)?(?P<n>\d{1,3})[- ]?(?:weeks?|wks?|w)\b(?:\s+tails?)?|"
        r"\bweeks\s*[:=]?\s*(?P<m>\d{1,3})\b"
    ):
        options["weeks"] = m["n"] or m["m"]
    s = q.slots()
    s.use_periods()
    s.use_tickers()
    for p in s.periods:
        if p.weeks is not None and "weeks" not in options:
            options["weeks"] = str(p.weeks)
            continue
        raise Refusal(
            f"/rrg shows the last 2 to 26 weeks, not a period like “{escape(p.said)}”.",
            "/rrg set:sectors weeks:8",
        )
    if s.days or s.tickers:
        raise Refusal("/rrg draws fixed sets of funds (sectors, size, style) to the newest week.")
    return _ordered(options, ("set", "weeks"))


def _compare(q: Question) -> dict[str, str] | Reading:
    tickers = q.slots().use_tickers()
    if not tickers:
        return Reading("gap", _gap(q))  # "compare small caps and large caps": the gap itself
    if len(tickers) != 2:
        raise Refusal(f"/compare needs two tickers; I read {len(tickers)} ({', '.join(tickers)}).")
    sides = _sides(q, "compare", ("a", "b"))
    return _ordered({**sides, **_one_period(q, "compare", "1y")}, ("a", "b", "period"))


_HORIZONS = (
    (r"week", "1w"),
    (r"month|1 month|one month|4 weeks", "1m"),
    (r"(?:3|three) months|quarter", "3m"),
    (r"(?:6|six) months|half[- ]year", "6m"),
    (r"year|12 months|twelve months", "1y"),
)


def _history(q: Question) -> dict[str, str]:
    options: dict[str, str] = {}
    for pattern, horizon in _HORIZONS:
        if q.take(
            rf"\b(?:(?:over|in|during|for)\s+)?(?:the\s+)?(?:next|following|subsequent)\s+(?:{pattern})\b|"
            rf"\b(?:a|one)\s+(?:{pattern})\s+(?:later|after(?:wards)?)\b"
        ):
            options["horizon"] = horizon
    if m := q.take_one(
        r"\b(?P<n>\d{1,3})[- ]?(?:day|session|straight\s+day|straight\s+session)s?\s+(?:winning\s+)?"
        r"(?:streak|run)s?\b|\b(?:streak|run)s?\s+(?:of|reaching|hitting|hits|hit|at|above|over|to)\s+"
        r"(?:at\s+least\s+)?(?P<m>\d{1,3})\b(?:\s+(?:days|sessions))?|\b(?P<k>\d{1,3})\s+(?:days|sessions)\s+in\s+a\s+row\b|"
        r"\b(?:lead|leads|led|beat|beats|outperform\w*)\s+(?:for\s+)?(?P<j>\d{1,3})\s+(?:straight\s+)?(?:days|sessions)\b"
    ):
        options["signal"] = "streak"
        options["threshold"] = m["n"] or m["m"] or m["k"] or m["j"]
    elif q.take_one(r"\bstreaks?\b|\bin\s+a\s+row\b"):
        options["signal"] = "streak"
    if m := q.take_one(
        r"\b(?:the\s+)?(?:ratio\s+)?cross(?:ed|es|ing)?\s+(?P<dir>above|over|below|under)?\s*(?:its\s+|the\s+)?"
        r"200[- ]?(?:day|d|session)s?(?:\s+(?:simple\s+)?(?:moving\s+)?(?:average|ma|sma|line))?|"
        r"\b200[- ]?(?:dma|sma)\b"
    ):
        options["signal"] = "ratio_cross"
        below = m["dir"] and m["dir"].lower() in ("below", "under")
        if below or q.take_one(r"\b(?:below|under|down(?:wards)?)\b"):
            options["direction"] = "below"
    if m := q.take_one(
        r"\b(?:the\s+)?(?:ratio\s+)?(?:jump(?:ed|s)?|ris(?:e|es|en)|rose|gain(?:ed|s)?|surge[sd]?|rall(?:y|ied))\s+"
        r"(?:by\s+|of\s+|more\s+than\s+|over\s+|above\s+)?(?P<n>\d{1,3}(?:\.\d+)?)\s*%|\b(?P<m>\d{1,3}(?:\.\d+)?)\s*%\s+"
        r"(?:jump|rise|gain|surge|rally)\b"
    ):
        options["signal"] = "ratio_jump"
        options["threshold"] = m["n"] or m["m"]
    if m := q.take_one(
        r"\b(?:a\s+)?(?:strong\s+)?january(?:\s+(?:gap|spread|lead|effect|outperformance))?(?:\s+(?:above|over|of|"
        r"greater\s+than|more\s+than)\s+(?P<n>\d{1,2}(?:\.\d+)?)\s*(?:pp|points?|percentage\s+points?|%)?)?"
    ):
        options["signal"] = "january"
        if m["n"]:
            options["threshold"] = m["n"]
    if q.take(
        r"\b(?:list|show)\s+(?:every|each|all)(?:\s+(?:occurrences?|times|dates|episodes|cases))?\b|\bdetails?\b|"
        r"\bwith\s+(?:the\s+)?dates\b|\bevery\s+occurrence\b"
    ):
        options["detail"] = "true"
    q.take(r"\b(?:the\s+)?(?:last|previous|past)\s+times?\b|\bevery\s+time\b|\beach\s+time\b|\bwhenever\b|\btimes?\b")
    q.take(r"\bafter\b|\bfollowing\b|\boccurrences?\b|\bepisodes?\b|\binstances?\b|\bsignals?\b")
    if "signal" not in options:
        raise Refusal(
            "I read a question about what followed, but not after what: a streak of N sessions, the ratio "
            "crossing its 200-day average, a jump of N% or a January gap.",
            "/history signal:streak threshold:11",
            "/history signal:ratio_cross",
        )
    _no_slots(q, "history")
    return _ordered(options, ("signal", "threshold", "horizon", "direction", "detail"))


def _valuation(q: Question) -> dict[str, str]:
    _no_slots(q, "valuation show")
    return {}


def _nothing(q: Question) -> dict[str, str]:
    return {}


def _call(q: Question) -> dict[str, str]:
    """A call has its own small grammar (``commands.calls.mention_options``): a side, a horizon, a pair
    and a free-text note, so nothing in it is "left over"."""
    try:
        options = mention_options(q.text)
    except UserError as exc:
        raise Refusal(str(exc), "/call side:small horizon:3m") from None
    if options is None:
        raise Refusal("A call starts with “call”: “call small 3m”.", "/call side:small horizon:3m")
    q.cover(r".+")
    return options


def _calls(q: Question) -> dict[str, str]:
    options = {}
    if status := q.take_one(r"\b(open|closed)\b"):
        options["status"] = status[1].lower()
    _no_slots(q, "calls")
    return options


_WEAK_GAP = (
    r"\bvs\.?|\bversus\b|\bv\.?\s|\bagainst\b|\bcompared\s+(?:to|with)\b|\brelative\s+to\b|"
    r"\b(?:out|under)?perform\w*|\breturns?\b|\blead(?:s|ing)?\b|\bahead\b|\bbehind\b|\bbeat(?:ing|s)?\b|"
    r"\blag(?:ging|s|ged)?\b|\bbeaten\b|\btop(?:s|ped|ping)?\b|\btrail(?:s|ed)?\b|\bdo(?:ing|ne)?\b|\bdid\b|\bfar(?:e|ed|ing)\b|\bgain(?:ed|s)?\b|"
    r"\bwinning\b|\blosing\b|\bhow\s+(?:much|far)\b|\bsmall(?:er)?[- ]?caps?\b|\bup\b|\bdown\b"
)

# The table: add a command here (issue 17's "call small 3m" is one more row and one builder).
INTENTS: tuple[Intent, ...] = (
    Intent(
        "call",
        ((r"^\s*(?:i\s+)?call\s", 6),),
        "/call side:small horizon:3m",
        "record your call",
        _call,
        strict=False,
    ),
    Intent(
        "calls",
        ((r"^\s*(?:show\s+(?:me\s+)?)?(?:the\s+|our\s+)?(?:open\s+|closed\s+)?calls\b|"
          r"\btrack\s+record\b", 5),),
        "/calls",
        "the server's record of calls",
        _calls,
    ),
    Intent(
        "help",
        ((r"\bhelp\b|what\s+can\s+you\s+do|what\s+do\s+you\s+do|\bcommands\b|how\s+do\s+i\s+use", 5),),
        "/help",
        "every command",
        _nothing,
        strict=False,
    ),
    Intent(
        "about",
        (
            (
                r"where\s+(?:does|do)\s+(?:the\s+|your\s+)?data\s+come\s+from|\bdata\s+sources?\b|"
                r"\byour\s+sources?\b|how\s+fresh|\bfreshness\b|who\s+are\s+you|\babout\s+you\b",
                4,
            ),
        ),
        "/about",
        "where the data comes from",
        _nothing,
        strict=False,
    ),
    Intent(
        "history",
        (
            (
                r"\bwhat\s+happen(?:s|ed)\s+(?:next|after|afterwards|then|later)\b|\bwhat\s+(?:usually\s+|typically\s+|"
                r"normally\s+|has\s+)?(?:follow(?:s|ed)?|came\s+next|comes\s+next|happens\s+next)\b|\bafterwards\b|"
                r"\bhistorically\b|\bpast\s+(?:occurrences|instances|cases|episodes)\b|\bbase\s+rates?\b|"
                r"\bhow\s+often\b|\bprecedents?\b",
                4,
            ),
        ),
        "/history signal:streak threshold:11",
        "what followed a signal",
        _history,
    ),
    Intent(
        "rrg",
        (
            (
                r"\brrg\b|\brelative\s+rotation\b|\brotation\s+(?:graph|chart|map|plot|quadrants?)\b|\bquadrants?\b",
                4,
            ),
        ),
        "/rrg set:sectors weeks:8",
        "the relative rotation graph",
        _rrg,
    ),
    Intent(
        "valuation show",
        (
            (
                r"\bp\s*/\s*e(?:s|\s+ratios?)?\b|\bpe(?:\s+ratios?)?\b|\bvaluations?\b|"
                r"\bprice[- ]to[- ]earnings\b|\b(?:earnings\s+)?multiples?\b",
                3,
            ),
            (r"\bcheap(?:er|ness)?\b|\bexpensive\b|\bdiscount\b|\bpremium\b", 2),
        ),
        "/valuation show",
        "P/E and the discount",
        _valuation,
    ),
    Intent(
        "sectors",
        ((r"\bsectors?\b|\bsectoral\b|\bindustr(?:y|ies)\b", 3),),
        "/sectors period:ytd",
        "small-cap sectors ranked",
        _sectors,
    ),
    Intent(
        "rates",
        (
            (
                r"\b(?:interest\s+)?rates?\b|\byields?\b|\btreasur(?:y|ies)\b|\bbonds?\b|\bt-?bills?\b|"
                r"\bthe\s+(?:10|ten)[- ]?year\b",
                3,
            ),
        ),
        "/rates period:1y",
        "yields against the ratio",
        _rates,
    ),
    Intent(
        "style",
        (
            (
                r"\bvalue\s+(?:vs\.?|versus|v\.?|or|and|against|over|compared\s+(?:to|with))\s+growth\b|"
                r"\bgrowth\s+(?:vs\.?|versus|v\.?|or|and|against|over|compared\s+(?:to|with))\s+value\b|"
                r"\bvalue/growth\b|\bgrowth/value\b|\bstyles?\b|\b(?:value|growth)\s+(?:stocks|funds|factor)\b",
                3,
            ),
            (r"\bvalue\b|\bgrowth\b", 2),
        ),
        "/style period:ytd",
        "small-cap value vs growth",
        _style,
    ),
    Intent(
        "compare", ((r"\bcompare\b|\bcomparison\b", 2),), "/compare a:IWN b:IWO", "any two tickers", _compare
    ),
    Intent(
        "digest",
        ((r"\bdigest\b|\b(?:daily\s+)?update\b|\bsummary\b|\boverview\b|\brecap\b|\bbriefing\b", 2),),
        "/digest",
        "the daily update",
        _digest,
    ),
    Intent(
        "streak",
        (
            (
                r"\bstreaks?\b|\bin\s+a\s+row\b|\bconsecutive\b|\bstraight\s+(?:days|sessions)\b|\bruns?\b|\bhow\s+long\b",
                2,
            ),
        ),
        "/streak",
        "the current run",
        _streak,
    ),
    Intent(
        "gap",
        ((r"\bgap\b|\bspread\b|\bdifference\b", 2), (_WEAK_GAP, 1)),
        "/gap period:ytd",
        "small vs large over a period",
        _gap,
    ),
)
_DEFAULT_OFFERS = ("gap", "streak", "digest")


def _scores(text: str) -> dict[str, int]:
    scores: dict[str, int] = {}
    for intent in INTENTS:
        for pattern, weight in intent.cues:
            if re.search(pattern, text, re.IGNORECASE):
                scores[intent.command] = max(scores.get(intent.command, 0), weight)
    return scores


def _offers(scores: dict[str, int], first: tuple[str, ...] = ()) -> str:
    """Up to three commands: what could be read (``first``), then the best-scoring and the usual ones."""
    by_name = {i.command: i for i in INTENTS}
    ranked = sorted(scores, key=lambda c: -scores[c])
    covered = {line[1:].split(" ")[0] for line in first}
    names = [n for n in dict.fromkeys([*ranked, *_DEFAULT_OFFERS]) if n not in ("help", "about", *covered)]
    lines = list(dict.fromkeys([*first, *(by_name[n].example for n in names)]))[:3]
    said = {by_name[n].example: by_name[n].says for n in names}
    shown = [f"`{line}` ({said[line]})" if line in said else f"`{line}`" for line in lines]
    return "Closest commands: " + ", ".join(shown) + "; `/help` lists them all."


def read(text: str, known_tickers: list[str], latest: dt.date) -> Reading:
    """The command a question stands for; :class:`NotUnderstood` (a :class:`UserError`) when any part
    of it cannot be read with confidence. ``latest`` is the data's newest session."""
    q = Question(text, known_tickers, latest)
    scores = _scores(q.text)
    if not q.text or not scores:
        unread = "”, “".join(escape(u, 40) for u in q.leftover()[:3])
        what = (
            f"I didn't understand “{unread}”, so I haven't answered."
            if unread
            else "Ask me a question about small vs large caps."
        )
        raise NotUnderstood(f"{what} {_offers({})}")
    top = max(scores.values())
    winners = [c for c, s in scores.items() if s == top]
    if len(winners) > 1:
        names = " and ".join(f"/{c}" for c in winners)
        raise NotUnderstood(f"That asks for {names} at once: ask one at a time. {_offers(scores)}")
    intent = next(i for i in INTENTS if i.command == winners[0])
    try:
        built = intent.build(q)
    except Refusal as exc:
        raise NotUnderstood(f"{exc} {_offers(scores, exc.offers)}") from None
    q.slots()  # a builder that took no periods still has them read, so they are not "left over"
    for other in INTENTS:  # the words that named a command are understood, whichever command won
        for pattern, _ in other.cues:
            q.cover(pattern)
    reading = built if isinstance(built, Reading) else Reading(intent.command, built)
    if intent.strict and (unread := q.leftover()):
        parts = "”, “".join(escape(u, 40) for u in unread[:3])
        raise NotUnderstood(
            f"I didn't understand “{parts}”, so I haven't answered. {_offers(scores)}"
        )
    if not intent.strict:
        return reading
    _check_unused_slots(q, reading.command)
    return reading


def _check_unused_slots(q: Question, command: str) -> None:
    """A period, date or ticker the command did not take would be silently dropped: refuse instead."""
    s = q.slots()
    said = [] if "periods" in s.used else [p.said for p in s.periods] + [d.said for d in s.days]
    said += [] if "tickers" in s.used else s.said_tickers
    if said:
        raise NotUnderstood(f"/{command} has no use for “{escape(said[0])}”. {_offers({command: 1})}")


def to_line(text: str, known_tickers: list[str], latest: dt.date) -> str:
    """The slash command a question stands for (see :func:`read`)."""
    return read(text, known_tickers, latest).line
