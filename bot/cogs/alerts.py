"""/alert add | list | remove: signals from /history, watched once per session after the close."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands as ext

from commands.alerts import validate
from commands.pages import paginate
from commands.reply import UserError
from data.state import Alert, OverQuota

from ..limits import ALERTS
from ..permissions import allowed_on
from .subscriptions import TargetChannel, refuse_channel_type, target_channel

if TYPE_CHECKING:
    from ..client import RotationBot

Signal = Literal["streak", "ratio_cross", "ratio_jump", "january"]
PAGE = 20  # alerts per page of /alert list: 20 lines stay far below Discord's 2,000 characters
CONTENT = 2000
HEAD_ROOM = 200  # the page's first line, with its counts and the hint


def _describe(alert: Alert) -> str:
    threshold = f" {alert.threshold:g}" if alert.threshold is not None else ""
    return f"{alert.signal}{threshold}" + (f" {alert.direction}" if alert.direction else "")


def alert_page(alerts: list[Alert], page: int) -> str:
    """One page of the list: every alert on exactly one page, every page within 2,000 characters
    (at most ``PAGE`` lines, fewer when lines are long)."""
    if not alerts:
        return "No alerts in this server. `/alert add` creates one."
    lines = [f"#{a.number} · `{_describe(a)}` → <#{a.channel_id}>" for a in alerts]
    cut = paginate([len(line) + 1 for line in lines], PAGE, CONTENT - HEAD_ROOM)
    pages = len(cut)
    if not 1 <= page <= pages:
        raise UserError(f"`page` runs from 1 to {pages} here ({len(alerts)} alerts, at most {PAGE} a page).")
    head = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''} in this server"
    if pages > 1:
        more = f" (`/alert list page:{page + 1}` for more)" if page < pages else ""
        head += f", page {page} of {pages}{more}"
    return "\n".join([head + ". `/alert remove id:N` removes one.", *(lines[i] for i in cut[page - 1])])


@app_commands.guild_only()
class Alerts(ext.GroupCog, group_name="alert", group_description="Alerts when a rotation signal fires"):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="add", description="Post here (or in a channel) when a signal fires")
    @app_commands.describe(
        signal="streak, ratio_cross, ratio_jump or january (as in /history)",
        threshold="streak: sessions (required); ratio_jump: %; january: pp",
        channel="Where to post (default: here)",
        direction="above (default) or below (streak: small caps trailing; ratio_cross: under the average)",
    )
    @app_commands.default_permissions(manage_channels=True)
    async def add(
        self,
        interaction: discord.Interaction[RotationBot],
        signal: Signal,
        threshold: float | None = None,
        channel: TargetChannel | None = None,
        direction: Literal["above", "below"] | None = None,
    ) -> None:
        target_id, kind, perms, _ = target_channel(interaction, channel)
        if (reason := refuse_channel_type(kind)) is not None:
            raise UserError(reason)
        if not perms.manage_channels:
            raise UserError(f"Adding an alert to <#{target_id}> needs the Manage Channels permission there.")
        validate(signal, threshold, direction)
        existing = await self.bot.state.alerts(interaction.guild_id)
        ALERTS.check([a.created_by for a in existing], interaction.user.id)
        alert = Alert(interaction.guild_id, target_id, signal, threshold, direction, interaction.user.id)
        try:
            added = await self.bot.state.add_alert(alert, self.bot.clock(), cap=ALERTS.cap)
        except OverQuota as over:  # another request (of any process) took the last room meanwhile
            raise ALERTS.refusal(over) from None
        await interaction.response.send_message(
            f"Alert #{added.number}: I'll post in <#{target_id}> when `{_describe(alert)}` fires, checked "
            "once per session after the close, with what followed the earlier times.",
            ephemeral=True,
        )

    @app_commands.command(name="list", description="This server's alerts, with the numbers to remove them")
    @app_commands.describe(page=f"Page of the list, {PAGE} alerts a page (default 1)")
    async def list(
        self, interaction: discord.Interaction[RotationBot], page: app_commands.Range[int, 1, 1000] = 1
    ) -> None:
        alerts = await self.bot.state.alerts(interaction.guild_id)
        await interaction.response.send_message(alert_page(alerts, page), ephemeral=True)

    @app_commands.command(name="remove", description="Remove an alert (needs Manage Channels on its channel)")
    @app_commands.default_permissions(manage_channels=True)
    async def remove(self, interaction: discord.Interaction[RotationBot], id: int) -> None:
        alert = next((a for a in await self.bot.state.alerts(interaction.guild_id) if a.number == id), None)
        if alert is None:
            raise UserError(f"There is no alert #{id} in this server.")
        if not allowed_on(interaction, "manage_channels", alert.channel_id):  # its channel, or the server
            raise UserError(
                f"Removing alert #{id} needs the Manage Channels permission in <#{alert.channel_id}>."
            )
        await self.bot.state.remove_alert(interaction.guild_id, id)
        await interaction.response.send_message(f"Alert #{id} removed.", ephemeral=True)


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Alerts(bot))
