"""Commands as data: their options (for Discord's schema, the console and /help) and one way to run them.

A command has three steps, so each caller can put them where they belong:
- :attr:`Command.parse` is instant and validates: the Discord layer rejects a mistake before deferring;
- :attr:`Command.load` awaits data (I/O only, on the event loop);
- :attr:`Command.build` is pure CPU (figures, text, chart): a module-level function of picklable
  arguments, so the bot can run it in a process pool and the console in a thread.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from data.errors import DataError

from .escape import code
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
class Command:
    name: str
    description: str
    example: str
    parse: Callable[[Mapping[str, str]], Any]
    load: Callable[[Any, HistoryProvider], Awaitable[Any]]
    build: Callable[[Any, Any], Reply]
    options: tuple[Option, ...] = field(default_factory=tuple)

    def validate(self, options: Mapping[str, str]) -> Any:
        """Check option names and values; raise :class:`UserError` naming what is accepted."""
        known = {o.name for o in self.options}
        unknown = [k for k in options if k not in known]
        if unknown:
            accepted = ", ".join(f"`{o.name}`" for o in self.options) or "no options"
            raise UserError(f"/{self.name} has no option {code(unknown[0], 30)}. It takes {accepted}.")
        missing = [o.name for o in self.options if o.required and not options.get(o.name)]
        if missing:
            raise UserError(f"/{self.name} needs `{missing[0]}`. Example: `{self.example}`")
        for o in self.options:
            value = options.get(o.name)
            if not value:
                continue
            if o.choices and value not in o.choices:
                raise UserError(f"`{o.name}` must be one of {', '.join(o.choices)}.")
            if o.kind == "integer":
                _check_integer(o, value)
        return self.parse(options)


def _check_integer(option: Option, value: str) -> None:
    text = value.strip()
    low = option.min_value if option.min_value is not None else -(10**9)
    high = option.max_value if option.max_value is not None else 10**9
    if not text.lstrip("-").isdecimal() or not low <= int(text) <= high:
        raise UserError(f"`{option.name}` is a whole number from {low} to {high} (got {code(text, 10)}).")


Worker = Callable[..., Awaitable[Any]]  # await worker(func, *args) -> func(*args), somewhere


async def run_inline(func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


async def execute(command: Command, query: Any, data: HistoryProvider, worker: Worker = run_inline) -> Reply:
    """Load on the loop, build in ``worker``; data problems become :class:`UserError` in plain words."""
    try:
        inputs = await command.load(query, data)
    except DataError as exc:
        raise UserError(str(exc)) from exc
    return await worker(command.build, query, inputs)


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
            raise UserError(f"There is no command {code('/' + name, 30)}. Try {known}.") from None

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
    from . import compare, digest, gap, history, rates, rrg, sectors, streak, style

    return Registry(
        [
            *(gap.COMMAND, streak.COMMAND, digest.COMMAND, style.COMMAND),
            *(sectors.COMMAND, rates.COMMAND, rrg.COMMAND, compare.COMMAND, history.COMMAND),
        ]
    )
