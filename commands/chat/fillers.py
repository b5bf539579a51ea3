"""Words read past: an unknown word does not block a question when every word that carries meaning
was read. What may be read past is decided by what the word could change, not by a list of fillers:
a word with a digit, a ticker typed in capitals or with ``$``, or any word of :data:`MEANINGFUL` (a
word that would change which figures answer: "before", "excluding", "tech", "mid") still blocks the
reading and is quoted back. Whatever was read past is listed under the answer ("Ignored: …")."""

from __future__ import annotations

import re

MEANINGFUL = frozenset(
    """
    before after until till except excluding exclude ex without not no never only but instead minus
    plus between low lows high highs peak peaks bottom trough top crash rally covid election fed cut
    cuts hike hikes war recession mid micro mega nano value growth momentum quality size factor
    earnings revenue sales profit profits margins margin eps dividend dividends yield yields total
    price nominal real adjusted inflation hedged equal weight weighted international global foreign
    weekly monthly daily intraday hourly annualized annualised cumulative average median mean
    percent percentage tech technology energy financials financial banks bank healthcare health
    utilities industrials materials staples discretionary reits biotech semis semiconductors
    consumer communication telecom sector sectors buy sell short long hold target forecast predict
    next future tomorrow expected expect will odds probability chance chances risk sharpe day days week
    weeks month months quarter quarters year years session sessions monday tuesday wednesday thursday
    friday
    """.split()  # noqa: SIM905
)
MAX_IGNORED = 3
_WORD = re.compile(r"^[A-Za-z][a-z']*$")


def ignorable(runs: list[str], text: str) -> tuple[str, ...] | None:
    """The words of ``runs`` (the unread parts of ``text``) if they may all be read past, else None.
    At most :data:`MAX_IGNORED` words, never more than a third of the message, and never a word in a
    pair's place ("iwm vs ivv": an unknown ticker, not a filler)."""
    words_in_message = len(text.split())
    words = [w.strip(".,!?;:'\"()") for run in runs for w in run.split()]
    words = [w for w in words if w]
    if not words or len(words) > MAX_IGNORED or 3 * len(words) > max(words_in_message, 1):
        return None
    for word in words:
        if not _WORD.match(word) or word.lower() in MEANINGFUL or len(word) > 14:
            return None  # a digit, a capitalised ticker-like word, punctuation inside, a word that matters
        w = re.escape(word)
        if re.search(rf"(?:\bvs|\bversus|\bagainst|/)\s*\$?{w}\b|\b{w}\s*(?:vs\b|versus\b|/)", text, re.I):
            return None
    return tuple(words)
