"""Describing and autocompleting app-command options from the registry's option specs."""

from __future__ import annotations

from discord import app_commands

from commands.registry import Command
from data.sources.snapshot import SnapshotSource
from data.universe import NAMES, YIELDS

DESCRIPTION_LIMIT = 100  # Discord's limit for command and option descriptions


def describe(command: Command) -> dict[str, str]:
    return {o.name: o.description[:DESCRIPTION_LIMIT] for o in command.options}


def suggest(
    values: list[str] | tuple[str, ...] | list[tuple[str, str]], current: str
) -> list[app_commands.Choice[str]]:
    """Up to 25 suggestions: prefix matches first, then substring matches. A value may be a
    (label, value) pair: the label is what is shown and searched."""
    pairs = [v if isinstance(v, tuple) else (v, v) for v in values]
    needle = current.strip().lower().lstrip("$")
    starts = [p for p in pairs if p[1].lower().lstrip("^").startswith(needle.lstrip("^"))]
    contains = [p for p in pairs if needle in p[0].lower() and p not in starts]
    return [app_commands.Choice(name=label, value=value) for label, value in (starts + contains)[:25]]


def ticker_values(option_suggestions: tuple[str, ...]) -> list[tuple[str, str]]:
    """One entry per series that can be answered now (the bundled data, whatever the network does),
    the ticker with its name; never an alias of one (``rut`` beside ``^RUT``), never a yield, which
    /gap and /compare refuse."""
    tickers = dict.fromkeys([*option_suggestions, *SnapshotSource().tickers()])
    answerable = set(SnapshotSource().tickers())
    return [
        (f"{t} — {NAMES[t]}" if t in NAMES else t, t) for t in tickers if t in answerable and t not in YIELDS
    ]


def option(command: Command, name: str):
    return next(o for o in command.options if o.name == name)
