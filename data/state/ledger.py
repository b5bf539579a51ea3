"""The delivery ledgers: one owner per (key, session) post, claimed before sending, completed after.

Two ledgers with the same rules: "updates" keyed by channel, "alerts" keyed by alert id.

A claim is a lease on the database's clock (``lease_until``, set from :class:`data.dialect.db_now_plus`,
never from a host's clock): nobody else can take the row until the lease runs out, and the holder
renews it while it is still sending (:class:`Holding`). Every later change (complete, release, fail,
renew) names the claim's token, so a holder that lost its claim (it stalled past the lease and
another process took over) changes nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import String, and_, cast, or_, select, update

from ..dialect import db_now, db_now_plus, insert_for
from .base import Base, chunks
from .schema import LEDGERS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """Ownership of one (key, session) post, the key a channel (daily updates) or an alert id.
    ``resumed``: an earlier claim was abandoned (a crash between claim and commit, or a transient
    failure), so the post may already exist and must be looked for first. ``token``: names the
    claim in every later change; one per :meth:`LedgerStore.claim_many` call."""

    key: int
    session: str
    resumed: bool
    ledger: str = "updates"
    token: str = ""

    @property
    def channel_id(self) -> int:
        return self.key


def _owned(table, key, claim: Claim):
    return and_(
        key == claim.key,
        table.c.session == claim.session,
        table.c.claim_token == claim.token,
        table.c.status == "claimed",
    )


class LedgerStore(Base):
    async def claim(
        self, key: int, session: str, lease: dt.timedelta, ledger: str = "updates"
    ) -> Claim | None:
        claims = await self.claim_many([key], session, lease, ledger)
        return claims.get(key)

    async def claim_many(
        self, keys: list[int], session: str, lease: dt.timedelta, ledger: str = "updates"
    ) -> dict[int, Claim]:
        """Own the (key, session) posts nobody else owns, for ``lease`` (renew with :meth:`renew`).

        Insert-if-absent, then one conditional ``UPDATE … RETURNING`` that only one caller can win per
        row: a row is taken when new (or released after a transient error), or when its lease has run
        out (its holder crashed or stalled). Rows claimed before come back ``resumed``: the post may
        exist already and must be looked for first. Keys are taken in sorted order, so two
        processes claiming overlapping batches never deadlock."""
        if not keys:
            return {}
        keys = sorted(set(keys))
        table, key = LEDGERS[ledger]
        token = secrets.token_hex(16)
        stamp = cast(db_now(), String)
        insert = (
            insert_for(self.engine)(table)
            .values(claimed_at=stamp)
            .on_conflict_do_nothing(index_elements=[key.name, "session"])
        )
        rows = [{key.name: k, "session": session, "status": "new", "attempts": 0} for k in keys]
        expired = or_(table.c.lease_until.is_(None), table.c.lease_until < db_now())
        takeable = or_(table.c.status == "new", and_(table.c.status == "claimed", expired))
        won = []
        async with self.engine.begin() as conn:
            await conn.execute(insert, rows)
            for chunk in chunks(keys, 500):  # keeps the IN list within every database's limits
                result = await conn.execute(
                    update(table)
                    .where(and_(table.c.session == session, key.in_(chunk), takeable))
                    .values(
                        status="claimed",
                        claimed_at=stamp,
                        lease_until=db_now_plus(lease.total_seconds()),
                        claim_token=token,
                        attempts=table.c.attempts + 1,
                    )
                    .returning(key, table.c.attempts)
                )
                won += result.all()
        return {r[0]: Claim(r[0], session, resumed=r[1] > 1, ledger=ledger, token=token) for r in won}

    async def renew(self, claims: list[Claim], lease: dt.timedelta) -> set[int]:
        """Extend the leases of ``claims`` still held; returns the keys still held (the rest were
        taken over after their lease ran out, or finished)."""
        held: set[int] = set()
        groups: dict[tuple[str, str, str], list[int]] = {}
        for c in claims:
            groups.setdefault((c.ledger, c.session, c.token), []).append(c.key)
        async with self.engine.begin() as conn:
            for (ledger, session, token), keys in groups.items():
                table, key = LEDGERS[ledger]
                for chunk in chunks(sorted(keys), 500):
                    mine = and_(
                        table.c.session == session,
                        table.c.claim_token == token,
                        table.c.status == "claimed",
                        key.in_(chunk),
                    )
                    result = await conn.execute(
                        update(table)
                        .where(mine)
                        .values(lease_until=db_now_plus(lease.total_seconds()))
                        .returning(key)
                    )
                    held.update(r[0] for r in result)
        return held

    async def complete_many(self, done: list[tuple[Claim, int | None]]) -> list[Claim]:
        """Record sent posts (claim, message id) in one transaction; returns the claims that were no
        longer held (taken over after a stall: the new owner looks for the post before sending)."""
        lost = []
        if not done:
            return lost
        async with self.engine.begin() as conn:
            for claim, message_id in done:
                table, key = LEDGERS[claim.ledger]
                sent = update(table).where(_owned(table, key, claim))
                result = await conn.execute(sent.values(status="sent", message_id=message_id))
                if result.rowcount != 1:
                    lost.append(claim)
        for claim in lost:
            log.warning("%s %s/%s: taken over before it was recorded", claim.ledger, claim.key, claim.session)
        return lost

    async def complete(self, claim: Claim, message_id: int | None) -> bool:
        return not await self.complete_many([(claim, message_id)])

    async def fail(self, claim: Claim, error: str) -> bool:
        """Give up on this session for this key (a permanent error: deleted channel, no access)."""
        return await self._finish(claim, "failed", error=error[:300])

    async def release(self, claim: Claim, error: str) -> bool:
        """A transient failure: let the next tick try again."""
        return await self._finish(claim, "new", error=error[:300], lease_until=None)

    async def _finish(self, claim: Claim, status: str, **values: object) -> bool:
        """True if the claim was still held (and so the change was made)."""
        table, key = LEDGERS[claim.ledger]
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(table).where(_owned(table, key, claim)).values(status=status, **values)
            )
        return result.rowcount == 1

    async def delivery(self, key: int, session: str, ledger: str = "updates") -> dict | None:
        table, column = LEDGERS[ledger]
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(table).where(and_(column == key, table.c.session == session)))
            ).first()
        return dict(row._mapping) if row else None


class Holding:
    """Claims held while their posts go out: renewed in the background every third of the lease, and
    checked before each send.

    The check costs nothing while the last renewal is recent: a renewal sent at monotonic time ``t``
    set ``lease_until`` to at least the database's time at ``t`` plus the lease, so until ``t`` plus
    half the lease nobody else can hold the claim. After longer than that (the process stalled, the
    event loop was blocked, renewals failed) the claim is confirmed in the database before sending.
    Reusable for any chore that claims ledger rows (a shared fan-out across processes)."""

    def __init__(
        self, store: LedgerStore, claims: dict[int, Claim], lease: dt.timedelta, confirmed_at: float
    ) -> None:
        self.store, self.lease = store, lease
        self.claims = dict(claims)
        self.lost: set[int] = set()
        self.confirmed_at = confirmed_at  # monotonic time just before the claims were taken
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> Holding:
        self._task = asyncio.create_task(self._beat(), name="renew-claims")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def done(self, key: int) -> None:
        """The claim is finished (recorded, failed or released): stop renewing it."""
        self.claims.pop(key, None)

    async def still_mine(self, key: int) -> bool:
        if key in self.lost or key not in self.claims:
            return False
        if time.monotonic() - self.confirmed_at < self.lease.total_seconds() / 2:
            return True
        await self.renew()
        return key not in self.lost

    async def renew(self) -> None:
        async with self._lock:
            started = time.monotonic()
            if started - self.confirmed_at < self.lease.total_seconds() / 6:
                return  # another caller just renewed
            held = await self.store.renew(list(self.claims.values()), self.lease)
            gone = set(self.claims) - held
            if gone:
                log.warning("lost %d claims (lease ran out and another process took them)", len(gone))
            self.lost |= gone
            for k in gone:
                self.claims.pop(k, None)
            self.confirmed_at = started

    async def _beat(self) -> None:
        while self.claims:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await self.renew()
            except Exception:  # a failed renewal is retried; still_mine re-checks before each send
                log.exception("renewing claims failed")
