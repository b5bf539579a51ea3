"""Subscriptions, the daily fan-out, discussion threads and chat, through discord.py and the fake."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from bot.delivery import TITLE, nonce
from tests.bot.fake_discord import ALL_TEXT, CREATE_PUBLIC_THREADS, EPHEMERAL, MANAGE_CHANNELS, dispatch
from tests.conftest import expire_claims

MOD = ALL_TEXT | MANAGE_CHANNELS
SESSION = "2026-08-21"


class Clock:
    def __init__(self, when: str = "2026-08-21T20:31") -> None:
        self.now = dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def content(request) -> str:
    return (request.json.get("data") or request.json).get("content", "")


async def test_subscribe_here_stores_it_and_says_when(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock())
    payload = fake.interaction("subscribe", {"time": "17:00"}, member_permissions=MOD)
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert f"Subscribed <#{fake.channel_id}>" in content(callback)
    assert "posted at `17:00` America/New_York, the first 17:00 after each session is final" in content(
        callback
    )
    five_pm = int(dt.datetime(2026, 8, 21, 21, tzinfo=dt.UTC).timestamp())  # 17:00 EDT
    assert f"Next: the 2026-08-21 update, <t:{five_pm}:f>." in content(callback)
    (sub,) = await bot.state.subscriptions(int(fake.guild_id))
    assert (sub.channel_id, sub.post_time, sub.thread) == (int(fake.channel_id), "17:00", True)


@pytest.mark.parametrize(
    ("zone", "time", "next_utc", "says"),
    [
        # Friday 2026-08-21 16:31 New York; each session is final at 16:30 New York (20:30 UTC)
        ("America/New_York", "10:00", "2026-08-22T14:00", "`time:16:30` or later posts the same day"),
        ("Europe/Berlin", "18:00", "2026-08-22T16:00", "`time:22:30` or later posts the same day"),
        ("Asia/Kolkata", "09:00", "2026-08-22T03:30", "the earliest post is `time:02:00`"),
        ("America/Los_Angeles", "14:00", "2026-08-21T21:00", "the first 14:00 after each session is final."),
    ],
)
async def test_subscribe_says_when_the_post_really_comes(make_bot, fake, zone, time, next_utc, says):
    bot = await make_bot(guild=fake.guild(), clock=Clock())
    from data.state import GuildSettings

    await bot.state.set_guild_settings(int(fake.guild_id), GuildSettings(zone))
    payload = fake.interaction("subscribe", {"time": time}, member_permissions=MOD)
    await dispatch(bot, payload)
    text = content(fake.for_interaction(payload)[0])
    stamp = int(dt.datetime.fromisoformat(next_utc).replace(tzinfo=dt.UTC).timestamp())
    assert says in text
    assert f"<t:{stamp}:f>" in text


async def test_subscribe_is_declared_for_manage_channels_and_servers_only(make_bot, fake):
    await make_bot()
    commands = {c["name"]: c for c in fake.synced[fake.guild_id]}
    for name in ("subscribe", "unsubscribe"):
        assert str(commands[name]["default_member_permissions"]) == str(MANAGE_CHANNELS)
        assert commands[name]["contexts"] == [0]  # guild only


@pytest.mark.parametrize(
    ("kwargs", "bot_permissions", "expected"),
    [
        ({"member_permissions": ALL_TEXT}, None, "needs the Manage Channels permission"),
        ({"options": {"time": "25:00"}}, None, "is not a time: use 24-hour HH:MM"),
        ({"channel_option": ("VOICE", 2, MOD)}, None, "it is a voice channel"),
        ({"channel_option": ("THREAD", 11, MOD)}, None, "That is a thread"),
        ({}, ALL_TEXT, "I'm missing Create Public Threads"),
    ],
)
async def test_subscribe_refuses_with_the_reason(make_bot, fake, kwargs, bot_permissions, expected):
    bot = await make_bot(guild=fake.guild(bot_permissions=bot_permissions), clock=Clock())
    kwargs = dict(kwargs)  # the parameter is shared by both backends' runs: never change it
    options = kwargs.pop("options", {})
    if "channel_option" in kwargs:
        cid = {"VOICE": fake.voice_id, "THREAD": fake.thread_id}[kwargs["channel_option"][0]]
        kwargs["channel_option"] = (cid, *kwargs["channel_option"][1:])
    kwargs.setdefault("member_permissions", MOD)
    payload = fake.interaction("subscribe", options, **kwargs)
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert expected in content(callback)
    assert await bot.state.subscriptions() == []


async def test_subscriptions_lists_and_unsubscribe_removes(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock())
    await dispatch(bot, fake.interaction("subscribe", member_permissions=MOD))
    listing = fake.interaction("subscriptions")
    await dispatch(bot, listing)
    embed = fake.for_interaction(listing)[0].json["data"]["embeds"][0]
    assert "1 channel subscribed" in embed["description"]
    value = embed["fields"][0]["value"]
    monday = int(dt.datetime(2026, 8, 24, 20, 30, tzinfo=dt.UTC).timestamp())  # Friday's was due before
    assert f"<#{fake.channel_id}> · next: the 2026-08-24 update, <t:{monday}:f> · no post yet" in value
    assert "\nPosted when each session is final, 30 minutes after the New York close." in value
    assert f"subscribed <t:{int(Clock()().timestamp())}:f>" in value
    removal = fake.interaction("unsubscribe", member_permissions=MOD)
    await dispatch(bot, removal)
    assert "will get no more daily updates" in content(fake.for_interaction(removal)[0])
    assert await bot.state.subscriptions() == []


async def test_fan_out_to_a_thousand_channels_renders_once(make_bot, fake):
    channels = [str(2_000_000_000_000_000_000 + i) for i in range(1000)]
    bot = await make_bot(guild=fake.guild(channels), clock=Clock())
    for cid in channels:
        await bot.state.subscribe(_sub(cid), dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    started = time.perf_counter()
    report = await bot.delivery.tick()
    elapsed = time.perf_counter() - started
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    threads = [r for r in fake.requests if r.path.endswith("/threads")]
    assert report.sent == 1000
    assert bot.delivery.renders == 1
    assert sorted(r.path.split("/")[2] for r in posts) == sorted(channels)
    for r in posts:
        cid = r.path.split("/")[2]
        assert r.json["nonce"] == nonce(int(cid), SESSION)
        assert r.json["enforce_nonce"] is True
        assert r.json["allowed_mentions"] == {"parse": []}
        assert r.json["embeds"][0]["title"] == TITLE.format(session=SESSION)
        assert [name for name, _ in r.files] == ["digest.png"]
    assert len(threads) == 1000
    assert {r.json["name"] for r in threads} == {f"Rotation {SESSION}"}
    print(f"\nfan-out to 1000 channels: {elapsed:.2f} s, {bot.delivery.renders} render")
    await bot.delivery.tick()
    assert len([r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]) == 1000


def _sub(cid: str):
    from data.state import Subscription

    return Subscription(int(cid), 1, None, "America/New_York", True, 7)


async def test_deleted_channel_and_lost_permission_are_reported(make_bot, fake):
    ok, gone, locked = (str(2_100_000_000_000_000_000 + i) for i in range(3))
    bot = await make_bot(guild=fake.guild([ok, gone, locked]), clock=Clock())
    fake.gone.add(gone)
    fake.forbidden.add(locked)
    for cid in (ok, gone, locked):
        await bot.state.subscribe(_sub(cid), dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    report = await bot.delivery.tick()
    assert (report.sent, report.failed) == (1, 2)
    problems = {s.channel_id: s.problem for s in await bot.state.subscriptions()}
    assert "deleted" in problems[int(gone)]
    assert "missing permission" in problems[int(locked)]
    assert problems[int(ok)] is None


async def test_after_a_crash_between_send_and_commit_the_post_is_found_not_resent(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:45"))
    await bot.state.subscribe(_sub(fake.channel_id), dt.datetime(2026, 8, 1, tzinfo=dt.UTC))
    await bot.state.claim(int(fake.channel_id), SESSION, dt.timedelta(minutes=10))
    await expire_claims(bot.state)  # the process that claimed it died; its lease ran out
    earlier = fake.message({"embeds": [{"title": TITLE.format(session=SESSION)}]}, channel_id=fake.channel_id)
    fake.channel_messages[fake.channel_id] = [earlier]  # it was sent; the commit never happened
    report = await bot.delivery.tick()
    assert report.found_existing == 1
    assert not [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert (await bot.state.delivery(int(fake.channel_id), SESSION))["message_id"] == int(earlier["id"])


async def test_a_question_in_the_bots_thread_is_answered_there(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    await dispatch(
        bot,
        fake.message_create(f"<@{fake.app_id}> how big was the gap in 2024?", mention_bot=True),
        "message_create",
    )
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert reply.json["content"] == "Read as `/gap period:2024`"
    fields = {f["name"]: f["value"] for f in reply.json["embeds"][0]["fields"]}
    assert fields["^RUT return"] == "+10.02%"
    assert str(reply.json["message_reference"]["channel_id"]) == fake.thread_id
    assert reply.json["allowed_mentions"]["parse"] == []
    assert reply.files[0][0] == "gap.png"


async def test_a_mistake_found_after_reading_still_says_how_it_was_read(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    await dispatch(
        bot, fake.message_create(f"<@{fake.app_id}> gap on 2026-01-17", mention_bot=True), "message_create"
    )
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    first, second = reply.json["content"].split("\n")
    assert first == "Read as `/gap period:2026-01-17`"
    assert second.startswith("2026-01-17 is not a trading session")


async def test_an_unknown_question_gets_the_grammar_and_unmentioned_chat_is_ignored(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    await dispatch(
        bot, fake.message_create(f"<@{fake.app_id}> tell me a joke", mention_bot=True), "message_create"
    )
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert reply.json["content"].startswith("I didn't understand “joke”")
    assert "`/gap period:ytd`" in reply.json["content"]
    before = len(fake.requests)
    await dispatch(bot, fake.message_create("what's the streak?", mention_bot=False), "message_create")
    assert len(fake.requests) == before


async def test_discuss_opens_a_thread_seeded_with_the_digest(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = fake.interaction(
        "discuss",
        {"topic": "Small caps @everyone week"},
        app_permissions=ALL_TEXT | CREATE_PUBLIC_THREADS,
        member_permissions=ALL_TEXT | CREATE_PUBLIC_THREADS,
    )
    await dispatch(bot, payload)
    callback, followup, *_ = fake.for_interaction(payload)
    assert callback.json["type"] == 5
    assert followup.json["embeds"][0]["title"].startswith("Daily rotation update — ")
    (thread,) = [r for r in fake.requests if r.path.endswith("/threads")]
    assert thread.path.startswith(f"/channels/{fake.channel_id}/messages/")
    assert thread.json["name"] == "Small caps @\u200beveryone week"  # shown as typed, never a mention


async def test_server_settings_set_the_zone_and_time_new_subscriptions_use(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock())
    admin = ALL_TEXT | MANAGE_CHANNELS | (1 << 5)  # Manage Server
    bad = fake.interaction("server-settings", {"timezone": "Mars/Olympus"}, member_permissions=admin)
    await dispatch(bot, bad)
    assert "is not a time zone" in content(fake.for_interaction(bad)[0])
    ok = fake.interaction(
        "server-settings", {"timezone": "Europe/Berlin", "time": "18:00"}, member_permissions=admin
    )
    await dispatch(bot, ok)
    assert (
        "time zone Europe/Berlin; new subscriptions post at `18:00` Europe/Berlin, the first 18:00 after each"
        " session is final. A regular session is final at `22:30` in Europe/Berlin, so 18:00 comes the day"
        " after each session; `time:22:30` or later posts the same day."
    ) in content(fake.for_interaction(ok)[0])
    await dispatch(bot, fake.interaction("subscribe", member_permissions=MOD))
    (sub,) = await bot.state.subscriptions()
    assert (sub.timezone, sub.post_time) == ("Europe/Berlin", "18:00")
    plain = fake.interaction("server-settings", {"time": "close"}, member_permissions=ALL_TEXT)
    await dispatch(bot, plain)
    assert "needs the Manage Server permission" in content(fake.for_interaction(plain)[0])


async def test_subscriptions_shows_the_last_post_and_the_subscription_as_timestamps(make_bot, fake):
    from data.state import Subscription

    bot = await make_bot(guild=fake.guild(), clock=Clock())
    created = dt.datetime(2026, 8, 3, 12, tzinfo=dt.UTC)
    sub = Subscription(1, 2, "09:00", "Asia/Kolkata", True, 3, last_session="2026-08-20", created_at=created)
    text = bot.get_cog("Subscriptions")._describe(sub, Clock()())
    # the 2026-08-20 update was due at 09:00 Kolkata on the 21st (03:30 UTC); each moment a timestamp
    due = int(dt.datetime(2026, 8, 21, 3, 30, tzinfo=dt.UTC).timestamp())
    nxt = int(dt.datetime(2026, 8, 22, 3, 30, tzinfo=dt.UTC).timestamp())
    assert f"last post: the 2026-08-20 update, due <t:{due}:f>" in text
    assert f"next: the 2026-08-21 update, <t:{nxt}:f>" in text
    assert f"subscribed <t:{int(created.timestamp())}:f>" in text
    assert "09:00 Asia" not in text.split("\n")[0]  # wall-clock settings only in the rule line
