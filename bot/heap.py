"""Handing freed heap back to the system (glibc's ``malloc_trim``), for the bot and its workers.

CPython frees objects into the C allocator, which keeps the pages for reuse; after a burst of
short-lived objects (25,000 database rows turned into a frame, a chart's tens of thousands of
artists) much of that memory stays resident although nothing uses it. ``malloc_trim(0)`` returns
the free pages of every arena in a millisecond or two. Standard library only: the workers import
this module. A no-op where the C library has no ``malloc_trim`` (musl, macOS).
"""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def _malloc_trim():
    """The C library's ``malloc_trim`` from the symbols already loaded in this process.

    Not ``ctypes.util.find_library("c")``: on Linux that runs ``ldconfig -p`` in a subprocess (3.6 ms),
    forked from whichever process trims first, a build worker or the bot with its event loop; and a
    memory sampler reading one process at a time can count the pages of a process being forked twice.
    """
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


def trim() -> None:
    """Return free heap pages to the system now (C code: call it off the event loop)."""
    malloc_trim = _malloc_trim()
    if malloc_trim is not None:
        malloc_trim(0)
