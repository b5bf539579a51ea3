"""/style, /sectors, /rates, /rrg and /compare: thin callbacks over ``commands/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands as ext

from commands import compare as compare_cmd
from commands import gap as gap_cmd
from commands import history as history_cmd
from commands import rates as rates_cmd
from commands import rrg as rrg_cmd
from commands import sectors as sectors_cmd
from commands import style as style_cmd

from ..respond import answer
from .options import describe, option, suggest
from .rotation import COOLDOWN, TICKERS

if TYPE_CHECKING:
    from ..client import RotationBot


def _choices(command, name: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=c, value=c) for c in option(command, name).choices]


async def _periods(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return suggest(option(gap_cmd.COMMAND, "period").suggestions, current)


async def _tickers(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return suggest(TICKERS, current)


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


class Research(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot

    @app_commands.command(name="style", description=style_cmd.COMMAND.description)
    @app_commands.describe(**describe(style_cmd.COMMAND))
    @app_commands.choices(pair=_choices(style_cmd.COMMAND, "pair"))
    @app_commands.autocomplete(period=_periods)
    @COOLDOWN
    async def style(
        self,
        interaction: discord.Interaction[RotationBot],
        pair: str | None = None,
        period: str | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(interaction, style_cmd.COMMAND, pair=pair, period=period, export=_flag(export))

    @app_commands.command(name="sectors", description=sectors_cmd.COMMAND.description)
    @app_commands.describe(**describe(sectors_cmd.COMMAND))
    @app_commands.autocomplete(period=_periods)
    @COOLDOWN
    async def sectors(
        self,
        interaction: discord.Interaction[RotationBot],
        period: str | None = None,
        vs_large: bool | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(
            interaction, sectors_cmd.COMMAND, period=period, vs_large=_flag(vs_large), export=_flag(export)
        )

    @app_commands.command(name="rates", description=rates_cmd.COMMAND.description)
    @app_commands.describe(
        **{("yield_" if k == "yield" else k): v for k, v in describe(rates_cmd.COMMAND).items()}
    )
    @app_commands.rename(yield_="yield")  # a Python keyword, so the parameter has another name
    @app_commands.choices(yield_=_choices(rates_cmd.COMMAND, "yield"))
    @app_commands.autocomplete(period=_periods, small=_tickers, large=_tickers)
    @COOLDOWN
    async def rates(
        self,
        interaction: discord.Interaction[RotationBot],
        period: str | None = None,
        yield_: str | None = None,
        small: str | None = None,
        large: str | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(
            interaction,
            rates_cmd.COMMAND,
            period=period,
            small=small,
            large=large,
            export=_flag(export),
            **{"yield": yield_},
        )

    @app_commands.command(name="rrg", description=rrg_cmd.COMMAND.description)
    @app_commands.describe(**describe(rrg_cmd.COMMAND))
    @app_commands.choices(set=_choices(rrg_cmd.COMMAND, "set"))
    @COOLDOWN
    async def rrg(
        self,
        interaction: discord.Interaction[RotationBot],
        set: str | None = None,
        weeks: app_commands.Range[int, 2, 26] | None = None,
        window: app_commands.Range[int, 5, 52] | None = None,
        smooth: app_commands.Range[int, 1, 26] | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(
            interaction,
            rrg_cmd.COMMAND,
            set=set,
            weeks=None if weeks is None else str(weeks),
            window=None if window is None else str(window),
            smooth=None if smooth is None else str(smooth),
            export=_flag(export),
        )

    @app_commands.command(name="compare", description=compare_cmd.COMMAND.description)
    @app_commands.describe(**describe(compare_cmd.COMMAND))
    @app_commands.autocomplete(a=_tickers, b=_tickers, period=_periods)
    @COOLDOWN
    async def compare(
        self,
        interaction: discord.Interaction[RotationBot],
        a: str,
        b: str,
        period: str | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(interaction, compare_cmd.COMMAND, a=a, b=b, period=period, export=_flag(export))


class History(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot

    @app_commands.command(name="history", description=history_cmd.COMMAND.description)
    @app_commands.describe(**describe(history_cmd.COMMAND))
    @app_commands.choices(
        signal=_choices(history_cmd.COMMAND, "signal"),
        horizon=_choices(history_cmd.COMMAND, "horizon"),
        direction=_choices(history_cmd.COMMAND, "direction"),
    )
    @COOLDOWN
    async def history(
        self,
        interaction: discord.Interaction[RotationBot],
        signal: str | None = None,
        threshold: str | None = None,
        horizon: str | None = None,
        direction: str | None = None,
        detail: bool | None = None,
        export: bool | None = None,
    ) -> None:
        await answer(
            interaction,
            history_cmd.COMMAND,
            signal=signal,
            threshold=threshold,
            horizon=horizon,
            direction=direction,
            detail=_flag(detail),
            export=_flag(export),
        )


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(History(bot))
    await bot.add_cog(Research(bot))
