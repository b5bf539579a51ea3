"""/help and /about as replies, generated from the registry so they never drift from the commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .freshness import freshness_note
from .registry import Registry
from .reply import Field, Reply
from .sources import source_lines

if TYPE_CHECKING:  # the build workers import every command module, never data.market
    from data.market import MarketData

# Commands that act on the server (state, channels) rather than answer from data alone.
SERVER_COMMANDS = (
    ("subscribe", "Post the daily rotation update in a channel (Manage Channels)", "/subscribe time:17:00"),
    ("unsubscribe", "Stop a channel's daily update", "/unsubscribe"),
    ("subscriptions", "This server's subscriptions, last posts and problems", "/subscriptions"),
    ("discuss", "Open a thread seeded with the current digest", '/discuss topic:"Is it real?"'),
    (
        "server-settings",
        "This server's time zone and default post time",
        "/server-settings timezone:Europe/Berlin",
    ),
    ("valuation", "Small vs large P/E with its basis: show, record, remove", "/valuation show"),
    (
        "alert",
        "Post when a /history signal fires: add, list, remove",
        "/alert add signal:streak threshold:10",
    ),
    ("call", "Record which side leads over 1w–1y; scored when it closes", "/call side:small horizon:3m"),
    ("calls", "The server's record of calls: hit rates against the base rate; open calls", "/calls"),
    ("call-withdraw", "Withdraw your call within five minutes of making it", "/call-withdraw number:3"),
    (
        "check",
        "An article's claims against the data, one verdict each (text, or a .txt file; as_of: its date)",
        '/check text:"Small caps beat large caps for 11 consecutive sessions" as_of:2026-01-16',
    ),
)


def help_reply(registry: Registry) -> Reply:
    fields = [
        Field(f"/{c.name}", f"{c.description}\nExample: `{c.example}`", None, inline=False)
        for c in registry.commands.values()
    ]
    fields += [Field(f"/{n}", f"{d}\nExample: `{e}`", None, inline=False) for n, d, e in SERVER_COMMANDS]
    fields.append(
        Field(
            "In a thread I opened",
            "Mention me with a question: “what was the gap last year?”, “value vs growth since 2020”. "
            "Each answer starts with the command I read it as.",
            None,
            inline=False,
        )
    )
    return Reply(
        title="rotation-bot commands",
        text="Are US small caps taking leadership from large caps, how strongly, and since when?",
        fields=fields,
        source="",
    )


async def about_reply(data: MarketData) -> Reply:
    small, large = await data.history("^RUT"), await data.history("^GSPC")
    mode = (
        "live (the providers below, in order), with the bundled snapshot underneath"
        if data.mode == "live"
        else "the bundled snapshot only (offline)"
    )
    text = (
        "Daily closes from Yahoo Finance (via yfinance), Tiingo for the funds when enabled, and FRED for "
        "official rates, for personal research; a snapshot of real history ships with the bot (Russell "
        "2000 since 1987, S&P 500 since 1927, size/style/sector funds and the 10-year yield to 2026-07-31, "
        f"FRED's 2-/10-year Treasury yields and fed funds rate to 2026-08). Data source now: {mode}."
    )
    notes = freshness_note((small, large))
    providers, disagreements = await source_lines(data)
    health = (
        [Field("Live providers, in order", "\n".join(providers), None, inline=False)] if providers else []
    )
    if disagreements:
        health.append(Field("Providers disagreed", "\n".join(disagreements), None, inline=False))
    return Reply(
        title="About rotation-bot's data",
        text=text,
        fields=[
            Field("^RUT newest session", str(small.last_session), None),
            Field("^GSPC newest session", str(large.last_session), None),
            Field("Served from", small.source, None),
            *health,
        ],
        as_of=min(small.last_session, large.last_session),
        source=small.source,
        notes=notes,
    )
