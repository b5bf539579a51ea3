"""rotation-bot through discord.py itself: a real client logs in to a fake REST API on loopback,
syncs its commands, and answers raw INTERACTION_CREATE payloads fed to its own parser. Every
assertion is on the HTTP requests the fake received."""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest

from bot.client import RotationBot
from bot.cogs.rotation import COOLDOWN_RATE
from bot.settings import Settings
from commands import gap
from commands.registry import default_registry, execute
from tests.bot.fake_discord import ALL_TEXT, ATTACH, EPHEMERAL, SEND_IN_THREADS, dispatch, png_size

# -- sync --------------------------------------------------------------------------------------


async def test_sync_sends_every_command_with_its_options(make_bot, fake):
    await make_bot()
    commands = {c["name"]: c for c in fake.synced[fake.guild_id]}
    assert set(commands) == {
        *("gap", "streak", "digest", "help", "about", "check"),
        *("subscribe", "unsubscribe", "subscriptions", "discuss", "server-settings"),
        *("style", "sectors", "rates", "rrg", "compare", "valuation", "history", "alert"),
        *("call", "calls", "call-withdraw"),
    }
    for command in default_registry().commands.values():
        synced = commands[command.name]
        assert synced["description"] == command.description
        options = {o["name"]: o for o in synced.get("options", [])}
        assert set(options) == {o.name for o in command.options}
        for spec in command.options:
            assert options[spec.name]["type"] == {"integer": 4, "boolean": 5}.get(spec.kind, 3)
            assert options[spec.name]["description"] == spec.description
            assert len(spec.description) <= 100
            assert options[spec.name].get("required", False) is spec.required
            assert bool(options[spec.name].get("autocomplete")) is bool(spec.suggestions)
            assert [c["value"] for c in options[spec.name].get("choices", [])] == list(spec.choices)


async def test_sync_only_when_the_schema_changed(make_bot, fake):
    await make_bot()
    puts = [r for r in fake.requests if r.method == "PUT"]
    assert len(puts) == 1
    assert puts[0].path.endswith(f"/guilds/{fake.guild_id}/commands")
    bot = await make_bot()  # a restart with the same commands
    assert len([r for r in fake.requests if r.method == "PUT"]) == 1
    assert await bot.sync_commands(force=True)  # `python -m bot sync`
    assert len([r for r in fake.requests if r.method == "PUT"]) == 2


# -- answers -----------------------------------------------------------------------------------


class SlowMarket:
    """Wraps the snapshot market; records when data is awaited (monotonic clock), and takes its time."""

    def __init__(self, inner, delay: float = 0.3) -> None:
        self.inner, self.delay, self.calls, self.asked = inner, delay, [], []
        self.two_calls = asyncio.Event()

    def calls_for(self, tickers: tuple[str, ...], since: float) -> list[float]:
        """When ``tickers`` were asked for since ``since`` (the start-up preload goes on meanwhile)."""
        return [t for ticker, t in self.asked if ticker in tickers and t >= since]

    async def history(self, ticker):
        self.calls.append(time.monotonic())
        self.asked.append((ticker, self.calls[-1]))
        if len(self.calls) >= 2:
            self.two_calls.set()
        await asyncio.sleep(self.delay)
        return await self.inner.history(ticker)


async def slow_bot(make_bot, snapshot_market):
    """A bot on a :class:`SlowMarket`, once its start-up preload has read the default pair."""
    slow = SlowMarket(snapshot_market, delay=0.0)
    bot = await make_bot(market=slow)
    await asyncio.wait_for(slow.two_calls.wait(), 10)
    return bot, slow


async def ask_gap(bot, fake, period: str):
    """``/gap period:…``: when it was dispatched, Discord's callback request and the followup."""
    payload = fake.interaction("gap", {"period": period})
    started = time.monotonic()
    await dispatch(bot, payload)
    return started, *fake.for_interaction(payload)


async def test_gap_defers_first_then_follows_up_with_embed_and_chart(make_bot, fake, snapshot_market):
    bot, slow = await slow_bot(make_bot, snapshot_market)
    slow.delay = 0.3
    started, callback, followup = await ask_gap(bot, fake, "2024")
    assert callback.path.endswith("/callback")
    assert callback.json["type"] == 5
    assert not (callback.json.get("data") or {}).get("flags", 0) & EPHEMERAL
    ours = slow.calls_for(("^RUT", "^GSPC"), started)
    assert len(ours) == 2
    assert callback.t < min(ours) + slow.delay  # the defer did not wait for the data
    assert callback.t < followup.t
    assert followup.method == "POST"
    assert followup.path.startswith(f"/webhooks/{fake.app_id}/")
    embed = followup.json["embeds"][0]
    expected = await execute(gap.COMMAND, gap.COMMAND.validate({"period": "2024"}), snapshot_market)
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {f.name: f.value for f in expected.fields}
    assert fields["^RUT return"] == "+10.02%"
    assert fields["^GSPC return"] == "+23.31%"
    assert embed["title"] == "Small vs large: 2024"
    assert "not investment advice" in embed["footer"]["text"]
    assert "As of 2024-12-31" in embed["footer"]["text"]  # the period's end close (issue 25)
    assert embed["image"]["url"] == "attachment://gap.png"
    ((name, data),) = followup.files
    assert name == "gap.png"
    assert png_size(data) == (800, 460)


