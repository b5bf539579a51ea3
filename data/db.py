"""One database URL per store (SQLite through aiosqlite by default, PostgreSQL through asyncpg) and
numbered migrations that several processes can run at once.

Migrations are portable SQL (``{ID}``/``{TIMESTAMP}`` and per-backend statements are filled in by
:mod:`data.dialect`, the one module that knows the backends apart). They run under
:func:`data.dialect.exclusive`: the first process to start migrates, the others wait, then read the
version *inside* the lock and find nothing left to do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from . import dialect
from .dialect import insert_for, quick_check, sqlite_path  # noqa: F401  (re-exported for the stores)

log = logging.getLogger(__name__)

Statement = str | dict[str, str]
Migration = tuple[int, str, Sequence[Statement]]  # (version, description, statements)
VERSIONS = "schema_versions"


def create_engine(url: str) -> AsyncEngine:
    dialect.prepare_sqlite_file(url)
    engine = create_async_engine(url)
    dialect.configure(url, engine)
    return engine


def _has_table(conn: AsyncConnection, table: str):
    return conn.run_sync(lambda sync: inspect(sync).has_table(table))


async def schema_version(conn: AsyncConnection, scope: str) -> int:
    """The stored version of ``scope`` (one table serves every store sharing a database)."""
    await conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {VERSIONS} (scope VARCHAR(20) NOT NULL, version INTEGER NOT NULL, "
            "PRIMARY KEY (scope, version))"
        )
    )
    version = (
        await conn.execute(text(f"SELECT MAX(version) FROM {VERSIONS} WHERE scope = :s"), {"s": scope})
    ).scalar()
    if version is None and await _has_table(conn, "schema_version"):
        # the layout before scopes: one store per database, versions without a key
        await conn.execute(
            text(f"INSERT INTO {VERSIONS} (scope, version) SELECT DISTINCT :s, version FROM schema_version"),
            {"s": scope},
        )
        await conn.execute(text("DROP TABLE schema_version"))
        return await schema_version(conn, scope)
    return int(version or 0)


async def migrate(
    engine: AsyncEngine, migrations: Sequence[Migration], *, scope: str, upto: int | None = None
) -> int:
    """Apply every migration newer than the stored version, all in one transaction under the
    migration lock (safe when several processes start at once)."""
    backend = dialect.name(engine)

    async def run() -> int:
        async with dialect.exclusive(engine, "migrate") as conn:
            current = await schema_version(conn, scope)
            for version, description, statements in sorted(migrations, key=lambda m: m[0]):
                if version <= current or (upto is not None and version > upto):
                    continue
                for statement in statements:
                    sql = dialect.render(statement, backend)
                    if sql is not None:
                        await conn.execute(text(sql))
                record = text(f"INSERT INTO {VERSIONS} (scope, version) VALUES (:s, :v)")
                await conn.execute(record, {"s": scope, "v": version})
                log.info(
                    "migrated %s (%s) to schema %d: %s",
                    engine.url.render_as_string(hide_password=True),
                    scope,
                    version,
                    description,
                )
                current = version
        return current

    return await dialect.retry_when_busy(run)  # the transaction is all or nothing: safe to retry


def set_aside(path: Path) -> Path:
    """Rename a damaged database file (and its WAL/SHM) out of the way, keeping it for inspection."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            source.rename(Path(str(aside) + suffix))
    return aside
