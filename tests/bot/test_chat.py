"""Mentions in threads through discord.py and the fake Discord: follow-ups remembered in the state
database (across processes), hostile text never live under the bot's name, a flood from one member
costing the thread at most two posts, and a mention outside a thread answered with a pointer."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import time
import types

from discord.ext import commands as ext
from discord.ext.commands import cooldowns

from bot.cogs.chat import ACKNOWLEDGED, OUTSIDE, SLOW_DOWN
from commands.escape import ZWSP
from tests.abuse.conftest import assert_inert as renders_nothing_live
from tests.abuse.conftest import embed_texts
from tests.bot.fake_discord import dispatch
from tests.bot.test_delivery import Clock

ALICE, BOB = "1300000000000000001", "1300000000000000002"


def unpaced(bot) -> None:
    """One member asking several things in a row, as a test does faster than any person could."""
    bot.get_cog("Chat").pace = ext.CooldownMapping.from_cooldown(1000, 1.0, ext.BucketType.user)
    bot.get_cog("Chat").cooldown = ext.CooldownMapping.from_cooldown(1000, 1.0, ext.BucketType.user)


async def ask(bot, fake, text: str, user: str = ALICE, thread: bool = True) -> list:
    before = len(fake.requests)
    message = fake.message_create(f"<@{fake.app_id}> {text}", mention_bot=True, user_id=user)
    if not thread:
        message["channel_id"] = fake.channel_id
    await dispatch(bot, message, "message_create")
    return [r for r in fake.requests[before:] if r.method in ("POST", "PUT")]


def posts(requests: list) -> list:
    return [r for r in requests if r.method == "POST" and r.path.endswith("/messages")]


async def test_a_follow_up_is_read_against_the_members_last_question_in_another_process(make_bot, fake):
    first, second = await make_bot(guild=fake.guild()), await make_bot(guild=fake.guild())
    (reply,) = posts(await ask(first, fake, "iwm vs spy in 2022"))
    assert reply.json["content"] == "Read as `/gap period:2022 small:IWM large:SPY`"
    # the next message reaches another shard process on the same state database
    (reply,) = posts(await ask(second, fake, "and in 2023?"))
    assert reply.json["content"] == (
        "Read as `/gap period:2023 small:IWM large:SPY` (kept from your last question: small, large)"
    )
    # another member's follow-up has nothing to follow: it is the gap over that period
    (reply,) = posts(await ask(second, fake, "and in 2023?", user=BOB))
    assert reply.json["content"] == "Read as `/gap period:2023`"


async def test_thanks_get_a_reaction_and_no_post(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    sent = await ask(bot, fake, "thx!")
    assert not posts(sent)
    (reaction,) = [r for r in sent if "/reactions/" in r.path]
    assert reaction.method == "PUT"


async def test_thanks_where_the_bot_may_not_react_are_acknowledged_in_words(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    fake.faults.append(("PUT", f"/channels/{fake.thread_id}/messages/", 403, 50013))  # Missing Permissions
    sent = await ask(bot, fake, "thanks a lot")
    (reply,) = posts(sent)
    assert reply.json["content"] == ACKNOWLEDGED


async def test_a_mention_outside_a_thread_gets_a_one_line_pointer(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    (reply,) = posts(await ask(bot, fake, "how did small caps do in 2022", thread=False))
    assert reply.path == f"/channels/{fake.channel_id}/messages"
    assert reply.json["content"] == OUTSIDE


async def test_a_refusal_says_why(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    (reply,) = posts(await ask(bot, fake, "should i buy iwm"))
    assert reply.json["content"].startswith("I don't give investment advice")
    assert "/history" in reply.json["content"]


async def test_forty_mentions_from_one_member_at_once_cost_the_thread_two_posts(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    before = len(fake.requests)
    await asyncio.gather(*(ask(bot, fake, f"gap {2000 + i % 20}") for i in range(40)))
    sent = posts(fake.requests[before:])
    assert sorted(p.json["content"] for p in sent) == sorted(["Read as `/gap period:2000`", SLOW_DOWN])
    (other,) = posts(await ask(bot, fake, "gap 2024", user=BOB))  # another member is not held up
    assert other.json["content"] == "Read as `/gap period:2024`"
    assert not posts(await ask(bot, fake, "gap 2023"))  # the flooder stays muted for the window


async def test_a_member_asking_in_turn_is_answered_each_time(make_bot, fake, monkeypatch):
    bot = await make_bot(guild=fake.guild())
    clock = types.SimpleNamespace(now=time.time())
    monkeypatch.setattr(cooldowns, "time", types.SimpleNamespace(time=lambda: clock.now))
    lines = []
    for text in ("how did small caps do in 2022", "and in 2023?", "what about value?"):
        clock.now += 2.0  # a person reads the answer before asking the next: seconds, not milliseconds
        (reply,) = posts(await ask(bot, fake, text))  # each asked after the answer before it
        lines.append(reply.json["content"])
    assert lines == [
        "Read as `/gap period:2022`",
        "Read as `/gap period:2023`",
        "Read as `/style period:2023` (kept from your last question: period)",
    ]


# -- hostile text: nothing a member types is live under the bot's name ----------------------------

REPORTED = (
    "call small 3m because `\n# OFFICIAL: verify your account\n[discord.com/verify](https://evil.example/verify)"
    " ||spoiler|| <t:1700000000:R> </gap:1> <@123> @everyone"
)
PIECES = [
    "`", "``", "```", "\n", "\n# ", "\n> ", "\n-# ", "**", "__", "||", "~~", "[a](https://evil.example)",
    "<t:1700000000:R>", "</gap:1>", "<@123>", "<@&9>", "<#5>", "@everyone", "@here", "http://x.example",
    "\u202e", "\u00a0" * 50, "\\", "*", "_", ":", "gap", "2024", "iwm", "vs", " ",
]  # fmt: skip
READ_AS = re.compile(r"Read as `[^`\n]{1,300}`(?: \(kept from your last question: [a-z_, ]+\))?")


def hostile(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))


def assert_inert(content: str) -> None:
    """Every backtick in a post opens or closes the Read-as code span, so member text quoted inside it
    cannot end it; outside a code span nothing live (links, mentions, timestamps) survives."""
    assert len(content) <= 2000
    assert "something went wrong" not in content
    first, _, rest = content.partition("\n")
    if first.startswith("Read as"):
        assert READ_AS.fullmatch(first), first
        outside = rest
    else:
        outside = content
    for live in ("](", "<t:", "</", "<@", "<#", "@everyone", "@here", "://", "\u202e"):
        assert live not in re.sub(r"`[^`\n]*`", "", outside), (live, content)


async def test_the_reported_hostile_call_note_is_quoted_inert(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))  # a call can be scored
    (reply,) = posts(await ask(bot, fake, REPORTED))
    assert_inert(reply.json["content"])
    renders_nothing_live(reply.json["content"])
    (embed,) = reply.json["embeds"]  # the call was recorded, and its answer quotes the note too
    assert embed["title"].startswith("Call #1")
    for shown in embed_texts(embed):
        renders_nothing_live(shown)
    assert "<t:1700000000:R>" in reply.json["content"].replace(ZWSP, "")  # the note is kept as typed
    assert "\n# OFFICIAL" not in reply.json["content"]


async def test_a_note_padded_past_two_thousand_characters_is_answered(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    (reply,) = posts(await ask(bot, fake, "call small 3m because rates" + "\u00a0" * 2100 + "x"))
    assert_inert(reply.json["content"])


async def test_hostile_text_fuzzed_through_the_mention_path_is_never_live(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))  # calls are recorded
    unpaced(bot)
    rng = random.Random(24)
    embeds = 0
    for i in range(60):
        text = hostile(rng)
        prefix = ("call small 3m because ", "gap 2024 ", "", "and ")[i % 4]
        user = str(1400000000000000000 + i)  # a member each: the call limit is per member
        for post in posts(await ask(bot, fake, prefix + text, user=user)):
            assert_inert(post.json.get("content") or "")
            renders_nothing_live(post.json.get("content") or "")  # the abuse suite's own reader
            for embed in post.json.get("embeds") or []:
                embeds += 1
                for shown in embed_texts(embed):
                    renders_nothing_live(shown)
    assert embeds >= 15  # answers (calls recorded, gaps drawn) were checked, not only refusals


async def test_a_figure_asked_by_name_is_shown_first(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    (reply,) = posts(await ask(bot, fake, "iwm vs spy max drawdown in 2022"))
    assert reply.json["content"] == "Read as `/gap period:2022 small:IWM large:SPY` — drawdown first"
    names = [f["name"] for f in reply.json["embeds"][0]["fields"]]
    assert names[:3] == ["IWM max drawdown", "SPY max drawdown", "IWM/SPY ratio max drawdown"]
    assert "IWM return" in names[3:]


async def test_two_questions_in_one_message_get_two_answers_and_the_third_is_named(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    first, second = posts(await ask(bot, fake, "gap 2024? streak? what about __bold__ tsla?"))
    assert first.json["content"] == "Read as `/gap period:2024`"
    assert second.json["content"].startswith("Read as `/streak`\nNot answered here: “what about \\_\\_bold")


async def test_relative_dates_count_from_the_named_pairs_last_session(make_bot, fake, snapshot_market):
    bot = await make_bot(guild=fake.guild())
    iwm = (await snapshot_market.history("IWM")).last_session
    index = (await snapshot_market.history("^RUT")).last_session
    assert iwm < index  # the snapshot's funds end before its indices
    (reply,) = posts(await ask(bot, fake, "how did iwm do this week"))
    monday = iwm - dt.timedelta(days=iwm.weekday())
    assert reply.json["content"] == (
        f"Read as `/gap period:{monday}.. small:IWM`\n"
        f"Relative dates are counted from IWM/^GSPC's last session, {iwm} (the indices run to {index})."
    )


async def test_a_style_follow_up_counts_last_week_from_the_style_funds(make_bot, fake, snapshot_market):
    bot = await make_bot(guild=fake.guild())
    unpaced(bot)
    await ask(bot, fake, "value vs growth in 2023")
    (reply,) = posts(await ask(bot, fake, "last week?"))
    last = min([(await snapshot_market.history(t)).last_session for t in ("IWN", "IWO")])
    monday = last - dt.timedelta(days=last.weekday() + 7)
    sunday = monday + dt.timedelta(days=6)
    assert reply.json["content"].startswith(f"Read as `/style period:{monday}..{sunday}`")
    assert "Relative dates are counted from IWN/IWO's last session" in reply.json["content"]


async def test_a_deleted_threads_readings_are_forgotten(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    await ask(bot, fake, "iwm vs spy in 2022")
    thread, member = int(fake.thread_id), int(ALICE)
    assert await bot.state.recall_reading(thread, member) == "/gap period:2022 small:IWM large:SPY"
    payload = {"id": fake.thread_id, "guild_id": fake.guild_id, "parent_id": fake.channel_id, "type": 11}
    before = asyncio.all_tasks()
    bot._connection.parse_thread_delete(payload)  # THREAD_DELETE, through discord.py's own parser
    started = [t for t in asyncio.all_tasks() - before if "on_raw_thread_delete" in t.get_name()]
    assert started
    await asyncio.gather(*started)
    assert await bot.state.recall_reading(thread, member) is None
