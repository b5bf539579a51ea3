"""Live mode, bounded: which tickers stay in memory, and how big the market cache may grow.

Live mode fetches any ticker anyone names, and kept every one for good: 300 distinct tickers raised
the bot from 129 to 376 MiB, never released, and the cache's file reached 539 MB (issue 24,
finding 12). Two bounds, both settings:

- :class:`TickerMemory`: a ticker's history (and the stored rows behind it) leaves memory once
  nobody asked for it for ``idle`` seconds, or when more than ``max_tickers`` others were asked for
  since (least recently used first). The default pairs stay.
- :class:`CacheBudget`: once the cache's data passes ``max_bytes``, the least recently asked-for
  tickers are dropped from it until it is under 90% of that. The bundled tickers and the default
  pairs stay: the bundle reloads them in any case, and every answer by default needs them.

Snapshot mode needs neither (its tickers are the bundle's), and :class:`MarketData` uses them only
when a live source is set.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cache import PriceCache

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class TickerMemory:
    def __init__(
        self,
        max_tickers: int = 48,
        idle: float = 1800.0,
        pinned: Iterable[str] = (),
        clock: Clock = time.monotonic,
    ) -> None:
        self.max_tickers = max_tickers
        self.idle = idle
        self.pinned = frozenset(pinned)
        self.clock = clock
        self._used: OrderedDict[str, float] = OrderedDict()  # ticker -> when last asked, oldest first

    def touch(self, ticker: str) -> None:
        self._used[ticker] = self.clock()
        self._used.move_to_end(ticker)

    def to_forget(self, busy: Callable[[str], bool] = lambda _t: False) -> list[str]:
        """Tickers to drop from memory now: idle too long, or beyond ``max_tickers`` (oldest first);
        never a pinned one, nor one ``busy`` (a request is reading it)."""
        now = self.clock()
        kept = [t for t in self._used if t not in self.pinned]
        over = len(kept) - self.max_tickers
        out = []
        for ticker in kept:  # oldest first
            if busy(ticker):
                continue
            if over > 0 or now - self._used[ticker] >= self.idle:
                out.append(ticker)
                over -= 1
        for ticker in out:
            del self._used[ticker]
        return out

    def __contains__(self, ticker: str) -> bool:
        return ticker in self._used


class CacheBudget:
    """The market cache's size budget and the record of use it evicts by.

    Uses are noted in memory on every request and written to the cache (``ticker_use``) at most every
    ``flush_every`` seconds, so the warm path stays free of writes; the size is checked after new rows
    were stored, at most every ``check_every`` seconds."""

    def __init__(
        self,
        max_bytes: int | None,
        keep: Iterable[str] = (),
        flush_every: float = 60.0,
        check_every: float = 30.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.max_bytes = max_bytes
        self.keep = frozenset(keep)
        self.flush_every = flush_every
        self.check_every = check_every
        self.clock = clock
        self._pending: dict[str, dt.datetime] = {}
        self._flushed = clock()
        self._checked: float | None = None
        self.checked_now = False  # did the last enforce() call measure (or was it too soon)?
        self.evicted = 0  # tickers dropped so far

    def use(self, ticker: str, at: dt.datetime) -> None:
        self._pending[ticker] = at

    def flush_due(self) -> bool:
        return bool(self._pending) and self.clock() - self._flushed >= self.flush_every

    async def flush(self, cache: PriceCache) -> None:
        pending, self._pending = self._pending, {}
        self._flushed = self.clock()
        await cache.touch(pending)

    async def enforce(
        self, cache: PriceCache, busy: frozenset[str] = frozenset(), force: bool = False
    ) -> list[str]:
        """Drop least recently used tickers (not ``busy`` ones, being read now) until the cache is
        under 90% of its budget; returns them."""
        now = self.clock()
        self.checked_now = False
        if self.max_bytes is None:
            self.checked_now = True
            return []
        if not force and self._checked is not None and now - self._checked < self.check_every:
            return []
        self._checked = now
        self.checked_now = True
        await self.flush(cache)  # the order of eviction must know the latest uses
        size = await cache.size_bytes()
        if size <= self.max_bytes:
            return []
        dropped: list[str] = []
        target = self.max_bytes * 0.9
        while size > target:
            candidates = await cache.least_recent(self.keep | busy, limit=10)
            if not candidates:
                log.warning(
                    "market cache at %.0f MiB over its budget of %.0f MiB with only kept tickers left",
                    size / 2**20,
                    self.max_bytes / 2**20,
                )
                break
            for ticker in candidates:
                await cache.drop(ticker)
                dropped.append(ticker)
                size = await cache.size_bytes()
                if size <= target:
                    break
        self.evicted += len(dropped)
        log.info(
            "market cache over its budget: dropped %d least recently used tickers (%s), now %.1f MiB",
            len(dropped),
            ", ".join(dropped[:10]) + (" …" if len(dropped) > 10 else ""),
            size / 2**20,
        )
        return dropped
