"""/call, /calls and /call-withdraw, and calls made by mention in a bot thread: thin callbacks.

The rules and figures live in ``commands.calls``; this cog only gathers who, where and when, loads
the pair, and stores the call. A call's result is posted by the delivery engine (``bot.delivery``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands as ext

from commands import calls as calls_cmd
from commands.escape import escape
from commands.pair import Pair, load_pair
from commands.reply import Reply, UserError
from data.calendar import TradingCalendar
from data.errors import DataError
from data.state import Call, OverQuota, TooManyOpen

from ..embeds import reply_embed
from ..limits import CALL_RATE, CALLS
from ..respond import missing_permissions
from .rotation import COOLDOWN

if TYPE_CHECKING:
    from ..client import RotationBot

log = logging.getLogger(__name__)

Side = Literal["small", "large"]
Horizon = Literal["1w", "1m", "3m", "6m", "1y"]
Status = Literal["open", "closed"]


async def _pair(bot: RotationBot, small: str, large: str) -> Pair:
    try:
        return await load_pair(bot.market, small, large)
    except DataError as exc:
        raise UserError(str(exc)) from exc


class Calls(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot
        self.calendar = TradingCalendar()

    async def check_limits(self, guild_id: int, user_id: int) -> None:
        """Open calls per member and per server (bot/limits.py); before anything is deferred or
        stored, so a refusal stays private. The pace is reserved next, around the work
        (``CALL_RATE.held``), so a burst of calls cannot all pass before any is counted."""
        first_open = calls_cmd.open_from(self.final_through(self.bot.clock()))
        standing = await self.bot.state.calls(guild_id)
        CALLS.check([c.user_id for c in standing if c.end >= first_open], user_id)

    def final_through(self, now: dt.datetime) -> dt.date:
        return self.calendar.last_closed_session(now, self.bot.settings.final_delay)

    async def record(
        self,
        request: calls_cmd.CallRequest,
        *,
        guild_id: int,
        channel: discord.abc.GuildChannel | discord.Thread | discord.abc.Messageable | None,
        channel_id: int,
        user: discord.abc.User,
    ) -> Reply:
        """Store a call made now by ``user`` in ``channel`` and return its terms, or raise UserError."""
        now = self.bot.clock()
        start, end = calls_cmd.window(self.calendar, now, request.horizon)
        pair = await _pair(self.bot, request.small, request.large)
        behind = self.calendar.sessions_after(pair.as_of, self.calendar.last_closed_session(now))
        live = getattr(self.bot.market, "mode", "snapshot") == "live"
        label = calls_cmd.pair_label(request.small, request.large)
        stale = next((n for n in pair.notes if "unavailable" in n), None)  # the live source failing
        if (reason := calls_cmd.refusal(end, pair.as_of, live, behind, label, stale)) is not None:
            raise UserError(reason)
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        call = Call(
            guild_id,
            channel_id,
            parent,
            user.id,
            user.display_name,
            request.side,
            request.horizon,
            request.small,
            request.large,
            start,
            end,
            now,
            request.note,
        )
        try:
            stored = await self.bot.state.add_call(
                call,
                max_open=calls_cmd.MAX_OPEN,
                open_from=calls_cmd.open_from(self.final_through(now)),
                cap=CALLS.cap,
            )
        except TooManyOpen as exc:
            raise UserError(calls_cmd.too_many(exc.open_calls, request)) from None
        except OverQuota as over:  # another request (of any process) took the last room meanwhile
            raise CALLS.refusal(over) from None
        log.info("call %s (#%s in guild %s) recorded", stored.id, stored.number, guild_id)
        return await self.bot.workers(calls_cmd.terms_reply, stored, pair)

    async def call_reply(self, message: discord.Message, options: dict[str, str]) -> Reply:
        """A call made by mention in a bot thread ("@rotation-bot call small 3m"): its terms."""
        request = calls_cmd.parse(options)
        guild_id = message.guild.id if message.guild else 0
        await self.check_limits(guild_id, message.author.id)
        async with CALL_RATE.held(self.bot.state, guild_id, message.author.id):
            return await self.record(
                request,
                guild_id=guild_id,
                channel=message.channel,
                channel_id=message.channel.id,
                user=message.author,
            )

    async def record_reply(
        self, guild_id: int, user: discord.abc.User | None, status: str | None, page: int
    ) -> Reply:
        """/calls: the server's (or a member's) record and open calls, scored on the pairs' data."""
        calls = await self.bot.state.calls(guild_id, user.id if user else None)
        frames, sources = {}, []
        for key in dict.fromkeys((c.small, c.large) for c in calls):
            try:
                pair = await load_pair(self.bot.market, *key)
            except (DataError, UserError):
                log.warning("no data for calls on %s/%s", *key, exc_info=True)
                continue
            frames[key] = pair.frame
            sources.append(pair.source)
        now = self.bot.clock()
        build = functools.partial(
            calls_cmd.calls_reply,
            today=now.astimezone(calls_cmd.NEW_YORK).date(),
            status=status,
            who=user.display_name if user else None,
            page=page,
            source=" / ".join(dict.fromkeys(sources)),
        )
        return await self.bot.workers(build, calls, frames, self.final_through(now))

    @app_commands.command(name="call", description="Record your call: which side leads over a horizon")
    @app_commands.describe(
        side="The side you call to lead: small or large",
        horizon="How long: 1w, 1m, 3m, 6m, 1y (5 to 252 sessions, as in /history)",
        pair="Small then large, e.g. IWM/SPY (default: Russell 2000 vs S&P 500)",
        note="Why, in a sentence (at most 200 characters; shown with the call and its result)",
    )
    @app_commands.guild_only()
    @COOLDOWN
    async def call(
        self,
        interaction: discord.Interaction[RotationBot],
        side: Side,
        horizon: Horizon,
        pair: str | None = None,
        note: str | None = None,
    ) -> None:
        in_thread = isinstance(interaction.channel, discord.Thread)
        if missing := missing_permissions(interaction.app_permissions, in_thread):
            raise UserError(
                f"I can't record a call here: I'm missing {', '.join(missing)} in this channel, so I "
                "could not post its result."
            )
        request = calls_cmd.parse({"side": side, "horizon": horizon, "pair": pair or "", "note": note or ""})
        await self.check_limits(interaction.guild_id, interaction.user.id)
        async with CALL_RATE.held(self.bot.state, interaction.guild_id, interaction.user.id):
            await interaction.response.defer(thinking=True)
            reply = await self.record(
                request,
                guild_id=interaction.guild_id,
                channel=interaction.channel,
                channel_id=interaction.channel_id,
                user=interaction.user,
            )
        embed, _ = reply_embed(reply)
        await interaction.followup.send(embed=embed)

    @app_commands.command(name="calls", description="This server's calls: each member's record, open calls")
    @app_commands.describe(
        user="Only this member's calls",
        status="open (provisional standings) or closed (scored); default both",
        page="Page of a long record (8 members and 12 calls a page)",
    )
    @app_commands.guild_only()
    @COOLDOWN
    async def calls(
        self,
        interaction: discord.Interaction[RotationBot],
        user: discord.User | None = None,
        status: Status | None = None,
        page: app_commands.Range[int, 1, 100] = 1,
    ) -> None:
        await interaction.response.defer(thinking=True)
        reply = await self.record_reply(interaction.guild_id, user, status, page)
        embed, _ = reply_embed(reply)
        await interaction.followup.send(embed=embed)

    @app_commands.command(name="call-withdraw", description="Withdraw your call, within five minutes")
    @app_commands.describe(number="The call's number (shown when you made it)")
    @app_commands.guild_only()
    async def withdraw(
        self, interaction: discord.Interaction[RotationBot], number: app_commands.Range[int, 1, 10**9]
    ) -> None:
        call = await self.bot.state.call(interaction.guild_id, number)
        now = self.bot.clock()
        if (reason := calls_cmd.withdraw_refusal(call, number, interaction.user.id, now)) is not None:
            raise UserError(reason)
        if not await self.bot.state.withdraw_call(call, now):
            raise UserError(f"Call #{number} was already withdrawn.")
        await interaction.response.send_message(
            f"Call #{number} ({call.side} over {call.horizon}) withdrawn by "
            f"{escape(interaction.user.display_name)}; it won't be scored."
        )


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Calls(bot))
