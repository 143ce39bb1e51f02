"""The paper venue: the exact swap the live engine would send, simulated on the live chain.

Why its own module: everything here exists so that a paper fill is never rosier than a
real send (the fees live would offer, the signer's caps, the approval's gas, a sell run
again after a buy by the same account, the tokens held on paper); none of it is used by
the venues that sign (:mod:`claudedex.execution.venue`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from claudedex.domain import Side
from claudedex.errors import ChainError, EngineHalted, SignerRefused
from claudedex.execution import calls, fills
from claudedex.execution.fees import GWEI, FeeCaps, Fees, fees_for
from claudedex.execution.order import Order
from claudedex.execution.states import OrderState
from claudedex.execution.venue import Fill, VenueContext

log = structlog.get_logger(__name__)
S = OrderState
BALANCE_SLOTS = 12  # storage slots probed for a token's balance mapping (Solidity layout)
MARK = 0x0C1A0DE0  # a marker balance: one value per probed slot tells which slot is real
PAPER_NONCE = 2**63  # what a paper swap shows the signer's check: no real nonce is used
Authorize = Callable[[dict[str, Any], str], Awaitable[int]]
SWAP_GAS = 3_000_000  # gas limits of the simulated calls (the swap, a sell's approval)
APPROVE_GAS = 200_000
UNCAPPED = FeeCaps(2**255, 2**255)  # a paper venue used without the engine's fee caps
_TOKENS_IN = ("uint256", "uint256", "address[]", "address", "uint256")  # *TokensForETH* args
_ROUTER_SELLS = frozenset(calls.selector(f"{name}({','.join(_TOKENS_IN)})").hex() for name in (
    "swapExactTokensForETH", "swapExactTokensForETHSupportingFeeOnTransferTokens"))


def _word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def _balance_key(account: str, slot: int) -> str:
    """Storage key of ``balances[account]`` for a Solidity mapping declared at ``slot``."""
    return "0x" + keccak(bytes(12) + bytes.fromhex(account[2:]) + slot.to_bytes(32, "big")).hex()


class PaperVenue:
    """Paper: the exact swap simulated on the live chain (``eth_simulateV1``), never sent.

    Buys run the planned router call with the paper account's ETH balance set by a state
    override. Sells give the paper account the tokens it holds on paper by overriding the
    token's balance mapping (its slot found by a one-request probe), approve the router and
    run the planned call. Fills are read from the simulated logs exactly as
    :mod:`claudedex.execution.fills` reads a receipt, so taxes and reverts are the chain's.
    Never rosier than a real send: the calls carry the fees live would offer (refused over
    the profile's caps), gas is booked as live pays it, a sell must also pass after a buy
    by the same account (:meth:`_locked_after_buy`), and with ``held`` a sell of more than
    the paper holdings is refused.
    Raises :class:`~claudedex.errors.ChainError` when the node cannot simulate.
    """

    name = "paper"
    signs = False

    def __init__(self, w3: Any, quote_token: str, *,
                 held: Callable[[str], int] | None = None,
                 authorize: Authorize | None = None) -> None:
        self.w3 = w3
        self.weth = to_checksum_address(quote_token)
        # the signer's check without a signature (GuardedSigner.authorize): a paper swap
        # passes the caps a live one would, and spends them; None: not checked
        self.authorize = authorize
        # the tokens held on paper (the portfolio's positions): a sell of more is refused,
        # as live's transferFrom would revert; None: not checked
        self.held = held
        self._slots: dict[str, int | None] = {}
        # token (lower) -> chain time of this venue's last paper buy of it: the age a sell
        # is checked at (a token may lock sells for a while after each buy)
        self._bought: dict[str, int] = {}

    async def _simulate(self, blocks: list[dict[str, Any]], base: str = "latest") -> list[Any]:
        resp = await self.w3.provider.make_request(
            "eth_simulateV1", [{"blockStateCalls": blocks, "validation": False}, base])
        if "error" in resp:
            raise ChainError(f"eth_simulateV1: {resp['error']}")
        return list(resp["result"])

    async def balance_slot(self, token: str, account: str) -> int | None:
        """The Solidity storage slot of ``token``'s balance mapping, or None if not found."""
        key = token.lower()
        if key not in self._slots:
            blocks = [{"stateOverrides": {token: {"stateDiff": {
                _balance_key(account, slot): _word(MARK + slot)}}},
                "calls": [{"from": account, "to": token,
                           "data": "0x" + calls.erc20_balance_of(account).hex()}]}
                for slot in range(BALANCE_SLOTS)]
            found: int | None = None
            for slot, block in enumerate(await self._simulate(blocks)):
                ret = block["calls"][0].get("returnData", "0x")
                if len(ret) >= 66 and int(ret[2:66], 16) == MARK + slot:
                    found = slot
                    break
            self._slots[key] = found
        return self._slots[key]

    async def prepare(self, order: Order, ctx: VenueContext) -> None:
        return None

    async def _fees(self, ctx: VenueContext, base_fee: int) -> Fees:
        """The fees the live engine would offer now, refused over the profile's caps."""
        try:
            tip = int(await self.w3.eth.max_priority_fee)
        except (ValueError, KeyError):  # nodes without eth_maxPriorityFeePerGas
            tip = GWEI
        caps = ctx.flow.caps if ctx.flow is not None else UNCAPPED
        return fees_for(base_fee, tip, caps)

    async def _locked_after_buy(self, order: Order, account: str, sell: dict[str, Any],
                                priced: dict[str, str]) -> str | None:
        """Why the sell reverts once the account has bought the token, else None.

        Live, the tokens were bought by this account, and a token may remember that (a
        cooldown after each buy, a buyer flagged on purchase); on paper the buy was only
        simulated and the tokens are placed by a storage override, so the sell simulation
        alone sees a fresh holder. Here the account first buys a little of the token (the
        sell's path reversed), then the same sell runs as long after it as the paper buy
        was ago (unknown: as late as the order's deadline allows). The fill itself is
        still read from the sell on the current state; this only refuses it.
        """
        if order.data[2:10] not in _ROUTER_SELLS:
            return None  # not a router sell we can read (an aggregator's call): no replay
        try:
            args = decode(list(_TOKENS_IN), bytes.fromhex(order.data[10:]))
        except (ValueError, DecodingError):
            return None
        path = [to_checksum_address(a) for a in reversed(args[2])]
        overrides = sell["stateOverrides"]
        times = sell["blockOverrides"]
        now = int(times["time"], 16)
        latest = max(order.deadline, now + 1)  # the last moment a live send could land
        bought = self._bought.get(order.token.lower())
        at = latest if bought is None else min(max(now + (now - bought), now + 1), latest)
        little = max(order.expected_out // 100, 10**9)
        buy = {"from": account, "to": order.router, "value": hex(little),
               "gas": hex(SWAP_GAS), **priced,
               "data": "0x" + calls.swap_exact_eth_for_tokens(
                   0, path, account, latest, fee_on_transfer=True).hex()}
        first = {"blockOverrides": times, "calls": [buy], "stateOverrides": {
            account: {"balance": hex(int(overrides[account]["balance"], 16) + little)}}}
        then = dict(sell, blockOverrides={**times, "number": hex(int(times["number"], 16) + 1),
                                          "time": hex(at)},
                    stateOverrides={k: v for k, v in overrides.items() if k != account})
        replay, after = await self._simulate([first, then], hex(int(times["number"], 16) - 1))
        if int(replay["calls"][0]["status"], 16) != 1:
            return None  # cannot buy now: nothing to compare with
        for done in after["calls"]:
            if int(done["status"], 16) != 1:
                return _revert_reason(done)
        return None

    async def fill(self, order: Order, ctx: VenueContext, prepared: Any = None) -> Fill | None:
        ctx.precheck()
        account = ctx.account
        if order.side is Side.SELL and self.held is not None:
            held = self.held(order.token)
            if order.amount_in > held:
                await ctx.record(order, S.FAILED, f"paper: selling {order.amount_in} but "
                                 f"{held} held on paper (a live send would revert); "
                                 "nothing sent")
                return None
        head = await self.w3.eth.get_block("latest")
        base_fee = int(head.get("baseFeePerGas", 0) or 0)
        # Priced as live: a token that gates on tx.gasprice sees what a real send pays, and
        # a base fee over the profile's cap refuses the fill as it refuses a live send.
        fees = await self._fees(ctx, base_fee)
        priced = {"maxFeePerGas": hex(fees.max_fee_per_gas),
                  "maxPriorityFeePerGas": hex(fees.max_priority_fee_per_gas)}
        if self.authorize is not None:
            try:
                await self.authorize({
                    "type": 2, "nonce": PAPER_NONCE, "gas": SWAP_GAS, "to": order.to,
                    "value": order.value, "data": order.data,
                    "maxFeePerGas": fees.max_fee_per_gas,
                    "maxPriorityFeePerGas": fees.max_priority_fee_per_gas}, account)
            except EngineHalted:
                raise
            except SignerRefused as exc:
                await ctx.record(order, S.FAILED, f"paper: the signer refuses it as it would "
                                 f"a live send ({exc}); nothing sent")
                return None
        swap = {"from": account, "to": order.to, "data": order.data, "value": hex(order.value),
                "gas": hex(SWAP_GAS), **priced}
        funds = order.value + (SWAP_GAS + APPROVE_GAS) * fees.max_fee_per_gas + 10**18
        overrides: dict[str, Any] = {account: {"balance": hex(funds)}}
        prelude: list[dict[str, Any]] = []
        if order.side is Side.SELL:
            slot = await self.balance_slot(order.token, account)
            if slot is None:
                await ctx.record(order, S.FAILED, "paper: cannot place the tokens in a "
                                 "simulation (balance storage not found); nothing sent")
                return None
            overrides[order.token] = {"stateDiff": {_balance_key(account, slot):
                                                    _word(order.amount_in)}}
            prelude.append({"from": account, "to": order.token, "gas": hex(APPROVE_GAS),
                            **priced, "data": "0x" + calls.erc20_approve(
                                order.router, order.amount_in).hex()})
        number, now = int(head["number"]), int(head["timestamp"]) + 1
        block = {"blockOverrides": {"number": hex(number + 1), "time": hex(now),
                                    "baseFeePerGas": hex(base_fee)},
                 "stateOverrides": overrides, "calls": [*prelude, swap]}
        # on the state of the block read above: the price the fill names is the pool's then
        result = (await self._simulate([block], hex(number)))[0]["calls"]
        if any(int(c["status"], 16) != 1 for c in result[:-1]):
            await ctx.record(order, S.FAILED, "paper: the token refused the router's allowance")
            return None
        call = result[-1]
        if int(call["status"], 16) != 1:
            await ctx.record(order, S.FAILED, "paper: the swap reverts on the live chain "
                             f"({_revert_reason(call)})")
            return None
        if order.side is Side.SELL:
            locked = await self._locked_after_buy(order, account, block, priced)
            if locked is not None:
                await ctx.record(order, S.FAILED, "paper: the token refuses this sell after "
                                 f"the account's buy ({locked}): a live send would revert; "
                                 "nothing sent")
                return None
        else:
            self._bought[order.token.lower()] = now
        receipt = {"logs": [{"address": lg["address"],
                             "topics": [bytes.fromhex(t[2:]) for t in lg["topics"]],
                             "data": lg["data"]} for lg in call.get("logs", [])]}
        if order.side is Side.BUY:
            out = fills.tokens_received(receipt, order.token, account)
        else:
            out = fills.eth_unwrapped(receipt, self.weth, order.router)
        # what live pays: every transaction's gas (a sell's approval is a transaction of its
        # own) at base fee plus tip, as a mined receipt's effectiveGasPrice
        price = min(fees.max_fee_per_gas, base_fee + fees.max_priority_fee_per_gas)
        gas = sum(int(c.get("gasUsed", "0x0"), 16) for c in result) * price
        return Fill(out, gas, f"paper fill at block {number}: received {out}")


def _revert_reason(call: dict[str, Any]) -> str:
    """A simulated call's ``Error(string)`` reason, else the node's message."""
    data = str(call.get("returnData", "0x"))
    if data.startswith("0x08c379a0") and len(data) >= 138:
        try:
            raw = bytes.fromhex(data[10:])
            size = int.from_bytes(raw[32:64], "big")
            return raw[64:64 + size].decode("utf-8", "replace")[:200]
        except ValueError:
            pass
    return str((call.get("error") or {}).get("message", "reverted"))


__all__ = ["APPROVE_GAS", "PAPER_NONCE", "SWAP_GAS", "Authorize", "PaperVenue"]
