"""Paces reserved in the state database, on both backends: the Nth use within the window is the
last, a refusal and a released use are not charged, the window slides on the database's clock, and
concurrent attempts, from tasks or from separate processes, never get more than the pace allows."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.db import create_engine
from data.state import OverPace, Pace, StateStore
from data.state.schema import pace_uses

ROOT = Path(__file__).resolve().parents[2]


async def _granted(store: StateStore, pace: Pace, guild: int, user: int) -> str | None:
    try:
        return await store.reserve_use(pace, guild, user)
    except OverPace:
        return None


async def test_a_member_pace_refuses_the_use_past_it_with_the_wait(state):
    pace = Pace("t", member=(3, 600))
    for _ in range(3):
        await state.reserve_use(pace, 1, 10)
    with pytest.raises(OverPace) as refused:
        await state.reserve_use(pace, 1, 10)
    assert (refused.value.scope, refused.value.limit) == ("member", (3, 600))
    assert 590 < refused.value.wait <= 600
    await state.reserve_use(pace, 2, 11)  # another member
    with pytest.raises(OverPace):
        await state.reserve_use(pace, 2, 10)  # the same member in another server: one pace


async def test_a_server_pace_counts_every_member(state):
    pace = Pace("t", member=(5, 600), server=(3, 600))
    for user in (10, 11, 12):
        await state.reserve_use(pace, 1, user)
    with pytest.raises(OverPace) as refused:
        await state.reserve_use(pace, 1, 13)
    assert refused.value.scope == "server"
    await state.reserve_use(pace, 2, 13)  # another server has its own


async def test_a_released_use_is_given_back_and_paces_are_separate(state):
    pace = Pace("t", member=(1, 600))
    token = await state.reserve_use(pace, 1, 10)
    with pytest.raises(OverPace):
        await state.reserve_use(pace, 1, 10)
    await state.reserve_use(Pace("other", member=(1, 600)), 1, 10)  # another pace of its own
    assert await state.release_use(token)
    assert not await state.release_use(token)  # once only
    await state.reserve_use(pace, 1, 10)


async def test_the_window_slides_on_the_databases_clock_and_old_uses_are_deleted(state):
    pace = Pace("t", member=(2, 0.6))
    await state.reserve_use(pace, 1, 10)
    await state.reserve_use(pace, 1, 10)
    with pytest.raises(OverPace) as refused:
        await state.reserve_use(pace, 1, 10)
    assert 0 < refused.value.wait <= 0.6
    await asyncio.sleep(0.7)
    await state.reserve_use(pace, 1, 10)
    async with state.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(pace_uses))).scalar() == 1


async def test_fifty_concurrent_attempts_from_two_stores_get_exactly_the_pace(state, state_url):
    """Two stores on one database (what two bot processes hold), fifty attempts at once: 5 granted."""
    other = StateStore(create_engine(state_url))
    await other.open()
    try:
        pace = Pace("t", member=(5, 600), server=(60, 600))
        stores = [state, other]
        got = await asyncio.gather(*(_granted(stores[i % 2], pace, 1, 10) for i in range(50)))
    finally:
        await other.close()
    assert len([t for t in got if t is not None]) == 5


RESERVER = """
import asyncio, json, sys, time
from data.db import create_engine
from data.state import OverPace, Pace, StateStore

async def main(url, start):
    store = StateStore(create_engine(url))
    await store.open()
    pace = Pace("valuation", member=(5, 600))
    time.sleep(max(0.0, start - time.time()))  # both processes start together

    async def one():
        try:
            return await store.reserve_use(pace, 1, 10)
        except OverPace:
            return None

    got = await asyncio.gather(*(one() for _ in range(20)))
    await store.close()
    print(json.dumps({"granted": len([t for t in got if t])}), flush=True)

asyncio.run(main(sys.argv[1], float(sys.argv[2])))
"""


async def test_two_processes_on_postgresql_share_one_pace(postgres):
    """Two OS processes, 20 attempts each at the same moment, one member: 5 granted in all."""
    name = await postgres.create()
    try:
        start = time.time() + 3.0
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", RESERVER, postgres.url(name), str(start),
                cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
        results = [json.loads(out.decode()) for out, _ in outputs if out]
        assert len(results) == 2, [err.decode()[-2000:] for _, err in outputs]
        assert sum(r["granted"] for r in results) == 5
    finally:
        await postgres.drop(name)
