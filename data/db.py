"""One database URL per store, SQLite through aiosqlite by default, numbered migrations.

The SQL is kept to what SQLite and PostgreSQL both accept (``CREATE TABLE``, ``ALTER TABLE ADD
COLUMN``, composite primary keys, ``DOUBLE PRECISION``), and upserts go through SQLAlchemy's
dialect-specific ``insert`` so the same code runs on either.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

Migration = tuple[int, str, Sequence[str]]  # (version, description, statements)


def insert_for(engine: AsyncEngine):
    """The dialect's ``insert`` (both have ``on_conflict_do_update``/``on_conflict_do_nothing``)."""
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no branch
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


async def schema_version(conn: AsyncConnection) -> int:
    await conn.execute(text("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
    row = (await conn.execute(text("SELECT MAX(version) FROM schema_version"))).first()
    return int(row[0]) if row and row[0] is not None else 0


async def migrate(engine: AsyncEngine, migrations: Sequence[Migration], *, upto: int | None = None) -> int:
    """Apply every migration newer than the stored version, each in its own transaction."""
    async with engine.begin() as conn:
        current = await schema_version(conn)
    for version, description, statements in sorted(migrations):
        if version <= current or (upto is not None and version > upto):
            continue
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
            await conn.execute(text("INSERT INTO schema_version (version) VALUES (:v)"), {"v": version})
        log.info(
            "migrated %s to schema %d: %s",
            engine.url.render_as_string(hide_password=True),
            version,
            description,
        )
        current = version
    return current


def sqlite_path(engine: AsyncEngine) -> Path | None:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database)


async def quick_check(engine: AsyncEngine) -> None:
    """Raise :class:`sqlalchemy.exc.DatabaseError` if SQLite finds the file damaged."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        result = (await conn.execute(text("PRAGMA quick_check"))).scalar()
    if result != "ok":
        raise DatabaseError("PRAGMA quick_check", None, Exception(str(result)))


def set_aside(path: Path) -> Path:
    """Rename a damaged database file (and its WAL/SHM) out of the way, keeping it for inspection."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            source.rename(Path(str(aside) + suffix))
    return aside
