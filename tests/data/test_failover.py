"""The provider chain end to end through MarketData: Yahoo (faked at the PriceSource boundary, as
yfinance cannot be recorded) failing, Tiingo and FRED over HTTP from the local fake. The missing tail
comes from the next provider, the footer names it, two providers' closes are reconciled, an index
is never filled from a fund, the back-off is shared through the state database, and the daily
update still posts every session during a Yahoo outage."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from commands.sources import source_lines
from commands.update_pair import update_pair
from data.db import create_engine
from data.errors import DataUnavailable
from data.market import MarketData
from data.sources.chain import Entry, ProviderChain
from data.sources.fred import FredSource
from data.sources.health import MemoryHealth
from data.sources.tiingo import TiingoSource
from data.state import StateStore
from data.state.providers import ProviderHealthStore
from tests.data.test_market import Clock, FakeLive, bars
from tests.providerfake import fred_body, tiingo_body

CLOCK = "2026-08-08T12:00:00"  # Saturday: the newest closed session is 2026-08-07


class DownYahoo(FakeLive):
    """Yahoo during an outage: every request fails as yfinance's would, translated."""

    def __init__(self) -> None:
        super().__init__(bars({}))
        self.error = DataUnavailable("?", "Yahoo is rate-limiting requests")

    async def fetch(self, ticker, start=None, end=None):
        self.calls.append((ticker, start))
        raise DataUnavailable(ticker, "Yahoo is rate-limiting requests")


def chain(server, yahoo, health=None) -> ProviderChain:
    return ProviderChain(
        [
            Entry("yahoo", yahoo),
            Entry("tiingo", TiingoSource("key", server.base_url, timeout=1.0)),
            Entry("fred", FredSource(server.base_url, timeout=1.0)),
        ],
        health or MemoryHealth(),
    )


async def test_tiingo_fills_the_tail_when_yahoo_fails_and_the_footer_says_so(cache, server):
    yahoo = DownYahoo()
    market = MarketData(cache, live=chain(server, yahoo), clock=Clock(CLOCK))
    iwm = await market.history("IWM")
    assert iwm.last_session == dt.date(2026, 8, 5)  # the recorded answer's newest day
    assert iwm.provider == "tiingo"
    assert iwm.source == "bundled snapshot + Tiingo (live)"
    assert iwm.stale is None
    assert yahoo.calls == [("IWM", dt.date(2026, 7, 31))]  # asked first, for the tail only
    assert server.requests[-1][1]["startDate"] == "2026-07-31"
    assert len(await cache.load("IWM", "snapshot")) > 6000  # nothing stored is lost
    # the recorded closes, spliced onto the snapshot's adjusted series at 2026-07-31
    raw = pd.Series({pd.Timestamp("2026-07-31"): 230.02, pd.Timestamp("2026-08-05"): 232.4})
    assert iwm.prices.iloc[-1] / iwm.prices.loc["2026-07-31"] == pytest.approx(raw.iloc[1] / raw.iloc[0])


async def test_a_failing_provider_backs_off_and_the_next_is_asked(cache, server):
    yahoo = DownYahoo()
    live = chain(server, yahoo)
    market = MarketData(cache, live=live, clock=Clock(CLOCK))
    await market.history("IWM")
    await market.history("SPY")  # Tiingo has no SPY here (404): unknown to it, not a failure
    assert [c[0] for c in yahoo.calls] == ["IWM"]  # Yahoo backed off after its first failure
    statuses = {s.provider: s for s in await live.health.statuses()}
    assert statuses["yahoo"].failures == 1
    assert statuses["yahoo"].backoff_until is not None
    assert statuses["tiingo"].last_success is not None


@pytest.mark.parametrize("behaviour", ["rate_limited", "challenge", "truncated", "slow", "outage"])
async def test_both_providers_failing_answers_from_the_cache_saying_why(cache, server, behaviour):
    server.behaviour["IWM"] = behaviour
    market = MarketData(cache, live=chain(server, DownYahoo()), clock=Clock(CLOCK))
    iwm = await market.history("IWM")
    assert iwm.last_session == dt.date(2026, 7, 31)  # the snapshot, untouched
    assert "Yahoo is rate-limiting requests; Tiingo" in iwm.stale
    assert "5 sessions behind" in iwm.stale


async def test_an_index_is_never_filled_from_a_fund_but_the_fund_pair_is_offered(cache, server):
    market = MarketData(cache, live=chain(server, DownYahoo()), clock=Clock("2026-08-27T12:00:00"))
    rut = await market.history("^RUT")
    assert rut.last_session == dt.date(2026, 8, 21)
    assert rut.provider == "snapshot"
    assert not [r for r in server.requests if "rut" in r[0].lower()]
    assert "The fund pair may be fresher: small:IWM large:SPY." in rut.stale


async def test_fred_serves_the_rates_whatever_yahoo_does(cache, server):
    yahoo = DownYahoo()
    market = MarketData(cache, live=chain(server, yahoo), clock=Clock("2026-08-22T12:00:00"))
    dgs10 = await market.history("DGS10")
    assert dgs10.prices.iloc[-1] == 4.64
    assert dgs10.last_session == dt.date(2026, 8, 21)
    assert dgs10.prices.loc["2026-08-18"] == 4.71  # bundled
    assert dgs10.source == "bundled snapshot + FRED (live)"
    assert yahoo.calls == []  # Yahoo does not carry FRED's series
    assert server.requests[-1][1]["cosd"] == "2026-08-18"  # the tail from the newest bundled day


