"""Issue 25's property test: every calendar day of each pair's first year, in every command that takes
a date. The start of a history is where short windows crashed (/digest on a pair's 3rd session) and
where words outran the data ("52-week high" from 78 sessions, "on record" of the first return).

For each day and command, the answer is either a reply or a refusal with a known reason, never an
exception; a reply is strict JSON, shows no "nan", is dated by the last close it used, says
"52-week" / "on record" / "in a year" only with a year of closes behind it, and calls a pair "small
caps" or "large caps" only when it is a size pair. A day without a session is refused alike by every
single-date command. Charts are left out (the figures and words are what is checked; charts have
their own tests), which keeps the ~8,000 builds within about 20 s.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

import commands.charts
from commands.leads import Sides
from commands.pair import load_pair
from commands.registry import default_registry
from commands.reply import Reply, UserError

REGISTRY = default_registry()
YEAR = 252
STYLE = {("IWN", "IWO"): "russell", ("VBR", "VBK"): "vanguard", ("IJS", "IJT"): "sp600"}
PAIRS = [("^RUT", "^GSPC"), ("IWM", "SPY"), *STYLE]

# A session may still be refused, for these reasons only (each command's own words).
FIRST_SESSION = "is the first session"  # /digest and /streak need a daily return
BEFORE_DATA = "reaches back before the data"  # a day period needs the close before it
# /rates from the day after the first session: fewer than 8 weekly changes, or no range yet
RATES_REFUSALS = ("a correlation needs at least", "after it ends")
NOT_A_SESSION = "is not a trading session: the nearest"
NAN = re.compile(r"\b(nan|inf)\b", re.IGNORECASE)
SIZE_WORDS = ("small caps", "large caps", "Small caps", "Large caps", "Small vs large", "small/large",
              "small ahead", "small behind", "small − large")
LONG_WORDS = ("on record", "in a year")


def lines(pair: tuple[str, str], day: dt.date, first_session: dt.date, session: bool) -> dict[str, str]:
    """Each command that takes a date, on ``day``, for ``pair``. /rates takes it as a range's end, which
    ends on the last close on or before it: on a day without a session it would only repeat the
    session before (a full build each, left out to keep the test fast)."""
    small, large = pair
    out = {
        "digest": f"/digest date:{day} small:{small} large:{large}",
        "streak": f"/streak as_of:{day} small:{small} large:{large}",
        "gap": f"/gap period:{day} small:{small} large:{large}",
        "compare": f"/compare a:{small} b:{large} period:{day}",
    }
    if session:
        start = first_session + dt.timedelta(days=1)
        out["rates"] = f"/rates period:{start}..{day} small:{small} large:{large}"
    if pair in STYLE:
        out["style"] = f"/style pair:{STYLE[pair]} period:{day}"
    return out


def words(reply: Reply) -> str:
    return "\n".join([reply.title, reply.text, *(f"{f.name}: {f.value}" for f in reply.fields)])


def check_reply(
    name: str, reply: Reply, day: dt.date, position: dict[dt.date, int], pair: tuple[str, str],
    yield_days: set[dt.date],
):
    json.dumps(reply.to_json(), allow_nan=False)  # strict JSON
    said = words(reply)
    assert not NAN.search(said), said
    if name == "rates":  # a range ends on its last close (of the ratio and the yield) on or before the day
        assert reply.as_of == max(s for s in yield_days if s <= day)
    else:
        assert reply.as_of == day
    have = position[reply.as_of] + 1
    if have < YEAR:
        for w in LONG_WORDS:
            assert w not in said, (w, said)
        for f in reply.fields:
            if "52-week" in f.name:
                assert f.value.startswith("n/a ("), f
                assert f.number is None
    if not Sides(*pair).across_size:
        for w in SIZE_WORDS:
            assert w not in said, (w, said)


@pytest.mark.parametrize("pair", PAIRS, ids="/".join)
async def test_every_day_of_the_first_year_in_every_dated_command(snapshot_market, monkeypatch, pair):
    monkeypatch.setattr(commands.charts, "attach", lambda reply, name, render: None)
    loaded = await load_pair(snapshot_market, *pair)
    rates_inputs = yield_days = None
    sessions = [d.date() for d in loaded.frame.index]
    position = {d: i for i, d in enumerate(sessions)}
    first = sessions[0]
    year = [first + dt.timedelta(days=k) for k in range(366)]
    tried = {"sessions": 0, "other days": 0}
    for day in year:
        is_session = day in position
        for name, line in lines(pair, day, first, is_session).items():
            try:
                command, query = REGISTRY.validate_line(line)
                if name == "rates":
                    rates_inputs = rates_inputs or await command.load(query, snapshot_market)
                reply = command.build(query, rates_inputs if name == "rates" else loaded)
            except UserError as refusal:
                text = str(refusal)
                if name == "rates":
                    assert any(w in text for w in RATES_REFUSALS), (line, text)
                elif not is_session:
                    assert text.startswith(f"{day} {NOT_A_SESSION}"), (line, text)
                else:
                    assert day == first, (line, text)
                    assert FIRST_SESSION in text or BEFORE_DATA in text, (line, text)
            else:
                assert is_session or name == "rates", (line, "a day without a session was answered")
                if name == "rates" and yield_days is None:
                    yield_days = {d.date() for d in rates_inputs.pair.frame.index.intersection(
                        rates_inputs.yields.index)}
                check_reply(name, reply, day, position, pair, yield_days or set())
            tried["sessions" if is_session else "other days"] += 1
    per_session, per_other = len(lines(pair, first, first, True)), len(lines(pair, first, first, False))
    sessions_in_year = len([d for d in sessions if d < first + dt.timedelta(days=366)])
    assert tried["sessions"] == sessions_in_year * per_session
    assert tried["other days"] == (366 - sessions_in_year) * per_other
    print(f"{'/'.join(pair)}: {sessions_in_year} sessions x {per_session} commands = {tried['sessions']}; "
          f"{tried['other days']} on days without a session")
