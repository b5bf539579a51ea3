"""Paces reserved in the state database, on both backends: the Nth use within the window is the
last, a refusal and a released use are not charged, the window slides on the database's clock, and
concurrent attempts, from tasks or from separate processes, never get more than the pace allows.
Quotas counted inside the storing transaction hold exactly under the same races."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.db import create_engine
from data.state import Alert, Call, Cap, OverPace, OverQuota, Pace, StateStore, Subscription
from data.state.schema import pace_uses
from data.valuations import Observation

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
from data.state import Alert, Call, Cap, OverPace, OverQuota, Pace, StateStore, Subscription

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
                sys.executable,
                "-c",
                RESERVER,
                postgres.url(name),
                str(start),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
        results = [json.loads(out.decode()) for out, _ in outputs if out]
        assert len(results) == 2, [err.decode()[-2000:] for _, err in outputs]
        assert sum(r["granted"] for r in results) == 5
    finally:
        await postgres.drop(name)


# -- quotas: counted inside the storing transaction -------------------------------------------------

NOW = dt.datetime(2026, 8, 21, 20, 0, tzinfo=dt.UTC)


async def _from_two_stores(state, state_url, count: int, store_one):
    """``store_one(store, i)`` for i in 0..count-1 at once, alternating between two stores on one
    database (what two bot processes are); the results, with an :class:`OverQuota` as None."""
    other = StateStore(create_engine(state_url))
    await other.open()

    async def one(i: int):
        try:
            return await store_one((state, other)[i % 2], i)
        except OverQuota as over:
            return over

    try:
        return await asyncio.gather(*(one(i) for i in range(count)))
    finally:
        await other.close()


def _obs(by: int) -> Observation:
    return Observation(
        15.0, 20.0, "trailing", "trailing", None, "desk", dt.date(2026, 8, 1), "recorded", None, by
    )


async def test_one_member_racing_for_the_last_valuations_gets_exactly_the_cap(state, state_url):
    results = await _from_two_stores(
        state, state_url, 30, lambda store, i: store.add_valuation(1, _obs(7), NOW, cap=Cap(10, 100))
    )
    assert sorted(r for r in results if isinstance(r, int)) == list(range(1, 11))  # refusals took no number
    assert {(r.scope, r.held) for r in results if isinstance(r, OverQuota)} == {("member", 10)}
    assert len(await state.valuations(1)) == 10


async def test_a_server_racing_for_its_last_alerts_gets_exactly_the_cap(state, state_url):
    def add(store, i):
        return store.add_alert(Alert(1, 555, "streak", 5.0, None, 100 + i), NOW, cap=Cap(10, 25))

    results = await _from_two_stores(state, state_url, 40, add)
    assert len([r for r in results if isinstance(r, Alert)]) == 25
    assert {r.scope for r in results if isinstance(r, OverQuota)} == {"server"}
    assert len(await state.alerts(1)) == 25


async def test_new_channels_race_for_the_last_subscriptions_but_a_change_adds_nothing(state, state_url):
    def sub(channel: int, by: int) -> Subscription:
        return Subscription(channel, 1, None, "America/New_York", True, by)

    results = await _from_two_stores(
        state, state_url, 30, lambda store, i: store.subscribe(sub(1000 + i, 100 + i), NOW, cap=Cap(10, 20))
    )
    assert results.count(True) == 20
    assert len(await state.subscriptions(1)) == 20
    kept = (await state.subscriptions(1))[0]
    assert await state.subscribe(sub(kept.channel_id, kept.created_by), NOW, cap=Cap(10, 20))  # a change


async def test_one_member_racing_for_open_calls_gets_exactly_the_cap(state, state_url):
    def call(i: int) -> Call:
        made = dt.datetime(2026, 1, 5, 20, tzinfo=dt.UTC)
        return Call(
            1,
            500,
            None,
            7,
            "m",
            "small",
            "1m",
            f"T{i}",
            "^GSPC",
            dt.date(2026, 1, 5),
            dt.date(2026, 2, 4),
            made,
        )

    results = await _from_two_stores(
        state,
        state_url,
        30,
        lambda store, i: store.add_call(call(i), max_open=3, open_from=dt.date(2026, 1, 6), cap=Cap(20, 500)),
    )
    assert sorted(r.number for r in results if isinstance(r, Call)) == list(range(1, 21))
    assert len(await state.calls(1)) == 20
