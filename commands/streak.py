"""/streak — the current run of sessions in which small caps beat (or trailed) large caps.

Definitions (the same everywhere in the bot):
- a session's daily return is its close over the previous *common* session's close, minus 1;
- small "beats" large on a session when its daily return is strictly greater; a tie (equal returns)
  ends any run and starts none;
- a run's cumulative spread is the compounded change of the small/large ratio over the run: the
  ratio at the run's last close over the ratio at the close before its first session, minus 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import charts, export
from .leads import Sides, sentence
from .pair import HistoryProvider, Pair, load_pair
from .periods import parse_date, require_session
from .registry import Command, Option
from .reply import Field, Reply, UserError, pct, plural, sessions
from .tickers import LARGE_OPTION, SMALL_OPTION, ticker_option

CHART_SESSIONS = 126  # about six months of bars
TOP = 5
TIE = 1e-12


@dataclass(frozen=True)
class StreakQuery:
    small: str
    large: str
    as_of: dt.date | None
    export: bool = False


def parse(options: Mapping[str, str]) -> StreakQuery:
    as_of = parse_date(options["as_of"], "as_of date") if options.get("as_of") else None
    return StreakQuery(
        ticker_option(options, "small", "small"),
        ticker_option(options, "large", "large"),
        as_of,
        export.wanted(options),
    )


def daily_spread(frame: pd.DataFrame) -> pd.Series:
    """Small's daily return minus large's, on common sessions (the first session has none)."""
    returns = frame.pct_change().iloc[1:]
    return (returns["small"] - returns["large"]).rename("spread")


def runs(frame: pd.DataFrame) -> pd.DataFrame:
    """Every maximal run of same-signed daily spreads: sign (+1 small ahead, -1 behind, 0 tie),
    first and last session, length, and cumulative spread (the ratio's compounded change).

    Plain numpy over the sign changes: this runs on every /streak over 9,800 sessions."""
    small, large = frame["small"].to_numpy(), frame["large"].to_numpy()
    spread = (small[1:] / small[:-1]) - (large[1:] / large[:-1])
    sign = np.where(spread > TIE, 1, np.where(spread < -TIE, -1, 0))
    change = np.flatnonzero(np.diff(sign)) + 1
    starts = np.r_[0, change]
    ends = np.r_[change - 1, len(sign) - 1]
    ratio = small / large  # frame position p+1 is spread position p; the run's base close is at `starts`
    sessions = frame.index[1:]
    return pd.DataFrame(
        {
            "sign": sign[starts],
            "start": sessions[starts],
            "end": sessions[ends],
            "length": ends - starts + 1,
            "cumulative": ratio[ends + 1] / ratio[starts] - 1,
        }
    )


def run_position(frame: pd.DataFrame) -> pd.Series:
    """Each session's place in its run, signed: +3 = the 3rd session of a run of small ahead, -2 = the
    2nd of a run behind, 0 = a tie (the first session has none). Same sign rule as :func:`runs`."""
    spread = daily_spread(frame).to_numpy()
    sign = np.where(spread > TIE, 1, np.where(spread < -TIE, -1, 0))
    run_id = np.r_[0, np.cumsum(np.diff(sign) != 0)]
    position = pd.Series(run_id).groupby(run_id).cumcount().to_numpy() + 1
    return pd.Series(np.r_[np.nan, position * sign], index=frame.index, name="run")


STREAK_DEFINITIONS = (
    "daily return = close / previous common close - 1; daily spread = small's - large's",
    "run = the session's place in its run, signed (+ small ahead, - small behind, 0 a tie: "
    f"|spread| <= {TIE:g} ends a run)",
)


@dataclass(frozen=True)
class StreakFigures:
    sign: int  # of the current run: +1 small ahead, -1 small behind, 0 the last session was a tie
    length: int
    start: pd.Timestamp
    end: pd.Timestamp
    cumulative: float
    rank: int  # 1 = longest of its kind in the history
    ties_at_rank: int  # other runs of exactly the same length
    of_kind: int  # how many runs of that kind the history has
    longest_since: pd.Timestamp | None  # end of the last earlier run at least as long
    top: pd.DataFrame  # the longest runs of the current kind (or outperformance runs after a tie)


def compute(frame: pd.DataFrame) -> StreakFigures:
    table = runs(frame)
    current = table.iloc[-1]
    sign = int(current["sign"])
    kind = table[table["sign"] == (sign or 1)]
    earlier = kind.iloc[:-1] if sign else kind
    length = int(current["length"]) if sign else 0
    longer = int((earlier["length"] > length).sum())
    same = int((earlier["length"] == length).sum())
    at_least = earlier[earlier["length"] >= length]
    top = kind.sort_values(["length", "cumulative"], ascending=[False, sign < 0]).head(TOP)
    return StreakFigures(
        sign,
        length,
        current["start"],
        current["end"],
        float(current["cumulative"]) if sign else 0.0,
        longer + 1,
        same,
        len(kind),
        at_least["end"].iloc[-1] if sign and len(at_least) else None,
        top,
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _standing(s: StreakFigures, first: dt.date) -> str:
    """Where the run ranks: a rank when it is among the long ones, otherwise how common it is."""
    kind = "outperformance" if s.sign > 0 else "underperformance"
    if s.rank <= 20:
        rank = "the longest" if s.rank == 1 else f"the {_ordinal(s.rank)} longest"
        tie = (
            f", tied with {s.ties_at_rank} other{'s' if s.ties_at_rank != 1 else ''}"
            if s.ties_at_rank
            else ""
        )
        if s.of_kind == 1:
            text = f"It is the only {kind} run since {first}"
        else:
            text = f"It is {rank} of {s.of_kind:,} {kind} runs since {first}{tie}"
    else:
        as_long = s.rank - 1 + s.ties_at_rank
        text = (
            f"{as_long:,} of the {plural(s.of_kind - 1, 'earlier ' + kind + ' run')} since {first}"
            f" lasted at least as long"
        )
    if s.longest_since is not None and s.rank > 1:
        text += f"; the last run at least this long ended {s.longest_since.date()}"
    return text + "."


def _runs_table(top: pd.DataFrame) -> str:
    lines = [
        f"{sessions(int(r.length))}, {r.start.date()} → {r.end.date()} ({pct(r.cumulative, 1)})"
        for r in top.itertuples()
    ]
    return "\n".join(lines)


async def load(query: StreakQuery, data: HistoryProvider) -> Pair:
    return await load_pair(data, query.small, query.large)


def build(query: StreakQuery, pair: Pair) -> Reply:
    full = pair.frame.index
    if query.as_of is not None:
        pair = pair.until(query.as_of)
        require_session(full, query.as_of, "as_of")
    if len(pair.frame) < 2:
        second = full[1].date() if len(full) > 1 else "none yet"
        raise UserError(
            f"{pair.as_of} is the first session {pair.small} and {pair.large} have in common: a streak "
            f"counts daily returns, and there is none before the second session ({second}). "
            "Pick a later `as_of`."
        )
    s = compute(pair.frame)
    sides = Sides(pair.small, pair.large)
    first = pair.frame.index[0].date()
    if s.sign == 0:
        headline = (
            f"No run: on {s.end.date()} {pair.small} and {pair.large} "
            "returned exactly the same, "
            "which ends any streak."
        )
    else:
        verb = "outperformed" if s.sign > 0 else "underperformed"
        words = sides.across_size and sides.indices  # "small caps" only for the index size pair
        who = sentence(sides.name(pair.small)) if words else pair.small_name
        than = sides.name(pair.large) if words else pair.large_name
        run = f"{s.length} consecutive sessions" if s.length > 1 else "1 session"
        headline = (
            f"{who} {'have' if words else 'has'} {verb} {than} for {run} as of {s.end.date()}, "
            f"since {s.start.date()}, a cumulative spread of {pct(s.cumulative)}. {_standing(s, first)}"
        )
    kind = "outperformance" if s.sign >= 0 else "underperformance"
    reply = Reply(
        title=f"{sides.title}: streak" + (f" as of {pair.as_of}" if query.as_of else ""),
        text=headline,
        fields=[
            Field("Current run", sessions(s.length), s.length, "sessions"),
            Field("Direction", sides.direction(s.sign), s.sign),
            Field("Started", str(s.start.date()) if s.sign else "—", None),
            Field("Cumulative spread", pct(s.cumulative), s.cumulative, "fraction"),
            Field("Rank", f"{s.rank:,} of {s.of_kind:,}" if s.sign else "—", s.rank if s.sign else None),
            Field(f"Longest {kind} runs since {first}", _runs_table(s.top), None, inline=False),
        ],
        as_of=pair.as_of,
        source=pair.source,
        notes=list(pair.notes),
    )
    recent = daily_spread(pair.frame).iloc[-CHART_SESSIONS:]
    charts.attach(
        reply,
        "streak.png",
        lambda: charts.streak_chart(
            recent,
            s.start if s.sign else None,
            f"Daily spread, {sides.difference}: current run {s.length} "
            f"({'ahead' if s.sign > 0 else 'behind' if s.sign < 0 else 'tie'})",
            str(pair.as_of),
        ),
    )
    if query.export:
        table = export.pair_table(pair.frame, pair.small, pair.large)
        table["run"] = run_position(pair.frame)
        as_of = f" as_of:{query.as_of}" if query.as_of else ""
        line = f"/streak small:{query.small} large:{query.large}{as_of}"
        export.attach(reply, "streak.csv", table, line, STREAK_DEFINITIONS)
    return reply


COMMAND = Command(
    name="streak",
    description="Current run of sessions small caps beat (or trailed) large caps, and how it ranks",
    example="/streak as_of:2026-01-15",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option("as_of", "Answer as it stood at the close of this date (YYYY-MM-DD)", kind="date"),
        SMALL_OPTION,
        LARGE_OPTION,
        export.OPTION,
    ),
)
