"""How measured effects of a privileged call become findings (effects._judge)."""

from __future__ import annotations

from claudedex.safety.effects import _judge, _Measured
from claudedex.safety.prober import PROBER, Leg

PAIR = "0x" + "aa" * 20
OWNER = "0x" + "bb" * 20
POOL = 10**24
BAG = 10**21
SOLD = Leg(True, True, expected=1000, received=990, amount=BAG)


def _m(after: dict[str, int], *, events: list[tuple[str, str, int]] | None = None,
       supply_after: int = 10**27, sell: Leg = SOLD) -> _Measured:
    before = {PROBER: BAG, PAIR: POOL, OWNER: 0}
    return _Measured(True, before, after, 10**27, supply_after, events or [], sell)


BASE = _m({PROBER: BAG, PAIR: POOL, OWNER: 0})


def _codes(m: _Measured) -> list[str]:
    return [code for code, _, _ in _judge(m, BASE, PAIR)]


def test_nothing_changed_is_harmless() -> None:
    assert _codes(_m({PROBER: BAG, PAIR: POOL, OWNER: 0})) == []


def test_credit_without_event_or_supply_is_hidden() -> None:
    found = _judge(_m({PROBER: BAG, PAIR: POOL, OWNER: POOL}), BASE, PAIR)
    assert [c for c, _, _ in found] == ["HIDDEN_BALANCE_CREDIT"]
    assert "totalSupply unchanged" in found[0][1]


def test_evented_mint_is_not_hidden() -> None:
    minted = _m({PROBER: BAG, PAIR: POOL, OWNER: POOL},
                events=[("0x" + "00" * 20, OWNER, POOL)], supply_after=10**27 + POOL)
    assert _codes(minted) == []


def test_small_credit_below_a_percent_of_the_pool_is_ignored() -> None:
    assert _codes(_m({PROBER: BAG, PAIR: POOL, OWNER: POOL // 1000})) == []


def test_sweeping_the_buyer_is_a_wipe_even_with_an_event() -> None:
    swept = _m({PROBER: 0, PAIR: POOL, OWNER: BAG}, events=[(PROBER, OWNER, BAG)],
               sell=Leg(True, False))
    assert _codes(swept) == ["OWNER_CAN_WIPE_HOLDER"]  # not also "sells blocked"


def test_late_blacklist_blocks_sells() -> None:
    assert _codes(_m({PROBER: BAG, PAIR: POOL, OWNER: 0}, sell=Leg(True, False))) == [
        "OWNER_CAN_BLOCK_SELLS"]


def test_unreadable_balances_after_an_upgrade_are_not_judged() -> None:
    upgraded = _m({}, supply_after=-1, sell=Leg(True, False))
    assert _codes(upgraded) == ["OWNER_CAN_BLOCK_SELLS"]


def test_sell_tax_raised_between_buy_and_sell() -> None:
    taxed = _m({PROBER: BAG, PAIR: POOL, OWNER: 0},
               sell=Leg(True, True, expected=1000, received=10, amount=BAG))
    found = _judge(taxed, BASE, PAIR)
    assert [(c, s.value) for c, _, s in found] == [("OWNER_CAN_RAISE_SELL_TAX", "critical")]
