"""Each provider's health: last success, last failure and its back-off.

The back-off is the provider's, not a ticker's: a rate limit or an outage hits every series at once,
so after a failure the provider is skipped (the next one asked) until its back-off ends, doubling
with each consecutive failure from :data:`BASE_BACKOFF` up to :data:`MAX_BACKOFF` (or longer if the
provider said ``Retry-After``). :class:`MemoryHealth` serves one process and the tests; the state
database's :class:`data.state.providers.ProviderHealthStore` shares it between processes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

BASE_BACKOFF = 60.0  # seconds after a first failure
MAX_BACKOFF = 1800.0


def backoff_seconds(failures: int, retry_after: float | None) -> float:
    """Seconds to skip a provider after its ``failures``-th consecutive failure."""
    doubled = min(BASE_BACKOFF * 2 ** max(failures - 1, 0), MAX_BACKOFF)
    return max(doubled, retry_after or 0.0)


@dataclass(frozen=True)
class ProviderStatus:
    provider: str
    last_success: dt.datetime | None
    last_failure: dt.datetime | None
    last_error: str | None
    failures: int  # consecutive, since the last success
    backoff_until: dt.datetime | None


class HealthStore(Protocol):
    async def blocked(self, provider: str) -> str | None:
        """The last error while the provider is backing off, else None."""

    async def succeeded(self, provider: str) -> None: ...

    async def failed(self, provider: str, reason: str, retry_after: float | None) -> None: ...

    async def statuses(self) -> list[ProviderStatus]: ...


class MemoryHealth:
    def __init__(self, clock=lambda: dt.datetime.now(dt.UTC)) -> None:
        self.clock = clock
        self._status: dict[str, ProviderStatus] = {}

    def _get(self, provider: str) -> ProviderStatus:
        return self._status.get(provider) or ProviderStatus(provider, None, None, None, 0, None)

    async def blocked(self, provider: str) -> str | None:
        status = self._get(provider)
        if status.backoff_until is not None and self.clock() < status.backoff_until:
            return status.last_error
        return None

    async def succeeded(self, provider: str) -> None:
        status = self._get(provider)
        self._status[provider] = ProviderStatus(
            provider, self.clock(), status.last_failure, status.last_error, 0, None
        )

    async def failed(self, provider: str, reason: str, retry_after: float | None) -> None:
        status, now = self._get(provider), self.clock()
        failures = status.failures + 1
        until = now + dt.timedelta(seconds=backoff_seconds(failures, retry_after))
        self._status[provider] = ProviderStatus(provider, status.last_success, now, reason, failures, until)

    async def statuses(self) -> list[ProviderStatus]:
        return list(self._status.values())
