"""One server's records for that server only: a channel option naming another server's channel is
refused, and every state write is filtered by server (unsubscribe, subscribe updates, removals)."""

from __future__ import annotations

import datetime as dt

import pytest

from data.state import Subscription
from tests.abuse.conftest import MOD, guild_with_role, opt, private_refusal, run, subcommand, with_role
from tests.bot.fake_discord import MANAGE_CHANNELS
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


async def test_a_deleted_channels_subscription_stays_removable_by_its_id_in_its_server_only(make_bot, fake):
    gone = "2500000000000000001"  # subscribed, then the channel was deleted: no client can pick it
    bot = await make_bot(guild=guild_with_role(fake, MANAGE_CHANNELS), clock=Clock())  # a server-wide role
    guild = int(fake.guild_id)
    await bot.state.subscribe(Subscription(int(gone), guild, None, "America/New_York", True, 1), NOW)
    await bot.state.subscribe(_foreign_sub(), NOW)
    listing = await run(bot, fake.interaction("subscriptions"))
    (field,) = fake.for_interaction(listing)[0].json["data"]["embeds"][0]["fields"]
    assert f"channel not found: `/unsubscribe id:{gone}` removes it" in field["value"]
    plain = await run(bot, fake.interaction("unsubscribe", {"id": gone}))
    needs = (
        f"Unsubscribing <#{gone}> needs the Manage Channels permission in this server "
        "(the channel no longer exists)."
    )
    assert private_refusal(fake, plain) == needs
    foreign = fake.interaction("unsubscribe", {"id": FOREIGN_CHANNEL}, member_permissions=MOD)
    theirs = await run(bot, with_role(foreign))
    assert private_refusal(fake, theirs) == f"<#{FOREIGN_CHANNEL}> was not subscribed in this server."
    mine = await run(bot, with_role(fake.interaction("unsubscribe", {"id": gone}, member_permissions=MOD)))
    assert private_refusal(fake, mine) == f"<#{gone}> will get no more daily updates."
    assert [s.channel_id for s in await bot.state.subscriptions()] == [int(FOREIGN_CHANNEL)]
