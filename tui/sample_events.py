"""A recorded console session: deterministic events for Pilot tests, snapshots and the
benchmark (fixed timestamps, fixed addresses, hostile token names included).

Why in the package: the snapshot tests, ``benchmarks/tui.py`` and a demo all replay the
same session, published onto a real engine's bus exactly as live components would.
"""

from __future__ import annotations

from decimal import Decimal

from claudedex.domain import (
    Finding,
    PairInfo,
    RiskFactor,
    RiskReport,
    Score,
    Severity,
    Side,
    TradeProposal,
    Verdict,
)
from claudedex.events import (
    AlertRaised,
    BlockSeen,
    EarlyWarningRaised,
    EquityMarked,
    Event,
    OrderFilled,
    PairDiscovered,
    PositionChanged,
    PriceTicked,
    RiskAssessed,
    SignalDecided,
    TokenScored,
    TradeProposed,
)

T0 = 1_700_000_000.0
NOW = T0 + 90.0
CHAIN = 31337
WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"
ETH = 10**18

MARKUP_NAME = "[bold red]FREE[/]"
ESCAPE_NAME = "\x1b]0;pwned\x07EVIL\x1b[2J"
LONG_NAME = "L" * 10_000


def addr(n: int, prefix: str = "a") -> str:
    return "0x" + (prefix * 4 + f"{n:036x}")[-40:]


def pair_info(n: int, symbol: str, name: str, block: int) -> PairInfo:
    return PairInfo(chain_id=CHAIN, venue="uniswap", pair=addr(n, "b"), token=addr(n, "c"),
                    quote=WETH, block_number=block, symbol=symbol, name=name)


TOKENS: tuple[tuple[str, str, Verdict, int, int], ...] = (
    # symbol, name, verdict, buy tax bps, sell tax bps
    ("PEPE2", "Pepe Two", Verdict.SAFE, 0, 0),
    ("TAXY", "Taxed Token", Verdict.RISKY, 500, 1_500),
    ("HONEY", "Sweet Honeypot", Verdict.SCAM, 0, 10_000),
    (MARKUP_NAME, MARKUP_NAME, Verdict.RISKY, 100, 100),
    (ESCAPE_NAME, ESCAPE_NAME, Verdict.UNKNOWN, 0, 0),
    (LONG_NAME, LONG_NAME, Verdict.SAFE, 0, 0),
)


def findings_for(verdict: Verdict, symbol: str) -> tuple[Finding, ...]:
    base = [Finding("sim.buy_sell", Severity.INFO, "buy and sell simulated on a fork",
                    {"buy_gas": "110421", "sell_gas": "98314"})]
    if verdict is Verdict.RISKY:
        base.append(Finding("tax.high", Severity.MEDIUM, f"sell tax is high for {symbol}",
                            {"sell_tax_bps": "1500", "buy_tax_bps": "500"}))
    if verdict is Verdict.SCAM:
        base.append(Finding("honeypot.sell_reverts", Severity.CRITICAL,
                            "every sell reverts: TRANSFER_FAILED",
                            {"revert": "TransferHelper: TRANSFER_FAILED", "block": "1210"}))
    return tuple(base)


def factors(verdict: Verdict) -> tuple[RiskFactor, ...]:
    high = verdict is not Verdict.SAFE
    return (
        RiskFactor("liquidity", Decimal("0.20"), "12.5 Ξ in the pool"),
        RiskFactor("tax", Decimal("0.70") if high else Decimal("0.05"),
                   "sell tax 15.0%" if high else "no tax"),
        RiskFactor("holders", Decimal("0.30"), "top holder owns 9%"),
        RiskFactor("contract", Decimal("0.10"), "verified, no mint"),
        RiskFactor("volatility", Decimal("0.45"), "5m range 18%"),
        RiskFactor("ml", Decimal("0.15"), "scam p 15%"),
        RiskFactor("exposure", Decimal("0.10"), "0.1 Ξ of 2 Ξ daily cap"),
        RiskFactor("drawdown", Decimal("0.00"), "no drawdown today",
                   blocking=False),
    )


def proposal(n: int, side: Side, verdict: Verdict, symbol: str, value: str) -> TradeProposal:
    amount = int(Decimal(value) * ETH)
    return TradeProposal(
        id=f"p-{n}", token=addr(n, "c"), pair=addr(n, "b"), venue="uniswap", side=side,
        amount_in=amount, min_amount_out=amount * 950, quote_value=Decimal(value),
        slippage_bps=300, verdict=verdict, factors=factors(verdict), ml_score=0.12 + n / 100,
        price_impact_bps=42 + n, gas_estimate=152_000 + n, symbol=symbol,
        strategy="momentum", reason="breakout above 5m high")


def contributions(i: int) -> tuple[tuple[str, float], ...]:
    """XGBoost-style log-odds contributions as the scorer emits them (pump last)."""
    return (("sell_tax_bps", round(0.4 * i - 0.3, 4)), ("lp_burned_share", -0.85),
            ("n_sells", round(0.12 * i, 4)), ("anomaly_score", 0.05),
            ("pump_probability", round(0.8 - 0.1 * i, 4)))


