"""Three bot processes, one PostgreSQL, one fake Discord with Discord's rate limits: 300 subscriptions
over 30 servers get exactly one post each, even when a process is killed in the middle of its fan-out
and started again; the update is built once and each ticker fetched once, across all of them."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import discord
import pytest

from bot.shards import shard_of
from data.db import create_engine
from data.state import StateStore, Subscription
from tests.bot.fake_discord import FakeDiscord, RateLimits

ROOT = Path(__file__).resolve().parents[2]
GUILDS = [1_400_000_000_000_000_001 + (i << 22) for i in range(30)]
CHANNELS = {2_400_000_000_000_000_000 + 10 * g + k: g_id for g, g_id in enumerate(GUILDS) for k in range(10)}
SHARD_1 = {str(c) for c, g in CHANNELS.items() if shard_of(g, 3) == 1}


@pytest.fixture
async def deployment(postgres, tmp_path, monkeypatch):
    """Fresh state and cache databases on the suite's PostgreSQL, the subscriptions stored, and the
    fake Discord (rate limits on) knowing every channel."""
    state_db, cache_db = await postgres.create(), await postgres.create(template=None)
    store = StateStore(create_engine(postgres.url(state_db)))
    await store.open()
    for channel, guild in CHANNELS.items():
        sub = Subscription(channel, guild, None, "America/New_York", False, 7)
        await store.subscribe(sub, dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    await store.close()
    fake = FakeDiscord(RateLimits())
    fake.text_channels = {str(c): str(g) for c, g in CHANNELS.items()}
    url = await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", url)
    (tmp_path / "channels.json").write_text(json.dumps(fake.text_channels))
    yield fake, postgres.url(state_db), postgres.url(cache_db), tmp_path / "events.log"
    await fake.stop()
    await postgres.drop(state_db)
    await postgres.drop(cache_db)


async def _start(fake, state, cache, log: Path, shard: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "tests.bot.shard_process", "--fake", fake.base, "--state", state, "--cache", cache),
        *("--log", str(log), "--shard", str(shard), "--shards", "3", "--lease", "4"),
        *("--channels", str(log.parent / "channels.json")),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )


def _posts(fake: FakeDiscord) -> Counter[str]:
    """Successful posts per channel, as Discord would have stored them."""
    return Counter(
        r.path.split("/")[2]
        for r in fake.requests
        if r.method == "POST" and r.path.endswith("/messages") and r.status == 200
    )


async def _finish(proc: asyncio.subprocess.Process) -> dict:
    out, err = await asyncio.wait_for(proc.communicate(), timeout=180)
    assert proc.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


async def test_three_processes_one_post_per_channel_even_through_a_kill(deployment):
    fake, state, cache, log = deployment
    procs = [await _start(fake, state, cache, log, shard) for shard in range(3)]
    # kill shard 1 in the middle of its own fan-out, as a crash would, then start it again
    for _ in range(2400):
        if len(SHARD_1 & set(_posts(fake))) >= 20:
            break
        await asyncio.sleep(0.05)
    procs[1].send_signal(signal.SIGKILL)
    await procs[1].wait()
    killed_at = len(SHARD_1 & set(_posts(fake)))
    restarted = await _start(fake, state, cache, log, 1)
    results = [await _finish(p) for p in (procs[0], restarted, procs[2])]
    posts = _posts(fake)
    events = Counter(line.rsplit(" ", 1)[0] for line in log.read_text().splitlines())
    print(f"\n300 channels, 3 processes: shard 1 killed after {killed_at} of its {len(SHARD_1)} posts")
    limits = fake.rate_limits
    print(f"processes: {results}\nevents: {dict(events)}; fake Discord: {limits.requests_counted} requests")
    print(f"under its limits, {limits.responses_429} answered 429")
    assert 20 <= killed_at < len(SHARD_1)  # the kill came in the middle of shard 1's fan-out
    assert set(posts) == {str(c) for c in CHANNELS}
    assert set(posts.values()) == {1}  # exactly one post per channel
    assert events["build 2026-08-24"] == 1  # one render in all
    assert events["fetch ^RUT"] == events["fetch ^GSPC"] == 1  # one source fetch per ticker
    assert fake.rate_limits.responses_429 < 0.01 * fake.rate_limits.requests_counted
