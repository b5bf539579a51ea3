"""Several bot processes on one state database: each delivers its own shards' guilds, the update is
built once for all of them, failing channels wait for a fix, and the operator's ``deliver`` fills in
what an outage missed. Each Delivery below stands for one process (its own engine on the database)."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.delivery import ChannelGone, Delivery
from bot.shards import ShardPlan
from commands.reply import Field, Reply, decode_reply, encode_reply
from data.db import create_engine
from data.state import StateStore, Subscription
from tests.bot.test_delivery import CAL, CREATED, SESSION, Clock, FakePoster, Updates

GUILDS = [1_400_000_000_000_000_001 + (i << 22) for i in range(30)]  # one a millisecond apart


async def _processes(state_url: str, n: int) -> list[StateStore]:
    stores = [StateStore(create_engine(state_url)) for _ in range(n)]
    for store in stores:
        await store.open()
    return stores


def test_a_reply_survives_the_round_trip_through_the_database():
    reply = Reply(
        "Daily rotation update — 2026-08-21",
        "Small caps led by +0.41 pp.",
        [Field("1 day", "+0.41 pp", 0.0041, "pp"), Field("streak", "1 session", 1, None, False)],
        as_of=SESSION,
        source="bundled snapshot",
        notes=["^RUT is a price index"],
        chart=b"\x89PNG...",
        chart_name="digest.png",
        figures={"ratio_from_high": {"all_time": {"pct": -0.39, "date": "2014-03-04"}}},
    )
    assert decode_reply(*encode_reply(reply)) == reply


async def test_three_processes_share_one_fan_out_and_one_build(state_url):
    stores = await _processes(state_url, 3)
    try:
        for i, guild in enumerate(GUILDS):
            for k in range(10):  # 300 subscriptions over 30 servers
                sub = Subscription(5_000 + 10 * i + k, guild, None, "America/New_York", False, 7)
                await stores[0].subscribe(sub, CREATED)
        poster, updates, clock = FakePoster(), Updates(), Clock("2026-08-21T20:31")
        processes = [
            Delivery(store, updates, poster, CAL, clock, owns=ShardPlan.parse(3, str(i)).owns)
            for i, store in enumerate(stores)
        ]
        reports = await asyncio.gather(*(p.tick() for p in processes))
        assert sorted(r.sent for r in reports) == sorted(
            sum(ShardPlan.parse(3, str(i)).owns(g) for g in GUILDS) * 10 for i in range(3)
        )
        assert len(poster.posts) == 300
        assert {poster.count(c) for c in range(5_000, 5_300)} == {1}
        assert updates.calls == sum(p.renders for p in processes) == 1  # built once, read by the others
        assert all(r.skipped == 0 for r in reports)  # no process touched another's guilds
    finally:
        for store in stores:
            await store.close()


async def test_a_failing_channel_is_not_retried_until_someone_fixes_it(state):
    for channel in (701, 702):
        await state.subscribe(Subscription(channel, 1, None, "America/New_York", False, 7), CREATED)
    poster, clock = FakePoster(), Clock("2026-08-21T20:31")
    poster.fail[702] = ChannelGone("Unknown Channel")
    d = Delivery(state, Updates(data_until=dt.date(2026, 12, 31)), poster, CAL, clock)
    assert (await d.tick()).failed == 1
    clock.set("2026-08-24T20:31")  # the next session
    report = await d.tick()
    assert (report.sent, report.failed, report.not_retried) == (1, 0, 1)
    await state.subscribe(Subscription(702, 1, None, "America/New_York", False, 7), CREATED)  # re-subscribed
    del poster.fail[702]
    clock.set("2026-08-25T20:31")
    assert (await d.tick()).sent == 2


async def test_the_operator_delivers_a_missed_session_once(state):
    await state.subscribe(Subscription(801, 1, "09:00", "Asia/Kolkata", False, 7), CREATED)
    await state.subscribe(Subscription(802, 1, None, "America/New_York", False, 7), CREATED)
    poster = FakePoster()
    late = Clock("2026-08-24T14:00")  # long after the catch-up window: the ticks would skip 08-21
    bots = Delivery(state, Updates(), poster, CAL, late)
    assert (await bots.tick()).sent == 0
    operator = Delivery(state, Updates(), poster, CAL, late)
    first, again = await operator.deliver_session(SESSION), await operator.deliver_session(SESSION)
    assert (first.sent, again.sent) == (2, 0)
    assert sorted(c for c, _, _ in poster.posts) == [801, 802]
    assert (await bots.tick()).sent == 0  # and the bots do not post it again


async def test_identify_slots_pace_every_process_per_bucket(state_url):
    first, second = await _processes(state_url, 2)
    try:
        assert await first.take_identify_slot(0, 5.0)
        assert not await second.take_identify_slot(0, 5.0)  # the same bucket within 5 s
        assert await second.take_identify_slot(1, 5.0)  # another bucket is free
        assert not await first.take_identify_slot(1, 5.0)
    finally:
        await first.close()
        await second.close()
