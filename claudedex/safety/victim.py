"""The victim's transaction: the round trip exactly as a wallet would send it.

Why a second simulation next to the Prober's: the Prober is a contract, ``tx.origin`` is
another address and its calls carry gas price 0 in blocks with base fee 0. A token can read
each of those and let only simulators sell. Here the trader is a plain address, and every
field the EVM lets a token read is pinned to what a real wallet's transaction in the next
block would show:

- ``tx.origin`` and ``msg.sender`` (at the router): both :data:`VICTIM`, an address with no
  code (``extcodesize`` 0, code forced empty by state override) and nonce 0, like a new
  wallet;
- ``tx.gasprice``: the next block's base fee plus a :data:`TIP_WEI` priority fee (EIP-1559
  fields, ``maxFeePerGas`` twice the base fee plus the tip), never 0;
- ``block.basefee``: the next block's base fee, computed from the head block by the
  EIP-1559 rule, and ``validation: true`` so the node charges it like a real block;
- ``block.number`` / ``block.timestamp``: the head's plus one block and :data:`BLOCK_SECONDS`;
  ``block.gaslimit`` and ``block.coinbase``: the head block's (the next block's are not
  known earlier and almost never change);
- balances: the victim holds the trade plus :data:`SPARE_WEI` for gas (state override) and
  pays real gas for each call; the pool's and everyone else's balances are the chain's;
- call depth: the swap is the transaction itself (router, pair, token), as from a wallet;
- gas left: each transaction's gas limit is :data:`VICTIM_GAS`, the same budget the
  Prober's legs give the router, so ``gasleft()`` in the token is a wallet's.
- ``block.chainid``: the node's own.
Not pinned, because nobody can know them before the block exists: ``block.prevrandao`` and
the block hash of the next block. The horizon blocks keep the same base fee, gas limit and
coinbase; only their number and timestamp move (capped in number as in
``safety.horizons`` on nodes that limit a simulation's span). The integration test
``test_simulated_wallet_sees_what_a_real_next_transaction_sees`` reads every pinned field
from inside the EVM and compares it with a real transaction mined next.

The wallet's calls are the router's fee-on-transfer variants a wallet uses:
``swapExactETHForTokensSupportingFeeOnTransferTokens`` to buy, ``approve`` then
``swapExactTokensForETHSupportingFeeOnTransferTokens`` to sell. Half the bought tokens are
sold in the next block; the rest is sold in equal parts at every horizon of
``safety.horizons``. A wallet cannot sell "everything it got" without knowing the amount,
so the sell amounts come from the Prober's buy (same state, same size); when the wallet
got fewer tokens than that, the simulation is run once more with what it really got.

Nodes without eth_simulateV1 get one eth_call of the wallet's buy with the same gas price
(sells cannot be tried there; the report says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak

from claudedex.errors import RpcError
from claudedex.rpc.reader import ChainReader
from claudedex.safety.horizons import (
    BLOCK_SECONDS,
    BLOCK_SPAN_CAP,
    HORIZONS,
    Horizon,
    horizon_block_offsets,
)
from claudedex.safety.prober import Market
from claudedex.safety.roundtrip import NORMAL_GAS, PrefixCall

VICTIM = "0x" + keccak(b"claudedex.safety.victim-wallet")[12:].hex()
TIP_WEI = 10**9  # 1 gwei: a wallet's usual priority fee
SPARE_WEI = 2 * 10**18  # ETH the wallet holds besides the trade, for gas
VICTIM_GAS = NORMAL_GAS
DEADLINE_S = 1200  # a wallet's swap deadline: 20 minutes after the block
ETH_TRANSFER_LOG = "0x" + "ee" * 20  # where traceTransfers reports native ETH moves
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
WITHDRAWAL_TOPIC = "0x" + keccak(text="Withdrawal(address,uint256)").hex()  # WETH9 unwrap

_AMOUNTS_OUT = keccak(text="getAmountsOut(uint256,address[])")[:4]
_BUY = keccak(text="swapExactETHForTokensSupportingFeeOnTransferTokens("
                   "uint256,address[],address,uint256)")[:4]
_SELL = keccak(text="swapExactTokensForETHSupportingFeeOnTransferTokens("
                    "uint256,uint256,address[],address,uint256)")[:4]
_APPROVE = keccak(text="approve(address,uint256)")[:4]
_BALANCE_OF = keccak(text="balanceOf(address)")[:4]


@dataclass(frozen=True, slots=True)
class WalletLeg:
    """One wallet trade: whether it succeeded, the quote, what arrived, gas used.

    ``amount``: tokens sold (sells) or wei paid (buys); ``expected``: the router's quote;
    ``received``: tokens (buy: balanceOf after) or wei (sell: ETH that reached the wallet).
    """

    ok: bool
    amount: int = 0
    expected: int = 0
    received: int = 0
    gas: int = 0

    @property
    def attempted(self) -> bool:
        return self.amount > 0

    def tax_bps(self) -> int | None:
        """Shortfall of ``received`` against the quote, in bps (None: no successful trade)."""
        if not self.ok or self.expected <= 0:
            return None
        return max((self.expected - self.received) * 10_000 // self.expected, 0)


@dataclass(frozen=True)
class VictimTrip:
    """The wallet's round trip and the fee environment it ran in (wei)."""

    method: str
    gas_price: int
    base_fee: int
    buy: WalletLeg
    sell: WalletLeg = WalletLeg(ok=False)
    horizons: tuple[tuple[Horizon, WalletLeg], ...] = ()
    error: str = ""
    runs: int = 1
    extra: dict[str, str] = field(default_factory=dict)


