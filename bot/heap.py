"""Handing freed heap back to the system (glibc's ``malloc_trim``), for the bot and its workers.

CPython frees objects into the C allocator, which keeps the pages for reuse; after a burst of
short-lived objects (25,000 database rows turned into a frame, a chart's tens of thousands of
artists) much of that memory stays resident although nothing uses it. ``malloc_trim(0)`` returns
the free pages of every arena in a millisecond or two. Standard library only: the workers import
this module. A no-op where the C library has no ``malloc_trim`` (musl, macOS).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim():
    return getattr(ctypes.CDLL(ctypes.util.find_library("c")), "malloc_trim", None)


def trim() -> None:
    """Return free heap pages to the system now (C code: call it off the event loop)."""
    malloc_trim = _malloc_trim()
    if malloc_trim is not None:
        malloc_trim(0)
