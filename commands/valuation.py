"""/valuation — small vs large P/E and the discount, never across two different bases.

A P/E means little without its basis: trailing or forward earnings, and whether loss-making
companies are excluded (which changes the Russell 2000's P/E enormously). So every observation
carries its basis, its date and its origin, and the discount ``1 − small/large`` is computed only when
both sides share a stated basis. No P/E history is bundled: the band and the "extreme" come from
quotes and are labelled as quotes.

Origins: the figures quoted in the article the team reads (shipped as initial observations, with
their wording), figures a member records per server, and live figures where Yahoo provides them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from data.valuations import Observation

from . import charts
from .escape import clean, code, escape
from .pages import FIELDS_ROOM, paginate
from .periods import parse_date
from .reply import Field, Reply, UserError
from .visible import has_visible, strip_invisible

BASES = ("forward", "trailing", "unstated")
# Cited by what the reader can find, never by where a copy sits on disk; the team's copy of the
# article names neither its title nor its publisher, so the citation says so.
ARTICLE = "the small-cap rotation article the team reads (mid-January 2026; title and publisher not given)"


QUOTED = (
    Observation(
        18.0,
        26.0,
        "forward",
        "forward",
        None,
        f"{ARTICLE}, “Valuations: A Coiled Spring”: “By late 2025 … the Russell 2000 traded at a forward "
        "price-to-earnings ratio of roughly "
        "18x, while the S&P 500 hovered near 26x” (date approximate)",
        dt.date(2025, 12, 31),
        "quoted",
    ),
    Observation(
        18.1,
        22.3,
        "unstated",
        "unstated",
        None,
        f"{ARTICLE}, “Valuation Comparison”, early January 2026: 18.1x vs 22.3x, “Discount: 19%” (basis "
        "not stated; the same article quotes forward P/Es for late 2025)",
        dt.date(2026, 1, 9),
        "quoted",
    ),
)
QUOTED_BAND = (0.05, 0.10)
# Bounds on what a member may record: no P/E history before 1990 is meaningful here (the Russell 2000's
# own history starts in 1987), nothing after today, P/Es a real index can have, a source one can cite.
FIRST_AS_OF = dt.date(1990, 1, 1)
PE_RANGE = (1.0, 500.0)
SOURCE_LENGTH = (3, 300)
PAGE = 10  # observations per page of /valuation show
BAND_SOURCE = (
    f"“Historical Average Discount: 5-10%”, {ARTICLE}: a quote, not computed (no P/E history is bundled)"
)


def parse_record(options: Mapping[str, str], recorded_by: int, today: dt.date | None = None) -> Observation:
    """``small_pe large_pe source as_of basis [large_basis] [excludes_losses]`` -> an observation.

    Every stored value is bounded here, before anything is written or deferred: one record dated
    9999-12-31 once broke every later /valuation show of its server."""
    today = today or dt.date.today()
    missing = [k for k in ("small_pe", "large_pe", "source", "basis") if not options.get(k)]
    if missing:
        raise UserError(
            f"Recording needs {', '.join(missing)}. Example: `/valuation record small_pe:18.1 large_pe:22.3 "
            'basis:forward source:"FactSet, 9 Jan 2026" as_of:2026-01-09`.'
        )
    try:
        small, large = float(options["small_pe"]), float(options["large_pe"])
    except ValueError:
        raise UserError("`small_pe` and `large_pe` are numbers, e.g. 18.1.") from None
    low, high = PE_RANGE
    for name, value in (("small_pe", small), ("large_pe", large)):
        if not low <= value <= high:  # also refuses nan and inf
            raise UserError(
                f"`{name}` is a P/E from {low:g} to {high:g} (got {code(options[name], 20)}): a positive "
                "number a real index can have."
            )
    basis = options["basis"].strip().lower()
    large_basis = (options.get("large_basis") or basis).strip().lower()
    for b in (basis, large_basis):
        if b not in BASES:
            raise UserError(f"{code(b, 20)} is not a basis: use {', '.join(BASES)}.")
    flag = (options.get("excludes_losses") or "").strip().lower()
    if flag not in ("", "true", "false"):
        raise UserError("`excludes_losses` is true or false (leave it out when the source doesn't say).")
    as_of = parse_date(options["as_of"], "as_of date") if options.get("as_of") else today
    if not FIRST_AS_OF <= as_of <= today:
        raise UserError(
            f"`as_of` is the date of the figures, from {FIRST_AS_OF} to today ({today}); "
            f"got {code(options['as_of'], 20)}."
        )
    source = strip_invisible(clean(options["source"]))  # zero-width padding is not a source
    shortest, longest = SOURCE_LENGTH
    if not shortest <= len(source) <= longest or not has_visible(source):
        raise UserError(
            f"`source` says where the figures come from in {shortest} to {longest} characters "
            f"(got {len(source)}), e.g. “FactSet Earnings Insight, 9 Jan 2026”."
        )
    return Observation(
        small,
        large,
        basis,
        large_basis,
        None if not flag else flag == "true",
        source,
        as_of,
        "recorded",
        recorded_by=recorded_by,
    )


def gap_words(discount: float) -> str:
    """1 − small/large in words: a discount when small caps are cheaper, a premium when dearer
    (never "a -4.0% discount")."""
    if discount < 0:
        return f"{-discount * 100:.1f}% premium"
    return f"{discount * 100:.1f}% discount"


def article(phrase: str) -> str:
    """"an 18.8% discount", "a 19.0% discount": the article a number takes when read aloud."""
    whole = phrase.split("%")[0].split(".")[0]  # eight, eighty-…, eight hundred, eleven, eighteen
    return f"{'an' if whole.startswith('8') or whole in ('11', '18') else 'a'} {phrase}"


def _line(o: Observation) -> str:
    basis = o.basis if o.basis == o.large_basis else f"{o.basis} / {o.large_basis}"
    losses = {None: "", True: ", loss-makers excluded", False: ", loss-makers included"}[o.excludes_losses]
    figures = f"{o.small_pe:g}x vs {o.large_pe:g}x ({basis}{losses})"
    verdict = gap_words(o.discount) if o.discount is not None else o.why_no_discount()
    ident = f" · #{o.id}" if o.id is not None else ""
    # A member's source is shown exactly as typed, never as markup: no masked link, heading or mention.
    source = escape(o.source, SOURCE_LENGTH[1]) if o.origin == "recorded" else o.source
    return f"{figures} · {verdict} · {o.origin}{ident}: {source}"


def _field(o: Observation, today: dt.date | None) -> Field:
    late = " · dated after today: not used" if today is not None and o.as_of > today else ""
    return Field(f"{o.as_of}{late}", _line(o), o.discount, "fraction", inline=False)


BAND_FIELD = Field("Band", BAND_SOURCE, None, inline=False)


def _pages(fields: list[Field]) -> list[range]:
    """At most ``PAGE`` observations a page, and no more than one embed holds beside the band."""
    room = FIELDS_ROOM - len(BAND_FIELD.name) - len(BAND_FIELD.value)
    return paginate([len(f.name) + len(f.value) for f in fields], PAGE, room)


def ordered(observations: list[Observation]) -> list[Observation]:
    return sorted(observations, key=lambda o: o.as_of, reverse=True)


def pages(observations: list[Observation], today: dt.date | None = None) -> int:
    """How many pages /valuation show has for these observations (the cog refuses a page beyond it
    privately, before deferring)."""
    return len(_pages([_field(o, today) for o in ordered(observations)]))


def show(
    observations: list[Observation],
    live_note: str | None = None,
    page: int = 1,
    today: dt.date | None = None,
) -> Reply:
    """The headline from the newest comparable figures; the observations ``PAGE`` at a time, newest
    first, each with its #number so a record can always be found and removed."""
    newest_first = ordered(observations)
    all_fields = [_field(o, today) for o in newest_first]
    cut = _pages(all_fields)
    count = len(cut)
    if not 1 <= page <= count:
        raise UserError(f"`page` runs from 1 to {count} here ({len(newest_first)} observations).")
    # A record stored before dates were bounded may lie in the future: listed, never the headline.
    current = [o for o in newest_first if today is None or o.as_of <= today]
    latest = next((o for o in current if o.discount is not None), None)
    low, high = QUOTED_BAND
    if latest is None:
        text = "No observation here states a common basis for both P/Es, so no discount can be computed."
    else:
        d = latest.discount
        where = "above" if d > high else "below" if d < low else "within"
        text = (
            f"Latest comparable figures ({latest.as_of}, {latest.basis}): small caps {latest.small_pe:g}x vs "
            f"large caps {latest.large_pe:g}x, {article(gap_words(d))} — {where} the 5–10% "
            f"“historical average” discount band, which is quoted, not computed."
        )
    fields = [all_fields[i] for i in cut[page - 1]] + [BAND_FIELD]
    if count > 1:
        text += f" Page {page} of {count}, newest first" + (
            f"; `/valuation show page:{page + 1}` for older ones." if page < count else "."
        )
    reply = Reply(
        title="Valuation: small vs large P/E",
        text=text,
        fields=fields,
        as_of=current[0].as_of if current else None,
        source="quotes, members' records and live figures, each labelled",
        notes=[live_note] if live_note else [],
    )
    points = [(o.as_of, o.discount, o.basis) for o in reversed(current) if o.discount is not None]
    if points:
        charts.attach(
            reply,
            "valuation.png",
            lambda: charts.valuation_chart(
                points, QUOTED_BAND, "P/E discount, small vs large, by basis", str(current[0].as_of)
            ),
        )
    return reply