async def test_the_answer_is_under_way_while_the_defer_travels(make_bot, fake, snapshot_market):
    """Discord acknowledges a defer after a round trip (tens of milliseconds over the internet): the
    data and the build start at once beside it, and the followup still comes after it."""
    bot, slow = await slow_bot(make_bot, snapshot_market)
    fake.callback_delay = 0.3
    started, callback, followup = await ask_gap(bot, fake, "2019-03-04..2025-03-05")
    ours = slow.calls_for(("^RUT", "^GSPC"), started)
    assert len(ours) == 2
    assert max(ours) < callback.t + 0.15  # read before the defer was answered (0.3 s after it arrived)
    assert followup.t >= callback.t + 0.3
    assert followup.json["embeds"][0]["image"]["url"] == "attachment://gap.png"


async def test_streak_answers_with_its_chart(make_bot, fake):
    bot = await make_bot()
    payload = fake.interaction("streak", {"as_of": "2026-01-16"})
    await dispatch(bot, payload)
    callback, followup = fake.for_interaction(payload)
    assert callback.json["type"] == 5
    embed = followup.json["embeds"][0]
    assert "for 11 consecutive sessions as of 2026-01-16" in embed["description"]
    assert followup.files[0][0] == "streak.png"


async def test_bad_option_is_answered_at_once_and_privately(make_bot, fake):
    bot = await make_bot()
    payload = fake.interaction("gap", {"period": "fortnight"})
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)  # no defer, no followup
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert "I don't understand the period `fortnight`" in callback.json["data"]["content"]


async def test_a_ticker_the_data_cannot_have_is_refused_privately_before_the_defer(make_bot, fake):
    bot = await make_bot()  # snapshot mode: a series not bundled can be known at once
    payload = fake.interaction("gap", {"small": "ZZZZ"})
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)  # no defer, no followup
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert "`ZZZZ` is not in the bundled data and live data is off" in callback.json["data"]["content"]
    payload = fake.interaction("rates", {"yield": "13w"})  # ^IRX is live only
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["type"] == 4
    assert "`^IRX` is not in the bundled data" in callback.json["data"]["content"]


async def test_autocomplete_offers_each_answerable_series_once_with_its_name(make_bot, fake):
    bot = await make_bot()
    payload = fake.interaction("gap", {"small": ""}, focused="small")
    await dispatch(bot, payload)
    choices = fake.for_interaction(payload)[0].json["data"]["choices"]
    values = [c["value"] for c in choices]
    assert len(values) == len(set(values))
    assert "^TNX" not in values  # a yield: /gap refuses it
    assert {"rut", "small", "RUT"}.isdisjoint(values)  # aliases are not extra series
    assert {"name": "^RUT — Russell 2000", "value": "^RUT"} in choices
    payload = fake.interaction("gap", {"small": "russell 2000"}, focused="small")
    await dispatch(bot, payload)
    named = [c["value"] for c in fake.for_interaction(payload)[0].json["data"]["choices"]]
    assert named[:2] == ["^RUT", "IWM"]


class BrokenMarket:
    async def history(self, ticker):
        raise RuntimeError("disk on fire")


async def test_unexpected_failure_apologises_with_the_logged_error_id(make_bot, fake, caplog):
    bot = await make_bot(market=BrokenMarket())
    payload = fake.interaction("streak")
    with caplog.at_level(logging.ERROR, logger="bot.respond"):
        await dispatch(bot, payload)
    _, edit = fake.for_interaction(payload)
    error_id = re.search(r"error id `([0-9a-f]{8})`", edit.json["content"])[1]
    assert "disk on fire" not in edit.json["content"]
    (record,) = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info
    assert "disk on fire" in str(record.exc_info[1])


