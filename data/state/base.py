"""What every concern module of the state store shares: the engine, and reads limited to one server."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..dialect import insert_for
from .schema import record_numbers


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



async def next_number(conn: AsyncConnection, guild_id: int, kind: str) -> int:
    """The next per-server number for a member's record (an alert, a valuation): one upsert on the
    server's counter row, in the caller's transaction. Concurrent callers queue on that row (a row lock
    on PostgreSQL, the write lock on SQLite), so each gets its own number, and a removed record's
    number is never handed out again."""
    stmt = insert_for(conn)(record_numbers).values(guild_id=guild_id, kind=kind, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["guild_id", "kind"], set_={"last": record_numbers.c.last + 1}
    ).returning(record_numbers.c.last)
    return int((await conn.execute(stmt)).scalar_one())
