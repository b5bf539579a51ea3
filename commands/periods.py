"""Periods users type, and the two closes each one compares.

Every period resolves to a *base* close and an *end* close on a series' sessions:
- relative periods (``1w 1m 3m 6m 1y 3y 5y 10y``) run from the last close on or before the same
  calendar date that far before the as-of session, to the as-of session;
- ``1d`` runs from the previous session to the as-of session;
- ``ytd`` runs from the last close of the previous year, ``mtd`` from the last close of the previous
  month; ``max`` from the first common session;
- a year (``2024``), a quarter (``2024-Q1``), a month (``2024-03``), a day (``2026-01-16``) or a range
  (``2024-01-01..2024-06-30``) runs from the last close *before* its first day to the last close on or
  before its last day; an open range (``2020-01-01..``, "since 2020") ends at the as-of session.

So a day is that session's own move (from the close before it), and the same few words cover what
people ask in a thread ("since 2020", "in Q1 2024", "on 2026-01-16") without a second definition.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from .escape import code
from .reply import UserError

RELATIVE = {
    "1w": pd.DateOffset(weeks=1),
    "1m": pd.DateOffset(months=1),
    "3m": pd.DateOffset(months=3),
    "6m": pd.DateOffset(months=6),
    "1y": pd.DateOffset(years=1),
    "3y": pd.DateOffset(years=3),
    "5y": pd.DateOffset(years=5),
    "10y": pd.DateOffset(years=10),
}
NAMED = ["1d", *RELATIVE, "mtd", "ytd", "max"]
ACCEPTED = (
    "one of " + ", ".join(NAMED) + ", a year (2024), a quarter (2024-Q1), a month (2024-03), a day "
    "(2026-01-16), a range (2024-01-01..2024-06-30) or an open range to the newest session (2020-01-01..)"
)
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(?:(\d{4})-?q([1-4])|q([1-4])-?(\d{4}))$")
_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|to)\s*(\d{4}-\d{1,2}-\d{1,2})$")
_OPEN = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\.\.$")


@dataclass(frozen=True)
class Period:
    """What the user asked for; resolved against the data by :func:`resolve`."""

    text: str  # canonical form, shown back to the user
    kind: str  # "1d" | "relative" | "ytd" | "max" | "span"
    first: dt.date | None = None  # span: first calendar day
    last: dt.date | None = None  # span: last calendar day (None: open, to the as-of session)


@dataclass(frozen=True)
class Window:
    base: pd.Timestamp  # the close the period is measured from
    end: pd.Timestamp  # the close it is measured to
    label: str

    @property
    def opening(self) -> str:
        """The label at the start of a sentence: first letter up, the rest as is (``2024-Q1``, not
        ``str.capitalize``'s ``2024-q1``)."""
        return self.label[:1].upper() + self.label[1:]


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(_zero_pad(text.strip()))
    except ValueError:
        raise UserError(
            f"{code(text)} is not a valid {what}: write it as YYYY-MM-DD, e.g. 2024-12-31."
        ) from None


# The data's span, checked before any work: pandas cannot even hold a date before 1677, and nothing
# the bot serves starts before the S&P 500's first close in the bundled data (the abuse suite holds
# this constant to the snapshot). A period reaching past the data is cut "to date", or refused, by
# :func:`resolve`, which compares dates before it makes pandas timestamps; a series that starts later
# is refused there with its own span.
FIRST_CLOSE = dt.date(1927, 12, 30)


def outside_span(said: str) -> UserError:
    return UserError(
        f"{code(said)} reaches back before the data: the oldest close the bot has is {FIRST_CLOSE} "
        "(the S&P 500), and each series has its own start (`period:max` shows it)."
    )


def _zero_pad(text: str) -> str:
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return text


def parse_period(raw: str) -> Period:
    try:
        period = _parse_period(raw)
    except ValueError:  # year 0: no such date at all
        raise outside_span(raw) from None
    if period.first is not None and period.first < FIRST_CLOSE:
        raise outside_span(raw)
    return period


def _parse_period(raw: str) -> Period:
    text = raw.strip().lower().replace(" ", "")
    if text in ("1d", "mtd", "ytd", "max"):
        return Period(text, text)
    if text in RELATIVE:
        return Period(text, "relative")
    if _YEAR.match(text):
        year = int(text)
        return Period(text, "span", dt.date(year, 1, 1), dt.date(year, 12, 31))
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise UserError(f"{code(raw)}: months run from 01 to 12.")
        last_day = calendar.monthrange(year, month)[1]
        return Period(f"{year}-{month:02d}", "span", dt.date(year, month, 1), dt.date(year, month, last_day))
    if m := _QUARTER.match(text):
        year, quarter = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        first = dt.date(year, 3 * quarter - 2, 1)
        last = dt.date(year, 3 * quarter, calendar.monthrange(year, 3 * quarter)[1])
        return Period(f"{year}-Q{quarter}", "span", first, last)
    if _DAY.match(text):
        day = parse_date(text)
        return Period(day.isoformat(), "span", day, day)
    if m := _OPEN.match(text):
        first = parse_date(m[1])
        return Period(f"{first}..", "span", first, None)
    if m := _RANGE.match(text):
        first, last = parse_date(m[1]), parse_date(m[2])
        if first > last:
            raise UserError(f"The range starts ({first}) after it ends ({last}): put the earlier date first.")
        return Period(f"{first}..{last}", "span", first, last)
    raise UserError(f"I don't understand the period {code(raw)}. Use {ACCEPTED}.")


def resolve(period: Period, sessions: pd.DatetimeIndex) -> Window:
    """Pick the base and end closes on ``sessions`` (sorted, the series' common sessions)."""
    first, as_of = sessions[0], sessions[-1]
    if period.kind == "max":
        return Window(first, as_of, f"since {first.date()}")
    if period.kind == "1d":
        if len(sessions) < 2:
            raise UserError("There is only one session in the data: a one-day change needs two.")
        return Window(sessions[-2], as_of, f"on {as_of.date()}")
    if period.kind == "relative":
        target = as_of - RELATIVE[period.text]
        return Window(_on_or_before(sessions, target, period), as_of, f"over {period.text} to {as_of.date()}")
    if period.kind == "ytd":
        start = pd.Timestamp(as_of.year, 1, 1)
        return Window(_before(sessions, start, period), as_of, f"year to date ({as_of.year})")
    if period.kind == "mtd":
        start = pd.Timestamp(as_of.year, as_of.month, 1)
        return Window(_before(sessions, start, period), as_of, f"month to date ({as_of:%Y-%m})")
    assert period.first is not None
    # dates compared before timestamps are made: a far date (3000) is beyond what pandas holds
    if period.first > as_of.date():
        raise UserError(
            f"{code(period.text)} starts after the newest session in the data ({as_of.date()}). "
            f"The data runs from {first.date()} to {as_of.date()}."
        )
    start = pd.Timestamp(period.first)
    stop = pd.Timestamp(min(period.last, as_of.date())) if period.last is not None else as_of
    end = _on_or_before(sessions, stop, period)
    base = _before(sessions, start, period)
    if period.first == period.last:
        require_session(sessions, period.first, "period")
    if end <= base:
        raise UserError(f"There is no trading session in {code(period.text)}.")
    if period.last is None:
        label = f"since {period.first} (to {end.date()})"
    elif period.last <= as_of.date():
        label = period.text
    else:
        label = f"{period.text} (to date: {as_of.date()})"
    return Window(base, end, label)


def require_session(sessions: pd.DatetimeIndex, day: dt.date, option: str | None = None) -> pd.Timestamp:
    """The one rule for a date that names a single session (``/digest date:``, ``/streak as_of:``,
    ``/gap period:2024-07-05``): a date without a close of both series is refused, naming the nearest
    sessions, in every command alike. Answering for the session before it instead would report a
    move or a state the date never had (2024-07-04's "move" would be 2024-07-03's), and answering in
    one command but refusing in another is what issue 25 found."""
    when = pd.Timestamp(day)
    pos = int(sessions.searchsorted(when))
    if pos < len(sessions) and sessions[pos] == when:
        return when
    around = (sessions[pos - 1] if pos else None, sessions[pos] if pos < len(sessions) else None)
    near = [str(d.date()) for d in around if d is not None]
    verb = "are" if len(near) > 1 else "is"
    pick = f" Give {'one of them' if len(near) > 1 else 'it'} as `{option}`." if option else ""
    raise UserError(f"{day} is not a trading session: the nearest {verb} {' and '.join(near)}.{pick}")


def _on_or_before(sessions: pd.DatetimeIndex, when: pd.Timestamp, period: Period) -> pd.Timestamp:
    pos = sessions.searchsorted(when, side="right") - 1
    if pos < 0:
        raise _too_early(sessions, period)
    return sessions[pos]


def _before(sessions: pd.DatetimeIndex, when: pd.Timestamp, period: Period) -> pd.Timestamp:
    pos = sessions.searchsorted(when, side="left") - 1
    if pos < 0:
        raise _too_early(sessions, period)
    return sessions[pos]


def _too_early(sessions: pd.DatetimeIndex, period: Period) -> UserError:
    return UserError(
        f"{code(period.text)} reaches back before the data: both series have closes from "
        f"{sessions[0].date()} to {sessions[-1].date()}, and a period needs the close before it starts."
    )
