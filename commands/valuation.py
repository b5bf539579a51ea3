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
from .periods import parse_date
from .reply import Field, Reply, UserError

BASES = ("forward", "trailing", "unstated")
ARTICLE = "article in the team's reading (shared/article.txt)"


QUOTED = (
    Observation(
        18.0,
        26.0,
        "forward",
        "forward",
        None,
        f"{ARTICLE}: “By late 2025 … the Russell 2000 traded at a forward price-to-earnings ratio of roughly "
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
        "not stated; the same piece quotes forward P/Es for late 2025)",
        dt.date(2026, 1, 9),
        "quoted",
    ),
)
QUOTED_BAND = (0.05, 0.10)
BAND_SOURCE = (
    f"“Historical Average Discount: 5-10%”, {ARTICLE}: a quote, not computed (no P/E history is bundled)"
)


def parse_record(options: Mapping[str, str], recorded_by: int) -> Observation:
    """``small_pe large_pe source as_of basis [large_basis] [excludes_losses]`` -> an observation."""
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
    if not (0 < small < 1000 and 0 < large < 1000):
        raise UserError("A P/E must be a positive number below 1000.")
    basis = options["basis"].strip().lower()
    large_basis = (options.get("large_basis") or basis).strip().lower()
    for b in (basis, large_basis):
        if b not in BASES:
            raise UserError(f"`{b[:20]}` is not a basis: use {', '.join(BASES)}.")
    flag = (options.get("excludes_losses") or "").strip().lower()
    if flag not in ("", "true", "false"):
        raise UserError("`excludes_losses` is true or false (leave it out when the source doesn't say).")
    as_of = parse_date(options["as_of"], "as_of date") if options.get("as_of") else dt.date.today()
    source = " ".join(options["source"].split())[:300]
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


def _line(o: Observation) -> str:
    basis = o.basis if o.basis == o.large_basis else f"{o.basis} / {o.large_basis}"
    losses = {None: "", True: ", loss-makers excluded", False: ", loss-makers included"}[o.excludes_losses]
    figures = f"{o.small_pe:g}x vs {o.large_pe:g}x ({basis}{losses})"
    verdict = f"discount {o.discount * 100:.1f}%" if o.discount is not None else o.why_no_discount()
    ident = f" · #{o.id}" if o.id is not None else ""
    return f"{figures} · {verdict} · {o.origin}{ident}: {o.source}"


def show(observations: list[Observation], live_note: str | None = None) -> Reply:
    ordered = sorted(observations, key=lambda o: o.as_of, reverse=True)
    latest = next((o for o in ordered if o.discount is not None), None)
    low, high = QUOTED_BAND
    if latest is None:
        text = "No observation here states a common basis for both P/Es, so no discount can be computed."
    else:
        d = latest.discount
        where = "above" if d > high else "below" if d < low else "within"
        text = (
            f"Latest comparable figures ({latest.as_of}, {latest.basis}): small caps {latest.small_pe:g}x vs "
            f"large caps {latest.large_pe:g}x, a discount of {d * 100:.1f}% — {where} the 5–10% "
            f"“historical average” band, which is quoted, not computed."
        )
    fields = [Field(str(o.as_of), _line(o), o.discount, "fraction", inline=False) for o in ordered[:12]]
    fields.append(Field("Band", BAND_SOURCE, None, inline=False))
    reply = Reply(
        title="Valuation: small vs large P/E",
        text=text,
        fields=fields,
        as_of=ordered[0].as_of if ordered else None,
        source="quotes, members' records and live figures, each labelled",
        notes=[live_note] if live_note else [],
    )
    points = [
        (o.as_of, o.discount) for o in sorted(observations, key=lambda o: o.as_of) if o.discount is not None
    ]
    if points:
        reply.chart = charts.valuation_chart(
            points, QUOTED_BAND, "P/E discount, small vs large (same basis only)", str(ordered[0].as_of)
        )
        reply.chart_name = "valuation.png"
    return reply
