"""Kept figures (``commands.charts.kept``) draw exactly what a new figure draws, whatever was drawn
on them before: the PNG bytes of each chart, drawn on a fresh figure, are compared with the same
chart drawn on figures that just drew the others (log and linear scales, one and two panels, a
legend or none, dark and light)."""

from __future__ import annotations

import pytest

from bot.gallery import answer
from commands.charts import kept

LINES = (
    "/gap period:ytd",
    "/gap period:max",  # log scale on both panels
    "/gap period:1w",
    "/gap period:2024 small:IWM large:SPY",
    "/compare a:VBR b:VBK period:max",
    "/style pair:russell period:ytd",
    "/streak",
    "/streak as_of:1987-09-14",  # a run in the third session of the history
    "/digest date:1988-03-31",  # no 200-day average yet: one line fewer
    "/digest",
    "/digest date:2024-12-31",
)


async def _png(line: str, market, theme: str) -> bytes:
    reply = await answer(line, market, theme)
    assert reply.chart is not None, line
    return reply.chart


@pytest.mark.parametrize("theme", ["dark", "light"])
async def test_a_kept_figure_draws_what_a_new_one_draws(snapshot_market, theme):
    fresh = {}
    for line in LINES:
        kept.forget()
        fresh[line] = await _png(line, snapshot_market, theme)
    kept.forget()
    for order in (LINES, LINES[::-1]):
        for line in order:
            assert await _png(line, snapshot_market, theme) == fresh[line], line


async def test_figures_are_kept_per_kind_and_theme(snapshot_market):
    kept.forget()
    asked = (("/gap period:ytd", "dark"), ("/gap period:1y", "dark"), ("/gap period:ytd", "light"))
    for line, theme in asked:
        await _png(line, snapshot_market, theme)
    assert sorted(kept.kept()) == [("gap", "dark"), ("gap", "light")]


def _fails_half_way() -> None:
    with kept.kept_figure("gap", 2, 1) as (_fig, _theme, axes):
        axes[0].plot([0, 1], [0, 1])
        raise RuntimeError("the build failed half-way")


def test_a_build_that_fails_does_not_leave_its_figure_for_the_next():
    kept.forget()
    with pytest.raises(RuntimeError, match="half-way"):
        _fails_half_way()
    assert kept.kept() == {}


def test_the_next_build_finds_the_axes_empty():
    from matplotlib.offsetbox import AnchoredText

    kept.forget()
    with kept.kept_figure("probe", 1, 2) as (_fig, _theme, (left, right)):
        left.plot([0, 1], [0, 10], label="a line")
        left.legend()
        left.set_yscale("log")
        left.set_xlim(5, 6)
        right.bar([0, 1], [1, 2])
        right.text(0, 0, "a text")
        right.add_artist(AnchoredText("anchored", loc="upper left"))
        right.table(cellText=[["1"]])
        right.set_title("a title")
    with kept.kept_figure("probe", 1, 2) as (_fig, _theme, (left, right)):
        for ax in (left, right):
            assert [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.artists, *ax.tables] == []
            assert ax.get_legend() is None
            assert ax.get_yscale() == "linear"
            assert ax.get_autoscalex_on()
            assert ax.get_title() == ""
