"""All configuration in one typed object, read from the environment and an optional ``.env``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .shards import ShardPlan


class DataSource(StrEnum):
    live = "live"  # Yahoo Finance for the tail, the bundled snapshot underneath and as fallback
    snapshot = "snapshot"  # bundled snapshot only: offline, "today" is its last session


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, description="Bot token; unset = offline console")
    discord_guild_id: int | None = Field(default=None, description="Development guild for instant sync")
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/cache.db", description="Market-data cache (disposable)"
    )
    state_database_url: str = Field(
        default="sqlite+aiosqlite:///var/state.db", description="Subscriptions and other user state (kept)"
    )
    scheduler_enabled: bool = True
    backup_dir: Path = Field(default=Path("var/backups"), description="Rolling copies of the state database")
    catch_up_hours: float = Field(default=18.0, ge=0, description="A missed daily update is posted this late")
    data_source: DataSource = DataSource.live
    timezone: str = Field(default="America/New_York", description="Default time zone for servers' post times")
    log_level: str = "INFO"
    chart_dir: Path = Path("var/charts")
    final_delay_minutes: int = Field(default=30, description="A close counts as final this long after it")
    live_timeout_seconds: float = 20.0
    chart_executor: str = Field(default="process", pattern="^(process|thread)$")
    chart_workers: int = Field(default=2, ge=1, le=16)
    sync_state_path: Path = Path("var/command-sync.json")
    answer_cache_dir: Path | None = Field(
        default=Path("var/answers"), description="Built answers shared by this machine's processes"
    )
    answer_cache_mib: int = Field(default=32, ge=0, description="In-memory answer cache bound, per process")
    discord_global_rate: float = Field(
        default=48.0, gt=0, description="REST requests per second the whole bot may make (Discord: 50)"
    )
    claim_lease_seconds: float = Field(
        default=600.0, ge=2, description="A delivery claim's lease; renewed while its holder sends"
    )
    shard_count: int | None = Field(default=None, ge=1, description="Total shards of the deployment")
    shard_ids: str | None = Field(default=None, description='Shards this process runs, e.g. "0,1" or "0-2"')

    @field_validator("discord_token", "discord_guild_id", "shard_count", "shard_ids", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _valid_shards(self) -> Settings:
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
        return self

    @property
    def shards(self) -> ShardPlan:
        return ShardPlan.parse(self.shard_count, self.shard_ids)

    @property
    def final_delay(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.final_delay_minutes)
