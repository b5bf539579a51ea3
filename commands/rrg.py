"""/rrg — a relative rotation graph of a set of funds against a benchmark.

JdK's RS-Ratio and RS-Momentum are proprietary; this is the open z-score construction, with every
parameter shown in the answer:
- weekly closes: the last session of each week ending Friday (adjusted closes, total return);
- RS_t = 100 · A_t / B_t (the fund against the benchmark);
- RS-Ratio_t = 100 + (RS_t − mean(RS over the last n weeks)) / std(RS over the last n weeks);
- RS-Momentum_t = 100 + z-score, over the last n weeks, of RS-Ratio_t − RS-Ratio_{t−k};
  (std is the sample standard deviation; n = 10 weeks and k = 1 week by default).
Above 100 on both axes is *leading*, RS-Ratio above and momentum below *weakening*, both below
*lagging*, RS-Ratio below and momentum above *improving*; funds rotate clockwise through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import charts, export
from .freshness import freshness_note
from .pair import HistoryProvider
from .registry import Command, Option
from .reply import Field, Reply, UserError

SETS = {
    "sectors": (("PSCC", "PSCD", "PSCE", "PSCF", "PSCH", "PSCI", "PSCM", "PSCT", "PSCU"), "IJR"),
    "size": (("IWM", "IJR", "VB", "IWB"), "SPY"),
    "style": (("IWN", "IWO", "VBR", "VBK", "IJS", "IJT", "IWD", "IWF"), "SPY"),
}
WINDOW, LAG = 10, 1


@dataclass(frozen=True)
class RRGQuery:
    set: str
    weeks: int
    export: bool = False


@dataclass(frozen=True)
class RRGInputs:
    prices: pd.DataFrame  # one column per fund, daily
    benchmark: pd.Series
    source: str
    notes: tuple[str, ...] = ()  # one freshness note at most


def parse(options: Mapping[str, str]) -> RRGQuery:
    """``weeks`` arrives checked against its declared range (2 to 26) by :meth:`Command.validate`."""
    return RRGQuery(
        options.get("set") or "sectors", int((options.get("weeks") or "8").strip()), export.wanted(options)
    )


def zscore(series: pd.Series, n: int) -> pd.Series:
    roll = series.rolling(n)
    return (series - roll.mean()) / roll.std()


def rrg(prices: pd.DataFrame, benchmark: pd.Series, n: int = WINDOW, k: int = LAG) -> dict[str, pd.DataFrame]:
    """Per fund, weekly RS-Ratio and RS-Momentum (rows before a full window are dropped)."""
    weekly = prices.resample("W-FRI").last()
    bench = benchmark.resample("W-FRI").last()
    out = {}
    for ticker in weekly.columns:
        rs = (100 * weekly[ticker] / bench).dropna()
        ratio = 100 + zscore(rs, n)
        momentum = 100 + zscore(ratio - ratio.shift(k), n)
        out[ticker] = pd.DataFrame({"rs_ratio": ratio, "rs_momentum": momentum}).dropna()
    return out


def quadrant(rs_ratio: float, rs_momentum: float) -> str:
    if rs_ratio >= 100:
        return "leading" if rs_momentum >= 100 else "weakening"
    return "improving" if rs_momentum >= 100 else "lagging"


async def load(query: RRGQuery, data: HistoryProvider) -> RRGInputs:
    funds, bench = SETS[query.set]
    histories = [await data.history(t) for t in funds]
    benchmark = await data.history(bench)
    prices = pd.concat({h.ticker: h.prices for h in histories}, axis=1, join="inner", sort=True).dropna()
    notes = tuple(freshness_note([*histories, benchmark]))
    return RRGInputs(prices, benchmark.prices, benchmark.source, notes)


def build(query: RRGQuery, inputs: RRGInputs) -> Reply:
    bench = SETS[query.set][1]
    common = inputs.prices.index.intersection(inputs.benchmark.index)
    lines = rrg(inputs.prices.loc[common], inputs.benchmark.loc[common])
    tails = {t: df.iloc[-query.weeks :] for t, df in lines.items() if len(df)}
    if not tails:
        raise UserError("Not enough weekly history for a rotation graph.")
    last_week = max(df.index[-1] for df in tails.values())
    fields = []
    for ticker, df in sorted(tails.items(), key=lambda kv: -kv[1]["rs_ratio"].iloc[-1]):
        r, m = df.iloc[-1]
        fields.append(Field(ticker, f"{quadrant(r, m)} · RS-Ratio {r:.1f} · RS-Momentum {m:.1f}", float(r)))
    counts = pd.Series([quadrant(*df.iloc[-1]) for df in tails.values()]).value_counts()
    summary = ", ".join(f"{n} {q}" for q, n in counts.items())
    text = (
        f"{query.set.capitalize()} against {bench}, week ending {last_week.date()}: {summary}. "
        f"Weekly closes (Friday), RS = 100·fund/{bench}, RS-Ratio = 100 + z-score of RS over {WINDOW} weeks, "
        f"RS-Momentum = 100 + z-score of the {LAG}-week change of RS-Ratio over {WINDOW} weeks; "
        f"tails of {query.weeks} weeks."
    )
    reply = Reply(
        title=f"Relative rotation: {query.set} vs {bench}",
        text=text,
        fields=fields,
        as_of=common[-1].date(),
        source=inputs.source,
        notes=list(inputs.notes),
    )
    charts.attach(
        reply,
        "rrg.png",
        lambda: charts.rrg_chart(
            {t: (df["rs_ratio"].tolist(), df["rs_momentum"].tolist()) for t, df in tails.items()},
            f"RRG: {query.set} vs {bench}, {query.weeks}-week tails",
            str(common[-1].date()),
        ),
    )
    if query.export:
        line = f"/rrg set:{query.set} weeks:{query.weeks}"
        export.attach(reply, "rrg.csv", export_table(inputs, tails), line, (text,))
    return reply


def export_table(inputs: RRGInputs, tails: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per fund-week of the tails shown: the weekly closes, RS and the two coordinates."""
    weekly = inputs.prices.resample("W-FRI").last()
    bench = inputs.benchmark.resample("W-FRI").last()
    rows = []
    for ticker, df in tails.items():
        rows.append(
            pd.DataFrame(
                {
                    "fund": ticker,
                    "fund close": weekly[ticker].reindex(df.index),
                    "benchmark close": bench.reindex(df.index),
                    "RS": (100 * weekly[ticker] / bench).reindex(df.index),
                    "RS-Ratio": df["rs_ratio"],
                    "RS-Momentum": df["rs_momentum"],
                    "quadrant": [quadrant(*point) for point in df[["rs_ratio", "rs_momentum"]].to_numpy()],
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
        export.OPTION,
    ),
)
