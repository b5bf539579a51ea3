"""The market-data cache's queries and upserts on both backends (a deployment may keep the cache in
the same PostgreSQL database as the state)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from data.cache import SCHEMA_VERSION, PriceCache
from data.db import create_engine
from data.market import MarketData, stats_of
from data.versions import STATS_SQL
from tests.conftest import csv_closes

UTC = dt.UTC


async def test_the_cache_loads_upserts_and_rescales_on_each_backend(empty_url):
    cache = PriceCache(create_engine(empty_url))
    assert await cache.open() == SCHEMA_VERSION
    history = await MarketData(cache).history("^RUT")
    assert history.last_session == dt.date(2026, 8, 21)
    stored = await cache.load("^RUT", "snapshot")
    closes = csv_closes("RUT", "Close")
    assert len(stored) == len(closes)
    assert stored["close"].iloc[-1] == closes[dt.date(2026, 8, 21)]

    day = pd.DatetimeIndex([pd.Timestamp("2026-08-24"), pd.Timestamp("2026-08-25")], name="session")
    frame = pd.DataFrame(
        {"open": 10.0, "high": 11.0, "low": 9.0, "close": [10.0, 12.0], "adj_close": [10.0, 12.0],
         "volume": 100.0, "dividends": 0.0, "splits": 0.0},
        index=day,
    )
    at = dt.datetime(2026, 8, 25, 21, tzinfo=UTC)
    assert await cache.store("TEST", "live", frame, pd.Series([True, False], index=day), at) == 2
    provisional = frame.assign(close=[99.0, 13.0])  # a provisional row never overwrites a final one
    await cache.store("TEST", "live", provisional, pd.Series([False, False], index=day), at)
    assert (await cache.load("TEST", "live"))["close"].tolist() == [10.0, 13.0]
    assert await cache.rescale_before("TEST", "live", dt.date(2026, 8, 25), 2.0)
    assert (await cache.load("TEST", "live"))["close"].tolist() == [5.0, 13.0]
    assert not await cache.rescale_before("TEST", "live", dt.date(2026, 8, 25), 2.0)  # applied once
    assert (await cache.load("TEST", "live"))["close"].tolist() == [5.0, 13.0]
    await cache.log_attempt("TEST", at, "timed out")
    await cache.log_attempt("TEST", at + dt.timedelta(minutes=5), None)
    log = await cache.fetch_log("TEST")
    assert (log.last_error, log.last_success) == (None, at + dt.timedelta(minutes=5))
    await cache.close()


async def test_the_version_query_agrees_with_the_rows_and_reads_only_indexes(empty_url):
    """What a data version is made of, from one query (the answer cache asks it after a restart,
    before any history is loaded), equals what the loaded rows say: provisional rows, a split, the
    newest closes; and on SQLite no part of it reads the table's rows (a scan of 25,000 bars was the
    slowest step of the first answer after a restart)."""
    cache = PriceCache(create_engine(empty_url))
    await cache.open()
    await MarketData(cache).history("^GSPC")  # seeds 24,777 snapshot rows
    day = pd.DatetimeIndex(pd.to_datetime(["2026-08-24", "2026-08-25", "2026-08-26"]), name="session")
    frame = pd.DataFrame(
        {"open": 1.0, "high": 1.0, "low": 1.0, "close": [10.0, 11.0, 12.0], "adj_close": [9.5, 11.0, 12.0],
         "volume": 1.0, "dividends": 0.0, "splits": [0.0, 2.0, 0.0]},
        index=day,
    )
    early, late = dt.datetime(2026, 8, 26, 19, tzinfo=UTC), dt.datetime(2026, 8, 26, 20, tzinfo=UTC)
    await cache.store("^GSPC", "live", frame.iloc[:2], pd.Series([True, False], index=day[:2]), early)
    await cache.store("^GSPC", "live", frame.iloc[2:], pd.Series([False], index=day[2:]), late)

    stats = await cache.stats("^GSPC")
    assert stats == {source: stats_of(await cache.load("^GSPC", source)) for source in ("snapshot", "live")}
    assert (stats["live"].rows, stats["live"].splits, stats["live"].provisional) == (3, 1, 2)
    assert stats["live"].oldest_provisional == early.isoformat()
    assert (stats["live"].last_close, stats["live"].last_adj_close) == (12.0, 12.0)
    assert (stats["snapshot"].rows, stats["snapshot"].last_session) == (24_777, "2026-08-21")
    assert await cache.stats("NOTHING") == {}

    if empty_url.startswith("sqlite"):
        async with cache.engine.connect() as conn:
            plan = (await conn.execute(text("EXPLAIN QUERY PLAN " + STATS_SQL), {"ticker": "^GSPC"})).all()
        steps = [row[-1] for row in plan]
        assert not [s for s in steps if s.startswith("SCAN") and "CONSTANT ROW" not in s and s != "SCAN s"]
        assert {"bars_fetched", "bars_provisional", "bars_splits"} <= {
            word for s in steps for word in s.split()
        }
    await cache.close()
