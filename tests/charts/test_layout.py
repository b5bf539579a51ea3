"""Every command's chart, over the variants that stress its layout, checked with matplotlib's own
geometry (text extents from the renderer that drew the PNG), never with pixel comparisons:
- no text outside the figure, and no text smaller than a size legible at Discord's ~480 px;
- on every axis, the tick labels drawn neither overlap nor repeat;
- no two texts inside an axes overlap (value labels, fund names, quadrant names);
- every legend entry has a handle and a label inside the figure;
- a title, the "as of · rotation-bot" stamp, and a label on every numeric axis.
"""

from __future__ import annotations

import datetime as dt
import re
from itertools import combinations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.gallery import LINES, answer
from commands import charts
from commands.pair import load_pair
from commands.valuation import QUOTED, show
from data.valuations import Observation

VARIANTS = (
    *LINES,
    "/gap period:1w",
    "/gap period:1m",
    "/gap period:10y",
    "/gap period:1987-09-11..1987-09-30",  # the first sessions of the history
    "/gap period:2024 small:IWM large:SPY",
    "/compare a:VBR b:VBK period:max",
    "/style pair:russell period:ytd",
    "/style pair:sp600 period:1w",
    "/streak",
    "/streak as_of:1987-09-14",  # a run in the third session of the history
    "/digest date:1988-03-31",  # no 200-day average yet
    "/digest date:2024-12-31",
    "/sectors period:1d",
    "/sectors period:3y vs_large:true",
    "/rates period:10y",
    "/rates period:2025-12-31..2026-07-31",
    "/rrg set:size weeks:2",
    "/rrg set:sectors weeks:26",
    "/rrg set:style weeks:8",
    "/history signal:ratio_cross horizon:6m",
    "/history signal:january",
)
LIGHT = ("/gap period:ytd", "/rates period:1y", "/rrg set:style weeks:26", "/digest")
SMALLEST_PT = 10  # ~8 px at Discord's ~480 px for an 800 px chart
NUMBER = re.compile(r"^[−+-]?[\d,.]+%?$")
YEAR = re.compile(r"^(19|20)\d\d$")  # a date axis over decades: no unit needed


def _drawn(text: Text) -> bool:
    return text.get_visible() and bool(text.get_text().strip())


def _tick_labels(axis) -> list[Text]:
    """The labels matplotlib draws: major ticks inside the view interval, with text."""
    low, high = sorted(axis.get_view_interval())
    pad = (high - low) * 1e-9
    return [
        t.label1
        for t in axis.get_major_ticks()
        if low - pad <= t.get_loc() <= high + pad and _drawn(t.label1)
    ] + [
        t.label2
        for t in axis.get_major_ticks()
        if low - pad <= t.get_loc() <= high + pad and _drawn(t.label2)
    ]


def problems(fig: Figure) -> list[str]:
    renderer = fig.canvas.get_renderer()
    box = fig.bbox.padded(1)
    found = []
    ticks = {id(t) for ax in fig.axes for a in (ax.xaxis, ax.yaxis) for t in a.get_ticklabels(which="both")}
    drawn_ticks = {id(t) for ax in fig.axes for a in (ax.xaxis, ax.yaxis) for t in _tick_labels(a)}
    # matplotlib keeps labels for ticks outside the view; it draws only those inside
    texts = [t for t in fig.findobj(Text) if _drawn(t) and (id(t) not in ticks or id(t) in drawn_ticks)]
    for t in texts:
        extent = t.get_window_extent(renderer)
        if not (box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1):
            found.append(f"text outside the figure: {t.get_text()!r} at {extent}")
        if t.get_fontsize() < SMALLEST_PT:
            found.append(f"text smaller than {SMALLEST_PT} pt: {t.get_text()!r} ({t.get_fontsize()} pt)")
    title = fig.get_suptitle()
    if not title.strip():
        found.append("no title")
    if not any(t.get_text().startswith("as of ") and t.get_text().endswith("· rotation-bot") for t in texts):
        found.append("no 'as of … · rotation-bot' stamp")
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels = _tick_labels(axis)
            words = [t.get_text() for t in labels]
            if len(set(words)) < len(words):
                found.append(f"repeated {name} tick label on {ax.get_title() or title!r}: {words}")
            extents = [t.get_window_extent(renderer) for t in labels]
            for (a, ea), (b, eb) in combinations(zip(words, extents, strict=True), 2):
                if ea.overlaps(eb):
                    found.append(f"{name} tick labels overlap: {a!r} and {b!r}")
            numeric = words and all(NUMBER.match(w) and not YEAR.match(w) for w in words)
            if numeric and not axis.get_label_text().strip():
                found.append(f"numeric {name} axis without a label on {ax.get_title() or title!r}")
        inside = [t for t in ax.texts if _drawn(t)]
        for a, b in combinations(inside, 2):
            if a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer)):
                found.append(f"texts overlap: {a.get_text()!r} and {b.get_text()!r}")
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]:
        handles, labels = legend.legend_handles, legend.get_texts()
        if len(handles) != len(labels) or any(h is None for h in handles):
            found.append(f"legend entry without a handle: {[t.get_text() for t in labels]}")
        for t in labels:
            if not _drawn(t):
                found.append(f"legend entry not drawn: {t.get_text()!r}")
    return found


