"""Per-server settings: the time zone, default post time and chart theme a server chose (/server-settings)."""

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
    chart_theme: str | None = None  # "light" | "dark"; None: the bot's default


class SettingsStore(Base):
    async def guild_settings(self, guild_id: int, default_timezone: str = DEFAULT_TIMEZONE) -> GuildSettings:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(guild_settings).where(guild_settings.c.guild_id == guild_id))
            ).first()
        if row is None:
            return GuildSettings(default_timezone)
        return GuildSettings(row.timezone, row.post_time, row.chart_theme)

    async def chart_themes(self) -> dict[int, str]:
        """Every server that chose a chart theme: the daily update renders once per theme in use."""
        query = select(guild_settings.c.guild_id, guild_settings.c.chart_theme).where(
            guild_settings.c.chart_theme.is_not(None)
        )
        async with self.engine.connect() as conn:
            return {r.guild_id: r.chart_theme for r in await conn.execute(query)}

    async def set_guild_settings(self, guild_id: int, settings: GuildSettings) -> None:
        stmt = insert_for(self.engine)(guild_settings).values(
            guild_id=guild_id,
            timezone=settings.timezone,
            post_time=settings.post_time,
            chart_theme=settings.chart_theme,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["guild_id"],
            set_={
                "timezone": stmt.excluded.timezone,
                "post_time": stmt.excluded.post_time,
                "chart_theme": stmt.excluded.chart_theme,
            },
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)
