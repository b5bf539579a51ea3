"""Limits per member and per server on everything that creates records, threads or posts.

Two mechanisms, both answered privately before anything is deferred or written:

- :class:`Quota` caps what is *stored*: how many records of a kind one member, and one server, may
  have at once. It answers early from the server's records already read, and the store counts again
  inside the transaction that stores one (``cap=QUOTA.cap``; :class:`data.state.OverQuota` turned
  into the same answer by :meth:`Quota.refusal`), so concurrent requests from any process cannot
  pass it together. It names the command that lists and removes them.
- :class:`Rate` caps how *often*: at most N uses per window per member and per server. A use is
  reserved in the shared state database *before* the work starts (``data/state/quotas.py``: atomic
  across tasks and across every bot process on the database, on the database's clock) and released
  if the work then fails, so only work that happened is charged and a burst cannot pass the check
  together before any of it is counted.

A feature takes both by declaring one constant each, as calls do (``bot/cogs/calls.py``)::

    CALLS = Quota("open calls", per_member=20, per_server=500, remove="`/calls status:open` lists ...")
    CALL_RATE = Rate("make a call", "call", member=(5, 600), server=(60, 600))
    ...
    CALLS.check([c.user_id for c in open_calls], user_id)
    async with CALL_RATE.held(bot.state, guild_id, user_id):  # before deferring: a refusal stays private
        ...  # the work; an exception in here gives the use back
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from commands.reply import UserError
from data.state import Cap, OverPace, OverQuota, Pace, StateStore


@dataclass(frozen=True)
class Quota:
    noun: str  # plural, as a member reads it: "recorded valuations"
    per_member: int
    per_server: int
    remove: str  # how to find and remove one, e.g. "`/alert list` shows their numbers; ..."

    @property
    def cap(self) -> Cap:
        """The same figures for the store, which counts again inside the transaction that stores a
        record (``data/state/quotas.check_cap``): the check here answers early, that one holds."""
        return Cap(self.per_member, self.per_server)

    def check(self, owners: Iterable[int], user_id: int) -> None:
        """``owners``: who created each of this server's records of this kind."""
        owners = list(owners)
        if len(owners) >= self.per_server:
            raise self.refusal(OverQuota("server", len(owners)))
        mine = sum(1 for owner in owners if owner == user_id)
        if mine >= self.per_member:
            raise self.refusal(OverQuota("member", mine))

    def refusal(self, over: OverQuota) -> UserError:
        if over.scope == "server":
            return UserError(
                f"This server already has {over.held} {self.noun}, the most one server can have. "
                f"{self.remove}"
            )
        return UserError(
            f"You already have {over.held} {self.noun} in this server, the most one member can have. "
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
    ``server[1]`` seconds in one server, held in the state database (``key`` names the pace there).
    A refused attempt, and a use whose work failed, do not count."""

    def __init__(
        self, action: str, key: str, member: tuple[int, float], server: tuple[int, float] | None = None
    ) -> None:
        self.action = action  # what a member does, as in "open a discussion thread"
        self.pace = Pace(key, member, server)

    async def reserve(self, state: StateStore, guild_id: int | None, user_id: int) -> str:
        """Take one use now and return its token, or raise :class:`UserError` saying when the next one
        is possible."""
        try:
            return await state.reserve_use(self.pace, guild_id or 0, user_id)
        except OverPace as over:
            count, per = over.limit
            wait = max(over.wait, 1)
            if over.scope == "member":
                raise UserError(
                    f"Easy — you can {self.action} {count} time{'s' if count != 1 else ''} per "
                    f"{_window(per)}. Try again in {wait:.0f} s."
                ) from None
            raise UserError(
                f"Members of this server can {self.action} {count} times per {_window(per)} in all, "
                f"and that is reached. Try again in {wait:.0f} s."
            ) from None

    @asynccontextmanager
    async def held(self, state: StateStore, guild_id: int | None, user_id: int) -> AsyncIterator[str]:
        """A use reserved for the block, given back if the block raises (a refusal found later, an
        error, a cancellation): what did not happen is not charged."""
        token = await self.reserve(state, guild_id, user_id)
        try:
            yield token
        except BaseException:
            await state.release_use(token)
            raise


# -- the limits in force ------------------------------------------------------------------------

VALUATIONS = Quota(
    "recorded valuations",
    per_member=10,
    per_server=100,
    remove="`/valuation show` lists them with their numbers (`page:` for older ones); "
    "`/valuation remove id:N` removes one.",
)
VALUATION_RATE = Rate("record valuations", "valuation", member=(5, 600))
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
DISCUSS_RATE = Rate("open a discussion thread", "discuss", member=(1, 120), server=(5, 600))
CALLS = Quota(
    "open calls",
    per_member=20,
    per_server=500,
    remove="`/calls status:open` lists them; a call closes when its window ends "
    "(`/call-withdraw` within five minutes of making one).",
)
CALL_RATE = Rate("make a call", "call", member=(5, 600), server=(60, 600))
