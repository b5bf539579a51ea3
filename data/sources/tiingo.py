"""Tiingo's end-of-day prices: the second provider for funds, enabled with an API key.

``GET {base}/tiingo/daily/{ticker}/prices?startDate=…&endDate=…`` answers a JSON list of days
(``date``, raw ``open/high/low/close/volume``, ``adjClose``, ``divCash``, ``splitFactor``). Raw closes
plus the day's dividend and split are exactly what the cache stores from Yahoo, so adjusted closes are
derived the same way whichever provider a row came from. Tiingo carries US funds and stocks, not
indexes: ``^RUT`` is never asked of it. The key goes in the ``Authorization`` header, never the URL.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from ..frames import BAR_COLUMNS, empty_bars
from ..universe import is_index, is_rate
from .http import ProviderFailure, get

FIELDS = {"open": "open", "high": "high", "low": "low", "close": "close", "volume": "volume"}


class TiingoSource:
    name = "tiingo"
    label = "Tiingo"

    def __init__(self, api_key: str, base_url: str = "https://api.tiingo.com", timeout: float = 20.0) -> None:
        self._key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:  # never show the key
        return f"TiingoSource(base_url={self.base_url!r})"

    def carries(self, ticker: str) -> bool:
        return not is_index(ticker) and not is_rate(ticker)

    async def fetch(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        params = {"startDate": (start or dt.date(1990, 1, 1)).isoformat(), "format": "json"}
        if end is not None:
            params["endDate"] = end.isoformat()
        answer = await get(
            self.label,
            f"{self.base_url}/tiingo/daily/{ticker.lower()}/prices",
            params,
            self.timeout,
            {"Authorization": f"Token {self._key}", "Accept": "application/json"},
        )
        return parse_prices(answer.body)


def parse_prices(body: str) -> pd.DataFrame:
    """Bars from Tiingo's JSON list; anything else (a truncated body, an error object) is a failure."""
    try:
        rows = json.loads(body)
    except ValueError as exc:
        raise ProviderFailure("Tiingo sent a truncated or malformed answer") from exc
    if isinstance(rows, dict):  # {"detail": "..."}: an error in a 200
        raise ProviderFailure(f"Tiingo answered without data: {str(rows.get('detail', rows))[:120]}")
    if not isinstance(rows, list):
        raise ProviderFailure("Tiingo sent an answer that is not a list of days")
    if not rows:
        return empty_bars()
    try:
        frame = pd.DataFrame(
            {
                **{ours: [float(r[theirs]) for r in rows] for ours, theirs in FIELDS.items()},
                "adj_close": [float(r["adjClose"]) for r in rows],
                "dividends": [float(r.get("divCash") or 0.0) for r in rows],
                "splits": [_split(r.get("splitFactor")) for r in rows],
            },
            index=pd.DatetimeIndex([str(r["date"])[:10] for r in rows], name="session"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderFailure("Tiingo sent days without the expected prices") from exc
    frame.index = frame.index.astype("datetime64[ns]")
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    return frame[BAR_COLUMNS]


def _split(value: object) -> float:
    """Tiingo writes 1.0 on days without a split; the cache writes 0 (as from Yahoo)."""
    factor = float(value or 0.0)
    return 0.0 if factor == 1.0 else factor
