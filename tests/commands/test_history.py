"""/history: signals on frames built to contain known occurrences, and forward windows from the CSV."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from commands import history
from commands.registry import execute
from commands.reply import UserError
from tests.conftest import csv_closes


def frame_from(small_returns: list[float], start: str = "2024-01-01") -> pd.DataFrame:
    index = pd.bdate_range(start, periods=len(small_returns) + 1)
    small = 100 * (1 + pd.Series([0.0, *small_returns], index=index)).cumprod()
    return pd.DataFrame({"small": small, "large": 100.0}, index=index)


def three_streaks_of_five() -> pd.DataFrame:
    """Runs of exactly 5, 7 and 5 up-sessions separated by down-sessions; the second spans a month end."""
    pattern = [-0.01] * 3 + [0.01] * 5 + [-0.01] * 10 + [0.01] * 7 + [-0.01] * 5 + [0.01] * 5 + [-0.01] * 3
    return frame_from(pattern, start="2024-01-03")


def test_streak_occurrences_count_each_run_once_on_the_session_it_reached_n():
    f = three_streaks_of_five()
    occ = history.streak_occurrences(f, 5)
    assert len(occ.dates) == 3
    sessions = f.index[1:]
    assert list(occ.dates) == [sessions[7], sessions[22], sessions[34]]  # 5th session of each run
    assert occ.values.tolist() == [5, 7, 5]  # the run's final length, shown beside its date
    second_run = sessions[18:25]
    assert second_run[0].month != second_run[-1].month  # it straddles a month end and still counts once
    assert len(history.streak_occurrences(f, 6).dates) == 1


def test_ratio_cross_is_debounced():
    returns = [0.0] * 205 + [-0.01] * 6 + [0.08] + [-0.04] + [0.05]
    f = frame_from(returns)
    crosses = history.cross_occurrences(f, "above").dates
    # the first cross (after 6 sessions below) counts; the re-cross after 1 session below does not
    assert list(crosses) == [f.index[212]]
    assert list(history.cross_occurrences(f, "below").dates) == []  # 1 session above is not enough


def _csv_frame() -> pd.DataFrame:
    rut, gspc = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
    days = sorted(set(rut) & set(gspc))
    return pd.DataFrame(
        {"small": [rut[d] for d in days], "large": [gspc[d] for d in days]}, index=pd.DatetimeIndex(days)
    )


def _crosses_in_pandas(frame: pd.DataFrame, direction: str) -> pd.DatetimeIndex:
    """The rule as first written, in pandas' rolling windows: the reference for the numpy version."""
    ratio = frame["small"] / frame["large"]
    sma = ratio.rolling(200).mean()
    above = (ratio > sma).where(sma.notna())
    side = above if direction == "above" else (above == 0).where(sma.notna())
    other = (side == 0).astype(float)
    was_other = other.shift(1).rolling(history.DEBOUNCE).sum() == history.DEBOUNCE
    return ratio.index[(side == 1) & was_other]


@pytest.mark.parametrize(
    ("direction", "count", "first", "last"),
    [("above", 67, "1989-03-23", "2025-11-24"), ("below", 70, "1988-10-07", "2025-10-29")],
)
def test_ratio_crosses_on_the_bundled_history(direction, count, first, last):
    frame = _csv_frame()
    occ = history.cross_occurrences(frame, direction)
    assert len(occ.dates) == count
    assert (str(occ.dates[0].date()), str(occ.dates[-1].date())) == (first, last)
    assert occ.dates.equals(_crosses_in_pandas(frame, direction))
    ratio = frame["small"] / frame["large"]
    distance = ratio / ratio.rolling(200).mean() - 1
    assert occ.values.to_numpy() == pytest.approx(distance.loc[occ.dates].to_numpy() * 100)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("direction", ["above", "below"])
def test_ratio_crosses_match_the_pandas_rule(seed, direction):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(150, 700))  # some shorter than the average's 200 sessions
    frame = frame_from(list(rng.normal(0, 0.01, n)))
    frame.iloc[:, 0] = frame.iloc[:, 0].round(1)  # ties with the average happen
    assert history.cross_occurrences(frame, direction).dates.equals(_crosses_in_pandas(frame, direction))


