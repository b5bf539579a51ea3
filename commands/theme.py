"""Which chart theme a build draws in: a context variable, set around a command's build step.

Kept apart from :mod:`commands.charts` so that choosing a theme (the registry, the answer cache,
the bot) never imports matplotlib: a process that only answers from its cache starts lean.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any, TypeVar

NAMES = ("dark", "light")
DEFAULT_THEME = "dark"  # most Discord users read on the dark theme

_current: contextvars.ContextVar[str] = contextvars.ContextVar("chart_theme", default=DEFAULT_THEME)

T = TypeVar("T")


def current() -> str:
    return _current.get()


def themed(name: str, func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` with every chart it draws in theme ``name``: a module-level function, so a
    process pool can run it (set and reset in the worker, whichever thread or process that is)."""
    token = _current.set(name if name in NAMES else DEFAULT_THEME)
    try:
        return func(*args)
    finally:
        _current.reset(token)
