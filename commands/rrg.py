"""/rrg — a relative rotation graph of a set of funds against a benchmark.

JdK's RS-Ratio and RS-Momentum are proprietary; this is an open z-score construction, with every
parameter shown in the answer:
- weekly closes: the last session of each week ending Friday (adjusted closes, total return);
- RS_t = 100 · A_t / B_t (the fund against the benchmark);
- smoothed RS: an exponential moving average of RS with a span of s weeks (s = 10 by default;
  ``smooth:1`` turns smoothing off and gives the unsmoothed construction);
- RS-Ratio_t = 100 + (sRS_t − mean(sRS over the last n weeks)) / std(sRS over the last n weeks);
- RS-Momentum_t = 100 + z-score, over the last n weeks, of the k-week change of RS-Ratio, itself
  smoothed by an EMA of span ⌈s/2⌉ weeks (std is the sample standard deviation; n = 10, k = 1).
Above 100 on both axes is *leading*, RS-Ratio above and momentum below *weakening*, both below
*lagging*, RS-Ratio below and momentum above *improving*; funds rotate clockwise through them.

Why smooth: without it, a fund changed quadrant in 58% of fund-weeks on the bundled sectors over
five years (the quadrant was mostly noise); the answer measures and states that rate each time. A
coordinate within ±NEAR of 100 is marked *near 100*: its quadrant is a boundary call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import charts, export
from .freshness import freshness_note
from .pair import HistoryProvider
from .registry import Command, Option, own_worker
from .reply import Field, Reply, UserError

SETS = {
    "sectors": (("PSCC", "PSCD", "PSCE", "PSCF", "PSCH", "PSCI", "PSCM", "PSCT", "PSCU"), "IJR"),
    "size": (("IWM", "IJR", "VB", "IWB"), "SPY"),
    "style": (("IWN", "IWO", "VBR", "VBK", "IJS", "IJT", "IWD", "IWF"), "SPY"),
}
WINDOW, LAG, SMOOTH = 10, 1, 10
NEAR = 0.5  # a coordinate within this of 100 is a boundary call (half a standard deviation)
TURNOVER_YEARS = 5


@dataclass(frozen=True)
class RRGQuery:
    set: str
    weeks: int  # the tail shown
    window: int = WINDOW  # the z-score's normalisation window
    smooth: int = SMOOTH  # EMA span of RS in weeks; 1 = none
    export: bool = False


@dataclass(frozen=True)
class RRGInputs:
    prices: pd.DataFrame  # one column per fund, daily
    benchmark: pd.Series
    source: str
    notes: tuple[str, ...] = ()  # one freshness note at most


def _int(options: Mapping[str, str], name: str, default: int) -> int:
    """Checked against the option's declared range by :meth:`Command.validate` before this runs."""
    return int((options.get(name) or str(default)).strip())


def parse(options: Mapping[str, str]) -> RRGQuery:
    return RRGQuery(
        options.get("set") or "sectors",
        _int(options, "weeks", 8),
        _int(options, "window", WINDOW),
        _int(options, "smooth", SMOOTH),
        export.wanted(options),
    )


def zscore(series: pd.Series, n: int) -> pd.Series:
    roll = series.rolling(n)
    return (series - roll.mean()) / roll.std()


def ema(series: pd.Series, span: int) -> pd.Series:
    """EMA with weights 2/(span+1), started at the first value (span 1 = the series itself)."""
    return series.ewm(span=span, adjust=False).mean()


def momentum_span(smooth: int) -> int:
    return math.ceil(smooth / 2)


def rrg(
    prices: pd.DataFrame, benchmark: pd.Series, n: int = WINDOW, k: int = LAG, smooth: int = SMOOTH
) -> dict[str, pd.DataFrame]:
    """Per fund, weekly RS, smoothed RS, RS-Ratio and RS-Momentum (rows before a full window dropped)."""
    weekly = prices.resample("W-FRI").last()
    bench = benchmark.resample("W-FRI").last()
    out = {}
    for ticker in weekly.columns:
        rs = (100 * weekly[ticker] / bench).dropna()
        smoothed = ema(rs, smooth)
        ratio = 100 + zscore(smoothed, n)
        momentum = 100 + zscore(ema(ratio - ratio.shift(k), momentum_span(smooth)), n)
        frame = pd.DataFrame({"rs": rs, "rs_smoothed": smoothed, "rs_ratio": ratio, "rs_momentum": momentum})
        out[ticker] = frame.dropna()
    return out


