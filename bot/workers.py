"""Where the CPU half of a command (figures, text, chart) runs: never on the event loop.

Rendering a chart holds the GIL for most of its 50-90 ms, so a thread pool still starves the loop
when many are in flight; a process pool moves that work out of this interpreter. Which one the bot
uses is a setting (``CHART_EXECUTOR``), chosen by ``bench/loop_lag.py``'s figures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import gc
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable
from typing import Any


def _warm() -> None:
    """Each worker's initializer: import every command module (their imports cost ~0.4 s) and draw
    once (fonts), so no user's first answer pays for either."""
    import pandas as pd

    from commands.charts import gap_chart
    from commands.registry import default_registry

    default_registry()

    frame = pd.DataFrame(
        {"small": [1.0, 1.1], "large": [1.0, 1.05]}, index=pd.date_range("2026-01-01", periods=2)
    )
    gap_chart(frame, "small", "large", "warm-up", "2026-01-02")
    # Everything imported so far lives as long as the worker: keep it out of the collector's way
    # (full collections over matplotlib's object graph showed up as 100 ms stalls at p95).
    gc.freeze()


def _worker_id() -> str:
    time.sleep(0.05)  # long enough that one idle worker cannot take every probe
    return f"{os.getpid()}-{threading.get_ident()}"


class Workers:
    def __init__(self, kind: str = "process", workers: int | None = None) -> None:
        self.kind = kind
        workers = workers or max(1, min(4, os.cpu_count() or 1))
        if kind == "process":
            # spawn, not fork: forking a process that runs an event loop and threads is unsafe
            self._pool: cf.Executor = cf.ProcessPoolExecutor(
                workers, mp_context=mp.get_context("spawn"), initializer=_warm
            )
        elif kind == "thread":
            self._pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="chart", initializer=_warm)
        else:
            raise ValueError(f"unknown chart executor {kind!r}: use 'process' or 'thread'")
        self.workers = workers

    async def warm_up(self) -> None:
        """Start every worker now (pools start them lazily, one per task submitted while none is idle)."""
        loop = asyncio.get_running_loop()
        seen: set[str] = set()
        for _ in range(100):  # returns once every worker has run its initializer and answered
            probes = (loop.run_in_executor(self._pool, _worker_id) for _ in range(self.workers))
            seen.update(await asyncio.gather(*probes))
            if len(seen) >= self.workers:
                return

    async def __call__(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
