"""Every build runs in a bounded pool (issue 24, finding 2).

Each /rrg build used to fork a process of its own, with no cap: 30 at once were 35 processes and
1.7 GiB PSS. Now they take turns in one heavy pool of ``heavy_workers`` processes, which is shut
down once it has been idle for ``heavy_idle`` seconds.
"""

from __future__ import annotations

import asyncio
import os

from bench.serve import descendants as tree
from bot.workers import Workers
from commands.registry import default_registry
from commands.theme import themed


def descendants(pid: int) -> set[int]:
    """Every process under ``pid`` (the fork server's children included), as the benchmark finds them."""
    return set(tree(pid))


async def test_heavy_builds_share_one_bounded_pool_that_leaves_when_idle(snapshot_market):
    registry = default_registry()
    lines = [f"/rrg set:{s} weeks:{w}" for s in ("size", "style", "sectors") for w in (4, 6, 8)]
    asked = [registry.validate_line(line) for line in lines]
    inputs = [await command.load(query, snapshot_market) for command, query in asked]
    workers = Workers("process", 1, heavy_workers=1, heavy_idle=0.3)
    await workers.warm_up()
    base = descendants(os.getpid())
    peak = 0
    running = True

    async def sample() -> None:
        nonlocal peak
        while running:
            peak = max(peak, len(descendants(os.getpid()) - base))
            await asyncio.sleep(0.01)

    sampler = asyncio.create_task(sample())
    try:
        replies = await asyncio.gather(
            *(workers(themed, "dark", c.build, q, i) for (c, q), i in zip(asked, inputs, strict=True))
        )
        assert workers.heavy_alive  # kept while it may be asked again
        running = False
        await sampler
        assert peak == 1  # one heavy process for nine builds at once (each had its own before)
        assert workers.heavy_started == 1
        assert workers.heavy_queue.granted == len(lines)
        assert all(r.chart is not None and r.chart_name == "rrg.png" for r in replies)
        assert len({r.text for r in replies}) == len({(q.set, q.weeks) for _, q in asked})
        for _ in range(200):  # idle for 0.3 s: shut down, its process gone
            if not workers.heavy_alive and not descendants(os.getpid()) - base:
                break
            await asyncio.sleep(0.05)
        assert not workers.heavy_alive
        assert not descendants(os.getpid()) - base
        again = await workers(themed, "dark", asked[0][0].build, asked[0][1], inputs[0])  # starts anew
        assert again.text == replies[0].text
        assert workers.heavy_started == 2
    finally:
        running = False
        workers.close()
