"""Finding the checkable claims in a text: each one as read, with the tolerance its wording implies.

A claim is only what a sentence states with a figure or a countable fact: a return over a period,
a lead in points, N consecutive sessions, "strongest … in N years", a yield level, a P/E or a
discount, and figures the data does not have (earnings growth, flows, the policy rate, P/E history),
which are listed so they are *named* as not checkable rather than silently dropped. A sentence with
no such figure is not a claim and is not listed.

Tolerance follows the text: "5.8%" holds for anything that rounds to 5.8 (5.75 to 5.85), "roughly
18x" for a whole unit of the last digit either side, "over 5%" for anything above 5.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

from data.universe import LARGE_DEFAULT, SMALL_DEFAULT, display_name

from ..reply import UserError
from . import readers

YIELD = "^TNX"
SPREAD = "spread"  # a figure about small minus large, in percentage points

# -- what a claim is --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number a claim states: about a series (a return, a P/E) or the pair's spread."""

    ticker: str  # a series, or SPREAD
    value: float  # as stated: a fraction for % (0.058), a multiple for P/E (18.1)
    low: float  # the accepted interval, from the wording
    high: float
    said: str  # "5.8%"

    def accepts(self, x: float) -> bool:
        return self.low <= x < self.high or math.isclose(x, self.low)


@dataclass(frozen=True)
class Claim:
    kind: str  # "return" | "spread" | "lead" | "streak" | "record" | "yield" | "valuation" | "unverifiable"
    said: str  # the words of the text the claim stands on
    figures: tuple[Figure, ...] = ()
    period: str | None = None  # in the period language; None: the year to date (said so when read)
    period_said: str = ""
    end_month: tuple[int, int] | None = None  # "through mid-January": the claim ends in that month
    small: str = SMALL_DEFAULT
    large: str = LARGE_DEFAULT
    sign: int = 1  # streak and lead: +1 small ahead, -1 behind
    n: int = 0  # streak length; record: years looked back
    at_least: bool = False
    month: int | None = None  # record: the calendar month (None: the calendar year)
    year: int | None = None
    basis: str = "unstated"  # valuation: forward | trailing | unstated
    day: dt.date | None = None  # a date the text names for the claim
    why: str = ""  # unverifiable: what the data lacks
    implied: float | None = None  # a discount the text's own P/E figures imply
    read: str = ""  # the claim in the bot's words
    notes: tuple[str, ...] = field(default_factory=tuple)


# -- the text, made plain ---------------------------------------------------------------------------

_MENTION = re.compile(r"<@!?\d+>|<@&\d+>|<#\d+>|@everyone|@here")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–−"} | {"’": "'", "‘": "'", "“": '"', "”": '"'})
_BREAK = re.compile(r"[—―]")  # a dash between clauses: a pause, not a range


def plain(text: str) -> str:
    """NFKC, ASCII dashes and quotes, no mentions: the grammar's own normalisation, so positions in the
    text and in its readings agree. A clause dash becomes " - " so "2026—its" ends the year."""
    text = unicodedata.normalize("NFKC", _BREAK.sub(" - ", text)).translate(_DASHES)
    return _MENTION.sub(" ", text)


_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9])|\n+")


def sentences(text: str) -> list[str]:
    """Sentences and lines (a bullet such as "• S&P 500 P/E: 22.3x" stands alone)."""
    parts = (p.strip(" \t•*·-") for p in _SENTENCE.split(plain(text)))
    return [p for p in parts if re.search(r"[A-Za-z]", p)]


# -- numbers and their wording --------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_WORDS = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_COUNT = rf"(?P<n>\d{{1,4}}|{_WORDS})"
_HEDGE = r"(?P<hedge>roughly|about|around|approximately|approx\.?|near(?:ly)?|almost|some|close\s+to|~|over|more\s+than|above|at\s+least|under|less\s+than|below|just|only|a\s+mere)?"  # noqa: E501


def _count(raw: str) -> int:
    return _NUMBER_WORDS[raw.lower()] if raw.lower() in _NUMBER_WORDS else int(raw)


