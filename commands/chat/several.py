"""Several questions in one message, or a long message whose question is one of its sentences.

The whole message is read first. Only when that fails is it cut into sentences (at ``? ! .``, ``;``
and line breaks); the sentences that end with a question mark are tried first, in order, then the
others. Up to :data:`MAX_ANSWERS` readable ones are answered, each with its own "Read as" line; the
questions left (sentences with a question mark that were not answered) are named, so none is dropped
unseen. A sentence without a question mark that cannot be read is context ("Bob thinks it's over."),
not a question, and is passed over when a question was answered."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .intents import read
from .slots import NotUnderstood, Reading

MAX_ANSWERS = 2
_SENTENCE = re.compile(r"(?<=[?!])\s+|(?<=[^.\d][.])\s+|\s*;\s*|\s*\n+\s*")


@dataclass(frozen=True)
class Readings:
    readings: list[Reading]
    left: list[str]  # questions (with "?") not answered, as written


def read_many(
    text: str, known_tickers: list[str], latest: dt.date, previous: Reading | None = None
) -> Readings:
    """One reading for a one-question message; for several, up to two (see the module's docstring).
    Raises the whole message's :class:`NotUnderstood` when no sentence can be read on its own."""
    try:
        return Readings([read(text, known_tickers, latest, previous)], [])
    except NotUnderstood as whole:
        sentences = [s for s in (p.strip() for p in _SENTENCE.split(text)) if s]
        if len(sentences) < 2:
            raise
        asked = [s for s in sentences if s.endswith("?")]
        order = asked + [s for s in sentences if not s.endswith("?")]
        readings: list[Reading] = []
        left: list[str] = []
        for sentence in order:
            if len(readings) == MAX_ANSWERS:
                if sentence.endswith("?"):
                    left.append(sentence)
                continue
            try:
                reading = read(sentence, known_tickers, latest, readings[-1] if readings else previous)
            except NotUnderstood:
                if sentence.endswith("?"):
                    left.append(sentence)
                continue
            readings.append(reading)
        if not readings:
            raise whole from None
        return Readings(readings, left)
