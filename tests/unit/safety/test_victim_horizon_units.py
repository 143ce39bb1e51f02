"""The arithmetic and decisions behind the wallet legs and the horizons (no node needed)."""

from __future__ import annotations

from typing import Any

from claudedex.domain import Severity
from claudedex.safety.horizons import (
    BLOCK_SPAN_CAP,
    HORIZONS,
    decayed_at,
    horizon_block_offsets,
    horizon_findings,
    horizon_leg_names,
    horizon_results,
)
from claudedex.safety.prober import Leg
from claudedex.safety.roundtrip import LEG_NAMES, RoundTrip
from claudedex.safety.sellability import judge_round_trip
from claudedex.safety.victim import (
    ETH_TRANSFER_LOG,
    TRANSFER_TOPIC,
    VICTIM,
    WITHDRAWAL_TOPIC,
    VictimTrip,
    WalletLeg,
    _sell_leg,
    next_base_fee,
)
from claudedex.safety.victim_findings import victim_findings

GWEI = 10**9


def _head(base: int, used: int, limit: int = 30_000_000) -> dict[str, str]:
    return {"baseFeePerGas": hex(base), "gasUsed": hex(used), "gasLimit": hex(limit)}


def test_next_base_fee_follows_eip_1559() -> None:
    assert next_base_fee(_head(8 * GWEI, 15_000_000)) == 8 * GWEI
    assert next_base_fee(_head(8 * GWEI, 30_000_000)) == 9 * GWEI  # full block: +12.5 %
    assert next_base_fee(_head(8 * GWEI, 0)) == 7 * GWEI  # empty block: -12.5 %
    assert next_base_fee({"gasUsed": "0x0", "gasLimit": "0x1"}) == 0  # pre-London chain


def _word(v: int) -> str:
    return "0x" + v.to_bytes(32, "big").hex()


def _call(logs: list[dict[str, Any]], status: str = "0x1") -> dict[str, Any]:
    return {"status": status, "logs": logs, "gasUsed": "0x1", "returnData": "0x"}


QUOTE = {"status": "0x1", "returnData": "0x" + (
    (32).to_bytes(32, "big") + (2).to_bytes(32, "big") + (5).to_bytes(32, "big")
    + (1000).to_bytes(32, "big")).hex()}


def test_sell_proceeds_from_traced_eth_else_the_last_weth_unwrap() -> None:
    victim_topic = "0x" + "00" * 12 + VICTIM[2:]
    zero = "0x" + "00" * 32
    traced: dict[str, Any] = {"address": ETH_TRANSFER_LOG, "data": _word(900),
                              "topics": [TRANSFER_TOPIC, zero, victim_topic]}
    unwrap: dict[str, Any] = {"address": "0x" + "11" * 20, "topics": [WITHDRAWAL_TOPIC, zero]}
    leg = _sell_leg(QUOTE, _call([traced]), 5)
    assert (leg.expected, leg.received, leg.tax_bps()) == (1000, 900, 1000)
    swap_back, own = {**unwrap, "data": _word(50)}, {**unwrap, "data": _word(800)}
    assert _sell_leg(QUOTE, _call([swap_back, own]), 5).tax_bps() == 2000
    assert _sell_leg(QUOTE, _call([]), 5).tax_bps() is None  # proceeds unknown: no tax


def _ok(expected: int = 1000, received: int = 1000, amount: int = 10) -> Leg:
    return Leg(True, True, expected, received, 100_000, 0, amount, amount, amount, 10**9, 10**6,
               10**6)


FAILED = Leg(True, False, amount=10)


def _trip(sell_now: Leg, held: list[Leg], fresh_buy: Leg | None = None) -> RoundTrip:
    legs = {n: _ok() for n in LEG_NAMES}
    legs.update(sell_all=sell_now, sell_part=sell_now, sell_dust=sell_now,
                sell_unlimited=sell_now)
    for i, leg in enumerate(held):
        legs[f"hold_sell_{i}"] = leg
        legs[f"fresh_sell_{i}"] = leg
        if fresh_buy is not None:
            legs[f"fresh_buy_{i}"] = fresh_buy
    return RoundTrip(legs, "eth_simulateV1")


