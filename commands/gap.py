"""/gap — how far small caps are ahead of (or behind) large caps over a period.

Figures (all from the same two closes per series, see :mod:`commands.periods`):
- each side's return ``end / base - 1`` (price return for an index, total return for a fund);
- the spread, small minus large, in percentage points;
- the change of the small/large ratio, ``(1 + rs) / (1 + rl) - 1``, which is *not* the spread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import charts, export, risk
from .leads import Sides
from .pair import HistoryProvider, Pair, load_pair
from .periods import Period, Window, parse_period, resolve
from .registry import Command, Option
from .reply import Field, Reply, pct, pp, sessions
from .tickers import LARGE_OPTION, SMALL_OPTION, ticker_option

PERIOD_SUGGESTIONS = (
    "1d",
    "1w",
    "1m",
    "mtd",
    "3m",
    "6m",
    "ytd",
    "1y",
    "3y",
    "5y",
    "10y",
    "max",
    "2025",
    "2024",
)


@dataclass(frozen=True)
class GapQuery:
    period: Period
    small: str
    large: str
    title: str | None = None  # the answer's title before the period; None: the pair's (leads.Sides)
    export: bool = False  # attach the CSV behind the answer
    line: str = ""  # the command as understood, for the CSV's header


@dataclass(frozen=True)
class GapFigures:
    window: Window
    small_return: float
    large_return: float
    spread: float  # small - large, as a fraction (x100 = pp)
    ratio_change: float  # (1 + rs) / (1 + rl) - 1
    sessions: int  # sessions after the base close, up to the end close


def parse(options: Mapping[str, str]) -> GapQuery:
    period = parse_period(options.get("period") or "ytd")
    small, large = ticker_option(options, "small", "small"), ticker_option(options, "large", "large")
    line = f"/gap period:{period.text} small:{small} large:{large}"
    return GapQuery(period, small, large, export=export.wanted(options), line=line)


DEFINITIONS = (
    "daily return = close / previous common close - 1 (simple returns)",
    "daily spread = small's daily return - large's; ratio = small close / large close",
    "drawdown = close / its running peak within the period - 1 (the base close included)",
    "volatility = sqrt(252) x sample std (ddof 1) of the daily returns; beta = cov / var(large)",
)


def export_table(frame: pd.DataFrame, g: GapFigures, small: str, large: str) -> pd.DataFrame:
    """The period's closes (base close first), daily returns, ratio, rebased lines and drawdowns."""
    window = frame.loc[g.window.base : g.window.end]
    table = export.pair_table(window, small, large)
    ratio = window["small"] / window["large"]
    lines = ((small, window["small"]), (large, window["large"]), (f"{small}/{large} ratio", ratio))
    for name, series in lines:
        table[f"{name} rebased"] = series / series.iloc[0] * 100
        table[f"{name} drawdown"] = series / series.cummax() - 1
    return table


def compute(frame: pd.DataFrame, period: Period) -> GapFigures:
    window = resolve(period, frame.index)
    base, end = frame.loc[window.base], frame.loc[window.end]
    rs, rl = end["small"] / base["small"] - 1, end["large"] / base["large"] - 1
    sessions = int(frame.index.get_loc(window.end)) - int(frame.index.get_loc(window.base))
    return GapFigures(window, float(rs), float(rl), float(rs - rl), float((1 + rs) / (1 + rl) - 1), sessions)


async def load(query: GapQuery, data: HistoryProvider) -> Pair:
    return await load_pair(data, query.small, query.large)


def build(query: GapQuery, pair: Pair) -> Reply:
    g = compute(pair.frame, query.period)
    r = risk.compute(pair.frame, g.window.base, g.window.end)
    sides = Sides(pair.small, pair.large)
    title = query.title or sides.title
    ratio_name = f"{pair.small}/{pair.large} ratio"
    text = (
        f"{g.window.opening}: {pair.small_name} {pct(g.small_return)}, "
        f"{pair.large_name} {pct(g.large_return)} — {sides.leads(g.spread)} "
        f"({sides.ratio_label} {pct(g.ratio_change)}). "
        f"Close of {g.window.base.date()} to close of {g.window.end.date()}, {sessions(g.sessions)}; "
        f"{pair.basis_text}.\n" + risk.line(r, pair.small, pair.large, ratio_name)
    )
    reply = Reply(
        title=f"{title}: {query.period.text}",
        text=text,
        fields=[
            Field(f"{pair.small} return", pct(g.small_return), g.small_return, "fraction"),
            Field(f"{pair.large} return", pct(g.large_return), g.large_return, "fraction"),
            Field(sides.spread_label, pp(g.spread), g.spread, "fraction"),
            Field("Ratio change", pct(g.ratio_change), g.ratio_change, "fraction"),
            Field("From", str(g.window.base.date()), None),
            Field("To", str(g.window.end.date()), None),
            Field("Sessions", f"{g.sessions:,}", g.sessions, "sessions"),
            *risk.fields(r, pair.small, pair.large, ratio_name),
        ],
        as_of=g.window.end.date(),  # the last close the answer uses (not the data's newest)
        source=pair.source,
        notes=pair.notes_to(g.window.end),
        figures={"risk": risk.figures_json(r)},
    )
    charts.attach(
        reply,
        "gap.png",
        lambda: charts.gap_chart(
            pair.frame.loc[g.window.base : g.window.end],
            pair.small_name,
            pair.large_name,
            f"{title}, {g.window.label}: spread {pp(g.spread)}",
            str(g.window.end.date()),
            ratio_label=f"{pair.small}/{pair.large}".replace("^", ""),
        ),
    )
    if query.export:
        table = export_table(pair.frame, g, pair.small, pair.large)
        export.attach(reply, "gap.csv", table, query.line, DEFINITIONS)
    return reply


COMMAND = Command(
    name="gap",
    description="Performance gap of small caps vs large caps over a period",
    example="/gap period:2024",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option(
            "period",
            "1d 1w 1m mtd 3m 6m ytd 1y 3y 5y 10y max, a year 2024, a month 2024-03, "
            "or 2024-01-01..2024-06-30",
            suggestions=PERIOD_SUGGESTIONS,
        ),
        SMALL_OPTION,
        LARGE_OPTION,
        export.OPTION,
    ),
)
