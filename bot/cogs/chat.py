"""Questions asked by mentioning the bot in a thread it opened, answered by the same commands.

Each member's last reading in a thread is kept in the state database (:mod:`data.state.conversations`),
so a follow-up ("and in 2023?") is read against it in whichever shard process receives it, and after a
restart. A member gets one question answered at a time, at most :data:`PACE` per window; a mention
beyond that gets one short note, then :data:`MUTE` seconds of silence: a flood from one member costs
the thread two posts, so Discord's per-channel limit (5 posts per 5 s) is left to everyone else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from typing import TYPE_CHECKING

import discord
from discord.ext import commands as ext

from commands.chat import REMEMBERED, Landmarks, NotUnderstood, Reading, Readings, read_as, read_many
from commands.chat.shown import focused, left_unanswered
from commands.help import about_reply, help_reply
from commands.reply import Reply, UserError
from commands.style import PAIRS as STYLE_PAIRS
from data.errors import DataError
from data.universe import LARGE_DEFAULT, NAMES, SMALL_DEFAULT

from ..embeds import reply_embed
from ..valuations import show_valuation

if TYPE_CHECKING:
    from ..client import RotationBot

log = logging.getLogger(__name__)

# A burst no one types by hand (two questions within 1.5 s), on top of one question at a time and the
# long limit of 10 a minute: a member asking in turn, even quickly, is never paced.
PACE = (2, 1.5)
MUTE = 10.0  # seconds a member's further mentions are ignored after the note
SLOW_DOWN = "Easy — one question at a time, please: ask again in a few seconds."
# Thanks or a greeting where the bot may not react (no Add Reactions permission): a word, not silence.
ACKNOWLEDGED = "👍 Any time."
OUTSIDE = (
    "I answer mentions in the threads I open: start one here with `/discuss`, "
    "or use a slash command such as `/gap period:ytd`."
)


class Chat(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot
        self.cooldown = ext.CooldownMapping.from_cooldown(10, 60.0, ext.BucketType.user)
        self.pace = ext.CooldownMapping.from_cooldown(*PACE, ext.BucketType.user)
        self.muted_until: dict[int, float] = {}  # member -> when their mentions are read again
        self.in_flight: set[int] = set()  # members with a question being answered
        self._landmarks: tuple[tuple[str, dt.date], Landmarks] | None = None

    def _mentions_me(self, message: discord.Message) -> bool:
        me = self.bot.user
        return me is not None and not message.author.bot and me in message.mentions

    def _in_my_thread(self, message: discord.Message) -> bool:
        me = self.bot.user
        return isinstance(message.channel, discord.Thread) and message.channel.owner_id == me.id

    def _over_pace(self, message: discord.Message) -> bool:
        """True when this member already has a question being answered, or asked too often."""
        if message.author.id in self.in_flight:
            return True
        return any(
            (bucket := mapping.get_bucket(message)) is not None and bucket.update_rate_limit()
            for mapping in (self.pace, self.cooldown)
        )

    def _mute(self, member: int, now: float) -> None:
        if len(self.muted_until) > 10_000:  # bounded: forget the windows that have passed
            self.muted_until = {k: v for k, v in self.muted_until.items() if v > now}
        self.muted_until[member] = now + MUTE

    @ext.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self._mentions_me(message):
            return
        member, now = message.author.id, time.monotonic()
        if self.muted_until.get(member, 0.0) > now:
            return  # noted once already: every further post would only delay other members
        if self._over_pace(message):
            self._mute(member, now)
            await message.reply(SLOW_DOWN, mention_author=False)
            return
        self.in_flight.add(member)  # before any await: the next mention sees it
        try:
            await self._handle(message)
        finally:
            self.in_flight.discard(member)

    async def _handle(self, message: discord.Message) -> None:
        if not self._in_my_thread(message):  # #general, or someone else's thread: a pointer
            await message.reply(OUTSIDE, mention_author=False)
            return
        try:
            await self.answer(message)
        except NotUnderstood as exc:
            if exc.kind == "social":  # thanks, a greeting: acknowledged, never refused
                try:
                    await message.add_reaction("👍")
                except discord.HTTPException:  # no Add Reactions here: a word instead, never silence
                    log.info("could not react to message %s; acknowledged in words", message.id)
                    await message.reply(ACKNOWLEDGED, mention_author=False)
                return
            await message.reply(str(exc), mention_author=False)
        except UserError as exc:
            await message.reply(str(exc), mention_author=False)
        except Exception:
            log.exception("could not answer message %s", message.id)
            await message.reply(
                "Sorry — something went wrong on my side answering that.", mention_author=False
            )

    async def answer(self, message: discord.Message) -> None:
        """Each question read (up to two in one message), under one line saying which command it was
        read as; the questions left unanswered are named under the last one."""
        if (check := self.bot.get_cog("Check")) and await check.answer_message(message):
            return  # "check: …" — the claims of a pasted text (bot/cogs/check.py)
        previous = await self.recall(message)
        known, latest = self.bot.market.known_offline(), await self.latest_session()
        landmarks = await self.landmarks()
        many = read_many(message.content, known, latest, previous, landmarks)
        if len(many.readings) == 1:  # relative dates count from the pair's own last session
            many = await self.anchored(message.content, many, known, latest, previous, landmarks)
        for i, reading in enumerate(many.readings):
            await self.remember(message, reading)
            header = read_as(reading)
            if i == len(many.readings) - 1 and many.left:
                header += "\n" + left_unanswered(many.left)
            await self.answer_one(message, reading, header)

    async def landmarks(self) -> Landmarks | None:
        """The small-cap index's yearly lows and highs ("since the 2022 low"), rebuilt when its data
        changes; None when the data cannot be had (a named stretch is then refused, not guessed)."""
        try:
            history = await self.bot.market.history(SMALL_DEFAULT)
        except DataError:
            return None
        if self._landmarks is None or self._landmarks[0] != (history.version, history.last_session):
            closes = zip((t.date() for t in history.prices.index), history.prices.tolist(), strict=True)
            name = f"the {NAMES.get(SMALL_DEFAULT, SMALL_DEFAULT)} ({SMALL_DEFAULT})"
            marks = await asyncio.to_thread(Landmarks.from_closes, name, list(closes))
            self._landmarks = ((history.version, history.last_session), marks)
        return self._landmarks[1]

    async def anchored(
        self, text: str, many: Readings, known, latest: dt.date, previous, landmarks
    ) -> Readings:
        """Read again against the named pair's newest common session when it ends before the default
        pair's (IWM's data may stop weeks before the index's): "this week" is then that pair's week."""
        reading = many.readings[0]
        tickers = [reading.options[k] for k in ("small", "large", "a", "b") if k in reading.options]
        if reading.command == "style":  # its funds, named by the pair (IWN/IWO unless said)
            tickers = list(STYLE_PAIRS[reading.options.get("pair", "russell")])
        if not tickers or reading.command not in ("gap", "compare", "streak", "rates", "style"):
            return many
        if len(tickers) == 1:
            tickers.append(LARGE_DEFAULT if "small" in reading.options else SMALL_DEFAULT)
        try:
            frames = await asyncio.gather(*(self.bot.market.history(t) for t in tickers))
        except DataError:
            return many  # the command itself will say what is missing
        anchor = min(f.last_session for f in frames)
        if anchor >= latest:
            return many
        try:
            again = read_many(text, known, anchor, previous, landmarks)
        except UserError:  # read at the pair's own end it makes no sense: keep the first reading
            return many
        if len(again.readings) != 1 or again.readings[0].line == reading.line:
            return many
        note = (
            f"Relative dates are counted from {'/'.join(tickers)}'s last session, {anchor} "
            f"(the indices run to {latest})."
        )
        first = dataclasses.replace(again.readings[0], notes=(*again.readings[0].notes, note))
        return Readings([first], again.left)

    async def answer_one(self, message: discord.Message, reading: Reading, header: str) -> None:
        try:
            async with message.channel.typing():
                reply = await self.reply_for(reading, message)
        except UserError as exc:
            await message.reply(f"{header}\n{exc}", mention_author=False)
            return
        if reading.focus:
            reply = dataclasses.replace(reply, fields=focused(reply.fields, reading.focus))
        embed, file = reply_embed(reply)
        await message.reply(header, embed=embed, file=file or discord.utils.MISSING, mention_author=False)

    @ext.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A deleted thread's readings are forgotten at once rather than when they expire."""
        try:
            await self.bot.state.forget_readings(payload.thread_id)
        except Exception:
            log.exception("could not forget the readings of thread %s", payload.thread_id)

    async def recall(self, message: discord.Message) -> Reading | None:
        """This member's last reading in this thread, if recent; a state database that cannot be read
        costs the follow-up its context (logged), never the answer."""
        try:
            line = await self.bot.state.recall_reading(message.channel.id, message.author.id)
        except Exception:
            log.exception("could not recall the last reading in thread %s", message.channel.id)
            return None
        return Reading.from_line(line) if line else None

    async def remember(self, message: discord.Message, reading: Reading) -> None:
        if reading.command not in REMEMBERED:
            return
        try:
            await self.bot.state.remember_reading(message.channel.id, message.author.id, reading.line)
        except Exception:
            log.exception("could not remember the reading in thread %s", message.channel.id)

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
