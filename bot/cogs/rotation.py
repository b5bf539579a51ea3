"""/gap, /streak and /digest: thin callbacks; everything they answer comes from ``commands/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands as ext

from commands import digest as digest_cmd
from commands import gap as gap_cmd
from commands import streak as streak_cmd

from ..respond import answer
from .options import describe, option, suggest, ticker_values

if TYPE_CHECKING:
    from ..client import RotationBot

# Per user, shared by every data command: ten answers a minute protects the data source without
# getting in the way of a conversation.
COOLDOWN_RATE, COOLDOWN_PER = 10, 60.0
COOLDOWN = app_commands.checks.cooldown(COOLDOWN_RATE, COOLDOWN_PER, key=lambda i: i.user.id)
TICKERS = ticker_values(option(gap_cmd.COMMAND, "small").suggestions)


async def _tickers(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return suggest(TICKERS, current)


async def _periods(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return suggest(option(gap_cmd.COMMAND, "period").suggestions, current)


def flag(value: bool | None) -> str | None:
    """A boolean option as the registry's text ("true"/"false"), None when not given."""
    return None if value is None else str(value).lower()


class Rotation(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot

    @app_commands.command(name="gap", description=gap_cmd.COMMAND.description)
    @app_commands.describe(**describe(gap_cmd.COMMAND))
    @app_commands.autocomplete(period=_periods, small=_tickers, large=_tickers)
    @COOLDOWN
    async def gap(
        self,
        interaction: discord.Interaction[RotationBot],
        period: str | None = None,
        small: str | None = None,
        large: str | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(
            interaction, gap_cmd.COMMAND, period=period, small=small, large=large, export=flag(export)
        )

    @app_commands.command(name="streak", description=streak_cmd.COMMAND.description)
    @app_commands.describe(**describe(streak_cmd.COMMAND))
    @app_commands.autocomplete(small=_tickers, large=_tickers)
    @COOLDOWN
    async def streak(
        self,
        interaction: discord.Interaction[RotationBot],
        as_of: str | None = None,
        small: str | None = None,
        large: str | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(
            interaction, streak_cmd.COMMAND, as_of=as_of, small=small, large=large, export=flag(export)
        )

    @app_commands.command(name="digest", description=digest_cmd.COMMAND.description)
    @app_commands.describe(**describe(digest_cmd.COMMAND))
    @app_commands.autocomplete(small=_tickers, large=_tickers)
    @COOLDOWN
    async def digest(
        self,
        interaction: discord.Interaction[RotationBot],
        date: str | None = None,
        small: str | None = None,
        large: str | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(
            interaction, digest_cmd.COMMAND, date=date, small=small, large=large, export=flag(export)
        )


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Rotation(bot))
