"""The offline console: the same commands a Discord user types, answered on stdout with PNG charts."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from commands.help import about_reply, help_reply
from commands.registry import Registry, default_registry, execute, split_line
from commands.reply import Reply, UserError

from .answers import AnswerCache
from .services import LazyMarket

if TYPE_CHECKING:  # imported where used: `ask` answers most lines without SQLAlchemy or the live source
    from data.market import MarketData
    from data.state import StateStore

log = logging.getLogger(__name__)

PROMPT = "rotation-bot> "
CONSOLE_GUILD, CONSOLE_USER = 0, 0  # the console's records live under server id 0


async def in_thread(func, *args):
    """The console runs one command at a time: a worker thread keeps its prompt responsive."""
    return await asyncio.to_thread(func, *args)


class Console:
    def __init__(
        self,
        data: MarketData | LazyMarket,
        chart_dir: Path,
        registry: Registry | None = None,
        state: StateStore | None = None,
        answers: AnswerCache | None = None,
    ) -> None:
        self.data = data
        self.chart_dir = chart_dir
        self.registry = registry or default_registry()
        self.state = state
        self.answers = answers

    async def market(self) -> MarketData:
        return await self.data.open() if isinstance(self.data, LazyMarket) else self.data

    async def answer(self, line: str) -> Reply:
        """Answer one line; raises :class:`UserError` for anything the user should rephrase."""
        name = line.strip().split(maxsplit=1)[0].lstrip("/").lower() if line.strip() else ""
        if name == "help":
            return help_reply(self.registry)
        if name == "about":
            return await about_reply(await self.market())
        if name == "valuation":
            return await self._valuation(line)
        if name == "check":
            return await self._check(line)
        command, query = self.registry.validate_line(line)
        if self.answers is not None:
            return await self.answers.answer(command, query, self.data, in_thread)
        return await execute(command, query, await self.market(), in_thread)

    async def _check(self, line: str) -> Reply:
        """/check text:"…" [as_of:DATE]: a text's claims against the data (a whole file: ``python -m bot
        check FILE``)."""
        from commands.check.report import check_text, reply
        from commands.periods import parse_date

        _, options, words = split_line(line)
        text = options.pop("text", None) or " ".join(words)
        as_of = options.pop("as_of", None)
        if options or not text:
            raise UserError('/check takes text and as_of, e.g. `/check text:"Small caps led in 2025"`.')
        day = parse_date(as_of, "as_of date") if as_of else None
        market = await self.market()
        valuations = await self.state.valuations(CONSOLE_GUILD) if self.state is not None else []
        return reply(await check_text(text, market, market.known_offline(), day, valuations))

    async def _valuation(self, line: str) -> Reply:
        """/valuation show | record ... | remove id:N, for the console's own "server" (id 0)."""
        from .valuations import record_valuation, remove_valuation, show_valuation

        _, options, words = split_line(line)
        action = words[0].lower() if words else "show"
        if len(words) > 1:
            raise UserError(
                f"/valuation takes one action (show, record or remove), then options: `{words[1][:30]}`"
                " has no place. Example: `/valuation remove id:3`."
            )
        if self.state is None:
            raise UserError("/valuation needs the state database, which this console was started without.")
        now = dt.datetime.now(dt.UTC)
        if action == "show":
            return await show_valuation(self.state, CONSOLE_GUILD, await self.market(), now.date(), in_thread)
        if action == "record":
            text = await record_valuation(self.state, CONSOLE_GUILD, options, CONSOLE_USER, now)
        elif action == "remove":
            text = await remove_valuation(
                self.state, CONSOLE_GUILD, options.get("id", ""), CONSOLE_USER, True
            )
        else:
            raise UserError("/valuation takes show, record or remove, e.g. `/valuation show`.")
        return Reply(title="Valuation", text=text)

    def save_chart(self, reply: Reply) -> Path | None:
        return self._save(reply.chart, reply.chart_name)

    def save_csv(self, reply: Reply) -> Path | None:
        """The export (``export:true``) beside the charts, under the same kind of name."""
        return self._save(reply.csv, reply.csv_name)

    def _save(self, data: bytes | None, name: str) -> Path | None:
        if data is None:
            return None
        self.chart_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = self.chart_dir / f"{Path(name).stem}-{stamp}{Path(name).suffix}"
        path.write_bytes(data)
        return path

    async def ask(self, line: str, as_json: bool, out: TextIO = sys.stdout, as_csv: bool = False) -> int:
        """One command, printed; the exit status is 0 for an answer and 2 for a user's mistake.

        ``as_csv`` asks the command for its export and prints only the CSV, so it can be piped to a
        file; a command without an export says so (status 2)."""
        if as_csv and not _has_option(line, "export"):
            line = f"{line} export:true"
        try:
            reply = await self.answer(line)
        except UserError as exc:
            out.write(json.dumps({"error": str(exc)}) + "\n" if as_json else f"{exc}\n")
            return 2
        if as_csv:
            if reply.csv is None:
                out.write(f"“{reply.title}” has no CSV export (the data commands have one).\n")
                return 2
            out.write(reply.csv.decode())
            return 0
        path, csv_path = self.save_chart(reply), self.save_csv(reply)
        out.write(
            json.dumps(
                reply.to_json(str(path) if path else None, str(csv_path) if csv_path else None),
                indent=2,
                allow_nan=False,
            )
            + "\n"
            if as_json
            else format_reply(reply, path, csv_path)
        )
        return 0

    async def repl(self, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
        out.write("rotation-bot console. Type /gap period:ytd, /streak, /help; quit with Ctrl-D or 'quit'.\n")
        while True:
            out.write(PROMPT)
            out.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip().lower() in {"quit", "exit", "/quit", "/exit"}:
                out.write("\n")
                return 0
            if line.strip():
                await self.ask(line, as_json=False, out=out)


async def check_file(
    path: str,
    data: MarketData,
    state: StateStore | None,
    as_of: dt.date | None,
    as_json: bool,
    out: TextIO = sys.stdout,
    stdin: TextIO = sys.stdin,
) -> int:
    """``python -m bot check FILE``: every claim of a text, in order (0), or why it could not be read (2).

    Members' recorded valuations (the console's own server, id 0) are used where the text quotes a P/E."""
    from commands.check.report import MAX_TEXT, check_text, text_report

    try:
        text = await asyncio.to_thread(_read_text, path, stdin, MAX_TEXT + 1)
        valuations = await state.valuations(CONSOLE_GUILD) if state is not None else []
        report = await check_text(text, data, data.known_offline(), as_of, valuations)
    except OSError as exc:
        message = f"I could not read {path}: {exc.strerror or exc}."
    except UserError as exc:
        message = str(exc)
    else:
        shown = json.dumps(report.to_json(), indent=2, allow_nan=False) + "\n"
        out.write(shown if as_json else text_report(report))
        return 0
    out.write(json.dumps({"error": message}) + "\n" if as_json else message + "\n")
    return 2


def _read_text(path: str, stdin: TextIO, limit: int) -> str:
    """At most ``limit`` characters of a file (``-``: standard input): a larger one is refused whole."""
    if path == "-":
        return stdin.read(limit)
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read(limit)


def _has_option(line: str, name: str) -> bool:
    try:
        return name in split_line(line)[1]
    except UserError:
        return False  # the answer will say what is wrong with the line


def format_reply(reply: Reply, chart_path: Path | None, csv_path: Path | None = None) -> str:
    lines = [reply.title, "=" * len(reply.title), reply.text, ""]
    for f in reply.fields:
        if "\n" in f.value:
            lines.append(f"{f.name}:")
            lines.extend(f"  {v}" for v in f.value.splitlines())
        else:
            lines.append(f"{f.name}: {f.value}")
    lines.extend(f"Note: {n}" for n in reply.notes)
    lines.append(reply.footer())
    if chart_path:
        lines.append(f"Chart: {chart_path}")
    if csv_path:
        lines.append(f"CSV: {csv_path}")
    return "\n".join(lines) + "\n\n"
