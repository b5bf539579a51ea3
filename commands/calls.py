"""Team calls: a member's view ("small caps lead over the next 3 months"), its terms, its result, the record.

Definitions, chosen so a call sits beside /history's base rate and nobody can call a move that has
already happened:
- **horizon** in NYSE sessions, as in /history: 1w = 5, 1m = 21, 3m = 63, 6m = 126, 1y = 252;
- **start session**: the first session whose close comes after the moment of the call (a call made at
  15:00 New York time starts at that day's close, one made at 16:05 at the next session's close); its
  close is the window's base;
- **end session**: ``h`` sessions after the start session on the NYSE calendar; the call is resolved
  on its final close (the close plus the settling delay, as for the daily update);
- **spread** over the window: small's return minus large's return from the base close to the end
  close, in percentage points (``history.forward_spreads``'s figure);
- **right**: the called side led, a spread > 0 for *small*, < 0 for *large*; exactly 0 is right for
  neither. **Captured**: the spread in the direction called (+spread for small, -spread for large);
- **base rate**: the share of every ``h``-session window in the pair's history in which that side led
  (``history.base_rate``); **always small / always large**: the hit rate the same windows would have
  given a member who always called that side.

Rules that keep it honest (the cog enforces them with these constants): a call is never edited; its
caller may withdraw it within :data:`WITHDRAW_WINDOW`; a member has at most :data:`MAX_OPEN` open
calls per pair and horizon; a call whose window can never be scored is refused (:func:`refusal`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from data.errors import DataError
from data.universe import LARGE_DEFAULT, SMALL_DEFAULT, display_name, normalize_ticker

from . import charts
from .escape import escape
from .history import HORIZONS, base_rate
from .pages import FIELD_ROOM, FIELDS_ROOM, paginate
from .pair import HistoryProvider, Pair, load_pair
from .registry import Worker, run_inline
from .reply import Field, Reply, UserError, pct, pp
from .theme import DEFAULT_THEME, themed
from .visible import has_visible, strip_invisible

if TYPE_CHECKING:  # builds run in the workers, which never import SQLAlchemy or the trading calendar
    from data.calendar import TradingCalendar
    from data.state import Call

log = logging.getLogger(__name__)

SIDES = ("small", "large")
MAX_OPEN = 3
WITHDRAW_WINDOW = dt.timedelta(minutes=5)
NOTE_LIMIT = 200
BEHIND_LIMIT = 3  # live data more sessions behind than this is not being kept up to date
MEMBERS_PER_PAGE = 8
CALLS_PER_PAGE = 12
RESULT_TITLE = "Call #{number} resolved"  # the delivery engine finds an earlier post by this prefix
NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class CallRequest:
    side: str
    horizon: str
    small: str
    large: str
    note: str | None


def parse_pair(raw: str | None) -> tuple[str, str]:
    """``IWM/SPY``, ``IWM vs SPY``, ``IWM SPY`` -> ("IWM", "SPY"); empty -> the Russell 2000 and S&P 500."""
    if not raw or not raw.strip():
        return SMALL_DEFAULT, LARGE_DEFAULT
    parts = [p for p in re.split(r"\s*(?:/|,|\bvs\.?\b|\bversus\b|\s)\s*", raw.strip(), flags=re.I) if p]
    if len(parts) != 2:
        raise UserError(
            f"`{raw[:40]}` is not a pair: give the small side then the large side, e.g. `IWM/SPY` "
            "(default: the Russell 2000 against the S&P 500)."
        )
    try:
        small, large = (normalize_ticker(p) for p in parts)
    except DataError as exc:
        raise UserError(str(exc)) from None
    if small == large:
        raise UserError(f"Both sides of the pair are `{small}`: a call needs two different series.")
    return small, large


def parse(options: Mapping[str, str]) -> CallRequest:
    side = (options.get("side") or "").strip().lower()
    if side not in SIDES:
        raise UserError("A call names the side that will lead: `small` or `large`, e.g. `/call small 3m`.")
    horizon = (options.get("horizon") or "").strip().lower()
    if horizon not in HORIZONS:
        raise UserError(f"A call's horizon is one of {', '.join(HORIZONS)} (sessions as in /history).")
    small, large = parse_pair(options.get("pair"))
    typed = options.get("note") or ""
    note = strip_invisible(typed.replace("`", "'")) or None  # measured as shown: padding never counts
    if typed.strip() and (note is None or not has_visible(note)):
        raise UserError("A call's note needs at least one visible character; leave `note` out for none.")
    if note is not None and len(note) > NOTE_LIMIT:
        raise UserError(f"A call's note is at most {NOTE_LIMIT} characters (this one has {len(note)}).")
    return CallRequest(side, horizon, small, large, note)


def window(calendar: TradingCalendar, made_at: dt.datetime, horizon: str) -> tuple[dt.date, dt.date]:
    """(start session, end session) of a call made at ``made_at`` (aware)."""
    h = HORIZONS[horizon]
    day = made_at.astimezone(NEW_YORK).date()
    sessions = calendar.sessions_between(day, day + dt.timedelta(days=2 * h + 30))
    first = next((i for i, s in enumerate(sessions[:3]) if calendar.close_of(s) > made_at), None)
    if first is None or first + h >= len(sessions):
        raise UserError(
            "The NYSE calendar I have does not reach the end of that window yet; try a shorter horizon."
        )
    return sessions[first], sessions[first + h]


def refusal(
    end: dt.date,
    data_last: dt.date,
    live: bool,
    sessions_behind: int,
    pair_name: str,
    stale: str | None = None,
) -> str | None:
    """Why a call whose window ends on ``end`` could never be scored, or None when it can be.

    The data already reaches ``end`` (a replay of the past): fine. Otherwise the closes must still come:
    with live data off the data never grows, and with live data on a pair more than
    :data:`BEHIND_LIMIT` sessions behind the newest close is not being kept up to date (a delisted
    fund, a series the live source does not carry, or the live source failing right now: ``stale``,
    its note, is quoted so the member can tell an outage, worth another try later, from the rest)."""
    if data_last >= end:
        return None
    if not live:
        return (
            f"Live data is off and the data for {pair_name} ends on {data_last}, so a window ending on "
            f"{end} could never be scored: I won't record a call that cannot be resolved."
        )
    if sessions_behind > BEHIND_LIMIT:
        why = f" ({stale.rstrip('.')})" if stale else ""
        return (
            f"The data for {pair_name} ends on {data_last}, {sessions_behind} sessions behind the newest "
            f"close{why}: it is not being kept up to date, so a window ending on {end} could not be scored. "
            "I won't record a call that may never be resolved; if the live source is down, try again later."
        )
    return None


def open_from(final_through: dt.date) -> dt.date:
    """Calls ending on or after this date are open: their end session's close is not final yet."""
    return final_through + dt.timedelta(days=1)


