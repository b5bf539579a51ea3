"""Builds the data layer from settings; shared by the console and the Discord client.

Imports of the data path (SQLAlchemy, the live source) happen inside the functions: the console's
``ask`` may answer from the answer cache without them (:class:`LazyMarket`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from data.versions import SqliteVersions

from .settings import DataSource, Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from data.market import MarketData, PriceHistory
    from data.state import StateStore


@asynccontextmanager
async def market_data(settings: Settings) -> AsyncIterator[MarketData]:
    from data.cache import PriceCache
    from data.db import create_engine
    from data.market import FreshnessPolicy, MarketData

    cache = PriceCache(create_engine(settings.database_url))
    await cache.open()
    health_engine = None
    live = None
    if settings.data_source is DataSource.live:  # providers' back-off is shared through the state db
        health_engine = create_engine(settings.state_database_url)
        live = provider_chain(settings, await provider_health(health_engine))
    memory = budget = None
    if live is not None:  # the bundle bounds snapshot mode by itself
        from data.budget import CacheBudget, TickerMemory
        from data.sources.snapshot import SnapshotSource
        from data.universe import FUND_PAIR, LARGE_DEFAULT, SMALL_DEFAULT

        defaults = {SMALL_DEFAULT, LARGE_DEFAULT, *FUND_PAIR}
        memory = TickerMemory(
            settings.market_memory_tickers, settings.market_memory_idle_minutes * 60, pinned=defaults
        )
        bundled = set(SnapshotSource().tickers())
        budget = CacheBudget(settings.market_cache_max_mb * 2**20, keep=defaults | bundled)
    try:
        yield MarketData(
            cache,
            live=live,
            policy=FreshnessPolicy(final_delay=settings.final_delay),
            tolerance=settings.reconcile_tolerance_pct / 100,
            memory=memory,
            budget=budget,
        )
    finally:
        await cache.close()
        if health_engine is not None:
            await health_engine.dispose()


async def provider_health(engine):
    """The state database's provider health (migrated first: `ask` may be its first user), or the
    process's own memory when that database cannot be opened: back-off then is per process."""
    from data.db import migrate
    from data.sources.health import MemoryHealth
    from data.state import MIGRATIONS
    from data.state.providers import ProviderHealthStore

    try:
        await migrate(engine, MIGRATIONS, scope="state")
    except Exception as exc:
        log.warning("provider back-off kept in memory: state database unavailable (%s)", type(exc).__name__)
        return MemoryHealth()
    return ProviderHealthStore(engine)


def provider_chain(settings: Settings, health=None):
    """The live providers in the operator's order: Yahoo (yfinance), Tiingo (with a key), FRED."""
    from data.sources.chain import Entry, ProviderChain
    from data.sources.fred import FredSource
    from data.sources.live import YFinanceSource
    from data.sources.tiingo import TiingoSource

    timeout = settings.live_timeout_seconds
    entries = []
    for key in settings.providers:
        if key == "yahoo":
            entries.append(Entry(key, YFinanceSource(timeout=timeout)))
        elif key == "tiingo" and settings.tiingo_api_key is not None:
            token = settings.tiingo_api_key.get_secret_value()
            entries.append(Entry(key, TiingoSource(token, settings.tiingo_base_url, timeout)))
        elif key == "fred":
            entries.append(Entry(key, FredSource(settings.fred_base_url, timeout)))
    return ProviderChain(entries, health)


@asynccontextmanager
async def state_store(settings: Settings) -> AsyncIterator[StateStore]:
    from data.db import create_engine
    from data.state import StateStore

    state = StateStore(create_engine(settings.state_database_url))
    await state.open(backups=settings.backup_dir)
    try:
        yield state
    finally:
        await state.close()


def sqlite_file(url: str) -> Path | None:
    """The file behind a ``sqlite...:///path`` URL (read without SQLAlchemy), else None."""
    scheme, sep, rest = url.partition(":///")
    path = rest.split("?", 1)[0]
    if not sep or scheme.split("+", 1)[0] != "sqlite" or path in ("", ":memory:"):
        return None
    return Path(path)


class LazyMarket:
    """:class:`MarketData` opened on first real use; until then, data versions are read straight from
    the cache's SQLite file, so an answer the answer cache holds costs no data path at all."""

    def __init__(self, settings: Settings, stack: AsyncExitStack) -> None:
        self.settings, self._stack = settings, stack
        self._market: MarketData | None = None
        self._opening = asyncio.Lock()  # a pair's two histories ask at once: open (and migrate) once
        path = sqlite_file(settings.database_url)
        self._quick = SqliteVersions(path, settings.data_source.value) if path is not None else None

    @property
    def opened(self) -> bool:
        return self._market is not None

    async def open(self) -> MarketData:
        async with self._opening:
            if self._market is None:
                if self._quick is not None:
                    self._quick.close()
                    self._quick = None
                self._market = await self._stack.enter_async_context(market_data(self.settings))
        return self._market

    async def version(self, ticker: str) -> str | None:
        if self._market is None and self._quick is not None:
            return await self._quick.version(ticker)
        return await (await self.open()).version(ticker)

    async def history(self, ticker: str) -> PriceHistory:
        return await (await self.open()).history(ticker)
