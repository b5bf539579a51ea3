"""Each provider against the local fake serving recorded answers: good data is read exactly, and
every way a provider fails (empty, 429, an HTML page with status 200, a body cut off, a slow
answer, an outage, an unknown series) is a plain failure, never data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from data.sources.fred import FredSource, parse_fredgraph
from data.sources.http import ProviderFailure
from data.sources.tiingo import TiingoSource
from tests.providerfake import RECORDED

KEY = "tiingo-secret-0123456789"


async def test_tiingo_good_answer_is_read_exactly_with_the_key_only_in_a_header(server):
    frame = await TiingoSource(KEY, server.base_url).fetch("IWM")
    recorded = json.loads((RECORDED / "tiingo_IWM.json").read_text())
    assert [d.date().isoformat() for d in frame.index] == [r["date"][:10] for r in recorded]
    assert frame["close"].tolist() == [r["close"] for r in recorded]
    assert (frame["dividends"] == 0).all()
    assert (frame["splits"] == 0).all()
    path, query, headers = server.requests[-1]
    assert path == "/tiingo/daily/iwm/prices"
    assert headers["Authorization"] == f"Token {KEY}"
    assert KEY not in json.dumps(query)
    assert KEY not in repr(TiingoSource(KEY, server.base_url))


async def test_tiingo_asks_only_for_the_missing_tail(server):
    frame = await TiingoSource(KEY, server.base_url).fetch("IWM", pd.Timestamp("2026-08-04").date())
    assert server.requests[-1][1]["startDate"] == "2026-08-04"
    assert frame.index.min() == pd.Timestamp("2026-08-04")


async def test_tiingo_empty_answer_is_no_rows_not_a_failure(server):
    server.behaviour["IWM"] = "empty"
    assert (await TiingoSource(KEY, server.base_url).fetch("IWM")).empty


@pytest.mark.parametrize(
    ("behaviour", "says", "retry"),
    [
        ("rate_limited", "rate-limiting", 120.0),
        ("challenge", "web page, not data", None),
        ("truncated", "truncated", None),
        ("slow", "did not answer within 1 s", None),
        ("outage", "HTTP 503", None),
    ],
)
async def test_tiingo_failures_are_failures(server, behaviour, says, retry):
    server.behaviour["IWM"] = behaviour
    with pytest.raises(ProviderFailure, match=says) as caught:
        await TiingoSource(KEY, server.base_url, timeout=1.0).fetch("IWM")
    assert caught.value.retry_after == retry
    assert KEY not in str(caught.value)


async def test_tiingo_unknown_ticker(server):
    with pytest.raises(ProviderFailure) as caught:
        await TiingoSource(KEY, server.base_url).fetch("NOPE")
    assert caught.value.unknown


async def test_fred_good_answer_drops_missing_days(server):
    frame = await FredSource(server.base_url).fetch("DGS10")
    assert frame["close"].to_dict() == {
        pd.Timestamp("2026-08-17"): 4.72,
        pd.Timestamp("2026-08-18"): 4.71,
        pd.Timestamp("2026-08-20"): 4.66,  # 2026-08-19 was "." in the answer: no value, not zero
        pd.Timestamp("2026-08-21"): 4.64,
    }
    assert server.requests[-1][1] == {"id": "DGS10"}


async def test_fred_range_is_asked_and_enforced(server):
    start = pd.Timestamp("2026-08-20").date()
    frame = await FredSource(server.base_url).fetch("DGS10", start)
    assert server.requests[-1][1]["cosd"] == "2026-08-20"
    assert list(frame.index) == [pd.Timestamp("2026-08-20"), pd.Timestamp("2026-08-21")]


@pytest.mark.parametrize(
    ("behaviour", "says"),
    [
        ("rate_limited", "rate-limiting"),
        ("challenge", "web page, not data"),
        ("truncated", "truncated"),
        ("slow", "did not answer"),
        ("outage", "HTTP 503"),
    ],
)
async def test_fred_failures_are_failures(server, behaviour, says):
    server.behaviour["DGS10"] = behaviour
    with pytest.raises(ProviderFailure, match=says):
        await FredSource(server.base_url, timeout=1.0).fetch("DGS10")


def test_fredgraph_parsing_edges():
    assert parse_fredgraph("DATE,DGS2\n2020-01-02,1.58\n", "DGS2")["close"].tolist() == [1.58]  # old header
    assert parse_fredgraph("observation_date,DFF\n", "DFF").empty
    for bad in (
        "observation_date,DGS2\n2026-01-02,1.58\n",  # another series than asked
        "observation_date,DGS10\n2026-01-02,4.1\n2026-01-0",  # cut mid-row, no final newline
        "observation_date,DGS10\n2026-01-02,n/a\n",
        "<html><body>Just a moment...</body></html>\n",
    ):
        with pytest.raises(ProviderFailure):
            parse_fredgraph(bad, "DGS10")
