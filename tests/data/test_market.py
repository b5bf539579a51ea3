"""The read-through cache: tail-only fetches, provisional rows, corporate actions, failures, schema.

The live source is faked at the PriceSource boundary; the clock is controlled; the snapshot is real.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from data.cache import MIGRATIONS, SCHEMA_VERSION, PriceCache
from data.db import create_engine, migrate
from data.errors import DataUnavailable, UnknownTicker
from data.frames import BAR_COLUMNS
from data.market import MarketData
from tests.conftest import csv_closes

UTC = dt.UTC


def bars(
    rows: dict[str, float], dividends: dict[str, float] | None = None, splits: dict[str, float] | None = None
) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(list(rows)), name="session")
    frame = pd.DataFrame({c: float("nan") for c in BAR_COLUMNS}, index=index)
    frame["close"] = list(rows.values())
    frame["adj_close"] = frame["close"]
    frame["dividends"] = [(dividends or {}).get(d, 0.0) for d in rows]
    frame["splits"] = [(splits or {}).get(d, 0.0) for d in rows]
    return frame


class FakeLive:
    """Answers like Yahoo from a 'truth' frame; records every request."""

    name = "live"

    def __init__(self, truth: pd.DataFrame, delay: float = 0.0) -> None:
        self.truth, self.delay, self.calls = truth, delay, []
        self.error: Exception | None = None

    async def fetch(self, ticker, start=None, end=None):
        self.calls.append((ticker, start))
        await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        if ticker not in ("IWM", "^RUT", "^IRX"):
            raise UnknownTicker(ticker)
        return self.truth.loc[pd.Timestamp(start) if start else None :].copy()


class Clock:
    def __init__(self, when: str) -> None:
        self.now = dt.datetime.fromisoformat(when).replace(tzinfo=UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, when: str) -> None:
        self.now = dt.datetime.fromisoformat(when).replace(tzinfo=UTC)


TAIL = {  # raw closes after the snapshot's last IWM session (2026-07-31), made up for the test
    "2026-07-31": 220.0,
    "2026-08-03": 221.0,
    "2026-08-04": 222.0,
    "2026-08-05": 221.5,
    "2026-08-06": 223.0,
    "2026-08-07": 224.0,
    "2026-08-10": 225.0,
}


@pytest.fixture
def clock():
    return Clock("2026-08-10T21:00:00")  # 17:00 New York: the 08-10 close is final (16:00 + 30 min)


@pytest.fixture
def live():
    return FakeLive(bars(TAIL, dividends={"2026-08-05": 0.5}))


async def test_fetches_only_the_tail_and_splices_onto_the_snapshot(cache, live, clock):
    market = MarketData(cache, live=live, clock=clock)
    h = await market.history("IWM")
    assert live.calls == [("IWM", dt.date(2026, 7, 31))]  # from the newest stored session: the overlap
    assert h.last_session == dt.date(2026, 8, 10)
    assert h.source == "bundled snapshot + Yahoo Finance (live)"
    snap = csv_closes("IWM")
    p = h.prices
    # history keeps the snapshot's returns exactly, rescaled at the overlap onto the live basis
    assert p[pd.Timestamp("2026-07-30")] / p[pd.Timestamp("2026-07-31")] == pytest.approx(
        snap[dt.date(2026, 7, 30)] / snap[dt.date(2026, 7, 31)], rel=1e-12
    )
    assert p[pd.Timestamp("2000-05-26")] / p[pd.Timestamp("2026-07-31")] == pytest.approx(
        snap[dt.date(2000, 5, 26)] / snap[dt.date(2026, 7, 31)], rel=1e-12
    )
    # the dividend in the tail is in the total return, Yahoo's way
    assert p[pd.Timestamp("2026-08-05")] / p[pd.Timestamp("2026-08-04")] == pytest.approx(
        221.5 / (222.0 - 0.5)
    )
    assert p[pd.Timestamp("2026-08-10")] == 225.0


async def test_a_repeat_request_never_refetches(cache, live, clock):
    await MarketData(cache, live=live, clock=clock).history("IWM")
    market = MarketData(cache, live=live, clock=clock)  # a restart: only the database remains
    await market.history("IWM")
    await market.history("IWM")
    assert len(live.calls) == 1


async def test_next_day_fetches_from_the_newest_stored_session(cache, live, clock):
    market = MarketData(cache, live=live, clock=clock)
    await market.history("IWM")
    live.truth = bars(TAIL | {"2026-08-11": 226.0}, dividends={"2026-08-05": 0.5})
    clock.set("2026-08-11T21:00:00")
    h = await market.history("IWM")
    assert live.calls[-1] == ("IWM", dt.date(2026, 8, 10))
    assert h.last_session == dt.date(2026, 8, 11)


async def test_provisional_rows_are_refreshed_until_final(cache, live, clock):
    clock.set("2026-08-10T20:10:00")  # ten minutes after the close: not final yet
    live.truth = bars(TAIL | {"2026-08-10": 224.8}, dividends={"2026-08-05": 0.5})
    market = MarketData(cache, live=live, clock=clock)
    assert (await market.history("IWM")).prices.iloc[-1] == 224.8
    stored = await cache.load("IWM", "live")
    assert not stored.loc["2026-08-10", "final"]
    assert stored.loc["2026-08-07", "final"]
    clock.set("2026-08-10T20:20:00")
    await market.history("IWM")
    assert len(live.calls) == 1  # refreshed at most every 15 minutes
    live.truth = bars(TAIL, dividends={"2026-08-05": 0.5})  # the settled close
    clock.set("2026-08-10T20:45:00")
    assert (await market.history("IWM")).prices.iloc[-1] == 225.0
    assert live.calls[-1] == ("IWM", dt.date(2026, 8, 10))
    assert bool((await cache.load("IWM", "live"))["final"].all())
    await MarketData(cache, live=live, clock=clock).history("IWM")
    assert len(live.calls) == 2


async def test_a_new_split_rescales_stored_history(cache, live, clock):
    market = MarketData(cache, live=live, clock=clock)
    before = (await market.history("IWM")).prices
    # 2-for-1 split effective 2026-08-11: Yahoo now reports every earlier close and dividend halved
    halved = {d: c / 2 for d, c in TAIL.items()}
    live.truth = bars(
        halved | {"2026-08-11": 113.0}, dividends={"2026-08-05": 0.25}, splits={"2026-08-11": 2.0}
    )
    clock.set("2026-08-11T21:00:00")
    after = (await market.history("IWM")).prices
    stored = await cache.load("IWM", "live")
    assert stored.loc["2026-08-07", "close"] == 112.0  # rescaled in the database, not refetched
    assert stored.loc["2026-08-05", "dividends"] == 0.25
    # no jump at the split: the real return on 08-11 is 113 / 112.5 - 1
    assert after[pd.Timestamp("2026-08-11")] / after[pd.Timestamp("2026-08-10")] == pytest.approx(
        113.0 / 112.5
    )
    # every return before it is unchanged, snapshot part included
    common = before.index
    pd.testing.assert_series_equal(
        after.loc[common].pct_change().iloc[1:], before.pct_change().iloc[1:], check_names=False, rtol=1e-9
    )


async def test_live_failure_answers_from_cache_and_says_how_stale(cache, live, clock):
    market = MarketData(cache, live=live, clock=clock)
    await market.history("IWM")
    stored = len(await cache.load("IWM", "live"))
    live.error = DataUnavailable("IWM", "Yahoo is rate-limiting requests")
    clock.set("2026-08-13T21:00:00")
    h = await market.history("IWM")
    assert h.last_session == dt.date(2026, 8, 10)
    assert h.stale is not None
    assert "rate-limiting" in h.stale
    assert "2026-08-10, 3 sessions behind" in h.stale
    assert len(await cache.load("IWM", "live")) == stored  # nothing lost
    await market.history("IWM")
    assert len(live.calls) == 2  # backs off instead of hammering the source
    log = await cache.fetch_log("IWM")
    assert log is not None
    assert log.last_error == "Yahoo is rate-limiting requests"


async def test_unknown_ticker_with_nothing_cached(cache, live, clock):
    with pytest.raises(UnknownTicker):
        await MarketData(cache, live=live, clock=clock).history("ZZZZ")
    live.error = DataUnavailable("QQQ", "network down")
    with pytest.raises(DataUnavailable):
        await MarketData(cache, live=live, clock=clock).history("QQQ")


async def test_live_only_ticker_fetches_full_history(cache, clock):
    live = FakeLive(bars({"2026-08-07": 4.1, "2026-08-10": 4.2}))
    h = await MarketData(cache, live=live, clock=clock).history("^IRX")
    assert live.calls == [("^IRX", None)]
    assert h.source == "Yahoo Finance (live)"
    assert h.basis == "price"


async def test_concurrent_requests_share_one_fetch(cache, clock):
    live = FakeLive(bars(TAIL), delay=0.05)
    market = MarketData(cache, live=live, clock=clock)
    results = await asyncio.gather(*(market.history("IWM") for _ in range(5)))
    assert len(live.calls) == 1
    assert {r.last_session for r in results} == {dt.date(2026, 8, 10)}


async def test_snapshot_only_mode_never_fetches(cache):
    market = MarketData(cache)
    h = await market.history("^RUT")
    assert h.last_session == dt.date(2026, 8, 21)
    assert h.stale is None
    assert h.source == "bundled snapshot"
    with pytest.raises(UnknownTicker) as err:
        await market.history("QQQ")
    assert "IWM" in str(err.value)


async def test_an_older_schema_migrates_without_losing_rows(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    assert await migrate(engine, MIGRATIONS, scope="cache", upto=1) == 1
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO bars (ticker, session, source, close, adj_close, final, fetched_at) "
                "VALUES ('^RUT', '2026-08-21', 'live', 2400.5, 2400.5, 1, '2026-08-21T21:00:00+00:00')"
            )
        )
    await engine.dispose()
    cache = PriceCache(create_engine(url))
    assert await cache.open() == SCHEMA_VERSION == 6  # 5 bar_providers, 6 ticker_use
    assert (await cache.load("^RUT", "live"))["close"].tolist() == [2400.5]
    await cache.log_attempt("^RUT", dt.datetime(2026, 8, 22, tzinfo=UTC), None)
    assert (await cache.fetch_log("^RUT")).last_error is None
    assert await cache.open() == SCHEMA_VERSION  # idempotent
    await cache.close()


async def test_sqlite_runs_in_wal_mode(cache):
    async with cache.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"


async def test_a_source_with_nothing_new_is_not_asked_at_every_request(cache, live, clock):
    clock.set("2026-08-11T21:00:00")  # the 08-11 close is due, but the source only has up to 08-10
    market = MarketData(cache, live=live, clock=clock)
    for _ in range(20):
        await market.history("IWM")
    assert len(live.calls) == 1
    clock.set("2026-08-11T21:16:00")  # after refresh_every (15 min) it is asked again
    await market.history("IWM")
    assert len(live.calls) == 2
