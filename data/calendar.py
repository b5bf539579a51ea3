"""NYSE sessions and closes from exchange_calendars (holidays and early closes included).

The cache asks two questions of it: which is the newest session whose close has passed (what the
tail should reach), and whether a stored session is final (its close plus a settling delay passed
when it was fetched). Sessions older than the calendar's range are long final.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache

import exchange_calendars as xcals
import pandas as pd


@cache
def _calendar(name: str) -> xcals.ExchangeCalendar:
    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads a tz-aware Series' .values, which pandas 3.1 deprecates; harmless.
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        # Two years ahead (the default is one): a one-year call's window must end inside the calendar.
        end = (pd.Timestamp.now().normalize() + pd.DateOffset(years=2)).strftime("%Y-%m-%d")
        return xcals.get_calendar(name, end=end)


class TradingCalendar:
    def __init__(self, name: str = "XNYS") -> None:
        self._cal = _calendar(name)

    def close_of(self, session: dt.date) -> dt.datetime | None:
        """UTC close of ``session``; None for dates the calendar does not cover or that are not sessions."""
        ts = pd.Timestamp(session)
        if not (self._cal.first_session <= ts <= self._cal.last_session) or not self._cal.is_session(ts):
            return None
        return self._cal.session_close(ts).to_pydatetime()

    def last_closed_session(self, now: dt.datetime, delay: dt.timedelta = dt.timedelta(0)) -> dt.date:
        """The newest session whose close (plus ``delay``) is at or before ``now`` (aware, any zone)."""
        now_utc = pd.Timestamp(now).tz_convert("UTC")
        sessions = self._cal.sessions_in_range(
            (now_utc - pd.Timedelta(days=15)).normalize().tz_localize(None),
            now_utc.tz_localize(None).normalize(),
        )
        closes = self._cal.closes.loc[sessions]
        passed = closes[closes + pd.Timedelta(delay) <= now_utc]
        return passed.index[-1].date()

    def is_final(self, session: dt.date, fetched_at: dt.datetime, delay: dt.timedelta) -> bool:
        close = self.close_of(session)
        if close is None:
            return session < self._cal.first_session.date()
        return close + delay <= fetched_at

    def sessions_between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Sessions from ``first`` to ``last`` inclusive (both clipped to the calendar's range)."""
        lo = max(pd.Timestamp(first), self._cal.first_session)
        hi = min(pd.Timestamp(last), self._cal.last_session)
        if lo > hi:
            return []
        return [ts.date() for ts in self._cal.sessions_in_range(lo, hi)]

    def sessions_after(self, first: dt.date, last: dt.date) -> int:
        """How many sessions lie in (first, last]: the 'N sessions behind' in staleness notes."""
        if last <= first:
            return 0
        return len(
            self._cal.sessions_in_range(pd.Timestamp(first) + pd.Timedelta(days=1), pd.Timestamp(last))
        )
