"""The thread grammar's table: how people ask, and the exact command each phrasing must read as, or
the kind of refusal it must get. This file is the grammar's documentation (the README points here).

Rows are written the way an investment team writes in a thread: casual, abbreviated, with tickers in
any case, slash pairs, named stretches, several questions, other languages, thanks. Read against the
bundled snapshot (newest session 2026-08-21, a Friday) with the Russell 2000's own lows and highs as
landmarks (tests/commands/chat/test_landmarks.py checks those dates against the CSV). An expected
value is one of:

- ``/command option:value …``: the reading, exactly (``A + B``: a message with two questions);
- ``refuse:KIND``: declined, with that kind (``unread``: words it could not read, quoted back;
  ``advice``, ``forecast``, ``not-in-data``, ``language``, ``event``: declined with the reason and a
  next step; ``social``: thanks or a greeting, acknowledged with a reaction; ``ambiguous``: two
  commands at once; ``user``: a date that does not exist, and the like).

Conversations (several messages of one member, each read against the one before) are at the end.
"""

from __future__ import annotations

import datetime as dt

import pytest

from commands.chat import Landmarks, NotUnderstood, read_many
from commands.registry import default_registry
from commands.reply import UserError
from data.sources.snapshot import SnapshotSource
from tests.conftest import csv_closes

LATEST = dt.date(2026, 8, 21)
TICKERS = SnapshotSource().tickers()
REGISTRY = default_registry()
LANDMARKS = Landmarks.from_closes("the Russell 2000 (^RUT)", sorted(csv_closes("RUT", "Close").items()))
NOT_IN_REGISTRY = ("/help", "/about", "/valuation", "/call", "/calls")  # answered by the bot itself

