"""The text being read and which of its characters have been understood so far."""

from __future__ import annotations

import datetime as dt
import re

from .landmarks import Landmarks, read_landmarks
from .names import read_names, read_tickers
from .periods import read_periods
from .slots import Scan, Slots

# -- the question being read ----------------------------------------------------------------------

_WORD = re.compile(r"[\w$^&'./-]+")

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that do not change which figures answer the question. Anything else left over is refused.
FILLER = _words(
    """
    a an the and or of in on at for to from by with between vs versus v than as into is are was were
    be been being am do does did done doing has have had having will would could can may might
    should shall what what's whats how how's which who who's when where why whether show me tell
    give get us i i'm we you your my our it its it's this that that's these those there here please
    pls plz thanks thank hey hi hello yo bot rotation-bot rotationbot so far now right currently
    current latest recent recently big much many chart graph number numbers figure figures data look
    looking looks like stand standing going go see know want need let let's lets just about some any
    overall total cap caps stock stocks equities equity index indices indexes etf etfs fund funds
    market markets side sides against compared relative rotation leadership question quick s 's
    again also please kindly currently then ok okay well over during up down still really companies
    company names firms guys ratio finally actually already yet even truly happen happened happening
    btw tho though anyway anyways hmm lmk fyi imo how're morning evening q
    """
)


class Question(Scan):
    """The text being read, and which of its characters have been understood so far."""

    def __init__(
        self, text: str, known_tickers: list[str], latest: dt.date, landmarks: Landmarks | None = None
    ) -> None:
        super().__init__(text, known_tickers, latest)
        self.landmarks = landmarks  # where the data's named stretches are ("the 2022 low")
        self.after_slots: list[str] = []  # understood words marked only after the slots are read
        self._slots: Slots | None = None

    def slots(self) -> Slots:
        """Periods, dates and tickers, read once, after the command's own words."""
        if self._slots is None:
            self._slots = read_slots(self)
        return self._slots

    def leftover(self) -> list[str]:
        """Runs of words neither understood nor filler, as the user wrote them."""
        runs: list[list[int]] = []
        for m in _WORD.finditer(self.text):
            unread = [i for i in range(m.start(), m.end()) if not self._used[i]]
            if not unread:
                continue
            word = "".join(self.text[i] for i in unread).strip(".'/-$^&").lower()
            if not word or word in FILLER or not any(c.isalnum() for c in word):
                continue
            start, end = unread[0], unread[-1] + 1
            if runs and self._joins(runs[-1][1], start):
                runs[-1][1] = end
            else:
                runs.append([start, end])
        return [self.text[a:b] for a, b in runs]

    def _joins(self, end: int, start: int) -> bool:
        """Two unread words are one run when only spaces and filler words lie between them."""
        between = self.text[end:start]
        return not any(self._used[end:start]) and all(w.lower() in FILLER for w in between.split())



def read_slots(q: Question) -> Slots:
    """Names first ("Russell 2000" is not the year 2000), then periods, then tickers and sides."""
    slots = Slots()
    read_names(q, slots)  # first: "Russell 2000" is not the year 2000
    read_landmarks(q, slots, q.landmarks)  # "the 2022 low" is not the year 2022
    read_periods(q, slots)
    read_tickers(q, slots)
    return slots


