"""The one chart style: sizes for Discord's embed, two themes, the stamp, and how a figure becomes PNG.

Discord shows an embed image about 400–520 px wide, so a chart is drawn at 800 × 460 px with fonts
sized for the 0.6× it is seen at (13 pt text is ~11 px on screen). Everything a chart looks like comes
from one rcParams dict per theme applied with ``rc_context`` and from ``layout="constrained"``, which
keeps titles, legends and twin axes inside the image; no chart sets margins of its own.

The theme is per server (``/server-settings theme``). It reaches the chart functions through a
context variable set by :func:`themed` around a command's build step, so no command's signature
changes and it works the same in a worker process, a worker thread or inline.
"""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from ..theme import current

SIZE = (8.0, 4.6)  # inches at 100 dpi: 800 × 460 px, seen at ~480 px wide
DPI = 100


@dataclass(frozen=True)
class Theme:
    """Colours of one theme. Small caps orange and large caps blue in both, as everywhere in the bot."""

    name: str
    background: str
    text: str
    muted: str  # secondary text, reference lines, the stamp
    grid: str
    small: str
    large: str
    ratio: str
    up: str
    down: str
    highlight: str  # the current run's span
    palette: tuple[str, ...]  # one colour per fund when a chart has many (RRG)

    def rc(self) -> dict[str, Any]:
        return {
            **_SIZES,
            "figure.facecolor": self.background,
            "savefig.facecolor": self.background,
            "axes.facecolor": self.background,
            "axes.edgecolor": self.muted,
            "axes.labelcolor": self.text,
            "axes.titlecolor": self.text,
            "text.color": self.text,
            "xtick.color": self.muted,
            "ytick.color": self.muted,
            "xtick.labelcolor": self.text,
            "ytick.labelcolor": self.text,
            "grid.color": self.grid,
            "legend.labelcolor": self.text,
            "axes.prop_cycle": mpl.cycler(color=list(self.palette)),
        }


_SIZES: dict[str, Any] = {
    "figure.figsize": SIZE,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 15,
    "figure.titleweight": "bold",
    "figure.labelsize": 12,
    "axes.axisbelow": True,  # grid lines behind bars, not across them
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "lines.solid_capstyle": "butt",
    # constrained layout's padding, in inches: a little air at the image's edge
    "figure.constrained_layout.h_pad": 0.06,
    "figure.constrained_layout.w_pad": 0.08,
}

# Discord's dark theme draws an embed on #2B2D31: the chart uses the same so it sits in the embed.
DARK = Theme(
    name="dark",
    background="#2B2D31",
    text="#E3E5E8",
    muted="#A3A9B1",
    grid="#41444B",
    small="#FF922B",
    large="#4DABF7",
    ratio="#DEE2E6",
    up="#51CF66",
    down="#FF6B6B",
    highlight="#FCC419",
    palette=(
        "#FF922B", "#4DABF7", "#51CF66", "#F783AC", "#FCC419",
        "#B197FC", "#66D9E8", "#FF6B6B", "#C0EB75", "#E599F7",
    ),
)  # fmt: skip
LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#212529",
    muted="#5C636A",
    grid="#DEE2E6",
    small="#E8590C",
    large="#1C7ED6",
    ratio="#343A40",
    up="#2B8A3E",
    down="#C92A2A",
    highlight="#FAB005",
    palette=(
        "#E8590C", "#1C7ED6", "#2B8A3E", "#C2255C", "#E67700",
        "#6741D9", "#0C8599", "#C92A2A", "#5C940D", "#9C36B5",
    ),
)  # fmt: skip
THEMES = {t.name: t for t in (DARK, LIGHT)}
_observers: list[Callable[[Figure], None]] = []
_renderer = threading.local()  # per thread: the last renderer drawn on, and its (width, height, dpi)


def theme() -> Theme:
    return THEMES[current()]