def test_ratio_jump_counts_an_episode_once():
    returns = [0.0] * 70 + [0.004] * 40 + [0.0] * 10
    f = frame_from(returns)
    occ = history.jump_occurrences(f, 10.0)
    assert len(occ.dates) == 1
    ratio = f["small"] / f["large"]
    first = occ.dates[0]
    pos = f.index.get_loc(first)
    assert ratio.iloc[pos] / ratio.iloc[pos - 63] - 1 > 0.10 >= ratio.iloc[pos - 1] / ratio.iloc[pos - 64] - 1


def test_forward_spreads_from_the_csv():
    rut, gspc = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
    days = sorted(set(rut) & set(gspc))
    frame = pd.DataFrame(
        {"small": [rut[d] for d in days], "large": [gspc[d] for d in days]}, index=pd.DatetimeIndex(days)
    )
    signal = pd.Timestamp("2026-01-16")
    forward = history.forward_spreads(frame, pd.DatetimeIndex([signal]))
    i = days.index(dt.date(2026, 1, 16))
    for name, h in history.HORIZONS.items():
        if i + h < len(days):
            end = days[i + h]
            expected = (rut[end] / rut[days[i]] - 1) - (gspc[end] / gspc[days[i]] - 1)
            assert forward.loc[signal, name] == pytest.approx(expected, abs=1e-12)
        else:
            assert np.isnan(forward.loc[signal, name])  # the 1-year window runs past the data


async def test_streak_of_eleven_on_the_bundled_history(snapshot_market):
    query = history.COMMAND.validate({"signal": "streak", "threshold": "11", "detail": "true"})
    reply = await execute(history.COMMAND, query, snapshot_market)
    rows = reply.field("Occurrences").value.splitlines()
    assert [r[:10] for r in rows] == [
        "1991-02-04",
        "1996-04-30",
        "2000-06-09",
        "2001-12-17",
        "2008-06-04",
        "2026-01-16",
    ]
    assert "6 occurrences" in reply.text
    assert "anecdotal" in reply.text
    assert "kept leading in 4 of 5" in reply.field("After 1y").value  # 2026's year is not complete


