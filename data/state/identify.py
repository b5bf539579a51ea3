"""Gateway identifies paced across every process of a deployment.

Discord lets a bot IDENTIFY at most ``max_concurrency`` sessions per 5 seconds, one per bucket
(``shard_id % max_concurrency``), and refuses a faster one. discord.py paces identifies only inside
one process; several processes started together (a deploy, a restart of the host) would identify
at once. Each bucket's next allowed time is a row here, taken with one conditional update on the
database's clock, so whichever process wins a bucket identifies and the others wait their turn.
"""

from __future__ import annotations

from sqlalchemy import and_, update

from ..dialect import db_now, db_now_plus, insert_for
from .base import Base
from .schema import identify_slots


class IdentifyStore(Base):
    async def take_identify_slot(self, bucket: int, spacing: float) -> bool:
        """True if this process may identify on ``bucket`` now; the next may only ``spacing`` s later."""
        fresh = insert_for(self.engine)(identify_slots).values(bucket=bucket, next_at=db_now())
        take = (
            update(identify_slots)
            .where(and_(identify_slots.c.bucket == bucket, identify_slots.c.next_at <= db_now()))
            .values(next_at=db_now_plus(spacing))
            .returning(identify_slots.c.bucket)
        )
        async with self.engine.begin() as conn:
            await conn.execute(fresh.on_conflict_do_nothing(index_elements=["bucket"]))
            return (await conn.execute(take)).first() is not None
