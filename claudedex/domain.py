"""Domain values shared by every subsystem: reports, signals, proposals.

Money is exact: token amounts are ``int`` base units, prices and ratios ``Decimal``.
Floats appear only in ML scores and analytics fields, named as such.
All values are frozen so an event can be handed to many subscribers safely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Verdict(StrEnum):
    """How the safety layer judges a token; ``scam`` can never be overridden."""

    SAFE = "safe"
    RISKY = "risky"
    SCAM = "scam"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


@dataclass(frozen=True, slots=True)
class Finding:
    """One fact a safety check established, with the evidence an operator can read."""

    code: str
    severity: Severity
    detail: str
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PairInfo:
    """A Uniswap-V2-style pair as discovery first sees it."""

    chain_id: int
    venue: str
    pair: str
    token: str  # the non-quote token (the one we might buy)
    quote: str  # WETH or a stablecoin
    block_number: int
    symbol: str = ""
    name: str = ""
    decimals: int = 18


@dataclass(frozen=True, slots=True)
class RiskReport:
    """The safety verdict on one token, with every finding that led to it."""

    token: str
    pair: str
    verdict: Verdict
    findings: tuple[Finding, ...]
    buy_tax_bps: int | None = None
    sell_tax_bps: int | None = None
    liquidity_quote: int | None = None  # quote-token base units in the pool
    block_number: int = 0
    elapsed_ms: float = 0.0  # analytics only


@dataclass(frozen=True, slots=True)
class Score:
    """ML ensemble output for a token: probability it is a scam, plus explanations."""

    token: str
    scam_probability: float  # ML output; never used as money
    contributions: tuple[tuple[str, float], ...] = ()
    model_version: str = ""


@dataclass(frozen=True, slots=True)
class Signal:
    """A strategy's wish to trade; risk turns it into a sized proposal or drops it."""

    strategy: str
    token: str
    pair: str
    side: Side
    reason: str
    strength: Decimal = Decimal(1)
    amount_in: int | None = None  # base units, when the strategy insists on a size


@dataclass(frozen=True, slots=True)
class RiskFactor:
    """One of the eight named risk factors: a 0..1 risk score and a one-line reason."""

    name: str
    score: Decimal
    explanation: str
    blocking: bool = False


@dataclass(frozen=True, slots=True)
class TradeProposal:
    """A sized trade waiting for the operator (or an auto-approve rule)."""

    id: str
    token: str
    pair: str
    venue: str
    side: Side
    amount_in: int  # base units of the input token
    min_amount_out: int  # base units of the output token
    quote_value: Decimal  # value in quote units (e.g. ETH), for limits and display
    slippage_bps: int
    verdict: Verdict
    factors: tuple[RiskFactor, ...] = ()
    ml_score: float | None = None
    price_impact_bps: int = 0
    gas_estimate: int = 0
    symbol: str = ""
    strategy: str = ""
    reason: str = ""


VERDICT_RANK = {Verdict.SAFE: 0, Verdict.UNKNOWN: 1, Verdict.RISKY: 2, Verdict.SCAM: 3}


def token_verdict(pools: Iterable[tuple[Verdict, int | None]]) -> Verdict:
    """One verdict for a token judged on several pools: the worst over pools with liquidity.

    ``pools``: (verdict, liquidity in quote base units or None) per pool. An order may route
    to any venue, so the token is as bad as its worst live pool. Empty pools count only when
    no pool has liquidity: a stranger's empty pair must not make an honest token look worse.
    """
    seen = list(pools)
    live = [v for v, liquidity in seen if liquidity] or [v for v, _ in seen]
    return max(live, key=VERDICT_RANK.__getitem__) if live else Verdict.UNKNOWN
