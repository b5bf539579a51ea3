"""Channels subscribed to the daily update, with the newest session each has been sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select, update

from ..db import insert_for
from ..dialect import exclusive
from .base import Base
from .quotas import Cap, check_cap
from .schema import deliveries, subscriptions


@dataclass(frozen=True)
class Subscription:
    channel_id: int
    guild_id: int
    post_time: str | None  # "HH:MM" in ``timezone``; None = right after the session's close
    timezone: str
    thread: bool
    created_by: int
    problem: str | None = None
    last_session: str | None = None  # newest session posted
    created_at: dt.datetime | None = None


class SubscriptionStore(Base):
    async def subscribe(self, sub: Subscription, now: dt.datetime, cap: Cap | None = None) -> bool:
        """Create or change a channel's subscription; False (nothing written) when the channel's row
        belongs to another server: an update never moves a subscription between servers. With
        ``cap``, :class:`OverQuota` when a *new* channel would pass it (changing one adds nothing),
        counted under a lock on the server's subscriptions every process shares."""
        values = {
            "channel_id": sub.channel_id,
            "guild_id": sub.guild_id,
            "post_time": sub.post_time,
            "timezone": sub.timezone,
            "thread": sub.thread,
            "active": True,
            "created_by": sub.created_by,
            "created_at": now.isoformat(),
            "problem": None,
        }
        stmt = insert_for(self.engine)(subscriptions).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["channel_id"],
            set_={k: stmt.excluded[k] for k in values if k not in ("channel_id", "guild_id", "created_at")},
            where=subscriptions.c.guild_id == stmt.excluded.guild_id,
        )
        if cap is None:
            async with self.engine.begin() as conn:
                result = await conn.execute(stmt)
            return result.rowcount == 1
        async with exclusive(self.engine, f"quota:subscriptions:{sub.guild_id}") as conn:
            active_here = and_(subscriptions.c.guild_id == sub.guild_id, subscriptions.c.active.is_(True))
            this = subscriptions.c.channel_id == sub.channel_id
            if (
                await conn.execute(select(subscriptions.c.channel_id).where(active_here, this))
            ).first() is None:
                await check_cap(
                    conn, subscriptions.c.created_by, and_(active_here, ~this), sub.created_by, cap
                )
            result = await conn.execute(stmt)
        return result.rowcount == 1

    async def unsubscribe(self, guild_id: int, channel_id: int) -> bool:
        """Stop a channel's subscription, only from the server it belongs to."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(subscriptions)
                .where(
                    and_(
                        subscriptions.c.guild_id == guild_id,
                        subscriptions.c.channel_id == channel_id,
                        subscriptions.c.active.is_(True),
                    )
                )
                .values(active=False)
            )
        return result.rowcount == 1

    async def subscriptions(self, guild_id: int | None = None) -> list[Subscription]:
        """Active subscriptions (of one guild, or all) with the newest session posted to each."""
        last = (
            select(deliveries.c.channel_id, func.max(deliveries.c.session).label("last_session"))
            .where(deliveries.c.status == "sent")
            .group_by(deliveries.c.channel_id)
            .subquery()
        )
        query = (
            select(subscriptions, last.c.last_session)
            .outerjoin(last, last.c.channel_id == subscriptions.c.channel_id)
            .where(subscriptions.c.active.is_(True))
            .order_by(subscriptions.c.channel_id)
        )
        rows = await self._rows(query, subscriptions, guild_id)
        return [
            Subscription(
                r.channel_id,
                r.guild_id,
                r.post_time,
                r.timezone,
                r.thread,
                r.created_by,
                r.problem,
                r.last_session,
                dt.datetime.fromisoformat(r.created_at),
            )
            for r in rows
        ]

    async def set_problem(self, channel_id: int, problem: str | None) -> None:
        """Record why posting to the channel fails (cut to the column's 300 characters, which
        PostgreSQL enforces and SQLite does not), or None once it works again."""
        problem = problem[:300] if problem else problem
        async with self.engine.begin() as conn:
            await conn.execute(
                update(subscriptions).where(subscriptions.c.channel_id == channel_id).values(problem=problem)
            )
