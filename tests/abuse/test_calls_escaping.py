"""Calls echo two things a member typed, their display name and their note: whatever they are, the
terms, the result post and the /calls record render them inert and within Discord's limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from unittest import mock

import pandas as pd
from hypothesis import given, settings

from bot.embeds import reply_embed
from commands import calls as c
from commands.pair import Pair
from commands.reply import UserError
from data.state import Call
from tests.abuse.conftest import assert_inert, assert_within_discord_limits, embed_texts
from tests.abuse.test_escaping import MEMBER_TEXT, RENDER

MADE = dt.datetime(2026, 1, 5, 20, tzinfo=dt.UTC)
DAYS = pd.bdate_range("2025-12-01", "2026-01-16")
FRAME = pd.DataFrame({"small": range(100, 100 + len(DAYS)), "large": 100.0}, index=DAYS, dtype=float)
PAIR = Pair("^RUT", "^GSPC", "price", "price", FRAME, "test")
WEEK = (dt.date(2026, 1, 5), dt.date(2026, 1, 12))
CALL = Call(1, 5, 4, 7, "alice", "small", "1w", "^RUT", "^GSPC", *WEEK, MADE, None, 1, 1)


def rendered(reply) -> list[str]:
    embed, _ = reply_embed(reply)
    data = embed.to_dict()
    assert_within_discord_limits(data)
    return embed_texts(data)


@settings(RENDER, max_examples=60)  # each example builds three replies
@given(name=MEMBER_TEXT, note=MEMBER_TEXT)
def test_a_members_name_and_note_render_inert_everywhere(name, note):
    try:
        request = c.parse({"side": "small", "horizon": "1w", "note": note})
    except UserError as exc:
        assert_inert(str(exc))
        return
    call = replace(CALL, user_name=name or "x", note=request.note)
    final = dt.date(2026, 1, 16)
    calls = [call, replace(call, end=dt.date(2026, 2, 6), number=2)]
    frames = {("^RUT", "^GSPC"): FRAME}
    record = c.calls_reply(calls, frames, final, today=final, status=None, who=name, page=1, source="test")
    with mock.patch.object(c.charts, "call_chart", return_value=b"png"):  # the text is under test
        result = c.result_reply(call, PAIR, final)
    for reply in (c.terms_reply(call, PAIR), result, record):
        for text in rendered(reply):
            assert_inert(text)
    assert_inert(c.withdraw_refusal(call, 1, 8, MADE))
