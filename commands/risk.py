"""Risk beside return: what a period's two closes hide, from the daily closes between them.

Definitions (the README repeats them; every figure is on the same common sessions as the returns):
- **daily return** = close over the previous common close − 1 (simple, not log);
- **max drawdown** = the deepest fall of a series' close below its running peak within the period's
  closes (the base close included), with the dates of that peak and of the trough;
- **volatility** = √252 × the sample standard deviation (ddof 1) of the period's daily simple returns:
  annualised by sessions, not calendar days;
- **beta** of small on large = cov(small, large) / var(large) of daily simple returns (the
  least-squares slope); **correlation** = Pearson's r of the same returns;
- **ratio below its high**: the small/large ratio at the end close against its highest close since
  the first common session; **below its 52-week high**: against its highest close of the last 252
  sessions (the end session included). Both are ≤ 0; 0 means the ratio is at that high.

A figure that cannot be computed (one daily return has no standard deviation; a flat series has no
beta) is ``None`` with a reason, never NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .reply import Field, pct

SESSIONS_PER_YEAR = 252
YEAR_SESSIONS = 252  # the 52-week window, in sessions


@dataclass(frozen=True)
class Drawdown:
    depth: float  # ≤ 0, a fraction: trough / peak − 1
    peak: pd.Timestamp | None  # None when the series never fell below a running peak
    trough: pd.Timestamp | None


@dataclass(frozen=True)
class FromHigh:
    distance: float | None  # ≤ 0: close / high − 1; None when the history is shorter than the window
    high_date: pd.Timestamp
    since: pd.Timestamp  # the first close the high was taken over
    short: str = ""  # why there is no figure: a 52-week high from less than 52 weeks of closes


def too_short(closes: int, needed: int = YEAR_SESSIONS) -> str:
    """The one rule for "52-week" and "record" words: they need a year of closes (252 sessions);
    with less, the answer says how many it has instead ("" when there are enough)."""
    if closes >= needed:
        return ""
    return f"{closes:,} sessions of data; a 52-week figure needs {needed:,}"


def record_words(index: pd.DatetimeIndex) -> str:
    """ "on record" after a year of closes; before that, since when and how few sessions it covers."""
    if not too_short(len(index)):
        return "on record"
    return f"since the data starts ({index[0].date()}, {len(index):,} sessions)"


@dataclass(frozen=True)
class RiskFigures:
    small_drawdown: Drawdown
    large_drawdown: Drawdown
    ratio_drawdown: Drawdown
    small_vol: float | None
    large_vol: float | None
    beta: float | None
    correlation: float | None
    ratio_from_high: FromHigh
    ratio_from_52w: FromHigh
    returns: int  # daily returns the figures use
    why_none: str  # the reason a None figure is None ("" when all are there)


def max_drawdown(closes: pd.Series) -> Drawdown:
    """Deepest close-to-close fall below the running peak, with the peak's and the trough's dates."""
    values = closes.to_numpy(dtype=float)
    peaks = np.maximum.accumulate(values)
    under = values / peaks - 1
    trough = int(np.argmin(under))
    if under[trough] >= 0:
        return Drawdown(0.0, None, None)
    peak = int(np.argmax(values[: trough + 1]))
    return Drawdown(float(under[trough]), closes.index[peak], closes.index[trough])


def annual_volatility(returns: pd.Series) -> float | None:
    if len(returns) < 2:
        return None
    return float(returns.std(ddof=1) * np.sqrt(SESSIONS_PER_YEAR))


def beta_and_correlation(small: pd.Series, large: pd.Series) -> tuple[float | None, float | None]:
    if len(small) < 2:
        return None, None
    var_large = float(large.var(ddof=1))
    beta = float(small.cov(large, ddof=1) / var_large) if var_large > 0 else None
    var_small = float(small.var(ddof=1))
    corr = float(small.corr(large)) if var_large > 0 and var_small > 0 else None
    return beta, corr


def from_high(ratio: pd.Series, end: pd.Timestamp, sessions: int | None = None) -> FromHigh:
    """The ratio at ``end`` against its highest close over the last ``sessions`` (None: all history)."""
    upto = ratio.loc[:end]
    window = upto if sessions is None else upto.iloc[-sessions:]
    high_date = window.idxmax()
    short = too_short(len(upto), sessions) if sessions is not None else ""
    distance = None if short else float(upto.iloc[-1] / window.loc[high_date] - 1)
    return FromHigh(distance, high_date, window.index[0], short)


def compute(frame: pd.DataFrame, base: pd.Timestamp, end: pd.Timestamp) -> RiskFigures:
    """Risk of the closes from ``base`` to ``end`` (columns ``small``, ``large``, common sessions)."""
    window = frame.loc[base:end]
    returns = window.pct_change().iloc[1:]
    ratio = frame["small"] / frame["large"]
    beta, corr = beta_and_correlation(returns["small"], returns["large"])
    why = ""
    if len(returns) < 2:
        why = f"{len(returns)} daily return in the period: volatility, beta and correlation need two"
    elif beta is None or corr is None:
        why = "a series did not move in the period: beta and correlation need variation"
    return RiskFigures(
        max_drawdown(window["small"]),
        max_drawdown(window["large"]),
        max_drawdown(ratio.loc[base:end]),
        annual_volatility(returns["small"]),
        annual_volatility(returns["large"]),
        beta,
        corr,
        from_high(ratio, end),
        from_high(ratio, end, YEAR_SESSIONS),
        len(returns),
        why,
    )


def drawdown_text(d: Drawdown) -> str:
    if d.peak is None or d.trough is None:
        return "none (never below a running peak)"
    return f"{pct(d.depth)} ({d.peak.date()} → {d.trough.date()})"


def from_high_text(h: FromHigh) -> str:
    if h.distance is None:
        return f"n/a ({h.short})"
    if h.distance == 0:
        return f"at its high ({h.high_date.date()})"
    return f"{abs(h.distance) * 100:.1f}% below ({h.high_date.date()})"


def _na(reason: str) -> str:
    return f"n/a: {reason}"


def fields(r: RiskFigures, small: str, large: str, ratio: str) -> list[Field]:
    """Embed fields, each with its raw number for ``--json`` (dates are in the value text)."""

    out = [
        Field(f"{small} max drawdown", drawdown_text(r.small_drawdown), r.small_drawdown.depth, "fraction"),
        Field(f"{large} max drawdown", drawdown_text(r.large_drawdown), r.large_drawdown.depth, "fraction"),
    ]
    for name, v in ((small, r.small_vol), (large, r.large_vol)):
        text = f"{v * 100:.1f}% a year" if v is not None else _na(r.why_none)
        out.append(Field(f"{name} volatility", text, v, "fraction"))
    out.append(
        Field(
            f"Beta ({small} on {large})",
            f"{r.beta:.2f}" if r.beta is not None else _na(r.why_none),
            r.beta,
        )
    )
    out.append(
        Field(
            "Correlation",
            f"{r.correlation:+.2f}" if r.correlation is not None else _na(r.why_none),
            r.correlation,
        )
    )
    out += [
        Field(f"{ratio} max drawdown", drawdown_text(r.ratio_drawdown), r.ratio_drawdown.depth, "fraction"),
        Field(
            f"{ratio} from its high",
            from_high_text(r.ratio_from_high) + f", since {r.ratio_from_high.since.date()}",
            r.ratio_from_high.distance,
            "fraction",
        ),
        Field(
            f"{ratio} from 52-week high",
            from_high_text(r.ratio_from_52w),
            r.ratio_from_52w.distance,
            "fraction",
        ),
    ]
    return out


def line(r: RiskFigures, small: str, large: str, ratio: str) -> str:
    """The compact sentence for the answer's text."""
    dd = f"max drawdown {small} {_short_dd(r.small_drawdown)}, {large} {_short_dd(r.large_drawdown)}"
    if r.small_vol is not None and r.large_vol is not None:
        vol = f"volatility {r.small_vol * 100:.1f}% vs {r.large_vol * 100:.1f}% a year"
    else:
        vol = "volatility n/a"
    co = (
        f"beta {r.beta:.2f}, correlation {r.correlation:+.2f}"
        if r.beta is not None and r.correlation is not None
        else f"beta and correlation n/a ({r.why_none})"
    )
    hi = (
        f"{ratio} {_short_high(r.ratio_from_high, 'high')}, {_short_high(r.ratio_from_52w, '52-week high')}"
    )
    return f"Risk: {dd}; {vol}; {co}; {hi}."


