"""Calls through discord.py and the fake Discord, and their resolution through the delivery ledger:
made by slash command or by mention in the bot's thread, refused when they could never be scored,
withdrawn only in time, resolved exactly once, in the thread or (thread gone) in its parent."""

from __future__ import annotations

import datetime as dt

from bot.delivery import ChannelGone, Delivery, Transient, nonce
from commands.calls import RESULT_TITLE, call_source
from data.calendar import TradingCalendar
from data.state import Call
from tests.bot.fake_discord import EPHEMERAL, dispatch
from tests.bot.test_delivery import Clock, FakePoster, Updates
from tests.conftest import csv_closes, expire_claims

CAL = TradingCalendar()
MADE = dt.datetime(2026, 1, 5, 20, tzinfo=dt.UTC)  # 15:00 New York
THREAD, PARENT = 500, 400
DATES = sorted(csv_closes("RUT", "Close"))


def a_call(end=dt.date(2026, 2, 4), user=7, name="alice", side="small") -> Call:
    return Call(1, THREAD, PARENT, user, name, side, "1m", "^RUT", "^GSPC", dt.date(2026, 1, 5), end, MADE)


def engine(state, poster, clock, market) -> Delivery:
    return Delivery(state, Updates(), poster, CAL, clock, call_source=call_source(market))


async def store(state, call: Call) -> Call:
    return await state.add_call(call, max_open=3, open_from=dt.date(2026, 1, 6))


# -- resolution: exactly once, through the ledger ---------------------------------------------------


async def test_a_call_is_resolved_once_on_its_end_sessions_final_close(state, snapshot_market):
    call = await store(state, a_call())
    poster = FakePoster()
    clock = Clock("2026-02-04T21:29")  # 16:29 New York: the close is not final yet
    assert (await engine(state, poster, clock, snapshot_market).tick()).calls_sent == 0
    for when in ("2026-02-04T21:31", "2026-02-04T21:32", "2026-02-05T15:00", "2026-02-06T21:31"):
        clock.set(when)
        for _ in range(2):  # a restart: a fresh engine, the same database
            await engine(state, poster, clock, snapshot_market).tick()
    assert poster.posts == [(THREAD, nonce(call.id, "2026-02-04", "calls"), None)]
    row = await state.delivery(call.id, "2026-02-04", ledger="calls")
    assert row["status"] == "sent"


async def test_the_result_post_is_the_windows_spread(state, snapshot_market):
    await store(state, a_call())
    replies = []

    class Keeping(FakePoster):
        async def post(self, channel_id, reply, *, nonce, thread_name):
            replies.append(reply)
            return await super().post(channel_id, reply, nonce=nonce, thread_name=thread_name)

    await engine(state, Keeping(), Clock("2026-02-04T21:31"), snapshot_market).tick()
    (reply,) = replies
    assert reply.title.startswith("Call #1 resolved: right")
    assert reply.field("Spread").value == "+3.29 pp"
    assert reply.chart is not None


async def test_after_downtime_a_late_result_is_still_resolved_on_the_end_close(state, snapshot_market):
    await store(state, a_call())
    replies = []

    class Keeping(FakePoster):
        async def post(self, channel_id, reply, *, nonce, thread_name):
            replies.append(reply)
            return await super().post(channel_id, reply, nonce=nonce, thread_name=thread_name)

    await engine(state, Keeping(), Clock("2026-02-20T15:00"), snapshot_market).tick()
    assert replies[0].as_of == dt.date(2026, 2, 4)
    assert replies[0].field("Spread").value == "+3.29 pp"


async def test_a_crash_after_sending_does_not_send_the_result_again(state, snapshot_market):
    call = await store(state, a_call())
    clock = Clock("2026-02-04T21:31")
    await state.claim(call.id, "2026-02-04", dt.timedelta(minutes=10), "calls")
    poster = FakePoster()
    await poster.post(THREAD, None, nonce="before-the-crash", thread_name=None)
    await expire_claims(state, "calls")  # the process died; its lease ran out
    clock.set("2026-02-04T21:45")  # taken over: the post is looked for first
    report = await engine(state, poster, clock, snapshot_market).tick()
    assert report.calls_found_existing == 1
    assert len(poster.posts) == 1


async def test_a_deleted_thread_falls_back_to_its_parent_channel(state, snapshot_market):
    call = await store(state, a_call())
    poster = FakePoster()
    poster.fail[THREAD] = ChannelGone("Unknown Channel")
    report = await engine(state, poster, Clock("2026-02-04T21:31"), snapshot_market).tick()
    assert report.calls_sent == 1
    assert poster.posts == [(PARENT, nonce(call.id, "2026-02-04", "calls"), None)]


