"""/style — the value tilt inside small caps: small-cap value vs small-cap growth.

Reuses /gap's period arithmetic and /streak's run detection on the (value, growth) pair; nothing is
recomputed differently. Pairs (funds, so total returns from adjusted closes): Russell 2000 Value vs
Growth (IWN/IWO, the default), Vanguard Small-Cap Value vs Growth (VBR/VBK), S&P SmallCap 600 Value
vs Growth (IJS/IJT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import export, gap
from .gap import GapQuery
from .pair import HistoryProvider, Pair, load_pair
from .periods import Period, parse_period
from .registry import Command, Option
from .reply import Field, Reply, pct, sessions
from .streak import compute as streak_compute

PAIRS = {"russell": ("IWN", "IWO"), "vanguard": ("VBR", "VBK"), "sp600": ("IJS", "IJT")}


@dataclass(frozen=True)
class StyleQuery:
    period: Period
    value: str
    growth: str
    pair: str = "russell"
    export: bool = False


def parse(options: Mapping[str, str]) -> StyleQuery:
    name = options.get("pair") or "russell"
    value, growth = PAIRS[name]
    period = parse_period(options.get("period") or "ytd")
    return StyleQuery(period, value, growth, name, export.wanted(options))


async def load(query: StyleQuery, data: HistoryProvider) -> Pair:
    return await load_pair(data, query.value, query.growth)


def build(query: StyleQuery, pair: Pair) -> Reply:
    """/gap's answer for the (value, growth) pair, with /streak's current run added to it."""
    title = "Small-cap value vs growth"
    reply = gap.build(GapQuery(query.period, query.value, query.growth, title), pair)
    end = pd.Timestamp(reply.as_of)  # the period's end close: the run as it stood then (one as-of date)
    s = streak_compute(pair.frame.loc[:end])
    side = "value ahead" if s.sign > 0 else "growth ahead"
    run = f"{sessions(s.length)}, {side}" if s.sign else "no run (a tie)"
    rank = f"rank {s.rank:,} of {s.of_kind:,}"
    detail = f" since {s.start.date()} ({pct(s.cumulative)}), {rank}" if s.sign else ""
    reply.text += f" Run at the close of {end.date()}: {run}{detail}."
    reply.fields.insert(3, Field("Current run", run, s.length if s.sign else 0, "sessions"))
    reply.chart_name = "style.png"
    if query.export:
        table = gap.export_table(pair.frame, gap.compute(pair.frame, query.period), query.value, query.growth)
        line = f"/style pair:{query.pair} period:{query.period.text}"
        export.attach(reply, "style.csv", table, line, gap.DEFINITIONS)
    return reply


COMMAND = Command(
    name="style",
    description="Small-cap value vs growth over a period, and the current run",
    example="/style pair:vanguard period:1y",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option("pair", "Which value/growth funds (default russell: IWN vs IWO)", choices=tuple(PAIRS)),
        Option(
            "period", "Same periods as /gap (default ytd)", suggestions=("ytd", "1m", "3m", "6m", "1y", "3y")
        ),
        export.OPTION,
    ),
)
