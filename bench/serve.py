"""The bot serving people, in a fresh process: the answer cache, mixed load, memory, start-up, ``ask``.

    python -m bench.serve [--folder DIR]    # prints one JSON object; python -m bench runs it for its table

A fresh interpreter on purpose: its memory is the bot's (plus the loopback fake of Discord's API),
not what the other benchmarks left behind, and its start-up is a real start-up. Memory is PSS
(``/proc/PID/smaps_rollup``): a page shared by the fork server and its workers counts once in all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POPULAR = [  # what fifty people ask after the close
    ("gap", {}),
    ("gap", {"period": "1y"}),
    ("gap", {"period": "2025"}),
    ("gap", {"period": "2024"}),
    ("gap", {"period": "mtd"}),
    ("gap", {"period": "3m"}),
    ("gap", {"period": "6m"}),
    ("gap", {"period": "5y"}),
    ("gap", {"period": "max"}),
    ("gap", {"period": "1m"}),
    ("gap", {"period": "ytd", "small": "IWM", "large": "SPY"}),
    ("gap", {"period": "1y", "small": "IWM", "large": "SPY"}),
    ("streak", {}),
    ("streak", {"as_of": "2026-01-16"}),
    ("streak", {"small": "IWM", "large": "SPY"}),
    ("digest", {}),
    ("digest", {"date": "2026-08-14"}),
    ("gap", {"period": "10y"}),
    ("gap", {"period": "3y"}),
    ("gap", {"period": "1w"}),
]


SMALLER = (("process", 1), ("thread", 1))  # CHART_EXECUTOR, CHART_WORKERS beside the default (process, 2)


def distinct(n: int) -> list[tuple[str, dict[str, str]]]:
    """Questions asked once each: date ranges nobody else asks for."""
    return [("gap", {"period": f"2019-{m:02d}-{d:02d}..2025-{m:02d}-{d + 1:02d}"}) for m, d in
            ((1 + i % 12, 3 + i // 12) for i in range(n))]


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def descendants(pid: int) -> list[int]:
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids = [int(k) for k in fh.read().split()]
        except OSError:
            continue
        for kid in kids:
            out += [kid, *descendants(kid)]
    return out


class PssSampler:
    """Peak PSS of this process and of all its descendants (fork server, workers), sampled."""

    def __init__(self, every: float = 0.05) -> None:
        self.every, self.peak_total, self.peak_self, self.peak_children = every, 0, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            own = pss_kib(me)
            kids = sum(pss_kib(k) for k in descendants(me))
            self.peak_self = max(self.peak_self, own)
            self.peak_children = max(self.peak_children, kids)
            self.peak_total = max(self.peak_total, own + kids)
            self._stop.wait(self.every)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict[str, float]:
        return {
            "total_mib": self.peak_total / 1024,
            "bot_mib": self.peak_self / 1024,
            "workers_mib": self.peak_children / 1024,
        }


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    return {"p50": pick(0.5) * 1000, "p95": pick(0.95) * 1000, "max": ordered[-1] * 1000, "n": len(ordered)}


async def serve(
    folder: Path, repeats: int, users: int, rate: float, executor: str = "process", workers: int = 2
) -> dict:
    """Start the bot as a deployment would (its own pool, preload), then the two loads. ``executor``
    and ``workers`` are the bot's CHART_EXECUTOR and CHART_WORKERS (the defaults: process, 2)."""
    import discord

    from bot.startup import defer_import, process_age

    defer_import("commands.charts")  # as `python -m bot` does with the process pool
    from bench.settings import bench_settings
    from bot.client import RotationBot
    from tests.bot.fake_discord import FakeDiscord, dispatch

    fake = FakeDiscord(keep_files=False)  # its recorded PNGs are not the bot's memory
    discord.http.Route.BASE = await fake.start()
    out: dict = {}
    with PssSampler() as memory:
        settings = bench_settings(folder).copy(
            database_url=f"sqlite+aiosqlite:///{folder / 'cache.db'}",
            chart_executor=executor,
            chart_workers=workers,
        )
        started = time.perf_counter()
        bot = RotationBot(settings, sync_on_start=False)
        await bot.login("bench")
        await bot._warming
        out["ready_s"] = time.perf_counter() - started
        out["ready_since_process_start_s"] = process_age()

        async def ask(name: str, options: dict[str, str], user: int) -> float:
            payload = fake.interaction(name, options, user_id=str(1_300_000_000_000_000_000 + user))
            t = time.monotonic()
            await dispatch(bot, payload)
            followup = next(r for r in fake.for_interaction(payload) if r.path.startswith("/webhooks"))
            return followup.t - t

        out["first_ask_ms"] = await ask("gap", {"period": "2024"}, 0) * 1000
        repeated = [await ask("gap", {"period": "2024"}, i % 40) for i in range(1, repeats + 1)]
        out["repeated_ms"] = percentiles(repeated)

        # Mixed: `users` people ask popular questions twice each, interleaved with 20 distinct ones,
        # arriving at random (Poisson, `rate` a second), every answer measured.
        rng = random.Random(15)
        asks = [(q, "popular") for q in rng.choices(POPULAR, k=users * 2)]
        asks += [(q, "distinct") for q in distinct(20)]
        rng.shuffle(asks)
        results: list[tuple[str, float]] = []
        slowest: list[tuple[float, str]] = []

        async def timed(i: int, question, kind: str) -> None:
            took = await ask(question[0], question[1], 100 + i % users)
            results.append((kind, took))
            line = " ".join([f"/{question[0]}", *(f"{k}:{v}" for k, v in question[1].items())])
            slowest.append((took * 1000, line))

        tasks = []
        for i, (question, kind) in enumerate(asks):
            tasks.append(asyncio.create_task(timed(i, question, kind)))
            await asyncio.sleep(rng.expovariate(rate))
        await asyncio.gather(*tasks)
        out["mixed_ms"] = {
            "all": percentiles([t for _, t in results]),
            "popular": percentiles([t for k, t in results if k == "popular"]),
            "distinct": percentiles([t for k, t in results if k == "distinct"]),
            "users": users,
            "rate_per_s": rate,
            "slowest": sorted(slowest, reverse=True)[:8],
        }
        out["answer_cache"] = vars(bot.answers.counters) | {"memory_mib": bot.answers.memory_bytes / 2**20}
        await bot.close()
    out["pss_mib"] = memory.figures()
    await fake.stop()
    return out


