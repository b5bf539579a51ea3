"""The daily update's delivery: computed and rendered once per session, posted once per channel.

Exactly-once in effect, in three layers:
1. the ledger (:meth:`data.state.StateStore.claim_many`): one owner per (channel, session), taken
   batch by batch as the fan-out proceeds with a conditional update, held as a lease on the
   database's clock that is renewed while sending (:class:`data.state.Holding`) and confirmed before
   each send after any pause, completed with the message id after, always naming the claim's token;
2. a nonce derived from (channel, session), which Discord enforces: a duplicate sent within its
   window is dropped by Discord itself (the last guard, for a stall in the middle of a request);
3. after a crash between send and commit the lease runs out; whoever takes it over first looks
   for the post in the channel's recent messages before sending again.

This module knows nothing of Discord: a :class:`Poster` does the sending (Discord, or the console's
simulation), so every path here is tested with a fake one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from commands.alerts import AlertPost
from commands.calls import RESULT_TITLE, CallPost
from commands.reply import Reply, decode_reply, encode_reply
from commands.theme import DEFAULT_THEME
from data.calendar import TradingCalendar
from data.locks import one_process
from data.state import Alert, Call, Claim, Holding, StateStore, StoredUpdate, Subscription

from .schedule import SchedulePolicy, due_session, due_time

log = logging.getLogger(__name__)

TITLE = "Daily rotation update — {session}"  # the digest's title; find_post looks for it
BUILD_POLL = 0.5  # seconds between looks for an update another process is building
BUILD_WAIT = 120.0  # then build it here rather than wait on a builder that may have died


class ChannelGone(Exception):
    """The channel was deleted or the bot can no longer see it: the subscription is failing."""


class NoAccess(Exception):
    """The bot lacks a permission there: the subscription is failing, with the reason."""


class Transient(Exception):
    """Worth another try on the next tick (5xx, rate limits beyond discord.py's own retries)."""


class Poster(Protocol):
    async def post(self, channel_id: int, reply: Reply, *, nonce: str, thread_name: str | None) -> int: ...

    async def find_post(self, channel_id: int, title: str) -> int | None:
        """The bot's recent message in the channel whose embed title starts with ``title``."""


def nonce(key: int, session: str, ledger: str = "updates") -> str:
    """At most 25 characters, the same for the same (key, session): 'r' (update), 'a' (alert) or
    'c' (call), yyyymmdd, and the channel, alert or call id in base 36."""
    digits, n = "0123456789abcdefghijklmnopqrstuvwxyz", key
    encoded = ""
    while n:
        n, r = divmod(n, 36)
        encoded = digits[r] + encoded
    prefix = {"updates": "r", "alerts": "a", "calls": "c"}[ledger]
    return f"{prefix}{session.replace('-', '')}{encoded or '0'}"


UpdateSource = Callable[[dt.date, str], Awaitable[Reply]]  # (session, chart theme) -> the update
AlertSource = Callable[[dt.date, list[Alert]], Awaitable[list[AlertPost] | None]]
CallSource = Callable[[dt.date, list[Call], dict[int, str]], Awaitable[list[CallPost]]]
DEFAULT_TZ = "America/New_York"
AFTER_CLOSE = Subscription(0, 0, None, DEFAULT_TZ, False, 0)  # alerts follow the default schedule


@dataclass
class TickReport:
    sent: int = 0
    found_existing: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0  # another process holds the claim
    lost: int = 0  # this process stalled past its lease and another took the claim over
    alerts_sent: int = 0
    alerts_found_existing: int = 0
    alerts_failed: int = 0
    alerts_retry: int = 0
    alerts_skipped: int = 0
    alerts_lost: int = 0
    calls_sent: int = 0
    calls_found_existing: int = 0
    calls_failed: int = 0
    calls_retry: int = 0
    calls_lost: int = 0
    not_retried: int = 0  # subscriptions marked failing (403/404): waiting for someone to fix them
    waiting_for_data: list[str] = field(default_factory=list)


class Delivery:
    def __init__(
        self,
        state: StateStore,
        update_for: UpdateSource,
        poster: Poster,
        calendar: TradingCalendar,
        clock: Callable[[], dt.datetime],
        policy: SchedulePolicy | None = None,
        concurrency: int = 50,
        alert_source: AlertSource | None = None,
        call_source: CallSource | None = None,
        batch: int | None = None,
        owns: Callable[[int], bool] | None = None,
    ) -> None:
        self.state, self.update_for, self.poster = state, update_for, poster
        self.owns = owns or (lambda _guild_id: True)  # a shard process delivers its own guilds only
        self.calendar, self.clock = calendar, clock
        self.policy = policy or SchedulePolicy()
        self._updates: dict[tuple[str, str], Reply] = {}  # (session, chart theme) -> update
        self.concurrency = concurrency  # posts in flight at once
        self.batch = batch or concurrency  # posts claimed and recorded per transaction
        self._tick_lock = asyncio.Lock()
        self.renders = 0  # how many updates were computed and rendered (one per session)
        self.alert_source = alert_source
        self._alert_posts: dict[str, list[AlertPost]] = {}
        self.call_source = call_source
        self._call_posts: dict[int, CallPost] = {}  # built once per call, kept until delivered

    async def tick(self) -> TickReport:
        """Post every update that is due. Safe to call concurrently and repeatedly."""
        async with self._tick_lock:
            return await self._tick()

    async def _tick(self) -> TickReport:
        now = self.clock()
        report = TickReport()
        due: dict[dt.date, list[Subscription]] = defaultdict(list)
        for sub in await self.state.subscriptions():
            if not self.owns(sub.guild_id):
                continue
            if sub.problem is not None:  # deleted or forbidden: not retried until someone fixes it
                report.not_retried += 1
                continue
            session = due_session(sub, now, self.calendar, self.policy, not_before=sub.created_at)
            if session is not None and (sub.last_session or "") < session.isoformat():
                due[session].append(sub)
        themes = await self.state.chart_themes() if due else {}
        for session, subs in sorted(due.items()):
            by_theme: dict[str, list[Subscription]] = defaultdict(list)
            for sub in subs:  # one render per chart theme in use, not per channel
                by_theme[themes.get(sub.guild_id, DEFAULT_THEME)].append(sub)
            for theme, group in sorted(by_theme.items()):
                reply = await self._update(session, group, now, report, theme)
                if reply is not None:
                    await self._fan_out(session.isoformat(), group, reply, now, report)
        if self.alert_source is not None:
            await self._alerts(now, report)
        if self.call_source is not None:
            await self._calls(now, report)
        return report

    async def _calls(self, now: dt.datetime, report: TickReport) -> None:
        """Resolve every call whose end session's close is final, on that close, once: claimed per
        (call, end session) in the "calls" ledger, posted where the call was made (or, when that
        thread is gone, in its parent channel). A call whose end close is not in the data yet waits;
        after downtime a late result is still posted, resolved on the same close."""
        final_through = self.calendar.last_closed_session(now, self.policy.final_delay)
        due = [c for c in await self.state.due_calls(final_through) if self.owns(c.guild_id)]
        if not due:
            return
        missing = [c for c in due if c.id not in self._call_posts]
        if missing:
            for post in await self.call_source(final_through, missing, await self.state.chart_themes()):
                self._call_posts[post.call.id] = post
            self.renders += 1
        by_end: dict[dt.date, list[CallPost]] = defaultdict(list)
        for call in due:
            if (post := self._call_posts.get(call.id)) is not None:
                by_end[call.end].append(post)
        lease = self.policy.stale_claim
        for end, posts in sorted(by_end.items()):
            confirmed_at = time.monotonic()
            claims = await self.state.claim_many([p.call.id for p in posts], end.isoformat(), lease, "calls")
            done = []
            async with Holding(self.state, claims, lease, confirmed_at) as holding:
                for post in posts:
                    claim = claims.get(post.call.id)
                    if claim is None:
                        continue
                    if not await holding.still_mine(claim.key):
                        report.calls_lost += 1
                        continue
                    outcome, message_id = await self._deliver_call(post, claim)
                    setattr(report, f"calls_{outcome}", getattr(report, f"calls_{outcome}") + 1)
                    if message_id:
                        done.append((claim, message_id))
                    else:
                        holding.done(claim.key)
                    if outcome != "retry":
                        self._call_posts.pop(post.call.id, None)
                report.calls_lost += len(await self.state.complete_many(done))

    async def _deliver_call(self, post: CallPost, claim: Claim) -> tuple[str, int | None]:
        """Post a call's result in its thread (or channel), else in the thread's parent channel."""
        call = post.call
        targets = [call.channel_id] + ([call.parent_id] if call.parent_id else [])
        title = RESULT_TITLE.format(number=call.number)
        problems = []
        for target in targets:
            try:
                if claim.resumed and (existing := await self.poster.find_post(target, title)):
                    log.info("found the result of call %s after a restart: not resending", call.id)
                    return "found_existing", existing
                message_id = await self.poster.post(
                    target, post.reply, nonce=nonce(call.id, claim.session, "calls"), thread_name=None
                )
            except (ChannelGone, NoAccess) as exc:
                problems.append(f"{target}: {exc}")
                continue
            except Transient as exc:
                await self.state.release(claim, str(exc))
                return "retry", None
            return "sent", message_id
        log.warning("result of call %s could not be posted: %s", call.id, "; ".join(problems))
        await self.state.fail(claim, "; ".join(problems))
        return "failed", None

    async def _alerts(self, now: dt.datetime, report: TickReport) -> None:
        """Alerts are checked once per session, when the session's data is in, after the default
        update time; each fires at most once per session through its own ledger."""
        session = due_session(AFTER_CLOSE, now, self.calendar, self.policy)
        if session is None:
            return
        key = session.isoformat()
        due_at = due_time(AFTER_CLOSE, session, self.calendar, self.policy)
        alerts = [
            a
            for a in await self.state.alerts()
            if self.owns(a.guild_id) and (a.created_at is None or a.created_at <= due_at)
        ]
        if not alerts:
            return
        if key not in self._alert_posts:
            posts = await self.alert_source(session, alerts)
            self.renders += 1
            if posts is None:  # the session's close is not in the data yet
                return
            self._alert_posts = {key: posts}
        posts = self._alert_posts[key]
        target = [Subscription(p.channel_id, 0, None, DEFAULT_TZ, False, 0) for p in posts]
        items = [(p.alert_id, sub, p.reply) for p, sub in zip(posts, target, strict=True)]
        await self._send_all(key, items, "alerts", report, "alerts_")

    async def _fan_out(
        self, session: str, subs: list[Subscription], reply: Reply, now: dt.datetime, report: TickReport
    ) -> None:
        items = [(s.channel_id, s, reply) for s in subs]
        posted = await self._send_all(session, items, "updates", report, "")
        for sub in subs:
            if sub.channel_id in posted and sub.problem:
                await self.state.set_problem(sub.channel_id, None)

    async def _send_all(
        self, session: str, items: list[tuple[int, Subscription, Reply]], ledger: str, report, prefix: str
    ) -> set[int]:
        """Claim, post and record in batches: each batch is claimed only when its turn comes (a long
        fan-out never holds claims it is not working on), its leases are renewed while it is sent,
        and it is recorded in one transaction: a crash loses at most one batch's records, and those
        posts are found again, not resent. Returns the keys posted (or found) this time."""
        posted: set[int] = set()
        lease = self.policy.stale_claim
        in_flight = asyncio.Semaphore(self.concurrency)
        for start in range(0, len(items), self.batch):
            batch = items[start : start + self.batch]
            confirmed_at = time.monotonic()
            claims = await self.state.claim_many([k for k, _, _ in batch], session, lease, ledger)
            self._count(report, prefix, "skipped", len(batch) - len(claims))
            todo = [(k, sub, reply) for k, sub, reply in batch if k in claims]
            if not todo:
                continue
            async with Holding(self.state, claims, lease, confirmed_at) as holding:

                async def one(key: int, sub: Subscription, reply: Reply, holding=holding, claims=claims):
                    async with in_flight:
                        if not await holding.still_mine(key):
                            return "lost", None
                        title = reply.title if ledger == "alerts" else None
                        outcome, message_id = await self._deliver(sub, claims[key], reply, find_title=title)
                        if message_id is None:
                            holding.done(key)
                        return outcome, message_id

                results = await asyncio.gather(*(one(*item) for item in todo))
                done = [(claims[k], mid) for (k, _, _), (_, mid) in zip(todo, results, strict=True) if mid]
                lost = {c.key for c in await self.state.complete_many(done)}
            for (key, _, _), (outcome, mid) in zip(todo, results, strict=True):
                if key in lost:
                    outcome = "lost"  # posted, but another process had taken over: it finds the post
                self._count(report, prefix, outcome, 1)
                if mid and key not in lost:
                    posted.add(key)
        return posted

    @staticmethod
    def _count(report: TickReport, prefix: str, outcome: str, n: int) -> None:
        name = f"{prefix}{outcome}"
        setattr(report, name, getattr(report, name) + n)

    async def _update(
        self,
        session: dt.date,
        subs: list[Subscription],
        now: dt.datetime,
        report: TickReport,
        theme: str = DEFAULT_THEME,
    ) -> Reply | None:
        """The session's update, built once per chart theme; None while the session's close is not
        in the data yet."""
        key = session.isoformat()
        if (key, theme) in self._updates:
            return self._updates[key, theme]
        reply = await self._shared_update(session, theme)
        # only the newest session's updates are ever needed again
        self._updates = {k: v for k, v in self._updates.items() if k[0] == key}
        if reply.as_of == session:
            self._updates[key, theme] = reply
            return reply
        first_due = min(due_time(s, session, self.calendar, self.policy) for s in subs)
        if now - first_due < self.policy.data_wait:
            if key not in report.waiting_for_data:
                report.waiting_for_data.append(key)
            log.info("update for %s waits for data (newest session in the data: %s)", key, reply.as_of)
            return None
        notice = Reply(
            title=TITLE.format(session=key) + " (delayed)",
            text=(
                f"The closing prices for {key} have not reached me yet (the newest session I have is "
                f"{reply.as_of}), so there is no update to post: I won't present old figures as new. "
                "Use /digest later today."
            ),
            as_of=reply.as_of,
            source=reply.source,
        )
        self._updates[key, theme] = notice
        return notice

    async def _shared_update(self, session: dt.date, theme: str) -> Reply:
        """The session's update in one chart theme as every process of the deployment sees it: built
        by the first process that needs it (elected through the database), stored, and read back by
        the others; a process that waits longer than :data:`BUILD_WAIT` for a builder builds it."""
        key = session.isoformat()
        waited = 0.0
        while True:
            stored = await self.state.stored_update(key, theme)
            if stored is not None:
                return decode_reply(stored.payload, stored.chart)
            async with one_process(self.state.engine, f"build-update:{key}:{theme}") as mine:
                if mine:
                    stored = await self.state.stored_update(key, theme)  # stored while we waited
                    if stored is not None:
                        return decode_reply(stored.payload, stored.chart)
                    return await self._build(session, theme)
            if waited >= BUILD_WAIT:
                log.warning("no update for %s from its builder after %.0f s: building it here", key, waited)
                return await self._build(session, theme)
            await asyncio.sleep(BUILD_POLL)
            waited += BUILD_POLL

    async def _build(self, session: dt.date, theme: str) -> Reply:
        reply = await self.update_for(session, theme)
        self.renders += 1
        if reply.as_of == session:  # a complete update; an earlier session's figures are never stored
            await self.state.store_update(StoredUpdate(session.isoformat(), theme, *encode_reply(reply)))
        return reply

    async def deliver_session(self, session: dt.date) -> TickReport:
        """The operator's ``python -m bot deliver``: post ``session``'s update now to every active
        subscription that has not had it, whatever its post time or the catch-up window, through the
        same ledger (so it is safe while the bots run: a channel they are posting to is skipped)."""
        async with self._tick_lock:
            report = TickReport()
            everyone = await self.state.subscriptions()
            report.not_retried = sum(1 for s in everyone if s.problem is not None)
            subs = [s for s in everyone if s.problem is None and (s.last_session or "") < session.isoformat()]
            themes = await self.state.chart_themes() if subs else {}
            by_theme: dict[str, list[Subscription]] = defaultdict(list)
            for sub in subs:
                by_theme[themes.get(sub.guild_id, DEFAULT_THEME)].append(sub)
            for theme, group in sorted(by_theme.items()):
                reply = await self._shared_update(session, theme)
                if reply.as_of != session:
                    report.waiting_for_data.append(session.isoformat())
                    return report
                await self._fan_out(session.isoformat(), group, reply, self.clock(), report)
            return report

    async def _deliver(
        self, sub: Subscription, claim: Claim, reply: Reply, find_title: str | None = None
    ) -> tuple[str, int | None]:
        """Post one channel's update (or an alert): (outcome, message id to record)."""
        thread = f"Rotation {claim.session}" if sub.thread and reply.chart is not None else None
        title = find_title or TITLE.format(session=claim.session)
        try:
            if claim.resumed and (existing := await self.poster.find_post(sub.channel_id, title)):
                log.info(
                    "found the %s post in %s after a restart: not resending", claim.session, sub.channel_id
                )
                return "found_existing", existing
            ident = sub.channel_id if claim.ledger == "updates" else claim.key
            message_id = await self.poster.post(
                sub.channel_id, reply, nonce=nonce(ident, claim.session, claim.ledger), thread_name=thread
            )
        except ChannelGone as exc:
            await self._failing(claim, sub, f"channel deleted or hidden from the bot ({exc})")
            return "failed", None
        except NoAccess as exc:
            await self._failing(claim, sub, str(exc))
            return "failed", None
        except Transient as exc:
            await self.state.release(claim, str(exc))
            return "retry", None
        return "sent", message_id

    async def _failing(self, claim, sub: Subscription, problem: str) -> None:
        log.warning("subscription %s failing: %s", sub.channel_id, problem)
        await self.state.fail(claim, problem)
        await self.state.set_problem(sub.channel_id, problem)
