"""Calls in the state database: numbered per server, never edited, withdrawn by marking, capped per
member, pair and horizon, and due for resolution until the ledger says their result was posted."""

from __future__ import annotations

import datetime as dt

import pytest

from data.state import Call, TooManyOpen
from data.state.schema import MIGRATIONS

MADE = dt.datetime(2026, 1, 5, 20, tzinfo=dt.UTC)


def call(guild=1, user=7, horizon="1m", end=dt.date(2026, 2, 4), small="^RUT") -> Call:
    start = dt.date(2026, 1, 5)
    return Call(guild, 500, 1, user, "alice", "small", horizon, small, "^GSPC", start, end, MADE, "rates")


async def test_calls_migrate_as_a_numbered_step(state):
    assert [v for v, description, _ in MIGRATIONS if description.startswith("calls:")] == [5]
    async with state.engine.connect() as conn:
        query = "SELECT version FROM schema_versions WHERE scope = 'state'"
        applied = (await conn.exec_driver_sql(query)).scalars().all()
    assert 5 in applied


async def test_numbers_are_per_server_and_the_row_round_trips(state):
    first = await state.add_call(call(guild=1), max_open=3, open_from=dt.date(2026, 1, 6))
    other = await state.add_call(call(guild=2), max_open=3, open_from=dt.date(2026, 1, 6))
    second = await state.add_call(call(guild=1, horizon="3m"), max_open=3, open_from=dt.date(2026, 1, 6))
    assert (first.number, other.number, second.number) == (1, 1, 2)
    assert len({first.id, other.id, second.id}) == 3
    stored = await state.call(1, 1)
    assert stored == first
    assert (stored.parent_id, stored.note, stored.made_at) == (1, "rates", MADE)
    assert [c.number for c in await state.calls(1)] == [1, 2]
    assert await state.calls(1, user_id=8) == []


async def test_at_most_max_open_per_member_pair_and_horizon(state):
    for _ in range(3):
        await state.add_call(call(), max_open=3, open_from=dt.date(2026, 1, 6))
    with pytest.raises(TooManyOpen) as err:
        await state.add_call(call(), max_open=3, open_from=dt.date(2026, 1, 6))
    assert [c.number for c in err.value.open_calls] == [1, 2, 3]
    # another horizon, pair or member is not capped by these; closed calls no longer count
    await state.add_call(call(horizon="3m"), max_open=3, open_from=dt.date(2026, 1, 6))
    await state.add_call(call(small="IWM"), max_open=3, open_from=dt.date(2026, 1, 6))
    await state.add_call(call(user=8), max_open=3, open_from=dt.date(2026, 1, 6))
    await state.add_call(call(), max_open=3, open_from=dt.date(2026, 2, 5))


async def test_a_withdrawn_call_is_kept_marked_and_frees_its_slot(state):
    calls = [await state.add_call(call(), max_open=3, open_from=dt.date(2026, 1, 6)) for _ in range(3)]
    assert await state.withdraw_call(calls[0], MADE + dt.timedelta(minutes=2))
    assert not await state.withdraw_call(calls[0], MADE + dt.timedelta(minutes=3))
    assert (await state.call(1, 1)).withdrawn_at == MADE + dt.timedelta(minutes=2)
    assert [c.number for c in await state.calls(1)] == [2, 3]
    await state.add_call(call(), max_open=3, open_from=dt.date(2026, 1, 6))


async def test_due_until_the_ledger_records_the_result(state):
    done = await state.add_call(call(end=dt.date(2026, 1, 12)), max_open=3, open_from=dt.date(2026, 1, 6))
    later = await state.add_call(call(end=dt.date(2026, 2, 4)), max_open=3, open_from=dt.date(2026, 1, 6))
    gone = await state.add_call(call(end=dt.date(2026, 1, 12)), max_open=3, open_from=dt.date(2026, 1, 6))
    await state.withdraw_call(gone, MADE)
    assert [c.id for c in await state.due_calls(dt.date(2026, 1, 9))] == []
    assert [c.id for c in await state.due_calls(dt.date(2026, 1, 12))] == [done.id]
    claim = await state.claim(done.id, "2026-01-12", dt.timedelta(minutes=10), ledger="calls")
    assert [c.id for c in await state.due_calls(dt.date(2026, 2, 4))] == [done.id, later.id]  # claimed only
    await state.complete(claim, 42)
    assert [c.id for c in await state.due_calls(dt.date(2026, 2, 4))] == [later.id]
    row = await state.delivery(done.id, "2026-01-12", ledger="calls")
    assert (row["status"], row["message_id"]) == ("sent", 42)
