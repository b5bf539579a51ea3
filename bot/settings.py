"""All configuration in one typed object, read from the environment and an optional ``.env``.

A dataclass and a small reader rather than pydantic-settings: for twenty variables, pydantic cost
every process 8-9 MiB of proportional memory (the bot's 300 MiB budget includes it) and every start
~0.18 s of imports, ``python -m bot ask`` too. python-dotenv reads ``.env``; the reader converts each
value to its field's type and checks its bounds, and a wrong value is refused with what is accepted.

Precedence, as before: arguments (``Settings(data_source="snapshot")``), then the environment, then
``.env`` in the working directory, then the defaults. Names match case-insensitively.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from .shards import ShardPlan

ENV_FILE = ".env"
PROVIDERS = ("yahoo", "tiingo", "fred")


class DataSource(StrEnum):
    live = "live"  # Yahoo Finance for the tail, the bundled snapshot underneath and as fallback
    snapshot = "snapshot"  # bundled snapshot only: offline, "today" is its last session


class Secret:
    """A value that never shows itself: not in ``str``, ``repr``, logs or tracebacks of settings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SettingsError(ValueError):
    """One or more settings were wrong; the message names each variable and what it accepts."""


def _bounds(**limits: Any) -> Any:
    return field(default=limits.pop("default"), metadata=limits)


@dataclass(init=False)
class Settings:
    discord_token: Secret | None = None  # bot token; unset = offline console
    discord_guild_id: int | None = None  # development guild for instant sync
    database_url: str = "sqlite+aiosqlite:///var/cache.db"  # market-data cache (disposable)
    state_database_url: str = "sqlite+aiosqlite:///var/state.db"  # subscriptions and other user state
    scheduler_enabled: bool = True
    backup_dir: Path = Path("var/backups")  # rolling copies of the state database
    catch_up_hours: float = _bounds(default=18.0, ge=0)  # a missed daily update is posted this late
    data_source: DataSource = DataSource.live
    timezone: str = "America/New_York"  # default time zone for servers' post times
    log_level: str = "INFO"
    chart_dir: Path = Path("var/charts")
    final_delay_minutes: int = 30  # a close counts as final this long after it
    live_timeout_seconds: float = 20.0
    chart_executor: str = _bounds(default="process", choices=("process", "thread"))
    chart_workers: int = _bounds(default=2, ge=1, le=16)
    # builds one server may run at once (unset: all workers but one, so another server's question
    # never waits for a burst's build; at least one)
    chart_workers_per_server: int | None = _bounds(default=None, ge=1, le=16)
    heavy_workers: int = _bounds(default=1, ge=1, le=8)  # processes for builds that import scipy (/rrg)
    heavy_idle_seconds: float = _bounds(default=60.0, ge=0)  # then that pool is shut down (memory back)
    # live mode's bounds (data/budget.py): tickers kept in memory besides the default pairs, and for how
    # long unasked; the market cache's size; tickers a server may have fetched for the first time a day
    market_memory_tickers: int = _bounds(default=48, ge=1)
    market_memory_idle_minutes: float = _bounds(default=30.0, gt=0)
    market_cache_max_mb: int = _bounds(default=256, ge=16)
    new_tickers_per_day: int = _bounds(default=25, ge=0)
    sync_state_path: Path = Path("var/command-sync.json")
    answer_cache_dir: Path | None = Path("var/answers")  # built answers shared by this machine's processes
    answer_cache_mib: int = _bounds(default=8, ge=0)  # in-memory answer cache bound, per process
    discord_global_rate: float = _bounds(default=48.0, gt=0)  # REST requests/s, whole bot (Discord: 50)
    claim_lease_seconds: float = _bounds(default=600.0, ge=2)  # renewed while its holder sends
    shard_count: int | None = _bounds(default=None, ge=1)  # total shards of the deployment
    shard_ids: str | None = None  # shards this process runs, e.g. "0,1" or "0-2"
    # -- live data providers (data/sources): which ones, in what order, where, and their keys --
    provider_order: str = "yahoo,tiingo,fred"  # tried in this order for each series they carry
    tiingo_api_key: Secret | None = None  # enables Tiingo, the second provider for funds
    tiingo_base_url: str = "https://api.tiingo.com"
    fred_base_url: str = "https://fred.stlouisfed.org"  # keyless fredgraph.csv
    reconcile_tolerance_pct: float = _bounds(default=0.1, gt=0)  # % apart two providers' closes disagree

    def __init__(self, **given: Any) -> None:
        hints = typing.get_type_hints(type(self), globalns=globals())
        names = {f.name for f in dataclasses.fields(self)}
        if unknown := sorted(set(given) - names):
            raise TypeError(f"unknown settings: {', '.join(unknown)}")
        environ = _environment(names)
        problems = []
        for f in dataclasses.fields(self):
            raw = given[f.name] if f.name in given else environ.get(f.name, f.default)
            try:
                setattr(self, f.name, _checked(_converted(raw, hints[f.name]), f.metadata))
            except ValueError as error:  # (the token is any string: it cannot fail, nor be shown here)
                problems.append(f"{f.name.upper()}={raw!r}: {error}")
        if problems:
            raise SettingsError("; ".join(problems))
        try:
            self._check_shards()
            self._check_providers()
            self._check_databases()
        except ValueError as error:
            raise SettingsError(str(error)) from None

    def _check_providers(self) -> None:
        unknown = [p for p in self.providers if p not in PROVIDERS]
        if unknown or not self.providers:
            raise ValueError(
                f"PROVIDER_ORDER={self.provider_order!r}: expects a comma-separated order of "
                f"{', '.join(PROVIDERS)}"
            )

    @property
    def providers(self) -> list[str]:
        """The live providers in the operator's order (Tiingo only counts once it has a key)."""
        return [p.strip().lower() for p in self.provider_order.split(",") if p.strip()]

    def _check_shards(self) -> None:
        plan = ShardPlan.parse(self.shard_count, self.shard_ids)  # refuse a wrong combination at start
        if plan.sharded and len(plan.ids) < (plan.count or 0):
            urls = {"STATE_DATABASE_URL": self.state_database_url, "DATABASE_URL": self.database_url}
            local = [name for name, url in urls.items() if not url.startswith("postgresql")]
            if local:
                raise ValueError(
                    f"SHARD_IDS={self.shard_ids} leaves the other shards to other processes, which must "
                    f"share one PostgreSQL database: set {' and '.join(local)} to postgresql+asyncpg://… "
                    "(SQLite serves a single process)"
                )

    def _check_databases(self) -> None:
        """One SQLite file for both stores is refused: the cache is disposable (a damaged cache file is
        set aside and rebuilt empty), so the state in the same file would go with it, and the start-up
        backup would then copy the empty state. One PostgreSQL database may serve both (it is never
        set aside; the stores keep their own tables and schema versions)."""
        cache, state = (_sqlite_file(u) for u in (self.database_url, self.state_database_url))
        if cache is not None and cache == state:
            raise ValueError(
                f"DATABASE_URL and STATE_DATABASE_URL name the same SQLite file ({cache}): the market cache "
                "is rebuilt empty when damaged, and the state must never be, so give each a file of its own "
                "(e.g. sqlite+aiosqlite:///var/cache.db and sqlite+aiosqlite:///var/state.db)"
            )

    def copy(self, **changes: Any) -> Settings:
        """These settings with ``changes`` (checked like any others), the environment not read again."""
        return Settings(**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)} | changes)

    @property
    def shards(self) -> ShardPlan:
        return ShardPlan.parse(self.shard_count, self.shard_ids)

    @property
    def final_delay(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.final_delay_minutes)


