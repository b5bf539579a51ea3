"""How far the effective federal funds rate (FRED's DFF) has moved since a date: the rates half of
the rotation story ("the Fed cut 75 bp in late 2025"), said in basis points beside the daily update.

Levels are FRED's own daily values (percent); a day without a value uses the last one before it, as
the rate stands until it changes. When the series is not available (no bundled or live data), the
answer simply goes without the line.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from data.errors import DataError

if TYPE_CHECKING:
    from .pair import HistoryProvider

FED_FUNDS = "DFF"


async def fed_funds_since(
    data: HistoryProvider, as_of: dt.date, since: dt.date | None = None
) -> str | None:
    """``"Fed funds (effective, FRED DFF): 3.63% on …, −70 bp since … (4.33%)."``; ``since``
    defaults to a year before ``as_of``. None when the series cannot be read."""
    try:
        history = await data.history(FED_FUNDS)
    except DataError:
        return None
    upto = history.prices.loc[: pd.Timestamp(as_of)]
    if upto.empty:
        return None
    end_day, end = upto.index[-1].date(), float(upto.iloc[-1])
    since = since or end_day - dt.timedelta(days=365)
    before = upto.loc[: pd.Timestamp(since)]
    if before.empty:
        return (
            f"Fed funds (effective, FRED {FED_FUNDS}): {end:.2f}% on {end_day}; its data starts "
            f"{upto.index[0].date()}, after {since}."
        )
    base_day, base = before.index[-1].date(), float(before.iloc[-1])
    moved = round((end - base) * 100)
    return (
        f"Fed funds (effective, FRED {FED_FUNDS}): {end:.2f}% on {end_day}, {moved:+d} bp since "
        f"{base_day} ({base:.2f}%)."
    )
