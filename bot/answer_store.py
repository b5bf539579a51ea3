"""How a built answer is kept: its words and figures as JSON, its chart and CSV as the bytes they are.

Never pickle: the shared folder (``ANSWER_CACHE_DIR``) is read by every process of a deployment, and
unpickling a file runs whatever code the file names, so a file planted there ran code in the bot
(issue 24, finding 13). Data read from JSON can at worst be a wrong answer, so the folder must also
be one only this user can write to: :func:`check_folder` refuses any other, at start.

A stored answer is ``MAGIC``, one line of JSON (the reply's fields, the data versions it was built
from, the sizes of the two blobs), then the PNG and then the CSV. Values JSON has no type for
(dates, tuples, numpy scalars, dicts keyed by numbers) are tagged, so a reply comes back equal to
the one built; a value of any other type makes the reply :class:`NotStorable` (served, not kept).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from commands.reply import Field, Reply

MAGIC = b"rotation-bot answer 2\n"
_TAG = "__t"


class NotStorable(TypeError):
    """A reply holding a value the store has no data form for."""


class UnsafeFolder(ValueError):
    """The answer folder can be written by someone other than the bot's user."""


def _tagged(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {_TAG: "float", "v": repr(value)}
    if isinstance(value, dt.datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, tuple):
        return {_TAG: "tuple", "v": [_tagged(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and _TAG not in value:
            return {k: _tagged(v) for k, v in value.items()}
        return {_TAG: "dict", "v": [[_tagged(k), _tagged(v)] for k, v in value.items()]}
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # numpy scalars
        return _tagged(value.item())
    raise NotStorable(f"no data form for {type(value).__name__}")


def _untagged(value: Any) -> Any:
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(_TAG)
    if tag is None:
        return {k: _untagged(v) for k, v in value.items()}
    inner = value["v"]
    if tag == "float":
        return float(inner)  # "nan", "inf", "-inf"
    if tag == "datetime":
        return dt.datetime.fromisoformat(inner)
    if tag == "date":
        return dt.date.fromisoformat(inner)
    if tag == "tuple":
        return tuple(_untagged(v) for v in inner)
    if tag == "dict":
        return {_untagged(k): _untagged(v) for k, v in inner}
    raise ValueError(f"unknown tag {tag!r}")


def encode(deps: dict[str, str], reply: Reply) -> bytes:
    """The stored bytes of ``reply``, built from data at ``deps`` (ticker -> version)."""
    chart, csv = reply.chart or b"", reply.csv or b""
    record = {
        "deps": dict(deps),
        "title": reply.title,
        "text": reply.text,
        "fields": [[f.name, f.value, _tagged(f.number), f.unit, f.inline] for f in reply.fields],
        "as_of": _tagged(reply.as_of),
        "source": reply.source,
        "notes": list(reply.notes),
        "figures": _tagged(reply.figures),
        "chart_name": reply.chart_name,
        "csv_name": reply.csv_name,
        "chart": len(chart) if reply.chart is not None else None,
        "csv": len(csv) if reply.csv is not None else None,
    }
    line = json.dumps(record, separators=(",", ":"), allow_nan=False).encode()
    return b"".join((MAGIC, line, b"\n", chart, csv))


def decode(raw: bytes) -> tuple[dict[str, str], Reply]:
    """``(deps, reply)`` from stored bytes; ValueError (or KeyError, TypeError) for anything else."""
    if not raw.startswith(MAGIC):
        raise ValueError("not an answer file")
    end = raw.index(b"\n", len(MAGIC))
    record = json.loads(raw[len(MAGIC) : end])
    blobs = memoryview(raw)[end + 1 :]
    sizes = [record["chart"] or 0, record["csv"] or 0]
    if sum(sizes) != len(blobs):
        raise ValueError("torn answer file")
    chart = bytes(blobs[: sizes[0]]) if record["chart"] is not None else None
    csv = bytes(blobs[sizes[0] :]) if record["csv"] is not None else None
    deps = record["deps"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in deps.items()):
        raise ValueError("bad data versions")
    reply = Reply(
        title=str(record["title"]),
        text=str(record["text"]),
        fields=[Field(str(n), str(v), _untagged(num), u, bool(i)) for n, v, num, u, i in record["fields"]],
        as_of=_untagged(record["as_of"]),
        source=str(record["source"]),
        notes=[str(n) for n in record["notes"]],
        chart=chart,
        chart_name=str(record["chart_name"]),
        figures=_untagged(record["figures"]),
        csv=csv,
        csv_name=str(record["csv_name"]),
    )
    return deps, reply


def check_folder(folder: Path | None) -> None:
    """Refuse a folder (or its nearest existing parent, where it would be made) that another user can
    write to: group or world writable, or owned by someone else. Raises :class:`UnsafeFolder` naming
    the fix."""
    if folder is None:
        return
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent  # it will be created inside this one: a writable parent could swap it
    info = path.stat()
    uid = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    sticky_tmp = path != Path(folder) and info.st_mode & stat.S_ISVTX
    if sticky_tmp:  # /tmp-like: anyone may create the folder first; only our own folder will do
        raise UnsafeFolder(
            f"ANSWER_CACHE_DIR={folder}: it does not exist and would be made in {path}, where anyone "
            f"can create it first. Create it yourself (mkdir -m 700 {folder}) or choose another folder."
        )
    if info.st_uid != uid or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeFolder(
            f"ANSWER_CACHE_DIR={path} can be written by other users (mode {stat.filemode(info.st_mode)}, "
            f"owner uid {info.st_uid}): answers read from it would be theirs. Use a folder only this "
            f"user can write to (chmod go-w {path}), or another folder."
        )
