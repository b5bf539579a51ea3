"""Describing and autocompleting app-command options from the registry's option specs."""

from __future__ import annotations

from discord import app_commands

from commands.registry import Command
from data.sources.snapshot import SnapshotSource
from data.universe import ALIASES

DESCRIPTION_LIMIT = 100  # Discord's limit for command and option descriptions


def describe(command: Command) -> dict[str, str]:
    return {o.name: o.description[:DESCRIPTION_LIMIT] for o in command.options}


def suggest(values: list[str] | tuple[str, ...], current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 suggestions: prefix matches first, then substring matches."""
    needle = current.strip().lower()
    starts = [v for v in values if v.lower().startswith(needle)]
    contains = [v for v in values if needle in v.lower() and v not in starts]
    return [app_commands.Choice(name=v, value=v) for v in (starts + contains)[:25]]


def ticker_values(option_suggestions: tuple[str, ...]) -> list[str]:
    names = list(
        dict.fromkeys([*option_suggestions, *SnapshotSource().tickers(), *(a.lower() for a in ALIASES)])
    )
    return names


def option(command: Command, name: str):
    return next(o for o in command.options if o.name == name)