async def _figures(line: str, market, theme: str = "dark") -> list[Figure]:
    drawn: list[Figure] = []
    with charts.observe(drawn.append):
        reply = await answer(line, market, theme)
    assert reply.chart is not None, line
    assert reply.chart.startswith(b"\x89PNG"), line
    return drawn


@pytest.mark.parametrize("line", VARIANTS)
async def test_chart_layout(line, snapshot_market):
    (fig,) = await _figures(line, snapshot_market)
    assert problems(fig) == []


@pytest.mark.parametrize("line", LIGHT)
async def test_chart_layout_light_theme(line, snapshot_market):
    (fig,) = await _figures(line, snapshot_market, "light")
    assert problems(fig) == []
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)


def _obs(small: float, large: float, basis: str, day: dt.date) -> Observation:
    return Observation(small, large, basis, basis, None, "test record", day, "recorded")


@pytest.mark.parametrize(
    "records",
    [
        pytest.param([_obs(25.0, 20.0, "forward", dt.date(2026, 2, 1))], id="premium"),
        pytest.param(
            [
                _obs(
                    16 + i % 3,
                    21.0,
                    "trailing" if i % 2 else "forward",
                    dt.date(2026, 1, 10) + dt.timedelta(i),
                )
                for i in range(12)
            ],
            id="twelve-records-two-bases-a-day-apart",
        ),
    ],
)
def test_valuation_chart_layout(records):
    drawn: list[Figure] = []
    with charts.observe(drawn.append):
        reply = show([*QUOTED, *records])
    (fig,) = drawn
    assert problems(fig) == []
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    values = [o.discount * 100 for o in [*QUOTED, *records] if o.discount is not None]
    assert low < min(values)  # every point inside the axes, a premium too
    assert max(values) < high
    bases = {line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert bases == {o.basis for o in [*QUOTED, *records] if o.discount is not None}  # one series per basis
    assert reply.chart is not None


def test_the_checks_catch_a_bad_chart():
    """The checks themselves: a chart with every fault they look for is reported for each."""
    fig = Figure(figsize=(8, 4.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_xticks([0, 0.01, 1], ["same", "same", "end"])  # overlapping and repeated
    ax.text(0.5, 0.5, "one")
    ax.text(0.5, 0.5, "two")  # overlapping texts
    ax.plot([0, 1], [0, 1], label="drawn")
    ax.legend()
    fig.text(1.2, 0.5, "outside")
    fig.canvas.draw()
    found = "\n".join(problems(fig))
    for expected in (
        "outside the figure",
        "repeated x tick label",
        "x tick labels overlap",
        "texts overlap",
        "no title",
        "stamp",
        "numeric y axis without a label",
    ):
        assert expected in found


@pytest.mark.parametrize("sessions", [2, 5, 63, 252])
async def test_call_chart_layout(sessions, snapshot_market):
    """/call's result chart (drawn by commands.calls, not in the gallery: it needs a member's call)."""
    pair = await load_pair(snapshot_market, "^RUT", "^GSPC")
    window = pair.frame.iloc[-sessions:]
    spread = window["small"] / window["small"].iloc[0] - window["large"] / window["large"].iloc[0]
    drawn: list[Figure] = []
    with charts.observe(drawn.append):
        charts.call_chart(
            spread, "small", str(window.index[-1].date()), "Call #1: small over 3m", "2026-08-21"
        )
    (fig,) = drawn
    assert problems(fig) == []
