"""The one "who leads" sentence builder: a pair is named by what it is (issue 25)."""

from __future__ import annotations

import pytest

from commands.leads import Sides
from commands.registry import default_registry, execute

# (first, second, spread, sentence, title, spread label, ratio label, direction of +1)
CASES = [
    ("^RUT", "^GSPC", 0.0247, "small caps lead by 2.47 pp", "Small vs large", "Spread (small − large)",
     "small/large ratio", "small ahead"),
    ("^RUT", "^GSPC", -0.01, "large caps lead by 1.00 pp", "Small vs large", "Spread (small − large)",
     "small/large ratio", "small ahead"),
    ("IWM", "SPY", 0.0866, "small caps (IWM) lead large caps (SPY) by 8.66 pp", "Small vs large (IWM/SPY)",
     "Spread (small − large)", "IWM/SPY ratio", "small ahead"),
    ("SPY", "IWM", 0.02, "large caps (SPY) lead small caps (IWM) by 2.00 pp", "Large vs small (SPY/IWM)",
     "Spread (large − small)", "SPY/IWM ratio", "large ahead"),
    ("IJS", "IJT", -0.0247, "IJT leads IJS by 2.47 pp", "IJS vs IJT", "Spread (IJS − IJT)", "IJS/IJT ratio",
     "IJS ahead"),
    ("VBR", "VBK", 0.0376, "VBR leads VBK by 3.76 pp", "VBR vs VBK", "Spread (VBR − VBK)", "VBR/VBK ratio",
     "VBR ahead"),
    ("IWM", "IJR", 0.0, "IWM and IJR are dead even", "IWM vs IJR", "Spread (IWM − IJR)", "IWM/IJR ratio",
     "IWM ahead"),
    ("AAPL", "SPY", 0.01, "AAPL leads SPY by 1.00 pp", "AAPL vs SPY", "Spread (AAPL − SPY)", "AAPL/SPY ratio",
     "AAPL ahead"),  # a ticker of unknown size is never called small or large caps
]


@pytest.mark.parametrize(
    ("first", "second", "spread", "says", "title", "spread_label", "ratio_label", "ahead"), CASES
)
def test_a_pair_is_named_by_what_it_is(first, second, spread, says, title, spread_label, ratio_label, ahead):
    sides = Sides(first, second)
    assert sides.leads(spread) == says
    assert sides.title == title
    assert sides.spread_label == spread_label
    assert sides.ratio_label == ratio_label
    assert sides.direction(1) == ahead
    assert sides.direction(0) == "tie"


# (console line, words the answer must hold, words it must not hold anywhere: title, text, fields)
ANSWERS = [
    ("/gap small:VBR large:VBK period:2024", ["VBR vs VBK: 2024", "VBK leads VBR by"],
     ["small caps", "Small vs large", "small/large", "Spread (small"]),
    ("/compare a:IJS b:IJT period:2024", ["IJT leads IJS by 2.00 pp"], ["small caps", "Small vs large"]),
    ("/streak small:IWN large:IWO as_of:2024-12-31", ["IWN vs IWO: streak", "IWN "],
     ["small ahead", "small behind", "Small vs large", "small − large"]),
    ("/digest small:IJS large:IJT date:2024-12-31", ["IJT leads IJS by 2.00 pp this year", "IJS "],
     ["small caps", "Small caps", "small ahead", "small behind", "small/large"]),
    ("/gap period:2024", ["Small vs large: 2024", "large caps lead by"], ["^RUT leads"]),
    ("/gap small:IWM large:SPY period:2024", ["Small vs large (IWM/SPY): 2024", "large caps (SPY) lead small "
     "caps (IWM) by"], ["IWM vs SPY"]),
]


@pytest.mark.parametrize(("line", "says", "never"), ANSWERS)
async def test_answers_use_the_builder(snapshot_market, line, says, never):
    command, query = default_registry().validate_line(line)
    reply = await execute(command, query, snapshot_market)
    everything = "\n".join([reply.title, reply.text, *(f"{f.name}: {f.value}" for f in reply.fields)])
    for words in says:
        assert words in everything
    for words in never:
        assert words not in everything