def interval(raw: str, hedge: str | None, scale: float) -> tuple[float, float, float]:
    """(value, low, high) of a stated number: half a unit of its last digit either way; a whole unit
    when hedged ("roughly"); open above for "over", below for "under"."""
    value = float(raw)
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    unit = 10.0**-decimals
    hedge = " ".join((hedge or "").lower().split())
    low, high = value - unit / 2, value + unit / 2
    if hedge in (
        "roughly",
        "about",
        "around",
        "approximately",
        "approx",
        "approx.",
        "near",
        "some",
        "close to",
        "~",
    ):
        low, high = value - unit, value + unit
    elif hedge in ("nearly", "almost"):
        low, high = value - unit, value
    elif hedge in ("over", "more than", "above", "at least"):
        low, high = value, math.inf
    elif hedge in ("under", "less than", "below"):
        low, high = -math.inf, value
    return value * scale, low * scale, high * scale


# -- who a sentence is about ---------------------------------------------------------------------


def _names(sentence: str, known: list[str], latest: dt.date) -> list[tuple[int, str]]:
    """(position, ticker) of every series named, sides in words ("small caps") as the default pair."""
    found = []
    for position, side, ticker in readers.slots(sentence, known, latest).sides:
        found.append((position, ticker or (SMALL_DEFAULT if side == "small" else LARGE_DEFAULT)))
    return sorted(found)


def _before(names: list[tuple[int, str]], position: int, fallback: str | None = None) -> str | None:
    earlier = [t for p, t in names if p < position and t != YIELD]
    return earlier[-1] if earlier else fallback


# -- the kinds of claim ------------------------------------------------------------------------------

# Figures the bundled data does not hold: (pattern, topic, why). Listed, never guessed.
UNCHECKABLE = (
    (
        r"\bearnings\s+growth\b|\bprofit\s+growth\b|\beps\s+growth\b",
        "earnings growth",
        "the data has prices and yields, no earnings or forecasts",
    ),
    (
        r"\b(?:in|out)?flows?\b",
        "fund flows",
        "the data has prices, not money moving into or out of funds",
    ),
    (
        r"\bfed(?:eral)?\s+funds\b|\bcut\s+rates\b|\brate\s+cuts?\b|\bbasis\s+points\b",
        "the Federal Reserve's policy rate",
        "the data has the 10-year Treasury yield (/rates), not the policy rate or its decisions",
    ),
    (
        r"\bvaluation\s+gap\b.*\b\d+-year\b|\bhistorical\s+average\s+discount\b|\bhistorical\s+averages?\b.*\bdiscount\b",
        "the history of valuations",
        "no P/E history is bundled, so no average or extreme of it can be computed",
    ),
    (
        r"\brevenue\b",
        "companies' revenue",
        "the data has prices, no company revenue",
    ),
)
_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|x\b|percent|basis points|bp)|\brecord\b|\b\d+-year\s+(?:extreme|high|low)",
    re.IGNORECASE,
)

