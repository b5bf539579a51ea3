"""When updates are due, against the real NYSE calendar: weekends, holidays, half days, DST."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.schedule import SchedulePolicy, due_session, due_time, parse_post_time
from data.calendar import TradingCalendar
from data.state import Subscription

CAL = TradingCalendar()
POLICY = SchedulePolicy()


def sub(post_time: str | None = None, tz: str = "America/New_York") -> Subscription:
    return Subscription(1, 2, post_time, tz, True, 3)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_default_is_half_an_hour_after_the_close():
    assert due_time(sub(), dt.date(2026, 8, 21), CAL, POLICY) == utc("2026-08-21T20:30")


def test_half_day_follows_the_early_close():
    # the day after Thanksgiving 2026 closes at 13:00 New York time
    assert due_time(sub(), dt.date(2026, 11, 27), CAL, POLICY) == utc("2026-11-27T18:30")
    assert due_time(sub("17:00"), dt.date(2026, 11, 27), CAL, POLICY) == utc("2026-11-27T22:00")


def test_a_post_time_before_the_close_waits_for_the_close():
    assert due_time(sub("09:00"), dt.date(2026, 8, 21), CAL, POLICY) == utc("2026-08-21T20:30")


def test_daylight_saving_time_moves_the_utc_time():
    assert due_time(sub("17:00"), dt.date(2026, 3, 6), CAL, POLICY) == utc("2026-03-06T22:00")  # EST
    assert due_time(sub("17:00"), dt.date(2026, 3, 9), CAL, POLICY) == utc("2026-03-09T21:00")  # EDT
    berlin = sub("23:00", "Europe/Berlin")
    assert due_time(berlin, dt.date(2026, 3, 9), CAL, POLICY) == utc("2026-03-09T22:00")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-08-21T12:00", dt.date(2026, 8, 20)),  # Friday morning: Thursday's, 15.5 h after it was due
        ("2026-08-21T20:29", None),  # Thursday's is past the 18 h window, Friday's not due yet
        ("2026-08-21T20:31", dt.date(2026, 8, 21)),
        ("2026-08-22T12:00", dt.date(2026, 8, 21)),  # Saturday morning: still within the catch-up window
        ("2026-08-23T12:00", None),  # Sunday: nothing due, nothing posted
        ("2026-07-03T10:00", dt.date(2026, 7, 2)),  # Independence Day observed: no session on the 3rd
        ("2026-07-03T22:00", None),
        ("2026-07-04T12:00", None),
    ],
)
def test_due_session(now, expected):
    assert due_session(sub(), utc(now), CAL, POLICY) == expected


def test_after_downtime_only_the_latest_missed_update_within_the_window():
    # down from Monday noon to Tuesday 10:00 New York time: Monday's update is posted late, once
    assert due_session(sub(), utc("2026-08-25T14:00"), CAL, POLICY) == dt.date(2026, 8, 24)
    # down for two days: Monday's is past the 18 h window, Tuesday's not due yet: nothing
    assert due_session(sub(), utc("2026-08-26T19:00"), CAL, POLICY) is None


def test_sessions_due_before_a_subscription_existed_are_not_posted():
    created = utc("2026-08-21T21:00")
    assert due_session(sub(), utc("2026-08-21T21:05"), CAL, POLICY, not_before=created) is None
    assert due_session(sub(), utc("2026-08-24T20:31"), CAL, POLICY, not_before=created) == dt.date(
        2026, 8, 24
    )


@pytest.mark.parametrize(("text", "parsed"), [("16:30", "16:30"), ("9:05", "09:05"), ("1730", "17:30")])
def test_post_time_parsing(text, parsed):
    assert parse_post_time(text) == parsed


@pytest.mark.parametrize("text", ["25:00", "noon", "16:61", "@everyone"])
def test_bad_post_time(text):
    with pytest.raises(ValueError, match="use 24-hour HH:MM"):
        parse_post_time(text)
