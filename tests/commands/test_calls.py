"""Team calls' pure logic: terms, resolution, scoring, the record and the mention grammar.

Reference figures are computed here from the snapshot CSVs with the standard library (aligned dates,
close over close), independently of the product's pandas code, and pinned as literals where a
headline figure is worth reading in the test itself.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace

import pytest

from commands import calls as c
from commands.chat import read
from commands.escape import escape
from commands.pair import load_pair
from commands.reply import UserError
from data.calendar import TradingCalendar
from data.state import Call
from tests.abuse.conftest import assert_inert
from tests.conftest import csv_closes

RUT, GSPC = csv_closes("RUT", "Close"), csv_closes("GSPC", "Close")
DATES = sorted(set(RUT) & set(GSPC))
CAL = TradingCalendar()
NY_3PM_JAN5 = dt.datetime(2026, 1, 5, 20, 0, tzinfo=dt.UTC)  # 15:00 New York time
FINAL = dt.date(2026, 8, 21)  # the snapshot's last index session


def ref_spread(start: dt.date, end: dt.date) -> float:
    return (RUT[end] / RUT[start] - 1) - (GSPC[end] / GSPC[start] - 1)


def ref_base(h: int, side: str, until: dt.date | None = None) -> tuple[int, float]:
    dates = [d for d in DATES if until is None or d <= until]
    spreads = [ref_spread(dates[k], dates[k + h]) for k in range(len(dates) - h)]
    led = [s > 0 for s in spreads] if side == "small" else [s < 0 for s in spreads]
    return len(spreads), sum(led) / len(spreads)


def make(side="small", horizon="1m", start=dt.date(2026, 1, 5), end=dt.date(2026, 2, 4), user=7, name="alice",
         number=1, small="^RUT", large="^GSPC") -> Call:
    return Call(1, 500, 1, user, name, side, horizon, small, large, start, end, NY_3PM_JAN5, None, number,
                number)


@pytest.fixture(scope="module")
async def pair(snapshot_market):
    return await load_pair(snapshot_market, "^RUT", "^GSPC")


# -- terms --------------------------------------------------------------------------------------


def test_the_window_starts_at_the_next_close_after_the_call():
    assert c.window(CAL, NY_3PM_JAN5, "1m") == (dt.date(2026, 1, 5), dt.date(2026, 2, 4))
    after_close = dt.datetime(2026, 1, 5, 21, 5, tzinfo=dt.UTC)  # 16:05 New York: today's close is past
    start, end = c.window(CAL, after_close, "1w")
    assert start == dt.date(2026, 1, 6)
    assert DATES.index(end) - DATES.index(start) == 5  # five sessions, counted on the data's own dates
    weekend = dt.datetime(2026, 1, 10, 15, tzinfo=dt.UTC)
    assert c.window(CAL, weekend, "3m")[0] == dt.date(2026, 1, 12)


@pytest.mark.parametrize("horizon", list(c.HORIZONS))
def test_the_end_is_h_sessions_after_the_start_on_the_data_calendar(horizon):
    start, end = c.window(CAL, dt.datetime(2024, 3, 1, 15, tzinfo=dt.UTC), horizon)
    assert DATES.index(end) - DATES.index(start) == c.HORIZONS[horizon]


def test_a_one_year_call_made_today_fits_the_calendar():
    start, end = c.window(CAL, dt.datetime(2026, 11, 25, 21, 30, tzinfo=dt.UTC), "1y")
    assert start == dt.date(2026, 11, 27)
    assert end > dt.date(2027, 11, 24)


def test_terms_carry_the_base_rate_of_that_side_and_horizon(pair):
    n, share = ref_base(21, "small")
    assert (n, round(share, 4)) == (9790, 0.5037)
    reply = c.terms_reply(make(), pair)
    assert reply.field("Base rate (small)").number == pytest.approx(share)
    assert "from the close of 2026-01-05 to the close of 2026-02-04" in reply.text
    assert f"50% of {n:,} windows of 21 sessions" in reply.text
    _, large3 = ref_base(63, "large")
    reply = c.terms_reply(make("large", "3m", end=dt.date(2026, 4, 7)), pair)
    assert reply.field("Base rate (large)").number == pytest.approx(large3)
    assert round(large3, 4) == 0.5226


@pytest.mark.parametrize(
    ("end", "data_last", "live", "behind", "refused"),
    [
        (dt.date(2026, 2, 4), dt.date(2026, 8, 21), False, 0, None),  # a replay: the data is there
        (dt.date(2026, 12, 24), dt.date(2026, 8, 21), False, 66, "Live data is off"),
        (dt.date(2026, 12, 24), dt.date(2026, 11, 24), True, 1, None),  # live and current
        (dt.date(2026, 12, 24), dt.date(2026, 7, 31), True, 81, "not being kept up to date"),
    ],
)
def test_a_call_that_could_never_be_scored_is_refused(end, data_last, live, behind, refused):
    reason = c.refusal(end, data_last, live, behind, "IWM vs SPY")
    assert (reason is None) if refused is None else (refused in reason)


def test_a_refusal_while_the_live_source_fails_says_so():
    note = "Live data unavailable (timeout): answering from the cache, whose newest ^RUT session is 08-21"
    reason = c.refusal(dt.date(2026, 12, 24), dt.date(2026, 8, 21), True, 66, "^RUT vs ^GSPC", note)
    assert "(Live data unavailable (timeout)" in reason
    assert "try again later" in reason


# -- options and the mention grammar ---------------------------------------------------------------


def test_options_are_validated_with_what_is_accepted():
    assert c.parse({"side": "Small", "horizon": "3m"}) == c.CallRequest("small", "3m", "^RUT", "^GSPC", None)
    assert c.parse({"side": "large", "horizon": "1y", "pair": "iwm vs spy"}).small == "IWM"
    for options, says in [
        ({"side": "mid", "horizon": "3m"}, "`small` or `large`"),
        ({"side": "small", "horizon": "2m"}, "1w, 1m, 3m, 6m, 1y"),
        ({"side": "small", "horizon": "3m", "pair": "IWM"}, "small side then the large side"),
        ({"side": "small", "horizon": "3m", "pair": "IWM/IWM"}, "two different"),
        ({"side": "small", "horizon": "3m", "pair": "IWM/$$$"}, "not a ticker"),
        ({"side": "small", "horizon": "3m", "note": "x" * 201}, "at most 200"),
    ]:
        with pytest.raises(UserError, match=None) as err:
            c.parse(options)
        assert says in str(err.value)


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("<@1> call small 3m", {"side": "small", "horizon": "3m"}),
        ("<@1> call large caps for a year IWM/SPY", {"side": "large", "horizon": "1y", "pair": "IWM/SPY"}),
        ("<@1> I call small over the next quarter because rates fall",
         {"side": "small", "horizon": "3m", "note": "rates fall"}),
        ("<@1> call small 1w — breadth is improving", {"side": "small", "horizon": "1w",
                                                          "note": "breadth is improving"}),
    ],
)
def test_a_call_by_mention(text, options):
    assert c.mention_options(text) == options


def test_a_mention_that_is_not_a_call_is_left_to_the_chat_grammar():
    assert c.mention_options("<@1> how big is the gap this year?") is None
    assert c.mention_options("<@1> calls so far?") is None
    with pytest.raises(UserError, match="names a side and a horizon"):
        c.mention_options("<@1> call it a day")


# -- resolution and scoring ------------------------------------------------------------------------


def test_resolution_is_the_spread_from_the_base_close_to_the_end_close(pair):
    expected = ref_spread(dt.date(2026, 1, 5), dt.date(2026, 2, 4))
    assert round(expected * 100, 2) == 3.29
    o = c.outcome(make(), pair.frame, FINAL)
    assert (o.status, o.through, o.right) == ("closed", dt.date(2026, 2, 4), True)
    assert o.spread == pytest.approx(expected)
    assert o.small_return == pytest.approx(RUT[dt.date(2026, 2, 4)] / RUT[dt.date(2026, 1, 5)] - 1)
    large = c.outcome(make("large"), pair.frame, FINAL)
    assert (large.right, large.captured) == (False, pytest.approx(-expected))


def test_before_its_end_is_final_a_call_is_open_and_provisional(pair):
    frame = pair.frame.loc[:"2026-01-20"]
    o = c.outcome(make(), frame, dt.date(2026, 1, 20))
    assert (o.status, o.through) == ("open", dt.date(2026, 1, 20))
    assert o.spread == pytest.approx(ref_spread(dt.date(2026, 1, 5), dt.date(2026, 1, 20)))
    # the end session is in the frame but its close is not final yet: still open
    assert c.outcome(make(), pair.frame.loc[:"2026-02-04"], dt.date(2026, 2, 3)).status == "open"
    assert c.outcome(make(), pair.frame.loc[:"2026-01-02"], dt.date(2026, 1, 2)).status == "pending"


def test_the_result_post_names_the_spread_and_the_verdict_with_a_chart(pair):
    reply = c.result_reply(make(), pair, FINAL)
    assert reply.title.startswith(c.RESULT_TITLE.format(number=1))
    assert "right" in reply.title
    assert reply.field("Spread").value == "+3.29 pp"
    assert reply.chart[:8] == b"\x89PNG\r\n\x1a\n"
    _, share = ref_base(21, "small", until=dt.date(2026, 2, 4))  # as known when the call closed
    assert reply.field("Base rate (small)").number == pytest.approx(share)
    with pytest.raises(ValueError, match="not closed"):
        c.result_reply(make(end=dt.date(2026, 9, 30)), pair, FINAL)


def test_a_tie_is_right_for_neither_side(pair):
    frame = pair.frame.copy()
    frame.loc["2026-02-04"] = frame.loc["2026-01-05"]  # both sides back exactly where they started
    assert c.outcome(make("small"), frame, FINAL).right is False
    assert c.outcome(make("large"), frame, FINAL).right is False


def test_the_record_against_the_base_rate_and_always_one_side(pair):
    windows = [  # (user, side, start, end): 1w windows with known signs
        (1, "small", dt.date(2026, 1, 5), dt.date(2026, 1, 12)),
        (1, "large", dt.date(2026, 1, 20), dt.date(2026, 1, 27)),
        (1, "large", dt.date(2026, 1, 5), dt.date(2026, 1, 12)),
        (2, "small", dt.date(2026, 1, 20), dt.date(2026, 1, 27)),
    ]
    calls = [make(side, "1w", s, e, user=u, name=f"m{u}", number=i + 1) for i, (u, side, s, e) in
             enumerate(windows)]
    spreads = [ref_spread(s, e) for _, _, s, e in windows]
    assert [round(x * 100, 2) for x in spreads] == [2.35, -1.87, 2.35, -1.87]
    scored = c.score(calls, {("^RUT", "^GSPC"): pair.frame}, FINAL)
    m1, m2 = c.records(scored)
    assert (m1.user_id, m1.n, m1.hits) == (1, 3, 2)
    assert m1.captured == pytest.approx((spreads[0] - spreads[1] - spreads[2]) / 3)
    assert (m1.always_small, m1.always_large) == (2, 1)
    assert m1.mean_spread == pytest.approx(sum(spreads[:3]) / 3)
    _, small5 = ref_base(5, "small")
    _, large5 = ref_base(5, "large")
    assert m1.base == pytest.approx((small5 + large5 + large5) / 3)
    assert (m2.n, m2.hits, m2.always_small, m2.always_large) == (1, 0, 0, 1)


def test_the_record_reply_stays_within_discords_limits_and_pages(pair):
    calls = [
        make("small" if i % 3 else "large", "1w", dt.date(2026, 1, 5), dt.date(2026, 1, 12), user=i % 20,
             name=f"member-{i % 20}", number=i + 1)
        for i in range(60)
    ] + [make("small", "1y", dt.date(2026, 1, 5), dt.date(2027, 1, 6), user=i, name=f"m{i}", number=100 + i)
         for i in range(30)]
    frames = {("^RUT", "^GSPC"): pair.frame}
    first = c.calls_reply(calls, frames, FINAL, today=FINAL, status=None, who=None, page=1, source="snap")
    assert len(first.fields) <= 25
    assert all(len(f.value) <= 1024 and len(f.name) <= 256 for f in first.fields)
    assert len(first.title) + len(first.text) + sum(len(f.name) + len(f.value) for f in first.fields) < 6000
    assert "Page 1 of 4" in first.text  # 8 members a page; the open calls' lines fill a field sooner
    assert "60 closed calls by 20 members" in first.text
    assert "30 open calls" in first.text
    assert "(provisional)" in first.fields[-1].value
    third = c.calls_reply(calls, frames, FINAL, today=FINAL, status=None, who=None, page=3, source="snap")
    assert len([f for f in third.fields if "right" in f.name]) == 4  # members 17-20
    shown = []
    for page in range(1, 5):
        reply = c.calls_reply(calls, frames, FINAL, today=FINAL, status=None, who=None, page=page, source="s")
        assert all(len(f.value) <= 1024 for f in reply.fields)
        shown += [int(n) for n in re.findall(r"^#(\d+) ", reply.fields[-1].value, re.MULTILINE)]
    assert sorted(shown) == list(range(100, 130))  # every open call on exactly one page
    with pytest.raises(UserError, match="only 4 pages"):
        c.calls_reply(calls, frames, FINAL, today=FINAL, status=None, who=None, page=5, source="snap")
    closed = c.calls_reply(calls, frames, FINAL, today=FINAL, status="closed", who=None, page=5, source="s")
    assert "✅" in closed.fields[-1].value or "❌" in closed.fields[-1].value


def test_a_replay_does_not_see_past_its_today(pair):
    call = make()
    frames = {("^RUT", "^GSPC"): pair.frame}
    reply = c.calls_reply([call], frames, dt.date(2026, 1, 20), today=dt.date(2026, 1, 20), status=None,
                          who=None, page=1, source="s")
    assert reply.as_of == dt.date(2026, 1, 20)
    assert "to 2026-01-20" in reply.fields[-1].value


def test_withdrawal_only_by_its_caller_within_five_minutes():
    call = make()
    assert c.withdraw_refusal(call, 1, 7, NY_3PM_JAN5 + dt.timedelta(minutes=4, seconds=59)) is None
    assert "stands" in c.withdraw_refusal(call, 1, 7, NY_3PM_JAN5 + dt.timedelta(minutes=5, seconds=1))
    assert "Only alice" in c.withdraw_refusal(call, 1, 8, NY_3PM_JAN5)
    assert "no standing call #9" in c.withdraw_refusal(None, 9, 7, NY_3PM_JAN5)


def test_members_words_cannot_format_or_mention(pair):
    call = replace(make(), user_name="**Al** @everyone", note="[x](https://evil.example) <@1>")
    for reply in (c.terms_reply(call, pair), c.result_reply(call, pair, FINAL)):
        assert escape(call.user_name) in reply.text  # through the one escaping module
        assert escape(call.note) in reply.text
        assert_inert(reply.text)


def test_a_base_rate_without_a_complete_window_is_na_not_nan(pair):
    short = pair.frame.loc["2026-01-02":"2026-01-06"]
    base = c.base_rates(short, "1w")
    assert base.n == 0
    assert math.isnan(base.small)
    reply = c.terms_reply(make("small", "1w"), replace(pair, frame=short))
    assert "n/a (no complete window in the data)" in reply.text
    assert "nan" not in reply.text.lower()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("<@1> call small 3m", "/call side:small horizon:3m"),
        (
            "<@1> call large caps for a year IWM/SPY because rates",
            "/call side:large horizon:1y pair:IWM/SPY note:rates",
        ),
        ("<@1> calls", "/calls"),
        ("<@1> show me the closed calls", "/calls status:closed"),
    ],
)
def test_the_chat_grammar_has_a_row_for_calls(text, line):
    assert read(text, ["^RUT", "^GSPC", "IWM", "SPY"], FINAL).line == line
