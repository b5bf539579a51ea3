"""The thread grammar's speed: every phrasing of its table (tests/commands/chat/test_table.py) read
``rounds`` times, refusals included, each timed alone, in CPU time and wall time. The target is
p99 < 2 ms per message: reading runs on the event loop, so a slow grammar would stall every other
answer. ``python -m bench --only grammar`` or ``python -m bench.grammar``."""

from __future__ import annotations

import contextlib
import time

from commands.chat import read_many
from commands.reply import UserError


def read_times(rounds: int = 20) -> dict:
    from tests.commands.chat.test_table import LANDMARKS, LATEST, TABLE, TICKERS

    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for text, _expected in TABLE:
            start, start_cpu = time.perf_counter(), time.thread_time()
            with contextlib.suppress(UserError):  # a refusal is a reading too, and timed like one
                read_many(text, TICKERS, LATEST, None, LANDMARKS)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return {"n": len(wall), "phrasings": len(TABLE), "wall": _quantiles(wall), "cpu": _quantiles(cpu)}


def _quantiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    return {"p50": pick(0.5), "p99": pick(0.99), "max": times[-1]}


def rows(g: dict) -> list[tuple[str, str, str]]:
    """Wall time is what a message waited; CPU time (this thread's) is what reading it cost, without
    the time the machine gave to other processes, which on a shared host dominates the tail."""
    fmt = lambda q: f"{q['p50']:.2f} / {q['p99']:.2f} / {q['max']:.2f} ms"  # noqa: E731
    name = f"thread grammar: one message read ({g['phrasings']} phrasings, n={g['n']})"
    return [
        (f"{name}: CPU p50 / p99 / max", fmt(g["cpu"]), "p99 < 2 ms"),
        ("  wall p50 / p99 / max", fmt(g["wall"]), ""),
    ]


if __name__ == "__main__":
    figures = read_times()
    for row in rows(figures):
        print("  ".join(row))
