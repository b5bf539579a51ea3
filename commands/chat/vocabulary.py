"""How analysts write in a thread, rewritten to the words the grammar reads: "perf" is performance,
"sc vs lc" small caps vs large caps, "yr" a year, "rn" now. Applied to the text before anything is
read (:class:`commands.chat.slots.Scan`), so every reader and every command sees the same words.

Each row is (pattern, replacement), whole words only, case-insensitive. A replacement must not
change what a word means, only how it is spelt: meaning stays in the readers and the table of
intents, where it is tested."""

from __future__ import annotations

import re

SPELLINGS: tuple[tuple[str, str], ...] = (
    (r"perf", "performance"),
    (r"hows", "how is"),
    (r"hw", "how"),
    (r"whats", "what is"),
    (r"wats", "what is"),
    (r"yrs", "years"),
    (r"yr", "year"),
    (r"y/y", "over the past year"),
    (r"yoy", "over the past year"),
    (r"mos", "months"),
    (r"wk", "week"),
    (r"wks", "weeks"),
    (r"qtrs?", "quarter"),
    (r"rn", "now"),
    (r"atm", "now"),
    (r"tdy", "today"),
    (r"yday|yest", "yesterday"),
    (r"sc", "small caps"),
    (r"lc", "large caps"),
    (r"smallcaps?", "small caps"),
    (r"largecaps?", "large caps"),
    (r"small\s*cap\s*stocks", "small caps"),
    (r"r2000", "russell 2000"),
    (r"u", "you"),
    (r"r", "are"),
    (r"ur", "your"),
    (r"pls|plz|pl[sz]e", "please"),
    (r"vs\.?|v\.|versus", "vs"),
    (r"dd", "drawdown"),
    (r"vola?|volatility", "volatility"),
    (r"corr(?:el)?", "correlation"),
    (r"ath|all\s+time\s+highs?", "all-time high"),
    (
        r"(?P<n>50|200)\s*-?\s*(?:dma|d\s*ma|sma|ma|day\s+(?:simple\s+)?(?:ma|sma|moving\s+average|average|avg|line)|"
        r"day(?!\s+(?:streak|run|winning|stretch)))",
        r"\g<n>-day average",
    ),
)
_COMPILED = [(re.compile(rf"(?<![\w$^/&-])(?:{p})(?![\w/&-])", re.IGNORECASE), r) for p, r in SPELLINGS]


def normalise(text: str) -> str:
    """``text`` with the analysts' spellings of :data:`SPELLINGS` rewritten."""
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return text
