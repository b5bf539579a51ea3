"""Every value a member stores is bounded, and a value out of bounds gets a clear private answer
before anything is deferred or written."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.abuse.conftest import MOD, opt, private_refusal, record_payload, run, subcommand
from tests.bot.fake_discord import ALL_TEXT, CREATE_PUBLIC_THREADS
from tests.bot.test_subscriptions import Clock

TODAY = "2026-08-21"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"as_of": "9999-12-31"},
            "`as_of` is the date of the figures, from 1990-01-01 to today (2026-08-21); got `9999-12-31`.",
        ),
        (
            {"as_of": "2026-08-22"},
            "`as_of` is the date of the figures, from 1990-01-01 to today (2026-08-21); got `2026-08-22`.",
        ),
        (
            {"as_of": "1989-12-31"},
            "`as_of` is the date of the figures, from 1990-01-01 to today (2026-08-21); got `1989-12-31`.",
        ),
        ({"small_pe": 0.5}, "`small_pe` is a P/E from 1 to 500 (got `0.5`)"),
        ({"large_pe": 9999.0}, "`large_pe` is a P/E from 1 to 500 (got `9999.0`)"),
        ({"source": "x" * 301}, "`source` says where the figures come from in 3 to 300 characters (got 301)"),
        ({"source": " \n\t "}, "`source` says where the figures come from in 3 to 300 characters (got 0)"),
    ],
)
async def test_valuation_values_out_of_bounds_are_refused_privately(make_bot, fake, values, expected):
    bot = await make_bot(guild=fake.guild(), clock=Clock(f"{TODAY}T20:31"))
    payload = await run(bot, record_payload(fake, **values))
    assert expected in private_refusal(fake, payload)
    assert await bot.state.valuations(int(fake.guild_id)) == []


async def test_a_valuation_within_bounds_is_confirmed_privately_with_the_way_to_remove_it(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock(f"{TODAY}T20:31"))
    payload = await run(bot, record_payload(fake, as_of=TODAY, source="  desk\x00 note\u202e  "))
    assert private_refusal(fake, payload) == (
        "Recorded #1: 17x vs 21x as of 2026-08-21 (a 19.0% discount). `/valuation remove id:1` removes it."
    )
    (stored,) = await bot.state.valuations(int(fake.guild_id))
    assert (stored.source, stored.as_of) == ("desk note", dt.date(2026, 8, 21))  # control and bidi removed


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([opt("signal", "ratio_jump"), opt("threshold", 1000.0, 10)], "threshold is 0.1 to 100 %"),
        ([opt("signal", "january"), opt("threshold", -80.0, 10)], "january, the threshold is -50 to 50 pp"),
        ([opt("signal", "streak"), opt("threshold", 1e6, 10)], "a whole number of sessions, 1 to 100"),
        ([opt("signal", "ratio_cross"), opt("threshold", 3.0, 10)], "A ratio_cross alert takes no threshold"),
        (
            [opt("signal", "ratio_jump"), opt("threshold", 5.0, 10), opt("direction", "below")],
            "`direction` applies to streak and ratio_cross alerts only",
        ),
    ],
)
async def test_alert_values_out_of_bounds_are_refused_privately(make_bot, fake, options, expected):
    bot = await make_bot(guild=fake.guild())
    payload = await run(bot, subcommand(fake, "alert", "add", options, member_permissions=MOD))
    assert expected in private_refusal(fake, payload)
    assert await bot.state.alerts(int(fake.guild_id)) == []


async def test_a_discussion_topic_too_long_is_refused_before_the_thread(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    everything = ALL_TEXT | CREATE_PUBLIC_THREADS
    payload = fake.interaction(
        "discuss", {"topic": "t" * 91}, app_permissions=everything, member_permissions=everything
    )
    await run(bot, payload)
    assert private_refusal(fake, payload) == "`topic` names the thread in at most 90 characters."
    assert not [r for r in fake.requests if r.path.endswith("/threads")]
