"""Plain questions in a thread ("@rotation-bot what was the gap last year?") -> one slash command.

A research tool that answers a different question than the one asked, and says nothing, is worse
than one that refuses. So this grammar reads a question in steps and refuses whenever a step is
unsure:

0. **Declined outright** (:mod:`.refusals`): advice, forecasts, assets not in the data, other
   languages, news events that need a date; thanks and greetings are acknowledged instead. Spellings
   (:mod:`.vocabulary`: "perf", "sc vs lc", "yr") are rewritten before anything is read.
1. **Which command.** :data:`INTENTS` is a table: each row names a command, the words that ask for it
   and how strongly (3 = words only that command answers, such as *value vs growth* or *sectors*;
   2 = its name, such as *gap* or *streak*; 1 = generic words such as *vs* or *doing*). The strongest
   row wins; two different commands tied at the top are refused as ambiguous. A follow-up ("and in
   2023?", only a period or a pair) keeps the member's previous command (:mod:`.conversation`).
2. **Its own words**, read first by the row's builder (a signal for /history, a set for /rrg, a yield
   for /rates), so they are not mistaken for periods.
3. **Periods, dates and tickers**, the same for every command (:meth:`Question.slots`): named
   stretches from the data first (:mod:`.landmarks`: "the 2022 low"), then periods (:mod:`.periods`),
   then tickers and sides (:mod:`.names`). Relative words are relative to the data's newest session
   (``latest``), the same anchor ``ytd`` and ``1m`` already use, not to the calendar: on the bundled
   snapshot (to 2026-08-21) "this quarter" is 2026-Q3 and "last year" is 2025 (the previous *calendar*
   year; "the last year" and "the past year" are the trailing twelve months, ``1y``). A quarter or
   month named without a year is the latest one that has begun by then ("Q4" in August 2026 is
   2025-Q4). Tickers are the data's own, in any case or with a ``$``; an ordinary word (*it, all, on,
   are*) is a ticker only with a ``$``.
4. **Nothing meaningful left over.** Every word must have been read, be a filler word
   (:data:`FILLER`), or be one that cannot change the answer (:mod:`.fillers`: at most three, listed
   under the answer); anything else is quoted back (escaped) with the closest commands.

The result is a :class:`Reading`, whose :attr:`Reading.line` is the equivalent slash command: the bot
shows it above the answer ("Read as `/gap period:2025`"), so a misreading is visible at once and the
user learns the command. Adding a command = one row in :data:`INTENTS` and its builder. The table of
phrasings in tests/commands/chat/test_table.py documents what is read and how.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from .builders import (
    _WEAK_GAP,
    DIGEST_CUE,
    RISK_CUE,
    SECTOR_CUE,
    Intent,
    _call,
    _calls,
    _compare,
    _digest,
    _gap,
    _history,
    _nothing,
    _rates,
    _rrg,
    _sectors,
    _streak,
    _style,
    _valuation,
    route_pair,
)
from .conversation import FOLLOW_UP, REMEMBERED, VS_OPENING, merge
from .conversation import renamed as _renamed
from .fillers import ignorable
from .landmarks import Landmarks
from .question import Question
from .refusals import refuse
from .slots import NotUnderstood, Reading, Refusal, Slots, escape
from .slots import pattern as compiled

INTENTS: tuple[Intent, ...] = (
    Intent(
        "call",
        ((r"^\s*(?:i\s+)?call\s", 6),),
        "/call side:small horizon:3m",
        "record your call",
        _call,
        strict=False,
    ),
    Intent(
        "calls",
        ((r"^\s*(?:show\s+(?:me\s+)?)?(?:the\s+|our\s+)?(?:open\s+|closed\s+)?calls\b|"
          r"\btrack\s+record\b|\bwho(?:'s|\s+has|\s+have)?\s+made\s+(?:any\s+)?calls\b|"
          r"\ball\s+(?:the\s+)?calls\b", 5),),
        "/calls",
        "the server's record of calls",
        _calls,
    ),
    Intent(
        "help",
        ((r"\bhelp\b|what\s+can\s+you\s+do|what\s+do\s+you\s+do|\bcommands\b|how\s+do\s+i\s+use", 5),),
        "/help",
        "every command",
        _nothing,
        strict=False,
    ),
    Intent(
        "about",
        (
            (
                r"where\s+(?:does|do)\s+(?:the\s+|your\s+)?data\s+come\s+from|\bdata\s+sources?\b|"
                r"\byour\s+sources?\b|how\s+fresh|\bfreshness\b|who\s+are\s+you|\babout\s+you\b|"
                r"\b(?:what|which)\s+data\b|\bdata\s+do\s+you\s+use\b",
                4,
            ),
        ),
        "/about",
        "where the data comes from",
        _nothing,
        strict=False,
    ),
    Intent(
        "history",
        (
            (
                r"\bwhat\s+happen(?:s|ed)\s+(?:next|after|afterwards|then|later)\b|\bwhat\s+(?:usually\s+|typically\s+|"
                r"normally\s+|has\s+)?(?:follow(?:s|ed)?|came\s+next|comes\s+next|happens\s+next)\b|\bafterwards\b|"
                r"\bhistorically\b|\bpast\s+(?:occurrences|instances|cases|episodes)\b|\bbase\s+rates?\b|"
                r"\bhow\s+often\b|\bprecedents?\b|\bhow\s+many\s+times\b|\b\d{1,3}\s+(?:days|sessions)\s+in\s+a\s+row\b|"
                r"\bwhat\s+happened\s+(?:the\s+)?last\s+time\b|\b(?:odds|chances?|probability)\b|"
                r"\bcross(?:ed|es|ing)?\b[^.?!]*\b200-day\b|\bwhen\s+did\b[^.?!]*\bcross",
                4,
            ),
        ),
        "/history signal:streak threshold:11",
        "what followed a signal",
        _history,
    ),
    Intent(
        "rrg",
        (
            (
                r"\brrg\b|\brelative\s+rotation\b|\brotation\s+(?:graph|chart|map|plot|quadrants?)\b|\bquadrants?\b",
                4,
            ),
        ),
        "/rrg set:sectors weeks:8",
        "the relative rotation graph",
        _rrg,
    ),
    Intent(
        "valuation show",
        (
            (
                r"\bp\s*/\s*e(?:s|\s+ratios?)?\b|\bpe(?:\s+ratios?)?\b|\bvaluations?\b|"
                r"\bprice[- ]to[- ]earnings\b|\b(?:earnings\s+)?multiples?\b",
                3,
            ),
            (r"\bcheap(?:er|ness)?\b|\bexpensive\b|\bdiscount\b|\bpremium\b", 2),
        ),
        "/valuation show",
        "P/E and the discount",
        _valuation,
    ),
    Intent(
        "sectors",
        ((r"\bsectors?\b|\bsectoral\b|\bindustr(?:y|ies)\b", 3), (SECTOR_CUE, 3)),
        "/sectors period:ytd",
        "small-cap sectors ranked",
        _sectors,
    ),
    Intent(
        "rates",
        (
            (
                r"\b(?:interest\s+)?rates?\b|\byields?\b|\btreasur(?:y|ies)\b|\bbonds?\b|\bt-?bills?\b|"
                r"\bthe\s+(?:10|ten)[- ]?year\b|\bthe\s+10\s*y\b|"
                r"\b10\s*y(?:ea)?r?\s+(?:yields?|treasur\w*|notes?)\b",
                3,
            ),
        ),
        "/rates period:1y",
        "yields against the ratio",
        _rates,
    ),
    Intent(
        "style",
        (
            (
                r"\bvalue\s+(?:vs\.?|versus|v\.?|or|and|against|over|compared\s+(?:to|with))\s+growth\b|"
                r"\bgrowth\s+(?:vs\.?|versus|v\.?|or|and|against|over|compared\s+(?:to|with))\s+value\b|"
                r"\bvalue/growth\b|\bgrowth/value\b|\bstyles?\b|\b(?:value|growth)\s+(?:stocks|funds|factor)\b",
                3,
            ),
            (r"\bvalue\b|\bgrowth\b", 2),
        ),
        "/style period:ytd",
        "small-cap value vs growth",
        _style,
    ),
    Intent(
        "compare", ((r"\bcompare\b|\bcomparison\b", 2),), "/compare a:IWN b:IWO", "any two tickers", _compare
    ),
    Intent(
        "digest",
        (
            (r"\bdigest\b|\b(?:daily\s+)?(?:update|summary|overview|recap|briefing|digest)\b", 2),
            (DIGEST_CUE, 3),
        ),
        "/digest",
        "the daily update",
        _digest,
    ),
    Intent(
        "streak",
        (
            (
                r"\bstreaks?\b|\bin\s+a\s+row\b|\bconsecutive\b|\bstraight\s+(?:days|sessions)\b|\bruns?\b|\bhow\s+long\b|"
                r"\blongest\b",
                2,
            ),
            (
                r"\bsince\s+when\b|\bwhen\s+did\b[^.?!]*\b(?:start|begin|began)\b|\bhow\s+long\s+ha(?:ve|s)\b",
                3,
            ),
        ),
        "/streak",
        "the current run",
        _streak,
    ),
    Intent(
        "gap",
        ((r"\bgap\b|\bspread\b|\bdifference\b", 2), (RISK_CUE, 2), (_WEAK_GAP, 1)),
        "/gap period:ytd",
        "small vs large over a period",
        _gap,
    ),
)
_DEFAULT_OFFERS = ("gap", "streak", "digest")


def _scores(text: str) -> dict[str, int]:
    scores: dict[str, int] = {}
    for intent in INTENTS:
        for pattern, weight in intent.cues:
            if compiled(pattern).search(text):
                scores[intent.command] = max(scores.get(intent.command, 0), weight)
    return scores


def _offers(scores: dict[str, int], first: tuple[str, ...] = ()) -> str:
    """Up to three commands: what could be read (``first``), then the best-scoring and the usual ones."""
    by_name = {i.command: i for i in INTENTS}
    ranked = sorted(scores, key=lambda c: -scores[c])
    covered = {line[1:].split(" ")[0] for line in first}
    names = [n for n in dict.fromkeys([*ranked, *_DEFAULT_OFFERS]) if n not in ("help", "about", *covered)]
    lines = list(dict.fromkeys([*first, *(by_name[n].example for n in names)]))[:3]
    said = {by_name[n].example: by_name[n].says for n in names}
    shown = [f"`{line}` ({said[line]})" if line in said else f"`{line}`" for line in lines]
    return "Closest commands: " + ", ".join(shown) + "; `/help` lists them all."


def read(
    text: str,
    known_tickers: list[str],
    latest: dt.date,
    previous: Reading | None = None,
    landmarks: Landmarks | None = None,
) -> Reading:
    """The command a question stands for; :class:`NotUnderstood` (a :class:`UserError`) when any part
    of it cannot be read with confidence. ``latest`` is the data's newest session. ``previous``: the
    same member's last reading in this thread, which a follow-up ("and in 2023?") completes.
    ``landmarks``: the small-cap index's lows and highs, for "since the 2022 low"."""
    q = Question(text, known_tickers, latest, landmarks)
    refuse(q.text)
    # the opening "and", "what about" is understood, but only marked so once the slots are read:
    # "what about january" must leave "about january" to the period reader
    marker = compiled(FOLLOW_UP).match(q.text)
    if marker is not None and marker.end() > marker.start():
        q.after_slots.append(FOLLOW_UP)
    follow = bool(marker and marker.end() > marker.start()) or compiled(VS_OPENING).match(q.text) is not None
    scores = _scores(q.text)
    strong = {c: s for c, s in scores.items() if s >= 2}
    carry = previous if previous is not None and previous.command in REMEMBERED else None
    if carry is not None and (follow or not strong):
        # a follow-up: its own command if it names one ("what about value?"), else the previous one;
        # a pair or a side named without "and"/"same for" asks about that pair: the gap, over the
        # period carried ("iwm vs spy" after "last week?"; "how have small caps done since …")
        if strong:
            command = _winner(strong, scores)
        elif follow or not _probe(q).sides:
            command = carry.command
        else:
            command = "gap"
        reading = _build(q, command, scores)
        if not strong and carry.command == "compare" and reading.command == "gap":  # no tickers: /gap
            reading = Reading(carry.command, _renamed(reading.options, carry.command))
        reading = _in_previous_year(reading, q, carry)
        return route_pair(merge(reading, carry, named_sides=bool(q.slots().sizes())))
    if not q.text or not scores:
        if q.text and _has_slots(q):  # only a period or a pair: the gap over it ("in 2020", "iwm vs spy")
            return _build(q, "gap", scores)
        unread = "”, “".join(escape(u, 40) for u in q.leftover()[:3])
        what = (
            f"I didn't understand “{unread}”, so I haven't answered."
            if unread
            else "Ask me a question about small vs large caps."
        )
        raise NotUnderstood(f"{what} {_offers({})}")
    return _build(q, _winner(scores, scores), scores)


