"""The market-data cache: raw bars per (ticker, session, source) in SQLite (or any SQLAlchemy URL).

What is stored never goes stale by itself: raw closes, dividends and splits. Adjusted closes are
derived on read (see :mod:`data.frames`), so a new dividend never leaves a half-adjusted history
behind. The cache is disposable: deleting the file only costs a refetch (the bundled snapshot is
reloaded at once); user state lives in a different database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    MetaData,
    String,
    Table,
    and_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DatabaseError
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import Migration, insert_for, migrate, quick_check, set_aside, sqlite_path
from .dialect import is_busy, retry_when_busy
from .frames import BAR_COLUMNS, empty_bars
from .provenance import bar_providers
from .versions import STATS_SQL, BarStats

log = logging.getLogger(__name__)

MIGRATIONS: list[Migration] = [
    (
        1,
        "bars: raw daily bars per source",
        [
            """CREATE TABLE bars (
                ticker VARCHAR(32) NOT NULL,
                session VARCHAR(10) NOT NULL,
                source VARCHAR(16) NOT NULL,
                open DOUBLE PRECISION, high DOUBLE PRECISION, low DOUBLE PRECISION,
                close DOUBLE PRECISION, adj_close DOUBLE PRECISION, volume DOUBLE PRECISION,
                dividends DOUBLE PRECISION NOT NULL DEFAULT 0,
                splits DOUBLE PRECISION NOT NULL DEFAULT 0,
                final BOOLEAN NOT NULL,
                fetched_at VARCHAR(32) NOT NULL,
                PRIMARY KEY (ticker, source, session)
            )""",
        ],
    ),
    (
        2,
        "fetch_log: last live attempt per ticker, for staleness notes and back-off",
        [
            """CREATE TABLE fetch_log (
                ticker VARCHAR(32) PRIMARY KEY,
                last_attempt VARCHAR(32) NOT NULL,
                last_success VARCHAR(32),
                last_error VARCHAR(400)
            )""",
        ],
    ),
    (
        3,
        "applied_splits: each split rescales the stored history once, whoever sees it first",
        [
            """CREATE TABLE applied_splits (
                ticker VARCHAR(32) NOT NULL,
                source VARCHAR(16) NOT NULL,
                session VARCHAR(10) NOT NULL,
                ratio DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (ticker, source, session)
            )""",
        ],
    ),
    (
        4,
        "indexes that make a ticker's data version a few index lookups instead of a scan",
        [
            "CREATE INDEX bars_fetched ON bars (ticker, source, fetched_at)",
            "CREATE INDEX bars_provisional ON bars (ticker, source, fetched_at) WHERE final = false",
            "CREATE INDEX bars_splits ON bars (ticker, source, session) WHERE splits <> 0 AND splits <> 1",
        ],
    ),
    (
        5,
        "bar_providers, disagreements: which provider gave each live close, and where two disagreed",
        [
            """CREATE TABLE bar_providers (
                ticker VARCHAR(32) NOT NULL,
                session VARCHAR(10) NOT NULL,
                provider VARCHAR(16) NOT NULL,
                close DOUBLE PRECISION NOT NULL,
                recorded_at VARCHAR(32) NOT NULL,
                PRIMARY KEY (ticker, session, provider)
            )""",
            """CREATE TABLE disagreements (
                ticker VARCHAR(32) NOT NULL,
                session VARCHAR(10) NOT NULL,
                provider_a VARCHAR(16) NOT NULL,
                close_a DOUBLE PRECISION NOT NULL,
                provider_b VARCHAR(16) NOT NULL,
                close_b DOUBLE PRECISION NOT NULL,
                noted_at VARCHAR(32) NOT NULL,
                PRIMARY KEY (ticker, session, provider_a, provider_b)
            )""",
        ],
    ),
    (
        6,
        "ticker_use: when each ticker was last asked for, so the size budget evicts the least recent",
        [
            """CREATE TABLE ticker_use (
                ticker VARCHAR(32) PRIMARY KEY,
                last_used VARCHAR(32) NOT NULL
            )""",
        ],
    ),
]
SCHEMA_VERSION = max(v for v, _, _ in MIGRATIONS)

_meta = MetaData()
bars = Table(
    "bars",
    _meta,
    Column("ticker", String, primary_key=True),
    Column("source", String, primary_key=True),
    Column("session", String, primary_key=True),
    *(Column(c, Float) for c in BAR_COLUMNS),
    Column("final", Boolean),
    Column("fetched_at", String),
)
applied_splits = Table(
    "applied_splits",
    _meta,
    Column("ticker", String, primary_key=True),
    Column("source", String, primary_key=True),
    Column("session", String, primary_key=True),
    Column("ratio", Float),
)
fetch_log = Table(
    "fetch_log",
    _meta,
    Column("ticker", String, primary_key=True),
    Column("last_attempt", String),
    Column("last_success", String),
    Column("last_error", String),
)


ticker_use = Table(
    "ticker_use",
    _meta,
    Column("ticker", String, primary_key=True),
    Column("last_used", String),
)
# What a stored bar costs where the size cannot be read from the database (not SQLite): measured on
# SQLite, the bundled snapshot's 223,274 rows in 10,211 pages of 4 KiB, indexes included (187 bytes).
ROW_BYTES = 190


@dataclass(frozen=True)
class FetchLog:
    last_attempt: dt.datetime
    last_success: dt.datetime | None
    last_error: str | None


def _one_writer(method: Any) -> Any:
    """This process's writes to the cache, one at a time: 30 members naming 30 new tickers at once had
    30 connections wait on SQLite's write lock, and those past its 10 s busy timeout failed
    ("database is locked", an apology each: 86 of 300 answers by hand). Queued here, they only wait."""

    @functools.wraps(method)
    async def one_at_a_time(self: PriceCache, *args: Any, **kwargs: Any) -> Any:
        async with self._writing:
            return await method(self, *args, **kwargs)

    return one_at_a_time


class PriceCache:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._writing = asyncio.Lock()

    async def open(self) -> int:
        """Migrate; a cache SQLite cannot read is set aside (renamed, never deleted) and rebuilt:
        the cache only ever holds what can be fetched or reloaded again."""
        try:
            await retry_when_busy(lambda: quick_check(self.engine))
            return await migrate(self.engine, MIGRATIONS, scope="cache")
        except DatabaseError as exc:
            path = sqlite_path(self.engine)
            if path is None or is_busy(exc):  # locked by another process is not damaged
                raise
            await self.engine.dispose()
            aside = set_aside(path)
            log.warning("cache %s unreadable (%s): moved to %s, rebuilding", path, exc.orig, aside)
            return await migrate(self.engine, MIGRATIONS, scope="cache")

    async def close(self) -> None:
        await self.engine.dispose()

    async def load(
        self, ticker: str, source: str, columns: Sequence[str] = tuple(BAR_COLUMNS)
    ) -> pd.DataFrame:
        """Stored bars (``columns`` of :data:`BAR_COLUMNS`) with two extra columns: ``final`` and
        ``fetched_at``. Reading only the columns a caller uses saves time on the loop and memory for
        as long as the frame is kept (the market data keeps every ticker's)."""
        query = (
            select(bars.c.session, *(bars.c[c] for c in columns), bars.c.final, bars.c.fetched_at)
            .where(and_(bars.c.ticker == ticker, bars.c.source == source))
            .order_by(bars.c.session)
        )
        # Streamed in chunks, each turned into arrays before the next is read: 25,000 rows fetched at
        # once were ~200,000 Python objects alive together, 15-20 MiB the allocator then kept, and a
        # 40 ms stretch of the event loop (a chunk is ~5 ms).
        chunks: list[_Chunk] = []
        stamps: dict[str, str] = {}
        async with self.engine.connect() as conn:
            result = await conn.stream(query)
            async for rows in result.partitions(LOAD_CHUNK):
                chunks.append(_Chunk.of(rows, len(columns), stamps))
        return _frame(chunks, columns)

    async def stats(self, ticker: str) -> dict[str, BarStats]:
        """Per source, what identifies the stored rows (for data versions): one indexed query."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(text(STATS_SQL), {"ticker": ticker})).all()
        return {row[0]: BarStats.from_row(tuple(row)) for row in rows}

    @_one_writer
    async def store(
        self, ticker: str, source: str, frame: pd.DataFrame, final: pd.Series, fetched_at: dt.datetime
    ) -> int:
        """Upsert bars; a stored final row is never overwritten by a provisional one."""
        if frame.empty:
            return 0
        final = final.reindex(frame.index).fillna(False).astype(bool)
        stmt = insert_for(self.engine)(bars)
        stmt = stmt.on_conflict_do_update(
            index_elements=["ticker", "source", "session"],
            set_={c: stmt.excluded[c] for c in [*BAR_COLUMNS, "final", "fetched_at"]},
            where=bars.c.final.is_(False) | stmt.excluded.final.is_(True),
        )
        # One transaction, in slices: the snapshot's 25,000 rows as parameter dicts all at once were
        # the bot's largest allocation (its peak memory, on a deployment's first start).
        async with self.engine.begin() as conn:
            for start in range(0, len(frame), STORE_CHUNK):
                part = frame.iloc[start : start + STORE_CHUNK]
                records = part[BAR_COLUMNS].astype(object).where(part[BAR_COLUMNS].notna(), None)
                records.insert(0, "session", part.index.strftime("%Y-%m-%d"))
                records["final"] = final.iloc[start : start + STORE_CHUNK].to_numpy()
                records["ticker"] = ticker
                records["source"] = source
                records["fetched_at"] = fetched_at.isoformat()
                await conn.execute(stmt, records.to_dict("records"))
        return len(frame)

    @_one_writer
    async def rescale_before(self, ticker: str, source: str, session: dt.date, ratio: float) -> bool:
        """Apply a new split of ``ratio`` (2.0 for 2-for-1) to every stored row before ``session``;
        False if it was applied before (by this process or another): a split divides the history once.

        Yahoo's raw closes and dividends are split-adjusted, so a split retroactively divides every
        earlier price and dividend and multiplies volume. The record of the split and the rescale are
        one transaction, so a crash leaves both or neither.
        """
        mark = (
            insert_for(self.engine)(applied_splits)
            .values(ticker=ticker, source=source, session=session.isoformat(), ratio=ratio)
            .on_conflict_do_nothing(index_elements=["ticker", "source", "session"])
        )
        where = and_(bars.c.ticker == ticker, bars.c.source == source, bars.c.session < session.isoformat())
        values = {c: bars.c[c] / ratio for c in ("open", "high", "low", "close", "adj_close", "dividends")}
        values["volume"] = bars.c.volume * ratio
        async with self.engine.begin() as conn:
            marked = await conn.execute(mark)
            if not marked.rowcount:
                log.info("split of %s on %s was applied before: not rescaling again", ticker, session)
                return False
            await conn.execute(update(bars).where(where).values(**values))
        return True

    @_one_writer
    async def log_attempt(self, ticker: str, at: dt.datetime, error: str | None) -> None:
        stmt = insert_for(self.engine)(fetch_log).values(
            ticker=ticker,
            last_attempt=at.isoformat(),
            last_success=None if error else at.isoformat(),
            last_error=error,
        )
        changes = {"last_attempt": stmt.excluded.last_attempt, "last_error": stmt.excluded.last_error}
        if error is None:
            changes["last_success"] = stmt.excluded.last_success
        stmt = stmt.on_conflict_do_update(index_elements=["ticker"], set_=changes)
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    # -- the size budget (data.budget) --------------------------------------------------------

    @_one_writer
    async def touch(self, uses: dict[str, dt.datetime]) -> None:
        """Record when tickers were last asked for (a later time only ever replaces an earlier)."""
        if not uses:
            return
        stmt = insert_for(self.engine)(ticker_use)
        stmt = stmt.on_conflict_do_update(
            index_elements=["ticker"],
            set_={"last_used": stmt.excluded.last_used},
            where=ticker_use.c.last_used < stmt.excluded.last_used,
        )
        rows = [{"ticker": t, "last_used": at.isoformat()} for t, at in uses.items()]
        async with self.engine.begin() as conn:
            await conn.execute(stmt, rows)

    async def size_bytes(self) -> int:
        """The bytes the cache's data takes: SQLite's pages in use (free pages are reused, not
        counted); elsewhere its bars at :data:`ROW_BYTES` each."""
        async with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                pages = (await conn.exec_driver_sql("PRAGMA page_count")).scalar_one()
                free = (await conn.exec_driver_sql("PRAGMA freelist_count")).scalar_one()
                size = (await conn.exec_driver_sql("PRAGMA page_size")).scalar_one()
                return (pages - free) * size
            rows = (await conn.execute(text("SELECT count(*) FROM bars"))).scalar_one()
            return int(rows) * ROW_BYTES

    async def least_recent(self, keep: frozenset[str], limit: int = 20) -> list[str]:
        """Stored tickers not in ``keep``, least recently asked for first (never asked: first of all)."""
        query = text(
            "SELECT s.ticker FROM (SELECT DISTINCT ticker FROM bars) s "
            "LEFT JOIN ticker_use u ON u.ticker = s.ticker "
            "ORDER BY CASE WHEN u.last_used IS NULL THEN 0 ELSE 1 END, u.last_used, s.ticker"
        )
        out: list[str] = []
        async with self.engine.connect() as conn:
            for (ticker,) in await conn.execute(query):
                if ticker not in keep:
                    out.append(ticker)
                    if len(out) >= limit:
                        break
        return out

    @_one_writer
    async def drop(self, ticker: str) -> None:
        """Forget everything stored for ``ticker`` (its bars of every source, fetch log, applied
        splits, use, which provider gave each close): it is fetched afresh, whole, if anyone asks
        again. Disagreements between providers are kept: /about lists them."""
        async with self.engine.begin() as conn:
            for table in (bars, fetch_log, applied_splits, ticker_use, bar_providers):
                await conn.execute(table.delete().where(table.c.ticker == ticker))

    async def fetch_log(self, ticker: str) -> FetchLog | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(fetch_log).where(fetch_log.c.ticker == ticker))).first()
        if row is None:
            return None
        return FetchLog(
            dt.datetime.fromisoformat(row.last_attempt),
            dt.datetime.fromisoformat(row.last_success) if row.last_success else None,
            row.last_error,
        )


LOAD_CHUNK = 4096  # rows read and converted at a time by PriceCache.load
STORE_CHUNK = 4096  # rows written at a time by PriceCache.store (one transaction for all)


@dataclass(frozen=True)
class _Chunk:
    """Some stored rows as arrays: sessions, one float array per column, final, fetch stamps."""

    sessions: np.ndarray  # datetime64[D]
    values: tuple[np.ndarray, ...]
    final: np.ndarray
    fetched_at: list[str]

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]], width: int, stamps: dict[str, str]) -> _Chunk:
        # Column by column: handed SQLAlchemy's Row objects, pandas probes each one for namedtuple
        # fields, and every probe raises and catches an exception inside SQLAlchemy (200 of the
        # 270 ms that 24,000 rows took, on the event loop).
        session, *values = zip(*rows, strict=True)
        return cls(
            np.array(session, dtype="datetime64[D]"),
            tuple(np.asarray(values[i], dtype="float64") for i in range(width)),
            np.asarray(values[width], dtype=bool),
            # one string object per fetch, not per row: a store stamps all its rows alike, and the
            # frames stay in memory (2 of ^GSPC's 3 MiB were copies of one timestamp)
            [stamps.setdefault(v, v) for v in values[width + 1]],
        )


def _frame(chunks: Sequence[_Chunk], columns: Sequence[str]) -> pd.DataFrame:
    """The frame :meth:`PriceCache.load` returns, from its chunks in order."""
    if not chunks:
        frame = empty_bars()[list(columns)]
        frame["final"] = pd.Series(dtype=bool)
        frame["fetched_at"] = pd.Series(dtype=object)
        return frame
    index = pd.DatetimeIndex(
        np.concatenate([c.sessions for c in chunks]).astype("datetime64[ns]"), name="session"
    )
    frame = pd.DataFrame(
        {name: np.concatenate([c.values[i] for c in chunks]) for i, name in enumerate(columns)},
        index=index,
    )
    frame["final"] = np.concatenate([c.final for c in chunks])
    frame["fetched_at"] = pd.Series([s for c in chunks for s in c.fetched_at], index=frame.index)
    return frame
