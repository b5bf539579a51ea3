"""How a reading is shown under the bot's name: the one rule for every echo of a member's words.

The "Read as" line quotes the command a question was read as, and a call's note in it is the
member's own text. It goes through :func:`commands.escape.code` like every other echo: one line,
clipped, backticks replaced by a look-alike so nothing can close the code span, mentions and links
broken. Markdown inside a code span does not render, so headings, masked links, spoilers, ``<t:…>``
and ``</gap:1>`` stay text.
"""

from __future__ import annotations

from .. import escape as echo
from .slots import Reading

LINE_LIMIT = 300  # the command as read; a longer one (a long note) is clipped with "…"


def read_as(reading: Reading) -> str:
    """"Read as `/gap period:2023`", with what was carried over from the member's last question and
    the words read past as filler, so a reading never hides what it inherited or ignored."""
    text = f"Read as {echo.code(reading.line, LINE_LIMIT)}"
    if reading.carried:
        text += f" (kept from your last question: {', '.join(reading.carried)})"
    if reading.ignored:
        words = ", ".join(echo.code(w, 20) for w in reading.ignored[:6])
        text += f"\nIgnored: {words}"
    return text
