"""/check text:"…" (or a .txt file), and "check: …" in a thread: the claims of a text against the data.

Thin: the claims, verdicts and wording are :mod:`commands.check`'s. Here: the options are validated
before the defer (a missing text, a file that is not text or too large, a bad date are answered
privately at once), the file is read after it, members' recorded valuations are handed in per server.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands as ext

from commands.check import request
from commands.check.report import check_text, reply
from commands.periods import parse_date
from commands.reply import Reply, UserError

from ..embeds import reply_embed, reply_files
from ..respond import missing_permissions
from .rotation import COOLDOWN

if TYPE_CHECKING:
    from ..client import RotationBot

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200_000  # an article is ~8 KB; a file many times that is not one
TEXT_TYPES = ("text/plain", "text/markdown")


def _is_text(file: discord.Attachment) -> bool:
    kind = (file.content_type or "").split(";")[0].strip().lower()
    return kind in TEXT_TYPES or file.filename.lower().endswith((".txt", ".md"))


class Check(ext.Cog):
    def __init__(self, bot: RotationBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="check", description="Check a text's claims (returns, streaks, records…) against the data"
    )
    @app_commands.describe(
        text="The sentence(s) to check, e.g. 'Small caps beat large caps for 11 consecutive sessions'",
        file="Or a .txt file with a whole article (up to 200 KB)",
        as_of="The text's date, YYYY-MM-DD: claims are judged on that session (default: the newest)",
    )
    @COOLDOWN
    async def check(
        self,
        interaction: discord.Interaction[RotationBot],
        text: app_commands.Range[str, 1, 4000] | None = None,
        file: discord.Attachment | None = None,
        as_of: str | None = None,
    ) -> None:
        missing = missing_permissions(
            interaction.app_permissions, isinstance(interaction.channel, discord.Thread)
        )
        if missing:
            raise UserError(f"I can't answer here: I'm missing the {', '.join(missing)} permission(s).")
        if (text is None) == (file is None):
            raise UserError("Give `text` or `file` (one of them): the claims to check.")
        if file is not None and not _is_text(file):
            raise UserError("`file` must be a plain-text file (.txt), e.g. the article saved as text.")
        if file is not None and file.size > MAX_FILE_BYTES:
            raise UserError(f"`file` is {file.size:,} bytes; I check up to {MAX_FILE_BYTES:,} at once.")
        day = parse_date(as_of, "as_of date") if as_of else None
        await interaction.response.defer(thinking=True)
        if file is not None:
            text = (await file.read()).decode("utf-8", errors="replace")
        answer = await self.reply_for(text or "", day, interaction.guild_id)
        embed, _ = reply_embed(answer)
        files = reply_files(answer)
        await interaction.followup.send(embed=embed, files=files or discord.utils.MISSING)

    async def reply_for(self, text: str, as_of, guild_id: int | None) -> Reply:
        valuations = await self.bot.state.valuations(guild_id) if guild_id else []
        market = self.bot.market
        known = market.known_offline()
        return reply(await check_text(text, market, known, as_of, valuations, self.bot.workers))

    async def answer_message(self, message: discord.Message) -> bool:
        """A thread message starting with "check": answered here (True); any other: not (False)."""
        asked = request(message.content)
        if asked is None:
            return False
        text, as_of = asked
        attached = [a for a in message.attachments if _is_text(a)]
        if attached:  # "@rotation-bot check" with the article attached as a .txt
            if attached[0].size > MAX_FILE_BYTES:
                raise UserError(f"That file is {attached[0].size:,} bytes; I check up to {MAX_FILE_BYTES:,}.")
            text = f"{text}\n{(await attached[0].read()).decode('utf-8', errors='replace')}".strip()
        if not text:
            raise UserError(
                'After "check", paste the sentence(s) to check (or attach a .txt), e.g. "check: small caps '
                'beat large caps in 2025".'
            )
        async with message.channel.typing():
            answer = await self.reply_for(text, as_of, message.guild.id if message.guild else None)
        embed, _ = reply_embed(answer)
        files = reply_files(answer)
        await message.reply(embed=embed, files=files or discord.utils.MISSING, mention_author=False)
        return True


async def setup(bot: RotationBot) -> None:
    await bot.add_cog(Check(bot))
