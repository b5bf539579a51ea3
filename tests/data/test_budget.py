"""Live mode, bounded (issue 24, finding 12): tickers leave memory, the cache keeps to a size budget.

Before, every ticker anyone named stayed in memory and in the cache for good. The live source here
makes up a long Yahoo-shaped history for any ticker; the snapshot and the clock are real/controlled.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from data.budget import CacheBudget, TickerMemory
from data.frames import BAR_COLUMNS
from data.market import MarketData
from data.provenance import bar_providers
from data.sources.snapshot import SnapshotSource
from data.universe import FUND_PAIR, LARGE_DEFAULT, SMALL_DEFAULT

UTC = dt.UTC
DEFAULTS = {SMALL_DEFAULT, LARGE_DEFAULT, *FUND_PAIR}


class AnyTicker:
    """Yahoo for any name: six years of made-up daily bars, different per ticker; counts fetches."""

    name = "live"

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def fetch(self, ticker, start=None, end=None):
        self.calls.append(ticker)
        days = pd.bdate_range("2020-08-03", "2026-08-07", name="session")
        seed = sum(map(ord, ticker))
        walk = 50 * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.01, len(days))))
        frame = pd.DataFrame({c: np.nan for c in BAR_COLUMNS}, index=days)
        frame["close"] = frame["adj_close"] = walk
        frame["dividends"] = 0.0
        frame["splits"] = 0.0
        return frame.loc[pd.Timestamp(start) if start else None :].copy()


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def wall() -> dt.datetime:
    return dt.datetime(2026, 8, 10, 21, 0, tzinfo=UTC)


def test_memory_forgets_the_idle_and_the_least_recent_never_the_pinned():
    ticks = Ticks()
    memory = TickerMemory(max_tickers=3, idle=100, pinned={"^RUT"}, clock=ticks)
    for name in ("^RUT", "A", "B", "C"):
        memory.touch(name)
    assert memory.to_forget() == []
    memory.touch("D")  # four besides the pinned one: the oldest goes
    assert memory.to_forget() == ["A"]
    ticks.now = 50
    memory.touch("B")
    ticks.now = 120  # C and D idle for 120 s, B for 70 s
    assert memory.to_forget(busy=lambda t: t == "D") == ["C"]  # D is being read: kept for now
    assert memory.to_forget() == ["D"]
    ticks.now = 10_000
    assert memory.to_forget() == ["B"]
    assert "^RUT" in memory


async def test_tickers_nobody_asks_for_leave_memory(cache):
    ticks = Ticks()
    memory = TickerMemory(max_tickers=5, idle=600, pinned=DEFAULTS, clock=ticks)
    market = MarketData(cache, live=AnyTicker(), clock=wall, memory=memory)
    await market.history(SMALL_DEFAULT)
    for n in range(12):
        await market.history(f"T{n:03d}")
        assert len(market.in_memory - DEFAULTS) <= 5
    assert {f"T{n:03d}" for n in range(7, 12)} <= market.in_memory
    ticks.now = 601  # nobody asked for ten minutes: the minute's sweep leaves the default pair alone
    await market.sweep()
    assert market.in_memory == {SMALL_DEFAULT}
    again = await market.history("T001")  # from the cache, not fetched again
    assert len(again.prices) > 1500


async def test_the_cache_keeps_to_its_budget_least_recently_used_first(cache):
    live = AnyTicker()
    keep = DEFAULTS | set(SnapshotSource().tickers())
    ticks = Ticks()
    unbounded = MarketData(cache, live=live, clock=wall)
    for name in (SMALL_DEFAULT, LARGE_DEFAULT, *FUND_PAIR):
        await unbounded.history(name)
    base = await cache.size_bytes()
    await unbounded.history("PROBE")
    per_ticker = await cache.size_bytes() - base
    await cache.drop("PROBE")
    budget = CacheBudget(base + 8 * per_ticker, keep=keep, check_every=0, flush_every=0, clock=ticks)
    market = MarketData(cache, live=live, clock=wall, budget=budget)
    for n in range(25):
        ticks.now += 1
        await market.history(f"T{n:03d}")
        assert await cache.size_bytes() <= budget.max_bytes
    stored = set(await cache.least_recent(frozenset(), limit=1000))
    # the most recent stay, least recent first out: what is kept is the newest run of the 25 (how
    # many fit depends on SQLite's page use, which the provider rows dropped with each ticker share)
    kept = sorted(t for t in stored if t.startswith("T"))
    assert len(kept) >= 3
    assert kept == [f"T{n:03d}" for n in range(25 - len(kept), 25)]
    assert "T000" not in stored  # the least recent went
    for name in (SMALL_DEFAULT, LARGE_DEFAULT, *FUND_PAIR):  # never dropped
        assert name in stored
    assert budget.evicted >= 17
    async with cache.engine.connect() as conn:  # which provider gave each close went with the bars
        providers = select(func.count()).select_from(bar_providers).where(bar_providers.c.ticker == "T000")
        assert await conn.scalar(providers) == 0
    fetched = live.calls.count("T000")
    again = await market.history("T000")  # dropped: fetched afresh, whole
    assert live.calls.count("T000") == fetched + 1
    assert len(again.prices) > 1500


async def test_recently_asked_tickers_are_kept_over_older_ones(cache):
    live = AnyTicker()
    ticks = Ticks()
    budget = CacheBudget(None, flush_every=0, clock=ticks)
    market = MarketData(cache, live=live, clock=wall, budget=budget)
    for name in ("OLD", "MID", "NEW"):
        ticks.now += 1
        await market.history(name)
    await market.history("OLD")  # asked again, in memory: still counted as a use
    await budget.flush(cache)
    assert await cache.least_recent(frozenset({"NEW"}), limit=5) == ["MID", "OLD"]
