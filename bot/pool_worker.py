"""What runs inside a pool worker besides the builds: its start, the idle heap trim, probes for tests.

Its own module, standard library only, because a worker imports whatever module a function it runs
comes from: kept beside :class:`bot.workers.Workers`, which drives the pool from the event loop, every
worker imported asyncio (and ssl with it) for nothing.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from . import heap

ENTRY = "bot.worker_entry"  # the workers' whole world: numpy, pandas, matplotlib, commands/


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


def start_worker(first_build: bool) -> None:
    """Each worker's initializer: the import is a no-op after a fork from the warm server and the
    warm-up after a spawn; then, for the pool's workers, their own first build
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
