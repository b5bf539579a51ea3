"""The thread grammar, table-driven: questions as people type them, each with the exact command it must
become, or the part that must be refused. Relative words are read against the bundled snapshot's
newest session, 2026-08-21 (a Friday): "last year" is 2025, "this quarter" 2026-Q3, "Q4" 2025-Q4."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from commands import chat
from commands.chat import intents
from commands.registry import default_registry, execute
from commands.reply import UserError
from data.sources.snapshot import SnapshotSource
from tests.conftest import csv_closes

LATEST = dt.date(2026, 8, 21)
TICKERS = SnapshotSource().tickers()
REGISTRY = default_registry()

READ = [
    # the failures issue 10 reported
    ("what was the gap last year?", "/gap period:2025"),
    ("gap since 2020", "/gap period:2020-01-01.."),
    ("small caps vs large caps in March 2024", "/gap period:2024-03"),
    ("iwm vs spy ytd", "/gap period:ytd small:IWM large:SPY"),
    ("gap on 2026-01-16", "/gap period:2026-01-16"),
    ("value vs growth", "/style"),
    ("sector performance", "/sectors"),
    # the gap, over every kind of period
    ("how big is the gap this year?", "/gap period:ytd"),
    ("gap IWM vs SPY over 3 months", "/gap period:3m small:IWM large:SPY"),
    ("how did small caps do in 2024?", "/gap period:2024"),
    ("Are small caps beating large caps this month?", "/gap period:mtd"),
    ("small vs large last month", "/gap period:2026-07"),
    ("gap last quarter", "/gap period:2026-Q2"),
    ("what's the spread for Q1?", "/gap period:2026-Q1"),
    ("gap in q4", "/gap period:2025-Q4"),
    ("gap Q3 2025", "/gap period:2025-Q3"),
    ("how did the russell do vs the s&p in 2Q 2024", "/gap period:2024-Q2 small:^RUT large:^GSPC"),
    ("gap this quarter", "/gap period:2026-Q3"),
    ("gap over the last 2 years", "/gap period:2024-08-22.."),
    ("spread over the past year", "/gap period:1y"),
    ("gap for the last 12 months", "/gap period:1y"),
    ("gap over 6 months", "/gap period:6m"),
    ("gap 5y", "/gap period:5y"),
    ("gap since march 2024", "/gap period:2024-03-01.."),
    ("gap since 2024-11-05", "/gap period:2024-11-05.."),
    ("gap from 2024-01-01 to 2024-06-30", "/gap period:2024-01-01..2024-06-30"),
    ("gap between jan 2025 and june 2025", "/gap period:2025-01-01..2025-06-30"),
    ("spread 2020-2022", "/gap period:2020-01-01..2022-12-31"),
    ("gap all time", "/gap period:max"),
    ("gap today", "/gap period:1d"),
    ("$IWM vs $SPY this week", "/gap period:2026-08-17.. small:IWM large:SPY"),
    ("gap last week", "/gap period:2026-08-10..2026-08-16"),
    ("IJR vs spy since the start of the year", "/gap period:ytd small:IJR large:SPY"),
    ("how are small caps doing against SPY year to date", "/gap period:ytd large:SPY"),
    ("gap as of 2024-06-30", "/gap period:2024-01-01..2024-06-30"),
    ("gap ytd as of june 30, 2024", "/gap period:2024-01-01..2024-06-30"),
    ("gap over 3 months as of 2024-06-30", "/gap period:2024-03-31..2024-06-30"),
    ("gap on jan 16", "/gap period:2026-01-16"),
    ("gap in september", "/gap period:2025-09"),
    ("vb vs iwb 3m", "/gap period:3m small:VB large:IWB"),
    ("Russell 2000 vs S&P 500 2024", "/gap period:2024 small:^RUT large:^GSPC"),
    (
        "is the russell outperforming the s&p over the past 3 months?",
        "/gap period:3m small:^RUT large:^GSPC",
    ),
    ("rut vs spx ytd", "/gap period:ytd small:^RUT large:^GSPC"),
    ("gap since last year", "/gap period:2025-01-01.."),
    ("SPY vs small caps 2024", "/gap period:2024 large:SPY"),
    ("gap in the first quarter of 2025", "/gap period:2025-Q1"),
    ("how much did small caps lead by in 2023", "/gap period:2023"),
    ("gap 2024-03", "/gap period:2024-03"),
    ("what's the gap in '24", "/gap period:2024"),
    ("@rotation-bot gap ytd", "/gap period:ytd"),
    ("<@123456789012345678> how far ahead are small caps since Q2 2025?", "/gap period:2025-04-01.."),
    ("gap ２０２４", "/gap period:2024"),  # full-width digits, as some keyboards type them
    ("gap 2024‐01‐01 – 2024‐03‐31", "/gap period:2024-01-01..2024-03-31"),  # Unicode dashes
    ("what was the spread in h1 2024", "/gap period:2024-01-01..2024-06-30"),
    ("gap first half of 2025", "/gap period:2025-01-01..2025-06-30"),
    ("gap march-june 2025", "/gap period:2025-03-01..2025-06-30"),
    ("gap over the last decade", "/gap period:10y"),
    ("gap over the last 30 days", "/gap period:2026-07-23.."),  # calendar days, to the newest session
    ("are small caps finally leading?", "/gap"),
    # the streak
    ("what's the streak?", "/streak"),
    ("streak as of 2026-01-16", "/streak as_of:2026-01-16"),
    ("how many days in a row have small caps beaten large caps?", "/streak"),
    ("streak on jan 16 2026", "/streak as_of:2026-01-16"),
    ("IWM vs SPY streak", "/streak small:IWM large:SPY"),
    ("how long has the current run lasted?", "/streak"),
    ("streak at the end of 2024", "/streak as_of:2024-12-31"),
    ("consecutive sessions small caps beat large caps today", "/streak"),
    # the daily update
    ("today's update", "/digest"),
    ("daily update for 2024-12-31", "/digest date:2024-12-31"),
    ("give me the summary as of dec 31 2024", "/digest date:2024-12-31"),
    ("digest", "/digest"),
    ("gap yesterday", "/digest"),  # the latest session's figures, with a note saying so
    # value and growth
    ("small cap value vs growth this year", "/style period:ytd"),
    ("vanguard value or growth over the last 6 months", "/style pair:vanguard period:6m"),
    ("is growth beating value in 2025?", "/style period:2025"),
    ("IJS vs IJT style ytd", "/style pair:sp600 period:ytd"),
    # sectors
    ("which sectors are leading since march?", "/sectors period:2026-03-01.."),
    ("small cap sectors vs their large cap counterparts in 2025", "/sectors period:2025 vs_large:true"),
    ("sectors last month", "/sectors period:2026-07"),
    # rates and yields
    ("how do rates affect small caps?", "/rates"),
    ("10-year yield vs the ratio over 3 years", "/rates period:3y yield:10y"),
    ("rates and small caps since 2025", "/rates period:2025-01-01.."),
    ("13-week bill yield impact", "/rates yield:13w"),
    ("rates ytd 13w", "/rates period:ytd yield:13w"),
    ("correlation between yields and IWM vs SPY", "/rates small:IWM large:SPY"),
    # the rotation graph
    ("show me the rotation graph", "/rrg"),
    ("rrg of sectors over 12 weeks", "/rrg set:sectors weeks:12"),
    ("relative rotation of style funds", "/rrg set:style"),
    ("rrg size 6w", "/rrg set:size weeks:6"),
    ("rrg weeks 20", "/rrg weeks:20"),
    # what happened after
    ("what happened after an 11-day streak?", "/history signal:streak threshold:11"),
    (
        "what usually follows a streak of 8 sessions over the next 3 months",
        "/history signal:streak threshold:8 horizon:3m",
    ),
    (
        "what happened after the ratio crossed below its 200-day average",
        "/history signal:ratio_cross direction:below",
    ),
    ("historically, what happened after a 10% jump in the ratio?", "/history signal:ratio_jump threshold:10"),
    ("what followed a strong january", "/history signal:january"),
    ("how often do small caps lead for 11 days", "/history signal:streak threshold:11"),
    (
        "what happened next after 5 days in a row? list every occurrence",
        "/history signal:streak threshold:5 detail:true",
    ),
    # valuation
    ("what's the P/E discount?", "/valuation show"),
    ("are small caps cheap?", "/valuation show"),
    ("valuations", "/valuation show"),
    # compare
    ("compare IWN and IWO over 1y", "/compare a:IWN b:IWO period:1y"),
    ("compare vbr with vbk since 2023", "/compare a:VBR b:VBK period:2023-01-01.."),
    ("compare small caps and large caps this year", "/gap period:ytd"),
    # help and about
    ("help", "/help"),
    ("what can you do?", "/help"),
    ("where does your data come from?", "/about"),
]

REFUSED = [
    ("tell me a joke", "“joke”"),
    ("gap since the election", "kind:event"),
    ("is it real?", "“real”"),
    ("streak in 2024", "/streak describes one session"),
    ("what's the gap and the streak?", "/streak and /gap at once"),
    ("large cap value vs growth", "/style is small-cap value vs growth"),
    ("gap vs nasdaq this year", "kind:not-in-data"),
    ("gap QQQ vs SPY", "kind:not-in-data"),
    ("gap before 2020", "“before”"),
    ("what happened after?", "but not after what"),
    ("rrg for 2024", "/rrg shows the last 2 to 26 weeks"),
    ("gap in 2023 and 2024", "more than one period"),
    ("mid caps vs large caps", "kind:not-in-data"),
    ("gap iwm spy ijr", "I read 3: IWM, SPY, IJR"),
    ("valuation for 2024", "/valuation show takes no period"),
    ("<@123456789012345678>", "Ask me a question"),
    ("update for 2024", "/digest describes one session"),
    ("gap 2024-02-30", "is not a valid date"),
    ("sectors for IWM", "/sectors ranks the nine S&P 600 sector funds"),
    ("is value cheap?", "/valuation show and /style at once"),
    ("gap since 2020 excluding dividends", "“excluding dividends”"),
    ("gap in the last 5 sessions", "“last 5 sessions”"),
    ("gap since 1/1/2025", "“since 1/1/2025”"),  # 1/2/2025: January or February? Refused, not guessed
    ("how have small caps done since the 2020 low", "needs the data"),  # read with landmarks: test_table
    ("thanks!", "kind:social"),
]


@pytest.mark.parametrize(("question", "line"), READ)
def test_a_question_becomes_exactly_this_command(question, line):
    assert chat.to_line(question, TICKERS, LATEST) == line


@pytest.mark.parametrize(("question", "part"), REFUSED)
def test_what_cannot_be_read_with_confidence_is_refused_naming_the_part(question, part):
    with pytest.raises(UserError) as caught:
        chat.read(question, TICKERS, LATEST)
    message = str(caught.value)
    if part.startswith("kind:"):  # declined for a reason of its own, with a next step, not "closest"
        assert caught.value.kind == part[5:]
        return
    assert part in message
    if isinstance(caught.value, chat.NotUnderstood):
        assert "Closest commands: `/" in message
        assert 2 <= message.split("Closest commands:")[1].count("`/") <= 4  # two or three, and /help


def test_the_table_is_large_enough():
    assert len(READ) + len(REFUSED) >= 80
    assert len({q for q, _ in READ + REFUSED}) == len(READ) + len(REFUSED)


@pytest.mark.parametrize("line", sorted({line for _, line in READ}))
def test_every_reading_is_a_command_the_registry_accepts(line):
    if line.split()[0] in ("/help", "/about", "/valuation"):
        return
    REGISTRY.validate_line(line)


def test_ordinary_words_are_never_tickers_even_when_the_data_has_them():
    known = [*TICKERS, "IT", "ALL", "ON", "ARE"]  # a live cache could hold Gartner, Allstate, ...
    assert chat.to_line("are small caps on top? what's the gap on it", known, LATEST) == "/gap"
    assert chat.to_line("gap $IT vs spy", known, LATEST) == "/gap small:IT large:SPY"
    assert chat.Question("is it all on spy and iwm?", known, LATEST).slots().tickers == ["SPY", "IWM"]


def test_an_unknown_dollar_ticker_is_kept_for_the_command_to_refuse():
    assert chat.to_line("gap $QQQ vs $spy", TICKERS, LATEST) == "/gap small:QQQ large:SPY"


def test_echoed_text_can_neither_ping_nor_render_a_link():
    with pytest.raises(chat.NotUnderstood) as caught:
        chat.read("gap since __boss__ said http://evil.example/x @ here", TICKERS, LATEST)
    message = str(caught.value)
    assert "since \\_\\_boss\\_\\_ said" in message
    assert "http://" not in message
    shown = chat.escape("[click](https://evil.example) <@123> @everyone **b** `c`")
    for raw in ("](", "https://", "<@123>", "@everyone", "**", "`c`"):
        assert raw not in shown


def test_relative_words_follow_the_datas_newest_session():
    # The same words on another newest session (a Monday in February) move with it.
    monday = dt.date(2027, 2, 1)
    assert chat.to_line("gap last year", TICKERS, monday) == "/gap period:2026"
    assert chat.to_line("gap this quarter", TICKERS, monday) == "/gap period:2027-Q1"
    assert chat.to_line("gap last quarter", TICKERS, monday) == "/gap period:2026-Q4"
    assert chat.to_line("gap last month", TICKERS, monday) == "/gap period:2027-01"
    assert chat.to_line("gap in march", TICKERS, monday) == "/gap period:2026-03"
    assert chat.to_line("gap this week", TICKERS, monday) == "/gap period:2027-02-01.."


def test_one_more_intent_is_one_more_row():
    """A new command is a row and a builder (issue 17 added /call this way); nothing else changes."""

    def watch(q: chat.Question) -> dict[str, str]:
        tickers = q.slots().use_tickers()
        return {"ticker": tickers[0], **chat._one_period(q, "watch", "1m")} if tickers else {}

    def forgetful(q: chat.Question) -> dict[str, str]:
        return {}  # takes no ticker: one typed must be refused, not dropped

    rows = (
        chat.Intent("watch", ((r"\bwatch\b", 4),), "/watch ticker:IWM", "a watch list", watch),
        chat.Intent("ping", ((r"\bping\b", 4),), "/ping", "a ping", forgetful),
    )
    original = intents.INTENTS
    try:
        intents.INTENTS = (*rows, *original)
        assert chat.to_line("watch iwm for 3 months", TICKERS, LATEST) == "/watch ticker:IWM period:3m"
        assert chat.to_line("gap last year", TICKERS, LATEST) == "/gap period:2025"
        assert chat.to_line("ping", TICKERS, LATEST) == "/ping"
        with pytest.raises(chat.NotUnderstood, match="/ping has no use for “iwm”"):
            chat.read("ping iwm", TICKERS, LATEST)
    finally:
        intents.INTENTS = original


def test_readings_are_frozen():
    reading = chat.read("gap 2024", TICKERS, LATEST)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.command = "streak"  # type: ignore[misc]


# -- the reported failures, answered: figures from the CSV files, not from the product -------------

RUT, GSPC = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
IWM, SPY = csv_closes("IWM"), csv_closes("SPY")


def reference(small: dict, large: dict, first: dt.date, last: dt.date) -> tuple[float, float]:
    common = sorted(set(small) & set(large))
    base = max(d for d in common if d < first)
    end = max(d for d in common if d <= last)
    return small[end] / small[base] - 1, large[end] / large[base] - 1


async def answer(market, question: str):
    command, query = REGISTRY.validate_line(chat.to_line(question, TICKERS, LATEST))
    return await execute(command, query, market)


@pytest.mark.parametrize(
    ("question", "small", "large", "first", "last"),
    [
        ("what was the gap last year?", "RUT", "GSPC", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("gap since 2020", "RUT", "GSPC", dt.date(2020, 1, 1), LATEST),
        ("small caps vs large caps in March 2024", "RUT", "GSPC", dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
        ("iwm vs spy ytd", "IWM", "SPY", dt.date(2026, 1, 1), LATEST),
        ("gap on 2026-01-16", "RUT", "GSPC", dt.date(2026, 1, 16), dt.date(2026, 1, 16)),
    ],
)
async def test_the_reported_misreadings_now_answer_the_question_asked(
    snapshot_market, question, small, large, first, last
):
    closes = {"RUT": RUT, "GSPC": GSPC, "IWM": IWM, "SPY": SPY}
    rs, rl = reference(closes[small], closes[large], first, last)
    reply = await answer(snapshot_market, question)
    names = {"RUT": "^RUT", "GSPC": "^GSPC"}
    assert reply.field(f"{names.get(small, small)} return").number == pytest.approx(rs, abs=1e-9)
    assert reply.field(f"{names.get(large, large)} return").number == pytest.approx(rl, abs=1e-9)


async def test_value_vs_growth_and_sectors_no_longer_answer_the_size_gap(snapshot_market):
    style = await answer(snapshot_market, "value vs growth")
    assert style.title.startswith("Small-cap value vs growth")
    sectors = await answer(snapshot_market, "sector performance")
    assert "sector" in sectors.title.lower()


async def test_a_day_that_is_not_a_session_says_so(snapshot_market):
    with pytest.raises(UserError, match="2026-01-17 is not a trading session: the nearest are 2026-01-16"):
        await answer(snapshot_market, "gap on 2026-01-17")
