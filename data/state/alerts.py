"""Alerts members set on a signal (/alert add|list|remove).

Each has a database id (the alert ledger's key, never reused) and a per-server number, the one
members see and type ("alert #3"), handed out by :func:`.base.next_number`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select, update

from .base import Base, next_number
from .quotas import Cap, check_cap
from .schema import alerts


@dataclass(frozen=True)
class Alert:
    guild_id: int
    channel_id: int
    signal: str
    threshold: float | None
    direction: str | None
    created_by: int
    id: int | None = None  # the database's
    created_at: dt.datetime | None = None
    number: int | None = None  # the server's


class AlertStore(Base):
    async def add_alert(self, alert: Alert, now: dt.datetime, cap: Cap | None = None) -> Alert:
        """Store ``alert``; returns it with its id and its number in the server. With ``cap``,
        :class:`OverQuota` when the member or the server already has as many active alerts as it
        allows (counted under the server's number row, so concurrent adds queue)."""
        async with self.engine.begin() as conn:
            number = await next_number(conn, alert.guild_id, "alert")  # the server's lock, to the commit
            if cap is not None:
                active = and_(alerts.c.guild_id == alert.guild_id, alerts.c.active.is_(True))
                await check_cap(conn, alerts.c.created_by, active, alert.created_by, cap)
            new_id = (
                await conn.execute(
                    alerts.insert()
                    .values(
                        number=number,
                        guild_id=alert.guild_id,
                        channel_id=alert.channel_id,
                        signal=alert.signal,
                        threshold=alert.threshold,
                        direction=alert.direction,
                        created_by=alert.created_by,
                        created_at=now.isoformat(),
                        active=True,
                    )
                    .returning(alerts.c.id)
                )
            ).scalar_one()
        return dataclasses.replace(alert, id=new_id, number=number, created_at=now)

    async def alerts(self, guild_id: int | None = None) -> list[Alert]:
        query = select(alerts).where(alerts.c.active.is_(True)).order_by(alerts.c.guild_id, alerts.c.number)
        rows = await self._rows(query, alerts, guild_id)
        return [
            Alert(
                r.guild_id,
                r.channel_id,
                r.signal,
                r.threshold,
                r.direction,
                r.created_by,
                r.id,
                dt.datetime.fromisoformat(r.created_at),
                r.number,
            )
            for r in rows
        ]

    async def remove_alert(self, guild_id: int, number: int) -> bool:
        """Deactivate the server's alert #``number`` (kept: its ledger rows refer to it)."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(alerts)
                .where(
                    and_(alerts.c.guild_id == guild_id, alerts.c.number == number, alerts.c.active.is_(True))
                )
                .values(active=False)
            )
        return result.rowcount == 1
