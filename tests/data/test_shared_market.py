"""Several processes on one cache: a ticker is fetched from the source once, a split applied once.

Two :class:`MarketData` on two engines over one database behave like two bot processes: PostgreSQL
advisory locks belong to connections, so they serialise these two exactly as they would two hosts.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from data.cache import PriceCache
from data.db import create_engine
from data.market import MarketData
from tests.data.test_market import TAIL, Clock, FakeLive, bars

SPLIT_DAY = dt.date(2026, 8, 11)


@pytest.fixture
async def cache_url(postgres):
    name = await postgres.create(template=None)  # an empty database: the cache migrates it
    yield postgres.url(name)
    await postgres.drop(name)


async def _caches(url: str, n: int) -> list[PriceCache]:
    caches = [PriceCache(create_engine(url)) for _ in range(n)]
    await asyncio.gather(*(c.open() for c in caches))  # migrations serialised, none fails
    return caches


async def test_three_processes_fetch_a_ticker_once(cache_url):
    caches = await _caches(cache_url, 3)
    live = FakeLive(bars(TAIL), delay=0.3)  # slow enough that all three ask at once
    clock = Clock("2026-08-10T21:00:00")
    markets = [MarketData(c, live=live, clock=clock) for c in caches]
    try:
        histories = await asyncio.gather(*(m.history("IWM") for m in markets))
        assert len(live.calls) == 1
        assert {h.last_session.isoformat() for h in histories} == {"2026-08-10"}
        assert all(h.stale is None for h in histories)
    finally:
        await asyncio.gather(*(c.close() for c in caches))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_split_divides_the_history_once_whoever_applies_it(backend, cache_url, tmp_path):
    url = cache_url if backend == "postgresql" else f"sqlite+aiosqlite:///{tmp_path / 'cache.db'}"
    first, second = await _caches(url, 2)
    try:
        await first.store("IWM", "live", bars(TAIL), bars(TAIL)["close"] > 0, Clock("2026-08-10T21:00").now)
        applied = await asyncio.gather(
            first.rescale_before("IWM", "live", SPLIT_DAY, 2.0),
            second.rescale_before("IWM", "live", SPLIT_DAY, 2.0),
        )
        assert sorted(applied) == [False, True]
        stored = await second.load("IWM", "live")
        assert stored.loc["2026-08-07", "close"] == 112.0  # 224 / 2, once
    finally:
        await first.close()
        await second.close()