def _in_previous_year(reading: Reading, q: Question, previous: Reading) -> Reading:
    """"what about january?" after a question about 2022 is January 2022: a month or quarter named
    without a year, in a follow-up to a question about one year (or a month or quarter of it), is in
    that year."""
    before = re.fullmatch(r"(\d{4})(?:-Q[1-4]|-\d{2})?", previous.options.get("period", ""))
    said = q.slots().periods
    period = reading.options.get("period", "")
    has_year = r"\d{4}|'\d{2}|q[1-4]\s*\d{2}|[1-4]q\s*\d{2}"
    if not (before and len(said) == 1 and not re.search(has_year, said[0].said)):
        return reading
    year = before[1]
    if m := re.fullmatch(r"\d{4}-(Q[1-4]|\d{2})", period):
        return dataclasses.replace(reading, options={**reading.options, "period": f"{year}-{m[1]}"})
    return reading


def _probe(q: Question) -> Slots:
    """The slots of ``q``'s text read on a copy, before any command has taken its own words."""
    return Question(q.text, list(q.known.values()), q.latest, q.landmarks).slots()


def _has_slots(q: Question) -> bool:
    s = _probe(q)
    return bool(s.periods or s.days or s.sides)


def _winner(candidates: dict[str, int], scores: dict[str, int]) -> str:
    top = max(candidates.values())
    winners = [c for c, s in candidates.items() if s == top]
    if len(winners) > 1:
        names = " and ".join(f"/{c}" for c in winners)
        raise NotUnderstood(
            f"That asks for {names} at once: ask one at a time. {_offers(scores)}", "ambiguous"
        )
    return winners[0]


