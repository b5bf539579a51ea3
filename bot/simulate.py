"""``python -m bot simulate``: the daily update's whole loop on the bundled data, with a simulated clock.

Subscribes a few simulated channels (New York's default time, plus one per ``--server ZONE@HH:MM``,
announced with the same rule text as /subscribe's confirmation), then steps the clock through every
half hour of a date range (and on until the last session's posts are due), running the real
scheduler, ledger and delivery engine; a console "poster" prints each post (in New York time, and in
the server's own zone) and the chart is written once per session. Every simulated day starts a
fresh engine, as after a restart: only the state database carries over. Weekends and NYSE holidays
get nothing; half days post after the early close.
``--call alice:small:1w`` has a member make a call in a simulated thread (15:00 New York time on
the first session, or ``@YYYY-MM-DD``); its result is posted when its window closes, and the
server's /calls record is printed at the end.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from commands import calls as calls_cmd
from commands import digest
from commands.alerts import alert_source, validate
from commands.pair import load_pair
from commands.registry import execute
from commands.reply import Reply, UserError
from commands.update_pair import update_pair
from data.calendar import TradingCalendar
from data.db import create_engine
from data.market import MarketData
from data.state import Alert, Call, StateStore, Subscription, TooManyOpen

from .delivery import Delivery
from .schedule import SchedulePolicy, due_time, post_time_rule

STEP = dt.timedelta(minutes=30)
ALERT_CHANNEL = 99
CALL_THREAD, CALL_PARENT = 500, 1  # calls are made in a thread under #desk-1
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
        where = f"thread-{channel_id}" if channel_id == CALL_THREAD else f"desk-{channel_id}"
        self.out.write(f"{when}  #{where}  {reply.title}{thread}\n")
        if not reply.chart:
            self.out.write(f"{'':18}{reply.text}\n")
        elif reply.title.startswith("Call #"):
            self.chart_dir.mkdir(parents=True, exist_ok=True)
            path = self.chart_dir / reply.chart_name
            path.write_bytes(reply.chart)
            text = reply.text.replace("\n", f"\n{'':18}")
            self.out.write(f"{'':18}{text}\n{'':18}chart: {path}\n")
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
    calls: list[str] = (),
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

    async def update_for(session: dt.date, theme: str) -> Reply:
        pair, note = await update_pair(market, session)
        last = (await market.history(pair.get("small", "^RUT"))).last_session
        query = digest.COMMAND.validate({"date": min(session, last).isoformat(), **pair})
        reply = await execute(digest.COMMAND, query, market, theme=theme)
        return replace(reply, notes=[*reply.notes, note]) if note else reply

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
        pending = sorted((_call_time(calendar, spec, start), spec) for spec in calls)
        members = {spec.partition(":")[0]: 1000 + i for i, spec in enumerate(calls)}
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
                    call_source=calls_cmd.call_source(market),
                )
            while pending and pending[0][0] <= clock.now:
                made_at, spec = pending.pop(0)
                await _make_call(state, market, calendar, spec, made_at, members, out)
            await engine.tick()
            clock.now += STEP
        if calls:
            await _print_record(state, market, calendar, clock.now, out)
        await state.close()
    in_range = {s.isoformat() for s in sessions}
    updates = [p for p in poster.posts if p[0] != ALERT_CHANNEL and p[1][-10:] in in_range]
    fired = [p for p in poster.posts if p[0] == ALERT_CHANNEL]
    out.write(f"{len(updates)} posts for {len(sessions)} trading sessions x {len(subs)} channel(s).\n")
    if alerts:
        out.write(f"{len(fired)} alert post(s).\n")
    if calls:
        results = [p for p in poster.posts if p[1].startswith("Call #")]
        out.write(f"{len(results)} call result(s) posted for {len(calls)} call(s).\n")
    return 0 if len(updates) == len(sessions) * len(subs) else 1


def _call_time(calendar: TradingCalendar, spec: str, first: dt.date) -> dt.datetime:
    """15:00 New York time on the spec's date (``alice:small:1w@2026-01-12``) or the first session."""
    _, _, day = spec.partition("@")
    wanted = dt.date.fromisoformat(day) if day else first
    session = calendar.sessions_between(wanted, wanted + dt.timedelta(days=10))[0]
    return dt.datetime.combine(session, dt.time(15), tzinfo=NEW_YORK).astimezone(dt.UTC)


async def _make_call(state, market, calendar, spec, made_at, members, out: TextIO) -> None:
    """A member's call as the cog records it: the same rules, terms and refusals."""
    who, _, rest = spec.partition("@")[0].partition(":")
    side, _, rest = rest.partition(":")
    horizon, _, pair_text = rest.partition(":")
    when = made_at.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M")
    try:
        request = calls_cmd.parse({"side": side, "horizon": horizon, "pair": pair_text})
        first, last = calls_cmd.window(calendar, made_at, request.horizon)
        pair = await load_pair(market, request.small, request.large)
        pair = pair.until(min(made_at.date(), pair.as_of))  # the replay's call sees no later close
        label = calls_cmd.pair_label(request.small, request.large)
        data_last = (await load_pair(market, request.small, request.large)).as_of
        if reason := calls_cmd.refusal(last, data_last, market.mode == "live", 0, label):
            raise UserError(reason)
        call = Call(
            guild_id=1,
            channel_id=CALL_THREAD,
            parent_id=CALL_PARENT,
            user_id=members[who],
            user_name=who,
            side=request.side,
            horizon=request.horizon,
            small=request.small,
            large=request.large,
            start=first,
            end=last,
            made_at=made_at,
        )
        opened = calls_cmd.open_from(calendar.last_closed_session(made_at, SchedulePolicy().final_delay))
        try:
            stored = await state.add_call(call, max_open=calls_cmd.MAX_OPEN, open_from=opened)
        except TooManyOpen as exc:
            raise UserError(calls_cmd.too_many(exc.open_calls, request)) from None
    except UserError as exc:
        out.write(f"{when} ET  #thread-{CALL_THREAD}  {who}: call {spec} refused: {exc}\n")
        return
    terms = calls_cmd.terms_reply(stored, pair)
    out.write(f"{when} ET  #thread-{CALL_THREAD}  {terms.title}\n{'':18}{terms.text.splitlines()[0]}\n")


async def _print_record(state, market, calendar, now: dt.datetime, out: TextIO) -> None:
    """The server's /calls record at the end of the replay."""
    calls = await state.calls(1)
    frames = {}
    for key in dict.fromkeys((c.small, c.large) for c in calls):
        frames[key] = (await load_pair(market, *key)).frame
    final = calendar.last_closed_session(now, SchedulePolicy().final_delay)
    reply = calls_cmd.calls_reply(
        calls, frames, final, today=now.date(), status=None, who=None, page=1, source="snapshot"
    )
    out.write(f"\n/calls — {reply.title}\n{reply.text}\n")
    for f in reply.fields:
        out.write(f"  {f.name}\n" + "".join(f"    {line}\n" for line in f.value.splitlines()))