def too_many(open_calls: list[Call], request: CallRequest) -> str:
    numbers = ", ".join(f"#{c.number}" for c in open_calls)
    first = min(c.end for c in open_calls)
    return (
        f"You already have {len(open_calls)} open calls on {pair_label(request.small, request.large)} over "
        f"{request.horizon} ({numbers}); at most {MAX_OPEN} per pair and horizon. The first one closes on "
        f"{first}; or call another horizon."
    )


def withdraw_refusal(call: Call | None, number: int, user_id: int, now: dt.datetime) -> str | None:
    """Why ``user_id`` cannot withdraw call ``number`` now, or None: only its caller, only within
    :data:`WITHDRAW_WINDOW` of making it."""
    if call is None or call.withdrawn_at is not None:
        return f"There is no standing call #{number} in this server."
    if call.user_id != user_id:
        return f"Only {escape(call.user_name)}, who made call #{number}, can withdraw it."
    if now - call.made_at > WITHDRAW_WINDOW:
        minutes = WITHDRAW_WINDOW.seconds // 60
        return (
            f"Call #{number} was made more than {minutes} minutes ago ({call.made_at:%Y-%m-%d %H:%M} UTC), "
            f"so it stands: it will be scored on the close of {call.end}."
        )
    return None


def calls_reply(
    calls: list[Call],
    frames: Mapping[tuple[str, str], pd.DataFrame],
    final_through: dt.date,
    *,
    today: dt.date,
    status: str | None,
    who: str | None,
    page: int,
    source: str,
) -> Reply:
    """/calls in one pure step (scoring and layout), for the worker pool. Closes after ``today`` are
    left out (a replay of the past must not see its future)."""
    frames = {k: f.loc[: pd.Timestamp(today)] for k, f in frames.items()}
    frames = {k: f for k, f in frames.items() if len(f)}
    scored = score(calls, frames, final_through)
    as_of = min((f.index[-1].date() for f in frames.values()), default=final_through)
    return record_reply(scored, status=status, who=who, page=page, as_of=as_of, source=source)


