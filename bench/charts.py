"""``python -m bench.charts``: the render time of every command's chart, alone, on the bundled data.

Each gallery line (``bot.gallery.LINES``) is answered once with the chart functions recording the
arguments they were called with; then each recorded call is timed on its own, warm, in this process:
the chart's share of an answer, without the data loading and the analysis around it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
from pathlib import Path

from bot.gallery import LINES, answer
from commands import charts
from data.cache import PriceCache
from data.db import create_engine
from data.market import MarketData

CHARTS = (
    "gap_chart",
    "streak_chart",
    "digest_chart",
    "history_chart",
    "sector_chart",
    "rates_chart",
    "rrg_chart",
    "valuation_chart",
)


async def recorded_calls() -> list[tuple[str, object, tuple, dict]]:
    """(gallery line, chart function, args, kwargs) for every chart the gallery draws."""
    calls: list[tuple[str, object, tuple, dict]] = []
    line = ""
    originals = {name: getattr(charts, name) for name in CHARTS}

    def recorder(fn):
        def record(*args, **kwargs):
            calls.append((line, fn, args, kwargs))
            return fn(*args, **kwargs)

        return record

    with tempfile.TemporaryDirectory() as tmp:
        cache = PriceCache(create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'cache.db'}"))
        await cache.open()
        try:
            for name, fn in originals.items():
                setattr(charts, name, recorder(fn))
            for line in LINES:  # ``record`` reads ``line``
                await answer(line, MarketData(cache))
        finally:
            for name, fn in originals.items():
                setattr(charts, name, fn)
            await cache.close()
    return calls


def time_calls(calls, runs: int) -> dict[str, dict[str, float]]:
    out = {}
    gc.freeze()  # as the workers do after warming up
    for line, fn, args, kwargs in calls:
        fn(*args, **kwargs)  # warm: fonts, imports (adjustText for /rrg)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fn(*args, **kwargs)
            times.append(time.perf_counter() - started)
        out[line] = {"p50": _pick(times, 0.5), "p95": _pick(times, 0.95), "n": runs}
    return out


def _pick(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def render_times(runs: int = 20) -> dict[str, dict[str, float]]:
    return time_calls(await recorded_calls(), runs)


def slowest(times: dict[str, dict[str, float]]) -> tuple[str, dict[str, float]]:
    return max(times.items(), key=lambda kv: kv[1]["p50"])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.charts", description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="timed renders per chart (default 20)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    times = asyncio.run(render_times(args.runs))
    width = max(len(line) for line in times)
    for line, t in times.items():
        print(f"{line.ljust(width)}  p50 {t['p50']:6.1f} ms  p95 {t['p95']:6.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(times, indent=2))


if __name__ == "__main__":
    main()
