"""Lists split into pages by count *and* by characters, so no record is ever unreachable.

Pages cut by count alone overflowed: eight valuation records with 300-character markdown-heavy
sources (escaped, each markup character doubles) ran past an embed's 6,000 characters, the embed
left the last fields out, and the next page started after them, so four records appeared on no
page; a field of twelve calls with long names was cut at 1,024 characters the same way. Here a page
closes when it holds ``per_page`` items or the next item would pass ``room`` characters, and every
list pages through the same cut it shows, so each item is on exactly one page. An item larger than
``room`` on its own still gets a page of its own (its text is clipped there, never skipped).
"""

from __future__ import annotations

from collections.abc import Sequence

# Characters the fields of one embed page may take in all: Discord allows 6,000 per embed, and the
# title (at most 256), the footer (sources and the as-of line, well under 400) and the description
# the bot keeps room for (600, bot/embeds.py) take the rest; what is left over is a margin.
FIELDS_ROOM = 4500
# Characters of one field's value (Discord: 1,024), with room for a "continued" line.
FIELD_ROOM = 1000


def paginate(sizes: Sequence[int], per_page: int, room: int) -> list[range]:
    """Consecutive items (by index) into pages of at most ``per_page`` items and ``room`` characters
    (``sizes`` are each item's characters). Always at least one page, empty for an empty list."""
    pages: list[range] = []
    start, used = 0, 0
    for i, size in enumerate(sizes):
        if i > start and (i - start >= per_page or used + size > room):
            pages.append(range(start, i))
            start, used = i, 0
        used += size
    pages.append(range(start, len(sizes)))
    return pages