# -- terms, results and the record: pure functions of a call and its pair's frame ------------------


@dataclass(frozen=True)
class BaseRate:
    n: int
    small: float  # share of windows in which small led
    large: float  # share in which large led
    since: dt.date

    def share(self, side: str) -> float:
        return self.small if side == "small" else self.large


def base_rates(frame: pd.DataFrame, horizon: str) -> BaseRate:
    """/history's base rate for one horizon: every window of that length in the pair's history."""
    spreads = base_rate(frame)[horizon].dropna()
    if spreads.empty:
        return BaseRate(0, math.nan, math.nan, frame.index[0].date())
    return BaseRate(
        len(spreads), float((spreads > 0).mean()), float((spreads < 0).mean()), frame.index[0].date()
    )


def _rate(share: float) -> str:
    return "n/a (no complete window in the data)" if math.isnan(share) else f"{share * 100:.0f}%"


def side_name(call: Call | CallRequest) -> str:
    ticker = call.small if call.side == "small" else call.large
    if (call.small, call.large) == (SMALL_DEFAULT, LARGE_DEFAULT):
        return f"{call.side} caps ({ticker})"
    return display_name(ticker)


def pair_label(small: str, large: str) -> str:
    return f"{small} vs {large}"


def terms_reply(call: Call, pair: Pair) -> Reply:
    """The answer to a call: its terms and the base rate of that side over that horizon."""
    h = HORIZONS[call.horizon]
    base = base_rates(pair.frame, call.horizon)
    other = "large" if call.side == "small" else "small"
    text = (
        f"{escape(call.user_name)} calls {side_name(call)} to lead {other} over the next {call.horizon} "
        f"({h} sessions): from the close of {call.start} to the close of {call.end}. I'll resolve it on "
        f"{call.end}'s final close and post the result here. "
        f"Base rate: since {base.since}, {call.side} led in {_rate(base.share(call.side))} of "
        f"{base.n:,} windows of {h} sessions (overlapping, so not independent draws). "
        f"A call can't be edited; withdraw it within {WITHDRAW_WINDOW.seconds // 60} minutes with "
        f"`/call-withdraw number:{call.number}`."
    )
    if call.note:
        text += f"\nNote: “{escape(call.note)}”"
    fields = [
        Field("Side", call.side),
        Field("Horizon", f"{call.horizon} ({h} sessions)", h, "sessions"),
        Field("Pair", pair_label(call.small, call.large)),
        Field("Window", f"{call.start} → {call.end}"),
        Field(f"Base rate ({call.side})", _rate(base.share(call.side)), base.share(call.side), "share"),
    ]
    return Reply(
        title=f"Call #{call.number}: {call.side} leads over {call.horizon}",
        text=text,
        fields=fields,
        as_of=pair.as_of,
        source=pair.source,
        notes=list(pair.notes),
    )


