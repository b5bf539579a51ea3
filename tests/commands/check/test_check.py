"""/check: claims found in text and judged on the bundled data, against figures this test computes
from the CSVs with plain Python (closes, returns, runs), independently of the bot's frames."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commands.check import claims
from commands.check.report import check_text, line, reply, text_report
from commands.check.verdicts import FAILS, HOLDS, HOLDS_ON, PART, UNCHECKABLE
from commands.reply import UserError
from data.valuations import Observation
from tests.conftest import csv_closes

ARTICLE = Path(__file__).resolve().parents[4] / "shared" / "article.txt"
RUT, GSPC, TNX = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close"), csv_closes("TNX", "Close")
COMMON = sorted(set(RUT) & set(GSPC))
LATEST = COMMON[-1]


def base_before(closes: dict[dt.date, float], day: dt.date) -> dt.date:
    return max(d for d in closes if d < day)


def change(closes: dict[dt.date, float], first: dt.date, end: dt.date) -> float:
    """Return from the last close before ``first`` to the last close on or before ``end``."""
    last = max(d for d in closes if d <= end)
    return closes[last] / closes[base_before(closes, first)] - 1


def run_lengths() -> dict[dt.date, int]:
    """Each common session's signed place in its run of small ahead (+) or behind (-)."""
    place, out = 0, {}
    for prev, day in itertools.pairwise(COMMON):
        spread = (RUT[day] / RUT[prev]) - (GSPC[day] / GSPC[prev])
        sign = 1 if spread > 1e-12 else -1 if spread < -1e-12 else 0
        place = place + sign if sign and (place > 0) == (sign > 0) and place else sign
        out[day] = place
    return out


RUNS = run_lengths()
JAN_2026 = [d for d in COMMON if d.year == 2026 and d.month == 1]
YTD = {d: (change(RUT, dt.date(2026, 1, 1), d), change(GSPC, dt.date(2026, 1, 1), d)) for d in JAN_2026}


async def check(market, text: str, as_of: dt.date | None = None, valuations=()):
    return (await check_text(text, market, market.known_offline(), as_of, valuations)).verdicts


# -- the table: claim, date of the text, expected status, and what the verdict must name --------------


def _eleven_days() -> list[dt.date]:
    return [d for d, n in RUNS.items() if n == 11]


def _jan_2019() -> float:
    return change(RUT, dt.date(2019, 1, 1), dt.date(2019, 1, 31))


def _tnx_on(day: dt.date) -> float:
    return TNX[max(d for d in TNX if d <= day)]


