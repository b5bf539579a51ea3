"""export:true — one CSV of the series and figures behind an answer, checked against the snapshot CSVs."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest

from commands import compare, digest, export, gap, history, rates, rrg, sectors, streak, style
from commands.registry import execute
from commands.reply import Reply, UserError
from tests.conftest import csv_closes


async def run(command, market, **options):
    return await execute(command.COMMAND, command.COMMAND.validate(options), market)


def header_and_table(csv: bytes) -> tuple[list[str], pd.DataFrame]:
    text = csv.decode()
    header = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    return header, pd.read_csv(io.StringIO(text), comment="#", index_col=0)


async def test_compare_export_has_the_closes_returns_and_ratio_of_the_period(snapshot_market):
    reply = await run(compare, snapshot_market, a="IWM", b="SPY", period="2024", export="true")
    assert reply.csv_name == "gap.csv"
    header, table = header_and_table(reply.csv)
    assert header[:5] == [
        "rotation-bot export",
        "command: /compare a:IWM b:SPY period:2024",
        "as of: 2024-12-31",  # the last close used (issue 25's as-of rule)
        "source: bundled snapshot",
        "answer: Small vs large (IWM/SPY): 2024",  # a fund pair across size (issue 25)
    ]
    assert "figure: IWM return = +11.38%" in header
    assert "figure: SPY return = +24.89%" in header
    assert any(h.startswith("definition: volatility = sqrt(252)") for h in header)
    iwm, spy = csv_closes("IWM"), csv_closes("SPY")
    days = [d for d in sorted(set(iwm) & set(spy)) if dt.date(2023, 12, 29) <= d <= dt.date(2024, 12, 31)]
    assert [dt.date.fromisoformat(d) for d in table.index] == days  # base close first, 253 closes
    assert table["IWM close"].tolist() == pytest.approx([iwm[d] for d in days], rel=1e-9)
    assert table["SPY close"].tolist() == pytest.approx([spy[d] for d in days], rel=1e-9)
    d1, d0 = days[5], days[4]
    row = table.loc[str(d1)]
    assert row["IWM daily return"] == pytest.approx(iwm[d1] / iwm[d0] - 1, rel=1e-8)
    assert row["daily spread"] == pytest.approx((iwm[d1] / iwm[d0]) - (spy[d1] / spy[d0]), rel=1e-7)
    assert row["IWM/SPY ratio"] == pytest.approx(iwm[d1] / spy[d1], rel=1e-9)
    assert table["IWM rebased"].iloc[-1] == pytest.approx(100 * iwm[days[-1]] / iwm[days[0]], rel=1e-9)
    assert table["IWM drawdown"].min() == pytest.approx(reply.field("IWM max drawdown").number, rel=1e-8)


@pytest.mark.parametrize(
    ("command", "options", "name", "columns"),
    [
        (gap, {"period": "2024"}, "gap.csv", ["^RUT close", "^GSPC close", "^RUT/^GSPC ratio drawdown"]),
        (style, {"pair": "vanguard", "period": "1y"}, "style.csv", ["VBR close", "VBK daily return"]),
        (streak, {"as_of": "2026-01-16"}, "streak.csv", ["daily spread", "run"]),
        (digest, {"date": "2024-12-31"}, "digest.csv", ["ratio 200-day average", "ratio from 52-week high"]),
        (history, {"signal": "streak", "threshold": "11"}, "history.csv", ["spread next 1m (21 sessions)"]),
        (sectors, {"period": "2025", "vs_large": "true"}, "sectors.csv", ["PSCT close", "XLRE close"]),
        (rates, {"period": "1y"}, "rates.csv", ["weekly yield change (bp)", "rolling 26-week correlation"]),
        (rrg, {"set": "sectors"}, "rrg.csv", ["fund", "RS", "RS-Ratio", "RS-Momentum", "quadrant"]),
    ],
)
async def test_every_data_command_exports_one_csv(snapshot_market, command, options, name, columns):
    plain = await run(command, snapshot_market, **options)
    assert plain.csv is None  # only when asked for
    reply = await run(command, snapshot_market, **options, export="true")
    assert reply.csv_name == name
    header, table = header_and_table(reply.csv)
    assert header[1].startswith(f"command: /{command.COMMAND.name}")
    assert header[2] == f"as of: {reply.as_of}"
    assert header[3].startswith("source: ")
    assert len(table) > 0
    for column in columns:
        assert column in table.columns
    assert len(reply.csv) + len(reply.chart) <= 10 * 1024 * 1024
    assert not re.search(r"\bnan\b", "\n".join(header).lower())


async def test_streak_export_marks_the_run(snapshot_market):
    reply = await run(streak, snapshot_market, as_of="2026-01-16", export="true")
    _, table = header_and_table(reply.csv)
    assert table.index[-1] == "2026-01-16"
    assert table["run"].iloc[-11:].tolist() == list(range(1, 12))  # the 11-session run, counted
    assert table["run"].iloc[-12] <= 0


async def test_digest_export_ratio_from_highs_matches_its_fields(snapshot_market):
    reply = await run(digest, snapshot_market, export="true")
    _, table = header_and_table(reply.csv)
    assert table["ratio from its high"].iloc[-1] == pytest.approx(reply.field("Ratio from its high").number)
    assert table["ratio from 52-week high"].iloc[-1] == pytest.approx(
        reply.field("Ratio from 52-week high").number
    )


async def test_export_takes_true_or_false_only(snapshot_market):
    with pytest.raises(UserError, match="`export` is true or false"):
        await run(gap, snapshot_market, export="maybe")
    assert (await run(gap, snapshot_market, export="false")).csv is None


def test_a_table_too_large_keeps_its_newest_rows_and_says_so():
    table = pd.DataFrame(
        {"x": range(10_000)}, index=pd.date_range("2000-01-01", periods=10_000, name="date")
    )
    reply = Reply("t", "text", chart=b"\x89PNG" + b"0" * 1000, chart_name="gap.png")
    export.attach(reply, "gap.csv", table, "/gap", limit=50_000)
    assert len(reply.csv) + len(reply.chart) <= 50_000
    header, kept = header_and_table(reply.csv)
    assert any(h.startswith("trimmed: the newest") for h in header)
    assert kept["x"].iloc[-1] == 9_999
    assert reply.notes[0].startswith("The CSV holds the newest")
