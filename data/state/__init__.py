"""User state: subscriptions, per-server settings, the delivery ledgers, alerts and valuations.

Never disposable. Unlike the market-data cache this database is never rebuilt from anything, so its
schema only ever moves forward through numbered migrations (:mod:`.schema`). One module per concern;
:class:`StateStore` is the one facade the cogs and the delivery engine hold, assembled from them.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import DatabaseError
from sqlalchemy.ext.asyncio import AsyncEngine

from ..db import migrate
from ..dialect import BackupFailed, is_busy, quick_check, retry_when_busy, sqlite_path
from .alerts import Alert, AlertStore
from .backup import BackupStore, StateCorrupt, newest_backup
from .calls import Call, CallStore, TooManyOpen
from .conversations import ConversationStore
from .identify import IdentifyStore
from .ledger import Claim, Holding, LedgerStore
from .new_tickers import NewTickerStore
from .quotas import Cap, OverPace, OverQuota, Pace, QuotaStore
from .schema import MIGRATIONS
from .settings import DEFAULT_TIMEZONE, GuildSettings, SettingsStore
from .subscriptions import Subscription, SubscriptionStore
from .updates import StoredUpdate, UpdateStore
from .valuations import ValuationStore

__all__ = [
    "DEFAULT_TIMEZONE",
    "MIGRATIONS",
    "Alert",
    "BackupFailed",
    "Call",
    "Cap",
    "Claim",
    "GuildSettings",
    "Holding",
    "OverPace",
    "OverQuota",
    "Pace",
    "StateCorrupt",
    "StateStore",
    "StoredUpdate",
    "Subscription",
    "TooManyOpen",
    "newest_backup",
]


class StateStore(
    SettingsStore,
    SubscriptionStore,
    LedgerStore,
    AlertStore,
    ValuationStore,
    CallStore,
    BackupStore,
    UpdateStore,
    IdentifyStore,
    QuotaStore,
    ConversationStore,
    NewTickerStore,
):
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open(self, backups: Path | None = None) -> int:
        """Check, then migrate. A damaged state database is never set aside or rebuilt: the bot
        stops with :class:`StateCorrupt`, naming the newest backup to restore."""
        try:
            await retry_when_busy(lambda: quick_check(self.engine))
        except DatabaseError as exc:
            if is_busy(exc):  # locked by another process for too long: not damage
                raise
            raise StateCorrupt(sqlite_path(self.engine), newest_backup(backups), exc) from exc
        return await migrate(self.engine, MIGRATIONS, scope="state")

    async def close(self) -> None:
        await self.engine.dispose()
