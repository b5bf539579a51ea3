"""A claim against the closes: holds, holds on a date, holds for part of its period, does not hold, or
cannot be checked with this data (and why).

Figures are computed here from the price frames with the project's own definitions (period returns
from :func:`commands.periods.resolve`, runs from :func:`commands.streak.run_position`), never by
reading another command's text. A claim is judged on one session (the latest, ``as_of`` or the date
the text names); when it fails there, every session its words allow is searched, so the answer can
say when it last held (or first held after a text's date), or which session came closest.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from data.universe import LARGE_DEFAULT, SMALL_DEFAULT, display_name
from data.valuations import Observation

from ..periods import RELATIVE, Period, parse_period
from ..reply import UserError, pct, pp
from ..streak import run_position, runs
from .claims import SPREAD, YIELD, Claim, Figure

log = logging.getLogger(__name__)

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


def judge(
    claim: Claim,
    series: Mapping[str, pd.Series],
    as_of: dt.date | None = None,
    valuations: Sequence[Observation] = (),
) -> Verdict:
    """The verdict on one claim; a claim the data cannot reach says so (never raises for bad data)."""
    try:
        if claim.kind == "unverifiable":
            return Verdict(claim, UNCHECKABLE, f"cannot be checked with this data: {claim.why}")
        if claim.kind == "valuation":
            return _valuation(claim, valuations)
        if claim.kind == "streak":
            return _streak(claim, series, as_of)
        if claim.kind == "record":
            return _record(claim, series, as_of)
        if claim.kind == "yield":
            return _level(claim, series, as_of)
        if claim.kind == "ratio":
            return _ratio(claim, series, as_of)
        return _moves(claim, series, as_of)
    except UserError as exc:
        return Verdict(claim, UNCHECKABLE, f"cannot be checked with this data: {exc}")
    except Exception:  # one claim's failure must not lose the others' verdicts
        log.exception("could not judge the claim %r", claim.said[:200])
        return Verdict(
            claim, UNCHECKABLE, "n/a: this claim could not be computed (an error on my side, logged)"
        )


# -- shared ---------------------------------------------------------------------------------------------


def _common(series: Mapping[str, pd.Series], tickers: Sequence[str]) -> pd.DataFrame:
    missing = [t for t in tickers if t not in series]
    if missing:
        raise UserError(f"the data has no series for {', '.join(missing)}")
    frame = pd.concat({t: series[t] for t in tickers}, axis=1, join="inner").dropna()
    if len(frame) < 2:
        raise UserError(f"{' and '.join(tickers)} share fewer than two sessions")
    return frame


def _at(sessions: pd.DatetimeIndex, day: dt.date | None) -> pd.Timestamp:
    """The session a claim is judged on: the last on or before ``day`` (default: the newest)."""
    if day is None:
        return sessions[-1]
    pos = sessions.searchsorted(pd.Timestamp(day), side="right") - 1
    if pos < 0:
        raise UserError(f"{day} is before the data starts ({sessions[0].date()})")
    return sessions[pos]


def _d(ts: pd.Timestamp) -> str:
    return ts.date().isoformat()


def _dates(held: list[pd.Timestamp], limit: int = 3) -> str:
    shown = ", ".join(_d(s) for s in held[:limit])
    return shown + (
        f" and {len(held) - limit} more sessions (to {_d(held[-1])})" if len(held) > limit else ""
    )


def _pair_options(small: str, large: str) -> str:
    parts = []
    if small != SMALL_DEFAULT:
        parts.append(f"small:{small}")
    if large != LARGE_DEFAULT:
        parts.append(f"large:{large}")
    return "".join(" " + p for p in parts)


def _found(held: list[pd.Timestamp], target: pd.Timestamp | None, before_after: bool) -> tuple[str, str]:
    """(status, words) for a claim that failed on ``target`` but held on ``held``."""
    earlier = [s for s in held if target is None or s < target]
    later = [s for s in held if target is not None and s > target]
    parts = []
    if earlier:
        parts.append(f"last held on {_d(earlier[-1])}")
    if later and (before_after or not earlier):
        parts.append(f"first held after it on {_d(later[0])}")
    return HOLDS_ON, "; ".join(parts)


# -- returns, spreads and leads over a period ---------------------------------------------------------


def _moves(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    figures = list(claim.figures)
    if claim.kind == "lead":  # "small caps beat large caps in 2025": the spread's sign is the figure
        low, high = (0.0, math.inf) if claim.sign > 0 else (-math.inf, 0.0)
        figures = [Figure(SPREAD, 0.0, low, high, "ahead" if claim.sign > 0 else "behind")]
    pair = claim.kind in ("spread", "lead")
    tickers = [claim.small, claim.large] if pair else list(dict.fromkeys(f.ticker for f in figures))
    frame = _common(series, tickers)
    sessions = frame.index
    period = parse_period(claim.period or "ytd")
    target = _at(sessions, claim.day or as_of)
    closed = period.kind == "span" and period.last is not None
    if closed and claim.day is None:
        target = _at(sessions, min(period.last, as_of) if as_of else period.last)
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

    numbers: dict[str, Any] = _held_numbers(held)
    if claim.end_month is not None:  # "through mid-January": any session of that month may be meant
        year, month = claim.end_month
        if held:
            words = f"holds on {_dates(held)}"
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
        return Verdict(claim, HOLDS, f"holds on {_d(target)}", *show(target), numbers=numbers)
    if held:
        status, words = _found(held, target, before_after=as_of is not None)
        if closed:
            status = PART
            words = f"holds for part of the period ({len(held)} of {len(found)} sessions; {words})"
        else:
            words = f"does not hold on {_d(target)}; {words}"
        figure, _command = show(target) if target in found else show(held[-1])
        earlier = [s for s in held if s < target]
        held_figure, held_command = show(earlier[-1] if earlier else held[0])
        return Verdict(claim, status, words, f"{figure}; when it held: {held_figure}", held_command, numbers)
    return _closest(claim, figures, found, show, numbers, f"does not hold on {_d(target)}", target)


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


def _held_numbers(held: list[pd.Timestamp]) -> dict[str, Any]:
    return {
        "sessions_held": len(held),
        "first_held": _d(held[0]) if held else None,
        "last_held": _d(held[-1]) if held else None,
    }


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
    period = named or f"{first}..{_d(session)}"
    return (
        f"{', '.join(parts)} from the close of {_d(base)} to {_d(session)}",
        f"/gap period:{period}{_pair_options(small, large)}",
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
    lines = [
        f"closest to {f.said} ({_name(f, claim)}): {_d(s)}, {show(s)[0]}"
        for f, s in near
        if f.value or len(figures) > 1
    ]
    extra = "; ".join(lines) if claim.kind != "lead" else ""
    if target is None or target not in found:  # no one session is meant: the closest are the figure
        return Verdict(claim, FAILS, words, extra, show(near[0][1])[1], numbers)
    figure, command = show(target)
    return Verdict(claim, FAILS, words, figure + (f". {extra}" if extra else ""), command, numbers)


def _name(f: Figure, claim: Claim) -> str:
    if f.ticker == SPREAD:
        return f"spread {display_name(claim.small)} − {display_name(claim.large)}"
    return display_name(f.ticker)


# -- N consecutive sessions ------------------------------------------------------------------------------


def _streak(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    frame = _common(series, [claim.small, claim.large]).set_axis(["small", "large"], axis=1)
    position = run_position(frame).iloc[1:]
    signed = position * claim.sign
    ok = signed >= claim.n if claim.at_least else signed == claim.n
    held = list(position.index[ok.to_numpy()])
    target = _at(frame.index, claim.day or as_of)
    table = runs(frame)

    def show(session: pd.Timestamp) -> tuple[str, str]:
        run = table[(table["start"] <= session) & (table["end"] >= session)].iloc[0]
        place = int(abs(position.loc[session]))
        cumulative = frame.loc[session, "small"] / frame.loc[session, "large"]
        base = frame.index[frame.index.get_loc(run["start"]) - 1]
        cumulative = cumulative / (frame.loc[base, "small"] / frame.loc[base, "large"]) - 1
        side = {1: "ahead of", -1: "behind", 0: "level with"}[int(run["sign"])]
        return (
            f"on {_d(session)} {display_name(claim.small)} {side} {display_name(claim.large)} for "
            f"{place} session{'s' if place != 1 else ''} running, since {_d(run['start'])} "
            f"(small/large ratio {pct(cumulative)} over the run)",
            f"/streak as_of:{_d(session)}{_pair_options(claim.small, claim.large)}",
        )

    numbers = {
        "run_on_session": int(position.loc[target]) if target in position.index else None,
        **_held_numbers(held),
    }
    if target in held:
        return Verdict(claim, HOLDS, f"holds on {_d(target)}", *show(target), numbers=numbers)
    if held:
        status, words = _found(held, target, before_after=as_of is not None)
        figure, _ = show(target)
        earlier = [s for s in held if s < target]
        when = earlier[-1] if earlier else held[0]
        held_figure, command = show(when)
        return Verdict(
            claim,
            status,
            f"does not hold on {_d(target)}; {words}",
            f"{figure}; {held_figure}",
            command,
            numbers,
        )
    return Verdict(claim, FAILS, "does not hold on any session of the data", *show(target), numbers=numbers)


# -- strongest / weakest in N years --------------------------------------------------------------------


def _record(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    prices = _common(series, [claim.small])[claim.small]
    target = _at(prices.index, as_of)
    year = claim.year or target.year
    month = claim.month

    def change(y: int, to: pd.Timestamp | None = None) -> tuple[float, pd.Timestamp] | None:
        first = dt.date(y, month or 1, 1)
        last = (dt.date(y, month, 1) + pd.offsets.MonthEnd(0)).date() if month else dt.date(y, 12, 31)
        before = prices.loc[: pd.Timestamp(first) - pd.Timedelta(days=1)]
        inside = prices.loc[pd.Timestamp(first) : pd.Timestamp(min(last, (to or target).date()))]
        if before.empty or inside.empty:
            return None
        return float(inside.iloc[-1] / before.iloc[-1] - 1), inside.index[-1]

    this = change(year)
    if this is None:
        raise UserError(f"{display_name(claim.small)} has no closes for that stretch of {year}")
    value, end = this
    what = f"{dt.date(year, month, 1):%B} {year}" if month else str(year)
    month_end = (pd.Timestamp(year, month or 12, 1) + pd.offsets.MonthEnd(0)).date()
    partial = end.date() < month_end and end < prices.loc[: pd.Timestamp(month_end)].index[-1]
    partial = partial or (end.date() < month_end and end == prices.index[-1])
    first_year = prices.index[0].year + 1  # a year needs the close before it
    earlier = {
        y: c[0]
        for y in range(max(year - claim.n, first_year), year)
        if (c := change(y, prices.index[-1])) is not None
    }
    if not earlier:
        raise UserError(
            f"the data for {display_name(claim.small)} does not reach {claim.n} years before {year}"
        )
    better = {y: v for y, v in earlier.items() if (v > value if claim.sign > 0 else v < value)}
    word = "stronger" if claim.sign > 0 else "weaker"
    period_text = f"{year}-{month:02d}" if month else str(year)
    figure = f"{display_name(claim.small)} {what}{f' to {_d(end)}' if partial else ''} {pct(value)}"
    numbers = {"value": value, "earlier": {str(y): v for y, v in earlier.items()}}
    if not better and year - claim.n < first_year:  # none stronger, but the data is too short to say
        return Verdict(
            claim,
            UNCHECKABLE,
            f"cannot be checked in full: no {word} one in the {len(earlier)} years the data has before "
            f"{year}, but the claim reaches back {claim.n} years",
            f"{figure}; the best before: {_best(earlier, claim.sign)}",
            f"/gap period:{period_text}",
            numbers,
        )
    if not better:
        return Verdict(
            claim,
            HOLDS,
            f"holds: no {word} one in the {len(earlier)} years before",
            f"{figure}; the best before: {_best(earlier, claim.sign)}",
            f"/gap period:{period_text}",
            numbers,
        )
    listed = ", ".join(f"{y} {pct(v)}" for y, v in sorted(better.items(), key=lambda kv: -kv[1] * claim.sign))
    figure = f"{figure}; {word} in the {len(earlier)} years before: {listed}"
    # The month as a whole fails; did it lead the table at some session inside it (to date)?
    bar = max(earlier.values()) if claim.sign > 0 else min(earlier.values())
    inside = prices.loc[pd.Timestamp(year, month or 1, 1) : pd.Timestamp(month_end)]
    base = prices.loc[: pd.Timestamp(year, month or 1, 1) - pd.Timedelta(days=1)].iloc[-1]
    to_date = inside / base - 1
    ahead = list(to_date.index[(to_date > bar) if claim.sign > 0 else (to_date < bar)])
    best_year = max(better, key=lambda y: better[y] * claim.sign)
    command = (
        f"/gap period:{period_text} (and /gap period:{best_year}-{month:02d})"
        if month
        else (f"/gap period:{period_text} (and /gap period:{best_year})")
    )
    if ahead:
        return Verdict(
            claim,
            PART,
            f"holds for part of the period: to date on {_dates(ahead)}, not for {what} as a whole",
            figure,
            command,
            numbers,
        )
    return Verdict(
        claim,
        FAILS,
        f"does not hold: {len(better)} {word} in the {len(earlier)} years before",
        figure,
        command,
        numbers,
    )


def _best(values: dict[int, float], sign: int) -> str:
    y = max(values, key=lambda k: values[k] * sign)
    return f"{y} {pct(values[y])}"


# -- a level: the 10-year yield ---------------------------------------------------------------------


def _level(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    closes = _common(series, [YIELD])[YIELD]
    figure = claim.figures[0]
    target = _at(closes.index, claim.day or as_of)
    pos = closes.index.get_loc(target)
    window = closes.iloc[max(pos - SEARCH, 0) : pos + (SEARCH if as_of else 0) + 1]
    held = list(window.index[[figure.accepts(v) for v in window.to_numpy()]])

    def show(session: pd.Timestamp) -> tuple[str, str]:
        start = (session - pd.DateOffset(months=1)).date()
        return f"10-year yield {closes.loc[session]:.3f}% at the close of {_d(session)}", (
            f"/rates period:{start}..{_d(session)}"
        )

    numbers = {"value": float(closes.loc[target]), **_held_numbers(held)}
    if target in held:
        return Verdict(claim, HOLDS, f"holds on {_d(target)}", *show(target), numbers=numbers)
    if held:
        status, words = _found(held, target, before_after=as_of is not None)
        earlier = [s for s in held if s < target]
        figure, command = show(earlier[-1] if earlier else held[0])
        return Verdict(
            claim,
            status,
            f"does not hold on {_d(target)}; {words}",
            f"{show(target)[0]}; {figure}",
            command,
            numbers,
        )
    return Verdict(
        claim, FAILS, f"does not hold on {_d(target)} nor in the year before", *show(target), numbers=numbers
    )


# -- the ratio at its lowest (highest) since a year ----------------------------------------------------


def _ratio(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    """Holds on a session when no close of the small/large ratio from the start of the year named up
    to that session was lower (higher): the ratio is its own running minimum (maximum) there."""
    frame = _common(series, [claim.small, claim.large])
    ratio = frame[claim.small] / frame[claim.large]
    since = ratio.loc[pd.Timestamp(claim.year or 1900, 1, 1) :]
    if since.empty:
        raise UserError(f"the data has no session since {claim.year}")
    target = _at(frame.index, claim.day or as_of)
    if target < since.index[0]:
        raise UserError(f"{_d(target)} is before {claim.year}")
    running = since.cummin() if claim.sign < 0 else since.cummax()
    held = list(since.index[(since >= running * (1 - 1e-12)) & (since <= running * (1 + 1e-12))])
    word = "lowest" if claim.sign < 0 else "highest"

    def show(session: pd.Timestamp) -> tuple[str, str]:
        before = ratio.loc[:session].iloc[:-1]
        beyond = (
            before[before < ratio.loc[session]] if claim.sign < 0 else before[before > ratio.loc[session]]
        )
        last = (
            f"its {word} since {_d(beyond.index[-1])}" if not beyond.empty else f"its {word} in all the data"
        )
        start = (session - pd.DateOffset(years=1)).date()
        return (
            f"ratio {ratio.loc[session]:.4f} at the close of {_d(session)}: {last}",
            f"/gap period:{start}..{_d(session)}{_pair_options(claim.small, claim.large)}",
        )

    numbers = {"ratio": float(ratio.loc[target]), **_held_numbers(held)}
    if target in held:
        return Verdict(claim, HOLDS, f"holds on {_d(target)}", *show(target), numbers=numbers)
    if held:
        status, words = _found(held, target, before_after=as_of is not None)
        earlier = [s for s in held if s < target]
        figure, command = show(earlier[-1] if earlier else held[0])
        return Verdict(
            claim,
            status,
            f"does not hold on {_d(target)}; {words}",
            f"{show(target)[0]}; {figure}",
            command,
            numbers,
        )
    return Verdict(claim, FAILS, f"does not hold on {_d(target)}", *show(target), numbers=numbers)


# -- P/E and the discount ------------------------------------------------------------------------------


def _valuation(claim: Claim, valuations: Sequence[Observation]) -> Verdict:
    """Only figures recorded by members (or live) count: the article's own quotes cannot check it."""
    usable = [o for o in valuations if o.origin != "quoted"]
    implied = (
        f" (the text's own P/E figures give 1 − small/large = {claim.implied * 100:.1f}%)"
        if claim.implied is not None
        else ""
    )
    if not usable:
        return Verdict(
            claim,
            UNCHECKABLE,
            "cannot be checked with this data: no P/E is recorded (the only figures on file are this "
            f"article's own quotes); `/valuation record` adds one with its basis{implied}",
            command="/valuation show",
        )
    observation = max(usable, key=lambda o: o.as_of)
    basis = f"{observation.basis}/{observation.large_basis}, {observation.as_of}, {observation.source}"
    if claim.figures[0].ticker == "discount":
        if observation.discount is None:
            return Verdict(
                claim,
                UNCHECKABLE,
                f"cannot be checked: the recorded P/Es {observation.why_no_discount()}{implied}",
                f"{observation.small_pe:g}x vs {observation.large_pe:g}x ({basis})",
                "/valuation show",
            )
        ok = claim.figures[0].accepts(observation.discount)
        return Verdict(
            claim,
            HOLDS if ok else FAILS,
            f"{'holds' if ok else 'does not hold'} on the latest record",
            f"discount {observation.discount * 100:.1f}% ({basis}){implied}",
            "/valuation show",
        )
    checks = []
    for f in claim.figures:
        recorded = (
            observation.small_pe
            if f.ticker == SMALL_DEFAULT
            else (observation.large_pe if f.ticker == LARGE_DEFAULT else None)
        )
        if recorded is not None:
            checks.append((f, recorded))
    if not checks:
        return Verdict(
            claim, UNCHECKABLE, "cannot be checked: records are for the Russell 2000 and S&P 500 only"
        )
    ok = all(f.accepts(v) for f, v in checks)
    figure = ", ".join(f"{display_name(f.ticker)} {v:g}x" for f, v in checks) + f" ({basis})"
    if claim.basis != "unstated" and claim.basis != observation.basis:
        return Verdict(
            claim,
            UNCHECKABLE,
            f"cannot be checked: the claim is {claim.basis}, the latest record {observation.basis}",
            figure,
            "/valuation show",
        )
    return Verdict(
        claim,
        HOLDS if ok else FAILS,
        f"{'holds' if ok else 'does not hold'} on the latest record",
        figure,
        "/valuation show",
    )
