"""/subscribe, /unsubscribe, /subscriptions and /discuss; the minute-by-minute delivery tick."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands as ext
from discord.ext import tasks

from commands import digest as digest_cmd
from commands.escape import code, thread_name
from commands.pages import FIELDS_ROOM, paginate
from commands.reply import Field, Reply, UserError
from commands.theme import DEFAULT_THEME
from commands.visible import has_visible
from commands.zones import matching, parse_zone
from data.state import GuildSettings, OverQuota, Subscription

from ..embeds import reply_embed
from ..limits import DISCUSS_RATE, SUBSCRIPTIONS
from ..permissions import allowed_on
from ..schedule import discord_time, due_session, due_time, next_due, parse_post_time, post_time_rule

if TYPE_CHECKING:
    from ..client import RotationBot

log = logging.getLogger(__name__)

POSTABLE = {discord.ChannelType.text, discord.ChannelType.news}
TargetChannel = app_commands.AppCommandChannel | app_commands.AppCommandThread
NEEDED = ("view_channel", "send_messages", "embed_links", "attach_files", "read_message_history")
NEEDED_FOR_THREADS = ("create_public_threads", "send_messages_in_threads")
PAGE = 10  # subscriptions per page of /subscriptions: 10 fields stay within an embed's 6,000 characters
TOPIC_LENGTH = 90  # a thread name is at most 100 characters; room for the bot's own suffixes


def _names(perms: list[str]) -> str:
    return ", ".join(p.replace("_", " ").title() for p in perms)


async def _zone_suggestions(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Real IANA zones only (:mod:`commands.zones`), so what a member picks is always accepted."""
    return [app_commands.Choice(name=z, value=z) for z in matching(current[:40])]


def refuse_channel_type(kind: discord.ChannelType) -> str | None:
    if kind in POSTABLE:
        return None
    if kind in (
        discord.ChannelType.public_thread,
        discord.ChannelType.private_thread,
        discord.ChannelType.news_thread,
    ):
        return "That is a thread: subscribe its parent channel, and each update will open its own thread."
    reasons = {
        discord.ChannelType.voice: "a voice channel",
        discord.ChannelType.stage_voice: "a stage channel",
        discord.ChannelType.category: "a category, not a channel",
        discord.ChannelType.forum: "a forum, where posts need a title and tags",
        discord.ChannelType.media: "a media channel",
    }
    what = reasons.get(kind, f"a {kind.name} channel")
    return f"I can't post daily updates there: it is {what}. Pick a text or announcement channel."


def _in_this_server(interaction: discord.Interaction, channel_id: int) -> bool:
    """discord.py stamps a resolved channel with the interaction's server whatever it is, so look at
    what Discord sent and at the server's own channels (complete in the cache with the guilds intent)."""
    resolved = ((interaction.data or {}).get("resolved") or {}).get("channels") or {}
    sent_guild = (resolved.get(str(channel_id)) or {}).get("guild_id")
    if sent_guild is not None and int(sent_guild) != interaction.guild_id:
        return False
    guild = interaction.guild
    return guild is None or guild.get_channel_or_thread(channel_id) is not None


def target_channel(
    interaction: discord.Interaction, channel: TargetChannel | None
) -> tuple[int, discord.ChannelType, discord.Permissions, discord.abc.GuildChannel | None]:
    """The target channel's id, type, the *user's* permissions there, and the cached channel.

    A channel option must name a channel of the server the command is used in: Discord's client only
    offers those, but the bot does not rely on a client it does not control."""
    if channel is not None and not _in_this_server(interaction, channel.id):
        raise UserError("That channel is not in this server: pick one of this server's own channels.")
    if channel is None:
        current = interaction.channel
        if current is None:
            raise UserError("I can't tell which channel this is: name one with `channel:`.")
        return (
            current.id,
            current.type,
            interaction.permissions,
            interaction.guild.get_channel(current.id) if interaction.guild else None,
        )
    return channel.id, channel.type, channel.permissions, channel.resolve()


