"""/sectors — sector leadership inside small caps: the S&P SmallCap 600 sector funds ranked by return.

Every fund is measured over the same two closes (the period resolved on the sessions all nine share).
With ``vs_large``, each is set against its large-cap counterpart among the SPDR sector funds. The
small-cap funds follow the older sector map, so two counterparts are blends: PSCF (financials and
real estate) against an equal-weight buy-and-hold of XLF and XLRE, PSCU (utilities and
communication services) against XLU and XLC. A component without data at the period's start (XLRE
before 2015-10-08, XLC before 2018-06-19) is left out of the blend, and the answer says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import charts, export
from .freshness import freshness_note
from .pair import HistoryProvider
from .periods import Period, Window, parse_period, resolve
from .registry import Command, Option
from .reply import Field, Reply, UserError, pct, pp

SECTORS = {
    "PSCC": ("Consumer staples", ("XLP",)),
    "PSCD": ("Consumer discretionary", ("XLY",)),
    "PSCE": ("Energy", ("XLE",)),
    "PSCF": ("Financials & real estate", ("XLF", "XLRE")),
    "PSCH": ("Health care", ("XLV",)),
    "PSCI": ("Industrials", ("XLI",)),
    "PSCM": ("Materials", ("XLB",)),
    "PSCT": ("Information technology", ("XLK",)),
    "PSCU": ("Utilities & communication", ("XLU", "XLC")),
}


@dataclass(frozen=True)
class SectorsQuery:
    period: Period
    vs_large: bool
    export: bool = False


@dataclass(frozen=True)
class SectorInputs:
    small: pd.DataFrame  # adjusted closes, one column per small-cap sector fund
    large: dict[str, pd.Series]  # counterparts' adjusted closes
    source: str
    notes: tuple[str, ...]


def parse(options: Mapping[str, str]) -> SectorsQuery:
    flag = (options.get("vs_large") or "false").strip().lower()
    if flag not in {"true", "false", "yes", "no"}:
        raise UserError("`vs_large` is true or false.")
    return SectorsQuery(
        parse_period(options.get("period") or "ytd"), flag in {"true", "yes"}, export.wanted(options)
    )


async def load(query: SectorsQuery, data: HistoryProvider) -> SectorInputs:
    histories = [await data.history(t) for t in SECTORS]
    small = pd.concat({h.ticker: h.prices for h in histories}, axis=1, join="inner", sort=True).dropna()
    large: dict[str, pd.Series] = {}
    counterparts = []
    if query.vs_large:
        for ticker in sorted({c for _, parts in SECTORS.values() for c in parts}):
            counterparts.append(await data.history(ticker))
            large[ticker] = counterparts[-1].prices
    notes = tuple(freshness_note([*histories, *counterparts]))
    return SectorInputs(small, large, histories[0].source, notes)


def _period_return(series: pd.Series, window: Window) -> float | None:
    """Return between the window's closes, or None when the series has no close at the base."""
    if window.base not in series.index or window.end not in series.index:
        return None
    return float(series.loc[window.end] / series.loc[window.base] - 1)


def compute(query: SectorsQuery, inputs: SectorInputs) -> tuple[Window, pd.DataFrame, list[str]]:
    window = resolve(query.period, inputs.small.index)
    returns = inputs.small.loc[window.end] / inputs.small.loc[window.base] - 1
    table = pd.DataFrame(
        {"sector": [SECTORS[t][0] for t in returns.index], "small": returns.to_numpy()}, index=returns.index
    )
    notes = []
    if query.vs_large:
        counterpart = {}
        for ticker, (_, parts) in SECTORS.items():
            got = {p: _period_return(inputs.large[p], window) for p in parts}
            have = [r for r in got.values() if r is not None]
            missing = [p for p, r in got.items() if r is None]
            if missing:
                notes.append(
                    f"{', '.join(missing)} had no close on {window.base.date()}: {ticker} is compared "
                    f"with {', '.join(p for p in parts if p not in missing) or 'nothing'} alone."
                )
            counterpart[ticker] = sum(have) / len(have) if have else float("nan")
        table["large"] = pd.Series(counterpart)
        table["spread"] = table["small"] - table["large"]
    return window, table.sort_values("small", ascending=False), notes


def build(query: SectorsQuery, inputs: SectorInputs) -> Reply:
    window, table, notes = compute(query, inputs)
    best, worst = table.iloc[0], table.iloc[-1]
    text = (
        f"{window.opening}, small-cap sectors ranked by total return: {best.name} "
        f"({best.sector}) leads with {pct(best.small)}, {worst.name} ({worst.sector}) trails with "
        f"{pct(worst.small)}. Close of {window.base.date()} to close of {window.end.date()}."
    )
    if query.vs_large:
        ahead = int((table["spread"] > 0).sum())
        text += f" {ahead} of {len(table)} beat their large-cap counterparts."
    fields = []
    for rank, (ticker, row) in enumerate(table.iterrows(), start=1):
        value = pct(row.small)
        if query.vs_large:
            value += f" vs {pct(row.large)} large ({pp(row.spread)})"
        fields.append(
            Field(f"{rank}. {ticker} {row.sector}", value, float(row.small), "fraction", inline=False)
        )
    reply = Reply(
        title=f"Small-cap sectors: {query.period.text}",
        text=text,
        fields=fields,
        as_of=window.end.date(),
        source=inputs.source,
        notes=[*inputs.notes, *notes],
    )
    charts.attach(
        reply,
        "sectors.png",
        lambda: charts.sector_chart(
            [f"{t} {table.loc[t, 'sector']}" for t in table.index],
            table["small"].tolist(),
            table["large"].tolist() if query.vs_large else None,
            f"Small-cap sectors, {window.label}",
            str(window.end.date()),
        ),
    )
    if query.export:
        line = f"/sectors period:{query.period.text} vs_large:{str(query.vs_large).lower()}"
        export.attach(reply, "sectors.csv", export_table(query, inputs, window), line, DEFINITIONS)
    return reply


DEFINITIONS = (
    "closes are adjusted closes (total return); return since base = close / the base close - 1",
    "a blended counterpart (PSCF: XLF + XLRE, PSCU: XLU + XLC) is the equal-weight mean of its parts' "
    "returns",
)


def export_table(query: SectorsQuery, inputs: SectorInputs, window: Window) -> pd.DataFrame:
    """Each fund's close from the base close to the end, and its return since the base close."""
    closes = inputs.small.loc[window.base : window.end]
    if query.vs_large:
        large = pd.concat(inputs.large, axis=1, sort=True).reindex(closes.index)
        closes = pd.concat([closes, large], axis=1)
    since = closes / closes.iloc[0] - 1
    table = pd.concat([closes.add_suffix(" close"), since.add_suffix(" return since base")], axis=1)
    return table.rename_axis("date")


COMMAND = Command(
    name="sectors",
    description="Sector leadership inside small caps: S&P 600 sector funds ranked by return",
    example="/sectors period:ytd vs_large:true",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option(
            "period",
            "Same periods as /gap (default ytd)",
            suggestions=("ytd", "1m", "3m", "6m", "1y", "2025"),
        ),
        Option("vs_large", "Compare each with its large-cap SPDR counterpart (true/false)", kind="boolean"),
        export.OPTION,
    ),
)
