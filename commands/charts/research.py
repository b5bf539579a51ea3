"""Charts of the research desk: /sectors, /rates, /rrg, /valuation."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from .style import figure, png

RRG_MARKERS = 8  # at most this many weekly points per tail; longer tails are thinned, oldest faded


def sector_chart(
    labels: list[str], small: list[float], large: list[float] | None, title: str, as_of: str
) -> bytes:
    """Ranked horizontal bars (best at the top); large-cap counterparts as thinner bars beside them."""
    with figure() as (fig, t):
        ax = fig.subplots()
        y = np.arange(len(labels))[::-1]
        values = np.array(small) * 100
        ax.barh(
            y + (0.2 if large else 0),
            values,
            height=0.4 if large else 0.7,
            color=np.where(values >= 0, t.small, t.down),
            label="small-cap sector",
        )
        if large is not None:
            ax.barh(y - 0.2, np.array(large) * 100, height=0.4, color=t.large, label="large-cap counterpart")
            ax.legend(loc="best")
        ax.set_yticks(y, labels)
        ax.grid(axis="y", visible=False)
        ax.axvline(0, color=t.muted, lw=0.8)
        ax.set_xlabel("total return, %")
        return png(fig, title, as_of)


def rates_chart(
    weekly: pd.DataFrame,
    beta_per_10bp: float,
    correlation: float,
    ratio_label: str,
    yield_name: str,
    title: str,
    as_of: str,
) -> bytes:
    """Left: each week's ratio change against the yield's change, with the least-squares line.
    Right: the levels behind them, the ratio rebased to 100 (left axis) and the yield (right axis)."""
    changes = weekly.dropna()
    x = changes["d_bp"].to_numpy()
    y = changes["d_log_ratio"].to_numpy() * 100
    with figure(figsize=(8.0, 4.8)) as (fig, t):
        scatter, levels = fig.subplots(1, 2, width_ratios=[1.25, 1])
        scatter.scatter(x[:-1], y[:-1], s=22, color=t.small, alpha=0.65, lw=0, label="a week")
        scatter.scatter(
            x[-1:], y[-1:], s=60, color=t.highlight, edgecolor=t.text, lw=0.8, label="latest week"
        )
        if np.isfinite(beta_per_10bp):
            slope = beta_per_10bp / 10  # % of ratio per bp
            line = np.array([x.min(), x.max()])
            scatter.plot(
                line,
                y.mean() + slope * (line - x.mean()),
                color=t.text,
                lw=1.6,
                label=f"fit: {beta_per_10bp:+.2f}% per +10 bp",
            )
        scatter.axhline(0, color=t.muted, lw=0.8)
        scatter.axvline(0, color=t.muted, lw=0.8)
        scatter.set_xlabel(f"{yield_name} weekly change, bp")
        scatter.set_ylabel(f"{ratio_label} weekly change, %")
        scatter.set_title(f"weekly changes, r = {correlation:+.2f}", fontsize=12)
        fig.legend(loc="outside lower left", ncols=3, fontsize=11, handletextpad=0.3)
        scatter.margins(0.08)

        pos = np.arange(len(weekly))
        levels.plot(pos, weekly["ratio"].to_numpy() / weekly["ratio"].iloc[0] * 100, color=t.ratio)
        levels.set_ylabel(f"{ratio_label}, start = 100", color=t.ratio)
        right = levels.twinx()
        right.plot(pos, weekly["yield"].to_numpy(), color=t.large)
        right.set_ylabel(f"{yield_name}, %", color=t.large)
        right.grid(False)
        right.spines["right"].set_visible(True)
        right.tick_params(axis="y", colors=t.large, labelcolor=t.large)
        levels.set_title("levels, weekly", fontsize=12)
        first, last = weekly.index[0], weekly.index[-1]
        # a year to the day (base close 2025-07-31, last 2026-07-31) needs the years to tell its ends apart
        span = last - first
        fmt = "%Y-%m" if span > pd.Timedelta(days=366) else "%m-%d" if first.year == last.year else "%Y-%m-%d"
        levels.set_xticks([0, len(weekly) - 1], [first.strftime(fmt), last.strftime(fmt)])
        levels.get_xticklabels()[0].set_horizontalalignment("left")
        levels.get_xticklabels()[-1].set_horizontalalignment("right")
        levels.set_xlim(0, len(weekly) - 1)
        return png(fig, title, as_of)


def tail_stride(n: int) -> int:
    """Weeks between two drawn points of an n-week tail: 1 up to :data:`RRG_MARKERS` weeks, then
    whatever keeps a tail at that many points (26 weeks: a point every 4 weeks)."""
    return max(1, -(-(n - 1) // (RRG_MARKERS - 1)))


def rrg_chart(
    tails: dict[str, tuple[list[float], list[float]]],
    title: str,
    as_of: str,
    near: tuple[str, ...] | list[str] = (),
    band: float = 0.0,
) -> bytes:
    """RS-Ratio (x) against RS-Momentum (y), quadrants shaded and named, a tail per fund.

    ``band`` > 0 shades the strip within ±band of 100 on each axis; funds in ``near`` (a coordinate
    in that strip: a boundary call) get a dashed ring and "≈" after their name.

    A tail fades from its head back to its oldest week, and a long one is drawn through every
    :func:`tail_stride`-th week only, so 26 weeks of eight funds stay a set of readable paths. The funds'
    names are placed by adjustText so none covers another."""
    from adjustText import adjust_text  # imported with the chart that needs it: it costs ~0.2 s

    with figure(figsize=(8.0, 5.2)) as (fig, t):
        ax = fig.subplots()
        xs = np.concatenate([np.asarray(x) for x, _ in tails.values()])
        ys = np.concatenate([np.asarray(y) for _, y in tails.values()])
        span = max(2.5, float(np.nanmax(np.abs(np.r_[xs, ys] - 100))) * 1.12)
        ax.set_xlim(100 - span, 100 + span)
        ax.set_ylim(100 - span, 100 + span)
        for (x0, y0), colour, name, where in [
            ((100, 100), t.up, "Leading", (0.98, 0.98)),
            ((100, 100 - span), t.highlight, "Weakening", (0.98, 0.02)),
            ((100 - span, 100 - span), t.down, "Lagging", (0.02, 0.02)),
            ((100 - span, 100), t.large, "Improving", (0.02, 0.98)),
        ]:
            ax.add_patch(Rectangle((x0, y0), span, span, color=colour, alpha=0.08, lw=0))
            ax.text(
                *where,
                name,
                transform=ax.transAxes,
                ha="right" if where[0] > 0.5 else "left",
                va="top" if where[1] > 0.5 else "bottom",
                color=colour,
                fontweight="bold",
                alpha=0.9,
            )
        ax.axhline(100, color=t.muted, lw=0.8)
        ax.axvline(100, color=t.muted, lw=0.8)
        if band > 0:
            ax.axvspan(100 - band, 100 + band, color=t.muted, alpha=0.1, lw=0)
            ax.axhspan(100 - band, 100 + band, color=t.muted, alpha=0.1, lw=0)
        labels, heads = [], []
        stride = tail_stride(max(len(x) for x, _ in tails.values()))
        for i, (ticker, (x, y)) in enumerate(tails.items()):
            colour = t.palette[i % len(t.palette)]
            keep = np.arange(len(x) - 1, -1, -stride)[::-1]  # from the head back, every stride weeks
            x, y = np.asarray(x)[keep], np.asarray(y)[keep]
            if len(x) > 1:
                segments = np.stack([np.c_[x[:-1], y[:-1]], np.c_[x[1:], y[1:]]], axis=1)
                fade = np.linspace(0.12, 0.85, len(x) - 1)  # oldest faint, newest strong
                rgb = to_rgb(colour)
                ax.add_collection(LineCollection(segments, colors=[(*rgb, a) for a in fade], lw=2.0))
                ax.scatter(x[:-1], y[:-1], s=16, color=[(*rgb, a) for a in fade], lw=0)
            ax.scatter(x[-1:], y[-1:], s=80, color=colour, edgecolor=t.text, lw=0.8, zorder=3)
            if ticker in near:
                ax.scatter(
                    x[-1:], y[-1:], s=220, facecolors="none", edgecolors=colour, linestyle="--", lw=1.2
                )
            heads.append((x[-1], y[-1]))
            nudge = span * 0.03  # start beside the head, not on it
            labels.append(
                ax.text(
                    x[-1] + nudge,
                    y[-1] + nudge,
                    f"{ticker} ≈" if ticker in near else ticker,
                    color=colour,
                    fontsize=12,
                    fontweight="bold",
                    zorder=4,
                )
            )
        if stride > 1:
            ax.set_title(f"a point every {stride} weeks, fading with age", fontsize=11, color=t.muted)
        ax.set_xlabel("RS-Ratio")
        ax.set_ylabel("RS-Momentum")
        fig.get_layout_engine().execute(fig)  # adjustText measures the labels where the layout puts them
        hx, hy = np.array(heads).T
        adjust_text(
            labels,
            x=hx,
            y=hy,
            ax=ax,
            ensure_inside_axes=True,
            expand=(1.3, 1.5),
            force_static=(0.4, 0.6),
            force_text=(0.3, 0.5),
            iter_lim=300,
        )
        return png(fig, title, as_of)


def valuation_chart(
    points: list[tuple[dt.date, float, str]], band: tuple[float, float], title: str, as_of: str
) -> bytes:
    """Recorded discounts over time, one series per basis (never joined across bases), the quoted
    band shaded and labelled as a quote, a premium below zero; every point inside the axes."""
    with figure() as (fig, t):
        ax = fig.subplots()
        dates = np.array([pd.Timestamp(d) for d, _, _ in points])
        values = np.array([v * 100 for _, v, _ in points])
        bases = np.array([b for _, _, b in points])
        ax.axhspan(
            band[0] * 100, band[1] * 100, color=t.large, alpha=0.2, lw=0, label="quoted “historical average”"
        )
        colours = {"forward": t.small, "trailing": t.up}
        for basis in dict.fromkeys(bases):
            mask = bases == basis
            ax.plot(
                dates[mask],
                values[mask],
                marker="o",
                ms=7,
                lw=1.6,
                color=colours.get(basis, t.ratio),
                label=basis,
            )
        many = len(points) > 8  # then only each basis's latest value is labelled
        for basis in dict.fromkeys(bases):
            idx = np.flatnonzero(bases == basis)
            for j, i in enumerate(idx):
                if many and j != len(idx) - 1:
                    continue
                # alternate above and below so neighbouring labels of a series don't meet
                above = values[i] >= (values[idx[j - 1]] if j else -np.inf)
                ax.annotate(
                    f"{values[i]:.1f}%",
                    (dates[i], values[i]),
                    xytext=(0, 9 if above else -9),
                    textcoords="offset points",
                    ha="center",
                    va="bottom" if above else "top",
                    fontsize=11,
                    color=t.text,
                )
        ax.axhline(0, color=t.muted, lw=0.8)
        if (values < 0).any():
            ax.text(
                0.01,
                0,
                "premium below 0",
                transform=ax.get_yaxis_transform(),
                va="top",
                color=t.muted,
                fontsize=11,
            )
        low = min(0.0, values.min(), band[0] * 100)
        high = max(values.max(), band[1] * 100)
        pad = max(high - low, 5.0) * 0.18
        ax.set_ylim(low - pad, high + pad)
        first, last = dates.min(), dates.max()
        margin = max((last - first) * 0.08, pd.Timedelta(days=20))
        ax.set_xlim(first - margin, last + margin)
        # at least 40 days shown, so day ticks at most: one date format, never a repeated label
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=4))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        ax.set_ylabel("discount, % (1 − small/large P/E)")
        ax.legend(loc="best", fontsize=11)
        return png(fig, title, as_of)
