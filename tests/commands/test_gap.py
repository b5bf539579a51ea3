"""/gap against published closes and against an independent computation from the CSV files."""

from __future__ import annotations

import datetime as dt

import pytest

from commands import gap
from commands.registry import execute
from commands.reply import UserError
from tests.conftest import csv_closes

RUT = csv_closes("RUT", "Close")
GSPC = csv_closes("GSPC", "Close")


def reference_gap(small: dict, large: dict, first: dt.date, last: dt.date) -> tuple[float, float]:
    """Plain Python: the last common close before ``first`` to the last common close on/before ``last``."""
    common = sorted(set(small) & set(large))
    base = max(d for d in common if d < first)
    end = max(d for d in common if d <= last)
    return small[end] / small[base] - 1, large[end] / large[base] - 1


async def ask(market, **options: str):
    return await execute(gap.COMMAND, gap.COMMAND.validate(options), market)


def test_published_2024_closes_are_in_the_snapshot():
    # Published index closes: Russell 2000 2,027.07 -> 2,230.16; S&P 500 4,769.83 -> 5,881.63.
    assert RUT[dt.date(2023, 12, 29)] == 2027.07
    assert RUT[dt.date(2024, 12, 31)] == 2230.16
    assert GSPC[dt.date(2023, 12, 29)] == 4769.83
    assert GSPC[dt.date(2024, 12, 31)] == 5881.63


async def test_2024_matches_published_returns(snapshot_market):
    reply = await ask(snapshot_market, period="2024")
    assert round(reply.field("^RUT return").number * 100, 2) == 10.02
    assert round(reply.field("^GSPC return").number * 100, 2) == 23.31
    assert round(reply.field("Spread (small − large)").number * 100, 2) == -13.29
    assert reply.field("Ratio change").number == pytest.approx(1.1002 / 1.2331 - 1, abs=1e-4)
    assert reply.field("From").value == "2023-12-29"
    assert reply.field("To").value == "2024-12-31"
    assert reply.chart is not None
    assert reply.chart.startswith(b"\x89PNG\r\n\x1a\n")
    assert "price returns" in reply.text


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2008", dt.date(2008, 1, 1), dt.date(2008, 12, 31)),
        ("2020-03", dt.date(2020, 3, 1), dt.date(2020, 3, 31)),
        ("2025-11-03..2026-02-16", dt.date(2025, 11, 3), dt.date(2026, 2, 16)),
        ("ytd", dt.date(2026, 1, 1), dt.date(2026, 8, 21)),
    ],
)
async def test_matches_independent_computation(snapshot_market, period, first, last):
    rs, rl = reference_gap(RUT, GSPC, first, last)
    reply = await ask(snapshot_market, period=period)
    assert reply.field("^RUT return").number == pytest.approx(rs, abs=1e-12)
    assert reply.field("^GSPC return").number == pytest.approx(rl, abs=1e-12)
    assert reply.field("Spread (small − large)").number == pytest.approx(rs - rl, abs=1e-12)


async def test_relative_period_is_a_calendar_offset_from_the_as_of_session(snapshot_market):
    # as of 2026-08-21, 1m starts at the last close on or before 2026-07-21
    reply = await ask(snapshot_market, period="1m")
    assert reply.field("From").value == "2026-07-21"
    assert reply.field("To").value == "2026-08-21"
    rs = RUT[dt.date(2026, 8, 21)] / RUT[dt.date(2026, 7, 21)] - 1
    assert reply.field("^RUT return").number == pytest.approx(rs, abs=1e-12)


async def test_article_mid_january_claim_is_checked_not_reproduced(snapshot_market):
    """The article: "through mid-January the Russell 2000 has gained 5.8% while the S&P 500 has
    advanced just 1.2%". No January close gives that pair; the bot reports the real figures."""
    reply = await ask(snapshot_market, period="2026-01-01..2026-01-15")
    rs, rl = reference_gap(RUT, GSPC, dt.date(2026, 1, 1), dt.date(2026, 1, 15))
    assert reply.field("^RUT return").number == pytest.approx(rs)
    assert round(rs * 100, 2) == 7.76
    assert round(rl * 100, 2) == 1.45
    base_small, base_large = RUT[dt.date(2025, 12, 31)], GSPC[dt.date(2025, 12, 31)]
    january = [d for d in RUT if d.year == 2026 and d.month == 1]
    assert not any(
        round((RUT[d] / base_small - 1) * 100, 1) == 5.8 and round((GSPC[d] / base_large - 1) * 100, 1) == 1.2
        for d in january
    )


async def test_funds_give_total_returns_and_mixing_is_flagged(snapshot_market):
    iwm, spy = csv_closes("IWM"), csv_closes("SPY")
    reply = await ask(snapshot_market, period="2024", small="iwm", large="SPY")
    rs, rl = reference_gap(iwm, spy, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert reply.field("IWM return").number == pytest.approx(rs, abs=1e-12)
    assert reply.field("SPY return").number == pytest.approx(rl, abs=1e-12)
    assert "total returns" in reply.text
    assert reply.as_of == dt.date(2024, 12, 31)  # the period's end close: the last close the answer used
    mixed = await ask(snapshot_market, period="2024", small="IWM")
    assert any("Mixed bases" in n for n in mixed.notes)
    assert mixed.as_of == dt.date(2024, 12, 31)
    assert not any(n.startswith("As of 2026-07-31") for n in mixed.notes)  # 2024 never reached it
    newest = await ask(snapshot_market, period="ytd", small="IWM")
    assert newest.as_of == dt.date(2026, 7, 31)
    assert any(n.startswith("As of 2026-07-31, the last session both series have") for n in newest.notes)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"period": "fortnight"}, "I don't understand the period `fortnight`"),
        ({"period": "2024-06-30..2024-01-01"}, "starts (2024-06-30) after it ends (2024-01-01)"),
        ({"period": "2024-13"}, "months run from 01 to 12"),
        ({"period": "2030"}, "starts after the newest session in the data (2026-08-21)"),
        ({"period": "1950"}, "reaches back before the data"),
        ({"period": "2024-02-30..2024-03-05"}, "is not a valid date"),
        ({"small": "@everyone"}, "is not a ticker"),
        ({"small": "ZZZZ"}, "`ZZZZ` is not in the bundled data"),
        ({"small": "IWM", "large": "IWM"}, "Both sides are `IWM`"),
        ({"colour": "red"}, "/gap has no option `colour`"),
    ],
)
async def test_bad_input_gets_a_clear_message(snapshot_market, options, expected):
    with pytest.raises(UserError) as err:
        await ask(snapshot_market, **options)
    assert expected in str(err.value)


async def test_unknown_period_lists_what_is_accepted(snapshot_market):
    with pytest.raises(
        UserError, match=r"1d, 1w, 1m, 3m, 6m, 1y, 3y, 5y, 10y, mtd, ytd, max, a year \(2024\)"
    ):
        await ask(snapshot_market, period="last tuesday")


async def test_a_count_is_written_alike_in_text_and_fields(snapshot_market):
    # issue 25: the text said "9,810 sessions" and the field "9810"
    common = sorted(set(csv_closes("RUT", "Close")) & set(csv_closes("GSPC", "Close")))
    reply = await ask(snapshot_market, period="max")
    n = len(common) - 1  # daily steps after the first common close
    assert reply.field("Sessions").value == f"{n:,}"
    assert f"{n:,} sessions" in reply.text
    assert str(n) not in reply.text + reply.field("Sessions").value
