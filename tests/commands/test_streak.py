"""/streak: edge cases on small frames, and the real history against a plain-Python count."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from commands import streak
from commands.registry import execute
from commands.reply import UserError
from tests.conftest import csv_closes


def frame_from_returns(small: list[float], large: list[float]) -> pd.DataFrame:
    index = pd.bdate_range("2024-01-01", periods=len(small) + 1)

    def prices(returns: list[float]) -> pd.Series:
        return 100 * (1 + pd.Series([0.0, *returns], index=index)).cumprod()

    return pd.DataFrame({"small": prices(small), "large": prices(large)})


def test_run_reaching_the_last_session():
    f = streak.compute(frame_from_returns([0.01, -0.01, 0.02, 0.02, 0.01], [0.0, 0.0, 0.0, 0.0, 0.0]))
    assert (f.sign, f.length) == (1, 3)
    assert f.start == pd.Timestamp("2024-01-04")
    assert f.cumulative == pytest.approx(1.02 * 1.02 * 1.01 - 1)
    assert f.rank == 1
    assert f.of_kind == 2


def test_a_tie_ends_a_run_and_starts_none():
    tied = streak.compute(frame_from_returns([0.01, 0.01, 0.005], [0.0, 0.0, 0.005]))
    assert (tied.sign, tied.length) == (0, 0)
    after_tie = streak.compute(frame_from_returns([0.01, 0.01, 0.005, 0.02], [0.0, 0.0, 0.005, 0.0]))
    assert (after_tie.sign, after_tie.length) == (1, 1)
    assert after_tie.start == pd.Timestamp("2024-01-05")


def test_single_session_history():
    f = streak.compute(frame_from_returns([-0.01], [0.01]))
    assert (f.sign, f.length, f.rank, f.of_kind) == (-1, 1, 1, 1)
    assert f.cumulative == pytest.approx(0.99 / 1.01 - 1)


def test_underperformance_ranks_among_underperformance_runs():
    f = streak.compute(frame_from_returns([-0.01] * 4 + [0.01] + [-0.01] * 2, [0.0] * 7))
    assert (f.sign, f.length, f.rank, f.of_kind) == (-1, 2, 2, 2)
    assert f.longest_since == pd.Timestamp("2024-01-05")


def plain_runs(small: dict, large: dict) -> list[tuple[int, dt.date, dt.date]]:
    """Outperformance runs as (length, start, end), by a plain loop over the CSV closes."""
    dates = sorted(set(small) & set(large))
    out, length, start = [], 0, None
    for prev, day in itertools.pairwise(dates):
        if small[day] / small[prev] > large[day] / large[prev]:
            if length == 0:
                start = day
            length += 1
            if day == dates[-1]:
                out.append((length, start, day))
        else:
            if length:
                out.append((length, start, prev))
            length = 0
    return out


async def ask(market, **options):
    return await execute(streak.COMMAND, streak.COMMAND.validate(options), market)


async def test_history_matches_plain_count(snapshot_market):
    reference = plain_runs(csv_closes("RUT", "Close"), csv_closes("GSPC", "Close"))
    longest = max(reference, key=lambda r: (r[0], -r[1].toordinal()))
    reply = await ask(snapshot_market)
    table = reply.field("Longest outperformance runs since 1987-09-10").value.splitlines()
    assert table[0].startswith(f"{longest[0]} sessions, {longest[1]} → {longest[2]}")
    assert longest == (16, dt.date(1996, 4, 16), dt.date(1996, 5, 7))
    assert reply.as_of == dt.date(2026, 8, 21)


async def test_article_day_streak_of_eleven(snapshot_market):
    """The article's "outperformed for 11 consecutive trading sessions", checked as of 2026-01-16."""
    reply = await ask(snapshot_market, as_of="2026-01-16")
    assert reply.field("Current run").number == 11
    assert reply.field("Started").value == "2026-01-02"
    assert "for 11 consecutive sessions as of 2026-01-16, since 2026-01-02" in reply.text
    rut, gspc = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
    d0, d1 = dt.date(2025, 12, 31), dt.date(2026, 1, 16)
    expected = (rut[d1] / gspc[d1]) / (rut[d0] / gspc[d0]) - 1
    assert reply.field("Cumulative spread").number == pytest.approx(expected, abs=1e-12)
    runs = plain_runs(rut, gspc)
    longer = sum(1 for r in runs if r[2] < d1 and r[0] > 11)
    assert reply.field("Rank").number == longer + 1


async def test_as_of_a_weekend_is_refused_naming_the_sessions_around_it(snapshot_market):
    # issue 25: one rule for a date without a session in every command (it answered for 01-16 silently)
    with pytest.raises(UserError) as caught:
        await ask(snapshot_market, as_of="2026-01-18")
    expected = "2026-01-18 is not a trading session: the nearest are 2026-01-16 and 2026-01-20."
    assert str(caught.value) == expected + " Give one of them as `as_of`."


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2027-01-01", "after the newest common session (2026-08-21)"),
        ("1980-01-01", "before the data starts"),
        ("yesterday", "is not a valid as_of date"),
    ],
)
async def test_bad_dates(snapshot_market, as_of, expected):
    with pytest.raises(UserError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        await ask(snapshot_market, as_of=as_of)
