"""Each member's last reading in a thread, on both backends: recalled by another process on the same
database and after a restart, one row per (thread, member), forgotten once older than its time."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy import func, select, update

from data.db import create_engine
from data.dialect import db_now_plus
from data.state import StateStore
from data.state.schema import chat_memory

ROOT = Path(__file__).resolve().parents[2]


async def _age(store: StateStore, seconds: float) -> None:
    """Move every reading ``seconds`` into the past on the database's clock."""
    async with store.engine.begin() as conn:
        await conn.execute(update(chat_memory).values(said_at=db_now_plus(-seconds)))


async def _rows(store: StateStore) -> int:
    async with store.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(chat_memory))).scalar_one()


async def test_a_reading_is_recalled_per_thread_and_member(state):
    await state.remember_reading(500, 7, "/gap period:2022")
    await state.remember_reading(500, 8, "/style period:ytd")
    await state.remember_reading(501, 7, "/streak")
    assert await state.recall_reading(500, 7) == "/gap period:2022"
    assert await state.recall_reading(500, 8) == "/style period:ytd"
    assert await state.recall_reading(501, 7) == "/streak"
    assert await state.recall_reading(502, 7) is None
    await state.remember_reading(500, 7, "/gap period:2023")  # replaces, never accumulates
    assert await state.recall_reading(500, 7) == "/gap period:2023"
    assert await _rows(state) == 3


async def test_another_process_and_a_restart_recall_it(state, state_url):
    await state.remember_reading(500, 7, "/gap period:2022 small:IWM large:SPY")
    other = StateStore(create_engine(state_url))  # a second shard process on the same database
    await other.open()
    try:
        assert await other.recall_reading(500, 7) == "/gap period:2022 small:IWM large:SPY"
        await other.remember_reading(500, 7, "/gap period:2023 small:IWM large:SPY")
    finally:
        await other.close()
    await state.close()  # the bot restarts
    restarted = StateStore(create_engine(state_url))
    await restarted.open()
    try:
        assert await restarted.recall_reading(500, 7) == "/gap period:2023 small:IWM large:SPY"
    finally:
        await restarted.close()


async def test_two_processes_writing_at_once_keep_one_row_per_member(state, state_url):
    other = StateStore(create_engine(state_url))
    await other.open()
    try:
        stores = [state, other]
        await asyncio.gather(
            *(stores[i % 2].remember_reading(500, i % 5, f"/gap period:{2000 + i}") for i in range(40))
        )
        assert await _rows(state) == 5
        assert {await other.recall_reading(500, m) for m in range(5)} <= {
            f"/gap period:{2000 + i}" for i in range(40)
        }
    finally:
        await other.close()


async def test_a_reading_is_forgotten_after_its_time(state):
    await state.remember_reading(500, 7, "/gap period:2022")
    await _age(state, 29 * 60)
    assert await state.recall_reading(500, 7) == "/gap period:2022"  # within half an hour: kept
    await _age(state, 31 * 60)
    assert await state.recall_reading(500, 7) is None
    assert await _rows(state) == 1  # expired but not yet pruned: the next write deletes it
    await state.remember_reading(501, 8, "/streak")
    assert await _rows(state) == 1
    assert await state.recall_reading(501, 8) == "/streak"


async def test_a_line_too_long_to_store_is_not_kept_clipped(state):
    await state.remember_reading(500, 7, "/gap period:" + "x" * 500)
    assert await state.recall_reading(500, 7) is None


# Another OS process, as a second shard process is: it recalls what this one stored, then stores a
# follow-up of its own, on the same database (PostgreSQL and SQLite alike).
OTHER_PROCESS = """
import asyncio, sys
from data.db import create_engine
from data.state import StateStore

async def main(url):
    store = StateStore(create_engine(url))
    await store.open()
    print(await store.recall_reading(500, 7))
    await store.remember_reading(500, 7, "/gap period:2023 small:IWM large:SPY")
    await store.close()

asyncio.run(main(sys.argv[1]))
"""


async def test_a_separate_process_recalls_and_replaces_the_reading(state, state_url):
    await state.remember_reading(500, 7, "/gap period:2022 small:IWM large:SPY")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", OTHER_PROCESS, state_url, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert out.decode().strip() == "/gap period:2022 small:IWM large:SPY"
    assert await state.recall_reading(500, 7) == "/gap period:2023 small:IWM large:SPY"
