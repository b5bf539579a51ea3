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
    ("/streak 2026-01-16 IWM SPY extra", "`export` is true or false (got `extra`)"),  # 4th option
    ("/streak 2026-01-16 IWM SPY true extra", "/streak has no place for `extra`"),
    ("/gap 2024 IWM SPY false max", "/gap has no place for `max`"),
    ("/gap period:2024 period:2023", "`period` is given twice"),
    ("/gap Date:2024", "/gap has no option `date`"),
    ("/subscribe time:10:00", "/subscribe works only in a Discord server"),
    ("/alert add signal:streak threshold:10", "/alert works only in a Discord server"),
    ("/server-settings timezone:Europe/Berlin", "/server-settings works only in a Discord server"),
    ("/discuss", "/discuss works only in a Discord server"),
    ("/call side:small horizon:3m", "/call works only in a Discord server"),
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


# -- one freshness note, yields refused, valuation wording ----------------------------------------


class StaleData:
    """The snapshot, with every series marked behind as a live failure would mark it."""

    def __init__(self, market) -> None:
        self.market = market

    async def history(self, ticker: str):
        from dataclasses import replace

        from data.market import Stale

        h = await self.market.history(ticker)
        note = Stale(f"{ticker} is 3 sessions behind (no network)", ticker, h.last_session, 3, "no network")
        return replace(h, stale=note)


# (console line, tickers the one note must name)
FRESHNESS = [
    ("/gap period:2024", ["^RUT", "^GSPC"]),
    ("/sectors", ["PSCC", "PSCD", "PSCE", "PSCF", "PSCH", "PSCI", "PSCM", "PSCT", "PSCU"]),
    ("/sectors vs_large:true", ["PSCT", "XLK", "XLRE", "XLC"]),
    ("/rrg", ["PSCT", "IJR"]),
    ("/rrg set:size", ["SPY"]),
    ("/rates", ["^RUT", "^GSPC", "^TNX"]),
    ("/rates yield:10y", ["^RUT", "^GSPC", "DGS10"]),
    ("/rates yield:tnx", ["^RUT", "^GSPC", "^TNX"]),
    ("/style", ["IWN", "IWO"]),
    ("/compare a:IWN b:IWO", ["IWN", "IWO"]),
    ("/streak", ["^RUT", "^GSPC"]),
    ("/digest", ["^RUT", "^GSPC"]),
]


@pytest.mark.parametrize(("line", "tickers"), FRESHNESS)
async def test_exactly_one_freshness_note_naming_every_series_behind(snapshot_market, line, tickers):
    command, query = REGISTRY.validate_line(line)
    reply = await execute(command, query, StaleData(snapshot_market))
    stale = [n for n in reply.notes if "Live data unavailable" in n or "behind" in n]
    assert len(stale) == 1, reply.notes
    for ticker in tickers:
        assert f"{ticker} to " in stale[0]
    assert stale[0].count("3 sessions behind") == len(stale[0].split("; "))


def test_a_stale_note_keeps_its_parts_across_processes():
    import pickle

    from data.market import Stale

    note = pickle.loads(pickle.dumps(Stale("text", "IWM", dt.date(2026, 7, 31), 1, "timeout")))
    assert (str(note), note.ticker, note.behind, note.reason) == ("text", "IWM", 1, "timeout")


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("/gap small:^TNX", "`small` US 10-year yield (^TNX) is a yield, not a price"),
        ("/gap large:tnx", "`large` US 10-year yield (^TNX) is a yield"),
        ("/compare a:^IRX b:SPY", "`a` US 13-week bill yield (^IRX) is a yield"),
        ("/compare a:IWM b:^TNX", "`/rates yield:tnx` sets it against the small/large ratio as a level"),
        ("/streak small:^TNX", "is a yield, not a price"),
    ],
)
def test_yields_are_not_prices(line, says):
    with pytest.raises(UserError) as caught:
        REGISTRY.validate_line(line)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("small", "large", "words"),
    [
        (18.1, 22.3, "an 18.8% discount"),  # 1 - 18.1/22.3 = 0.18834
        (18.0, 26.0, "a 30.8% discount"),
        (22.0, 20.0, "a 10.0% premium"),  # small dearer than large: never "a -10.0% discount"
        (27.0, 25.0, "an 8.0% premium"),
        (19.78, 22.3, "an 11.3% discount"),
    ],
)
def test_valuation_words(small, large, words):
    from commands.valuation import article, gap_words

    assert article(gap_words(1 - small / large)) == words


def test_valuation_refuses_a_date_after_today_and_cites_no_file_path():
    from commands.valuation import QUOTED, parse_record

    later = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    source = "FactSet Earnings Insight"
    options = {"small_pe": "18", "large_pe": "22", "basis": "forward", "source": source, "as_of": later}
    with pytest.raises(UserError, match=r"`as_of` is the date of the figures, from .* to today"):
        parse_record(options, 1, dt.date.today())
    for quote in QUOTED:
        assert ".txt" not in quote.source
        assert "/" not in quote.source.split("“")[0]  # no path before the quoted words


# (console line, words the answer must contain, words it must not)
WORDING = [
    ("/gap period:1d", "1 session;", "1 sessions"),
    ("/streak as_of:2026-01-16 small:IWM large:SPY", "iShares Russell 2000 ETF (IWM) has ", " have "),
    ("/streak as_of:2026-01-16", "Small caps have outperformed large caps", " has "),
    ("/history signal:streak threshold:1", "reaching 1 session ", "1 sessions"),
]


@pytest.mark.parametrize(("line", "says", "never"), WORDING)
async def test_wording(snapshot_market, line, says, never):
    command, query = REGISTRY.validate_line(line)
    reply = await execute(command, query, snapshot_market)
    assert says in reply.text
    assert never not in reply.text


def test_every_server_command_is_explained_by_the_console():
    from commands.help import SERVER_COMMANDS
    from commands.registry import DISCORD_ONLY

    console_answers = {"valuation", "check"}  # the console has its own server (id 0) and /check
    assert {name for name, _, _ in SERVER_COMMANDS} - console_answers <= set(DISCORD_ONLY)