async def test_cooldown_per_user_says_when_to_retry(make_bot, fake):
    bot = await make_bot()
    for name in ["gap", "streak"] * (COOLDOWN_RATE // 2):  # one bucket for all data commands
        await dispatch(
            bot,
            fake.interaction(
                name,
                {"as_of": "x"} if name == "streak" else {"period": "bogus"},
                user_id="1300000000000000077",
            ),
        )
    payload = fake.interaction("gap", {"period": "ytd"}, user_id="1300000000000000077")
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert re.search(r"Try again in \d+ s", callback.json["data"]["content"])
    other = fake.interaction("gap", {"period": "bogus"}, user_id="1300000000000000078")
    await dispatch(bot, other)
    assert "Try again" not in fake.for_interaction(other)[0].json["data"]["content"]


async def test_no_outgoing_message_can_ping(make_bot, fake):
    bot = await make_bot()
    for options in ({"period": "@everyone"}, {"small": "<@&123>"}, {"period": "2024"}, {"small": "ZZZZ"}):
        await dispatch(bot, fake.interaction("gap", options))
    messages = [
        r
        for r in fake.requests
        if r.json
        and (
            "content" in r.json
            or "embeds" in r.json
            or ("data" in r.json and "content" in (r.json["data"] or {}))
        )
    ]
    bodies = [r.json.get("data", r.json) if r.path.endswith("/callback") else r.json for r in messages]
    assert len(bodies) >= 4
    assert all(b.get("allowed_mentions") == {"parse": []} for b in bodies), bodies


async def test_inside_a_thread_the_answer_goes_to_the_interaction_in_that_thread(make_bot, fake):
    bot = await make_bot()
    payload = fake.interaction("streak", in_thread=True)
    await dispatch(bot, payload)
    callback, followup = fake.for_interaction(payload)
    assert callback.json["type"] == 5
    assert followup.json["embeds"]
    assert not [r for r in fake.requests if r.path.startswith("/channels/")]  # no stray channel post


@pytest.mark.parametrize(
    ("in_thread", "perms", "missing"),
    [
        (False, ALL_TEXT & ~ATTACH, "Attach Files"),
        (True, ALL_TEXT & ~SEND_IN_THREADS, "Send Messages In Threads"),
    ],
)
async def test_missing_bot_permissions_are_named(make_bot, fake, in_thread, perms, missing):
    bot = await make_bot()
    payload = fake.interaction("gap", in_thread=in_thread, app_permissions=perms)
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert f"missing the {missing} permission" in callback.json["data"]["content"]


async def test_autocomplete_suggests_tickers_and_periods(make_bot, fake):
    bot = await make_bot()
    payload = fake.interaction("gap", {"small": "iw"}, focused="small")
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["type"] == 8
    assert [c["value"] for c in callback.json["data"]["choices"]][:2] == ["IWM", "IWB"]
    payload = fake.interaction("gap", {"period": "20"}, focused="period")
    await dispatch(bot, payload)
    assert [c["value"] for c in fake.for_interaction(payload)[0].json["data"]["choices"]] == ["2025", "2024"]


async def test_help_lists_every_command_with_an_example(make_bot, fake):
    bot = await make_bot()
    payload = fake.interaction("help")
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    embed = callback.json["data"]["embeds"][0]
    text = " ".join(f["name"] + f["value"] for f in embed["fields"])
    for command in default_registry().commands.values():
        assert f"/{command.name}" in text
        assert command.example in text
    assert callback.json["data"]["flags"] & EPHEMERAL


def test_intents_are_not_privileged():
    bot_intents = RotationBot(Settings(data_source="snapshot")).intents
    assert bot_intents.guilds
    assert not (bot_intents.members)
    assert not (bot_intents.presences)
    assert not (bot_intents.message_content)


async def test_a_payload_discord_py_cannot_parse_still_gets_an_answer(make_bot, fake, caplog):
    bot = await make_bot()
    payload = fake.interaction("subscribe", channel_option=(fake.thread_id, 11, ALL_TEXT))
    del payload["data"]["resolved"]["channels"][fake.thread_id]["owner_id"]  # discord.py raises KeyError
    with caplog.at_level(logging.ERROR, logger="bot.respond"):
        await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert "error id" in callback.json["data"]["content"]
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert any("KeyError" in repr(r.exc_info) for r in caplog.records)


async def test_valuation_group_is_synced_with_its_subcommands(make_bot, fake):
    await make_bot()
    valuation = next(c for c in fake.synced[fake.guild_id] if c["name"] == "valuation")
    subs = {o["name"]: o for o in valuation["options"]}
    assert set(subs) == {"show", "record", "remove"}
    record = {o["name"]: o for o in subs["record"]["options"]}
    assert [c["value"] for c in record["basis"]["choices"]] == ["forward", "trailing", "unstated"]
    assert record["small_pe"]["type"] == 10
    assert record["small_pe"]["required"]


async def test_export_attaches_the_csv_beside_the_chart(make_bot, fake):
    bot = await make_bot()
    payload = fake.interaction("compare", {"a": "IWM", "b": "SPY", "period": "2024"})
    payload["data"]["options"].append({"name": "export", "type": 5, "value": True})  # a BOOLEAN option
    await dispatch(bot, payload)
    _, followup = fake.for_interaction(payload)
    assert followup.json["embeds"][0]["image"]["url"] == "attachment://gap.png"
    assert [name for name, _ in followup.files] == ["gap.png", "gap.csv"]
    csv = followup.files[1][1].decode()
    assert csv.startswith("# rotation-bot export\n# command: /compare a:IWM b:SPY period:2024\n")
    assert sum(len(data) for _, data in followup.files) <= 10 * 1024 * 1024
