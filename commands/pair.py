"""Two series on their common sessions: the ground every small-vs-large figure stands on."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from data.market import PriceHistory
from data.universe import display_name

from .reply import UserError


class HistoryProvider(Protocol):
    async def history(self, ticker: str) -> PriceHistory: ...


@dataclass(frozen=True)
class Pair:
    small: PriceHistory
    large: PriceHistory
    frame: pd.DataFrame  # columns "small", "large": prices on common sessions, ascending
    notes: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date:
        return self.frame.index[-1].date()

    @property
    def small_name(self) -> str:
        return display_name(self.small.ticker)

    @property
    def large_name(self) -> str:
        return display_name(self.large.ticker)

    @property
    def source(self) -> str:
        sources = dict.fromkeys([self.small.source, self.large.source])
        return " / ".join(sources)

    @property
    def basis_text(self) -> str:
        if self.small.basis == self.large.basis:
            return (
                "price returns (index closes)"
                if self.small.basis == "price"
                else "total returns (adjusted closes)"
            )
        return "mixed: price return vs total return"

    def until(self, as_of: dt.date) -> Pair:
        """The pair as it stood at the close of ``as_of`` (the last session on or before it)."""
        first, last = self.frame.index[0].date(), self.frame.index[-1].date()
        if as_of < first:
            raise UserError(f"`as_of` {as_of} is before the data starts ({first}).")
        if as_of > last:
            raise UserError(
                f"`as_of` {as_of} is after the newest common session ({last}); "
                f"the data runs {first} to {last}."
            )
        return Pair(self.small, self.large, self.frame.loc[: pd.Timestamp(as_of)], self.notes)


async def load_pair(data: HistoryProvider, small: str, large: str) -> Pair:
    if small == large:
        raise UserError(f"Both sides are `{small}`: compare two different tickers.")
    small_h, large_h = await asyncio.gather(data.history(small), data.history(large))
    frame = pd.concat({"small": small_h.prices, "large": large_h.prices}, axis=1, join="inner").dropna()
    if len(frame) < 2:
        raise UserError(f"{small} and {large} share fewer than two sessions, so they cannot be compared.")
    notes = []
    if small_h.basis != large_h.basis:
        price, total = (small_h, large_h) if small_h.basis == "price" else (large_h, small_h)
        notes.append(
            f"Mixed bases: {price.ticker} is a price index (no dividends) while {total.ticker} is a fund's "
            "total return, which favours the fund by roughly the dividend yield gap."
        )
    for h in (small_h, large_h):
        if h.stale:
            notes.append(h.stale)
    ends = {small_h.last_session, large_h.last_session}
    if len(ends) > 1:
        notes.append(
            f"As of {frame.index[-1].date()}, the last session both series have "
            f"({small_h.ticker} to {small_h.last_session}, {large_h.ticker} to {large_h.last_session})."
        )
    return Pair(small_h, large_h, frame, notes)
