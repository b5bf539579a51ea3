"""House-style charts on matplotlib's object API (``Figure`` on Agg, never ``pyplot`` state).

Every function takes plain data and returns PNG bytes, so it can run in a worker thread or a
separate process. Colours are fixed everywhere: small caps orange, large caps blue.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

log = logging.getLogger(__name__)

LEFT_OUT = "The chart was left out: it could not be drawn from these figures. The text above is complete."

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


def _session_ticks(ax, index: pd.DatetimeIndex, count: int = 5) -> None:
    """Fixed ticks on session positions: date locators cost a third of a small chart's render time."""
    ticks = np.unique(np.linspace(0, len(index) - 1, num=min(count, len(index)), dtype=int))
    fmt = "%Y-%m-%d" if index[-1] - index[0] < pd.Timedelta(days=3 * 365) else "%Y-%m"
    ax.set_xticks(ticks, [index[i].strftime(fmt) for i in ticks])
    labels = ax.get_xticklabels()
    labels[0].set_horizontalalignment("left")  # the end labels stay inside the figure
    labels[-1].set_horizontalalignment("right")
    ax.set_xlim(-0.5, len(index) - 0.5)


def gap_chart(frame: pd.DataFrame, small_label: str, large_label: str, title: str, as_of: str) -> bytes:
    """Both series rebased to 100 at the base close, and the small/large ratio below."""
    with mpl.rc_context(_STYLE):
        fig = _figure()
        top, bottom = fig.subplots(2, 1, height_ratios=[2.2, 1])
        rebased = frame / frame.iloc[0] * 100
        x = np.arange(len(frame))
        top.plot(x, rebased["small"].to_numpy(), color=SMALL, lw=1.6, label=small_label)
        top.plot(x, rebased["large"].to_numpy(), color=LARGE, lw=1.6, label=large_label)
        top.axhline(100, color="black", lw=0.6, alpha=0.4)
        top.set_ylabel("rebased = 100")
        top.set_title(title, loc="left")
        top.legend(loc="upper left")
        top.set_xlim(-0.5, len(frame) - 0.5)
        top.set_xticks([])
        ratio = (rebased["small"] / rebased["large"] * 100).to_numpy()
        bottom.plot(x, ratio, color=RATIO, lw=1.3)
        bottom.fill_between(x, 100, ratio, where=ratio >= 100, color=UP, alpha=0.15, lw=0)
        bottom.fill_between(x, 100, ratio, where=ratio < 100, color=DOWN, alpha=0.15, lw=0)
        bottom.axhline(100, color="black", lw=0.6, alpha=0.4)
        bottom.set_ylabel("small/large")
        _session_ticks(bottom, frame.index)
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


def sector_chart(
    labels: list[str], small: list[float], large: list[float] | None, title: str, as_of: str
) -> bytes:
    """Ranked horizontal bars (best at the top); large-cap counterparts as thin bars beside them."""
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=SIZE, dpi=DPI)
        fig.subplots_adjust(left=0.34, right=0.97, top=0.90, bottom=0.1)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        y = np.arange(len(labels))[::-1]
        values = np.array(small) * 100
        ax.barh(
            y + (0.18 if large else 0),
            values,
            height=0.36 if large else 0.7,
            color=np.where(values >= 0, SMALL, DOWN),
            label="small-cap sector",
        )
        if large is not None:
            ax.barh(
                y - 0.18,
                np.array(large) * 100,
                height=0.36,
                color=LARGE,
                alpha=0.7,
                label="large-cap counterpart",
            )
            ax.legend(loc="lower right")
        ax.set_yticks(y, labels)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlabel("total return, %")
        ax.set_title(title, loc="left")
        return _png(fig, as_of)


def rates_chart(ratio: pd.Series, yields: pd.Series, yield_name: str, title: str, as_of: str) -> bytes:
    """The ratio (left axis) and the yield (right axis), weekly."""
    with mpl.rc_context(_STYLE):
        fig = _figure(bottom=0.12)
        ax = fig.subplots()
        ax.plot(ratio.index, ratio, color=RATIO, lw=1.5, label="small/large ratio")
        ax.set_ylabel("small/large ratio", color=RATIO)
        right = ax.twinx()
        right.plot(yields.index, yields, color=LARGE, lw=1.3, label=f"{yield_name}, %")
        right.set_ylabel(f"{yield_name} yield, %", color=LARGE)
        right.grid(False)
        right.spines["right"].set_visible(True)
        ax.set_title(title, loc="left", fontsize=11)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        ax.legend(handles, [h.get_label() for h in handles], loc="upper left")
        return _png(fig, as_of)


