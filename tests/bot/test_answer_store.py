"""The answer cache keeps data, never pickles, and refuses a folder other users can write (issue 24, 13).

A file planted in the shared folder used to be unpickled, which runs the code it names. Now a stored
answer is JSON plus its PNG and CSV bytes; a planted pickle is an unreadable file (a miss, removed),
and a folder another user can write to is refused at start.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import stat

import pytest

from bot import __main__ as bot_main
from bot.answer_store import MAGIC, NotStorable, UnsafeFolder, check_folder, decode, encode
from bot.answers import AnswerCache, answer_key
from commands import digest, gap, sectors, streak
from commands.registry import execute, run_inline
from commands.reply import Field, Reply

PLANTED = "planted-code-ran"


class Planted:
    """What an attacker would pickle: unpickling it writes a file (it calls ``open``)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def same_reply(a: Reply, b: Reply) -> bool:
    return vars(a) == vars(b)


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (gap.COMMAND, {"period": "2024"}),
        (gap.COMMAND, {"period": "2026-01-16"}),
        (streak.COMMAND, {"as_of": "2026-01-16"}),
        (digest.COMMAND, {}),
        (sectors.COMMAND, {"period": "1y", "vs_large": "true", "export": "true"}),
    ],
)
async def test_every_kind_of_answer_comes_back_equal(snapshot_market, command, options):
    reply = await execute(command, command.validate(options), snapshot_market, run_inline)
    deps = {"IWM": "v1"}
    raw = encode(deps, reply)
    assert raw.startswith(MAGIC)
    back_deps, back = decode(raw)
    assert back_deps == deps
    assert same_reply(back, reply)
    assert back.chart is not None
    assert back.chart.startswith(b"\x89PNG")
    if options.get("export"):
        assert back.csv == reply.csv
        assert back.csv


def test_values_json_lacks_keep_their_type():
    figures = {
        "when": dt.date(2026, 1, 16),
        "at": dt.datetime(2026, 1, 16, 21, 0, tzinfo=dt.UTC),
        "pair": ("IWM", "SPY"),
        "by_year": {2024: 0.1, 2025: float("nan")},
        "inf": float("-inf"),
        "nested": [{"x": (1, 2)}],
    }
    reply = Reply("t", "x", [Field("a", "1", float("nan"))], as_of=dt.date(2026, 1, 2), figures=figures)
    _, back = decode(encode({}, reply))
    assert back.figures["when"] == figures["when"]
    assert back.figures["at"] == figures["at"]
    assert back.figures["pair"] == ("IWM", "SPY")
    assert back.figures["nested"] == [{"x": (1, 2)}]
    assert list(back.figures["by_year"]) == [2024, 2025]
    assert back.figures["inf"] == float("-inf")
    assert back.fields[0].number != back.fields[0].number  # NaN comes back NaN
    with pytest.raises(NotStorable):
        encode({}, Reply("t", "x", figures={"obj": object()}))


async def test_a_stored_file_is_json_and_png(tmp_path, snapshot_market):
    folder = tmp_path / "a"
    answers = AnswerCache(folder)
    query = gap.COMMAND.validate({"period": "2023"})
    await answers.answer(gap.COMMAND, query, snapshot_market, run_inline)
    (path,) = folder.glob("*.answer")
    raw = path.read_bytes()
    end = raw.index(b"\n", len(MAGIC))
    record = json.loads(raw[len(MAGIC) : end])
    assert record["title"]
    assert record["deps"]
    assert raw[end + 1 : end + 9] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # made for this user alone


async def test_a_planted_pickle_never_runs(tmp_path, snapshot_market, monkeypatch):
    folder = tmp_path / "a"
    folder.mkdir(mode=0o700)
    marker = tmp_path / PLANTED
    query = gap.COMMAND.validate({"period": "2022"})
    key = answer_key("gap", query)
    # the old format: MAGIC then a pickle; and the new magic with a pickle after it
    for magic in (b"rotation-bot answer 1\n", MAGIC):
        (folder / f"{key}.answer").write_bytes(magic + pickle.dumps(Planted(str(marker))))
        answers = AnswerCache(folder)
        reply = await answers.answer(gap.COMMAND, query, snapshot_market, run_inline)
        assert not marker.exists()
        assert reply.field("Sessions").number > 200  # built afresh
        assert answers.counters.misses == 1
        assert json.loads(
            (folder / f"{key}.answer").read_bytes()[len(MAGIC) :].split(b"\n", 1)[0]
        )  # replaced by a real answer


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_folder_others_can_write_is_refused(tmp_path, mode):
    folder = tmp_path / "answers"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(UnsafeFolder, match="can be written by other users"):
        AnswerCache(folder)
    folder.chmod(0o755)
    AnswerCache(folder)  # only this user writes it: accepted


def test_a_folder_to_be_made_in_a_shared_sticky_place_is_refused(tmp_path):
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    with pytest.raises(UnsafeFolder, match="anyone can create it first"):
        check_folder(shared / "answers")
    check_folder(None)  # no folder: memory only


def test_the_bot_refuses_to_start_on_such_a_folder(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "answers"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANSWER_CACHE_DIR", str(folder))
    monkeypatch.setenv("DATA_SOURCE", "snapshot")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert bot_main.main(["ask", "/gap period:2024"]) == 2
    err = capsys.readouterr().err
    assert "ANSWER_CACHE_DIR" in err
    assert "chmod go-w" in err
    assert "Traceback" not in err
    assert not (tmp_path / "var").exists()  # refused before anything was opened
    assert os.listdir(folder) == []
