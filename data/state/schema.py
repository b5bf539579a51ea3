"""The state database's shape: numbered migrations (the only way its schema moves) and the tables
the concern modules query. Never rebuilt from anything, so every change is a new migration."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, MetaData, String, Table

from ..db import Migration

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
    (
    5,
    "calls: members' recorded views and their result ledger",
    [
        """CREATE TABLE calls (
            id BIGINT PRIMARY KEY,
            guild_id BIGINT NOT NULL,
            number INTEGER NOT NULL,
            channel_id BIGINT NOT NULL,
            parent_id BIGINT,
            user_id BIGINT NOT NULL,
            user_name VARCHAR(100) NOT NULL,
            side VARCHAR(5) NOT NULL,
            horizon VARCHAR(3) NOT NULL,
            small VARCHAR(20) NOT NULL,
            large VARCHAR(20) NOT NULL,
            start_session VARCHAR(10) NOT NULL,
            end_session VARCHAR(10) NOT NULL,
            made_at VARCHAR(32) NOT NULL,
            note VARCHAR(200),
            withdrawn_at VARCHAR(32),
            UNIQUE (guild_id, number)
        )""",
        "CREATE INDEX calls_end ON calls (end_session)",
        "CREATE INDEX calls_member ON calls (guild_id, user_id)",
        """CREATE TABLE call_deliveries (
            call_id BIGINT NOT NULL,
            session VARCHAR(10) NOT NULL,
            status VARCHAR(10) NOT NULL,
            claimed_at VARCHAR(32) NOT NULL,
            attempts INTEGER NOT NULL,
            message_id BIGINT,
            error VARCHAR(300),
            claim_token VARCHAR(32),
            PRIMARY KEY (call_id, session)
        )""",
        "CREATE INDEX call_deliveries_claim_token ON call_deliveries (claim_token)",
    ],
    ),
]

metadata = MetaData()
guild_settings = Table(
    "guild_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True),
    Column("timezone", String),
    Column("post_time", String),
)
subscriptions = Table(
    "subscriptions",
    metadata,
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
        metadata,
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
    metadata,
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
    metadata,
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
calls = Table(
    "calls",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("guild_id", BigInteger),
    Column("number", Integer),
    Column("channel_id", BigInteger),
    Column("parent_id", BigInteger),
    Column("user_id", BigInteger),
    Column("user_name", String),
    Column("side", String),
    Column("horizon", String),
    Column("small", String),
    Column("large", String),
    Column("start_session", String),
    Column("end_session", String),
    Column("made_at", String),
    Column("note", String),
    Column("withdrawn_at", String),
)
call_deliveries = _ledger_table("call_deliveries", "call_id")
LEDGERS = {
    "updates": (deliveries, deliveries.c.channel_id),
    "alerts": (alert_deliveries, alert_deliveries.c.alert_id),
    "calls": (call_deliveries, call_deliveries.c.call_id),
}