def quadrant(rs_ratio: float, rs_momentum: float) -> str:
    if rs_ratio >= 100:
        return "leading" if rs_momentum >= 100 else "weakening"
    return "improving" if rs_momentum >= 100 else "lagging"


def near(value: float, band: float = NEAR) -> bool:
    return abs(value - 100) <= band


def quadrant_change_rate(lines: dict[str, pd.DataFrame], years: int = TURNOVER_YEARS) -> tuple[float, int]:
    """Share of fund-weeks, over the last ``years``, whose quadrant differs from the fund's previous
    week; and how many fund-weeks that is. A steady graph rotates; a noisy one flickers."""
    ends = [df.index[-1] for df in lines.values() if len(df)]
    if not ends:
        return float("nan"), 0
    start = max(ends) - pd.DateOffset(years=years)
    changed = total = 0
    for df in lines.values():
        recent = df[df.index > start]
        q = np.where(
            recent["rs_ratio"] >= 100,
            np.where(recent["rs_momentum"] >= 100, 0, 1),
            np.where(recent["rs_momentum"] >= 100, 3, 2),
        )
        changed += int((q[1:] != q[:-1]).sum())
        total += max(len(q) - 1, 0)
    return (changed / total if total else float("nan")), total


async def load(query: RRGQuery, data: HistoryProvider) -> RRGInputs:
    funds, bench = SETS[query.set]
    histories = [await data.history(t) for t in funds]
    benchmark = await data.history(bench)
    prices = pd.concat({h.ticker: h.prices for h in histories}, axis=1, join="inner", sort=True).dropna()
    notes = tuple(freshness_note([*histories, benchmark]))
    return RRGInputs(prices, benchmark.prices, benchmark.source, notes)


def _point(r: float, m: float) -> str:
    text = f"{quadrant(r, m)} · RS-Ratio {r:.2f} · RS-Momentum {m:.2f}"
    boundary = [name for name, v in (("RS-Ratio", r), ("RS-Momentum", m)) if near(v)]
    if boundary:
        text += f" · near 100 ({' and '.join(boundary)}): a boundary call"
    return text


def construction(bench: str, query: RRGQuery) -> str:
    n, span = query.window, momentum_span(query.smooth)
    smoothing = (
        f"smoothed by a {query.smooth}-week EMA, then RS-Ratio = 100 + z-score of it over {n} weeks, "
        f"RS-Momentum = 100 + z-score of the {LAG}-week change of RS-Ratio (a {span}-week EMA of it) "
        f"over {n} weeks"
        if query.smooth > 1
        else f"not smoothed (smooth:1), RS-Ratio = 100 + z-score of RS over {query.window} weeks, "
        f"RS-Momentum = 100 + z-score of the {LAG}-week change of RS-Ratio over {query.window} weeks"
    )
    return (
        f"Weekly closes (Friday), RS = 100·fund/{bench} {smoothing} (sample std); tails of {query.weeks} "
        f"weeks; a coordinate within ±{NEAR} of 100 is marked near 100 (a boundary call)."
    )


