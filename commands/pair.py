"""Two series on their common sessions: the ground every small-vs-large figure stands on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from data.universe import display_name

from .freshness import freshness_note
from .reply import UserError

if TYPE_CHECKING:  # the build workers import this module: not data.market (asyncio, SQLite, ...)
    from data.market import PriceHistory


COMMON_END = "As of"  # how the note on the last common session starts (see Pair.notes_to)


class HistoryProvider(Protocol):
    async def history(self, ticker: str) -> PriceHistory: ...


@dataclass(frozen=True)
class Pair:
    """What an analysis needs of two series, small enough to hand to another process."""

    small: str
    large: str
    small_basis: str
    large_basis: str
    frame: pd.DataFrame  # columns "small", "large": prices on common sessions, ascending
    source: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def as_of(self) -> dt.date:
        return self.frame.index[-1].date()

    @property
    def small_name(self) -> str:
        return display_name(self.small)

    @property
    def large_name(self) -> str:
        return display_name(self.large)

    @property
    def basis_text(self) -> str:
        if self.small_basis != self.large_basis:
            return "mixed: price return vs total return"
        return (
            "price returns (index closes)"
            if self.small_basis == "price"
            else "total returns (adjusted closes)"
        )

    def notes_to(self, end: pd.Timestamp) -> list[str]:
        """The notes of an answer whose last close is ``end``: the note on where the common sessions
        stop ("As of <date>, the last session both series have") only when the answer reaches it."""
        if end >= self.frame.index[-1]:
            return list(self.notes)
        return [n for n in self.notes if not n.startswith(COMMON_END)]

    def until(self, as_of: dt.date, option: str = "as_of") -> Pair:
        """The pair as it stood at the close of ``as_of`` (the last session on or before it);
        ``option`` is the name the user typed, so a refusal names it."""
        first, last = self.frame.index[0].date(), self.frame.index[-1].date()
        if as_of < first:
            raise UserError(f"`{option}` {as_of} is before the data starts ({first}).")
        if as_of > last:
            raise UserError(
                f"`{option}` {as_of} is after the newest common session ({last}); "
                f"the data runs {first} to {last}."
            )
        return replace(self, frame=self.frame.loc[: pd.Timestamp(as_of)])


# Aligning 24,000 S&P 500 closes with 9,800 Russell closes costs a few milliseconds on the event loop;
# the aligned frame is kept while both histories are the very same objects (the market memo's).
_aligned: dict[tuple[str, str], tuple[PriceHistory, PriceHistory, pd.DataFrame]] = {}
_ALIGNED_MAX = 64


def _align(small: PriceHistory, large: PriceHistory) -> pd.DataFrame:
    key = (small.ticker, large.ticker)
    hit = _aligned.get(key)
    if hit is not None and hit[0] is small and hit[1] is large:
        return hit[2]
    frame = pd.concat(
        {"small": small.prices, "large": large.prices}, axis=1, join="inner", sort=True
    ).dropna()
    if len(_aligned) >= _ALIGNED_MAX:
        _aligned.pop(next(iter(_aligned)))
    _aligned[key] = (small, large, frame)
    return frame


async def load_pair(data: HistoryProvider, small: str, large: str) -> Pair:
    import asyncio  # here: the build workers import this module and have no event loop to import it for

    if small == large:
        raise UserError(f"Both sides are `{small}`: compare two different tickers.")
    small_h, large_h = await asyncio.gather(data.history(small), data.history(large))
    frame = _align(small_h, large_h)
    if len(frame) < 2:
        raise UserError(f"{small} and {large} share fewer than two sessions, so they cannot be compared.")
    notes = []
    if small_h.basis != large_h.basis:
        price, total = (small_h, large_h) if small_h.basis == "price" else (large_h, small_h)
        notes.append(
            f"Mixed bases: {price.ticker} is a price index (no dividends) while {total.ticker} is a fund's "
            "total return, which favours the fund by roughly the dividend yield gap."
        )
    notes.extend(freshness_note((small_h, large_h)))
    if small_h.last_session != large_h.last_session:
        notes.append(
            f"{COMMON_END} {frame.index[-1].date()}, the last session both series have "
            f"({small_h.ticker} to {small_h.last_session}, {large_h.ticker} to {large_h.last_session})."
        )
    source = " / ".join(dict.fromkeys([small_h.source, large_h.source]))
    return Pair(small, large, small_h.basis, large_h.basis, frame, source, tuple(notes))
