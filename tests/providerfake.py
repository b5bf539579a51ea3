"""A local stand-in for Tiingo and FRED: serves provider-shaped answers on loopback, each series in
a chosen behaviour (good data, empty, rate-limited, an HTML challenge page with status 200, a body
cut off mid-way, a slow answer, an outage), and records every request it got.

Used by the tests (``ProviderFake`` in a fixture) and by hand for the demonstration runs::

    python -m tests.providerfake --port 8765 --until 2026-12-04

which serves IWM, SPY (Tiingo) and DGS10, DGS2, DFF (FRED) through ``--until``. Those demo series
are the bundled history's last real daily moves replayed onto the later dates: test values for a
fake provider, labelled as such, never market data.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from pathlib import Path

import pandas as pd
from aiohttp import web

RECORDED = Path(__file__).parent / "data" / "recorded"
BEHAVIOURS = ("good", "empty", "rate_limited", "challenge", "truncated", "slow", "outage")


class ProviderFake:
    def __init__(self, slow_seconds: float = 5.0) -> None:
        self.tiingo: dict[str, str] = {}  # ticker -> JSON body when good
        self.fred: dict[str, str] = {}  # series -> CSV body when good
        self.behaviour: dict[str, str] = {}  # ticker or series -> one of BEHAVIOURS (default good)
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []  # path, query, headers
        self.slow_seconds = slow_seconds
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/tiingo/daily/{ticker}/prices", self._tiingo)
        app.router.add_get("/graph/fredgraph.csv", self._fred)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # the port the OS gave
        self.base_url = f"http://127.0.0.1:{bound}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _tiingo(self, request: web.Request) -> web.StreamResponse:
        ticker = request.match_info["ticker"].upper()
        self.requests.append((request.path, dict(request.query), dict(request.headers)))
        if ticker not in self.tiingo:
            return web.json_response({"detail": f"Error: Ticker '{ticker}' not found"}, status=404)
        days = json.loads(self.tiingo[ticker])
        start, end = request.query.get("startDate", ""), request.query.get("endDate", "9999")
        body = json.dumps([d for d in days if start <= d["date"][:10] <= end])  # as Tiingo filters
        return await self._answer(request, ticker, body, "application/json", "[]")

    async def _fred(self, request: web.Request) -> web.StreamResponse:
        series = request.query.get("id", "")
        self.requests.append((request.path, dict(request.query), dict(request.headers)))
        if series not in self.fred:
            return web.Response(status=404, text="Series not found")
        return await self._answer(
            request, series, self.fred[series], "text/csv", f"observation_date,{series}\n"
        )

    async def _answer(self, request, key: str, body: str, kind: str, empty: str) -> web.StreamResponse:
        behaviour = self.behaviour.get(key, "good")
        if behaviour == "empty":
            return web.Response(text=empty, content_type=kind)
        if behaviour == "rate_limited":
            text = (RECORDED / "tiingo_rate_limited.json").read_text()
            return web.Response(
                status=429, text=text, content_type="application/json", headers={"Retry-After": "120"}
            )
        if behaviour == "challenge":
            return web.Response(text=(RECORDED / "challenge.html").read_text(), content_type="text/html")
        if behaviour == "outage":
            return web.Response(status=503, text="Service Unavailable")
        if behaviour == "slow":
            await asyncio.sleep(self.slow_seconds)
        if behaviour == "truncated":  # promise the whole body, send half, hang up
            data = body.encode()
            response = web.StreamResponse(headers={"Content-Type": kind, "Content-Length": str(len(data))})
            await response.prepare(request)
            await response.write(data[: len(data) // 2])
            request.transport.close()
            return response
        return web.Response(text=body, content_type=kind)


def tiingo_body(closes: pd.Series) -> str:
    """Tiingo's JSON list for raw closes (no dividends or splits on these days)."""
    return json.dumps(
        [
            {
                "date": f"{d.date()}T00:00:00.000Z",
                "close": c,
                "high": c,
                "low": c,
                "open": c,
                "volume": 1e6,
                "adjClose": c,
                "adjHigh": c,
                "adjLow": c,
                "adjOpen": c,
                "adjVolume": 1e6,
                "divCash": 0.0,
                "splitFactor": 1.0,
            }
            for d, c in closes.round(4).items()
        ]
    )


def fred_body(series: str, values: pd.Series) -> str:
    rows = "".join(f"{d.date()},{v:.2f}\n" for d, v in values.items())
    return f"observation_date,{series}\n{rows}"


def replayed(history: pd.Series, dates: pd.DatetimeIndex, additive: bool = False) -> pd.Series:
    """``history``'s last real daily moves replayed onto ``dates`` after its end (demo values)."""
    moves = (history.diff() if additive else history.pct_change()).dropna().iloc[-len(dates) :]
    moves = moves.to_numpy()[: len(dates)]
    level, out = float(history.iloc[-1]), []
    for move in moves:
        level = level + move if additive else level * (1 + move)
        out.append(level)
    return pd.Series(out, index=dates[: len(out)])


def demo(fake: ProviderFake, until: dt.date) -> None:
    """Serve IWM and SPY (Tiingo) and the FRED rates through ``until`` for the hand-run checks."""
    from data.calendar import TradingCalendar
    from data.sources.snapshot import SnapshotSource

    snapshot, calendar = SnapshotSource(), TradingCalendar()
    for ticker in ("IWM", "SPY"):
        closes = snapshot.read(ticker)["adj_close"].dropna()
        days = pd.DatetimeIndex(calendar.sessions_between(closes.index[-1].date() + dt.timedelta(1), until))
        tail = replayed(closes.iloc[-len(days) - 1 :], days)
        fake.tiingo[ticker] = tiingo_body(pd.concat([closes.iloc[-1:], tail]))  # from the last real day
    for series in ("DGS10", "DGS2", "DFF"):
        values = snapshot.read(series)["close"]
        start = values.index[-1].date() + dt.timedelta(1)
        days = pd.DatetimeIndex(calendar.sessions_between(start, until))
        tail = replayed(values.iloc[-len(days) - 1 :], days, additive=True)
        fake.fred[series] = fred_body(series, pd.concat([values.iloc[-5:], tail]))


async def _serve(port: int, until: dt.date) -> None:
    fake = ProviderFake()
    demo(fake, until)
    print(f"serving Tiingo and FRED at {await fake.start(port)} (demo values through {until})", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--until", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.until))
