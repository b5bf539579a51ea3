"""The daily update: figures against the CSV, and each 'notable' rule on frames built to trigger it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from commands import digest
from commands.registry import execute
from tests.commands.test_gap import reference_gap
from tests.conftest import csv_closes

RUT, GSPC = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")


async def ask(market, **options):
    return await execute(digest.COMMAND, digest.COMMAND.validate(options), market)


async def test_digest_of_2024_12_31_matches_the_csv(snapshot_market):
    reply = await ask(snapshot_market, date="2024-12-31")
    assert reply.as_of == dt.date(2024, 12, 31)
    rs, rl = reference_gap(RUT, GSPC, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert reply.field("Year to date").number == pytest.approx(rs - rl, abs=1e-12)
    rs, rl = reference_gap(RUT, GSPC, dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    assert reply.field("Month to date").number == pytest.approx(rs - rl, abs=1e-12)
    d0, d1 = dt.date(2024, 12, 30), dt.date(2024, 12, 31)
    assert reply.field("1 day").number == pytest.approx(
        (RUT[d1] / RUT[d0] - 1) - (GSPC[d1] / GSPC[d0] - 1), abs=1e-12
    )
    common = sorted(d for d in set(RUT) & set(GSPC) if d <= d1)
    ratios = [RUT[d] / GSPC[d] for d in common]
    for window in (50, 200):
        expected = ratios[-1] / (sum(ratios[-window:]) / window) - 1
        assert reply.field(f"Ratio vs {window}-day avg").number == pytest.approx(expected, rel=1e-9)
    assert reply.chart.startswith(b"\x89PNG")
    assert reply.title == "Daily rotation update — 2024-12-31"


async def test_digest_on_the_article_day_flags_the_streak(snapshot_market):
    reply = await ask(snapshot_market, date="2026-01-16")
    assert "Longest outperformance streak in a year: 11 sessions." in reply.text


def frame(small_returns, large_returns=None) -> pd.DataFrame:
    index = pd.bdate_range("2020-01-01", periods=len(small_returns) + 1)
    large_returns = large_returns if large_returns is not None else [0.0] * len(small_returns)
    prices = {
        k: 100 * (1 + pd.Series([0.0, *r], index=index)).cumprod()
        for k, r in (("small", small_returns), ("large", large_returns))
    }
    return pd.DataFrame(prices)


def test_cross_above_the_200_day_average():
    returns = [-0.001] * 300 + [0.15]  # a long slide (200-day average ~10% above), then one big jump
    notes = digest.compute(frame(returns)).notable
    assert "The small/large ratio crossed above its 200-day average." in notes
    assert "The small/large ratio crossed above its 50-day average." in notes


def test_largest_one_day_spread_since_a_date():
    rng = np.random.default_rng(7)
    returns = list(rng.normal(0, 0.005, 400))
    returns[100] = 0.04  # the last day at least as large, more than three months before the end
    returns[-1] = 0.035
    notes = digest.compute(frame(returns)).notable
    expected_since = frame(returns).index[101].date()
    assert f"Largest one-day spread since {expected_since}: +3.50 pp." in notes


def test_a_quiet_day_has_nothing_notable():
    returns = [0.003, -0.001] * 200  # a steady climb well above its averages, runs of one session
    assert digest.compute(frame(returns)).notable == []


# -- issue 25: "record" and "52-week" only with a year of closes; a record high is notable ----------


async def test_the_ratios_standing_record_high_is_notable(snapshot_market):
    # 2014-03-04: the ^RUT/^GSPC ratio's highest close in the snapshot (pinned in test_risk)
    reply = await ask(snapshot_market, date="2014-03-04")
    assert "• The small/large ratio closed at its highest on record." in reply.text
    assert "Nothing unusual" not in reply.text
    assert reply.field("Ratio from its high").value == "at its high (2014-03-04)"


@pytest.mark.parametrize("date", ["1987-09-14", "1987-12-31", "1988-09-02"])
async def test_no_52_week_figure_from_less_than_a_year(snapshot_market, date):
    rut, gspc = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
    have = len([d for d in set(rut) & set(gspc) if d <= dt.date.fromisoformat(date)])
    assert have < 252
    reply = await ask(snapshot_market, date=date)
    field = reply.field("Ratio from 52-week high")
    assert field.value == f"n/a ({have} sessions of data; a 52-week figure needs 252)"
    assert field.number is None
    since = f", since the data starts (1987-09-10, {have} sessions)"
    assert reply.field("Ratio from its high").value.endswith(since)
    assert "on record" not in reply.text
    assert "in a year" not in reply.text
    assert reply.to_json()["figures"]["ratio_from_high"]["52_week"]["distance"] is None


def test_the_first_months_make_no_three_month_claim_and_no_record():
    returns = [0.001, -0.001] * 30 + [0.05]  # the largest spread, 61 sessions in: under 3 months of data
    assert not any("Largest one-day spread" in n for n in digest.compute(frame(returns)).notable)
    returns = [0.001, -0.001] * 60 + [0.05]  # 121 sessions: past 3 months, short of a year
    notes = digest.compute(frame(returns)).notable
    assert "Largest one-day spread since the data starts (2020-01-01, 122 sessions): +5.00 pp." in notes
    since = "since the data starts (2020-01-01, 122 sessions)"
    assert f"The small/large ratio closed at its highest {since}." in notes
