"""Databases in trouble: a locked file, a corrupt or truncated cache, a full disk, an old schema."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from data.cache import SCHEMA_VERSION, PriceCache
from data.db import create_engine
from data.market import MarketData
from data.state import StateCorrupt, StateStore, Subscription

NOW = dt.datetime(2026, 8, 21, tzinfo=dt.UTC)


async def test_a_corrupt_cache_is_set_aside_and_rebuilt(tmp_path):
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not a database" * 100)
    cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{path}"))
    assert await cache.open() == SCHEMA_VERSION
    assert (await MarketData(cache).history("^RUT")).last_session == dt.date(2026, 8, 21)
    await cache.close()
    (aside,) = tmp_path.glob("cache.db.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")  # kept for inspection, not deleted


async def test_a_truncated_cache_is_set_aside_and_rebuilt(tmp_path):
    path = tmp_path / "cache.db"
    cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{path}"))
    await cache.open()
    await MarketData(cache).history("^RUT")
    await cache.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    for wal in tmp_path.glob("cache.db-*"):
        wal.unlink()
    cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{path}"))
    await cache.open()
    assert len(await cache.load("^RUT", "snapshot")) in (0, 9811)
    assert (await MarketData(cache).history("^RUT")).last_session == dt.date(2026, 8, 21)
    await cache.close()


async def test_a_corrupt_state_database_is_reported_with_the_last_backup_and_left_alone(tmp_path):
    path, backups = tmp_path / "state.db", tmp_path / "backups"
    state = StateStore(create_engine(f"sqlite+aiosqlite:///{path}"))
    await state.open(backups)
    await state.subscribe(Subscription(1, 2, None, "America/New_York", True, 3), NOW)
    backup = await state.backup(backups, now=NOW)
    await state.close()
    path.write_bytes(b"\x00" * 4096)
    damaged = path.read_bytes()
    broken = StateStore(create_engine(f"sqlite+aiosqlite:///{path}"))
    with pytest.raises(StateCorrupt) as err:
        await broken.open(backups)
    await broken.close()
    assert str(backup) in str(err.value)
    assert path.read_bytes() == damaged  # never discarded or rebuilt
    restored = StateStore(create_engine(f"sqlite+aiosqlite:///{backup}"))
    await restored.open()
    assert [s.channel_id for s in await restored.subscriptions()] == [1]
    await restored.close()


async def test_backups_roll(tmp_path):
    state = StateStore(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"))
    await state.open()
    for day in range(1, 11):
        await state.backup(tmp_path / "b", keep=7, now=NOW + dt.timedelta(days=day))
    await state.close()
    assert len(list((tmp_path / "b").glob("state-*.db"))) == 7


async def test_a_full_disk_loses_nothing_already_stored(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'state.db'}")
    state = StateStore(engine)
    await state.open()
    await state.subscribe(Subscription(1, 2, None, "America/New_York", True, 3), NOW)
    async with engine.connect() as conn:
        pages = (await conn.execute(text("PRAGMA page_count"))).scalar()

    @event.listens_for(engine.sync_engine, "connect")
    def _tiny_disk(dbapi_connection, _record):  # the disk is full one page after what is stored
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count = {pages + 1}")
        cursor.close()

    await engine.dispose()  # new connections get the tiny disk

    async def fill() -> None:
        for channel in range(100, 5000):
            await state.subscribe(Subscription(channel, 2, None, "America/New_York", True, 3), NOW)

    with pytest.raises(OperationalError, match="full"):
        await fill()
    survivors = {s.channel_id for s in await state.subscriptions()}
    assert 1 in survivors
    await state.close()


async def test_a_locked_cache_waits_then_fails_cleanly(tmp_path):
    path = tmp_path / "cache.db"
    cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{path}"))
    await cache.open()
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            await cache.log_attempt("^RUT", NOW, None)
    finally:
        blocker.rollback()
        blocker.close()
    await cache.log_attempt("^RUT", NOW, None)  # the lock is gone: writes work again
    assert (await cache.fetch_log("^RUT")) is not None
    await cache.close()
