"""Several live providers behind the one :class:`PriceSource` interface, tried in order per series.

The operator sets the order (``PROVIDER_ORDER``, Yahoo first by default); each series is asked of the
providers that carry it (Tiingo: funds; FRED: official rates; Yahoo: everything but FRED's rates), in
that order. A provider that fails (rate limit, outage, a web page instead of data, a truncated body) is
backed off for every process sharing the state database, and the next one is asked for the same
missing tail. An index only Yahoo carries (``^RUT``) is never replaced by a fund here: with Yahoo
down it simply has no newer rows, and the staleness note says so. The frame returned names its
provider in ``frame.attrs["provider"]``, which the cache records per session.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from ..errors import DataUnavailable, UnknownTicker
from ..universe import is_rate
from .health import HealthStore, MemoryHealth
from .http import ProviderFailure

log = logging.getLogger(__name__)

LABELS = {"yahoo": "Yahoo Finance", "live": "Yahoo Finance", "tiingo": "Tiingo", "fred": "FRED"}
DEFAULT_ORDER = ("yahoo", "tiingo", "fred")


def label(provider: str | None) -> str:
    return LABELS.get(provider or "yahoo", provider or "Yahoo Finance")


class Provider(Protocol):
    async def fetch(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame: ...


@dataclass(frozen=True)
class Entry:
    key: str  # "yahoo", "tiingo", "fred"
    source: Provider

    def carries(self, ticker: str) -> bool:
        carries = getattr(self.source, "carries", None)
        if carries is not None:
            return bool(carries(ticker))
        return not is_rate(ticker)  # yfinance: everything Yahoo lists, not FRED's series


class ProviderChain:
    """A :class:`PriceSource` (named ``live``) made of providers tried in order."""

    name = "live"

    def __init__(self, entries: Sequence[Entry], health: HealthStore | None = None) -> None:
        self.entries = list(entries)
        self.health = health or MemoryHealth()

    @property
    def keys(self) -> list[str]:
        return [e.key for e in self.entries]

    def providers_for(self, ticker: str) -> list[Entry]:
        return [e for e in self.entries if e.carries(ticker)]

    async def fetch(
        self, ticker: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        reasons: list[str] = []
        unknown: list[str] = []
        for entry in self.providers_for(ticker):
            blocked = await self.health.blocked(entry.key)
            if blocked is not None:
                reasons.append(blocked)  # the failure it is backing off from, said once
                continue
            try:
                frame = await entry.source.fetch(ticker, start, end)
            except UnknownTicker:
                unknown.append(entry.key)
                continue
            except ProviderFailure as exc:
                if exc.unknown:
                    unknown.append(entry.key)
                    continue
                await self._failed(entry, ticker, exc.reason, exc.retry_after)
                reasons.append(exc.reason)
                continue
            except DataUnavailable as exc:
                await self._failed(entry, ticker, exc.reason, None)
                reasons.append(f"{label(entry.key)}: {exc.reason}" if entry.key != "yahoo" else exc.reason)
                continue
            except Exception as exc:  # a provider's bug must not stop the next one being asked
                log.exception("provider %s raised for %s", entry.key, ticker)
                reason = f"unexpected {type(exc).__name__} from {label(entry.key)}"
                await self._failed(entry, ticker, reason, None)
                reasons.append(reason)
                continue
            await self.health.succeeded(entry.key)
            if reasons:
                log.info("%s: %s answered after %s", ticker, label(entry.key), "; ".join(reasons))
            frame.attrs["provider"] = entry.key
            return frame
        if unknown and not reasons:
            raise UnknownTicker(ticker)
        if not reasons:
            raise (
                UnknownTicker(ticker)
                if not self.providers_for(ticker)
                else DataUnavailable(ticker, "no provider answered")
            )
        raise DataUnavailable(ticker, "; ".join(dict.fromkeys(reasons)))

    async def _failed(self, entry: Entry, ticker: str, reason: str, retry_after: float | None) -> None:
        log.warning("%s failed for %s: %s", label(entry.key), ticker, reason)
        await self.health.failed(entry.key, reason, retry_after)
