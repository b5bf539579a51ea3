"""Plain questions in a thread ("@rotation-bot how big is the gap this year?") -> a command line.

The grammar is small on purpose, so its answers are predictable:
- the command from its words: *streak, in a row, consecutive, run* -> /streak; *digest, update,
  summary, overview* -> /digest; *gap, spread, lead, ahead, behind, perform, return, vs* -> /gap;
  *help, what can you* -> /help;
- a period: *today* (1d), *this week* / *week* (1w), *this month* (mtd), *month* (1m), *quarter*
  (3m), *N months* (1, 3, 6), *this year* / *ytd* (ytd), *N years* (1, 3, 5, 10), *all time* (max),
  a year (2024), a month (2024-03) or a range (2024-01-01..2024-06-30);
- a date for /streak and /digest: *on* or *as of* 2026-01-16;
- tickers: known symbols in capitals or with a $ (IWM, $SPY): the first is the small side, the second
  the large side.
"""

from __future__ import annotations

import re

from data.universe import ALIASES

from .reply import UserError

UNDERSTOOD = (
    "I understand questions like: “how big is the gap this year?”, “gap IWM vs SPY over 3 months”, "
    "“what's the streak?”, “streak as of 2026-01-16”, “today's update”, “help”."
)

_COMMANDS = [
    ("help", r"\bhelp\b|what can you"),
    ("streak", r"\bstreaks?\b|in a row|consecutive|\bruns?\b"),
    ("digest", r"\bdigest\b|\bupdate\b|\bsummary\b|\boverview\b"),
    ("gap", r"\bgap\b|\bspread\b|\blead|\bahead\b|\bbehind\b|perform|\breturns?\b|\bvs\.?\b|\bversus\b"),
]
_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_PERIODS = [
    (rf"({_DATE})\s*(?:\.\.|to|until|-)\s*({_DATE})", lambda m: f"{m[1]}..{m[2]}"),
    (r"\bytd\b|this year|year to date|so far this year", lambda m: "ytd"),
    (r"\bmtd\b|this month|month to date", lambda m: "mtd"),
    (r"\btoday\b|\b1d\b", lambda m: "1d"),
    (r"\b(1|3|6)\s*(?:months?|mo)\b", lambda m: f"{m[1]}m"),
    (r"\b(1|3|5|10)\s*(?:years?|yrs?|y)\b", lambda m: f"{m[1]}y"),
    (r"this week|past week|\b1w\b|\bweek\b", lambda m: "1w"),
    (r"\bquarter\b", lambda m: "3m"),
    (r"\bmonth\b", lambda m: "1m"),
    (r"all[- ]time|\bmax\b|since inception", lambda m: "max"),
    (r"\b((?:19|20)\d{2}-\d{1,2})\b(?!-)", lambda m: m[1]),
    (r"\b((?:19|20)\d{2})\b(?!-)", lambda m: m[1]),
]
_AS_OF = re.compile(rf"\b(?:as of|on|for)\s+({_DATE})")
_TICKER = re.compile(r"\$?\^?\b[A-Z][A-Z0-9]{1,5}\b")


def to_line(text: str, known_tickers: list[str]) -> str:
    """The command line a plain question stands for; :class:`UserError` with the grammar otherwise."""
    cleaned = re.sub(r"<@!?\d+>|<@&\d+>|@everyone|@here", " ", text).strip()
    lower = cleaned.lower()
    name = next((n for n, pattern in _COMMANDS if re.search(pattern, lower)), None)
    if name is None:
        raise UserError(UNDERSTOOD)
    if name == "help":
        return "/help"
    options: dict[str, str] = {}
    as_of = _AS_OF.search(lower)
    if name in ("streak", "digest") and as_of:
        options["as_of" if name == "streak" else "date"] = as_of[1]
    if name == "gap":
        for pattern, value in _PERIODS:
            if m := re.search(pattern, lower):
                options["period"] = value(m)
                break
    known = {t.lstrip("^") for t in known_tickers} | set(ALIASES)
    tickers = [w.lstrip("$") for w in _TICKER.findall(cleaned) if w.lstrip("$^") in known]
    for side, ticker in zip(("small", "large"), tickers, strict=False):
        options[side] = ticker
    return f"/{name} " + " ".join(f'{k}:"{v}"' for k, v in options.items())
