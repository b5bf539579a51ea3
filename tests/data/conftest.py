"""The loopback provider fake (tests/providerfake.py) serving recorded-shape answers, shared by the
provider tests and the failover tests."""

from __future__ import annotations

import pytest

from tests.providerfake import RECORDED, ProviderFake


@pytest.fixture
async def server():
    """Tiingo's IWM and FRED's DGS10 as recorded; each test sets other behaviours itself."""
    fake = ProviderFake(slow_seconds=3.0)
    fake.tiingo["IWM"] = (RECORDED / "tiingo_IWM.json").read_text()
    fake.fred["DGS10"] = (RECORDED / "fredgraph_DGS10.csv").read_text()
    await fake.start()
    yield fake
    await fake.stop()
