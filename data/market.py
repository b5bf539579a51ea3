"""MarketData: the read-through cache over the live source, seeded with the bundled snapshot.

One question, ``await market.history("IWM")``, answered in this order:
1. bars already in the cache (and the in-process memo in front of it);
2. the bundled snapshot, stored into the cache the first time a ticker is asked for;
3. the live source, asked only for the missing tail (from the newest stored session, which also
   gives the overlap needed to splice adjusted series) or to refresh provisional sessions.

A live failure never loses stored data: the answer comes from the cache and says how stale it is.
Concurrent requests for one ticker share one fetch (a per-ticker lock; the second finds it fresh).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import DataUnavailable, UnknownTicker
from .frames import adjusted_from_actions, splice
from .provenance import DEFAULT_TOLERANCE, ProviderLedger
from .sources.chain import label
from .sources.health import ProviderStatus
from .sources.snapshot import SnapshotSource
from .stale import Stale
from .universe import FUND_OFFER, LARGE_DEFAULT, SMALL_DEFAULT, is_index, is_rate, return_basis
from .versions import BarStats, current_version, version

if TYPE_CHECKING:  # the workers unpickle PriceHistory-free data but import this module: keep it light
    from .budget import CacheBudget, TickerMemory
    from .cache import PriceCache
    from .calendar import TradingCalendar
    from .sources import PriceSource

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
REFRESH_POLL = 0.25  # seconds between looks at a refresh another process holds
REFRESH_WAIT = 30.0  # then answer from the cache rather than wait longer
# The stored columns a history is made of (closes and the actions that adjust them): open, high, low
# and volume are kept in the cache but never read back into memory.
STORED_COLUMNS = ("close", "adj_close", "dividends", "splits")


async def _finish(write: Coroutine[Any, Any, Any]) -> Any:
    """Writes run to completion even if the request that started them is cancelled (an interaction
    that timed out, a shutdown): a write abandoned half-way can leave SQLite locked."""
    return await asyncio.shield(asyncio.ensure_future(write))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PriceHistory:
    """One ticker's daily series on its return basis, ready for analysis."""

    ticker: str
    prices: pd.Series  # closes for an index (price return), adjusted closes for a fund (total return)
    basis: str  # "price" | "total"
    source: str  # where the newest rows came from, in words
    stale: str | None = None  # set when live data should exist but could not be had
    version: str = ""  # changes whenever the stored rows behind ``prices`` do (see data.versions)
    provider: str = "snapshot"  # who gave the newest close: snapshot, yahoo, tiingo, fred

    @property
    def last_session(self) -> dt.date:
        return self.prices.index[-1].date()

    @property
    def first_session(self) -> dt.date:
        return self.prices.index[0].date()


@dataclass(frozen=True)
class ProviderReport:
    key: str
    label: str
    status: ProviderStatus | None  # None: not asked yet


@dataclass
class FreshnessPolicy:
    final_delay: dt.timedelta = dt.timedelta(minutes=30)  # a close is final this long after the bell
    refresh_every: dt.timedelta = dt.timedelta(minutes=15)  # how often provisional rows are refetched
    retry_after: dt.timedelta = dt.timedelta(minutes=5)  # back-off after a failed live attempt


