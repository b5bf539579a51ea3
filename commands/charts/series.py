"""Charts over sessions: /gap (and /compare, /style), /streak, /digest, /history.

Series are drawn against session positions (0, 1, 2, ...) with a few dated ticks placed by hand:
matplotlib's date locators cost a third of a small chart's render time, and positions also leave
no gaps for weekends and holidays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from .kept import kept_figure
from .style import Theme, figure, png

STEPS = (1, 2, 2.5, 5, 10)  # tick steps people read at a glance (never 1.5 or 0.8)
LOG_SPAN = 3.0  # a series spanning more than 3× (max over min) is drawn on a log scale
COLUMNS = 700  # about the plot area's width in pixels (~680 of the chart's 800)


def session_ticks(ax: Axes, index: pd.DatetimeIndex, count: int = 5) -> None:
    """Up to ``count`` dated ticks at session positions, in one format for the whole axis, never
    closer than a label's width: a week of sessions gets three, a year five.

    The format shows as much as the span needs to keep every label distinct: days within a few
    years, months within a decade, years beyond (a coarse format repeating falls back to days)."""
    n = len(index)
    span = index[-1] - index[0]
    if span < pd.Timedelta(days=3 * 365):
        fmt, room = "%Y-%m-%d", 125  # px a label needs, with a gap, at 12 pt
    elif span < pd.Timedelta(days=12 * 365):
        fmt, room = "%Y-%m", 90
    else:
        fmt, room = "%Y", 60
    per_session = 680 / max(n - 1, 1)  # px between sessions on an ~680 px wide axis
    fits = (n - 1) // max(1, -(-room // per_session)) + 1 if n > 1 else 1
    ticks = np.unique(np.linspace(0, n - 1, num=max(1, min(count, n, fits))).round().astype(int))
    labels = [index[i].strftime(fmt) for i in ticks]
    if len(set(labels)) < len(labels):
        labels = [index[i].strftime("%Y-%m-%d") for i in ticks]
    ax.set_xticks(ticks, labels)
    ax.set_xlim(-0.5, n - 0.5)


def envelope(values: np.ndarray, columns: int = COLUMNS) -> np.ndarray | None:
    """The positions worth drawing of a long series: split into ``columns`` runs of consecutive
    sessions, each run's first, last, lowest and highest (the M4 aggregation, Jugel et al., VLDB
    2014). A line through them touches the pixels the whole series touches, peaks and troughs
    included, so the picture is the same to the eye (a test bounds the pixels that differ) while
    /gap period:max draws ~2,800 points a line instead of 9,810. None when there is nothing to gain
    (fewer than three sessions a column) or a value is missing."""
    n = len(values)
    k = n // columns
    if k < 3 or not np.isfinite(values).all():
        return None
    whole = n // k * k
    starts = np.arange(0, whole, k)
    runs = values[:whole].reshape(-1, k)
    keep = (starts, starts + k - 1, starts + runs.argmin(axis=1), starts + runs.argmax(axis=1))
    return np.unique(np.concatenate([*keep, np.arange(whole, n)]))


def _line(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Session positions and values to draw: the :func:`envelope` of a long series."""
    kept = envelope(values)
    return (np.arange(len(values)), values) if kept is None else (kept, values[kept])


def log_if_wide(ax: Axes, values: np.ndarray) -> bool:
    """A log scale when the values span more than :data:`LOG_SPAN`, with plain-number ticks."""
    finite = values[np.isfinite(values) & (values > 0)]
    if not len(finite) or finite.max() / finite.min() <= LOG_SPAN:
        return False
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    return True


