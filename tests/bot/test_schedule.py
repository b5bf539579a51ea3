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


# One rule: the first occurrence of the chosen local time after the session is final (close + 30 min).
# Session 2026-08-21 is a Friday in daylight time: final at 16:30 New York = 20:30 UTC.
@pytest.mark.parametrize(
    ("post_time", "zone", "expected"),
    [
        ("17:00", "America/New_York", "2026-08-21T21:00"),  # same evening
        ("16:30", "America/New_York", "2026-08-21T20:30"),  # exactly when final
        ("10:00", "America/New_York", "2026-08-22T14:00"),  # before the close: next morning (was 16:30)
        ("09:00", "Asia/Kolkata", "2026-08-22T03:30"),  # final at 02:00 there: 09:00 that morning
        ("01:00", "Asia/Kolkata", "2026-08-22T19:30"),  # 01:00 comes before 02:00: the night after
        ("18:00", "Europe/Berlin", "2026-08-22T16:00"),  # final at 22:30 there: the next evening
        ("23:00", "Europe/Berlin", "2026-08-21T21:00"),  # after 22:30: the same night
        ("14:00", "America/Los_Angeles", "2026-08-21T21:00"),  # final at 13:30 there: same afternoon
        ("12:00", "America/Los_Angeles", "2026-08-22T19:00"),  # before 13:30: the next day
    ],
)
def test_first_chosen_local_time_after_the_session_is_final(post_time, zone, expected):
    assert due_time(sub(post_time, zone), dt.date(2026, 8, 21), CAL, POLICY) == utc(expected)


def test_a_time_before_an_early_close_posts_the_next_day():
    # 2026-11-27 closes at 13:00 New York (final 18:30 UTC): 09:00 is the next morning, 14:00 the same day
    assert due_time(sub("09:00"), dt.date(2026, 11, 27), CAL, POLICY) == utc("2026-11-28T14:00")
    assert due_time(sub("14:00"), dt.date(2026, 11, 27), CAL, POLICY) == utc("2026-11-27T19:00")


@pytest.mark.parametrize(
    ("post_time", "zone", "says", "never"),
    [
        ("17:00", "America/New_York", "at `17:00` America/New_York, the first 17:00 after", "next day"),
        ("10:00", "America/New_York", "`time:16:30` or later posts the same day", "after midnight"),
        ("18:00", "Europe/Berlin", "comes the day after each session; `time:22:30` or later", "midnight"),
        ("23:00", "Europe/Berlin", "the first 23:00 after each session is final", "day after"),
        ("09:00", "Asia/Kolkata", "final at `03:00` in Asia/Kolkata, after midnight there", "same day"),
        ("09:00", "Asia/Kolkata", "the earliest post is `time:03:00`", "same day"),
        ("14:00", "America/Los_Angeles", "the first 14:00 after each session is final", "day after"),
        ("12:00", "America/Los_Angeles", "`time:13:30` or later posts the same day", "midnight"),
        (None, "America/New_York", "when each session is final, 30 minutes after the New York close", "`"),
        (None, "Asia/Kolkata", "`03:00` in Asia/Kolkata on a regular day, after midnight there", "same day"),
    ],
)
def test_the_rule_in_words_says_when_it_is_the_next_day(post_time, zone, says, never):
    from bot.schedule import post_time_rule

    # Wednesday 2026-11-25, before the close; the next regular session is that day (EST: final 21:30 UTC)
    text = post_time_rule(post_time, zone, utc("2026-11-25T15:00"), CAL, POLICY)
    assert says in text
    assert never not in text


def test_next_due_is_the_first_post_after_now():
    from bot.schedule import next_due

    # Friday 2026-08-21 at 17:00 New York: a 10:00 subscription's next post is Saturday 10:00 (14:00 UTC)
    assert next_due(sub("10:00"), utc("2026-08-21T21:00"), CAL, POLICY) == (
        dt.date(2026, 8, 21),
        utc("2026-08-22T14:00"),
    )


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


def test_due_session_for_a_zone_east_of_new_york():
    kolkata = sub("09:00", "Asia/Kolkata")
    assert due_session(kolkata, utc("2026-08-22T03:29"), CAL, POLICY) is None  # Thursday's was 24 h ago
    assert due_session(kolkata, utc("2026-08-22T03:31"), CAL, POLICY) == dt.date(2026, 8, 21)


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
