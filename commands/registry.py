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
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from data.errors import DataError

from .escape import code
from .pair import HistoryProvider
from .reply import Reply, UserError
from .theme import themed


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
        """Check option names and values; raise :class:`UserError` naming what is accepted.

        Names are case-insensitive and values NFKC-normalised (full-width digits, Unicode dashes), so
        what is parsed, titled and charted is plain ASCII wherever the user typed it."""
        options = {k.lower(): normalize_text(v) if isinstance(v, str) else v for k, v in options.items()}
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
B = TypeVar("B", bound=Callable[..., Any])


def own_worker(reason: str) -> Callable[[B], B]:
    """Mark a build that imports what no other build needs: a process pool runs it in a worker of its
    own that exits after it (:class:`bot.workers.Workers`), so the pool's long-lived workers never
    carry that import. ``reason`` says what it imports and what that costs."""

    def mark(build: B) -> B:
        build.own_worker = reason  # type: ignore[attr-defined]
        return build

    return mark


async def run_inline(func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


async def execute(
    command: Command,
    query: Any,
    data: HistoryProvider,
    worker: Worker = run_inline,
    theme: str | None = None,
) -> Reply:
    """Load on the loop, build in ``worker``; data problems become :class:`UserError` in plain words.

    ``theme`` is the server's chart theme (light or dark; None: the default), set around the build
    wherever ``worker`` runs it."""
    try:
        inputs = await command.load(query, data)
    except DataError as exc:
        raise UserError(str(exc)) from exc
    if theme is None:
        return await worker(command.build, query, inputs)
    return await worker(themed, theme, command.build, query, inputs)


_OPTION = re.compile(r"^([A-Za-z_]+)[:=](.*)$", re.DOTALL)
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"})

# Commands that need a Discord server (channels, permissions, per-server records): the console says
# so instead of "there is no command".
DISCORD_ONLY = {
    "subscribe": "posts the daily update in a channel; offline, `python -m bot simulate` plays the loop",
    "unsubscribe": "stops a channel's daily update",
    "subscriptions": "lists a server's subscribed channels",
    "discuss": "opens a thread in a channel",
    "server-settings": "sets a server's time zone and default post time",
    "alert": "posts in a channel when a signal fires; `/history` shows the same signals here",
    "call": "records a member's call in a server's ledger",
    "calls": "shows a server's record of calls",
    "call-withdraw": "withdraws a member's call in a server",
}


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII) and every Unicode dash or minus to ``-``."""
    return unicodedata.normalize("NFKC", text).translate(_DASHES)


def split_line(line: str) -> tuple[str, dict[str, str], list[str]]:
    """``/history streak threshold:11`` -> ("history", {"threshold": "11"}, ["streak"]).

    Values with spaces are quoted (``source:"FactSet, 2026"``); option names are case-insensitive;
    the line is normalised first (:func:`normalize_text`)."""
    try:
        words = shlex.split(normalize_text(line).strip())
    except ValueError as exc:
        raise UserError(f"I could not read that line ({exc}): check the quotes.") from None
    if not words:
        raise UserError("Type a command such as `/gap period:ytd` or `/help`.")
    name = words[0].lstrip("/").lower()
    options: dict[str, str] = {}
    positional: list[str] = []
    for word in words[1:]:
        if m := _OPTION.match(word):
            key = m[1].lower()
            if key in options:
                raise UserError(f"`{key}` is given twice: give each option once.")
            options[key] = m[2]
        else:
            positional.append(word)
    return name, options, positional


def parse_line(line: str) -> tuple[str, dict[str, str]]:
    """``/gap period:2024 small:IWM`` -> ("gap", {"period": "2024", "small": "IWM"}); the first bare
    word, if any, under the key ``""`` (see :meth:`Registry.validate_line` for how it is used)."""
    name, options, positional = split_line(line)
    if positional:
        options[""] = positional[0]
    return name, options


class Registry:
    def __init__(self, commands: list[Command]) -> None:
        self.commands = {c.name: c for c in commands}

    def get(self, name: str) -> Command:
        try:
            return self.commands[name]
        except KeyError:
            if name in DISCORD_ONLY:
                raise UserError(
                    f"/{name} works only in a Discord server: it {DISCORD_ONLY[name]}."
                ) from None
            known = ", ".join(f"/{n}" for n in self.commands)
            raise UserError(f"There is no command {code('/' + name, 30)}. Try {known}.") from None

    def validate_line(self, line: str) -> tuple[Command, Any]:
        """Bare words fill the options in their declared order, skipping those given by name:
        ``/history streak 11`` is ``signal:streak threshold:11``; one word too many is refused."""
        name, options, positional = split_line(line)
        command = self.get(name)
        free = [o.name for o in command.options if o.name not in options]
        if len(positional) > len(free):
            extra = positional[len(free)]
            form = " ".join(f"{o.name}:…" for o in command.options) or "no options"
            raise UserError(
                f"/{command.name} has no place for {code(extra, 30)}: it takes {form}. "
                f"Example: `{command.example}`"
            )
        options.update(zip(free, positional, strict=False))
        return command, command.validate(options)


def default_registry() -> Registry:
    from . import compare, digest, gap, history, rates, rrg, sectors, streak, style

    return Registry(
        [
            *(gap.COMMAND, streak.COMMAND, digest.COMMAND, style.COMMAND),
            *(sectors.COMMAND, rates.COMMAND, rrg.COMMAND, compare.COMMAND, history.COMMAND),
        ]
    )
