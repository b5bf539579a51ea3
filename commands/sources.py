"""The live providers' health and the closes they disagreed on, in words: shared by /about and
``python -m bot sources`` so both say the same thing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the build workers import every command module, never data.market
    from data.market import MarketData, ProviderReport
    from data.provenance import Disagreement


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "never"
    if moment.tzinfo is None:  # SQLite hands the database's UTC clock back without a zone
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def provider_line(report: ProviderReport, now: dt.datetime) -> str:
    status = report.status
    if status is None:
        return f"{report.label}: not asked yet"
    text = f"{report.label}: last success {_when(status.last_success)}, "
    text += f"last failure {_when(status.last_failure)}"
    if status.last_error and status.last_failure is not None:
        text += f" ({status.last_error})"
    until = status.backoff_until
    if until is not None:
        until = until if until.tzinfo else until.replace(tzinfo=dt.UTC)
        if until > now:
            text += f"; backing off until {_when(until)} after {status.failures} failure(s)"
    return text


def disagreement_line(d: Disagreement) -> str:
    return (
        f"{d.ticker} {d.session}: {d.provider_a} {d.close_a:.4f} vs {d.provider_b} {d.close_b:.4f} "
        f"({d.gap * 100:+.2f}%)"
    )


async def source_lines(data: MarketData, now: dt.datetime | None = None) -> tuple[list[str], list[str]]:
    """(one line per configured provider, in order; one per recent disagreement)."""
    now = now or dt.datetime.now(dt.UTC)
    providers = [provider_line(r, now) for r in await data.providers()]
    disagreements = [disagreement_line(d) for d in await data.ledger.disagreements()]
    return providers, disagreements
