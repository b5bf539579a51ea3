"""Lean processes: the pool's workers and the console's ``ask`` import only what their work needs.

Checked on ``sys.modules`` in real separate processes: a worker after building a real answer, and
``python -m bot ask`` both when it builds and when the answer cache answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.pool_worker import IDLE_BEFORE_TRIM, built_at_start, loaded_modules, trims
from bot.workers import Workers
from commands import gap
from commands.pair import load_pair

ROOT = Path(__file__).resolve().parents[2]
NEVER = ("discord", "yfinance", "sqlalchemy", "aiosqlite", "aiohttp", "exchange_calendars", "pydantic")


def heavy(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(names))


async def test_a_worker_imports_only_what_building_needs(snapshot_market):
    workers = Workers("process", 1)  # its own: the session's pool has run every test's builds
    await workers.warm_up()
    query = gap.COMMAND.validate({"period": "2024"})
    try:
        warmed = await workers(built_at_start)
        before = await workers(trims)
        reply = await workers(gap.build, query, await load_pair(snapshot_market, "^RUT", "^GSPC"))
        modules = await workers(loaded_modules)
        await asyncio.sleep(IDLE_BEFORE_TRIM * 6)
        after = await workers(trims)
    finally:
        workers.close()
    assert warmed == 1  # it paid its first build (copying the fork server's pages) before any question
    assert after > before  # once idle after building, it handed its freed heap back
    assert reply.chart is not None
    assert heavy(modules, NEVER) == []
    # nor what only loading data needs: asyncio (and ssl with it), SQLite, the market (~4.7 MiB)
    assert heavy(modules, ("asyncio", "ssl", "sqlite3")) == []
    data_side = ("data.errors", "data.universe", "data.stale")
    assert not [m for m in modules if m.startswith("data.") and m not in data_side]
    worker_side = ("bot.pool_worker", "bot.worker_entry", "bot.heap")  # standard library only, all three
    assert not [m for m in modules if m.startswith("bot.") and m not in worker_side]
    assert {"numpy", "pandas", "matplotlib", "commands.gap"} <= set(modules)


def ask_modules(tmp_path: Path, line: str) -> tuple[str, list[str]]:
    """Run ``python -m bot ask`` in a fresh interpreter; return its output and its sys.modules."""
    code = (
        "import contextlib, io, json, sys\n"
        "from bot.__main__ import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    status = main(['ask', {line!r}])\n"
        "print(json.dumps({'status': status, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    env |= {"PYTHONPATH": str(ROOT), "DATA_SOURCE": "snapshot"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 0, result["out"]
    return result["out"], result["modules"]


def test_ask_imports_only_what_its_command_needs(tmp_path):
    built, modules = ask_modules(tmp_path, "/gap period:2024")
    assert heavy(modules, ("discord", "yfinance", "aiohttp")) == []  # builds: data path, no Discord
    assert {"matplotlib", "sqlalchemy"} <= set(modules)
    cached, modules = ask_modules(tmp_path, "/gap period:2024")
    # answered from the answer cache: no data path, no calendar, no drawing
    assert heavy(modules, (*NEVER, "matplotlib")) == []
    assert cached.split("Chart:")[0] == built.split("Chart:")[0]


def test_no_command_module_imports_what_only_the_bot_needs():
    """Every module under commands/ may be imported by a worker (a build is pickled by reference):
    none may bring SQLAlchemy, the trading calendar or Discord with it (commands.calls did, through
    data.state and data.calendar, used there only in annotations)."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import commands\n"
        "names = [m.name for m in pkgutil.walk_packages(commands.__path__, 'commands.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps({'imported': names, 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"commands.calls", "commands.gap", "commands.charts.series"} <= set(result["imported"])
    assert heavy(result["modules"], NEVER) == []


async def test_a_worker_that_dies_is_replaced_and_the_question_answered(snapshot_market):
    """Killed like the kernel's out-of-memory killer would: the next question is still answered,
    by a new pool, instead of every build failing with BrokenProcessPool until a restart."""
    workers = Workers("process", 1)
    await workers.warm_up()
    query = gap.COMMAND.validate({"period": "2024"})
    pair = await load_pair(snapshot_market, "^RUT", "^GSPC")
    try:
        first = await workers(os.getpid)
        os.kill(first, signal.SIGKILL)
        replies = await asyncio.gather(*(workers(gap.build, query, pair) for _ in range(3)))
        second = await workers(os.getpid)
    finally:
        workers.close()
    assert second != first
    assert workers.replaced == 1  # three callers saw the broken pool; one pool replaced it
    assert all(reply.chart is not None for reply in replies)


async def test_a_build_that_imports_scipy_runs_in_a_worker_of_its_own(snapshot_market):
    """/rrg labels its chart with adjustText, which imports scipy (+33 MiB): built in the heavy pool
    (shut down once idle; tests/bot/test_workers.py), so the pool's workers never hold scipy."""
    from commands import rrg
    from commands.registry import default_registry
    from commands.theme import themed

    assert rrg.build.own_worker
    command, query = default_registry().validate_line("/rrg set:size weeks:8")
    inputs = await command.load(query, snapshot_market)
    workers = Workers("process", 1)
    await workers.warm_up()
    try:
        reply = await workers(themed, "dark", command.build, query, inputs)
        modules = await workers(loaded_modules)
    finally:
        workers.close()
    assert reply.chart is not None  # drawn, adjustText and all
    assert reply.chart_name == "rrg.png"
    assert "scipy" not in {m.split(".")[0] for m in modules}
