"""Periods are bounded to the data's span before any work: a date pandas cannot hold (before 1677 or
after 2262) or before any close the bot has gets a private, clear answer naming the span accepted,
never a public apology; the mention path inherits the same bound through the registry."""

from __future__ import annotations

import pytest

from commands.periods import FIRST_CLOSE, parse_period
from commands.reply import UserError
from data.sources.snapshot import SnapshotSource
from tests.abuse.conftest import private_refusal, run
from tests.bot.fake_discord import dispatch

SPAN = f"reaches back before the data: the oldest close the bot has is {FIRST_CLOSE} (the S&P 500)"


@pytest.mark.parametrize(
    ("command", "options", "said"),
    [
        ("gap", {"period": "1000"}, "1000"),
        ("compare", {"a": "IWM", "b": "SPY", "period": "1500-01-01..2024-01-01"}, "1500-01-01..2024-01-01"),
        ("rates", {"period": "1677-09-21"}, "1677-09-21"),
        ("style", {"period": "1000"}, "1000"),
        ("sectors", {"period": "1000"}, "1000"),
        ("gap", {"period": "0000-Q1"}, "0000-Q1"),
        ("gap", {"period": "1927"}, "1927"),
    ],
)
async def test_an_ancient_period_is_refused_privately_with_the_span(make_bot, fake, command, options, said):
    bot = await make_bot(guild=fake.guild())
    answer = private_refusal(fake, await run(bot, fake.interaction(command, options)))
    assert answer.startswith(f"`{said}` {SPAN}")


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("3000", "`3000` starts after the newest session in the data (2026-08-21)."),
        ("3000-01-01..", "`3000-01-01..` starts after the newest session in the data (2026-08-21)."),
    ],
)
async def test_a_period_after_the_data_is_refused_without_a_crash(make_bot, fake, period, expected):
    bot = await make_bot(guild=fake.guild())
    payload = await run(bot, fake.interaction("gap", {"period": period}))
    texts = [str(r.json) for r in fake.for_interaction(payload)]
    assert any(expected in t for t in texts), texts
    assert not any("went wrong" in t for t in texts)


async def test_a_range_ending_far_ahead_is_measured_to_date(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = await run(bot, fake.interaction("gap", {"period": "2024-01-01..9999-12-31"}))
    followup = fake.for_interaction(payload)[-1]
    assert "to date: 2026-08-21" in str(followup.json)


async def test_the_mention_path_inherits_the_bound(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    message = fake.message_create(f"<@{fake.app_id}> gap since 1000-01-01", mention_bot=True)
    await dispatch(bot, message, "message_create")
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert SPAN in reply.json["content"]
    assert "went wrong" not in reply.json["content"]


def test_the_first_close_is_the_oldest_close_in_the_bundled_data():
    source = SnapshotSource()
    firsts = [source.read(t).index[0].date() for t in source.tickers()]
    assert min(firsts) == FIRST_CLOSE


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("1927-12-30", True), ("1927-12-29", False), ("1927", False), ("1928", True), ("1927-12-30..", True)],
)
def test_the_span_edges(raw, ok):
    if ok:
        parse_period(raw)
    else:
        with pytest.raises(UserError, match="reaches back before the data"):
            parse_period(raw)
