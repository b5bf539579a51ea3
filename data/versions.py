"""A ticker's data version: a short string that changes whenever the history an answer was built from
would change (a new close, a refreshed provisional row, a split, a staleness note).

Why a version and not the data: the answer cache (``bot/answers.py``) keeps built replies and must
know, cheaply and without loading 24,000 closes, whether the data behind one is still what is
stored. Two computations give the same string and must stay in step: from the frames already in
memory (:func:`data.market.stats_of`) and from one indexed query over the cache (:data:`STATS_SQL`).

Standard library only, on purpose: the console's ``ask`` reads versions straight from the SQLite
file (:class:`SqliteVersions`) before deciding whether it needs pandas' data path, SQLAlchemy, the
trading calendar or the live source at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
EARLIEST_CLOSE = dt.time(13, 0)  # NYSE's early closes; every regular close is later

# One row per source with what changes when the stored history does: its length, newest session,
# newest fetch stamp (every store stamps its rows), split count (a split rescales older rows) and
# provisional rows (refreshed in place); then the newest row's closes, in case a store kept its stamp.
# Each figure is its own lookup so that each is answered from an index (the primary key, or the
# cache's migration 4: bars_fetched, and the partial bars_provisional and bars_splits, whose WHERE
# clauses these repeat word for word so the planners can use them): about 1 ms for 25,000 rows,
# where one aggregate over the rows read every row (7-20 ms, more beside a load).
STATS_SQL = """
SELECT s.source,
       (SELECT COUNT(*) FROM bars b WHERE b.ticker = :ticker AND b.source = s.source),
       (SELECT MAX(b.session) FROM bars b WHERE b.ticker = :ticker AND b.source = s.source),
       (SELECT MAX(b.fetched_at) FROM bars b WHERE b.ticker = :ticker AND b.source = s.source),
       (SELECT COUNT(*) FROM bars b WHERE b.ticker = :ticker AND b.source = s.source
        AND splits <> 0 AND splits <> 1),
       (SELECT COUNT(*) FROM bars b WHERE b.ticker = :ticker AND b.source = s.source AND final = false),
       (SELECT MIN(b.fetched_at) FROM bars b WHERE b.ticker = :ticker AND b.source = s.source
        AND final = false),
       (SELECT l.close FROM bars l WHERE l.ticker = :ticker AND l.source = s.source
        ORDER BY l.session DESC LIMIT 1),
       (SELECT l.adj_close FROM bars l WHERE l.ticker = :ticker AND l.source = s.source
        ORDER BY l.session DESC LIMIT 1)
FROM (SELECT 'snapshot' AS source UNION ALL SELECT 'live' AS source) s
WHERE EXISTS (SELECT 1 FROM bars e WHERE e.ticker = :ticker AND e.source = s.source)
"""


@dataclass(frozen=True)
class BarStats:
    """What identifies one source's stored rows for a ticker (see :data:`STATS_SQL`)."""

    rows: int
    last_session: str  # ISO date
    last_fetched: str  # ISO timestamp, as stored
    splits: int
    provisional: int
    oldest_provisional: str | None  # fetch stamp of the oldest provisional row
    last_close: float | None
    last_adj_close: float | None

    @classmethod
    def from_row(cls, row: tuple) -> BarStats:
        _, rows, last, fetched, splits, provisional, oldest, close, adj = row
        return cls(
            int(rows), str(last), str(fetched), int(splits or 0), int(provisional or 0), oldest, close, adj
        )

    def token(self) -> str:
        return (
            f"{self.rows}/{self.last_session}/{self.last_fetched}/{self.splits}/{self.provisional}"
            f"/{_num(self.last_close)}/{_num(self.last_adj_close)}"
        )


def _num(x: float | None) -> str:
    return "-" if x is None or x != x else repr(float(x))  # NaN (pandas) and NULL (SQL) alike


def version(
    ticker: str, mode: str, snapshot: BarStats | None, live: BarStats | None, stale: str | None = None
) -> str:
    """The version string; ``live`` is ignored in snapshot mode (the history then ignores it too)."""
    parts = [ticker, mode, snapshot.token() if snapshot else "-"]
    if mode == "live":
        parts.append(live.token() if live else "-")
    if stale:
        parts.append(hashlib.blake2b(stale.encode(), digest_size=6).hexdigest())
    return "|".join(parts)


def weekday_bound(now: dt.datetime) -> dt.date:
    """A session no older than the newest one whose close has passed, without the calendar: the
    newest weekday whose earliest possible close (13:00 New York) is behind us. Holidays only make
    the true answer older, so a tail reaching this bound is certainly current."""
    local = now.astimezone(NEW_YORK)
    day = local.date() if local.time() >= EARLIEST_CLOSE else local.date() - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def tail_current(
    stats: dict[str, BarStats],
    now: dt.datetime,
    refresh_every: dt.timedelta,
    last_closed: Callable[[], dt.date],
) -> bool:
    """Would the live path leave this ticker alone right now (nothing newer due, no provisional row
    due for a refresh)? ``last_closed`` (the trading calendar) is asked only when the weekday bound
    leaves it in doubt."""
    live = stats.get("live")
    provisional = live.oldest_provisional if live is not None and live.provisional else None
    if provisional is not None and now - dt.datetime.fromisoformat(provisional) >= refresh_every:
        return False
    newest = max(dt.date.fromisoformat(s.last_session) for s in stats.values())
    if newest >= weekday_bound(now):
        return True
    return newest >= last_closed()


def current_version(
    ticker: str,
    mode: str,
    stats: dict[str, BarStats],
    now: dt.datetime,
    refresh_every: dt.timedelta,
    last_closed: Callable[[], dt.date],
) -> str | None:
    """The version a fresh read of ``ticker`` would have now, or None when that read would first go
    to the live source (or nothing is stored yet): only the full data path can say then."""
    if not stats:
        return None
    if mode == "live" and not tail_current(stats, now, refresh_every, last_closed):
        return None
    return version(ticker, mode, stats.get("snapshot"), stats.get("live"))


class SqliteVersions:
    """Versions read from the cache's SQLite file with the standard library, read-only.

    For the console's ``ask``: answers from the answer cache without importing SQLAlchemy or the
    data path. Anything unusual (no file, no table, a locked or damaged file) returns None, and the
    caller takes the full path, which knows how to deal with it.
    """

    def __init__(
        self,
        path: Path,
        mode: str,
        refresh_every: dt.timedelta = dt.timedelta(minutes=15),
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.path, self.mode, self.refresh_every, self.clock = path, mode, refresh_every, clock
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is None and self.path.is_file():
            self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        return self._conn

    def stats(self, ticker: str) -> dict[str, BarStats]:
        conn = self._connect()
        if conn is None:
            return {}
        return {row[0]: BarStats.from_row(row) for row in conn.execute(STATS_SQL, {"ticker": ticker})}

    async def version(self, ticker: str) -> str | None:
        try:
            stats = self.stats(ticker)
        except sqlite3.Error:
            return None
        now = self.clock()
        return current_version(
            ticker, self.mode, stats, now, self.refresh_every, lambda: _last_closed_session(now)
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _last_closed_session(now: dt.datetime) -> dt.date:
    from .calendar import TradingCalendar  # exchange_calendars: only when the weekday bound is in doubt

    return TradingCalendar().last_closed_session(now)

