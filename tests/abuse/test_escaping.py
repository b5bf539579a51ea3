"""Member text the bot shows is shown as typed, never as markup: no masked link, heading, spoiler or
mention in an embed, a thread name or an error message, and no way out of a quoting code span."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cogs.alerts import alert_page
from bot.embeds import reply_embed
from bot.schedule import parse_post_time
from commands import charts
from commands.alerts import validate as validate_alert
from commands.escape import code, escape, thread_name
from commands.registry import default_registry
from commands.reply import UserError
from commands.valuation import QUOTED, parse_record, show
from data.state import Alert
from tests.abuse.conftest import (
    assert_inert,
    assert_within_discord_limits,
    embed_texts,
    live_text,
    private_refusal,
    record_payload,
    run,
    subcommand,
)
from tests.bot.fake_discord import ALL_TEXT, CREATE_PUBLIC_THREADS
from tests.bot.test_subscriptions import Clock

HOSTILE = [
    "[Official data](https://evil.example/phish)",
    "[Official data](<https://evil.example>)",
    "# Breaking: small caps crash",
    "-# tiny print",
    "> quoted",
    "||spoiler||",
    "**bold** __underline__ ~~struck~~ *it*",
    "<@123456789012345678> <@&123456789012345678> <#123456789012345678> @everyone @here",
    "</valuation show:123456789012345678>",
    "`code` ``` block ```",
    "\\[escaped\\](https://x.example)",
    "a\u202eb\x00c",
]
MEMBER_TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from([*HOSTILE, "[", "](", ")", "`", "\\", "@", "<", ">", "#", " ", "\n", "x"]))
    .map("".join),
    st.text(max_size=300),
)
RENDER = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = dt.date(2026, 8, 21)


def test_the_checker_itself_sees_live_markup():
    """The checks below would catch the abuse if the escaping were missing."""
    for raw in HOSTILE[:9]:
        try:
            assert_inert(raw)
        except AssertionError:
            continue
        raise AssertionError(f"{raw!r} was not seen as live markup")
    assert live_text("\\[a\\](b) `[c](d)`") == "xax(b) x"


@RENDER
@given(source=MEMBER_TEXT)
def test_a_recorded_source_renders_inert_in_the_valuation_embed(source):
    options = {"small_pe": "17", "large_pe": "21", "basis": "forward", "source": source}
    options["as_of"] = "2026-08-20"
    try:
        obs = parse_record(options, 7, TODAY)
    except UserError as exc:
        assert_inert(str(exc))
        return
    stored = type(obs)(**{**obs.__dict__, "id": 1})
    with pytest.MonkeyPatch.context() as patch:  # the chart is not what is checked here: skip drawing it
        patch.setattr(charts, "valuation_chart", lambda *_: b"")
        embed, _ = reply_embed(show([*QUOTED, *[stored] * 12], None, 1, TODAY))
    data = embed.to_dict()
    assert_within_discord_limits(data)
    for text in embed_texts(data):
        assert_inert(text)


@RENDER
@given(value=MEMBER_TEXT)
def test_every_other_stored_text_field_is_refused_or_rendered_inert(value):
    # basis and large_basis
    try:
        parse_record({"small_pe": "1", "large_pe": "2", "basis": value, "source": "abc"}, 7, TODAY)
    except UserError as exc:
        assert_inert(str(exc))
    # alert signal and direction (stored, then listed by /alert list)
    for signal, direction in ((value, None), ("ratio_cross", value)):
        try:
            validate_alert(signal, None, direction)
        except UserError as exc:
            assert_inert(str(exc))
            continue
        page = alert_page([Alert(1, 2, signal, None, direction, 3, 1)], 1)
        assert_inert(page.replace("<#2>", "#target"))  # the alert's own channel is meant to be a link
    # subscription post time and a server's time zone
    try:
        parse_post_time(value)
    except ValueError as exc:
        assert_inert(str(exc))
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        assert_inert(f"{code(value)} is not a time zone: use an IANA name such as Europe/Berlin.")
    # the /discuss topic, as a thread name
    name = thread_name(value)
    assert len(name) <= 100
    assert_inert(name)


@RENDER
@given(value=MEMBER_TEXT, name=st.sampled_from(sorted(default_registry().commands)))
def test_error_messages_that_quote_input_keep_it_inside_its_code_span(value, name):
    command = default_registry().get(name)
    for key in [o.name for o in command.options] + [value[:30] or "x"]:
        try:
            command.validate({key: value})
        except UserError as exc:
            message = str(exc)
            assert_inert(message)
            assert message.count("`") % 2 == 0, message


@given(value=MEMBER_TEXT)
def test_the_helpers_hold_on_their_own(value):
    quoted = code(value)
    assert quoted.startswith("`")
    assert quoted.endswith("`")
    assert "`" not in quoted[1:-1]
    assert_inert(escape(value))
    assert "\n" not in escape(value)


async def test_a_masked_link_source_is_shown_as_typed_through_discord(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    source = "[Official data](https://evil.example) # **now** ||x|| <@123456789012345678> @everyone"
    await run(bot, record_payload(fake, source=source, as_of="2026-08-20"))
    payload = await run(bot, subcommand(fake, "valuation", "show", []))
    _, followup = fake.for_interaction(payload)
    embed = followup.json["embeds"][0]
    (field,) = [f for f in embed["fields"] if "#1" in f["value"]]
    assert field["value"].endswith(
        "recorded · #1: \\[Official data\\]\\(https:/\u200b/evil.example\\) # \\*\\*now\\*\\* \\|\\|x\\|\\| "
        "\\<\u200b@123456789012345678\\> @\u200beveryone"
    )
    for text in embed_texts(embed):
        assert_inert(text)
    assert followup.json["allowed_mentions"] == {"parse": []}


async def test_backticks_cannot_break_out_of_an_error_message(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = await run(bot, fake.interaction("gap", {"period": "` [x](https://evil.example) `@everyone"}))
    message = private_refusal(fake, payload)
    quoted = "`ˋ [x](https:/\u200b/evil.example) ˋ@\u200beveryone`"  # one code span, closed where it began
    assert message.startswith(f"I don't understand the period {quoted}.")
    assert_inert(message)


async def test_a_thread_name_carries_no_markup_or_mention(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    everything = ALL_TEXT | CREATE_PUBLIC_THREADS
    topic = "**Rotation** [now](https://evil.example) <@123456789012345678> @here"
    payload = fake.interaction(
        "discuss", {"topic": topic}, app_permissions=everything, member_permissions=everything
    )
    await run(bot, payload)
    (thread,) = [r for r in fake.requests if r.path.endswith("/threads")]
    assert thread.json["name"] == "Rotation now(https:/\u200b/evil.example) @123456789012345678 @\u200bhere"
    assert_inert(thread.json["name"])