async def restart(folder: Path) -> dict:
    """A restart on the same var/: how soon it answers, and how fast its first answers are, both
    while the start-up preload is still reading the data and once it is ready (as the first start's
    ready: setup, workers warm, the default and fund pairs in memory)."""
    import discord

    from bot.startup import defer_import, process_age

    defer_import("commands.charts")
    from bench.settings import bench_settings
    from bot.client import RotationBot
    from tests.bot.fake_discord import FakeDiscord, dispatch

    fake = FakeDiscord(keep_files=False)
    discord.http.Route.BASE = await fake.start()
    settings = bench_settings(folder).copy(database_url=f"sqlite+aiosqlite:///{folder / 'cache.db'}")
    started = time.perf_counter()
    bot = RotationBot(settings, sync_on_start=False)
    await bot.login("bench")
    out = {"login_s": time.perf_counter() - started, "login_since_process_start_s": process_age()}

    async def ask(name: str, options: dict[str, str]) -> float:
        payload = fake.interaction(name, options)
        t = time.monotonic()
        await dispatch(bot, payload)
        followup = next(r for r in fake.for_interaction(payload) if r.path.startswith("/webhooks"))
        return (followup.t - t) * 1000

    # both kept questions were answered before the restart (the serve part's first asker, a popular one)
    out["kept_during_preload_ms"] = await ask("gap", {"period": "2024"})
    await bot._warming
    out["ready_s"] = time.perf_counter() - started
    out["ready_since_process_start_s"] = process_age()
    out["first_cached_ms"] = await ask("gap", {"period": "2025"})
    out["first_new_ms"] = await ask("gap", {"period": "2016"})  # never asked: built now
    await bot.close()
    await fake.stop()
    return out


def ask_wall(folder: Path, runs: int) -> dict:
    """``python -m bot ask "/gap period:2024"``: the first (builds) and then warm (answer cache)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    env |= {"DATA_SOURCE": "snapshot", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "ask", "/gap period:2024"]

    def one() -> float:
        t = time.perf_counter()
        subprocess.run(command, cwd=folder, env=env, capture_output=True, check=True, timeout=300)
        return time.perf_counter() - t

    first = one()
    warm = sorted(one() for _ in range(runs))
    console = subprocess.run(
        [sys.executable, "-m", "bot", "console"], cwd=folder, env=env, input="quit\n",
        capture_output=True, text=True, check=True, timeout=300,
    )
    ready = re.search(r"console ready in ([\d.]+) s", console.stderr)
    return {
        "first_s": first,
        "warm_p50_s": warm[len(warm) // 2],
        "warm_min_s": warm[0],
        "warm_max_s": warm[-1],
        "runs": runs,
        "console_ready_s": float(ready[1]) if ready else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__)
    parser.add_argument("--part", choices=("serve", "restart", "ask"), default="serve")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=5.0, help="questions a second in the mixed load")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--executor", choices=("process", "thread"), default="process")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.part == "serve":
        result = asyncio.run(
            serve(args.folder, args.repeats, args.users, args.rate, args.executor, args.workers)
        )
    elif args.part == "restart":
        result = asyncio.run(restart(args.folder))
    else:
        result = ask_wall(args.folder, args.runs)
    print(json.dumps(result))


def run_part(part: str, folder: Path, *extra: str) -> dict:
    """One part in a fresh interpreter (what ``python -m bench`` calls)."""
    # Not ``-m bench.serve``: a forked worker imports its parent's main module (multiprocessing's
    # spawn preparation), so every worker would carry this script and asyncio with it; ``python -m
    # bot``'s ``bot.__main__`` is skipped like every ``__main__``, and so is ``-c``.
    command = [sys.executable, "-c", "from bench.serve import main; main()"]
    done = subprocess.run(
        [*command, "--part", part, "--folder", str(folder), *extra],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.serve {part} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def all_parts(repeats: int = 50, users: int = 50) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        serve_figures = run_part("serve", folder, "--repeats", str(repeats), "--users", str(users))
        restart_figures = run_part("restart", folder)
    with tempfile.TemporaryDirectory() as tmp:
        ask_figures = run_part("ask", Path(tmp))
    smaller = {}  # what an operator trades for memory on a small machine: the same loads, fewer workers
    for executor, workers in SMALLER:
        with tempfile.TemporaryDirectory() as tmp:
            figures = run_part("serve", Path(tmp), "--repeats", str(repeats), "--users", str(users),
                               "--executor", executor, "--workers", str(workers))
        smaller[f"{executor}-{workers}"] = {"pss_mib": figures["pss_mib"], "mixed_ms": figures["mixed_ms"]}
    return {"serve": serve_figures, "restart": restart_figures, "ask": ask_figures, "smaller": smaller}


if __name__ == "__main__":
    main()
