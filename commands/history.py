"""/history — the last times a signal fired on the small/large history, and what followed.

Signals on the aligned Russell 2000 / S&P 500 closes (price returns), each occurrence de-duplicated:
- ``streak`` N: an outperformance run (with ``direction:below``, an underperformance run: small caps
  trailing) reaching N sessions; a run counts once, on the session it reaches N (default N: today's
  run when it is of that kind, never less than 5);
- ``ratio_cross``: the small/large ratio closing above (or, with ``direction:below``, below) its
  200-day average after at least 5 sessions on the other side (debounce: N = 5);
- ``ratio_jump`` X: the ratio's 63-session (3-month) change above X% (default 10); an episode counts
  once, on its first session above X;
- ``january`` X: a January in which small caps beat large caps by more than X pp (default 0), on
  January's last session; every January is ranked, the newest one named.

The forward window starts at the close of the session the signal fired on. Horizons are sessions:
1w = 5, 1m = 21, 3m = 63, 6m = 126, 1y = 252. The figure is the small-minus-large spread over the
horizon; "kept leading" (after small caps trailed: "led") means that spread was positive.
Occurrences too recent for a horizon are listed but left out of that horizon's statistics. The base
rate is the same statistic over every session. Overlapping horizons are not independent draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import charts, export
from .escape import code
from .pair import HistoryProvider, Pair, load_pair
from .registry import Command, Option
from .reply import Field, Reply, UserError, plural, pp, sessions
from .streak import daily_spread, runs

HORIZONS = {"1w": 5, "1m": 21, "3m": 63, "6m": 126, "1y": 252}
SIGNALS = ("streak", "ratio_cross", "ratio_jump", "january")
DEBOUNCE = 5
JUMP_WINDOW = 63
ANECDOTAL = 10


@dataclass(frozen=True)
class HistoryQuery:
    signal: str
    threshold: float | None
    horizon: str
    direction: str
    detail: bool
    export: bool = False


@dataclass(frozen=True)
class Occurrences:
    dates: pd.DatetimeIndex
    values: pd.Series  # the signal's value on each date (run length, % jump, pp gap, ratio)
    label: str  # what fired, in words
    rule: str  # how occurrences were de-duplicated
    led: str = "kept leading"  # how a positive spread afterwards reads ("led" after small caps trailed)


# Sane ranges for a threshold, here and in alerts: a 63-session ratio change of more than 100% has
# never happened; a January gap beyond ±50 pp neither. A number outside (nan, 1e308) is refused before
# any work, never answered ("exceeding nan%").
THRESHOLDS = {"ratio_jump": (0.1, 100.0, "%"), "january": (-50.0, 50.0, "pp")}


def parse(options: Mapping[str, str]) -> HistoryQuery:
    signal = options.get("signal") or "streak"
    if signal not in SIGNALS:
        raise UserError(f"{code(signal, 20)} is not a signal: use {', '.join(SIGNALS)}.")
    raw = options.get("threshold")
    try:
        threshold = float(raw) if raw else None
    except ValueError:
        raise UserError(f"`threshold` is a number (got {code(raw, 20)}).") from None
    if (
        signal == "streak"
        and threshold is not None
        and not (1 <= threshold <= 100 and threshold.is_integer())
    ):
        raise UserError("For `streak`, the threshold is a whole number of sessions, 1 to 100.")
    if signal in THRESHOLDS and threshold is not None:
        low, high, unit = THRESHOLDS[signal]
        if not low <= threshold <= high:  # also refuses nan and inf, which compare false
            raise UserError(
                f"For `{signal}`, the threshold is {low:g} to {high:g} {unit} (got {code(raw, 20)})."
            )
    refuse_unused(signal, threshold, options.get("direction"))
    horizon = options.get("horizon") or "1m"
    if horizon not in HORIZONS:
        raise UserError(f"`horizon` is one of {', '.join(HORIZONS)}.")
    direction = options.get("direction") or "above"
    if direction not in ("above", "below"):
        raise UserError("`direction` is above or below.")
    detail = (options.get("detail") or "false").lower() in ("true", "yes")
    return HistoryQuery(signal, threshold, horizon, direction, detail, export.wanted(options))


WITHOUT_THRESHOLD = {
    "ratio_cross": "it fires on the ratio closing above (with `direction:below`, below) its 200-day average",
}
WITHOUT_DIRECTION = {
    "ratio_jump": "it is the ratio's 3-month change rising above the threshold",
    "january": "it is a January in which small caps beat large caps by more than the threshold",
}


def refuse_unused(signal: str, threshold: float | None, direction: str | None) -> None:
    """An option the chosen signal has no use for is refused with the reason, never ignored (and then
    echoed in a title as if it had been applied)."""
    if threshold is not None and signal in WITHOUT_THRESHOLD:
        raise UserError(
            f"`{signal}` has no threshold: {WITHOUT_THRESHOLD[signal]}. Leave out `threshold`."
        )
    if direction == "below" and signal in WITHOUT_DIRECTION:
        raise UserError(
            f"`{signal}` has no `direction:below`: {WITHOUT_DIRECTION[signal]}. Leave out `direction`."
        )


def streak_occurrences(frame: pd.DataFrame, n: int, sign: int = 1) -> Occurrences:
    """Runs of ``sign`` (+1 small ahead, -1 small trailing) reaching ``n`` sessions; the same run
    table, tie rule and counting as /streak."""
    table = runs(frame)
    long = table[(table["sign"] == sign) & (table["length"] >= n)]
    spread_index = daily_spread(frame).index
    fired = [spread_index[spread_index.get_loc(start) + n - 1] for start in long["start"]]
    kind = "outperformance" if sign > 0 else "underperformance"
    return Occurrences(
        pd.DatetimeIndex(fired),
        pd.Series(long["length"].to_numpy(), index=pd.DatetimeIndex(fired)),
        f"an {kind} streak reaching {sessions(n)}",
        "each run counts once, on the session it reached the threshold (its final length is shown)",
        "kept leading" if sign > 0 else "led",
    )


def cross_occurrences(frame: pd.DataFrame, direction: str) -> Occurrences:
    """Sessions closing on ``direction``'s side of the 200-day average after :data:`DEBOUNCE`
    sessions on the other (sessions without an average are on neither side).

    Counted in numpy over the whole history (the digest asks for both directions every build:
    6.3 -> 1.2 ms against the same rule in pandas' rolling windows, which a test keeps as reference)."""
    ratio = frame["small"] / frame["large"]
    sma = ratio.rolling(200).mean()
    r, s = ratio.to_numpy(), sma.to_numpy()
    has_average = ~np.isnan(s)
    above = r > s
    side = has_average & (above if direction == "above" else ~above)
    other = has_average & ~side
    # sessions on the other side among the DEBOUNCE before each session (none before the first ones)
    before = np.cumsum(np.r_[0, other])
    was_other = np.zeros(len(r), bool)
    if len(r) > DEBOUNCE:  # fewer sessions cannot have DEBOUNCE before one (and the slices would not align)
        was_other[DEBOUNCE:] = before[DEBOUNCE:-1] - before[: len(r) - DEBOUNCE] == DEBOUNCE
    fired = ratio.index[side & was_other]
    return Occurrences(
        fired,
        (ratio / sma - 1).loc[fired] * 100,
        f"the ratio closing {direction} its 200-day average",
        f"a cross counts only after {DEBOUNCE} sessions on the other side",
        "kept leading" if direction == "above" else "led",  # below: small caps had just been trailing
    )


def jump_occurrences(frame: pd.DataFrame, pct: float) -> Occurrences:
    ratio = frame["small"] / frame["large"]
    change = (ratio / ratio.shift(JUMP_WINDOW) - 1) * 100
    over = change > pct
    fired = ratio.index[over & ~over.shift(1, fill_value=False)]
    return Occurrences(
        fired,
        change.loc[fired],
        f"the ratio's 3-month change exceeding {pct:g}%",
        "an episode counts once, on its first session above the threshold",
    )


def january_returns(frame: pd.DataFrame) -> pd.DataFrame:
    """Each January's returns (last close of December to last close of January) and the spread."""
    month_end = frame.groupby(frame.index.to_period("M")).tail(1)
    returns = (month_end / month_end.shift(1) - 1)[lambda r: r.index.month == 1].dropna()
    return returns.assign(gap=returns["small"] - returns["large"])


def january_gaps(frame: pd.DataFrame) -> pd.Series:
    return january_returns(frame)["gap"]


def january_occurrences(frame: pd.DataFrame, pp_threshold: float) -> Occurrences:
    gaps = january_gaps(frame)
    fired = gaps[gaps * 100 > pp_threshold]
    return Occurrences(
        fired.index,
        fired * 100,
        f"a January with small caps ahead by more than {pp_threshold:g} pp",
        "one per year, on January's last session",
    )


def forward_spreads(frame: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Spread over each horizon after each date (NaN where the horizon runs past the data)."""
    positions = frame.index.get_indexer(dates)
    small, large = frame["small"].to_numpy(), frame["large"].to_numpy()
    out = {}
    for name, h in HORIZONS.items():
        ahead = positions + h
        ok = ahead < len(frame)
        values = np.full(len(positions), np.nan)
        values[ok] = (small[ahead[ok]] / small[positions[ok]]) - (large[ahead[ok]] / large[positions[ok]])
        out[name] = values
    return pd.DataFrame(out, index=dates)


def base_rate(frame: pd.DataFrame) -> pd.DataFrame:
    return forward_spreads(frame, frame.index)


def stats(values: pd.Series) -> dict[str, float]:
    v = values.dropna()
    if v.empty:
        return {
            "n": 0,
            "share": float("nan"),
            "median": float("nan"),
            "min": float("nan"),
            "max": float("nan"),
        }
    return {
        "n": len(v),
        "share": float((v > 0).mean()),
        "median": float(v.median()),
        "min": float(v.min()),
        "max": float(v.max()),
    }


DEFAULT_THRESHOLDS = {"ratio_jump": 10.0, "january": 0.0}


def threshold_of(query: HistoryQuery, frame: pd.DataFrame) -> float | None:
    """The threshold applied: the one given, else the signal's default (a streak: today's run when it
    is of the asked kind, never less than 5); None for ``ratio_cross``, which has none."""
    if query.threshold is not None:
        return query.threshold
    if query.signal == "streak":
        sign = -1 if query.direction == "below" else 1
        current = runs(frame).iloc[-1]
        return float(max(5, int(current["length"]) if current["sign"] == sign else 0))
    return DEFAULT_THRESHOLDS.get(query.signal)


def occurrences(query: HistoryQuery, frame: pd.DataFrame) -> Occurrences:
    threshold = threshold_of(query, frame)
    if query.signal == "streak":
        assert threshold is not None
        return streak_occurrences(frame, int(threshold), -1 if query.direction == "below" else 1)
    if query.signal == "ratio_cross":
        return cross_occurrences(frame, query.direction)
    assert threshold is not None
    if query.signal == "ratio_jump":
        return jump_occurrences(frame, threshold)
    return january_occurrences(frame, threshold)


def title(query: HistoryQuery, frame: pd.DataFrame) -> str:
    """The signal as applied, defaults included: "streak of 5 sessions, small caps ahead"."""
    threshold = threshold_of(query, frame)
    if query.signal == "streak":
        assert threshold is not None
        side = "small caps trailing" if query.direction == "below" else "small caps ahead"
        return f"What followed: streak of {sessions(int(threshold))}, {side}"
    if query.signal == "ratio_cross":
        return f"What followed: ratio_cross, {query.direction} its 200-day average"
    unit = "%" if query.signal == "ratio_jump" else " pp"
    return f"What followed: {query.signal} above {threshold:g}{unit}"


def _kept(s: dict) -> int:
    return round(s["share"] * s["n"])


def summary_line(name: str, s: dict, base: dict, led: str = "kept leading") -> str:
    if s["n"] == 0:
        return "no occurrence with a complete window"
    tag = " (anecdotal: fewer than 10)" if s["n"] < ANECDOTAL else ""
    return (
        f"small caps {led} in {_kept(s):,} of {s['n']:,}{tag}; median {pp(s['median'])}, "
        f"range {pp(s['min'])} to {pp(s['max'])} · all sessions: {base['share'] * 100:.0f}% of "
        f"{base['n']:,}, median {pp(base['median'])}"
    )


async def load(query: HistoryQuery, data: HistoryProvider) -> Pair:
    return await load_pair(data, "^RUT", "^GSPC")


def build(query: HistoryQuery, pair: Pair) -> Reply:
    frame = pair.frame
    occ = occurrences(query, frame)
    forward = forward_spreads(frame, occ.dates)
    base = base_rate(frame)
    fields = [
        Field(
            f"After {name}",
            summary_line(name, stats(forward[name]), stats(base[name]), occ.led),
            stats(forward[name])["share"],
            "share",
            inline=False,
        )
        for name in HORIZONS
    ]
    n = len(occ.dates)
    text = f"{plural(n, 'occurrence')} of {occ.label} since {frame.index[0].date()}"
    text += f" ({occ.rule}); forward windows start at the signal's close. "
    h = stats(forward[query.horizon])
    if h["n"]:
        text += (
            f"Over the next {query.horizon}, small caps {occ.led} in {_kept(h):,} of {h['n']:,} "
            f"(all sessions: {stats(base[query.horizon])['share'] * 100:.0f}%). "
        )
    if n and n < ANECDOTAL:
        text += "Fewer than 10 occurrences: anecdotal, not a probability. "
    text += "Overlapping windows are not independent."
    if query.signal == "january":
        text += " " + january_ranking(frame)
    if query.detail:
        rows = [
            f"{d.date()} ({occ.values.loc[d]:.1f}): "
            + ", ".join(f"{k} {pp(v, 1) if not np.isnan(v) else '—'}" for k, v in forward.loc[d].items())
            for d in occ.dates[-20:]
        ]
        fields.append(
            Field(
                "Occurrences" + (" (newest 20)" if n > 20 else ""),
                "\n".join(rows) or "none",
                None,
                inline=False,
            )
        )
    reply = Reply(
        title=title(query, frame),
        text=text,
        fields=fields,
        as_of=pair.as_of,
        source=pair.source,
        notes=list(pair.notes),
    )
    charts.attach(
        reply,
        "history.png",
        lambda: charts.history_chart(
            *paths(frame, occ.dates, HORIZONS[query.horizon]),
            f"Ratio after {occ.label}, next {query.horizon} (n={n})",
            str(pair.as_of),
        ),
    )
    if query.export:
        table = pd.DataFrame(
            {
                "signal value": occ.values,
                "^RUT close": frame["small"].reindex(occ.dates),
                "^GSPC close": frame["large"].reindex(occ.dates),
                "ratio": (frame["small"] / frame["large"]).reindex(occ.dates),
                **{f"spread next {k} ({h} sessions)": forward[k] for k, h in HORIZONS.items()},
            },
            index=occ.dates.rename("date"),
        )
        applied = threshold_of(query, frame)  # the default too: the line says what was applied
        threshold = f" threshold:{applied:g}" if applied is not None else ""
        line = (
            f"/history signal:{query.signal}{threshold} direction:{query.direction} horizon:{query.horizon}"
        )
        rates = {k: stats(base[k]) for k in HORIZONS}
        definitions = (
            f"occurrence = {occ.label}; {occ.rule}",
            "spread next h = small's return - large's over the h sessions after the signal's close",
            *(
                f"base rate {k}: spread > 0 in {r['share'] * 100:.1f}% of {r['n']:,} sessions, "
                f"median {pp(r['median'])}"
                for k, r in rates.items()
            ),
        )
        export.attach(reply, "history.csv", table, line, definitions)
    return reply


def paths(frame: pd.DataFrame, dates: pd.DatetimeIndex, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Each occurrence's ratio path over ``h`` sessions rebased to 100, and the all-session 10/50/90% band."""
    ratio = (frame["small"] / frame["large"]).to_numpy()
    windows = np.lib.stride_tricks.sliding_window_view(ratio, h + 1)
    rebased = windows / windows[:, :1] * 100
    positions = frame.index.get_indexer(dates)
    positions = positions[positions < len(rebased)]
    band = np.percentile(rebased, [10, 50, 90], axis=0)
    return rebased[positions], band


def january_ranking(frame: pd.DataFrame) -> str:
    """Rank the newest January twice: by the small-cap index's own return (what "its strongest January"
    claims) and by the spread over large caps."""
    table = january_returns(frame)
    newest = table.index.max()
    parts = []
    for column, what in (("small", "Russell 2000 return"), ("gap", "spread over the S&P 500")):
        ranked = table[column].sort_values(ascending=False)
        rank = int(ranked.index.get_loc(newest)) + 1
        stronger = [
            f"{d.year} ({pct_or_pp(column, v)})"
            for d, v in ranked.items()
            if v > ranked.loc[newest] and d.year >= newest.year - 10
        ]
        text = (
            f"by {what}, January {newest.year} ({pct_or_pp(column, ranked.loc[newest])}) ranks {rank} of "
            f"{len(ranked)} since {ranked.index.min().year}"
        )
        if stronger:
            text += f", behind {', '.join(stronger)} within the previous decade"
        parts.append(text)
    return "Januaries: " + "; ".join(parts) + "."


def pct_or_pp(column: str, value: float) -> str:
    return pp(value, 1) if column == "gap" else f"{value * 100:+.1f}%"


def what_followed(
    frame: pd.DataFrame, occ: Occurrences, session: pd.Timestamp, who: str = "small caps"
) -> str:
    """One sentence: the signal fired on ``session``; what followed the earlier times, with the count.
    ``who`` is the frame's first side as :class:`commands.leads.Sides` names it (/digest takes any pair)."""
    earlier = occ.dates[occ.dates < session]
    s = stats(forward_spreads(frame, earlier)["1m"])
    if not s["n"]:
        return f"{occ.label.capitalize()} on {session.date()}: the first time in the data."
    tag = ", anecdotal" if s["n"] < ANECDOTAL else ""
    return (
        f"{occ.label.capitalize()} on {session.date()}. After the {plural(s['n'], 'earlier time')}, "
        f"{who} {occ.led} over the next month in {_kept(s):,} of {s['n']:,} "
        f"(median {pp(s['median'])}{tag})."
    )


def fires_on(query: HistoryQuery, frame: pd.DataFrame) -> Occurrences | None:
    """The signal's occurrences if it fired on the frame's last session, else None."""
    occ = occurrences(query, frame)
    return occ if len(occ.dates) and occ.dates[-1] == frame.index[-1] else None


def fired_today(frame: pd.DataFrame, who: str = "small caps") -> str | None:
    """The digest's line: a signal firing on the newest session, and what followed it historically."""
    current = runs(frame).iloc[-1]
    candidates = []
    if current["sign"] == 1 and current["length"] >= 5:
        candidates.append(HistoryQuery("streak", float(current["length"]), "1m", "above", False))
    candidates += [HistoryQuery("ratio_cross", None, "1m", d, False) for d in ("above", "below")]
    candidates.append(HistoryQuery("ratio_jump", 10.0, "1m", "above", False))
    for query in candidates:
        if (occ := fires_on(query, frame)) is not None:
            return "Signal: " + what_followed(frame, occ, frame.index[-1], who)
    return None


COMMAND = Command(
    name="history",
    description="What usually followed: past occurrences of a signal and the spread after them",
    example="/history signal:streak threshold:11",
    parse=parse,
    load=load,
    build=build,
    options=(
        Option("signal", "streak, ratio_cross, ratio_jump or january", choices=SIGNALS),
        Option("threshold", "streak: sessions; ratio_jump: %; january: pp (defaults in /help)"),
        Option("horizon", "Highlighted horizon and chart window (default 1m)", choices=tuple(HORIZONS)),
        Option(
            "direction",
            "above (default) or below (streak: small caps trailing; ratio_cross: under the average)",
            choices=("above", "below"),
        ),
        Option("detail", "List every occurrence with its dates (true/false)", kind="boolean"),
        export.OPTION,
    ),
)
