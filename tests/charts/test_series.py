"""Long series drawn through their envelope: the same picture from fewer points."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from bot.gallery import answer
from commands.charts import kept, series, style


@pytest.mark.parametrize(
    ("n", "columns", "thinned"),
    [
        (2_099, 700, False),  # two sessions a column: drawn whole
        (2_100, 700, True),  # three
        (9_810, 700, True),  # /gap period:max
        (25, 5, True),
    ],
)
def test_envelope_only_thins_what_has_three_sessions_a_column(n, columns, thinned):
    values = np.random.default_rng(n).lognormal(size=n)
    assert (series.envelope(values, columns) is not None) == thinned


@pytest.mark.parametrize("seed", range(5))
def test_envelope_keeps_every_runs_ends_and_extremes(seed):
    rng = np.random.default_rng(seed)
    values = np.exp(np.cumsum(rng.normal(0, 0.01, 9_810)))
    values[rng.integers(0, 9_810, 3)] *= 1.5  # one-session spikes are kept
    kept_at = series.envelope(values, 700)
    k = 9_810 // 700
    assert list(kept_at) == sorted(set(kept_at))
    assert kept_at[0] == 0
    assert kept_at[-1] == 9_809
    for start in range(0, 9_810 // k * k, k):
        run = values[start : start + k]
        inside = values[kept_at[(kept_at >= start) & (kept_at < start + k)]]
        assert inside.min() == run.min()
        assert inside.max() == run.max()
        assert start in kept_at
        assert start + k - 1 in kept_at
    assert set(range(9_810 // k * k, 9_810)) <= set(kept_at)  # the sessions after the last whole run
    assert len(kept_at) <= 4 * 700 + k


def test_envelope_leaves_a_series_with_missing_values_whole():
    values = np.linspace(1, 2, 5_000)
    values[10] = np.nan
    assert series.envelope(values, 700) is None


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


async def test_the_longest_gap_chart_looks_the_same_drawn_from_its_envelope(snapshot_market, monkeypatch):
    points = []
    with style.observe(lambda fig: points.append(sum(len(line.get_xdata()) for line in fig.axes[0].lines))):
        kept.forget()
        thinned = (await answer("/gap period:max", snapshot_market)).chart
        monkeypatch.setattr(series.envelope, "__defaults__", (10**9,))  # every series drawn whole
        kept.forget()
        whole = (await answer("/gap period:max", snapshot_market)).chart
    assert points[0] < points[1] / 3, points  # two lines of 9,810 points, then of ~2,800
    differ = np.abs(_pixels(thinned) - _pixels(whole)).max(axis=2)
    assert np.mean(differ > 32) < 0.01  # antialiasing along the lines; the shapes are the same
