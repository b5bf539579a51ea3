"""Returns, spreads and leads over a period: "has gained 5.8% since the start of 2026", "outperformed
by 4 points", "small caps beat large caps in 2025".

Each stated figure is computed at every session the claim's words allow, from the base close
:func:`commands.periods.resolve` would pick (:func:`bases_for`, for all sessions at once), with the
same definitions as /gap; the verdict is on the judged session, else the last (first) session it
held, else the session closest to each figure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from data.universe import LARGE_DEFAULT, SMALL_DEFAULT, display_name

from ..periods import RELATIVE, Period, parse_period
from ..reply import UserError, pct, pp
from .claims import SPREAD, Claim, Figure
from .verdicts import (
    FAILS,
    HOLDS,
    HOLDS_ON,
    PART,
    SEARCH,
    Verdict,
    dates,
    frame_of,
    held_elsewhere,
    held_numbers,
    iso,
    pair_options,
    session_on,
)


def judge_moves(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    figures = list(claim.figures)
    if claim.kind == "lead":  # "small caps beat large caps in 2025": the spread's sign is the figure
        low, high = (0.0, math.inf) if claim.sign > 0 else (-math.inf, 0.0)
        figures = [Figure(SPREAD, 0.0, low, high, "ahead" if claim.sign > 0 else "behind")]
    pair = claim.kind in ("spread", "lead")
    tickers = [claim.small, claim.large] if pair else list(dict.fromkeys(f.ticker for f in figures))
    frame = frame_of(series, tickers)
    sessions = frame.index
    period = parse_period(claim.period or "ytd")
    target = session_on(sessions, claim.day or as_of)
    closed = period.kind == "span" and period.last is not None
    if closed and claim.day is None:
        target = session_on(sessions, min(period.last, as_of) if as_of else period.last)
    candidates = _candidates(period, sessions, target, claim, searching_after=as_of is not None)

    ends = sessions.get_indexer(pd.DatetimeIndex(candidates))
    bases = bases_for(period, sessions, ends)
    ok = (bases >= 0) & (bases < ends)
    closes = frame.to_numpy()
    change = closes[ends[ok]] / closes[bases[ok]] - 1
    found: dict[pd.Timestamp, tuple[pd.Timestamp, dict[str, float]]] = {}
    for row, end, base in zip(change, ends[ok], bases[ok], strict=True):
        values = {t: float(row[i]) for i, t in enumerate(tickers)}
        if pair:
            values[SPREAD] = values[claim.small] - values[claim.large]
        found[sessions[end]] = (sessions[base], values)
    if not found:
        raise UserError(f"no session of the data falls in {claim.period or 'the year to date'}")
    held = [s for s, (_, v) in found.items() if all(f.accepts(v[f.ticker]) for f in figures)]
    natural = (
        target
        if claim.end_month is None and claim.day is None and (closed or target == sessions[-1])
        else None
    )
    named = claim.period or "ytd"

    def show(s: pd.Timestamp) -> tuple[str, str]:
        return _show_moves(claim, tickers, pair, s, *found[s], named if s == natural else None)

    numbers: dict[str, Any] = held_numbers(held)
    if claim.end_month is not None:  # "through mid-January": any session of that month may be meant
        year, month = claim.end_month
        if held:
            words = f"holds on {dates(held)}"
            return Verdict(claim, HOLDS_ON, words, *show(held[-1]), numbers=numbers)
        return _closest(
            claim,
            figures,
            found,
            show,
            numbers,
            f"does not hold: no session of {year}-{month:02d} matches"
            + (" every figure" if len(figures) > 1 else ""),
        )
    if target in found and target in held:
        return Verdict(claim, HOLDS, f"holds on {iso(target)}", *show(target), numbers=numbers)
    if held:
        status, words = held_elsewhere(held, target, before_after=as_of is not None)
        if closed:
            status = PART
            words = f"holds for part of the period ({len(held)} of {len(found)} sessions; {words})"
        else:
            words = f"does not hold on {iso(target)}; {words}"
        figure, _command = show(target) if target in found else show(held[-1])
        earlier = [s for s in held if s < target]
        held_figure, held_command = show(earlier[-1] if earlier else held[0])
        return Verdict(claim, status, words, f"{figure}; when it held: {held_figure}", held_command, numbers)
    return _closest(claim, figures, found, show, numbers, f"does not hold on {iso(target)}", target)


def bases_for(period: Period, sessions: pd.DatetimeIndex, ends: np.ndarray) -> np.ndarray:
    """The base close's position for each end position, as :func:`commands.periods.resolve` would pick
    it with that session as the as-of (-1: none), for every candidate at once: a claim "since 2001"
    has 6,000 sessions to try."""
    at = sessions[ends]
    if period.kind == "max":
        return np.zeros(len(ends), dtype=int)
    if period.kind == "1d":
        return ends - 1
    if period.kind == "relative":
        return sessions.searchsorted(at - RELATIVE[period.text], side="right") - 1
    if period.kind == "ytd":
        starts = pd.DatetimeIndex([pd.Timestamp(t.year, 1, 1) for t in at])
    elif period.kind == "mtd":
        starts = pd.DatetimeIndex([pd.Timestamp(t.year, t.month, 1) for t in at])
    else:
        assert period.first is not None
        starts = pd.DatetimeIndex([pd.Timestamp(period.first)] * len(ends))
    return sessions.searchsorted(starts, side="left") - 1


def _candidates(
    period: Period, sessions: pd.DatetimeIndex, target: pd.Timestamp, claim: Claim, searching_after: bool
) -> list[pd.Timestamp]:
    """The sessions the claim's words allow it to be about."""
    if claim.end_month is not None:
        year, month = claim.end_month
        inside = sessions[(sessions.year == year) & (sessions.month == month)]
        if period.kind == "span" and period.first is not None:
            inside = inside[inside >= pd.Timestamp(period.first)]
        return list(inside)
    if period.kind == "span":
        assert period.first is not None
        inside = sessions[sessions >= pd.Timestamp(period.first)]
        if period.last is not None:
            inside = inside[inside <= pd.Timestamp(period.last)]
        return list(inside)
    if period.kind == "ytd":
        return list(sessions[sessions.year == target.year])
    if period.kind == "mtd":
        return list(sessions[(sessions.year == target.year) & (sessions.month == target.month)])
    pos = sessions.get_loc(target)
    return list(sessions[max(pos - SEARCH, 0) : (pos + SEARCH if searching_after else pos) + 1])


