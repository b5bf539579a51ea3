"""Team calls as stored: who called which side over which window, where, and nothing else.

A call is a record the team learns from, so it is never edited: the only change after it is made is
its withdrawal (within minutes, by its caller; the row stays, marked). Its result is not stored: it
is a pure function of the market data and the call's terms (``commands.calls``), so a corrected
close corrects every score. Delivery of the result goes through the state store's ledger
("calls", keyed by call id and the window's end session) like the daily update and the alerts.

Each call has a database id (the ledger's key, never shown) and a number per server (what members
type: "/call-withdraw number:3"). Tables and migration: :mod:`.schema`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select, update

from .base import Base, next_number
from .quotas import Cap, check_cap
from .schema import call_deliveries, calls


@dataclass(frozen=True)
class Call:
    guild_id: int
    channel_id: int  # where it was made (a thread or a channel): the result is posted there
    parent_id: int | None  # a thread's parent channel: the fallback when the thread is gone
    user_id: int
    user_name: str
    side: str  # "small" | "large": the side called to lead
    horizon: str  # "1w" | "1m" | "3m" | "6m" | "1y"
    small: str
    large: str
    start: dt.date  # the window's base close: the first close after the call
    end: dt.date  # the close the call is resolved on
    made_at: dt.datetime
    note: str | None = None
    id: int | None = None
    number: int | None = None
    withdrawn_at: dt.datetime | None = None


def _call(r) -> Call:
    return Call(
        r.guild_id,
        r.channel_id,
        r.parent_id,
        r.user_id,
        r.user_name,
        r.side,
        r.horizon,
        r.small,
        r.large,
        dt.date.fromisoformat(r.start_session),
        dt.date.fromisoformat(r.end_session),
        dt.datetime.fromisoformat(r.made_at),
        r.note,
        r.id,
        r.number,
        dt.datetime.fromisoformat(r.withdrawn_at) if r.withdrawn_at else None,
    )


class TooManyOpen(Exception):
    """The member already has the maximum of open calls on this pair and horizon."""

    def __init__(self, open_calls: list[Call]) -> None:
        self.open_calls = open_calls
        super().__init__(f"{len(open_calls)} open calls")


class CallStore(Base):
    async def add_call(
        self, call: Call, *, max_open: int, open_from: dt.date, cap: Cap | None = None
    ) -> Call:
        """Store a call unless its maker already has ``max_open`` calls on the same pair and horizon
        whose window ends on or after ``open_from`` (not withdrawn), or (with ``cap``) as many open
        calls as a member or the server may hold (:class:`OverQuota`). The server's number is taken
        first: its counter row stays locked to the commit (the write lock on SQLite), so the counts
        that follow see every concurrent call from any process, and a refusal rolls the number back."""
        same = and_(
            calls.c.guild_id == call.guild_id,
            calls.c.user_id == call.user_id,
            calls.c.small == call.small,
            calls.c.large == call.large,
            calls.c.horizon == call.horizon,
            calls.c.withdrawn_at.is_(None),
            calls.c.end_session >= open_from.isoformat(),
        )
        async with self.engine.begin() as conn:
            number = await next_number(conn, call.guild_id, "call")  # the server's lock, to the commit
            existing = [_call(r) for r in (await conn.execute(select(calls).where(same))).all()]
            if len(existing) >= max_open:
                raise TooManyOpen(existing)
            if cap is not None:
                standing = and_(
                    calls.c.guild_id == call.guild_id,
                    calls.c.withdrawn_at.is_(None),
                    calls.c.end_session >= open_from.isoformat(),
                )
                await check_cap(conn, calls.c.user_id, standing, call.user_id, cap)
            new_id = (
                await conn.execute(
                    calls.insert()
                    .values(
                        guild_id=call.guild_id,
                        number=number,
                        channel_id=call.channel_id,
                        parent_id=call.parent_id,
                        user_id=call.user_id,
                        user_name=call.user_name[:100],
                        side=call.side,
                        horizon=call.horizon,
                        small=call.small,
                        large=call.large,
                        start_session=call.start.isoformat(),
                        end_session=call.end.isoformat(),
                        made_at=call.made_at.isoformat(),
                        note=call.note[:200] if call.note else None,
                    )
                    .returning(calls.c.id)
                )
            ).scalar_one()
        return Call(**{**call.__dict__, "id": new_id, "number": number})

    async def call(self, guild_id: int, number: int) -> Call | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(calls).where(and_(calls.c.guild_id == guild_id, calls.c.number == number))
                )
            ).first()
        return _call(row) if row else None

    async def withdraw_call(self, call: Call, now: dt.datetime) -> bool:
        """Mark a call withdrawn (the caller checks who and when); False if it already was."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(calls)
                .where(and_(calls.c.id == call.id, calls.c.withdrawn_at.is_(None)))
                .values(withdrawn_at=now.isoformat())
            )
        return result.rowcount == 1

    async def calls(self, guild_id: int | None = None, user_id: int | None = None) -> list[Call]:
        """Calls that stand (not withdrawn), oldest first; of one server and one member when given."""
        query = select(calls).where(calls.c.withdrawn_at.is_(None)).order_by(calls.c.id)
        if guild_id is not None:
            query = query.where(calls.c.guild_id == guild_id)
        if user_id is not None:
            query = query.where(calls.c.user_id == user_id)
        async with self.engine.connect() as conn:
            return [_call(r) for r in (await conn.execute(query)).all()]

    async def due_calls(self, last_session: dt.date) -> list[Call]:
        """Standing calls whose window ended by ``last_session`` and whose result is not yet posted
        (or given up on): what the delivery engine resolves."""
        done = select(call_deliveries.c.call_id).where(call_deliveries.c.status.in_(("sent", "failed")))
        query = (
            select(calls)
            .where(
                and_(
                    calls.c.withdrawn_at.is_(None),
                    calls.c.end_session <= last_session.isoformat(),
                    calls.c.id.not_in(done),
                )
            )
            .order_by(calls.c.end_session, calls.c.id)
        )
        async with self.engine.connect() as conn:
            return [_call(r) for r in (await conn.execute(query)).all()]
