"""/valuation's three actions, shared by the Discord cog and the console (state lives per server)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping

from commands.registry import Worker, run_inline
from commands.reply import Reply, UserError
from commands.theme import DEFAULT_THEME, themed
from commands.valuation import QUOTED, article, gap_words, parse_record, show
from data.market import MarketData
from data.sources.live import trailing_pe
from data.state import OverQuota, StateStore
from data.valuations import Observation

from .limits import VALUATIONS

LIVE_PAIR = ("IWM", "SPY")


async def live_observation(market: MarketData, today: dt.date) -> tuple[list[Observation], str | None]:
    if market.live is None:
        return [], "Live P/E figures are off in snapshot mode; showing quotes and members' records."
    small, large = await asyncio.gather(*(trailing_pe(t) for t in LIVE_PAIR))
    if small is None or large is None:
        return [], "Yahoo gave no trailing P/E for IWM and SPY just now; showing quotes and records."
    return [Observation(small, large, "trailing", "trailing", None, LIVE_SOURCE, today, "live")], None


LIVE_SOURCE = (
    "Yahoo Finance: trailing P/E of IWM (Russell 2000) and SPY (S&P 500); treatment of losses not stated"
)


def live_stand_in(today: dt.date) -> Observation:
    """What the live figures take on a page (widest figures), for counting pages before they are
    fetched: the cog refuses a page beyond the list privately, before deferring."""
    return Observation(999.99, 999.99, "trailing", "trailing", None, LIVE_SOURCE, today, "live")


async def show_valuation(
    state: StateStore,
    guild_id: int,
    market: MarketData,
    today: dt.date,
    worker: Worker = run_inline,
    page: int = 1,
    theme: str = DEFAULT_THEME,
) -> Reply:
    """Gather quotes, this server's records and live figures on the loop; build the reply in ``worker``
    (its chart in the server's ``theme``)."""
    live, note = await live_observation(market, today)
    return await worker(
        themed, theme, show, [*QUOTED, *await state.valuations(guild_id), *live], note, page, today
    )


async def record_valuation(
    state: StateStore, guild_id: int, options: Mapping[str, str], user_id: int, now: dt.datetime
) -> str:
    obs = parse_record(options, user_id, now.date())
    VALUATIONS.check([o.recorded_by for o in await state.valuations(guild_id)], user_id)
    try:
        new_id = await state.add_valuation(guild_id, obs, now, cap=VALUATIONS.cap)
    except OverQuota as over:  # another request (of any process) took the last room meanwhile
        raise VALUATIONS.refusal(over) from None
    verdict = article(gap_words(obs.discount)) if obs.discount is not None else obs.why_no_discount()
    return (
        f"Recorded #{new_id}: {obs.small_pe:g}x vs {obs.large_pe:g}x as of {obs.as_of} ({verdict}). "
        f"`/valuation remove id:{new_id}` removes it."
    )


async def remove_valuation(
    state: StateStore, guild_id: int, raw_id: str, user_id: int, can_manage_messages: bool
) -> str:
    if not raw_id.strip().lstrip("#").isdigit():
        raise UserError("`id` is the number shown as #N in `/valuation show`.")
    valuation_id = int(raw_id.strip().lstrip("#"))
    record = next((o for o in await state.valuations(guild_id) if o.id == valuation_id), None)
    if record is None:
        raise UserError(f"There is no recorded valuation #{valuation_id} in this server.")
    if record.recorded_by != user_id and not can_manage_messages:
        raise UserError(
            f"Only whoever recorded #{valuation_id}, or someone with Manage Messages in this server, "
            "can remove it."
        )
    await state.remove_valuation(guild_id, valuation_id)
    return f"Removed valuation #{valuation_id}."
