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


def warm() -> None:
    """Import every command module and draw the busiest charts once, on made-up data: fonts, caches
    and the kept figures (:mod:`commands.charts.kept`) exist before anyone asks.

    The kept figures are made here, once, and every worker forked from this server starts with them.
    Warmed with a two-session chart only, each worker made its own on its first build of each kind,
    and those first builds were the mixed load's slowest answers: /digest at 242 and 245 ms, against
    187 and 200 ms for the slowest with this warm-up (two runs each of ``python -m bench.serve``)."""
    import numpy as np
    import pandas as pd

    from commands.charts import digest_chart, gap_chart, streak_chart
    from commands.registry import default_registry

    default_registry()
    days = pd.bdate_range("2025-01-01", periods=300)
    walk = np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, (len(days), 2)), axis=0))
    frame = pd.DataFrame(walk, index=days, columns=["small", "large"])
    ratio = frame["small"] / frame["large"]
    spread = frame.pct_change().fillna(0.0).pipe(lambda r: r["small"] - r["large"])
    gap_chart(frame, "small", "large", "warm-up", "2026-01-02")
    gap_chart(frame.iloc[:2], "small", "large", "warm-up", "2026-01-02")  # one session: bars
    streak_chart(spread, days[-5], "warm-up", "2026-01-02")
    digest_chart(ratio, ratio.rolling(50).mean(), ratio.rolling(200).mean(), spread, days[-5], "warm-up", "x")
    # Everything imported so far lives as long as the worker: keep it out of the collector's way
    # (full collections over matplotlib's object graph showed up as 100 ms stalls at p95), and out
    # of its writes, so forked workers keep sharing these pages with the fork server.
    gc.collect()  # the warm-up's own garbage (the bar chart's figure), not frozen forever with the rest
    gc.freeze()
    heap.trim()  # the warm-up's freed heap: else each worker inherits it and the server keeps it (2 MiB)


if __name__ != "__main__":  # preloaded by the fork server: warm once, before any worker is forked
    warm()
