"""Each command's builder: from a :class:`Question` to the command's options, or a :class:`Refusal`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..calls import mention_options
from ..periods import RELATIVE, parse_period
from ..reply import UserError
from ..rrg import SETS
from ..style import PAIRS
from .names import size_of
from .question import Question
from .slots import Reading, Refusal, escape

# -- the commands -----------------------------------------------------------------------------------

Builder = Callable[[Question], "dict[str, str] | Reading"]  # a Reading when it becomes another command


@dataclass(frozen=True)
class Intent:
    command: str  # the slash command it becomes, as typed after the "/"
    cues: tuple[tuple[str, int], ...]  # (pattern, strength): 3 only this command, 2 its name, 1 generic
    example: str  # a slash example, offered when a question is refused
    says: str  # what it answers, in a few words, beside the example
    build: Builder
    strict: bool = True  # refuse when words are left over (not for /help)


def _no_slots(q: Question, command: str) -> None:
    s = q.slots()
    s.use_periods()
    s.use_tickers()
    parts = [p.said for p in s.periods] + [d.said for d in s.days] + s.said_tickers
    if parts:
        raise Refusal(f"/{command} takes no period, date or ticker, and I read “{escape(parts[0])}” as one.")


def _one_period(q: Question, command: str, default: str) -> dict[str, str]:
    """The ``period`` option from what was said: a period, a day ("on 2026-01-16": that session's
    move), or a period as of a date ("ytd as of 2024-06-30" = 2024-01-01..2024-06-30)."""
    s = q.slots()
    s.use_periods()
    if len(s.periods) > 1 or len(s.days) > 1:
        said = [p.said for p in s.periods] + [d.said for d in s.days]
        raise Refusal(
            f"I found more than one period (“{escape(said[0])}”, “{escape(said[1])}”): ask about one."
        )
    if not s.days:
        return {"period": s.periods[0].text} if s.periods else {}
    day = s.days[0]
    if not s.periods and day.how in ("on", "bare"):
        return {"period": day.date.isoformat()}
    period = parse_period(s.periods[0].text if s.periods else default)
    if period.kind == "1d":
        return {"period": day.date.isoformat()}
    if period.kind == "ytd":
        first = dt.date(day.date.year, 1, 1)
    elif period.kind == "mtd":
        first = day.date.replace(day=1)
    elif period.kind == "relative":
        first = (day.date - RELATIVE[period.text]).date() + dt.timedelta(days=1)
    elif period.kind == "max":
        raise Refusal(
            f"/{command} cannot measure all of history to a date: give the start too, "
            f"e.g. `/{command} period:1990-01-01..{day.date}`."
        )
    else:
        assert period.first is not None
        if day.date < period.first:
            raise Refusal(f"“{escape(day.said)}” is before “{escape(s.periods[0].said)}” starts.")
        first = period.first
        if period.last is not None and period.last < day.date:
            return {"period": period.text}
    return {"period": f"{first}..{day.date}"}


def _sides(q: Question, command: str, names: tuple[str, str] = ("small", "large")) -> dict[str, str]:
    """Tickers on the small and large side: a side named in words (small caps) keeps its default,
    tickers fill the other sides in the order typed."""
    s = q.slots()
    tickers = s.use_tickers()
    if len(tickers) > 2:
        raise Refusal(f"/{command} compares two series; I read {len(tickers)}: {', '.join(tickers)}.")
    if len(tickers) == 2 and tickers[0] == tickers[1]:
        raise Refusal(f"That compares {tickers[0]} with itself.")
    free = [n for n, side in zip(names, ("small", "large"), strict=True) if side not in s.sizes()]
    if len(tickers) == 1 and len(free) == 2 and size_of(tickers[0]) == "large":
        return {names[1]: tickers[0]}  # "spy ytd": the large side, against the default small one
    if len(tickers) > len(free):
        raise Refusal(
            f"I read both a size (small/large caps) and {', '.join(tickers)} for the same side: "
            f"name the tickers, e.g. `/{command} {names[0]}:IWM {names[1]}:SPY`."
        )
    return dict(zip(free, tickers, strict=False))


def _ordered(options: dict[str, str], order: tuple[str, ...]) -> dict[str, str]:
    return {k: options[k] for k in order if k in options}


# The figures /gap shows beside the returns, as people ask for them: (pattern, words of the field names).
RISK_WORDS = (
    (r"\bmax(?:imum)?\s+drawdowns?\b|\bdrawdowns?\b|\bdraw\s+downs?\b", "drawdown"),
    (r"\bvolatility\b|\bstd\s+dev\b|\bstandard\s+deviation\b", "volatility"),
    (r"\bbetas?\b", "Beta"),
    (r"\bcorrelation\b|\bcorrelated\b", "Correlation"),
)
RISK_CUE = "|".join(p for p, _ in RISK_WORDS)


def _focus(q: Question, words: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for pattern, name in words if q.take(pattern)))


def _gap(q: Question) -> dict[str, str] | Reading:
    """The size gap, or for two funds on the same side of the size divide what they are: a small-cap
    value/growth pair is /style's, any other pair of one size is /compare's (never "small vs large")."""
    focus = _focus(q, RISK_WORDS)
    options = _ordered({**_one_period(q, "gap", "ytd"), **_sides(q, "gap")}, ("period", "small", "large"))
    return route_pair(Reading("gap", options, focus=focus))


def route_pair(reading: Reading) -> Reading:
    """A /gap of two funds of one size becomes /style (a small-cap value/growth pair) or /compare."""
    options = reading.options
    pair = [options[k] for k in ("small", "large") if k in options]
    if reading.command != "gap" or len(pair) != 2 or size_of(pair[0]) is None:
        return reading
    if size_of(pair[0]) != size_of(pair[1]):
        return reading
    period = {"period": options["period"]} if "period" in options else {}
    carried = tuple(k for k in reading.carried if k == "period")
    style = next((name for name, funds in PAIRS.items() if set(funds) == set(pair)), None)
    if style is not None:
        return Reading("style", {"pair": style, **period}, carried, reading.ignored)
    return Reading("compare", {"a": pair[0], "b": pair[1], **period}, carried, reading.ignored, reading.focus)


# "the longest streak of small caps lagging": /streak lists the longest runs on its current run's side
# only, so the trailing side's records are refused with the form that lists them, never dropped.
_TRAILING = re.compile(r"\b(?:lag\w*|trail\w*|behind|underperform\w*|losing)\b", re.IGNORECASE)
_LONGEST_TRAILING = re.compile(
    r"\b(?:longest|records?|most)\b.*\b(?:lag\w*|trail\w*|behind|underperform\w*|losing)\b|"
    r"\b(?:lag\w*|trail\w*|underperform\w*|losing)\b.*\b(?:longest|records?)\b",
    re.IGNORECASE,
)


def _streak(q: Question) -> dict[str, str]:
    if _LONGEST_TRAILING.search(q.text):
        raise Refusal(
            "/streak lists the longest runs of its current run's side only, so it cannot show the longest "
            "runs of small caps trailing; `/history signal:streak threshold:10 direction:below` lists "
            "every trailing run that reached 10 sessions, with what followed.",
            "/history signal:streak threshold:10 direction:below",
        )
    q.take(r"\b(?:trading\s+)?(?:days|sessions)\b|\blast(?:ed|s|ing)?\b|\blasting\b|\blongest\b|\brecords?\b")
    q.take(r"\b(?:ever|of\s+all\s+time|in\s+history)\b")  # "the longest streak ever": the record runs
    q.take(r"\bsince\s+when\b|\b(?:start|started|begin|began|been)\b")  # "since when …": the run's start
    options = _dated(q, "streak", "as_of")
    return {**options, **_sides(q, "streak")}


# What /digest shows beside the gaps: the ratio against its averages and its highs.
DIGEST_WORDS = (
    (r"\b50-day\s+average\b", "50-day"),
    (r"\b200-day\s+average\b", "200-day"),
    (r"\b(?:how\s+far\s+)?(?:from|off|below|vs)\s+(?:its\s+|the\s+|their\s+)?(?:all-time\s+high|high(?:s)?|peak)\b|"
     r"\b(?:at\s+)?(?:an?\s+)?(?:all-time|record)\s+highs?\b", "from its high"),
    (r"\b(?:how\s+far\s+)?(?:from|off|below|vs)\s+(?:its\s+|the\s+)?52[- ]?w(?:ee)?k\s+high\b|"
     r"\b52[- ]?w(?:ee)?k\s+high\b", "52-week"),
)
# "Is the rotation real?", "anything notable today": the state of things, which the daily update is.
STATE_WORDS = (
    r"\b(?:is|are)\s+(?:the\s+)?(?:small[- ]caps?\s+)?(?:rotation|rally|leadership|outperformance)\s+"
    r"(?:for\s+)?(?:real|happening|underway|on|over|started|starting|sustainable|intact)\b|"
    r"\b(?:has|have)\s+(?:the\s+)?(?:rotation|rally)\s+(?:started|begun|ended|stalled)\b|"
    r"\b(?:anything|something)\s+(?:notable|new|unusual|interesting)\b|\bwhat'?s\s+new\b|"
    r"\bwhat\s+is\s+new\b|\b(?:any\s+)?signals?\s+(?:today|firing|fired)\b|\bnotable\b|\brundown\b|"
    r"\btl;?dr\b|\bstatus\b|\bhow\s+are\s+things(?:\s+looking)?\b|\bwhere\s+do\s+(?:we|things)\s+stand\b|"
    r"\bstate\s+of\s+(?:play|things|the\s+rotation)\b|\bwhat'?s\s+(?:going\s+on|happening)\b"
)
DIGEST_CUE = "|".join(p for p, _ in DIGEST_WORDS) + r"|\byesterday\b|" + STATE_WORDS


def _digest(q: Question) -> Reading:
    focus = _focus(q, tuple(sorted(DIGEST_WORDS, key=lambda row: row[1] != "52-week")))
    notes = ()
    q.take(STATE_WORDS)
    if q.take(r"\byesterday(?:'s)?\b"):
        notes = ("“yesterday” is read as the data's latest session",)
    if set(q.slots().use_tickers()) - {"^RUT", "^GSPC"}:  # its own two indices may be named
        raise Refusal("/digest is about the Russell 2000 and the S&P 500 only; for other series try /gap.")
    return Reading("digest", _dated(q, "digest", "date"), focus=focus, notes=notes)


def _dated(q: Question, command: str, option: str) -> dict[str, str]:
    """/streak and /digest stand at one session: a date, never a period ("today" is the newest)."""
    s = q.slots()
    s.use_periods()
    periods = [p for p in s.periods if p.text != "1d"]
    if periods:
        raise Refusal(
            f"/{command} describes one session, and “{escape(periods[0].said)}” is a period: "
            f"give a date, e.g. `/{command} {option}:2024-12-31`."
        )
    if len(s.days) > 1:
        first, second = (escape(d.said) for d in s.days[:2])
        raise Refusal(f"I found two dates (“{first}”, “{second}”): give one.")
    return {option: s.days[0].date.isoformat()} if s.days else {}


_PAIR_WORDS = (
    (r"\bvanguard\b", "vanguard"),
    (r"\bs\s*&\s*p\s*(?:small\s*cap\s*)?600\b|\bsp\s*600\b", "sp600"),
    (r"\brussell(?:\s*2000)?\b", "russell"),
)


def _style(q: Question) -> dict[str, str]:
    options: dict[str, str] = {}
    for pattern, pair in _PAIR_WORDS:
        if q.take(pattern):
            options.setdefault("pair", pair)
    tickers = q.slots().use_tickers()
    if tickers:
        pair = next((p for p, funds in PAIRS.items() if set(funds) == set(tickers)), None)
        if pair is None or options.get("pair", pair) != pair:
            raise Refusal(
                f"/style compares fixed value/growth pairs ({', '.join(PAIRS)}); for {', '.join(tickers)} "
                "use /compare.",
                f"/compare a:{tickers[0]} b:{tickers[-1]}",
            )
        options["pair"] = pair
    if "large" in q.slots().sizes():
        raise Refusal(
            "/style is small-cap value vs growth; for large caps compare their funds.",
            "/compare a:IWD b:IWF",
        )
    return {**options, **_one_period(q, "style", "ytd")}


# Sectors by the words people use, each with the words of its /sectors field ("3. PSCT Information
# technology"), so the one asked about is shown first.
SECTOR_WORDS = (
    (r"\b(?:tech|technology|info(?:rmation)?\s+tech(?:nology)?|semis|software)\b", "technology"),
    (r"\benergy\b|\boil\s+(?:and|&)\s+gas\b", "Energy"),
    (r"\bfinancials?\b|\bbanks?\b|\breal\s+estate\b|\breits?\b", "Financials"),
    (r"\bhealth\s*care\b|\bhealthcare\b|\bbiotech\b|\bpharma\b", "Health care"),
    (r"\bindustrials?\b", "Industrials"),
    (r"\bmaterials\b|\bminers?\b", "Materials"),
    (r"\butilities\b|\bcommunications?\b|\btelecom\b", "Utilities"),
    (r"\bstaples\b", "staples"),
    (r"\bdiscretionary\b|\bretail(?:ers)?\b", "discretionary"),
)
SECTOR_CUE = "|".join(p for p, _ in SECTOR_WORDS)


def _sectors(q: Question) -> Reading:
    focus = _focus(q, SECTOR_WORDS)
    q.take(r"\b(?:small[- ]?cap|large[- ]?cap)\s+(?=vs\b)")  # "small cap tech vs large cap tech"
    options = {}
    q.take(
        r"\b(?:best|worst|top|bottom|strongest|weakest|leading|lagging)(?:[- ]performing)?\b|"
        r"\bperform\w*\b|\branked\b"
    )
    if q.take(
        r"\b(?:vs\.?|versus|against|compared\s+(?:to|with)|relative\s+to|and|with)\s+(?:their\s+|the\s+)?"
        r"(?:large[- ]?cap(?:\s+(?:sectors|counterparts|peers|spdrs?))|large[- ]?caps?|large|big\s+caps|"
        r"(?:spdr\s+)?counterparts|spdrs?|s&p\s*500(?:\s+sectors)?)\b"
    ):
        options["vs_large"] = "true"
    s = q.slots()
    if s.use_tickers():
        raise Refusal("/sectors ranks the nine S&P 600 sector funds; for one fund try /compare.")
    if "large" in s.sizes():
        raise Refusal(
            "/sectors ranks small-cap sectors; it can set each against its large-cap counterpart.",
            "/sectors vs_large:true",
        )
    return Reading("sectors", {**_one_period(q, "sectors", "ytd"), **options}, focus=focus)


def _rates(q: Question) -> dict[str, str]:
    options = {}
    if q.take(r"\b13[- ]?w(?:ee)?k?s?\b|\b3[- ]month\s+(?:t-?)?bills?\b|\bt-?bills?\b|\bbills?\b|\b\^?irx\b"):
        options["yield"] = "13w"
    elif q.take(
        r"\b(?:the\s+)?(?:10|ten)[- ]?y(?:ea)?r?\b(?=\s+(?:yields?|treasur|notes?|rates?|bonds?))|\b\^?tnx\b"
    ):
        options["yield"] = "10y"
    q.take(r"\bthe\s+(?:10|ten)[- ]?year\b|\bthe\s+10\s*y\b")  # the default yield, named
    q.take(  # how people ask what /rates measures
        r"\baffect(?:s|ing|ed)?\b|\bimpact(?:s|ing|ed)?\b|\binfluenc\w*|\bcorrelat\w*|\bsensitiv\w*|"
        r"\brelationship\b|\btail[- ]?winds?\b|\bhead[- ]?winds?\b|\bdriv(?:e|es|en|ing)\b|\bmatters?\b|"
        r"\bbeta\b"
    )
    return _ordered(
        {**_one_period(q, "rates", "1y"), **options, **_sides(q, "rates")},
        ("period", "yield", "small", "large"),
    )


def _rrg(q: Question) -> dict[str, str]:
    options: dict[str, str] = {}
    for pattern, name in (
        (r"\bsectors?\b", "sectors"),
        (r"\bsizes?\b|\bsize\s+funds\b", "size"),
        (r"\bstyles?\b|\bvalue\s+(?:vs\.?|and|or|versus)\s+growth\b|\bvalue/growth\b", "style"),
    ):
        if q.take(pattern):
            if "set" in options:
                raise Refusal(f"/rrg shows one set at a time: {', '.join(SETS)}.")
            options["set"] = name
    if m := q.take_one(
        r"\b(?:tails?\s+of\s+|over\s+|with\s+)?(?P<n>\d{1,3})[- ]?(?:weeks?|wks?|w)\b(?:\s+tails?)?|"
        r"\bweeks\s*[:=]?\s*(?P<m>\d{1,3})\b"
    ):
        options["weeks"] = m["n"] or m["m"]
    s = q.slots()
    s.use_periods()
    s.use_tickers()
    for p in s.periods:
        if p.weeks is not None and "weeks" not in options:
            options["weeks"] = str(p.weeks)
            continue
        raise Refusal(
            f"/rrg shows the last 2 to 26 weeks, not a period like “{escape(p.said)}”.",
            "/rrg set:sectors weeks:8",
        )
    if s.days or s.tickers:
        raise Refusal("/rrg draws fixed sets of funds (sectors, size, style) to the newest week.")
    return _ordered(options, ("set", "weeks"))


def _compare(q: Question) -> dict[str, str] | Reading:
    tickers = q.slots().use_tickers()
    if not tickers:
        return _gap(q)  # "compare small caps and large caps": the gap itself
    if len(tickers) != 2:
        raise Refusal(f"/compare needs two tickers; I read {len(tickers)} ({', '.join(tickers)}).")
    sides = _sides(q, "compare", ("a", "b"))
    return _ordered({**sides, **_one_period(q, "compare", "1y")}, ("a", "b", "period"))


_HORIZONS = (
    (r"week", "1w"),
    (r"month|1 month|one month|4 weeks", "1m"),
    (r"(?:3|three) months|quarter", "3m"),
    (r"(?:6|six) months|half[- ]year", "6m"),
    (r"year|12 months|twelve months", "1y"),
)


def _history(q: Question) -> dict[str, str]:
    options: dict[str, str] = {}
    for pattern, horizon in _HORIZONS:
        if q.take(
            rf"\b(?:(?:over|in|during|for)\s+)?(?:the\s+)?(?:next|following|subsequent)\s+(?:{pattern})\b|"
            rf"\b(?:a|one)\s+(?:{pattern})\s+(?:later|after(?:wards)?)\b"
        ):
            options["horizon"] = horizon
    if m := q.take_one(
        r"\b(?P<n>\d{1,3})[- ]?(?:day|session|straight\s+day|straight\s+session)s?\s+(?:winning\s+)?"
        r"(?:streak|run)s?\b|\b(?:streak|run)s?\s+(?:of|reaching|hitting|hits|hit|at|above|over|to)\s+"
        r"(?:at\s+least\s+)?(?P<m>\d{1,3})\b(?:\s+(?:days|sessions))?|\b(?P<k>\d{1,3})\s+(?:days|sessions)\s+(?:in\s+a\s+row|straight|running)\b|"
        r"\b(?:lead|leads|led|beat|beats|outperform\w*)\s+(?:for\s+)?(?P<j>\d{1,3})\s+(?:straight\s+)?(?:days|sessions)(?:\s+straight)?\b"
    ):
        options["signal"] = "streak"
        options["threshold"] = m["n"] or m["m"] or m["k"] or m["j"]
    elif q.take_one(r"\bstreaks?\b|\bin\s+a\s+row\b"):
        options["signal"] = "streak"
    if options.get("signal") == "streak" and _TRAILING.search(q.text):  # "trailed 10 days in a row"
        q.take(_TRAILING)
        options["direction"] = "below"
    if m := q.take_one(
        r"\b(?:the\s+)?(?:ratio\s+)?cross(?:ed|es|ing)?\s+(?P<dir>above|over|below|under)?\s*(?:its\s+|the\s+)?"
        r"200[- ]?(?:day|d|session)s?(?:\s+(?:simple\s+)?(?:moving\s+)?(?:average|ma|sma|line))?|"
        r"\b200[- ]?(?:dma|sma)\b"
    ):
        options["signal"] = "ratio_cross"
        below = m["dir"] and m["dir"].lower() in ("below", "under")
        if below or q.take_one(r"\b(?:below|under|down(?:wards)?)\b"):
            options["direction"] = "below"
    if m := q.take_one(
        r"\b(?:the\s+)?(?:ratio\s+)?(?:jump(?:ed|s)?|ris(?:e|es|en)|rose|gain(?:ed|s)?|surge[sd]?|rall(?:y|ied))\s+"
        r"(?:by\s+|of\s+|more\s+than\s+|over\s+|above\s+)?(?P<n>\d{1,3}(?:\.\d+)?)\s*%|\b(?P<m>\d{1,3}(?:\.\d+)?)\s*%\s+"
        r"(?:jump|rise|gain|surge|rally)\b"
    ):
        options["signal"] = "ratio_jump"
        options["threshold"] = m["n"] or m["m"]
    if m := q.take_one(
        r"\b(?:a\s+)?(?:strong\s+)?january(?:\s+(?:gap|spread|lead|effect|outperformance))?(?:\s+(?:above|over|of|"
        r"greater\s+than|more\s+than)\s+(?P<n>\d{1,2}(?:\.\d+)?)\s*(?:pp|points?|percentage\s+points?|%)?)?"
    ):
        options["signal"] = "january"
        if m["n"]:
            options["threshold"] = m["n"]
    if q.take(
        r"\b(?:list|show)\s+(?:every|each|all)(?:\s+(?:occurrences?|times|dates|episodes|cases))?\b|\bdetails?\b|"
        r"\bwith\s+(?:the\s+)?dates\b|\bevery\s+occurrence\b"
    ):
        options["detail"] = "true"
    q.take(r"\b(?:the\s+)?(?:last|previous|past)\s+times?\b|\bevery\s+time\b|\beach\s+time\b|\bwhenever\b|\btimes?\b")
    q.take(r"\b(?:odds|chances?|probability|likelihood|likely)\b|\bkeep\s+(?:leading|winning|going)\b|\blast\b")
    q.take(r"\bafter\b|\bfollowing\b|\boccurrences?\b|\bepisodes?\b|\binstances?\b|\bsignals?\b")
    if "signal" not in options:
        raise Refusal(
            "I read a question about what followed, but not after what: a streak of N sessions, the ratio "
            "crossing its 200-day average, a jump of N% or a January gap.",
            "/history signal:streak threshold:11",
            "/history signal:ratio_cross",
        )
    _no_slots(q, "history")
    return _ordered(options, ("signal", "threshold", "horizon", "direction", "detail"))


def _valuation(q: Question) -> dict[str, str]:
    _no_slots(q, "valuation show")
    return {}


def _nothing(q: Question) -> dict[str, str]:
    return {}


def _call(q: Question) -> dict[str, str]:
    """A call has its own small grammar (``commands.calls.mention_options``): a side, a horizon, a pair
    and a free-text note, so nothing in it is "left over"."""
    try:
        options = mention_options(q.typed)  # the note as typed, not with spellings rewritten
    except UserError as exc:
        raise Refusal(str(exc), "/call side:small horizon:3m") from None
    if options is None:
        raise Refusal("A call starts with “call”: “call small 3m”.", "/call side:small horizon:3m")
    q.cover(r".+")
    return options


def _calls(q: Question) -> dict[str, str]:
    options = {}
    if status := q.take_one(r"\b(open|closed)\b"):
        options["status"] = status[1].lower()
    _no_slots(q, "calls")
    return options


_WEAK_GAP = (
    r"\bvs\.?|\bversus\b|\bv\.?\s|\bagainst\b|\bcompared\s+(?:to|with)\b|\brelative\s+to\b|"
    r"\b(?:out|under)?perform\w*|\breturns?\b|\blead(?:s|ing)?\b|\bahead\b|\bbehind\b|\bbeat(?:ing|s)?\b|"
    r"\bled\b|\blag(?:ging|s|ged)?\b|\bbeaten\b|\btop(?:s|ped|ping)?\b|\btrail(?:s|ed)?\b|\bdo(?:ing|ne)?\b|\bdid\b|\bfar(?:e|ed|ing)\b|\bgain(?:ed|s)?\b|"
    r"\bwinning\b|\blosing\b|\bhow\s+(?:much|far)\b|\bsmall(?:er)?[- ]?caps?\b|\bup\b|\bdown\b"
)

# The table: add a command here (issue 17's "call small 3m" is one more row and one builder).