@own_worker("adjustText, which labels the chart, imports scipy: +33 MiB that a worker kept for good")
def build(query: RRGQuery, inputs: RRGInputs) -> Reply:
    bench = SETS[query.set][1]
    common = inputs.prices.index.intersection(inputs.benchmark.index)
    prices, benchmark = inputs.prices.loc[common], inputs.benchmark.loc[common]
    lines = rrg(prices, benchmark, query.window, LAG, query.smooth)
    tails = {t: df.iloc[-query.weeks :] for t, df in lines.items() if len(df)}
    if not tails:
        raise UserError("Not enough weekly history for a rotation graph.")
    last_week = max(df.index[-1] for df in tails.values())
    fields = []
    boundary = []
    for ticker, df in sorted(tails.items(), key=lambda kv: -kv[1]["rs_ratio"].iloc[-1]):
        r, m = float(df["rs_ratio"].iloc[-1]), float(df["rs_momentum"].iloc[-1])
        fields.append(Field(ticker, _point(r, m), r))
        if near(r) or near(m):
            boundary.append(ticker)
    last = [(df["rs_ratio"].iloc[-1], df["rs_momentum"].iloc[-1]) for df in tails.values()]
    counts = pd.Series([quadrant(r, m) for r, m in last])
    summary = ", ".join(f"{n} {q}" for q, n in counts.value_counts().items())
    rate, weeks = quadrant_change_rate(lines)
    raw_rate = rate
    if query.smooth > 1:  # the same graph unsmoothed, for the comparison the answer states
        raw_rate, _ = quadrant_change_rate(rrg(prices, benchmark, query.window, LAG, 1))
    turnover = (
        f"Quadrant changes: {rate * 100:.1f}% of {weeks} fund-weeks over the last {TURNOVER_YEARS} years"
        + (f" ({raw_rate * 100:.1f}% without smoothing)." if query.smooth > 1 else ".")
    )
    near_text = f" Near 100, a boundary call: {', '.join(boundary)}." if boundary else ""
    text = (
        f"{query.set.capitalize()} against {bench}, week ending {last_week.date()}: {summary}.{near_text} "
        f"{construction(bench, query)} {turnover}"
    )
    reply = Reply(
        title=f"Relative rotation: {query.set} vs {bench}",
        text=text,
        fields=fields,
        as_of=common[-1].date(),
        source=inputs.source,
        notes=list(inputs.notes),
        figures={
            "quadrant_change_rate": rate,
            "quadrant_change_rate_unsmoothed": raw_rate,
            "fund_weeks": weeks,
            "near_100": boundary,
            "parameters": {"window": query.window, "lag": LAG, "smooth": query.smooth, "near": NEAR},
        },
    )
    charts.attach(
        reply,
        "rrg.png",
        lambda: charts.rrg_chart(
            {t: (df["rs_ratio"].tolist(), df["rs_momentum"].tolist()) for t, df in tails.items()},
            f"RRG: {query.set} vs {bench}, {query.weeks}-week tails, {query.smooth}-week smoothing",
            str(common[-1].date()),
            near=boundary,
            band=NEAR,
        ),
    )
    if query.export:
        line = f"/rrg set:{query.set} weeks:{query.weeks} window:{query.window} smooth:{query.smooth}"
        table = export_table(inputs, tails)
        export.attach(reply, "rrg.csv", table, line, (construction(bench, query), turnover))
    return reply


def export_table(inputs: RRGInputs, tails: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per fund-week of the tails shown: the weekly closes, RS, smoothed RS and the coordinates."""
    weekly = inputs.prices.resample("W-FRI").last()
    bench = inputs.benchmark.resample("W-FRI").last()
    rows = []
    for ticker, df in tails.items():
        points = df[["rs_ratio", "rs_momentum"]].to_numpy()
        rows.append(
            pd.DataFrame(
                {
                    "fund": ticker,
                    "fund close": weekly[ticker].reindex(df.index),
                    "benchmark close": bench.reindex(df.index),
                    "RS": df["rs"],
                    "RS smoothed": df["rs_smoothed"],
                    "RS-Ratio": df["rs_ratio"],
                    "RS-Momentum": df["rs_momentum"],
                    "quadrant": [quadrant(*p) for p in points],
                    "near 100": [near(p[0]) or near(p[1]) for p in points],
                },
                index=df.index.rename("week ending"),
            )
        )
    return pd.concat(rows)


COMMAND = Command(
    name="rrg",
    description="Relative rotation graph: sectors, size or style funds against a benchmark",
    example="/rrg set:sectors weeks:8",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option("set", "sectors (vs IJR), size or style (vs SPY)", choices=tuple(SETS)),
        Option(
            "weeks", "Tail length in weeks, 2 to 26 (default 8)", kind="integer", min_value=2, max_value=26
        ),
        Option(
            "window",
            f"Normalisation window of the z-scores in weeks, 5 to 52 (default {WINDOW})",
            kind="integer",
            min_value=5,
            max_value=52,
        ),
        Option(
            "smooth",
            f"EMA span smoothing RS in weeks, 1 (none) to 26 (default {SMOOTH})",
            kind="integer",
            min_value=1,
            max_value=26,
        ),
        export.OPTION,
    ),
)
