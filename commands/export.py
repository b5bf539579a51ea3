"""The numbers behind an answer, as one CSV to paste into a spreadsheet or a notebook.

``export:true`` on a data command attaches one file: a header of ``#`` comment lines (the command as
understood, the as-of date, the data source, the definitions that matter, every figure of the answer)
and then one table, a row per date (or per occurrence, per fund-week), with the closes used, the
daily returns, the ratio and the computed columns. ``pandas.read_csv(path, comment="#")`` reads it.

Discord allows 10 files and 10 MiB per message; an answer sends its chart PNG and this CSV, so the
CSV is held under :data:`MAX_BYTES` less the chart. A table that would not fit keeps its newest rows
and says so, in the header and in the answer's notes (never silently).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from .escape import code
from .registry import Option
from .reply import Reply, UserError

MIB = 1024 * 1024
DISCORD_TOTAL = 10 * MIB  # all attachments of one message
MAX_BYTES = DISCORD_TOTAL - 256 * 1024  # headroom for the multipart envelope
FLOAT_FORMAT = "%.10g"

OPTION = Option(
    "export", "Attach a CSV of the series and figures behind the answer (true/false)", kind="boolean"
)


def wanted(options: Mapping[str, str]) -> bool:
    """The ``export`` option: true or false (yes/no accepted), refused otherwise."""
    raw = (options.get("export") or "false").strip().lower()
    if raw not in {"true", "false", "yes", "no"}:
        raise UserError(f"`export` is true or false (got {code(raw, 10)}).")
    return raw in {"true", "yes"}


def _header(reply: Reply, command: str, definitions: Iterable[str], trimmed: str) -> str:
    lines = [
        "rotation-bot export",
        f"command: {command}",
        f"as of: {reply.as_of.isoformat() if reply.as_of else 'n/a'}",
        f"source: {reply.source or 'n/a'}",
        f"answer: {reply.title}",
        *(f"definition: {d}" for d in definitions),
        *(f"figure: {f.name} = {f.value.replace(chr(10), ' | ')}" for f in reply.fields),
        *(f"note: {n}" for n in reply.notes),
    ]
    if trimmed:
        lines.append(f"trimmed: {trimmed}")
    return "".join(f"# {line}\n" for line in lines)


def _body(table: pd.DataFrame) -> str:
    index_label = table.index.name or "date"
    return table.to_csv(float_format=FLOAT_FORMAT, date_format="%Y-%m-%d", index_label=index_label)


def attach(
    reply: Reply,
    name: str,
    table: pd.DataFrame,
    command: str,
    definitions: Iterable[str] = (),
    limit: int = MAX_BYTES,
) -> Reply:
    """Set ``reply.csv`` (file ``name``): the header and ``table``, within ``limit`` bytes with the chart."""
    definitions = list(definitions)
    room = limit - len(reply.chart or b"")
    body, trimmed = _body(table), ""
    if len(_header(reply, command, definitions, "").encode() + body.encode()) > room:
        keep = len(table)
        while keep > 1:
            keep //= 2
            trimmed = f"the newest {keep} of {len(table)} rows, to stay within Discord's 10 MiB"
            body = _body(table.iloc[-keep:])
            if len(_header(reply, command, definitions, trimmed).encode() + body.encode()) <= room:
                break
        reply.notes.append(f"The CSV holds {trimmed}.")
    reply.csv = (_header(reply, command, definitions, trimmed) + body).encode()
    reply.csv_name = name
    return reply


def pair_table(frame: pd.DataFrame, small: str, large: str) -> pd.DataFrame:
    """Closes, daily simple returns, the daily spread and the ratio of two series, named by ticker."""
    returns = frame.pct_change()
    ratio = frame["small"] / frame["large"]
    return pd.DataFrame(
        {
            f"{small} close": frame["small"],
            f"{large} close": frame["large"],
            f"{small} daily return": returns["small"],
            f"{large} daily return": returns["large"],
            "daily spread": returns["small"] - returns["large"],
            f"{small}/{large} ratio": ratio,
        },
        index=frame.index.rename("date"),
    )
