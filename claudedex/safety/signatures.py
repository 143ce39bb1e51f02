"""Function signatures: the standard ones we never probe, and common admin ones we know.

Why a table: with the signature known, probing can pass well-typed plausible arguments
(a bool both ways, the buyer's address, a 99 % tax). Unknown selectors still get probed with
generic argument shapes (see ``generic_variants``); the table only makes probing cheaper.
"""

from __future__ import annotations

import itertools

from eth_utils.crypto import keccak

from claudedex.rpc.words import addr_word, word
from claudedex.safety.prober import PROBER, REVERT_IMPL


def selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


STANDARD = frozenset(selector(s) for s in (
    "name()", "symbol()", "decimals()", "totalSupply()", "balanceOf(address)",
    "allowance(address,address)", "approve(address,uint256)", "transfer(address,uint256)",
    "transferFrom(address,address,uint256)", "increaseAllowance(address,uint256)",
    "decreaseAllowance(address,uint256)", "owner()", "getOwner()", "renounceOwnership()",
    "transferOwnership(address)", "DOMAIN_SEPARATOR()", "nonces(address)",
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "implementation()",
    "admin()", "proxiableUUID()", "supportsInterface(bytes4)",
))

KNOWN_ADMIN = (
    "setTrading(bool)", "setTradingEnabled(bool)", "enableTrading()", "openTrading()",
    "pause()", "unpause()", "setPaused(bool)", "setBots(address[],bool)", "blacklist(address)",
    "setBlacklist(address,bool)", "addBots(address[])", "blockBots(address[])",
    "setBot(address,bool)", "mint(address,uint256)", "mint(uint256)", "syncRewards(uint256)",
    "setFee(uint256)", "setFees(uint256,uint256)", "setTaxes(uint256,uint256)",
    "updateTaxes(uint256,uint256)", "updateFees(uint8,uint8)", "setSellFee(uint256)",
    "setBuyFee(uint256)", "setTaxFeePercent(uint256)", "setMaxTxAmount(uint256)",
    "setMaxTxPercent(uint256)", "setMaxWalletSize(uint256)", "setCooldown(bool,uint256)",
    "setCooldownEnabled(bool)", "upgradeTo(address)", "upgradeToAndCall(address,bytes)",
    "excludeFromFee(address)", "setSwapEnabled(bool)", "setWebsite(string)",
)
KNOWN: dict[str, tuple[str, list[str]]] = {}
for _sig in KNOWN_ADMIN:
    _args = _sig[_sig.index("(") + 1:-1]
    KNOWN[selector(_sig)] = (_sig, [t for t in _args.split(",") if t])

BIG = 10**30


def _values(kind: str, caller: str) -> list[object]:
    if kind == "bool":
        return [True, False]
    if kind == "address":
        return [PROBER, REVERT_IMPL, caller]
    if kind == "address[]":
        return [[PROBER]]
    if kind.startswith("uint"):
        bits = int(kind[4:] or 256)
        return [v for v in (99, 9900, BIG) if v < 2**bits]
    if kind == "string":
        return ["x"]
    if kind == "bytes":
        return [b""]
    return []


def typed_variants(types: list[str], caller: str, limit: int = 8) -> list[bytes]:
    """Plausible argument tuples for a known signature (uints move together)."""
    from eth_abi.abi import encode  # 17 ms to import: a replay never probes

    if not types:
        return [b""]
    if all(t.startswith("uint") for t in types):
        values = _values(types[0], caller)
        return [encode(types, [v] * len(types)) for v in values][:limit]
    combos = itertools.product(*(_values(t, caller) for t in types))
    return [encode(types, list(c)) for c in itertools.islice(combos, limit)]


def generic_variants(caller: str) -> list[bytes]:
    """Argument shapes that decode for the common admin signatures, for unknown selectors."""
    p, c, r = addr_word(PROBER), addr_word(caller), addr_word(REVERT_IMPL)
    return [
        b"",
        word(1),
        word(0),
        p,
        p + word(1),
        c + word(BIG),
        word(BIG),
        word(99),
        word(9900),
        word(99) + word(99),
        word(9900) + word(9900),
        word(0x20) + word(1) + p,
        word(0x40) + word(1) + word(1) + p,
        r,
    ]


def describe(sel: str) -> str:
    """The known signature of a selector, or the selector itself."""
    known = KNOWN.get(sel)
    return known[0] if known else sel