@contextmanager
def observe(callback: Callable[[Figure], None]) -> Iterator[None]:
    """Hand every figure to ``callback`` after it is drawn (tests inspect its layout this way)."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


@contextmanager
def styled() -> Iterator[Theme]:
    """The current theme's rcParams, with the cyclic garbage collector paused: draw inside.

    A figure allocates tens of thousands of short-lived objects, and collections triggered midway
    (over everything alive) were the slowest 5% of renders. Its garbage is collected once, after the
    chart."""
    t = theme()
    paused = gc.isenabled()
    gc.disable()
    try:
        with mpl.rc_context(t.rc()):
            yield t
    finally:
        if paused:
            gc.enable()


def new_figure(**subplot_kw: Any) -> Figure:
    """A constrained-layout figure on an Agg canvas (call under :func:`styled`)."""
    fig = Figure(layout="constrained", **subplot_kw)
    FigureCanvasAgg(fig)
    return fig


@contextmanager
def figure(**subplot_kw: Any) -> Iterator[tuple[Figure, Theme]]:
    """A new constrained-layout figure in the current theme; draw inside the ``with`` block."""
    with styled() as t:
        yield new_figure(**subplot_kw), t


def fit_width(text: Text, fig: Figure, smallest: float = 11.0) -> None:
    """Shrink a figure-wide text (a title) until it fits the figure's width, then wrap it.

    Measured with the canvas's renderer (font metrics only, no drawing): a title's length depends on
    the periods and tickers asked for, and a cut-off title is worse than a smaller one."""
    renderer = fig.canvas.get_renderer()
    room = fig.bbox.width * 0.975
    while text.get_window_extent(renderer).width > room and text.get_fontsize() > smallest:
        text.set_fontsize(text.get_fontsize() - 1)
    if text.get_window_extent(renderer).width > room:
        words = text.get_text()
        cut = max(words.rfind(", ", 0, len(words) // 2 + 10), words.rfind(": ", 0, len(words) // 2 + 10))
        if cut > 0:
            text.set_text(words[: cut + 1] + "\n" + words[cut + 2 :])


class Renderer(RendererAgg):
    """An Agg renderer that remembers each font's line metrics.

    matplotlib 3.11 measures a text's lines from its font's OS/2 (or hhea) table and looks the font up
    again for every measurement: some 110 times per /gap chart (constrained layout measures each tick
    label several times), ~7 ms of an 83 ms build (``/tmp/s21/fhm.py``). The backend hook it asks
    first, ``_get_font_height_metrics`` (the PDF and PS backends have one), is answered here from a
    cache per font and size, with matplotlib's own arithmetic, so the numbers and the PNG bytes are the
    same (a test compares them). Should matplotlib stop asking, charts are only slower; should a
    lookup fail, (None, None, None) hands the measurement back to matplotlib."""

    _metrics: ClassVar[dict[tuple[font_manager.FontProperties, float], tuple[float | None, ...]]] = {}

    def _get_font_height_metrics(self, prop: font_manager.FontProperties) -> tuple[float | None, ...]:
        found = self._metrics.get((prop, self.dpi))
        if found is None:  # keyed by a copy: the caller's properties may change after
            found = self._metrics[(prop.copy(), self.dpi)] = _font_height_metrics(prop, self.dpi)
        return found


def _font_height_metrics(prop: font_manager.FontProperties, dpi: float) -> tuple[float | None, ...]:
    """Ascent, descent and line gap in pixels, as ``matplotlib.text.Text._get_layout`` computes them."""
    try:
        font = font_manager.get_font(font_manager.fontManager._find_fonts_by_props(prop))
        for table_name, gap, ascent, descent in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent"),
        ):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
            return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    except Exception:  # a matplotlib without these internals: let it measure as it would
        pass
    return None, None, None


@contextmanager
def shared_renderer(canvas: FigureCanvasAgg) -> Iterator[None]:
    """Draw on this thread's renderer instead of one of the canvas's own.

    An Agg renderer holds the whole RGBA image (1.4 MiB at 800 × 460): made for every figure, it
    churned the heap, and kept with each kept figure (:mod:`.kept`) it held 1.4 MiB more per figure
    and worker (a pool of two: 184.5 -> 175.2 MiB PSS once they shared one). One per thread is
    enough, since a thread draws one figure at a time (a chart of another size replaces it); text
    metrics, which matplotlib caches per renderer, are shared too. The canvas hands it back when the
    chart is done. (``renderer`` and ``_lastKey`` are what ``FigureCanvasAgg.get_renderer`` reuses a
    renderer by.)"""
    key = (*canvas.get_width_height(physical=True), canvas.figure.dpi)
    if getattr(_renderer, "key", None) != key:
        _renderer.key, _renderer.renderer = key, Renderer(*key)
    canvas.renderer, canvas._lastKey = _renderer.renderer, key
    try:
        yield
    finally:
        canvas.renderer, canvas._lastKey = None, None


def png(fig: Figure, title: str, as_of: str) -> bytes:
    """Title top left, the "as of · rotation-bot" stamp bottom right, then PNG bytes.

    Both are figure-level labels, so constrained layout makes room for them instead of letting them
    overlap an axis. Call inside :func:`figure`'s block (the rcParams apply while drawing)."""
    with shared_renderer(fig.canvas):
        return _png(fig, title, as_of)


def _png(fig: Figure, title: str, as_of: str) -> bytes:
    fit_width(fig.suptitle(title, x=0.012, ha="left"), fig)
    fig.supxlabel(f"as of {as_of} · rotation-bot", x=0.995, ha="right", color=theme().muted)
    for ax in fig.axes:  # what sits inside an axes cannot change its margins: not measured (15%)
        for spine in ax.spines.values():
            spine.set_in_layout(False)
        if (legend := ax.get_legend()) is not None:
            legend.set_in_layout(False)
    # One draw, which runs the constrained layout first: ``savefig`` would draw the whole figure
    # twice (a first pass with rendering disabled, only to run the layout).
    canvas = fig.canvas
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    # RGB (the background is opaque) and zlib level 1: half the encoding time of RGBA at level 6,
    # for a few more kilobytes on flat-colour charts
    image.convert("RGB").save(buf, format="png", compress_level=1)
    for callback in _observers:
        callback(fig)
    return buf.getvalue()