TABLE = [
    ('how did small caps do in 2022', '/gap period:2022'),
    ('how did small caps do in 2022?', '/gap period:2022'),
    ('hows small caps perf this yr', '/gap period:ytd'),
    ('how are small caps doing rn', '/gap'),
    ('sc vs lc ytd', '/gap period:ytd'),
    ('sc vs lc 2024', '/gap period:2024'),
    ('small vs large this month', '/gap period:mtd'),
    ('r2k vs spx since 2020', '/gap period:2020-01-01.. small:^RUT large:^GSPC'),
    ('russell vs s&p last year', '/gap period:2025 small:^RUT large:^GSPC'),
    ('iwm vs spy last 6 months', '/gap period:6m small:IWM large:SPY'),
    ('iwm/spy ytd', '/gap period:ytd small:IWM large:SPY'),
    ('IWM/SPY since march 2024', '/gap period:2024-03-01.. small:IWM large:SPY'),
    ('$iwm vs $spy 1y', '/gap period:1y small:IWM large:SPY'),
    ('iwm vs spy past 3 months', '/gap period:3m small:IWM large:SPY'),
    ('how did iwm do this week', '/gap period:2026-08-17.. small:IWM'),
    ('how did iwm do last week', '/gap period:2026-08-10..2026-08-16 small:IWM'),
    ("how's the russell doing vs the s&p this quarter", '/gap period:2026-Q3 small:^RUT large:^GSPC'),
    ('small caps vs large caps q1 2025', '/gap period:2025-Q1'),
    ('gap in h2 2024', '/gap period:2024-07-01..2024-12-31'),
    ('perf of small caps vs large caps 5y', '/gap period:5y'),
    ('are small caps finally outperforming?', '/gap'),
    ('are small caps outperforming large caps this year', '/gap period:ytd'),
    ('small caps leading or lagging ytd?', '/gap period:ytd'),
    ("who's winning ytd, small or large?", '/gap period:ytd'),
    ('small caps ahead this month?', '/gap period:mtd'),
    ('how far ahead are small caps since the start of the year', '/gap period:ytd'),
    ("what's the spread ytd", '/gap period:ytd'),
    ('spread last quarter', '/gap period:2026-Q2'),
    ('gap since jan 1', '/gap period:2026-01-01..'),
    ('gap since 2024-11-05', '/gap period:2024-11-05..'),
    ('gap 2020-2022', '/gap period:2020-01-01..2022-12-31'),
    ('gap from march to june 2025', '/gap period:2025-03-01..2025-06-30'),
    ('gap between q1 2024 and q3 2024', '/gap period:2024-01-01..2024-09-30'),
    ('gap over the past 2 years', '/gap period:2024-08-22..'),
    ('gap last 3 yrs', '/gap period:3y'),
    ('gap 10y', '/gap period:10y'),
    ('gap since inception', '/gap period:max'),
    ('all time gap', '/gap period:max'),
    ('how did small caps do today', '/gap period:1d'),
    ('gap today', '/gap period:1d'),
    ('small caps vs large caps over the last 12 months', '/gap period:1y'),
    ('ijr vs spy 2024', '/gap period:2024 small:IJR large:SPY'),
    ('vb vs iwb since 2023', '/gap period:2023-01-01.. small:VB large:IWB'),
    ('iwm vs ivv', 'refuse:unread'),
    ('small caps vs SPY in 2023', '/gap period:2023 large:SPY'),
    ('large caps vs iwm 2024', '/gap period:2024 small:IWM'),
    ('yesterday', '/digest'),
    ('how did small caps do yesterday', '/digest'),
    ('what happened yesterday', '/digest'),
    ('what happened today', '/gap period:1d'),
    ("today's update", '/digest'),
    ('daily summary', '/digest'),
    ('recap for 2024-12-31', '/digest date:2024-12-31'),
    ('digest as of june 30 2025', '/digest date:2025-06-30'),
    ('where is the ratio vs the 50dma', '/digest'),
    ('ratio vs 200 day moving average', '/digest'),
    ('how far is the ratio from its all-time high', '/digest'),
    ('how far from the 52-week high', '/digest'),
    ('how far below the ATH are we', '/digest'),
    ('drawdown', '/gap'),
    ('max drawdown of iwm vs spy in 2022', '/gap period:2022 small:IWM large:SPY'),
    ("what's the drawdown ytd", '/gap period:ytd'),
    ('vol and beta', '/gap'),
    ('volatility of small vs large caps in 2024', '/gap period:2024'),
    ('beta of iwm vs spy over 3 years', '/gap period:3y small:IWM large:SPY'),
    ('correlation between r2k and spx', '/gap small:^RUT large:^GSPC'),
    ('correlation of small and large caps last year', '/gap period:2025'),
    ("what's the streak", '/streak'),
    ('current streak', '/streak'),
    ('streak rn', '/streak'),
    ('how many days in a row have small caps led', '/streak'),
    ('how long is the current run', '/streak'),
    ('streak as of end of 2024', '/streak as_of:2024-12-31'),
    ('iwm vs spy streak', '/streak small:IWM large:SPY'),
    ('the longest streaks', '/streak'),
    ('longest streak ever', '/streak'),
    ('how many times did small caps lead 20 days in a row', '/history signal:streak threshold:20'),
    ('what happened after 10 days in a row', '/history signal:streak threshold:10'),
    (
        "what happens after a 15 day streak over the next 3 months",
        "/history signal:streak threshold:15 horizon:3m",
    ),
    ('base rate after an 11-day streak', '/history signal:streak threshold:11'),
    ('historically what followed the ratio crossing its 200-day', '/history signal:ratio_cross'),
    ('what happened after the ratio crossed above the 200dma', '/history signal:ratio_cross'),
    ('after a 5% jump in the ratio what happened next', '/history signal:ratio_jump threshold:5'),
    ('what followed a strong january', '/history signal:january'),
    ('how often do small caps lead for 8 sessions', '/history signal:streak threshold:8'),
    ('value vs growth', '/style'),
    ('value vs growth ytd', '/style period:ytd'),
    ('small cap value vs growth 2024', '/style period:2024'),
    ('is value beating growth this year', '/style period:ytd'),
    ('VBR/VBK ytd', '/style pair:vanguard period:ytd'),
    ('vbr vs vbk since 2023', '/style pair:vanguard period:2023-01-01..'),
    ('ijs vs ijt ytd', '/style pair:sp600 period:ytd'),
    ('iwn vs iwo last year', '/style pair:russell period:2025'),
    ('growth vs value in q2', '/style period:2026-Q2'),
    ('vanguard value vs growth 6 months', '/style pair:vanguard period:6m'),
    ('what about value', '/style'),
    ('best performing sector', '/sectors'),
    ('best performing sector ytd', '/sectors period:ytd'),
    ('worst sector this year', '/sectors period:ytd'),
    ('sector performance last month', '/sectors period:2026-07'),
    ('which sectors are leading since march', '/sectors period:2026-03-01..'),
    ('small cap sectors vs large cap sectors 2025', '/sectors period:2025 vs_large:true'),
    ('how do rates affect small caps', '/rates'),
    ('rates vs small caps 1y', '/rates period:1y'),
    ('10 year yield vs the ratio since 2024', '/rates period:2024-01-01.. yield:10y'),
    ('13w bill yield and small caps', '/rates yield:13w'),
    ('treasury yields vs iwm vs spy', '/rates small:IWM large:SPY'),
    ('rrg', '/rrg'),
    ('rotation graph of sectors', '/rrg set:sectors'),
    ('rrg size funds 12 weeks', '/rrg set:size weeks:12'),
    ('relative rotation of style 8w', '/rrg set:style weeks:8'),
    ('are small caps cheap', '/valuation show'),
    ("what's the pe discount", '/valuation show'),
    ('small cap valuations', '/valuation show'),
    ('p/e of small vs large', '/valuation show'),
    ('compare iwn and iwo', '/compare a:IWN b:IWO'),
    ('compare vbr with vbk over 2 years', '/compare a:VBR b:VBK period:2024-08-22..'),
    ('compare ijr and iwm ytd', '/compare a:IJR b:IWM period:ytd'),
    ('iwm vs ijr', '/compare a:IWM b:IJR'),
    ('spy vs iwb since 2020', '/compare a:SPY b:IWB period:2020-01-01..'),
    ('vtv vs vug 2024', '/compare a:VTV b:VUG period:2024'),
    ('help', '/help'),
    ('what can you do', '/help'),
    ('where does the data come from', '/about'),
    ('how fresh is the data', '/about'),
    ('calls', '/calls'),
    ('open calls', '/calls status:open'),
    ('call small 3m', '/call side:small horizon:3m'),
    ('call large 1y IWM/SPY because rates', '/call side:large horizon:1y pair:IWM/SPY note:rates'),
    ('how have small caps done since the 2022 low', '/gap period:2022-06-17..'),
    ('since the 2020 low', '/gap period:2020-03-19..'),
    ('gap since the covid low', '/gap period:2020-03-19..'),
    ('how did small caps do during covid', '/gap period:2020-01-17..2020-03-18'),
    ('gap during the covid crash', '/gap period:2020-01-17..2020-03-18'),
    ('iwm vs spy since the 2022 low', '/gap period:2022-06-17.. small:IWM large:SPY'),
    ('since the peak', '/gap period:2026-08-15..'),
    ('how are small caps since the 2021 high', '/gap period:2021-11-09..'),
    ('during svb in march 2023', '/gap period:2023-03'),
    ('gap in march 2023 lol', '/gap period:2023-03'),
    ('since the election', 'refuse:event'),
    ('since the fed cut', 'refuse:event'),
    ('gap since the fed started hiking', 'refuse:event'),
    ('after the 2024 election', 'refuse:event'),
    ('since liberation day', 'refuse:event'),
    ('should i buy iwm', 'refuse:advice'),
    ('should we rotate into small caps', 'refuse:advice'),
    ('is it a good time to buy small caps', 'refuse:advice'),
    ('buy or sell iwm', 'refuse:advice'),
    ('what should i buy', 'refuse:advice'),
    ('will small caps keep outperforming', 'refuse:forecast'),
    ('will small caps outperform next year', 'refuse:forecast'),
    ('where will the russell be next year', 'refuse:forecast'),
    ("what's your outlook for small caps", 'refuse:forecast'),
    ('forecast the gap for q4', 'refuse:forecast'),
    ('how is TSLA doing', 'refuse:not-in-data'),
    ("NVDA's P/E", 'refuse:not-in-data'),
    ('bitcoin vs iwm', 'refuse:not-in-data'),
    ('qqq vs spy ytd', 'refuse:not-in-data'),
    ('how did the nasdaq do', 'refuse:not-in-data'),
    ('gold vs small caps', 'refuse:not-in-data'),
    ('smid vs large', 'refuse:not-in-data'),
    ('mid caps vs large caps', 'refuse:not-in-data'),
    ('micro caps ytd', 'refuse:not-in-data'),
    ('wie haben sich small caps entwickelt', 'refuse:language'),
    ('comment vont les petites capitalisations', 'refuse:language'),
    ('小型株はどうですか', 'refuse:language'),
    ('como estan las small caps este año', 'refuse:language'),
    ('thx', 'refuse:social'),
    ('thanks!', 'refuse:social'),
    ('thank you', 'refuse:social'),
    ('ty', 'refuse:social'),
    ('cheers', 'refuse:social'),
    ('hi', 'refuse:social'),
    ('hey', 'refuse:social'),
    ('good morning', 'refuse:social'),
    ('nice, thanks', 'refuse:social'),
    ('got it', 'refuse:social'),
    ('tell me a joke', 'refuse:unread'),
    ("what's the weather", 'refuse:unread'),
    ('is it real?', 'refuse:unread'),
    ('gap xyz', 'refuse:unread'),
    ('gap before 2020', 'refuse:unread'),
    ('gap since 2020 excluding dividends', 'refuse:unread'),
    ('gap in the last 5 sessions', 'refuse:unread'),
    ('gap over the last 30 days', 'refuse:unread'),
    ('gap since 1/1/2025', 'refuse:unread'),
    ('gap in 2023 and 2024', 'refuse:unread'),
    ("what's the gap and the streak?", 'refuse:ambiguous'),
    ('gap iwm spy ijr', 'refuse:unread'),
    ('sectors for iwm', 'refuse:unread'),
    ('valuation for 2024', 'refuse:unread'),
    ('rrg for 2024', 'refuse:unread'),
    ('streak in 2024', 'refuse:unread'),
    ('update for 2024', 'refuse:unread'),
    ('large cap value vs growth', 'refuse:unread'),
    ('gap 2024-02-30', 'refuse:user'),
    ('what happened after?', 'refuse:unread'),
    ("how did small caps do in 2022? and what's the streak?", '/gap period:2022 + /streak'),
    ('gap 2024? streak? digest?', '/gap period:2024 + /streak'),
    ('Bob thinks the rotation is over. How did small caps do since march?', '/gap period:2026-03-01..'),
    ("we talked about this in the meeting. what's the gap ytd?", '/gap period:ytd'),
    ('ok so what is the gap ytd', '/gap period:ytd'),
    ('gap ytd pls', '/gap period:ytd'),
    ('gap ytd fam', '/gap period:ytd'),
    ('gap ytd bruh', '/gap period:ytd'),
    ('quick q: gap ytd', '/gap period:ytd'),
    ('yo bot whats the spread this yr', '/gap period:ytd'),
    ('gap for tech stocks', 'refuse:unread'),
    ('how did small caps do in 2022 vs 2023', 'refuse:unread'),
    ('iwm vs spy vs ijr', 'refuse:unread'),
    ('small caps vs large caps', '/gap'),
    ('small vs large', '/gap'),
    ('how are small caps doing', '/gap'),
    ("how're small caps doing vs large caps", '/gap'),
    ('is the rotation into small caps real this year', 'refuse:unread'),
    ('small caps this year', '/gap period:ytd'),
    ('small caps in 2021', '/gap period:2021'),
    ('small caps 2019', '/gap period:2019'),
    ('how did small caps fare in 2020', '/gap period:2020'),
    ('did small caps beat large caps in 2023', '/gap period:2023'),
    ('who led in 2024', '/gap period:2024'),
    ('russell 2000 vs s&p 500 ytd', '/gap period:ytd small:^RUT large:^GSPC'),
    ('russell 2k vs s&p 500 last 12 months', '/gap period:1y small:^RUT large:^GSPC'),
    ('the russell vs spx since 2022', '/gap period:2022-01-01.. small:^RUT large:^GSPC'),
    ('rut vs spx 3m', '/gap period:3m small:^RUT large:^GSPC'),
    ('iwm vs spy mtd', '/gap period:mtd small:IWM large:SPY'),
    ('iwm vs spy qtd', '/gap period:2026-Q3 small:IWM large:SPY'),
    ('iwm vs spy wtd', '/gap period:2026-08-17.. small:IWM large:SPY'),
    ('iwm vs spy this month', '/gap period:mtd small:IWM large:SPY'),
    ('iwm vs spy last month', '/gap period:2026-07 small:IWM large:SPY'),
    ('iwm vs spy in june', '/gap period:2026-06 small:IWM large:SPY'),
    ('iwm vs spy june 2025', '/gap period:2025-06 small:IWM large:SPY'),
    ('iwm vs spy q2 2025', '/gap period:2025-Q2 small:IWM large:SPY'),
    ('iwm vs spy 2025-Q2', '/gap period:2025-Q2 small:IWM large:SPY'),
    ('iwm vs spy since 2025-06-01', '/gap period:2025-06-01.. small:IWM large:SPY'),
    ('iwm vs spy from 2025-01-01 to 2025-03-31', '/gap period:2025-01-01..2025-03-31 small:IWM large:SPY'),
    ('spy vs iwm ytd', '/gap period:ytd small:SPY large:IWM'),
    ('ijr vs ivv ytd', 'refuse:unread'),
    ('small caps vs large caps 1w', '/gap period:1w'),
    ('gap 1m', '/gap period:1m'),
    ('gap 3m', '/gap period:3m'),
    ('gap 6m', '/gap period:6m'),
    ('gap 1y', '/gap period:1y'),
    ('gap 3y', '/gap period:3y'),
    ('gap 5y', '/gap period:5y'),
    ('gap max', '/gap period:max'),
    ('gap mtd', '/gap period:mtd'),
    ('gap past week', '/gap period:1w'),
    ('gap past month', '/gap period:1m'),
    ('gap the past 6 months', '/gap period:6m'),
    ('gap last 2 quarters', '/gap period:6m'),
    ('gap over the last three years', '/gap period:3y'),
    ('gap over the last year', '/gap period:1y'),
    ('gap this week', '/gap period:2026-08-17..'),
    ('gap this quarter so far', '/gap period:2026-Q3'),
    ('gap since the start of last year', '/gap period:2025-01-01..'),
    ('gap since last month', '/gap period:2026-07-01..'),
    ('gap at the end of 2024', '/gap period:2024-01-01..2024-12-31'),
    ('gap ytd as of 2025-06-30', '/gap period:2025-01-01..2025-06-30'),
    ('gap on 2026-08-20', '/gap period:2026-08-20'),
    ('gap 2026-08-20', '/gap period:2026-08-20'),
    ('small caps on jan 16 2026', '/gap period:2026-01-16'),
    ('sc vs lc last wk', '/gap period:2026-08-10..2026-08-16'),
    ('sc vs lc past 3 mos', '/gap period:3m'),
    ('sc vs lc yoy', '/gap period:1y'),
    ('small caps perf rn', '/gap'),
    ('how r small caps doing', '/gap'),
    ('hows the gap', '/gap'),
    ('whats the spread rn', '/gap'),
    ("what's the streak rn", '/streak'),
    ('streak pls', '/streak'),
    ('digest pls', '/digest'),
    ('give me the daily update', '/digest'),
    ('morning recap', '/digest'),
    ('update', '/digest'),
    ('summary as of 2025-12-31', '/digest date:2025-12-31'),
    ('where do we stand vs the 50 day', '/digest'),
    ('how far off the highs is the ratio', '/digest'),
    ('ratio vs its 200 day average', '/digest'),
    ('iwm vs spy volatility 2024', '/gap period:2024 small:IWM large:SPY'),
    ('drawdown of small caps since 2022', '/gap period:2022-01-01..'),
    ('beta ytd', '/gap period:ytd'),
    ('corr between iwm and spy 1y', '/gap period:1y small:IWM large:SPY'),
    ('dd ytd', '/gap period:ytd'),
    ('vol ytd', '/gap period:ytd'),
    ('how many times have small caps led 15 days in a row', '/history signal:streak threshold:15'),
    ('after 20 days in a row what happened', '/history signal:streak threshold:20'),
    ('longest run ever', '/streak'),
    ('record streak', '/streak'),
    ('value or growth', '/style'),
    ('value v growth this yr', '/style period:ytd'),
    ('iwn/iwo 2024', '/style pair:russell period:2024'),
    ('ijs/ijt since 2023', '/style pair:sp600 period:2023-01-01..'),
    ('vbr vs vbk perf ytd', '/style pair:vanguard period:ytd'),
    ('top sector ytd', '/sectors period:ytd'),
    ('which sector is best this month', '/sectors period:mtd'),
    ('sectors 2025', '/sectors period:2025'),
    ('sectors vs large caps ytd', '/sectors period:ytd vs_large:true'),
    ('yields vs small caps', '/rates'),
    ('how does the 10 year affect small caps', '/rates'),
    ('rates 3y', '/rates period:3y'),
    ('rrg 8 weeks', '/rrg weeks:8'),
    ('rrg sectors', '/rrg set:sectors'),
    ('show the rotation graph for size', '/rrg set:size'),
    ('cheap or expensive', '/valuation show'),
    ('discount vs large caps valuation', '/valuation show'),
    ('compare iwm and spy', '/compare a:IWM b:SPY'),
    ('compare vb and ijr since 2024', '/compare a:VB b:IJR period:2024-01-01..'),
    ('compare xlk and pscT ytd', '/compare a:XLK b:PSCT period:ytd'),
    ('what about iwm vs ijr', '/compare a:IWM b:IJR'),
]

