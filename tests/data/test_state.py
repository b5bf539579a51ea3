"""The state store under concurrent writers, on both backends: database-assigned ids, per-server
numbers that are never reused, claims that name their token, leases on the database's clock, and
migrations that several processes can start at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from data.cache import SCHEMA_VERSION as CACHE_VERSION
from data.db import create_engine, migrate
from data.dialect import db_now
from data.state import MIGRATIONS, Alert, StateStore
from data.valuations import Observation
from tests.conftest import BACKENDS, expire_claims

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 8, 21, 20, 0, tzinfo=dt.UTC)
LATEST = max(v for v, _, _ in MIGRATIONS)


def _obs(small: float = 15.0) -> Observation:
    as_of = dt.date(2026, 8, 1)
    return Observation(small, 20.0, "trailing", "trailing", None, "a member", as_of, "recorded", None, 7)


async def _fifty_from_two_processes(state, state_url, insert):
    """``insert(store, i)`` for i in 0..49, alternating between ``state`` and a second store on the same
    database (what two bot processes are), all at once."""
    other = StateStore(create_engine(state_url))
    await other.open()
    try:
        stores = [state, other]
        return await asyncio.gather(*(insert(stores[i % 2], i) for i in range(50)))
    finally:
        await other.close()


async def test_fifty_concurrent_alerts_all_succeed_with_distinct_numbers(state, state_url):
    added = await _fifty_from_two_processes(
        state, state_url, lambda store, i: store.add_alert(Alert(1, 555, "streak", float(i), None, 7), NOW)
    )
    assert sorted(a.number for a in added) == list(range(1, 51))
    assert len({a.id for a in added}) == 50
    assert sorted(a.number for a in await state.alerts(1)) == list(range(1, 51))


async def test_fifty_concurrent_valuations_all_succeed_with_distinct_numbers(state, state_url):
    numbers = await _fifty_from_two_processes(
        state, state_url, lambda store, i: store.add_valuation(1, _obs(10.0 + i), NOW)
    )
    assert sorted(numbers) == list(range(1, 51))
    assert sorted(o.id for o in await state.valuations(1)) == list(range(1, 51))


async def test_numbers_are_per_server_and_never_reused(state):
    assert [await state.add_valuation(1, _obs(), NOW) for _ in range(3)] == [1, 2, 3]
    assert await state.add_valuation(2, _obs(), NOW) == 1  # another server counts on its own
    await state.remove_valuation(1, 3)
    assert await state.add_valuation(1, _obs(), NOW) == 4  # #3 was removed; its number stays retired
    assert [o.id for o in await state.valuations(1)] == [1, 2, 4]
    first = await state.add_alert(Alert(1, 555, "streak", 10.0, None, 7), NOW)
    second = await state.add_alert(Alert(1, 555, "streak", 12.0, None, 7), NOW)
    assert await state.remove_alert(1, first.number)
    assert not await state.remove_alert(2, second.number)  # another server's number means nothing here
    third = await state.add_alert(Alert(1, 555, "streak", 14.0, None, 7), NOW)
    assert (first.number, second.number, third.number) == (1, 2, 3)
    assert [a.number for a in await state.alerts(1)] == [2, 3]


async def test_a_lease_is_on_the_databases_clock(state):
    await state.claim(101, "2026-08-21", dt.timedelta(minutes=10))
    async with state.engine.connect() as conn:
        db_time = (await conn.execute(select(db_now()))).scalar()
    row = await state.delivery(101, "2026-08-21")
    lease_until = row["lease_until"]
    if isinstance(db_time, str):  # SQLite hands its clock back as text
        db_time = dt.datetime.fromisoformat(db_time)
    remaining = (lease_until.replace(tzinfo=None) - db_time.replace(tzinfo=None)).total_seconds()
    assert 590 < remaining <= 600


async def test_every_change_after_a_claim_names_its_token(state):
    lease = dt.timedelta(minutes=10)
    mine = await state.claim(101, "2026-08-21", lease)
    assert await state.claim(101, "2026-08-21", lease) is None  # held: nobody else gets it
    await expire_claims(state)  # the holder stalled past its lease...
    theirs = await state.claim(101, "2026-08-21", lease)  # ...and another process took over
    assert theirs is not None
    assert theirs.resumed
    assert theirs.token != mine.token
    # the stalled holder wakes up: nothing it does lands
    assert await state.renew([mine], lease) == set()
    assert not await state.complete(mine, 555)
    assert not await state.fail(mine, "gone")
    assert not await state.release(mine, "503")
    row = await state.delivery(101, "2026-08-21")
    assert (row["status"], row["message_id"], row["claim_token"]) == ("claimed", None, theirs.token)
    assert await state.renew([theirs], lease) == {101}
    assert await state.complete(theirs, 777)
    row = await state.delivery(101, "2026-08-21")
    assert (row["status"], row["message_id"]) == ("sent", 777)


async def test_claims_are_taken_once_among_concurrent_claimers(state, state_url):
    other = StateStore(create_engine(state_url))
    await other.open()
    try:
        keys = list(range(1000, 1400))
        lease = dt.timedelta(minutes=10)
        results = await asyncio.gather(
            *(
                (state if i % 2 else other).claim_many(keys[i * 50 : i * 50 + 100], "2026-08-21", lease)
                for i in range(7)
            )
        )
    finally:
        await other.close()
    won = [k for r in results for k in r]
    assert sorted(won) == keys  # overlapping batches: every key claimed, none twice


async def test_a_state_database_from_before_ids_and_numbers_keeps_them(empty_url):
    """Schema 4 (ids were max + 1, versions in the old unkeyed table) moves to 5 keeping every
    record's number, and the database's ids continue after the old ones."""
    engine = create_engine(empty_url)
    await migrate(engine, MIGRATIONS, scope="state", upto=4)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM schema_versions"))
        await conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        await conn.execute(text("INSERT INTO schema_version (version) VALUES (1), (2), (3), (4)"))
        for id_, guild in ((3, 1), (7, 1), (5, 2)):
            await conn.execute(
                text(
                    "INSERT INTO alerts (id, guild_id, channel_id, signal, threshold, direction, created_by, "
                    "created_at, active) VALUES (:i, :g, 555, 'streak', 10, NULL, 7, :c, :a)"
                ),
                {"i": id_, "g": guild, "c": NOW.isoformat(), "a": True},
            )
    await engine.dispose()
    state = StateStore(create_engine(empty_url))
    assert await state.open() == LATEST
    assert [a.number for a in await state.alerts(1)] == [3, 7]
    added = await state.add_alert(Alert(1, 555, "streak", 11.0, None, 7), NOW)
    assert added.number == 8
    assert added.id > 7
    assert (await state.add_alert(Alert(2, 555, "streak", 11.0, None, 7), NOW)).number == 6
    await state.close()


MIGRATOR = """
import asyncio, json, sys, time
from data.cache import PriceCache
from data.db import create_engine
from data.state import StateStore

