"""A Reply as Discord shows it: one embed, the chart as an attached PNG (and, when asked for, the CSV
behind the answer), within Discord's limits."""

from __future__ import annotations

import io

import discord

from commands.reply import Reply

COLOUR = discord.Colour(0xE8590C)  # the small-cap orange of the charts

# Discord's embed limits
TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE, FOOTER, TOTAL = 256, 4096, 25, 256, 1024, 2048, 6000
DESCRIPTION_ROOM = 600  # kept for the answer's text when fields compete for the 6,000 characters
# and its attachment limits: files per message, bytes of all of them together
MAX_FILES, MAX_ATTACHMENT_BYTES = 10, 10 * 1024 * 1024


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reply_embed(reply: Reply) -> tuple[discord.Embed, discord.File | None]:
    """A fresh File every call: a discord.File is consumed when it is sent.

    Whatever the reply holds, the embed stays within every one of Discord's limits (a rejected embed
    would lose the whole answer): fields that do not fit in the 6,000 characters are left out, and
    the description says how many."""
    title = _clip(reply.title, TITLE)
    footer = _clip(reply.footer(), FOOTER)
    fields = [(_clip(f.name, FIELD_NAME), _clip(f.value or "—", FIELD_VALUE), f.inline) for f in reply.fields]
    budget = TOTAL - len(title) - len(footer) - DESCRIPTION_ROOM
    kept: list[tuple[str, str, bool]] = []
    for name, value, inline in fields[:FIELDS]:
        if len(name) + len(value) > budget:
            break
        kept.append((name, value, inline))
        budget -= len(name) + len(value)
    notes = list(reply.notes)
    if len(kept) < len(fields):
        notes.append(f"{len(fields) - len(kept)} more entries did not fit in one message.")
    tail = "".join(f"\n\n⚠️ {n}" for n in notes)
    room = min(DESCRIPTION, budget + DESCRIPTION_ROOM)
    description = _clip(reply.text, max(room - len(tail), 1)) + tail if len(tail) < room else _clip(
        reply.text + tail, room
    )
    embed = discord.Embed(title=title, description=description, colour=COLOUR)
    for name, value, inline in kept:
        embed.add_field(name=name, value=value, inline=inline)
    embed.set_footer(text=footer)
    if reply.chart is None:
        return embed, None
    embed.set_image(url=f"attachment://{reply.chart_name}")
    return embed, discord.File(io.BytesIO(reply.chart), filename=reply.chart_name)


def reply_files(reply: Reply) -> list[discord.File]:
    """Every attachment of an answer, fresh: the chart (which the embed shows) and the CSV, if any.

    :func:`commands.export.attach` keeps the CSV within the limit together with the chart; this is
    the last check before Discord would refuse the whole message."""
    parts = [(reply.chart, reply.chart_name), (reply.csv, reply.csv_name)]
    present = [(data, name) for data, name in parts if data is not None]
    if len(present) > MAX_FILES or sum(len(d) for d, _ in present) > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"attachments over Discord's limits: {[(n, len(d)) for d, n in present]}")
    return [discord.File(io.BytesIO(data), filename=name) for data, name in present]
