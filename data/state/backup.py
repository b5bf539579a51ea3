"""Backups of the state database, and what to say when it is damaged: it is never rebuilt.

One rolling folder for both backends: ``state-<UTC stamp>.db`` (SQLite, ``VACUUM INTO``) or
``state-<UTC stamp>.dump`` (PostgreSQL, ``pg_dump --format=custom``), the newest ``keep`` kept. A
backup that was not made raises :class:`data.dialect.BackupFailed`; nothing reports it as made.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

from ..dialect import BACKUP_SUFFIX, BackupFailed, backup_to, name, try_chore
from .base import Base

log = logging.getLogger(__name__)

__all__ = ["BackupFailed", "BackupStore", "StateCorrupt", "newest_backup"]


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


def _backups(folder: Path | None, suffix: str = ".db") -> list[Path]:
    return sorted(folder.glob(f"state-*{suffix}")) if folder and folder.is_dir() else []


def newest_backup(folder: Path | None, suffix: str = ".db") -> Path | None:
    backups = _backups(folder, suffix)
    return backups[-1] if backups else None


def _prepare(folder: Path, target: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)


def _prune(folder: Path, keep: int, suffix: str) -> None:
    for old in _backups(folder, suffix)[:-keep]:
        old.unlink()


class BackupStore(Base):
    async def backup(self, folder: Path, keep: int = 7, now: dt.datetime | None = None) -> Path | None:
        """A consistent copy taken while the bot runs, kept among the newest ``keep``; its path.

        None when another process on the same database is making one right now (one backup at a time,
        whichever process starts first); :class:`BackupFailed` when it could not be made."""
        suffix = BACKUP_SUFFIX[name(self.engine)]
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S")
        target = folder / f"state-{stamp}{suffix}"
        async with try_chore(self.engine, "backup") as mine:
            if not mine:
                log.info("another process is backing up the state database; skipped")
                return None
            await asyncio.to_thread(_prepare, folder, target)
            await backup_to(self.engine, target)
            if not await asyncio.to_thread(target.is_file):
                raise BackupFailed(f"no file at {target} after the backup")
            await asyncio.to_thread(_prune, folder, keep, suffix)
        return target
