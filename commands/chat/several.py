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
from .landmarks import Landmarks
from .slots import NotUnderstood, Reading

MAX_ANSWERS = 2
_SENTENCE = re.compile(r"(?<=[?!])\s+|(?<=[^.\d][.])\s+|\s*;\s*|\s*\n+\s*")


@dataclass(frozen=True)
class Readings:
    readings: list[Reading]
    left: list[str]  # questions (with "?") not answered, as written


def read_many(
    text: str,
    known_tickers: list[str],
    latest: dt.date,
    previous: Reading | None = None,
    landmarks: Landmarks | None = None,
) -> Readings:
    """One reading for a one-question message; for several, up to two (see the module's docstring).
    Raises the whole message's :class:`NotUnderstood` when no sentence can be read on its own."""
    sentences = [s for s in (p.strip() for p in _SENTENCE.split(text)) if s]
    try:
        whole = read(text, known_tickers, latest, previous, landmarks)
        if not (whole.ignored and len(sentences) > 1 and any(s.endswith("?") for s in sentences)):
            return Readings([whole], [])
        # a long message read whole by passing words over: its question sentence may read cleanly
        parts = _by_sentence(sentences, known_tickers, latest, previous, landmarks)
        clean = parts is not None and not any(r.ignored for r in parts.readings)
        return parts if clean else Readings([whole], [])
    except NotUnderstood:
        if len(sentences) < 2:
            raise
        parts = _by_sentence(sentences, known_tickers, latest, previous, landmarks)
        if parts is None:
            raise
        return parts


def _by_sentence(
    sentences: list[str],
    known_tickers: list[str],
    latest: dt.date,
    previous: Reading | None,
    landmarks: Landmarks | None,
) -> Readings | None:
    """The questions of ``sentences`` read one by one (those with a question mark; the others only
    when none of those reads), up to :data:`MAX_ANSWERS`; None when none reads."""
    asked = [s for s in sentences if s.endswith("?")]
    found = _each(asked, known_tickers, latest, previous, landmarks) if asked else None
    if found is not None:
        return found
    rest = [s for s in sentences if not s.endswith("?")]
    found = _each(rest, known_tickers, latest, previous, landmarks)
    if found is not None:
        return Readings(found.readings, [s for s in asked if s not in found.left] + found.left)
    return None


def _each(
    order: list[str],
    known_tickers: list[str],
    latest: dt.date,
    previous: Reading | None,
    landmarks: Landmarks | None,
) -> Readings | None:
    readings: list[Reading] = []
    left: list[str] = []
    for sentence in order:
        if len(readings) == MAX_ANSWERS:
            if sentence.endswith("?"):
                left.append(sentence)
            continue
        try:
            before = readings[-1] if readings else previous
            reading = read(sentence, known_tickers, latest, before, landmarks)
        except NotUnderstood:
            if sentence.endswith("?"):
                left.append(sentence)
            continue
        readings.append(reading)
    if not readings:
        return None
    return Readings(readings, left)
