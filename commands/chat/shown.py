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
    if reading.focus:
        text += f" — {', '.join(f.lower() for f in reading.focus)} first"
    for note in reading.notes:  # the grammar's own words, never the member's
        text += f"\n{note}"
    if reading.ignored:
        words = ", ".join(echo.code(w, 20) for w in reading.ignored[:6])
        text += f"\nIgnored: {words}"
    return text


def focused(fields: list, focus: tuple[str, ...]) -> list:
    """``fields`` with those whose name holds an asked-for figure ("drawdown", "Beta") first, the rest
    in their order: the figure asked for is the first thing read."""
    if not focus:
        return fields
    wanted = [w.lower() for w in focus]
    return sorted(fields, key=lambda f: not any(w in f.name.lower() for w in wanted))


def left_unanswered(questions: list[str]) -> str:
    """The questions of a message that were not answered, quoted (escaped), so none is dropped unseen."""
    shown = "”, “".join(echo.escape(q, 80) for q in questions[:3])
    more = f" and {len(questions) - 3} more" if len(questions) > 3 else ""
    ask = "ask it on its own" if len(questions) == 1 else "ask them one at a time"
    return f"Not answered here: “{shown}”{more} — {ask}."
