"""Ticker names users may type, and what each series is (a price index or a fund).

A price index (``^RUT``) has no dividends: its closes give price returns, as articles quote them.
A fund's adjusted close gives total returns. The distinction is carried into every answer.
"""

from __future__ import annotations

import re

from .errors import DataError

SMALL_DEFAULT = "^RUT"
LARGE_DEFAULT = "^GSPC"
# The defaults' total-return proxies, which every small-vs-large option names beside them: with the
# defaults, the pairs a running bot keeps in memory from the start.
FUND_PAIR = ("IWM", "SPY")
# Offered (never swapped in) when the index pair is stale: the funds may have a second provider.
FUND_OFFER = f" The fund pair may be fresher: small:{FUND_PAIR[0]} large:{FUND_PAIR[1]}."

ALIASES: dict[str, str] = {
    "SMALL": SMALL_DEFAULT,
    "LARGE": LARGE_DEFAULT,
    "RUT": "^RUT",
    "R2K": "^RUT",
    "RUSSELL2000": "^RUT",
    "SPX": "^GSPC",
    "GSPC": "^GSPC",
    "SP500": "^GSPC",
    "TNX": "^TNX",
    "IRX": "^IRX",
}

NAMES: dict[str, str] = {
    "^RUT": "Russell 2000",
    "^GSPC": "S&P 500",
    "^TNX": "US 10-year yield",
    "^IRX": "US 13-week bill yield",
    "DGS10": "US 10-year Treasury yield (FRED)",
    "DGS2": "US 2-year Treasury yield (FRED)",
    "DFF": "Effective federal funds rate (FRED)",
    "SPY": "SPDR S&P 500 ETF",
    "IWM": "iShares Russell 2000 ETF",
    "IWN": "iShares Russell 2000 Value",
    "IWO": "iShares Russell 2000 Growth",
    "VB": "Vanguard Small-Cap",
    "VBR": "Vanguard Small-Cap Value",
    "VBK": "Vanguard Small-Cap Growth",
    "IJR": "iShares S&P SmallCap 600",
    "IJS": "iShares S&P SmallCap 600 Value",
    "IJT": "iShares S&P SmallCap 600 Growth",
    "IWB": "iShares Russell 1000",
    "IWD": "iShares Russell 1000 Value",
    "IWF": "iShares Russell 1000 Growth",
    "VTV": "Vanguard Value",
    "VUG": "Vanguard Growth",
}

# Yields are levels (percent), not prices: a "return" or a ratio of one means nothing.
YIELDS = {"DGS10": "10y", "DGS2": "2y", "DFF": "ff", "^TNX": "tnx", "^IRX": "13w"}  # ticker -> /rates choice
# Official rates published by FRED (percent, daily): levels with no provider but FRED.
RATES = frozenset({"DGS10", "DGS2", "DFF"})

_TICKER = re.compile(r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,14}$")


class BadTicker(DataError):
    pass


def normalize_ticker(raw: str) -> str:
    """Map what a user typed (``rut``, ``small``, `` iwm ``) to the canonical symbol."""
    text = raw.strip().upper().lstrip("$")
    text = ALIASES.get(text, text)
    if not _TICKER.match(text):
        shown = raw.strip()[:40]
        raise BadTicker(
            f"`{shown}` is not a ticker. Use a symbol such as IWM, SPY or ^RUT, "
            "or the names small (Russell 2000) and large (S&P 500)."
        )
    return text


def is_index(ticker: str) -> bool:
    """Yahoo's index symbols start with ``^``; they have no corporate actions."""
    return ticker.startswith("^")


def is_rate(ticker: str) -> bool:
    """A FRED rate series: a level in percent, stored and read like an index's closes."""
    return ticker in RATES


def return_basis(ticker: str) -> str:
    """``price`` for an index (closes), ``total`` for a fund (adjusted closes, dividends reinvested)."""
    return "price" if is_index(ticker) else "total"


def display_name(ticker: str) -> str:
    name = NAMES.get(ticker)
    return f"{name} ({ticker})" if name else ticker
