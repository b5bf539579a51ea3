"""House-style charts on matplotlib's object API (``Figure`` on Agg, never ``pyplot`` state).

Every function takes plain data and returns PNG bytes, so it can run in a worker thread or a
separate process. :mod:`.style` holds the one look (sizes for Discord, a dark and a light theme, the
stamp); :mod:`.series` the charts over sessions; :mod:`.research` the research desk's charts.
"""

import logging
from collections.abc import Callable

from ..reply import LEFT_OUT
from ..theme import DEFAULT_THEME, themed
from .research import rates_chart, rrg_chart, sector_chart, valuation_chart
from .series import call_chart, digest_chart, gap_chart, history_chart, streak_chart
from .style import DARK, LIGHT, THEMES, Theme, observe, theme

log = logging.getLogger(__name__)


def attach(reply, name: str, render: Callable[[], bytes]) -> None:
    """Draw ``reply``'s chart; a chart that cannot be drawn is left out with a note, never the answer.

    One odd figure (a date matplotlib cannot place, an empty or infinite series) must not turn a
    correct text answer into an apology, so every command draws through here."""
    try:
        reply.chart = render()
    except Exception:
        log.warning("chart %s left out of %r", name, reply.title, exc_info=True)
        reply.chart = None
        reply.notes.append(LEFT_OUT)
        return
    reply.chart_name = name


__all__ = [
    "DARK",
    "DEFAULT_THEME",
    "LEFT_OUT",
    "LIGHT",
    "THEMES",
    "Theme",
    "attach",
    "call_chart",
    "digest_chart",
    "gap_chart",
    "history_chart",
    "observe",
    "rates_chart",
    "rrg_chart",
    "sector_chart",
    "streak_chart",
    "theme",
    "themed",
    "valuation_chart",
]
