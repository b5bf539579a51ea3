"""Plain questions in a thread ("@rotation-bot what was the gap last year?") -> one slash command.

The grammar is a small package split by concern; :mod:`.intents` describes how a question is read:

- :mod:`.slots`      what was read (periods, dates, tickers, sides) and the :class:`Reading`
- :mod:`.periods`    periods and dates as people write them
- :mod:`.names`      tickers, index names and sides
- :mod:`.question`   the text being read and which parts are understood
- :mod:`.builders`   each command's options from a question
- :mod:`.intents`    the table of commands and the words that ask for them, and :func:`read`
- :mod:`.refusals`   what is declined, each with its reason (advice, forecasts, other data)
- :mod:`.conversation`  follow-ups: what a message inherits from the member's last question
- :mod:`.landmarks`  named stretches found in the data ("the 2022 low")
- :mod:`.several`    several questions in one message
- :mod:`.vocabulary` analysts' spellings
- :mod:`.fillers`    which unknown words may be read past
- :mod:`.shown`      the "Read as" line, escaped like every echo
"""

from __future__ import annotations

from .builders import Intent, _one_period
from .conversation import REMEMBERED
from .intents import INTENTS, read, to_line
from .landmarks import Landmarks
from .question import FILLER, Question
from .several import Readings, read_many
from .shown import read_as
from .slots import NotUnderstood, Reading, Refusal, escape

__all__ = [
    "FILLER",
    "INTENTS",
    "REMEMBERED",
    "Intent",
    "Landmarks",
    "NotUnderstood",
    "Question",
    "Reading",
    "Readings",
    "Refusal",
    "_one_period",
    "escape",
    "read",
    "read_as",
    "read_many",
    "to_line",
]