async def test_two_providers_closes_are_reconciled(cache, server):
    """Tiingo fills the outage; Yahoo, back, re-gives the newest stored session a different close."""
    clock = Clock(CLOCK)
    yahoo = FakeLive(bars({"2026-08-05": 240.0, "2026-08-06": 241.0, "2026-08-07": 242.0}))
    yahoo.error = DataUnavailable("IWM", "Yahoo is rate-limiting requests")
    health = MemoryHealth(clock)
    market = MarketData(cache, live=chain(server, yahoo, health), clock=clock)
    assert (await market.history("IWM")).provider == "tiingo"
    yahoo.error = None
    clock.set("2026-08-08T13:00:00")  # past Yahoo's back-off and the refresh interval
    market._memo.clear()
    iwm = await market.history("IWM")
    assert (iwm.provider, iwm.last_session) == ("yahoo", dt.date(2026, 8, 7))
    assert iwm.source == "bundled snapshot + Yahoo Finance (live)"
    (d,) = await market.ledger.disagreements()
    assert (d.ticker, d.session, d.provider_a, d.close_a, d.provider_b, d.close_b) == (
        "IWM",
        "2026-08-05",
        "tiingo",
        232.4,
        "yahoo",
        240.0,
    )
    _, lines = await source_lines(market)
    assert lines == ["IWM 2026-08-05: tiingo 232.4000 vs yahoo 240.0000 (+3.27%)"]


async def test_closes_within_the_tolerance_are_not_a_disagreement(cache, server):
    clock = Clock(CLOCK)
    yahoo = FakeLive(bars({"2026-08-05": 232.41}))
    yahoo.error = DataUnavailable("IWM", "down")
    market = MarketData(cache, live=chain(server, yahoo, MemoryHealth(clock)), clock=clock)
    await market.history("IWM")
    yahoo.error = None
    clock.set("2026-08-08T13:00:00")
    market._memo.clear()
    await market.history("IWM")
    assert await market.ledger.disagreements() == []


async def test_the_back_off_is_shared_by_every_process_through_the_state_database(tmp_path, server):
    url = f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
    state = StateStore(create_engine(url))
    await state.open()
    one, two = ProviderHealthStore(create_engine(url)), ProviderHealthStore(create_engine(url))
    server.behaviour["IWM"] = "rate_limited"
    with pytest.raises(DataUnavailable, match="Tiingo is rate-limiting"):
        await chain(server, DownYahoo(), one).fetch("IWM")
    asked = len(server.requests)
    with pytest.raises(DataUnavailable, match="Tiingo is rate-limiting"):  # said, not asked again
        await chain(server, DownYahoo(), two).fetch("IWM")
    assert len(server.requests) == asked
    (tiingo,) = [s for s in await two.statuses() if s.provider == "tiingo"]
    assert tiingo.failures == 1
    assert tiingo.last_error == "Tiingo is rate-limiting requests"
    server.behaviour["IWM"] = "good"
    await two.succeeded("tiingo")  # after a success the provider is asked again by everyone
    assert await one.blocked("tiingo") is None
    await state.close()
    for store in (one, two):
        await store.engine.dispose()


async def test_the_daily_update_posts_every_session_during_a_yahoo_outage(cache, server, tmp_path):
    from bot.simulate import simulate

    days = pd.bdate_range("2026-08-03", "2026-08-28")
    spy = pd.Series([650.0 + i for i in range(len(days))], index=days)  # test values
    iwm = pd.Series([230.0 + 0.5 * i for i in range(len(days))], index=days)
    server.tiingo["SPY"] = tiingo_body(pd.concat([pd.Series({pd.Timestamp("2026-07-31"): 649.0}), spy]))
    server.tiingo["IWM"] = tiingo_body(pd.concat([pd.Series({pd.Timestamp("2026-07-31"): 229.5}), iwm]))
    server.fred["DGS10"] = fred_body("DGS10", pd.Series({pd.Timestamp("2026-08-18"): 4.71}))
    yahoo = DownYahoo()
    market = MarketData(cache, live=chain(server, yahoo), clock=Clock("2026-08-29T12:00:00"))
    pair, note = await update_pair(market, dt.date(2026, 8, 28))
    assert pair == {"small": "IWM", "large": "SPY"}
    assert "indexes have no close after 2026-08-21" in note
    assert "Tiingo (live)" in note
    out = io.StringIO()
    status = await simulate(market, dt.date(2026, 8, 24), dt.date(2026, 8, 28), 1, tmp_path / "charts", out)
    text = out.getvalue()
    assert status == 0, text
    assert "5 posts for 5 trading sessions x 1 channel(s)." in text
    for day in ("2026-08-24", "2026-08-25", "2026-08-26", "2026-08-27", "2026-08-28"):
        assert f"Daily rotation update — {day}" in text
    assert "(delayed)" not in text
    assert "(IWM +" in text  # the figures are the fund pair's, named
    assert {c[0] for c in yahoo.calls} <= {"^RUT", "IWM"}  # then backed off: not asked again and again
