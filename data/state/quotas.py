"""Paces (how often a member, and a server, may do something) reserved atomically in the shared
state database before the work starts, and released if the work fails; and quotas (how many records
one member, and one server, may hold) counted inside the transaction that stores one (:func:`check_cap`).

Counted in each process's memory, a pace held per process only: two bot processes let one member
make 7 valuation records in 10 minutes and open two threads in 2 minutes; and checked before the
work but counted after it, ten calls fired at once all passed the check before any was counted.
Here a use is a row, taken under a lock every process shares (an advisory transaction lock on
PostgreSQL, the write lock on SQLite): within it the uses still in the window are counted on the
database's clock and, if there is room, the new use is written before the lock is released. So the
N+1th concurrent attempt, from any process, sees N and is refused. The row carries a token: a use
whose work then fails (refused for another reason, an error) is released by its holder, so only
work that happened is charged. Uses older than the pace's longest window are deleted as they pass.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ..dialect import db_now, db_now_plus, exclusive, seconds_since
from .base import Base
from .schema import pace_uses


@dataclass(frozen=True)
class Pace:
    """At most ``member[0]`` uses per ``member[1]`` seconds by one member (in every server), and
    ``server[0]`` per ``server[1]`` seconds in one server. ``key`` names the pace in the table."""

    key: str
    member: tuple[int, float]
    server: tuple[int, float] | None = None

    @property
    def longest(self) -> float:
        return max(self.member[1], self.server[1] if self.server else 0.0)


class OverPace(Exception):
    """A use now would exceed ``limit`` (count, seconds) for the ``scope`` ("member" or "server");
    the next is possible in ``wait`` seconds."""

    def __init__(self, scope: str, limit: tuple[int, float], wait: float) -> None:
        super().__init__(f"{scope} pace {limit[0]} per {limit[1]:g} s reached; next in {wait:.0f} s")
        self.scope, self.limit, self.wait = scope, limit, wait


class QuotaStore(Base):
    async def reserve_use(self, pace: Pace, guild_id: int, user_id: int) -> str:
        """Take one use of ``pace`` now, or raise :class:`OverPace`; returns the use's token for
        :meth:`release_use`. Atomic across every process on the database."""
        token = secrets.token_hex(16)
        async with exclusive(self.engine, f"pace:{pace.key}") as conn:
            await conn.execute(
                delete(pace_uses).where(
                    and_(pace_uses.c.pace == pace.key, pace_uses.c.used_at < db_now_plus(-pace.longest))
                )
            )
            scopes = [("member", pace_uses.c.user_id == user_id, pace.member)]
            if pace.server is not None:
                scopes.append(("server", pace_uses.c.guild_id == guild_id, pace.server))
            for scope, who, (count, window) in scopes:
                in_window = await conn.execute(
                    select(seconds_since(pace_uses.c.used_at))
                    .where(and_(pace_uses.c.pace == pace.key, who))
                    .where(pace_uses.c.used_at > db_now_plus(-window))
                    .order_by(pace_uses.c.used_at)
                )
                ages = in_window.scalars().all()
                if len(ages) >= count:  # the oldest uses must leave the window to make room for one
                    oldest_needed = float(ages[len(ages) - count])
                    raise OverPace(scope, (count, window), max(window - oldest_needed, 0.0))
            await conn.execute(
                pace_uses.insert().values(
                    pace=pace.key, guild_id=guild_id, user_id=user_id, used_at=db_now(), token=token
                )
            )
        return token

    async def release_use(self, token: str) -> bool:
        """Give back a use whose work did not happen; False if it was already gone."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(pace_uses).where(pace_uses.c.token == token))
        return result.rowcount > 0


# -- quotas: how many records of a kind one member, and one server, may hold at once -------------


@dataclass(frozen=True)
class Cap:
    per_member: int
    per_server: int


class OverQuota(Exception):
    """Storing one more would pass the ``scope``'s cap ("member" or "server"), which holds ``held``."""

    def __init__(self, scope: str, held: int) -> None:
        super().__init__(f"{scope} already holds {held}")
        self.scope, self.held = scope, held


async def check_cap(
    conn: AsyncConnection, owner: ColumnElement, where: ColumnElement, user_id: int, cap: Cap
) -> None:
    """Raise :class:`OverQuota` if the records matching ``where`` (one server's) leave no room for one
    more by ``user_id``. Run inside the storing transaction *after* it holds the server's lock (its
    record-number row, or :func:`data.dialect.exclusive`), so a concurrent writer from any process
    counts after this one has written or given up: the cap holds exactly, not only softly."""
    owners = (await conn.execute(select(owner).where(where))).scalars().all()
    if len(owners) >= cap.per_server:
        raise OverQuota("server", len(owners))
    mine = sum(1 for o in owners if o == user_id)
    if mine >= cap.per_member:
        raise OverQuota("member", mine)
