"""``python -m bot``: the Discord bot with a token, the offline console without one.

``python -m bot ask [--json | --csv] "/gap period:2024"`` answers one command and exits (``--csv``
prints the CSV behind the answer instead);
``python -m bot simulate --start 2026-01-01 --end 2026-01-31`` replays the daily update loop;
``python -m bot gallery [folder]`` writes every command's chart on the bundled data into a folder;
``python -m bot check FILE [--json] [--as-of DATE]`` checks an article's claims (``-``: stdin);
``python -m bot console`` opens the console even with a token; ``python -m bot sync`` syncs the
slash commands (to DISCORD_GUILD_ID when set, else globally) and exits.
``python -m bot migrate`` brings both databases to the current schema and exits (for deployments
that migrate before starting several processes); ``python -m bot backup`` backs up the state
database into BACKUP_DIR (SQLite: a copy; PostgreSQL: pg_dump's custom format) and prints its path.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from contextlib import AsyncExitStack
from pathlib import Path

from .settings import DataSource, Settings, SettingsError
from .startup import defer_import, process_age

log = logging.getLogger("bot")

# Each action imports what it needs where it runs: `ask` answered from the answer cache loads neither
# discord, nor SQLAlchemy, nor the live source, nor matplotlib (see bot/services.LazyMarket).


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="action")
    ask = sub.add_parser("ask", help="answer one command and exit")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument(
        "--csv", action="store_true", help="print only the CSV behind the answer (as export:true attaches)"
    )
    ask.add_argument("line", nargs="+", help='e.g. "/gap period:2024"')
    check = sub.add_parser("check", help="check an article's claims against the data, one report per claim")
    check.add_argument("file", help="a text file, or - for standard input")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "--as-of", type=dt.date.fromisoformat, help="the text's date, YYYY-MM-DD (default: newest session)"
    )
    gallery = sub.add_parser("gallery", help="write every command's chart on the bundled data into a folder")
    gallery.add_argument("folder", nargs="?", type=Path, default=Path("var/gallery"))
    gallery.add_argument("--theme", choices=("dark", "light", "both"), default="both")
    sub.add_parser("console", help="the interactive console, even when DISCORD_TOKEN is set")
    sub.add_parser("sync", help="sync the slash commands now and exit (needs DISCORD_TOKEN)")
    sub.add_parser("migrate", help="migrate the cache and state databases to the current schema and exit")
    sub.add_parser("backup", help="back up the state database into BACKUP_DIR and print the file's path")
    sub.add_parser(
        "sources", help="list the live data providers in order: last success, last failure, back-off"
    )
    deliver = sub.add_parser(
        "deliver",
        help="post a session's daily update now to every subscription that has not had it (needs "
        "DISCORD_TOKEN; safe while the bots run); for an outage longer than CATCH_UP_HOURS",
    )
    deliver.add_argument(
        "--session", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: the latest final session)"
    )
    sim = sub.add_parser(
        "simulate", help="run the daily update's scheduler on the bundled data, simulated clock"
    )
    sim.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    sim.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 1, 31))
    sim.add_argument("--channels", type=int, default=2)
    sim.add_argument("--alert", action="append", default=[], help='a signal to watch, e.g. "streak:10"')
    sim.add_argument(
        "--server",
        action="append",
        default=[],
        help='one more server and channel, in a zone with a post time, e.g. "Europe/Berlin@18:00"',
    )
    sim.add_argument(
        "--call",
        action="append",
        default=[],
        help='a member\'s call, USER:SIDE:HORIZON[:PAIR][@DATE], e.g. "alice:small:1w@2026-01-12"',
    )
    return parser


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from .answers import AnswerCache
    from .console import Console
    from .services import LazyMarket, market_data, state_store

    answers = AnswerCache(settings.answer_cache_dir, max_bytes=settings.answer_cache_mib * 2**20)
    async with AsyncExitStack() as stack:
        if args.action == "ask":
            line = " ".join(args.line)
            state = (
                await stack.enter_async_context(state_store(settings))
                if line.strip().lstrip("/").lower().startswith(("valuation", "check"))
                else None
            )
            console = Console(LazyMarket(settings, stack), settings.chart_dir, state=state, answers=answers)
            return await console.ask(line, as_json=args.json, as_csv=args.csv)
        if args.action == "gallery":  # always the bundled data, so the README's charts can be made again
            from .gallery import write_gallery

            snapshot = settings.copy(data_source=DataSource.snapshot)
            data = await stack.enter_async_context(market_data(snapshot))
            themes = ("dark", "light") if args.theme == "both" else (args.theme,)
            for path in await write_gallery(args.folder, data, themes):
                print(path)
            return 0
        data = await stack.enter_async_context(market_data(settings))
        state = await stack.enter_async_context(state_store(settings))
        if args.action == "check":
            from .console import check_file

            return await check_file(args.file, data, state, args.as_of, args.json)
        if args.action == "simulate":
            from .simulate import simulate

            return await simulate(
                *(data, args.start, args.end, args.channels, settings.chart_dir, sys.stdout),
                *(args.alert, args.server),
                calls=args.call,
            )
        console = Console(data, settings.chart_dir, state=state, answers=answers)
        log.info("console ready in %.2f s since the process started", process_age())
        return await console.repl()


async def _sync(settings: Settings, token: str) -> int:
    from .client import RotationBot

    async with RotationBot(settings, sync_on_start=False) as bot:
        await bot.login(token)
        await bot.sync_commands(force=True)
    return 0


async def _migrate(settings: Settings) -> int:
    """The same migrations every process runs at start, on their own and serialised across processes."""
    from data.cache import PriceCache
    from data.db import create_engine
    from data.state import StateStore

    cache = PriceCache(create_engine(settings.database_url))
    state = StateStore(create_engine(settings.state_database_url))
    try:
        print(f"cache schema {await cache.open()}, state schema {await state.open(settings.backup_dir)}")
    finally:
        await cache.close()
        await state.close()
    return 0


async def _sources(settings: Settings) -> int:
    """Each provider as the state database records it (shared by every process), without asking any."""
    from commands.sources import source_lines

    from .services import market_data

    if settings.data_source is DataSource.snapshot:
        print("DATA_SOURCE=snapshot: no live provider is used")
        return 0
    async with market_data(settings) as data:
        providers, disagreements = await source_lines(data)
    print(f"Order (PROVIDER_ORDER={settings.provider_order}); Tiingo needs TIINGO_API_KEY:")
    for line in providers:
        print(f"  {line}")
    print("Closes two providers disagreed on:" if disagreements else "No disagreement between providers.")
    for line in disagreements:
        print(f"  {line}")
    return 0


async def _backup(settings: Settings) -> int:
    from data.state import BackupFailed

    from .services import state_store

    async with state_store(settings) as state:
        try:
            path = await state.backup(settings.backup_dir)
        except BackupFailed as exc:
            log.error("no backup was made: %s", exc)
            return 1
    if path is None:
        log.error("no backup was made: another process is making one right now")
        return 1
    print(path)
    return 0


async def _deliver(settings: Settings, token: str, session: dt.date | None) -> int:
    """Through the same ledger as the running bots, so a channel gets the update exactly once."""
    from .client import RotationBot
    from .schedule import latest_final_session

    quiet = settings.copy(scheduler_enabled=False, shard_count=None, shard_ids=None)
    async with RotationBot(quiet, sync_on_start=False) as bot:
        await bot.login(token)
        if session is None:
            session = latest_final_session(bot.clock(), bot.delivery.calendar, bot.delivery.policy)
        elif bot.delivery.calendar.close_of(session) is None:
            log.error("%s is not an NYSE session", session)
            return 2
        report = await bot.delivery.deliver_session(session)
    if report.waiting_for_data:
        log.error("the closing prices for %s are not in the data yet: nothing was posted", session)
        return 1
    print(
        f"{session}: {report.sent} posted, {report.found_existing} found already posted, "
        f"{report.skipped} being posted by a running bot, {report.failed} failed, {report.retry} to retry, "
        f"{report.not_retried} marked failing (not retried)"
    )
    return 0 if not (report.failed or report.retry) else 1


def _run_discord(settings: Settings, token: str) -> int:
    if settings.chart_executor == "process":
        defer_import("commands.charts")  # the workers draw; this process need not hold matplotlib
    from .client import create_bot

    bot = create_bot(settings)
    log.info("starting: %s", settings.shards.describe())
    bot.run(token, log_handler=None)  # our logging config, set in main()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .answer_store import UnsafeFolder, check_folder

    try:
        settings = Settings()
        check_folder(settings.answer_cache_dir)  # files others can plant would be served as answers
    except (SettingsError, UnsafeFolder) as error:  # before logging is set up: said plainly
        print(f"rotation-bot: a setting is wrong (environment or .env): {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    token = settings.discord_token.get_secret_value() if settings.discord_token else None
    try:
        if args.action == "sync":
            if token is None:
                log.error("`python -m bot sync` needs DISCORD_TOKEN in the environment or .env")
                return 2
            return asyncio.run(_sync(settings, token))
        if args.action == "deliver":
            if token is None:
                log.error("`python -m bot deliver` needs DISCORD_TOKEN in the environment or .env")
                return 2
            return asyncio.run(_deliver(settings, token, args.session))
        if args.action == "migrate":
            return asyncio.run(_migrate(settings))
        if args.action == "backup":
            return asyncio.run(_backup(settings))
        if args.action == "sources":
            return asyncio.run(_sources(settings))
        if args.action is None and token is not None:
            return _run_discord(settings, token)
        if args.action == "ask":
            defer_import("commands.charts")  # drawn only if the answer cache cannot answer
        return asyncio.run(_console(settings, args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
