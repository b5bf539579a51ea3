"""``python -m bot``: the Discord bot with a token, the offline console without one.

``python -m bot ask [--json] "/gap period:2024"`` answers one command and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from .console import Console
from .services import market_data
from .settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="action")
    ask = sub.add_parser("ask", help="answer one command and exit")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument("line", nargs="+", help='e.g. "/gap period:2024"')
    sub.add_parser("console", help="the interactive console, even when DISCORD_TOKEN is set")
    return parser


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    async with market_data(settings) as data:
        console = Console(data, settings.chart_dir)
        if args.action == "ask":
            return await console.ask(" ".join(args.line), as_json=args.json)
        return await console.repl()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.action is None and settings.discord_token is not None:
        logging.getLogger("bot").error(
            "DISCORD_TOKEN is set, but the Discord client is not built yet; "
            "run `python -m bot console` for the offline console."
        )
        return 1
    try:
        return asyncio.run(_console(settings, args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
