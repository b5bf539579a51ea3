"""Backups of the state database and what to say when it is damaged: it is never rebuilt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import text

from ..db import sqlite_path
from .base import Base


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


def _prune(folder: Path, keep: int) -> None:
    for old in sorted(folder.glob("state-*.db"))[:-keep]:
        old.unlink()


class BackupStore(Base):
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