def _sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names, resolved (``var/x.db`` and ``./var/../var/x.db`` are one file).
    Read by hand, as SQLAlchemy's ``make_url`` would (``sqlite[+driver]:///path[?query]``), so reading
    the settings does not import SQLAlchemy."""
    m = _SQLITE_URL.match(url.strip())
    if m is None or m["path"] in ("", ":memory:"):
        return None
    return Path(m["path"]).expanduser().resolve()


_SQLITE_URL = re.compile(r"^sqlite(?:\+\w+)?:///(?P<path>[^?]*)(?:\?.*)?$")


def _environment(names: set[str]) -> dict[str, str]:
    """The settings' variables from ``.env`` and then the environment (which wins), by field name."""
    found: dict[str, str] = {}
    sources = (dotenv_values(ENV_FILE) if os.path.isfile(ENV_FILE) else {}, os.environ)
    for source in sources:
        for key, value in source.items():
            if key.lower() in names and value is not None:
                found[key.lower()] = value
    return found


_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}


def _converted(raw: Any, kind: Any) -> Any:
    """``raw`` (a string from the environment, or a value given in code) as a value of ``kind``."""
    options = typing.get_args(kind) if typing.get_origin(kind) is types.UnionType else (kind,)
    if type(None) in options:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None  # blank is unset
        options = tuple(o for o in options if o is not type(None))
    (kind,) = options
    if raw is None:
        raise ValueError("must be set")
    if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
        return raw  # given in code, already typed
    if kind is bool:
        word = str(raw).strip().lower()
        if word not in _TRUE | _FALSE:
            raise ValueError("expects true or false")
        return word in _TRUE
    if kind is int:
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError("expects a whole number") from None
    if kind is float:
        try:
            number = float(str(raw).strip())
        except ValueError:
            raise ValueError("expects a number") from None
        if not math.isfinite(number):
            raise ValueError("expects a finite number")
        return number
    if kind is DataSource:
        try:
            return DataSource(str(raw).strip().lower())
        except ValueError:
            raise ValueError(f"expects one of {', '.join(s.value for s in DataSource)}") from None
    if kind is Secret:
        return Secret(str(raw))
    return kind(raw)  # str, Path


def _checked(value: Any, limits: typing.Mapping[str, Any]) -> Any:
    if value is None:
        return value
    if "choices" in limits and value not in limits["choices"]:
        raise ValueError(f"expects one of {', '.join(limits['choices'])}")
    if "ge" in limits and value < limits["ge"]:
        raise ValueError(f"must be at least {limits['ge']}")
    if "gt" in limits and value <= limits["gt"]:
        raise ValueError(f"must be more than {limits['gt']}")
    if "le" in limits and value > limits["le"]:
        raise ValueError(f"must be at most {limits['le']}")
    return value