def _short_dd(d: Drawdown) -> str:
    if d.peak is None or d.trough is None:
        return "none"
    return f"{pct(d.depth, 1)} ({d.peak.date()} → {d.trough.date()})"


def _short_high(h: FromHigh, what: str) -> str:
    if h.distance is None:
        return f"{what} n/a ({h.short})"
    if h.distance == 0:
        return f"at its {what} ({h.high_date.date()})"
    return f"{abs(h.distance) * 100:.1f}% below its {what} of {h.high_date.date()}"


def figures_json(r: RiskFigures) -> dict:
    """Every risk figure with its dates, for ``ask --json``."""

    def day(ts: pd.Timestamp | None) -> str | None:
        return None if ts is None else str(ts.date())

    def dd(d: Drawdown) -> dict:
        return {"depth": d.depth, "peak": day(d.peak), "trough": day(d.trough)}

    return {
        "returns": "daily simple returns on common closes",
        "annualisation": f"sqrt({SESSIONS_PER_YEAR}) x sample std (ddof 1)",
        "daily_returns": r.returns,
        "small_max_drawdown": dd(r.small_drawdown),
        "large_max_drawdown": dd(r.large_drawdown),
        "ratio_max_drawdown": dd(r.ratio_drawdown),
        "small_volatility": r.small_vol,
        "large_volatility": r.large_vol,
        "beta": r.beta,
        "correlation": r.correlation,
        "ratio_from_high": from_high_json(r.ratio_from_high),
        "ratio_from_52_week_high": from_high_json(r.ratio_from_52w),
        "not_computed": r.why_none or None,
    }


def from_high_json(h: FromHigh) -> dict:
    if h.distance is None:
        return {"distance": None, "high_date": None, "since": str(h.since.date()), "not_computed": h.short}
    return {"distance": h.distance, "high_date": str(h.high_date.date()), "since": str(h.since.date())}
