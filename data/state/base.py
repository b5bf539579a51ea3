"""What every concern module of the state store shares: the engine, and reads limited to one server."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine


class Base:
    engine: AsyncEngine

    async def _rows(self, query, table: Table, guild_id: int | None) -> list:
        """Run ``query``, limited to one server when ``guild_id`` is given."""
        if guild_id is not None:
            query = query.where(table.c.guild_id == guild_id)
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).all())


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def next_id(conn, table: Table) -> int:
    """Ids for members' records: the next after the highest (one writer at a time on SQLite; on
    PostgreSQL a concurrent insert fails on the primary key and the member is asked to retry)."""
    return int((await conn.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar()) + 1
