"""Lists that can grow never exceed Discord's limits, and every record stays findable by its number."""

from __future__ import annotations

import datetime as dt
import re

from commands import charts
from data.state import Alert, Subscription
from data.valuations import Observation
from tests.abuse.conftest import (
    assert_inert,
    assert_within_discord_limits,
    opt,
    private_refusal,
    run,
    subcommand,
)
from tests.bot.test_subscriptions import Clock

NOW = dt.datetime(2026, 8, 21, 20, 31, tzinfo=dt.UTC)
LONG_SOURCE = ("[x](https://e.example) *_~|`<>#" * 12)[:300]  # escapes to far more than 300 characters


async def test_fifty_alerts_list_in_pages_within_2000_characters_with_every_id(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    guild, channel = int(fake.guild_id), int(fake.channel_id)
    for i in range(50):
        await bot.state.add_alert(Alert(guild, channel, "ratio_jump", 10.0 + i / 7, None, i), NOW)
    seen: set[int] = set()
    for page in (1, 2, 3):
        payload = await run(bot, subcommand(fake, "alert", "list", [opt("page", page, 4)]))
        text = private_refusal(fake, payload)  # private, immediate
        assert len(text) <= 2000
        seen |= {int(n) for n in re.findall(r"^#(\d+) ", text, re.MULTILINE)}
    assert seen == {a.number for a in await bot.state.alerts(guild)}
    first = private_refusal(fake, await run(bot, subcommand(fake, "alert", "list", [])))
    assert first.startswith(
        "50 alerts in this server, page 1 of 3 (`/alert list page:2` for more). "
        "`/alert remove id:N` removes one."
    )
    beyond = await run(bot, subcommand(fake, "alert", "list", [opt("page", 4, 4)]))
    assert private_refusal(fake, beyond) == "`page` runs from 1 to 3 here (50 alerts, at most 20 a page)."


async def test_a_hundred_long_valuations_page_within_embed_limits_with_every_id(
    thread_bot, fake, monkeypatch
):
    monkeypatch.setattr(charts, "valuation_chart", lambda *_: b"\x89PNG")  # the pages are tested here
    bot = thread_bot
    bot.clock = Clock("2026-08-21T20:31")
    guild = int(fake.guild_id)
    for i in range(100):
        obs = Observation(
            10 + i / 10,
            21.0,
            "forward",
            "forward",
            None,
            LONG_SOURCE,
            dt.date(2026, 1, 1) + dt.timedelta(i),
            "recorded",
            None,
            i,
        )
        await bot.state.add_valuation(guild, obs, NOW)
    first = fake.for_interaction(await run(bot, subcommand(fake, "valuation", "show", [])))[1]
    description = first.json["embeds"][0]["description"]
    pages = int(re.search(r"Page 1 of (\d+), newest first; `/valuation show page:2`", description)[1])
    assert pages >= 11  # at most 10 a page, fewer when the escaped sources are long
    seen = await _valuation_ids_on_pages(fake, bot, pages)
    assert sorted(seen) == sorted(o.id for o in await bot.state.valuations(guild))  # each exactly once
    beyond = await run(bot, subcommand(fake, "valuation", "show", [opt("page", pages + 1, 4)]))
    assert private_refusal(fake, beyond).startswith(f"`page` runs from 1 to {pages} here")


async def _valuation_ids_on_pages(fake, bot, pages: int) -> list[int]:
    """Every record number shown on pages 1..``pages``, each page within Discord's limits."""
    seen: list[int] = []
    for page in range(1, pages + 1):
        payload = await run(bot, subcommand(fake, "valuation", "show", [opt("page", page, 4)]))
        _, followup = fake.for_interaction(payload)
        embed = followup.json["embeds"][0]
        assert_within_discord_limits(embed)
        assert "did not fit" not in embed["description"]
        for field in embed["fields"]:
            assert_inert(field["value"])
            seen += [int(n) for n in re.findall(r"· #(\d+):", field["value"])]
    return seen


async def test_subscriptions_list_in_pages_within_embed_limits(make_bot, fake):
    channels = [str(2_400_000_000_000_000_000 + i) for i in range(30)]
    bot = await make_bot(guild=fake.guild(channels), clock=Clock())
    guild = int(fake.guild_id)
    for cid in channels:
        await bot.state.subscribe(Subscription(int(cid), guild, "17:00", "America/New_York", True, 1), NOW)
        await bot.state.set_problem(int(cid), "Discord said: " + "Missing Permissions; " * 14)
    first = fake.for_interaction(await run(bot, fake.interaction("subscriptions")))[0]
    description = first.json["data"]["embeds"][0]["description"]
    pages = int(re.search(r"30 channels subscribed in this server\. Page 1 of (\d+);", description)[1])
    named: list[str] = []
    for page in range(1, pages + 1):
        payload = await run(bot, fake.interaction("subscriptions", {"page": page}))
        (callback,) = fake.for_interaction(payload)
        embed = callback.json["data"]["embeds"][0]
        assert_within_discord_limits(embed)
        assert "did not fit" not in embed["description"]
        named += [f["name"] for f in embed["fields"]]
    assert sorted(named) == sorted(f"#desk-{i}" for i in range(30))  # each on exactly one page


async def test_eight_markdown_heavy_records_of_two_members_are_all_on_some_page(
    thread_bot, fake, monkeypatch
):
    """The finding: eight records with 300-character markdown-heavy sources overflowed the embed and
    four of them (one of another member) appeared on no page."""
    monkeypatch.setattr(charts, "valuation_chart", lambda *_: b"\x89PNG")
    bot = thread_bot
    bot.clock = Clock("2026-08-21T20:31")
    guild = int(fake.guild_id)
    heavy = ("*_~|`" * 60)[:300]  # every character escaped: 600 shown
    for i in range(8):
        obs = Observation(
            17.0,
            21.0,
            "forward",
            "forward",
            None,
            heavy,
            dt.date(2026, 8, 1) + dt.timedelta(i),
            "recorded",
            None,
            7 if i == 3 else 8,
        )
        await bot.state.add_valuation(guild, obs, NOW)
    first = fake.for_interaction(await run(bot, subcommand(fake, "valuation", "show", [])))[1]
    pages = int(re.search(r"Page 1 of (\d+)", first.json["embeds"][0]["description"])[1])
    seen = await _valuation_ids_on_pages(fake, bot, pages)
    assert sorted(seen) == list(range(1, 9))


async def test_a_valuation_page_beyond_the_list_is_refused_privately(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    payload = await run(bot, subcommand(fake, "valuation", "show", [opt("page", 2, 4)]))
    assert private_refusal(fake, payload) == "`page` runs from 1 to 1 here (at most 10 observations a page)."
