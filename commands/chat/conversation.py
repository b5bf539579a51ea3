"""Follow-ups: "and in 2023?", "same for iwm vs spy", "what about value?" after a question.

A message that changes only some slots of a question (a period, a pair, a command) inherits the rest
from the same member's previous reading in the thread. The options fall in three groups: *when*
(period, as_of, date), *which pair* (small/large, a/b, pair) and the command's *own* options (a
signal, a yield, a set). A group the new message says nothing about is carried over when the command
it is read as takes it; a group it names replaces the old one whole (a new pair never keeps half of
the old one). The result says what was carried (:attr:`Reading.carried`), and the bot shows it beside
the full command, so nothing is inherited unseen.

Only readings of the data commands are remembered (:data:`REMEMBERED`): a call, /help or /about is
not a question a follow-up refines.
"""

from __future__ import annotations

from .slots import Reading

# Which options each remembered command takes, in the order its builder writes them.
ORDER: dict[str, tuple[str, ...]] = {
    "gap": ("period", "small", "large"),
    "compare": ("a", "b", "period"),
    "streak": ("as_of", "small", "large"),
    "digest": ("date",),
    "style": ("pair", "period"),
    "sectors": ("period", "vs_large"),
    "rates": ("period", "yield", "small", "large"),
    "rrg": ("set", "weeks"),
    "history": ("signal", "threshold", "horizon", "direction", "detail"),
}
REMEMBERED = frozenset(ORDER)
WHEN = ("period", "as_of", "date")
PAIR = ("small", "large", "a", "b", "pair")
# The same slot under another command's name: /gap's small is /compare's a, /streak's as_of /digest's date.
SAME = {"small": "a", "a": "small", "large": "b", "b": "large", "as_of": "date", "date": "as_of"}
# "^\s*" openings that mark a message as a follow-up even when it names a command of its own.
FOLLOW_UP = (
    r"^\s*(?:(?:ok(?:ay)?|so|now|then|cool|nice|thx|thanks)\s*[,.!]?\s+)*(?:and\s+)?"
    r"(?:(?:what|how)\s+about|same\s+(?:thing\s+|question\s+|again\s+)?(?:for|with|but|over|in|since)|"
    r"same\s*(?=\?*$)|and|also|now|then)\b"
)

# A message opening with "vs …" sets the previous question against something else: a follow-up too,
# but its "vs" is left for the command to read ("vs large caps" is /sectors' vs_large).
VS_OPENING = r"^\s*(?:vs|versus|against|compared\s+(?:to|with))\b"


def merge(new: Reading, previous: Reading, named_sides: bool = False) -> Reading:
    """``new`` completed from ``previous`` (see the module's docstring). ``named_sides``: the new
    message named a side in words ("small caps"), which asks for the default pair again."""
    takes = ORDER.get(new.command)
    if takes is None or previous.command not in REMEMBERED:
        return new
    options = dict(new.options)
    carried: list[str] = []
    groups = [WHEN, () if named_sides else PAIR]
    if new.command == previous.command:
        groups.append(tuple(k for k in takes if k not in WHEN + PAIR))
    for group in groups:
        if any(k in options for k in group):
            continue
        for key, value in previous.options.items():
            if key not in group and SAME.get(key) not in group:
                continue
            name = key if key in takes else SAME.get(key)
            if name in takes and name not in options:
                options[name] = value
                carried.append(name)
    if not carried:
        return new
    ordered = {k: options[k] for k in takes if k in options}
    return Reading(new.command, ordered, tuple(carried), new.ignored, new.focus, new.notes)


def renamed(options: dict[str, str], command: str) -> dict[str, str]:
    """``options`` under ``command``'s names for the same slots (/gap's small is /compare's a)."""
    takes = ORDER.get(command, ())
    out = {}
    for key, value in options.items():
        name = key if key in takes else SAME.get(key)
        if name in takes:
            out[name] = value
    return {k: out[k] for k in takes if k in out}
