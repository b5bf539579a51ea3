"""A staleness note that keeps its parts: its own module, light enough for the build workers.

Notes travel with the data into the workers (pickled), and the workers never import
:mod:`data.market` (asyncio, SQLite, the snapshot reader: ~4.7 MiB of a worker's pages).
"""

from __future__ import annotations

import datetime as dt


class Stale(str):
    """A staleness note (the text, as before) that also carries its parts, so an answer built from
    several series can say it once, naming each series and how far behind it is."""

    ticker: str
    newest: dt.date | None
    behind: int | None
    reason: str

    def __new__(
        cls, text: str, ticker: str, newest: dt.date | None, behind: int | None, reason: str
    ) -> Stale:
        note = super().__new__(cls, text)
        note.ticker, note.newest, note.behind, note.reason = ticker, newest, behind, reason
        return note

    def __reduce__(self):  # answers are built in a process pool: keep the parts across pickling
        return (Stale, (str(self), self.ticker, self.newest, self.behind, self.reason))
