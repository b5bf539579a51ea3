"""/digest — the daily rotation update: one message a session, the same for every subscribed channel.

Contents: 1-day, 1-week, month-to-date and year-to-date gaps (:mod:`commands.gap`'s arithmetic); the
current streak and its rank (:mod:`commands.streak`); the small/large ratio against its 50- and
200-day simple moving averages; and what is notable on the session:
- a streak at a one-year high: the current run is longer than every run of its kind that ended in
  the previous 252 sessions (and at least 3 sessions long);
- the ratio crossing its 50- or 200-day average on the session (above or below);
- the largest one-day spread in at least 3 months: no earlier session since then had a spread as
  large in absolute value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from . import charts, export, risk
from .fedfunds import fed_funds_since
from .gap import GapFigures
from .gap import compute as gap_compute
from .history import fired_today
from .leads import Sides, sentence
from .pair import HistoryProvider, Pair, load_pair
from .periods import parse_date, parse_period, require_session
from .registry import Command, Option
from .reply import Field, Reply, UserError, pct, pp, sessions
from .streak import StreakFigures, daily_spread, run_position, runs
from .streak import compute as streak_compute
from .tickers import LARGE_OPTION, SMALL_OPTION, ticker_option

GAP_PERIODS = ("1d", "1w", "mtd", "ytd")
YEAR = 252
NOTABLE_MONTHS = 3


@dataclass(frozen=True)
class DigestQuery:
    date: dt.date | None
    small: str
    large: str
    export: bool = False


@dataclass(frozen=True)
class DigestFigures:
    gaps: dict[str, GapFigures | str]  # a period that reaches before the data: the reason, in words
    streak: StreakFigures
    ratio: pd.Series
    sma50: pd.Series
    sma200: pd.Series
    notable: list[str]


def parse(options: Mapping[str, str]) -> DigestQuery:
    date = parse_date(options["date"], "date") if options.get("date") else None
    return DigestQuery(
        date,
        ticker_option(options, "small", "small"),
        ticker_option(options, "large", "large"),
        export.wanted(options),
    )


def _notable(
    frame: pd.DataFrame, streak: StreakFigures, ratio: pd.Series, smas: dict[int, pd.Series], sides: Sides
) -> list[str]:
    """What is unusual on the session. "In a year" and "on record" only with a year of closes behind
    them (:func:`risk.too_short`); with less, the line says since when (issue 25)."""
    notes = []
    table = runs(frame)
    short = risk.too_short(len(frame))
    since_start = risk.record_words(frame.index)
    if streak.sign and streak.length >= 3:
        start_of_year = frame.index[max(0, len(frame) - YEAR)]
        same = table[(table["sign"] == streak.sign) & (table["end"] >= start_of_year)].iloc[:-1]
        if same.empty or streak.length > same["length"].max():
            kind = "outperformance" if streak.sign > 0 else "underperformance"
            who = "" if sides.across_size and sides.indices else f" ({sides.direction(streak.sign)})"
            if short:
                notes.append(f"Longest {kind} streak{who} {since_start}: {streak.length} sessions.")
            else:
                best = streak.rank == 1 and streak.ties_at_rank == 0
                record = " — the longest on record" if best else ""
                notes.append(f"Longest {kind} streak{who} in a year: {streak.length} sessions{record}.")
    for window, sma in smas.items():
        side = (ratio - sma).iloc[-2:]
        if len(side.dropna()) == 2 and (side.iloc[0] > 0) != (side.iloc[1] > 0):
            direction = "above" if side.iloc[1] > 0 else "below"
            notes.append(f"The {sides.ratio_label} crossed {direction} its {window}-day average.")
    notes += _at_a_high(ratio, sides, short, since_start)
    spread = daily_spread(frame)
    if spread.empty:
        return notes
    today = abs(spread.iloc[-1])
    earlier = spread.iloc[:-1][spread.iloc[:-1].abs() >= today]
    last_as_large = earlier.index[-1] if len(earlier) else None
    cutoff = spread.index[-1] - pd.DateOffset(months=NOTABLE_MONTHS)
    if frame.index[0] > cutoff:
        return notes  # less history than the window: "the largest in 3 months" cannot be said
    if last_as_large is None or last_as_large < cutoff:
        since = since_start if last_as_large is None else f"since {last_as_large.date()}"
        notes.append(f"Largest one-day spread {since}: {pp(spread.iloc[-1])}.")
    return notes


def _at_a_high(ratio: pd.Series, sides: Sides, short: str, since_start: str) -> list[str]:
    """The ratio closing at its high: the all-time high (said as a record only after a year of
    closes), else a 52-week high (only with 52 weeks of closes)."""
    if ratio.iloc[-1] < ratio.max():
        if not short and ratio.iloc[-1] >= ratio.iloc[-risk.YEAR_SESSIONS :].max():
            return [f"The {sides.ratio_label} closed at a 52-week high."]
        return []
    if len(ratio) < 2:
        return []
    return [f"The {sides.ratio_label} closed at its highest {since_start}."]


def _gap_or_reason(frame: pd.DataFrame, period: str) -> GapFigures | str:
    """A period's gap, or why it has none (it starts before the data): the rest of the update
    still comes, with this line as "n/a"."""
    try:
        return gap_compute(frame, parse_period(period))
    except UserError:
        return f"n/a (the data starts {frame.index[0].date()}, with no close before this period)"


def _vs_average(ratio: pd.Series, sma: pd.Series, window: int) -> tuple[str, float | None]:
    value = ratio.iloc[-1] / sma.iloc[-1] - 1
    if pd.isna(value):
        have = len(ratio)
        return f"n/a (a {window}-day average needs {window} sessions; this date has {have:,})", None
    return pct(value), float(value)


INDEX_PAIR = Sides("^RUT", "^GSPC")


def compute(frame: pd.DataFrame, sides: Sides = INDEX_PAIR) -> DigestFigures:
    gaps = {p: _gap_or_reason(frame, p) for p in GAP_PERIODS}
    streak = streak_compute(frame)
    ratio = frame["small"] / frame["large"]
    smas = {50: ratio.rolling(50).mean(), 200: ratio.rolling(200).mean()}
    notable = _notable(frame, streak, ratio, smas, sides)
    return DigestFigures(gaps, streak, ratio, smas[50], smas[200], notable)


async def load(query: DigestQuery, data: HistoryProvider) -> Pair:
    pair = await load_pair(data, query.small, query.large)
    rates = await fed_funds_since(data, min(query.date or pair.as_of, pair.as_of))  # the rates context
    return replace(pair, notes=(*pair.notes, rates)) if rates else pair


def build(query: DigestQuery, pair: Pair) -> Reply:
    if query.date is not None:
        full = pair.frame.index
        pair = pair.until(query.date, "date")
        require_session(full, query.date, "date")
    if len(pair.frame) < 2:
        raise UserError(
            f"{pair.as_of} is the first session {pair.small} and {pair.large} have in common: there is no "
            "daily return before the second session, so no update. Pick a later `date`."
        )
    sides = Sides(pair.small, pair.large)
    d = compute(pair.frame, sides)
    s = d.streak
    run = (
        "no run (a tie)"
        if s.sign == 0
        else f"{sessions(s.length)}, {sides.direction(s.sign)}, "
        f"since {s.start.date()} ({pct(s.cumulative)}), rank {s.rank:,} of {s.of_kind:,}"
    )
    vs50 = _vs_average(d.ratio, d.sma50, 50)
    vs200 = _vs_average(d.ratio, d.sma200, 200)
    labels = {"1d": "1 day", "1w": "1 week", "mtd": "Month to date", "ytd": "Year to date"}
    fields = [
        Field(labels[p], g, None, None)
        if isinstance(g, str)
        else Field(
            labels[p],
            f"{pp(g.spread)} ({pct(g.small_return)} vs {pct(g.large_return)})",
            g.spread,
            "fraction",
        )
        for p, g in d.gaps.items()
    ]
    fields += [
        Field("Streak", run, s.length if s.sign else 0, "sessions", inline=False),
        Field("Ratio vs 50-day avg", vs50[0], vs50[1], "fraction"),
        Field("Ratio vs 200-day avg", vs200[0], vs200[1], "fraction"),
    ]
    end = pair.frame.index[-1]
    highs = {
        "all_time": risk.from_high(d.ratio, end),
        "52_week": risk.from_high(d.ratio, end, risk.YEAR_SESSIONS),
    }
    # with less than a year of closes, "its high" is only the high since the data starts: say so
    since = "" if not risk.too_short(len(d.ratio)) else f", {risk.record_words(d.ratio.index)}"
    fields += [
        Field(f"Ratio from {what}", risk.from_high_text(highs[key]) + tail, highs[key].distance, "fraction")
        for key, what, tail in (("all_time", "its high", since), ("52_week", "52-week high", ""))
    ]
    notable = list(d.notable)
    if (line := fired_today(pair.frame, sides.name(pair.small))) is not None:
        notable.append(line)
    notable = notable or ["Nothing unusual this session."]  # only when nothing at all fired
    ytd = d.gaps["ytd"]
    day = d.gaps["1d"]
    on = f"on {pair.as_of}"  # "today" only when it is today, which a pure function cannot know
    if isinstance(ytd, str):
        lead = f"Year to date: {ytd}"
    else:
        lead = (
            f"{sentence(sides.leads(ytd.spread))} this year ({pair.small} {pct(ytd.small_return)}, "
            f"{pair.large} {pct(ytd.large_return)})"
        )
    text = (
        f"{lead}; {on}: {day if isinstance(day, str) else pp(day.spread)}.\n"
        + "\n".join(f"• {n}" for n in notable)
    )
    reply = Reply(
        title=f"Daily rotation update — {pair.as_of}",
        text=text,
        fields=fields,
        as_of=pair.as_of,
        source=pair.source,
        notes=list(pair.notes),
        figures={"ratio_from_high": {key: risk.from_high_json(h) for key, h in highs.items()}},
    )
    year = slice(d.ratio.index[max(0, len(d.ratio) - YEAR)], None)
    ytd_text = "n/a" if isinstance(ytd, str) else pp(ytd.spread)
    charts.attach(
        reply,
        "digest.png",
        lambda: charts.digest_chart(
            d.ratio.loc[year],
            d.sma50.loc[year],
            d.sma200.loc[year],
            daily_spread(pair.frame).loc[year],
            s.start if s.sign else None,
            f"{sentence(sides.ratio_label)}, {pair.as_of}: YTD {ytd_text}",
            str(pair.as_of),
            ratio_label=f"{pair.small}/{pair.large}".replace("^", ""),
        ),
    )
    if query.export:
        table = export.pair_table(pair.frame, pair.small, pair.large)
        table["ratio 50-day average"] = d.sma50
        table["ratio 200-day average"] = d.sma200
        table["ratio from its high"] = d.ratio / d.ratio.cummax() - 1
        year_high = d.ratio.rolling(risk.YEAR_SESSIONS).max()  # none before a year of closes
        table["ratio from 52-week high"] = d.ratio / year_high - 1
        table["run"] = run_position(pair.frame)
        line = f"/digest date:{pair.as_of} small:{query.small} large:{query.large}"
        export.attach(reply, "digest.csv", table, line, DEFINITIONS)
    return reply


DEFINITIONS = (
    "daily return = close / previous common close - 1; daily spread = small's - large's",
    "ratio = small / large; averages are simple moving averages of the ratio over 50 and 200 sessions",
    "ratio from its high = ratio / its highest close since the first session - 1; "
    f"52-week = over the last {risk.YEAR_SESSIONS} sessions",
    "run = the session's place in its run, signed (+ small ahead, - behind, 0 a tie)",
)


COMMAND = Command(
    name="digest",
    description="The daily rotation update: gaps, streak, averages and what is notable",
    example="/digest date:2024-12-31",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option("date", "The session to describe (YYYY-MM-DD; default: the newest)", kind="date"),
        SMALL_OPTION,
        LARGE_OPTION,
        export.OPTION,
    ),
)
