"""/style — the value tilt inside small caps: small-cap value vs small-cap growth.

Reuses /gap's period arithmetic and /streak's run detection on the (value, growth) pair; nothing is
recomputed differently. Pairs (funds, so total returns from adjusted closes): Russell 2000 Value vs
Growth (IWN/IWO, the default), Vanguard Small-Cap Value vs Growth (VBR/VBK), S&P SmallCap 600 Value
vs Growth (IJS/IJT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import charts
from .gap import Framing
from .gap import compute as gap_compute
from .pair import HistoryProvider, Pair, load_pair
from .periods import Period, parse_period
from .registry import Command, Option
from .reply import Field, Reply, pct, pp
from .streak import compute as streak_compute

PAIRS = {"russell": ("IWN", "IWO"), "vanguard": ("VBR", "VBK"), "sp600": ("IJS", "IJT")}


@dataclass(frozen=True)
class StyleQuery:
    period: Period
    value: str
    growth: str


def parse(options: Mapping[str, str]) -> StyleQuery:
    value, growth = PAIRS[options.get("pair") or "russell"]
    return StyleQuery(parse_period(options.get("period") or "ytd"), value, growth)


async def load(query: StyleQuery, data: HistoryProvider) -> Pair:
    return await load_pair(data, query.value, query.growth)


def build(query: StyleQuery, pair: Pair) -> Reply:
    g = gap_compute(pair.frame, query.period)
    s = streak_compute(pair.frame)
    f = Framing.between(query.value, query.growth, "Small-cap value vs growth")
    leader = "value leads" if g.spread > 0 else "growth leads" if g.spread < 0 else "dead even"
    side = "value ahead" if s.sign > 0 else "growth ahead" if s.sign < 0 else "a tie"
    run = f"{s.length} session{'s' if s.length != 1 else ''}, {side}" if s.sign else "no run (a tie)"
    text = (
        f"{g.window.label.capitalize()}: {pair.small_name} {pct(g.small_return)}, {pair.large_name} "
        f"{pct(g.large_return)} — {leader} by {abs(g.spread) * 100:.2f} pp. Current run: {run}"
        + (f" since {s.start.date()} ({pct(s.cumulative)}), rank {s.rank} of {s.of_kind}." if s.sign else ".")
        + f" {pair.basis_text.capitalize()}."
    )
    reply = Reply(
        title=f"{f.title}: {query.period.text}",
        text=text,
        fields=[
            Field(f"{query.value} return", pct(g.small_return), g.small_return, "fraction"),
            Field(f"{query.growth} return", pct(g.large_return), g.large_return, "fraction"),
            Field(f.spread, pp(g.spread), g.spread, "fraction"),
            Field("Current run", run, s.length * s.sign, "sessions"),
            Field("From", str(g.window.base.date()), None),
            Field("To", str(g.window.end.date()), None),
        ],
        as_of=pair.as_of,
        source=pair.source,
        notes=list(pair.notes),
    )
    reply.chart = charts.gap_chart(
        pair.frame.loc[g.window.base : g.window.end],
        pair.small_name,
        pair.large_name,
        f"{f.title}, {g.window.label}: spread {pp(g.spread)}",
        str(pair.as_of),
    )
    reply.chart_name = "style.png"
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
    ),
)