_UP = (
    r"gained|gains|surged|rose|risen|climbed|advanced|jumped|rallied|added|returned|"
    r"is\s+up|was\s+up|has\s+been\s+up|up"
)
_DOWN = r"fell|fallen|dropped|declined|lost|slid|slumped|sank|tumbled|is\s+down|was\s+down|down"
_MOVE = re.compile(
    rf"\b(?P<verb>{_UP}|{_DOWN})\s+(?:by\s+)?{_HEDGE}\s*(?P<x>[-+]?\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)",
    re.IGNORECASE,
)
_AHEAD = r"outperform(?:ed|s|ing)?|beat(?:en|s|ing)?|led|leads|lead|ahead\s+of|topp?(?:ed|s)?"
_BEHIND = r"underperform(?:ed|s|ing)?|lagg?(?:ed|s|ing)?|trail(?:ed|s|ing)?|behind"
_SPREAD = re.compile(
    rf"\b(?P<verb>{_AHEAD}|{_BEHIND})\b[^.;]*?\bby\s+{_HEDGE}\s*(?P<x>\d+(?:\.\d+)?)\s*"
    r"(?:percentage\s+points?|points?|pp|pts?)\b",
    re.IGNORECASE,
)
_LEAD = re.compile(rf"\b(?P<verb>{_AHEAD}|{_BEHIND})\b", re.IGNORECASE)
_STREAK = re.compile(
    rf"\b(?:(?P<least>at\s+least|more\s+than|over)\s+)?{_COUNT}\s+(?:(?:consecutive|straight|successive)\s+)?"
    r"(?:trading\s+)?(?:sessions|days)(?:\s+in\s+a\s+row)?\b",
    re.IGNORECASE,
)
_MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
_RECORD = re.compile(
    rf"\b(?P<best>strongest|best|weakest|worst)\s+(?:(?P<mon>{_MON})|(?P<year>year|annual))\b[^.;]*?"
    rf"(?P<tail>\b(?:in|since)\s+(?:(?P<q>over|more\s+than|nearly|almost|at\s+least)\s+)?(?P<n>\d{{1,3}}|{_WORDS})"
    r"\s*[- ]?(?P<unit>decades?|years?))\b",
    re.IGNORECASE,
)
_YIELD = re.compile(
    r"\b(?:10|ten)[- ]year\s+(?:treasury\s+|us\s+|u\.s\.\s+)?(?:note\s+)?yield\b[^.;%]*?"
    rf"{_HEDGE}\s*(?P<x>\d+(?:\.\d+)?)\s*%",
    re.IGNORECASE,
)
_RATIO = re.compile(
    r"\bratio\b[^.;]*?\b(?P<ext>lowest|highest|weakest|strongest)\b\s+(?:(?:level|point|reading|close)\s+)?"
    r"(?:since|in)\s+(?P<y>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_PE = re.compile(rf"{_HEDGE}\s*(?P<x>\d+(?:\.\d+)?)\s*x\b", re.IGNORECASE)
_PE_CONTEXT = re.compile(r"p/e|price[- ]to[- ]earnings|earnings|multiple|valuation", re.IGNORECASE)
_DISCOUNT = re.compile(rf"\bdiscount\b(?:\s+of)?\s*:?\s*{_HEDGE}\s*(?P<x>\d+(?:\.\d+)?)\s*%", re.IGNORECASE)
_END = re.compile(
    rf"\b(?:through|thru|until|till|to|by|into|as\s+of|in)\s+(?:the\s+)?(?P<part>mid|early|late|end\s+of|middle\s+of|start\s+of)"
    rf"[- ]?(?P<mon>{_MON})\b(?:\s+(?P<y>\d{{4}}))?",
    re.IGNORECASE,
)


def _blank(text: str, span: tuple[int, int]) -> str:
    """``text`` with ``span`` made spaces: read by no later reader, every position unchanged."""
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


def _month_number(raw: str) -> int:
    return next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(raw.lower()[:3]))


def _percent(m: re.Match[str], scale: float = 0.01) -> tuple[float, float, float]:
    return interval(m["x"].lstrip("+"), m["hedge"], scale)


@dataclass
class Context:
    """What earlier sentences said that a later one leans on ("its", a P/E pair for a discount)."""

    known: list[str]
    latest: dt.date
    pes: dict[str, float] = field(default_factory=dict)


def find(text: str, known: list[str], latest: dt.date) -> list[Claim]:
    """Every checkable (or named-uncheckable) claim in ``text``, in order."""
    context = Context(known, latest)
    claims: list[Claim] = []
    for sentence in sentences(text):
        try:
            claims.extend(_in_sentence(sentence, context))
        except UserError as exc:  # a date the grammar refuses ("2026-02-30"): named, not fatal to the text
            if _FIGURE.search(sentence):
                claims.append(
                    Claim("unverifiable", sentence, why=str(exc), read="a date or period I cannot read")
                )
    return claims


