"""/server-settings accepts time zones from the IANA list of real zones only: a bare region, a long
value, the host's ``localtime``, ``Factory`` and the ``right/``/``posix/`` copies get a private,
polite refusal with real names; the option's autocomplete offers real zones only."""

from __future__ import annotations

import zoneinfo

import pytest

from commands import zones as zones_mod
from commands.zones import matching, parse_zone
from tests.abuse.conftest import private_refusal, run
from tests.bot.fake_discord import ALL_TEXT, MANAGE_CHANNELS

ADMIN = ALL_TEXT | MANAGE_CHANNELS | (1 << 5)  # Manage Server


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("America", "close to it: America/Adak"),
        ("Europe", "close to it: Europe/Amsterdam"),
        ("x" * 300, "e.g. America/New_York, Europe/Berlin"),
        ("localtime", "e.g. America/New_York"),
        ("right/UTC", "e.g. America/New_York"),
        ("posix/Europe/Berlin", "e.g. America/New_York"),
        ("Factory", "e.g. America/New_York"),
        ("../../etc/passwd", "e.g. America/New_York"),
    ],
)
async def test_what_is_not_a_real_zone_is_refused_privately_with_real_names(make_bot, fake, typed, offered):
    bot = await make_bot(guild=fake.guild())
    payload = fake.interaction("server-settings", {"timezone": typed}, member_permissions=ADMIN)
    answer = private_refusal(fake, await run(bot, payload))
    assert " is not a time zone. Use an IANA zone name (" + offered in answer
    assert len(answer) < 400
    settings = await bot.state.guild_settings(int(fake.guild_id))
    assert settings.timezone == "America/New_York"  # nothing was stored


async def test_a_real_zone_in_any_case_is_stored_by_its_name(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = fake.interaction("server-settings", {"timezone": " europe/berlin "}, member_permissions=ADMIN)
    assert "time zone Europe/Berlin;" in private_refusal(fake, await run(bot, payload))
    assert (await bot.state.guild_settings(int(fake.guild_id))).timezone == "Europe/Berlin"


async def test_the_autocomplete_offers_real_zones_only(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    for typed, first in [("europe/ber", "Europe/Berlin"), ("new_y", "America/New_York"), ("right/", None)]:
        payload = fake.interaction(
            "server-settings", {"timezone": typed}, focused="timezone", member_permissions=ADMIN
        )
        await run(bot, payload)
        (callback,) = fake.for_interaction(payload)
        values = [c["value"] for c in callback.json["data"]["choices"]]
        assert values[:1] == ([first] if first else [])
        assert all(parse_zone(v) == v for v in values)


def test_the_list_drops_what_loads_but_is_no_zone(monkeypatch):
    loaded = {"Europe/Berlin", "posix/Europe/Berlin", "right/UTC", "Factory", "localtime", "posixrules"}
    loaded.add("UTC")
    monkeypatch.setattr(zoneinfo, "available_timezones", lambda: loaded)
    zones_mod.zones.cache_clear()
    try:
        assert set(zones_mod.zones().values()) == {"Europe/Berlin", "UTC"}
        assert matching("berlin") == ["Europe/Berlin"]
    finally:
        zones_mod.zones.cache_clear()
