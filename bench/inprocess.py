"""The benchmarks that run inside ``python -m bench``'s own process: the analyses alone, interaction to
followup through discord.py per command, the daily fan-out, the cache.

Apart from :mod:`bench.__main__` so that it imports them (numpy, pandas, discord, SQLAlchemy, the bot)
only after :mod:`bench.serve`'s parts have run: a process that maps the same libraries shares their
pages, and proportional memory (PSS) divides shared pages among every process mapping them, so the
serve part's bot measured ~10 MiB lighter beside a loaded parent than alone.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import discord

from bench.serve import percentiles
from bench.settings import bench_settings
from bot.client import RotationBot
from bot.workers import Workers
from commands import gap, streak
from commands.pair import load_pair
from commands.registry import default_registry, execute
from data.cache import PriceCache
from data.db import create_engine
from data.market import MarketData
from data.sources.snapshot import SnapshotSource
from data.state import Subscription
from tests.bot.fake_discord import FakeDiscord, dispatch

COMMANDS = {"gap": {"period": "2024"}, "streak": {}, "digest": {}}


async def market_on(path: Path) -> MarketData:
    cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{path}"))
    await cache.open()
    return MarketData(cache)


async def analysis_alone(runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        market = await market_on(Path(tmp) / "c.db")
        pair = await load_pair(market, "^RUT", "^GSPC")
        out = {}
        for name, fn in (
            ("streak", lambda: streak.compute(pair.frame)),
            ("gap", lambda: gap.compute(pair.frame, gap.parse_period("ytd"))),
        ):
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            out[name] = percentiles(times)
        await market.cache.close()
    return out


async def end_to_end(runs: int, workers: Workers, modes: tuple[str, ...] = ("cold", "warm")) -> dict:
    """Interaction dispatched to discord.py -> followup received by the fake, per command."""
    fake = FakeDiscord()
    discord.http.Route.BASE = await fake.start()
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = bench_settings(Path(tmp), answers=False)  # every run builds: the warm build path
        for mode in modes:
            for name, options in COMMANDS.items():
                latencies = []
                market = await market_on(Path(tmp) / f"{mode}-{name}.db")
                bot = RotationBot(settings, market=market, workers=workers, sync_on_start=False)
                await bot.login("bench")
                await bot._warming  # the start-up preload; cold runs replace the market below
                for i in range(runs):
                    if mode == "cold":  # an empty cache every run: the snapshot is loaded again
                        await bot.market.cache.close()
                        bot.market = await market_on(Path(tmp) / f"cold-{name}-{i}.db")
                    payload = fake.interaction(name, options, user_id=str(1300000000000000000 + i))
                    started = time.monotonic()
                    await dispatch(bot, payload)
                    followup = next(
                        r for r in fake.for_interaction(payload) if r.path.startswith("/webhooks")
                    )
                    latencies.append(followup.t - started)
                out[f"{name} {mode}"] = percentiles(latencies)
                await bot.market.cache.close()
                await bot.close()
    await fake.stop()
    return out


async def fan_out(workers: Workers, channels: int = 1000) -> dict:
    fake = FakeDiscord()
    discord.http.Route.BASE = await fake.start()
    ids = [str(2_000_000_000_000_000_000 + i) for i in range(channels)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = bench_settings(Path(tmp))
        market = await market_on(Path(tmp) / "c.db")
        clock = lambda: dt.datetime(2026, 8, 21, 20, 31, tzinfo=dt.UTC)  # noqa: E731
        bot = RotationBot(settings, market=market, workers=workers, clock=clock, sync_on_start=False)
        await bot.login("bench")
        bot._connection._add_guild_from_data(fake.guild(ids))
        for cid in ids:
            await bot.state.subscribe(
                Subscription(int(cid), 1, None, "America/New_York", True, 7),
                dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
            )
        started = time.perf_counter()
        report = await bot.delivery.tick()
        wall = time.perf_counter() - started
        await market.cache.close()
        await bot.close()
    await fake.stop()
    return {
        "channels": channels,
        "sent": report.sent,
        "wall_s": wall,
        "charts_rendered": bot.delivery.renders,
    }


def _size(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.glob(pattern))


class CountingSource:
    """The snapshot served as if it were the live source, counting requests."""

    name = "live"

    def __init__(self) -> None:
        self.snapshot, self.requests = SnapshotSource(), 0

    async def fetch(self, ticker, start=None, end=None):
        self.requests += 1
        return await self.snapshot.fetch(ticker, start, end)


async def cache_figures(repeats: int = 100) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        source = CountingSource()
        cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'live.db'}"))
        await cache.open()
        # three sessions after the snapshot: the tail is due, and the source has nothing newer yet
        market = MarketData(
            cache,
            snapshot=SnapshotSource(),
            live=source,
            clock=lambda: dt.datetime(2026, 8, 26, 22, tzinfo=dt.UTC),
        )
        command, query = default_registry().validate_line("/gap period:2024")
        after_first = None
        for i in range(repeats):
            await execute(command, query, market)
            if i == 0:
                after_first = source.requests
        await cache.close()
        full = await market_on(Path(tmp) / "full.db")
        for ticker in SnapshotSource().tickers():
            await full.history(ticker)
        await full.cache.close()
        size = _size(Path(tmp), "full.db*")
    return {
        "requests_first": after_first,
        "requests_after_first": source.requests - after_first,
        "repeats": repeats,
        "full_snapshot_db_mib": size / 2**20,
    }
