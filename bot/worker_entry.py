"""What a build worker is made of: the small entry point the process pool starts from.

A worker builds replies (figures, text, a chart) from data handed to it. It needs numpy, pandas,
matplotlib and the command modules; never discord, yfinance, SQLAlchemy, the trading calendar or the
bot's wiring, which would cost every worker their memory (about 45 MiB) and start-up time for nothing.
The pool's workers import nothing else (a test checks their ``sys.modules``).

Importing it *is* the warm-up, on purpose: the pool's fork server preloads it once, then forks each
worker from that warm process, so workers share the imported libraries' pages instead of each loading
its own copy, and no user's first answer pays for imports or the first draw (fonts).
"""

from __future__ import annotations

import gc

from bot import heap

built_at_start = 0  # first_build() runs in this process (a pool's worker: once)


def build_busiest() -> None:
    """Build /gap (lines, and one session's bars), /streak and /digest once, on made-up data, through
    the commands themselves: figures, text and charts."""
    import numpy as np
    import pandas as pd

    from commands.pair import Pair
    from commands.registry import default_registry

    days = pd.bdate_range("2025-01-01", periods=300)
    walk = np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, (len(days), 2)), axis=0))
    frame = pd.DataFrame(walk, index=days, columns=["small", "large"])
    pair = Pair("^RUT", "^GSPC", "price", "price", frame, "made-up")
    commands = default_registry()
    asked = (("gap", {"period": "1y"}), ("gap", {"period": "1d"}), ("streak", {}), ("digest", {}))
    for name, options in asked:
        command = commands.get(name)
        command.build(command.validate(options), pair)


def warm() -> None:
    """Import every command module and build the busiest answers once: fonts, caches and the kept
    figures (:mod:`commands.charts.kept`) exist before anyone asks.

    The kept figures are made here, once, and every worker forked from this server starts with them.
    Warmed with a two-session chart only, each worker made its own on its first build of each kind,
    and those first builds were the mixed load's slowest answers: /digest at 242 and 245 ms, against
    187 and 200 ms for the slowest with this warm-up (two runs each of ``python -m bench.serve``)."""
    build_busiest()
    # Everything imported so far lives as long as the worker: keep it out of the collector's way
    # (full collections over matplotlib's object graph showed up as 100 ms stalls at p95), and out
    # of its writes, so forked workers keep sharing these pages with the fork server.
    gc.collect()  # the warm-up's own garbage (the bar chart's figure), not frozen forever with the rest
    gc.freeze()
    heap.trim()  # the warm-up's freed heap: else each worker inherits it and the server keeps it (2 MiB)


def first_build() -> None:
    """A worker's own first build, at its start rather than in someone's answer.

    A forked worker's first build copies the fork server's pages it writes to (reference counts,
    caches, the kept figures): ~110 ms against ~78 for the next ones, in each worker
    (``/tmp/s21/firstbuild.py``, 6-year /gap ranges), and in the mixed load the second worker's first
    build was its slowest answer. Building the same answers once more here pays it before the pool is
    ready; the memory is the same as after any first build."""
    global built_at_start
    build_busiest()
    built_at_start += 1
    gc.collect()
    heap.trim()


if __name__ != "__main__":  # preloaded by the fork server: warm once, before any worker is forked
    warm()
