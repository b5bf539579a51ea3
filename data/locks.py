""""One process does this chore": the primitives shared work is coordinated with.

- :func:`one_process`: elect one holder for a chore among every process on the database (a
  PostgreSQL advisory lock; on SQLite, which one bot process uses, a lock local to the process).
  Those that do not get it skip the chore; nobody waits.
- :func:`serialised`: a transaction no other process runs at the same time for the same purpose
  (migrations use it); whatever is read inside is read under the lock.
- Ledger claims with leases on the database's clock, renewed while the work goes on:
  :meth:`data.state.StateStore.claim_many` and :class:`data.state.ledger.Holding`.
"""

from __future__ import annotations

from .dialect import exclusive as serialised
from .dialect import try_chore as one_process

__all__ = ["one_process", "serialised"]
