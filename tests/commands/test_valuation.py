"""/valuation: bases are never mixed, quotes are labelled as quotes, records are per server."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.valuations import record_valuation, remove_valuation, show_valuation
from commands.reply import UserError
from commands.valuation import QUOTED, parse_record, show

NOW = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)


def test_the_articles_figures_are_shipped_with_their_basis():
    late_2025, january = sorted(QUOTED, key=lambda o: o.as_of)
    assert (late_2025.small_pe, late_2025.large_pe, late_2025.basis) == (18.0, 26.0, "forward")
    assert late_2025.discount == pytest.approx(1 - 18 / 26)
    assert january.basis == "unstated"
    assert january.discount is None  # the article's 19% is quoted, never recomputed across unknown bases


def test_no_discount_across_two_bases():
    obs = parse_record(
        {
            "small_pe": "18.1",
            "large_pe": "22.3",
            "basis": "trailing",
            "large_basis": "forward",
            "source": "desk note",
        },
        1,
    )
    assert obs.discount is None
    assert "bases differ (trailing vs forward)" in obs.why_no_discount()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"small_pe": "18", "large_pe": "22", "source": "desk note"}, "Recording needs basis"),
        ({"small_pe": "abc", "large_pe": "22", "source": "desk note", "basis": "forward"}, "are numbers"),
        ({"small_pe": "-3", "large_pe": "22", "source": "desk note", "basis": "forward"}, "positive number"),
        ({"small_pe": "18", "large_pe": "22", "source": "desk note", "basis": "guess"}, "is not a basis"),
        (
            {"small_pe": "18", "large_pe": "22", "source": "desk note", "basis": "forward", "as_of": "Jan 9"},
            "YYYY-MM-DD",
        ),
    ],
)
def test_record_validation(options, message):
    with pytest.raises(UserError, match=message):
        parse_record(options, 1)


def test_show_uses_the_latest_comparable_figures_and_labels_the_band():
    reply = show(list(QUOTED))
    assert "Latest comparable figures (2025-12-31, forward)" in reply.text
    assert "30.8%" in reply.text
    assert "above the 5–10%" in reply.text
    assert "quoted, not computed" in reply.text
    assert reply.chart.startswith(b"\x89PNG")


async def test_records_are_per_server_and_removable_by_owner_or_moderator(state, snapshot_market):
    options = {
        "small_pe": "17",
        "large_pe": "21",
        "basis": "forward",
        "source": "desk note",
        "as_of": "2026-01-09",
    }
    text = await record_valuation(state, 111, options, user_id=5, now=NOW)
    assert text.startswith("Recorded #1: 17x vs 21x as of 2026-01-09 (a 19.0% discount).")
    assert [o.small_pe for o in await state.valuations(111)] == [17.0]
    assert await state.valuations(222) == []
    reply = await show_valuation(state, 111, snapshot_market, NOW.date())
    assert "Latest comparable figures (2026-01-09, forward): small caps 17x vs large caps 21x" in reply.text
    assert any("snapshot mode" in n for n in reply.notes)
    with pytest.raises(UserError, match="Only whoever recorded #1"):
        await remove_valuation(state, 111, "1", user_id=6, can_manage_messages=False)
    with pytest.raises(UserError, match="no recorded valuation #1 in this server"):
        await remove_valuation(state, 222, "1", user_id=5, can_manage_messages=True)
    assert (
        await remove_valuation(state, 111, "#1", user_id=6, can_manage_messages=True)
        == "Removed valuation #1."
    )
    assert await state.valuations(111) == []
