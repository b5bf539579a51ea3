"""Questions asked by mentioning the bot in a thread it opened, answered by the same commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands as ext

from commands.chat import Reading, read
from commands.help import about_reply, help_reply
from commands.reply import Reply, UserError
from data.errors import DataError
from data.universe import LARGE_DEFAULT, SMALL_DEFAULT

from ..embeds import reply_embed
from ..valuations import show_valuation

if TYPE_CHECKING:
    from ..client import RotationBot

log = logging.getLogger(__name__)


class Chat(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot
        self.cooldown = ext.CooldownMapping.from_cooldown(10, 60.0, ext.BucketType.user)

    def _is_for_me(self, message: discord.Message) -> bool:
        me = self.bot.user
        return (
            me is not None
            and not message.author.bot
            and isinstance(message.channel, discord.Thread)
            and message.channel.owner_id == me.id
            and me in message.mentions
        )

    @ext.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self._is_for_me(message):
            return
        bucket = self.cooldown.get_bucket(message)
        if bucket is not None and (retry := bucket.update_rate_limit()):
            await message.reply(f"Easy — try again in {retry:.0f} s.", mention_author=False)
            return
        try:
            await self.answer(message)
        except UserError as exc:
            await message.reply(str(exc), mention_author=False)
        except Exception:
            log.exception("could not answer message %s", message.id)
            await message.reply(
                "Sorry — something went wrong on my side answering that.", mention_author=False
            )

    async def answer(self, message: discord.Message) -> None:
        """The answer, under one line saying which command the question was read as."""
        if (check := self.bot.get_cog("Check")) and await check.answer_message(message):
            return  # "check: …" — the claims of a pasted text (bot/cogs/check.py)
        reading = read(message.content, self.bot.market.known_offline(), await self.latest_session())
        header = f"Read as `{reading.line}`"
        try:
            async with message.channel.typing():
                reply = await self.reply_for(reading, message)
        except UserError as exc:
            await message.reply(f"{header}\n{exc}", mention_author=False)
            return
        embed, file = reply_embed(reply)
        await message.reply(header, embed=embed, file=file or discord.utils.MISSING, mention_author=False)

    async def latest_session(self) -> dt.date:
        """The default pair's newest common session: what "this year" or "last quarter" is relative to
        (the same anchor as ``ytd`` in /gap), so a question and its slash command agree."""
        try:
            small, large = await asyncio.gather(
                self.bot.market.history(SMALL_DEFAULT), self.bot.market.history(LARGE_DEFAULT)
            )
        except DataError as exc:
            raise UserError(str(exc)) from exc
        return min(small.last_session, large.last_session)

    async def reply_for(self, reading: Reading, message: discord.Message) -> Reply:
        if reading.command == "help":
            return help_reply(self.bot.registry)
        if reading.command == "about":
            return await about_reply(self.bot.market)
        if reading.command in ("call", "calls"):  # state commands: the calls cog records and scores
            guild_id = message.guild.id if message.guild else 0
            cog = self.bot.get_cog("Calls")
            if reading.command == "call":
                return await cog.call_reply(message, reading.options)
            return await cog.record_reply(guild_id, None, reading.options.get("status"), 1)
        if reading.command == "valuation show":
            guild_id = message.guild.id if message.guild else 0
            today = self.bot.clock().date()
            theme = await self.bot.chart_theme(guild_id)
            return await show_valuation(
                self.bot.state, guild_id, self.bot.market, today, self.bot.workers, theme=theme
            )
        command, query = self.bot.registry.validate_line(reading.line)
        theme = await self.bot.chart_theme(message.guild.id if message.guild else None)
        return await self.bot.answers.answer(command, query, self.bot.market, self.bot.workers, theme)


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Chat(bot))
