"""Every command's option parsing, fuzzed: it answers or says what is wrong, never raises anything
else, never produces a message Discord would reject, and never carries a live mention."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands import chat
from commands.pair import Pair
from commands.registry import default_registry, parse_line
from commands.reply import UserError
from data.sources.snapshot import SnapshotSource

REGISTRY = default_registry()
NASTY = st.sampled_from(
    [
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@&1>",
        "ytd",
        "2024",
        "2024-03",
        "2024-01-01..2024-06-30",
        "1y",
        "IWM",
        "^RUT",
        "small",
        "2026-01-16",
        "true",
        "streak",
        "10",
        "-1",
        "1e309",
        "NaN",
        "∞",
        "０",
        "x" * 5000,
        "\u202e",
        "\x00",
        "2024-02-30",
        "9999-12-31..0001-01-01",
    ]
)
VALUES = st.one_of(NASTY, st.text(max_size=300))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _frame() -> pd.DataFrame:
    snap = SnapshotSource()
    return pd.concat(
        {"small": snap.read("^RUT")["close"], "large": snap.read("^GSPC")["close"]}, axis=1, sort=True
    ).dropna()


PAIR = Pair("^RUT", "^GSPC", "price", "price", _frame(), "bundled snapshot")
BUILDS_ON_THE_DEFAULT_PAIR = {"gap", "streak", "digest", "history"}


def check_message(text: str) -> None:
    assert isinstance(text, str)
    assert 0 < len(text) <= 2000


@FUZZ
@given(
    name=st.sampled_from(sorted(REGISTRY.commands)),
    options=st.dictionaries(
        st.one_of(
            st.sampled_from(
                [
                    "period",
                    "small",
                    "large",
                    "as_of",
                    "date",
                    "signal",
                    "threshold",
                    "horizon",
                    "a",
                    "b",
                    "pair",
                    "set",
                    "weeks",
                    "yield",
                    "vs_large",
                    "detail",
                    "direction",
                ]
            ),
            st.text(max_size=20),
        ),
        VALUES,
        max_size=4,
    ),
)
def test_validation_answers_or_explains(name, options):
    command = REGISTRY.get(name)
    try:
        query = command.validate(options)
    except UserError as exc:
        check_message(str(exc))
        return
    if (
        name in BUILDS_ON_THE_DEFAULT_PAIR
        and getattr(query, "small", "^RUT") == "^RUT"
        and getattr(query, "large", "^GSPC") == "^GSPC"
    ):
        try:
            reply = command.build(query, PAIR)
        except UserError as exc:
            check_message(str(exc))
            return
        check_message(reply.text)


@FUZZ
@given(
    line=st.one_of(st.text(max_size=400), st.builds(lambda a, b: f"/{a} {b}", st.text(max_size=10), VALUES))
)
def test_console_lines(line):
    try:
        name, options = parse_line(line)
        REGISTRY.get(name).validate({k: v for k, v in options.items() if k})
    except UserError as exc:
        check_message(str(exc))


@FUZZ
@given(text=st.one_of(VALUES, st.text(max_size=500)))
def test_chat_questions(text):
    try:
        line = chat.to_line(text, SnapshotSource().tickers(), dt.date(2026, 8, 21))
    except UserError as exc:
        check_message(str(exc))
        return
    assert "@everyone" not in line
    assert "<@" not in line
    name, options = parse_line(line)
    if name not in ("help", "about", "valuation"):
        try:
            REGISTRY.get(name).validate(options)
        except UserError as exc:
            check_message(str(exc))
