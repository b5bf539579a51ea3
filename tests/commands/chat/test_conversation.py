"""Follow-ups, table-driven: each row is a conversation of one member in one thread, every message with
the exact command it must be read as (carrying over what it leaves out) or the kind of refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from commands.chat import NotUnderstood, Reading, read
from commands.chat.conversation import merge
from commands.registry import default_registry
from data.sources.snapshot import SnapshotSource

LATEST = dt.date(2026, 8, 21)
TICKERS = SnapshotSource().tickers()
REGISTRY = default_registry()

CONVERSATIONS = [
    [
        ("how did small caps do in 2022", "/gap period:2022"),
        ("and in 2023?", "/gap period:2023"),
        ("what about value?", "/style period:2023"),
        ("last week?", "/style period:2026-08-10..2026-08-16"),
    ],
    [
        ("how did small caps do in 2022", "/gap period:2022"),
        ("in 2020", "/gap period:2020"),
        ("how about since 2020", "/gap period:2020-01-01.."),
        ("same for iwm vs spy", "/gap period:2020-01-01.. small:IWM large:SPY"),
        ("and the streak?", "/streak small:IWM large:SPY"),
    ],
    [
        ("iwm vs spy ytd", "/gap period:ytd small:IWM large:SPY"),
        ("and small caps vs large caps?", "/gap period:ytd"),  # sides named in words: the default pair
    ],
    [
        ("compare IWN and IWO over 1y", "/compare a:IWN b:IWO period:1y"),
        ("and since 2020?", "/compare a:IWN b:IWO period:2020-01-01.."),
        ("what about the gap?", "/style pair:russell period:2020-01-01.."),  # IWN/IWO: value vs growth
    ],
    [
        ("10-year yield vs the ratio over 3 years", "/rates period:3y yield:10y"),
        ("and since 2025", "/rates period:2025-01-01.. yield:10y"),
    ],
    [
        ("last week?", "/gap period:2026-08-10..2026-08-16"),
        ("iwm vs spy", "/gap period:2026-08-10..2026-08-16 small:IWM large:SPY"),
    ],
    [("in 2020", "/gap period:2020"), ("thanks!", "social")],
    [
        ("streak as of 2024-12-31", "/streak as_of:2024-12-31"),
        ("and the digest?", "/digest date:2024-12-31"),
    ],
    [
        ("how did small caps do in 2022", "/gap period:2022"),
        ("should i buy iwm then?", "advice"),
        ("ok and in 2024", "/gap period:2024"),
    ],
    [("help", "/help"), ("in 2020", "/gap period:2020")],  # /help is not remembered: nothing carried
    [("call small 3m", "/call side:small horizon:3m"), ("and 2023?", "/gap period:2023")],
]


@pytest.mark.parametrize("messages", CONVERSATIONS, ids=lambda c: " / ".join(m for m, _ in c))
def test_a_follow_up_inherits_what_it_leaves_out(messages):
    previous = None
    for text, expected in messages:
        if expected.startswith("/"):
            reading = read(text, TICKERS, LATEST, previous)
            assert reading.line == expected, text
            previous = reading
        else:
            with pytest.raises(NotUnderstood) as caught:
                read(text, TICKERS, LATEST, previous)
            assert caught.value.kind == expected, text


@pytest.mark.parametrize("line", sorted({e for c in CONVERSATIONS for _, e in c if e.startswith("/g")}))
def test_every_follow_up_reading_is_a_command_the_registry_accepts(line):
    REGISTRY.validate_line(line)


def test_what_was_carried_is_named():
    first = read("iwm vs spy in 2022", TICKERS, LATEST)
    follow = read("and in 2023?", TICKERS, LATEST, first)
    assert follow.line == "/gap period:2023 small:IWM large:SPY"
    assert follow.carried == ("small", "large")


def test_a_question_that_names_its_own_command_and_slots_starts_afresh():
    first = read("iwm vs spy in 2022", TICKERS, LATEST)
    assert read("what's the streak?", TICKERS, LATEST, first).line == "/streak"
    assert read("gap ytd for small caps", TICKERS, LATEST, first).line == "/gap period:ytd"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/gap period:2022 small:IWM large:SPY", Reading("gap", {"period": "2022", "small": "IWM", "large": "SPY"})),  # noqa: E501
        ("/valuation show", Reading("valuation show", {})),
        ("/streak", Reading("streak", {})),
    ],
)
def test_a_stored_line_reads_back_as_the_same_reading(line, expected):
    assert Reading.from_line(line) == expected
    assert Reading.from_line(line).line == line


def test_merge_replaces_a_named_group_whole():
    previous = Reading("gap", {"period": "2022", "small": "IWM", "large": "SPY"})
    new = Reading("gap", {"small": "IJR"})
    assert merge(new, previous).options == {"period": "2022", "small": "IJR"}
