"""Removing what another member set up needs the permission on what it acts on, as Discord computes
it (roles, then the channel's overwrites): Manage Channels on a subscription's or an alert's channel
(the server's, once the channel is gone), Manage Messages in the server for a valuation. Holding
the permission only where the command is typed is not enough."""

from __future__ import annotations

import datetime as dt

import pytest

from data.state import Alert, Subscription
from data.valuations import Observation
from tests.abuse.conftest import (
    DESK,
    MOD,
    ROLE,
    guild_with_role,
    opt,
    private_refusal,
    run,
    subcommand,
    with_role,
)
from tests.bot.fake_discord import ALL_TEXT, MANAGE_CHANNELS
from tests.bot.test_subscriptions import Clock

NOW = dt.datetime(2026, 8, 21, 20, 31, tzinfo=dt.UTC)
MANAGE_MESSAGES = 1 << 13
GONE = "2400000000000000009"  # a channel that was deleted
MEMBER, OWNER = "1300000000000000001", "1300000000000000002"


async def _subscribed(bot, fake, channel: str) -> None:
    sub = Subscription(int(channel), int(fake.guild_id), None, "America/New_York", True, int(OWNER))
    await bot.state.subscribe(sub, NOW)


@pytest.mark.parametrize(
    ("role_perms", "overwrite", "has_role", "allowed"),
    [
        (0, None, False, False),  # Manage Channels only where typed: the finding
        (MANAGE_CHANNELS, None, True, True),  # a role that manages every channel
        (MANAGE_CHANNELS, (ROLE, 0, MANAGE_CHANNELS), True, False),  # ... but not #desk-0
        (0, (MEMBER, MANAGE_CHANNELS, 0), False, True),  # a member overwrite on #desk-0 itself
    ],
)
async def test_unsubscribe_by_id_checks_the_target_channel(
    make_bot, fake, role_perms, overwrite, has_role, allowed
):
    bot = await make_bot(guild=guild_with_role(fake, role_perms, overwrite), clock=Clock())
    await _subscribed(bot, fake, DESK)
    payload = fake.interaction("unsubscribe", {"id": DESK}, member_permissions=MOD)  # MOD where typed
    answer = private_refusal(fake, await run(bot, with_role(payload) if has_role else payload))
    if allowed:
        assert answer == f"<#{DESK}> will get no more daily updates."
        assert await bot.state.subscriptions() == []
    else:
        assert answer == f"Unsubscribing <#{DESK}> needs the Manage Channels permission there."
        assert [s.channel_id for s in await bot.state.subscriptions()] == [int(DESK)]


@pytest.mark.parametrize(("role_perms", "allowed"), [(0, False), (MANAGE_CHANNELS, True)])
async def test_a_gone_channels_subscription_needs_manage_channels_in_the_server(
    make_bot, fake, role_perms, allowed
):
    bot = await make_bot(guild=guild_with_role(fake, role_perms), clock=Clock())
    await _subscribed(bot, fake, GONE)
    payload = with_role(fake.interaction("unsubscribe", {"id": GONE}, member_permissions=MOD))
    answer = private_refusal(fake, await run(bot, payload))
    if allowed:
        assert answer == f"<#{GONE}> will get no more daily updates."
    else:
        assert answer == (
            f"Unsubscribing <#{GONE}> needs the Manage Channels permission in this server "
            "(the channel no longer exists)."
        )
    assert len(await bot.state.subscriptions()) == (0 if allowed else 1)


@pytest.mark.parametrize(
    ("channel", "role_perms", "allowed"),
    [(DESK, 0, False), (DESK, MANAGE_CHANNELS, True), (GONE, 0, False), (GONE, MANAGE_CHANNELS, True)],
)
async def test_alert_remove_checks_the_alerts_channel_or_the_server(
    make_bot, fake, channel, role_perms, allowed
):
    bot = await make_bot(guild=guild_with_role(fake, role_perms))
    alert = Alert(int(fake.guild_id), int(channel), "streak", 5.0, None, int(OWNER))
    await bot.state.add_alert(alert, NOW)
    payload = with_role(subcommand(fake, "alert", "remove", [opt("id", 1, 4)], member_permissions=MOD))
    answer = private_refusal(fake, await run(bot, payload))
    if allowed:
        assert answer == "Alert #1 removed."
    else:
        assert answer == f"Removing alert #1 needs the Manage Channels permission in <#{channel}>."
    assert len(await bot.state.alerts(int(fake.guild_id))) == (0 if allowed else 1)


@pytest.mark.parametrize(("role_perms", "allowed"), [(0, False), (MANAGE_MESSAGES, True)])
async def test_removing_another_members_valuation_needs_manage_messages_in_the_server(
    make_bot, fake, role_perms, allowed
):
    bot = await make_bot(guild=guild_with_role(fake, role_perms))
    theirs = Observation(
        17.0, 21.0, "forward", "forward", None, "desk", dt.date(2026, 8, 1), "recorded", None, 7
    )
    await bot.state.add_valuation(int(fake.guild_id), theirs, NOW)
    where_typed = ALL_TEXT | MANAGE_MESSAGES  # channel-level Manage Messages: the finding
    payload = subcommand(fake, "valuation", "remove", [opt("id", 1, 4)], member_permissions=where_typed)
    answer = private_refusal(fake, await run(bot, with_role(payload)))
    if allowed:
        assert answer == "Removed valuation #1."
    else:
        assert (
            answer
            == "Only whoever recorded #1, or someone with Manage Messages in this server, can remove it."
        )
    assert len(await bot.state.valuations(int(fake.guild_id))) == (0 if allowed else 1)


async def test_a_member_still_removes_their_own_valuation_without_any_permission(make_bot, fake):
    bot = await make_bot(guild=guild_with_role(fake))
    mine = Observation(
        17.0, 21.0, "forward", "forward", None, "desk", dt.date(2026, 8, 1), "recorded", None, int(MEMBER)
    )
    await bot.state.add_valuation(int(fake.guild_id), mine, NOW)
    payload = subcommand(fake, "valuation", "remove", [opt("id", 1, 4)])
    assert private_refusal(fake, await run(bot, payload)) == "Removed valuation #1."
