"""The thread grammar's speed: every phrasing of its table (tests/commands/chat/test_table.py) read
``rounds`` times, refusals included, each timed alone. The target is p99 < 2 ms per message: reading
runs on the event loop, so a slow grammar would stall every other answer."""

from __future__ import annotations

import contextlib
import time

from commands.chat import read_many
from commands.reply import UserError


def read_times(rounds: int = 20) -> dict:
    from tests.commands.chat.test_table import LANDMARKS, LATEST, TABLE, TICKERS

    times: list[float] = []
    for _ in range(rounds):
        for text, _expected in TABLE:
            start = time.perf_counter()
            with contextlib.suppress(UserError):  # a refusal is a reading too, and timed like one
                read_many(text, TICKERS, LATEST, None, LANDMARKS)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    return {"n": len(times), "phrasings": len(TABLE), "p50": pick(0.5), "p99": pick(0.99), "max": times[-1]}


def rows(g: dict) -> list[tuple[str, str, str]]:
    return [
        (
            f"thread grammar: one message read, p50 / p99 / max ({g['phrasings']} phrasings, n={g['n']})",
            f"{g['p50']:.2f} / {g['p99']:.2f} / {g['max']:.2f} ms",
            "p99 < 2 ms",
        )
    ]


if __name__ == "__main__":
    figures = read_times()
    for row in rows(figures):
        print("  ".join(row))