@dataclass(frozen=True)
class Outcome:
    status: str  # "closed" (resolved on the end's final close) | "open" (provisional) | "pending"
    spread: float = math.nan  # small's return minus large's over the window (so far, when open)
    small_return: float = math.nan
    large_return: float = math.nan
    through: dt.date | None = None  # the close the figures run to
    right: bool | None = None  # closed: the called side led; open: it leads so far
    captured: float = math.nan  # the spread in the direction called


def outcome(call: Call, frame: pd.DataFrame, final_through: dt.date) -> Outcome:
    """Score a call on its pair's frame. ``final_through``: the newest session whose close is final;
    a call is closed when its end session is final and in the frame, otherwise it stands as of the
    newest close (provisional), or is pending while its base close is not in yet."""
    index = frame.index
    base_pos = int(index.searchsorted(pd.Timestamp(call.start)))
    if base_pos >= len(index) or index[base_pos].date() > min(call.end, final_through):
        return Outcome("pending")
    end_ts = pd.Timestamp(call.end)
    closed = call.end <= final_through and index[-1] >= end_ts
    end_pos = int(index.searchsorted(end_ts, side="right")) - 1 if closed else len(index) - 1
    base, last = frame.iloc[base_pos], frame.iloc[end_pos]
    small_r, large_r = last["small"] / base["small"] - 1, last["large"] / base["large"] - 1
    spread = small_r - large_r
    captured = spread if call.side == "small" else -spread
    return Outcome(
        "closed" if closed else "open",
        float(spread),
        float(small_r),
        float(large_r),
        index[end_pos].date(),
        bool(captured > 0),
        float(captured),
    )


def _verdict(o: Outcome) -> str:
    if o.status == "closed":
        return "right" if o.right else "wrong"
    return "ahead so far" if o.right else "behind so far"


def result_reply(call: Call, pair: Pair, final_through: dt.date) -> Reply:
    """The post when a call's window closes: the spread over the window, right or wrong, a chart."""
    o = outcome(call, pair.frame, final_through)
    if o.status != "closed":
        raise ValueError(f"call {call.id} is not closed as of {final_through}")
    base = base_rates(pair.frame.loc[: pd.Timestamp(call.end)], call.horizon)  # as known at the end
    title = RESULT_TITLE.format(number=call.number) + f": {_verdict(o)}"
    text = (
        f"{escape(call.user_name)} called {side_name(call)} to lead over {call.horizon}, from the close "
        f"of {call.start} to the close of {call.end}. {display_name(call.small)} returned "
        f"{pct(o.small_return)}, {display_name(call.large)} {pct(o.large_return)}: a spread of "
        f"{pp(o.spread)}, so the call was {_verdict(o)} ({pp(o.captured)} captured). "
        f"Base rate for that call: {_rate(base.share(call.side))} of {base.n:,} windows since {base.since}."
    )
    if call.note:
        text += f"\nNote: “{escape(call.note)}”"
    fields = [
        Field("Spread", pp(o.spread), o.spread, "pp"),
        Field("Result", _verdict(o), int(bool(o.right))),
        Field(f"Base rate ({call.side})", _rate(base.share(call.side)), base.share(call.side), "share"),
    ]
    window_frame = pair.frame.loc[pd.Timestamp(call.start) : pd.Timestamp(call.end)]
    spread_path = (window_frame["small"] / window_frame["small"].iloc[0]) - (
        window_frame["large"] / window_frame["large"].iloc[0]
    )
    reply = Reply(
        title=f"{title} — {call.side} over {call.horizon}",
        text=text,
        fields=fields,
        as_of=call.end,
        source=pair.source,
        notes=list(pair.notes),
    )
    title = f"Call #{call.number}: {call.side} over {call.horizon}, {pair_label(call.small, call.large)}"
    charts.attach(
        reply,
        f"call-{call.number}.png",
        lambda: charts.call_chart(spread_path, call.side, str(call.end), title, str(call.end)),
    )
    return reply


