"""Fair turns for builds (issue 24, finding 3): bounded, across servers first, then members.

The unit tests drive :class:`bot.fair.FairQueue` directly; the last ones go through discord.py and
the tests' fake Discord: one server's burst must not delay another server's question, as it did
when the process pool served builds first come first served.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.client import RotationBot
from bot.fair import LANE, FairQueue
from bot.workers import Workers
from tests.bot.fake_discord import dispatch
from tests.conftest import bot_settings


async def _run_all(queue: FairQueue, jobs: list[tuple[object, object]], hold: float = 0.01) -> list[int]:
    """Start every job at once (in this order); return their indices in the order they got a turn."""
    order: list[int] = []
    peak = 0

    async def job(i: int, lane) -> None:
        nonlocal peak
        async with queue.turn(lane):
            order.append(i)
            peak = max(peak, queue.running)
            await asyncio.sleep(hold)

    await asyncio.gather(*(job(i, lane) for i, lane in enumerate(jobs)))
    assert peak <= queue.slots
    assert queue.running == 0
    assert queue.waiting == 0
    return order


async def test_no_more_than_its_slots_at_once():
    queue = FairQueue(2)
    order = await _run_all(queue, [("a", n) for n in range(10)])
    assert sorted(order) == list(range(10))
    assert queue.granted == 10


async def test_another_servers_question_takes_the_next_free_slot():
    """20 questions from server a, then one from server b: b's is among the first three turns
    (two slots were taken before it came), not the 21st as first come first served would have it."""
    queue = FairQueue(2)
    jobs = [("a", f"m{n}") for n in range(20)] + [("b", "bystander")]
    order = await _run_all(queue, jobs)
    assert order.index(20) <= 2


async def test_the_least_busy_server_goes_first():
    queue = FairQueue(3)
    jobs = [("a", n) for n in range(9)] + [("b", n) for n in range(3)] + [("c", 0)]
    order = await _run_all(queue, jobs)
    # a holds all three slots at first; then b, c, b, a, b ... rather than the rest of a first
    after_first = order[3:8]
    assert 12 in after_first  # c
    assert sum(1 for i in after_first if 9 <= i <= 11) >= 2  # b's


async def test_one_server_never_holds_more_than_its_share_while_others_are_active():
    """With one of two slots kept from any single server while another server is active, that other
    server's question starts at once, before any of the burst's builds has ended; a server alone
    uses both slots."""
    queue = FairQueue(2, per_server=1)
    events: list[str] = []
    peak: dict[str, int] = {}

    async def job(name: str, lane) -> None:
        async with queue.turn(lane):
            events.append(f"start {name}")
            peak[lane[0]] = max(peak.get(lane[0], 0), queue._servers[lane[0]].running)
            await asyncio.sleep(0.05)
            events.append(f"end {name}")

    await asyncio.gather(*(job(f"alone{n}", ("alone", n)) for n in range(4)))
    assert peak["alone"] == 2  # nobody else active: the whole pool
    await job("b-before", ("b", 0))  # b is active now
    burst = [asyncio.create_task(job(f"a{n}", ("a", n))) for n in range(4)]
    await asyncio.sleep(0.01)
    await job("b", ("b", 0))
    await asyncio.gather(*burst)
    assert peak["a"] == 1
    assert events.index("start b") < events.index("end a0")
    assert (queue.running, queue.waiting) == (0, 0)


async def test_one_members_flood_does_not_starve_their_server():
    """Member x asks ten at once, then y asks one in the same server: y's comes second, and x's own
    questions keep their order."""
    queue = FairQueue(1)
    jobs = [("s", "x")] * 10 + [("s", "y")]
    order = await _run_all(queue, jobs)
    assert order.index(10) == 1
    assert [i for i in order if i != 10] == list(range(10))


async def test_a_cancelled_wait_frees_nothing_it_did_not_hold():
    queue = FairQueue(1)
    started = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with queue.turn(("a", 1)):
            started.set()
            await release.wait()

    async def waiter() -> None:
        async with queue.turn(("b", 2)):
            raise AssertionError("a cancelled waiter never runs")

    first = asyncio.create_task(holder())
    await started.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0.01)
    assert queue.waiting == 1
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    assert (queue.running, queue.waiting) == (1, 0)
    release.set()
    await first
    assert (queue.running, queue.waiting) == (0, 0)
    order = await _run_all(queue, [("c", 3), ("c", 4)])  # the queue still works
    assert order == [0, 1]


async def test_granted_then_cancelled_passes_the_slot_on():
    queue = FairQueue(1)
    release = asyncio.Event()
    got: list[str] = []

    async def take(name: str, lane, wait: asyncio.Event | None = None) -> None:
        async with queue.turn(lane):
            got.append(name)
            if wait is not None:
                await wait.wait()

    first = asyncio.create_task(take("first", ("a", 1), release))
    await asyncio.sleep(0)
    second = asyncio.create_task(take("second", ("b", 2)))
    third = asyncio.create_task(take("third", ("c", 3)))
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.sleep(0)  # "first" leaves and grants "second" its turn...
    second.cancel()  # ...which is cancelled before it runs: the slot must go to "third"
    await asyncio.gather(first, third)
    with pytest.raises(asyncio.CancelledError):
        await second
    assert "third" in got
    assert (queue.running, queue.waiting) == (0, 0)


# -- through discord.py and the fake Discord ------------------------------------------------------

OTHER_GUILD = "1400000000000000077"


def in_other_guild(payload: dict) -> dict:
    """The same interaction, sent from a second server (Discord puts the guild in these places)."""
    payload["guild_id"] = OTHER_GUILD
    payload["guild"] = payload["guild"] | {"id": OTHER_GUILD}
    payload["data"]["guild_id"] = OTHER_GUILD
    payload["channel"] = payload["channel"] | {"guild_id": OTHER_GUILD}
    payload["authorizing_integration_owners"] = {"0": OTHER_GUILD}
    return payload


@pytest.fixture
async def two_worker_bot(fake, tmp_path, snapshot_market):
    pool = Workers("process", 2, heavy_workers=1, heavy_idle=0.5)
    await pool.warm_up()
    bot = RotationBot(bot_settings(tmp_path, fake), market=snapshot_market, workers=pool)
    await bot.login("test-token-not-real")
    bot._connection._add_guild_from_data(fake.guild())
    yield bot
    await bot.close()
    pool.close()


async def test_a_burst_in_one_server_does_not_hold_up_another(fake, two_worker_bot):
    """12 members of one server each ask a different /sectors with its CSV; a member of another
    server asks /streak a moment later. Their answer comes before most of the burst's (first come
    first served, it came last: the test fails on the old pool)."""
    bot = two_worker_bot
    done: dict[str, float] = {}

    async def ask(tag: str, payload: dict) -> None:
        await dispatch(bot, payload)
        done[tag] = time.monotonic()

    burst = [
        fake.interaction(
            "sectors",
            {"period": f"2021-{1 + n:02d}-03..2025-06-30", "vs_large": "true", "export": "true"},
            user_id=str(1_300_000_000_000_000_100 + n),
        )
        for n in range(12)
    ]
    # the funds' histories in memory first, so the burst's questions reach their builds together
    await ask("warm", fake.interaction("sectors", {"vs_large": "true"}, user_id="1300000000000000099"))
    queue = bot.workers.queue
    tasks = [asyncio.create_task(ask(f"m{n}", p)) for n, p in enumerate(burst)]
    for _ in range(2000):  # until every build of the burst has asked for its turn
        if queue.granted + queue.waiting >= 1 + len(burst):
            break
        await asyncio.sleep(0.005)
    streak = fake.interaction("streak", {"as_of": "2026-01-15"}, user_id="1300000000000000999")
    bystander = in_other_guild(streak)
    tasks.append(asyncio.create_task(ask("bystander", bystander)))
    await asyncio.gather(*tasks)
    followups = [r for r in fake.for_interaction(bystander) if r.path.startswith("/webhooks")]
    assert followups, "the bystander got no answer"
    assert "streak" in followups[0].json["embeds"][0]["title"].lower()
    order = sorted(done, key=done.get)[1:]  # after "warm"
    assert order.index("bystander") <= 4, order
    assert bot.workers.queue.granted >= 13
    assert LANE.get() == (None, None)  # the lane stays with the questions' tasks


async def test_a_mentions_build_takes_its_turn_in_that_members_lane(make_bot, fake, workers):
    """A question by mention is a message, not an interaction: its lane is set where discord.py
    dispatches the message (RotationBot.dispatch), so it queues fairly like a slash command."""
    bot = await make_bot(guild=fake.guild())
    user = "1300000000000000555"
    before = len(workers.queue.recent_waits)
    message = fake.message_create(f"<@{fake.app_id}> gap 2017", mention_bot=True, user_id=user)
    await dispatch(bot, message, "message_create")
    posts = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert posts, "no answer to the mention"
    assert posts[-1].json["content"].startswith("Read as `/gap")
    lanes = [server for server, _ in list(workers.queue.recent_waits)[before:]]
    assert int(fake.guild_id) in lanes  # not the lane of no server (None)
