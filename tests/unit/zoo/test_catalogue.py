"""The family catalogue, its recipes and artifacts agree, and the scams are written variously."""

from __future__ import annotations

import dataclasses

import pytest

from claudedex.devnet.zoo import FAMILIES, HONEST_FAMILIES, RECIPES, SCAM_FAMILIES, TokenFamily
from claudedex.devnet.zoo.artifacts_loader import zoo_artifact

EXPECTED_SCAMS = {
    "honeypot",
    "extreme_sell_tax",
    "max_sell_trap",
    "cooldown",
    "owner_pause",
    "owner_blacklist",
    "hidden_mint",
    "fake_renounce",
    "proxy_swap",
    "lying_balance",
    "gas_trap",
    "rug_pull",
    "tax_hike",
    # simulator-fooling and time-bomb families (issue 14 items 1-2)
    "gasprice_gate",
    "codeless_seller_gate",
    "contract_recipient_block",
    "block_time_bomb",
    "timestamp_tax_ramp",
    # privileged-power families (issue 14 items 3-5, issue 18 items 6-8)
    "hidden_credit",
    "unbacked_sell",
    "external_oracle",
    "wipe_holder",
    "uups_upgrade",
    "lp_locker",
    "deep_slot_fee",
}


def test_catalogue_lists_every_family_with_a_recipe() -> None:
    assert set(SCAM_FAMILIES) == EXPECTED_SCAMS
    assert set(HONEST_FAMILIES) >= {"honest_renounced", "honest_ownable", "honest_fixed_tax",
                                    "honest_cooldown"}
    assert set(RECIPES) == set(FAMILIES)
    for name, family in FAMILIES.items():
        assert family.name == name
        assert family.description and family.fires
        assert RECIPES[name].family == name
        if not family.scam:
            assert family.action is None
    scheduled = {n: f.action for n, f in FAMILIES.items() if f.action}
    assert scheduled == {
        "owner_pause": "pause",
        "owner_blacklist": "blacklist",
        "hidden_mint": "mint_dump",
        "fake_renounce": "hidden_admin_fee",
        "proxy_swap": "proxy_upgrade",
        "rug_pull": "rug_pull",
        "tax_hike": "tax_hike",
        "hidden_credit": "credit_dump",
        "unbacked_sell": "unbacked_dump",
        "external_oracle": "policy_freeze",
        "wipe_holder": "wipe",
        "uups_upgrade": "uups_upgrade",
        "lp_locker": "locker_rug",
        "deep_slot_fee": "fee_manager_hike",
    }


def test_token_family_is_frozen() -> None:
    fam = FAMILIES["honeypot"]
    assert isinstance(fam, TokenFamily)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fam.scam = False  # type: ignore[misc]


def test_every_family_has_its_own_bytecode() -> None:
    codes = {name: zoo_artifact(RECIPES[name].contract_name).bytecode for name in FAMILIES}
    assert len(set(codes.values())) == len(codes)
    assert all(len(code) > 500 for code in codes.values())


def test_scam_sources_do_not_share_one_spelling() -> None:
    """No single admin-function name or selector marks the scams: downstream detectors must
    judge behaviour, not spelling."""
    names_per_family = []
    for name in SCAM_FAMILIES:
        abi = zoo_artifact(RECIPES[name].contract_name).abi
        names_per_family.append({i["name"] for i in abi if i.get("type") == "function"})
    standard = {"name", "symbol", "decimals", "totalSupply", "balanceOf", "allowance",
                "approve", "transfer", "transferFrom", "owner"}  # fmt: skip
    shared = set.intersection(*names_per_family) - standard
    assert shared == set()
    admin_names = set().union(*names_per_family) - standard
    assert len(admin_names) >= 15
