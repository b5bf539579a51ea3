"""Normalising yfinance's shapes, deriving adjusted closes, splicing across adjustment bases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.frames import BAR_COLUMNS, adjusted_from_actions, normalize_yfinance, splice


def yf_history(dates: list[str], closes: list[float], **extra: list[float]) -> pd.DataFrame:
    """Shaped like ``yf.Ticker(t).history(auto_adjust=False, actions=True)``: tz-aware midnight index."""
    index = pd.DatetimeIndex(pd.to_datetime(dates)).tz_localize("America/New_York").rename("Date")
    n = len(dates)
    frame = pd.DataFrame(
        {
            "Open": closes,
            "High": closes,
            "Low": closes,
            "Close": closes,
            "Adj Close": closes,
            "Volume": [1000] * n,
            "Dividends": [0.0] * n,
            "Stock Splits": [0.0] * n,
        },
        index=index,
    )
    for column, values in extra.items():
        frame[column] = values
    return frame


def test_ticker_history_shape():
    out = normalize_yfinance(yf_history(["2026-08-03", "2026-08-04"], [10.0, 11.0]), "IWM")
    assert list(out.columns) == BAR_COLUMNS
    assert out.index.tz is None
    assert list(out.index) == [pd.Timestamp("2026-08-03"), pd.Timestamp("2026-08-04")]
    assert out["close"].tolist() == [10.0, 11.0]


@pytest.mark.parametrize("ticker_level_first", [False, True])
def test_download_multiindex_columns(ticker_level_first):
    raw = yf_history(["2026-08-03", "2026-08-04"], [10.0, 11.0])
    raw.columns = pd.MultiIndex.from_product([raw.columns, ["IWM"]], names=["Price", "Ticker"])
    if ticker_level_first:
        raw = raw.swaplevel(axis=1)
    out = normalize_yfinance(raw, "IWM")
    assert out["close"].tolist() == [10.0, 11.0]


def test_utc_stamps_become_new_york_dates():
    raw = yf_history(["2026-08-03"], [10.0])
    raw.index = pd.DatetimeIndex(["2026-08-03 20:00"]).tz_localize("UTC")
    assert normalize_yfinance(raw, "X").index[0] == pd.Timestamp("2026-08-03")


def test_empty_none_nan_and_duplicates():
    assert normalize_yfinance(None, "X").empty
    assert normalize_yfinance(pd.DataFrame(), "X").empty
    raw = yf_history(["2026-08-03", "2026-08-04", "2026-08-04"], [10.0, np.nan, 12.0])
    out = normalize_yfinance(raw, "X")
    assert out["close"].tolist() == [10.0, 12.0]


def test_capital_gains_count_as_distributions():
    raw = yf_history(["2026-08-03", "2026-08-04"], [10.0, 11.0], **{"Capital Gains": [0.0, 0.2]})
    raw["Dividends"] = [0.0, 0.1]
    assert normalize_yfinance(raw, "X")["dividends"].tolist() == pytest.approx([0.0, 0.3])


def test_adjusted_from_actions_by_hand():
    close = pd.Series([100.0, 102.0, 100.0, 101.0])
    dividends = pd.Series([0.0, 0.0, 2.04, 0.0])  # 2% of the previous close, ex on the third session
    adj = adjusted_from_actions(close, dividends)
    assert adj.tolist() == pytest.approx([98.0, 99.96, 100.0, 101.0])
    # Yahoo's convention (which the bundled adjusted closes follow): the dividend comes off the prior close
    assert adj.iloc[2] / adj.iloc[1] == pytest.approx(100.0 / (102.0 - 2.04))


def test_splice_rescales_the_older_series_at_the_last_overlap():
    idx = pd.date_range("2026-07-29", periods=4, freq="D")
    older = pd.Series([50.0, 51.0, 52.0], index=idx[:3])
    newer = pd.Series([104.0, 106.0], index=idx[2:])
    out = splice(older, newer)
    assert out.tolist() == pytest.approx([100.0, 102.0, 104.0, 106.0])
    with pytest.raises(ValueError, match="overlapping"):
        splice(older.iloc[:1], newer)