CASES = [
    # true on the text's date, the run counted here from the CSVs
    (
        "Small caps outperformed large caps for 11 consecutive sessions",
        dt.date(2026, 1, 16),
        HOLDS,
        lambda: [RUNS[dt.date(2026, 1, 16)] == 11],
    ),
    # true only on some sessions: undated, so judged on the latest and the last session it held named
    (
        "The small cap index has outperformed the large cap benchmark for 11 consecutive trading sessions",
        None,
        HOLDS_ON,
        lambda: [RUNS[LATEST] != 11, _eleven_days()[-1] == dt.date(2026, 1, 16)],
    ),
    # false: no January session has both figures (each closest session named, as computed here)
    (
        "Through mid-January, the Russell 2000 has gained 5.8% while the S&P 500 has advanced just 1.2%.",
        None,
        FAILS,
        lambda: [not any(round(r * 100, 1) == 5.8 and round(g * 100, 1) == 1.2 for r, g in YTD.values())],
    ),
    (f"The Russell 2000 gained {_jan_2019() * 100:.1f}% in January 2019", None, HOLDS, lambda: []),
    (f"The Russell 2000 gained {_jan_2019() * 100 + 0.5:.1f}% in January 2019", None, FAILS, lambda: []),
    (
        "Small caps beat large caps in 2025.",
        None,
        PART,
        lambda: [
            change(RUT, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
            < change(GSPC, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        ],
    ),
    (
        f"The 10-year Treasury yield stood at {_tnx_on(dt.date(2026, 1, 16)):.2f}% on 2026-01-16.",
        None,
        HOLDS,
        lambda: [],
    ),
    (
        "Consensus forecasts project 5-7% earnings growth for Russell 2000 companies.",
        None,
        UNCHECKABLE,
        lambda: [],
    ),
    ("VBR has seen record inflows in recent weeks.", None, UNCHECKABLE, lambda: []),
    ("Russell 2000 P/E: 18.1x", None, UNCHECKABLE, lambda: []),
]


@pytest.mark.parametrize(("text", "as_of", "status", "facts"), CASES, ids=[c[0][:40] for c in CASES])
async def test_claims_table(snapshot_market, text, as_of, status, facts):
    assert all(facts()), "the reference figures computed from the CSVs disagree with the case"
    (verdict,) = await check(snapshot_market, text, as_of)
    assert verdict.status == status, verdict


async def test_the_run_named_is_the_one_counted_from_the_csv(snapshot_market):
    (verdict,) = await check(
        snapshot_market, "Small caps outperformed large caps for 11 consecutive sessions"
    )
    last = _eleven_days()[-1]
    start = max(d for d, n in RUNS.items() if d <= last and n == 1)
    assert f"last held on {last}" in verdict.verdict
    assert f"since {start}" in verdict.figure
    assert verdict.command == f"/streak as_of:{last}"


async def test_the_two_figures_each_name_their_closest_session(snapshot_market):
    text = "Through mid-January, the Russell 2000 has gained 5.8% while the S&P 500 has advanced just 1.2%."
    (verdict,) = await check(snapshot_market, text)
    near_r = min(YTD, key=lambda d: abs(YTD[d][0] - 0.058))
    near_g = min(YTD, key=lambda d: abs(YTD[d][1] - 0.012))
    assert (
        f"5.8% (Russell 2000 (^RUT), taken as +5.75% to +5.85%) is nearest {near_r}'s "
        f"{YTD[near_r][0] * 100:+.3f}%, when S&P 500 (^GSPC) was {YTD[near_r][1] * 100:+.2f}%"
    ) in verdict.figure
    assert (
        f"1.2% (S&P 500 (^GSPC), taken as +1.15% to +1.25%) is nearest {near_g}'s "
        f"{YTD[near_g][1] * 100:+.3f}%, when Russell 2000 (^RUT) was {YTD[near_g][0] * 100:+.2f}%"
    ) in verdict.figure


async def test_strongest_january_names_the_stronger_years(snapshot_market):
    text = (
        "The Russell 2000 Index has surged since the start of 2026 - its strongest January in over a decade."
    )
    verdicts = await check(snapshot_market, text)
    (record,) = [v for v in verdicts if v.claim.kind == "record"]
    jan = {y: change(RUT, dt.date(y, 1, 1), dt.date(y, 1, 31)) for y in range(2016, 2027)}
    stronger = [y for y in range(2016, 2026) if jan[y] > jan[2026]]
    assert stronger, "the case needs a stronger January in the decade before"
    assert record.status == FAILS
    assert f"January 2026 {jan[2026] * 100:+.2f}%" in record.figure
    for y in stronger:
        assert f"{y} {jan[y] * 100:+.2f}%" in record.figure


async def test_a_recorded_valuation_is_used_with_its_basis(snapshot_market):
    recorded = Observation(
        18.0, 22.0, "forward", "forward", None, "FactSet note", dt.date(2026, 1, 9), "recorded"
    )
    quoted = Observation(
        18.1, 22.3, "unstated", "unstated", None, "the article", dt.date(2026, 1, 9), "quoted"
    )
    (pe,) = await check(snapshot_market, "The Russell 2000 trades at a forward P/E of 18x.", None, [recorded])
    assert pe.status == HOLDS
    assert "forward/forward" in pe.figure
    (discount,) = await check(snapshot_market, "Discount: 25%", None, [recorded])
    assert discount.status == FAILS
    assert f"{(1 - 18 / 22) * 100:.1f}%" in discount.figure
    (only_quotes,) = await check(snapshot_market, "Discount: 19%", None, [quoted])
    assert only_quotes.status == UNCHECKABLE


async def test_the_seed_article(snapshot_market):
    verdicts = await check(snapshot_market, ARTICLE.read_text())
    kinds = [v.claim.kind for v in verdicts]
    assert kinds == [
        "return",
        "record",
        "return",
        "streak",
        "unverifiable",
        *["valuation"] * 5,
        *["unverifiable"] * 4,
    ]
    assert [v.status for v in verdicts[:4]] == [FAILS, FAILS, FAILS, HOLDS_ON]
    assert all(v.status == UNCHECKABLE for v in verdicts[4:])
    assert "18.8%" in verdicts[9].verdict  # the article's own 18.1x and 22.3x, as arithmetic
    dated = await check(snapshot_market, ARTICLE.read_text(), dt.date(2026, 1, 16))
    assert dated[3].status == HOLDS


def test_sentences_without_a_figure_are_not_claims():
    text = "Lower interest rates have helped. Active selection will likely prove important."
    assert claims.find(text, ["^RUT", "^GSPC"], LATEST) == []


async def test_echoed_text_cannot_ping_or_render(snapshot_market):
    report = await check_text(
        "@everyone **Small caps** beat [large](https://x.io) caps for 3 consecutive sessions <@123>",
        snapshot_market,
        snapshot_market.known_offline(),
    )
    shown = line(1, report.verdicts[0])
    assert "@everyone" not in shown
    assert "**Small" not in shown
    assert "](https" not in shown
    assert "<@123>" not in text_report(report)
    assert reply(report).text.count("\n\n") == 1


async def test_bad_dates_are_refused_politely(snapshot_market):
    with pytest.raises(UserError, match="after the newest session"):
        await check(snapshot_market, "Small caps led for 3 consecutive sessions", dt.date(2030, 1, 1))


def _best_january_before(year: int, back: int) -> bool:
    jan = {y: change(RUT, dt.date(y, 1, 1), dt.date(y, 1, 31)) for y in range(year - back, year + 1)}
    return all(jan[y] < jan[year] for y in range(year - back, year))


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # computed here: January 2019 beat every January of the 20 years before it
        ("The Russell 2000 had its best January in 20 years in 2019.", HOLDS),
        # the Russell 2000's data starts in 1987: 50 years back cannot be checked in full
        ("The Russell 2000 had its best January in 50 years in 2019.", UNCHECKABLE),
    ],
)
async def test_records_against_the_years_the_data_has(snapshot_market, text, status):
    assert _best_january_before(2019, 20)
    (verdict,) = await check(snapshot_market, text)
    assert verdict.status == status, verdict


