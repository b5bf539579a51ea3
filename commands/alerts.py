"""Alerts: the same signal definitions as /history, checked on one session's close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from data.universe import LARGE_DEFAULT, SMALL_DEFAULT

from .escape import code
from .history import SIGNALS, THRESHOLDS, HistoryQuery, fires_on, refuse_unused, what_followed
from .pair import HistoryProvider, Pair, load_pair
from .registry import Worker, run_inline
from .reply import Reply, UserError

ALERT_TITLE = "Alert: {label} — {session}"


@dataclass(frozen=True)
class AlertSpec:
    alert_id: int
    channel_id: int
    signal: str
    threshold: float | None
    direction: str | None


@dataclass(frozen=True)
class AlertPost:
    alert_id: int
    channel_id: int
    reply: Reply




def validate(signal: str, threshold: float | None, direction: str | None) -> None:
    if signal not in SIGNALS:
        raise UserError(f"{code(signal, 20)} is not a signal: use {', '.join(SIGNALS)}.")
    if signal == "streak" and (
        threshold is None or not (1 <= threshold <= 100 and float(threshold).is_integer())
    ):
        raise UserError("A streak alert needs a threshold: a whole number of sessions, 1 to 100.")
    if signal == "ratio_cross" and threshold is not None:
        raise UserError("A ratio_cross alert takes no threshold: it fires on a cross of the 200-day average.")
    if signal in THRESHOLDS and threshold is not None:
        low, high, unit = THRESHOLDS[signal]
        if not low <= threshold <= high:  # also refuses nan and inf
            raise UserError(f"For {signal}, the threshold is {low:g} to {high:g} {unit} (got {threshold:g}).")
    if direction not in (None, "above", "below"):
        raise UserError("`direction` is above or below.")
    if direction is not None and signal not in ("streak", "ratio_cross"):
        raise UserError("`direction` applies to streak and ratio_cross alerts only.")
    refuse_unused(signal, threshold, direction)  # the same rules as /history's


def evaluate(pair: Pair, session: dt.date, specs: list[AlertSpec]) -> list[AlertPost]:
    """The alerts that fire on ``session`` (the frame is cut there), each with its history line."""
    frame = pair.frame.loc[: pd.Timestamp(session)]
    if frame.index[-1] != pd.Timestamp(session):
        return []
    posts = []
    for spec in specs:
        query = HistoryQuery(spec.signal, spec.threshold, "1m", spec.direction or "above", False)
        occ = fires_on(query, frame)
        if occ is None:
            continue
        reply = Reply(
            title=ALERT_TITLE.format(label=occ.label, session=session),
            text=what_followed(frame, occ, frame.index[-1]) + " Overlapping windows are not independent.",
            as_of=session,
            source=pair.source,
        )
        posts.append(AlertPost(spec.alert_id, spec.channel_id, reply))
    return posts


def alert_source(data: HistoryProvider, worker: Worker = run_inline) -> Callable:
    """What the delivery engine calls once per session: the posts of the alerts that fire, or None
    while the session's close is not in the data yet."""

    async def posts_for(session: dt.date, alerts: list) -> list[AlertPost] | None:
        pair = await load_pair(data, SMALL_DEFAULT, LARGE_DEFAULT)
        if pair.as_of < session:
            return None
        specs = [AlertSpec(a.id, a.channel_id, a.signal, a.threshold, a.direction) for a in alerts]
        return await worker(evaluate, pair, session, specs)

    return posts_for
