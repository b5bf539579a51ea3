"""Price sources: where bars come from before the cache stores them."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import pandas as pd


class PriceSource(Protocol):
    """Daily bars for one ticker, in the shape of :func:`data.frames.empty_bars`.

    ``start``/``end`` are inclusive session dates; ``None`` means from the first / to the newest.
    Raises :class:`data.errors.UnknownTicker` or :class:`data.errors.DataUnavailable`, nothing else.
    """

    name: str

    async def fetch(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame: ...
