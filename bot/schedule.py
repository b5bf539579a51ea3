"""When each subscription's daily update is due: pure functions of a clock and the NYSE calendar.

A session's update is due at the subscription's post time on the session's date (in its time zone),
but never before the session's close plus the settling delay: on a half day (13:00 close) a
subscription with the default time posts at 13:30 New York time, one with 17:00 at 17:00. Only the
newest due session is ever posted, and only within the catch-up window after its due time: after a
long outage the bot posts the update it missed last, once, not a backlog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from data.calendar import TradingCalendar
from data.state import Subscription


@dataclass(frozen=True)
class SchedulePolicy:
    final_delay: dt.timedelta = dt.timedelta(minutes=30)  # the default post time: close + this
    catch_up: dt.timedelta = dt.timedelta(hours=18)  # a missed update is still posted this long after
    data_wait: dt.timedelta = dt.timedelta(hours=2)  # then a "delayed" notice replaces a missing update
    stale_claim: dt.timedelta = dt.timedelta(minutes=10)  # a claim older than this was abandoned


def parse_post_time(text: str) -> str:
    """'16:30', '9:05', '1730' -> 'HH:MM'; ValueError with the accepted form otherwise."""
    raw = text.strip().replace(".", ":")
    if ":" not in raw and raw.isdigit() and len(raw) in (3, 4):
        raw = raw[:-2] + ":" + raw[-2:]
    try:
        parsed = dt.datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise ValueError(f"`{text[:20]}` is not a time: use 24-hour HH:MM, e.g. 16:30.") from None
    return parsed.strftime("%H:%M")


def due_time(
    sub: Subscription, session: dt.date, calendar: TradingCalendar, policy: SchedulePolicy
) -> dt.datetime:
    close = calendar.close_of(session)
    if close is None:
        raise ValueError(f"{session} is not a trading session")
    after_close = close + policy.final_delay
    if sub.post_time is None:
        return after_close
    hour, minute = map(int, sub.post_time.split(":"))
    local = dt.datetime.combine(session, dt.time(hour, minute), tzinfo=ZoneInfo(sub.timezone))
    return max(local.astimezone(dt.UTC), after_close)


def due_session(
    sub: Subscription,
    now: dt.datetime,
    calendar: TradingCalendar,
    policy: SchedulePolicy,
    not_before: dt.datetime | None = None,
) -> dt.date | None:
    """The session whose update ``sub`` should have by ``now``, or None.

    ``not_before`` (the subscription's creation): sessions due earlier are not posted to it.
    """
    today = now.astimezone(ZoneInfo("America/New_York")).date()
    for session in reversed(calendar.sessions_between(today - dt.timedelta(days=10), today)):
        due = due_time(sub, session, calendar, policy)
        if due <= now:
            fresh = now - due <= policy.catch_up
            wanted = not_before is None or due >= not_before
            return session if fresh and wanted else None
    return None