def _codes(rt: RoundTrip) -> dict[str, dict[str, str]]:
    return {f.code: f.evidence for f in judge_round_trip(rt).findings}


def test_every_horizon_has_three_legs_in_time_order() -> None:
    assert len(horizon_leg_names()) == 3 * len(HORIZONS)
    assert [h.seconds for h in HORIZONS] == sorted(h.seconds for h in HORIZONS)
    assert [h.blocks for h in HORIZONS] == sorted(h.blocks for h in HORIZONS)
    assert HORIZONS[-1].seconds > 7 * 86400 and {1000, 10_000} <= {h.blocks for h in HORIZONS}


def test_capped_block_offsets_stay_increasing_and_inside_the_cap() -> None:
    capped = horizon_block_offsets(BLOCK_SPAN_CAP)
    assert capped == sorted(set(capped)) and capped[-1] < BLOCK_SPAN_CAP
    assert capped[:2] == [h.blocks for h in HORIZONS[:2]]  # small horizons keep theirs
    assert horizon_block_offsets() == [h.blocks for h in HORIZONS]


def test_sell_that_stops_working_is_a_time_bomb() -> None:
    held = [_ok(), _ok(), _ok(), FAILED, FAILED, FAILED, FAILED, FAILED]
    codes = _codes(_trip(_ok(), held))
    assert codes["SELLS_FAIL_LATER"]["horizon"] == "+1,000 blocks"


def test_sell_that_starts_working_is_a_cooldown_with_its_duration() -> None:
    codes = _codes(_trip(FAILED, [_ok()] * len(HORIZONS)))
    assert codes["SELL_COOLDOWN"]["duration_s"] == "60"
    assert "SELLS_FAIL_LATER" not in codes and "HONEYPOT" not in codes
    never = _codes(_trip(FAILED, [FAILED] * len(HORIZONS)))
    assert "HONEYPOT" in never and "SELL_COOLDOWN" not in never


def test_rising_tax_is_a_time_bomb_and_decaying_tax_is_not() -> None:
    held = [_ok()] * 5 + [_ok(received=100)] * 3  # 90 % from +24 h
    rise = horizon_findings(horizon_results(_trip(_ok(), held).legs), True, 0, 0)
    assert [(f.code, f.severity) for f in rise] == [("SELL_TAX_RISES_LATER", Severity.CRITICAL)]
    decaying = [_ok(received=700)] + [_ok(received=990)] * 7  # 30 % at +1 min, 1 % after
    results = horizon_results(_trip(_ok(received=700), decaying).legs)
    assert decayed_at(results, 3000) is results[1]
    codes = _codes(_trip(_ok(received=700), decaying))
    assert codes["LAUNCH_TAX_DECAYS"]["duration_s"] == "600"
    assert "HIGH_SELL_TAX" not in codes


def _wallet(buy: WalletLeg, sell: WalletLeg) -> VictimTrip:
    later = tuple((h, WalletLeg(sell.ok, 5, 1000, sell.received)) for h in HORIZONS)
    return VictimTrip("eth_simulateV1", GWEI + 7, 7, buy, sell, later)


def _judged(trip: VictimTrip, bought: bool = True, sold: bool = True) -> set[str]:
    return {f.code for f in victim_findings(trip, prober_bought=bought, prober_sold=sold,
                                            prober_buy_tax=0 if bought else None,
                                            prober_sell_tax=0 if sold else None, known=set())}


def test_wallet_differences_are_findings() -> None:
    bought = WalletLeg(True, 10**17, 1000, 1000)
    sold = WalletLeg(True, 5, 1000, 1000)
    assert _judged(_wallet(bought, sold)) == {"VICTIM_TRADE"}
    assert "VICTIM_CANNOT_SELL" in _judged(_wallet(bought, WalletLeg(False, 5)))
    assert "VICTIM_CANNOT_BUY" in _judged(_wallet(WalletLeg(False, 10**17), WalletLeg(False)))
    taxed = _judged(_wallet(bought, WalletLeg(True, 5, 1000, 100)))
    assert "VICTIM_SELL_TAX_HIGHER" in taxed
    blocked = _judged(_wallet(bought, WalletLeg(False, 5)), bought=False, sold=False)
    assert {"CONTRACT_BUYERS_BLOCKED", "HONEYPOT"} <= blocked
