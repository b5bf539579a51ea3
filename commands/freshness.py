"""One data-freshness note per answer, however many series it reads.

Each series that could not be brought up to date carries its own note (:class:`data.stale.Stale`);
an answer over nine sector funds used to repeat nearly the same sentence nine times, and one over
weekly closes none. This merges them: one sentence naming every series that is behind and by how
many sessions, with the reason(s) once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from data.stale import Stale
from data.universe import FUND_OFFER, LARGE_DEFAULT, SMALL_DEFAULT

if TYPE_CHECKING:  # the build workers import this module, never data.market
    from data.market import PriceHistory


class FreshnessNote(str):
    """The merged note, marked so an answer that reads more series can replace it, not add a second."""


def _behind(note: Stale) -> str:
    if note.newest is None:
        return f"{note.ticker} (no data)"
    sessions = f"{note.behind} session{'s' if note.behind != 1 else ''}"
    return f"{note.ticker} to {note.newest}, {sessions} behind"


def freshness_note(histories: Iterable[PriceHistory]) -> list[str]:
    """``[]`` when every series is current, else exactly one note."""
    stale = list(dict.fromkeys(h.stale for h in histories if h.stale))
    if not stale:
        return []
    structured = [s for s in stale if isinstance(s, Stale)]
    if len(structured) != len(stale):  # a plain note from elsewhere: each once, in one note
        return [FreshnessNote(" ".join(stale))]
    if len(structured) == 1:
        return [FreshnessNote(structured[0])]
    reasons = "; ".join(dict.fromkeys(s.reason for s in structured))
    series = "; ".join(_behind(s) for s in structured)
    text = f"Live data unavailable ({reasons}): answering from the cache, whose newest sessions are {series}."
    if any(s.ticker in (SMALL_DEFAULT, LARGE_DEFAULT) for s in structured):
        text += FUND_OFFER
    return [FreshnessNote(text)]


def with_freshness(notes: Iterable[str], histories: Iterable[PriceHistory]) -> list[str]:
    """``notes`` without any earlier freshness note, plus one for all of ``histories``."""
    return [n for n in notes if not isinstance(n, FreshnessNote)] + freshness_note(histories)
