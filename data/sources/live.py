"""Yahoo Finance through yfinance, called off the event loop and normalised at the boundary.

yfinance is synchronous (curl_cffi underneath), so every call runs in a worker thread. Its failure
modes are translated into the project's exceptions: an unknown symbol becomes
:class:`UnknownTicker`; rate limits, network errors and anything unexpected become
:class:`DataUnavailable`. A range with no rows (a weekend, a holiday) is an empty frame, not an error.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..errors import DataUnavailable, UnknownTicker
from ..frames import empty_bars, normalize_yfinance

log = logging.getLogger(__name__)

Downloader = Callable[..., pd.DataFrame]


def _yfinance_history(ticker: str, **kwargs: Any) -> pd.DataFrame:
    import yfinance as yf

    yf.config.debug.hide_exceptions = False
    return yf.Ticker(ticker).history(**kwargs)


class YFinanceSource:
    """Raw closes plus dividends and splits (``auto_adjust=False, actions=True``).

    Adjusted closes are derived by the cache from what is stored, because Yahoo's own adjusted
    history changes retroactively at every corporate action.
    """

    name = "live"

    def __init__(self, downloader: Downloader = _yfinance_history, timeout: float = 20.0) -> None:
        self._download = downloader
        self.timeout = timeout

    async def fetch(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        kwargs: dict[str, Any] = {"interval": "1d", "auto_adjust": False, "actions": True}
        if start is None:
            kwargs["period"] = "max"
        else:
            kwargs["start"] = start.isoformat()
            if end is not None:  # yfinance's end is exclusive
                kwargs["end"] = (end + dt.timedelta(days=1)).isoformat()
        try:
            raw = await asyncio.wait_for(
                asyncio.to_thread(self._download, ticker, **kwargs), timeout=self.timeout
            )
        except TimeoutError as exc:
            raise DataUnavailable(ticker, f"Yahoo did not answer within {self.timeout:.0f} s") from exc
        except Exception as exc:
            if type(exc).__name__ == "YFPricesMissingError" and start is not None:
                return empty_bars()  # no session in the requested range yet
            raise _translate(ticker, exc) from exc
        return normalize_yfinance(raw, ticker)


def _translate(ticker: str, exc: Exception) -> Exception:
    kind = type(exc).__name__
    if kind in {"YFTzMissingError", "YFPricesMissingError", "YFTickerMissingError"}:
        return UnknownTicker(ticker)
    if kind == "YFRateLimitError":
        return DataUnavailable(ticker, "Yahoo is rate-limiting requests")
    log.warning("live fetch of %s failed: %s: %s", ticker, kind, exc)
    return DataUnavailable(ticker, f"Yahoo request failed: {kind}")


def _yfinance_info(ticker: str) -> dict:
    import yfinance as yf

    return yf.Ticker(ticker).info


INFO_TIMEOUT = 15.0


async def trailing_pe(ticker: str, info: Callable[[str], dict] = _yfinance_info) -> float | None:
    """Yahoo's trailing P/E for a fund, or None when Yahoo has none or cannot be reached."""
    try:
        data = await asyncio.wait_for(asyncio.to_thread(info, ticker), timeout=INFO_TIMEOUT)
    except Exception as exc:  # a valuation figure is optional: never fail the answer for it
        log.info("no live P/E for %s: %s", ticker, type(exc).__name__)
        return None
    value = data.get("trailingPE") if isinstance(data, dict) else None
    return float(value) if isinstance(value, int | float) and value > 0 else None
