"""Where the CPU half of a command (figures, text, chart) runs: never on the event loop.

Rendering a chart holds the GIL for most of its 50-90 ms, so a thread pool still starves the loop
when many are in flight; a process pool moves that work out of this interpreter. Which one the bot
uses is a setting (``CHART_EXECUTOR``), chosen by ``bench/loop_lag.py``'s figures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import logging
import multiprocessing as mp
import os
from collections.abc import Callable
from typing import Any

from .pool_worker import ENTRY, run, start_worker, worker_id

log = logging.getLogger(__name__)


def _start_method() -> mp.context.BaseContext:
    """forkserver where the platform has it: one warm server process (the entry point imported and the
    busiest answers built once), each worker forked from it, so workers share those pages rather than hold a
    copy each and start in milliseconds. Never plain fork: this process runs an event loop and threads.
    """
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([ENTRY])
        return ctx
    return mp.get_context("spawn")


class Workers:
    def __init__(self, kind: str = "process", workers: int | None = None) -> None:
        self.kind = kind
        workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.workers = workers
        self.replaced = 0  # pools replaced after a worker died
        if kind == "process":
            self._pool: cf.Executor = self._process_pool()
        elif kind == "thread":
            __import__(ENTRY)  # a thread pool shares this interpreter: warm it here
            self._pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="chart")
        else:
            raise ValueError(f"unknown chart executor {kind!r}: use 'process' or 'thread'")

    def _process_pool(self, workers: int | None = None, first_build: bool = True) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            workers or self.workers,
            mp_context=_start_method(),
            initializer=start_worker,
            initargs=(first_build,),
        )

    async def warm_up(self) -> None:
        """Start every worker now (pools start them lazily, one per task submitted while none is idle)."""
        loop = asyncio.get_running_loop()
        seen: set[str] = set()
        for _ in range(100):  # returns once every worker has run its initializer and answered
            probes = (loop.run_in_executor(self._pool, worker_id) for _ in range(self.workers))
            seen.update(await asyncio.gather(*probes))
            if len(seen) >= self.workers:
                return

    async def __call__(self, func: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        if self.kind == "thread":  # one shared heap: nothing a worker could trim for itself
            return await loop.run_in_executor(self._pool, func, *args)
        if any(getattr(f, "own_worker", None) for f in (func, *args)):
            return await self._own_worker(func, *args)
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, run, func, *args)
        except cf.process.BrokenProcessPool:
            # A worker died (killed for memory, a crash in C code): the pool refuses everything from
            # then on. The first caller to notice starts a new one (the fork server forks it in
            # milliseconds); every caller retries once. A build that kills its worker every time
            # fails on the retry and is answered with an apology, not retried again.
            if pool is self._pool:
                log.warning("a build worker died: starting a new pool of %d", self.workers)
                self._pool = self._process_pool()
                self.replaced += 1
                pool.shutdown(wait=False, cancel_futures=True)
            return await loop.run_in_executor(self._pool, run, func, *args)

    async def _own_worker(self, func: Callable[..., Any], *args: Any) -> Any:
        """A build marked with :func:`commands.registry.own_worker`, in a worker forked for it alone
        from the warm fork server, which exits after it: what it imported goes with it.

        Measured with ``/tmp/s20/percmd.py``: /rrg left a pool worker 33 MiB bigger for good
        (adjustText imports scipy), and two workers that had each drawn one would hold 66 MiB more.
        The price: an /rrg build takes ~0.55 s (the fork, scipy's import, the build;
        ``/tmp/s20/rrgtime.py``), once per data version since the answer cache keeps it."""
        loop = asyncio.get_running_loop()
        pool = self._process_pool(1, first_build=False)  # it draws one chart, not the usual ones
        try:
            return await loop.run_in_executor(pool, func, *args)
        finally:
            pool.shutdown(wait=False)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
