"""The Discord client: wiring only. Analyses live in ``commands/``, data in ``data/``."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands as ext

from commands import digest as digest_cmd
from commands.alerts import alert_source
from commands.calls import call_source
from commands.pair import HistoryProvider
from commands.registry import Registry, default_registry
from commands.reply import Reply, UserError
from commands.theme import DEFAULT_THEME
from commands.update_pair import update_pair
from data.calendar import TradingCalendar
from data.db import create_engine
from data.errors import TooManyNewTickers
from data.market import utcnow
from data.state import StateStore
from data.universe import FUND_PAIR, LARGE_DEFAULT, SMALL_DEFAULT

from . import heap
from .answers import AnswerCache
from .cogs import EXTENSIONS
from .delivery import Delivery, TickReport
from .fair import LANE
from .poster import DiscordPoster
from .ratelimits import Pacer, RequestStats, process_share
from .respond import ErrorHandlingTree
from .schedule import SchedulePolicy
from .services import market_data
from .settings import Settings
from .startup import process_age
from .workers import Workers

log = logging.getLogger(__name__)
THEME_TTL = 60.0  # seconds a server's chart theme is kept in memory
IDENTIFY_SPACING = 5.0  # seconds between identifies of one bucket (Discord's rule)


def intents() -> discord.Intents:
    """No privileged intent: guilds (channels and threads in the cache) and guild messages, whose
    content Discord delivers without the message-content intent when they mention the bot."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    return wanted


