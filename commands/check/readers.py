"""The thread grammar's readers, seen through one door.

/check reads the same periods, dates, index names and tickers a thread question does (issue 23's
grammar in :mod:`commands.chat`), so a claim and a question about the same words agree. Everything
this package needs from that grammar passes through here: when the grammar moves (``commands/chat``
becoming a package), only these imports change.
"""

from __future__ import annotations

import datetime as dt
import re

from ..chat import Day, Question, Slots, When

__all__ = ["Day", "Slots", "When", "slots"]


def slots(text: str, known_tickers: list[str], latest: dt.date) -> Slots:
    """Periods (``When``), dates (``Day``), tickers and sides named in ``text``, read as a thread
    question's are; relative words ("this year") count from ``latest``."""
    return Question(_THE_RUSSELL.sub(lambda m: "-" * len(m[0]), text), known_tickers, latest).slots()


# The grammar reads "the Russell 2000" as "the Russell" and then the year 2000 (its "the russell"
# alternative matches first); joining "the" to the name keeps "Russell 2000" whole. Positions are
# unchanged (one character for one). Drop this when the grammar reads the full name first.
_THE_RUSSELL = re.compile(r"(?<=\bthe)\s+(?=russell\s*(?:2000|2k)\b)", re.IGNORECASE)
