"""Alerts: the /history signal definitions, evaluated once per session, posted exactly once."""

from __future__ import annotations

import datetime as dt

from bot.delivery import Delivery, nonce
from commands.alerts import alert_source
from data.calendar import TradingCalendar
from data.state import Alert
from tests.bot.fake_discord import ALL_TEXT, EPHEMERAL, MANAGE_CHANNELS, dispatch
from tests.bot.test_delivery import Clock, FakePoster, Updates
from tests.conftest import expire_claims

CAL = TradingCalendar()
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def engine(state, poster, clock, market) -> Delivery:
    return Delivery(state, Updates(), poster, CAL, clock, alert_source=alert_source(market))


async def test_a_streak_alert_fires_once_on_the_session_it_is_reached(state, snapshot_market):
    alert_id = (await state.add_alert(Alert(1, 555, "streak", 10.0, None, 7), CREATED)).id
    poster = FakePoster()
    fired_on = []
    for day in range(2, 31):  # January 2026, one tick after each session's default update time
        clock = Clock(f"2026-01-{day:02d}T21:31")
        for _ in range(2):  # a restart: a fresh engine, the same database
            report = await engine(state, poster, clock, snapshot_market).tick()
            if report.alerts_sent:
                fired_on.append(clock.now.date())
    assert fired_on == [dt.date(2026, 1, 15)]
    assert poster.posts == [(555, nonce(alert_id, "2026-01-15", "alerts"), None)]
    row = await state.delivery(alert_id, "2026-01-15", ledger="alerts")
    assert row["status"] == "sent"


async def test_a_crash_after_sending_an_alert_does_not_send_it_again(state, snapshot_market):
    alert_id = (await state.add_alert(Alert(1, 555, "streak", 10.0, None, 7), CREATED)).id
    claim = await state.claim(alert_id, "2026-01-15", dt.timedelta(minutes=10), "alerts")
    assert claim is not None
    await expire_claims(state, "alerts")  # the process died after sending; its lease ran out
    poster = FakePoster()
    await poster.post(555, None, nonce="sent-before-the-crash", thread_name=None)
    report = await engine(state, poster, Clock("2026-01-15T21:45"), snapshot_market).tick()
    assert report.alerts_found_existing == 1
    assert len(poster.posts) == 1


async def test_alerts_created_after_the_session_do_not_fire_for_it(state, snapshot_market):
    await state.add_alert(Alert(1, 555, "streak", 10.0, None, 7), dt.datetime(2026, 1, 15, 22, tzinfo=dt.UTC))
    poster = FakePoster()
    await engine(state, poster, Clock("2026-01-15T23:00"), snapshot_market).tick()
    assert poster.posts == []


async def test_alert_add_through_discord(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = fake.interaction("alert", member_permissions=ALL_TEXT | MANAGE_CHANNELS)
    payload["data"]["options"] = [
        {
            "name": "add",
            "type": 1,
            "options": [
                {"name": "signal", "type": 3, "value": "streak"},
                {"name": "threshold", "type": 10, "value": 10},
            ],
        }
    ]
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert "Alert #1" in callback.json["data"]["content"]
    (alert,) = await bot.state.alerts(int(fake.guild_id))
    assert (alert.signal, alert.threshold, alert.channel_id) == ("streak", 10.0, int(fake.channel_id))
    missing = fake.interaction("alert", member_permissions=ALL_TEXT | MANAGE_CHANNELS)
    missing["data"]["options"] = [
        {"name": "add", "type": 1, "options": [{"name": "signal", "type": 3, "value": "streak"}]}
    ]
    await dispatch(bot, missing)
    assert "needs a threshold" in fake.for_interaction(missing)[0].json["data"]["content"]
