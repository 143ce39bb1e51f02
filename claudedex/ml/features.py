"""The one feature definition: FEATURES (name, unit, source, doc) and ``extract``.

Why one module: training, live scoring and backtest must compute the same numbers from the
same inputs, or a model is judged on data it never saw. Every input is an ``Observation``
taken at an explicit cut-off block; ``extract`` refuses an observation that holds anything
from after its cut-off (a report judged later, a swap in a later block), so look-ahead is an
error rather than a silent boost to the metrics.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from claudedex.domain import RiskReport, Severity, Verdict

E18 = 1e18
# Features are taken this many blocks after pair creation: training, serving and
# backtest share the cut-off, so no feature can read past it in one path and not another.
CUTOFF_BLOCKS = 20

SEVERITY_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3,
                 Severity.CRITICAL: 4}  # fmt: skip
# safety finding codes that become one 0/1 feature each (claudedex/safety emits them)
FINDING_CODES: tuple[str, ...] = (
    "HONEYPOT", "EXTREME_SELL_TAX", "HIGH_SELL_TAX", "SELL_TAX", "EXTREME_BUY_TAX",
    "HIGH_BUY_TAX", "BUY_TAX", "MAX_SELL_TRAP", "SELL_COOLDOWN", "GAS_TRAP", "SELL_GAS_HIGH",
    "LYING_BALANCE", "TRANSFER_BLOCKED", "BUY_FAILS", "SIMULATION_FAILED",
    "FRESH_WALLET_CANNOT_SELL", "OWNER_CAN_BLOCK_TRADING", "OWNER_CAN_BLOCK_SELLS",
    "OWNER_CAN_RAISE_SELL_TAX", "OWNER_CAN_RAISE_BUY_TAX", "OWNER_CAN_MINT",
    "OWNER_FUNCTIONS_HARMLESS", "UPGRADEABLE_PROXY", "BEACON_PROXY", "DELEGATECALL",
    "SELFDESTRUCT", "LP_UNLOCKED", "LP_BURNED", "CONCENTRATED_SUPPLY", "CREATOR_HOLDS_SUPPLY",
    "SUPPLY_NOT_LOGGED", "LOW_LIQUIDITY", "HIGH_PRICE_IMPACT", "CHECKS_FAILED", "NO_LIQUIDITY",
    "DEPLOYER_LAUNCHED_SCAMS",
)  # fmt: skip
SEQ_LEN = 20  # blocks after pair creation in one LSTM sequence
SEQ_CHANNELS: tuple[str, ...] = ("log_price_ratio", "log1p_buy_eth", "log1p_sell_eth",
                                 "n_buys", "n_sells", "log_liquidity_ratio")  # fmt: skip


@dataclass(frozen=True)
class Feature:
    name: str
    unit: str
    source: str  # safety | pool | holders | flow | deployer | social
    doc: str


def _f(name: str, unit: str, source: str, doc: str) -> Feature:
    return Feature(name, unit, source, doc)


FEATURES: tuple[Feature, ...] = (
    _f("verdict_scam", "0/1", "safety", "the safety verdict at/before cut-off is SCAM"),
    _f("verdict_risky", "0/1", "safety", "the safety verdict is RISKY"),
    _f("max_severity", "0..4", "safety", "highest finding severity (info=0 .. critical=4)"),
    _f("n_critical", "count", "safety", "number of critical findings"),
    _f("n_high", "count", "safety", "number of high findings"),
    _f("n_medium", "count", "safety", "number of medium findings"),
    _f("buy_tax_bps", "bps", "safety", "simulated buy tax (-1 when unknown)"),
    _f("sell_tax_bps", "bps", "safety", "simulated sell tax (-1 when unknown)"),
    _f("transfer_tax_bps", "bps", "safety", "simulated wallet-to-wallet transfer tax"),
    _f("sell_gas_k", "kgas", "safety", "gas of the simulated sell, thousands"),
    *(_f(f"finding_{c.lower()}", "0/1", "safety", f"the report holds finding {c}")
      for c in FINDING_CODES),
    _f("liq_created_eth", "ETH", "pool", "quote reserve right after the first liquidity"),
    _f("liq_cutoff_eth", "ETH", "pool", "quote reserve at the cut-off block"),
    _f("log_liq_ratio", "ln", "pool", "ln(quote reserve at cut-off / at creation)"),
    _f("log_price_ratio", "ln", "pool", "ln(token price in quote at cut-off / at creation)"),
    _f("max_drawdown", "0..1", "pool", "largest fall of the price from its running peak"),
    _f("lp_creator_share", "0..1", "pool", "share of LP tokens the deployer holds at cut-off"),
    _f("lp_burned_share", "0..1", "pool", "share of LP tokens at 0x0/0xdead at cut-off"),
    _f("log_supply_growth", "ln", "holders", "ln(total supply at cut-off / at creation)"),
    _f("top10_bps", "bps", "holders", "supply share of the top 10 holders outside the pool"),
    _f("largest_holder_bps", "bps", "holders", "supply share of the largest such holder"),
    _f("creator_share_bps", "bps", "holders", "supply share the deployer still holds"),
    _f("n_transfers", "count", "holders", "token Transfer events creation..cut-off"),
    _f("n_receivers", "count", "holders", "distinct Transfer recipients creation..cut-off"),
    _f("n_buys", "count", "flow", "pool buys (quote in) creation..cut-off"),
    _f("n_sells", "count", "flow", "pool sells (token in) creation..cut-off"),
    _f("buy_eth", "ETH", "flow", "quote volume of the buys"),
    _f("sell_eth", "ETH", "flow", "quote volume of the sells"),
    _f("sell_buy_count_ratio", "ratio", "flow", "n_sells / (n_buys + 1)"),
    _f("sell_buy_volume_ratio", "ratio", "flow", "sell_eth / (buy_eth + 0.001)"),
    _f("n_buyers", "count", "flow", "distinct buy recipients"),
    _f("n_sellers", "count", "flow", "distinct sell senders (swap `to` of sells)"),
    _f("last5_swaps", "count", "flow", "swaps in the last 5 blocks before cut-off"),
    _f("deployer_nonce", "count", "deployer", "transactions the deployer had sent (report)"),
    _f("deployer_tokens_seen", "count", "deployer", "other tokens of this deployer judged"),
    _f("deployer_scams_seen", "count", "deployer", "of those, judged scams"),
    _f("social_posts", "count", "social", "posts about the token up to the cut-off time"),
    _f("social_warn_posts", "count", "social", "posts warning about it (cannot sell, rug)"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
N_FEATURES = len(FEATURES)


def feature_set_hash() -> str:
    """Hash of the feature table and sequence layout: a model trained on another is refused."""
    payload = json.dumps({"features": [asdict(f) for f in FEATURES], "seq_len": SEQ_LEN,
                          "seq": SEQ_CHANNELS}, sort_keys=True)  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Swap:
    block: int
    is_buy: bool
    quote: int  # quote base units in (buy) or out (sell)
    trader: str


@dataclass(frozen=True)
class Observation:
    """Everything known about one token at ``cutoff``; ``report`` judged at/before it."""

    token: str
    pair: str
    created_block: int
    cutoff: int
    report: RiskReport | None
    liq_created: int  # quote base units
    token_res_created: int
    liq_cutoff: int
    token_res_cutoff: int
    lp_total: int
    lp_creator: int
    lp_burned: int
    supply_created: int
    supply_cutoff: int
    swaps: tuple[Swap, ...] = ()
    syncs: tuple[tuple[int, int, int], ...] = ()  # (block, reserve_token, reserve_quote)
    n_transfers: int = 0
    n_receivers: int = 0
    social_posts: int = 0
    social_warn_posts: int = 0
    social_likes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class LookAheadError(ValueError):
    """An observation holds data from after its cut-off block."""


def check_cutoff(obs: Observation) -> None:
    if obs.report is not None and obs.report.block_number > obs.cutoff:
        raise LookAheadError(f"report of {obs.token} judged at block {obs.report.block_number} "
                             f"after cut-off {obs.cutoff}")
    late = [s.block for s in obs.swaps if s.block > obs.cutoff]
    late += [b for b, _, _ in obs.syncs if b > obs.cutoff]
    if late:
        raise LookAheadError(f"{obs.token}: events in block {max(late)} after cut-off {obs.cutoff}")


def _ev_int(report: RiskReport | None, code: str, key: str, default: float = 0.0) -> float:
    if report is None:
        return default
    for f in report.findings:
        if f.code == code and key in f.evidence:
            try:
                return float(int(f.evidence[key]))
            except ValueError:
                return default
    return default


def _price(token_res: int, quote_res: int) -> float:
    return quote_res / token_res if token_res > 0 else 0.0


def _safety(r: RiskReport | None) -> list[float]:
    codes = {f.code for f in r.findings} if r else set()
    sev = [SEVERITY_RANK[f.severity] for f in r.findings] if r else []
    return [
        float(r is not None and r.verdict is Verdict.SCAM),
        float(r is not None and r.verdict is Verdict.RISKY),
        float(max(sev, default=0)),
        float(sev.count(4)), float(sev.count(3)), float(sev.count(2)),
        float(r.buy_tax_bps) if r and r.buy_tax_bps is not None else -1.0,
        float(r.sell_tax_bps) if r and r.sell_tax_bps is not None else -1.0,
        _ev_int(r, "ROUND_TRIP", "transfer_tax_bps", -1.0),
        _ev_int(r, "ROUND_TRIP", "sell_gas") / 1000.0,
        *(float(c in codes) for c in FINDING_CODES),
    ]  # fmt: skip


def _prices(obs: Observation) -> list[float]:
    out = [_price(obs.token_res_created, obs.liq_created)]
    out += [_price(t, q) for _, t, q in obs.syncs]
    return [p for p in out if p > 0]


def _drawdown(prices: list[float]) -> float:
    peak, worst = 0.0, 0.0
    for p in prices:
        peak = max(peak, p)
        if peak > 0:
            worst = max(worst, 1.0 - p / peak)
    return worst


def _log_ratio(a: float, b: float) -> float:
    return math.log(a / b) if a > 0 and b > 0 else (-10.0 if b > 0 else 0.0)


def extract(obs: Observation) -> list[float]:
    """The feature vector of one observation, in FEATURES order."""
    check_cutoff(obs)
    r = obs.report
    p0 = _price(obs.token_res_created, obs.liq_created)
    p1 = _price(obs.token_res_cutoff, obs.liq_cutoff)
    buys = [s for s in obs.swaps if s.is_buy]
    sells = [s for s in obs.swaps if not s.is_buy]
    buy_eth = sum(s.quote for s in buys) / E18
    sell_eth = sum(s.quote for s in sells) / E18
    posts = obs.social_posts  # likes are recorded but not a feature: live feeds lack them
    row = [
        *_safety(r),
        obs.liq_created / E18, obs.liq_cutoff / E18,
        _log_ratio(obs.liq_cutoff, obs.liq_created), _log_ratio(p1, p0),
        _drawdown(_prices(obs)),
        obs.lp_creator / obs.lp_total if obs.lp_total else 0.0,
        obs.lp_burned / obs.lp_total if obs.lp_total else 0.0,
        _log_ratio(obs.supply_cutoff, obs.supply_created),
        _ev_int(r, "HOLDERS", "top10_bps") or _ev_int(r, "CONCENTRATED_SUPPLY", "top10_bps"),
        _ev_int(r, "HOLDERS", "largest_bps") or _ev_int(r, "CONCENTRATED_SUPPLY", "largest_bps"),
        _ev_int(r, "CREATOR_HOLDS_SUPPLY", "share_bps"),
        float(obs.n_transfers), float(obs.n_receivers),
        float(len(buys)), float(len(sells)), buy_eth, sell_eth,
        len(sells) / (len(buys) + 1), sell_eth / (buy_eth + 0.001),
        float(len({s.trader for s in buys})), float(len({s.trader for s in sells})),
        float(sum(1 for s in obs.swaps if s.block > obs.cutoff - 5)),
        _ev_int(r, "DEPLOYER", "nonce") or _ev_int(r, "DEPLOYER_LAUNCHED_SCAMS", "nonce"),
        (_ev_int(r, "DEPLOYER", "tokens_seen")
         or _ev_int(r, "DEPLOYER_LAUNCHED_SCAMS", "tokens_seen")),
        float(len(_scams(r))),
        float(posts), float(obs.social_warn_posts),
    ]  # fmt: skip
    if len(row) != N_FEATURES:
        raise AssertionError(f"extract built {len(row)} values for {N_FEATURES} features")
    return row


def _scams(r: RiskReport | None) -> list[str]:
    if r is None:
        return []
    for f in r.findings:
        if f.code == "DEPLOYER_LAUNCHED_SCAMS":
            return [s for s in f.evidence.get("scams", "").split(",") if s]
    return []


def sequence(obs: Observation) -> npt.NDArray[np.float32]:
    """(SEQ_LEN, channels) per-block series for the LSTM: blocks created+1 .. created+SEQ_LEN.

    Blocks past the cut-off (a cut-off shorter than SEQ_LEN) are zero-padded.
    """
    check_cutoff(obs)
    out = np.zeros((SEQ_LEN, len(SEQ_CHANNELS)), dtype=np.float32)
    p0 = _price(obs.token_res_created, obs.liq_created)
    price, liq = p0, float(obs.liq_created)
    syncs = sorted(obs.syncs)
    j = 0
    for i in range(SEQ_LEN):
        block = obs.created_block + 1 + i
        if block > obs.cutoff:
            break
        while j < len(syncs) and syncs[j][0] <= block:
            _, t, q = syncs[j]
            price, liq = _price(t, q), float(q)
            j += 1
        in_block = [s for s in obs.swaps if s.block == block]
        b = [s.quote for s in in_block if s.is_buy]
        s_ = [s.quote for s in in_block if not s.is_buy]
        out[i] = (_log_ratio(price, p0), math.log1p(sum(b) / E18), math.log1p(sum(s_) / E18),
                  len(b), len(s_), _log_ratio(liq, float(obs.liq_created)))  # fmt: skip
    return out


def matrix(observations: list[Observation]) -> npt.NDArray[np.float64]:
    """Stack ``extract`` rows; the batch path of serving and training alike."""
    if not observations:
        return np.zeros((0, N_FEATURES))
    return np.asarray([extract(o) for o in observations], dtype=np.float64)


def sequences(observations: list[Observation]) -> npt.NDArray[np.float32]:
    if not observations:
        return np.zeros((0, SEQ_LEN, len(SEQ_CHANNELS)), dtype=np.float32)
    return np.stack([sequence(o) for o in observations])
