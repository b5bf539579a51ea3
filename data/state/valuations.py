"""P/E figures members record for their server (/valuation record|remove), numbered per server."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select

from ..valuations import Observation
from .base import Base, next_number
from .quotas import Cap, check_cap
from .schema import valuations


class ValuationStore(Base):
    async def add_valuation(
        self, guild_id: int, obs: Observation, now: dt.datetime, cap: Cap | None = None
    ) -> int:
        """Store a member's figures; returns their number in the server (never reused). With ``cap``,
        :class:`OverQuota` when the member or the server already holds as many as it allows: counted
        after the server's number row is locked, so concurrent records from any process queue."""
        async with self.engine.begin() as conn:
            number = await next_number(conn, guild_id, "valuation")  # the server's lock, to the commit
            if cap is not None:
                await check_cap(
                    conn, valuations.c.recorded_by, valuations.c.guild_id == guild_id, obs.recorded_by, cap
                )
            await conn.execute(
                valuations.insert().values(
                    number=number,
                    guild_id=guild_id,
                    small_pe=obs.small_pe,
                    large_pe=obs.large_pe,
                    basis=obs.basis,
                    large_basis=obs.large_basis,
                    excludes_losses=obs.excludes_losses,
                    source=obs.source,
                    as_of=obs.as_of.isoformat(),
                    recorded_by=obs.recorded_by,
                    recorded_at=now.isoformat(),
                )
            )
        return number

    async def valuations(self, guild_id: int) -> list[Observation]:
        rows = await self._rows(select(valuations).order_by(valuations.c.number), valuations, guild_id)
        return [
            Observation(
                r.small_pe,
                r.large_pe,
                r.basis,
                r.large_basis,
                r.excludes_losses,
                r.source,
                dt.date.fromisoformat(r.as_of),
                "recorded",
                r.number,
                r.recorded_by,
            )
            for r in rows
        ]

    async def remove_valuation(self, guild_id: int, number: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                valuations.delete().where(
                    and_(valuations.c.guild_id == guild_id, valuations.c.number == number)
                )
            )
