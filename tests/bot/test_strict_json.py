"""Every command's ``ask --json`` output parses with a strict parser, and no answer says nan or inf.

The lines include the edges where a figure cannot be computed (the first sessions of the history,
before any 200-day average or year-to-date base exists): those answer with ``null`` and "n/a".
"""

from __future__ import annotations

import io
import json
import re

import pytest

from bot.console import Console

LINES = [
    "/gap period:2024",
    "/gap period:max small:IWM large:SPY",
    "/gap period:1d",
    "/streak",
    "/streak as_of:1987-09-11",
    "/streak as_of:1987-09-10",  # the first common session: a message, as JSON
    "/digest",
    "/digest date:1988-03-01",  # no 200-day average yet
    "/digest date:1987-09-11",  # no 1-week, month or year base yet
    "/digest date:1987-09-10",
    "/style",
    "/style pair:vanguard period:1y",
    "/sectors vs_large:true period:2019",
    "/rates",
    "/rrg",
    "/rrg set:size weeks:4",
    "/compare a:IWN b:IWO period:1y",
    "/history signal:streak threshold:11",
    "/history signal:ratio_cross",
    "/history signal:january",
    "/history signal:ratio_jump",
    "/help",
    "/about",
    "/gap period:bogus",
]

NON_FINITE = re.compile(r"\bnan\b|\binf\b|infinity", re.IGNORECASE)


def _refuse(constant: str) -> None:
    raise ValueError(f"non-standard JSON constant {constant}")


@pytest.mark.parametrize("line", LINES)
async def test_json_is_strict_and_no_text_says_nan(snapshot_market, tmp_path, line):
    console = Console(snapshot_market, tmp_path / "charts")
    out = io.StringIO()
    status = await console.ask(line, as_json=True, out=out)
    assert status in (0, 2)
    reply = json.loads(out.getvalue(), parse_constant=_refuse)
    words = json.dumps(
        {k: v for k, v in reply.items() if k not in ("chart", "csv")}, ensure_ascii=False
    )
    assert not NON_FINITE.search(words), words
    for field in reply.get("fields", []):
        assert field["number"] is None or isinstance(field["number"], int | float)


async def test_streak_json_length_is_positive_and_direction_is_its_own_field(snapshot_market, tmp_path):
    # 2026-01-16: small caps behind? whichever way, the length is positive and the direction separate
    console = Console(snapshot_market, tmp_path / "charts")
    out = io.StringIO()
    await console.ask("/streak as_of:1987-09-11", as_json=True, out=out)
    fields = {f["name"]: f for f in json.loads(out.getvalue())["fields"]}
    assert fields["Current run"]["number"] == 1
    assert fields["Current run"]["value"] == "1 session"
    assert fields["Direction"]["value"] == "small behind"
    assert fields["Direction"]["number"] == -1
