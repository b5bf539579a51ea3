"""When each subscription's daily update is due: pure functions of a clock and the NYSE calendar.

One rule, the same in the scheduler, every confirmation and the README: a session's update posts at
the **first occurrence of the chosen local time after the session is final** (its close plus the
settling delay, 16:30 New York time on a regular day, 13:30 on a half day). Without a chosen time it
posts the moment the session is final. So 17:00 New York posts the same evening, 10:00 New York the
next morning, 09:00 Asia/Kolkata the next morning (the session is final at 02:00 or 03:00 there), and
18:00 Europe/Berlin the next evening (final at 22:30 there). Posting at a chosen time *before* the
close on the session's own date is impossible, and silently posting at the close instead told users
one time and did another. Only the newest due session is ever posted, and only within the catch-up
window after its due time: after a long outage the bot posts the update it missed last, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from commands.escape import code
from data.calendar import TradingCalendar
from data.state import Subscription

NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class SchedulePolicy:
    final_delay: dt.timedelta = dt.timedelta(minutes=30)  # the default post time: close + this
    catch_up: dt.timedelta = dt.timedelta(hours=18)  # a missed update is still posted this long after
    data_wait: dt.timedelta = dt.timedelta(hours=2)  # then a "delayed" notice replaces a missing update
    stale_claim: dt.timedelta = dt.timedelta(minutes=10)  # a claim's lease (renewed while its holder sends)


def parse_post_time(text: str) -> str:
    """'16:30', '9:05', '1730' -> 'HH:MM'; ValueError with the accepted form otherwise."""
    raw = text.strip().replace(".", ":")
    if ":" not in raw and raw.isdigit() and len(raw) in (3, 4):
        raw = raw[:-2] + ":" + raw[-2:]
    try:
        parsed = dt.datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise ValueError(f"{code(text, 20)} is not a time: use 24-hour HH:MM, e.g. 16:30.") from None
    return parsed.strftime("%H:%M")


def final_time(session: dt.date, calendar: TradingCalendar, policy: SchedulePolicy) -> dt.datetime:
    """When ``session`` is final (UTC): its close, early closes included, plus the settling delay."""
    close = calendar.close_of(session)
    if close is None:
        raise ValueError(f"{session} is not a trading session")
    return close + policy.final_delay


def first_local_time_after(moment: dt.datetime, post_time: str, zone: str) -> dt.datetime:
    """The first ``post_time`` (HH:MM in ``zone``) at or after ``moment``, in UTC (DST-aware)."""
    hour, minute = map(int, post_time.split(":"))
    tz = ZoneInfo(zone)
    day = moment.astimezone(tz).date()
    for offset in range(3):  # today, tomorrow; a DST gap can push one more day at most
        candidate = dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(hour, minute), tzinfo=tz)
        if candidate.astimezone(dt.UTC) >= moment:
            return candidate.astimezone(dt.UTC)
    raise AssertionError("unreachable: a local time recurs every day")


def due_time(
    sub: Subscription, session: dt.date, calendar: TradingCalendar, policy: SchedulePolicy
) -> dt.datetime:
    final = final_time(session, calendar, policy)
    if sub.post_time is None:
        return final
    return first_local_time_after(final, sub.post_time, sub.timezone)


def next_due(
    sub: Subscription, now: dt.datetime, calendar: TradingCalendar, policy: SchedulePolicy
) -> tuple[dt.date, dt.datetime] | None:
    """The next (session, due time) after ``now``: what a confirmation announces as "next"."""
    today = now.astimezone(NEW_YORK).date()
    for session in calendar.sessions_between(today - dt.timedelta(days=3), today + dt.timedelta(days=14)):
        due = due_time(sub, session, calendar, policy)
        if due > now:
            return session, due
    return None


def latest_final_session(now: dt.datetime, calendar: TradingCalendar, policy: SchedulePolicy) -> dt.date:
    """The newest session whose close is final at ``now``: what ``python -m bot deliver`` posts."""
    today = now.astimezone(NEW_YORK).date()
    sessions = calendar.sessions_between(today - dt.timedelta(days=10), today)
    return max(s for s in sessions if final_time(s, calendar, policy) <= now)


def discord_time(moment: dt.datetime, style: str = "f") -> str:
    """A Discord timestamp: each reader sees ``moment`` in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def _regular_session(now: dt.datetime, calendar: TradingCalendar) -> dt.date | None:
    """The next session with a regular 16:00 close (half days would mislead a general rule)."""
    today = now.astimezone(NEW_YORK).date()
    for session in calendar.sessions_between(today, today + dt.timedelta(days=14)):
        close = calendar.close_of(session)
        if close is not None and close.astimezone(NEW_YORK).hour == 16:
            return session
    return None


def post_time_rule(
    post_time: str | None, zone: str, now: dt.datetime, calendar: TradingCalendar, policy: SchedulePolicy
) -> str:
    """The rule for one post time in one zone, in words: when it posts relative to each session,
    and, when that is the next calendar day or later than the close, one sentence saying so with the
    earliest same-day setting. Times named here are settings (``time:HH:MM`` in ``zone``), never
    moments; moments are Discord timestamps, added by the caller."""
    session = _regular_session(now, calendar)
    if session is None:  # beyond the calendar's range: state the rule alone
        final_local = None
    else:
        final_local = final_time(session, calendar, policy).astimezone(ZoneInfo(zone))
    final_label = final_local.strftime("%H:%M") if final_local else None
    if post_time is None:
        minutes = int(policy.final_delay.total_seconds() // 60)
        text = f"when each session is final, {minutes} minutes after the New York close"
        if final_local is not None and final_local.date() > session:
            text += (
                f" (`{final_label}` in {zone} on a regular day, after midnight there, so each update"
                " comes the calendar day after its session)"
            )
        return text
    text = f"at `{post_time}` {zone}, the first {post_time} after each session is final"
    if final_local is None:
        return text
    due_local = first_local_time_after(final_time(session, calendar, policy), post_time, zone).astimezone(
        ZoneInfo(zone)
    )
    if due_local.date() > session:
        if final_local.date() > session:
            text += (
                f". A regular session is final at `{final_label}` in {zone}, after midnight there, so each"
                f" update comes the calendar day after its session; the earliest post is `time:{final_label}`"
            )
        else:
            text += (
                f". A regular session is final at `{final_label}` in {zone}, so {post_time} comes the day"
                f" after each session; `time:{final_label}` or later posts the same day"
            )
    return text


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
    today = now.astimezone(NEW_YORK).date()
    for session in reversed(calendar.sessions_between(today - dt.timedelta(days=10), today)):
        due = due_time(sub, session, calendar, policy)
        if due <= now:
            fresh = now - due <= policy.catch_up
            wanted = not_before is None or due >= not_before
            return session if fresh and wanted else None
    return None
