"""The bot's settings for a benchmark run, on its own: ``bench.serve`` measures the memory of a bot
process, so it must not import the other benchmarks (matplotlib, the chart gallery) to get them."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings


def bench_settings(folder: Path, answers: bool = True) -> Settings:
    """``answers=False`` turns the answer cache off: the build path, comparable with earlier tables."""
    return Settings(
        discord_token="bench",
        data_source="snapshot",
        scheduler_enabled=False,
        sync_state_path=folder / "sync.json",
        state_database_url=f"sqlite+aiosqlite:///{folder / 'state.db'}",
        backup_dir=folder / "backups",
        answer_cache_dir=folder / "answers" if answers else None,
        **({} if answers else {"answer_cache_mib": 0}),  # else the default bound, as deployed
    )
