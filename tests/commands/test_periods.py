"""The period language's newer forms (a quarter, a day, an open range) under the README's definitions:
base = the last close before the first day, end = the last close on or before the last day (an open
range ends at the as-of session). Reference figures come straight from the CSV files."""

from __future__ import annotations

import datetime as dt

import pytest

from commands import gap
from commands.periods import parse_period
from commands.registry import execute
from commands.reply import UserError
from tests.conftest import csv_closes

RUT = csv_closes("RUT", "Close")
GSPC = csv_closes("GSPC", "Close")
D = dt.date


@pytest.mark.parametrize(
    ("raw", "text", "first", "last"),
    [
        ("2024-Q1", "2024-Q1", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024q4", "2024-Q4", D(2024, 10, 1), D(2024, 12, 31)),
        ("Q2-2025", "2025-Q2", D(2025, 4, 1), D(2025, 6, 30)),
        ("2026-1-16", "2026-01-16", D(2026, 1, 16), D(2026, 1, 16)),
        ("2020-01-01..", "2020-01-01..", D(2020, 1, 1), None),
        ("2024-02-29", "2024-02-29", D(2024, 2, 29), D(2024, 2, 29)),
    ],
)
def test_new_forms_parse_to_calendar_spans(raw, text, first, last):
    period = parse_period(raw)
    assert (period.text, period.kind, period.first, period.last) == (text, "span", first, last)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2024-Q5", "I don't understand the period `2024-Q5`"),
        ("2023-02-29", "is not a valid date"),
        ("2030-01-01..", r"starts after the newest session in the data \(2026-08-21\)"),
    ],
)
async def test_bad_new_forms_are_refused_clearly(snapshot_market, raw, message):
    with pytest.raises(UserError, match=message):
        await ask(snapshot_market, period=raw)


async def ask(market, **options: str):
    return await execute(gap.COMMAND, gap.COMMAND.validate(options), market)


def closes_between(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    common = sorted(set(RUT) & set(GSPC))
    return max(d for d in common if d < first), max(d for d in common if d <= last)


@pytest.mark.parametrize(
    ("period", "base", "end"),
    [
        # Hand-checked against the CSV: 2023-12-29 is 2023's last session, 2024-03-28 Q1 2024's
        # (Good Friday 2024-03-29 was a holiday).
        ("2024-Q1", D(2023, 12, 29), D(2024, 3, 28)),
        ("2026-01-16", D(2026, 1, 15), D(2026, 1, 16)),
        ("2020-01-01..", D(2019, 12, 31), D(2026, 8, 21)),
        ("2026-Q3", D(2026, 6, 30), D(2026, 8, 21)),
    ],
)
async def test_new_forms_follow_the_definitions(snapshot_market, period, base, end):
    p = parse_period(period)
    assert closes_between(p.first, p.last or D(2026, 8, 21)) == (base, end)
    reply = await ask(snapshot_market, period=period)
    assert reply.field("^RUT return").number == pytest.approx(RUT[end] / RUT[base] - 1, abs=1e-12)
    assert reply.field("^GSPC return").number == pytest.approx(GSPC[end] / GSPC[base] - 1, abs=1e-12)


async def test_a_quarter_keeps_its_capital_q_in_the_sentence(snapshot_market):
    reply = await ask(snapshot_market, period="2024-q1")
    assert reply.text.startswith("2024-Q1: Russell 2000 (^RUT) +4.81%")


async def test_an_open_range_says_where_it_ends(snapshot_market):
    reply = await ask(snapshot_market, period="2020-01-01..")
    assert reply.text.startswith("Since 2020-01-01 (to 2026-08-21): ")


async def test_a_day_without_a_session_names_the_nearest_sessions(snapshot_market):
    # Saturday; the next session is Tuesday 2026-01-20 (Martin Luther King Jr. Day on the Monday).
    expected = "2026-01-17 is not a trading session: the nearest are 2026-01-16 and 2026-01-20"
    with pytest.raises(UserError, match=expected):
        await ask(snapshot_market, period="2026-01-17")


# issue 25: one rule for a date without a session, in every command that takes one date
NOT_A_SESSION = [
    ("/gap period:2024-07-04", "2024-07-04 is not a trading session: the nearest are 2024-07-03 and"),
    ("/compare a:IWN b:IWO period:2024-07-04", "the nearest are 2024-07-03 and 2024-07-05."),
    ("/style period:2024-07-06", "2024-07-06 is not a trading session: the nearest are 2024-07-05 and"),
    ("/streak as_of:2024-07-04", "the nearest are 2024-07-03 and 2024-07-05. Give one of them as `as_of`."),
    ("/digest date:2024-07-04", "the nearest are 2024-07-03 and 2024-07-05. Give one of them as `date`."),
    ("/digest date:2026-01-17", "2026-01-17 is not a trading session: the nearest are 2026-01-16 and"),
    ("/streak as_of:1987-09-12 small:^RUT", "the nearest are 1987-09-11 and 1987-09-14."),
]


@pytest.mark.parametrize(("line", "says"), NOT_A_SESSION)
async def test_a_date_without_a_session_is_refused_alike_everywhere(snapshot_market, line, says):
    from commands.registry import default_registry

    command, query = default_registry().validate_line(line)
    with pytest.raises(UserError) as caught:
        await execute(command, query, snapshot_market)
    assert says in str(caught.value)
