"""Where the CPU half of a command (figures, text, chart) runs: never on the event loop.

Rendering a chart holds the GIL for most of its 50-90 ms, so a thread pool still starves the loop
when many are in flight; a process pool moves that work out of this interpreter. Which one the bot
uses is a setting (``CHART_EXECUTOR``), chosen by ``bench/loop_lag.py``'s figures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import multiprocessing as mp
import os
from collections.abc import Callable
from typing import Any


def _warm() -> bool:
    import commands.charts  # noqa: F401  (imports matplotlib in the worker once)

    return True


class Workers:
    def __init__(self, kind: str = "process", workers: int | None = None) -> None:
        self.kind = kind
        workers = workers or max(1, min(4, os.cpu_count() or 1))
        if kind == "process":
            # spawn, not fork: forking a process that runs an event loop and threads is unsafe
            self._pool: cf.Executor = cf.ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"))
        elif kind == "thread":
            self._pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="chart")
        else:
            raise ValueError(f"unknown chart executor {kind!r}: use 'process' or 'thread'")
        self.workers = workers

    async def warm_up(self) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._pool, _warm) for _ in range(self.workers)))

    async def __call__(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
