"""User state: subscriptions, per-server settings and the delivery ledger. Never disposable.

Unlike the market-data cache this database is never rebuilt from anything, so its schema only ever
moves forward through numbered migrations. The delivery ledger makes the daily update exactly-once
in effect: a post is *claimed* per (channel, session) with a conditional update before it is sent,
and *completed* with the message id after.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DatabaseError
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import Migration, insert_for, migrate, quick_check, sqlite_path
from .valuations import Observation

MIGRATIONS: list[Migration] = [
    (
        1,
        "subscriptions, guild settings and the delivery ledger",
        [
            """CREATE TABLE guild_settings (
                guild_id BIGINT PRIMARY KEY,
                timezone VARCHAR(64) NOT NULL DEFAULT 'America/New_York',
                post_time VARCHAR(5)
            )""",
            """CREATE TABLE subscriptions (
                channel_id BIGINT PRIMARY KEY,
                guild_id BIGINT NOT NULL,
                post_time VARCHAR(5),
                timezone VARCHAR(64) NOT NULL,
                thread BOOLEAN NOT NULL,
                active BOOLEAN NOT NULL,
                created_by BIGINT NOT NULL,
                created_at VARCHAR(32) NOT NULL,
                problem VARCHAR(300)
            )""",
            "CREATE INDEX subscriptions_guild ON subscriptions (guild_id)",
            """CREATE TABLE deliveries (
                channel_id BIGINT NOT NULL,
                session VARCHAR(10) NOT NULL,
                status VARCHAR(10) NOT NULL,
                claimed_at VARCHAR(32) NOT NULL,
                attempts INTEGER NOT NULL,
                message_id BIGINT,
                error VARCHAR(300),
                PRIMARY KEY (channel_id, session)
            )""",
        ],
    ),
    (
        2,
        "deliveries.claim_token: claims are taken for a whole fan-out in one statement",
        [
            "ALTER TABLE deliveries ADD COLUMN claim_token VARCHAR(32)",
            "CREATE INDEX deliveries_claim_token ON deliveries (claim_token)",
        ],
    ),
    (
        3,
        "valuations: P/E figures members record, per server",
        [
            """CREATE TABLE valuations (
                id BIGINT PRIMARY KEY,
                guild_id BIGINT NOT NULL,
                small_pe DOUBLE PRECISION NOT NULL,
                large_pe DOUBLE PRECISION NOT NULL,
                basis VARCHAR(10) NOT NULL,
                large_basis VARCHAR(10) NOT NULL,
                excludes_losses BOOLEAN,
                source VARCHAR(300) NOT NULL,
                as_of VARCHAR(10) NOT NULL,
                recorded_by BIGINT NOT NULL,
                recorded_at VARCHAR(32) NOT NULL
            )""",
            "CREATE INDEX valuations_guild ON valuations (guild_id)",
        ],
    ),
    (
        4,
        "alerts and their own delivery ledger",
        [
            """CREATE TABLE alerts (
                id BIGINT PRIMARY KEY,
                guild_id BIGINT NOT NULL,
                channel_id BIGINT NOT NULL,
                signal VARCHAR(20) NOT NULL,
                threshold DOUBLE PRECISION,
                direction VARCHAR(10),
                created_by BIGINT NOT NULL,
                created_at VARCHAR(32) NOT NULL,
                active BOOLEAN NOT NULL
            )""",
            """CREATE TABLE alert_deliveries (
                alert_id BIGINT NOT NULL,
                session VARCHAR(10) NOT NULL,
                status VARCHAR(10) NOT NULL,
                claimed_at VARCHAR(32) NOT NULL,
                attempts INTEGER NOT NULL,
                message_id BIGINT,
                error VARCHAR(300),
                claim_token VARCHAR(32),
                PRIMARY KEY (alert_id, session)
            )""",
            "CREATE INDEX alert_deliveries_claim_token ON alert_deliveries (claim_token)",
        ],
    ),
]

_meta = MetaData()
guild_settings = Table(
    "guild_settings",
    _meta,
    Column("guild_id", BigInteger, primary_key=True),
    Column("timezone", String),
    Column("post_time", String),
)
subscriptions = Table(
    "subscriptions",
    _meta,
    Column("channel_id", BigInteger, primary_key=True),
    Column("guild_id", BigInteger),
    Column("post_time", String),
    Column("timezone", String),
    Column("thread", Boolean),
    Column("active", Boolean),
    Column("created_by", BigInteger),
    Column("created_at", String),
    Column("problem", String),
)


def _ledger_table(name: str, key: str) -> Table:
    """A delivery ledger: one row per (key, session) post, the same columns for updates and alerts."""
    return Table(
        name,
        _meta,
        Column(key, BigInteger, primary_key=True),
        Column("session", String, primary_key=True),
        Column("status", String),  # new | claimed | sent | failed
        Column("claimed_at", String),
        Column("attempts", Integer),
        Column("message_id", BigInteger),
        Column("error", String),
        Column("claim_token", String),
    )


deliveries = _ledger_table("deliveries", "channel_id")

valuations = Table(
    "valuations",
    _meta,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("guild_id", BigInteger),
    Column("small_pe", Float),
    Column("large_pe", Float),
    Column("basis", String),
    Column("large_basis", String),
    Column("excludes_losses", Boolean),
    Column("source", String),
    Column("as_of", String),
    Column("recorded_by", BigInteger),
    Column("recorded_at", String),
)

alerts = Table(
    "alerts",
    _meta,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("guild_id", BigInteger),
    Column("channel_id", BigInteger),
    Column("signal", String),
    Column("threshold", Float),
    Column("direction", String),
    Column("created_by", BigInteger),
    Column("created_at", String),
    Column("active", Boolean),
)
alert_deliveries = _ledger_table("alert_deliveries", "alert_id")
_LEDGERS = {
    "updates": (deliveries, deliveries.c.channel_id),
    "alerts": (alert_deliveries, alert_deliveries.c.alert_id),
}

DEFAULT_TIMEZONE = "America/New_York"


class StateCorrupt(Exception):
    def __init__(self, path: Path | None, backup: Path | None, cause: Exception) -> None:
        self.path, self.backup = path, backup
        restore = (
            f"The newest backup is {backup}: stop the bot, copy it over {path}, and start again."
            if backup
            else "No backup was found."
        )
        super().__init__(
            f"The state database {path} is damaged ({cause}); it has not been touched. {restore}"
        )


def newest_backup(folder: Path | None) -> Path | None:
    backups = sorted(folder.glob("state-*.db")) if folder and folder.is_dir() else []
    return backups[-1] if backups else None


def _prepare(folder: Path, target: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)


async def _next_id(conn, table: Table) -> int:
    """Ids for members' records: the next after the highest (one writer at a time on SQLite; on
    PostgreSQL a concurrent insert fails on the primary key and the member is asked to retry)."""
    return int((await conn.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar()) + 1


def _prune(folder: Path, keep: int) -> None:
    for old in sorted(folder.glob("state-*.db"))[:-keep]:
        old.unlink()


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Subscription:
    channel_id: int
    guild_id: int
    post_time: str | None  # "HH:MM" in ``timezone``; None = right after the session's close
    timezone: str
    thread: bool
    created_by: int
    problem: str | None = None
    last_session: str | None = None  # newest session posted
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class GuildSettings:
    timezone: str = DEFAULT_TIMEZONE
    post_time: str | None = None


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


@dataclass(frozen=True)
class Alert:
    guild_id: int
    channel_id: int
    signal: str
    threshold: float | None
    direction: str | None
    created_by: int
    id: int | None = None
    created_at: dt.datetime | None = None


class StateStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open(self, backups: Path | None = None) -> int:
        """Check, then migrate. A damaged state database is never set aside or rebuilt: the bot
        stops with :class:`StateCorrupt`, naming the newest backup to restore."""
        try:
            await quick_check(self.engine)
        except DatabaseError as exc:
            raise StateCorrupt(sqlite_path(self.engine), newest_backup(backups), exc) from exc
        return await migrate(self.engine, MIGRATIONS)

    async def backup(self, folder: Path, keep: int = 7, now: dt.datetime | None = None) -> Path | None:
        """A consistent copy (``VACUUM INTO``, safe while the bot runs) kept among the newest ``keep``.

        SQLite only; a PostgreSQL deployment backs up with pg_dump."""
        if sqlite_path(self.engine) is None:
            return None
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S")
        target = folder / f"state-{stamp}.db"
        _prepare(folder, target)
        async with self.engine.connect() as conn:
            await conn.execute(text("VACUUM INTO :target"), {"target": str(target)})
        _prune(folder, keep)
        return target

    async def close(self) -> None:
        await self.engine.dispose()

    async def _rows(self, query, table: Table, guild_id: int | None) -> list:
        """Run ``query``, limited to one server when ``guild_id`` is given."""
        if guild_id is not None:
            query = query.where(table.c.guild_id == guild_id)
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).all())

    # -- settings ----------------------------------------------------------------------------

    async def guild_settings(self, guild_id: int, default_timezone: str = DEFAULT_TIMEZONE) -> GuildSettings:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(guild_settings).where(guild_settings.c.guild_id == guild_id))
            ).first()
        return GuildSettings(row.timezone, row.post_time) if row else GuildSettings(default_timezone)

    async def set_guild_settings(self, guild_id: int, settings: GuildSettings) -> None:
        stmt = insert_for(self.engine)(guild_settings).values(
            guild_id=guild_id, timezone=settings.timezone, post_time=settings.post_time
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["guild_id"],
            set_={"timezone": stmt.excluded.timezone, "post_time": stmt.excluded.post_time},
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    # -- subscriptions -----------------------------------------------------------------------

    async def subscribe(self, sub: Subscription, now: dt.datetime) -> None:
        values = {
            "channel_id": sub.channel_id,
            "guild_id": sub.guild_id,
            "post_time": sub.post_time,
            "timezone": sub.timezone,
            "thread": sub.thread,
            "active": True,
            "created_by": sub.created_by,
            "created_at": now.isoformat(),
            "problem": None,
        }
        stmt = insert_for(self.engine)(subscriptions).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["channel_id"],
            set_={k: stmt.excluded[k] for k in values if k not in ("channel_id", "created_at")},
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    async def unsubscribe(self, channel_id: int) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(subscriptions)
                .where(and_(subscriptions.c.channel_id == channel_id, subscriptions.c.active.is_(True)))
                .values(active=False)
            )
        return result.rowcount == 1

    async def subscriptions(self, guild_id: int | None = None) -> list[Subscription]:
        """Active subscriptions (of one guild, or all) with the newest session posted to each."""
        last = (
            select(deliveries.c.channel_id, func.max(deliveries.c.session).label("last_session"))
            .where(deliveries.c.status == "sent")
            .group_by(deliveries.c.channel_id)
            .subquery()
        )
        query = (
            select(subscriptions, last.c.last_session)
            .outerjoin(last, last.c.channel_id == subscriptions.c.channel_id)
            .where(subscriptions.c.active.is_(True))
            .order_by(subscriptions.c.channel_id)
        )
        rows = await self._rows(query, subscriptions, guild_id)
        return [
            Subscription(
                r.channel_id,
                r.guild_id,
                r.post_time,
                r.timezone,
                r.thread,
                r.created_by,
                r.problem,
                r.last_session,
                dt.datetime.fromisoformat(r.created_at),
            )
            for r in rows
        ]

    async def set_problem(self, channel_id: int, problem: str | None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(subscriptions).where(subscriptions.c.channel_id == channel_id).values(problem=problem)
            )

    # -- the delivery ledgers ------------------------------------------------------------------
    # Two ledgers with the same rules: "updates" keyed by channel, "alerts" keyed by alert id.

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
        table, key = _LEDGERS[ledger]
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
            for chunk in _chunks(keys, 500):  # keeps the IN list within every database's limits
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
            table, key = _LEDGERS[ledger]
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
        table, key = _LEDGERS[claim.ledger]
        async with self.engine.begin() as conn:
            await conn.execute(
                update(table)
                .where(and_(key == claim.key, table.c.session == claim.session))
                .values(status=status, **values)
            )

    async def delivery(self, key: int, session: str, ledger: str = "updates") -> dict | None:
        table, column = _LEDGERS[ledger]
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(table).where(and_(column == key, table.c.session == session)))
            ).first()
        return dict(row._mapping) if row else None

    # -- alerts ------------------------------------------------------------------------------

    async def add_alert(self, alert: Alert, now: dt.datetime) -> int:
        async with self.engine.begin() as conn:
            new_id = await _next_id(conn, alerts)
            await conn.execute(
                alerts.insert().values(
                    id=new_id,
                    guild_id=alert.guild_id,
                    channel_id=alert.channel_id,
                    signal=alert.signal,
                    threshold=alert.threshold,
                    direction=alert.direction,
                    created_by=alert.created_by,
                    created_at=now.isoformat(),
                    active=True,
                )
            )
        return new_id

    async def alerts(self, guild_id: int | None = None) -> list[Alert]:
        query = select(alerts).where(alerts.c.active.is_(True)).order_by(alerts.c.id)
        rows = await self._rows(query, alerts, guild_id)
        return [
            Alert(
                r.guild_id,
                r.channel_id,
                r.signal,
                r.threshold,
                r.direction,
                r.created_by,
                r.id,
                dt.datetime.fromisoformat(r.created_at),
            )
            for r in rows
        ]

    async def remove_alert(self, guild_id: int, alert_id: int) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(alerts)
                .where(
                    and_(alerts.c.guild_id == guild_id, alerts.c.id == alert_id, alerts.c.active.is_(True))
                )
                .values(active=False)
            )
        return result.rowcount == 1

    # -- recorded valuations -----------------------------------------------------------------

    async def add_valuation(self, guild_id: int, obs: Observation, now: dt.datetime) -> int:
        """Store a member's figures; ids are per database, the next after the highest."""
        async with self.engine.begin() as conn:
            new_id = await _next_id(conn, valuations)
            await conn.execute(
                valuations.insert().values(
                    id=new_id,
                    guild_id=guild_id,
                    small_pe=obs.small_pe,
                    large_pe=obs.large_pe,
                    basis=obs.basis,
                    large_basis=obs.large_basis,
                    excludes_losses=obs.excludes_losses,
                    source=obs.source,
                    as_of=obs.as_of.isoformat(),
                    recorded_by=obs.recorded_by,
                    recorded_at=now.isoformat(),
                )
            )
        return new_id

    async def valuations(self, guild_id: int) -> list[Observation]:
        rows = await self._rows(select(valuations), valuations, guild_id)
        return [
            Observation(
                r.small_pe,
                r.large_pe,
                r.basis,
                r.large_basis,
                r.excludes_losses,
                r.source,
                dt.date.fromisoformat(r.as_of),
                "recorded",
                r.id,
                r.recorded_by,
            )
            for r in rows
        ]

    async def remove_valuation(self, guild_id: int, valuation_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                valuations.delete().where(
                    and_(valuations.c.guild_id == guild_id, valuations.c.id == valuation_id)
                )
            )
