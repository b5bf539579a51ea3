"""Limits per member and per server on what creates records, threads or posts; /discuss checks the
member's own Create Public Threads permission and has a cooldown; a member's own records are
confirmed privately."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.limits import ALERTS, SUBSCRIPTIONS, VALUATIONS, Quota, Rate
from commands.reply import UserError
from data.state import Alert, Subscription
from data.valuations import Observation
from tests.abuse.conftest import MOD, opt, private_refusal, record_payload, run, subcommand
from tests.bot.fake_discord import ALL_TEXT, CREATE_PUBLIC_THREADS
from tests.bot.test_subscriptions import Clock

NOW = dt.datetime(2026, 8, 21, 20, 31, tzinfo=dt.UTC)
MEMBER, OTHER = "1300000000000000001", "1300000000000000002"
EVERYTHING = ALL_TEXT | CREATE_PUBLIC_THREADS


def _obs(by: int) -> Observation:
    as_of = dt.date(2026, 8, 1)
    return Observation(17.0, 21.0, "forward", "forward", None, "desk note", as_of, "recorded", None, by)


async def test_recording_quickly_is_slowed_down_privately(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    answers = [private_refusal(fake, await run(bot, record_payload(fake))) for _ in range(6)]
    assert all(a.startswith("Recorded #") for a in answers[:5])
    assert answers[5].startswith("Easy — you can record valuations 5 times per 10 minutes. Try again in ")
    assert len(await bot.state.valuations(int(fake.guild_id))) == 5
    other = private_refusal(fake, await run(bot, record_payload(fake, user_id=OTHER)))
    assert other.startswith("Recorded #6")  # one member's pace is theirs alone


async def test_one_member_cannot_hold_more_than_their_share_of_valuations(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    for _ in range(VALUATIONS.per_member):
        await bot.state.add_valuation(int(fake.guild_id), _obs(int(MEMBER)), NOW)
    answer = private_refusal(fake, await run(bot, record_payload(fake)))
    assert answer == (
        "You already have 10 recorded valuations in this server, the most one member can have. "
        "`/valuation show` lists them with their numbers (`page:` for older ones); "
        "`/valuation remove id:N` removes one."
    )
    assert private_refusal(fake, await run(bot, record_payload(fake, user_id=OTHER))).startswith("Recorded #")


async def test_a_server_cannot_hold_more_than_its_share_of_valuations(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    for i in range(VALUATIONS.per_server):
        await bot.state.add_valuation(int(fake.guild_id), _obs(i), NOW)
    answer = private_refusal(fake, await run(bot, record_payload(fake)))
    assert answer.startswith("This server already has 100 recorded valuations, the most one server can have.")
    assert len(await bot.state.valuations(int(fake.guild_id))) == 100


async def test_alerts_are_limited_per_member_and_per_server(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    guild, channel = int(fake.guild_id), int(fake.channel_id)
    for _ in range(ALERTS.per_member):
        await bot.state.add_alert(Alert(guild, channel, "streak", 5.0, None, int(MEMBER)), NOW)
    add = [opt("signal", "streak"), opt("threshold", 7.0, 10)]
    payload = await run(bot, subcommand(fake, "alert", "add", add, member_permissions=MOD))
    mine = private_refusal(fake, payload)
    assert mine.startswith("You already have 10 alerts in this server, the most one member can have.")
    assert "`/alert list` shows their numbers; `/alert remove id:N` removes one." in mine
    for i in range(ALERTS.per_server - ALERTS.per_member):
        await bot.state.add_alert(Alert(guild, channel, "streak", 5.0, None, 10 + i), NOW)
    theirs = subcommand(fake, "alert", "add", add, member_permissions=MOD, user_id=OTHER)
    assert private_refusal(fake, await run(bot, theirs)).startswith("This server already has 25 alerts")
    assert len(await bot.state.alerts(guild)) == ALERTS.per_server


async def test_subscriptions_are_limited_per_server_but_changing_one_is_not_adding(make_bot, fake):
    channels = [str(2_300_000_000_000_000_000 + i) for i in range(SUBSCRIPTIONS.per_server)]
    bot = await make_bot(guild=fake.guild(channels), clock=Clock())
    guild = int(fake.guild_id)
    for i, cid in enumerate([*channels[:-1], fake.channel_id]):
        await bot.state.subscribe(Subscription(int(cid), guild, None, "America/New_York", True, 100 + i), NOW)
    last = fake.interaction("subscribe", channel_option=(channels[-1], 0, MOD), member_permissions=MOD)
    refused = await run(bot, last)
    assert private_refusal(fake, refused).startswith("This server already has 20 subscribed channels")
    change = await run(bot, fake.interaction("subscribe", {"time": "17:00"}, member_permissions=MOD))
    assert private_refusal(fake, change).startswith(f"Subscribed <#{fake.channel_id}>")


async def test_discuss_needs_the_members_own_create_public_threads(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = fake.interaction("discuss", app_permissions=EVERYTHING, member_permissions=ALL_TEXT)
    await run(bot, payload)
    assert private_refusal(fake, payload) == (
        "Opening a discussion thread needs your own Create Public Threads permission here."
    )
    assert not [r for r in fake.requests if r.path.endswith("/threads")]


async def test_discuss_has_a_cooldown_per_member_and_a_limit_per_server(make_bot, fake):
    bot = await make_bot(guild=fake.guild())

    def discuss(user: str) -> dict:
        return fake.interaction(
            "discuss", user_id=user, app_permissions=EVERYTHING, member_permissions=EVERYTHING
        )

    await run(bot, discuss(MEMBER))
    again = await run(bot, discuss(MEMBER))
    assert private_refusal(fake, again).startswith(
        "Easy — you can open a discussion thread 1 time per 2 minutes. Try again in "
    )
    for i in range(2, 6):
        await run(bot, discuss(f"130000000000000000{i}"))
    sixth = await run(bot, discuss("1300000000000000009"))
    assert private_refusal(fake, sixth).startswith(
        "Members of this server can open a discussion thread 5 times per 10 minutes in all, "
        "and that is reached."
    )
    assert len([r for r in fake.requests if r.path.endswith("/threads")]) == 5


async def test_a_rates_refusals_say_when_and_a_released_use_is_given_back(state):
    rate = Rate("ask", "ask", member=(2, 60), server=(3, 60))
    await rate.reserve(state, 1, 10)
    token = await rate.reserve(state, 1, 10)
    with pytest.raises(UserError, match=r"you can ask 2 times per minute\. Try again in (59|60) s"):
        await rate.reserve(state, 1, 10)
    await rate.reserve(state, 1, 11)
    with pytest.raises(UserError, match="3 times per minute in all"):
        await rate.reserve(state, 1, 12)
    await state.release_use(token)
    await rate.reserve(state, 1, 12)  # the released use made room; the refusals never took any
    with pytest.raises(RuntimeError):
        async with rate.held(state, 2, 20):
            raise RuntimeError("the work failed")
    await rate.reserve(state, 2, 20)
    await rate.reserve(state, 2, 20)  # both of member 20's uses were still free


def test_a_quota_counts_only_what_it_is_given():
    quota = Quota("things", per_member=2, per_server=3, remove="Remove one.")
    quota.check([1, 2], 1)
    with pytest.raises(UserError, match="You already have 2 things"):
        quota.check([1, 1], 1)
    with pytest.raises(UserError, match="This server already has 3 things"):
        quota.check([2, 3, 4], 1)
