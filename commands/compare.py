"""/compare — any two tickers over a period, with the gap machinery (returns, spread, ratio, chart)."""

from __future__ import annotations

from collections.abc import Mapping

from . import export, gap
from .periods import parse_period
from .registry import Command, Option
from .reply import UserError
from .tickers import TICKER_SUGGESTIONS, ticker_option


def parse(options: Mapping[str, str]) -> gap.GapQuery:
    if not options.get("a") or not options.get("b"):
        raise UserError("/compare needs two tickers, e.g. `/compare a:IWN b:IWO period:1y`.")
    a, b = ticker_option(options, "a", ""), ticker_option(options, "b", "")
    period = parse_period(options.get("period") or "1y")
    line = f"/compare a:{a} b:{b} period:{period.text}"
    return gap.GapQuery(period, a, b, None, export.wanted(options), line)


COMMAND = Command(
    name="compare",
    description="Any two tickers over a period: both returns, the spread and their ratio",
    example="/compare a:IWN b:IWO period:1y",
    parse=parse,
    load=gap.load,
    build=gap.build,
    options=(
        Option("a", "First ticker (e.g. IWN)", required=True, suggestions=TICKER_SUGGESTIONS),
        Option("b", "Second ticker (e.g. IWO)", required=True, suggestions=TICKER_SUGGESTIONS),
        Option("period", "Same periods as /gap (default 1y)", suggestions=gap.PERIOD_SUGGESTIONS),
        export.OPTION,
    ),
)
