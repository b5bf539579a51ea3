"""Risk figures of /gap, /compare and /digest against figures computed here, straight from the CSV files.

The references below use the standard library and plain numpy on the closes the CSV holds; nothing
here calls :mod:`commands.risk` to compute an expected value.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from commands import compare, digest, gap
from commands.registry import execute
from tests.conftest import csv_closes

RUT, GSPC = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
IWM, SPY = csv_closes("IWM"), csv_closes("SPY")


def window(small: dict, large: dict, first: dt.date, last: dt.date) -> tuple[list, np.ndarray, np.ndarray]:
    """Common dates from the last common close before ``first`` to the last on/before ``last``."""
    common = sorted(set(small) & set(large))
    base = max(d for d in common if d < first)
    end = max(d for d in common if d <= last)
    dates = [d for d in common if base <= d <= end]
    return dates, np.array([small[d] for d in dates]), np.array([large[d] for d in dates])


def reference_drawdown(dates: list, closes: np.ndarray) -> tuple[float, dt.date, dt.date]:
    """Plain loop: the deepest fall below the running peak, its peak date and trough date."""
    peak_i, worst, worst_peak, worst_trough = 0, 0.0, None, None
    for i, close in enumerate(closes):
        if close > closes[peak_i]:
            peak_i = i
        fall = close / closes[peak_i] - 1
        if fall < worst:
            worst, worst_peak, worst_trough = fall, dates[peak_i], dates[i]
    return worst, worst_peak, worst_trough


def reference_risk(small: dict, large: dict, first: dt.date, last: dt.date) -> dict:
    dates, s, lg = window(small, large, first, last)
    rs, rl = s[1:] / s[:-1] - 1, lg[1:] / lg[:-1] - 1
    n = len(rs)
    ms, ml = sum(rs) / n, sum(rl) / n
    var_s = sum((x - ms) ** 2 for x in rs) / (n - 1)
    var_l = sum((x - ml) ** 2 for x in rl) / (n - 1)
    cov = sum((a - ms) * (b - ml) for a, b in zip(rs, rl, strict=True)) / (n - 1)
    return {
        "small_return": s[-1] / s[0] - 1,
        "large_return": lg[-1] / lg[0] - 1,
        "small_dd": reference_drawdown(dates, s),
        "large_dd": reference_drawdown(dates, lg),
        "ratio_dd": reference_drawdown(dates, s / lg),
        "small_vol": math.sqrt(var_s) * math.sqrt(252),
        "large_vol": math.sqrt(var_l) * math.sqrt(252),
        "beta": cov / var_l,
        "corr": cov / math.sqrt(var_s * var_l),
    }


def reference_from_high(small: dict, large: dict, end: dt.date, sessions: int | None) -> tuple:
    common = [d for d in sorted(set(small) & set(large)) if d <= end]
    if sessions is not None:
        common = common[-sessions:]
    ratios = {d: small[d] / large[d] for d in common}
    high = max(common, key=lambda d: ratios[d])
    return ratios[common[-1]] / ratios[high] - 1, high


async def run(command, market, **options):
    return await execute(command.COMMAND, command.COMMAND.validate(options), market)


def dates_of(value: str) -> tuple[str, str]:
    """'−10.07% (2024-07-16 → 2024-08-07)' -> ('2024-07-16', '2024-08-07')."""
    inside = value[value.index("(") + 1 : value.index(")")]
    peak, trough = inside.split(" → ")
    return peak, trough


async def test_compare_iwm_spy_2024_risk_matches_an_independent_computation(snapshot_market):
    reply = await run(compare, snapshot_market, a="IWM", b="SPY", period="2024")
    ref = reference_risk(IWM, SPY, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    # the returns quantstats gives for the same closes
    assert round(reply.field("IWM return").number * 100, 2) == 11.38
    assert round(reply.field("SPY return").number * 100, 2) == 24.89
    assert reply.field("IWM volatility").number == pytest.approx(ref["small_vol"], rel=1e-9)
    assert reply.field("SPY volatility").number == pytest.approx(ref["large_vol"], rel=1e-9)
    assert reply.field("Beta (IWM on SPY)").number == pytest.approx(ref["beta"], rel=1e-9)
    assert reply.field("Correlation").number == pytest.approx(ref["corr"], rel=1e-9)
    for name, key in (("IWM", "small_dd"), ("SPY", "large_dd"), ("IWM/SPY ratio", "ratio_dd")):
        depth, peak, trough = ref[key]
        f = reply.field(f"{name} max drawdown")
        assert f.number == pytest.approx(depth, rel=1e-12)
        assert dates_of(f.value) == (str(peak), str(trough))
    # pinned literals, so a change of definition shows up here as well
    assert round(ref["small_vol"] * 100, 1) == 20.8
    assert round(ref["large_vol"] * 100, 1) == 12.6
    assert round(ref["beta"], 2) == 1.22
    assert ref["small_dd"][1:] == (dt.date(2024, 7, 16), dt.date(2024, 8, 7))
    assert "Risk: max drawdown IWM -10.1% (2024-07-16 → 2024-08-07)" in reply.text
    risk = reply.to_json()["figures"]["risk"]
    expected = {"depth": ref["small_dd"][0], "peak": "2024-07-16", "trough": "2024-08-07"}
    assert risk["small_max_drawdown"] == expected
    assert risk["beta"] == pytest.approx(ref["beta"], rel=1e-9)


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2008", dt.date(2008, 1, 1), dt.date(2008, 12, 31)),
        ("2020-03", dt.date(2020, 3, 1), dt.date(2020, 3, 31)),
        ("2025-11-03..2026-02-16", dt.date(2025, 11, 3), dt.date(2026, 2, 16)),
    ],
)
async def test_gap_risk_matches_on_index_closes(snapshot_market, period, first, last):
    reply = await run(gap, snapshot_market, period=period)
    ref = reference_risk(RUT, GSPC, first, last)
    assert reply.field("^RUT volatility").number == pytest.approx(ref["small_vol"], rel=1e-9)
    assert reply.field("^GSPC volatility").number == pytest.approx(ref["large_vol"], rel=1e-9)
    assert reply.field("Beta (^RUT on ^GSPC)").number == pytest.approx(ref["beta"], rel=1e-9)
    assert reply.field("Correlation").number == pytest.approx(ref["corr"], rel=1e-9)
    depth, peak, trough = ref["small_dd"]
    assert reply.field("^RUT max drawdown").number == pytest.approx(depth, rel=1e-12)
    assert dates_of(reply.field("^RUT max drawdown").value) == (str(peak), str(trough))
    end = max(d for d in set(RUT) & set(GSPC) if d <= last)
    for name, sessions in (("from its high", None), ("from 52-week high", 252)):
        distance, high = reference_from_high(RUT, GSPC, end, sessions)
        f = reply.field(f"^RUT/^GSPC ratio {name}")
        assert f.number == pytest.approx(distance, rel=1e-12, abs=1e-15)
        assert str(high) in f.value


async def test_2008_drawdown_is_the_crash(snapshot_market):
    reply = await run(gap, snapshot_market, period="2008")
    # the S&P 500's 2008 low close was 752.44 on 2008-11-20
    assert dates_of(reply.field("^GSPC max drawdown").value)[1] == "2008-11-20"
    assert round(reply.field("^GSPC max drawdown").number * 100, 1) == -48.8


async def test_digest_ratio_distance_from_its_highs(snapshot_market):
    reply = await run(digest, snapshot_market)
    assert reply.as_of == dt.date(2026, 8, 21)
    ath, ath_date = reference_from_high(RUT, GSPC, dt.date(2026, 8, 21), None)
    w52, w52_date = reference_from_high(RUT, GSPC, dt.date(2026, 8, 21), 252)
    assert (round(ath * 100, 1), ath_date) == (-39.0, dt.date(2014, 3, 4))
    assert (round(w52 * 100, 1), w52_date) == (-3.9, dt.date(2026, 6, 26))
    assert reply.field("Ratio from its high").number == pytest.approx(ath, rel=1e-12)
    assert reply.field("Ratio from its high").value == "39.0% below (2014-03-04)"
    assert reply.field("Ratio from 52-week high").value == "3.9% below (2026-06-26)"
    assert reply.to_json()["figures"]["ratio_from_high"]["52_week"]["high_date"] == "2026-06-26"


async def test_one_day_gives_n_a_with_a_reason_never_nan(snapshot_market):
    reply = await run(gap, snapshot_market, period="1d")
    vol = reply.field("^RUT volatility")
    assert vol.number is None
    assert vol.value.startswith("n/a: 1 daily return in the period")
    assert reply.field("Beta (^RUT on ^GSPC)").number is None
    assert "nan" not in reply.text.lower()
    assert all("nan" not in f.value.lower() for f in reply.fields)


async def test_a_ratio_at_its_high_says_so(snapshot_market):
    # 2014-03-04 is the ratio's all-time high: on that day it is at its high, not "0.0% below"
    reply = await run(gap, snapshot_market, period="2014-03-01..2014-03-04")
    assert reply.field("^RUT/^GSPC ratio from its high").value.startswith("at its high (2014-03-04)")
    assert reply.field("^RUT/^GSPC ratio from its high").number == 0