def _in_sentence(sentence: str, context: Context) -> list[Claim]:
    found: list[tuple[int, Claim]] = []
    said = sentence

    for pattern, topic, why in UNCHECKABLE:
        m = re.search(pattern, sentence, re.IGNORECASE)
        if m and _FIGURE.search(sentence):
            found.append((m.start(), Claim("unverifiable", said, why=why, read=topic)))
            return [c for _, c in found]  # a sentence about figures the data lacks is only that

    end = _END.search(sentence)
    end_month = None
    rest = sentence
    if end:
        month = _month_number(end["mon"])
        year = int(end["y"]) if end["y"] else _latest_year(context.latest, month)
        end_month = (year, month)
        rest = _blank(rest, end.span())
    for m in _RECORD.finditer(sentence):  # "in 5 years" there is a look-back, not the claim's period
        rest = _blank(rest, m.span("tail"))
    names = _names(rest, context.known, context.latest)
    valuation = _valuation(sentence, names, context)
    if valuation is not None:
        return [valuation]
    slot = readers.slots(rest, context.known, context.latest)
    period, period_said, day = _period(slot)
    if end_month and period is None:
        period_said = end[0].strip()

    moves = [m for m in _MOVE.finditer(sentence)]
    if moves:
        figures = []
        for m in moves:
            ticker = _before(names, m.start(), figures[-1].ticker if figures else None)
            if ticker is None:
                continue
            value, low, high = _percent(m)
            if re.fullmatch(_DOWN, m["verb"], re.IGNORECASE) and value > 0:
                value, low, high = -value, -high, -low
            figures.append(Figure(ticker, value, low, high, m["x"] + "%"))
        if figures:
            found.append(
                (
                    moves[0].start(),
                    Claim(
                        "return",
                        said,
                        tuple(figures),
                        period,
                        period_said,
                        end_month,
                        day=day,
                        read=_read_figures(figures, period, period_said, end_month, day),
                    ),
                )
            )

    pair = _pair(names)
    for m in _STREAK.finditer(sentence):
        verb = _LEAD.search(sentence)
        if verb is None:
            continue
        sign = _sign(verb["verb"]) * _order(names, verb.start())
        n = _count(m["n"])
        found.append(
            (
                m.start(),
                Claim(
                    "streak",
                    said,
                    (),
                    None,
                    "",
                    None,
                    *pair,
                    sign=sign,
                    n=n,
                    at_least=bool(m["least"]),
                    day=day,
                    read=f"{display_name(pair[0])} {'ahead of' if sign > 0 else 'behind'} "
                    f"{display_name(pair[1])} "
                    f"for {'at least ' if m['least'] else ''}{n} consecutive sessions"
                    + (f" on {day}" if day else ""),
                ),
            )
        )
    if not any(c.kind == "streak" for _, c in found):
        spread = _SPREAD.search(sentence)
        if spread is not None:
            sign = _sign(spread["verb"]) * _order(names, spread.start())
            value, low, high = _percent(spread)
            if sign < 0:
                value, low, high = -value, -high, -low
            figure = Figure(SPREAD, value, low, high, spread["x"] + " pp")
            found.append(
                (
                    spread.start(),
                    Claim(
                        "spread",
                        said,
                        (figure,),
                        period,
                        period_said,
                        end_month,
                        *pair,
                        sign=sign,
                        day=day,
                        read=f"spread {display_name(pair[0])} − {display_name(pair[1])} {value * 100:+g} pp, "
                        + _period_words(period, period_said, end_month, day),
                    ),
                )
            )
        elif not moves and (lead := _LEAD.search(sentence)) and (period or day) and len(pair) == 2:
            sign = _sign(lead["verb"]) * _order(names, lead.start())
            if names:
                found.append(
                    (
                        lead.start(),
                        Claim(
                            "lead",
                            said,
                            (),
                            period,
                            period_said,
                            end_month,
                            *pair,
                            sign=sign,
                            day=day,
                            read=f"{display_name(pair[0])} {'ahead of' if sign > 0 else 'behind'} "
                            f"{display_name(pair[1])}, " + _period_words(period, period_said, end_month, day),
                        ),
                    )
                )

    for m in _RECORD.finditer(sentence):
        ticker = _before(names, m.start(), names[0][1] if names else SMALL_DEFAULT)
        n = 1 if m["n"].lower() in ("a", "an") else _count(m["n"])
        years = n * (10 if m["unit"].lower().startswith("decade") else 1)
        month = _month_number(m["mon"]) if m["mon"] else None
        year = _stated_year(period, day) or (end_month[0] if end_month else None)
        best = m["best"].lower() in ("strongest", "best")
        what = _MONTH_NAMES[month - 1].title() if month else "calendar year"
        found.append(
            (
                m.start(),
                Claim(
                    "record",
                    said,
                    (),
                    period,
                    period_said,
                    None,
                    ticker,
                    sign=1 if best else -1,
                    n=years,
                    at_least=bool(m["q"]),
                    month=month,
                    year=year,
                    read=f"{display_name(ticker)}: {'best' if best else 'worst'} {what}"
                    f"{f' of {year}' if year else ''} in {'over ' if m['q'] else ''}{years} years",
                ),
            )
        )

    for m in _RATIO.finditer(sentence):
        sign = -1 if m["ext"].lower() in ("lowest", "weakest") else 1
        found.append(
            (
                m.start(),
                Claim(
                    "ratio",
                    said,
                    small=pair[0],
                    large=pair[1],
                    sign=sign,
                    year=int(m["y"]),
                    day=day,
                    read=f"the {display_name(pair[0])}/{display_name(pair[1])} ratio at its "
                    f"{'lowest' if sign < 0 else 'highest'} close since {m['y']}"
                    + (f" on {day}" if day else ""),
                ),
            )
        )

    for m in _YIELD.finditer(sentence):
        value, low, high = _percent(m, 1.0)
        figure = Figure(YIELD, value, low, high, m["x"] + "%")
        found.append(
            (
                m.start(),
                Claim(
                    "yield",
                    said,
                    (figure,),
                    None,
                    "",
                    None,
                    day=day,
                    read=f"10-year yield {value:g}%" + (f" on {day}" if day else ""),
                ),
            )
        )
    return [c for _, c in sorted(found, key=lambda pc: pc[0])]


