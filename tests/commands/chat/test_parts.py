"""Each part of the grammar on its own, table-driven: spellings, the plain readers other commands
reuse (periods_in, names_in), which words may be read past, refusals, and landmarks checked against
the CSV itself."""

from __future__ import annotations

import datetime as dt

import pytest

from commands.chat import NotUnderstood
from commands.chat.fillers import ignorable
from commands.chat.landmarks import Landmarks
from commands.chat.names import names_in, size_of
from commands.chat.periods import periods_in
from commands.chat.refusals import refuse
from commands.chat.vocabulary import normalise
from data.sources.snapshot import SnapshotSource
from tests.conftest import csv_closes

LATEST = dt.date(2026, 8, 21)
TICKERS = SnapshotSource().tickers()


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("hows sc vs lc perf this yr", "how is small caps vs large caps performance this year"),
        ("sc vs lc rn", "small caps vs large caps now"),
        ("iwm v. spy yoy", "iwm vs spy over the past year"),
        ("ratio vs the 50dma", "ratio vs the 50-day average"),
        ("200 day ma", "200-day average"),
        ("a 20 day streak", "a 20 day streak"),  # a streak's days are not an average
        ("vol and beta", "volatility and beta"),
        ("volatility", "volatility"),
        ("dd ytd", "drawdown ytd"),
        ("ath", "all-time high"),
        ("last wk", "last week"),
        ("VBR/VBK", "VBR/VBK"),  # tickers untouched
        ("$sc", "$sc"),  # a $ ticker is never a spelling
        ("disc", "disc"),  # whole words only
    ],
)
def test_spellings_are_rewritten_whole_words_only(typed, read):
    assert normalise(typed) == read


@pytest.mark.parametrize(
    ("text", "periods", "days"),
    [
        ("since march 2024", ["2024-03-01.."], []),
        ("last year and q4", ["2025", "2025-Q4"], []),
        ("on 2026-01-16", [], ["2026-01-16"]),
        ("ytd as of june 30 2024", ["ytd"], ["2024-06-30"]),
        ("the past 3 months", ["3m"], []),
        ("nothing here", [], []),
    ],
)
def test_periods_in_is_the_grammars_reader_as_a_plain_function(text, periods, days):
    found, dates = periods_in(text, LATEST)
    assert [p.text for p in found] == periods
    assert [d.date.isoformat() for d in dates] == days


@pytest.mark.parametrize(
    ("text", "tickers", "sizes"),
    [
        ("iwm vs spy", ["IWM", "SPY"], set()),
        ("VBR/VBK", ["VBR", "VBK"], set()),
        ("russell 2000 vs the s&p", ["^RUT", "^GSPC"], set()),
        ("small caps vs SPY", ["SPY"], {"small"}),
        ("is it all on spy", ["SPY"], set()),  # ordinary words are not tickers
    ],
)
def test_names_in_is_the_grammars_reader_as_a_plain_function(text, tickers, sizes):
    slots = names_in(text, TICKERS)
    assert slots.tickers == tickers
    assert slots.sizes() == sizes


@pytest.mark.parametrize(
    ("ticker", "size"),
    [("IWM", "small"), ("IJT", "small"), ("PSCT", "small"), ("SPY", "large"), ("VUG", "large"),
     ("XLK", "large"), ("^TNX", None), ("QQQ", None)],
)  # fmt: skip
def test_size_of(ticker, size):
    assert size_of(ticker) == size


@pytest.mark.parametrize(
    ("runs", "text", "ignored"),
    [
        (["fam"], "gap ytd fam", ("fam",)),
        (["svb"], "during svb in march 2023", ("svb",)),
        (["excluding dividends"], "gap since 2020 excluding dividends", None),  # changes the figures
        (["before"], "gap before 2020", None),
        (["last 5 sessions"], "gap in the last 5 sessions", None),  # a number
        (["XYZ"], "gap XYZ", None),  # a ticker typed in capitals
        (["ivv"], "iwm vs ivv", None),  # in a pair's place
        (["tech"], "gap for tech stocks", None),
        (["a b c d"], "gap 2024 a b c d e f g h i j k l", None),  # more than three
        (["joke"], "a joke", None),  # more than a third of the message
    ],
)
def test_which_words_may_be_read_past(runs, text, ignored):
    assert ignorable(runs, text) == ignored


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("should i buy iwm", "advice"),
        ("will small caps outperform next year", "forecast"),
        ("what happened over the next 3 months after a streak", None),  # a base rate, not a forecast
        ("how is TSLA doing", "not-in-data"),
        ("gap $QQQ vs $SPY", None),  # a $ ticker is left for the command to refuse by name
        ("mid caps vs large caps", "not-in-data"),
        ("since the election", "event"),
        ("wie haben sich small caps entwickelt", "language"),
        ("thx!", "social"),
        ("thanks, what's the gap ytd", None),  # a question with thanks in it is a question
        ("gap ytd", None),
    ],
)
def test_refusals_say_why(text, kind):
    if kind is None:
        refuse(text)
        return
    with pytest.raises(NotUnderstood) as caught:
        refuse(text)
    assert caught.value.kind == kind
    assert "Closest commands" not in str(caught.value)


RUT = csv_closes("RUT", "Close")


@pytest.mark.parametrize("year", [2008, 2020, 2022, 2025])
def test_landmarks_are_the_series_own_lows_and_highs(year):
    marks = Landmarks.from_closes("^RUT", sorted(RUT.items()))
    in_year = {d: c for d, c in RUT.items() if d.year == year}
    assert marks.lows[year] == min(in_year, key=in_year.get)
    assert marks.highs[year] == max(in_year, key=in_year.get)
    before_low = {d: c for d, c in in_year.items() if d <= marks.lows[year]}
    assert marks.peaks_before_low[year] == max(before_low, key=before_low.get)
    assert marks.all_time_high == max(RUT, key=RUT.get)
