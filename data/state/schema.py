"""The state database's shape: numbered migrations (the only way its schema moves) and the tables
the concern modules query. Never rebuilt from anything, so every change is a new migration."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

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
    (
        6,
        "ids from the database, per-server record numbers, claim leases on the database's clock",
        [
            # alerts and valuations: an id the database assigns, and a per-server number members see
            # (the old id, which was unique in the whole database, so unique per server too)
            """CREATE TABLE alerts_v5 (
                id {ID},
                guild_id BIGINT NOT NULL,
                number INTEGER NOT NULL,
                channel_id BIGINT NOT NULL,
                signal VARCHAR(20) NOT NULL,
                threshold DOUBLE PRECISION,
                direction VARCHAR(10),
                created_by BIGINT NOT NULL,
                created_at VARCHAR(32) NOT NULL,
                active BOOLEAN NOT NULL,
                UNIQUE (guild_id, number)
            )""",
            """INSERT INTO alerts_v5 (id, guild_id, number, channel_id, signal, threshold, direction,
                created_by, created_at, active)
               SELECT id, guild_id, id, channel_id, signal, threshold, direction, created_by, created_at,
                active
               FROM alerts""",
            "DROP TABLE alerts",
            "ALTER TABLE alerts_v5 RENAME TO alerts",
            """CREATE TABLE valuations_v5 (
                id {ID},
                guild_id BIGINT NOT NULL,
                number INTEGER NOT NULL,
                small_pe DOUBLE PRECISION NOT NULL,
                large_pe DOUBLE PRECISION NOT NULL,
                basis VARCHAR(10) NOT NULL,
                large_basis VARCHAR(10) NOT NULL,
                excludes_losses BOOLEAN,
                source VARCHAR(300) NOT NULL,
                as_of VARCHAR(10) NOT NULL,
                recorded_by BIGINT NOT NULL,
                recorded_at VARCHAR(32) NOT NULL,
                UNIQUE (guild_id, number)
            )""",
            """INSERT INTO valuations_v5 (id, guild_id, number, small_pe, large_pe, basis, large_basis,
                excludes_losses, source, as_of, recorded_by, recorded_at)
               SELECT id, guild_id, id, small_pe, large_pe, basis, large_basis, excludes_losses, source,
                as_of, recorded_by, recorded_at
               FROM valuations""",
            "DROP TABLE valuations",
            "ALTER TABLE valuations_v5 RENAME TO valuations",
            """CREATE TABLE calls_v6 (
                id {ID},
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
            """INSERT INTO calls_v6 (id, guild_id, number, channel_id, parent_id, user_id, user_name, side,
                horizon, small, large, start_session, end_session, made_at, note, withdrawn_at)
               SELECT id, guild_id, number, channel_id, parent_id, user_id, user_name, side, horizon, small,
                large, start_session, end_session, made_at, note, withdrawn_at
               FROM calls""",
            "DROP TABLE calls",
            "ALTER TABLE calls_v6 RENAME TO calls",
            "CREATE INDEX calls_end ON calls (end_session)",
            "CREATE INDEX calls_member ON calls (guild_id, user_id)",
            # explicit ids were copied in: the identity continues after them (SQLite's does by itself)
            {
                "postgresql": "SELECT setval(pg_get_serial_sequence('calls', 'id'), "
                "COALESCE(MAX(id), 0) + 1, false) FROM calls"
            },
            {
                "postgresql": "SELECT setval(pg_get_serial_sequence('alerts', 'id'), "
                "COALESCE(MAX(id), 0) + 1, false) FROM alerts"
            },
            {
                "postgresql": "SELECT setval(pg_get_serial_sequence('valuations', 'id'), "
                "COALESCE(MAX(id), 0) + 1, false) FROM valuations"
            },
            # the last number handed out per (server, kind): numbers are never reused, even after a removal
            """CREATE TABLE record_numbers (
                guild_id BIGINT NOT NULL,
                kind VARCHAR(20) NOT NULL,
                last INTEGER NOT NULL,
                PRIMARY KEY (guild_id, kind)
            )""",
            """INSERT INTO record_numbers (guild_id, kind, last)
               SELECT guild_id, 'alert', MAX(number) FROM alerts GROUP BY guild_id""",
            """INSERT INTO record_numbers (guild_id, kind, last)
               SELECT guild_id, 'valuation', MAX(number) FROM valuations GROUP BY guild_id""",
            """INSERT INTO record_numbers (guild_id, kind, last)
               SELECT guild_id, 'call', MAX(number) FROM calls GROUP BY guild_id""",
            # a claim holds until lease_until, a time from the database's own clock, renewed while sending
            "ALTER TABLE deliveries ADD COLUMN lease_until {TIMESTAMP}",
            "ALTER TABLE alert_deliveries ADD COLUMN lease_until {TIMESTAMP}",
            "ALTER TABLE call_deliveries ADD COLUMN lease_until {TIMESTAMP}",
        ],
    ),
    (
        7,
        "guild_settings.chart_theme: light or dark charts per server (NULL: the bot's default)",
        ["ALTER TABLE guild_settings ADD COLUMN chart_theme VARCHAR(8)"],
    ),
    (
        8,
        "session_updates: a session's daily update built once for every process; identify slots",
        [
            {
                "sqlite": """CREATE TABLE session_updates (
                    session VARCHAR(10) NOT NULL,
                    theme VARCHAR(8) NOT NULL,
                    payload BLOB NOT NULL,
                    chart BLOB,
                    PRIMARY KEY (session, theme)
                )""",
                "postgresql": """CREATE TABLE session_updates (
                    session VARCHAR(10) NOT NULL,
                    theme VARCHAR(8) NOT NULL,
                    payload BYTEA NOT NULL,
                    chart BYTEA,
                    PRIMARY KEY (session, theme)
                )""",
            },
            # one row per identify bucket (shard_id % max_concurrency): when it may identify next
            """CREATE TABLE identify_slots (
                bucket INTEGER PRIMARY KEY,
                next_at {TIMESTAMP} NOT NULL
            )""",
        ],
    ),
    (
        9,
        "chat_memory: each member's last reading in a thread, so a follow-up inherits what it leaves out",
        [
            """CREATE TABLE chat_memory (
                thread_id BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                line VARCHAR(400) NOT NULL,
                said_at {TIMESTAMP} NOT NULL,
                PRIMARY KEY (thread_id, user_id)
            )""",
            "CREATE INDEX chat_memory_said_at ON chat_memory (said_at)",
        ],
    ),
    (
        10,
        "pace_uses: paces reserved before the work, shared by every process (data/state/quotas.py)",
        [
            """CREATE TABLE pace_uses (
                id {ID},
                pace VARCHAR(40) NOT NULL,
                guild_id BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                used_at {TIMESTAMP} NOT NULL,
                token VARCHAR(32) NOT NULL
            )""",
            "CREATE INDEX pace_uses_member ON pace_uses (pace, user_id, used_at)",
            "CREATE INDEX pace_uses_server ON pace_uses (pace, guild_id, used_at)",
            "CREATE INDEX pace_uses_token ON pace_uses (token)",
        ],
    ),
    (
        11,
        "provider_health: each live data provider's last success, failure and back-off, for every process",
        [
            """CREATE TABLE provider_health (
                provider VARCHAR(16) PRIMARY KEY,
                last_success {TIMESTAMP},
                last_failure {TIMESTAMP},
                last_error VARCHAR(300),
                failures INTEGER NOT NULL DEFAULT 0,
                backoff_until {TIMESTAMP}
            )""",
        ],
    ),
    (
        12,
        "new_tickers: the tickers each server had fetched for the first time, per UTC day",
        [
            """CREATE TABLE new_tickers (
                guild_id BIGINT NOT NULL,
                day VARCHAR(10) NOT NULL,
                ticker VARCHAR(32) NOT NULL,
                PRIMARY KEY (guild_id, day, ticker)
            )""",
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
    Column("chart_theme", String),
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
        Column("lease_until", DateTime(timezone=True)),  # the database's clock; see data.dialect.db_now
    )


deliveries = _ledger_table("deliveries", "channel_id")

valuations = Table(
    "valuations",
    metadata,
    Column("id", BigInteger, primary_key=True),  # assigned by the database
    Column("guild_id", BigInteger),
    Column("number", Integer),  # per server, what members see and type
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
    Column("id", BigInteger, primary_key=True),  # assigned by the database
    Column("guild_id", BigInteger),
    Column("number", Integer),  # per server, what members see and type
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
    Column("id", BigInteger, primary_key=True),  # assigned by the database
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
record_numbers = Table(
    "record_numbers",
    metadata,
    Column("guild_id", BigInteger, primary_key=True),
    Column("kind", String, primary_key=True),
    Column("last", Integer),
)
session_updates = Table(
    "session_updates",
    metadata,
    Column("session", String, primary_key=True),
    Column("theme", String, primary_key=True),
    Column("payload", LargeBinary),
    Column("chart", LargeBinary),
)
identify_slots = Table(
    "identify_slots",
    metadata,
    Column("bucket", Integer, primary_key=True),
    Column("next_at", DateTime(timezone=True)),  # the database's clock
)
chat_memory = Table(
    "chat_memory",
    metadata,
    Column("thread_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
    Column("line", String),
    Column("said_at", DateTime(timezone=True)),  # the database's clock
)
new_tickers = Table(
    "new_tickers",
    metadata,
    Column("guild_id", BigInteger, primary_key=True),
    Column("day", String, primary_key=True),
    Column("ticker", String, primary_key=True),
)
LEDGERS = {
    "updates": (deliveries, deliveries.c.channel_id),
    "alerts": (alert_deliveries, alert_deliveries.c.alert_id),
    "calls": (call_deliveries, call_deliveries.c.call_id),
}
pace_uses = Table(
    "pace_uses",
    metadata,
    Column("id", BigInteger, primary_key=True),  # assigned by the database
    Column("pace", String),  # which pace: "call", "valuation", "discuss"
    Column("guild_id", BigInteger),
    Column("user_id", BigInteger),
    Column("used_at", DateTime(timezone=True)),  # the database's clock; see data.dialect.db_now
    Column("token", String),  # the reservation's, so a failed use is released by its holder only
)
provider_health = Table(
    "provider_health",
    metadata,
    Column("provider", String, primary_key=True),
    Column("last_success", DateTime(timezone=True)),  # the database's clock, like every column here
    Column("last_failure", DateTime(timezone=True)),
    Column("last_error", String),
    Column("failures", Integer),
    Column("backoff_until", DateTime(timezone=True)),
)
