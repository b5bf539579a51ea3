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
