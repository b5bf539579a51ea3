"""Where the CPU half of a command (figures, text, chart) runs: never on the event loop.

Rendering a chart holds the GIL for most of its 50-90 ms, so a thread pool still starves the loop
when many are in flight; a process pool moves that work out of this interpreter. Which one the bot
uses is a setting (``CHART_EXECUTOR``), chosen by ``bench/loop_lag.py``'s figures.

Every build is bounded: it takes a turn in a :class:`bot.fair.FairQueue` first (as many turns as
workers, handed out fairly across servers and members), and builds that import heavy libraries
(``own_worker``: /rrg and scipy) run in a second pool of ``HEAVY_WORKERS`` processes, kept while
busy and shut down once idle so their imports leave memory. Before, each /rrg forked a process of
its own: 30 at once were 35 processes and 1.7 GiB PSS (issue 24, finding 2).
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import logging
import multiprocessing as mp
import os
from collections.abc import Callable
from typing import Any

from .fair import LANE, FairQueue
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
    def __init__(
        self,
        kind: str = "process",
        workers: int | None = None,
        heavy_workers: int = 1,
        heavy_idle: float = 60.0,
        per_server: int | None = None,
    ) -> None:
        self.kind = kind
        workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.workers = workers
        self.replaced = 0  # pools replaced after a worker died
        # builds in the pool (or threads) at once; one server may hold all but one of them (at least one)
        self.queue = FairQueue(workers, per_server if per_server is not None else max(1, workers - 1))
        self.heavy_queue = FairQueue(heavy_workers)  # builds in the heavy pool at once
        self.heavy_idle = heavy_idle  # seconds without a heavy build before its pool is shut down
        self._heavy: cf.ProcessPoolExecutor | None = None
        self._heavy_timer: asyncio.TimerHandle | None = None
        self.heavy_started = 0  # heavy pools started so far (for tests and the benchmark)
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
        """``func(*args)`` in a worker, once this question's server and member have their turn."""
        lane = LANE.get()
        if self.kind == "process" and any(getattr(f, "own_worker", None) for f in (func, *args)):
            async with self.heavy_queue.turn(lane):
                return await self._heavy_build(func, *args)
        async with self.queue.turn(lane):
            return await self._build(func, *args)

    async def _build(self, func: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        if self.kind == "thread":  # one shared heap: nothing a worker could trim for itself
            return await loop.run_in_executor(self._pool, func, *args)
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

    async def _heavy_build(self, func: Callable[..., Any], *args: Any) -> Any:
        """A build marked with :func:`commands.registry.own_worker`, in the heavy pool: its workers are
        forked from the warm fork server when first needed and shut down ``heavy_idle`` seconds after
        the last such build, so what they imported leaves memory.

        Measured with ``/tmp/s20/percmd.py``: /rrg left a pool worker 33 MiB bigger for good
        (adjustText imports scipy), and two workers that had each drawn one would hold 66 MiB more.
        A heavy pool's first build takes ~0.55 s (the fork, scipy's import, the build), later ones
        the build alone; the turn taken before it bounds how many run at once."""
        if self._heavy_timer is not None:
            self._heavy_timer.cancel()
            self._heavy_timer = None
        loop = asyncio.get_running_loop()
        try:
            pool = self._heavy_pool()
            try:
                return await loop.run_in_executor(pool, run, func, *args)
            except cf.process.BrokenProcessPool:  # as in __call__: a new pool, one retry
                if pool is self._heavy:
                    log.warning("a heavy build worker died: starting a new heavy pool")
                    self._heavy = None
                    pool.shutdown(wait=False, cancel_futures=True)
                return await loop.run_in_executor(self._heavy_pool(), run, func, *args)
        finally:
            if self.heavy_queue.running <= 1 and not self.heavy_queue.waiting:  # this one was the last
                self._heavy_timer = loop.call_later(self.heavy_idle, self._close_heavy)

    def _heavy_pool(self) -> cf.ProcessPoolExecutor:
        if self._heavy is None:
            # they draw other charts than the usual ones: no first build of those
            self._heavy = self._process_pool(self.heavy_queue.slots, first_build=False)
            self.heavy_started += 1
        return self._heavy

    def _close_heavy(self) -> None:
        self._heavy_timer = None
        if self._heavy is not None and not self.heavy_queue.running and not self.heavy_queue.waiting:
            self._heavy.shutdown(wait=False)
            self._heavy = None

    @property
    def heavy_alive(self) -> bool:
        return self._heavy is not None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._heavy_timer is not None:
            self._heavy_timer.cancel()
        if self._heavy is not None:
            self._heavy.shutdown(wait=False, cancel_futures=True)
            self._heavy = None
