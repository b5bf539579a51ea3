"""Discord's rate limits: the fan-out paces itself to its share of the global budget and reports what
Discord answered; against the tests' fake with Discord's limits switched on."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

import discord
import pytest

from bot.ratelimits import Pacer, process_share
from data.state import Subscription
from tests.bot.fake_discord import FakeDiscord, RateLimits
from tests.bot.test_subscriptions import Clock

CHANNELS = [str(2_300_000_000_000_000_000 + i) for i in range(60)]


@pytest.mark.parametrize(
    ("count", "ids", "share"), [(None, (), 45.0), (3, (0,), 15.0), (3, (1, 2), 30.0), (4, (0, 1, 2, 3), 45.0)]
)
def test_each_process_takes_its_share_of_the_global_budget(count, ids, share):
    assert process_share(45.0, count, ids) == pytest.approx(share)


async def test_pacer_holds_its_rate():
    pacer = Pacer(rate=200, burst=1)
    started = time.monotonic()
    await asyncio.gather(*(pacer.acquire() for _ in range(41)))
    assert time.monotonic() - started >= 40 / 200 * 0.95  # 40 waits of 5 ms after the first token


class FrozenWall:
    """A wall clock that moves only when told: a whole burst lands in one second."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_pacer_caps_each_wall_clock_second():
    """However many tokens the bucket holds, one process never takes more than its share (rounded up)
    in a second of the shared clock: three processes at 16/s stay within Discord's 50 together."""
    wall = FrozenWall()
    pacer = Pacer(rate=16.0, burst=100, clock=lambda: 10.0**6, wall=wall)  # a full bucket
    pacer._tokens = 100
    taken = 0

    async def take() -> None:
        nonlocal taken
        await pacer.acquire()
        taken += 1

    async def take_all() -> None:
        await asyncio.gather(*(take() for _ in range(30)))

    task = asyncio.create_task(take_all())
    await asyncio.sleep(0.05)
    assert taken == pacer.cap == 16
    wall.now += 1.0  # the next second
    await asyncio.wait_for(task, timeout=5)
    assert taken == 30


@pytest.fixture
async def fake(monkeypatch):
    """Overrides the suite's fake: Discord's limits on, with a small global limit (20 per second) so a
    test sees it within seconds."""
    server = FakeDiscord(RateLimits(global_per_second=20))
    monkeypatch.setattr(discord.http.Route, "BASE", await server.start())
    yield server
    await server.stop()


@pytest.fixture
def state_url(tmp_path):
    """Pacing does not depend on the state backend: SQLite only (the suite's fixture runs both)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"


async def _fan_out(make_bot, fake, rate: float, caplog):
    bot = await make_bot(guild=fake.guild(CHANNELS), clock=Clock())
    bot.settings.discord_global_rate = rate
    bot.delivery.poster.pacer = Pacer(bot.fan_out_rate)
    for cid in CHANNELS:
        sub = Subscription(int(cid), 1, None, "America/New_York", False, 7)
        await bot.state.subscribe(sub, dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    with caplog.at_level(logging.INFO, logger="bot.client"):
        report = await bot.deliver_due()
    return report


async def test_a_paced_fan_out_stays_under_the_limit(make_bot, fake, caplog):
    report = await _fan_out(make_bot, fake, rate=18, caplog=caplog)
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert report.sent == len(CHANNELS) == len({r.path for r in posts})
    assert fake.rate_limits.responses_429 == 0
    line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("delivery:"))
    assert "60 posts in" in line
    assert "0 answered 429, 0 invalid" in line


async def test_an_unpaced_fan_out_meets_429s_and_still_posts_once(make_bot, fake, caplog):
    """The control: without pacing, the same fan-out runs into the global limit (discord.py waits
    each 429 out, so nothing is lost or doubled, but Cloudflare counts every one)."""
    report = await _fan_out(make_bot, fake, rate=10_000, caplog=caplog)
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    posts = [r for r in posts if r.status == 200]
    assert report.sent == len(CHANNELS) == len(posts) == len({r.path for r in posts})
    assert fake.rate_limits.responses_429 > 0
    line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("delivery:"))
    assert f"{fake.rate_limits.responses_429} answered 429" in line
