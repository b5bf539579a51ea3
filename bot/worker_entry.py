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


def warm() -> None:
    """Import every command module and draw once: fonts and caches loaded before anyone asks."""
    import pandas as pd

    from commands.charts import gap_chart
    from commands.registry import default_registry

    default_registry()
    frame = pd.DataFrame(
        {"small": [1.0, 1.1], "large": [1.0, 1.05]}, index=pd.date_range("2026-01-01", periods=2)
    )
    gap_chart(frame, "small", "large", "warm-up", "2026-01-02")
    # Everything imported so far lives as long as the worker: keep it out of the collector's way
    # (full collections over matplotlib's object graph showed up as 100 ms stalls at p95), and out
    # of its writes, so forked workers keep sharing these pages with the fork server.
    gc.freeze()


if __name__ != "__main__":  # preloaded by the fork server: warm once, before any worker is forked
    warm()
