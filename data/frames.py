"""The one frame shape every source returns, and the arithmetic of adjusted closes.

Bars: a DataFrame indexed by session date (``datetime64``, no time zone, named ``session``) with the
columns in :data:`BAR_COLUMNS`. Missing fields are NaN, never guessed: the bundled fund files carry
only ``adj_close``, index volume is meaningless, and a live row has raw closes plus the actions that
let us derive adjusted ones ourselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BAR_COLUMNS = ["open", "high", "low", "close", "adj_close", "volume", "dividends", "splits"]

YAHOO_COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
    "Dividends": "dividends",
    "Stock Splits": "splits",
    "Capital Gains": "capital_gains",
}


def empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in BAR_COLUMNS})
    frame.index = pd.DatetimeIndex([], name="session")
    return frame


def _session_index(index: pd.Index) -> pd.DatetimeIndex:
    """Exchange-local calendar dates: Yahoo stamps daily bars at local midnight, in New York time."""
    idx = pd.DatetimeIndex(index)
    if idx.tz is not None:
        idx = idx.tz_convert("America/New_York").tz_localize(None)
    return idx.normalize().astype("datetime64[ns]").rename("session")


def normalize_yfinance(raw: pd.DataFrame | None, ticker: str) -> pd.DataFrame:
    """Turn whatever shape yfinance returned into plain bars (possibly empty).

    Handles ``download()``'s MultiIndex columns (price level first or ticker level first), the
    time-zone-aware index, ``Capital Gains`` (a distribution: treated like a dividend), rows without
    a close, and duplicated dates (the last one wins, as it is the freshest).
    """
    if raw is None or raw.empty:
        return empty_bars()
    frame = raw
    if isinstance(frame.columns, pd.MultiIndex):
        for level in range(frame.columns.nlevels):
            values = frame.columns.get_level_values(level)
            if ticker in set(values):
                frame = frame.xs(ticker, axis=1, level=level)
                break
        else:
            frame = frame.droplevel([lvl for lvl in range(frame.columns.nlevels) if lvl != 0], axis=1)
    frame = frame.rename(columns=YAHOO_COLUMNS)
    out = pd.DataFrame(index=_session_index(frame.index))
    for column in BAR_COLUMNS:
        out[column] = pd.to_numeric(frame[column], errors="coerce").to_numpy() if column in frame else np.nan
    if "capital_gains" in frame:
        gains = pd.to_numeric(frame["capital_gains"], errors="coerce").fillna(0.0).to_numpy()
        out["dividends"] = out["dividends"].fillna(0.0) + gains
    out[["dividends", "splits"]] = out[["dividends", "splits"]].fillna(0.0)
    out = out[out["close"].notna() & (out["close"] > 0)]
    out = out[~out.index.duplicated(keep="last")].sort_index()
    return out


def adjusted_from_actions(close: pd.Series, dividends: pd.Series) -> pd.Series:
    """Yahoo's dividend adjustment, derived from raw closes so it can be recomputed at every new action.

    Yahoo's ``Close`` is already split-adjusted; a dividend ``d`` going ex on session ``t`` multiplies
    every earlier close by ``1 - d / close[t-1]``. The newest close is its own adjusted close.
    """
    factor = (1.0 - dividends / close.shift(1)).fillna(1.0)
    after = factor.iloc[::-1].cumprod().iloc[::-1].shift(-1, fill_value=1.0)
    return close * after


def splice(older: pd.Series, newer: pd.Series) -> pd.Series:
    """Join an older adjusted series onto a newer one by rescaling it at their last common session.

    Adjusted closes are only comparable within one adjustment basis: the snapshot's basis is its
    download date, the live series' basis is today. Ratios inside ``older`` are preserved exactly.
    """
    if newer.empty:
        return older
    if older.empty:
        return newer
    common = older.index.intersection(newer.index)
    if common.empty:
        raise ValueError("cannot splice series without an overlapping session")
    anchor = common.max()
    scaled = older.loc[older.index < anchor] * (newer.loc[anchor] / older.loc[anchor])
    return pd.concat([scaled, newer.loc[newer.index >= anchor]])
