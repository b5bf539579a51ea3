"""The fed funds move beside /digest, against FRED's file read plainly."""

from __future__ import annotations

import csv
import datetime as dt

from commands import digest
from commands.fedfunds import fed_funds_since
from commands.registry import execute
from tests.conftest import SNAPSHOT


def dff() -> dict[dt.date, float]:
    with open(SNAPSHOT / "fred" / "DFF.csv", newline="") as fh:
        return {dt.date.fromisoformat(r["observation_date"]): float(r["DFF"]) for r in csv.DictReader(fh)}


async def test_the_move_since_a_date_in_basis_points(snapshot_market):
    rates = dff()
    line = await fed_funds_since(snapshot_market, dt.date(2026, 8, 21), dt.date(2025, 9, 1))
    bp = round((rates[dt.date(2026, 8, 21)] - rates[dt.date(2025, 9, 1)]) * 100)
    assert bp == -70  # the 2025 cuts, 4.33 % -> 3.63 %
    assert line == "Fed funds (effective, FRED DFF): 3.63% on 2026-08-21, -70 bp since 2025-09-01 (4.33%)."


async def test_a_date_before_the_bundled_data_is_said_not_guessed(snapshot_market):
    line = await fed_funds_since(snapshot_market, dt.date(2024, 6, 3), dt.date(2023, 6, 1))
    assert (
        line
        == "Fed funds (effective, FRED DFF): 5.33% on 2024-06-03; its data starts 2024-01-01, "
        "after 2023-06-01."
    )


async def test_the_digest_says_the_year_s_move(snapshot_market):
    reply = await execute(digest.COMMAND, digest.COMMAND.validate({"date": "2025-12-31"}), snapshot_market)
    assert (
        "Fed funds (effective, FRED DFF): 3.64% on 2025-12-31, -69 bp since 2024-12-31 (4.33%)."
        in reply.notes
    )
