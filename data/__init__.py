"""Everything rotation-bot reads from outside: prices (live or bundled), the cache, and user state.

The analyses in ``commands/`` only ever see :class:`data.market.PriceHistory` objects handed out by
:class:`data.market.MarketData`; they never know whether a close came from Yahoo or from the snapshot.
"""
