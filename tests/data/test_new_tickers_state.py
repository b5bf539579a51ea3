"""Each server's daily allowance of new tickers, in the state database (issue 24, finding 12).

On both backends, and from two stores at once (two processes of one deployment): the allowance
holds exactly, a ticker counted today is not counted again, other servers and days are separate.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from data.db import create_engine
from data.state import StateStore

DAY = dt.date(2026, 8, 10)


async def test_at_most_the_limit_a_day_per_server(state):
    assert [await state.take_new_ticker(1, t, DAY, 3) for t in ("A", "B", "C")] == [True] * 3
    assert not await state.take_new_ticker(1, "D", DAY, 3)
    assert await state.take_new_ticker(1, "B", DAY, 3)  # counted already: no second count
    assert await state.take_new_ticker(2, "D", DAY, 3)  # another server's allowance
    assert await state.take_new_ticker(1, "D", DAY + dt.timedelta(days=1), 3)  # a new day
    assert not await state.take_new_ticker(1, "E", DAY, 0)  # none allowed


async def test_two_processes_at_once_never_exceed_it(state, state_url):
    other = StateStore(create_engine(state_url))
    await other.open()
    try:
        takes = [
            (state if n % 2 else other).take_new_ticker(7, f"T{n}", DAY, 3) for n in range(10)
        ]
        results = await asyncio.gather(*takes)
    finally:
        await other.close()
    assert sum(results) == 3


async def test_thirty_new_tickers_at_once_are_all_counted(state):
    """30 members naming 30 new tickers at once: every one counted, none failing on a busy lock."""
    results = await asyncio.gather(*(state.take_new_ticker(9, f"N{n}", DAY, 1000) for n in range(30)))
    assert all(results)
    assert not await state.take_new_ticker(9, "LAST", DAY, 30)
