"""Live data providers' health shared by every process: last success, last failure, back-off.

A rate limit or an outage hits every process of a deployment at once; if each kept its own back-off,
each would hammer the provider again. One row per provider, written with upserts and timed by the
database's clock (never a host's), so whichever process fails first backs the provider off for all.
The bookkeeping must never take an answer down: a database error here is logged and the provider is
treated as healthy (it is asked; the worst case is one extra request).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from ..dialect import db_now, db_now_plus, insert_for
from ..sources.health import ProviderStatus, backoff_seconds
from .schema import provider_health as table

log = logging.getLogger(__name__)


class ProviderHealthStore:
    """:class:`data.sources.health.HealthStore` on the state database (migration 11)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def blocked(self, provider: str) -> str | None:
        query = select(table.c.last_error).where(
            (table.c.provider == provider) & (table.c.backoff_until > db_now())
        )
        try:
            async with self.engine.connect() as conn:
                row = (await conn.execute(query)).first()
        except Exception as exc:  # health is advisory: ask the provider rather than fail the answer
            log.warning("provider health unreadable (%s): asking %s anyway", type(exc).__name__, provider)
            return None
        return None if row is None else (row[0] or "an earlier failure")

    async def succeeded(self, provider: str) -> None:
        values = {"last_success": db_now(), "failures": 0, "backoff_until": None}
        await self._upsert(provider, values)

    async def failed(self, provider: str, reason: str, retry_after: float | None) -> None:
        try:
            async with self.engine.connect() as conn:
                before = (
                    await conn.execute(select(table.c.failures).where(table.c.provider == provider))
                ).scalar()
        except Exception:
            before = None
        failures = (before or 0) + 1  # two processes failing at once both write n+1: same back-off
        values = {
            "last_failure": db_now(),
            "last_error": reason[:300],
            "failures": failures,
            "backoff_until": db_now_plus(backoff_seconds(failures, retry_after)),
        }
        await self._upsert(provider, values)

    async def statuses(self) -> list[ProviderStatus]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(table).order_by(table.c.provider))).all()
        return [ProviderStatus(*row) for row in rows]

    async def _upsert(self, provider: str, values: dict) -> None:
        stmt = insert_for(self.engine)(table).values(provider=provider, **values)
        stmt = stmt.on_conflict_do_update(index_elements=["provider"], set_=values)
        try:
            async with self.engine.begin() as conn:
                await conn.execute(stmt)
        except Exception as exc:
            log.warning("provider health of %s not recorded: %s", provider, type(exc).__name__)
