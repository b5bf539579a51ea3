"""The answer cache: a reply built once is served again until the data behind it changes.

Fifty people asking ``/gap period:ytd`` after the close should cost one build (figures, text, a
50-90 ms chart) and forty-nine lookups. A reply is kept under a key made of the command, its
canonical options (the validated query, so ``/gap`` and ``/gap period:YTD`` are one question), the
chart theme and the code that builds answers; with it go the data versions of every ticker its
build read (:mod:`data.versions`). A kept reply is served only while every one of those versions is
still current, so a new close, a refreshed provisional row or a split makes it a miss: the cache
never serves an answer older than its data. Validation and autocomplete never come here.

Two tiers: an in-process LRU bounded in bytes (the PNG dominates), and files under one folder
(``var/answers``) shared by every process on the machine (shards, the console, a restart), written
atomically and bounded in bytes too. Both are disposable; a file that cannot be read is a miss.
Both hold data, never pickles (:mod:`bot.answer_store`), and a folder others can write is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import logging
import os
import sys
from collections import OrderedDict
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from commands.registry import Command, Worker, execute, run_inline
from commands.reply import LEFT_OUT, Reply
from commands.theme import DEFAULT_THEME as CHART_DEFAULT_THEME

from . import answer_store
from .answer_store import NotStorable

log = logging.getLogger(__name__)

DEFAULT_THEME = CHART_DEFAULT_THEME  # the key holds the theme the chart was drawn in
_ROOT = Path(__file__).resolve().parent.parent


class Uncacheable(TypeError):
    """A query holding something without a stable canonical form: answered, never kept."""


def canonical(value: Any) -> Any:
    """A JSON-able form of a validated query that is equal exactly when the queries are."""
    if isinstance(value, enum.Enum):
        return [type(value).__qualname__, canonical(value.value)]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, dt.date | dt.time):  # datetime (and pandas' Timestamp) is a date
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, dt.timedelta):
        return ["timedelta", value.total_seconds()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = f"{type(value).__module__}.{type(value).__qualname__}"
        return [name, {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}]
    if isinstance(value, tuple | list):
        return [type(value).__name__, [canonical(v) for v in value]]
    if isinstance(value, frozenset | set):
        return ["set", sorted((canonical(v) for v in value), key=json.dumps)]
    if isinstance(value, dict):
        items = [[canonical(k), canonical(v)] for k, v in value.items()]
        return ["dict", sorted(items, key=json.dumps)]
    raise Uncacheable(f"no canonical form for {type(value).__name__}")


def _sources(roots: Iterable[Path]) -> Iterable[Path]:
    for root in roots:
        yield from sorted(root.rglob("*.py"))


@cache
def code_version() -> str:
    """What builds answers: the sources of ``commands/`` and ``data/`` and the libraries that draw.
    A deployment that changes any of them never serves a reply the old code built."""
    digest = hashlib.sha256(repr(sys.version_info[:2]).encode())
    for path in _sources((_ROOT / "commands", _ROOT / "data")):
        digest.update(str(path.relative_to(_ROOT)).encode())
        digest.update(path.read_bytes())
    for dist in ("numpy", "pandas", "matplotlib"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{dist}={metadata.version(dist)}".encode())
    return digest.hexdigest()[:16]


def answer_key(command: str, query: Any, theme: str = DEFAULT_THEME) -> str:
    """The key of one question; raises :class:`Uncacheable`."""
    text = json.dumps([code_version(), command, canonical(query), theme], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class Recording:
    """The data provider as a command's ``load`` sees it, noting the version of every history read."""

    def __init__(self, data: Any) -> None:
        self._data = data
        self.versions: dict[str, str] = {}

    async def history(self, ticker: str) -> Any:
        history = await self._data.history(ticker)
        self.versions[ticker] = getattr(history, "version", "") or ""
        return history

    def __getattr__(self, name: str) -> Any:
        return getattr(self._data, name)


@dataclasses.dataclass
class Entry:
    deps: dict[str, str]  # ticker -> data version the reply was built from
    blob: bytes  # the reply as stored (bot.answer_store): every hit decodes its own copy

    @property
    def size(self) -> int:
        return len(self.blob) + sum(len(k) + len(v) for k, v in self.deps.items())

    def reply(self) -> Reply:
        return answer_store.decode(self.blob)[1]


@dataclasses.dataclass
class _Built:
    """A reply with no stored form (:class:`NotStorable`): its askers each get a copy; never kept."""

    deps: dict[str, str]
    value: Reply

    def reply(self) -> Reply:
        return copy.deepcopy(self.value)


@dataclasses.dataclass
class Counters:
    hits: int = 0
    disk_hits: int = 0
    misses: int = 0
    shared: int = 0  # waited for an identical question already being built
    stale: int = 0  # found, but the data behind it had changed


