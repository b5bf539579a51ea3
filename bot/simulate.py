"""``python -m bot simulate``: the daily update's whole loop on the bundled data, with a simulated clock.

Subscribes a few simulated channels (New York's default time, plus one per ``--server ZONE@HH:MM``,
announced with the same rule text as /subscribe's confirmation), then steps the clock through every
half hour of a date range (and on until the last session's posts are due), running the real
scheduler, ledger and delivery engine; a console "poster" prints each post (in New York time, and in
the server's own zone) and the chart is written once per session. Every simulated day starts a
fresh engine, as after a restart: only the state database carries over. Weekends and NYSE holidays
get nothing; half days post after the early close.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from commands import digest
from commands.alerts import alert_source, validate
from commands.registry import execute
from commands.reply import Reply
from data.calendar import TradingCalendar
from data.db import create_engine
from data.market import MarketData
from data.state import Alert, StateStore, Subscription

from .delivery import Delivery
from .schedule import SchedulePolicy, due_time, post_time_rule

STEP = dt.timedelta(minutes=30)
ALERT_CHANNEL = 99
NEW_YORK = ZoneInfo("America/New_York")


class SimulatedClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


class ConsolePoster:
    """Prints what Discord would show; remembers posts so a restart can find them."""

    def __init__(self, out: TextIO, chart_dir: Path, clock, zones: dict[int, str] | None = None) -> None:
        self.out, self.chart_dir, self.clock = out, chart_dir, clock
        self.zones = zones or {}  # channel -> its server's zone, when not New York
        self.posts: list[tuple[int, str, str]] = []  # (channel, title, nonce)

    async def post(self, channel_id: int, reply: Reply, *, nonce: str, thread_name: str | None) -> int:
        self.posts.append((channel_id, reply.title, nonce))
        when = self.clock().astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M") + " ET"
        if zone := self.zones.get(channel_id):
            when += f" = {self.clock().astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"
        thread = f" + thread “{thread_name}”" if thread_name else ""
        self.out.write(f"{when}  #desk-{channel_id}  {reply.title}{thread}\n")
        if not reply.chart:
            self.out.write(f"{'':18}{reply.text}\n")
        elif not any(p[1] == reply.title for p in self.posts[:-1]):
            self.chart_dir.mkdir(parents=True, exist_ok=True)
            path = self.chart_dir / f"update-{reply.as_of}.png"
            path.write_bytes(reply.chart)
            first_line = reply.text.splitlines()[0]
            self.out.write(f"{'':18}{first_line}\n{'':18}chart: {path}\n")
        return len(self.posts)

    async def find_post(self, channel_id: int, title: str) -> int | None:
        return next(
            (i + 1 for i, p in enumerate(self.posts) if p[0] == channel_id and p[1].startswith(title)), None
        )


async def simulate(
    market: MarketData,
    start: dt.date,
    end: dt.date,
    channels: int,
    chart_dir: Path,
    out: TextIO,
    alerts: list[str] = (),
    servers: list[str] = (),
) -> int:
    calendar = TradingCalendar()
    clock = SimulatedClock(dt.datetime.combine(start, dt.time(5), tzinfo=dt.UTC))
    policy = SchedulePolicy()
    subs = [Subscription(c, 1, None, "America/New_York", True, 0) for c in range(1, channels + 1)]
    for i, spec in enumerate(servers):  # "Europe/Berlin@18:00": one more server, in that zone
        zone, _, post_time = spec.partition("@")
        subs.append(Subscription(channels + i + 1, i + 2, post_time or None, zone, True, 0))
    poster = ConsolePoster(out, chart_dir, clock, {s.channel_id: s.timezone for s in subs[channels:]})
    sessions = calendar.sessions_between(start, end)
    until = max((due_time(s, sessions[-1], calendar, policy) for s in subs), default=clock.now)

    async def update_for(session: dt.date) -> Reply:
        last = (await market.history("^RUT")).last_session
        query = digest.COMMAND.validate({"date": min(session, last).isoformat()})
        return await execute(digest.COMMAND, query, market)

    with tempfile.TemporaryDirectory() as tmp:
        state = StateStore(create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'state.db'}"))
        await state.open()
        for sub in subs:
            await state.subscribe(sub, clock.now)
        for spec in alerts:  # "streak:10" -> an alert posting to #desk-99
            signal, _, threshold = spec.partition(":")
            validate(signal, float(threshold) if threshold else None, None)
            alert = Alert(1, ALERT_CHANNEL, signal, float(threshold) if threshold else None, None, 0)
            await state.add_alert(alert, clock.now)
        out.write(f"Simulating {start} to {end} with {channels} subscribed channel(s), default post time.\n")
        for sub in subs[channels:]:  # the same words as /subscribe's confirmation in that server
            rule = post_time_rule(sub.post_time, sub.timezone, clock.now, calendar, policy)
            out.write(f"#desk-{sub.channel_id} ({sub.timezone}): posted {rule}.\n")
        engine, day, watch = None, None, alert_source(market)
        while clock.now.date() <= end or clock.now <= until:
            if clock.now.date() != day:  # a new day: a new engine, as after a restart
                day = clock.now.date()
                engine = Delivery(
                    state,
                    update_for,
                    poster,
                    calendar,
                    clock,
                    policy,
                    alert_source=watch,
                )
            await engine.tick()
            clock.now += STEP
        await state.close()
    in_range = {s.isoformat() for s in sessions}
    updates = [p for p in poster.posts if p[0] != ALERT_CHANNEL and p[1][-10:] in in_range]
    fired = [p for p in poster.posts if p[0] == ALERT_CHANNEL]
    out.write(f"{len(updates)} posts for {len(sessions)} trading sessions x {len(subs)} channel(s).\n")
    if alerts:
        out.write(f"{len(fired)} alert post(s).\n")
    return 0 if len(updates) == len(sessions) * len(subs) else 1
