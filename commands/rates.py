"""/rates — the rate tailwind, measured: does the small/large ratio move with yields?

Changes, never levels: the base close and then weekly closes (the last session of each week ending
Friday, dated by that session) of the ratio and of the yield, on sessions both have; the ratio's
weekly log change against the yield's weekly change in basis points. The answer is as of its last
row's session.
- correlation: Pearson, over the period's weeks, and the latest rolling 26-week value;
- beta: the least-squares slope, in percent of ratio per 10 bp of yield.
FRED's official series (DGS10, DGS2, DFF: the 10- and 2-year Treasury and the effective fed funds
rate, bundled and live), Yahoo's ^TNX (bundled) or ^IRX (13-week bill, live only), all in percent.
Whatever the sign, the answer reports it: a rising yield alongside small-cap outperformance
contradicts the "rate cuts help small caps" narrative, and the bot says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import charts, export
from .escape import code
from .freshness import with_freshness
from .leads import Sides, sentence
from .pair import HistoryProvider, Pair, load_pair
from .periods import Period, parse_period, resolve
from .registry import Command, Option
from .reply import Field, Reply, UserError, pct, plural
from .tickers import LARGE_OPTION, SMALL_OPTION, ticker_option

# The official series from FRED (bundled from 2022, live through FRED's CSV), then Yahoo's two.
# ^TNX stays the default: the snapshot bundles it since 1976, while FRED's series are bundled only
# from 2023-2024 (PROVENANCE), so a default of DGS10 would refuse every period before 2023 offline.
DEFAULT_YIELD = "tnx"
YIELDS = {"10y": "DGS10", "2y": "DGS2", "ff": "DFF", "tnx": "^TNX", "13w": "^IRX"}
ROLLING_WEEKS = 26
MIN_WEEKS = 8


@dataclass(frozen=True)
class RatesQuery:
    period: Period
    yield_ticker: str
    small: str
    large: str
    export: bool = False


@dataclass(frozen=True)
class RatesInputs:
    pair: Pair
    yields: pd.Series  # percent
    yield_source: str


@dataclass(frozen=True)
class RatesFigures:
    weekly: pd.DataFrame  # ratio, yield (levels); d_log_ratio, d_bp (changes)
    correlation: float
    rolling: float  # latest rolling-26-week correlation (NaN if too short)
    beta_per_10bp: float  # % change of the ratio per +10 bp
    yield_start: float
    yield_end: float
    ratio_change: float


def parse(options: Mapping[str, str]) -> RatesQuery:
    which = options.get("yield") or DEFAULT_YIELD
    return RatesQuery(
        parse_period(options.get("period") or "1y"),
        YIELDS[which],
        ticker_option(options, "small", "small"),
        ticker_option(options, "large", "large"),
        export.wanted(options),
    )


async def load(query: RatesQuery, data: HistoryProvider) -> RatesInputs:
    pair = await load_pair(data, query.small, query.large)
    history = await data.history(query.yield_ticker)
    sides = [await data.history(query.small), await data.history(query.large), history]
    pair = replace(pair, notes=tuple(with_freshness(pair.notes, sides)))  # one note for all three
    return RatesInputs(pair, history.prices, history.source)


def weekly_changes(ratio: pd.Series, yields: pd.Series) -> pd.DataFrame:
    """The first close (the period's base) and then the last session of each week (ending Friday)
    after it, on sessions both series have, with their changes.

    Each row is dated by the session whose closes it holds, never by the week's Friday: a week
    closed on Good Friday ends on the Thursday, and a range ending on a Wednesday ends on that
    Wednesday's close (issue 25). The base is a row, so the start level is in the table and the first
    change runs from it."""
    both = pd.concat({"ratio": ratio, "yield": yields}, axis=1, sort=True).dropna()
    # each session's week, Saturday to Friday: 1970-01-03 was a Saturday (numpy, not a groupby: /rates
    # builds this on every answer)
    week = (both.index.to_numpy().astype("datetime64[D]").astype(np.int64) - 2) // 7
    last_of_week = np.r_[week[1:] != week[:-1], True]
    last_of_week[0] = True  # the base close is a row of its own
    levels = both[last_of_week].copy()
    levels["d_log_ratio"] = np.log(levels["ratio"]).diff()
    levels["d_bp"] = levels["yield"].diff() * 100
    return levels


def compute(query: RatesQuery, inputs: RatesInputs) -> RatesFigures:
    ratio = inputs.pair.frame["small"] / inputs.pair.frame["large"]
    common = ratio.index.intersection(inputs.yields.index)
    if len(common) < 2:
        raise UserError(f"{query.yield_ticker} and the ratio share no sessions.")
    window = resolve(query.period, common)
    weekly = weekly_changes(ratio.loc[window.base : window.end], inputs.yields.loc[window.base : window.end])
    changes = weekly.dropna()
    if len(changes) < MIN_WEEKS:
        raise UserError(
            f"{code(query.period.text)} has {len(changes)} weeks of data: "
            f"a correlation needs at least {MIN_WEEKS}."
        )
    x, y = changes["d_bp"], changes["d_log_ratio"]
    beta = float(np.polyfit(x, y, 1)[0]) if x.var() > 0 else float("nan")
    rolling = x.rolling(ROLLING_WEEKS).corr(y)
    first, last = weekly.iloc[0], weekly.iloc[-1]  # the base close and the end close, rows of the table
    return RatesFigures(
        weekly,
        float(x.corr(y)),
        float(rolling.iloc[-1]) if len(rolling.dropna()) else float("nan"),
        beta * 10 * 100,
        float(first["yield"]),
        float(last["yield"]),
        float(last["ratio"] / first["ratio"] - 1),
    )


def _reading(r: RatesFigures, sides: Sides) -> str:
    """Levels and week-to-week changes can disagree; say both, in plain words. The rate-cut story is
    about small caps against large caps: it is weighed only for a size pair (small side first)."""
    bp = (r.yield_end - r.yield_start) * 100
    first, second = sides.name(sides.first), sides.name(sides.second)
    yields = f"rose {bp:.0f} bp" if bp > 0 else f"fell {-bp:.0f} bp" if bp < 0 else "was unchanged"
    gained = r.ratio_change > 0
    moved = f"gained on {second}" if gained else f"lost ground to {second}"
    story = sides.across_size and sides.size(sides.first) == "small" and bp != 0
    if not story:
        levels = f"{sentence(first)} {moved} while the yield {yields}."
    elif gained == (bp < 0):
        levels = f"{sentence(first)} {moved} as the yield {yields}, as the rate story has it."
    else:
        levels = f"{sentence(first)} {moved} even as the yield {yields}: not the rate-cut story."
    if r.correlation < -0.2:
        weeks = f"Week to week, {first} tended to gain on {second} when yields fell."
    elif r.correlation > 0.2:
        weeks = f"Week to week, {first} tended to gain on {second} when yields rose."
    else:
        weeks = "Week to week, yield moves told little about the ratio's."
    return f"{levels} {weeks}"


def build(query: RatesQuery, inputs: RatesInputs) -> Reply:
    r = compute(query, inputs)
    start, end = r.weekly.index[0].date(), r.weekly.index[-1].date()
    bp = (r.yield_end - r.yield_start) * 100
    changes = len(r.weekly.dropna())
    text = (
        f"{query.yield_ticker} went from {r.yield_start:.2f}% to {r.yield_end:.2f}% ({bp:+.0f} bp) while the "
        f"{inputs.pair.small}/{inputs.pair.large} ratio changed {pct(r.ratio_change)}, close of {start} to "
        f"close of {end}. Weekly changes, {plural(changes, 'week')} to {end}: correlation "
        f"{r.correlation:+.2f}, beta {r.beta_per_10bp:+.2f}% of ratio per +10 bp. "
        f"{_reading(r, Sides(inputs.pair.small, inputs.pair.large))}"
    )
    if np.isnan(r.rolling):
        rolling = f"n/a ({ROLLING_WEEKS} weekly changes needed; the period has {changes})"
    else:
        rolling = f"{r.rolling:+.2f}"
    reply = Reply(
        title=f"Rates and the rotation: {query.period.text}",
        text=text,
        fields=[
            Field(f"{query.yield_ticker} start", f"{r.yield_start:.2f}%", r.yield_start, "percent"),
            Field(f"{query.yield_ticker} end", f"{r.yield_end:.2f}%", r.yield_end, "percent"),
            Field("Ratio change", pct(r.ratio_change), r.ratio_change, "fraction"),
            Field("Correlation (weekly changes)", f"{r.correlation:+.2f}", r.correlation),
            Field(f"Rolling {ROLLING_WEEKS}-week correlation", rolling, r.rolling),
            Field("Beta, % per +10 bp", f"{r.beta_per_10bp:+.2f}", r.beta_per_10bp, "percent"),
        ],
        as_of=end,
        source=f"{inputs.pair.source}; {query.yield_ticker}: {inputs.yield_source}",
        notes=[*inputs.pair.notes, *newer_yield(query, inputs, end)],
    )
    ratio_label = f"{inputs.pair.small}/{inputs.pair.large}".replace("^", "")
    charts.attach(
        reply,
        "rates.png",
        lambda: charts.rates_chart(
            r.weekly,
            r.beta_per_10bp,
            r.correlation,
            ratio_label,
            query.yield_ticker,
            f"{ratio_label} vs {query.yield_ticker}, {start} to {end}",
            str(end),
        ),
    )
    if query.export:
        table = r.weekly.rename(
            columns={
                "ratio": f"{inputs.pair.small}/{inputs.pair.large} ratio",
                "yield": f"{query.yield_ticker} yield (%)",
                "d_log_ratio": "weekly log change of the ratio",
                "d_bp": "weekly yield change (bp)",
            }
        ).rename_axis("session")
        table[f"rolling {ROLLING_WEEKS}-week correlation"] = (
            r.weekly["d_bp"].rolling(ROLLING_WEEKS).corr(r.weekly["d_log_ratio"])
        )
        line = (
            f"/rates period:{query.period.text} yield:{query.yield_ticker} "
            f"small:{query.small} large:{query.large}"
        )
        definitions = (
            "rows = the base close, then the last session of each week (ending Friday) after it, "
            "on sessions the ratio and the yield both have; each row is dated by that session",
            "beta = least-squares slope of the ratio's weekly log change on the yield's change in bp, "
            "shown in % per +10 bp",
        )
        export.attach(reply, "rates.csv", table, line, definitions)
    return reply


def newer_yield(query: RatesQuery, inputs: RatesInputs, end) -> list[str]:
    """The yield's newest value when it is newer than the window (a rate published while the ratio's
    series are stale): said beside the figures, never mixed into them."""
    newest = inputs.yields.index[-1]
    if newest.date() <= end:
        return []
    value = float(inputs.yields.iloc[-1])
    return [
        f"{query.yield_ticker} has a newer value than the ratio: {value:.2f}% on {newest.date()} "
        f"({inputs.yield_source})."
    ]


COMMAND = Command(
    name="rates",
    description="The rate tailwind: weekly yield changes against the small/large ratio",
    example="/rates period:2025-12-01..2026-07-31",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option("period", "Same periods as /gap (default 1y)", suggestions=("6m", "1y", "3y", "5y", "2025")),
        Option(
            "yield",
            "tnx (^TNX, default, since 1976); 10y, 2y Treasury or ff (fed funds) from FRED; 13w (^IRX, live)",
            choices=tuple(YIELDS),
        ),
        SMALL_OPTION,
        LARGE_OPTION,
        export.OPTION,
    ),
)
