"""Shared fixtures: the real bundled snapshot behind a throwaway cache, and reference closes read
straight from the CSV files with the standard library (independent of the product's pandas code)."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import discord
import pytest

from bot.client import RotationBot
from bot.settings import Settings
from bot.workers import Workers
from data.cache import PriceCache
from data.db import create_engine
from data.market import MarketData
from data.state import StateStore
from tests.bot.fake_discord import FakeDiscord

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


# -- the Discord side: the real discord.py client against the loopback fake ------------------


@pytest.fixture(scope="session")
async def workers():
    """The bot's real process pool: proves every command's build step pickles and runs elsewhere."""
    pool = Workers("process", 1)
    await pool.warm_up()
    yield pool
    pool.close()


@pytest.fixture
async def fake(monkeypatch):
    server = FakeDiscord()
    monkeypatch.setattr(discord.http.Route, "BASE", await server.start())
    yield server
    await server.stop()


def bot_settings(tmp_path: Path, fake: FakeDiscord) -> Settings:
    return Settings(
        discord_token="test-token-not-real",
        discord_guild_id=int(fake.guild_id),
        data_source="snapshot",
        sync_state_path=tmp_path / "sync.json",
        state_database_url=f"sqlite+aiosqlite:///{tmp_path / 'state.db'}",
        scheduler_enabled=False,
        backup_dir=tmp_path / "backups",
    )


@pytest.fixture
async def make_bot(fake, tmp_path, snapshot_market, workers):
    """Log a RotationBot in to the fake (setup_hook, extensions, sync); ``guild`` puts a guild into
    discord.py's cache as GUILD_CREATE would."""
    bots = []

    async def make(market=None, guild: dict | None = None, **kwargs) -> RotationBot:
        bot = RotationBot(
            bot_settings(tmp_path, fake), market=market or snapshot_market, workers=workers, **kwargs
        )
        await bot.login("test-token-not-real")
        if guild is not None:
            bot._connection._add_guild_from_data(guild)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.close()


@pytest.fixture
async def state(tmp_path: Path) -> StateStore:
    store = StateStore(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"))
    await store.open()
    yield store
    await store.close()