class Subscriptions(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        if self.bot.settings.scheduler_enabled:
            self.deliver.start()

    async def cog_unload(self) -> None:
        self.deliver.cancel()

    @tasks.loop(seconds=60)
    async def deliver(self) -> None:
        last = self.bot.backup_attempted
        if last is not None and self.bot.clock() - last > dt.timedelta(days=1):
            await self.bot.backup_state()
        try:
            await self.bot.deliver_due()
        except Exception:  # the loop must survive anything: log it and try again next minute
            log.exception("delivery tick failed")

    @deliver.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    # -- commands ------------------------------------------------------------------------------

    def _bot_missing(
        self,
        interaction: discord.Interaction,
        target_id: int,
        cached: discord.abc.GuildChannel | None,
        thread: bool,
    ) -> list[str]:
        if cached is not None and interaction.guild is not None and interaction.guild.me is not None:
            perms = cached.permissions_for(interaction.guild.me)
        elif interaction.channel is not None and target_id == interaction.channel.id:
            perms = interaction.app_permissions
        else:
            return ["View Channel"]
        needed = NEEDED + (NEEDED_FOR_THREADS if thread else ())
        return [p for p in needed if not getattr(perms, p)]

    @app_commands.command(name="subscribe", description="Post the daily rotation update in a channel")
    @app_commands.describe(
        channel="Where to post (default: here)",
        time="Post time, 24-hour HH:MM in the server's time zone (default: 30 min after the US close)",
        thread="Open a discussion thread under each update (default: yes)",
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    async def subscribe(
        self,
        interaction: discord.Interaction[RotationBot],
        channel: TargetChannel | None = None,
        time: str | None = None,
        thread: bool = True,
    ) -> None:
        target_id, kind, user_perms, cached = target_channel(interaction, channel)
        if (reason := refuse_channel_type(kind)) is not None:
            raise UserError(reason)
        if not user_perms.manage_channels:
            raise UserError(f"Subscribing <#{target_id}> needs the Manage Channels permission there.")
        missing = self._bot_missing(interaction, target_id, cached, thread)
        if missing:
            raise UserError(f"I can't post in <#{target_id}>: I'm missing {_names(missing)} there.")
        guild = await self.bot.state.guild_settings(interaction.guild_id, self.bot.settings.timezone)
        try:
            post_time = parse_post_time(time) if time else guild.post_time
        except ValueError as exc:
            raise UserError(str(exc)) from None
        now = self.bot.clock()
        existing = await self.bot.state.subscriptions(interaction.guild_id)
        if all(s.channel_id != target_id for s in existing):  # changing a subscription adds nothing
            SUBSCRIPTIONS.check([s.created_by for s in existing], interaction.user.id)
        sub = Subscription(
            target_id, interaction.guild_id, post_time, guild.timezone, thread, interaction.user.id
        )
        try:
            stored = await self.bot.state.subscribe(sub, now, cap=SUBSCRIPTIONS.cap)
        except OverQuota as over:  # another request (of any process) took the last room meanwhile
            raise SUBSCRIPTIONS.refusal(over) from None
        if not stored:
            raise UserError(f"<#{target_id}> is subscribed from another server; it cannot be changed here.")
        rule = self._rule(post_time, guild.timezone, now)
        await interaction.response.send_message(
            f"Subscribed <#{target_id}>: the daily rotation update for every NYSE session"
            f"{', each with a discussion thread' if thread else ''}, posted {rule}. "
            f"Next: {self._next(sub, now)}.",
            ephemeral=True,
        )

    def _rule(self, post_time: str | None, zone: str, now: dt.datetime) -> str:
        return post_time_rule(post_time, zone, now, self.bot.delivery.calendar, self.bot.delivery.policy)

    def _next(self, sub: Subscription, now: dt.datetime) -> str:
        nxt = next_due(sub, now, self.bot.delivery.calendar, self.bot.delivery.policy)
        if nxt is None:
            return "the next trading session's update"
        return f"the {nxt[0]} update, {discord_time(nxt[1])}"

    @app_commands.command(
        name="server-settings", description="This server's time zone, default post time and chart theme"
    )
    @app_commands.describe(
        timezone="IANA time zone for post times, e.g. America/New_York or Europe/Berlin",
        time="Default post time, HH:MM in that zone; 'close' for 30 minutes after the US close",
        theme="Charts for Discord's dark theme (the default) or its light theme",
    )
    @app_commands.autocomplete(timezone=_zone_suggestions)
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def server_settings(
        self,
        interaction: discord.Interaction[RotationBot],
        timezone: str | None = None,
        time: str | None = None,
        theme: Literal["dark", "light"] | None = None,
    ) -> None:
        state = self.bot.state
        current = await state.guild_settings(interaction.guild_id, self.bot.settings.timezone)
        if timezone is not None or time is not None or theme is not None:
            if not interaction.permissions.manage_guild:
                raise UserError("Changing this server's settings needs the Manage Server permission.")
            zone = current.timezone if timezone is None else parse_zone(timezone)
            post_time = current.post_time
            if time is not None:
                try:
                    post_time = None if time.strip().lower() == "close" else parse_post_time(time)
                except ValueError as exc:
                    raise UserError(str(exc)) from None
            current = GuildSettings(zone, post_time, theme or current.chart_theme)
            await state.set_guild_settings(interaction.guild_id, current)
            self.bot.set_chart_theme(interaction.guild_id, current.chart_theme)
        rule = self._rule(current.post_time, current.timezone, self.bot.clock())
        await interaction.response.send_message(
            f"This server: time zone {current.timezone}; new subscriptions post {rule}. "
            f"Charts use the {current.chart_theme or DEFAULT_THEME} theme. "
            "Existing subscriptions keep their time (subscribe again to change one).",
            ephemeral=True,
        )

    @app_commands.command(name="unsubscribe", description="Stop the daily rotation update in a channel")
    @app_commands.describe(
        channel="Which channel (default: here)",
        id="The number /subscriptions shows for a channel that no longer exists",
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    async def unsubscribe(
        self,
        interaction: discord.Interaction[RotationBot],
        channel: TargetChannel | None = None,
        id: str | None = None,
    ) -> None:
        if id is not None:
            # A deleted channel cannot be picked any more, yet its subscription must stay removable.
            if channel is not None:
                raise UserError("Give either `channel` or `id`, not both.")
            if not id.strip().isdecimal() or len(id.strip()) > 20:
                raise UserError(f"`id` is the number /subscriptions shows (got {code(id, 24)}).")
            target_id = int(id.strip())
            # on the target channel, not where this is typed; server-wide once the channel is gone
            allowed = allowed_on(interaction, "manage_channels", target_id)
        else:
            target_id, _, user_perms, _ = target_channel(interaction, channel)
            allowed = user_perms.manage_channels  # Discord's own figure for that channel
        if not allowed:
            gone = interaction.guild is not None and interaction.guild.get_channel(target_id) is None
            where = "in this server (the channel no longer exists)" if gone and id is not None else "there"
            raise UserError(f"Unsubscribing <#{target_id}> needs the Manage Channels permission {where}.")
        removed = await self.bot.state.unsubscribe(interaction.guild_id, target_id)
        text = (
            f"<#{target_id}> will get no more daily updates."
            if removed
            else f"<#{target_id}> was not subscribed in this server."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="subscriptions", description="This server's daily-update subscriptions")
    @app_commands.describe(page=f"Page of the list, {PAGE} channels a page (default 1)")
    @app_commands.guild_only()
    async def subscriptions(
        self, interaction: discord.Interaction[RotationBot], page: app_commands.Range[int, 1, 1000] = 1
    ) -> None:
        subs = await self.bot.state.subscriptions(interaction.guild_id)
        now = self.bot.clock()
        fields = []
        for sub in subs:
            cached = interaction.guild.get_channel(sub.channel_id) if interaction.guild else None
            problems = [sub.problem] if sub.problem else []
            if cached is None:
                problems.append(f"channel not found: `/unsubscribe id:{sub.channel_id}` removes it")
            else:
                missing = self._bot_missing(interaction, sub.channel_id, cached, sub.thread)
                if missing:
                    problems.append(f"missing {_names(missing)}")
            value = self._describe(sub, now) + (f"\n⚠️ {'; '.join(problems)}" if problems else "")
            name = f"#{thread_name(cached.name)}" if cached else str(sub.channel_id)
            fields.append(Field(name, value, None, inline=False))
        # every subscription on exactly one page: at most PAGE, and no more than one embed holds
        cut = paginate([len(f.name) + len(f.value[:1024]) for f in fields], PAGE, FIELDS_ROOM)
        pages = len(cut)
        if page > pages:
            raise UserError(
                f"`page` runs from 1 to {pages} here ({len(subs)} subscriptions, at most {PAGE} a page)."
            )
        fields = [fields[i] for i in cut[page - 1]]
        text = (
            f"{len(subs)} channel{'s' if len(subs) != 1 else ''} subscribed in this server."
            if subs
            else "No channel here is subscribed. `/subscribe` in a channel starts its daily update."
        )
        if pages > 1:
            more = f"; `/subscriptions page:{page + 1}` for more" if page < pages else ""
            text += f" Page {page} of {pages}{more}."
        reply = Reply(title="Daily-update subscriptions", text=text, fields=fields)
        embed, _ = reply_embed(reply)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _describe(self, sub: Subscription, now: dt.datetime) -> str:
        """One subscription: each moment as a Discord timestamp (sessions as dates), then its rule."""
        cal, policy = self.bot.delivery.calendar, self.bot.delivery.policy
        parts = [f"<#{sub.channel_id}> · next: {self._next(sub, now)}"]
        due = due_session(sub, now, cal, policy, not_before=sub.created_at)
        if due and (sub.last_session or "") < due.isoformat():
            parts.append(f"due now: the {due} update")
        if sub.last_session:
            last = dt.date.fromisoformat(sub.last_session)
            due_at = discord_time(due_time(sub, last, cal, policy))
            parts.append(f"last post: the {last} update, due {due_at}")
        else:
            parts.append("no post yet")
        if sub.created_at:
            parts.append(f"subscribed {discord_time(sub.created_at)}")
        parts.append(f"thread {'on' if sub.thread else 'off'}")
        return " · ".join(parts) + f"\nPosted {self._rule(sub.post_time, sub.timezone, now)}."

    @app_commands.command(name="discuss", description="Open a thread seeded with the current digest chart")
    @app_commands.describe(topic="The thread's name (default: Rotation talk and the date)")
    @app_commands.guild_only()
    async def discuss(self, interaction: discord.Interaction[RotationBot], topic: str | None = None) -> None:
        channel = interaction.channel
        if isinstance(channel, discord.Thread):
            raise UserError("We're already in a thread: ask me here by mentioning me.")
        if not isinstance(channel, discord.TextChannel | discord.VoiceChannel):
            raise UserError("I can open discussion threads in text channels only.")
        missing = [
            p
            for p in ("create_public_threads", "embed_links", "attach_files")
            if not getattr(interaction.app_permissions, p)
        ]
        if missing:
            raise UserError(f"I can't open a thread here: I'm missing {_names(missing)}.")
        if not interaction.permissions.create_public_threads:
            raise UserError(
                "Opening a discussion thread needs your own Create Public Threads permission here."
            )
        if topic is not None and topic.strip() and not has_visible(topic):
            raise UserError(
                "`topic` needs at least one visible character; leave it out for the default name."
            )
        if topic is not None and len(" ".join(topic.split())) > TOPIC_LENGTH:
            raise UserError(f"`topic` names the thread in at most {TOPIC_LENGTH} characters.")
        name = thread_name(topic or "", TOPIC_LENGTH)
        # reserved before the defer (a refusal stays private), given back if no thread is opened
        async with DISCUSS_RATE.held(self.bot.state, interaction.guild_id, interaction.user.id):
            await interaction.response.defer(thinking=True)
            query = digest_cmd.COMMAND.validate({})
            theme = await self.bot.chart_theme(interaction.guild_id)
            reply = await self.bot.answers.answer(
                digest_cmd.COMMAND, query, self.bot.market, self.bot.workers, theme
            )
            embed, file = reply_embed(reply)
            message = await interaction.followup.send(
                embed=embed, file=file or discord.utils.MISSING, wait=True
            )
            thread = await channel.create_thread(
                name=name or f"Rotation talk {reply.as_of}", message=message, auto_archive_duration=1440
            )
        await thread.send(
            "Ask me here by mentioning me, e.g. “@rotation-bot how big is the gap this year?” "
            "or “what's the streak?”"
        )


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Subscriptions(bot))
