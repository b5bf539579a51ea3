"""Ticker options shared by every small-vs-large command."""

from __future__ import annotations

from collections.abc import Mapping

from data.universe import YIELDS, BadTicker, display_name, normalize_ticker

from .escape import code
from .registry import Option
from .reply import UserError

TICKER_SUGGESTIONS = ("^RUT", "^GSPC", "IWM", "SPY", "IJR", "VB", "IWB", "IWN", "IWO", "VBR", "VBK")

SMALL_OPTION = Option(
    "small",
    "Small-cap side (default ^RUT, the Russell 2000 index; IWM for total return)",
    suggestions=TICKER_SUGGESTIONS,
)
LARGE_OPTION = Option(
    "large",
    "Large-cap side (default ^GSPC, the S&P 500 index; SPY for total return)",
    suggestions=TICKER_SUGGESTIONS,
)


def ticker_option(options: Mapping[str, str], name: str, default: str) -> str:
    """A price series for returns and ratios; a yield is refused and pointed to /rates."""
    raw = options.get(name) or default
    try:
        ticker = normalize_ticker(raw)
    except BadTicker:
        raise UserError(
            f"{code(raw)} is not a ticker. Use a symbol such as IWM, SPY or ^RUT, "
            "or the names small (Russell 2000) and large (S&P 500)."
        ) from None
    if ticker in YIELDS:
        raise UserError(
            f"`{name}` {display_name(ticker)} is a yield, not a price: its returns and ratios mean "
            f"nothing. `/rates yield:{YIELDS[ticker]}` sets it against the small/large ratio as a level, "
            "in basis points."
        )
    return ticker


# Query fields that name a series, across the commands (gap/streak/digest/compare: small, large;
# style: value, growth; rates: yield_ticker).
TICKER_FIELDS = ("small", "large", "value", "growth", "yield_ticker")


def query_tickers(query: object) -> list[str]:
    """The series a validated query will read: what can be checked against the data before the
    interaction is deferred."""
    return [v for f in TICKER_FIELDS if isinstance(v := getattr(query, f, None), str)]
