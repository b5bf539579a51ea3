"""/help and /about: generated from the registry and the data layer, so they never drift."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands as ext

from commands.help import about_reply, help_reply

from ..embeds import reply_embed

if TYPE_CHECKING:
    from ..client import RotationBot


class Meta(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="help", description="What rotation-bot answers, with an example for each command"
    )
    async def help(self, interaction: discord.Interaction[RotationBot]) -> None:
        embed, _ = reply_embed(help_reply(self.bot.registry))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="about", description="Where the data comes from and how fresh it is")
    async def about(self, interaction: discord.Interaction[RotationBot]) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        embed, _ = reply_embed(await about_reply(self.bot.market))
        await interaction.followup.send(embed=embed, ephemeral=True)


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Meta(bot))
