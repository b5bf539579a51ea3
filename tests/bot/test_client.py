"""Live mode's allowance of new tickers, through discord.py and the fake Discord (issue 24, 12).

A server may have at most NEW_TICKERS_PER_DAY tickers fetched for the first time a day; past it the
member is told why, politely, and nothing is fetched; other servers and known tickers are unaffected.
"""

from __future__ import annotations

import datetime as dt

from data.market import MarketData
from tests.bot.fake_discord import dispatch
from tests.bot.test_fair import in_other_guild
from tests.data.test_budget import AnyTicker


def wall() -> dt.datetime:
    return dt.datetime(2026, 8, 10, 21, 0, tzinfo=dt.UTC)


def said(fake, payload) -> str:
    """What the member finally sees: the followup's embed title, or the edited error text."""
    texts = []
    for request in fake.for_interaction(payload):
        body = request.json or {}
        if body.get("content"):
            texts.append(body["content"])
        texts += [e.get("title", "") for e in body.get("embeds") or []]
    return " | ".join(texts)


async def test_a_server_gets_a_bounded_number_of_new_tickers_a_day(make_bot, fake, cache):
    live = AnyTicker()
    bot = await make_bot(market=MarketData(cache, live=live, clock=wall), guild=fake.guild())
    bot.settings = bot.settings.copy(new_tickers_per_day=2)
    bot.clock = wall

    async def compare(a: str, user: int, other: bool = False) -> str:
        member = str(1_300_000_000_000_000_200 + user)
        payload = fake.interaction("compare", {"a": a, "b": "IWM"}, user_id=member)
        await dispatch(bot, in_other_guild(payload) if other else payload)
        return said(fake, payload)

    assert "NEWA" in await compare("NEWA", 1)
    assert "NEWB" in await compare("NEWB", 2)
    refused = await compare("NEWC", 3)
    assert "already asked for 2 new tickers today" in refused
    assert "Traceback" not in refused
    assert "NEWC" not in live.calls  # refused before any fetch
    assert "NEWA" in await compare("NEWA", 4)  # held already: no allowance needed
    assert "NEWC" in await compare("NEWC", 5, other=True)  # another server's own allowance
    assert live.calls.count("NEWA") == 1
