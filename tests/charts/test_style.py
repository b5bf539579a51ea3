"""The chart style's renderer: remembering fonts' line metrics must not change a pixel."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import RendererAgg

from bot.gallery import answer
from commands.charts import kept, style

LINES = ("/gap period:ytd", "/gap period:max", "/streak", "/digest", "/history signal:streak threshold:11")


@pytest.mark.parametrize("line", LINES)
async def test_remembered_font_metrics_draw_the_same_png(snapshot_market, monkeypatch, line):
    style.Renderer._metrics.clear()
    kept.forget()
    remembered = (await answer(line, snapshot_market)).chart
    assert style.Renderer._metrics, "matplotlib no longer asks the renderer for font metrics"
    monkeypatch.setattr(style, "Renderer", RendererAgg)  # matplotlib measures every text itself
    monkeypatch.setattr(style, "_renderer", type(style._renderer)())
    kept.forget()
    assert (await answer(line, snapshot_market)).chart == remembered


def test_font_metrics_are_matplotlibs():
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=13)
    ascent, descent, gap = style._font_height_metrics(prop, 100)
    # DejaVu Sans (matplotlib's bundled default): OS/2 typo ascender 1556, descender -492, gap 410 per 2048
    scale = 13 * 100 / 72 / 2048
    assert (ascent, descent, gap) == pytest.approx((1556 * scale, 492 * scale, 410 * scale))
