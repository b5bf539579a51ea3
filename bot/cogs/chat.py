"""Questions asked by mentioning the bot in a thread it opened, answered by the same commands."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands as ext

from commands.chat import to_line
from commands.help import help_reply
from commands.registry import execute
from commands.reply import UserError

from ..embeds import reply_embed

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
        line = to_line(message.content, self.bot.market.known_offline())
        if line.strip() == "/help":
            embed, _ = reply_embed(help_reply(self.bot.registry))
            await message.reply(embed=embed, mention_author=False)
            return
        command, query = self.bot.registry.validate_line(line)
        async with message.channel.typing():
            reply = await execute(command, query, self.bot.market, self.bot.workers)
        embed, file = reply_embed(reply)
        await message.reply(embed=embed, file=file or discord.utils.MISSING, mention_author=False)


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Chat(bot))
