"""The data layer's own exceptions, so callers never have to know yfinance's or SQLite's."""

from __future__ import annotations


class DataError(Exception):
    """Base class: something about market data that a user should be told in plain words."""


class UnknownTicker(DataError):
    def __init__(self, ticker: str, known: list[str] | None = None, *, live_off: bool = False) -> None:
        self.ticker = ticker
        self.known = known or []
        hint = f" Available offline: {', '.join(self.known)}." if self.known else ""
        if live_off:
            message = f"`{ticker}` is not in the bundled data and live data is off (snapshot mode).{hint}"
        else:
            message = f"I don't know the ticker `{ticker}`.{hint}"
        super().__init__(message)


class DataUnavailable(DataError):
    """The source could not answer now (network, rate limit, empty answer) and nothing is cached."""

    def __init__(self, ticker: str, reason: str) -> None:
        self.ticker = ticker
        self.reason = reason
        super().__init__(f"Data for `{ticker}` is unavailable right now ({reason}) and nothing is cached.")


class TooManyNewTickers(DataError):
    """A server asked for more tickers the cache did not have than its daily allowance."""

    def __init__(self, ticker: str, limit: int) -> None:
        self.ticker = ticker
        self.limit = limit
        super().__init__(
            f"`{ticker}` would be fetched for the first time, and this server has already asked for "
            f"{limit} new tickers today (the daily limit, which keeps live data fair for every server). "
            "Tickers already in the data still work; new ones can be asked for again tomorrow (UTC)."
        )
