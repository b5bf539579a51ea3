"""What each member last asked in a thread, so "and in 2023?" can inherit the rest of the question.

One row per (thread, member): the slash command their last question was read as, stamped with the
database's clock (never a host's, so several shard processes agree on what has expired). A reading
older than ``ttl`` is never recalled, and every write deletes the rows that have expired everywhere,
so the table holds at most one row per member active in the last ``ttl``: bounded, and forgotten.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, select

from ..dialect import db_now, db_now_plus, insert_for
from .base import Base
from .schema import chat_memory

MEMORY_SECONDS = 30 * 60  # a follow-up comes within minutes; after half an hour it is a new question
LINE_LIMIT = 400


class ConversationStore(Base):
    async def remember_reading(
        self, thread_id: int, user_id: int, line: str, ttl: float = MEMORY_SECONDS
    ) -> None:
        """Keep ``line`` as this member's last reading in this thread (replacing the one before), and
        forget every reading older than ``ttl``. A line too long to store is not kept at all (a
        clipped command would be a different command)."""
        if len(line) > LINE_LIMIT:
            return
        stmt = insert_for(self.engine)(chat_memory).values(
            thread_id=thread_id, user_id=user_id, line=line, said_at=db_now()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["thread_id", "user_id"], set_={"line": line, "said_at": db_now()}
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)
            await conn.execute(delete(chat_memory).where(chat_memory.c.said_at < db_now_plus(-ttl)))

    async def recall_reading(
        self, thread_id: int, user_id: int, ttl: float = MEMORY_SECONDS
    ) -> str | None:
        """This member's last reading in this thread, if it is younger than ``ttl`` seconds."""
        query = select(chat_memory.c.line).where(
            and_(
                chat_memory.c.thread_id == thread_id,
                chat_memory.c.user_id == user_id,
                chat_memory.c.said_at >= db_now_plus(-ttl),
            )
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def forget_readings(self, thread_id: int) -> None:
        """Forget every member's readings in a thread (it was deleted)."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(chat_memory).where(chat_memory.c.thread_id == thread_id))