async def test_both_gone_gives_up_and_a_transient_error_retries(state, snapshot_market):
    gone = await store(state, a_call())
    poster = FakePoster()
    poster.fail = {THREAD: ChannelGone("Unknown Channel"), PARENT: ChannelGone("Unknown Channel")}
    report = await engine(state, poster, Clock("2026-02-04T21:31"), snapshot_market).tick()
    assert report.calls_failed == 1
    assert (await state.delivery(gone.id, "2026-02-04", ledger="calls"))["status"] == "failed"
    assert await state.due_calls(dt.date(2026, 2, 4)) == []
    later = await store(state, a_call(end=dt.date(2026, 2, 5)))
    poster.fail = {THREAD: Transient("502 Bad Gateway")}
    report = await engine(state, poster, Clock("2026-02-05T21:31"), snapshot_market).tick()
    assert report.calls_retry == 1
    poster.fail = {}
    report = await engine(state, poster, Clock("2026-02-05T21:32"), snapshot_market).tick()
    assert report.calls_sent == 1
    assert poster.posts == [(THREAD, nonce(later.id, "2026-02-05", "calls"), None)]


async def test_a_withdrawn_call_is_never_resolved(state, snapshot_market):
    call = await store(state, a_call())
    await state.withdraw_call(call, MADE + dt.timedelta(minutes=1))
    poster = FakePoster()
    await engine(state, poster, Clock("2026-02-04T21:31"), snapshot_market).tick()
    assert poster.posts == []


# -- through discord.py ------------------------------------------------------------------------------


def _options(payload: dict, **values) -> dict:
    types = {"page": 4, "number": 4}
    payload["data"]["options"] = [{"name": k, "type": types.get(k, 3), "value": v} for k, v in values.items()]
    return payload


