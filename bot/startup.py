"""Start-up helpers: how long this process has been starting, and imports it can put off.

Both exist for the same reason: a console ``ask`` answered from the answer cache should not pay ~0.4 s
for matplotlib it never draws with, and the bot in process-pool mode never draws in its own process
at all (the workers do), so it need not hold matplotlib's ~30 MiB either.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time

_IMPORTED = time.monotonic()


def process_age() -> float:
    """Seconds since this process started (from /proc where there is one, else since this import)."""
    try:
        with open("/proc/self/stat") as fh:
            started_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


def defer_import(name: str) -> None:
    """Make ``import name`` cheap until the module is first used (``importlib.util.LazyLoader``).

    Meant for ``commands.charts``: every command module imports it at the top, but only a build uses
    it. A module already imported is left alone; using a deferred one loads it as usual.
    """
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
