"""Where the CPU half of a command (figures, text, chart) runs: never on the event loop.

Rendering a chart holds the GIL for most of its 50-90 ms, so a thread pool still starves the loop
when many are in flight; a process pool moves that work out of this interpreter. Which one the bot
uses is a setting (``CHART_EXECUTOR``), chosen by ``bench/loop_lag.py``'s figures.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import gc
import importlib
import logging
import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from . import heap

log = logging.getLogger(__name__)

ENTRY = "bot.worker_entry"  # the workers' whole world: numpy, pandas, matplotlib, commands/


def _start_method() -> mp.context.BaseContext:
    """forkserver where the platform has it: one warm server process (the entry point imported and a
    chart drawn once), each worker forked from it, so workers share those pages rather than hold a
    copy each and start in milliseconds. Never plain fork: this process runs an event loop and threads.
    """
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([ENTRY])
        return ctx
    return mp.get_context("spawn")


IDLE_BEFORE_TRIM = 0.05  # seconds without a build before a worker hands its free heap back


class _Trimmer:
    """Once a worker is idle: a full garbage collection, then its freed heap back to the system.

    Measured on one forked worker over 60 builds (``/tmp/s19/wcurve.py``, smaps_rollup): it grew to
    85 MiB PSS. The charts' figures are reference cycles, and most of them outlived the young
    collections into the oldest generation, which the collector seldom visits: a full collection
    freed 19,610 objects (18 MiB) in 11 ms. And glibc keeps what Python frees: ``malloc_trim(0)``
    gave back 33 MiB more in 1-2 ms. Doing both in a thread once the worker has been idle for a
    moment keeps them out of every answer's time (a question arriving meanwhile waits at most the
    collection). ``malloc_trim`` is a no-op where the C library has none (see :mod:`bot.heap`)."""

    def __init__(self) -> None:
        self._built = threading.Event()
        self.running = 0
        self.last = 0.0
        self.trims = 0

    def start(self) -> None:
        threading.Thread(target=self._loop, name="idle-cleanup", daemon=True).start()

    def done(self) -> None:
        self.last = time.monotonic()
        self._built.set()

    def _loop(self) -> None:
        while True:
            self._built.wait()
            while self.running or (idle := time.monotonic() - self.last) < IDLE_BEFORE_TRIM:
                time.sleep(IDLE_BEFORE_TRIM if self.running else IDLE_BEFORE_TRIM - idle)
            self._built.clear()
            gc.collect()  # ~10 ms: the charts' cyclic garbage, which the collector had left (below)
            heap.trim()
            self.trims += 1


_trimmer = _Trimmer()


def run(func: Callable[..., Any], *args: Any) -> Any:
    """What the pool runs: ``func(*args)``, then the worker may trim its heap once idle."""
    _trimmer.running += 1
    try:
        return func(*args)
    finally:
        _trimmer.running -= 1
        _trimmer.done()


def trims() -> int:
    """How many times this worker has trimmed its heap (for the test that checks it does)."""
    return _trimmer.trims


def _start_worker(first_build: bool) -> None:
    """Each worker's initializer: the import is a no-op after a fork from the warm server and the
    warm-up after a spawn; then, for the pool's workers, their own first drawing
    (``worker_entry.first_build``), and the heap trimmer."""
    entry = importlib.import_module(ENTRY)
    if first_build:
        entry.first_build()
    _trimmer.start()


def worker_id() -> str:
    """Which worker answered: the pool's start-up probe (this module imports the standard library only,
    so unpickling it in a worker costs nothing)."""
    time.sleep(0.05)  # long enough that one idle worker cannot take every probe
    return f"{os.getpid()}-{threading.get_ident()}"


def built_at_start() -> int:
    """How many times this worker built the busiest answers before its first question (for tests)."""
    return importlib.import_module(ENTRY).built_at_start


def loaded_modules() -> list[str]:
    """A worker's ``sys.modules``: the test that keeps workers lean asks for it."""
    return sorted(sys.modules)


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
            initializer=_start_worker,
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
