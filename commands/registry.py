"""Commands as data: their options (for Discord's schema, the console and /help) and one way to run them.

Splitting :attr:`Command.parse` (instant, validates) from :attr:`Command.run` (awaits data) lets the
Discord layer reject a mistake before deferring, and :class:`ChartJob` lets each caller decide where
charts are rendered (a thread for the console, a process pool for the bot if the figures say so).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from data.errors import DataError

from .pair import HistoryProvider
from .reply import Reply, UserError


@dataclass(frozen=True)
class Option:
    name: str
    description: str
    kind: str = "string"  # "string" | "date" | "integer" | "boolean"
    required: bool = False
    choices: tuple[str, ...] = ()  # only for closed sets
    suggestions: tuple[str, ...] = ()  # autocomplete for free-form values
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class ChartJob:
    """A top-level chart function and its (picklable) arguments."""

    func: Callable[..., bytes]
    args: tuple[Any, ...]
    name: str = "chart.png"

    def __call__(self) -> bytes:
        return self.func(*self.args)


@dataclass
class Prepared:
    reply: Reply
    chart: ChartJob | None = None


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    example: str
    parse: Callable[[Mapping[str, str]], Any]
    run: Callable[[Any, HistoryProvider], Awaitable[Prepared]]
    options: tuple[Option, ...] = field(default_factory=tuple)

    def validate(self, options: Mapping[str, str]) -> Any:
        """Check option names and values; raise :class:`UserError` naming what is accepted."""
        known = {o.name for o in self.options}
        unknown = [k for k in options if k not in known]
        if unknown:
            accepted = ", ".join(f"`{o.name}`" for o in self.options) or "no options"
            raise UserError(f"/{self.name} has no option `{unknown[0][:30]}`. It takes {accepted}.")
        missing = [o.name for o in self.options if o.required and not options.get(o.name)]
        if missing:
            raise UserError(f"/{self.name} needs `{missing[0]}`. Example: `{self.example}`")
        for o in self.options:
            if o.choices and o.name in options and options[o.name] not in o.choices:
                raise UserError(f"`{o.name}` must be one of {', '.join(o.choices)}.")
        return self.parse(options)


Renderer = Callable[[ChartJob], Awaitable[bytes]]


async def render_inline(job: ChartJob) -> bytes:
    return job()


async def execute(
    command: Command, query: Any, data: HistoryProvider, render: Renderer = render_inline
) -> Reply:
    """Run a validated query; data problems become :class:`UserError` with the data layer's words."""
    try:
        prepared = await command.run(query, data)
    except DataError as exc:
        raise UserError(str(exc)) from exc
    if prepared.chart is not None:
        prepared.reply.chart = await render(prepared.chart)
        prepared.reply.chart_name = prepared.chart.name
    return prepared.reply


_OPTION = re.compile(r"^([a-z_]+)[:=](.*)$", re.DOTALL)


def parse_line(line: str) -> tuple[str, dict[str, str]]:
    """``/gap period:2024 small:IWM`` -> ("gap", {"period": "2024", "small": "IWM"}).

    Values with spaces are quoted (``source:"FactSet, 2026"``). A bare word after the command is
    taken as the command's first option, so ``/gap 2024`` works as well.
    """
    try:
        words = shlex.split(line.strip())
    except ValueError as exc:
        raise UserError(f"I could not read that line ({exc}): check the quotes.") from None
    if not words:
        raise UserError("Type a command such as `/gap period:ytd` or `/help`.")
    name = words[0].lstrip("/").lower()
    options: dict[str, str] = {}
    for word in words[1:]:
        if m := _OPTION.match(word):
            options[m[1]] = m[2]
        else:
            options.setdefault("", word)
    return name, options


class Registry:
    def __init__(self, commands: list[Command]) -> None:
        self.commands = {c.name: c for c in commands}

    def get(self, name: str) -> Command:
        try:
            return self.commands[name]
        except KeyError:
            known = ", ".join(f"/{n}" for n in self.commands)
            raise UserError(f"There is no command `/{name[:30]}`. Try {known}.") from None

    def validate_line(self, line: str) -> tuple[Command, Any]:
        name, options = parse_line(line)
        command = self.get(name)
        if "" in options:
            positional = options.pop("")
            if not command.options:
                raise UserError(f"/{command.name} takes no options.")
            options.setdefault(command.options[0].name, positional)
        return command, command.validate(options)


def default_registry() -> Registry:
    from . import gap, streak

    return Registry([gap.COMMAND, streak.COMMAND])
