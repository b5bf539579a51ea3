"""The one path from an interaction to an answer, shared by every app command.

Order matters: permissions and option validation answer at once (ephemeral, nothing deferred);
then ``defer(thinking=True)`` inside Discord's 3-second window, with the answer (data on the loop,
the CPU half in the worker pool) already under way while the defer travels; then one followup with
the embed and chart, never before the defer has been acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from commands.escape import code
from commands.registry import Command
from commands.reply import Reply, UserError
from commands.tickers import query_tickers
from data.errors import UnknownTicker

from .embeds import reply_embed, reply_files
from .fair import asked_by

if TYPE_CHECKING:
    from .client import RotationBot

log = logging.getLogger(__name__)

# Needed to answer with an embed and a chart where the command was used.
REQUIRED = ("send_messages", "embed_links", "attach_files")
THREAD_REQUIRED = ("send_messages_in_threads", "embed_links", "attach_files")


def missing_permissions(perms: discord.Permissions, in_thread: bool) -> list[str]:
    needed = THREAD_REQUIRED if in_thread else REQUIRED
    return [name.replace("_", " ").title() for name in needed if not getattr(perms, name)]


async def answer(interaction: discord.Interaction[RotationBot], command: Command, **raw: str | None) -> None:
    missing = missing_permissions(
        interaction.app_permissions, isinstance(interaction.channel, discord.Thread)
    )
    if missing:
        await interaction.response.send_message(
            f"I can't answer here: I'm missing the {', '.join(missing)} permission"
            f"{'s' if len(missing) > 1 else ''} in this channel. Ask a moderator to grant "
            f"{'them' if len(missing) > 1 else 'it'}, or use me in another channel.",
            ephemeral=True,
        )
        return
    options: Mapping[str, str] = {k: v.strip() for k, v in raw.items() if v is not None and v.strip()}
    query = command.validate(options)  # a UserError here is answered ephemerally by the tree's handler
    refuse_offline(query, interaction.client.market)  # so is a series the data cannot have
    started = time.perf_counter()
    # The answer starts now and the defer's round trip to Discord (tens of milliseconds over the
    # internet; ~1 ms to the benchmark's loopback fake) runs beside it, instead of before it.
    building = asyncio.ensure_future(_reply(interaction.client, interaction.guild_id, command, query))
    try:
        await interaction.response.defer(thinking=True)
    except BaseException:
        building.cancel()  # the answer cache shields a build other askers share
        building.add_done_callback(lambda task: task.cancelled() or task.exception())  # seen, not logged
        raise
    deferred = time.perf_counter()
    reply = await building
    built = time.perf_counter()
    embed, _ = reply_embed(reply)
    files = reply_files(reply)  # the chart the embed shows, and the CSV when export:true asked for it
    await interaction.followup.send(embed=embed, files=files or discord.utils.MISSING)
    log.info(
        "answered /%s in %.0f ms (deferred at %.0f, answer ready at %.0f, sent in %.0f)",
        command.name,
        (time.perf_counter() - started) * 1000,
        (deferred - started) * 1000,
        (built - started) * 1000,
        (time.perf_counter() - built) * 1000,
    )


async def _reply(bot: RotationBot, guild_id: int | None, command: Command, query: object) -> Reply:
    theme = await bot.chart_theme(guild_id)
    return await bot.answers.answer(command, query, bot.market, bot.workers, theme)


def refuse_offline(query: object, market) -> None:
    """Without live data, a series that is not bundled cannot be answered: say so privately, before
    the defer, instead of publicly after it (the first followup keeps the defer's visibility)."""
    if getattr(market, "live", True) is not None:  # live (or a test's stand-in): only a fetch can tell
        return
    known = market.known_offline()
    for ticker in query_tickers(query):
        if ticker not in known:
            raise UserError(str(UnknownTicker(ticker, known, live_off=True)))


async def send_error(interaction: discord.Interaction, message: str) -> None:
    """Before a response: ephemeral. After the public defer: the "thinking" message becomes the error.

    Discord gives the first followup after a public defer the defer's visibility, so an "ephemeral"
    followup would be public anyway; deleting the deferred message first and then following up has
    behaved differently over the API's history. Editing the original response is well defined, so
    an error found after deferring is shown publicly, on purpose. Mentions never ping.
    """
    if not interaction.response.is_done():
        await interaction.response.send_message(message, ephemeral=True)
    else:
        await interaction.edit_original_response(content=message, embed=None, attachments=[])


class ErrorHandlingTree(app_commands.CommandTree):
    """One error handler for every app command."""

    async def _call(self, interaction: discord.Interaction) -> None:
        # Whose question this task serves: its builds take their turns in that member's lane of
        # that server (bot.fair), whatever else is queued.
        asked_by(interaction.guild_id, interaction.user.id if interaction.user else None)
        # discord.py routes only AppCommandError to on_error; anything else raised while it parses
        # the options (a payload it cannot read) would leave the user with "did not respond".
        try:
            await super()._call(interaction)
        except app_commands.AppCommandError:
            raise
        except Exception as exc:
            await self.report(interaction, exc)

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await self.report(
            interaction, error.original if isinstance(error, app_commands.CommandInvokeError) else error
        )

    async def report(self, interaction: discord.Interaction, cause: BaseException) -> None:
        """Tell the user what went wrong: their mistake in their words, ours as an apology with an id."""
        if isinstance(cause, UserError):
            message = str(cause)
        elif isinstance(cause, app_commands.CommandOnCooldown):
            message = f"Easy — you're asking quickly. Try again in {cause.retry_after:.0f} s."
        elif isinstance(cause, app_commands.TransformerError):
            message = f"I couldn't use {code(cause.value)} for that option: {cause.type.name} expected."
        elif isinstance(cause, app_commands.NoPrivateMessage):
            message = "That command works in a server channel, not in direct messages."
        elif isinstance(cause, app_commands.MissingPermissions):
            message = (
                f"You need the {', '.join(p.replace('_', ' ').title() for p in cause.missing_permissions)} "
                "permission for that."
            )
        else:
            error_id = secrets.token_hex(4)
            command = interaction.command.name if interaction.command else interaction.data.get("name", "?")
            log.error("error %s in /%s", error_id, command, exc_info=cause)
            message = (
                f"Sorry — something went wrong on my side answering that (error id `{error_id}`). "
                "It has been logged; please try again in a moment."
            )
        try:
            await send_error(interaction, message)
        except discord.HTTPException:
            log.warning(
                "could not deliver an error message for interaction %s", interaction.id, exc_info=True
            )
