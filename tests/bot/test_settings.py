"""Settings from the environment and ``.env``: each value converted to its field's type, a wrong
one refused with the variable's name and what it accepts, the token never shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DataSource, Secret, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No setting from the machine's environment or a developer's .env: only what a test sets."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.__dataclass_fields__:
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("variable", "raw", "field", "expected"),
    [
        ("CHART_WORKERS", "3", "chart_workers", 3),
        ("CATCH_UP_HOURS", "0.5", "catch_up_hours", 0.5),
        ("SCHEDULER_ENABLED", "false", "scheduler_enabled", False),
        ("SCHEDULER_ENABLED", "ON", "scheduler_enabled", True),
        ("DATA_SOURCE", "Snapshot", "data_source", DataSource.snapshot),
        ("BACKUP_DIR", "/srv/backups", "backup_dir", Path("/srv/backups")),
        ("DISCORD_GUILD_ID", "1234567890", "discord_guild_id", 1234567890),
        ("DISCORD_GUILD_ID", "  ", "discord_guild_id", None),  # blank is unset
        ("ANSWER_CACHE_DIR", "", "answer_cache_dir", None),  # blank: no shared answer cache on disk
        ("SHARD_COUNT", "", "shard_count", None),
        ("chart_executor", "thread", "chart_executor", "thread"),  # names match in any case
    ],
)
def test_a_variable_becomes_a_typed_value(clean_env, variable, raw, field, expected):
    clean_env.setenv(variable, raw)
    assert getattr(Settings(), field) == expected


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("CHART_WORKERS", "0", "CHART_WORKERS='0': must be at least 1"),
        ("CHART_WORKERS", "two", "CHART_WORKERS='two': expects a whole number"),
        ("CHART_WORKERS", "17", "must be at most 16"),
        ("CHART_EXECUTOR", "gpu", "CHART_EXECUTOR='gpu': expects one of process, thread"),
        ("DATA_SOURCE", "yahoo", "expects one of live, snapshot"),
        ("SCHEDULER_ENABLED", "maybe", "expects true or false"),
        ("DISCORD_GLOBAL_RATE", "0", "must be more than 0"),
        ("CATCH_UP_HOURS", "nan", "expects a finite number"),
        ("CLAIM_LEASE_SECONDS", "1", "must be at least 2"),
    ],
)
def test_a_wrong_value_is_refused_with_what_is_accepted(clean_env, variable, raw, message):
    clean_env.setenv(variable, raw)
    with pytest.raises(SettingsError, match=message):
        Settings()


def test_every_wrong_value_is_named_at_once(clean_env):
    clean_env.setenv("CHART_WORKERS", "0")
    clean_env.setenv("DATA_SOURCE", "yahoo")
    with pytest.raises(SettingsError, match=r"DATA_SOURCE='yahoo'.*CHART_WORKERS='0'"):
        Settings()


def test_arguments_then_environment_then_env_file_then_defaults(clean_env, tmp_path):
    (tmp_path / ".env").write_text("CHART_WORKERS=4\nLOG_LEVEL=DEBUG\nTIMEZONE=Europe/Paris\nOTHER=1\n")
    clean_env.setenv("LOG_LEVEL", "WARNING")
    settings = Settings(timezone="Asia/Tokyo")
    assert (settings.timezone, settings.log_level, settings.chart_workers) == ("Asia/Tokyo", "WARNING", 4)
    assert settings.final_delay_minutes == 30


def test_a_copy_is_checked_and_does_not_read_the_environment_again(clean_env):
    settings = Settings(chart_workers=3)
    clean_env.setenv("CHART_WORKERS", "5")
    assert settings.copy(log_level="DEBUG").chart_workers == 3
    with pytest.raises(SettingsError, match="must be at least 1"):
        settings.copy(chart_workers=0)


def test_the_token_is_never_shown(clean_env):
    clean_env.setenv("DISCORD_TOKEN", "XYZ.secret-token-value")
    settings = Settings()
    assert settings.discord_token == Secret("XYZ.secret-token-value")
    assert settings.discord_token.get_secret_value() == "XYZ.secret-token-value"
    assert "XYZ" not in repr(settings) + str(settings) + str(settings.discord_token)


def test_the_tiingo_key_is_never_shown_and_the_order_is_checked(clean_env):
    clean_env.setenv("TIINGO_API_KEY", "tiingo-abc123-secret")
    clean_env.setenv("PROVIDER_ORDER", " Tiingo, yahoo ")
    settings = Settings()
    assert settings.tiingo_api_key.get_secret_value() == "tiingo-abc123-secret"
    assert "abc123" not in repr(settings) + str(settings)
    assert settings.providers == ["tiingo", "yahoo"]
    with pytest.raises(SettingsError, match="PROVIDER_ORDER='yahoo,stooq': expects a comma-separated order"):
        settings.copy(provider_order="yahoo,stooq")


def test_the_bot_says_which_setting_is_wrong_instead_of_a_traceback(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "/gap"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "CHART_WORKERS": "lots"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "CHART_WORKERS='lots': expects a whole number" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("cache", "state", "refused"),
    [
        ("sqlite+aiosqlite:///var/one.db", "sqlite+aiosqlite:///var/one.db", True),
        ("sqlite+aiosqlite:///var/one.db", "sqlite:///./var/../var/one.db", True),  # the same file
        ("sqlite+aiosqlite:///var/cache.db", "sqlite+aiosqlite:///var/state.db", False),
        ("sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///:memory:", False),  # two databases
        ("postgresql+asyncpg://bot@db/rotation", "postgresql+asyncpg://bot@db/rotation", False),
    ],
)
def test_one_sqlite_file_for_cache_and_state_is_refused(clean_env, cache, state, refused):
    clean_env.setenv("DATABASE_URL", cache)
    clean_env.setenv("STATE_DATABASE_URL", state)
    if not refused:
        Settings()
        return
    with pytest.raises(SettingsError, match=r"name the same SQLite file \(.*one\.db\): the market cache"):
        Settings()


def test_the_bot_refuses_to_start_on_one_sqlite_file_before_touching_it(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/both.db"
    (tmp_path / "both.db").write_bytes(b"not a database")  # a damaged file: it must not be set aside
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": url, "STATE_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "DATABASE_URL and STATE_DATABASE_URL name the same SQLite file" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.db"]  # nothing set aside or created
