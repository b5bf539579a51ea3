"""The one currency between layers: what an answer says, whatever renders it."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DISCLAIMER = "Information, not investment advice."


class UserError(Exception):
    """A mistake in what the user asked: shown to them as is, politely, never as a traceback."""


# The note a reply carries when its chart could not be drawn (commands.charts.attach): here, not in
# charts, so the answer cache can read it without importing matplotlib.
LEFT_OUT = "The chart was left out: it could not be drawn from these figures. The text above is complete."


@dataclass(frozen=True)
class Field:
    name: str
    value: str  # formatted for people
    number: float | int | None = None  # the raw figure, for scripts (JSON) and tests
    unit: str | None = None  # "%", "pp", "sessions", ...
    inline: bool = True


@dataclass
class Reply:
    title: str
    text: str
    fields: list[Field] = field(default_factory=list)
    as_of: dt.date | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)  # caveats: mixed bases, stale data
    chart: bytes | None = None  # PNG
    chart_name: str = "chart.png"
    figures: dict[str, Any] = field(default_factory=dict)  # structured figures for scripts (--json)
    csv: bytes | None = None  # the series and figures behind the answer, when asked for (export:true)
    csv_name: str = "data.csv"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def footer(self) -> str:
        parts = []
        if self.as_of:
            parts.append(f"As of {self.as_of.isoformat()}")
        if self.source:
            parts.append(self.source)
        parts.append(DISCLAIMER)
        return " · ".join(parts)

    def to_json(self, chart_path: str | None = None, csv_path: str | None = None) -> dict[str, Any]:
        """Strict JSON: a figure that is not a finite number is ``null`` (never NaN or Infinity)."""
        return finite({
            "title": self.title,
            "text": self.text,
            "fields": [
                {"name": f.name, "value": f.value, "number": f.number, "unit": f.unit} for f in self.fields
            ],
            "notes": self.notes,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": self.source,
            "figures": self.figures,
            "chart": chart_path,
            "csv": csv_path,
        })


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (numpy's included) replaced by None, recursively."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def plural(n: int, one: str, many: str | None = None) -> str:
    """``plural(1, "session")`` -> "1 session", ``plural(3, "session")`` -> "3 sessions"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def sessions(n: int) -> str:
    return plural(n, "session")


def _plain(value: Any) -> Any:
    """numpy scalars and dates as JSON has them (figures come from pandas)."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode_reply(reply: Reply) -> tuple[bytes, bytes | None]:
    """A reply as stored bytes: everything but the chart as JSON, and the chart PNG as it is. Used to
    share a built reply between processes (the daily update is built once per deployment)."""
    record = {
        "title": reply.title,
        "text": reply.text,
        "fields": [[f.name, f.value, f.number, f.unit, f.inline] for f in reply.fields],
        "as_of": reply.as_of.isoformat() if reply.as_of else None,
        "source": reply.source,
        "notes": reply.notes,
        "chart_name": reply.chart_name,
        "figures": reply.figures,
    }
    return json.dumps(record, default=_plain, allow_nan=False).encode(), reply.chart


def decode_reply(payload: bytes, chart: bytes | None) -> Reply:
    record = json.loads(payload)
    return Reply(
        title=record["title"],
        text=record["text"],
        fields=[Field(*f) for f in record["fields"]],
        as_of=dt.date.fromisoformat(record["as_of"]) if record["as_of"] else None,
        source=record["source"],
        notes=record["notes"],
        chart=chart,
        chart_name=record["chart_name"],
        figures=record["figures"],
    )


def pct(x: float, digits: int = 2) -> str:
    return f"{x * 100:+.{digits}f}%"


def pp(x: float, digits: int = 2) -> str:
    return f"{x * 100:+.{digits}f} pp"
