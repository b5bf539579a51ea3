"""/rrg's smoothing, tail and window options, the near-100 marker and the quadrant-change rate.

The rate is recomputed here from the CSV files with plain pandas (weekly closes, RS, EMA, z-scores
written out), not with :mod:`commands.rrg`'s functions."""

from __future__ import annotations

import itertools
import statistics

import pandas as pd
import pytest

from commands import rrg
from commands.registry import execute
from commands.reply import UserError
from tests.conftest import SNAPSHOT

FUNDS = ("PSCC", "PSCD", "PSCE", "PSCF", "PSCH", "PSCI", "PSCM", "PSCT", "PSCU")


async def ask(market, **options):
    return await execute(rrg.COMMAND, rrg.COMMAND.validate(options), market)


def hand_ema(values: list[float], span: int) -> list[float]:
    alpha, out = 2 / (span + 1), [values[0]]
    for v in values[1:]:
        out.append(alpha * v + (1 - alpha) * out[-1])
    return out


def hand_z(values: list[float], n: int) -> float:
    """z-score of the last value within the last n values (sample standard deviation)."""
    window = values[-n:]
    return (window[-1] - statistics.mean(window)) / statistics.stdev(window)


def test_smoothing_hand_computed():
    fridays = pd.date_range("2026-01-02", periods=9, freq="W-FRI")
    bench = pd.Series(100.0, index=fridays)
    rs = [100, 102, 101, 104, 103, 106, 105, 108, 104]
    out = rrg.rrg(pd.Series(rs, index=fridays, dtype=float).to_frame("X"), bench, n=3, k=1, smooth=3)["X"]
    smoothed = hand_ema([float(v) for v in rs], 3)  # alpha 0.5
    ratios = [100 + hand_z(smoothed[: i + 1], 3) for i in range(2, len(rs))]  # from the 3rd week
    changes = [b - a for a, b in itertools.pairwise(ratios)]
    momentum_input = hand_ema(changes, 2)  # ceil(3 / 2) = 2: alpha 2/3
    assert out["rs_smoothed"].iloc[-1] == pytest.approx(smoothed[-1])
    assert out["rs_ratio"].iloc[-1] == pytest.approx(ratios[-1])
    assert out["rs_momentum"].iloc[-1] == pytest.approx(100 + hand_z(momentum_input, 3))


def weekly_quadrant_change_rate(smooth: int, n: int = 10, years: int = 5) -> tuple[float, int]:
    """Plain pandas from the CSVs: share of fund-weeks whose quadrant differs from the week before."""

    def adj(t):
        return pd.read_csv(SNAPSHOT / f"{t}.csv", index_col="Date", parse_dates=True)["Adj Close"]

    funds = pd.concat({t: adj(t) for t in FUNDS}, axis=1, join="inner").dropna()
    bench = adj("IJR")
    days = funds.index.intersection(bench.index)
    weekly = funds.loc[days].groupby(pd.Grouper(freq="W-FRI")).last()
    bench_w = bench.loc[days].groupby(pd.Grouper(freq="W-FRI")).last()
    alpha, alpha_m = 2 / (smooth + 1), 2 / (-(-smooth // 2) + 1)
    changed = total = 0
    start = weekly.index[-1] - pd.DateOffset(years=years)
    for t in FUNDS:
        rs = (100 * weekly[t] / bench_w).dropna()
        s = rs.ewm(alpha=alpha, adjust=False).mean()
        ratio = 100 + (s - s.rolling(n).mean()) / s.rolling(n).std()
        d = (ratio - ratio.shift(1)).ewm(alpha=alpha_m, adjust=False).mean()
        momentum = 100 + (d - d.rolling(n).mean()) / d.rolling(n).std()
        both = pd.DataFrame({"r": ratio, "m": momentum}).dropna()
        both = both[both.index > start]
        q = (both["r"] >= 100).astype(int) * 2 + (both["m"] >= 100).astype(int)
        changed += int((q != q.shift(1)).iloc[1:].sum())
        total += len(q) - 1
    return changed / total, total


async def test_quadrant_change_rate_before_and_after_smoothing(snapshot_market):
    before, weeks = weekly_quadrant_change_rate(smooth=1)
    after, _ = weekly_quadrant_change_rate(smooth=rrg.SMOOTH)
    assert (round(before * 100, 1), weeks) == (57.6, 2340)
    assert round(after * 100, 1) == 21.5
    reply = await ask(snapshot_market, set="sectors")
    figures = reply.to_json()["figures"]
    assert figures["quadrant_change_rate"] == pytest.approx(after)
    assert figures["quadrant_change_rate_unsmoothed"] == pytest.approx(before)
    assert figures["fund_weeks"] == weeks
    turnover = "Quadrant changes: 21.5% of 2340 fund-weeks over the last 5 years (57.6% without smoothing)."
    assert turnover in reply.text
    assert "smoothed by a 10-week EMA" in reply.text
    raw = await ask(snapshot_market, set="sectors", smooth="1")
    assert raw.to_json()["figures"]["quadrant_change_rate"] == pytest.approx(before)
    assert "not smoothed (smooth:1)" in raw.text


async def test_tail_length_is_independent_of_the_window(snapshot_market):
    reply = await ask(snapshot_market, set="size", weeks="4", window="20", export="true")
    assert "z-score of it over 20 weeks" in reply.text
    assert "tails of 4 weeks" in reply.text
    table = pd.read_csv(__import__("io").BytesIO(reply.csv), comment="#")
    assert table.groupby("fund").size().tolist() == [4, 4, 4, 4]
    default = await ask(snapshot_market, set="size", weeks="4")
    assert default.fields[0].number != reply.fields[0].number  # the window changed the coordinates


def test_near_100_marks_a_boundary_call():
    assert rrg.near(100.02)
    assert rrg.near(99.5)
    assert not rrg.near(100.51)
    text = rrg._point(100.02, 101.3)
    assert text.startswith("leading · RS-Ratio 100.02")
    assert "near 100 (RS-Ratio): a boundary call" in text
    assert "near 100" not in rrg._point(101.2, 98.1)


async def test_near_100_in_the_answer_matches_its_fields(snapshot_market):
    reply = await ask(snapshot_market, set="style")
    marked = [f.name for f in reply.fields if "near 100" in f.value]
    assert marked == ["VBR", "IWN", "IJS", "IJT", "IWO", "IWF"]  # on 2026-07-31, within ±0.5 of 100
    assert reply.to_json()["figures"]["near_100"] == marked
    assert f"Near 100, a boundary call: {', '.join(marked)}." in reply.text


@pytest.mark.parametrize(
    ("option", "value"), [("window", "3"), ("window", "60"), ("smooth", "0"), ("smooth", "30")]
)
def test_window_and_smooth_are_range_checked(option, value):
    with pytest.raises(UserError, match=f"`{option}` is a whole number from"):
        rrg.COMMAND.validate({option: value})
