"""The market-data cache's queries and upserts on both backends (a deployment may keep the cache in
the same PostgreSQL database as the state)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.cache import SCHEMA_VERSION, PriceCache
from data.db import create_engine
from data.market import MarketData
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