CONVERSATIONS = [
    [
        ("how did small caps do in 2022", "/gap period:2022"),
        ("and in 2023?", "/gap period:2023"),
        ("what about value?", "/style period:2023"),
        ("last week?", "/style period:2026-08-10..2026-08-16"),
    ],
    [
        ("hows iwm vs spy perf this yr", "/gap period:ytd small:IWM large:SPY"),
        ("in 2020", "/gap period:2020 small:IWM large:SPY"),
        ("how about since 2020", "/gap period:2020-01-01.. small:IWM large:SPY"),
        ("same for small caps vs large caps", "/gap period:2020-01-01.."),
        ("and the streak?", "/streak"),
    ],
    [
        ("how have small caps done since the 2022 low", "/gap period:2022-06-17.."),
        ("same for iwm vs spy", "/gap period:2022-06-17.. small:IWM large:SPY"),
    ],
    [
        ("sc vs lc ytd", "/gap period:ytd"),
        ("vbr/vbk?", "/style pair:vanguard period:ytd"),
        ("and last year", "/style pair:vanguard period:2025"),
    ],
    [
        ("drawdown of iwm vs spy in 2022", "/gap period:2022 small:IWM large:SPY"),
        ("and 2020?", "/gap period:2020 small:IWM large:SPY"),
    ],
    [
        ("best performing sector ytd", "/sectors period:ytd"),
        ("and last quarter?", "/sectors period:2026-Q2"),
        ("vs large caps", "/sectors period:2026-Q2 vs_large:true"),
    ],
    [
        ("what's the streak", "/streak"),
        ("as of end of 2024?", "/streak as_of:2024-12-31"),
        ("and for iwm vs spy", "/streak as_of:2024-12-31 small:IWM large:SPY"),
    ],
    [
        ("how did small caps do during covid", "/gap period:2020-01-17..2020-03-18"),
        ("thx", "refuse:social"),
        ("and since the 2020 low?", "/gap period:2020-03-19.."),
    ],
    [
        ("gap 2024", "/gap period:2024"),
        ("should i buy iwm then", "refuse:advice"),
        ("ok what about 2025", "/gap period:2025"),
    ],
    [
        ("what about value?", "/style"),
        ("how have small caps done since the 2022 low", "/gap period:2022-06-17.."),  # a new question
        ("iwm vs spy", "/gap period:2022-06-17.. small:IWM large:SPY"),
    ],
    [
        ("rates vs small caps 1y", "/rates period:1y"),
        ("and the 13w?", "/rates period:1y yield:13w"),
    ],
]


