"""The daily update of a session (in each chart theme in use), built once for every process.

Three shard processes each deliver their own guilds' updates, but the update itself (figures, text,
chart PNG) is the same everywhere: the first process to need it builds it and stores it here; the
others read it back. Stored as opaque bytes (the reply's JSON and its PNG) so this layer knows
nothing of how a reply is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from ..dialect import insert_for
from .base import Base
from .schema import session_updates

KEEP = 5  # sessions kept: only the newest one is ever delivered again, a few help a post-mortem


@dataclass(frozen=True)
class StoredUpdate:
    session: str
    theme: str  # the chart theme it was drawn in (servers choose light or dark)
    payload: bytes  # the reply without its chart, as JSON
    chart: bytes | None


class UpdateStore(Base):
    async def stored_update(self, session: str, theme: str) -> StoredUpdate | None:
        query = select(session_updates).where(
            session_updates.c.session == session, session_updates.c.theme == theme
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else StoredUpdate(row.session, row.theme, bytes(row.payload), row.chart)

    async def store_update(self, update: StoredUpdate) -> bool:
        """Keep the first update stored for a session (True if this one was): a second builder, which
        should not exist, cannot replace what other processes may already have posted."""
        stmt = insert_for(self.engine)(session_updates).values(
            session=update.session, theme=update.theme, payload=update.payload, chart=update.chart
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(stmt.on_conflict_do_nothing(index_elements=["session", "theme"]))
            newest = select(session_updates.c.session).distinct().order_by(session_updates.c.session.desc())
            keep = [r[0] for r in (await conn.execute(newest.limit(KEEP))).all()]
            await conn.execute(delete(session_updates).where(session_updates.c.session.not_in(keep)))
        return bool(result.rowcount)