async def test_a_call_in_a_thread_by_slash_command(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    payload = _options(fake.interaction("call", in_thread=True), side="small", horizon="1m", note="breadth")
    await dispatch(bot, payload)
    callback, followup = fake.for_interaction(payload)
    assert callback.json["type"] == 5  # deferred, public: the call is on the record
    embed = followup.json["embeds"][0]
    assert embed["title"] == "Call #1: small leads over 1m"
    end = DATES[DATES.index(dt.date(2026, 3, 2)) + 21]  # 21 sessions on the data's own dates
    assert f"from the close of 2026-03-02 to the close of {end}" in embed["description"]
    (stored,) = await bot.state.calls(int(fake.guild_id))
    assert (stored.channel_id, stored.parent_id) == (int(fake.thread_id), int(fake.channel_id))
    assert (stored.user_name, stored.note) == ("user001", "breadth")


async def test_a_call_by_mention_in_the_bots_thread(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    message = fake.message_create(f"<@{fake.app_id}> call large 3m IWM/SPY because rates", mention_bot=True)
    await dispatch(bot, message, "message_create")
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert reply.json["content"] == "Read as `/call side:large horizon:3m pair:IWM/SPY note:rates`"
    assert reply.json["embeds"][0]["title"] == "Call #1: large leads over 3m"
    assert str(reply.json["message_reference"]["message_id"]) == message["id"]
    (stored,) = await bot.state.calls(int(fake.guild_id))
    assert (stored.small, stored.large, stored.note, stored.side) == ("IWM", "SPY", "rates", "large")
    assert stored.start == dt.date(2026, 3, 2)
    assert stored.end == DATES[DATES.index(stored.start) + 63]


async def test_a_call_that_could_never_be_scored_is_refused_without_a_record(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-20T20:00"))  # live off, data to 08-21
    payload = _options(fake.interaction("call"), side="small", horizon="1m")
    await dispatch(bot, payload)
    final = fake.for_interaction(payload)[-1].json
    assert "Live data is off" in (final.get("content") or final.get("data", {}).get("content"))
    assert await bot.state.calls(int(fake.guild_id)) == []


async def test_a_fourth_open_call_on_the_same_pair_and_horizon_is_refused(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    for _ in range(4):
        payload = _options(fake.interaction("call"), side="small", horizon="1w")
        await dispatch(bot, payload)
    final = fake.for_interaction(payload)[-1].json
    assert "already have 3 open calls" in final["content"]
    assert len(await bot.state.calls(int(fake.guild_id))) == 3


async def test_withdrawal_within_five_minutes_by_its_caller_only(make_bot, fake):
    clock = Clock("2026-03-02T20:00")
    bot = await make_bot(guild=fake.guild(), clock=clock)
    await dispatch(bot, _options(fake.interaction("call"), side="small", horizon="1m"))
    await dispatch(bot, _options(fake.interaction("call"), side="large", horizon="3m"))
    other = _options(fake.interaction("call-withdraw", user_id="1300000000000000002"), number=1)
    await dispatch(bot, other)
    (callback,) = fake.for_interaction(other)
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert "Only user001" in callback.json["data"]["content"]
    clock.set("2026-03-02T20:04")
    mine = _options(fake.interaction("call-withdraw"), number=1)
    await dispatch(bot, mine)
    assert "withdrawn" in fake.for_interaction(mine)[0].json["data"]["content"]
    clock.set("2026-03-02T20:06")
    late = _options(fake.interaction("call-withdraw"), number=2)
    await dispatch(bot, late)
    assert "so it stands" in fake.for_interaction(late)[0].json["data"]["content"]
    assert [c.number for c in await bot.state.calls(int(fake.guild_id))] == [2]


async def test_calls_for_a_server_with_several_members(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-02-20T20:00"))
    guild = int(fake.guild_id)
    made = [("alice", 1, "small", dt.date(2026, 2, 4)), ("bob", 2, "large", dt.date(2026, 2, 4)),
            ("carol", 3, "small", dt.date(2026, 2, 4)), ("carol", 3, "large", dt.date(2026, 3, 5))]
    for name, user, side, end in made:
        call = Call(guild, int(fake.thread_id), int(fake.channel_id), user, name, side, "1m", "^RUT", "^GSPC",
                    dt.date(2026, 1, 5), end, MADE)
        await bot.state.add_call(call, max_open=3, open_from=dt.date(2026, 1, 6))
    payload = fake.interaction("calls")
    await dispatch(bot, payload)
    embed = fake.for_interaction(payload)[-1].json["embeds"][0]
    assert "3 closed calls by 3 members: 2/3 (67%) right" in embed["description"]
    assert "always small 3/3 (100%), always large 0/3 (0%)" in embed["description"]
    names = [f["name"] for f in embed["fields"]]
    assert names[:3] == ["alice: 1/1 (100%) right", "carol: 1/1 (100%) right", "bob: 0/1 (0%) right"]
    assert "#4 carol · large 1m" in embed["fields"][-1]["value"]
    assert "(provisional)" in embed["fields"][-1]["value"]
    page = _options(fake.interaction("calls"), status="closed")
    await dispatch(bot, page)
    closed = fake.for_interaction(page)[-1].json["embeds"][0]
    assert closed["title"] == "Calls in this server — closed"
    assert closed["fields"][-1]["value"].count("✅") == 2


async def test_a_result_through_discord_falls_back_to_the_parent_when_the_thread_is_deleted(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-02-04T21:31"))
    guild = int(fake.guild_id)
    call = Call(guild, int(fake.thread_id), int(fake.channel_id), 7, "alice", "small", "1m", "^RUT", "^GSPC",
                dt.date(2026, 1, 5), dt.date(2026, 2, 4), MADE)
    await bot.state.add_call(call, max_open=3, open_from=dt.date(2026, 1, 6))
    fake.gone.add(fake.thread_id)
    report = await bot.delivery.tick()
    assert report.calls_sent == 1
    (post,) = [r for r in fake.requests if r.path == f"/channels/{fake.channel_id}/messages"]
    assert post.json["embeds"][0]["title"].startswith(RESULT_TITLE.format(number=1))
    assert post.files[0][0] == "call-1.png"
    assert (await bot.delivery.tick()).calls_sent == 0


async def test_the_record_by_mention_and_a_call_it_cannot_read(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    for i, text in enumerate(("call small 1m", "open calls", "call it a day")):
        # three members: one member's three mentions at once would be paced (bot/cogs/chat.py)
        user = str(1300000000000000001 + i)
        message = fake.message_create(f"<@{fake.app_id}> {text}", mention_bot=True, user_id=user)
        await dispatch(bot, message, "message_create")
    made, record, refused = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert made.json["embeds"][0]["title"] == "Call #1: small leads over 1m"
    assert record.json["content"] == "Read as `/calls status:open`"
    assert "#1 alice · small 1m" in record.json["embeds"][0]["fields"][-1]["value"]
    assert "A call names a side and a horizon" in refused.json["content"]
    assert len(await bot.state.calls(int(fake.guild_id))) == 1


async def test_how_often_a_member_calls_is_limited_privately_before_anything_is_recorded(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    for horizon in ("1w", "1m", "3m", "1w", "1m", "3m"):
        payload = _options(fake.interaction("call"), side="small", horizon=horizon)
        await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert "you can make a call 5 times per 10 minutes" in callback.json["data"]["content"]
    assert len(await bot.state.calls(int(fake.guild_id))) == 5


async def test_calls_for_one_member(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-02-20T20:00"))
    guild = int(fake.guild_id)
    for name, user, side in [("alice", 1, "small"), ("bob", 2, "large"), ("alice", 1, "large")]:
        call = Call(guild, int(fake.thread_id), int(fake.channel_id), user, name, side, "1m", "^RUT", "^GSPC",
                    dt.date(2026, 1, 5), dt.date(2026, 2, 4), MADE)
        await bot.state.add_call(call, max_open=3, open_from=dt.date(2026, 1, 6))
    payload = fake.interaction("calls")
    user = {"id": "1", "username": "alice", "discriminator": "0", "avatar": None, "global_name": "Alice"}
    payload["data"]["options"] = [{"name": "user", "type": 6, "value": "1"}]
    payload["data"]["resolved"] = {"users": {"1": user}}
    await dispatch(bot, payload)
    embed = fake.for_interaction(payload)[-1].json["embeds"][0]
    assert embed["title"] == "Calls by Alice"
    assert "2 closed calls by 1 member: 1/2 (50%) right" in embed["description"]
    assert embed["fields"][0]["name"] == "alice: 1/2 (50%) right"
