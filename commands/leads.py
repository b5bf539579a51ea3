"""Who leads whom, in words that name a pair by what it is: the one sentence builder for every answer.

Commands take any two tickers, so "small caps lead" is true only of some pairs. Three kinds:
- the **index size pair** (a small-cap index against a large-cap index, ``^RUT``/``^GSPC``): "small
  caps lead by 2.47 pp", the "small/large ratio", title "Small vs large";
- a **fund pair across size** (``IWM``/``SPY``): "small caps (IWM) lead large caps (SPY) by 2.47 pp",
  the "IWM/SPY ratio", title "Small vs large (IWM/SPY)";
- **any other pair** (two small-cap funds, value against growth, a ticker of unknown size): "IJT leads
  IJS by 2.47 pp", the "IJS/IJT ratio", title "IJS vs IJT" — never "small/large caps".

A ticker's size comes from :data:`SIZE` (the bundled universe; a ticker not in it has no known size,
so its pair is named by tickers). Used by /gap, /compare, /style, /streak and /digest.
"""

from __future__ import annotations

from dataclasses import dataclass

# The capitalisation segment of each fund or index the bot bundles or names (issuers' descriptions).
SIZE: dict[str, str] = {
    **dict.fromkeys(("^RUT", "IWM", "IWN", "IWO", "VB", "VBR", "VBK", "IJR", "IJS", "IJT"), "small"),
    **dict.fromkeys(("PSCC", "PSCD", "PSCE", "PSCF", "PSCH", "PSCI", "PSCM", "PSCT", "PSCU"), "small"),
    **dict.fromkeys(("^GSPC", "SPY", "IWB", "IWD", "IWF", "VTV", "VUG"), "large"),
    **dict.fromkeys(("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"), "large"),
}


@dataclass(frozen=True)
class Sides:
    """Two tickers in the order an answer compares them (first − second)."""

    first: str
    second: str

    @property
    def across_size(self) -> bool:
        """One side small caps, the other large caps (in either order)."""
        sizes = {SIZE.get(self.first), SIZE.get(self.second)}
        return sizes == {"small", "large"}

    @property
    def indices(self) -> bool:
        return self.first.startswith("^") and self.second.startswith("^")

    def size(self, ticker: str) -> str:
        return SIZE[ticker]

    def name(self, ticker: str) -> str:
        """How a side is called in a sentence: "small caps" (index size pair), "small caps (IWM)"
        (fund size pair) or the ticker."""
        if not self.across_size:
            return ticker
        words = f"{self.size(ticker)} caps"
        return words if self.indices else f"{words} ({ticker})"

    def leads(self, spread: float, digits: int = 2) -> str:
        """``spread`` = first's return − second's, as a fraction: "IJT leads IJS by 2.47 pp"."""
        if spread == 0:
            return f"{self.name(self.first)} and {self.name(self.second)} are dead even"
        leader, other = (self.first, self.second) if spread > 0 else (self.second, self.first)
        by = f"by {abs(spread) * 100:.{digits}f} pp"
        if self.across_size and self.indices:
            return f"{self.name(leader)} lead {by}"
        verb = "lead" if self.across_size else "leads"
        return f"{self.name(leader)} {verb} {self.name(other)} {by}"

    def direction(self, sign: int) -> str:
        """A run's side in two words: "small ahead" (a size pair: the first side's size), "IWN
        behind", "tie"."""
        if sign == 0:
            return "tie"
        who = self.size(self.first) if self.across_size else self.first
        return f"{who} {'ahead' if sign > 0 else 'behind'}"

    @property
    def title(self) -> str:
        """"Small vs large" only for a size pair (with the tickers for funds), else "A vs B"."""
        if not self.across_size:
            return f"{self.first} vs {self.second}"
        words = f"{self.size(self.first).capitalize()} vs {self.size(self.second)}"
        return words if self.indices else f"{words} ({self.first}/{self.second})"

    @property
    def difference(self) -> str:
        """What a spread subtracts: "small − large" for a size pair, "IWN − IWO" otherwise."""
        if self.across_size:
            return f"{self.size(self.first)} − {self.size(self.second)}"
        return f"{self.first} − {self.second}"

    @property
    def spread_label(self) -> str:
        return f"Spread ({self.difference})"

    @property
    def ratio_label(self) -> str:
        if self.across_size and self.indices:
            return f"{self.size(self.first)}/{self.size(self.second)} ratio"
        return f"{self.first}/{self.second} ratio"


def sentence(text: str) -> str:
    """``text`` at the start of a sentence (first letter up, tickers untouched)."""
    return text[:1].upper() + text[1:]