def _spread_bars(ax: Axes, t: Theme, spread: pd.Series, run_start: pd.Timestamp | None) -> None:
    """Daily spreads in pp as bars, the current run solid and highlighted, the rest faded.

    One LineCollection of thick vertical lines draws several times faster than a patch per bar."""
    values = spread.to_numpy() * 100
    x = np.arange(len(spread))
    colours = np.where(values > 0, t.up, np.where(values < 0, t.down, t.muted))
    in_run = np.asarray(spread.index >= run_start) if run_start is not None else np.zeros(len(x), bool)
    width = max(1.0, 0.75 * 0.85 * 800 / max(len(spread), 1) * 72 / 100)  # points, ~3/4 of a slot
    ax.vlines(x[~in_run], 0, values[~in_run], colors=colours[~in_run], alpha=0.4, lw=width)
    ax.vlines(x[in_run], 0, values[in_run], colors=colours[in_run], lw=width)
    if in_run.any():
        ax.axvspan(x[in_run][0] - 0.5, x[in_run][-1] + 0.5, color=t.highlight, alpha=0.13, lw=0)
    ax.axhline(0, color=t.muted, lw=0.8)


def gap_chart(
    frame: pd.DataFrame,
    small_label: str,
    large_label: str,
    title: str,
    as_of: str,
    ratio_label: str = "small/large",
) -> bytes:
    """Both series rebased to 100 at the base close, and their ratio (rebased to 100) below.

    One session (``period:1d``) is two bars of returns: a line between two points says nothing."""
    if len(frame) <= 2:
        return _one_session(frame, small_label, large_label, title, as_of)
    with kept_figure("gap", 2, 1, height_ratios=[2.2, 1]) as (fig, t, (top, bottom)):
        rebased = frame.to_numpy() / frame.to_numpy()[0] * 100
        top.plot(*_line(rebased[:, 0]), color=t.small, label=small_label)
        top.plot(*_line(rebased[:, 1]), color=t.large, label=large_label)
        top.axhline(100, color=t.muted, lw=0.8)
        top.yaxis.set_major_locator(MaxNLocator(5, steps=STEPS))  # fewer, larger labels read better
        log = log_if_wide(top, rebased.ravel())
        top.set_ylabel("rebased, log" if log else "rebased = 100")
        top.legend(loc="upper left")
        top.set_xticks([])  # the panels share the sessions: dates once, below
        top.set_xlim(-0.5, len(frame) - 0.5)
        ratio = rebased[:, 0] / rebased[:, 1] * 100
        x, drawn = _line(ratio)
        bottom.plot(x, drawn, color=t.ratio, lw=1.6)
        # clipped at 100 rather than split with ``where=``: one polygon each, the same picture
        bottom.fill_between(x, 100, np.maximum(drawn, 100), color=t.up, alpha=0.2, lw=0)
        bottom.fill_between(x, 100, np.minimum(drawn, 100), color=t.down, alpha=0.2, lw=0)
        bottom.axhline(100, color=t.muted, lw=0.8)
        bottom.yaxis.set_major_locator(MaxNLocator(3, steps=STEPS))
        log_if_wide(bottom, ratio)
        bottom.set_ylabel(ratio_label)
        session_ticks(bottom, frame.index)
        return png(fig, title, as_of)


def _one_session(frame: pd.DataFrame, small_label: str, large_label: str, title: str, as_of: str) -> bytes:
    returns = (frame.iloc[-1] / frame.iloc[0] - 1).to_numpy() * 100
    with figure() as (fig, t):
        ax = fig.subplots()
        labels = [small_label, large_label]
        bars = ax.barh([1, 0], returns, color=[t.small, t.large], height=0.55)
        ax.bar_label(bars, labels=[f"{v:+.2f}%" for v in returns], padding=4, color=t.text)
        ax.set_yticks([1, 0], labels)
        ax.axvline(0, color=t.muted, lw=0.8)
        low, high = min(0.0, returns.min()), max(0.0, returns.max())
        pad = max(high - low, 0.1) * 0.3  # room for the value labels at the bars' ends
        ax.set_xlim(low - (pad if low < 0 else pad * 0.2), high + (pad if high > 0 else pad * 0.2))
        ax.set_xlabel(f"return, {frame.index[0].date()} close to {frame.index[-1].date()} close, %")
        ax.grid(axis="y", visible=False)
        return png(fig, title, as_of)