class RotationBot(ext.Bot):
    """One process of the bot. Unsharded it runs every guild; :func:`create_bot` gives the sharded
    variant when ``SHARD_COUNT`` is set."""

    market: HistoryProvider
    workers: Workers

    def __init__(
        self,
        settings: Settings,
        *,
        market: HistoryProvider | None = None,
        workers: Workers | None = None,
        state: StateStore | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        sync_on_start: bool = True,
    ) -> None:
        self.shards_plan = settings.shards
        sharding = (
            {"shard_count": self.shards_plan.count, "shard_ids": list(self.shards_plan.ids)}
            if self.shards_plan.sharded and isinstance(self, discord.AutoShardedClient)
            else {}
        )
        self.request_stats = RequestStats()
        super().__init__(
            **sharding,
            http_trace=self.request_stats.trace_config(),
            command_prefix=ext.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),  # echoed input can never ping anyone
            tree_cls=ErrorHandlingTree,
            help_command=None,
        )
        self.settings = settings
        self.registry: Registry = default_registry()
        self.answers = AnswerCache(settings.answer_cache_dir, max_bytes=settings.answer_cache_mib * 2**20)
        self._given_market, self._given_workers, self._given_state = market, workers, state
        self.clock = clock
        self.sync_on_start = sync_on_start
        self._resources = AsyncExitStack()
        self._warming: asyncio.Task[None] | None = None
        self.last_backup: dt.datetime | None = None  # the last backup made
        self.backup_attempted: dt.datetime | None = None
        self._themes: dict[int, tuple[str, float]] = {}  # guild -> (chart theme, read again after)

    async def setup_hook(self) -> None:
        if self._given_market is not None:
            self.market = self._given_market
        else:
            self.market = await self._resources.enter_async_context(market_data(self.settings))
        if self._given_state is not None:
            self.state = self._given_state
        else:
            self.state = StateStore(create_engine(self.settings.state_database_url))
            self._resources.push_async_callback(self.state.close)
            await self.state.open(backups=self.settings.backup_dir)
            await self.backup_state()
        if hasattr(self.market, "admit"):  # live mode's per-server allowance of new tickers
            self.market.admit = self._admit_new_ticker
            self.market.after_forget = lambda: asyncio.get_running_loop().run_in_executor(None, heap.trim)
            sweeper = asyncio.create_task(self._sweep_market(), name="market-sweep")
            self._resources.callback(sweeper.cancel)
        policy = SchedulePolicy(
            final_delay=self.settings.final_delay,
            catch_up=dt.timedelta(hours=self.settings.catch_up_hours),
            stale_claim=dt.timedelta(seconds=self.settings.claim_lease_seconds),
        )
        self.delivery = Delivery(
            self.state,
            self.update_for,
            DiscordPoster(self, Pacer(self.fan_out_rate)),
            TradingCalendar(),
            self.clock,
            policy,
            alert_source=alert_source(self.market, self._run_in_workers),
            call_source=call_source(self.market, self._run_in_workers),
            owns=self.shards_plan.owns,
        )
        if self._given_workers is not None:
            self.workers = self._given_workers
        else:
            self.workers = Workers(
                self.settings.chart_executor,
                self.settings.chart_workers,
                self.settings.heavy_workers,
                self.settings.heavy_idle_seconds,
                self.settings.chart_workers_per_server,
            )
            self._resources.callback(self.workers.close)
            await self.workers.warm_up()
        # Load the default pair now, in the background: the first /gap then answers from memory.
        self._warming = asyncio.create_task(self._warm_data(), name="warm-data")
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_on_start and self.shards_plan.primary:  # once per deployment, not per process
            await self.sync_commands(force=False)
        log.info("ready to answer in %.2f s since the process started (workers warm)", process_age())

    async def _sweep_market(self, every: float = 60.0) -> None:
        """Idle tickers leave memory even when nobody asks anything (see MarketData.sweep)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.market.sweep()
            except Exception:
                log.exception("market sweep failed")

    async def _admit_new_ticker(self, ticker: str) -> None:
        """Before a ticker the cache never held is fetched: count it against the asking server's daily
        allowance (kept in the state database, so it holds across processes); over it, refuse."""
        guild_id, _ = LANE.get()
        if guild_id is None:  # the console, the scheduler: an operator, not a server
            return
        limit = self.settings.new_tickers_per_day
        if not await self.state.take_new_ticker(guild_id, ticker, self.clock().date(), limit):
            raise TooManyNewTickers(ticker, limit)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: messages are only read by the chat cog's listener."""

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """A member's message is handled in tasks started here: they start in that member's lane of
        its server (:mod:`bot.fair`), so a mention's builds queue fairly like a slash command's."""
        message = args[0] if event_name == "message" and args else None
        if not isinstance(message, discord.Message):
            super().dispatch(event_name, *args, **kwargs)
            return
        token = LANE.set((message.guild.id if message.guild else None, message.author.id))
        try:
            super().dispatch(event_name, *args, **kwargs)  # each listener's task copies the lane now
        finally:
            LANE.reset(token)

    async def close(self) -> None:
        if self._warming is not None:  # let the preload finish its writes rather than cut them off
            await asyncio.wait({self._warming}, timeout=30)
        await super().close()
        await self._resources.aclose()

    async def backup_state(self) -> None:
        """A rolling copy of the state database (seven kept): at start, then daily from the tick; in
        a sharded deployment only the process with shard 0 makes it. ``last_backup`` is when one was
        last *made*; a failure is logged and retried a day later."""
        if not self.shards_plan.primary:
            return
        self.backup_attempted = self.clock()
        try:
            path = await self.state.backup(self.settings.backup_dir)
        except Exception:
            log.exception("state backup failed: no backup was made")
            return
        if path is not None:
            self.last_backup = self.clock()
            log.info("state database backed up to %s", path)

    @property
    def fan_out_rate(self) -> float:
        """This process's share of the bot's REST budget (all of it when unsharded)."""
        plan = self.shards_plan
        return process_share(self.settings.discord_global_rate, plan.count, plan.ids)

    async def deliver_due(self) -> TickReport:
        """One delivery tick, logged with its throughput and what Discord answered."""
        before, started = self.request_stats.snapshot(), time.monotonic()
        report = await self.delivery.tick()
        if report.sent or report.failed or report.retry:
            took = time.monotonic() - started
            counts = self.request_stats.since(before)
            log.info(
                "delivery: %s; %d posts in %.1f s (%.1f/s), %d requests, %d answered 429, "
                "%d invalid (401/403/429)",
                report,
                report.sent,
                took,
                report.sent / took if took else 0.0,
                counts["requests"],
                counts["429"],
                counts["invalid"],
            )
        return report

    async def _run_in_workers(self, func, *args):
        return await self.workers(func, *args)  # looked up at call time: the pool starts after wiring

    async def update_for(self, session: dt.date, theme: str = DEFAULT_THEME) -> Reply:
        """The daily update as of ``session``, or the newest one the data allows (the delivery
        engine sees from its as-of date that the session's close is not in yet)."""
        pair, note = await update_pair(self.market, session)  # the fund pair while the indexes are stale
        try:
            query = digest_cmd.COMMAND.validate({"date": session.isoformat(), **pair})
            reply = await self.answers.answer(digest_cmd.COMMAND, query, self.market, self.workers, theme)
        except UserError:  # the session is newer than the data
            reply = await self.answers.answer(
                digest_cmd.COMMAND, digest_cmd.COMMAND.validate(pair), self.market, self.workers, theme
            )
        return dataclasses.replace(reply, notes=[*reply.notes, note]) if note else reply

    async def chart_theme(self, guild_id: int | None) -> str:
        """The server's chart theme, read from the state database at most once a minute per server
        (an answer should not wait on the database for it); /server-settings updates it at once."""
        if guild_id is None:
            return DEFAULT_THEME
        now = time.monotonic()
        hit = self._themes.get(guild_id)
        if hit is None or hit[1] < now:
            chosen = (await self.state.guild_settings(guild_id)).chart_theme
            hit = self._themes[guild_id] = (chosen or DEFAULT_THEME, now + THEME_TTL)
        return hit[0]

    def set_chart_theme(self, guild_id: int, theme: str | None) -> None:
        self._themes[guild_id] = (theme or DEFAULT_THEME, time.monotonic() + THEME_TTL)

    async def _warm_data(self) -> None:
        """The default pair, then the funds that stand for it: the first question about either should
        not wait for the cache to be read (or, on a deployment's first start, seeded from the
        snapshot: 0.6-0.8 s for IWM with SPY, the slowest answer of the mixed-load benchmark)."""
        for ticker in (SMALL_DEFAULT, LARGE_DEFAULT, *FUND_PAIR):
            try:
                await self.market.history(ticker)
            except Exception:
                log.warning("could not preload %s", ticker, exc_info=True)
        await asyncio.to_thread(heap.trim)  # the rows read to get here are garbage now (~15 MiB)
        log.info("data warm in %.2f s since the process started", process_age())

    # -- command sync ----------------------------------------------------------------------------

    @property
    def sync_guild(self) -> discord.Object | None:
        gid = self.settings.discord_guild_id
        return discord.Object(id=gid) if gid else None

    def command_schema(self) -> list[dict]:
        return sorted((c.to_dict(self.tree) for c in self.tree.get_commands()), key=lambda c: c["name"])

    async def sync_commands(self, *, force: bool) -> bool:
        """Sync when forced or when the schema changed since the last sync to the same scope.

        Syncing at every start is what Discord's rate limits punish; a hash of the schema, kept per
        application and scope beside the cache, tells whether anything changed.
        """
        guild = self.sync_guild
        scope = f"{self.application_id}:{guild.id if guild else 'global'}"
        digest = hashlib.sha256(json.dumps(self.command_schema(), sort_keys=True).encode()).hexdigest()
        state_path: Path = self.settings.sync_state_path
        state = _read_json(state_path)
        if not force and state.get(scope) == digest:
            log.info("commands unchanged since the last sync (%s): not syncing", scope)
            return False
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info(
            "synced %d commands to %s", len(synced), f"guild {guild.id}" if guild else "all guilds (global)"
        )
        state[scope] = digest
        _write_json(state_path, state)
        return True


