"""Calls (issue 17) under the same rules: limits per member and per server through bot/limits.py,
refused privately before the defer, and a member's note shown as typed."""

from __future__ import annotations

import datetime as dt

from bot.limits import CALLS
from data.state import Call
from tests.abuse.conftest import assert_inert, embed_texts, private_refusal, run
from tests.bot.test_subscriptions import Clock

MADE = dt.datetime(2026, 3, 2, 20, tzinfo=dt.UTC)
MEMBER = "1300000000000000001"


def _call_payload(fake, user_id: str = MEMBER, **values) -> dict:
    payload = fake.interaction("call", user_id=user_id)
    values = {"side": "small", "horizon": "1m"} | values
    payload["data"]["options"] = [{"name": k, "type": 3, "value": v} for k, v in values.items()]
    return payload


def _open(guild: int, user: int, n: int) -> Call:
    """An open call on a pair of its own (the per-pair rule of calls is not what is tested)."""
    start, end = dt.date(2026, 3, 2), dt.date(2026, 6, 1)
    return Call(guild, 1, None, user, "someone", "small", "1y", f"T{n}", "SPY", start, end, MADE)


async def test_one_member_cannot_hold_more_than_their_share_of_open_calls(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    guild = int(fake.guild_id)
    for n in range(CALLS.per_member):
        await bot.state.add_call(_open(guild, int(MEMBER), n), max_open=3, open_from=dt.date(2026, 3, 3))
    payload = await run(bot, _call_payload(fake))
    assert private_refusal(fake, payload).startswith(
        "You already have 20 open calls in this server, the most one member can have. "
        "`/calls status:open` lists them"
    )


async def test_calls_are_paced_per_member_privately(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    never = await run(bot, _call_payload(fake, horizon="1y"))  # its window ends after the data
    assert fake.for_interaction(never)[0].json["type"] == 5  # deferred, then refused: nothing stored
    made = [
        await run(bot, _call_payload(fake, horizon=horizon, pair=pair))
        for pair in ("IWN/IWO", "IWM/SPY", "IJR/SPY")
        for horizon in ("1w", "1m")
    ]
    assert len(await bot.state.calls(int(fake.guild_id))) == 5  # the refused call was not charged
    assert private_refusal(fake, made[-1]).startswith("Easy — you can make a call 5 times per 10 minutes.")


async def test_a_calls_note_is_shown_as_typed(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    note = "[proof](https://evil.example) # **now** <@123456789012345678> @everyone"
    payload = await run(bot, _call_payload(fake, note=note))
    _, followup = fake.for_interaction(payload)
    embed = followup.json["embeds"][0]
    shown = embed["description"].split("\nNote: “")[-1].removesuffix("”")  # the note, on its own line
    assert shown == (
        "\\[proof\\]\\(https:/\u200b/evil.example\\) # \\*\\*now\\*\\* "
        "\\<\u200b@123456789012345678\\> @\u200beveryone"
    )
    assert_inert(shown)
    for text in embed_texts(embed):  # the whole embed, description included
        assert_inert(text)