def session() -> list[Event]:
    """The recorded session in publication order."""
    events: list[Event] = [BlockSeen(ts=T0, chain_id=CHAIN, number=1_200,
                                     base_fee_wei=1_250_000_000)]
    for i, (symbol, name, verdict, buy_tax, sell_tax) in enumerate(TOKENS, start=1):
        info = pair_info(i, symbol, name, 1_200 + i)
        ts = T0 + 10 * i
        events.append(PairDiscovered(ts=ts, pair=info))
        events.append(RiskAssessed(ts=ts + 1, report=RiskReport(
            token=info.token, pair=info.pair, verdict=verdict,
            findings=findings_for(verdict, symbol), buy_tax_bps=buy_tax,
            sell_tax_bps=sell_tax, liquidity_quote=(5 + i) * ETH, block_number=1_200 + i)))
        events.append(TokenScored(ts=ts + 2, score=Score(
            token=info.token, scam_probability=0.9 if verdict is Verdict.SCAM else 0.05 * i,
            contributions=contributions(i), model_version="ens-1")))
    for step in range(12):
        for i in (1, 2):
            events.append(PriceTicked(ts=T0 + 70 + step, pair=addr(i, "b"),
                                      reserve_token=(1_000_000 - 7_000 * step * i) * ETH,
                                      reserve_quote=(6 + i) * ETH + step * i * ETH // 10,
                                      block_number=1_210 + step))
    events += [
        BlockSeen(ts=T0 + 85, chain_id=CHAIN, number=1_222, base_fee_wei=1_310_000_000),
        EarlyWarningRaised(ts=T0 + 80, token=addr(3, "c"), kind="owner_call",
                           detail="setTaxes(0, 10000) pending in mempool"),
        SignalDecided(ts=T0 + 81, token=addr(1, "c"), side="buy", strategy="momentum",
                      outcome="proposed", proposal_id="p-1", size_by="fixed sizing",
                      symbol="PEPE2"),
        SignalDecided(ts=T0 + 81, token=addr(2, "c"), side="buy", strategy="momentum",
                      outcome="proposed", proposal_id="p-2", size_by="price impact",
                      symbol="TAXY"),
        SignalDecided(ts=T0 + 82, token=addr(6, "c"), side="buy", strategy="momentum",
                      outcome="dropped", symbol="LONG",
                      reason="concentration: 3 positions open or pending (max 3)"),
        SignalDecided(ts=T0 + 83, token=addr(1, "c"), side="buy", strategy="momentum",
                      outcome="cooldown", symbol="PEPE2",
                      reason="a proposal for this token was made less than 60 s ago"),
        TradeProposed(ts=T0 + 81, proposal=proposal(1, Side.BUY, Verdict.SAFE, "PEPE2",
                                                     "0.25")),
        TradeProposed(ts=T0 + 82, proposal=proposal(2, Side.BUY, Verdict.RISKY, "TAXY",
                                                     "0.1")),
        TradeProposed(ts=T0 + 83, proposal=proposal(3, Side.SELL, Verdict.SCAM, "HONEY",
                                                     "0.05")),
        OrderFilled(ts=T0 + 84, order_id="o-1", token=addr(1, "c"), side="buy",
                    amount_in=ETH // 5, amount_out=190_000 * ETH, gas_cost_wei=152_000 * 10**9,
                    tx_hash="0x" + "ab" * 32, block_number=1_221),
        PositionChanged(ts=T0 + 84, token=addr(1, "c"), symbol="PEPE2", amount=190_000 * ETH,
                        cost_quote=ETH // 5, mark_quote=ETH * 23 // 100, realized_quote=0,
                        stop_loss=Decimal(15), take_profit=Decimal(30)),
        PositionChanged(ts=T0 + 84, token=addr(4, "c"), symbol=MARKUP_NAME,
                        amount=50_000 * ETH, cost_quote=ETH // 10, mark_quote=ETH * 8 // 100,
                        realized_quote=0),
        AlertRaised(ts=T0 + 86, level="warning", message=f"liquidity pulled on {MARKUP_NAME}",
                    source="safety"),
    ]
    equity = [10 * ETH + d * ETH // 100 for d in (0, 3, 5, 2, -4, 1, 6, 9, 7, 12)]
    for k, value in enumerate(equity):
        events.append(EquityMarked(ts=T0 + 60 + k, equity_quote=value,
                                   realized_quote=ETH // 50, unrealized_quote=value - 10 * ETH))
    return events


def synthetic_pair(n: int, ts: float) -> list[Event]:
    """A pair with a report and score, for load (benchmark: ten thousand of them)."""
    info = pair_info(10_000 + n, f"T{n}", f"Token {n}", 2_000 + n)
    verdict = (Verdict.SAFE, Verdict.RISKY, Verdict.SCAM, Verdict.UNKNOWN)[n % 4]
    return [
        PairDiscovered(ts=ts, pair=info),
        RiskAssessed(ts=ts, report=RiskReport(token=info.token, pair=info.pair, verdict=verdict,
                                              findings=findings_for(verdict, info.symbol),
                                              buy_tax_bps=n % 700, sell_tax_bps=n % 900,
                                              liquidity_quote=(n % 50 + 1) * ETH)),
    ]