def rrg_chart(
    tails: dict[str, tuple[list[float], list[float]]],
    title: str,
    as_of: str,
    near: tuple[str, ...] | list[str] = (),
    band: float = 0.0,
) -> bytes:
    """RS-Ratio (x) against RS-Momentum (y), quadrants shaded and named, a tail per fund.

    ``band`` > 0 shades the strip within ±band of 100 on each axis; funds in ``near`` (a coordinate
    in that strip: a boundary call) get a dashed ring and "≈" after their name."""
    with mpl.rc_context(_STYLE):
        fig = _figure(bottom=0.11)
        ax = fig.subplots()
        xs = [v for x, _ in tails.values() for v in x]
        ys = [v for _, y in tails.values() for v in y]
        span = max(3.0, max(abs(v - 100) for v in xs + ys) * 1.15)
        ax.set_xlim(100 - span, 100 + span)
        ax.set_ylim(100 - span, 100 + span)
        for (x0, y0), colour, name in [
            ((100, 100), UP, "Leading"),
            ((100, 100 - span), "#F08C00", "Weakening"),
            ((100 - span, 100 - span), DOWN, "Lagging"),
            ((100 - span, 100), LARGE, "Improving"),
        ]:
            ax.add_patch(mpl.patches.Rectangle((x0, y0), span, span, color=colour, alpha=0.07, lw=0))
            ax.text(
                x0 + (span - 0.2 if x0 == 100 else 0.2),
                y0 + (span - 0.3 if y0 == 100 else 0.3),
                name,
                ha="right" if x0 == 100 else "left",
                va="top" if y0 == 100 else "bottom",
                color=colour,
                fontweight="bold",
                alpha=0.8,
            )
        palette = mpl.colormaps["tab10"]
        for i, (ticker, (x, y)) in enumerate(tails.items()):
            colour = palette(i % 10)
            ax.plot(x, y, color=colour, lw=1.2, alpha=0.8)
            ax.scatter(x[:-1], y[:-1], color=colour, s=8, alpha=0.6)
            ax.scatter(x[-1:], y[-1:], color=colour, s=40, edgecolor="black", lw=0.5, zorder=3)
            label = f"{ticker} ≈" if ticker in near else ticker
            if ticker in near:
                ax.scatter(x[-1:], y[-1:], s=160, facecolors="none", edgecolors=colour, linestyle="--", lw=1)
            ax.annotate(label, (x[-1], y[-1]), xytext=(4, 4), textcoords="offset points", fontsize=9)
        ax.axhline(100, color="black", lw=0.6)
        ax.axvline(100, color="black", lw=0.6)
        if band > 0:
            ax.axvspan(100 - band, 100 + band, color="black", alpha=0.05, lw=0)
            ax.axhspan(100 - band, 100 + band, color="black", alpha=0.05, lw=0)
        ax.set_xlabel("RS-Ratio")
        ax.set_ylabel("RS-Momentum")
        ax.set_title(title, loc="left")
        return _png(fig, as_of)


def valuation_chart(points: list, band: tuple[float, float], title: str, as_of: str) -> bytes:
    """Recorded discounts over time, with the quoted band shaded and labelled as a quote."""
    with mpl.rc_context(_STYLE):
        fig = _figure(bottom=0.14)
        ax = fig.subplots()
        dates = [pd.Timestamp(d) for d, _ in points]
        values = [v * 100 for _, v in points]
        ax.axhspan(band[0] * 100, band[1] * 100, color=LARGE, alpha=0.12, lw=0)
        ax.text(
            0.01,
            band[1] * 100,
            " quoted 'historical average' band (a quote)",
            transform=ax.get_yaxis_transform(),
            va="bottom",
            fontsize=9,
            color=LARGE,
        )
        ax.plot(dates, values, color=SMALL, marker="o", lw=1.4)
        for d, v in zip(dates, values, strict=True):
            ax.annotate(f"{v:.1f}%", (d, v), xytext=(4, 6), textcoords="offset points", fontsize=9)
        ax.set_ylabel("discount, %  (1 − small P/E / large P/E)")
        ax.set_ylim(0, max([*values, band[1] * 100]) * 1.25)
        ax.set_title(title, loc="left")
        for label in ax.get_xticklabels():
            label.set(rotation=25, ha="right")
        return _png(fig, as_of)


def history_chart(paths: np.ndarray, band: np.ndarray, title: str, as_of: str) -> bytes:
    """Each occurrence's ratio path (rebased to 100), their median in bold, the all-session band behind."""
    with mpl.rc_context(_STYLE):
        fig = _figure(bottom=0.12)
        ax = fig.subplots()
        x = np.arange(band.shape[1])
        ax.fill_between(x, band[0], band[2], color=LARGE, alpha=0.12, lw=0, label="all sessions, 10–90%")
        ax.plot(x, band[1], color=LARGE, lw=1, ls="--", label="all sessions, median")
        for path in paths:
            ax.plot(x, path, color=SMALL, lw=0.8, alpha=0.35)
        if len(paths):
            ax.plot(x, np.median(paths, axis=0), color=SMALL, lw=2.6, label="after the signal, median")
        ax.axhline(100, color="black", lw=0.6)
        ax.set_xlabel("sessions after the signal")
        ax.set_ylabel("small/large ratio, signal = 100")
        ax.set_title(title, loc="left", fontsize=11)
        ax.legend(loc="upper left", fontsize=9)
        return _png(fig, as_of)


def call_chart(spread: pd.Series, side: str, end: str, title: str, as_of: str) -> bytes:
    """A call's window: the spread since the base close (small − large, pp), shaded on the side that
    leads; a window still open runs to today and the end session is named in the x label."""
    with mpl.rc_context(_STYLE):
        fig = _figure(bottom=0.16)
        ax = fig.subplots()
        values = spread.to_numpy() * 100
        x = np.arange(len(values))
        ax.fill_between(x, 0, values, where=values >= 0, color=SMALL, alpha=0.25, lw=0, interpolate=True)
        ax.fill_between(x, 0, values, where=values < 0, color=LARGE, alpha=0.25, lw=0, interpolate=True)
        ax.plot(x, values, color=SMALL if side == "small" else LARGE, lw=2)
        ax.axhline(0, color="black", lw=0.6)
        label = f"{values[-1]:+.2f} pp"
        ax.annotate(label, (x[-1], values[-1]), xytext=(-4, 6), textcoords="offset points", ha="right")
        _session_ticks(ax, spread.index)
        ax.set_xlabel(f"sessions from the base close to {end}")
        ax.set_ylabel("small − large since the call, pp")
        ax.set_title(title, loc="left")
        return _png(fig, as_of)
