"""Per-server settings: the time zone and default post time a server chose (/server-settings)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..db import insert_for
from .base import Base
from .schema import guild_settings

DEFAULT_TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class GuildSettings:
    timezone: str = DEFAULT_TIMEZONE
    post_time: str | None = None


class SettingsStore(Base):
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
