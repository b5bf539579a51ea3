"""The analyses: pure Python, no discord import. Options and price histories in, a Reply out.

Each analysis module exposes one :class:`commands.registry.Command`; ``bot/`` (Discord), the console
and the daily update all go through :func:`commands.registry.answer`.
"""