def result_replies(calls: list[Call], pair: Pair, final_through: dt.date) -> list[tuple[Call, Reply]]:
    """Every closed call of one pair, built in one worker round trip."""
    return [
        (c, result_reply(c, pair, final_through))
        for c in calls
        if outcome(c, pair.frame, final_through).status == "closed"
    ]


@dataclass(frozen=True)
class Scored:
    call: Call
    outcome: Outcome
    base: float  # base rate of the called side over the call's horizon


def score(
    calls: list[Call], frames: Mapping[tuple[str, str], pd.DataFrame], final_through: dt.date
) -> list[Scored]:
    """Each call with its outcome and base rate (calls of a pair without a frame are left out)."""
    rates: dict[tuple[str, str, str], BaseRate] = {}
    scored = []
    for call in calls:
        frame = frames.get((call.small, call.large))
        if frame is None:
            continue
        key = (call.small, call.large, call.horizon)
        if key not in rates:
            rates[key] = base_rates(frame, call.horizon)
        scored.append(Scored(call, outcome(call, frame, final_through), rates[key].share(call.side)))
    return scored


@dataclass(frozen=True)
class MemberRecord:
    user_id: int
    name: str
    n: int
    hits: int
    captured: float  # mean spread captured, in the direction called
    base: float  # mean base rate of the sides and horizons called: what calling at random would expect
    always_small: int  # hits had the member called small on the same windows
    always_large: int
    mean_spread: float  # mean spread of the windows (always small captures it, always large its negative)


def records(scored: list[Scored]) -> list[MemberRecord]:
    """Per member, over closed calls: hit rate and mean spread captured, against the base rate and
    against always calling the same side on the same windows. Most calls first."""
    closed = [s for s in scored if s.outcome.status == "closed"]
    if not closed:
        return []
    table = pd.DataFrame(
        {
            "user_id": [s.call.user_id for s in closed],
            "name": [s.call.user_name for s in closed],
            "hit": [bool(s.outcome.right) for s in closed],
            "captured": [s.outcome.captured for s in closed],
            "spread": [s.outcome.spread for s in closed],
            "base": [s.base for s in closed],
        }
    )
    grouped = table.groupby("user_id", sort=False).agg(
        name=("name", "last"),
        n=("hit", "size"),
        hits=("hit", "sum"),
        captured=("captured", "mean"),
        base=("base", "mean"),
        always_small=("spread", lambda s: int((s > 0).sum())),
        always_large=("spread", lambda s: int((s < 0).sum())),
        mean_spread=("spread", "mean"),
    )
    grouped = grouped.sort_values(["n", "hits"], ascending=False, kind="stable")
    return [
        MemberRecord(
            int(uid),
            r["name"],
            int(r["n"]),
            int(r["hits"]),
            float(r["captured"]),
            float(r["base"]),
            int(r["always_small"]),
            int(r["always_large"]),
            float(r["mean_spread"]),
        )
        for uid, r in grouped.iterrows()
    ]


def _share(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n * 100:.0f}%)"


def member_line(m: MemberRecord) -> tuple[str, str]:
    base = "n/a" if math.isnan(m.base) else f"{m.base * 100:.0f}%"
    name = f"{escape(m.name)}: {_share(m.hits, m.n)} right"
    value = (
        f"avg captured {pp(m.captured)} · base rate {base} · always small {_share(m.always_small, m.n)}, "
        f"{pp(m.mean_spread)} · always large {_share(m.always_large, m.n)}, {pp(-m.mean_spread)}"
    )
    return name, value


def call_line(s: Scored) -> str:
    c, o = s.call, s.outcome
    head = f"#{c.number} {escape(c.user_name)} · {c.side} {c.horizon} · {pair_label(c.small, c.large)}"
    if o.status == "pending":
        return f"{head} · starts at the close of {c.start}, ends {c.end}"
    if o.status == "open":
        return f"{head} · ends {c.end} · {pp(o.spread)} to {o.through}, {_verdict(o)} (provisional)"
    mark = "✅" if o.right else "❌"
    return f"{head} · {c.start}→{c.end} · {pp(o.spread)} {mark}"


