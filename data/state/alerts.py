"""Alerts members set on a signal (/alert add|list|remove), numbered per database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select, update

from .base import Base, next_id
from .schema import alerts


@dataclass(frozen=True)
class Alert:
    guild_id: int
    channel_id: int
    signal: str
    threshold: float | None
    direction: str | None
    created_by: int
    id: int | None = None
    created_at: dt.datetime | None = None


class AlertStore(Base):
    async def add_alert(self, alert: Alert, now: dt.datetime) -> int:
        async with self.engine.begin() as conn:
            new_id = await next_id(conn, alerts)
            await conn.execute(
                alerts.insert().values(
                    id=new_id,
                    guild_id=alert.guild_id,
                    channel_id=alert.channel_id,
                    signal=alert.signal,
                    threshold=alert.threshold,
                    direction=alert.direction,
                    created_by=alert.created_by,
                    created_at=now.isoformat(),
                    active=True,
                )
            )
        return new_id

    async def alerts(self, guild_id: int | None = None) -> list[Alert]:
        query = select(alerts).where(alerts.c.active.is_(True)).order_by(alerts.c.id)
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
            )
            for r in rows
        ]

    async def remove_alert(self, guild_id: int, alert_id: int) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(alerts)
                .where(
                    and_(alerts.c.guild_id == guild_id, alerts.c.id == alert_id, alerts.c.active.is_(True))
                )
                .values(active=False)
            )
        return result.rowcount == 1
