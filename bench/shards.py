"""``python -m bench.shards``: the daily fan-out at scale, several shard processes against Discord's
real rate limits.

N subscriptions over N/10 servers, split over three shard processes (``tests/bot/shard_process.py``,
the real ``ShardedRotationBot``) sharing one throwaway PostgreSQL, posting to the tests' fake Discord
with Discord's limits on (50 requests per second per bot, 5 posts per 5 s per channel). Discord's
global limit makes ``N / 50`` seconds the floor for N posts; the table gives the fan-out's time
against it, posts per channel (doubles, lost), the 429s and other invalid requests, and each
process's peak memory. Takes about four minutes for 10,000 channels.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from data.db import create_engine
from data.state import StateStore, Subscription
from tests import pgserver
from tests.bot.fake_discord import FakeDiscord, RateLimits

ROOT = Path(__file__).resolve().parent.parent


async def _database(server: pgserver.Server, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(server.dsn())
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return server.url(name)


async def run(channels: int, processes: int) -> dict:
    import datetime as dt

    server = pgserver.start()
    folder = Path(tempfile.mkdtemp(prefix="bench-shards-"))
    try:
        state, cache = await _database(server, "state"), await _database(server, "cache")
        guilds = [1_400_000_000_000_000_001 + (i << 22) for i in range(max(1, channels // 10))]
        mapping = {2_400_000_000_000_000_000 + i: guilds[i % len(guilds)] for i in range(channels)}
        store = StateStore(create_engine(state))
        await store.open()
        created = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
        for channel, guild in mapping.items():
            await store.subscribe(Subscription(channel, guild, None, "America/New_York", False, 7), created)
        await store.close()
        fake = FakeDiscord(RateLimits())
        fake.text_channels = {str(c): str(g) for c, g in mapping.items()}
        await fake.start()
        (folder / "channels.json").write_text(json.dumps(fake.text_channels))
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                *("-m", "tests.bot.shard_process", "--fake", fake.base, "--state", state, "--cache", cache),
                *("--log", str(folder / "events.log"), "--shard", str(i), "--shards", str(processes)),
                *("--channels", str(folder / "channels.json"), "--quiet-ticks", "4"),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for i in range(processes)
        ]
        outputs = await asyncio.gather(*(p.communicate() for p in procs))
        for proc, (_, err) in zip(procs, outputs, strict=True):
            if proc.returncode != 0:
                raise SystemExit(f"a shard process failed ({proc.returncode}):\n{err.decode()[-3000:]}")
        results = [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
        posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
        ok = [r for r in posts if r.status == 200]
        per_channel = Counter(r.path.split("/")[2] for r in ok)
        wall = ok[-1].t - ok[0].t if ok else 0.0
        limits = fake.rate_limits
        invalid = sum(1 for r in fake.requests if r.status in (401, 403, 429))
        events = Counter(line.rsplit(" ", 1)[0] for line in (folder / "events.log").read_text().splitlines())
        await fake.stop()
        return {
            "channels": channels,
            "processes": processes,
            "fan_out_s": wall,
            "floor_s": channels / limits.global_per_second,
            "posted": len(per_channel),
            "doubles": sum(n - 1 for n in per_channel.values() if n > 1),
            "lost": channels - len(per_channel),
            "requests": len(fake.requests),
            "responses_429": limits.responses_429,
            "invalid": invalid,
            "builds": sum(v for k, v in events.items() if k.startswith("build")),
            "fetches": {k.split()[1]: v for k, v in events.items() if k.startswith("fetch")},
            "peak_rss_mib": [r["peak_rss_mib"] for r in results],
        }
    finally:
        server.stop()


def table(r: dict) -> str:
    ratio = r["fan_out_s"] / r["floor_s"]
    rows = [
        ("figure", "value", "target"),
        (
            f"fan-out of {r['channels']:,} subscriptions, {r['processes']} processes",
            f"{r['fan_out_s']:.1f} s = {ratio:.2f}x the {r['floor_s']:.0f} s floor",
            "<= 1.1x",
        ),
        ("channels posted / doubles / lost", f"{r['posted']:,} / {r['doubles']} / {r['lost']}", "all/0/0"),
        (
            "429s and invalid requests (401/403/429)",
            f"{r['responses_429']} and {r['invalid']} of {r['requests']:,} "
            f"({100 * r['invalid'] / max(1, r['requests']):.2f}%)",
            "< 1%",
        ),
        ("update builds / source fetches per ticker", f"{r['builds']} / {r['fetches']}", "1 / 1 each"),
        ("peak RSS per process", " / ".join(f"{m:.0f}" for m in r["peak_rss_mib"]) + " MiB", ""),
    ]
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, width, strict=True)) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.shards", description=__doc__)
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    began = time.perf_counter()
    result = asyncio.run(run(args.channels, args.processes))
    print(table(result))
    print(f"(bench wall time {time.perf_counter() - began:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
