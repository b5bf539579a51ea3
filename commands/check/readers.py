"""The thread grammar's readers, seen through one door.

/check reads the same periods, dates, index names and tickers a thread question does (issue 23's
grammar in :mod:`commands.chat`), so a claim and a question about the same words agree. Everything
this package needs from that grammar passes through here, so a change of the grammar's layout
changes only these imports.
"""

from __future__ import annotations

import datetime as dt

from ..chat.question import Question
from ..chat.slots import Day, Slots, When

__all__ = ["Day", "Slots", "When", "slots"]


def slots(text: str, known_tickers: list[str], latest: dt.date) -> Slots:
    """Periods (``When``), dates (``Day``), tickers and sides named in ``text``, read as a thread
    question's are; relative words ("this year") count from ``latest``."""
    return Question(text, known_tickers, latest).slots()

