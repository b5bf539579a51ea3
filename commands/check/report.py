"""A text's claims, checked and written out: one entry per claim, in the text's order.

Shared by ``python -m bot check FILE`` (a block per claim, or JSON), /check and "check: …" in a thread
(one line per claim in an embed). Every echoed word of the member's text passes through
:mod:`commands.escape` in Discord; the console prints it as plain text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data.errors import DataError
from data.universe import LARGE_DEFAULT, SMALL_DEFAULT
from data.valuations import Observation

from ..escape import clean, escape
from ..pair import HistoryProvider
from ..registry import Worker, run_inline
from ..reply import Reply, UserError, finite, plural
from . import claims as claims_mod
from . import levels
from .claims import Claim
from .moves import judge_moves
from .verdicts import FAILS, HOLDS, HOLDS_ON, PART, UNCHECKABLE, Verdict

log = logging.getLogger(__name__)

MAX_TEXT = 200_000  # characters of one text (an article is ~8,000); beyond it a file is refused
SAID = 140  # characters of the text echoed per claim
DISCORD_TEXT = 3_900  # the embed's description holds 4,096; the rest goes in an attached report


@dataclass(frozen=True)
class Report:
    verdicts: list[Verdict]
    latest: dt.date  # the newest common session of the default pair: what "this year" counts from
    as_of: dt.date | None  # the date the member gave the text
    source: str

    def counts(self) -> str:
        order = (
            (HOLDS, "hold"),
            (HOLDS_ON, "hold on another date"),
            (PART, "hold for part of the period"),
            (FAILS, "do not hold"),
            (UNCHECKABLE, "cannot be checked with this data"),
        )
        parts = [
            f"{n} {words}" for status, words in order if (n := sum(v.status == status for v in self.verdicts))
        ]
        return ", ".join(parts)

    def heading(self) -> str:
        when = (
            f"as of {self.as_of} (the text's date)"
            if self.as_of
            else f"as of {self.latest}, the latest session"
        )
        if not self.verdicts:
            return f"I found no claim I can read in that text (checked {when})."
        return f"{plural(len(self.verdicts), 'claim')} checked {when}: {self.counts()}."

    def to_json(self) -> dict[str, Any]:
        return finite(
            {
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "latest": self.latest.isoformat(),
                "source": self.source,
                "claims": [
                    {
                        "said": v.claim.said,
                        "kind": v.claim.kind,
                        "read": v.claim.read,
                        "status": v.status,
                        "verdict": v.verdict,
                        "figure": v.figure,
                        "command": v.command,
                        "numbers": v.numbers,
                    }
                    for v in self.verdicts
                ],
            }
        )


def _tickers(claim: Claim) -> set[str]:
    if claim.kind in ("streak", "spread", "lead", "ratio"):
        return {claim.small, claim.large}
    if claim.kind == "record":
        return {claim.small}
    if claim.kind in ("return", "yield"):
        return {f.ticker for f in claim.figures}
    return set()


async def check_text(
    text: str,
    data: HistoryProvider,
    known: list[str],
    as_of: dt.date | None = None,
    valuations: Sequence[Observation] = (),
    worker: Worker = run_inline,
) -> Report:
    """Find the claims in ``text`` and judge each on the data (series loaded through ``data``, on the
    loop); the judging, pure CPU, runs in ``worker`` (the bot's pool), as a command's build does."""
    if len(text) > MAX_TEXT:
        raise UserError(f"That text is {len(text):,} characters; I check up to {MAX_TEXT:,} at once.")
    try:
        small, large = await asyncio.gather(data.history(SMALL_DEFAULT), data.history(LARGE_DEFAULT))
    except DataError as exc:
        raise UserError(str(exc)) from exc
    latest = min(small.last_session, large.last_session)
    if as_of is not None and as_of > latest:
        raise UserError(f"`as_of` {as_of} is after the newest session in the data ({latest}).")
    found = claims_mod.find(text, known, as_of or latest)
    series: dict[str, pd.Series] = {SMALL_DEFAULT: small.prices, LARGE_DEFAULT: large.prices}
    sources = {small.source, large.source}
    for ticker in sorted(set().union(*(_tickers(c) for c in found)) - set(series)):
        try:
            history = await data.history(ticker)
        except DataError:
            continue  # the claim's verdict says the data has no such series
        series[ticker] = history.prices
        sources.add(history.source)
    verdicts = await worker(judge_all, found, series, as_of, list(valuations))
    return Report(verdicts, latest, as_of, " / ".join(sorted(sources)))


def judge(
    claim: Claim,
    series: Mapping[str, pd.Series],
    as_of: dt.date | None = None,
    valuations: Sequence[Observation] = (),
) -> Verdict:
    """The verdict on one claim; a claim the data cannot reach says so (never raises for bad data)."""
    try:
        if claim.kind == "unverifiable":
            return Verdict(claim, UNCHECKABLE, f"cannot be checked with this data: {claim.why}")
        if claim.kind == "valuation":
            return levels.valuation(claim, valuations)
        if claim.kind == "streak":
            return levels.streak(claim, series, as_of)
        if claim.kind == "record":
            return levels.record(claim, series, as_of)
        if claim.kind == "yield":
            return levels.level(claim, series, as_of)
        if claim.kind == "ratio":
            return levels.ratio(claim, series, as_of)
        return judge_moves(claim, series, as_of)
    except UserError as exc:
        return Verdict(claim, UNCHECKABLE, f"cannot be checked with this data: {exc}")
    except Exception:  # one claim's failure must not lose the others' verdicts
        log.exception("could not judge the claim %r", claim.said[:200])
        return Verdict(
            claim, UNCHECKABLE, "n/a: this claim could not be computed (an error on my side, logged)"
        )


def judge_all(
    found: list[Claim], series: dict[str, pd.Series], as_of: dt.date | None, valuations: list[Observation]
) -> list[Verdict]:
    """Module-level and of picklable arguments, so a process pool can run it."""
    return [judge(c, series, as_of, valuations) for c in found]


# -- written out --------------------------------------------------------------------------------------


def block(number: int, verdict: Verdict, echo: Callable[[object, int], str] = clean) -> str:
    """A claim as the console prints it: what was said, how it was read, the verdict, the figure, the
    command that shows it."""
    lines = [
        f"{number}. “{echo(verdict.claim.said, SAID)}”",
        f"   read as: {verdict.claim.read}",
        f"   verdict: {verdict.verdict}",
    ]
    if verdict.figure:
        lines.append(f"   figure:  {verdict.figure}")
    if verdict.command:
        lines.append(f"   see:     {verdict.command}")
    return "\n".join(lines)


def text_report(report: Report) -> str:
    parts = [report.heading(), *(block(i, v) for i, v in enumerate(report.verdicts, 1))]
    return "\n\n".join(parts) + f"\n\nData: {report.source}. Information, not investment advice.\n"


def line(number: int, verdict: Verdict) -> str:
    """A claim in one Discord line: the member's words escaped, the command in a code span."""
    said = escape(verdict.claim.said, SAID)
    status = {HOLDS: "✅", HOLDS_ON: "🕒", PART: "◐", FAILS: "❌", UNCHECKABLE: "❔"}[verdict.status]
    text = f"{number}. {status} “{said}” — read as {escape(verdict.claim.read, 200)}: **{verdict.verdict}**"
    if verdict.figure:
        text += f". {verdict.figure}"
    if verdict.command:
        text += f" · `{verdict.command}`"
    return text


def reply(report: Report) -> Reply:
    """The Discord answer: every claim that fits in the embed, and the full report attached when some
    do not."""
    lines = [line(i, v) for i, v in enumerate(report.verdicts, 1)]
    kept: list[str] = []
    used = len(report.heading())
    for entry in lines:
        if used + len(entry) + 2 > DISCORD_TEXT:
            break
        kept.append(entry)
        used += len(entry) + 2
    notes = []
    attachment = None
    if len(kept) < len(lines):
        notes.append(f"{len(lines) - len(kept)} more claims are in the attached check.txt.")
        attachment = text_report(report).encode()
    out = Reply(
        title="Claims checked against the data",
        text="\n\n".join([report.heading(), *kept]),
        as_of=report.as_of or report.latest,
        source=report.source,
        notes=notes,
        figures=report.to_json(),
    )
    if attachment is not None:
        out.csv, out.csv_name = attachment, "check.txt"
    return out