class AnswerCache:
    def __init__(
        self,
        folder: Path | None = None,
        max_bytes: int = 8 * 2**20,
        disk_max_bytes: int = 256 * 2**20,
    ) -> None:
        answer_store.check_folder(folder)  # a folder others can write: their files would be our answers
        self.folder = folder
        self.max_bytes = max_bytes
        self.disk_max_bytes = disk_max_bytes
        self.counters = Counters()
        self._memory: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._disk_bytes: int | None = None  # measured on the first write
        self._building: dict[str, asyncio.Task[Entry | _Built]] = {}

    @property
    def memory_bytes(self) -> int:
        return self._bytes

    # -- the one entry point -----------------------------------------------------------------

    async def answer(
        self,
        command: Command,
        query: Any,
        data: Any,
        worker: Worker = run_inline,
        theme: str = DEFAULT_THEME,
    ) -> Reply:
        """``execute(command, query, data, worker, theme)``, from the cache when the data allows."""
        if not callable(getattr(data, "version", None)):
            return await execute(command, query, data, worker, theme)  # a provider without versions
        try:
            key = answer_key(command.name, query, theme)
        except Uncacheable:
            return await execute(command, query, data, worker, theme)
        reply = await self.lookup(key, data)
        if reply is not None:
            return reply
        task = self._building.get(key)
        if task is None:
            self.counters.misses += 1
            task = asyncio.ensure_future(self._build(key, command, query, data, worker, theme))
            self._building[key] = task
            task.add_done_callback(lambda t: self._built(key, t))
        else:
            self.counters.shared += 1
        entry = await asyncio.shield(task)  # a cancelled asker leaves the build to the others
        return entry.reply()

    async def lookup(self, key: str, data: Any) -> Reply | None:
        """A kept reply whose data is still current: memory first, then the shared folder."""
        entry = self._memory.get(key)
        if entry is not None:
            if await _current(entry.deps, data):
                self._memory.move_to_end(key)
                self.counters.hits += 1
                return entry.reply()
            self._forget(key)
        entry = self._read(key)
        if entry is not None:
            if await _current(entry.deps, data):
                self._remember(key, entry)
                self.counters.disk_hits += 1
                return entry.reply()
            self.counters.stale += 1
        return None

    async def _build(
        self, key: str, command: Command, query: Any, data: Any, worker: Worker, theme: str = DEFAULT_THEME
    ) -> Entry | _Built:
        recording = Recording(data)
        reply = await execute(command, query, recording, worker, theme)
        deps = dict(recording.versions)
        try:
            entry = Entry(deps, answer_store.encode(deps, reply))
        except (NotStorable, ValueError) as exc:  # served to its askers, never kept
            log.info("/%s answer not kept: %s", command.name, exc)
            return _Built(deps, reply)
        # Never kept: a reply built from a history without a version, or one whose chart could not be
        # drawn (a drawing failure may be passing; the next asker tries again).
        if all(entry.deps.values()) and LEFT_OUT not in reply.notes:
            self._remember(key, entry)
            self._write(key, entry)
        return entry

    def _built(self, key: str, task: asyncio.Task[Entry | _Built]) -> None:
        self._building.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here, so an error nobody awaited is not reported twice

    # -- memory ------------------------------------------------------------------------------

    def _remember(self, key: str, entry: Entry) -> None:
        self._forget(key)
        if entry.size > self.max_bytes:
            return
        self._memory[key] = entry
        self._bytes += entry.size
        while self._bytes > self.max_bytes:
            _, oldest = self._memory.popitem(last=False)
            self._bytes -= oldest.size

    def _forget(self, key: str) -> None:
        old = self._memory.pop(key, None)
        if old is not None:
            self._bytes -= old.size

    # -- the shared folder -------------------------------------------------------------------

    def _path(self, key: str) -> Path | None:
        return self.folder / f"{key}.answer" if self.folder is not None else None

    def _read(self, key: str) -> Entry | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            deps, _ = answer_store.decode(raw)  # the whole file checked once, here
            entry = Entry(deps, raw)
        except Exception as exc:  # a torn or foreign file: a miss, and out of the way
            log.warning("answer cache file %s unreadable (%s): removed", path.name, exc)
            path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first when the folder is pruned
        return entry

    def _write(self, key: str, entry: Entry) -> None:
        path = self._path(key)
        if path is None:
            return
        assert self.folder is not None
        payload = entry.blob
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self._disk_bytes is None:
                self._disk_bytes = sum(size for _, size, _ in self._files())
            tmp.write_bytes(payload)
            os.replace(tmp, path)  # readers in other processes see the old file or the new, never half
        except OSError as exc:
            log.warning("answer cache: could not write %s (%s)", path.name, exc)
            tmp.unlink(missing_ok=True)
            return
        self._disk_bytes += len(payload)
        if self._disk_bytes > self.disk_max_bytes:
            self._prune()

    def _files(self) -> list[tuple[float, int, Path]]:
        assert self.folder is not None
        out = []
        for item in os.scandir(self.folder):
            if item.name.endswith(".answer"):
                try:
                    stat = item.stat()
                except OSError:
                    continue
                out.append((stat.st_mtime, stat.st_size, Path(item.path)))
        return out

    def _prune(self) -> None:
        """Least recently used files go until the folder is at 80% of its bound."""
        files = sorted(self._files())
        total = sum(size for _, size, _ in files)
        for _, size, path in files:
            if total <= self.disk_max_bytes * 0.8:
                break
            path.unlink(missing_ok=True)  # another process may have pruned it already
            total -= size
        self._disk_bytes = total


async def _current(deps: dict[str, str], data: Any) -> bool:
    """Is every version a reply was built from still the version of that ticker's data?"""
    if not deps:
        return False
    for ticker, kept in deps.items():
        if await data.version(ticker) != kept:
            return False
    return True
