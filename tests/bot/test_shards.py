"""Several bot processes: which process serves which guild, and the sharded bot's wiring."""

from __future__ import annotations

import pytest

from bot.client import RotationBot, ShardedRotationBot, create_bot
from bot.settings import Settings
from bot.shards import ShardPlan, shard_of
from tests.conftest import bot_settings

# Real snowflakes: the shard is the creation timestamp's bits (id >> 22) modulo the shard count.
GUILD = 1_400_000_000_000_000_001  # id >> 22 = 333_786_010_742 (its digit sum 44: 2 mod 3)
PLANS = [
    # SHARD_COUNT, SHARD_IDS, ids run here, primary (sync and backups)
    (None, None, (), True),
    (3, None, (0, 1, 2), True),
    (3, "0", (0,), True),
    (3, "1,2", (1, 2), False),
    (4, "1-3", (1, 2, 3), False),
    (4, " 2 , 0 ", (0, 2), True),
]


PG = "postgresql+asyncpg://rotation@127.0.0.1/rotation"


def shared(**kwargs) -> Settings:
    return Settings(state_database_url=PG, database_url=PG, **kwargs)


@pytest.mark.parametrize(("count", "ids", "expected", "primary"), PLANS)
def test_plan_from_settings(count, ids, expected, primary):
    plan = shared(shard_count=count, shard_ids=ids).shards
    assert plan.ids == expected
    assert plan.primary is primary


@pytest.mark.parametrize(
    ("count", "ids", "message"),
    [
        (None, "0", "SHARD_IDS needs SHARD_COUNT"),
        (2, "2", "not below SHARD_COUNT=2"),
        (2, "one", "takes shard numbers like 0,1 or 0-2"),
        (0, None, "SHARD_COUNT=0: must be at least 1"),
    ],
)
def test_wrong_shard_settings_are_refused(count, ids, message):
    with pytest.raises(ValueError, match=message):
        shared(shard_count=count, shard_ids=ids)


def test_processes_splitting_the_shards_need_a_shared_postgresql():
    with pytest.raises(ValueError, match="set STATE_DATABASE_URL and DATABASE_URL to postgresql"):
        Settings(shard_count=3, shard_ids="1")
    assert Settings(shard_count=3).shards.ids == (0, 1, 2)  # one process with every shard: SQLite is fine


def test_shard_of_is_discords_formula():
    assert GUILD >> 22 == 333_786_010_742
    assert [shard_of(GUILD, n) for n in (1, 2, 3, 5)] == [0, 0, 2, 2]


def test_each_guild_belongs_to_exactly_one_process():
    guilds = [GUILD + (i << 22) for i in range(30)]  # 30 servers created a millisecond apart
    processes = [ShardPlan.parse(3, str(i)) for i in range(3)]
    owners = [[p.owns(g) for p in processes].count(True) for g in guilds]
    assert owners == [1] * 30
    assert sorted(sum(p.owns(g) for g in guilds) for p in processes) == [10, 10, 10]
    assert all(ShardPlan().owns(g) for g in guilds)


def test_the_bot_class_follows_the_settings():
    unsharded = create_bot(Settings())
    sharded = create_bot(shared(shard_count=3, shard_ids="1,2"))
    assert type(unsharded) is RotationBot
    assert isinstance(sharded, ShardedRotationBot)
    assert (sharded.shard_count, sharded.shard_ids) == (3, [1, 2])


async def test_identifies_are_paced_per_bucket_through_the_database(
    fake, tmp_path, state_url, snapshot_market, workers
):
    """Shards 0 and 1 are different buckets when max_concurrency is 2: both identify at once; shard 2
    shares shard 0's bucket and waits its turn, whichever process runs it (here, the same database)."""
    fake.max_concurrency = 2
    settings = bot_settings(tmp_path, fake, state_url).copy(shard_count=3)
    bot = create_bot(settings, market=snapshot_market, workers=workers, sync_on_start=False)
    bot.identify_spacing = 2.0
    await bot.login("test-token-not-real")
    try:
        await bot.before_identify_hook(0, initial=True)
        await bot.before_identify_hook(1)
        await bot.before_identify_hook(2)
        first, second, third = bot.identify_waits
        assert first == second == 0.0  # two buckets: no wait
        assert third >= 0.5  # bucket 0 again: waited for shard 0's slot to pass
    finally:
        await bot.close()
