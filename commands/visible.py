"""Member text must show something: at least one visible character, counted without invisible ones.

A source, a topic or a note made only of zero-width characters (U+200B, U+FEFF, word joiners), Hangul
fillers or the blank braille pattern passes any length rule yet shows as nothing: a record nobody can
read or a thread with an empty-looking name. Padding a short note with such characters also inflated
what the bot echoes past Discord's limits after the record was stored. So text is stripped of the
characters that never show (format characters and the blank letters) before it is measured, and what
remains must have a visible character (not a space, a control, a combining mark on its own).
"""

from __future__ import annotations

import unicodedata

# Letters and symbols by category that render as blank space in Discord's font.
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")
NEVER_SHOWN = ("Cf", "Cs", "Co", "Cn")  # format (zero-width, bidi, soft hyphen), surrogates, unassigned
NOT_ON_ITS_OWN = ("Cc", "Zs", "Zl", "Zp", "Mn", "Me")  # controls, spaces, combining marks


def strip_invisible(text: str) -> str:
    """``text`` without the characters that never show, whitespace collapsed to single spaces."""
    kept = (ch for ch in text if ch not in BLANK and unicodedata.category(ch) not in NEVER_SHOWN)
    return " ".join("".join(kept).split())


def has_visible(text: str) -> bool:
    return any(
        ch not in BLANK and unicodedata.category(ch) not in NEVER_SHOWN + NOT_ON_ITS_OWN for ch in text
    )