def _read(text: str, previous=None):
    return read_many(text, TICKERS, LATEST, previous, LANDMARKS)


def _expected(text: str, expected: str, previous=None):
    """Check one row; the reading it gave (for the next message of a conversation)."""
    if expected.startswith("refuse:"):
        with pytest.raises(UserError) as caught:
            _read(text, previous)
        kind = caught.value.kind if isinstance(caught.value, NotUnderstood) else "user"
        assert kind == expected[7:], (text, str(caught.value))
        return previous
    got = _read(text, previous)
    assert " + ".join(r.line for r in got.readings) == expected, text
    return got.readings[-1]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_a_phrasing_reads_as_exactly_this(text, expected):
    _expected(text, expected)


@pytest.mark.parametrize("messages", CONVERSATIONS, ids=lambda c: " / ".join(m for m, _ in c))
def test_a_conversation_reads_message_by_message(messages):
    previous = None
    for text, expected in messages:
        previous = _expected(text, expected, previous)


LINES = sorted(
    {line for _, e in TABLE + [m for c in CONVERSATIONS for m in c] for line in e.split(" + ")}
    - {e for _, e in TABLE if e.startswith("refuse:")}
    - {"refuse:social", "refuse:advice"}
)


@pytest.mark.parametrize("line", [line for line in LINES if not line.startswith(NOT_IN_REGISTRY)])
def test_every_reading_is_a_command_the_registry_accepts(line):
    REGISTRY.validate_line(line)


def test_the_table_is_large_and_without_duplicates():
    assert len(TABLE) >= 300
    assert len({q for q, _ in TABLE}) == len(TABLE)
    assert sum(len(c) for c in CONVERSATIONS) >= 25
    kinds = {e for _, e in TABLE if e.startswith("refuse:")}
    wanted = ("unread", "advice", "forecast", "not-in-data", "language", "event", "social")
    assert kinds >= {f"refuse:{k}" for k in wanted}
