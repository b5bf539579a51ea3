"""The data source misbehaving: every command still answers from the cache, saying how stale it is,
or says plainly that the data is unavailable; nothing stored is lost; sessions are never misaligned."""

from __future__ import annotations

import asyncio
import datetime as dt

import pandas as pd
import pytest

from commands import gap, streak
from commands.registry import execute
from commands.reply import UserError
from data.errors import DataUnavailable
from data.market import MarketData
from data.sources.snapshot import SnapshotSource
from tests.data.test_market import TAIL, Clock, FakeLive, bars


class Misbehaving(FakeLive):
    def __init__(self, behaviour) -> None:
        super().__init__(bars(TAIL))
        self.behaviour = behaviour

    async def fetch(self, ticker, start=None, end=None):
        self.calls.append((ticker, start))
        return await self.behaviour(ticker, start)


async def rate_limited(ticker, start):
    raise DataUnavailable(ticker, "Yahoo is rate-limiting requests")


async def timing_out(ticker, start):
    raise DataUnavailable(ticker, "Yahoo did not answer within 20 s")


async def empty(ticker, start):
    return bars({})


async def broken(ticker, start):
    raise RuntimeError("a bug in the source")


async def nan_closes(ticker, start):
    return bars({"2026-08-24": float("nan"), "2026-08-25": float("nan")})


CLOCK = "2026-08-26T21:00:00"  # three sessions after the snapshot's 2026-08-21


@pytest.mark.parametrize("behaviour", [rate_limited, timing_out, broken])
async def test_failures_answer_from_the_cache_and_say_how_stale(cache, behaviour):
    market = MarketData(cache, live=Misbehaving(behaviour), clock=Clock(CLOCK))
    reply = await execute(gap.COMMAND, gap.COMMAND.validate({"period": "2024"}), market)
    assert round(reply.field("^RUT return").number * 100, 2) == 10.02
    assert any("2026-08-21, 3 sessions behind" in n for n in reply.notes)
    assert len(await cache.load("^RUT", "snapshot")) == 9811  # nothing stored is lost


@pytest.mark.parametrize("behaviour", [empty, nan_closes])
async def test_empty_or_nan_answers_add_nothing_and_break_nothing(cache, behaviour):
    market = MarketData(cache, live=Misbehaving(behaviour), clock=Clock(CLOCK))
    reply = await execute(streak.COMMAND, streak.COMMAND.validate({}), market)
    assert reply.as_of == dt.date(2026, 8, 21)
    assert (await market.history("^RUT")).prices.notna().all()


async def test_nothing_cached_and_no_source_says_unavailable(cache):
    market = MarketData(cache, live=Misbehaving(rate_limited), clock=Clock(CLOCK))
    with pytest.raises(UserError, match=r"Data for `QQQ` is unavailable right now \(Yahoo is rate-limiting"):
        await execute(gap.COMMAND, gap.COMMAND.validate({"small": "QQQ", "large": "SPY"}), market)


async def test_one_ticker_has_todays_row_and_the_other_not(cache):
    """^RUT gets 2026-08-24, ^GSPC does not: the answer stops at the last common session and says so."""

    last = SnapshotSource().read("^RUT")["close"].iloc[-1]

    async def only_small(ticker, start):
        return bars({"2026-08-21": last, "2026-08-24": last * 1.01}) if ticker == "^RUT" else bars({})

    market = MarketData(cache, live=Misbehaving(only_small), clock=Clock("2026-08-24T21:00:00"))
    reply = await execute(streak.COMMAND, streak.COMMAND.validate({}), market)
    assert reply.as_of == dt.date(2026, 8, 21)
    assert any("the last session both series have" in n for n in reply.notes)
    # the streak compares the same sessions on both sides: the lone 08-24 row is not a daily return
    assert reply.field("Started").value == "2026-08-21"


async def test_concurrent_failures_share_one_attempt(cache):
    source = Misbehaving(rate_limited)
    market = MarketData(cache, live=source, clock=Clock(CLOCK))
    await asyncio.gather(*(market.history("^RUT") for _ in range(10)))
    assert len(source.calls) == 1
    assert pd.Timestamp("2026-08-21") == (await market.history("^RUT")).prices.index[-1]
