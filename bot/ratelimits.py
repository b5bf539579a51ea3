"""Discord's rate limits, respected rather than fought.

discord.py already reads every route's ``X-RateLimit-*`` headers and waits out a bucket, and backs
off after a 429. What it cannot know is that several processes share one bot token, and so one
global budget (about 50 requests per second per bot): three processes fanning out at once would
each stay under it and together go over, and many 429s in a row get a bot banned by Cloudflare for
an hour (10,000 invalid requests in 10 minutes). So a fan-out paces its own REST calls with a token
bucket sized to this process's share of the budget, and counts what Discord answered (through
aiohttp's request tracing, which discord.py accepts) so each fan-out can report its throughput and
its 429s and other invalid requests in the log.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

INVALID = (401, 403, 429)  # what Cloudflare counts towards its ban


class Pacer:
    """At most ``rate`` acquisitions per second: a token bucket (``burst`` tokens, so a late wake-up
    on a busy host is made up rather than lost) capped at ``ceil(rate)`` per wall-clock second.

    The cap is what keeps several processes under one global budget: Discord counts the global
    limit per second, and with each process's share capped per second of the shared clock, the
    processes together never exceed the sum of their caps in any second, however their buckets burst.
    """

    def __init__(self, rate: float, burst: int = 3, clock=time.monotonic, wall=time.time) -> None:
        if rate <= 0:
            raise ValueError("a pacer needs a positive rate")
        self.rate, self.burst, self._clock, self._wall = rate, burst, clock, wall
        self.cap = max(1, math.ceil(rate - 1e-9))
        self._tokens = 1.0
        self._stamp = clock()
        self._second, self._in_second = -1, 0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:  # one waiter at a time: the others queue behind it, in order
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                wall = self._wall()
                if int(wall) != self._second:
                    self._second, self._in_second = int(wall), 0
                if self._in_second >= self.cap:
                    await asyncio.sleep(self._second + 1 - wall + 0.001)
                    continue
                if self._tokens >= 1:
                    self._tokens -= 1
                    self._in_second += 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)


def process_share(global_rate: float, shard_count: int | None, shard_ids: tuple[int, ...]) -> float:
    """This process's part of the bot's global budget: its share of the shards (all of it unsharded)."""
    if not shard_count:
        return global_rate
    return global_rate * len(shard_ids) / shard_count


@dataclass
class RequestStats:
    """Every REST answer Discord gave this process, by status; snapshots give a fan-out's own counts."""

    statuses: Counter[int] = field(default_factory=Counter)

    def trace_config(self) -> aiohttp.TraceConfig:
        trace = aiohttp.TraceConfig()

        async def on_end(_session, _ctx, params: aiohttp.TraceRequestEndParams) -> None:
            self.statuses[params.response.status] += 1

        trace.on_request_end.append(on_end)
        return trace

    def snapshot(self) -> Counter[int]:
        return Counter(self.statuses)

    def since(self, before: Counter[int]) -> dict[str, int]:
        diff = self.statuses - before
        return {
            "requests": sum(diff.values()),
            "429": diff[429],
            "invalid": sum(diff[s] for s in INVALID),
        }
