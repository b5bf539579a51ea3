"""Bursts: many members asking different heavy questions at once, and a bystander meanwhile.

    python -c "from bench.burst import main; main()" --folder DIR   # one JSON object; python -m bench runs it

Issue 24's rows: 30 members of one server each asking a different /rrg at once (each /rrg build used
to fork a process of its own: 1.7 GiB PSS), and 60 each asking a different ``/sectors … export:true``
(one first-come-first-served queue made another server's /streak wait 5 s). For each: peak PSS of
the bot and every process under it, the slowest answer, and a member of another server asking a
/streak no one asked before (a build, not the answer cache) from ``BYSTANDER_AFTER`` seconds into
the burst (every one of its builds is queued by then), three times, against the same kind of
question asked in quiet (median of seven).
A fresh interpreter, as the serve part (see bench.serve.run_part).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.serve import ROOT, PssSampler

OTHER_GUILD = "1400000000000000077"
BYSTANDER_AFTER = 1.5  # seconds; the bursts' answers take 10 s and more
BYSTANDERS = 3  # one after the other, 0.5 s apart: their median is the figure


def from_guild(payload: dict, guild_id: str) -> dict:
    """The same interaction sent from another server (Discord puts the guild in these places)."""
    payload["guild_id"] = guild_id
    payload["guild"] = payload["guild"] | {"id": guild_id}
    payload["data"]["guild_id"] = guild_id
    payload["channel"] = payload["channel"] | {"guild_id": guild_id}
    payload["authorizing_integration_owners"] = {"0": guild_id}
    return payload


def rrg_questions(n: int) -> list[tuple[str, dict[str, str]]]:
    sets, weeks = ("sectors", "size", "style"), range(3, 3 + (n + 2) // 3)
    return [("rrg", {"set": s, "weeks": str(w)}) for s in sets for w in weeks][:n]


def heavy_questions(n: int) -> list[tuple[str, dict[str, str]]]:
    periods = [(1 + i % 12, 2 + i // 12) for i in range(n)]  # a different date range each
    return [
        ("sectors", {"period": f"2021-{m:02d}-{d:02d}..2025-{m:02d}-{d + 1:02d}", "vs_large": "true",
                     "export": "true"})
        for m, d in periods
    ]


async def bursts(folder: Path) -> dict:
    import discord

    from bot.startup import defer_import

    defer_import("commands.charts")
    from bench.settings import bench_settings
    from bot.client import RotationBot
    from tests.bot.fake_discord import FakeDiscord, dispatch

    fake = FakeDiscord(keep_files=False)
    discord.http.Route.BASE = await fake.start()
    settings = bench_settings(folder).copy(database_url=f"sqlite+aiosqlite:///{folder / 'cache.db'}")
    bot = RotationBot(settings, sync_on_start=False)
    await bot.login("bench")
    await bot._warming

    async def ask(name: str, options: dict[str, str], user: int, guild: str | None = None) -> float:
        payload = fake.interaction(name, options, user_id=str(1_300_000_000_000_000_000 + user))
        if guild is not None:
            from_guild(payload, guild)
        t = time.monotonic()
        await dispatch(bot, payload)
        followup = next(r for r in fake.for_interaction(payload) if r.path.startswith("/webhooks"))
        return followup.t - t

    out: dict = {}
    # quiet: the bystander's kind of question, never asked before, one at a time (two first, not
    # counted: a worker's first /streak as_of builds are slower)
    dates = iter(dt.date(2025, 1, 2) + dt.timedelta(days=i) for i in range(0, 400, 2))
    quiet = [await ask("streak", {"as_of": next(dates).isoformat()}, 900, OTHER_GUILD) for _ in range(9)][2:]
    out["quiet_streak_ms"] = statistics.median(quiet) * 1000
    for label, questions in (("rrg30", rrg_questions(30)), ("heavy60", heavy_questions(60))):
        with PssSampler(every=0.02) as memory:
            tasks = [asyncio.create_task(ask(n, o, 100 + i)) for i, (n, o) in enumerate(questions)]
            await asyncio.sleep(BYSTANDER_AFTER)
            bystander = []
            for _ in range(BYSTANDERS):
                bystander.append(await ask("streak", {"as_of": next(dates).isoformat()}, 901, OTHER_GUILD))
                await asyncio.sleep(0.5)
            took = await asyncio.gather(*tasks)
        queue = getattr(bot.workers, "queue", None)  # (the code before issue 24 had none)
        waits = [w for g, w in getattr(queue, "recent_waits", ()) if str(g) == OTHER_GUILD]
        out[label] = {
            "n": len(questions),
            "bystander_turn_wait_ms": max(waits[-BYSTANDERS:]) * 1000 if waits else None,
            "pss_mib": memory.figures(),
            "slowest_s": max(took),
            "median_s": statistics.median(took),
            "bystander_ms": statistics.median(bystander) * 1000,
            "bystander_max_ms": max(bystander) * 1000,
        }
    workers = bot.workers
    out["heavy_pools_started"] = getattr(workers, "heavy_started", None)
    await bot.close()
    await fake.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.burst", description=__doc__)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(bursts(args.folder))))


def run_burst() -> dict:
    """The bursts in a fresh interpreter (what ``python -m bench`` calls)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-c", "from bench.burst import main; main()", "--folder", tmp]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"bench.burst failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def burst_rows(b: dict) -> list[tuple[str, str, str]]:
    quiet = b["quiet_streak_ms"]
    rows = []
    for label, what in (("rrg30", "30 members, a different /rrg each, at once"),
                        ("heavy60", "60 members, a different /sectors export:true each, at once")):
        r = b[label]
        target = "<= 600 MiB" if label == "rrg30" else ""
        rows += [
            (f"{what}: peak PSS, bot + all its processes", f"{r['pss_mib']['total_mib']:.0f} MiB", target),
            ("  slowest / median answer", f"{r['slowest_s']:.1f} / {r['median_s']:.1f} s", ""),
            (f"  another server's new /streak from {BYSTANDER_AFTER:g} s in: median of 3 (max)"
             + (f"; waited for a turn {r['bystander_turn_wait_ms']:.0f} ms at most"
                if r.get("bystander_turn_wait_ms") is not None else ""),
             f"{r['bystander_ms']:.0f} ({r['bystander_max_ms']:.0f}) ms, quiet {quiet:.0f} ms",
             f"<= 2x quiet = {2 * quiet:.0f} ms"),
        ]
    return rows
