"""A P/E observation as stored: both figures with their bases, date, source and origin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Observation:
    small_pe: float
    large_pe: float
    basis: str  # the small side's: forward | trailing | unstated
    large_basis: str  # the large side's
    excludes_losses: bool | None  # None: not stated
    source: str
    as_of: dt.date
    origin: str  # quoted | recorded | live
    id: int | None = None
    recorded_by: int | None = None

    @property
    def discount(self) -> float | None:
        if self.basis != self.large_basis or self.basis == "unstated":
            return None
        return 1 - self.small_pe / self.large_pe

    def why_no_discount(self) -> str:
        if self.basis != self.large_basis:
            return f"bases differ ({self.basis} vs {self.large_basis}): no discount computed"
        return "basis not stated: no discount computed"
