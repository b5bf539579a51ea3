"""Each server's daily allowance of new tickers: ones the market cache has never held.

In live mode any ticker anyone names is fetched from the source and stored (issue 24, finding 12):
a server could fill the cache and the source's patience alone. A server may have at most ``limit``
tickers fetched for the first time per UTC day. The count lives in the state database, taken under
a lock no other process holds at the same time (``dialect.exclusive``), so it holds across every
process of a deployment; a ticker already counted today for the server is not counted again.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import and_, delete, func, select

from ..dialect import exclusive, insert_for, retry_when_busy
from .base import Base
from .schema import new_tickers


class NewTickerStore(Base):
    async def take_new_ticker(self, guild_id: int, ticker: str, day: dt.date, limit: int) -> bool:
        """Count ``ticker`` against ``guild_id``'s allowance for ``day``: False when it is spent.

        One at a time in this process, and retried while SQLite says busy: 30 members naming 30 new
        tickers at once had 30 connections contend for SQLite's exclusive lock, and some waited past
        the 10 s busy timeout ("database is locked", an apology to the member)."""
        lock = self.__dict__.setdefault("_new_tickers_lock", asyncio.Lock())
        async with lock:
            return await retry_when_busy(lambda: self._take_new_ticker(guild_id, ticker, day, limit))

    async def _take_new_ticker(self, guild_id: int, ticker: str, day: dt.date, limit: int) -> bool:
        here = and_(new_tickers.c.guild_id == guild_id, new_tickers.c.day == day.isoformat())
        async with exclusive(self.engine, f"new-tickers:{guild_id}") as conn:
            mine = select(new_tickers.c.ticker).where(here, new_tickers.c.ticker == ticker)
            if (await conn.execute(mine)).first() is not None:
                return True
            counted = select(func.count()).select_from(new_tickers).where(here)
            count = (await conn.execute(counted)).scalar_one()
            if count >= limit:
                return False
            row = {"guild_id": guild_id, "day": day.isoformat(), "ticker": ticker}
            await conn.execute(insert_for(self.engine)(new_tickers).values(**row).on_conflict_do_nothing())
            # a day's rows are needed only that day: the older ones go as the first of a day arrives
            if count == 0:
                await conn.execute(delete(new_tickers).where(new_tickers.c.day < day.isoformat()))
        return True
