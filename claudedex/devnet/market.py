"""The market simulator: launches tokens, trades them, and fires the scams on schedule.

Why ticks: one tick = launch maybe, fire due scam actions, let every trader decide, send
their signed transactions, then wait for the receipts. Decisions come from seeded RNGs and
the tick number, never from wall time, so a fixed seed replays the same market; in
``devnet up`` a tick runs every ``tick_s`` seconds of wall time.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import structlog
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.types import TxReceipt

from claudedex.devnet.accounts import AccountPlan
from claudedex.devnet.anvil import DevAccount
from claudedex.devnet.deployment import DevnetDeployment
from claudedex.devnet.labels import LabelWriter
from claudedex.devnet.launches import LaunchPlan, LaunchPlanner
from claudedex.devnet.pricebook import PairBook, PriceBook
from claudedex.devnet.social import SocialFeed
from claudedex.devnet.stablelaunch import launch_on_stable, native_value, trade_path
from claudedex.devnet.tokens import RUG_KINDS, Action, DeployedToken, TokenSource
from claudedex.devnet.traders import STYLES, Intent, TokenView, Trader
from claudedex.devnet.txs import Sender
from claudedex.devnet.uniswap import (
    erc20_contract,
    factory_contract,
    pair_contract,
    router_contract,
)
from claudedex.errors import ClaudeDexError

log = structlog.get_logger(__name__)

DEADLINE = 2**40
MAX_UINT = 2**256 - 1
SWAP_GAS = 700_000
WITHDRAWAL_TOPIC = keccak(text="Withdrawal(address,uint256)")
DEAD_LIQUIDITY_WEI = 10**15
MAX_AGE_TICKS = 900


@dataclass(frozen=True)
class MarketConfig:
    seed: int = 7
    launch_rate_per_min: Decimal = Decimal("6")
    tick_s: float = 1.0
    max_launches: int | None = None
    scam_share: Decimal = Decimal("0.5")


@dataclass
class LiveToken:
    plan: LaunchPlan
    token: DeployedToken
    owner: DevAccount
    pair: str
    token_is_token0: bool
    launch_tick: int
    launch_block: int
    book: PairBook | None = None
    pending: list[tuple[int, Action]] = field(default_factory=list)
    prices: list[Decimal] = field(default_factory=list)
    dead: bool = False
    quote: str = ""  # the stable the pool is against ("" = WETH)


@dataclass
class MarketStats:
    ticks: int = 0
    launches: int = 0
    launches_failed: int = 0
    swaps_ok: int = 0
    swaps_failed: int = 0
    scams_fired: int = 0
    scams_failed: int = 0


class MarketSimulator:
    """Owns the dev and trader accounts of an AccountPlan; never touches ``plan.free``."""

    def __init__(
        self,
        w3: Web3,
        deployment: DevnetDeployment,
        accounts: AccountPlan,
        *,
        config: MarketConfig,
        source: TokenSource,
        labels: LabelWriter,
        book: PriceBook,
        feed: SocialFeed,
    ) -> None:
        self.w3 = w3
        self.deployment = deployment
        self.accounts = accounts
        self.config = config
        self.source = source
        self.labels = labels
        self.book = book
        self.feed = feed
        self.families = source.families()
        self.planner = LaunchPlanner(
            config.seed, self.families, tuple(sorted(deployment.venues)),
            config.launch_rate_per_min, config.tick_s, len(accounts.devs), config.scam_share,
            tuple(q.symbol for q in deployment.quotes),
        )  # fmt: skip
        self.traders: list[Trader] = []
        for style, accts in accounts.traders.items():
            for i, acct in enumerate(accts):
                rng = random.Random(f"claudedex-devnet:{config.seed}:trader:{style}:{i}")
                self.traders.append(STYLES[style](acct, rng))
        self.tokens: list[LiveToken] = []
        self.stats = MarketStats()
        self.tick_no = 0
        self._senders: dict[str, Sender] = {}
        self._approved: set[tuple[str, str]] = set()
        self.labels.write("devnet", seed=config.seed,
                          families=self.families, **deployment.to_json())

    def sender(self, acct: DevAccount) -> Sender:
        if acct.address not in self._senders:
            self._senders[acct.address] = Sender.from_dev(self.w3, acct, self.deployment.chain_id)
        return self._senders[acct.address]

    # ---- one tick -------------------------------------------------------------------------
    def tick(self) -> None:
        tick = self.tick_no
        limit = self.config.max_launches
        if limit is None or self.stats.launches < limit:
            plan = self.planner.maybe_launch(tick)
            if plan is not None:
                try:
                    self.launch(plan, tick)
                except (ClaudeDexError, Web3Exception, ValueError) as exc:
                    # the plan was drawn already: later launches stay the same for the seed
                    self.stats.launches_failed += 1
                    self.labels.write("launch_failed", index=plan.index, family=plan.family,
                                      launch_tick=tick, error=str(exc)[:300])
                    log.warning("market.launch_failed", family=plan.family, error=str(exc)[:300])
        self.fire_due_actions()
        self.trade(tick)
        self.tick_no += 1
        self.stats.ticks += 1

    def run(self, stop: threading.Event) -> None:
        """Tick every ``tick_s`` seconds until ``stop`` is set (runs in a worker thread)."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except (ClaudeDexError, Web3Exception, OSError) as exc:
                if stop.is_set():
                    return  # anvil going away during shutdown is expected
                log.warning("market.tick_failed", tick=self.tick_no, error=str(exc)[:300])
                self.tick_no += 1
            stop.wait(max(0.0, self.config.tick_s - (time.monotonic() - started)))

    # ---- launches --------------------------------------------------------------------------
    def launch(self, plan: LaunchPlan, tick: int) -> LiveToken:
        owner = self.accounts.devs[plan.dev_index]
        venue = self.deployment.venues[plan.venue]
        token = self.source.deploy(
            self.w3, plan.family, owner, name=plan.name, symbol=plan.symbol,
            supply=plan.supply, rng=random.Random(f"{self.config.seed}:token:{plan.index}"),
            deployment=self.deployment,
        )  # fmt: skip
        dev = self.sender(owner)
        dev.resync_nonce()
        router = router_contract(self.w3, venue)
        erc20 = erc20_contract(self.w3, token.address)
        dev.transact(erc20.functions.approve(router.address, MAX_UINT), gas=150_000)
        amount = plan.supply * plan.lp_share_bps // 10_000
        quote = ""
        if plan.quote:  # the deep pool against a stable, a dust WETH pool beside it
            receipt, pair, quote = launch_on_stable(self.w3, dev, venue, self.deployment, plan,
                                                    token.address)
        else:
            receipt = dev.transact(router.functions.addLiquidityETH(
                token.address, amount, 0, 0, owner.address, DEADLINE),
                value=plan.liquidity_eth, gas=5_000_000)
            pair = factory_contract(self.w3, venue).functions.getPair(
                token.address, self.deployment.weth).call()
        if token.post_liquidity is not None:
            token.post_liquidity(self.w3, pair, router.address)
            dev.resync_nonce()
        if token.actions_for is not None:
            token.actions.extend(token.actions_for(pair))
        launch_block = int(receipt["blockNumber"])
        schedule_base = self.w3.eth.block_number  # zoo actions count from post_liquidity
        if "rug" in plan.family and not any(a.kind in RUG_KINDS for a in token.actions):
            rug_rng = random.Random(f"{self.config.seed}:rug:{plan.index}")
            token.actions.append(Action(rug_rng.randint(15, 60), "liquidity_pull", None))
        live = LiveToken(
            plan=plan, token=token, owner=owner, pair=pair,
            token_is_token0=int(token.address, 16) < int(quote or self.deployment.weth, 16),
            launch_tick=tick, launch_block=launch_block, quote=quote,
            pending=sorted(((schedule_base + a.after_blocks, a) for a in token.actions),
                           key=lambda p: p[0]),
        )  # fmt: skip
        self.tokens.append(live)
        self.stats.launches += 1
        book = PairBook(
            pair=pair, venue=plan.venue, token=token.address, name=plan.name,
            symbol=plan.symbol, decimals=token.decimals, total_supply=plan.supply,
            created_at=time.time(), weth=quote or self.deployment.weth,
            description=f"{plan.name}: community token", quote_symbol=plan.quote or "WETH",
        )  # fmt: skip
        self.book.add(book)
        live.book = book
        self._refresh(live)
        self.labels.write(
            "launch", index=plan.index, token=token.address, pair=pair, venue=plan.venue,
            family=plan.family, scam=token.scam, owner=owner.address, name=plan.name,
            symbol=plan.symbol, supply=str(plan.supply), liquidity_wei=str(plan.liquidity_eth),
            launch_block=launch_block, launch_tick=tick, quote=plan.quote or "WETH",
            scheduled=[{"kind": a.kind, "due_block": due} for due, a in live.pending],
        )  # fmt: skip
        self.feed.on_launch(token.address, plan.name, plan.symbol, plan.venue)
        log.info("market.launch", index=plan.index, family=plan.family, token=token.address)
        return live

    # ---- scams -----------------------------------------------------------------------------
    def fire_due_actions(self) -> None:
        block = self.w3.eth.block_number
        for live in self.tokens:
            while live.pending and live.pending[0][0] <= block:
                due, action = live.pending.pop(0)
                self._fire(live, action, due)

    def _fire(self, live: LiveToken, action: Action, due: int) -> None:
        try:
            if action.run is None:
                if action.kind not in RUG_KINDS:
                    raise ValueError(f"action {action.kind} has no run and is not a rug")
                self.rug(live)
            else:
                action.run(self.w3)
        except (ClaudeDexError, Web3Exception, ValueError) as exc:
            self.stats.scams_failed += 1
            self.labels.write("scam_failed", token=live.token.address, kind=action.kind,
                              due_block=due, error=str(exc)[:300])
            log.warning("market.scam_failed", token=live.token.address, kind=action.kind,
                        error=str(exc)[:300])
            return
        finally:
            self.sender(live.owner).resync_nonce()
        self.stats.scams_fired += 1
        self.labels.write(
            "scam_fired", token=live.token.address, pair=live.pair, family=live.plan.family,
            scam=live.token.scam,
            kind=action.kind, due_block=due, block=self.w3.eth.block_number,
        )  # fmt: skip
        self.feed.on_scam(live.token.address, live.plan.symbol)
        self._refresh(live)

    def rug(self, live: LiveToken) -> None:
        """The liquidity pull: the owner burns all its LP tokens straight at the pair."""
        dev = self.sender(live.owner)
        pair = pair_contract(self.w3, live.pair)
        lp = pair.functions.balanceOf(live.owner.address).call()
        if lp == 0:
            raise ValueError("owner holds no LP tokens")
        dev.transact(pair.functions.transfer(live.pair, lp), gas=200_000)
        dev.transact(pair.functions.burn(live.owner.address), gas=400_000)

    # ---- trading ---------------------------------------------------------------------------
    def views(self, tick: int) -> list[TokenView]:
        out = []
        for live in self.tokens:
            if live.dead or tick - live.launch_tick > MAX_AGE_TICKS or not live.prices:
                continue
            prev = live.prices[-6] if len(live.prices) >= 6 else live.prices[0]
            book = self._book(live)
            out.append(TokenView(live.token.address, live.launch_tick, live.prices[-1], prev,
                                 book.reserve_weth))
        return out

    def _book(self, live: LiveToken) -> PairBook:
        if live.book is None:
            raise ValueError(f"token {live.token.address} has no price book yet")
        return live.book

    def trade(self, tick: int) -> None:
        views = self.views(tick)
        by_token = {live.token.address: live for live in self.tokens}
        sent: list[tuple[HexBytes, Intent, LiveToken]] = []
        for trader in self.traders:
            for intent in trader.decide(tick, views):
                live = by_token[intent.token]
                tx = self._send(intent, live)
                if tx is not None:
                    sent.append((tx, intent, live))
        touched: dict[str, LiveToken] = {}
        for tx, intent, live in sent:
            receipt = self.sender(intent.trader).wait(tx, check=False)
            if receipt["status"] != 1:
                self.stats.swaps_failed += 1
                continue
            self.stats.swaps_ok += 1
            wei = intent.eth_in if intent.kind == "buy" else self._withdrawn(receipt)
            self.book.record_trade(live.pair, intent.kind, wei)
            touched[live.pair] = live
        for live in touched.values():
            self._refresh(live)
        for live in self.tokens:
            if live.prices and not live.dead and live.pair not in touched:
                live.prices.append(live.prices[-1])

    def _send(self, intent: Intent, live: LiveToken) -> HexBytes | None:
        s = self.sender(intent.trader)
        venue = self.deployment.venues[live.plan.venue]
        router = router_contract(self.w3, venue)
        weth = self.deployment.weth
        try:
            if intent.kind == "buy":
                fn = router.functions.swapExactETHForTokensSupportingFeeOnTransferTokens(
                    0, trade_path(weth, live.quote, live.token.address, buy=True), s.address,
                    DEADLINE)
                return s.send_raw(to=router.address, data=_data(fn), value=intent.eth_in,
                                  gas=SWAP_GAS)
            erc20 = erc20_contract(self.w3, live.token.address)
            balance = erc20.functions.balanceOf(s.address).call()
            amount = balance * intent.sell_bps // 10_000
            if amount == 0:
                return None
            if (s.address, live.token.address) not in self._approved:
                s.send_raw(to=live.token.address,
                           data=_data(erc20.functions.approve(router.address, MAX_UINT)),
                           gas=150_000)
                self._approved.add((s.address, live.token.address))
            fn = router.functions.swapExactTokensForETHSupportingFeeOnTransferTokens(
                amount, 0, trade_path(weth, live.quote, live.token.address, buy=False),
                s.address, DEADLINE)
            return s.send_raw(to=router.address, data=_data(fn), gas=SWAP_GAS)
        except (Web3Exception, ValueError) as exc:
            s.resync_nonce()
            self.stats.swaps_failed += 1
            log.debug("market.send_failed", trader=s.address, error=str(exc)[:200])
            return None

    def _withdrawn(self, receipt: TxReceipt) -> int:
        weth = self.deployment.weth.lower()
        for entry in receipt["logs"]:
            topics = entry["topics"]
            from_weth = str(entry["address"]).lower() == weth
            if from_weth and topics and bytes(topics[0]) == WITHDRAWAL_TOPIC:
                return int.from_bytes(bytes(entry["data"])[-32:], "big")
        return 0

    def _refresh(self, live: LiveToken) -> None:
        r0, r1, _ = pair_contract(self.w3, live.pair).functions.getReserves().call()
        r_token, r_weth = (r0, r1) if live.token_is_token0 else (r1, r0)
        if live.quote:  # a stable pool: its depth in wei, through the stable's WETH pool
            r_weth = native_value(self.w3, self.deployment.venues[live.plan.venue],
                                  self.deployment.weth, live.quote, r_weth)
        self.book.update_reserves(live.pair, r_token, r_weth)
        live.prices.append(self._book(live).price_native())
        if r_weth < DEAD_LIQUIDITY_WEI:
            live.dead = True

    def summary(self) -> dict[str, Any]:
        return {
            "ticks": self.stats.ticks, "launches": self.stats.launches,
            "launches_failed": self.stats.launches_failed,
            "swaps_ok": self.stats.swaps_ok, "swaps_failed": self.stats.swaps_failed,
            "scams_fired": self.stats.scams_fired, "scams_failed": self.stats.scams_failed,
        }  # fmt: skip


def _data(fn: Any) -> bytes:
    return bytes(HexBytes(fn._encode_transaction_data()))