class ShardedRotationBot(RotationBot, ext.AutoShardedBot):
    """``SHARD_COUNT`` set: discord.py's AutoShardedBot runs this process's ``SHARD_IDS``, one gateway
    session each; everything else is :class:`RotationBot`."""

    _max_concurrency: int | None = None
    identify_spacing = IDENTIFY_SPACING

    @property
    def identify_waits(self) -> list[float]:
        """How long each identify of this process waited for its bucket (seconds), for the logs and tests."""
        if not hasattr(self, "_identify_waits"):
            self._identify_waits: list[float] = []
        return self._identify_waits

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """One IDENTIFY per bucket (``shard_id % max_concurrency``) every 5 s across every process on
        the shared database, not only within this one (discord.py's own pacing)."""
        if self._max_concurrency is None:
            try:
                self._max_concurrency = max(1, (await self.fetch_session_start_limits()).max_concurrency)
            except discord.HTTPException:
                log.warning("could not read max_concurrency from /gateway/bot: assuming 1", exc_info=True)
                self._max_concurrency = 1
        bucket = (shard_id or 0) % self._max_concurrency
        waited = 0.0
        try:
            while not await self.state.take_identify_slot(bucket, self.identify_spacing):
                await asyncio.sleep(0.5)
                waited += 0.5
        except Exception:  # the database is down: fall back to discord.py's own 5 s spacing
            log.warning("identify pacing through the database failed", exc_info=True)
            await super().before_identify_hook(shard_id, initial=initial)
            return
        self.identify_waits.append(waited)
        log.info("shard %s identifies (bucket %d, waited %.1f s)", shard_id, bucket, waited)


def create_bot(settings: Settings, **kwargs) -> RotationBot:
    """The bot class the settings call for: sharded or not."""
    return (ShardedRotationBot if settings.shards.sharded else RotationBot)(settings, **kwargs)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2))
