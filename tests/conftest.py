"""Shared fixtures: the real bundled snapshot behind a throwaway cache, and reference closes read
straight from the CSV files with the standard library (independent of the product's pandas code)."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest

from data.cache import PriceCache
from data.db import create_engine
from data.market import MarketData

# No test may depend on Yahoo: anything that reads settings gets the bundled snapshot.
os.environ["DATA_SOURCE"] = "snapshot"
os.environ.pop("DISCORD_TOKEN", None)

SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot"


def csv_closes(name: str, column: str = "Adj Close") -> dict[dt.date, float]:
    with open(SNAPSHOT / f"{name}.csv", newline="") as fh:
        return {dt.date.fromisoformat(r["Date"]): float(r[column]) for r in csv.DictReader(fh) if r[column]}


@pytest.fixture(scope="session")
async def snapshot_market(tmp_path_factory: pytest.TempPathFactory) -> MarketData:
    """Snapshot-only market data, shared by the whole session (loading GSPC once is enough)."""
    path = tmp_path_factory.mktemp("cache") / "cache.db"
    cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{path}"))
    await cache.open()
    yield MarketData(cache)
    await cache.close()


@pytest.fixture
async def cache(tmp_path: Path) -> PriceCache:
    store = PriceCache(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'cache.db'}"))
    await store.open()
    yield store
    await store.close()