def _show_moves(
    claim: Claim,
    tickers: list[str],
    pair: bool,
    session: pd.Timestamp,
    base: pd.Timestamp,
    values: dict,
    named: str | None = None,
) -> tuple[str, str]:
    """The figures on one session, and the /gap line that shows them (``named``: the claim's own
    period, when the session is where that period ends)."""
    parts = [f"{display_name(t)} {pct(values[t])}" for t in tickers]
    if pair:
        parts.append(f"spread {pp(values[SPREAD])}")
    first = (base + pd.Timedelta(days=1)).date()
    if pair:
        small, large = claim.small, claim.large
    elif set(tickers) <= {SMALL_DEFAULT, LARGE_DEFAULT}:
        small, large = SMALL_DEFAULT, LARGE_DEFAULT
    elif len(tickers) > 1:
        small, large = tickers[0], tickers[1]
    else:
        small, large = (
            (tickers[0], LARGE_DEFAULT) if tickers[0] != LARGE_DEFAULT else (SMALL_DEFAULT, tickers[0])
        )
    period = named or f"{first}..{iso(session)}"
    return (
        f"{', '.join(parts)} from the close of {iso(base)} to {iso(session)}",
        f"/gap period:{period}{pair_options(small, large)}",
    )


def _closest(
    claim: Claim,
    figures: list[Figure],
    found: dict,
    show: Callable[[pd.Timestamp], tuple[str, str]],
    numbers: dict,
    words: str,
    target: pd.Timestamp | None = None,
) -> Verdict:
    """No session matches: say which came closest to each stated figure (and what the others were)."""
    near = []
    for f in figures:
        best = min(found, key=lambda s: abs(found[s][1][f.ticker] - f.value))
        near.append((f, best))
    lines = []
    for f, s in near:
        values = found[s][1]
        then = [f"{_name(g, claim)} was {_value(g, values[g.ticker])}" for g in figures if g is not f]
        lines.append(
            f"{f.said} ({_name(f, claim)}, taken as {_bounds(f)}) is nearest {iso(s)}'s "
            f"{_value(f, values[f.ticker], 3)}" + (f", when {', '.join(then)}" if then else "")
        )
    extra = "; ".join(lines) if claim.kind != "lead" else ""
    if target is None or target not in found:  # no one session is meant: the closest are the figure
        return Verdict(claim, FAILS, words, extra, show(near[0][1])[1], numbers)
    figure, command = show(target)
    return Verdict(claim, FAILS, words, figure + (f". {extra}" if extra else ""), command, numbers)


def _value(f: Figure, x: float, digits: int = 2) -> str:
    """A computed figure in the claim's unit; three decimals where two would round into the claim's
    interval (5.747% is not 5.8%, though "+5.75%" would look as if it were)."""
    return pp(x, digits) if f.ticker == SPREAD else pct(x, digits)


def _bounds(f: Figure) -> str:
    if math.isinf(f.high):
        return f"over {_value(f, f.low)}"
    if math.isinf(f.low):
        return f"under {_value(f, f.high)}"
    return f"{_value(f, f.low)} to {_value(f, f.high)}"


def _name(f: Figure, claim: Claim) -> str:
    if f.ticker == SPREAD:
        return f"spread {display_name(claim.small)} − {display_name(claim.large)}"
    return display_name(f.ticker)
