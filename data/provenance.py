"""Which provider gave each live close, and where two providers disagreed on one (cache tables of
migration 5).

Every live row stored is also recorded here with its provider and raw close. When a second provider
later gives the same session (the fetch of a missing tail always re-asks the newest stored session,
so after a failover the two overlap), the closes are compared; a gap beyond the tolerance is logged
and kept for /about. The newest session's provider is what an answer's footer names. Disposable,
like the rest of the cache: deleting it loses only this bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Column, Float, MetaData, String, Table, and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from .dialect import insert_for

log = logging.getLogger(__name__)

DEFAULT_TOLERANCE = 0.001  # relative: closes from two providers further apart than 0.1 % disagree

_meta = MetaData()
bar_providers = Table(
    "bar_providers",
    _meta,
    Column("ticker", String, primary_key=True),
    Column("session", String, primary_key=True),
    Column("provider", String, primary_key=True),
    Column("close", Float),
    Column("recorded_at", String),
)
disagreements = Table(
    "disagreements",
    _meta,
    Column("ticker", String, primary_key=True),
    Column("session", String, primary_key=True),
    Column("provider_a", String, primary_key=True),
    Column("close_a", Float),
    Column("provider_b", String, primary_key=True),
    Column("close_b", Float),
    Column("noted_at", String),
)


@dataclass(frozen=True)
class Disagreement:
    ticker: str
    session: str
    provider_a: str
    close_a: float
    provider_b: str
    close_b: float

    @property
    def gap(self) -> float:
        return self.close_b / self.close_a - 1


class ProviderLedger:
    def __init__(self, engine: AsyncEngine, tolerance: float = DEFAULT_TOLERANCE) -> None:
        self.engine = engine
        self.tolerance = tolerance

    async def record(
        self, ticker: str, provider: str, closes: pd.Series, at: dt.datetime
    ) -> list[Disagreement]:
        """Record ``provider``'s closes; return (and keep) the sessions where another provider's
        close differs by more than the tolerance."""
        closes = closes.dropna()
        if closes.empty:
            return []
        sessions = [d.date().isoformat() for d in closes.index]
        rows = [
            {
                "ticker": ticker,
                "session": s,
                "provider": provider,
                "close": float(c),
                "recorded_at": at.isoformat(),
            }
            for s, c in zip(sessions, closes.to_numpy(), strict=True)
        ]
        others = select(bar_providers.c.session, bar_providers.c.provider, bar_providers.c.close).where(
            and_(
                bar_providers.c.ticker == ticker,
                bar_providers.c.provider != provider,
                bar_providers.c.session.in_(sessions),
            )
        )
        upsert = insert_for(self.engine)(bar_providers)
        upsert = upsert.on_conflict_do_update(
            index_elements=["ticker", "session", "provider"],
            set_={"close": upsert.excluded.close, "recorded_at": upsert.excluded.recorded_at},
        )
        found: list[Disagreement] = []
        async with self.engine.begin() as conn:
            mine = dict(zip(sessions, closes.to_numpy(), strict=True))
            for session, other, close in (await conn.execute(others)).all():
                ours = float(mine[session])
                if close and abs(ours / close - 1) > self.tolerance:
                    found.append(Disagreement(ticker, session, other, float(close), provider, ours))
            await conn.execute(upsert, rows)
            if found:
                keep = insert_for(self.engine)(disagreements)
                keep = keep.on_conflict_do_update(
                    index_elements=["ticker", "session", "provider_a", "provider_b"],
                    set_={
                        "close_a": keep.excluded.close_a,
                        "close_b": keep.excluded.close_b,
                        "noted_at": keep.excluded.noted_at,
                    },
                )
                await conn.execute(
                    keep,
                    [d.__dict__ | {"noted_at": at.isoformat()} for d in found],
                )
        for d in found:
            log.warning(
                "%s %s: %s closed at %.4f, %s at %.4f (%+.3f%%, beyond the %.3f%% tolerance)",
                d.ticker,
                d.session,
                d.provider_a,
                d.close_a,
                d.provider_b,
                d.close_b,
                d.gap * 100,
                self.tolerance * 100,
            )
        return found

    async def newest(self, ticker: str) -> str | None:
        """The provider of the newest recorded session (the latest recorded, when two gave it)."""
        query = (
            select(bar_providers.c.provider)
            .where(bar_providers.c.ticker == ticker)
            .order_by(bar_providers.c.session.desc(), bar_providers.c.recorded_at.desc())
            .limit(1)
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def disagreements(self, limit: int = 5) -> list[Disagreement]:
        query = (
            select(
                disagreements.c.ticker,
                disagreements.c.session,
                disagreements.c.provider_a,
                disagreements.c.close_a,
                disagreements.c.provider_b,
                disagreements.c.close_b,
            )
            .order_by(disagreements.c.noted_at.desc(), disagreements.c.session.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [Disagreement(*row) for row in (await conn.execute(query)).all()]
