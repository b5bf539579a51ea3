"""/valuation show | record | remove, per server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands as ext

from commands.reply import UserError
from commands.valuation import PAGE, PE_RANGE, QUOTED, SOURCE_LENGTH, pages, parse_record

from ..embeds import reply_embed
from ..limits import VALUATION_RATE
from ..permissions import allowed_on
from ..valuations import live_stand_in, record_valuation, remove_valuation, show_valuation

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
    @app_commands.describe(page="Older observations, 10 a page (default 1: the newest)")
    async def show(
        self, interaction: discord.Interaction[RotationBot], page: app_commands.Range[int, 1, 100] = 1
    ) -> None:
        today = self.bot.clock().date()
        if page > 1:  # a page beyond the list is refused privately, before the public defer
            stored = await self.bot.state.valuations(interaction.guild_id)
            live = [live_stand_in(today)] if getattr(self.bot.market, "live", None) is not None else []
            last = pages([*QUOTED, *stored, *live], today)
            if page > last:
                raise UserError(f"`page` runs from 1 to {last} here (at most {PAGE} observations a page).")
        await interaction.response.defer(thinking=True)
        theme = await self.bot.chart_theme(interaction.guild_id)
        reply = await show_valuation(
            self.bot.state, interaction.guild_id, self.bot.market, today, self.bot.workers, page, theme=theme
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
        small_pe: app_commands.Range[float, PE_RANGE[0], PE_RANGE[1]],
        large_pe: app_commands.Range[float, PE_RANGE[0], PE_RANGE[1]],
        basis: Basis,
        source: app_commands.Range[str, SOURCE_LENGTH[0], SOURCE_LENGTH[1]],
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
        now = self.bot.clock()
        parse_record(options, interaction.user.id, now.date())  # a mistake is answered before counting
        state, guild, user = self.bot.state, interaction.guild_id, interaction.user.id
        async with VALUATION_RATE.held(state, guild, user):  # given back if the record is refused
            text = await record_valuation(state, guild, options, user, now)
        await interaction.response.send_message(text, ephemeral=True)  # a member's own record: private

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
            allowed_on(interaction, "manage_messages"),  # a record of the whole server: server-wide
        )
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Valuation(bot))
