"""One GET to a data provider, with every way it can fail turned into a plain reason.

Providers fail in ways a naive client reads as data: a rate limit (429), an outage (5xx), a login or
bot-challenge page served with status 200 (HTML where CSV or JSON was asked for), a body cut off
mid-way, or no answer at all. Each becomes :class:`ProviderFailure` with a reason a user can read and
a ``retry_after`` hint for the back-off. aiohttp keeps the request on the event loop without blocking
it. Secrets travel in headers, never in the URL, so nothing logged can carry them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


class ProviderFailure(Exception):
    """The provider could not give data now. ``retry_after``: seconds it asked for (or None)."""

    def __init__(self, reason: str, retry_after: float | None = None, *, unknown: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.unknown = unknown  # the provider says it has no such series (404)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: str


def looks_like_html(answer: Answer) -> bool:
    head = answer.body.lstrip()[:200].lower()
    return "html" in answer.content_type or head.startswith(("<!doctype", "<html", "<head", "<body"))


async def get(
    label: str,
    url: str,
    params: dict[str, str],
    seconds: float,
    headers: dict[str, str] | None = None,
) -> Answer:
    """GET ``url``; raise :class:`ProviderFailure` for anything but a complete 2xx answer."""
    import aiohttp  # only where a provider is asked: the build workers import this package's labels

    try:
        limit = aiohttp.ClientTimeout(total=seconds)
        async with (
            aiohttp.ClientSession(timeout=limit) as session,
            session.get(url, params=params, headers=headers or {}) as response,
        ):
            body = await response.text(errors="replace")
            answer = Answer(response.status, response.content_type or "", body)
            retry = response.headers.get("Retry-After")
    except TimeoutError as exc:
        raise ProviderFailure(f"{label} did not answer within {seconds:.0f} s") from exc
    except aiohttp.ClientPayloadError as exc:
        raise ProviderFailure(f"{label} sent a truncated answer") from exc
    except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as exc:
        raise ProviderFailure(f"{label} could not be reached ({type(exc).__name__})") from exc
    if answer.status == 429:
        raise ProviderFailure(f"{label} is rate-limiting requests", _seconds(retry))
    if answer.status in (401, 403):
        raise ProviderFailure(f"{label} refused the request (HTTP {answer.status}: check its API key)")
    if answer.status == 404:
        raise ProviderFailure(f"{label} has no such series", unknown=True)
    if answer.status >= 400:
        raise ProviderFailure(f"{label} answered HTTP {answer.status}", _seconds(retry))
    if looks_like_html(answer):
        raise ProviderFailure(f"{label} answered with a web page, not data (a challenge or login page)")
    return answer


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