@pytest.mark.parametrize(
    "text",
    [
        "The Russell 2000 gained 5% on 2026-02-30.",
        "Small caps beat large caps for 0 consecutive sessions.",
        "The Russell 2000 gained 9999999999% since 1900.",
        "Its strongest January in 500 years.",
        "The 10-year yield was 4.2% on 1950-01-01.",
        "The Russell 2000 gained 5% in Q3 2030.",
        "The S&P 500 rose 3% between 2026-03-01 and 2026-02-01.",
        "$ZZZZ gained 5% this year.",
        "The Russell 2000 gained 5% over the last 200 years.",
    ],
)
async def test_odd_claims_get_a_verdict_each_never_an_error(snapshot_market, text):
    """Dates the grammar refuses, periods outside the data, unknown series: each is one claim with a
    verdict (most "cannot be checked", with the reason), and the rest of the text is still checked."""
    year = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert change(RUT, *year) < change(GSPC, *year)  # so the second claim holds
    verdicts = await check(snapshot_market, f"{text} Large caps beat small caps in 2024.")
    assert len(verdicts) == 2
    assert verdicts[0].status in (UNCHECKABLE, FAILS, HOLDS_ON)
    assert "error on my side" not in verdicts[0].verdict
    assert verdicts[1].status == HOLDS


async def test_the_ratio_at_its_lowest_since_a_year(snapshot_market):
    """Against the small/large ratio computed here: the last session on which no close since 2001 was
    lower is the one named."""
    ratio = {d: RUT[d] / GSPC[d] for d in COMMON if d.year >= 2001}
    low, lows = float("inf"), []
    for d in sorted(ratio):
        if ratio[d] <= low:
            low = ratio[d]
            lows.append(d)
    (verdict,) = await check(snapshot_market, "The small/large ratio fell to its lowest level since 2001.")
    assert lows[-1] != LATEST
    assert verdict.status == HOLDS_ON
    assert f"last held on {lows[-1]}" in verdict.verdict
    dated = await check(
        snapshot_market, "The small/large ratio fell to its lowest level since 2001.", lows[-1]
    )
    assert dated[0].status == HOLDS


@pytest.mark.parametrize(
    "text", ["ytd", "mtd", "1d", "1w", "1m", "1y", "10y", "max", "2025", "2024-Q2", "2020-01-01.."]
)
def test_bases_for_every_session_are_the_ones_resolve_picks(text):
    """The verdicts try thousands of sessions at once; each base must be the close /gap would use."""
    from commands.check.moves import bases_for
    from commands.periods import parse_period, resolve

    sessions = pd.DatetimeIndex([pd.Timestamp(d) for d in COMMON if d.year >= 2019])
    period = parse_period(text)
    ends = np.arange(300, len(sessions), 97)
    for end, base in zip(ends, bases_for(period, sessions, ends), strict=True):
        try:
            expected = sessions.get_loc(resolve(period, sessions[: end + 1]).base)
        except UserError:
            continue
        assert base == expected, (text, sessions[end])
