"""One process of a sharded deployment, for the multi-process tests and the fan-out benchmark.

``python -m tests.bot.shard_process --fake URL --state URL --cache URL --shard I --shards N --log FILE``
runs the real :class:`bot.client.ShardedRotationBot` (``SHARD_COUNT``/``SHARD_IDS``) against a fake
Discord's REST API, with a clock set to the evening of 2026-08-24 (a session after the bundled
snapshot) and a stand-in for Yahoo that serves that session's closes of the default pair. It ticks the
delivery loop until nothing is left to do, then prints its counts as JSON. The gateway is left out
(the delivery path is REST only; the shared fake-discord tool checks the gateway by hand): every
other part, the ledger, the shared build, the shared cache and the pacing, is the product's own.

Every fetch from the stand-in source and every build of the update is appended to ``--log``, from
whichever process made it, so the test can count them across processes and kills.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import time
from pathlib import Path

import discord
import pandas as pd

from bot.client import create_bot
from bot.settings import Settings
from bot.shards import shard_of
from data.cache import PriceCache
from data.db import create_engine
from data.frames import BAR_COLUMNS
from data.market import MarketData
from tests.bot.fake_discord import FakeDiscord

SESSION = dt.date(2026, 8, 24)  # the Monday after the snapshot's last session (2026-08-21)
CLOSES = {"^RUT": 2500.0, "^GSPC": 6450.0}  # made-up closes for that session: the test counts, not figures


def _log(path: str, line: str) -> None:
    with open(path, "a") as fh:  # O_APPEND: lines from several processes never interleave
        fh.write(f"{line} {os.getpid()}\n")


class LoggedSource:
    """Yahoo's stand-in: the session's close for the default pair; each call logged."""

    name = "live"

    def __init__(self, log: str) -> None:
        self.log = log

    async def fetch(self, ticker: str, start: dt.date | None = None, end: dt.date | None = None):
        _log(self.log, f"fetch {ticker}")
        await asyncio.sleep(0.2)  # long enough for other processes to ask at the same time
        index = pd.DatetimeIndex([pd.Timestamp(SESSION)], name="session")
        frame = pd.DataFrame({c: float("nan") for c in BAR_COLUMNS}, index=index)
        frame["close"] = frame["adj_close"] = CLOSES.get(ticker, 100.0)
        frame["dividends"] = frame["splits"] = 0.0
        return frame


def _guilds(channels: dict[str, str], shard: int, shards: int) -> list[dict]:
    """GUILD_CREATE payloads for this shard's guilds, as the gateway would deliver them, so posting
    needs no channel lookup (the fake serves REST only)."""
    fake = FakeDiscord()
    by_guild: dict[str, list[str]] = {}
    for channel, guild in channels.items():
        if shard_of(int(guild), shards) == shard:
            by_guild.setdefault(guild, []).append(channel)
    payloads = []
    for guild, ids in by_guild.items():
        fake.guild_id = guild
        payload = fake.guild(ids)
        payload["threads"] = []
        payloads.append(payload)
    return payloads


def _clock(start: dt.datetime):
    began = time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - began)


async def run(args: argparse.Namespace) -> dict:
    discord.http.Route.BASE = args.fake
    clock = _clock(dt.datetime(2026, 8, 24, 20, 31, tzinfo=dt.UTC))
    settings = Settings(
        discord_token="fake-token",
        state_database_url=args.state,
        database_url=args.cache,
        shard_count=args.shards,
        shard_ids=str(args.shard),
        chart_executor="thread",
        chart_workers=1,
        sync_state_path=f"{args.log}.sync-{args.shard}.json",
        backup_dir=f"{args.log}.backups",
        claim_lease_seconds=args.lease,
        scheduler_enabled=False,
    )
    cache = PriceCache(create_engine(args.cache))
    await cache.open()
    market = MarketData(cache, live=LoggedSource(args.log), clock=clock)
    bot = create_bot(settings, market=market, clock=clock, sync_on_start=False)
    build = bot.update_for

    async def logged_build(session: dt.date, *theme: str):
        _log(args.log, f"build {session}")
        return await build(session, *theme)

    totals = {"sent": 0, "found_existing": 0, "skipped": 0, "lost": 0, "failed": 0, "ticks": 0}
    try:
        async with bot:
            await bot.login("fake-token")
            if args.channels:
                for guild in _guilds(args.channels, args.shard, args.shards):
                    bot._connection._add_guild_from_data(guild)
            bot.delivery.update_for = logged_build
            print("ready", flush=True)
            quiet = 0
            while quiet < args.quiet_ticks:
                report = await bot.deliver_due()
                totals["ticks"] += 1
                for name in ("sent", "found_existing", "skipped", "lost", "failed"):
                    totals[name] += getattr(report, name)
                busy = report.sent or report.skipped or report.retry or report.lost or report.waiting_for_data
                quiet = 0 if busy else quiet + 1
                await asyncio.sleep(0.5)
            totals["renders"] = bot.delivery.renders
            totals["requests"] = sum(bot.request_stats.statuses.values())
            totals["429"] = bot.request_stats.statuses[429]
            totals["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        await cache.close()
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--fake", "--state", "--cache", "--log"):
        parser.add_argument(name, required=True)
    parser.add_argument("--shard", type=int, required=True)
    parser.add_argument(
        "--channels", type=lambda p: json.loads(Path(p).read_text()), help="JSON file {channel: guild}"
    )
    parser.add_argument("--shards", type=int, default=3)
    parser.add_argument("--lease", type=float, default=6.0)
    parser.add_argument("--quiet-ticks", type=int, default=6)
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
