"""Claims about one session's standing: N consecutive sessions (the run /streak counts), strongest or
weakest in N years, a yield level, the ratio at its lowest since a year, and P/E figures against the
server's recorded valuations (never against the article's own quotes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

from data.universe import LARGE_DEFAULT, SMALL_DEFAULT, display_name
from data.valuations import Observation

from ..reply import UserError, pct
from ..streak import run_position, runs
from .claims import YIELD, Claim
from .verdicts import (
    FAILS,
    HOLDS,
    PART,
    SEARCH,
    UNCHECKABLE,
    Verdict,
    dates,
    frame_of,
    held_numbers,
    iso,
    on_target,
    pair_options,
    session_on,
)

# -- N consecutive sessions ------------------------------------------------------------------------------


def streak(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    frame = frame_of(series, [claim.small, claim.large]).set_axis(["small", "large"], axis=1)
    position = run_position(frame).iloc[1:]
    signed = position * claim.sign
    ok = signed >= claim.n if claim.at_least else signed == claim.n
    held = list(position.index[ok.to_numpy()])
    target = session_on(frame.index, claim.day or as_of)
    table = runs(frame)

    def show(session: pd.Timestamp) -> tuple[str, str]:
        run = table[(table["start"] <= session) & (table["end"] >= session)].iloc[0]
        place = int(abs(position.loc[session]))
        cumulative = frame.loc[session, "small"] / frame.loc[session, "large"]
        base = frame.index[frame.index.get_loc(run["start"]) - 1]
        cumulative = cumulative / (frame.loc[base, "small"] / frame.loc[base, "large"]) - 1
        side = {1: "ahead of", -1: "behind", 0: "level with"}[int(run["sign"])]
        return (
            f"on {iso(session)} {display_name(claim.small)} {side} {display_name(claim.large)} for "
            f"{place} session{'s' if place != 1 else ''} running, since {iso(run['start'])} "
            f"(small/large ratio {pct(cumulative)} over the run)",
            f"/streak as_of:{iso(session)}{pair_options(claim.small, claim.large)}",
        )

    numbers = {
        "run_on_session": int(position.loc[target]) if target in position.index else None,
        **held_numbers(held),
    }
    return on_target(claim, target, held, show, numbers, as_of, "does not hold on any session of the data")


# -- strongest / weakest in N years --------------------------------------------------------------------


def record(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    prices = frame_of(series, [claim.small])[claim.small]
    target = session_on(prices.index, as_of)
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
    figure = f"{display_name(claim.small)} {what}{f' to {iso(end)}' if partial else ''} {pct(value)}"
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
            f"holds for part of the period: to date on {dates(ahead)}, not for {what} as a whole",
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


def level(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    closes = frame_of(series, [YIELD])[YIELD]
    figure = claim.figures[0]
    target = session_on(closes.index, claim.day or as_of)
    pos = closes.index.get_loc(target)
    window = closes.iloc[max(pos - SEARCH, 0) : pos + (SEARCH if as_of else 0) + 1]
    held = list(window.index[[figure.accepts(v) for v in window.to_numpy()]])

    def show(session: pd.Timestamp) -> tuple[str, str]:
        start = (session - pd.DateOffset(months=1)).date()
        return f"10-year yield {closes.loc[session]:.3f}% at the close of {iso(session)}", (
            f"/rates period:{start}..{iso(session)}"
        )

    numbers = {"value": float(closes.loc[target]), **held_numbers(held)}
    never = f"does not hold on {iso(target)} nor in the year before"
    return on_target(claim, target, held, show, numbers, as_of, never)


# -- the ratio at its lowest (highest) since a year ----------------------------------------------------


def ratio(claim: Claim, series: Mapping[str, pd.Series], as_of: dt.date | None) -> Verdict:
    """Holds on a session when no close of the small/large ratio from the start of the year named up
    to that session was lower (higher): the ratio is its own running minimum (maximum) there."""
    frame = frame_of(series, [claim.small, claim.large])
    ratio = frame[claim.small] / frame[claim.large]
    since = ratio.loc[pd.Timestamp(claim.year or 1900, 1, 1) :]
    if since.empty:
        raise UserError(f"the data has no session since {claim.year}")
    target = session_on(frame.index, claim.day or as_of)
    if target < since.index[0]:
        raise UserError(f"{iso(target)} is before {claim.year}")
    running = since.cummin() if claim.sign < 0 else since.cummax()
    held = list(since.index[(since >= running * (1 - 1e-12)) & (since <= running * (1 + 1e-12))])
    word = "lowest" if claim.sign < 0 else "highest"

    def show(session: pd.Timestamp) -> tuple[str, str]:
        before = ratio.loc[:session].iloc[:-1]
        beyond = (
            before[before < ratio.loc[session]] if claim.sign < 0 else before[before > ratio.loc[session]]
        )
        other = "lower" if claim.sign < 0 else "higher"
        last = (
            f"last {other} close {iso(beyond.index[-1])}"
            if not beyond.empty
            else f"its {word} in all the data"
        )
        start = (session - pd.DateOffset(years=1)).date()
        return (
            f"ratio {ratio.loc[session]:.4f} at the close of {iso(session)}: {last}",
            f"/gap period:{start}..{iso(session)}{pair_options(claim.small, claim.large)}",
        )

    numbers = {"ratio": float(ratio.loc[target]), **held_numbers(held)}
    return on_target(claim, target, held, show, numbers, as_of, f"does not hold on {iso(target)}")


# -- P/E and the discount ------------------------------------------------------------------------------


def valuation(claim: Claim, valuations: Sequence[Observation]) -> Verdict:
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
