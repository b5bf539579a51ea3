"""What every verdict shares: the statuses, the :class:`Verdict`, and the few helpers each kind of
claim uses to pick sessions and name them.

A claim is judged on one session (the latest, ``as_of`` or the date the text names); when it fails
there, every session its words allow is searched, so the answer can say when it last held (or first
held after a text's date), or which session came closest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from data.universe import LARGE_DEFAULT, SMALL_DEFAULT

from ..reply import UserError
from .claims import Claim

HOLDS, HOLDS_ON, PART, FAILS, UNCHECKABLE = "holds", "holds on", "part", "does not hold", "not checkable"
SEARCH = 252  # sessions searched either side of the judged one when a period's base moves with it


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: str  # HOLDS | HOLDS_ON | PART | FAILS | UNCHECKABLE
    verdict: str  # in words, with the date(s)
    figure: str = ""  # the real figure(s)
    command: str = ""  # the command that shows it
    numbers: dict[str, Any] = field(default_factory=dict)  # for --json


def frame_of(series: Mapping[str, pd.Series], tickers: Sequence[str]) -> pd.DataFrame:
    missing = [t for t in tickers if t not in series]
    if missing:
        raise UserError(f"the data has no series for {', '.join(missing)}")
    frame = pd.concat({t: series[t] for t in tickers}, axis=1, join="inner").dropna()
    if len(frame) < 2:
        raise UserError(f"{' and '.join(tickers)} share fewer than two sessions")
    return frame


def session_on(sessions: pd.DatetimeIndex, day: dt.date | None) -> pd.Timestamp:
    """The session a claim is judged on: the last on or before ``day`` (default: the newest)."""
    if day is None:
        return sessions[-1]
    pos = sessions.searchsorted(pd.Timestamp(day), side="right") - 1
    if pos < 0:
        raise UserError(f"{day} is before the data starts ({sessions[0].date()})")
    return sessions[pos]


def iso(ts: pd.Timestamp) -> str:
    return ts.date().isoformat()


def dates(held: list[pd.Timestamp], limit: int = 3) -> str:
    shown = ", ".join(iso(s) for s in held[:limit])
    return shown + (
        f" and {len(held) - limit} more sessions (to {iso(held[-1])})" if len(held) > limit else ""
    )


def pair_options(small: str, large: str) -> str:
    parts = []
    if small != SMALL_DEFAULT:
        parts.append(f"small:{small}")
    if large != LARGE_DEFAULT:
        parts.append(f"large:{large}")
    return "".join(" " + p for p in parts)


def held_elsewhere(
    held: list[pd.Timestamp], target: pd.Timestamp | None, before_after: bool
) -> tuple[str, str]:
    """(status, words) for a claim that failed on ``target`` but held on ``held``."""
    earlier = [s for s in held if target is None or s < target]
    later = [s for s in held if target is not None and s > target]
    parts = []
    if earlier:
        parts.append(f"last held on {iso(earlier[-1])}")
    if later and (before_after or not earlier):
        parts.append(f"first held after it on {iso(later[0])}")
    return HOLDS_ON, "; ".join(parts)


def on_target(
    claim: Any,
    target: pd.Timestamp,
    held: list[pd.Timestamp],
    show: Callable[[pd.Timestamp], tuple[str, str]],
    numbers: dict[str, Any],
    as_of: dt.date | None,
    never: str,
) -> Verdict:
    """The verdict of a claim judged session by session: it holds on ``target``; or it held on other
    sessions (named, with the figure of the last one before ``target``); or ``never`` held."""
    if target in held:
        return Verdict(claim, HOLDS, f"holds on {iso(target)}", *show(target), numbers=numbers)
    if held:
        status, words = held_elsewhere(held, target, before_after=as_of is not None)
        earlier = [s for s in held if s < target]
        figure, command = show(earlier[-1] if earlier else held[0])
        return Verdict(
            claim,
            status,
            f"does not hold on {iso(target)}; {words}",
            f"{show(target)[0]}; {figure}",
            command,
            numbers,
        )
    return Verdict(claim, FAILS, never, *show(target), numbers=numbers)


def held_numbers(held: list[pd.Timestamp]) -> dict[str, Any]:
    return {
        "sessions_held": len(held),
        "first_held": iso(held[0]) if held else None,
        "last_held": iso(held[-1]) if held else None,
    }