def _lines_field(name: str, lines: list[str], count: int) -> Field:
    """One page of call lines (already cut to fit a field by :func:`_call_pages`)."""
    return Field(name, "\n".join(lines) or "none", count, "calls", inline=False)


def _call_pages(lines: list[str]) -> list[range]:
    """At most ``CALLS_PER_PAGE`` lines a page, and no more than one field holds: long names
    (escaped) made the field's twelfth line fall off, and the next page started after it."""
    return paginate([min(len(line), FIELD_ROOM) + 1 for line in lines], CALLS_PER_PAGE, FIELD_ROOM)


def _member_pages(fields: list[Field]) -> list[range]:
    room = FIELDS_ROOM - FIELD_ROOM - 100  # beside them: the call lines' field and its name
    return paginate([len(f.name) + len(f.value) for f in fields], MEMBERS_PER_PAGE, room)


def record_reply(
    scored: list[Scored],
    *,
    status: str | None,
    who: str | None,
    page: int,
    as_of: dt.date,
    source: str,
) -> Reply:
    """/calls: a server's (or one member's) record over closed calls, and the open calls' standing."""
    members = records(scored)
    closed = [s for s in scored if s.outcome.status == "closed"]
    open_ = [s for s in scored if s.outcome.status != "closed"]
    member_fields = []
    for m in members:
        name, value = member_line(m)
        member_fields.append(Field(name, value, m.hits / m.n, "share", inline=False))
    member_cut = _member_pages(member_fields) if status != "open" else [range(0)]
    listed = closed if status == "closed" else open_  # without a status: the record and the open calls
    lines = [call_line(s) for s in reversed(listed)]
    call_cut = _call_pages(lines)
    pages = max(len(member_cut), len(call_cut))
    if page > pages:
        raise UserError(f"There {'is' if pages == 1 else 'are'} only {pages} page{'s' if pages > 1 else ''}.")
    whose = f"by {escape(who)}" if who else "in this server"
    if not scored:
        return Reply(
            title=f"Calls {whose}",
            text="No calls yet. Make one with `/call side:small horizon:3m`, or mention me in a thread: "
            "“call small 3m”.",
            as_of=as_of,
            source=source,
        )
    fields: list[Field] = []
    text_parts = []
    if status != "open":
        if closed:
            hits = sum(bool(s.outcome.right) for s in closed)
            spread = np.array([s.outcome.spread for s in closed])
            bases = [s.base for s in closed if not math.isnan(s.base)]
            base = float(np.mean(bases)) if bases else math.nan
            text_parts.append(
                f"{len(closed)} closed call{'s' if len(closed) != 1 else ''} by {len(members)} "
                f"member{'s' if len(members) != 1 else ''}: {_share(hits, len(closed))} right, avg captured "
                f"{pp(float(np.mean([s.outcome.captured for s in closed])))}; base rate for the same calls "
                f"{_rate(base)}; always small {_share(int((spread > 0).sum()), len(closed))}, always large "
                f"{_share(int((spread < 0).sum()), len(closed))}."
            )
        else:
            text_parts.append("No call has closed yet.")
        if page <= len(member_cut):
            fields += [member_fields[i] for i in member_cut[page - 1]]
    if status != "closed":
        text_parts.append(
            f"{len(open_)} open call{'s' if len(open_) != 1 else ''}: standings are provisional, "
            f"as of the close of {as_of}."
        )
    chunk = [lines[i] for i in call_cut[page - 1]] if page <= len(call_cut) else []
    label = "Closed calls" if status == "closed" else "Open calls (provisional)"
    if chunk or status is not None:
        fields.append(_lines_field(label, chunk, len(chunk)))
    if pages > 1:
        text_parts.append(f"Page {page} of {pages}: `page:{page + 1 if page < pages else 1}` for more.")
    text_parts.append(
        "Right = the called side led over the window; captured = the spread in the called direction."
    )
    return Reply(
        title=f"Calls {whose}" + (f" — {status}" if status else ""),
        text=" ".join(text_parts),
        fields=fields,
        as_of=as_of,
        source=source,
    )


