"""No single bad record breaks a reader: an answer whose chart cannot be drawn still answers with its
text and says the chart was left out, for /valuation and for every other command alike."""

from __future__ import annotations

import datetime as dt

import pytest

from commands import charts
from commands.reply import Reply
from data.valuations import Observation
from tests.abuse.conftest import run, subcommand
from tests.bot.fake_discord import dispatch
from tests.bot.test_subscriptions import Clock

NOW = dt.datetime(2026, 8, 21, 20, 31, tzinfo=dt.UTC)


def _stored(as_of: dt.date, source: str = "stored before dates were bounded") -> Observation:
    return Observation(17.0, 21.0, "forward", "forward", None, source, as_of, "recorded", recorded_by=9)


async def test_a_record_matplotlib_cannot_place_leaves_the_chart_out_not_the_answer(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    await bot.state.add_valuation(int(fake.guild_id), _stored(dt.date(1, 1, 1)), NOW)  # year 1: out of range
    payload = await run(bot, subcommand(fake, "valuation", "show", []))
    callback, followup = fake.for_interaction(payload)
    assert callback.json["type"] == 5
    embed = followup.json["embeds"][0]
    assert embed["description"].startswith("Latest comparable figures (2025-12-31, forward)")
    assert charts.LEFT_OUT in embed["description"]
    assert "image" not in embed
    assert not followup.files
    assert any("#1" in f["value"] for f in embed["fields"])  # the bad record is listed, so removable


async def test_a_record_dated_in_the_future_never_takes_the_headline(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    await bot.state.add_valuation(int(fake.guild_id), _stored(dt.date(9999, 12, 31)), NOW)
    payload = await run(bot, subcommand(fake, "valuation", "show", []))
    _, followup = fake.for_interaction(payload)
    embed = followup.json["embeds"][0]
    assert embed["description"].startswith("Latest comparable figures (2025-12-31, forward)")
    assert embed["footer"]["text"].startswith("As of 2026-01-09")  # the newest quote, not 9999
    first = embed["fields"][0]
    assert first["name"] == "9999-12-31 · dated after today: not used"
    assert "#1" in first["value"]
    assert followup.files[0][0] == "valuation.png"  # drawn from the records it can place


@pytest.mark.parametrize(
    ("command", "options", "chart_function"),
    [
        ("gap", {"period": "2024"}, "gap_chart"),
        ("streak", {}, "streak_chart"),
        ("digest", {}, "digest_chart"),
        ("rates", {"period": "1y"}, "rates_chart"),
    ],
)
async def test_any_command_whose_chart_fails_still_answers(
    thread_bot, fake, monkeypatch, command, options, chart_function
):
    def broken(*_args, **_kwargs):
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(charts, chart_function, broken)
    payload = fake.interaction(command, options)
    await dispatch(thread_bot, payload)
    _, followup = fake.for_interaction(payload)
    embed = followup.json["embeds"][0]
    assert embed["fields"], "the figures are there"
    assert charts.LEFT_OUT in embed["description"]
    assert "image" not in embed
    assert not followup.files
    assert "error id" not in (followup.json.get("content") or "")


def test_attach_keeps_a_chart_that_draws():
    reply = Reply(title="t", text="x")
    charts.attach(reply, "x.png", lambda: b"\x89PNG")
    assert (reply.chart, reply.chart_name, reply.notes) == (b"\x89PNG", "x.png", [])
