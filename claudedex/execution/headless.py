"""One order through the engine's execution path, for ``claudedex trade`` (no TUI).

Why its own module: the CLI must use the same ExecutionEngine, journal, guarded signer and
recovery as the console; this builds them from a profile (and, on devnet, the running
devnet's manifest), reconciles the journal first, then executes one proposal.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from eth_utils.address import is_address, to_checksum_address

from claudedex.bus import EventBus
from claudedex.clock import WallClock
from claudedex.config import Profile
from claudedex.domain import Side, TradeProposal, Verdict
from claudedex.errors import ConfigError, EngineHalted, UserInputError
from claudedex.events import OrderUpdated
from claudedex.execution import calls
from claudedex.execution.engine import ExecutionEngine
from claudedex.execution.order import Order
from claudedex.execution.planner import Taxes
from claudedex.execution.routing import VenueRef
from claudedex.halt import HaltSwitch
from claudedex.paths import data_dir
from claudedex.rpc import async_web3

WEI = 10**18


@dataclass(frozen=True)
class ChainContext:
    rpc_url: str
    weth: str
    venues: list[VenueRef]
    devnet_key: str | None


def chain_context(profile: Profile) -> ChainContext:
    """RPC, WETH and venues: from the running devnet's manifest, or from the profile."""
    if profile.mode == "devnet":
        from claudedex.devnet.manifest import read_manifest

        manifest = read_manifest(data_dir(profile.name))
        if manifest is None:
            raise UserInputError(f"no running devnet for profile {profile.name}: "
                                 "start one with `claudedex devnet up`")
        venues = [VenueRef(n, v["factory"], v["router"]) for n, v in manifest.venues.items()]
        key = manifest.accounts[0]["private_key"] if manifest.accounts else None
        return ChainContext(manifest.rpc_url, manifest.weth, venues, key)
    venues = [VenueRef(v.name, v.factory, v.router, v.fee_bps) for v in profile.venues
              if v.factory and v.router]
    if not venues or not profile.chain.quote_token:
        raise ConfigError(f"profile {profile.name}: needs venues with factory/router and "
                          "chain.quote_token")
    return ChainContext(profile.rpc_url(), profile.chain.quote_token, venues, None)


def parse_amount(text: str, decimals: int) -> int:
    """'0.25' -> base units; refuses negatives, zero and too many decimals."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UserInputError(f"--amount {text!r} is not a number") from None
    units = value * (Decimal(10) ** decimals)
    if value <= 0 or units != units.to_integral_value():
        raise UserInputError(f"--amount {text!r} must be positive with at most {decimals} "
                             "decimals")
    return int(units)


async def _stored_taxes(db: Any, token: str) -> Taxes:
    """The token's taxes as the console's engine last measured them (for the FoT router
    functions); none stored means an untaxed token, which the simulation would have said."""
    from claudedex.storage.repo_market import MarketRepo

    for candidate in (token, token.lower()):
        report = await MarketRepo(db).latest_risk_report(candidate)
        if report is not None:
            return Taxes(report.buy_tax_bps or 0, report.sell_tax_bps or 0)
    return Taxes()


async def trade(profile: Profile, side: Side, token: str, amount: str, *, slippage_bps: int,
                dry_run: bool, echo: Callable[[str], None]) -> Order:
    """Build the execution stack, recover, execute one order; returns its final state."""
    from claudedex.storage import Database, OrderJournal
    from claudedex.wallet.factory import build_signer, guard
    from claudedex.wallet.spend_store import JsonSpendStore

    if not is_address(token):
        raise UserInputError(f"--token {token!r} is not an address")
    token = to_checksum_address(token)
    ctx = chain_context(profile)
    ddir = data_dir(profile.name)
    halt = HaltSwitch(ddir / "halt.json")
    if halt.is_halted() and not dry_run:
        raise EngineHalted(f"profile {profile.name} is halted ({halt.state.reason}); "
                           "`claudedex resume` first")
    w3 = async_web3(ctx.rpc_url)
    db = Database.for_profile(profile)
    await db.open()
    journal = OrderJournal(db)
    await journal.start()
    try:
        signer = guard(build_signer(profile, ddir, devnet_private_key=ctx.devnet_key), profile,
                       halt.is_halted, None, extra_targets={v.router for v in ctx.venues},
                       # the console's window: a CLI run must not start a fresh day
                       spend_store=JsonSpendStore(ddir / "spend.json"))
        if side is Side.BUY:
            amount_in = parse_amount(amount, 18)
        elif amount == "all":
            raw = await w3.eth.call({"to": token, "data": calls.erc20_balance_of(signer.address)})
            amount_in = calls.decode_uint(bytes(raw))
        else:
            raw = await w3.eth.call({"to": token, "data": calls.selector("decimals()")})
            amount_in = parse_amount(amount, calls.decode_uint(bytes(raw)))
        bus = EventBus()
        engine = ExecutionEngine(bus, profile, w3, signer, journal, halt.is_halted, WallClock(),
                                 ctx.venues, ctx.weth, dry_run=dry_run or None)
        sub = bus.subscribe("cli", [OrderUpdated.topic])

        async def show() -> None:
            async for ev in sub:
                if isinstance(ev, OrderUpdated):
                    echo(f"{ev.order_id}  {ev.state:<18} {ev.tx_hash}  {ev.detail}")

        printer = asyncio.create_task(show())
        try:
            await engine.recover()
            proposal = TradeProposal(
                id=f"cli-{uuid.uuid4().hex[:12]}", token=token, pair="", venue="",
                side=side, amount_in=amount_in, min_amount_out=0,
                quote_value=Decimal(amount_in) / WEI if side is Side.BUY else Decimal(0),
                slippage_bps=slippage_bps, verdict=Verdict.UNKNOWN, strategy="cli")
            order = await engine.execute(proposal, await _stored_taxes(db, token))
            await asyncio.sleep(0)
        finally:
            sub.close()
            await printer
        return order
    finally:
        await journal.close()
        await db.close()
        await w3.provider.disconnect()