def _valuation(sentence: str, names: list[tuple[int, str]], context: Context) -> Claim | None:
    """P/E figures ("18.1x", with P/E or earnings words) or a discount ("Discount: 19%")."""
    discount = _DISCOUNT.search(sentence)
    if discount is not None:
        value, low, high = _percent(discount)
        implied = None
        if SMALL_DEFAULT in context.pes and LARGE_DEFAULT in context.pes:
            implied = 1 - context.pes[SMALL_DEFAULT] / context.pes[LARGE_DEFAULT]
        return Claim(
            "valuation",
            sentence,
            (Figure("discount", value, low, high, discount["x"] + "%"),),
            implied=implied,
            read=f"small-cap P/E discount {value * 100:g}%",
        )
    if not _PE_CONTEXT.search(sentence):
        return None
    figures = []
    for m in _PE.finditer(sentence):
        ticker = _before(names, m.start())
        if ticker is None:
            continue
        value, low, high = interval(m["x"], m["hedge"], 1.0)
        figures.append(Figure(ticker, value, low, high, m["x"] + "x"))
        context.pes[ticker] = value
    if not figures:
        return None
    basis = next((b for b in ("forward", "trailing") if b in sentence.lower()), "unstated")
    read = ", ".join(f"{display_name(f.ticker)} P/E {f.value:g}x" for f in figures)
    return Claim("valuation", sentence, tuple(figures), basis=basis, read=f"{read} ({basis} basis)")


def _pair(names: list[tuple[int, str]]) -> tuple[str, str]:
    """The two series compared: the first two named, in order, as (small, large) when the first is
    the large side; else the default pair."""
    tickers = list(dict.fromkeys(t for _, t in names if t != YIELD))
    if len(tickers) >= 2:
        a, b = tickers[:2]
        return (b, a) if a == LARGE_DEFAULT and b == SMALL_DEFAULT else (a, b)
    if len(tickers) == 1 and tickers[0] not in (SMALL_DEFAULT, LARGE_DEFAULT):
        return tickers[0], LARGE_DEFAULT
    return SMALL_DEFAULT, LARGE_DEFAULT


def _order(names: list[tuple[int, str]], position: int) -> int:
    """-1 when the subject (the series named before the verb) is the large side: "large caps beat small
    caps" is small behind."""
    subject = _before(names, position)
    return -1 if subject == LARGE_DEFAULT else 1


def _sign(verb: str) -> int:
    return -1 if re.fullmatch(_BEHIND, verb, re.IGNORECASE) else 1


def _latest_year(latest: dt.date, month: int) -> int:
    return latest.year if month <= latest.month else latest.year - 1


def _period(slot: readers.Slots) -> tuple[str | None, str, dt.date | None]:
    """The first period the sentence names (period language) and a date it names ("on 2026-01-16")."""
    period = slot.periods[0] if slot.periods else None
    day = slot.days[0].date if slot.days else None
    return (period.text, period.said, day) if period else (None, "", day)


def _stated_year(period: str | None, day: dt.date | None) -> int | None:
    if period and (m := re.match(r"(\d{4})", period)):
        return int(m[1])
    return day.year if day else None


def _period_words(
    period: str | None, said: str, end_month: tuple[int, int] | None, day: dt.date | None
) -> str:
    if period is None and end_month is None:
        base = "year to date (no period stated)"
    elif period is None:
        base = "year to date"
    else:
        base = f"period {period}"
    if said:
        base += f" (“{said}”)"
    if end_month:
        base += f", at a session of {end_month[0]}-{end_month[1]:02d}"
    if day:
        base += f", as of {day}"
    return base


def _read_figures(
    figures: list[Figure],
    period: str | None,
    said: str,
    end_month: tuple[int, int] | None,
    day: dt.date | None,
) -> str:
    parts = ", ".join(f"{display_name(f.ticker)} {f.value * 100:+g}%" for f in figures)
    return f"{parts}, {_period_words(period, said, end_month, day)}"
