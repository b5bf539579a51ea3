"""Which guilds this process serves, when several bot processes split the shards between them.

Discord assigns every guild to one shard, ``(guild_id >> 22) % shard_count``; a process started with
``SHARD_IDS`` holds those shards' gateway sessions, answers their interactions and delivers their
guilds' daily updates and alerts. Deployment-wide chores (command sync, backups) belong to one
process only, the one holding shard 0, so N processes do them once rather than N times.
"""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's own formula for the shard a guild's events arrive on."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class ShardPlan:
    """``count`` None: one unsharded process runs everything, as a small deployment does."""

    count: int | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def parse(cls, count: int | None, ids: str | None) -> ShardPlan:
        """From ``SHARD_COUNT`` and ``SHARD_IDS`` ("0,1" or "0-2"); a wrong value is refused with what
        is accepted, because a process that silently serves the wrong shards posts nowhere."""
        if count is None:
            if ids:
                raise ValueError("SHARD_IDS needs SHARD_COUNT (the total number of shards) as well")
            return cls()
        if count < 1:
            raise ValueError(f"SHARD_COUNT must be 1 or more, not {count}")
        chosen: list[int] = []
        for part in (ids or "").replace(" ", "").split(","):
            if not part:
                continue
            low, _, high = part.partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                raise ValueError(f"SHARD_IDS takes shard numbers like 0,1 or 0-2, not {ids!r}")
            chosen.extend(range(int(low), int(high or low) + 1))
        if not chosen:
            chosen = list(range(count))  # SHARD_COUNT alone: this process runs every shard
        wrong = [i for i in chosen if i >= count]
        if wrong:
            raise ValueError(f"SHARD_IDS {wrong} are not below SHARD_COUNT={count} (0..{count - 1} exist)")
        return cls(count, tuple(sorted(set(chosen))))

    @property
    def sharded(self) -> bool:
        return self.count is not None

    @property
    def primary(self) -> bool:
        """Runs the deployment's chores: the unsharded process, or the one with shard 0."""
        return self.count is None or 0 in self.ids

    def owns(self, guild_id: int) -> bool:
        return self.count is None or shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        if self.count is None:
            return "unsharded (one process, every guild)"
        return f"shards {','.join(map(str, self.ids))} of {self.count}"
