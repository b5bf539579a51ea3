"""``python -m bot gallery [folder]``: every command's chart on the bundled data, one PNG per line.

What the README shows is made here, so it can always be made again, and the layout test renders the
same lines (and more variants). Each file is named after the command line that drew it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from commands.charts import DEFAULT_THEME, THEMES, themed
from commands.registry import default_registry, execute
from commands.reply import Reply
from commands.valuation import QUOTED, show
from data.market import MarketData

from .console import in_thread

log = logging.getLogger(__name__)

LINES = (
    "/gap period:ytd",
    "/gap period:1d",
    "/gap period:max",
    "/compare a:IWN b:IWO period:3y",
    "/style pair:vanguard period:1y",
    "/streak as_of:2026-01-16",
    "/digest",
    "/sectors vs_large:true",
    "/rates period:1y",
    "/rrg set:sectors weeks:8",
    "/rrg set:style weeks:26",
    "/history signal:streak threshold:11",
    "/valuation show",
)


def file_name(line: str, theme: str = DEFAULT_THEME) -> str:
    """``/gap period:1d`` -> ``gap-period-1d.png`` (``-light`` before the suffix for that theme)."""
    stem = re.sub(r"[^a-z0-9]+", "-", line.lower()).strip("-")
    return f"{stem}{'' if theme == DEFAULT_THEME else '-' + theme}.png"


async def answer(line: str, market: MarketData, theme: str = DEFAULT_THEME) -> Reply:
    """One gallery line's reply; /valuation shows the quotes it ships with (no server's records)."""
    if line == "/valuation show":
        return await in_thread(themed, theme, show, list(QUOTED))
    command, query = default_registry().validate_line(line)
    return await execute(command, query, market, in_thread, theme)


async def write_gallery(
    folder: Path, market: MarketData, themes: tuple[str, ...] = tuple(THEMES)
) -> list[Path]:
    written = []
    for theme in themes:
        for line in LINES:
            reply = await answer(line, market, theme)
            if reply.chart is None:
                log.warning("%s drew no chart", line)
                continue
            written.append(await asyncio.to_thread(_write, folder / file_name(line, theme), reply.chart))
    return written


def _write(path: Path, png: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path
