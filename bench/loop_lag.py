"""Event-loop lag with 50 chart commands in flight: thread pool vs process pool, side by side.

    python -m bench.loop_lag [--n 50] [--runs 3]

Lag = the longest gap a task that sleeps 1 ms observes beyond its sleep, while N ``/gap`` and
``/streak`` answers (data warm, charts included) run concurrently through ``commands.registry.execute``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bot.workers import Workers
from commands.registry import default_registry, execute
from data.cache import PriceCache
from data.db import create_engine
from data.market import MarketData

LINES = ["/gap period:ytd", "/gap period:2024", "/streak", "/gap period:5y", "/streak as_of:2026-01-16"]


async def heartbeat(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last - 0.001)
        last = now


async def one_round(market: MarketData, renderer: Workers, n: int) -> dict[str, float]:
    registry = default_registry()
    jobs = [registry.validate_line(LINES[i % len(LINES)]) for i in range(n)]
    stop, gaps = asyncio.Event(), []
    beat = asyncio.create_task(heartbeat(stop, gaps))
    await asyncio.sleep(0.05)
    t0 = time.perf_counter()
    replies = await asyncio.gather(*(execute(c, q, market, renderer) for c, q in jobs))
    wall = time.perf_counter() - t0
    stop.set()
    await beat
    assert all(r.chart for r in replies)
    return {"max_lag_ms": max(gaps) * 1000, "wall_s": wall, "charts_per_s": n / wall}


async def main(n: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'c.db'}"))
        await cache.open()
        market = MarketData(cache)
        for t in ("^RUT", "^GSPC"):
            await market.history(t)
        results = {}
        for kind in ("thread", "process"):
            renderer = Workers(kind, workers=2)
            await renderer.warm_up()
            rounds = [await one_round(market, renderer, n) for _ in range(runs)]
            renderer.close()
            results[kind] = {
                "max_lag_ms": round(max(r["max_lag_ms"] for r in rounds), 1),
                "median_round_lag_ms": round(sorted(r["max_lag_ms"] for r in rounds)[len(rounds) // 2], 1),
                "charts_per_s": round(sum(r["charts_per_s"] for r in rounds) / runs, 1),
            }
        await cache.close()
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = asyncio.run(main(args.n, args.runs))
    print(f"{'executor':<10}{'max lag ms':>12}{'median lag ms':>15}{'charts/s':>10}   (target lag < 50 ms)")
    for kind, r in results.items():
        print(f"{kind:<10}{r['max_lag_ms']:>12}{r['median_round_lag_ms']:>15}{r['charts_per_s']:>10}")
    print(json.dumps(results))