def next_base_fee(head: dict[str, Any]) -> int:
    """The base fee of the block after ``head`` by EIP-1559 (0 on a chain without one)."""
    if head.get("baseFeePerGas") is None:
        return 0
    base = int(head["baseFeePerGas"], 16)
    used, limit = int(head.get("gasUsed", "0x0"), 16), int(head.get("gasLimit", "0x0"), 16)
    target = limit // 2
    if target == 0 or used == target:
        return base
    if used > target:
        return base + max(base * (used - target) // target // 8, 1)
    return base - base * (target - used) // target // 8


def _fees(base_fee: int) -> dict[str, str]:
    if base_fee == 0:
        return {"gasPrice": hex(TIP_WEI)}
    return {"maxFeePerGas": hex(2 * base_fee + TIP_WEI), "maxPriorityFeePerGas": hex(TIP_WEI)}


def _tx(to: str, data: bytes, fees: dict[str, str], value: int = 0,
        sender: str = VICTIM) -> dict[str, Any]:
    tx = {"from": sender, "to": to, "data": "0x" + data.hex(), "gas": hex(VICTIM_GAS), **fees}
    if value:
        tx["value"] = hex(value)
    return tx


def _quote(market: Market, amount: int, path: list[str], fees: dict[str, str]) -> dict[str, Any]:
    from eth_abi.abi import encode  # 17 ms to import: a replay never probes

    return _tx(market.router, _AMOUNTS_OUT + encode(["uint256", "address[]"], [amount, path]),
               fees)


def _sell_calls(market: Market, amount: int, deadline: int,
                fees: dict[str, str]) -> list[dict[str, Any]]:
    from eth_abi.abi import encode  # 17 ms to import: a replay never probes

    path = [market.token, market.quote]
    data = _SELL + encode(["uint256", "uint256", "address[]", "address", "uint256"],
                          [amount, 0, path, VICTIM, deadline])
    return [_quote(market, amount, path, fees), _tx(market.router, data, fees)]


@dataclass(frozen=True)
class WalletEnv:
    """What a wallet's transaction in the block after ``head`` runs with.

    ``block``: blockOverrides shared by every simulated block (base fee, gas limit,
    coinbase; number and time are set per block); ``fees``: the transaction's fee fields;
    ``state``: the state override that makes :data:`VICTIM` a funded, codeless wallet.
    """

    block: dict[str, str]
    fees: dict[str, str]
    state: dict[str, Any]
    base_fee: int


def wallet_env(head: dict[str, Any], amount_in: int) -> WalletEnv:
    """The pinned environment of the module docstring, for a trade of ``amount_in`` wei."""
    base_fee = next_base_fee(head)
    env: dict[str, str] = {"gasLimit": str(head["gasLimit"])}
    if head.get("miner"):
        env["feeRecipient"] = str(head["miner"])
    if base_fee:
        env["baseFeePerGas"] = hex(base_fee)
    state = {VICTIM: {"balance": hex(amount_in + SPARE_WEI), "code": "0x", "nonce": "0x0"}}
    return WalletEnv(env, _fees(base_fee), state, base_fee)


def build_blocks(
    market: Market, amount_in: int, head: dict[str, Any], predicted: int,
    prefix: tuple[PrefixCall, ...] = (), block_cap: int | None = None,
) -> list[dict[str, Any]]:
    """The eth_simulateV1 blocks of the wallet's round trip (see the module docstring);
    ``block_cap`` as in ``horizons.horizon_block_offsets``."""
    from eth_abi.abi import encode  # 17 ms to import: a replay never probes

    t0, n0 = int(head["timestamp"], 16), int(head["number"], 16)
    wallet = wallet_env(head, amount_in)
    env, fees, overrides = wallet.block, wallet.fees, wallet.state
    blocks: list[dict[str, Any]] = []
    k = 0
    if prefix:
        blocks.append({
            "blockOverrides": {**env, "number": hex(n0 + 1), "time": hex(t0 + BLOCK_SECONDS)},
            "calls": [_tx(p.to, p.data, fees, p.value, sender=p.sender) for p in prefix]})
        k = 1
    t_launch, n_launch = t0 + BLOCK_SECONDS * (1 + k), n0 + 1 + k
    buy_path = [market.quote, market.token]
    buy = _BUY + encode(["uint256", "address[]", "address", "uint256"],
                        [0, buy_path, VICTIM, t_launch + DEADLINE_S])
    blocks.append({
        "blockOverrides": {**env, "number": hex(n_launch), "time": hex(t_launch)},
        "stateOverrides": overrides,
        "calls": [_quote(market, amount_in, buy_path, fees),
                  _tx(market.router, buy, fees, amount_in),
                  _tx(market.token, _BALANCE_OF + encode(["address"], [VICTIM]), fees)]})
    now_part = predicted // 2
    later_part = (predicted - now_part) // len(HORIZONS)
    t_next = t_launch + BLOCK_SECONDS
    approve = _APPROVE + encode(["address", "uint256"], [market.router, 2**256 - 1])
    blocks.append({
        "blockOverrides": {**env, "number": hex(n_launch + 1), "time": hex(t_next)},
        "calls": [_tx(market.token, approve, fees),
                  *_sell_calls(market, now_part, t_next + DEADLINE_S, fees)]})
    for h, offset in zip(HORIZONS, horizon_block_offsets(block_cap), strict=True):
        t = t_launch + h.seconds
        blocks.append({
            "blockOverrides": {**env, "number": hex(n_launch + offset), "time": hex(t)},
            "calls": _sell_calls(market, later_part, t + DEADLINE_S, fees)})
    return blocks


def _word(call: dict[str, Any]) -> int:
    data = bytes.fromhex(str(call.get("returnData", "0x"))[2:])
    return int.from_bytes(data[:32], "big") if len(data) >= 32 else 0


def _quoted(call: dict[str, Any]) -> int:
    from eth_abi.abi import decode  # 17 ms to import: a replay never probes
    from eth_abi.exceptions import DecodingError

    if int(call["status"], 16) != 1:
        return 0
    try:
        (amounts,) = decode(["uint256[]"], bytes.fromhex(str(call["returnData"])[2:]))
    except (DecodingError, ValueError):  # a router answering garbage quotes nothing
        return 0
    return int(amounts[-1]) if len(amounts) >= 2 else 0


def _eth_in(call: dict[str, Any]) -> int | None:
    """Wei that reached the victim in ``call``: traceTransfers' synthetic ETH logs, else the
    WETH ``Withdrawal`` the router made for it (None: the node shows neither)."""
    victim_topic = "0x" + "00" * 12 + VICTIM[2:]
    traced = unwrapped = 0
    seen = False
    for log in call.get("logs", []):
        topics = [str(t).lower() for t in log.get("topics", [])]
        if not topics:
            continue
        if (str(log.get("address", "")).lower() == ETH_TRANSFER_LOG and len(topics) == 3
                and topics[0] == TRANSFER_TOPIC and topics[2] == victim_topic):
            traced += int(str(log.get("data", "0x0")), 16)
            seen = True
        elif topics[0] == WITHDRAWAL_TOPIC:  # the router's own unwrap comes last (a
            unwrapped = int(str(log.get("data", "0x0")), 16)  # token's swap-back is earlier)
    if seen:
        return traced
    return unwrapped or None


def _sell_leg(quote: dict[str, Any], swap: dict[str, Any], amount: int) -> WalletLeg:
    ok = int(swap["status"], 16) == 1
    got = _eth_in(swap) if ok else 0
    # a sell whose proceeds the node does not show has no measurable tax (no quote)
    expected = _quoted(quote) if got is not None else 0
    return WalletLeg(ok, amount, expected, got or 0, int(swap.get("gasUsed", "0x0"), 16))


def parse_blocks(result: list[Any], amount_in: int, predicted: int, has_prefix: bool,
                 base_fee: int) -> VictimTrip:
    """Decode the simulated blocks built by :func:`build_blocks`."""
    blocks = result[1:] if has_prefix else result
    launch, nxt, later = blocks[0]["calls"], blocks[1]["calls"], blocks[2:]
    bought = int(launch[1]["status"], 16) == 1
    buy = WalletLeg(bought, amount_in, _quoted(launch[0]), _word(launch[2]) if bought else 0,
                    int(launch[1].get("gasUsed", "0x0"), 16))
    now_part = predicted // 2
    later_part = (predicted - now_part) // len(HORIZONS)
    sell = _sell_leg(nxt[1], nxt[2], now_part if bought else 0)
    horizons = tuple((h, _sell_leg(b["calls"][0], b["calls"][1], later_part if bought else 0))
                     for h, b in zip(HORIZONS, later, strict=True))
    return VictimTrip("eth_simulateV1", base_fee + TIP_WEI, base_fee, buy, sell, horizons)


async def _simulate(reader: ChainReader, blocks: list[dict[str, Any]]) -> list[Any]:
    payload = {"blockStateCalls": blocks, "validation": True, "traceTransfers": True}
    return list(await reader.request("eth_simulateV1", [payload, "latest"]))


def _expected_out(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    with_fee = amount_in * (10_000 - fee_bps)
    return with_fee * reserve_out // (reserve_in * 10_000 + with_fee)


async def simulate_victim(
    reader: ChainReader, market: Market, amount_in: int, head: dict[str, Any], predicted: int,
    *, prefix: tuple[PrefixCall, ...] = (), block_cap: int | None = None,
) -> VictimTrip:
    """The wallet's round trip by eth_simulateV1 (validation on); reruns once when the
    wallet got fewer tokens than ``predicted``. Raises RpcError when the node refuses."""
    base_fee = next_base_fee(head)
    runs = 0
    while True:
        runs += 1
        blocks = build_blocks(market, amount_in, head, predicted, prefix, block_cap)
        result = await _simulate(reader, blocks)
        trip = parse_blocks(result, amount_in, predicted, bool(prefix), base_fee)
        got = trip.buy.received
        if runs >= 2 or not trip.buy.ok or got >= predicted or got == 0:
            break
        predicted = got
    extra = {"predicted": str(predicted)}
    if block_cap is not None:
        extra["horizon_block_cap"] = str(block_cap)
    return VictimTrip(trip.method, trip.gas_price, base_fee, trip.buy, trip.sell, trip.horizons,
                      runs=runs, extra=extra)


async def call_victim_buy(
    reader: ChainReader, market: Market, amount_in: int, head: dict[str, Any]
) -> VictimTrip:
    """Fallback without eth_simulateV1: only the wallet's buy, by eth_call with its gas price."""
    from eth_abi.abi import encode  # 17 ms to import: a replay never probes

    base_fee = next_base_fee(head)
    gas_price = base_fee + TIP_WEI
    t = int(head["timestamp"], 16) + BLOCK_SECONDS
    data = _BUY + encode(["uint256", "address[]", "address", "uint256"],
                         [0, [market.quote, market.token], VICTIM, t + DEADLINE_S])
    tx = {"from": VICTIM, "to": market.router, "data": "0x" + data.hex(),
          "gas": hex(VICTIM_GAS), "gasPrice": hex(gas_price), "value": hex(amount_in)}
    overrides = {VICTIM: {"balance": hex(amount_in + SPARE_WEI), "code": "0x"}}
    try:
        await reader.request("eth_call", [tx, "latest", overrides])
        ok = True
    except RpcError:
        ok = False
    return VictimTrip("eth_call", gas_price, base_fee, WalletLeg(ok, amount_in))


async def victim_round_trip(
    reader: ChainReader, market: Market, amount_in: int, head: dict[str, Any], *,
    predicted: int = 0, reserves: tuple[int, int] = (0, 0),
    prefix: tuple[PrefixCall, ...] = (),
) -> VictimTrip:
    """The wallet's round trip, by the best method the node offers; never raises RpcError.

    ``predicted``: tokens the Prober's identical buy received (0: unknown; then the pool's
    ``reserves`` (quote, token) give the untaxed quote as a first guess).
    """
    if predicted <= 0 and reserves[0] > 0:
        predicted = _expected_out(amount_in, reserves[0], reserves[1])
    if not await reader.supports_simulate():
        return await call_victim_buy(reader, market, amount_in, head)
    try:
        try:
            return await simulate_victim(reader, market, amount_in, head, max(predicted, 1),
                                         prefix=prefix)
        except RpcError:  # most nodes limit a simulation to 256 blocks: cap the horizons
            return await simulate_victim(reader, market, amount_in, head, max(predicted, 1),
                                         prefix=prefix, block_cap=BLOCK_SPAN_CAP)
    except (RpcError, KeyError, IndexError, ValueError) as exc:
        return VictimTrip("eth_simulateV1", 0, 0, WalletLeg(ok=False), error=str(exc)[:300])