def _build(q: Question, command: str, scores: dict[str, int]) -> Reading:
    """The reading of ``q`` as ``command``: its builder, then nothing may be left over."""
    intent = next(i for i in INTENTS if i.command == command)
    try:
        built = intent.build(q)
    except Refusal as exc:
        raise NotUnderstood(f"{exc} {_offers(scores, exc.offers)}") from None
    q.slots()  # a builder that took no periods still has them read, so they are not "left over"
    for pattern in q.after_slots:
        q.cover(pattern)
    for other in INTENTS:  # the words that named a command are understood, whichever command won
        for pattern, _ in other.cues:
            q.cover(pattern)
    reading = built if isinstance(built, Reading) else Reading(intent.command, built)
    if intent.strict and (unread := q.leftover()):
        ignored = ignorable(unread, q.text)
        if ignored is None:
            parts = "”, “".join(escape(u, 40) for u in unread[:3])
            raise NotUnderstood(
                f"I didn't understand “{parts}”, so I haven't answered. {_offers(scores)}"
            )
        reading = dataclasses.replace(reading, ignored=ignored)
    if q.slots().notes:
        reading = dataclasses.replace(reading, notes=(*reading.notes, *q.slots().notes))
    if not intent.strict:
        return reading
    _check_unused_slots(q, reading.command)
    return reading


def _check_unused_slots(q: Question, command: str) -> None:
    """A period, date or ticker the command did not take would be silently dropped: refuse instead."""
    s = q.slots()
    said = [] if "periods" in s.used else [p.said for p in s.periods] + [d.said for d in s.days]
    said += [] if "tickers" in s.used else s.said_tickers
    if said:
        raise NotUnderstood(f"/{command} has no use for “{escape(said[0])}”. {_offers({command: 1})}")


def to_line(text: str, known_tickers: list[str], latest: dt.date) -> str:
    """The slash command a question stands for (see :func:`read`)."""
    return read(text, known_tickers, latest).line
