"""Numbers are finite and within range, and member text shows at least one visible character, before
any work: /history refuses nan and 1e308 instead of answering "exceeding nan%"; a source, a thread
topic or a call's note made only of zero-width characters is refused; padding never counts."""

from __future__ import annotations

import pytest

from commands.visible import has_visible, strip_invisible
from tests.abuse.conftest import private_refusal, record_payload, run
from tests.bot.fake_discord import ALL_TEXT, CREATE_PUBLIC_THREADS, dispatch
from tests.bot.test_subscriptions import Clock

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
EVERYTHING = ALL_TEXT | CREATE_PUBLIC_THREADS


@pytest.mark.parametrize(
    ("signal", "threshold", "expected"),
    [
        ("ratio_jump", "nan", "For `ratio_jump`, the threshold is 0.1 to 100 % (got `nan`)."),
        ("ratio_jump", "1e308", "For `ratio_jump`, the threshold is 0.1 to 100 % (got `1e308`)."),
        ("ratio_jump", "inf", "For `ratio_jump`, the threshold is 0.1 to 100 % (got `inf`)."),
        ("january", "-nan", "For `january`, the threshold is -50 to 50 pp (got `-nan`)."),
        ("january", "-1e308", "For `january`, the threshold is -50 to 50 pp (got `-1e308`)."),
        ("streak", "nan", "For `streak`, the threshold is a whole number of sessions, 1 to 100."),
    ],
)
async def test_history_refuses_numbers_that_are_not_finite_or_out_of_range(
    make_bot, fake, signal, threshold, expected
):
    bot = await make_bot(guild=fake.guild())
    payload = fake.interaction("history", {"signal": signal, "threshold": threshold})
    assert private_refusal(fake, await run(bot, payload)) == expected


async def test_history_still_answers_a_threshold_in_range(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = await run(bot, fake.interaction("history", {"signal": "ratio_jump", "threshold": "7.5"}))
    defer, followup = fake.for_interaction(payload)
    assert defer.json["type"] == 5
    assert "7.5" in followup.json["embeds"][0]["title"]


@pytest.mark.parametrize("source", [ZERO_WIDTH, "\u3164\u3164\u3164", "\u2800" * 5, "\u200b \u200b \u200b"])
async def test_a_source_of_invisible_characters_is_refused(make_bot, fake, source):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    answer = private_refusal(fake, await run(bot, record_payload(fake, source=source)))
    assert "`source` says where the figures come from in 3 to 300 characters (got 0)" in answer
    assert await bot.state.valuations(int(fake.guild_id)) == []


async def test_zero_width_padding_does_not_count_towards_a_source(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-08-21T20:31"))
    answer = private_refusal(fake, await run(bot, record_payload(fake, source="ab" + ZERO_WIDTH)))
    assert "(got 2)" in answer
    private_refusal(fake, await run(bot, record_payload(fake, source="F\u200bactSet")))
    (stored,) = await bot.state.valuations(int(fake.guild_id))
    assert stored.source == "FactSet"


async def test_a_thread_topic_of_invisible_characters_is_refused_before_the_thread(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    payload = fake.interaction(
        "discuss", {"topic": ZERO_WIDTH * 3}, app_permissions=EVERYTHING, member_permissions=EVERYTHING
    )
    assert private_refusal(fake, await run(bot, payload)) == (
        "`topic` needs at least one visible character; leave it out for the default name."
    )
    assert not [r for r in fake.requests if r.path.endswith("/threads")]


def _call(fake, note: str) -> dict:
    payload = fake.interaction("call")
    values = {"side": "small", "horizon": "1m", "note": note}
    payload["data"]["options"] = [{"name": k, "type": 3, "value": v} for k, v in values.items()]
    return payload


async def test_a_calls_note_of_invisible_characters_is_refused(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    answer = private_refusal(fake, await run(bot, _call(fake, ZERO_WIDTH * 100)))
    assert answer == "A call's note needs at least one visible character; leave `note` out for none."
    assert await bot.state.calls(int(fake.guild_id)) == []


@pytest.mark.parametrize("pad", ["\ufeff", "\u00a0", "\u2060"])
async def test_a_padded_note_is_stored_and_answered_without_its_padding(make_bot, fake, pad):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    payload = await run(bot, _call(fake, "breadth" + pad * 2100 + "!"))
    _, followup = fake.for_interaction(payload)
    assert followup.json["embeds"][0]["title"] == "Call #1: small leads over 1m"
    (stored,) = await bot.state.calls(int(fake.guild_id))
    assert stored.note in ("breadth!", "breadth !")


async def test_a_long_note_is_refused_by_its_visible_length_on_the_mention_path_too(make_bot, fake):
    bot = await make_bot(guild=fake.guild(), clock=Clock("2026-03-02T20:00"))
    note = "x" * 201 + "\ufeff" * 1500
    message = fake.message_create(f"<@{fake.app_id}> call small 3m because {note}", mention_bot=True)
    await dispatch(bot, message, "message_create")
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert "A call's note is at most 200 characters (this one has 201)." in reply.json["content"]
    assert await bot.state.calls(int(fake.guild_id)) == []


@pytest.mark.parametrize(
    ("text", "shown", "visible"),
    [
        (ZERO_WIDTH, "", False),
        ("\u3164 \u2800", "", False),
        ("a\u200bb", "ab", True),
        ("\u0301", "\u0301", False),  # a combining mark on its own
        ("e\u0301", "e\u0301", True),
        ("x\u00a0\u00a0y", "x y", True),
    ],
)
def test_what_counts_as_visible(text, shown, visible):
    assert strip_invisible(text) == shown
    assert has_visible(text) is visible
