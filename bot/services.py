"""Builds the data layer from settings; shared by the console and the Discord client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from data.cache import PriceCache
from data.db import create_engine
from data.market import FreshnessPolicy, MarketData
from data.sources.live import YFinanceSource
from data.state import StateStore

from .settings import DataSource, Settings


@asynccontextmanager
async def market_data(settings: Settings) -> AsyncIterator[MarketData]:
    cache = PriceCache(create_engine(settings.database_url))
    await cache.open()
    live = (
        YFinanceSource(timeout=settings.live_timeout_seconds)
        if settings.data_source is DataSource.live
        else None
    )
    try:
        yield MarketData(cache, live=live, policy=FreshnessPolicy(final_delay=settings.final_delay))
    finally:
        await cache.close()


@asynccontextmanager
async def state_store(settings: Settings) -> AsyncIterator[StateStore]:
    state = StateStore(create_engine(settings.state_database_url))
    await state.open(backups=settings.backup_dir)
    try:
        yield state
    finally:
        await state.close()
