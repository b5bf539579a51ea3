"""Named stretches found in the data, not in a list of news: "the 2022 low", "the covid crash",
"since the peak". Each is the trough or peak of one series (the small-cap index, named in the answer)
within the year named or over the whole history; the reading names the date it chose.

Events that need outside knowledge ("the election", "the fed cut") are not here: they are refused
with a request for a date (:mod:`.refusals`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..reply import UserError
from .slots import Scan, Slots, When, escape


@dataclass(frozen=True)
class Landmarks:
    """Where one series was lowest and highest, each year and over its whole history."""

    name: str  # "the Russell 2000 (^RUT)"
    lows: dict[int, dt.date]
    highs: dict[int, dt.date]
    peaks_before_low: dict[int, dt.date]  # each year's highest close before that year's low
    all_time_high: dt.date

    @classmethod
    def from_closes(cls, name: str, closes: Iterable[tuple[dt.date, float]]) -> Landmarks:
        years: dict[int, list[tuple[dt.date, float]]] = {}
        for day, close in closes:
            years.setdefault(day.year, []).append((day, close))
        if not years:
            raise ValueError("no closes")
        lows, highs, peaks = {}, {}, {}
        for year, rows in years.items():
            low = min(rows, key=lambda r: r[1])
            lows[year], highs[year] = low[0], max(rows, key=lambda r: r[1])[0]
            peaks[year] = max((r for r in rows if r[0] <= low[0]), key=lambda r: r[1])[0]
        top = max((r for rows in years.values() for r in rows), key=lambda r: r[1])
        return cls(name, lows, highs, peaks, top[0])

    def extreme(self, kind: str, year: int | None, said: str) -> dt.date:
        table = self.lows if kind == "low" else self.highs
        if year is None:
            if kind == "high":
                return self.all_time_high
            raise NamedStretchError(f"“{escape(said)}”: which low? Name its year, e.g. “since the 2022 low”.")
        if year not in table:
            raise NamedStretchError(f"“{escape(said)}”: the data has no {year}.")
        return table[year]


class NamedStretchError(UserError):
    """A named stretch the data cannot place: a low without a year, a year outside the data."""


_LOW = r"(?:low|lows|bottom|trough)"
_HIGH = r"(?:high|highs|peak|top)"
_SINCE = (
    rf"\b(?:since|from|after|off)\s+(?:the\s+)?(?:(?P<y>(?:19|20)\d{{2}})(?:'s)?\s+)?"
    rf"(?:(?P<low>{_LOW})|(?P<high>{_HIGH})|(?P<covid>covid\s+(?:crash|low|lows|bottom)))\b"
)
_COVID = r"\b(?:(?:during|in|over|through)\s+)?(?:the\s+)?covid(?:\s+(?:crash|selloff|sell-off|drop))?\b"
_SINCE_COVID = r"\b(?:since|from|after)\s+(?:the\s+(?:start\s+of\s+)?)?(?:covid|the\s+pandemic|pandemic)\b"


def read_landmarks(q: Scan, slots: Slots, landmarks: Landmarks | None) -> None:
    """"since the 2022 low" = from that low's close on; "during covid" = the 2020 high before the 2020
    low to that low. Each adds a note naming the series and the date chosen."""
    for m in q.take(_SINCE):
        marks = _needed(landmarks, m[0])
        if m["covid"]:
            day, what = marks.extreme("low", 2020, m[0]), "the 2020 low"
        else:
            kind = "low" if m["low"] else "high"
            year = int(m["y"]) if m["y"] else None
            day = marks.extreme(kind, year, m[0])
            what = f"the {year} {kind}" if year else "the all-time high"
        slots.periods.append(When(f"{day + dt.timedelta(days=1)}..", m[0]))
        slots.notes.append(f"“{what}” of {marks.name}: the close of {day}, measured from there.")
    for m in q.take(_SINCE_COVID):  # since the pre-covid peak: the crash and everything after
        marks = _needed(landmarks, m[0])
        peak = marks.peaks_before_low[2020]
        slots.periods.append(When(f"{peak + dt.timedelta(days=1)}..", m[0]))
        slots.notes.append(f"Since covid read as since {marks.name}'s high before the crash, {peak}.")
    for m in q.take(_COVID):
        marks = _needed(landmarks, m[0])
        low = marks.extreme("low", 2020, m[0])
        peak = marks.peaks_before_low[2020]
        slots.periods.append(When(f"{peak + dt.timedelta(days=1)}..{low}", m[0]))
        slots.notes.append(f"Covid read as {marks.name}'s fall from {peak} to its 2020 low, {low}.")


def _needed(landmarks: Landmarks | None, said: str) -> Landmarks:
    if landmarks is None:
        raise NamedStretchError(f"“{escape(said)}” needs the data to place it, and it is not at hand.")
    return landmarks


LANDMARK_WORDS = re.compile(rf"{_SINCE}|{_SINCE_COVID}|{_COVID}", re.IGNORECASE)
