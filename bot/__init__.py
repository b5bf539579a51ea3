"""rotation-bot's wiring: settings, the console, and (with a token) the Discord client."""
