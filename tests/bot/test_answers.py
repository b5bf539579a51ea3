"""The answer cache: built once, served again while the data is the same, never once it changed.

Every scenario compares what the cache serves with a fresh, uncached ``execute`` on the same data at
the same moment: a cached answer must be exactly the answer the data gives now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from bot.answers import AnswerCache, answer_key
from commands import charts, gap, streak
from commands.registry import execute, run_inline
from commands.reply import LEFT_OUT, Reply, UserError
from data.frames import BAR_COLUMNS
from data.market import MarketData
from data.versions import SqliteVersions, weekday_bound

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC


class CountingWorker:
    """Runs builds inline and counts them: a build is what the cache exists to avoid."""

    def __init__(self) -> None:
        self.builds = 0

    async def __call__(self, func, *args):
        self.builds += 1
        return await run_inline(func, *args)


def same(a: Reply, b: Reply) -> bool:
    return (a.title, a.text, a.fields, a.as_of, a.source, a.notes, a.figures) == (
        b.title,
        b.text,
        b.fields,
        b.as_of,
        b.source,
        b.notes,
        b.figures,
    )


def bars(rows: dict[str, float], splits: dict[str, float] | None = None) -> pd.DataFrame:
    index = pd.DatetimeIndex(pd.to_datetime(list(rows)), name="session")
    frame = pd.DataFrame({c: float("nan") for c in BAR_COLUMNS}, index=index)
    frame["close"] = list(rows.values())
    frame["adj_close"] = frame["close"]
    frame["dividends"] = 0.0
    frame["splits"] = [(splits or {}).get(d, 0.0) for d in rows]
    return frame


# Closes after the snapshot's last fund session (2026-07-31), made up for the test.
IWM = {"2026-07-31": 220.0, "2026-08-03": 221.0, "2026-08-04": 222.0, "2026-08-05": 221.5}
SPY = {"2026-07-31": 630.0, "2026-08-03": 629.0, "2026-08-04": 633.0, "2026-08-05": 635.0}


class FakeLive:
    name = "live"

    def __init__(self) -> None:
        self.truth = {"IWM": bars(IWM), "SPY": bars(SPY)}
        self.calls = 0

    async def fetch(self, ticker, start=None, end=None):
        self.calls += 1
        return self.truth[ticker].loc[pd.Timestamp(start) if start else None :].copy()


class Clock:
    def __init__(self, when: str) -> None:
        self.set(when)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, when: str) -> None:
        self.now = dt.datetime.fromisoformat(when).replace(tzinfo=UTC)


QUESTION = {"period": "1m", "small": "IWM", "large": "SPY"}


@pytest.fixture
def clock():
    return Clock("2026-08-05T21:00:00")  # 17:00 New York: the 08-05 close is final


@pytest.fixture
def live():
    return FakeLive()


async def ask(answers, market, worker, options=QUESTION) -> Reply:
    return await answers.answer(gap.COMMAND, gap.COMMAND.validate(options), market, worker)


async def test_a_repeated_question_is_built_once(tmp_path, snapshot_market):
    answers, worker = AnswerCache(tmp_path / "answers"), CountingWorker()
    first = await ask(answers, snapshot_market, worker, {"period": "2024"})
    again = [await ask(answers, snapshot_market, worker, {"period": "2024"}) for _ in range(3)]
    assert worker.builds == 1
    fresh = await execute(gap.COMMAND, gap.COMMAND.validate({"period": "2024"}), snapshot_market)
    for reply in (first, *again):
        assert same(reply, fresh)
        assert reply.chart == first.chart
    assert again[0] is not again[1]  # each asker gets its own copy to render


async def test_canonical_options_share_one_answer(tmp_path, snapshot_market):
    answers, worker = AnswerCache(tmp_path / "answers"), CountingWorker()
    for options in ({}, {"period": "ytd"}, {"period": " YTD "}, {"small": "RUT", "large": "SPX"}):
        await ask(answers, snapshot_market, worker, options)
    assert worker.builds == 1
    await ask(answers, snapshot_market, worker, {"period": "2025"})
    assert worker.builds == 2


async def test_theme_and_command_are_part_of_the_key(tmp_path, snapshot_market):
    query = gap.COMMAND.validate({})
    keys = {
        answer_key("gap", query),
        answer_key("gap", query, theme="light"),
        answer_key("compare", query),
        answer_key("gap", gap.COMMAND.validate({"period": "1y"})),
    }
    assert len(keys) == 4


async def test_identical_questions_at_once_share_one_build(tmp_path, snapshot_market):
    answers, worker = AnswerCache(tmp_path / "answers"), CountingWorker()
    asks = (ask(answers, snapshot_market, worker, {"period": "2023"}) for _ in range(5))
    replies = await asyncio.gather(*asks)
    assert worker.builds == 1
    assert len({r.text for r in replies}) == 1


async def test_a_mistake_is_never_kept(tmp_path, snapshot_market):
    answers, worker = AnswerCache(tmp_path / "answers"), CountingWorker()
    for _ in range(2):
        with pytest.raises(UserError):
            await ask(answers, snapshot_market, worker, {"small": "QQQ", "large": "SPY"})
    assert worker.builds == 0
    assert not list(tmp_path.rglob("*.answer"))


async def test_a_reply_whose_chart_was_left_out_is_not_kept(tmp_path, snapshot_market, monkeypatch):
    answers, worker = AnswerCache(tmp_path / "answers"), CountingWorker()

    def broken(*args, **kwargs):
        raise ValueError("a drawing failure")

    with monkeypatch.context() as patch:
        patch.setattr(charts, "gap_chart", broken)
        first = await ask(answers, snapshot_market, worker, {"period": "2024"})
    assert (first.chart, first.notes[-1]) == (None, LEFT_OUT)
    assert not list(tmp_path.rglob("*.answer"))
    again = await ask(answers, snapshot_market, worker, {"period": "2024"})  # drawn this time
    assert worker.builds == 2
    assert again.chart is not None
    assert again.text == first.text
    assert LEFT_OUT not in again.notes


async def test_a_new_close_invalidates(cache, live, clock, tmp_path):
    market = MarketData(cache, live=live, clock=clock)
    answers, worker = AnswerCache(tmp_path / "a"), CountingWorker()
    first = await ask(answers, market, worker)
    assert first.as_of == dt.date(2026, 8, 5)
    assert (await ask(answers, market, worker)).text == first.text
    assert worker.builds == 1
    live.truth["IWM"] = bars(IWM | {"2026-08-06": 230.0})
    live.truth["SPY"] = bars(SPY | {"2026-08-06": 636.0})
    clock.set("2026-08-06T21:00:00")  # the next close is in
    after = await ask(answers, market, worker)
    assert worker.builds == 2
    assert after.as_of == dt.date(2026, 8, 6)
    assert same(after, await execute(gap.COMMAND, gap.COMMAND.validate(QUESTION), market))


async def test_a_refreshed_provisional_row_invalidates(cache, live, clock, tmp_path):
    clock.set("2026-08-05T20:10:00")  # ten minutes after the close: the 08-05 rows are provisional
    live.truth["IWM"] = bars(IWM | {"2026-08-05": 219.0})
    market = MarketData(cache, live=live, clock=clock)
    answers, worker = AnswerCache(tmp_path / "a"), CountingWorker()
    early = await ask(answers, market, worker)
    clock.set("2026-08-05T20:20:00")  # not yet due for a refresh: the same answer
    assert (await ask(answers, market, worker)).text == early.text
    assert worker.builds == 1
    live.truth["IWM"] = bars(IWM)  # the settled close, 221.5
    clock.set("2026-08-05T20:45:00")
    settled = await ask(answers, market, worker)
    assert worker.builds == 2
    assert settled.text != early.text
    assert same(settled, await execute(gap.COMMAND, gap.COMMAND.validate(QUESTION), market))


async def test_a_split_invalidates(cache, live, clock, tmp_path):
    market = MarketData(cache, live=live, clock=clock)
    answers, worker = AnswerCache(tmp_path / "a"), CountingWorker()
    options = {"period": "2026-08-01..2026-08-31", "small": "IWM", "large": "SPY"}
    before = await ask(answers, market, worker, options)
    # 2-for-1 split effective 2026-08-06: Yahoo reports every earlier IWM close halved
    live.truth["IWM"] = bars({d: c / 2 for d, c in IWM.items()} | {"2026-08-06": 112.0}, {"2026-08-06": 2.0})
    live.truth["SPY"] = bars(SPY | {"2026-08-06": 636.0})
    clock.set("2026-08-06T21:00:00")
    after = await ask(answers, market, worker, options)
    assert worker.builds == 2
    assert after.text != before.text
    fresh = await execute(gap.COMMAND, gap.COMMAND.validate(options), market)
    assert same(after, fresh)
    # no jump at the split: IWM's return runs 220 -> 224 (split-adjusted 112), not 220 -> 112
    assert after.field("IWM return").number == pytest.approx(224.0 / 220.0 - 1)


async def test_a_kept_answer_is_never_served_once_the_data_moved_on(cache, live, clock, tmp_path):
    """The folder outlives a process: a restart with newer data must rebuild, not reuse."""
    folder = tmp_path / "a"
    await ask(AnswerCache(folder), MarketData(cache, live=live, clock=clock), CountingWorker())
    live.truth["IWM"] = bars(IWM | {"2026-08-06": 230.0})
    live.truth["SPY"] = bars(SPY | {"2026-08-06": 636.0})
    clock.set("2026-08-06T21:00:00")
    market, worker = MarketData(cache, live=live, clock=clock), CountingWorker()  # a restart
    reply = await ask(AnswerCache(folder), market, worker)
    assert worker.builds == 1
    assert reply.as_of == dt.date(2026, 8, 6)


async def test_memory_is_bounded_in_bytes_least_recently_used_first(tmp_path, snapshot_market):
    probe = AnswerCache(None)
    await ask(probe, snapshot_market, CountingWorker(), {"period": "2022"})
    size = probe.memory_bytes
    answers, worker = AnswerCache(None, max_bytes=int(size * 2.5)), CountingWorker()
    for year in ("2022", "2021"):
        await ask(answers, snapshot_market, worker, {"period": year})
    await ask(answers, snapshot_market, worker, {"period": "2022"})  # 2022 is now the most recent
    await ask(answers, snapshot_market, worker, {"period": "2020"})  # evicts 2021, the least recent
    assert worker.builds == 3
    assert answers.memory_bytes <= answers.max_bytes
    await ask(answers, snapshot_market, worker, {"period": "2022"})
    assert worker.builds == 3
    await ask(answers, snapshot_market, worker, {"period": "2021"})
    assert worker.builds == 4


async def test_the_folder_is_bounded_too(tmp_path, snapshot_market):
    folder = tmp_path / "a"
    answers = AnswerCache(folder, disk_max_bytes=1)  # everything over the bound: pruned as written
    await ask(answers, snapshot_market, CountingWorker(), {"period": "2022"})
    assert sum(p.stat().st_size for p in folder.glob("*.answer")) == 0


async def test_an_unreadable_file_is_a_miss_and_is_removed(tmp_path, snapshot_market):
    folder = tmp_path / "a"
    await ask(AnswerCache(folder), snapshot_market, CountingWorker(), {"period": "2019"})
    (path,) = folder.glob("*.answer")
    path.write_bytes(path.read_bytes()[:100])  # torn
    worker = CountingWorker()
    reply = await ask(AnswerCache(folder), snapshot_market, worker, {"period": "2019"})
    assert worker.builds == 1
    assert reply.field("Sessions").number > 200


async def test_shared_across_processes_and_never_stale(tmp_path, cache, live, clock):
    """Another process (a second shard, the console) reads the folder and the cache's database:
    it serves the kept answer without building while the data is the same, and refuses it after."""
    folder, db = tmp_path / "a", tmp_path / "cache.db"
    market = MarketData(cache, live=live, clock=clock)
    built = await ask(AnswerCache(folder), market, CountingWorker())
    key = answer_key("gap", gap.COMMAND.validate(QUESTION))

    def other_process(now: str) -> str:
        code = textwrap.dedent(
            f"""
            import asyncio, datetime as dt, sys
            from pathlib import Path
            from bot.answers import AnswerCache
            from data.versions import SqliteVersions
            now = dt.datetime.fromisoformat({now!r})
            versions = SqliteVersions(Path({str(db)!r}), "live", clock=lambda: now)
            reply = asyncio.run(AnswerCache(Path({str(folder)!r})).lookup({key!r}, versions))
            heavy = sorted(m for m in ("matplotlib", "sqlalchemy", "discord") if m in sys.modules)
            print(reply.text if reply else "MISS", heavy)
            """
        )
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert other_process("2026-08-05T22:00:00+00:00") == f"{built.text} []"
    # a new session closed: until this process (or another) stores it, nobody may serve the old answer
    assert other_process("2026-08-06T21:00:00+00:00") == "MISS []"


def test_the_weekday_bound_is_never_older_than_the_last_close():
    from data.calendar import TradingCalendar

    cal = TradingCalendar()
    start = dt.datetime(2025, 11, 20, tzinfo=UTC)  # Thanksgiving and its early close included
    for hour in range(0, 24 * 21, 5):
        now = start + dt.timedelta(hours=hour)
        assert weekday_bound(now) >= cal.last_closed_session(now)


async def test_versions_from_the_database_match_the_histories(cache, live, clock, tmp_path):
    market = MarketData(cache, live=live, clock=clock)
    read = SqliteVersions(tmp_path / "cache.db", "live", clock=clock)
    for ticker in ("IWM", "SPY"):
        history = await market.history(ticker)
        restarted = MarketData(cache, live=live, clock=clock)
        assert await read.version(ticker) == history.version == await restarted.version(ticker)
    read.close()


async def test_streak_answers_are_cached_too(tmp_path, snapshot_market):
    answers, worker = AnswerCache(tmp_path / "a"), CountingWorker()
    query = streak.COMMAND.validate({"as_of": "2026-01-16"})
    first = await answers.answer(streak.COMMAND, query, snapshot_market, worker)
    second = await answers.answer(streak.COMMAND, query, snapshot_market, worker)
    assert worker.builds == 1
    assert first.text == second.text
