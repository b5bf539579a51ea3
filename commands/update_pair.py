"""Which pair the daily update is about: the indexes, or the fund pair while the indexes are stale.

The Russell 2000 index (^RUT) has one live provider (Yahoo). When Yahoo is down, the index pair has
no close for the session while a second provider may still have the funds that track it (IWM/SPY).
The update then uses the fund pair, and says so in a note: the index is never silently replaced,
and a channel still gets its update with fresh closes instead of a "delayed" notice.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from data.universe import FUND_PAIR, LARGE_DEFAULT, SMALL_DEFAULT

if TYPE_CHECKING:
    from .pair import HistoryProvider


async def update_pair(data: HistoryProvider, session: dt.date) -> tuple[dict[str, str], str | None]:
    """Extra /digest options for ``session``'s update (``{}``: the default index pair), and the note
    that must go with a fund pair."""
    small, large = await data.history(SMALL_DEFAULT), await data.history(LARGE_DEFAULT)
    index_last = min(small.last_session, large.last_session)
    if index_last >= session:
        return {}, None
    fund_small, fund_large = await data.history(FUND_PAIR[0]), await data.history(FUND_PAIR[1])
    fund_last = min(fund_small.last_session, fund_large.last_session)
    if fund_last <= index_last:
        return {}, None
    note = (
        f"The Russell 2000 and S&P 500 indexes have no close after {index_last} (their live source is "
        f"unavailable), so this update uses the fund pair {FUND_PAIR[0]}/{FUND_PAIR[1]} (total returns) "
        f"from {fund_small.source}."
    )
    return {"small": FUND_PAIR[0], "large": FUND_PAIR[1]}, note
