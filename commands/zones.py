"""Time zones a server may choose: the IANA list of real zones, never what merely loads.

``ZoneInfo`` loads whatever file it finds under the zone directory, so ``localtime`` (the host's own
zone, different on every host), ``Factory`` (a placeholder with the abbreviation ``-00``), the
``posix/`` and ``right/`` copies (``right/`` counts leap seconds, which no clock here does) and
``posixrules`` are accepted by it yet are not zones a member means; a bare region (``America``) or a
300-character value is not a file at all and raised an error nobody caught. So the choice is checked
against :func:`zoneinfo.available_timezones` minus those, case-insensitively, and a refusal offers
real names close to what was typed.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from .escape import code
from .reply import UserError

NOT_ZONES = {"Factory", "localtime", "posixrules"}
NOT_ZONE_PREFIXES = ("posix/", "right/")
EXAMPLES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC")


@cache
def zones() -> dict[str, str]:
    """Every real zone name, keyed by its lower case (so ``europe/berlin`` finds ``Europe/Berlin``)."""
    return {
        name.lower(): name
        for name in zoneinfo.available_timezones()
        if name not in NOT_ZONES and not name.startswith(NOT_ZONE_PREFIXES)
    }


def matching(typed: str, limit: int = 25) -> list[str]:
    """Real zones for ``typed``: those starting with it first, then those containing it."""
    needle = typed.strip().lower().replace(" ", "_")
    names = sorted(zones().values())
    starts = [n for n in names if n.lower().startswith(needle)]
    contains = [n for n in names if needle in n.lower() and n not in starts]
    return (starts + contains)[:limit]


def parse_zone(typed: str) -> str:
    """The canonical IANA name for ``typed``, or a :class:`UserError` with names that are close."""
    name = zones().get(typed.strip().lower())
    if name is not None:
        return name
    close = matching(typed, 5) if 0 < len(typed.strip()) <= 40 else []
    offer = f"close to it: {', '.join(close)}" if close else f"e.g. {', '.join(EXAMPLES)}"
    raise UserError(
        f"{code(typed, 40)} is not a time zone. Use an IANA zone name ({offer}); "
        "the option suggests names as you type."
    )
