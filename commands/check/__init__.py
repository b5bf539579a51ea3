"""/check: the claims of a text (an article, a sentence) against the data, one verdict each.

``claims`` finds them (with the thread grammar's readers, through ``readers``), ``verdicts`` judges
each on the closes, ``report`` writes them out for the console and for Discord. :func:`request` reads
a thread message that asks for a check ("@rotation-bot check: small caps beat large caps in 2025").
"""

from __future__ import annotations

import datetime as dt
import re

from ..periods import parse_date

_CHECK = re.compile(r"^\s*(?:(?:<@!?\d+>|@\S+)\s*)*check\b\s*[:,;.\-–—]?\s*", re.IGNORECASE)
_AS_OF = re.compile(r"(?<!\S)as_of[:=](\S+)", re.IGNORECASE)


def request(content: str) -> tuple[str, dt.date | None] | None:
    """(the text to check, the date it was given with ``as_of:``) for a message starting with "check";
    None for any other message. A bad date is a :class:`commands.reply.UserError`."""
    m = _CHECK.match(content)
    if m is None:
        return None
    text = content[m.end() :]
    as_of = None
    if found := _AS_OF.search(text):
        as_of = parse_date(found[1], "as_of date")
        text = text[: found.start()] + text[found.end() :]
    return text.strip(), as_of
