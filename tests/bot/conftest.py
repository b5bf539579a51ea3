"""Fixtures for running the real discord.py client against the loopback fake of Discord's REST API."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.client import RotationBot
from bot.settings import Settings
from bot.workers import Workers
from tests.bot.fake_discord import FakeDiscord


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
