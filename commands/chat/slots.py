"""What a question was read as: the slots found in it (periods, dates, tickers, sides) and the
resulting :class:`Reading`, plus the two ways of saying no (:class:`NotUnderstood`, :class:`Refusal`).
Every other part of the grammar imports this module; it imports none of them."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .. import escape as echo
from ..reply import UserError
from .vocabulary import normalise

_MENTION = re.compile(r"<@!?\d+>|<@&\d+>|<#\d+>|@everyone|@here")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"} | {"’": "'", "‘": "'", "“": '"', "”": '"'})


@functools.cache
def pattern(source: str | re.Pattern[str]) -> re.Pattern[str]:
    """``source`` compiled once, case-insensitive. The grammar has more patterns than the ``re``
    module's own cache holds (512), so without this every message would compile some again."""
    return source if isinstance(source, re.Pattern) else re.compile(source, re.IGNORECASE)


@functools.lru_cache(maxsize=8)
def _known(tickers: tuple[str, ...]) -> dict[str, str]:
    return {t.upper().lstrip("^"): t for t in tickers}


class Scan:
    """Text being read and which of its characters have been understood so far: the readers of
    periods and names work on it, and :class:`~commands.chat.question.Question` adds the rest."""

    def __init__(self, text: str, known_tickers: list[str], latest: dt.date) -> None:
        text = unicodedata.normalize("NFKC", text).translate(_DASHES)
        self.typed = _MENTION.sub(" ", text).strip()  # as written: a call's note is kept word for word
        self.text = normalise(self.typed)
        self.latest = latest
        self.known = _known(tuple(known_tickers))
        self._used = [False] * len(self.text)

    def take(self, source: str | re.Pattern[str]) -> list[re.Match[str]]:
        """Every match in the parts not yet understood; marks them understood."""
        found = []
        for m in pattern(source).finditer(self.text):
            if m.end() > m.start() and not any(self._used[m.start() : m.end()]):
                self.mark(m.start(), m.end())
                found.append(m)
        return found

    def cover(self, source: str) -> None:
        """Mark every match understood, even where part of it already was (a command's own words)."""
        for m in pattern(source).finditer(self.text):
            self.mark(m.start(), m.end())

    def take_one(self, pattern: str) -> re.Match[str] | None:
        found = self.take(pattern)
        return found[0] if found else None

    def is_read(self, start: int, end: int) -> bool:
        return any(self._used[start:end])

    def mark(self, start: int, end: int) -> None:
        for i in range(start, end):
            self._used[i] = True


# -- what was read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """The command a question stands for, with the options in the command's own words."""

    command: str  # "gap", "valuation show", ...
    options: dict[str, str] = field(default_factory=dict)
    # options inherited from the member's previous question in the thread ("and in 2023?")
    carried: tuple[str, ...] = field(default=(), compare=False)
    # words read past as filler that are not in the usual filler list, shown so nothing is hidden
    ignored: tuple[str, ...] = field(default=(), compare=False)
    # the figures asked for by name ("drawdown", "beta"): shown first in the answer
    focus: tuple[str, ...] = field(default=(), compare=False)
    # how a word was read that the command line cannot show ("yesterday" = the latest session)
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def line(self) -> str:
        return " ".join([f"/{self.command}", *(f"{k}:{v}" for k, v in self.options.items())])

    @classmethod
    def from_line(cls, line: str) -> Reading:
        """The reading a stored :attr:`line` stands for (options never contain spaces, except a call's
        note, and calls are never stored)."""
        words = line.split()
        at = next((i for i, w in enumerate(words) if ":" in w), len(words))
        options = dict(w.split(":", 1) for w in words[at:])
        return cls(" ".join(words[:at]).lstrip("/"), options)


class NotUnderstood(UserError):
    """A question, or part of one, the grammar cannot read with confidence. ``kind`` says why, so the
    bot can answer in kind: "unread" (words it could not read), "advice", "forecast", "not-in-data",
    "language", "event" (a stretch that needs outside knowledge), "social" (thanks, a greeting: an
    acknowledgement, never a refusal), "ambiguous"."""

    def __init__(self, message: str, kind: str = "unread") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class When:
    """A period found in the question, in the period language of ``commands/periods.py``."""

    text: str  # e.g. "2025", "2020-01-01..", "3m"
    said: str  # what the user wrote, for messages
    weeks: int | None = None  # "N weeks": /rrg reads it as its tail length


@dataclass(frozen=True)
class Day:
    """A date found in the question and how it was introduced."""

    date: dt.date
    how: str  # "on" | "as of" | "bare"
    said: str


@dataclass
class Slots:
    periods: list[When] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)
    sides: list[tuple[int, str, str | None]] = field(default_factory=list)  # (position, side|"", ticker)
    said_tickers: list[str] = field(default_factory=list)  # as typed, for messages
    notes: list[str] = field(default_factory=list)  # how a named stretch was placed in the data
    used: set[str] = field(default_factory=set)  # "periods", "tickers": what the command has taken

    def use_periods(self) -> tuple[list[When], list[Day]]:
        """The periods and dates, marked as taken: what no command takes is refused, never dropped."""
        self.used.add("periods")
        return self.periods, self.days

    def use_tickers(self) -> list[str]:
        """The tickers in the order typed, marked as taken (see :meth:`use_periods`)."""
        self.used.add("tickers")
        return self.tickers

    @property
    def tickers(self) -> list[str]:
        return [t for _, _, t in sorted(self.sides) if t]

    def sizes(self) -> set[str]:
        """"small"/"large" when the question names a side in words (small caps, large caps)."""
        return {side for _, side, ticker in self.sides if side and ticker is None}

# -- refusing ------------------------------------------------------------------------------------


def escape(text: str, limit: int = 60) -> str:
    """User text quoted back (through the one escaping module): it can never ping anyone, render
    markdown or become a link."""
    return echo.escape(text, limit)


class Refusal(Exception):
    """Raised by a builder: the command was recognised, but not a part of what it was asked."""

    def __init__(self, message: str, *offers: str) -> None:
        super().__init__(message)
        self.offers = offers


