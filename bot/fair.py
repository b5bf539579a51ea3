"""Who builds next: a bounded number of builds at once, handed out fairly across servers and members.

The process pool queued every build in one line, first come first served: 60 members of one server
each asking a different ``/sectors … export:true`` made a member of another server wait 5.2-5.5 s for
a 0.08 s ``/streak`` (issue 24, finding 3). Here each build first takes a *turn*: at most ``slots``
builds run at once (the global queue, sized to the workers, so nothing waits inside the pool where it
could not be reordered), and a free slot goes to a waiting server's build, then within it to a
member's (the per-server queue).

The choice is round robin, with the least busy first: the server with the fewest builds running
(a tie goes to the one served longest ago), and within it the member with the fewest running (the
same tie rule); each member's own questions stay in their order. So a bystander's question takes
the next free slot whatever another server has queued, and one member's ten questions interleave
with their server's other members instead of going ahead of them. And while another server has
asked for a build within ``active_window`` seconds, one server may hold at most ``per_server`` slots
(the bot: all workers but one), so a slot is free already when that other server asks again: it
does not wait for one of the burst's builds to end. A server alone uses every slot (a one-server
bot keeps its full throughput: the mixed-load benchmark, 50 members of one server).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field

Lane = tuple[Hashable, Hashable]  # (server, member); None for either where there is none

# Whose question the current task serves: set where an interaction or a message enters the bot, read
# where a build takes its turn. A context variable, so it follows the question into every task it
# starts (the answer, the answer cache's shared build) without passing it through the commands.
LANE: ContextVar[Lane] = ContextVar("lane", default=(None, None))


def asked_by(guild_id: int | None, user_id: int | None) -> None:
    """Mark the current task (and the tasks it starts from now on) as serving this member here."""
    LANE.set((guild_id, user_id))


@dataclass
class _Server:
    running: int = 0
    members: OrderedDict[Hashable, deque[asyncio.Future[None]]] = field(default_factory=OrderedDict)
    member_running: dict[Hashable, int] = field(default_factory=dict)
    member_served: dict[Hashable, int] = field(default_factory=dict)  # member -> turn number last given


class FairQueue:
    def __init__(self, slots: int, per_server: int | None = None, active_window: float = 60.0) -> None:
        """``per_server``: at most this many of the slots for one server at once while others are
        active (None: all). With one slot kept from any single server, another server's question
        starts at once instead of after one of the burst's builds (~0.3 s for /sectors with its CSV)."""
        if slots < 1:
            raise ValueError("a fair queue needs at least one slot")
        self.slots = slots
        self.per_server = slots if per_server is None else max(1, min(per_server, slots))
        self.active_window = active_window
        self._asked: dict[Hashable, float] = {}  # server -> when it last asked for a turn
        self.running = 0
        self.granted = 0  # turns given so far (for tests and the benchmark)
        self.recent_waits: deque[tuple[Hashable, float]] = deque(maxlen=1024)  # (server, seconds waited)
        # in rotation order: the server served longest ago first
        self._servers: OrderedDict[Hashable, _Server] = OrderedDict()

    @property
    def waiting(self) -> int:
        return sum(len(q) for s in self._servers.values() for q in s.members.values())

    @contextlib.asynccontextmanager
    async def turn(self, lane: Lane = (None, None)) -> AsyncIterator[None]:
        """Wait for a slot, run the body, give the slot to whoever is next."""
        await self._acquire(lane)
        try:
            yield
        finally:
            self._release(lane)

    def _share(self, server_key: Hashable) -> int:
        """The slots ``server_key`` may hold now: all, unless another server asked lately."""
        if self.per_server >= self.slots:
            return self.slots
        now = time.monotonic()
        others = any(k != server_key and now - t < self.active_window for k, t in self._asked.items())
        return self.per_server if others else self.slots

    async def _acquire(self, lane: Lane) -> None:
        server_key, member = lane
        now = time.monotonic()
        if len(self._asked) > 64:  # keep only the servers active within the window
            self._asked = {k: t for k, t in self._asked.items() if now - t < self.active_window}
        self._asked[server_key] = now
        server = self._servers.get(server_key)
        if server is None:
            server = self._servers[server_key] = _Server()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        server.members.setdefault(member, deque()).append(waiter)
        self._grant()  # a free slot this server may take: granted at once (awaiting it does not yield)
        asked = time.monotonic()
        try:
            await waiter
            self.recent_waits.append((server_key, time.monotonic() - asked))
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # granted, then cancelled: pass the slot on
                self._release(lane)
            else:
                self._drop(server_key, member, waiter)
            raise

    def _start(self, server_key: Hashable, server: _Server, member: Hashable) -> None:
        self.running += 1
        self.granted += 1
        server.running += 1
        server.member_running[member] = server.member_running.get(member, 0) + 1
        server.member_served[member] = self.granted
        self._servers.move_to_end(server_key)  # served now: last in the rotation

    def _release(self, lane: Lane) -> None:
        server_key, member = lane
        server = self._servers[server_key]
        self.running -= 1
        server.running -= 1
        left = server.member_running[member] - 1
        if left:
            server.member_running[member] = left
        else:
            del server.member_running[member]
        self._grant()
        if not server.running and not server.members and server_key in self._servers:
            del self._servers[server_key]  # nothing running or waiting: forget it

    def _grant(self) -> None:
        while self.running < self.slots:
            waiting = [(k, s) for k, s in self._servers.items() if s.members and s.running < self._share(k)]
            if not waiting:
                return
            # fewest running first; min() keeps the first of equals, the one served longest ago
            server_key, server = min(waiting, key=lambda ks: ks[1].running)
            member = min(
                server.members,
                key=lambda m: (server.member_running.get(m, 0), server.member_served.get(m, -1)),
            )
            queue = server.members[member]
            waiter = queue.popleft()
            if not queue:
                del server.members[member]
            self._start(server_key, server, member)
            waiter.set_result(None)

    def _drop(self, server_key: Hashable, member: Hashable, waiter: asyncio.Future[None]) -> None:
        server = self._servers.get(server_key)
        if server is None:
            return
        queue = server.members.get(member)
        if queue is not None:
            with contextlib.suppress(ValueError):
                queue.remove(waiter)
            if not queue:
                del server.members[member]
        if not server.running and not server.members:
            del self._servers[server_key]
