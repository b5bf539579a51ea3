"""One extension per feature area, loaded in ``RotationBot.setup_hook``."""

EXTENSIONS = (
    "bot.cogs.rotation",
    "bot.cogs.research",
    "bot.cogs.valuation",
    "bot.cogs.subscriptions",
    "bot.cogs.alerts",
    "bot.cogs.calls",
    "bot.cogs.chat",
    "bot.cogs.check",
    "bot.cogs.meta",
)