# -- mentions: "@rotation-bot call small 3m IWM/SPY because ..." ------------------------------------

_CALL = re.compile(r"^\s*(?:i\s+)?call\s+(.*)$", re.I | re.S)
_NOTE = re.compile(r"\s*(?:\bbecause\b|\bnote:?|[—–]|--|:)\s*(.*)$", re.I | re.S)
_SPOKEN_HORIZON = [
    (r"\b(?:1w|one week|a week|1 week|week)\b", "1w"),
    (r"\b(?:1y|one year|a year|1 year|12 months|year)\b", "1y"),
    (r"\b(?:6m|six months|6 months|half a year)\b", "6m"),
    (r"\b(?:3m|three months|3 months|quarter|a quarter)\b", "3m"),
    (r"\b(?:1m|one month|a month|1 month|month)\b", "1m"),
]
_PAIR = re.compile(r"(\$?\^?[A-Z][A-Z0-9]{1,5})\s*(?:/|\bvs\.?|\s)\s*(\$?\^?[A-Z][A-Z0-9]{1,5})\b")
MENTION_HELP = (
    "A call names a side and a horizon: “call small 3m”, “call large 1y IWM/SPY because rates”. "
    "Sides: small, large; horizons: 1w, 1m, 3m, 6m, 1y."
)


def mention_options(text: str) -> dict[str, str] | None:
    """The /call options a mention stands for; None when the message is not a call."""
    cleaned = re.sub(r"<@!?\d+>|<@&\d+>|@everyone|@here", " ", text).strip()
    m = _CALL.match(cleaned)
    if not m:
        return None
    rest, note = m[1], None
    if n := _NOTE.search(rest):
        rest, note = rest[: n.start()], n[1].strip() or None
    lower = rest.lower()
    side = re.search(r"\b(small|large)(?:\s*caps?)?\b", lower)
    horizon = next((h for pattern, h in _SPOKEN_HORIZON if re.search(pattern, lower)), None)
    if side is None or horizon is None:
        raise UserError(MENTION_HELP)
    options = {"side": side[1], "horizon": horizon}
    if pair := _PAIR.search(rest):
        options["pair"] = f"{pair[1].lstrip('$')}/{pair[2].lstrip('$')}"
    if note:
        options["note"] = note
    return options


# -- delivery: what the engine calls for calls whose window has closed --------------------------------


@dataclass(frozen=True)
class CallPost:
    call: Call
    reply: Reply


def call_source(data: HistoryProvider, worker: Worker = run_inline):
    """What the delivery engine calls with the calls whose end session is final: their result posts,
    for those whose end close is in the data (the others wait for the next tick)."""

    async def posts_for(
        final_through: dt.date, due: list[Call], themes: Mapping[int, str] | None = None
    ) -> list[CallPost]:
        by_pair: dict[tuple[str, str], list[Call]] = {}
        for call in due:
            by_pair.setdefault((call.small, call.large), []).append(call)
        posts = []
        for (small, large), group in by_pair.items():
            try:
                pair = await load_pair(data, small, large)
            except (DataError, UserError) as exc:
                log.warning("calls on %s/%s wait: %s", small, large, exc)
                continue
            by_theme: dict[str, list[Call]] = {}  # each server's result chart in its chart theme
            for c in group:
                if pair.as_of >= c.end:
                    by_theme.setdefault((themes or {}).get(c.guild_id, DEFAULT_THEME), []).append(c)
            for theme, ready in by_theme.items():
                replies = await worker(themed, theme, result_replies, ready, pair, final_through)
                posts += [CallPost(c, r) for c, r in replies]
        return posts

    return posts_for
