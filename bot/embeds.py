"""A Reply as Discord shows it: one embed, the chart as an attached PNG, within Discord's limits."""

from __future__ import annotations

import io

import discord

from commands.reply import Reply

COLOUR = discord.Colour(0xE8590C)  # the small-cap orange of the charts

# Discord's embed limits
TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE, FOOTER, TOTAL = 256, 4096, 25, 256, 1024, 2048, 6000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reply_embed(reply: Reply) -> tuple[discord.Embed, discord.File | None]:
    """A fresh File every call: a discord.File is consumed when it is sent."""
    description = reply.text + "".join(f"\n\n⚠️ {n}" for n in reply.notes)
    title = _clip(reply.title, TITLE)
    footer = _clip(reply.footer(), FOOTER)
    fields = [(_clip(f.name, FIELD_NAME), _clip(f.value or "—", FIELD_VALUE), f.inline) for f in reply.fields]
    fields = fields[:FIELDS]
    used = len(title) + len(footer) + sum(len(n) + len(v) for n, v, _ in fields)
    embed = discord.Embed(
        title=title, description=_clip(description, min(DESCRIPTION, TOTAL - used)), colour=COLOUR
    )
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    embed.set_footer(text=footer)
    if reply.chart is None:
        return embed, None
    embed.set_image(url=f"attachment://{reply.chart_name}")
    return embed, discord.File(io.BytesIO(reply.chart), filename=reply.chart_name)