async def test_january_ranking_checks_the_articles_claim(snapshot_market):
    reply = await execute(history.COMMAND, history.COMMAND.validate({"signal": "january"}), snapshot_market)
    assert "by Russell 2000 return, January 2026 (+5.3%) ranks 8 of 39" in reply.text
    assert "behind 2019 (+11.2%), 2023 (+9.7%) within the previous decade" in reply.text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"signal": "moon"}, "`signal` must be one of streak"),
        ({"signal": "streak", "threshold": "2.5"}, "whole number"),
        ({"threshold": "lots"}, "is a number"),
        ({"horizon": "2y"}, "`horizon` must be one of 1w"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(UserError, match=message):
        history.COMMAND.validate(options)


def test_underperformance_streaks_use_the_same_counting_rules():
    f = three_streaks_of_five()  # down runs of 3, 10, 5 and 3 sessions around the up runs
    occ = history.streak_occurrences(f, 5, sign=-1)
    sessions = f.index[1:]
    assert list(occ.dates) == [sessions[12], sessions[29]]  # 5th session of the 10-run and of the 5-run
    assert occ.values.tolist() == [10, 5]
    assert occ.label == "an underperformance streak reaching 5 sessions"
    assert len(history.streak_occurrences(f, 11, sign=-1).dates) == 0


def trailing_runs_from_the_csv(n: int) -> list[tuple[dt.date, int]]:
    """Plain Python over the CSV closes: each run of sessions with small's daily return strictly below
    large's (a tie ends a run), as (the session it reached n, its final length)."""
    rut, gspc = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
    days = sorted(set(rut) & set(gspc))
    out, length = [], 0
    for prev, day in itertools.pairwise(days):
        spread = rut[day] / rut[prev] - gspc[day] / gspc[prev]
        length = length + 1 if spread < -1e-12 else 0
        if length == n:
            out.append([day, n])
        elif length > n:
            out[-1][1] = length
    return [tuple(x) for x in out]


async def test_streak_below_on_the_bundled_history(snapshot_market):
    expected = trailing_runs_from_the_csv(7)
    query = history.COMMAND.validate(
        {"signal": "streak", "threshold": "7", "direction": "below", "detail": "true"}
    )
    reply = await execute(history.COMMAND, query, snapshot_market)
    assert f"{len(expected)} occurrences of an underperformance streak reaching 7 sessions" in reply.text
    rows = reply.field("Occurrences" + (" (newest 20)" if len(expected) > 20 else "")).value.splitlines()
    assert [(r[:10], r[12:r.index(")")]) for r in rows] == [
        (str(d), f"{length:.1f}") for d, length in expected[-20:]
    ]
    assert "small caps led in" in reply.field("After 1m").value
    assert len(expected) == 28  # pinned: the CSV has 28 such runs to 2026-08-21


async def test_a_streak_below_alert_fires_on_the_session_the_trailing_run_reaches_n(snapshot_market):
    from commands.alerts import AlertSpec, evaluate, validate
    from commands.pair import load_pair

    newest, length = trailing_runs_from_the_csv(7)[-1]
    assert (newest, length) == (dt.date(2026, 7, 8), 7)
    validate("streak", 7.0, "below")
    pair = await load_pair(snapshot_market, "^RUT", "^GSPC")
    spec = [AlertSpec(1, 555, "streak", 7.0, "below")]
    assert evaluate(pair, dt.date(2026, 7, 7), spec) == []
    (post,) = evaluate(pair, newest, spec)
    assert post.reply.title == "Alert: an underperformance streak reaching 7 sessions — 2026-07-08"
    assert "small caps led over the next month in" in post.reply.text
    assert evaluate(pair, dt.date(2026, 7, 9), spec) == []  # the same run counts once


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_ratio_cross_on_too_few_sessions_finds_none(n):
    # issue 25: 3 and 4 sessions made the debounce slices disagree in length (a crash in /digest)
    f = frame_from([0.01, -0.01, 0.02, -0.02, 0.01][: n - 1])
    for direction in ("above", "below"):
        assert list(history.cross_occurrences(f, direction).dates) == []


@pytest.mark.parametrize(
    ("small", "large", "date"),
    [("^RUT", "^GSPC", "1987-09-14"), ("^RUT", "^GSPC", "1987-09-15"), ("IWM", "SPY", "2000-05-31"),
     ("IWM", "SPY", "2000-06-01")],
)
async def test_the_digest_answers_on_a_pairs_third_and_fourth_session(snapshot_market, small, large, date):
    from commands import digest

    query = digest.COMMAND.validate({"date": date, "small": small, "large": large})
    reply = await execute(digest.COMMAND, query, snapshot_market)
    assert reply.as_of == dt.date.fromisoformat(date)
    assert "Signal:" not in reply.text  # no 200-day average yet, so no cross can fire


# (options, title): the signal as applied, defaults and direction included (issue 25)
TITLES = [
    ({}, "What followed: streak of 5 sessions, small caps ahead"),  # the run on 2026-08-21 is shorter
    ({"signal": "streak", "direction": "below"}, "What followed: streak of 5 sessions, small caps trailing"),
    ({"signal": "streak", "threshold": "11"}, "What followed: streak of 11 sessions, small caps ahead"),
    ({"signal": "ratio_cross", "direction": "below"}, "What followed: ratio_cross, below its 200-day "
     "average"),
    ({"signal": "ratio_jump"}, "What followed: ratio_jump above 10%"),
    ({"signal": "january", "threshold": "2"}, "What followed: january above 2 pp"),
]


@pytest.mark.parametrize(("options", "expected"), TITLES)
async def test_the_title_says_the_threshold_and_direction_applied(snapshot_market, options, expected):
    reply = await execute(history.COMMAND, history.COMMAND.validate(options), snapshot_market)
    assert reply.title == expected


async def test_after_crossing_below_small_caps_led_not_kept_leading(snapshot_market):
    options = {"signal": "ratio_cross", "direction": "below"}
    reply = await execute(history.COMMAND, history.COMMAND.validate(options), snapshot_market)
    assert "small caps led in" in reply.text
    assert "kept leading" not in reply.text + "".join(f.value for f in reply.fields)


def test_one_earlier_time_is_singular():
    f = three_streaks_of_five()
    occ = history.streak_occurrences(f, 5)
    line = history.what_followed(f, occ, occ.dates[1])
    assert "After the 1 earlier time, small caps kept leading over the next month in " in line
    assert "times" not in line
