"""A member's permission on what a command acts on, as Discord would compute it.

``interaction.permissions`` is the member's permission *where the command is typed*: a member who
manages one channel could stop any channel's subscription by id, and channel-level Manage Messages
removed any member's valuation server-wide. What a command changes lives elsewhere: a subscription
or an alert belongs to its channel, a valuation to the server. So the check runs on that target with
discord.py's own computation from the cached server (roles, then the channel's role and member
overwrites; the owner and administrators hold everything): ``channel.permissions_for(member)`` on a
channel that exists, ``member.guild_permissions`` for a server-wide record or a channel that is gone.
"""

from __future__ import annotations

import discord


def allowed_on(interaction: discord.Interaction, permission: str, channel_id: int | None = None) -> bool:
    """Whether the invoking member holds ``permission`` on channel ``channel_id`` (server-wide when
    None, or when the channel no longer exists). Refuses when the server or member is unknown."""
    guild, member = interaction.guild, interaction.user
    if guild is None or not isinstance(member, discord.Member):
        return False
    channel = guild.get_channel_or_thread(channel_id) if channel_id is not None else None
    perms = channel.permissions_for(member) if channel is not None else member.guild_permissions
    return bool(getattr(perms, permission))
