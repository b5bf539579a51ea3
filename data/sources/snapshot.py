"""The real daily history bundled under ``data/snapshot`` (see its PROVENANCE.md).

Index files carry OHLC and closes (price returns); fund files carry only Yahoo's adjusted close as of
the 2026-08-03 download; TNX carries the 10-year yield in percent. Index volume is meaningless and
is dropped here so nothing downstream is tempted to use it. ``fred/`` holds FRED's own CSVs (DGS10,
DGS2, DFF, as fredgraph.csv writes them), read with the same parser as the live FRED answers.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pandas as pd

from ..errors import UnknownTicker
from ..frames import BAR_COLUMNS, YAHOO_COLUMNS
from ..universe import RATES, is_index

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "snapshot"


def _file_for(ticker: str) -> str:
    return ticker.lstrip("^") + ".csv"


@cache
def _read_fred(path: Path) -> pd.DataFrame:
    from .fred import parse_fredgraph

    return parse_fredgraph(path.read_text(), path.stem)


@cache
def _read(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, parse_dates=["Date"])
    frame = raw.rename(columns=YAHOO_COLUMNS | {"Date": "session"}).set_index("session")
    frame.index = pd.DatetimeIndex(frame.index).astype("datetime64[ns]")
    frame["dividends"] = 0.0
    frame["splits"] = 0.0
    return frame[BAR_COLUMNS].astype("float64")


class SnapshotSource:
    """Reads the bundled CSVs. Every ticker it knows is listed by :meth:`tickers`."""

    name = "snapshot"

    def __init__(self, directory: Path = SNAPSHOT_DIR) -> None:
        self.directory = directory

    def tickers(self) -> list[str]:
        names = sorted(p.stem for p in self.directory.glob("*.csv"))
        rates = sorted(p.stem for p in (self.directory / "fred").glob("*.csv") if p.stem in RATES)
        return ["^" + n if n in {"RUT", "GSPC", "TNX"} else n for n in names] + rates

    def has(self, ticker: str) -> bool:
        if ticker in RATES:
            return (self.directory / "fred" / f"{ticker}.csv").is_file()
        return (self.directory / _file_for(ticker)).is_file() and (
            is_index(ticker) == (ticker.lstrip("^") in {"RUT", "GSPC", "TNX"})
        )

    def read(self, ticker: str) -> pd.DataFrame:
        if not self.has(ticker):
            raise UnknownTicker(ticker, self.tickers())
        if ticker in RATES:
            return _read_fred(self.directory / "fred" / f"{ticker}.csv").copy()
        frame = _read(self.directory / _file_for(ticker)).copy()
        if is_index(ticker):
            frame["volume"] = float("nan")
        return frame

    async def fetch(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        frame = self.read(ticker)
        return frame.loc[pd.Timestamp(start) if start else None : pd.Timestamp(end) if end else None]
