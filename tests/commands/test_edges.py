"""Issue 10's edges: options honoured or refused (never dropped), no crash and no nan at the start of
the history, answers that do not contradict themselves. Cases are data; each says what it pins."""

from __future__ import annotations

import datetime as dt

import pytest

from commands import digest, streak
from commands.alerts import validate as validate_alert
from commands.registry import default_registry, execute
from commands.reply import UserError
from tests.conftest import csv_closes

REGISTRY = default_registry()


def query_of(line: str):
    return REGISTRY.validate_line(line)[1]


# (console line, attribute of the parsed query, the value it must hold)
READ_AS = [
    ("/history streak 11", "threshold", 11.0),  # was: threshold 5, the 11 silently dropped
    ("/history streak 11", "signal", "streak"),
    ("/history streak 11 3m", "horizon", "3m"),
    ("/history threshold:8 streak", "signal", "streak"),  # bare words fill the options not named
    ("/history threshold:8 streak", "threshold", 8.0),
    ("/HISTORY Signal:streak THRESHOLD:12", "threshold", 12.0),  # names are case-insensitive
    ("/Gap PERIOD:2024", "period.text", "2024"),
    ("/gap period:２０２４", "period.text", "2024"),  # full-width digits (NFKC)
    ("/gap period:2024–03", "period.text", "2024-03"),  # en dash
    ("/gap period:2024−01−01..2024−06−30", "period.text", "2024-01-01..2024-06-30"),  # minus signs
    ("/gap 2024 IWM SPY", "small", "IWM"),
    ("/gap 2024 IWM SPY", "large", "SPY"),
    ("/streak 2026-01-16", "as_of", dt.date(2026, 1, 16)),
    ("/digest date:２０２４-１２-３１", "date", dt.date(2024, 12, 31)),
]


@pytest.mark.parametrize(("line", "attribute", "expected"), READ_AS)
def test_console_lines_are_read_as_typed(line, attribute, expected):
    value = query_of(line)
    for part in attribute.split("."):
        value = getattr(value, part)
    assert value == expected


# (console line, words the refusal must contain)
REFUSED = [
    ("/history signal:ratio_cross threshold:3", "`ratio_cross` has no threshold"),
    ("/history ratio_cross 3", "`ratio_cross` has no threshold"),
    ("/history signal:january direction:below", "`january` has no `direction:below`"),
    ("/history signal:ratio_jump direction:below", "`ratio_jump` has no `direction:below`"),
    ("/streak 2026-01-16 IWM SPY extra", "/streak has no place for `extra`"),
    ("/gap 2024 IWM SPY max", "/gap has no place for `max`"),
    ("/gap period:2024 period:2023", "`period` is given twice"),
    ("/gap Date:2024", "/gap has no option `date`"),
    ("/subscribe time:10:00", "/subscribe works only in a Discord server"),
    ("/alert add signal:streak threshold:10", "/alert works only in a Discord server"),
    ("/server-settings timezone:Europe/Berlin", "/server-settings works only in a Discord server"),
    ("/discuss", "/discuss works only in a Discord server"),
    ("/nonsense", "There is no command `/nonsense`"),
]


@pytest.mark.parametrize(("line", "says"), REFUSED)
def test_console_lines_refused_with_the_reason(line, says):
    with pytest.raises(UserError) as caught:
        REGISTRY.validate_line(line)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("signal", "threshold", "direction", "says"),
    [
        ("ratio_cross", 2.0, None, "takes no threshold"),
        ("january", 1.0, "below", "`direction` applies to streak and ratio_cross alerts only"),
    ],
)
def test_alerts_refuse_what_the_signal_does_not_use(signal, threshold, direction, says):
    with pytest.raises(UserError, match=says):
        validate_alert(signal, threshold, direction)


async def ask(market, command, **options):
    return await execute(command.COMMAND, command.COMMAND.validate(options), market)


async def test_streak_on_the_first_common_session_says_there_is_no_daily_return(snapshot_market):
    # ^RUT's first close in the snapshot, so the pair's first common session
    first = min(csv_closes("RUT", "Close"))
    with pytest.raises(UserError) as caught:
        await ask(snapshot_market, streak, as_of=first.isoformat())
    text = str(caught.value)
    assert f"{first} is the first session ^RUT and ^GSPC have in common" in text
    assert "there is none before the second session (1987-09-11)" in text


async def test_streak_on_the_second_session_is_one_session_not_sessions(snapshot_market):
    reply = await ask(snapshot_market, streak, as_of="1987-09-11")
    assert reply.field("Current run").value == "1 session"
    assert reply.field("Current run").number == 1  # the length, positive
    assert reply.field("Direction").value == "small behind"
    assert "It is the only underperformance run since 1987-09-10." in reply.text
    assert "1 sessions" not in reply.text + str([f.value for f in reply.fields])


async def test_digest_names_the_option_typed(snapshot_market):
    with pytest.raises(UserError, match=r"^`date` 2099-01-01 is after the newest common session"):
        await ask(snapshot_market, digest, date="2099-01-01")
    with pytest.raises(UserError, match=r"1987-09-10 is the first session .* Pick a later `date`"):
        await ask(snapshot_market, digest, date="1987-09-10")


async def test_digest_in_1988_has_no_200_day_average_and_says_why(snapshot_market):
    reply = await ask(snapshot_market, digest, date="1988-03-01")
    vs200 = reply.field("Ratio vs 200-day avg")
    # 1987-09-10 .. 1988-03-01: the common sessions, counted straight from the CSVs
    rut, gspc = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
    have = len([d for d in set(rut) & set(gspc) if d <= dt.date(1988, 3, 1)])
    assert vs200.value == f"n/a (a 200-day average needs 200 sessions; this date has {have})"
    assert vs200.number is None
    assert reply.field("Ratio vs 50-day avg").number is not None  # the rest still comes
    assert reply.field("Year to date").number is not None


async def test_digest_before_a_year_of_data_still_answers_with_n_a(snapshot_market):
    reply = await ask(snapshot_market, digest, date="1987-10-20")
    ytd = reply.field("Year to date")
    assert ytd.value.startswith("n/a (the data starts 1987-09-10")
    assert ytd.number is None
    assert reply.text.startswith("Year to date: n/a (the data starts 1987-09-10")
    assert reply.field("1 day").number is not None


async def test_digest_never_says_nothing_unusual_beside_a_signal(snapshot_market):
    # 2025-04-21: an outperformance run reaches 5 sessions (the /history line fires), and none of
    # the digest's own notables does
    reply = await ask(snapshot_market, digest, date="2025-04-21")
    assert "Signal: An outperformance streak reaching 5 sessions on 2025-04-21" in reply.text
    assert "Nothing unusual" not in reply.text
    assert "today" not in reply.text.lower()  # a past date is never "today"
