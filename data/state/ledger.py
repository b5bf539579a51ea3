"""The delivery ledgers: one owner per (key, session) post, claimed before sending, completed after.

Two ledgers with the same rules: "updates" keyed by channel, "alerts" keyed by alert id.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, or_, select, update

from ..db import insert_for
from .base import Base, chunks
from .schema import LEDGERS


@dataclass(frozen=True)
class Claim:
    """Ownership of one (key, session) post, the key a channel (daily updates) or an alert id.
    ``resumed``: an earlier claim was abandoned (a crash between claim and commit, or a transient
    failure), so the post may already exist and must be looked for first."""

    key: int
    session: str
    resumed: bool
    ledger: str = "updates"

    @property
    def channel_id(self) -> int:
        return self.key


class LedgerStore(Base):
    async def claim(
        self, key: int, session: str, now: dt.datetime, stale_after: dt.timedelta, ledger: str = "updates"
    ) -> Claim | None:
        claims = await self.claim_many([key], session, now, stale_after, ledger)
        return claims.get(key)

    async def claim_many(
        self,
        keys: list[int],
        session: str,
        now: dt.datetime,
        stale_after: dt.timedelta,
        ledger: str = "updates",
    ) -> dict[int, Claim]:
        """Own the (key, session) posts nobody else owns; one transaction for a whole fan-out.

        Insert-if-absent, then one conditional update that only one caller can win per row: a row is
        taken when new (or released after a transient error), or when its claim is older than
        ``stale_after`` (its holder crashed or hung). Rows claimed before (``attempts > 0``) come
        back ``resumed``: the post may exist already and must be looked for first."""
        if not keys:
            return {}
        table, key = LEDGERS[ledger]
        token = secrets.token_hex(16)
        stamp, stale = now.isoformat(), (now - stale_after).isoformat()
        rows = [
            {key.name: k, "session": session, "status": "new", "claimed_at": stamp, "attempts": 0}
            for k in keys
        ]
        insert = insert_for(self.engine)(table).on_conflict_do_nothing(index_elements=[key.name, "session"])
        takeable = or_(table.c.status == "new", and_(table.c.status == "claimed", table.c.claimed_at < stale))
        async with self.engine.begin() as conn:
            await conn.execute(insert, rows)
            for chunk in chunks(keys, 500):  # keeps the IN list within every database's limits
                await conn.execute(
                    update(table)
                    .where(and_(table.c.session == session, key.in_(chunk), takeable))
                    .values(
                        status="claimed", claimed_at=stamp, claim_token=token, attempts=table.c.attempts + 1
                    )
                )
            mine = and_(table.c.session == session, table.c.claim_token == token)
            won = (await conn.execute(select(key, table.c.attempts).where(mine))).all()
        return {r[0]: Claim(r[0], session, resumed=r[1] > 1, ledger=ledger) for r in won}

    async def complete_many(self, done: list[tuple[Claim, int | None]]) -> None:
        """Record sent posts (claim, message id) in one transaction per ledger."""
        for ledger in {c.ledger for c, _ in done}:
            table, key = LEDGERS[ledger]
            stmt = (
                update(table)
                .where(and_(key == bindparam("k"), table.c.session == bindparam("s")))
                .values(status="sent", message_id=bindparam("mid"))
            )
            params = [{"k": c.key, "s": c.session, "mid": m} for c, m in done if c.ledger == ledger]
            async with self.engine.begin() as conn:
                await conn.execute(stmt, params)

    async def complete(self, claim: Claim, message_id: int | None) -> None:
        await self.complete_many([(claim, message_id)])

    async def fail(self, claim: Claim, error: str) -> None:
        """Give up on this session for this key (a permanent error: deleted channel, no access)."""
        await self._finish(claim, "failed", error=error[:300])

    async def release(self, claim: Claim, error: str) -> None:
        """A transient failure: let the next tick try again."""
        await self._finish(claim, "new", error=error[:300])

    async def _finish(self, claim: Claim, status: str, **values: object) -> None:
        table, key = LEDGERS[claim.ledger]
        async with self.engine.begin() as conn:
            await conn.execute(
                update(table)
                .where(and_(key == claim.key, table.c.session == claim.session))
                .values(status=status, **values)
            )

    async def delivery(self, key: int, session: str, ledger: str = "updates") -> dict | None:
        table, column = LEDGERS[ledger]
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(table).where(and_(column == key, table.c.session == session)))
            ).first()
        return dict(row._mapping) if row else None