async def main(urls, start, gap):
    for i, url in enumerate(urls):
        time.sleep(max(0.0, start + i * gap - time.time()))  # every process starts round i together
        try:
            cache = PriceCache(create_engine(url))
            state = StateStore(create_engine(url))
            versions = [await cache.open(), await state.open()]
            await cache.close()
            await state.close()
            print(json.dumps({"round": i, "ok": versions}), flush=True)
        except Exception as exc:
            print(json.dumps({"round": i, "error": repr(exc)}), flush=True)

asyncio.run(main(json.loads(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])))
"""


@pytest.mark.parametrize("backend", BACKENDS)
async def test_three_processes_migrating_an_empty_database_at_once_never_fail(backend, tmp_path, postgres):
    """3 processes, 10 empty databases, every process migrating each database at the same moment
    (cache and state in one database, as a deployment sharing one PostgreSQL has them)."""
    if backend == "postgresql":
        names = [await postgres.create(template=None) for _ in range(10)]
        urls = [postgres.url(n) for n in names]
    else:
        urls = [f"sqlite+aiosqlite:///{tmp_path / f'db{i}.db'}" for i in range(10)]
    start, gap = time.time() + 4.0, 0.5
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", MIGRATOR, json.dumps(urls), str(start), str(gap),
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 180)
    results = [json.loads(line) for out, _ in outputs for line in out.decode().splitlines()]
    assert [r for r in results if "error" in r] == [], [err.decode()[-2000:] for _, err in outputs]
    assert len(results) == 30
    assert all(r["ok"][1] == LATEST for r in results)
    for url in urls:
        engine = create_engine(url)
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT scope, version FROM schema_versions"))).all()
        await engine.dispose()
        assert sorted(v for s, v in rows if s == "state") == sorted(v for v, _, _ in MIGRATIONS)
    if backend == "postgresql":
        for name in names:
            await postgres.drop(name)


# -- backups, and the operator commands --------------------------------------------------------------


async def _restore(backup: Path, postgres) -> tuple[StateStore, str | None]:
    """What the README tells an operator to do with a backup, done on a fresh database."""
    if backup.suffix == ".db":
        return StateStore(create_engine(f"sqlite+aiosqlite:///{backup}")), None
    name = await postgres.create(template=None)
    proc = await asyncio.create_subprocess_exec(
        "pg_restore", "--no-owner", f"--dbname={postgres.server.dsn(name)}", str(backup),
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return StateStore(create_engine(postgres.url(name))), name


async def test_backups_roll_and_restore(state, tmp_path, postgres):
    from data.state import Subscription

    await state.subscribe(Subscription(1, 2, None, "America/New_York", True, 3), NOW)
    made = [await state.backup(tmp_path / "b", keep=7, now=NOW + dt.timedelta(days=d)) for d in range(1, 11)]
    suffix = ".db" if state.engine.dialect.name == "sqlite" else ".dump"
    assert sorted((tmp_path / "b").glob("state-*")) == made[-7:]
    assert all(p.suffix == suffix for p in made)
    restored, name = await _restore(made[-1], postgres)
    assert await restored.open() == LATEST
    assert [s.channel_id for s in await restored.subscriptions()] == [1]
    await restored.close()
    if name:
        await postgres.drop(name)


async def test_a_backup_that_could_not_be_made_is_never_reported(state, tmp_path, monkeypatch, caplog):
    """Without pg_dump (PostgreSQL), or with a folder that cannot be written (both): an error, no
    file, and the bot's ``last_backup`` stays unset."""
    from bot.client import RotationBot
    from bot.settings import Settings
    from data.state import BackupFailed

    monkeypatch.setattr("data.dialect.shutil.which", lambda name: None)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backup folder should be")
    folder = tmp_path / "b" if state.engine.dialect.name == "postgresql" else blocked / "b"
    with pytest.raises((BackupFailed, OSError)):
        await state.backup(folder, now=NOW)
    assert not list(tmp_path.rglob("state-*"))
    bot = RotationBot(Settings(backup_dir=folder, scheduler_enabled=False), state=state)
    bot.state = state
    await bot.backup_state()
    assert bot.last_backup is None
    assert bot.backup_attempted is not None  # tried again a day later
    assert "no backup was made" in caplog.text
    assert "backed up to" not in caplog.text


