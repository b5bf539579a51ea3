"""The per-server chart theme: chosen in /server-settings, stored with the server's settings, applied
to that server's answers and to its daily update (rendered once per theme in use, not per channel)."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from bot.delivery import Delivery
from commands import digest
from commands.charts import DARK, LIGHT
from commands.registry import execute
from data.state import GuildSettings, Subscription
from tests.bot.fake_discord import ALL_TEXT, MANAGE_CHANNELS, dispatch
from tests.bot.test_delivery import CAL, CREATED, Clock

MANAGE_SERVER = 1 << 5


def background(png: bytes) -> str:
    """The colour of the chart's top-left corner: its figure background."""
    r, g, b = Image.open(io.BytesIO(png)).convert("RGB").getpixel((1, 1))
    return f"#{r:02X}{g:02X}{b:02X}"


def chart_of(fake, payload) -> bytes:
    (followup,) = [r for r in fake.for_interaction(payload) if r.path.startswith("/webhooks")]
    ((_, png),) = followup.files
    return png


async def test_server_settings_theme_applies_to_the_servers_charts(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    before = fake.interaction("gap", {"period": "1m"})
    await dispatch(bot, before)
    assert background(chart_of(fake, before)) == DARK.background  # the default: Discord's dark theme

    admin = ALL_TEXT | MANAGE_CHANNELS | MANAGE_SERVER
    setting = fake.interaction("server-settings", {"theme": "light"}, member_permissions=admin)
    await dispatch(bot, setting)
    (callback,) = fake.for_interaction(setting)
    assert "Charts use the light theme." in callback.json["data"]["content"]
    assert (await bot.state.guild_settings(int(fake.guild_id))).chart_theme == "light"

    after = fake.interaction("gap", {"period": "1m"})
    await dispatch(bot, after)
    assert background(chart_of(fake, after)) == LIGHT.background

    # another setting later leaves the theme as chosen
    zone = fake.interaction("server-settings", {"timezone": "Europe/Berlin"}, member_permissions=admin)
    await dispatch(bot, zone)
    assert (await bot.state.guild_settings(int(fake.guild_id))).chart_theme == "light"


class ThemedPoster:
    def __init__(self) -> None:
        self.charts: dict[int, bytes] = {}

    async def post(self, channel_id, reply, *, nonce, thread_name):
        self.charts[channel_id] = reply.chart
        return 20_000 + len(self.charts)

    async def find_post(self, channel_id, title):
        return None


async def test_daily_update_in_each_servers_theme_rendered_once_per_theme(state, snapshot_market):
    light_guild, dark_guild, default_guild = 11, 12, 13
    await state.set_guild_settings(light_guild, GuildSettings(chart_theme="light"))
    await state.set_guild_settings(dark_guild, GuildSettings(chart_theme="dark"))
    channels = {101: light_guild, 102: light_guild, 201: dark_guild, 301: default_guild}
    for channel, guild in channels.items():
        await state.subscribe(Subscription(channel, guild, None, "America/New_York", False, 7), CREATED)

    async def update(session: dt.date, theme: str):
        query = digest.COMMAND.validate({"date": session.isoformat()})
        return await execute(digest.COMMAND, query, snapshot_market, theme=theme)

    poster = ThemedPoster()
    d = Delivery(state, update, poster, CAL, Clock("2026-08-21T20:31"))
    assert (await d.tick()).sent == 4
    assert d.renders == 2  # light and dark, whatever the number of channels
    colours = {channel: background(png) for channel, png in poster.charts.items()}
    assert colours == {
        101: LIGHT.background,
        102: LIGHT.background,
        201: DARK.background,
        301: DARK.background,
    }