def streak_chart(spread: pd.Series, run_start: pd.Timestamp | None, title: str, as_of: str) -> bytes:
    """Daily spread (small minus large, pp) as bars; the current run drawn solid, the rest faded."""
    with kept_figure("streak") as (fig, t, (ax,)):
        _spread_bars(ax, t, spread, run_start)
        ax.set_ylabel("small − large, pp")
        session_ticks(ax, spread.index)
        return png(fig, title, as_of)


def digest_chart(
    ratio: pd.Series,
    sma50: pd.Series,
    sma200: pd.Series,
    spread: pd.Series,
    run_start: pd.Timestamp | None,
    title: str,
    as_of: str,
    ratio_label: str = "small/large",
) -> bytes:
    """The ratio rebased to 100 at the window's start with its 50- and 200-day averages (rebased by
    the same close), and the daily spreads below: both panels on the same sessions."""
    with kept_figure("digest", 2, 1, height_ratios=[2, 1], sharex=True) as (fig, t, (top, bottom)):
        base = ratio.iloc[0]
        x = np.arange(len(ratio))
        top.plot(x, ratio.to_numpy() / base * 100, color=t.ratio, label=ratio_label)
        for sma, colour, name in ((sma50, t.small, "50-day avg"), (sma200, t.large, "200-day avg")):
            values = sma.reindex(ratio.index).to_numpy() / base * 100
            if np.isfinite(values).any():  # the first sessions of the history have no average yet
                top.plot(x, values, color=colour, lw=1.4, label=name)
        top.axhline(100, color=t.muted, lw=0.8)
        top.set_ylabel("ratio, start = 100")
        top.legend(loc="upper left", ncols=3, fontsize=11)
        top.margins(y=0.2)  # room for the legend above the lines
        top.tick_params(labelbottom=False)
        _spread_bars(bottom, t, spread.reindex(ratio.index).fillna(0.0), run_start)
        bottom.set_ylabel("daily, pp")
        session_ticks(bottom, ratio.index)
        return png(fig, title, as_of)


def history_chart(paths: np.ndarray, band: np.ndarray, title: str, as_of: str) -> bytes:
    """Each occurrence's ratio path (rebased to 100), their median in bold, the all-session band behind."""
    with figure() as (fig, t):
        ax = fig.subplots()
        x = np.arange(band.shape[1])
        ax.fill_between(x, band[0], band[2], color=t.large, alpha=0.18, lw=0, label="all sessions, 10–90%")
        ax.plot(x, band[1], color=t.large, lw=1.4, ls="--", label="all sessions, median")
        for path in paths:
            ax.plot(x, path, color=t.small, lw=0.8, alpha=0.35)
        if len(paths):
            ax.plot(x, np.median(paths, axis=0), color=t.small, lw=3, label="after the signal, median")
        ax.axhline(100, color=t.muted, lw=0.8)
        ax.set_xlim(0, x[-1])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("sessions after the signal")
        ax.set_ylabel("ratio, signal = 100")
        ax.legend(loc="upper left")
        return png(fig, title, as_of)


def call_chart(spread: pd.Series, side: str, end: str, title: str, as_of: str) -> bytes:
    """A call's window: the spread since the base close (small − large, pp), shaded on the side that
    leads; a window still open runs to today and the end session is named in the x label."""
    with figure() as (fig, t):
        ax = fig.subplots()
        values = spread.to_numpy() * 100
        x = np.arange(len(values))
        ax.fill_between(x, 0, np.maximum(values, 0), color=t.small, alpha=0.25, lw=0)
        ax.fill_between(x, 0, np.minimum(values, 0), color=t.large, alpha=0.25, lw=0)
        ax.plot(x, values, color=t.small if side == "small" else t.large)
        ax.axhline(0, color=t.muted, lw=0.8)
        ax.annotate(
            f"{values[-1]:+.2f} pp",
            (x[-1], values[-1]),
            xytext=(-4, 6),
            textcoords="offset points",
            ha="right",
            color=t.text,
        )
        ax.margins(y=0.15)  # room for the end value's label
        session_ticks(ax, spread.index)
        ax.set_xlabel(f"sessions from the base close to {end}")
        ax.set_ylabel("small − large since the call, pp")
        return png(fig, title, as_of)
