"""Ticker options shared by every small-vs-large command."""

from __future__ import annotations

from collections.abc import Mapping

from data.universe import BadTicker, normalize_ticker

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
    raw = options.get(name) or default
    try:
        return normalize_ticker(raw)
    except BadTicker:
        raise UserError(
            f"{code(raw)} is not a ticker. Use a symbol such as IWM, SPY or ^RUT, "
            "or the names small (Russell 2000) and large (S&P 500)."
        ) from None
