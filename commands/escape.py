"""Member text, echoed safely: the one place that decides how anything a member typed is shown.

Whatever the bot repeats under its own name (a recorded source, a thread topic, a value quoted in an
error message) must not act as Discord markup there: no masked link that hides where it points, no
heading, spoiler or bold, no mention chip, no way out of the code span that quotes it. Three shapes:

- :func:`escape` for prose (embed text, field values, messages): every markdown character is
  backslash-escaped, mention and link syntax is broken with a zero-width space, layout whitespace
  collapsed;
- :func:`code` for quoting a value inside an inline code span (error messages): nothing renders inside
  a code span except its end, so backticks become a look-alike (ˋ) and cannot close it early;
- :func:`thread_name` for channel and thread names, which Discord shows as plain text (a backslash
  would be visible there), so markdown characters are dropped instead of escaped.

Pure Python (no discord import): ``commands/`` builds most of the text, ``bot/`` the rest; both use it.
Mentions never ping anyway (the client sends ``allowed_mentions`` none); this stops them *rendering*.
"""

from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
# Characters Discord markdown gives meaning to anywhere in a line (brackets and parentheses of
# links included), plus the escape character itself.
_MARKDOWN = re.compile(r"([\\*_~|`\[\]()<>])")
# At the start of a line: headings, subtext (-#), quotes, lists.
_LINE_START = re.compile(r"^(#|-|\+|>|\d+\.)")
_MENTION_AT = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_ANGLE = re.compile(r"<(?=[@#/:a!&t])")
# Bidirectional overrides and isolates reorder what readers see; control characters are never text.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_THREAD_DROP = str.maketrans("", "", "*_~|`[]<>#\\")


def clean(value: object, limit: int | None = None) -> str:
    """One line of printable text: whitespace collapsed, control and bidi characters removed, clipped."""
    text = str(value).translate(_BIDI)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n\r")
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def _unmention(text: str) -> str:
    """Mentions and bare links lose their power: a zero-width space after ``@``/``<`` and inside ``//``
    (a web address typed by a member is shown, never made clickable under the bot's name)."""
    text = text.replace("//", "/" + ZWSP + "/")
    return _ANGLE.sub("<" + ZWSP, _MENTION_AT.sub("@" + ZWSP, text))


def escape(value: object, limit: int | None = None) -> str:
    """Member text for prose: shown exactly as typed, none of it acting as markup or a mention."""
    text = clean(value, limit)
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: "\\" + m[1], text)
    return _unmention(text)


def code(value: object, limit: int = 40) -> str:
    """``value`` quoted in an inline code span that nothing in it can close: `like this`."""
    text = clean(value, limit).replace("`", "ˋ")
    return f"`{_unmention(text) or ' '}`"


def thread_name(value: object, limit: int = 100) -> str:
    """A channel or thread name: plain text (markdown characters dropped), no mention, within Discord's
    100 characters."""
    return clean(_unmention(clean(value).translate(_THREAD_DROP)), limit)
