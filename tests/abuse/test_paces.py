"""Paces hold under bursts and across bot processes, on both backends: a use is reserved in the
state database before the work starts and released if the work fails. Ten /call and ten mention
calls fired at once record five; two bots on one database (what two processes are) let one member
record five valuations in ten minutes and open one thread in two, not one each."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.limits import VALUATIONS
from data.valuations import Observation
from tests.abuse.conftest import private_refusal, record_payload
from tests.bot.fake_discord import ALL_TEXT, CREATE_PUBLIC_THREADS, dispatch
from tests.bot.test_subscriptions import Clock

MEMBER = "1300000000000000001"
EVERYTHING = ALL_TEXT | CREATE_PUBLIC_THREADS
NOW = dt.datetime(2026, 8, 21, 20, 31, tzinfo=dt.UTC)
OBS = Observation(
    17.0, 21.0, "forward", "forward", None, "desk", dt.date(2026, 8, 1), "recorded", None, int(MEMBER)
)
PAIRS = ["IWM/SPY", "IWN/IWO", "IJR/SPY", "IJS/IJT", "VBR/VBK", "VB/SPY", "IWM/IWB"]
COMBOS = [(pair, horizon) for pair in PAIRS for horizon in ("1w", "1m", "3m")][:20]


def _call(fake, pair: str, horizon: str) -> dict:
    payload = fake.interaction("call", user_id=MEMBER)
    values = {"side": "small", "horizon": horizon, "pair": pair}
    payload["data"]["options"] = [{"name": k, "type": 3, "value": v} for k, v in values.items()]
    return payload


async def test_twenty_calls_at_once_by_slash_and_mention_record_five(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    slash = [_call(fake, pair, horizon) for pair, horizon in COMBOS[:10]]
    mentions = [
        fake.message_create(f"<@{fake.app_id}> call small {horizon} {pair}", mention_bot=True, user_id=MEMBER)
        for pair, horizon in COMBOS[10:]
    ]
    await asyncio.gather(
        *(dispatch(bot, p) for p in slash), *(dispatch(bot, m, "message_create") for m in mentions)
    )
    calls = await bot.state.calls(int(fake.guild_id))
    assert len(calls) == 5
    refusals = [
        r.json["data"]["content"] for p in slash for r in fake.for_interaction(p) if r.json.get("type") == 4
    ]
    replies = [
        r.json.get("content") or "" for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"
    ]
    pace = "you can make a call 5 times per 10 minutes"
    assert len(refusals) >= 5  # at most five of the ten slash calls were recorded
    assert all(pace in text for text in refusals)
    # a mention flood costs the thread at most two posts (bot/cogs/chat.py): the calls that reached
    # the pace are refused by it, the rest wait their turn under one note
    noted = [c for c in replies if "Easy —" in c]
    assert len(noted) <= 2
    assert all(pace in text or "one question at a time" in text for text in noted)


async def test_two_bots_on_one_database_share_one_members_valuation_pace(make_bot, fake):
    first = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    second = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    payloads = [record_payload(fake) for _ in range(7)]
    await asyncio.gather(*(dispatch((first, second)[i % 2], p) for i, p in enumerate(payloads)))
    answers = [private_refusal(fake, p) for p in payloads]
    assert len([a for a in answers if a.startswith("Recorded #")]) == 5
    assert len([a for a in answers if a.startswith("Easy — you can record valuations 5 times")]) == 2
    assert len(await first.state.valuations(int(fake.guild_id))) == 5


def _discuss(fake) -> dict:
    return fake.interaction(
        "discuss", user_id=MEMBER, app_permissions=EVERYTHING, member_permissions=EVERYTHING
    )


async def test_two_bots_on_one_database_open_one_thread_per_member_per_two_minutes(make_bot, fake):
    first = await make_bot(guild=fake.guild())
    second = await make_bot(guild=fake.guild())
    payloads = [_discuss(fake), _discuss(fake)]
    await asyncio.gather(dispatch(first, payloads[0]), dispatch(second, payloads[1]))
    assert len([r for r in fake.requests if r.path.endswith("/threads")]) == 1
    refused = [r for p in payloads for r in fake.for_interaction(p) if r.json.get("type") == 4]
    (refusal,) = refused
    assert refusal.json["data"]["content"].startswith(
        "Easy — you can open a discussion thread 1 time per 2 minutes."
    )


async def test_a_thread_that_could_not_be_opened_is_not_charged(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    fake.faults.append(("POST", f"/channels/{fake.channel_id}/messages/", 403, 50013))  # the thread
    await dispatch(bot, _discuss(fake))
    assert [r.status for r in fake.requests if r.path.endswith("/threads")] == [403]
    await dispatch(bot, _discuss(fake))  # the failed one gave its use back
    assert [r.status for r in fake.requests if r.path.endswith("/threads")] == [403, 201]


async def test_a_valuation_refused_by_the_quota_is_not_charged(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    guild = int(fake.guild_id)
    for _ in range(VALUATIONS.per_member):
        await bot.state.add_valuation(guild, OBS, NOW)
    for _ in range(5):  # refused by the quota after the pace was reserved: each use is given back
        payload = record_payload(fake)
        await dispatch(bot, payload)
        assert private_refusal(fake, payload).startswith("You already have 10 recorded valuations")
    for number in range(1, 6):
        await bot.state.remove_valuation(guild, number)
    for _ in range(5):
        payload = record_payload(fake)
        await dispatch(bot, payload)
        assert private_refusal(fake, payload).startswith("Recorded #")
