"""Discord misbehaving: rate limits and server errors are retried, an expired interaction or a
vanished channel is survived, and a restart in the middle of a fan-out ends with one post each."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import types

import discord

from bot.delivery import Delivery
from data.calendar import TradingCalendar
from data.state import Subscription
from tests.bot.fake_discord import dispatch
from tests.bot.test_delivery import Clock, FakePoster, Updates
from tests.conftest import expire_claims


def _sub(cid) -> Subscription:
    return Subscription(int(cid), 1, None, "America/New_York", True, 7)


async def test_a_429_then_a_502_are_retried_and_the_post_goes_out(make_bot, fake):
    cid = "2200000000000000001"
    bot = await make_bot(guild=fake.guild([cid]), clock=Clock("2026-08-21T20:31"))
    await bot.state.subscribe(_sub(cid), dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    fake.faults += [
        ("POST", f"/channels/{cid}/messages", 429, 0),
        ("POST", f"/channels/{cid}/messages", 502, 0),
    ]
    report = await bot.delivery.tick()
    assert report.sent == 1
    attempts = [r.status for r in fake.requests if r.path == f"/channels/{cid}/messages"]
    assert attempts == [429, 502, 200]


async def test_a_persistent_server_error_releases_the_claim_for_the_next_tick(make_bot, fake, monkeypatch):
    real_sleep = asyncio.sleep
    fast = types.SimpleNamespace(**{**vars(asyncio), "sleep": lambda delay, *a, **k: real_sleep(0)})
    monkeypatch.setattr(discord.http, "asyncio", fast)  # discord.py's 5xx back-off, without the wait
    cid = "2200000000000000002"
    bot = await make_bot(guild=fake.guild([cid]), clock=Clock("2026-08-21T20:31"))
    await bot.state.subscribe(_sub(cid), dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    fake.faults += [("POST", f"/channels/{cid}/messages", 500, 0)] * 5  # beyond discord.py's retries
    report = await bot.delivery.tick()
    assert report.retry == 1
    assert (await bot.state.delivery(int(cid), "2026-08-21"))["status"] == "new"
    fake.faults.clear()
    assert (await bot.delivery.tick()).sent == 1


async def test_an_expired_interaction_is_logged_and_the_bot_goes_on(make_bot, fake, caplog):
    bot = await make_bot()
    stale = fake.interaction("gap", {"period": "2024"})
    fake.faults.append(("POST", f"/interactions/{stale['id']}/", 404, 10062))  # Unknown interaction
    with caplog.at_level(logging.WARNING):
        await dispatch(bot, stale)
    assert any(
        "Unknown interaction" in str(r.exc_info) or "10062" in r.getMessage() or r.exc_info
        for r in caplog.records
    )
    fresh = fake.interaction("streak")
    await dispatch(bot, fresh)
    assert [r.path.split("/")[1] for r in fake.for_interaction(fresh)] == ["interactions", "webhooks"]


class CrashingPoster(FakePoster):
    """Dies (the process is killed) after ``after`` posts; the posts already made stay made."""

    def __init__(self, after: int, shared: list) -> None:
        super().__init__()
        self.posts, self.after = shared, after

    async def post(self, channel_id, reply, *, nonce, thread_name):
        message_id = await super().post(channel_id, reply, nonce=nonce, thread_name=thread_name)
        if len(self.posts) > self.after:
            raise asyncio.CancelledError  # killed after Discord took the post, before it was recorded
        return message_id


async def test_restart_in_the_middle_of_a_fan_out_ends_with_one_post_per_channel(state):
    channels = list(range(5000, 5300))
    for c in channels:
        await state.subscribe(_sub(c), dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    shared: list = []
    clock = Clock("2026-08-21T20:31")
    first = Delivery(state, Updates(), CrashingPoster(after=120, shared=shared), TradingCalendar(), clock)
    with contextlib.suppress(asyncio.CancelledError):
        await first.tick()
    posted_before_restart = len(shared)
    assert 120 < posted_before_restart < 300
    clock.now += dt.timedelta(minutes=11)  # restarted; the dead process's leases ran out
    await expire_claims(state)
    second = Delivery(state, Updates(), CrashingPoster(after=10**6, shared=shared), TradingCalendar(), clock)
    report = await second.tick()
    counts = {c: sum(1 for p in shared if p[0] == c) for c in channels}
    assert set(counts.values()) == {1}
    recorded = 100  # two batches of 50 were recorded before the kill; the third was posted, not recorded
    assert report.found_existing == posted_before_restart - recorded
    assert report.sent == 300 - posted_before_restart
