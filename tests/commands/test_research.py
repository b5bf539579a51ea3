"""/compare, /style, /sectors, /rates, /rrg against values computed independently from the CSV files."""

from __future__ import annotations

import datetime as dt
import io
import statistics

import numpy as np
import pandas as pd
import pytest

from commands import compare, rates, rrg, sectors, style
from commands.registry import execute
from commands.reply import UserError
from tests.commands.test_gap import reference_gap
from tests.conftest import csv_closes


async def ask(command, market, **options):
    return await execute(command.COMMAND, command.COMMAND.validate(options), market)


async def test_compare_any_two_tickers(snapshot_market):
    reply = await ask(compare, snapshot_market, a="iwn", b="IWO", period="2025")
    rs, rl = reference_gap(csv_closes("IWN"), csv_closes("IWO"), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert reply.field("IWN return").number == pytest.approx(rs, abs=1e-12)
    assert reply.field("Spread (IWN − IWO)").number == pytest.approx(rs - rl, abs=1e-12)
    assert reply.title == "IWN vs IWO: 2025"


async def test_style_reuses_the_gap_and_streak_definitions(snapshot_market):
    reply = await ask(style, snapshot_market, pair="vanguard", period="ytd")
    rs, rl = reference_gap(csv_closes("VBR"), csv_closes("VBK"), dt.date(2026, 1, 1), dt.date(2026, 7, 31))
    assert reply.field("VBR return").number == pytest.approx(rs, abs=1e-12)
    assert reply.field("Spread (VBR − VBK)").number == pytest.approx(rs - rl, abs=1e-12)
    vbr, vbk = csv_closes("VBR"), csv_closes("VBK")
    days = sorted(set(vbr) & set(vbk))
    run = 0
    for prev, day in zip(reversed(days[:-1]), reversed(days), strict=False):
        if vbr[day] / vbr[prev] > vbk[day] / vbk[prev]:
            run += 1
        else:
            break
    assert reply.field("Current run").number == run


async def test_sectors_ranked_with_blended_counterparts(snapshot_market):
    reply = await ask(sectors, snapshot_market, period="ytd", vs_large="true")
    first, last = dt.date(2025, 12, 31), dt.date(2026, 7, 31)

    def ret(t):
        c = csv_closes(t)
        return c[last] / c[first] - 1

    expected = sorted(sectors.SECTORS, key=ret, reverse=True)
    names = [f.name.split()[1] for f in reply.fields]
    assert names == expected
    pscf = next(f for f in reply.fields if " PSCF " in f" {f.name} ")
    assert pscf.number == pytest.approx(ret("PSCF"), abs=1e-12)
    blend = (ret("XLF") + ret("XLRE")) / 2
    assert f"vs {blend * 100:+.2f}% large" in pscf.value


async def test_sectors_say_when_a_counterpart_did_not_exist_yet(snapshot_market):
    reply = await ask(sectors, snapshot_market, period="2015", vs_large="true")
    assert any("XLRE had no close on 2014-12-31" in n for n in reply.notes)
    assert any("XLC had no close on 2014-12-31" in n for n in reply.notes)


async def test_rates_weekly_changes_match_a_plain_computation(snapshot_market):
    reply = await ask(rates, snapshot_market, period="2025-12-31..2026-07-31", **{"yield": "tnx"})
    rut, gspc, tnx = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close"), csv_closes("TNX", "Close")
    start, end = dt.date(2025, 12, 30), dt.date(2026, 7, 31)  # the base is the last close before the range
    days = sorted(d for d in set(rut) & set(gspc) & set(tnx) if start <= d <= end)
    rows = {days[0]: days[0]}  # the base close is the first row; then each week's last session after it
    for d in days[1:]:
        rows[d + dt.timedelta(days=(4 - d.weekday()) % 7)] = d
    levels = [(rut[d] / gspc[d], tnx[d]) for d in rows.values()]
    d_ratio = np.diff(np.log([r for r, _ in levels]))
    d_bp = np.diff([y for _, y in levels]) * 100
    assert reply.field("Correlation (weekly changes)").number == pytest.approx(
        np.corrcoef(d_bp, d_ratio)[0, 1]
    )
    beta = np.cov(d_bp, d_ratio)[0, 1] / np.var(d_bp, ddof=1)
    assert reply.field("Beta, % per +10 bp").number == pytest.approx(beta * 1000)
    assert reply.field("^TNX start").number == tnx[start] == 4.13
    assert reply.field("^TNX end").number == tnx[end] == 4.745
    assert "yield rose" in reply.text
    assert f"{len(d_bp)} weeks to 2026-07-31" in reply.text


# (period, the session the answer is dated by: its last close used, never the week's Friday)
RATES_AS_OF = [
    ("2026-01-01..2026-04-03", dt.date(2026, 4, 2)),  # Good Friday: the market was closed
    ("2026-01-01..2026-07-29", dt.date(2026, 7, 29)),  # a Wednesday
    ("2015-04-01..2016-03-31", dt.date(2016, 3, 31)),  # a Thursday
]


@pytest.mark.parametrize(("period", "as_of"), RATES_AS_OF)
async def test_rates_is_dated_by_its_last_close_and_exports_its_base(snapshot_market, period, as_of):
    reply = await ask(rates, snapshot_market, period=period, export="true")
    tnx = csv_closes("TNX", "Close")
    assert reply.as_of == as_of
    assert f"to close of {as_of}" in reply.text
    assert f"weeks to {as_of}:" in reply.text
    assert reply.field("^TNX end").number == tnx[as_of]
    table = pd.read_csv(io.BytesIO(reply.csv), comment="#", index_col=0)
    assert table.index[-1] == str(as_of)
    assert table["^TNX yield (%)"].iloc[0] == reply.field("^TNX start").number  # the base close is a row
    assert table["^TNX yield (%)"].iloc[-1] == reply.field("^TNX end").number


async def test_rates_too_short_a_period(snapshot_market):
    with pytest.raises(UserError, match="a correlation needs at least 8"):
        await ask(rates, snapshot_market, period="1m")


def test_rrg_hand_computed():
    fridays = pd.date_range("2026-01-02", periods=7, freq="W-FRI")
    bench = pd.Series(100.0, index=fridays)
    fund = pd.Series([100, 102, 101, 104, 103, 106, 105], index=fridays, dtype=float)
    out = rrg.rrg(fund.to_frame("X"), bench, n=3, k=1, smooth=1)["X"]  # smooth 1: the unsmoothed construction
    # RS = fund here. Week 4: window (102, 101, 104), mean 102.333, sample sd 1.5275 -> z = +1.0911;
    # week 5: window (101, 104, 103), mean 102.667, sd 1.5275 -> z = +0.2182
    full = rrg.zscore(fund, 3) + 100
    assert full.iloc[3] == pytest.approx(101.0911, abs=1e-4)
    assert full.iloc[4] == pytest.approx(100.2182, abs=1e-4)
    # momentum: z-score over 3 weeks of the 1-week change of RS-Ratio, recomputed with statistics
    diffs = (full - full.shift(1)).tolist()
    last3 = diffs[-3:]
    expected = 100 + (last3[-1] - statistics.mean(last3)) / statistics.stdev(last3)
    assert out["rs_momentum"].iloc[-1] == pytest.approx(expected)
    assert out["rs_ratio"].iloc[-1] == pytest.approx(full.iloc[-1])
    assert rrg.quadrant(101, 99) == "weakening"
    assert rrg.quadrant(99, 101) == "improving"


async def test_rrg_on_the_bundled_sector_funds(snapshot_market):
    reply = await ask(rrg, snapshot_market, set="sectors", weeks="8")
    assert len(reply.fields) == 9
    assert "smoothed by a 10-week EMA, then RS-Ratio = 100 + z-score of it over 10 weeks" in reply.text
    assert reply.as_of == dt.date(2026, 7, 31)
    with pytest.raises(UserError, match="from 2 to 26"):
        await ask(rrg, snapshot_market, weeks="52")


async def test_live_only_series_offline_says_what_is_missing(snapshot_market):
    with pytest.raises(UserError, match=r"`\^IRX` is not in the bundled data and live data is off"):
        await ask(rates, snapshot_market, **{"yield": "13w"})


@pytest.mark.parametrize("weeks", ["52", "1", "-3", "²⁷", "eight"])  # ²⁷ is 27 after NFKC
def test_integer_options_are_checked_against_their_declared_range(weeks):
    with pytest.raises(UserError, match=r"`weeks` is a whole number from 2 to 26"):
        rrg.COMMAND.validate({"weeks": weeks})
