"""/valuation show | record | remove, per server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands as ext

from ..embeds import reply_embed
from ..valuations import record_valuation, remove_valuation, show_valuation

if TYPE_CHECKING:
    from ..client import RotationBot

Basis = Literal["forward", "trailing", "unstated"]


@app_commands.guild_only()
class Valuation(
    ext.GroupCog, group_name="valuation", group_description="Small vs large P/E and the discount"
):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="show", description="P/E figures with their basis, and the discount where comparable"
    )
    async def show(self, interaction: discord.Interaction[RotationBot]) -> None:
        await interaction.response.defer(thinking=True)
        today = self.bot.clock().date()
        reply = await show_valuation(
            self.bot.state, interaction.guild_id, self.bot.market, today, self.bot.workers
        )
        embed, file = reply_embed(reply)
        await interaction.followup.send(embed=embed, file=file or discord.utils.MISSING)

    @app_commands.command(name="record", description="Record P/E figures from a source, for this server")
    @app_commands.describe(
        small_pe="Small-cap P/E, e.g. 18.1",
        large_pe="Large-cap P/E, e.g. 22.3",
        basis="Earnings basis of the figures (of the small side when large_basis is given)",
        source="Where the figures come from",
        as_of="Date of the figures, YYYY-MM-DD (default today)",
        large_basis="Large side's basis when it differs (then no discount is computed)",
        excludes_losses="Whether the source excludes loss-making companies (leave out if not stated)",
    )
    async def record(
        self,
        interaction: discord.Interaction[RotationBot],
        small_pe: app_commands.Range[float, 0.1, 999.0],
        large_pe: app_commands.Range[float, 0.1, 999.0],
        basis: Basis,
        source: app_commands.Range[str, 3, 300],
        as_of: str | None = None,
        large_basis: Basis | None = None,
        excludes_losses: bool | None = None,
    ) -> None:
        options = {"small_pe": str(small_pe), "large_pe": str(large_pe), "basis": basis, "source": source}
        if as_of:
            options["as_of"] = as_of
        if large_basis:
            options["large_basis"] = large_basis
        if excludes_losses is not None:
            options["excludes_losses"] = str(excludes_losses).lower()
        text = await record_valuation(
            self.bot.state, interaction.guild_id, options, interaction.user.id, self.bot.clock()
        )
        await interaction.response.send_message(text)

    @app_commands.command(
        name="remove", description="Remove a recorded valuation (yours, or with Manage Messages)"
    )
    @app_commands.describe(id="The number shown as #N in /valuation show")
    async def remove(self, interaction: discord.Interaction[RotationBot], id: int) -> None:
        text = await remove_valuation(
            self.bot.state,
            interaction.guild_id,
            str(id),
            interaction.user.id,
            interaction.permissions.manage_messages,
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Valuation(bot))