class MarketData:
    def __init__(
        self,
        cache: PriceCache,
        snapshot: SnapshotSource | None = None,
        live: PriceSource | None = None,
        calendar: TradingCalendar | None = None,
        clock: Clock = utcnow,
        policy: FreshnessPolicy | None = None,
        tolerance: float = DEFAULT_TOLERANCE,
        memory: TickerMemory | None = None,
        budget: CacheBudget | None = None,
    ) -> None:
        self.cache = cache
        self.ledger = ProviderLedger(cache.engine, tolerance)  # who gave each live close
        self.snapshot = snapshot or SnapshotSource()
        self.live = live
        self._calendar = calendar
        self.clock = clock
        self.policy = policy or FreshnessPolicy()
        self._locks: dict[str, asyncio.Lock] = {}
        self._memo: dict[str, PriceHistory] = {}
        self._stored: dict[tuple[str, str], pd.DataFrame] = {}
        self._failures: dict[str, tuple[dt.datetime, str]] = {}  # ticker -> (when, why) of last failure
        self._last_success: dict[str, dt.datetime] = {}
        # Live mode's bounds (data.budget): what leaves memory, what leaves the cache; and ``admit``,
        # awaited before a ticker the cache has never held is fetched (a server's daily allowance).
        self.memory = memory
        self.budget = budget
        self.admit: Callable[[str], Awaitable[None]] | None = None
        self.after_forget: Callable[[], object] | None = None  # e.g. hand freed heap back to the system
        self._stored_since_check = False

    @property
    def calendar(self) -> TradingCalendar:
        """Built on first use: the snapshot-only mode never needs it."""
        if self._calendar is None:
            from .calendar import TradingCalendar  # exchange_calendars costs ~0.3 s to import

            self._calendar = TradingCalendar()
        return self._calendar

    @property
    def mode(self) -> str:
        return "live" if self.live is not None else "snapshot"

    def known_offline(self) -> list[str]:
        return self.snapshot.tickers()

    async def history(self, ticker: str) -> PriceHistory:
        result = await self._history(ticker)
        if self.live is not None and (self.memory is not None or self.budget is not None):
            await self._account(ticker)
        return result

    async def _history(self, ticker: str) -> PriceHistory:
        lock = self._locks.setdefault(ticker, asyncio.Lock())
        async with lock:
            memo = self._memo.get(ticker)
            if memo is not None and not self._wants_refresh(ticker, memo):
                return memo
            stale = await self._refresh(ticker) if self.live is not None else None
            result = await self._build(ticker, stale)
            self._memo[ticker] = result
            return result

    async def providers(self) -> list[ProviderReport]:
        """Each configured live provider in order, with its health (for /about and `bot sources`)."""
        chain = self.live
        entries = getattr(chain, "entries", None)
        if entries is None:
            return []
        known = {s.provider: s for s in await chain.health.statuses()}
        return [ProviderReport(e.key, label(e.key), known.get(e.key)) for e in entries]

    # -- live mode's bounds (data.budget) --------------------------------------------------------

    def _busy(self, ticker: str) -> bool:
        lock = self._locks.get(ticker)
        return lock is not None and lock.locked()

    async def sweep(self) -> None:
        """What :meth:`history` does after each request, without one: called every minute or so, so
        idle tickers leave memory (and pending uses reach the cache) when nobody asks anything."""
        if self.live is not None and (self.memory is not None or self.budget is not None):
            await self._account(None)

    async def _account(self, ticker: str | None) -> None:
        """Note the use; forget what the memory bound says; keep the cache within its budget."""
        forgotten: list[str] = []
        if self.memory is not None:
            if ticker is not None:
                self.memory.touch(ticker)
            forgotten = self.memory.to_forget(self._busy)
        if self.budget is not None:
            if ticker is not None:
                self.budget.use(ticker, self.clock())
            if self._stored_since_check:
                busy = frozenset(t for t in self._locks if self._busy(t))
                dropped = await _finish(self.budget.enforce(self.cache, busy=busy))
                self._stored_since_check = not self.budget.checked_now
                forgotten += [t for t in dropped if t not in forgotten]
            elif self.budget.flush_due():
                await _finish(self.budget.flush(self.cache))
        for name in forgotten:
            self.forget(name)
        if forgotten and self.after_forget is not None:
            self.after_forget()

    def forget(self, ticker: str) -> None:
        """Drop everything this process holds in memory for ``ticker`` (unless a request is reading
        it); the next request reads it from the cache again."""
        if self._busy(ticker):
            return
        self._memo.pop(ticker, None)
        for source in ("snapshot", "live"):
            self._stored.pop((ticker, source), None)
        self._locks.pop(ticker, None)
        self._failures.pop(ticker, None)
        self._last_success.pop(ticker, None)

    @property
    def in_memory(self) -> set[str]:
        """The tickers this process holds anything for (for tests and the benchmark)."""
        return set(self._memo) | {t for t, _ in self._stored} | set(self._locks)

    async def version(self, ticker: str) -> str | None:
        """The version :meth:`history` would return now, or None if that call would first fetch (or
        seed) anything. Cheap: the memo's when it is fresh, else one indexed query over the cache."""
        memo = self._memo.get(ticker)
        if memo is not None:
            return None if self._wants_refresh(ticker, memo) else memo.version
        if self.live is not None and ticker in self._failures:
            return None  # the history would retry the source, or carry a note the stored rows cannot show
        stats = await self.cache.stats(ticker)
        now = self.clock()
        return current_version(
            ticker,
            self.mode,
            stats,
            now,
            self.policy.refresh_every,
            lambda: self.calendar.last_closed_session(now),
        )

    # -- internals ---------------------------------------------------------------------------

    async def _bars(self, ticker: str, source: str) -> pd.DataFrame:
        key = (ticker, source)
        if key not in self._stored:
            self._stored[key] = await self.cache.load(ticker, source, STORED_COLUMNS)
        return self._stored[key]

    async def _seed_snapshot(self, ticker: str) -> pd.DataFrame:
        stored = await self._bars(ticker, "snapshot")
        if stored.empty and self.snapshot.has(ticker):
            frame = self.snapshot.read(ticker)
            await _finish(
                self.cache.store(ticker, "snapshot", frame, pd.Series(True, index=frame.index), self.clock())
            )
            self._stored.pop((ticker, "snapshot"))
            stored = await self._bars(ticker, "snapshot")
        return stored

    def _wants_refresh(self, ticker: str, memo: PriceHistory) -> bool:
        """Cheap check on the warm path: is there a newer closed session, or a provisional row due?"""
        if self.live is None:
            return False
        now = self.clock()
        if self._asked_recently(ticker, now):
            return False
        if memo.last_session < self.calendar.last_closed_session(now):
            return not self._backing_off(ticker, now)
        live = self._stored.get((ticker, "live"))
        return live is not None and self._provisional_due(live, now)

    def _provisional_due(self, live: pd.DataFrame, now: dt.datetime) -> bool:
        """Provisional rows (fetched before their close was final) are refetched once they are
        ``refresh_every`` old."""
        if live.empty or bool(live["final"].all()):
            return False
        oldest = pd.to_datetime(live.loc[~live["final"], "fetched_at"]).min()
        return now - oldest.to_pydatetime() >= self.policy.refresh_every

    def _asked_recently(self, ticker: str, now: dt.datetime) -> bool:
        """A source that had nothing newer a moment ago (Yahoo lagging a close) is not asked again at
        every request: at most once per ``refresh_every``."""
        asked = self._last_success.get(ticker)
        return asked is not None and now - asked < self.policy.refresh_every

    def _backing_off(self, ticker: str, now: dt.datetime) -> bool:
        failure = self._failures.get(ticker)
        return failure is not None and now - failure[0] < self.policy.retry_after

    async def _refresh(self, ticker: str) -> str | None:
        """Fetch the missing tail, one process of a deployment at a time per ticker (an advisory lock
        on the shared cache): a process that finds another one fetching waits for it, then reads what
        it stored instead of asking the source again."""
        from .locks import one_process  # SQLAlchemy: not imported where only the data's shape is needed

        waited = 0.0
        while True:
            async with one_process(self.cache.engine, f"refresh:{ticker}") as mine:
                if mine:
                    if waited:  # another process refreshed meanwhile: read what it stored
                        self._stored.pop((ticker, "live"), None)
                    return await self._refresh_here(ticker)
            if waited >= REFRESH_WAIT:
                log.warning("%s: another process has refreshed for %.0f s; using the cache", ticker, waited)
                self._stored.pop((ticker, "live"), None)
                return None
            await asyncio.sleep(REFRESH_POLL)
            waited += REFRESH_POLL

    async def _refresh_here(self, ticker: str) -> str | None:
        """Fetch the missing tail from the live source; return a staleness note if it failed."""
        assert self.live is not None
        snap = await self._seed_snapshot(ticker)
        live = await self._bars(ticker, "live")
        now = self.clock()
        newest = max((f.index.max() for f in (snap, live) if not f.empty), default=None)
        target = pd.Timestamp(self.calendar.last_closed_session(now))
        provisional = live.index[~live["final"]] if not live.empty else live.index[:0]
        due = newest is None or newest < target or self._provisional_due(live, now)
        if not due or self._asked_recently(ticker, now):
            return None
        if self._backing_off(ticker, now):
            return self._stale_note(ticker, newest, target, self._failures[ticker][1])
        if newest is None and self.admit is not None:
            await self.admit(ticker)  # never stored: a server's allowance of new tickers may refuse it
        start = provisional.min() if len(provisional) else newest
        try:
            fetched = await self.live.fetch(ticker, start.date() if start is not None else None)
        except UnknownTicker:
            if newest is None:
                raise
            fetched = None
            reason = "the live source no longer knows this ticker"
        except DataUnavailable as exc:
            if newest is None:
                raise
            fetched = None
            reason = exc.reason
        except Exception as exc:  # a source bug must not take the cache down with it
            log.exception("live source raised for %s", ticker)
            if newest is None:
                raise DataUnavailable(ticker, f"unexpected {type(exc).__name__} from the source") from exc
            fetched = None
            reason = f"unexpected {type(exc).__name__} from the source"
        if fetched is None:
            self._failures[ticker] = (now, reason)
            await _finish(self.cache.log_attempt(ticker, now, reason))
            return self._stale_note(ticker, newest, target, reason)
        self._failures.pop(ticker, None)
        self._last_success[ticker] = now
        provider = fetched.attrs.get("provider") or getattr(self.live, "name", "live")
        fetched = fetched[fetched["close"].notna() & (fetched["close"] > 0)]  # a NaN close is no close
        await self._apply_new_splits(ticker, live, fetched)
        final = pd.Series(
            [self.calendar.is_final(d.date(), now, self.policy.final_delay) for d in fetched.index],
            index=fetched.index,
            dtype=bool,
        )
        await _finish(self.cache.store(ticker, "live", fetched, final, now))
        await _finish(self.ledger.record(ticker, provider, fetched["close"], now))
        self._stored_since_check = True
        await _finish(self.cache.log_attempt(ticker, now, None))
        self._stored.pop((ticker, "live"), None)
        if fetched.empty and newest is None:
            raise UnknownTicker(ticker, self.known_offline())
        return None

    async def _apply_new_splits(self, ticker: str, stored: pd.DataFrame, fetched: pd.DataFrame) -> None:
        """A split not seen before rescales every stored live row before it (Yahoo's closes are
        split-adjusted, so the new fetch is already on the new basis and the old rows are not)."""
        splits = fetched["splits"]
        new = splits[(splits > 0) & (splits != 1)]
        if stored.empty or new.empty:
            return
        known = stored["splits"].reindex(new.index)
        for session, ratio in new[known != new].items():
            if (stored.index < session).any():
                log.info(
                    "new split for %s on %s (%.4g): rescaling stored history", ticker, session.date(), ratio
                )
                await _finish(self.cache.rescale_before(ticker, "live", session.date(), float(ratio)))
                # (idempotent: the cache records each split it applied, so a second process, or a
                # retry after a crash, never divides the history twice)

    def _stale_note(self, ticker: str, newest: pd.Timestamp | None, target: pd.Timestamp, reason: str) -> str:
        if newest is None:
            return Stale(f"live data for {ticker} unavailable ({reason})", ticker, None, None, reason)
        behind = self.calendar.sessions_after(newest.date(), target.date())
        # an index has one provider; its fund pair may have another: offered, never swapped in silently
        offer = FUND_OFFER if ticker in (SMALL_DEFAULT, LARGE_DEFAULT) else ""
        return Stale(
            f"Live data unavailable ({reason}): answering from the cache, whose newest {ticker} session is "
            f"{newest.date().isoformat()}, {behind} session{'s' if behind != 1 else ''} behind.{offer}",
            ticker,
            newest.date(),
            behind,
            reason,
        )

    async def _build(self, ticker: str, stale: str | None) -> PriceHistory:
        snap = await self._seed_snapshot(ticker)
        live = await self._bars(ticker, "live") if self.live is not None else None
        if snap.empty and (live is None or live.empty):
            raise UnknownTicker(ticker, self.known_offline(), live_off=self.live is None)
        if is_index(ticker) or is_rate(ticker):  # levels: closes as they are, never rescaled
            parts = [f["close"] for f in (live, snap) if f is not None and not f.empty]
            prices = parts[0] if len(parts) == 1 else parts[0].combine_first(parts[1])
        else:
            live_adj = (
                adjusted_from_actions(live["close"], live["dividends"])
                if live is not None and not live.empty
                else pd.Series(dtype="float64")
            )
            prices = splice(snap["adj_close"], live_adj) if not snap.empty else live_adj
        prices = prices.dropna().rename(ticker)
        provider = "snapshot"
        if live is not None and not live.empty and (snap.empty or live.index.max() > snap.index.max()):
            provider = await self.ledger.newest(ticker) or "yahoo"
            named = f"{label(provider)} (live)"
            source = named if snap.empty else f"bundled snapshot + {named}"
        else:
            source = "bundled snapshot"
        stamp = version(
            ticker, self.mode, stats_of(snap), stats_of(live) if live is not None else None, stale
        )
        return PriceHistory(ticker, prices, return_basis(ticker), source, stale, stamp, provider)


def stats_of(bars: pd.DataFrame) -> BarStats | None:
    """:class:`BarStats` of stored bars as :meth:`PriceCache.load` returns them: the same figures
    :data:`data.versions.STATS_SQL` computes in the database, so both give one version."""
    if bars.empty:
        return None
    splits = bars["splits"].fillna(0)
    provisional = ~bars["final"].astype(bool)
    last = bars.iloc[-1]
    return BarStats(
        rows=len(bars),
        last_session=bars.index[-1].date().isoformat(),
        last_fetched=str(bars["fetched_at"].max()),
        splits=int(((splits != 0) & (splits != 1)).sum()),
        provisional=int(provisional.sum()),
        oldest_provisional=str(bars.loc[provisional, "fetched_at"].min()) if provisional.any() else None,
        last_close=float(last["close"]),
        last_adj_close=float(last["adj_close"]),
    )
