"""/check and "check: …" through discord.py and the fake Discord: a sentence, a whole article as an
attached .txt, a thread message; refusals before the defer. The verdicts themselves are pinned in
tests/commands/check against figures computed from the CSVs; here, that Discord gets them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.fake_discord import EPHEMERAL, dispatch

ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "article.txt"


def with_file(fake, payload: dict, name: str, data: bytes, content_type: str = "text/plain; charset=utf-8"):
    """The interaction as Discord sends it with an attachment option: its id, and the file in
    ``resolved``, downloadable from the fake."""
    fake.attachments[name] = data
    aid = "1500000000000000001"
    payload["data"]["options"].append({"name": "file", "type": 11, "value": aid})
    url = f"{fake.base}/attachments/{name}"
    attachment = {"id": aid, "filename": name, "size": len(data), "url": url, "proxy_url": url}
    payload["data"]["resolved"]["attachments"] = {aid: attachment | {"content_type": content_type}}
    return payload


async def test_check_text_defers_then_answers_each_claim(make_bot, fake):
    bot = await make_bot()
    text = "Small caps outperformed large caps for 11 consecutive sessions"
    payload = fake.interaction("check", {"text": text, "as_of": "2026-01-16"})
    await dispatch(bot, payload)
    callback, followup = fake.for_interaction(payload)
    assert callback.json["type"] == 5
    embed = followup.json["embeds"][0]
    assert embed["description"].startswith("1 claim checked as of 2026-01-16 (the text's date): 1 hold.")
    assert "holds on 2026-01-16" in embed["description"]
    assert "`/streak as_of:2026-01-16`" in embed["description"]


async def test_an_attached_article_is_checked_claim_by_claim(make_bot, fake):
    bot = await make_bot()
    payload = with_file(fake, fake.interaction("check", {}), "article.txt", ARTICLE.read_bytes())
    await dispatch(bot, payload)
    _, followup = fake.for_interaction(payload)
    description = followup.json["embeds"][0]["description"]
    assert description.startswith("14 claims checked as of 2026-08-21")
    assert "last held on 2026-01-16" in description  # the 11-session run
    assert "2019 +11.19%, 2023 +9.69%" in description  # the stronger Januaries
    assert "cannot be checked with this data" in description


async def test_a_thread_message_starting_with_check_is_checked(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    text = f"<@{fake.app_id}> check: the Russell 2000 gained 5.8% this year @everyone"
    await dispatch(bot, fake.message_create(text, mention_bot=True), "message_create")
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    description = reply.json["embeds"][0]["description"]
    assert "read as Russell 2000 \\(^RUT\\) +5.8%" in description
    assert "@everyone" not in description
    assert reply.json["allowed_mentions"]["parse"] == []


@pytest.mark.parametrize(
    ("options", "file", "said"),
    [
        ({}, None, "Give `text` or `file`"),
        ({"text": "x", "as_of": "16/01/2026"}, None, "is not a valid as_of date"),
        ({}, ("chart.png", b"\x89PNG", "image/png"), "plain-text file"),
    ],
)
async def test_mistakes_are_answered_privately_before_any_defer(make_bot, fake, options, file, said):
    bot = await make_bot()
    payload = fake.interaction("check", options)
    if file is not None:
        payload = with_file(fake, payload, *file)
    await dispatch(bot, payload)
    (callback,) = fake.for_interaction(payload)
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] & EPHEMERAL
    assert said in callback.json["data"]["content"]


async def test_a_thread_message_with_the_article_attached(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    fake.attachments["article.txt"] = ARTICLE.read_bytes()
    message = fake.message_create(f"<@{fake.app_id}> check as_of:2026-01-16", mention_bot=True)
    url = f"{fake.base}/attachments/article.txt"
    message["attachments"] = [
        {"id": "1500000000000000002", "filename": "article.txt", "size": len(fake.attachments["article.txt"])}
        | {"url": url, "proxy_url": url, "content_type": "text/plain; charset=utf-8"}
    ]
    await dispatch(bot, message, "message_create")
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    description = reply.json["embeds"][0]["description"]
    assert description.startswith("14 claims checked as of 2026-01-16 (the text's date)")
    assert "**holds on 2026-01-16**" in description  # the 11-session run, on the text's date


async def test_check_alone_in_a_thread_says_what_to_add(make_bot, fake):
    bot = await make_bot(guild=fake.guild())
    await dispatch(bot, fake.message_create(f"<@{fake.app_id}> check", mention_bot=True), "message_create")
    (reply,) = [r for r in fake.requests if r.path == f"/channels/{fake.thread_id}/messages"]
    assert reply.json["content"].startswith('After "check", paste the sentence(s) to check')


async def test_the_article_end_to_end_through_the_console(snapshot_market, tmp_path):
    """``python -m bot check FILE`` (text and --json) and ``/check`` typed in the console."""
    import io
    import json

    from bot.console import Console, check_file

    out = io.StringIO()
    assert await check_file(str(ARTICLE), snapshot_market, None, None, False, out) == 0
    text = out.getvalue()
    assert text.startswith("14 claims checked as of 2026-08-21, the latest session")
    assert "   verdict: does not hold on 2026-08-21; last held on 2026-01-16" in text
    assert "2019 +11.19%, 2023 +9.69%" in text
    out = io.StringIO()
    assert (
        await check_file("-", snapshot_market, None, None, True, out, io.StringIO(ARTICLE.read_text())) == 0
    )
    claims = json.loads(out.getvalue())["claims"]
    assert [c["status"] for c in claims[:4]] == [
        "does not hold",
        "does not hold",
        "does not hold",
        "holds on",
    ]
    out = io.StringIO()
    assert await check_file(str(tmp_path / "missing.txt"), snapshot_market, None, None, False, out) == 2
    assert out.getvalue().startswith("I could not read")
    reply = await Console(snapshot_market, tmp_path).answer(
        "/check text:'Large caps beat small caps in 2024'"
    )
    assert "**holds on 2024-12-31**" in reply.text
