"""Shared by the abuse suite: what Discord would render live in a message or an embed, read without
the product's own escaping code, and small builders for the interactions a bad actor would send."""

from __future__ import annotations

import re

import pytest

from bot.client import RotationBot
from bot.workers import Workers
from tests.bot.fake_discord import ALL_TEXT, EPHEMERAL, MANAGE_CHANNELS, dispatch
from tests.conftest import bot_settings

MOD = ALL_TEXT | MANAGE_CHANNELS
ROLE, DESK = "2400000000000000100", "2400000000000000001"  # a role members may be given; #desk-0
MASKED_LINK = re.compile(r"\[[^\]]*\]\(")
MENTION = re.compile(r"<@!?&?\d+>|<#\d+>|</[\w -]+:\d+>|@everyone|@here", re.IGNORECASE)
HEADING = re.compile(r"(?m)^(#{1,3} |-# |> )")
BARE_LINK = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://")
PUNCTUATION = set(r"""\`*_{}[]()#+-.!|~<>:@"'""")


def live_text(text: str) -> str:
    """What of ``text`` Discord would read as markup: backslash-escaped characters and code spans
    are replaced by a neutral placeholder (they render literally), everything else is kept."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in PUNCTUATION:
            out.append("x")
            i += 2
            continue
        if ch == "`":
            end = text.find("`", i + 1)
            if end != -1:
                out.append("x")
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def assert_inert(text: str) -> None:
    """No link, no mention and no block markup that Discord would render from ``text``."""
    live = live_text(text)
    assert not MASKED_LINK.search(live), text
    assert not BARE_LINK.search(live), text
    assert not MENTION.search(live), text
    assert not HEADING.search(live), text
    for marker in ("**", "||", "__", "~~"):
        assert marker not in live, text


def embed_texts(embed: dict) -> list[str]:
    texts = [embed.get("title") or "", embed.get("description") or ""]
    texts += [(embed.get("footer") or {}).get("text") or ""]
    for f in embed.get("fields") or []:
        texts += [f["name"], f["value"]]
    return texts


def embed_size(embed: dict) -> int:
    return sum(len(t) for t in embed_texts(embed))


def assert_within_discord_limits(embed: dict) -> None:
    assert len(embed.get("title") or "") <= 256
    assert len(embed.get("description") or "") <= 4096
    assert len(embed.get("fields") or []) <= 25
    for f in embed.get("fields") or []:
        assert 0 < len(f["name"]) <= 256
        assert 0 < len(f["value"]) <= 1024
    assert embed_size(embed) <= 6000


def content(request) -> str:
    return (request.json.get("data") or request.json).get("content") or ""


def private_refusal(fake, payload) -> str:
    """The one answer to ``payload``: an immediate ephemeral message (nothing deferred). Its text."""
    (callback,) = fake.for_interaction(payload)
    assert callback.json["type"] == 4, "answered before deferring"
    assert callback.json["data"]["flags"] & EPHEMERAL, "answered privately"
    return content(callback)


def subcommand(fake, group: str, name: str, options: list[dict], **kwargs) -> dict:
    payload = fake.interaction(group, **kwargs)
    payload["data"]["options"] = [{"name": name, "type": 1, "options": options}]
    return payload


def opt(name: str, value, kind: int = 3) -> dict:
    return {"name": name, "type": kind, "value": value}


def record_payload(fake, user_id: str = "1300000000000000001", **values) -> dict:
    values = {"small_pe": 17.0, "large_pe": 21.0, "basis": "forward", "source": "desk note"} | values
    kinds = {"small_pe": 10, "large_pe": 10, "excludes_losses": 5}
    options = [opt(k, v, kinds.get(k, 3)) for k, v in values.items()]
    return subcommand(fake, "valuation", "record", options, user_id=user_id)


async def run(bot, payload) -> dict:
    await dispatch(bot, payload)
    return payload


@pytest.fixture
async def thread_bot(fake, tmp_path, snapshot_market):
    """A bot whose build step runs in a thread of this process, so a test can break a chart function
    with monkeypatch and see what the member gets."""
    pool = Workers("thread", 1)
    await pool.warm_up()  # its initializer draws a chart: before any test breaks one
    bot = RotationBot(bot_settings(tmp_path, fake), market=snapshot_market, workers=pool)
    await bot.login("test-token-not-real")
    bot._connection._add_guild_from_data(fake.guild())
    yield bot
    await bot.close()
    pool.close()


def guild_with_role(
    fake, role_perms: int = 0, overwrite: tuple[str, int, int] | None = None, desk: str = DESK
) -> dict:
    """The server (with #desk-0, id ``desk``) and a role granting ``role_perms``, and on #desk-0 an
    overwrite (role or member id, allow, deny). :func:`with_role` gives an interaction's member the role."""
    guild = fake.guild([desk])
    role = {"id": ROLE, "name": "helpers", "permissions": str(role_perms), "position": 1, "color": 0}
    guild["roles"].append(role | {"hoist": False, "managed": False, "mentionable": False, "flags": 0})
    if overwrite is not None:
        target, allow, deny = overwrite
        channel = next(c for c in guild["channels"] if c["id"] == desk)
        kind = 0 if target == ROLE else 1
        channel["permission_overwrites"] = [
            {"id": target, "type": kind, "allow": str(allow), "deny": str(deny)}
        ]
    return guild


def with_role(payload: dict) -> dict:
    payload["member"]["roles"] = [ROLE]
    return payload
