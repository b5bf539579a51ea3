"""Questions a research assistant declines, each with its reason and a fitting next step.

Read before any command is looked for, so "should i buy iwm" is refused as advice, not as a /gap
with an unread "buy". Each rule is a row: (kind, pattern, message). The message says why and offers
what the bot can do instead; it never repeats the member's words, so it needs no escaping.
"""

from __future__ import annotations

import re

from .slots import NotUnderstood

_TICKERS_SHOWN = (
    "small: IWM, IJR, VB, the Russell 2000 (^RUT), value/growth IWN/IWO, IJS/IJT, VBR/VBK; large: SPY, IWB, "
    "the S&P 500 (^GSPC), IWD/IWF, VTV/VUG"
)

RULES: tuple[tuple[str, str, str], ...] = (
    (
        "social",
        r"^\W*(?:(?:thx|thanks?(?:\s+(?:a\s+lot|so\s+much|again|mate|man|bot|you|u))*|ty|tysm|cheers|"
        r"great|nice|cool|perfect|awesome|brilliant|legend|appreciated|much\s+appreciated|nice\s+one|good\s+one|"
        r"great\s+stuff|got\s+it|gotcha|makes\s+sense|ok(?:ay)?|k|hi|hey|hello|yo|"
        r"good\s+(?:morning|afternoon|evening|bot)|gm|sup|morning|lol|haha)[\s!.,:)👍🙏]*)+$",
        "👍",
    ),
    (
        "advice",
        r"\bshould\s+(?:i|we)\s+(?:buy|sell|short|hold|own|add|trim|rotate|switch|get\s+(?:in|out))\b|"
        r"\b(?:is\s+it|is\s+now)\s+(?:a\s+)?(?:good\s+)?time\s+to\s+(?:buy|sell)\b|\b(?:buy|sell)\s+or\s+(?:sell|hold|buy)\b|"
        r"\bworth\s+buying\b|\b(?:recommend|advice|allocate|allocation|overweight|underweight)\b|"
        r"\bwhat\s+(?:should|would)\s+(?:i|we|you)\s+(?:buy|do|own)\b",
        "I don't give investment advice. I can show what happened after similar set-ups in the past: "
        "`/history signal:streak threshold:11` (the base rate of small caps leading afterwards), or where "
        "things stand now with `/digest`.",
    ),
    (
        "forecast",
        r"\b(?:will|gonna|going\s+to)\s+(?:small\s*caps?|large\s*caps?|iwm|spy|it|they|the\s+\w+)\s+"
        r"(?:keep|continue|outperform|underperform|lead|beat|win|rally|go|be|rise|fall|drop)\b|"
        r"\b(?:next|coming)\s+(?:year|quarter|month|week|12\s+months)\b(?!.*\b(?:after|follow))|"
        r"\b(?:predict\w*|forecast\w*|outlook|target|expect(?:ed|ing)?|going\s+forward|in\s+the\s+future)\b",
        "I don't forecast. I can show what followed similar moments in the past, against the base rate: "
        "`/history signal:streak threshold:11` or `/history signal:ratio_cross`.",
    ),
    (
        "not-in-data",
        r"(?<!\$)\b(?:tsla|tesla|nvda|nvidia|aapl|apple|msft|microsoft|amzn|amazon|goog|googl|meta|qqq|nasdaq|"
        r"dow|djia|bitcoin|btc|eth|ethereum|crypto|gold|oil|dxy|dollar|vix|ftse|dax|nikkei|emerging|"
        r"europe|china|eem|efa)\b",
        f"That isn't in my data. I follow US size and style funds and indices ({_TICKERS_SHOWN}), the "
        "small- and large-cap sector funds and Treasury yields. Try `/compare a:IWM b:SPY`.",
    ),
    (
        "not-in-data",
        r"\bsmid(?:[- ]?caps?)?\b|\bmid[- ]?caps?\b|\bmidcaps?\b|\bmicro[- ]?caps?\b",
        "Mid and micro caps aren't in my data: I compare small caps (Russell 2000, S&P 600) with large caps "
        "(S&P 500, Russell 1000). Try `/gap period:ytd`.",
    ),
    (
        "event",
        r"\b(?:since|after|before|during|around)\s+(?:the\s+)?(?:\d{4}\s+)?(?:us\s+)?(?:election|fed\b|fomc\b|"
        r"rate\s+(?:cut|hike)s?|cpi|inauguration|tariffs?|liberation\s+day|"
        r"brexit|war|invasion|jackson\s+hole|gfc|(?:global\s+)?financial\s+crisis|dot[- ]?com(?:\s+bubble)?|"
        r"taper\s+tantrum|fed\s+pivot)\b",
        "I can't date news events myself: give me the date and I'll measure from it, e.g. "
        "`/gap period:2024-11-05..` (“gap since 2024-11-05”).",
    ),
)
# Letters of scripts other than Latin, or common words of other languages typed in Latin letters.
_FOREIGN_SCRIPT = re.compile(
    r"[\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)
_FOREIGN_WORDS = re.compile(
    r"\b(?:wie|haben|sich|die|und|nicht|comment|les|sont|petites|capitalisations|cómo|como|están|"
    r"pequeñas|empresas|qué|quanto|sono|andate|hoe|hebben|het|estan|están|las|los|este|año|del|para)\b",
    re.IGNORECASE,
)
_HISTORY = re.compile(r"\b(?:after|follow\w*|happen\w*|historically|base\s+rates?|usually)\b", re.IGNORECASE)
LANGUAGE = "I only read English, sorry: ask e.g. “how did small caps do this year?”."


def refuse(text: str) -> None:
    """Raise :class:`NotUnderstood` with its kind when ``text`` is a question the bot declines."""
    if _FOREIGN_SCRIPT.search(text) or len(_FOREIGN_WORDS.findall(text)) >= 2:
        raise NotUnderstood(LANGUAGE, "language")
    for kind, pattern, message in RULES:
        if kind == "forecast" and _HISTORY.search(text):
            continue  # "what follows a streak over the next 3 months" is a base rate, not a forecast
        if re.search(pattern, text, re.IGNORECASE):
            raise NotUnderstood(message, kind)
