"""One server's records for that server only: a channel option naming another server's channel is
refused, and every state write is filtered by server (unsubscribe, subscribe updates, removals)."""

from __future__ import annotations

import datetime as dt

import pytest

from data.state import Subscription
from tests.abuse.conftest import MOD, opt, private_refusal, run, subcommand
from tests.bot.test_subscriptions import Clock

NOW = dt.datetime(2026, 8, 21, 20, 31, tzinfo=dt.UTC)
FOREIGN_GUILD, FOREIGN_CHANNEL = "1500000000000000001", "1500000000000000002"
REFUSAL = "That channel is not in this server: pick one of this server's own channels."


def _foreign_sub() -> Subscription:
    return Subscription(int(FOREIGN_CHANNEL), int(FOREIGN_GUILD), None, "America/New_York", True, 42)


@pytest.mark.parametrize("sent_guild", [FOREIGN_GUILD, None])  # Discord said so / the channel is not ours
@pytest.mark.parametrize("command", ["subscribe", "unsubscribe"])
async def test_a_channel_of_another_server_is_refused(make_bot, fake, command, sent_guild):
    bot = await make_bot(guild=fake.guild(), clock=Clock())
    await bot.state.subscribe(_foreign_sub(), NOW)
    payload = fake.interaction(
        command, channel_option=(FOREIGN_CHANNEL, 0, MOD), channel_guild=sent_guild, member_permissions=MOD
    )
    await run(bot, payload)
    assert private_refusal(fake, payload) == REFUSAL
    (sub,) = await bot.state.subscriptions()
    assert (sub.guild_id, sub.channel_id) == (int(FOREIGN_GUILD), int(FOREIGN_CHANNEL))  # untouched


async def test_an_alert_cannot_target_another_servers_channel(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    options = [opt("signal", "streak"), opt("threshold", 5.0, 10), opt("channel", FOREIGN_CHANNEL, 7)]
    payload = subcommand(fake, "alert", "add", options, member_permissions=MOD)
    payload["data"]["resolved"] = {
        "channels": {
            FOREIGN_CHANNEL: fake.channel(FOREIGN_CHANNEL, 0, "elsewhere")
            | {"guild_id": FOREIGN_GUILD, "permissions": str(MOD)}
        }
    }
    await run(bot, payload)
    assert private_refusal(fake, payload) == REFUSAL
    assert await bot.state.alerts() == []


async def test_state_writes_are_filtered_by_server(state):
    await state.subscribe(_foreign_sub(), NOW)
    assert not await state.unsubscribe(1, int(FOREIGN_CHANNEL))  # from the wrong server: nothing
    hijack = Subscription(int(FOREIGN_CHANNEL), 1, "09:00", "Europe/Berlin", False, 7)
    assert not await state.subscribe(hijack, NOW)  # an update never moves a row to another server
    (sub,) = await state.subscriptions()
    assert (sub.guild_id, sub.post_time, sub.created_by) == (int(FOREIGN_GUILD), None, 42)
    same = Subscription(int(FOREIGN_CHANNEL), int(FOREIGN_GUILD), "09:00", "Europe/Berlin", False, 7)
    assert await state.subscribe(same, NOW)
    assert (await state.subscriptions(int(FOREIGN_GUILD)))[0].post_time == "09:00"
    assert await state.unsubscribe(int(FOREIGN_GUILD), int(FOREIGN_CHANNEL))
    assert await state.subscriptions() == []
