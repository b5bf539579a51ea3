"""House-style charts on matplotlib's object API (``Figure`` on Agg, never ``pyplot`` state).

Every function takes plain data and returns PNG bytes, so it can run in a worker thread or a
separate process. Colours are fixed everywhere: small caps orange, large caps blue.
"""

from __future__ import annotations

import io

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SMALL = "#E8590C"
LARGE = "#1C7ED6"
RATIO = "#495057"
UP = "#2B8A3E"
DOWN = "#C92A2A"
FADED = 0.35
SIZE = (8.0, 4.6)  # inches; at 100 dpi it stays legible when Discord scales the embed image down
DPI = 100

_STYLE = {
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "legend.frameon": False,
}


def _figure(bottom: float = 0.13, hspace: float = 0.08) -> Figure:
    """Fixed margins rather than a layout engine: constrained layout cost a third of the render time."""
    fig = Figure(figsize=SIZE, dpi=DPI)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.90, bottom=bottom, hspace=hspace)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure, as_of: str) -> bytes:
    fig.text(0.995, 0.995, f"as of {as_of} · rotation-bot", ha="right", va="top", fontsize=8, alpha=0.6)
    buf = io.BytesIO()
    # zlib level 1: a third of the encoding time for a few more kilobytes on flat-colour charts
    fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def gap_chart(frame: pd.DataFrame, small_label: str, large_label: str, title: str, as_of: str) -> bytes:
    """Both series rebased to 100 at the base close, and the small/large ratio below."""
    with mpl.rc_context(_STYLE):
        fig = _figure()
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
        rebased = frame / frame.iloc[0] * 100
        top.plot(rebased.index, rebased["small"], color=SMALL, lw=1.6, label=small_label)
        top.plot(rebased.index, rebased["large"], color=LARGE, lw=1.6, label=large_label)
        top.axhline(100, color="black", lw=0.6, alpha=0.4)
        top.set_ylabel("rebased = 100")
        top.set_title(title, loc="left")
        top.legend(loc="upper left")
        ratio = rebased["small"] / rebased["large"] * 100
        bottom.plot(ratio.index, ratio, color=RATIO, lw=1.3)
        bottom.fill_between(ratio.index, 100, ratio, where=ratio >= 100, color=UP, alpha=0.15, lw=0)
        bottom.fill_between(ratio.index, 100, ratio, where=ratio < 100, color=DOWN, alpha=0.15, lw=0)
        bottom.axhline(100, color="black", lw=0.6, alpha=0.4)
        bottom.set_ylabel("small/large")
        for label in bottom.get_xticklabels():
            label.set(rotation=25, ha="right")
        return _png(fig, as_of)


def streak_chart(spread: pd.Series, run_start: pd.Timestamp | None, title: str, as_of: str) -> bytes:
    """Daily spread (small minus large, pp) as bars; the current run drawn solid, the rest faded."""
    with mpl.rc_context(_STYLE):
        fig = _figure(bottom=0.2)
        ax = fig.subplots()
        values = spread.to_numpy() * 100
        colours = np.where(values > 0, UP, np.where(values < 0, DOWN, RATIO))
        in_run = (
            np.asarray(spread.index >= run_start) if run_start is not None else np.zeros(len(spread), bool)
        )
        x = np.arange(len(spread))
        # one LineCollection of thick vertical lines draws several times faster than 126 bar patches
        width = max(1.0, 0.8 * (SIZE[0] * DPI * 0.89) / max(len(spread), 1) * 72 / DPI)
        ax.vlines(x[~in_run], 0, values[~in_run], colors=colours[~in_run], alpha=FADED, lw=width)
        ax.vlines(x[in_run], 0, values[in_run], colors=colours[in_run], lw=width)
        if in_run.any():
            ax.axvspan(x[in_run][0] - 0.5, x[in_run][-1] + 0.5, color="#FFD43B", alpha=0.25, lw=0)
        ax.set_xlim(-1, len(spread))
        ax.axhline(0, color="black", lw=0.6)
        ticks = np.linspace(0, len(spread) - 1, num=min(7, len(spread)), dtype=int)
        ax.set_xticks(ticks, [spread.index[i].strftime("%Y-%m-%d") for i in ticks], rotation=30, ha="right")
        ax.set_ylabel("small − large, pp")
        ax.set_title(title, loc="left")
        return _png(fig, as_of)


def digest_chart(
    ratio: pd.Series,
    sma50: pd.Series,
    sma200: pd.Series,
    spread: pd.Series,
    run_start: pd.Timestamp | None,
    title: str,
    as_of: str,
) -> bytes:
    """The small/large ratio over a year with its 50- and 200-day averages; recent daily spreads below."""
    with mpl.rc_context(_STYLE):
        fig = _figure(bottom=0.08, hspace=0.3)
        top, bottom = fig.subplots(2, 1, height_ratios=[2.2, 1])
        top.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        top.plot(ratio.index, ratio, color=RATIO, lw=1.5, label="small/large")
        top.plot(sma50.index, sma50, color=SMALL, lw=1.1, label="50-day avg")
        top.plot(sma200.index, sma200, color=LARGE, lw=1.1, label="200-day avg")
        top.set_title(title, loc="left")
        top.legend(loc="best", ncols=3, fontsize=9)
        top.set_ylabel("ratio")
        values = spread.to_numpy() * 100
        x = np.arange(len(spread))
        colours = np.where(values > 0, UP, np.where(values < 0, DOWN, RATIO))
        in_run = np.asarray(spread.index >= run_start) if run_start is not None else np.zeros(len(x), bool)
        width = max(1.0, 0.8 * (SIZE[0] * DPI * 0.89) / max(len(spread), 1) * 72 / DPI)
        bottom.vlines(x[~in_run], 0, values[~in_run], colors=colours[~in_run], alpha=FADED, lw=width)
        bottom.vlines(x[in_run], 0, values[in_run], colors=colours[in_run], lw=width)
        bottom.axhline(0, color="black", lw=0.6)
        bottom.set_xlim(-1, len(spread))
        ticks = np.linspace(0, len(spread) - 1, num=min(5, len(spread)), dtype=int)
        bottom.set_xticks(ticks, [spread.index[i].strftime("%m-%d") for i in ticks])
        bottom.set_ylabel("daily pp")
        return _png(fig, as_of)