async def test_migrate_and_backup_commands(empty_url, tmp_path, monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.setenv("STATE_DATABASE_URL", empty_url)
    monkeypatch.setenv("DATABASE_URL", empty_url)  # one database for both stores, as a shared deployment
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    assert await asyncio.to_thread(main, ["migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"cache schema {CACHE_VERSION}, state schema {LATEST}"
    assert await asyncio.to_thread(main, ["backup"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.parent == tmp_path / "backups"
    assert await asyncio.to_thread(lambda: path.stat().st_size) > 0


async def test_fifty_concurrent_calls_all_succeed_with_distinct_numbers(state, state_url):
    from data.state import Call

    def call(user: int) -> Call:
        made = dt.datetime(2026, 1, 5, 20, tzinfo=dt.UTC)
        start, end = dt.date(2026, 1, 5), dt.date(2026, 2, 4)
        return Call(1, 500, None, user, f"member {user}", "small", "1m", "^RUT", "^GSPC", start, end, made)

    added = await _fifty_from_two_processes(
        state, state_url, lambda store, i: store.add_call(call(i), max_open=3, open_from=dt.date(2026, 1, 6))
    )
    assert sorted(c.number for c in added) == list(range(1, 51))
    assert len({c.id for c in added}) == 50


def test_a_missing_postgresql_fails_in_ci_and_skips_elsewhere(monkeypatch):
    """The suite's own rule for its PostgreSQL half: CI must have it, a developer may not."""
    from tests import pgserver
    from tests.conftest import _unavailable

    monkeypatch.setattr(pgserver.glob, "glob", lambda pattern: [])
    with pytest.raises(pgserver.Unavailable, match="apt-get install postgresql"):
        pgserver.start()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        _unavailable("not installed")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL half skipped"):
        _unavailable("not installed")
