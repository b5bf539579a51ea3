"""Figures kept between builds: the busiest charts reuse their figure, axes and ticks.

Profiling a 6-year ``/gap`` build (``cProfile`` over 30 builds) put about 40% of its time in making
the figure rather than drawing it: two ``Axes`` cleared and set up (~15 ms) and some thirty ``Tick``
objects, five artists each, created from rcParams (~20 ms). None of that depends on the data, so the
charts everyone asks for (``/gap``, ``/streak``, ``/digest``) keep one figure per kind and theme and
empty it for the next build: the axes keep their ticks, everything drawn is removed, and what a chart
sets per build (scales, locators, limits, labels, margins) goes back to the theme's defaults first.

A kept figure is handed to one build at a time (builds may run in threads), and one whose build
failed is dropped rather than reused half-drawn. Tests render charts fresh and after other charts
and compare the PNG bytes, so anything a build leaves behind shows up there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .style import Theme, new_figure, styled

Kept = tuple[Figure, tuple[Axes, ...]]
_free: dict[tuple[str, str], list[Kept]] = {}
_lock = threading.Lock()


def _take(key: tuple[str, str]) -> Kept | None:
    with _lock:
        spare = _free.get(key)
        return spare.pop() if spare else None


def _give_back(key: tuple[str, str], kept: Kept) -> None:
    with _lock:
        _free.setdefault(key, []).append(kept)


def kept() -> dict[tuple[str, str], int]:
    """How many figures are kept per (kind, theme) (for tests)."""
    with _lock:
        return {key: len(spare) for key, spare in _free.items() if spare}


def forget() -> None:
    """Drop every kept figure (tests compare a fresh figure's drawing with a reused one's)."""
    with _lock:
        _free.clear()


def empty(ax: Axes) -> None:
    """Back to how a chart found the axes when they were new, keeping their axis and tick objects.

    Everything drawn goes; scales go back to linear (which also restores the default locators and
    formatters); labels, titles, margins, the colour cycle and autoscaling to the theme's defaults."""
    for artist in (*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists, *ax.tables):
        artist.remove()
    if (legend := ax.get_legend()) is not None:
        legend.remove()
    ax.set_xscale("linear")
    ax.set_yscale("linear")
    ax.set_xlabel("")
    ax.set_ylabel("")
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
    ax.set_prop_cycle(None)
    ax.set_xmargin(mpl.rcParams["axes.xmargin"])
    ax.set_ymargin(mpl.rcParams["axes.ymargin"])
    ax.set_autoscale_on(True)
    ax.relim()
    # Where the grid puts it, as when new: constrained layout starts from the current position, and
    # starting from the last chart's lands a few thousandths of a pixel away (other antialiasing).
    ax._set_position(ax.get_subplotspec().get_position(ax.get_figure()))


@contextmanager
def kept_figure(
    kind: str, *grid: int, **subplots_kw: Any
) -> Iterator[tuple[Figure, Theme, tuple[Axes, ...]]]:
    """:func:`.style.figure` with its axes made by ``fig.subplots(*grid, **subplots_kw)``, reused
    from an earlier build of ``kind`` in the same theme.

    The grid must be the same for every build of ``kind``: a reused figure keeps the axes it was
    made with."""
    with styled() as t:
        key = (kind, t.name)
        spare = _take(key)
        if spare is None:
            fig = new_figure()
            spare = (fig, tuple(np.ravel(fig.subplots(*grid, squeeze=False, **subplots_kw))))
        else:
            for ax in spare[1]:
                empty(ax)
        yield spare[0], t, spare[1]
        _give_back(key, spare)  # not reached when the build raised: a half-drawn figure is dropped
