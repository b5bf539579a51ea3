"""Tickers, index names and sides ("small caps") as people write them."""

from __future__ import annotations

import datetime as dt
import re

from data.universe import ALIASES

from .slots import Scan, Slots

# -- tickers and sides ------------------------------------------------------------------------------

_NAMES = [  # index names people write, before tickers: (pattern, ticker)
    (
        r"\b(?:the\s+)?russell\s*(?:2000|2k)\b|\bthe\s+russell\b(?!\s*1000)|\brussell\b(?!\s*1000)|\br2k\b",
        "^RUT",
    ),
    (r"\bs\s*&\s*p\s*600\b|\bs\s*and\s*p\s*600\b|\bsp\s*600\b", "IJR"),
    (r"\bs\s*&\s*p\s*500\b|\bs\s*and\s*p\s*500\b|\bsp\s*500\b|\bs\s*&\s*p\b|\bspx\b", "^GSPC"),
    (r"\brussell\s*1000\b", "IWB"),
]
_SIZE = (
    r"\b(?:(?P<side>small(?:er)?|large(?:r)?)(?:[- ]?(?:caps?|capitali[sz]ations?))?|"
    r"(?P<big>big|mega)[- ]?caps?)\b"
)
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Ordinary words that happen to be (or may one day be) tickers: only ``$IT`` makes them one.
ORDINARY = _words(
    """
    a i it all on are is be am an as at by do go he me my no of or so to up us we if in one two ten
    big low key any can cat now was see new old few who why how far buy out win has had its well
    fast ever very love life real true hope next best good bad run fun
    """
)
_NOT_TICKERS = frozenset({"SMALL", "LARGE"})  # aliases, but as words they name a side
_TOKEN = re.compile(r"(?<![\w$^])(?P<sign>\$\^?|\^)?(?P<word>[A-Za-z][A-Za-z0-9.=-]{0,11})(?![\w^])")


def read_names(q: Scan, slots: Slots) -> None:
    for pattern, ticker in _NAMES:
        for m in q.take(pattern):
            slots.sides.append((m.start(), "", ticker))
            slots.said_tickers.append(m[0])


def read_tickers(q: Scan, slots: Slots) -> None:
    """Tickers the data knows, in any case or with a $; sides named in words. Positions keep the order."""
    for m in _TOKEN.finditer(q.text):
        if q.is_read(m.start(), m.end()):
            continue
        word, sign = m["word"].rstrip(".-"), m["sign"] or ""
        upper = word.upper()
        canonical = q.known.get(upper) or (ALIASES.get(upper) if upper not in _NOT_TICKERS else None)
        if sign.startswith("$"):
            ticker = canonical or ("^" if "^" in sign else "") + upper
        elif sign == "^" or (canonical and word.lower() not in ORDINARY):
            if canonical is None:
                continue
            ticker = canonical
        else:
            continue
        q.mark(m.start(), m.start() + len(sign) + len(word))
        slots.sides.append((m.start(), "", ticker))
        slots.said_tickers.append(m[0])
    for m in q.take(_SIZE):
        side = "small" if m["side"] and m["side"].lower().startswith("small") else "large"
        slots.sides.append((m.start(), side, None))




def names_in(text: str, known_tickers: list[str]) -> Slots:
    """Tickers (and index names) in the order typed, and sides named in words ("small caps"): the
    thread grammar's reader as a plain function. ``.tickers`` and ``.sizes()`` of the result hold them.
    The text is not read for periods first, so "Russell 2000" is still the index, never the year."""
    scan = Scan(text, known_tickers, dt.date.min)
    slots = Slots()
    read_names(scan, slots)
    read_tickers(scan, slots)
    return slots


SMALL_SIDE = frozenset({"^RUT", "IWM", "IWN", "IWO", "VB", "VBR", "VBK", "IJR", "IJS", "IJT"})
LARGE_SIDE = frozenset({"^GSPC", "SPY", "IWB", "IWD", "IWF", "VTV", "VUG"})


def size_of(ticker: str) -> str | None:
    """"small" or "large" for the data's size and style funds and indices (sector funds by their
    family: PSC* are S&P 600 sectors, XL* S&P 500 ones); None for anything else."""
    if ticker in SMALL_SIDE or ticker.startswith("PSC"):
        return "small"
    if ticker in LARGE_SIDE or ticker.startswith("XL"):
        return "large"
    return None
