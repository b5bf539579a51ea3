"""FRED's keyless CSV (``fredgraph.csv``): official Treasury yields and the effective fed funds rate.

``GET {base}/graph/fredgraph.csv?id=DGS10&cosd=2026-01-01`` answers ``observation_date,DGS10`` (older
files: ``DATE,DGS10``), one row per day, ``.`` or an empty cell where there is no value (a holiday).
Values are percent. A body that does not start with that header (an HTML page, an error text) or a row
that is not a date and a number is a failure, never a silent empty series.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from ..frames import BAR_COLUMNS, empty_bars
from ..universe import RATES
from .http import ProviderFailure, get


class FredSource:
    name = "fred"
    label = "FRED"

    def __init__(self, base_url: str = "https://fred.stlouisfed.org", timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def carries(self, ticker: str) -> bool:
        return ticker in RATES

    async def fetch(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        params = {"id": ticker}
        if start is not None:
            params["cosd"] = start.isoformat()
        if end is not None:
            params["coed"] = end.isoformat()
        answer = await get(self.label, f"{self.base_url}/graph/fredgraph.csv", params, self.timeout)
        frame = parse_fredgraph(answer.body, ticker)
        lo, hi = pd.Timestamp(start) if start else None, pd.Timestamp(end) if end else None
        return frame.loc[lo:hi]  # a server that ignores cosd/coed still answers only the range asked


def parse_fredgraph(body: str, series: str) -> pd.DataFrame:
    """Bars (close = adj_close = the value in percent) from a fredgraph CSV of one series."""
    if body.strip() and not body.endswith("\n"):  # FRED ends every file with a newline
        raise ProviderFailure(f"FRED's {series} CSV was cut off (no final newline)")
    lines = body.lstrip("\ufeff").strip().splitlines()
    header = [c.strip() for c in lines[0].split(",")] if lines else []
    if len(header) != 2 or header[0].lower() not in ("observation_date", "date") or header[1] != series:
        raise ProviderFailure(f"FRED sent something that is not the {series} CSV")
    if len(lines) == 1:
        return empty_bars()
    raw = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
    dates = pd.to_datetime(raw.iloc[:, 0].str.strip(), format="%Y-%m-%d", errors="coerce")
    text = raw.iloc[:, 1].str.strip()
    missing = text.isin([".", ""])
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    if dates.isna().any() or (values.isna() & ~missing).any():
        raise ProviderFailure(f"FRED's {series} CSV has a row that is not a date and a number (truncated?)")
    keep = ~missing
    frame = empty_bars().reindex(pd.DatetimeIndex(dates[keep], name="session").astype("datetime64[ns]"))
    frame["close"] = frame["adj_close"] = values[keep].to_numpy(dtype="float64")
    frame["dividends"] = frame["splits"] = 0.0
    return frame[BAR_COLUMNS].sort_index()
