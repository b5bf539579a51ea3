"""Shared fixtures: the real bundled snapshot behind a throwaway cache, reference closes read
straight from the CSV files with the standard library (independent of the product's pandas code),
and the state database on both backends.

Every test that takes ``state``, ``state_url`` or ``make_bot`` runs twice: on SQLite and on a
PostgreSQL server the suite starts itself (:mod:`tests.pgserver`), each test with a fresh database
copied from a migrated template. Without PostgreSQL the second half is skipped with the reason, except
in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import time
from pathlib import Path

import asyncpg
import discord
import pytest

from bot.client import RotationBot
from bot.settings import Settings
from bot.workers import Workers
from data.cache import PriceCache
from data.db import create_engine
from data.market import MarketData
from data.state import StateStore
from tests import pgserver
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


def bot_settings(tmp_path: Path, fake: FakeDiscord, state_url: str | None = None) -> Settings:
    return Settings(
        discord_token="test-token-not-real",
        discord_guild_id=int(fake.guild_id),
        data_source="snapshot",
        sync_state_path=tmp_path / "sync.json",
        state_database_url=state_url or f"sqlite+aiosqlite:///{tmp_path / 'state.db'}",
        scheduler_enabled=False,
        backup_dir=tmp_path / "backups",
        answer_cache_dir=tmp_path / "answers",
        discord_global_rate=100_000,  # unpaced: tests/bot/test_ratelimits.py is where pacing is tested
    )


@pytest.fixture
async def make_bot(fake, tmp_path, snapshot_market, workers, state_url):
    """Log a RotationBot in to the fake (setup_hook, extensions, sync); ``guild`` puts a guild into
    discord.py's cache as GUILD_CREATE would."""
    bots = []

    async def make(market=None, guild: dict | None = None, **kwargs) -> RotationBot:
        bot = RotationBot(
            bot_settings(tmp_path, fake, state_url),
            market=market or snapshot_market,
            workers=workers,
            **kwargs,
        )
        await bot.login("test-token-not-real")
        if guild is not None:
            bot._connection._add_guild_from_data(guild)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.close()


# -- the state database on both backends ---------------------------------------------------------

BACKENDS = ["sqlite", "postgresql"]
TEMPLATE = "rotation_template"
PG_TIMING: dict[str, float] = {}  # what starting PostgreSQL cost this run (printed at the end)


class Postgres:
    """The suite's own server, started on first use (so a run without PostgreSQL tests never starts
    it) with a migrated template; :meth:`create` copies the template into a new database."""

    def __init__(self) -> None:
        self.server: pgserver.Server | None = None
        self.failure: str | None = None
        self._names = itertools.count(1)

    async def ready(self) -> pgserver.Server:
        if self.failure is not None:
            _unavailable(self.failure)
        if self.server is None:
            try:
                server = pgserver.start()
            except pgserver.Unavailable as exc:
                self.failure = str(exc)
                _unavailable(self.failure)
            self.server = server
            began = time.perf_counter()
            conn = await self.admin()
            try:
                await conn.execute(f"CREATE DATABASE {TEMPLATE}")
            finally:
                await conn.close()
            template = StateStore(create_engine(server.url(TEMPLATE)))
            await template.open()
            await template.close()
            PG_TIMING.update(start=server.started_in, template=time.perf_counter() - began)
        return self.server

    async def admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.server.dsn())

    async def create(self, template: str | None = TEMPLATE) -> str:
        """A new database: a copy of the migrated template, or empty (``template=None``)."""
        await self.ready()
        name = f"t{os.getpid()}_{next(self._names)}"
        conn = await self.admin()
        try:
            copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
            await conn.execute(f"CREATE DATABASE {name}{copy}")
        finally:
            await conn.close()
        return name

    async def drop(self, name: str) -> None:
        conn = await self.admin()
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await conn.close()

    def url(self, name: str) -> str:
        return self.server.url(name)


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL half skipped: {reason}")


@pytest.fixture(scope="session")
def postgres():
    """The suite's PostgreSQL (lazily started), removed at the end of the session."""
    pg = Postgres()
    yield pg
    if pg.server is not None:
        pg.server.stop()


@pytest.fixture(params=BACKENDS)
async def state_url(request, tmp_path: Path, postgres: Postgres):
    """A fresh state database URL on each backend (the PostgreSQL one already migrated)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
        return
    name = await postgres.create()
    yield postgres.url(name)
    await postgres.drop(name)


@pytest.fixture(params=BACKENDS)
async def empty_url(request, tmp_path: Path, postgres: Postgres):
    """An empty database (nothing migrated) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = await postgres.create(template=None)
    yield postgres.url(name)
    await postgres.drop(name)


def pytest_sessionfinish(session) -> None:
    """Under pytest-xdist each worker starts its own server: hand its timing to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None and PG_TIMING:
        output["pg_timing"] = dict(PG_TIMING)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # pytest-xdist, on the controller
    timing = getattr(node, "workeroutput", {}).get("pg_timing")
    if timing:
        WORKER_PG_TIMING.append(timing)


WORKER_PG_TIMING: list[dict[str, float]] = []


def pytest_terminal_summary(terminalreporter) -> None:
    for timing in [PG_TIMING] if PG_TIMING else WORKER_PG_TIMING:
        terminalreporter.write_line(
            f"PostgreSQL for the tests: initdb + start {timing['start']:.2f} s, "
            f"migrated template {timing['template']:.2f} s"
        )


@pytest.fixture
async def state(state_url: str) -> StateStore:
    store = StateStore(create_engine(state_url))
    await store.open()
    yield store
    await store.close()


async def expire_claims(store: StateStore, ledger: str = "updates") -> None:
    """Move every held claim's lease into the past on the database's clock: what the lease looks like
    once its holder has been dead (or stalled) for longer than the lease."""
    from sqlalchemy import update

    from data.dialect import db_now_plus
    from data.state.schema import LEDGERS

    table, _ = LEDGERS[ledger]
    async with store.engine.begin() as conn:
        await conn.execute(
            update(table).where(table.c.status == "claimed").values(lease_until=db_now_plus(-1.0))
        )
