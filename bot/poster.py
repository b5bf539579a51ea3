"""The daily update's Discord side: send to a channel, open the thread, find an earlier post.

Translates discord.py's errors into the delivery engine's three kinds: a channel that is gone, a
permission that is missing (both mark the subscription as failing), and anything worth retrying.
discord.py itself already waits out rate limits and retries 5xx a few times.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp
import discord

from commands.reply import Reply

from .delivery import ChannelGone, NoAccess, Transient
from .embeds import reply_embed
from .ratelimits import Pacer

if TYPE_CHECKING:
    from .client import RotationBot

log = logging.getLogger(__name__)
HISTORY_LOOKBACK = 50  # messages searched for an earlier post after a crash


class DiscordPoster:
    """Every REST call of a fan-out first takes a token from the bot's :class:`~bot.ratelimits.Pacer`,
    so a large fan-out runs at this process's share of the global limit instead of into 429s."""

    def __init__(self, bot: RotationBot, pacer: Pacer | None = None) -> None:
        self.bot = bot
        self.pacer = pacer

    async def _paced(self) -> None:
        if self.pacer is not None:
            await self.pacer.acquire()

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        if channel is not None:
            return channel  # type: ignore[return-value]
        try:
            await self._paced()
            return await self.bot.fetch_channel(channel_id)  # type: ignore[return-value]
        except discord.NotFound as exc:
            raise ChannelGone(exc.text or "Unknown Channel") from exc
        except discord.Forbidden as exc:
            raise NoAccess("I can no longer see that channel (View Channel)") from exc
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(str(exc)) from exc

    async def post(self, channel_id: int, reply: Reply, *, nonce: str, thread_name: str | None) -> int:
        channel = await self._channel(channel_id)
        embed, file = reply_embed(reply)  # a fresh File for every channel: a File is consumed when sent
        try:
            await self._paced()
            message = await channel.send(embed=embed, file=file or discord.utils.MISSING, nonce=nonce)
        except discord.NotFound as exc:
            raise ChannelGone(exc.text or "Unknown Channel") from exc
        except discord.Forbidden as exc:
            raise NoAccess("missing permission to post (Send Messages, Embed Links or Attach Files)") from exc
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as exc:
            raise Transient(str(exc)) from exc
        if thread_name:
            try:
                await self._paced()
                await message.create_thread(name=thread_name, auto_archive_duration=1440)
            except discord.HTTPException:
                # the update itself is out; a missing thread is reported by /subscriptions' permission check
                log.warning("posted to %s but could not open the thread", channel_id, exc_info=True)
        return message.id

    async def find_post(self, channel_id: int, title: str) -> int | None:
        channel = await self._channel(channel_id)
        me = self.bot.user.id if self.bot.user else None
        try:
            await self._paced()
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                if message.author.id == me and any((e.title or "").startswith(title) for e in message.embeds):
                    return message.id
        except discord.Forbidden as exc:
            raise NoAccess("missing Read Message History, needed to check for an earlier post") from exc
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as exc:
            raise Transient(str(exc)) from exc
        return None
