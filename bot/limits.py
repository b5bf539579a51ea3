"""Limits per member and per server on everything that creates records, threads or posts.

Two mechanisms, both answered privately before anything is deferred or written:

- :class:`Quota` caps what is *stored*: how many records of a kind one member, and one server, may
  have at once. It counts the server's own records (already read, filtered by server), so it needs
  no state method of its own, and it names the command that lists and removes them.
- :class:`Rate` caps how *often*: at most N uses per window per member and per server (a sliding
  window in memory, per process), for what leaves no record behind (a thread, a post).

A feature takes both by declaring one constant each, as calls do (``bot/cogs/calls.py``)::

    CALLS = Quota("open calls", per_member=20, per_server=500, remove="`/calls status:open` lists ...")
    CALL_RATE = partial(Rate, "make a call", member=(5, 600), server=(60, 600))
    ...  # in the cog's __init__: self.rate = CALL_RATE()
    CALLS.check([c.user_id for c in open_calls], user_id)
    self.rate.check(guild_id, user_id)  # before deferring: a refusal stays private
    ...
    self.rate.count(guild_id, user_id)  # once the call is stored

Both are soft under concurrency (two requests at the same instant may both pass the last slot):
they stop misuse, not a race by one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from commands.reply import UserError


@dataclass(frozen=True)
class Quota:
    noun: str  # plural, as a member reads it: "recorded valuations"
    per_member: int
    per_server: int
    remove: str  # how to find and remove one, e.g. "`/alert list` shows their numbers; ..."

    def check(self, owners: Iterable[int], user_id: int) -> None:
        """``owners``: who created each of this server's records of this kind."""
        owners = list(owners)
        if len(owners) >= self.per_server:
            raise UserError(
                f"This server already has {len(owners)} {self.noun}, the most one server can have. "
                f"{self.remove}"
            )
        mine = sum(1 for owner in owners if owner == user_id)
        if mine >= self.per_member:
            raise UserError(
                f"You already have {mine} {self.noun} in this server, the most one member can have. "
                f"{self.remove}"
            )


def _window(seconds: float) -> str:
    if seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return "hour" if hours == 1 else f"{hours} hours"
    if seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds:g} seconds"


class Rate:
    """At most ``member[0]`` uses per ``member[1]`` seconds by one member, and ``server[0]`` per
    ``server[1]`` seconds in one server. A refused attempt does not count."""

    PRUNE_AT = 2048  # keys kept before idle ones are dropped, so memory stays bounded

    def __init__(
        self,
        action: str,
        member: tuple[int, float],
        server: tuple[int, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.action = action  # what a member does, as in "open a discussion thread"
        self.member, self.server, self.clock = member, server, clock
        self._uses: dict[tuple[str, int], deque[float]] = {}

    def _retry_after(self, key: tuple[str, int], limit: tuple[int, float], now: float) -> float:
        uses = self._uses.get(key)
        if uses is None:
            return 0.0
        while uses and uses[0] <= now - limit[1]:
            uses.popleft()
        return uses[0] + limit[1] - now if len(uses) >= limit[0] else 0.0

    def take(self, guild_id: int | None, user_id: int) -> None:
        """Count one use, or raise :class:`UserError` saying when the next one is possible."""
        self.check(guild_id, user_id)
        self.count(guild_id, user_id)

    def check(self, guild_id: int | None, user_id: int) -> None:
        """Raise :class:`UserError` when a use now would be over a limit; counts nothing. With
        :meth:`count` after the work succeeded, an attempt refused for another reason is not charged."""
        now = self.clock()
        count, per = self.member
        if (wait := self._retry_after(("member", user_id), self.member, now)) > 0:
            raise UserError(
                f"Easy — you can {self.action} {count} time{'s' if count != 1 else ''} per {_window(per)}. "
                f"Try again in {max(wait, 1):.0f} s."
            )
        if self.server is not None and guild_id is not None:
            scount, sper = self.server
            if (wait := self._retry_after(("server", guild_id), self.server, now)) > 0:
                raise UserError(
                    f"Members of this server can {self.action} {scount} times per {_window(sper)} in all, "
                    f"and that is reached. Try again in {max(wait, 1):.0f} s."
                )

    def count(self, guild_id: int | None, user_id: int) -> None:
        now = self.clock()
        if self.server is not None and guild_id is not None:
            self._uses.setdefault(("server", guild_id), deque()).append(now)
        self._uses.setdefault(("member", user_id), deque()).append(now)
        if len(self._uses) > self.PRUNE_AT:
            self._prune(now)

    def _prune(self, now: float) -> None:
        longest = max(self.member[1], self.server[1] if self.server else 0)
        for key in [k for k, uses in self._uses.items() if not uses or uses[-1] <= now - longest]:
            del self._uses[key]


# -- the limits in force ------------------------------------------------------------------------

VALUATIONS = Quota(
    "recorded valuations",
    per_member=10,
    per_server=100,
    remove="`/valuation show` lists them with their numbers (`page:` for older ones); "
    "`/valuation remove id:N` removes one.",
)
# Rates hold state, so each bot (each cog instance) makes its own from these.
VALUATION_RATE = partial(Rate, "record valuations", member=(5, 600))
ALERTS = Quota(
    "alerts",
    per_member=10,
    per_server=25,
    remove="`/alert list` shows their numbers; `/alert remove id:N` removes one.",
)
SUBSCRIPTIONS = Quota(
    "subscribed channels",
    per_member=10,
    per_server=20,
    remove="`/subscriptions` lists them; `/unsubscribe channel:#name` stops one.",
)
DISCUSS_RATE = partial(Rate, "open a discussion thread", member=(1, 120), server=(5, 600))
CALLS = Quota(
    "open calls",
    per_member=20,
    per_server=500,
    remove="`/calls status:open` lists them; a call closes when its window ends "
    "(`/call-withdraw` within five minutes of making one).",
)
CALL_RATE = partial(Rate, "make a call", member=(5, 600), server=(60, 600))
