"""The live source with yfinance faked at its call boundary: no network, real exception names."""

from __future__ import annotations

import datetime as dt

import pytest
from yfinance.exceptions import YFPricesMissingError, YFRateLimitError, YFTzMissingError

from data.errors import DataUnavailable, UnknownTicker
from data.sources.live import YFinanceSource
from tests.data.test_frames import yf_history


class FakeYF:
    def __init__(self, result=None, error: Exception | None = None) -> None:
        self.result, self.error, self.calls = result, error, []

    def __call__(self, ticker, **kwargs):
        self.calls.append((ticker, kwargs))
        if self.error:
            raise self.error
        return self.result


async def test_asks_for_raw_closes_and_actions_and_normalises():
    fake = FakeYF(yf_history(["2026-08-03", "2026-08-04"], [10.0, 11.0]))
    out = await YFinanceSource(fake).fetch("IWM", dt.date(2026, 8, 3), dt.date(2026, 8, 4))
    assert out["close"].tolist() == [10.0, 11.0]
    ticker, kwargs = fake.calls[0]
    assert ticker == "IWM"
    assert kwargs == {
        "interval": "1d",
        "auto_adjust": False,
        "actions": True,
        "start": "2026-08-03",
        "end": "2026-08-05",
    }


async def test_full_history_when_nothing_is_stored():
    fake = FakeYF(yf_history(["2026-08-03"], [10.0]))
    await YFinanceSource(fake).fetch("IWM")
    assert fake.calls[0][1]["period"] == "max"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (YFTzMissingError("ZZZZ"), UnknownTicker),
        (YFPricesMissingError("ZZZZ", ""), UnknownTicker),
        (YFRateLimitError(), DataUnavailable),
        (ConnectionError("DNS"), DataUnavailable),
        (KeyError("chart"), DataUnavailable),
    ],
)
async def test_failures_become_project_exceptions(error, expected):
    with pytest.raises(expected):
        await YFinanceSource(FakeYF(error=error)).fetch("ZZZZ")


async def test_rate_limit_message():
    with pytest.raises(DataUnavailable, match="rate-limiting"):
        await YFinanceSource(FakeYF(error=YFRateLimitError())).fetch("IWM", dt.date(2026, 8, 3))


async def test_empty_range_is_an_empty_frame_not_an_error():
    fake = FakeYF(error=YFPricesMissingError("IWM", "(1d 2026-08-08 -> 2026-08-09)"))
    assert (await YFinanceSource(fake).fetch("IWM", dt.date(2026, 8, 8))).empty


async def test_timeout():
    import time

    def slow(ticker, **kwargs):
        time.sleep(0.5)

    with pytest.raises(DataUnavailable, match="did not answer"):
        await YFinanceSource(slow, timeout=0.05).fetch("IWM")
